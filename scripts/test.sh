#!/usr/bin/env bash
# The test command: installs dependencies, builds the default preset and runs
# every test under ctest. Set POOLCHECK_SANITIZERS=1 (CI does) to also build
# and run the AddressSanitizer/UBSan preset.
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
