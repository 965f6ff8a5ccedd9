// Compute-capability arithmetic that needs no driver: parsing image targets,
// ranking a bundle's images for a device, and peak-rate estimates.
#pragma once

#include <ahal/ahal.h>

#include <cstdint>
#include <string>

namespace ahal_cuda {

// A target such as "sm_86", "compute_90", "sm_90a" or "compute_100f".
// cc = major * 10 + minor (sm_86 -> 86, sm_100 -> 100, sm_120 -> 120).
struct ArchTarget {
  int cc = 0;
  char suffix = 0;  // 'a' (this exact arch only), 'f' (family: same major), or 0
};
bool parse_arch(const std::string& text, ArchTarget* out);

// "sm_90" for compute capability 9.0.
std::string arch_name(int major, int minor);

// How well an image fits a device of compute capability `device_cc`
// (major * 10 + minor); <= 0 cannot load. An exact cubin beats a fatbin
// (the driver picks inside it), which beats a cubin of an older minor of the
// same major, which beats PTX (JIT) for the highest compute_XY <= device.
int32_t image_score(ahal_module_format_t format, const std::string& target, int device_cc);

// FP32 and FP64 lanes per SM for the compute capabilities we know; false
// otherwise (peaks are then reported as unknown).
bool lanes_per_sm(int major, int minor, int* fp32, int* fp64);

// GB/s from the memory clock (kHz, as CUDA reports it) and bus width (bits);
// both DDR edges count.
double peak_bandwidth_gbps(int memory_clock_khz, int bus_width_bits);

}  // namespace ahal_cuda
