#!/usr/bin/env bash
# Checks the plugin against Wireshark releases Debian 12 does not ship: builds (once) a chroot
# with that release's tshark and headers, then runs the ABI test (every constant and layout the
# plugin declares against the real headers) and the plugin tests (load into tshark, every field
# registered, every sample decoded as the analyzer decodes it) inside it.
#
#   sudo tests/wireshark-chroot.sh            # bullseye (3.4), jammy (3.6), noble (4.2), trixie (4.4), sid (4.6)
#   sudo tests/wireshark-chroot.sh sid        # only the suites named
#   WVCIR_CHROOT_DIR=/var/tmp tests/wireshark-chroot.sh   # where the chroots live (default /var/tmp)
#
# Needs root (debootstrap, chroot) and the package mirrors (debootstrap's defaults, or
# WVCIR_DEBIAN_MIRROR / WVCIR_UBUNTU_MIRROR); about 1 GB of disk per suite.
# 4.2 never reached Debian, so it comes from Ubuntu 24.04 (noble, 4.2.2). Debian 12 packages no
# Ubuntu keyring, so that one bootstrap runs with --no-check-gpg; apt inside the chroot then
# checks every package it installs against the Ubuntu keyring the bootstrap brought.
# Debian 11 (bullseye) has glibc 2.31, older than a build made here needs: its suite tests the
# portable build users get from `dissector-ffi/release.sh linux` (cargo-zigbuild, glibc 2.17
# floor), made by the tests with `WVCIR_PLUGIN_TARGET`; cargo-zigbuild and zig come from PyPI
# into dissector-ffi/.venv (as for release.sh) when they are not on PATH.
set -euo pipefail
cd "$(dirname "$0")/.."
suites=("$@")
[ ${#suites[@]} -gt 0 ] || suites=(bullseye jammy noble trixie sid)
base=${WVCIR_CHROOT_DIR:-/var/tmp}
command -v debootstrap >/dev/null || { echo "installing debootstrap"; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null; }
# A snapshot mirror's Release files can be past their Valid-Until date: do not refuse them.
apt_opts="-o Acquire::Check-Valid-Until=false"
for suite in "${suites[@]}"; do
  root="$base/wvcir-chroot-$suite"
  start=$(date +%s)
  if [ ! -x "$root/usr/bin/tshark" ]; then
    echo "== $suite: debootstrap into $root"
    if [ ! -d "$root/usr" ]; then
      case $suite in
        # An empty mirror argument is debootstrap's own default mirror for that distribution.
        jammy|noble) debootstrap --variant=minbase --no-check-gpg --components=main,universe "$suite" "$root" \
                 "${WVCIR_UBUNTU_MIRROR:-}" gutsy >/dev/null ;;
        *) debootstrap --variant=minbase "$suite" "$root" "${WVCIR_DEBIAN_MIRROR:-}" >/dev/null ;;
      esac
    fi
    chroot "$root" /usr/bin/env DEBIAN_FRONTEND=noninteractive PATH=/usr/sbin:/usr/bin:/sbin:/bin sh -c \
      "apt-get $apt_opts update -qq && apt-get $apt_opts install -y -qq --no-install-recommends tshark libwireshark-dev libglib2.0-dev gcc libc6-dev pkg-config >/dev/null"
  fi
  version=$(chroot "$root" tshark --version | head -n 1)
  echo "== $suite: $version"
  # Older util-linux (jammy's setpriv) reads /proc/sys/kernel/cap_last_cap: give the chroot a /proc.
  mounted=
  if [ ! -e "$root/proc/self" ]; then mount -t proc proc "$root/proc" && mounted=1; fi
  status=0
  portable=
  if [ "$suite" = bullseye ]; then
    portable=x86_64-unknown-linux-gnu.2.17
    # The same zig and cargo-zigbuild as release.sh (and .ci/run) use.
    if ! command -v cargo-zigbuild >/dev/null; then
      [ -x dissector-ffi/.venv/bin/cargo-zigbuild ] || { python3 -m venv dissector-ffi/.venv &&
        dissector-ffi/.venv/bin/pip install -q ziglang==0.17.1 cargo-zigbuild==0.24.1; }
      export PATH="$PWD/dissector-ffi/.venv/bin:$PATH"
    fi
  fi
  # tls_ssh_fields: tshark 4.2 and newer compute JA4 themselves, so the JA4 of every sample is
  # compared with theirs, not with the committed table. 3.4 has no JA3 or HASSH fields to compare.
  fields=(--test tls_ssh_fields)
  [ "$suite" != bullseye ] || fields=()
  WVCIR_CHROOT="$root" WVCIR_PLUGIN_TARGET="$portable" cargo test --locked -p wvcir-tests --test wireshark_abi \
    --test plugin_tshark --test stats_tshark "${fields[@]}" || status=$?
  [ -z "$mounted" ] || umount "$root/proc"
  [ "$status" = 0 ] || exit "$status"
  echo "== $suite: passed in $(( $(date +%s) - start )) s"
done
