#!/usr/bin/env bash
# Runs every cargo-fuzz target of the workspace (the core's decoders and framer in cir/fuzz, the
# analyzer's whole capture-to-report path in analyzer/fuzz, the plugin's dissection logic in
# dissector-ffi/fuzz) for SECONDS each, JOBS at a time, on the stable toolchain, and writes a
# one-line-per-target report.
#
#   cargo install cargo-fuzz --locked          # once
#   tests/fuzz-all.sh                          # 60 s a target, one at a time
#   tests/fuzz-all.sh 900 2 docs/fuzz.tsv      # 15 minutes a target, two at a time, report kept
#   tests/fuzz-all.sh 900 1 x.tsv framer sms    # only these two
#
# `-s none`: AddressSanitizer needs nightly, and the fuzzed code is safe Rust (the core and the
# analyzer are forbid(unsafe_code); the plugin's target drives only its safe dissection logic).
# Each target starts from its seeds (made from the samples) plus whatever corpus earlier runs left
# in <crate>/fuzz/corpus/<target>. Names after the report path run only those targets.
# Exit status 1 when any target found a crash or hang: its input is in
# <crate>/fuzz/artifacts/<target>/; fix it and keep the input as a regression test.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}
jobs=${2:-1}
report=${3:-}
only=("${@:4}")
command -v cargo-fuzz >/dev/null || { echo "fuzz-all: cargo-fuzz is missing: cargo install cargo-fuzz --locked" >&2; exit 2; }
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT

# crate folder, libFuzzer's -max_len for it (the core's and the plugin's inputs are lines, SMS
# bodies and segments; the analyzer's are whole captures, so libFuzzer's default, the largest seed
# or 4096, applies).
run_one() {
  local dir=$1 target=$2 maxlen=$3 log="$logs/$2.log"
  mkdir -p "$dir/corpus/$target"
  cp -n "$dir"/seeds/* "$dir/corpus/$target/" 2>/dev/null || true
  # A target with inputs of its own kind (merge_partial: partial reports) has a seed folder.
  cp -n "$dir/seeds/$target"/* "$dir/corpus/$target/" 2>/dev/null || true
  local args=(-max_total_time="$secs" -print_final_stats=1)
  [ -n "$maxlen" ] && args+=(-max_len="$maxlen")
  local status=0
  (cd "$dir" && cargo fuzz run -s none "$target" "corpus/$target" -- "${args[@]}") >"$log" 2>&1 || status=$?
  local execs cov rss crashes
  execs=$(grep -oE '^stat::number_of_executed_units:[[:space:]]*[0-9]+' "$log" | grep -oE '[0-9]+$' || echo "?")
  rss=$(grep -oE '^stat::peak_rss_mb:[[:space:]]*[0-9]+' "$log" | grep -oE '[0-9]+$' || echo "?")
  cov=$(grep -oE 'DONE[[:space:]]+cov:[[:space:]]*[0-9]+' "$log" | grep -oE '[0-9]+$' || echo "?")
  crashes=$(find "$dir/artifacts/$target" -type f 2>/dev/null | wc -l)
  local verdict=ok
  if [ "$status" -ne 0 ] || [ "$crashes" -gt 0 ]; then verdict=FOUND; fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$target" "$dir" "$secs" "$execs" "$cov" "$rss" "$verdict" >"$logs/$target.row"
  echo "== $target: $verdict, $execs executions in ${secs}s, coverage $cov, peak RSS ${rss} MB"
  [ "$verdict" = ok ] || tail -n 30 "$log"
}

tasks=()
for t in $(cd cir/fuzz && cargo fuzz list); do tasks+=("cir/fuzz $t 4096"); done
for t in $(cd analyzer/fuzz && cargo fuzz list); do tasks+=("analyzer/fuzz $t "); done
for t in $(cd dissector-ffi/fuzz && cargo fuzz list); do tasks+=("dissector-ffi/fuzz $t 4096"); done
if [ ${#only[@]} -gt 0 ]; then
  kept=()
  for task in "${tasks[@]}"; do
    read -r _ target _ <<<"$task"
    if printf '%s\n' "${only[@]}" | grep -qx "$target"; then kept+=("$task"); fi
  done
  tasks=("${kept[@]}")
fi
echo "fuzz-all: ${#tasks[@]} targets, ${secs}s each, $jobs at a time"
# Build every target first, so that build time never eats into a target's run.
for dir in cir/fuzz analyzer/fuzz dissector-ffi/fuzz; do (cd "$dir" && cargo fuzz build -s none) >/dev/null 2>&1; done

running=0
for task in "${tasks[@]}"; do
  read -r dir target maxlen <<<"$task"
  run_one "$dir" "$target" "${maxlen:-}" &
  running=$((running + 1))
  if [ "$running" -ge "$jobs" ]; then wait -n; running=$((running - 1)); fi
done
wait

rows=$(printf 'target\tcrate\tseconds\texecutions\tcoverage\tpeak_rss_mb\tverdict\n'; cat "$logs"/*.row)
[ -z "$report" ] || printf '%s\n' "$rows" >"$report"
printf '%s\n' "$rows" | column -t -s $'\t'
! grep -q FOUND "$logs"/*.row
