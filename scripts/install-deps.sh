#!/usr/bin/env bash
# Installs what poolcheck builds and tests with, from Debian 12 packages only.
#   scripts/install-deps.sh           core toolchain and libraries
#   scripts/install-deps.sh --peers   also oneDNN, XNNPACK and libtorch (peer
#                                     libraries for adapters and benchmarks)
set -euo pipefail

core=(
  build-essential cmake ninja-build clang clang-format libclang-rt-14-dev
  libgtest-dev libgmock-dev librapidcheck-dev libboost-dev libbenchmark-dev
  libcli11-dev nlohmann-json3-dev libhwy-dev python3 python3-numpy
)
peers=(libdnnl-dev libxnnpack-dev libtorch-dev python3-torch)

packages=("${core[@]}")
for arg in "$@"; do
  case "$arg" in
    --peers) packages+=("${peers[@]}") ;;
    *) echo "install-deps.sh: unknown option '$arg' (expected --peers)" >&2; exit 2 ;;
  esac
done

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps.sh: all ${#packages[@]} packages present"
  exit 0
fi

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "install-deps.sh: installing ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
