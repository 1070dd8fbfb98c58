#!/usr/bin/env bash
# The benchmark command: builds the default preset if needed, runs
# poolcheck_bench (all shapes in bench/shapes.txt, 3 passes, 1 and 2 threads,
# copy / reference / fast / peer adapters), writes Google Benchmark's JSON to
# build/bench.json and the Markdown table to bench/RESULTS.md.
# Extra arguments go to poolcheck_bench (e.g. --benchmark_filter=resnet50).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -f build/build.ninja ]; then cmake --preset default; fi
cmake --build --preset default --target poolcheck_bench \
  poolcheck_adapter_onednn poolcheck_adapter_xnnpack poolcheck_adapter_libtorch 2>/dev/null ||
  cmake --build --preset default --target poolcheck_bench

# 0.1 s per row (the reference: 0.05 s, at least one call) keeps a full run
# under about 10 minutes on 2 cores.
build/bench/poolcheck_bench --benchmark_min_time=0.1 --reference_min_time=0.05 \
  --benchmark_format=json --benchmark_out=build/bench.json --benchmark_out_format=json \
  "$@" >/dev/null
/usr/bin/python3 bench/make_table.py build/bench.json --command "scripts/bench.sh $*"
