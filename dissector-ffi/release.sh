#!/usr/bin/env bash
# Builds the Wireshark plugin's release artefacts (one build each serves Wireshark 3.4 to 4.6):
#
#   dissector-ffi/release.sh                 # all three
#   dissector-ffi/release.sh linux windows   # or any of: linux windows macos
#
#   dist/linux-x86_64/wvcir.so      Linux x86_64 that needs at most GLIBC_2.17 (Debian 11, RHEL 7 and
#                                   later), built with cargo-zigbuild against glibc 2.17
#   dist/windows-x86_64/wvcir.dll   Windows x86_64 (x86_64-pc-windows-gnu, mingw-w64)
#   dist/macos-universal/wvcir.so   macOS arm64 + x86_64 in one file (cargo-zigbuild, llvm-lipo);
#                                   built and inspected here, never run
#   dist/SHA256SUMS                 of the artefacts in dist/ after this run
#
# Installs nothing: a missing tool stops the part with exit status 3 and the command to install it.
# WVCIR_DIST=DIR writes to DIR instead of dist/ (the tests use a scratch folder); CARGO_TARGET_DIR
# is honoured as cargo does. Each part prints how long it took.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
dist=${WVCIR_DIST:-$root/dist}
target=${CARGO_TARGET_DIR:-$root/target}
# ziglang and cargo-zigbuild from PyPI live in this virtual environment (ignored by git).
venv=$root/dissector-ffi/.venv
# The highest glibc symbol version the portable Linux build may need.
glibc_floor=2.17
# The oldest macOS each slice declares: Rust's own defaults for these targets (zig's would be its
# newest SDK's).
macos_arm64_min=11.0
macos_x86_64_min=10.12

parts=("$@")
[ ${#parts[@]} -eq 0 ] && parts=(linux windows macos)
for p in "${parts[@]}"; do
  case "$p" in
    linux|windows|macos) ;;
    *) echo "release.sh: unknown part '$p' (parts: linux windows macos)" >&2; exit 2 ;;
  esac
done

missing() {
  echo "release.sh $1: missing $2. Install it with:" >&2
  echo "  $3" >&2
  exit 3
}

zig_tools() {
  [ -x "$venv/bin/cargo-zigbuild" ] && export PATH="$venv/bin:$PATH"
  local install="python3 -m venv dissector-ffi/.venv && dissector-ffi/.venv/bin/pip install ziglang==0.17.1 cargo-zigbuild==0.24.1   (Debian: apt-get install python3-venv first)"
  command -v cargo-zigbuild >/dev/null || missing "$1" "cargo-zigbuild" "$install"
  # cargo-zigbuild runs zig from PATH, or `python3 -m ziglang` (the venv's python when it is first on PATH).
  command -v zig >/dev/null || python3 -m ziglang version >/dev/null 2>&1 || missing "$1" "zig (the ziglang package)" "$install"
}

# The first of llvm-TOOL, llvm-TOOL-NN, /usr/lib/llvm-NN/bin/llvm-TOOL (Debian 12's `llvm` package
# installs llvm-lipo only as llvm-lipo-14).
llvm_tool() {
  local name=llvm-$1 c
  for c in "$name" $(compgen -c "$name-" 2>/dev/null | sort -t- -k3 -rn) /usr/lib/llvm-*/bin/"$name"; do
    if command -v "$c" >/dev/null 2>&1; then
      command -v "$c"
      return
    fi
  done
  return 1
}

started() { start=$(date +%s.%N); }
took() { echo "release.sh $1: took $(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s"; }

build_linux() {
  zig_tools linux
  command -v objdump >/dev/null || missing linux "objdump" "apt-get install binutils"
  started
  cargo zigbuild --release --locked -p wvcir-dissector --lib --target "x86_64-unknown-linux-gnu.$glibc_floor"
  local lib=$target/x86_64-unknown-linux-gnu/release/libwvcir_dissector.so
  # Check what was built: no glibc symbol version above the floor.
  local need
  need=$(objdump -T "$lib" | grep -oE 'GLIBC_[0-9]+(\.[0-9]+)+' | sed 's/GLIBC_//' | sort -uV | tail -n 1)
  if [ "$(printf '%s\n%s\n' "$need" "$glibc_floor" | sort -V | tail -n 1)" != "$glibc_floor" ]; then
    echo "release.sh linux: $lib needs GLIBC_$need, above $glibc_floor:" >&2
    objdump -T "$lib" | grep -E "GLIBC_$need" >&2
    exit 1
  fi
  mkdir -p "$dist/linux-x86_64"
  install -m 0755 "$lib" "$dist/linux-x86_64/wvcir.so"
  echo "release.sh linux: $dist/linux-x86_64/wvcir.so (needs at most GLIBC_$need)"
  took linux
}

build_windows() {
  command -v x86_64-w64-mingw32-gcc >/dev/null || missing windows "x86_64-w64-mingw32-gcc" "apt-get install gcc-mingw-w64-x86-64"
  rustup target list --installed 2>/dev/null | grep -qx x86_64-pc-windows-gnu \
    || missing windows "the Rust target x86_64-pc-windows-gnu" "rustup target add x86_64-pc-windows-gnu"
  started
  # rustc links x86_64-pc-windows-gnu with x86_64-w64-mingw32-gcc by default.
  cargo build --release --locked -p wvcir-dissector --lib --target x86_64-pc-windows-gnu
  mkdir -p "$dist/windows-x86_64"
  install -m 0644 "$target/x86_64-pc-windows-gnu/release/wvcir_dissector.dll" "$dist/windows-x86_64/wvcir.dll"
  echo "release.sh windows: $dist/windows-x86_64/wvcir.dll"
  took windows
}

build_macos() {
  zig_tools macos
  local lipo objdump t
  lipo=$(llvm_tool lipo) || missing macos "llvm-lipo" "apt-get install llvm"
  objdump=$(llvm_tool objdump) || missing macos "llvm-objdump" "apt-get install llvm"
  for t in aarch64-apple-darwin x86_64-apple-darwin; do
    rustup target list --installed 2>/dev/null | grep -qx "$t" || missing macos "the Rust target $t" "rustup target add $t"
  done
  started
  # No Apple SDK here: rustc warns that `xcrun` is missing; zig supplies the system library stubs.
  MACOSX_DEPLOYMENT_TARGET=$macos_arm64_min \
    cargo zigbuild --release --locked -p wvcir-dissector --lib --target aarch64-apple-darwin
  MACOSX_DEPLOYMENT_TARGET=$macos_x86_64_min \
    cargo zigbuild --release --locked -p wvcir-dissector --lib --target x86_64-apple-darwin
  mkdir -p "$dist/macos-universal"
  rm -f "$dist/macos-universal/wvcir.so"
  "$lipo" -create -output "$dist/macos-universal/wvcir.so" \
    "$target/aarch64-apple-darwin/release/libwvcir_dissector.dylib" \
    "$target/x86_64-apple-darwin/release/libwvcir_dissector.dylib"
  # arm64 macOS loads only signed code. zig's linker signs arm64 output ad hoc ("linker-signed",
  # like Apple's ld); llvm-lipo copies each slice unchanged, so the signature survives. Check it.
  if ! "$objdump" --macho --arch=arm64 --private-headers "$dist/macos-universal/wvcir.so" | grep -q LC_CODE_SIGNATURE; then
    echo "release.sh macos: the arm64 slice has no code signature; on a Mac run: codesign --force -s - wvcir.so" >&2
    exit 1
  fi
  echo "release.sh macos: $dist/macos-universal/wvcir.so ($(echo $("$lipo" -archs "$dist/macos-universal/wvcir.so")); arm64 ad-hoc signed by the linker; built, not run)"
  took macos
}

for p in "${parts[@]}"; do
  "build_$p"
done

cd "$dist"
files=()
for f in linux-x86_64/wvcir.so windows-x86_64/wvcir.dll macos-universal/wvcir.so; do
  [ -f "$f" ] && files+=("$f")
done
sha256sum "${files[@]}" >SHA256SUMS
echo "release.sh: $dist/SHA256SUMS"
cat SHA256SUMS
