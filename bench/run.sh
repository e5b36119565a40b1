#!/usr/bin/env bash
# Benchmarks the analyzer against tshark with the plugin and against a plain read, on synthetic
# captures (about 1% CIR among TCP bulk, DNS and HTTP; a fifth of the flows inside GTP-U or VXLAN),
# page cache warm, and writes BENCHMARKS.md.
#
#   bench/run.sh [SIZE_MB] [WORKDIR]      defaults: 1024 MB, /var/tmp/wvcir-bench
#
# Needs: tshark (Debian's), jq, hyperfine and GNU time (apt-get install tshark jq hyperfine time),
# about 7x SIZE_MB of disk. Times are hyperfine's mean and standard deviation over repeated runs
# (sub-second runs need that: a best-of-3 at 10 ms resolution misled us once); peak RSS comes from
# one /usr/bin/time run. tshark runs as nobody when root (root ignores WIRESHARK_PLUGIN_DIR).
# Timings are measured here and written down, never asserted by a test.
set -euo pipefail
cd "$(dirname "$0")/.."
# Where cargo puts its builds (CARGO_TARGET_DIR, if set, as cargo itself honours it).
target=${CARGO_TARGET_DIR:-target}
size_mb=${1:-1024}
work=${2:-/var/tmp/wvcir-bench}
mkdir -p "$work"
chmod 755 "$work"
for tool in /usr/bin/time hyperfine jq tshark; do
  command -v "$tool" >/dev/null || { echo "bench/run.sh: needs $tool: apt-get install time hyperfine jq tshark" >&2; exit 2; }
done

cargo build -q --release --locked -p wvcir-analyzer -p wvcir-samples
cargo build -q --release --locked -p wvcir-dissector --lib
wvcir=$target/release/wvcir
gen=$target/release/wvcir-samples
plugins="$work/plugins"
version=$(tshark --version | head -n 1 | grep -oE '[0-9]+\.[0-9]+' | head -n 1)
mkdir -p "$plugins/$version/epan" "$work/noplugins/$version/epan" "$work/home"
install -m 0644 "$target/release/libwvcir_dissector.so" "$plugins/$version/epan/wvcir.so"
chmod -R a+rX "$plugins" "$work/noplugins"
chmod 777 "$work/home"
as_user=()
[ "$(id -u)" = 0 ] && as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups)
# tshark with the plugin, and with an empty plugin folder (the same tshark without it).
ts_plugin=("${as_user[@]}" env HOME="$work/home" WIRESHARK_PLUGIN_DIR="$plugins" tshark)
ts_plain=("${as_user[@]}" env HOME="$work/home" WIRESHARK_PLUGIN_DIR="$work/noplugins" tshark)

# ~1,052 bytes a record on average: packets for the size asked.
packets=$(( size_mb * 1000000 / 1052 ))
quarter=$(( packets / 4 ))
echo "== generating captures in $work ($packets packets each)"
"$gen" synth "$work/big.pcap" "$packets" 1 >/dev/null
"$gen" synth "$work/big.pcapng" "$packets" 1 --pcapng >/dev/null
"$gen" synth "$work/nocir.pcap" "$(( packets / 4 ))" 2 --no-cir >/dev/null
for i in 1 2 3 4; do "$gen" synth "$work/part$i.pcap" "$quarter" "$((10 + i))" >/dev/null; done
"$gen" synth "$work/big4x.pcap" "$(( packets * 4 ))" 3 >/dev/null
chmod 644 "$work"/*.pcap*
bytes=$(stat -c %s "$work/big.pcap")
parts_bytes=$(( $(stat -c %s "$work/part1.pcap") * 4 ))

results="$work/results.tsv"
: > "$results"
# measure LABEL BYTES PACKETS RUNS CMD...: hyperfine's mean and σ over RUNS runs (after a
# warm-up run), and the peak RSS of one more run under /usr/bin/time.
measure() {
  local label=$1 b=$2 p=$3 runs=$4; shift 4
  local cmd
  cmd=$(printf '%q ' "$@")
  hyperfine -N -w 1 -r "$runs" --export-json "$work/hf.json" "$cmd" >/dev/null 2>"$work/stderr.txt" || { cat "$work/stderr.txt" >&2; exit 1; }
  local mean sd rss
  mean=$(jq '.results[0].mean' "$work/hf.json")
  sd=$(jq '.results[0].stddev // 0' "$work/hf.json")
  /usr/bin/time -f "%M" -o "$work/time.txt" "$@" >/dev/null 2>"$work/stderr.txt" || { cat "$work/stderr.txt" >&2; exit 1; }
  rss=$(cat "$work/time.txt")
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$label" "$mean" "$sd" "$rss" "$b" "$p" >> "$results"
  printf '%-58s %8.3f s ± %.3f %8.1f MB/s %7.1f MB RSS\n' "$label" "$mean" "$sd" \
    "$(awk "BEGIN{print $b/1e6/$mean}")" "$(awk "BEGIN{print $rss/1024}")"
}

echo "== warming the page cache"
for f in "$work"/*.pcap*; do cat "$f" >/dev/null; done

echo "== measuring"
measure "cat (sequential read, the floor)" "$bytes" "$packets" 20 sh -c "cat '$work/big.pcap' > /dev/null"
measure "wvcir analyze -j 1, json" "$bytes" "$packets" 15 "$wvcir" analyze -j 1 --progress never -o /dev/null "$work/big.pcap"
measure "wvcir analyze -j 1, ndjson" "$bytes" "$packets" 15 "$wvcir" analyze -j 1 --progress never --format ndjson -o /dev/null "$work/big.pcap"
measure "wvcir analyze -j 1, json, pcapng input" "$(stat -c %s "$work/big.pcapng")" "$packets" 15 "$wvcir" analyze -j 1 --progress never -o /dev/null "$work/big.pcapng"
measure "wvcir analyze -j 1, 4 files" "$parts_bytes" "$(( quarter * 4 ))" 15 "$wvcir" analyze -j 1 --progress never -o /dev/null "$work"/part?.pcap
measure "wvcir analyze -j $(nproc), 4 files" "$parts_bytes" "$(( quarter * 4 ))" 15 "$wvcir" analyze -j "$(nproc)" --progress never -o /dev/null "$work"/part?.pcap
measure "wvcir analyze -j 1, json, 4x input" "$(stat -c %s "$work/big4x.pcap")" "$(( packets * 4 ))" 5 "$wvcir" analyze -j 1 --progress never -o /dev/null "$work/big4x.pcap"
measure "tshark + plugin -Y wvcir -e frame.number -e wvcir.cookie" "$bytes" "$packets" 2 \
  "${ts_plugin[@]}" -n -r "$work/big.pcap" -Y wvcir -T fields -e frame.number -e wvcir.cookie
measure "tshark without plugin, no CIR (-Y 'udp||tcp')" "$(stat -c %s "$work/nocir.pcap")" "$(( packets / 4 ))" 6 \
  "${ts_plain[@]}" -n -r "$work/nocir.pcap" -Y "udp || tcp" -T fields -e frame.number
measure "tshark with plugin, no CIR (-Y 'udp||tcp')" "$(stat -c %s "$work/nocir.pcap")" "$(( packets / 4 ))" 6 \
  "${ts_plugin[@]}" -n -r "$work/nocir.pcap" -Y "udp || tcp" -T fields -e frame.number

echo "== same answer?"
"$wvcir" analyze -j 1 --progress never "$work/big.pcap" | jq -r '.messages[] | select(.command == "WVCI") | "\(.frame)\t\(.cookie)"' | sort > "$work/analyzer.txt"
"${ts_plugin[@]}" -n -r "$work/big.pcap" -Y wvcir -T fields -e frame.number -e wvcir.cookie | sort > "$work/tshark.txt"
if cmp -s "$work/analyzer.txt" "$work/tshark.txt"; then same="yes ($(wc -l < "$work/analyzer.txt") CIRs, frames and cookies identical)"; else same="NO: see $work/analyzer.txt and $work/tshark.txt"; fi
echo "$same"

# The table and the ratios, into BENCHMARKS.md.
val() { awk -F'\t' -v l="$1" -v c="$2" '$1 == l {print $c}' "$results"; }
t_cat=$(val "cat (sequential read, the floor)" 2)
t_json=$(val "wvcir analyze -j 1, json" 2)
t_j1=$(val "wvcir analyze -j 1, 4 files" 2)
t_jn=$(val "wvcir analyze -j $(nproc), 4 files" 2)
t_ts=$(val "tshark + plugin -Y wvcir -e frame.number -e wvcir.cookie" 2)
t_np=$(val "tshark without plugin, no CIR (-Y 'udp||tcp')" 2)
t_wp=$(val "tshark with plugin, no CIR (-Y 'udp||tcp')" 2)
sd_np=$(val "tshark without plugin, no CIR (-Y 'udp||tcp')" 3)
sd_wp=$(val "tshark with plugin, no CIR (-Y 'udp||tcp')" 3)
rss1=$(val "wvcir analyze -j 1, json" 4)
rss4=$(val "wvcir analyze -j 1, json, 4x input" 4)
ratio() { awk "BEGIN{printf \"%.2f\", $1/($2>0?$2:0.001)}"; }
cpu=$(grep -m1 "model name" /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')
{
  echo "<!-- bench:begin (written by bench/run.sh; edit the text outside these markers) -->"
  echo "Measured by \`bench/run.sh $size_mb\` on $(date -u +%Y-%m-%d): $(nproc) cores ($cpu), $(free -g | awk '/Mem:/ {print $2}') GiB RAM,"
  echo "$(uname -sr), $(tshark --version | head -n 1 | sed 's/\.$//'), rustc $(rustc --version | cut -d' ' -f2)."
  echo "Synthetic captures from \`wvcir-samples synth\` ($packets packets, $(( bytes / 1000000 )) MB; about 1% on the CIR"
  echo "channels, the rest TCP bulk, DNS and HTTP, 1 in 5 VLAN-tagged, 1 in 10 IPv6, 1 flow in 10 inside GTP-U and"
  echo "1 in 10 inside VXLAN). Page cache warm; each"
  echo "time is hyperfine's mean ± standard deviation (runs: 20 for cat, 15 for the analyzer, 5 for the 4x input,"
  echo "2 for tshark on the CIR capture, 6 for the plugin-cost pair on a quarter-size capture with no CIR);"
  echo "peak RSS is one more run under /usr/bin/time. Numbers are this machine's, not promises."
  echo
  echo "| run | seconds (mean ± σ) | MB/s | packets/s | peak RSS (MB) |"
  echo "|---|---|---|---|---|"
  while IFS=$'\t' read -r label t sd rss b p; do
    printf '| %s | %.3f ± %.3f | %.0f | %.0f | %.1f |\n' "$label" "$t" "$sd" "$(awk "BEGIN{print $b/1e6/$t}")" "$(awk "BEGIN{print $p/$t}")" "$(awk "BEGIN{print $rss/1024}")"
  done < "$results"
  echo
  echo "| target | measured |"
  echo "|---|---|"
  echo "| single-threaded analyzer at 1 GB/s or more | $(awk "BEGIN{printf \"%.0f\", $bytes/1e6/$t_json}") MB/s |"
  echo "| analyzer within 10x of the plain read | $(ratio "$t_json" "$t_cat")x the time of \`cat\` |"
  echo "| at least 50x faster than tshark with the plugin, same answer | $(ratio "$t_ts" "$t_json")x faster; same answer: $same |"
  echo "| peak RSS under 64 MB, the same for 1x and 4x input | $(awk "BEGIN{printf \"%.1f\", $rss1/1024}") MB at 1x, $(awk "BEGIN{printf \"%.1f\", $rss4/1024}") MB at 4x |"
  echo "| -j $(nproc) at least 1.8x -j 1 on several inputs | $(ratio "$t_j1" "$t_jn")x |"
  echo "| plugin adds under 3% to tshark on traffic with no CIR | $(awk "BEGIN{printf \"%+.1f\", ($t_wp/$t_np-1)*100}")% (σ of each: $(awk "BEGIN{printf \"%.1f\", $sd_np/$t_np*100}")% and $(awk "BEGIN{printf \"%.1f\", $sd_wp/$t_wp*100}")%) |"
  echo "<!-- bench:end -->"
} > "$work/section.md"
# Replace the section between the markers in BENCHMARKS.md (or start the file with it).
if [ -f BENCHMARKS.md ] && grep -q "<!-- bench:begin" BENCHMARKS.md; then
  awk -v f="$work/section.md" '
    /<!-- bench:begin/ { while ((getline line < f) > 0) print line; skip = 1; next }
    /<!-- bench:end -->/ { skip = 0; next }
    !skip { print }' BENCHMARKS.md > "$work/BENCHMARKS.md" && cp "$work/BENCHMARKS.md" BENCHMARKS.md
else
  { echo "# Benchmarks"; echo; cat "$work/section.md"; } > BENCHMARKS.md
fi
echo "== BENCHMARKS.md updated"
cat "$work/section.md"
