#!/usr/bin/env bash
# The test command: installs dependencies, builds the default preset and runs
# every test under ctest (the large-size `slow` tests included). Set
# POOLCHECK_SANITIZERS=1 (CI does) to also build and run the AddressSanitizer/
# UBSan preset, which leaves out the `slow`, `mutants` and `adapters` labels
# (CMakePresets.json). The fuzzers run separately: scripts/fuzz.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh --peers
cmake --preset default
cmake --build --preset default
ctest --preset default

if [ "${POOLCHECK_SANITIZERS:-0}" = 1 ]; then
  cmake --preset asan
  cmake --build --preset asan
  ctest --preset asan
fi
