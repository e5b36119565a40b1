#!/usr/bin/env bash
# The Dask driver against `wvcir analyze`: the synthetic capture of bench/run.sh split into 16
# files, analysed by `wvcir analyze -j 1`, `-j 2`, `wvcir-dask --local 2` (a new LocalCluster each
# run, as a user runs it) and `wvcir-dask --scheduler` (a loopback scheduler and two worker
# processes started once, as on a cluster that is already up). Every report is checked to be the
# same bytes as `-j 1`'s. Prints a Markdown table; BENCHMARKS.md records its figures.
#
#   bench/dask.sh [SIZE_MB] [WORKDIR]     defaults: 1024 MB, /var/tmp/wvcir-bench-dask
#
# Needs: hyperfine, editcap (tshark's package), the Python side in dask/.venv (see README).
set -euo pipefail
cd "$(dirname "$0")/.."
target=${CARGO_TARGET_DIR:-target}
size_mb=${1:-1024}
work=${2:-/var/tmp/wvcir-bench-dask}
venv=${WVCIR_DASK_VENV:-dask/.venv}
for tool in hyperfine editcap "$venv/bin/wvcir-dask"; do
  command -v "$tool" >/dev/null || { echo "bench/dask.sh: needs $tool (apt-get install hyperfine tshark; see README for dask/.venv)" >&2; exit 2; }
done
cargo build -q --release --locked -p wvcir-analyzer -p wvcir-samples
wvcir=$(realpath "$target/release/wvcir")
mkdir -p "$work/parts"
packets=$(( size_mb * 1000000 / 1052 ))
if [ "$(cat "$work/packets" 2>/dev/null)" != "$packets" ]; then
  echo "== generating $packets packets, split into 16 files" >&2
  "$target/release/wvcir-samples" synth "$work/big.pcap" "$packets" 1 >/dev/null
  rm -f "$work"/parts/*
  editcap -c $(( (packets + 15) / 16 )) "$work/big.pcap" "$work/parts/part.pcap"
  rm "$work/big.pcap" # the parts are the input; the page cache is kept for them
  echo "$packets" > "$work/packets"
fi
files=$(find "$work/parts" -name '*.pcap' | wc -l)
bytes=$(du -cb "$work"/parts/*.pcap | tail -n 1 | cut -f 1)
[ "$files" = 16 ] || { echo "bench/dask.sh: expected 16 parts, found $files" >&2; exit 1; }

# A loopback cluster for --scheduler: one scheduler, two single-threaded worker processes.
port=$("$venv/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$venv/bin/dask" scheduler --host 127.0.0.1 --port "$port" --no-dashboard >"$work/cluster.log" 2>&1 &
pids=($!)
for _ in 1 2; do
  "$venv/bin/dask" worker "tcp://127.0.0.1:$port" --nworkers 1 --nthreads 1 --no-dashboard >>"$work/cluster.log" 2>&1 &
  pids+=($!)
done
trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT
"$venv/bin/python" -c "from distributed import Client; c=Client('tcp://127.0.0.1:$port', timeout='30s'); c.wait_for_workers(2, timeout=60)"

"$wvcir" analyze -j 1 --progress never -o "$work/want.json" "$work/parts"
declare -A cmds=(
  [j1]="$wvcir analyze -j 1 --progress never -o $work/out-j1.json $work/parts"
  [j2]="$wvcir analyze -j 2 --progress never -o $work/out-j2.json $work/parts"
  [local2]="$venv/bin/wvcir-dask --local 2 --progress never --wvcir $wvcir -o $work/out-local2.json $work/parts"
  [sched]="$venv/bin/wvcir-dask --scheduler tcp://127.0.0.1:$port --progress never --wvcir $wvcir -o $work/out-sched.json $work/parts"
)
echo "| command ($files files, $(( bytes / 1000000 )) MB, page cache warm) | time (hyperfine, 10 runs) | vs \`-j 1\` |"
echo "|---|---|---|"
declare -A mean
for k in j1 j2 local2 sched; do
  hyperfine -N -w 1 -r 10 --export-json "$work/hf-$k.json" "${cmds[$k]}" >/dev/null 2>"$work/hf-$k.err" || { cat "$work/hf-$k.err" >&2; exit 1; }
  cmp -s "$work/out-$k.json" "$work/want.json" || { echo "bench/dask.sh: $k's report differs from -j 1's" >&2; exit 1; }
  mean[$k]=$("$venv/bin/python" -c "import json; r=json.load(open('$work/hf-$k.json'))['results'][0]; print(r['mean'], r['stddev'])")
done
for k in j1 j2 local2 sched; do
  read -r m s <<<"${mean[$k]}"
  read -r m1 _ <<<"${mean[j1]}"
  label=${cmds[$k]%% -o *}
  label=${label//$wvcir/wvcir}
  label=${label//$venv\/bin\//}
  label=${label//tcp:\/\/127.0.0.1:$port/tcp://127.0.0.1:PORT}
  printf '| `%s` | %.3f s ± %.3f | %.2fx |\n' "$label" "$m" "$s" "$(echo "$m1 / $m" | bc -l)"
done
