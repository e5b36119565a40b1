#!/usr/bin/env bash
# Builds the wvcir plugin and installs it for every Wireshark version found on this machine.
#
#   dissector-ffi/install.sh            # personal plugin folder: ~/.local/lib/wireshark/plugins/X.Y/epan/
#   dissector-ffi/install.sh DIR        # DIR/X.Y/epan/ instead (use with WIRESHARK_PLUGIN_DIR=DIR)
#
# One build serves every supported version (3.4, 3.6, 4.0, 4.2, 4.4, 4.6): the same file is copied into each
# version's folder. Versions are found from `tshark --version`, `wireshark --version`, and the
# global plugin folders (/usr/lib/*/wireshark/plugins/X.Y).
#
# On macOS (`uname -s` = Darwin) the version folders have a dash (X-Y, since Wireshark 3.6) and the
# file is still named wvcir.so. It installs release.sh's universal build (dist/macos-universal/wvcir.so,
# or $WVCIR_DIST/macos-universal/wvcir.so) when there is one (remove it to install a fresh build), else
# builds for this Mac with cargo (Apple's linker signs it). Versions are also found from
# /Applications/Wireshark.app.
set -euo pipefail
cd "$(dirname "$0")/.."
dest=${1:-"$HOME/.local/lib/wireshark/plugins"}
if [ "$(uname -s)" = Darwin ]; then
  sep=-
  lib=${WVCIR_DIST:-dist}/macos-universal/wvcir.so
  if [ -f "$lib" ]; then
    echo "installing $lib (made by dissector-ffi/release.sh macos)"
  else
    cargo build --release --locked -p wvcir-dissector --lib
    lib=${CARGO_TARGET_DIR:-target}/release/libwvcir_dissector.dylib
  fi
  tools=(tshark wireshark /Applications/Wireshark.app/Contents/MacOS/tshark /Applications/Wireshark.app/Contents/MacOS/Wireshark)
  folders=(/Applications/Wireshark.app/Contents/PlugIns/wireshark/[0-9]*-[0-9]* /usr/local/lib/wireshark/plugins/[0-9]*-[0-9]* /opt/homebrew/lib/wireshark/plugins/[0-9]*-[0-9]*)
else
  sep=.
  cargo build --release --locked -p wvcir-dissector --lib
  lib=${CARGO_TARGET_DIR:-target}/release/libwvcir_dissector.so
  tools=(tshark wireshark)
  folders=(/usr/lib/*/wireshark/plugins/[0-9]*.[0-9]* /usr/lib/wireshark/plugins/[0-9]*.[0-9]* /usr/local/lib/wireshark/plugins/[0-9]*.[0-9]*)
fi

versions=()
for tool in "${tools[@]}"; do
  if command -v "$tool" >/dev/null; then
    v=$("$tool" --version 2>/dev/null | head -n 1 | grep -oE '[0-9]+\.[0-9]+' | head -n 1 || true)
    [ -n "$v" ] && versions+=("$v")
  fi
done
for d in "${folders[@]}"; do
  [ -d "$d" ] && versions+=("$(basename "$d" | tr - .)")
done
# (No mapfile, and no "${a[@]}" of an empty array under set -u: macOS runs bash 3.2.)
found=$(printf '%s\n' ${versions[@]+"${versions[@]}"} | grep -E '^[0-9]+\.[0-9]+$' | sort -u || true)
versions=()
for v in $found; do versions+=("$v"); done
if [ ${#versions[@]} -eq 0 ]; then
  echo "No Wireshark found (no tshark or wireshark on PATH, no plugin folder). Install Wireshark, or" >&2
  echo "copy $lib by hand to <plugin folder>/<major${sep}minor>/epan/wvcir.so" >&2
  exit 1
fi
for v in "${versions[@]}"; do
  case "$v" in
    3.4|3.6|4.0|4.2|4.4|4.6) ;;
    *) echo "Wireshark $v: not supported by this build (supported: 3.4, 3.6, 4.0, 4.2, 4.4, 4.6); skipped" >&2; continue ;;
  esac
  folder=$dest/${v/./$sep}/epan
  mkdir -p "$folder"
  install -m 0644 "$lib" "$folder/wvcir.so"
  echo "installed for Wireshark $v: $folder/wvcir.so"
done
echo "Check: Wireshark > Help > About Wireshark > Plugins lists wvcir.so, or: tshark -G plugins | grep wvcir"
echo "(tshark run as root ignores personal plugin folders: check as your own user.)"
