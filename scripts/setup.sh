#!/usr/bin/env bash
# Installs the Debian packages ahal builds and tests with (idempotent: only
# what is missing is installed). Needs root, or sudo.
set -euo pipefail

packages=(
  cmake g++ clang make pkg-config
  libboost-dev catch2 libbenchmark-dev
  opencl-headers ocl-icd-opencl-dev pocl-opencl-icd clinfo
  libvulkan-dev mesa-vulkan-drivers vulkan-tools glslc spirv-tools
  libze-dev
  clang-14 llvm-14 lld-14 llvm-spirv-14 libclc-14
  libamdhip64-dev hipcc
  chromium
  nlohmann-json3-dev libjpeg62-turbo-dev
)
# scripts/fetch-data.sh runs npm; a Node.js install of its own (that brings
# npm) conflicts with Debian's npm package, so only install it when absent.
command -v npm >/dev/null || packages+=(npm)
# The PyTorch reference and peer of the face workload (workloads/face):
# only with AHAL_SETUP_PYTORCH=1, as the tests compare against committed
# reference outputs and need none of it.
if [ "${AHAL_SETUP_PYTORCH:-0}" = 1 ]; then
  packages+=(python3-torch python3-numpy python3-pil)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
fetch_data() { bash "$(dirname "$0")/fetch-data.sh"; }
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages present"
  fetch_data
  exit 0
fi
echo "setup: installing ${missing[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fetch_data
