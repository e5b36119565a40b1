#!/usr/bin/env bash
# Runs every fuzz target of the wvcir core for SECONDS each (default 60) on the stable toolchain.
#   cargo install cargo-fuzz        # once
#   cir/fuzz/run-all.sh 900         # 15 minutes a target
# `-s none`: AddressSanitizer needs nightly, and the core is forbid(unsafe_code) anyway.
# Crashes land in cir/fuzz/artifacts/<target>/; keep each as a regression test in cir/tests.
set -euo pipefail
secs=${1:-60}
cd "$(dirname "$0")"
targets=$(cargo fuzz list)
for t in $targets; do
  mkdir -p "corpus/$t"
  cp -n seeds/* "corpus/$t/" 2>/dev/null || true
  echo "== $t: ${secs}s"
  cargo fuzz run -s none "$t" "corpus/$t" -- -max_total_time="$secs" -max_len=4096 2>&1 | grep -E '^(#[0-9]+ *DONE|Done|==[0-9]+==|SUMMARY|thread)' || true
done
