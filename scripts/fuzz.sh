#!/usr/bin/env bash
# Builds the libFuzzer harnesses (the `fuzz` preset: clang, ASan + UBSan) and
# runs each for SECONDS (default 60; --long: 3600) on a scratch copy of its
# committed seed corpus. Fails on the first finding; crash inputs are kept in
# build-fuzz/artifacts/<fuzzer>/. Prints the executions of each fuzzer.
#
#   scripts/fuzz.sh            # 60 s each
#   scripts/fuzz.sh 300        # 300 s each
#   scripts/fuzz.sh --long     # an hour each
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=60
case "${1:-}" in
  "") ;;
  --long) seconds=3600 ;;
  *[!0-9]* | 0)
    echo "scripts/fuzz.sh: SECONDS=$1: must be a positive whole number (or --long)" >&2
    exit 2
    ;;
  *) seconds=$1 ;;
esac

fuzzers=(fuzz_descriptor fuzz_npy fuzz_fast_vs_reference fuzz_plugin_boundary)

cmake --preset fuzz
cmake --build --preset fuzz

build=build-fuzz
status=0
summary=""
for f in "${fuzzers[@]}"; do
  # The fuzzer adds what it finds to its corpus; work on a copy so that the
  # committed seeds stay small and reviewed.
  corpus="$build/corpus/$f"
  artifacts="$build/artifacts/$f"
  rm -rf "$corpus"
  mkdir -p "$corpus" "$artifacts"
  cp -R fuzz/corpus/"$f"/. "$corpus"/
  args=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
        -artifact_prefix="$artifacts/")
  [ -f fuzz/"${f#fuzz_}".dict ] && args+=(-dict=fuzz/"${f#fuzz_}".dict)
  log="$build/$f.log"
  echo "== $f: ${seconds} s"
  if "$build/fuzz/$f" "${args[@]}" "$corpus" >"$log" 2>&1; then
    result=ok
  else
    result="FINDING (see $log and $artifacts/)"
    status=1
    tail -n 40 "$log" >&2
  fi
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  line="$f: ${execs:-?} executions in ${seconds} s: $result"
  echo "$line"
  summary+="$line"$'\n'
done
printf '\n== fuzzing summary\n%s' "$summary"
exit "$status"
