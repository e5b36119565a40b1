#!/usr/bin/env bash
# Checks the plugin against Wireshark releases Debian 12 does not ship: builds (once) a Debian
# chroot with that release's tshark and headers, then runs the ABI test (every constant and
# layout the plugin declares against the real headers) and the plugin tests (load into tshark,
# every field registered, every sample decoded as the analyzer decodes it) inside it.
#
#   sudo tests/wireshark-chroot.sh            # trixie (Wireshark 4.4) and sid (4.6)
#   sudo tests/wireshark-chroot.sh sid        # one suite
#   WVCIR_CHROOT_DIR=/var/tmp tests/wireshark-chroot.sh   # where the chroots live (default /var/tmp)
#
# Needs root (debootstrap, chroot) and Debian's package mirror; about 250 MB per suite.
set -euo pipefail
cd "$(dirname "$0")/.."
suites=("$@")
[ ${#suites[@]} -gt 0 ] || suites=(trixie sid)
base=${WVCIR_CHROOT_DIR:-/var/tmp}
mirror=${WVCIR_DEBIAN_MIRROR:-http://deb.debian.org/debian}
command -v debootstrap >/dev/null || { echo "installing debootstrap"; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null; }
# A snapshot mirror's Release files can be past their Valid-Until date: do not refuse them.
apt_opts="-o Acquire::Check-Valid-Until=false"
for suite in "${suites[@]}"; do
  root="$base/wvcir-chroot-$suite"
  start=$(date +%s)
  if [ ! -x "$root/usr/bin/tshark" ]; then
    echo "== $suite: debootstrap into $root"
    [ -d "$root/usr" ] || debootstrap --variant=minbase "$suite" "$root" "$mirror" >/dev/null
    chroot "$root" /usr/bin/env DEBIAN_FRONTEND=noninteractive PATH=/usr/sbin:/usr/bin:/sbin:/bin sh -c \
      "apt-get $apt_opts update -qq && apt-get $apt_opts install -y -qq --no-install-recommends tshark libwireshark-dev libglib2.0-dev gcc libc6-dev pkg-config >/dev/null"
  fi
  version=$(chroot "$root" tshark --version | head -n 1)
  echo "== $suite: $version"
  WVCIR_CHROOT="$root" cargo test --locked -p wvcir-tests --test wireshark_abi --test plugin_tshark
  echo "== $suite: passed in $(( $(date +%s) - start )) s"
done
