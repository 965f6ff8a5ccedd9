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
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages present"
  exit 0
fi
echo "setup: installing ${missing[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
