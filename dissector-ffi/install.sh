#!/usr/bin/env bash
# Builds the wvcir plugin and installs it for every Wireshark version found on this machine.
#
#   dissector-ffi/install.sh            # personal plugin folder: ~/.local/lib/wireshark/plugins/X.Y/epan/
#   dissector-ffi/install.sh DIR        # DIR/X.Y/epan/ instead (use with WIRESHARK_PLUGIN_DIR=DIR)
#
# One build serves every supported version (3.4, 3.6, 4.0, 4.2, 4.4, 4.6): the same file is copied into each
# version's folder. Versions are found from `tshark --version`, `wireshark --version`, and the
# global plugin folders (/usr/lib/*/wireshark/plugins/X.Y).
set -euo pipefail
cd "$(dirname "$0")/.."
dest=${1:-"$HOME/.local/lib/wireshark/plugins"}
cargo build --release --locked -p wvcir-dissector --lib
lib=${CARGO_TARGET_DIR:-target}/release/libwvcir_dissector.so

versions=()
for tool in tshark wireshark; do
  if command -v "$tool" >/dev/null; then
    v=$("$tool" --version 2>/dev/null | head -n 1 | grep -oE '[0-9]+\.[0-9]+' | head -n 1 || true)
    [ -n "$v" ] && versions+=("$v")
  fi
done
for d in /usr/lib/*/wireshark/plugins/[0-9]*.[0-9]* /usr/lib/wireshark/plugins/[0-9]*.[0-9]* /usr/local/lib/wireshark/plugins/[0-9]*.[0-9]*; do
  [ -d "$d" ] && versions+=("$(basename "$d")")
done
mapfile -t versions < <(printf '%s\n' "${versions[@]}" | grep -E '^[0-9]+\.[0-9]+$' | sort -u)
if [ ${#versions[@]} -eq 0 ]; then
  echo "No Wireshark found (no tshark or wireshark on PATH, no plugin folder). Install Wireshark, or" >&2
  echo "copy $lib by hand to <plugin folder>/<major.minor>/epan/wvcir.so" >&2
  exit 1
fi
for v in "${versions[@]}"; do
  case "$v" in
    3.4|3.6|4.0|4.2|4.4|4.6) ;;
    *) echo "Wireshark $v: not supported by this build (supported: 3.4, 3.6, 4.0, 4.2, 4.4, 4.6); skipped" >&2; continue ;;
  esac
  mkdir -p "$dest/$v/epan"
  install -m 0644 "$lib" "$dest/$v/epan/wvcir.so"
  echo "installed for Wireshark $v: $dest/$v/epan/wvcir.so"
done
echo "Check: Wireshark > Help > About Wireshark > Plugins lists wvcir.so, or: tshark -G plugins | grep wvcir"
echo "(tshark run as root ignores personal plugin folders: check as your own user.)"
