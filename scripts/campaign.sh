#!/usr/bin/env bash
# The main job: a conformance campaign of poolcheck's own fast/ and of every
# installed peer library's adapter, with `poolcheck run`.
#
#   scripts/campaign.sh          CI budget (100 cases per check, 10 min per impl)
#   scripts/campaign.sh --long   deep campaign (20000 cases per check, 2 h per impl)
#   SEED=... SHARD=i/n scripts/campaign.sh   (split a campaign across machines)
#
# Exit status: 0 when builtin:fast conforms, 1 when it does not, 2 on a setup
# error. An adapter's nonconformance is a finding about ANOTHER library
# (oneDNN, XNNPACK, libtorch) under its profile, not a defect of poolcheck:
# it is reported in the table and in build/campaign/<impl>.json / .xml, but
# does not fail this script. An adapter that crashes poolcheck itself (exit
# status other than 0 or 1) does fail it.
set -euo pipefail
cd "$(dirname "$0")/.."

cases=100
budget=600
for arg in "$@"; do
  case "$arg" in
    --long) cases=20000 budget=7200 ;;
    *) echo "campaign.sh: unknown option '$arg' (expected --long)" >&2; exit 2 ;;
  esac
done
seed="${SEED:-$(date +%Y%m%d)}"
shard="${SHARD:-0/1}"

scripts/install-deps.sh --peers
cmake --preset default
cmake --build --preset default

out=build/campaign
mkdir -p "$out"
poolcheck=build/cli/poolcheck
status=0
rows=()

# run_one LABEL IMPL: one campaign; prints its lines, records a table row.
run_one() {
  local label="$1" impl="$2" rc=0
  "$poolcheck" run --impl "$impl" --seed "$seed" --cases "$cases" --time-budget "$budget" \
    --shard "$shard" --report "$out/$label.json" --junit "$out/$label.xml" \
    | tee "$out/$label.txt" || rc=$?
  local summary profile
  summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' "$out/$label.txt" || echo "no summary")
  profile=$(sed -n 's/^poolcheck run: .*, profile \([^,]*\),.*/\1/p' "$out/$label.txt" | head -n1)
  rows+=("$(printf '%-32s %-10s %s (exit %d)' "$label" "${profile:-?}" "$summary" "$rc")")
  return "$rc"
}

run_one builtin_fast builtin:fast || status=$?
for so in $(find build/adapters -name 'poolcheck_adapter_*.so' 2>/dev/null | sort); do
  label=$(basename "$so" .so)
  rc=0
  run_one "$label" "$so" || rc=$?
  # 1 = nonconformance of the peer library: a finding, reported above.
  if [ "$rc" -ne 0 ] && [ "$rc" -ne 1 ] && [ "$status" -eq 0 ]; then status=2; fi
done

echo
printf '%-32s %-10s %s\n' implementation profile result
for row in "${rows[@]}"; do echo "$row"; done
echo "reports: $out/*.json, $out/*.xml (seed $seed, shard $shard)"
exit "$status"
