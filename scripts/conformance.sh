#!/usr/bin/env bash
# What the peer libraries do: every installed adapter (oneDNN, XNNPACK,
# libtorch) through `poolcheck run` under the profile that documents it and,
# for comparison, under numpynet (--compare); the probe problems through each
# adapter and the reference (`poolcheck probe`); the stand-alone reproducers of
# docs/repro/. Then docs/make_conformance.py writes docs/conformance.md.
#
#   scripts/conformance.sh                          (build/, the default preset)
#   POOLCHECK_BUILD_DIR=build-conf scripts/conformance.sh   (an existing build tree)
#
# Fixed seed and modest budget (SEED, CASES, BUDGET seconds per campaign under
# the library's own profile, half that for the comparison), so the whole run
# stays under about 10 minutes on 2 cores once built. The two 16M-element
# regressions (about 15 s each, checks of index arithmetic that every library
# passes) are skipped to leave the budget to the random checks. Reports go
# to <build>/conformance/. Exit status: 0, or 2 on a setup error or when
# poolcheck itself fails (exit status other than 0 or 1). A library's
# nonconformance is a finding for the page, not a failure of this script.
set -euo pipefail
cd "$(dirname "$0")/.."

seed="${SEED:-20240601}"
cases="${CASES:-60}"
budget="${BUDGET:-90}"
build="${POOLCHECK_BUILD_DIR:-build}"
if [ -z "${POOLCHECK_BUILD_DIR:-}" ] && [ ! -f build/CMakeCache.txt ]; then
  cmake --preset default
fi
adapters=$(cmake --build "$build" --target help | sed -n 's/^\(poolcheck_adapter_[a-z0-9]*\):.*/\1/p' |
  sort -u)
# shellcheck disable=SC2086  # word splitting of the target list is intended
cmake --build "$build" --target poolcheck $adapters

poolcheck="$build/cli/poolcheck"
out="$build/conformance"
rm -rf "$out"
mkdir -p "$out"

# campaign LABEL ARGS...: one `poolcheck run`; 0 and 1 are verdicts, else setup error.
campaign() {
  local label="$1" seconds="$2" rc=0
  shift 2
  "$poolcheck" run --seed "$seed" --cases "$cases" --time-budget "$seconds" \
    --skip-check regression.onnxruntime10083 --skip-check regression.pytorch28714 \
    --report "$out/$label.json" "$@" >"$out/$label.txt" 2>&1 || rc=$?
  grep -E '^[0-9]+ passed' "$out/$label.txt" | sed "s/^/$label: /"
  if [ "$rc" -ne 0 ] && [ "$rc" -ne 1 ]; then
    echo "conformance.sh: poolcheck run failed for $label (exit $rc); see $out/$label.txt" >&2
    exit 2
  fi
}

for profile in numpynet pytorch onednn xnnpack; do
  "$poolcheck" probe --impl builtin:reference --profile "$profile" \
    --out "$out/probe_reference_$profile.json"
done
for label in $adapters; do
  so=$(find "$build/adapters" -name "$label.so" | head -n 1)
  "$poolcheck" probe --impl "$so" --out "$out/probe_$label.json"
  "$poolcheck" probe --impl "$so" --profile numpynet --compare \
    --out "$out/probe_$label.numpynet.json"
  campaign "$label" "$budget" --impl "$so"
  campaign "$label.numpynet" $((budget / 2)) --impl "$so" --profile numpynet --compare
done

# The reproducers of library bugs, without poolcheck (exit 1 = the bug shows).
if /usr/bin/python3 -c 'import torch' 2>/dev/null; then
  for repro in docs/repro/libtorch_*.py; do
    name=$(basename "$repro" .py)
    /usr/bin/python3 "$repro" >"$out/repro_$name.txt" 2>&1 || echo "(exit status $?)" >>"$out/repro_$name.txt"
  done
fi

version() {  # the installed Debian package version, or "not installed"
  dpkg-query -W -f='${Package} ${Version}' "$1" 2>/dev/null || echo "$1 not installed"
}
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
/usr/bin/python3 - "$out/meta.json" <<EOF
import json, sys
json.dump({
    "command": "scripts/conformance.sh",
    "date": "$(date -u +%Y-%m-%d)",
    "machine": "$(uname -sm), ${cpu:-unknown CPU}, $(nproc) cores",
    "poolcheck": "$(git describe --always --dirty 2>/dev/null || echo unknown)",
    "seed": $seed, "cases": $cases, "budget": $budget,
    "versions": {
        "oneDNN": "$(version libdnnl2)",
        "XNNPACK": "$(version libxnnpack0)",
        "libtorch": "$(version libtorch1.13)",
        "torch (Python, for the reproducers)": "$(/usr/bin/python3 -c 'import torch; print(torch.__version__)' 2>/dev/null || echo none)",
    },
}, open(sys.argv[1], "w"), indent=2)
EOF
/usr/bin/python3 docs/make_conformance.py --dir "$out" --out docs/conformance.md
echo "wrote docs/conformance.md (reports in $out)"
