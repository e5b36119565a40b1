#!/usr/bin/env bash
# The plugin under mutation: every sample capture is mutated with `editcap -E` (random bytes of
# each packet changed), VARIANTS times in all with fixed seeds, and each variant is fully dissected
# by Debian's tshark with the plugin (`-V`, and `-2` for the re-dissection pass). Each run must exit
# normally (0; 2 is tshark's own "capture damaged" status and also counts as normal), with no
# crash (a signal) and no "Dissector bug" of ours. A "Dissector bug" in another protocol is run
# again without the plugin: if it happens there too it is Wireshark's own and is recorded, not
# counted; if not, it counts as ours. The report of the run is kept in OUT/report.tsv.
#
#   tests/plugin-mutation.sh [VARIANTS] [OUT] [JOBS]   defaults: 500, target/plugin-mutation, nproc
#
# JOBS variants run at a time; the report is the same whatever JOBS is.
set -euo pipefail
cd "$(dirname "$0")/.."
# Where cargo puts its builds (CARGO_TARGET_DIR, if set, as cargo itself honours it).
target=${CARGO_TARGET_DIR:-target}
variants=${1:-500}
out=${2:-$target/plugin-mutation}
jobs=${3:-$(nproc)}
mkdir -p "$out"
out=$(cd "$out" && pwd)
cargo build -q --release --locked -p wvcir-dissector --lib
version=$(tshark --version 2>/dev/null | head -n 1 | grep -oE '[0-9]+\.[0-9]+' | head -n 1)
work=$(mktemp -d /tmp/wvcir-mutation.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/plugins/$version/epan" "$work/noplugins/$version/epan" "$work/home" "$work/caps"
install -m 0644 "$target/release/libwvcir_dissector.so" "$work/plugins/$version/epan/wvcir.so"
chmod -R a+rwX "$work"
as_user=()
[ "$(id -u)" = 0 ] && as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups)
# The run means nothing if the plugin is not loaded: check that first.
"${as_user[@]}" env HOME="$work/home" WIRESHARK_PLUGIN_DIR="$work/plugins" tshark -G plugins 2>/dev/null | grep -q '^wvcir.so' \
  || { echo "plugin-mutation: tshark did not load the plugin from $work/plugins" >&2; exit 1; }
samples=(samples/captures/*)
report="$out/report.tsv"
printf 'variant\tsample\tseed\tprobability\texit\tresult\twvcir_items\tnote\n' > "$report"
# One variant: mutate, dissect, classify; its report row goes to $work/rows/$i.
run_variant() {
  local i=$1 sample seed prob variant note rc result bug items ext
  sample=${samples[$((i % ${#samples[@]}))]}
  ext=$(basename "$sample" | sed 's/.*\.//')
  seed=$((1000 + i))
  # Probabilities from light (a byte or two) to heavy damage.
  prob=$(awk -v i="$i" 'BEGIN { p[0]="0.01"; p[1]="0.02"; p[2]="0.05"; p[3]="0.1"; p[4]="0.3"; print p[i % 5] }')
  variant="$work/caps/v$i.$ext"
  editcap -E "$prob" --seed "$seed" "$sample" "$variant" >/dev/null 2>&1
  chmod 644 "$variant"
  note=""
  set +e
  "${as_user[@]}" env HOME="$work/home" WIRESHARK_PLUGIN_DIR="$work/plugins" \
    tshark -n -2 -V -r "$variant" >"$work/out/$i.stdout" 2>"$work/out/$i.stderr"
  rc=$?
  set -e
  result=ok
  if [ "$rc" -ge 128 ]; then result="crash (signal $((rc - 128)))"
  elif [ "$rc" -ne 0 ] && [ "$rc" -ne 2 ]; then result="exit $rc"
  elif grep -q "Dissector bug" "$work/out/$i.stdout" "$work/out/$i.stderr"; then
    bug=$(grep -ho "Dissector bug, protocol [^,]*" "$work/out/$i.stdout" "$work/out/$i.stderr" | head -n 1)
    case "$bug" in
      *WV-CIR*|*"Wireless Village"*|*wvcir*) result="dissector bug of ours" ;;
      *)
        "${as_user[@]}" env HOME="$work/home" WIRESHARK_PLUGIN_DIR="$work/noplugins" \
          tshark -n -2 -V -r "$variant" >"$work/out/$i.plain" 2>&1 || true
        if grep -qF "$bug" "$work/out/$i.plain"; then
          note="$bug (Wireshark's own: also without the plugin)"
        else
          result="$bug only with the plugin"
        fi
        ;;
    esac
  fi
  [ "$result" = ok ] || cp "$variant" "$out/failed-v$i.$ext"
  items=$(grep -c "^Wireless Village CSP CIR" "$work/out/$i.stdout" || true)
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$i" "$(basename "$sample")" "$seed" "$prob" "$rc" "$result" "$items" "$note" >"$work/rows/$i"
  rm -f "$work/out/$i".* "$variant"
}
mkdir -p "$work/out" "$work/rows"
running=0
for ((i = 0; i < variants; i++)); do
  run_variant "$i" &
  running=$((running + 1))
  if [ "$running" -ge "$jobs" ]; then wait -n; running=$((running - 1)); fi
done
wait
for ((i = 0; i < variants; i++)); do cat "$work/rows/$i"; done >> "$report"
failures=$(awk -F'\t' 'NR > 1 && $6 != "ok"' "$report" | wc -l)
wireshark_bugs=$(awk -F'\t' 'NR > 1 && $8 != ""' "$report" | wc -l)
normal=$(awk -F'\t' 'NR > 1 && $6 == "ok"' "$report" | wc -l)
dissected=$(awk -F'\t' 'NR > 1 && $7 > 0' "$report" | wc -l)
items=$(awk -F'\t' 'NR > 1 { n += $7 } END { print n + 0 }' "$report")
echo "tshark $version with the plugin: $variants mutated variants, $normal ran normally, $failures failed;"
echo "$wireshark_bugs Dissector bug(s) in Wireshark's own dissectors, reproduced without the plugin (see the note column);"
echo "the plugin dissected $items messages in $dissected of them; report: $report"
[ "$failures" -eq 0 ]
