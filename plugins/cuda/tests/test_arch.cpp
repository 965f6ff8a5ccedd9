// Driver-free parts of the CUDA plugin: targets, image ranking, peak
// estimates, CUresult -> ahal status.
#include "cuda_arch.hpp"
#include "cuda_driver.hpp"

#include <catch2/catch.hpp>

using namespace ahal_cuda;

TEST_CASE("targets parse as compute capabilities", "[cuda][arch]") {
  ArchTarget t;
  REQUIRE(parse_arch("sm_86", &t));
  CHECK(t.cc == 86);
  CHECK(t.suffix == 0);
  REQUIRE(parse_arch("compute_90a", &t));
  CHECK(t.cc == 90);
  CHECK(t.suffix == 'a');
  REQUIRE(parse_arch("sm_100f", &t));
  CHECK(t.cc == 100);
  CHECK(t.suffix == 'f');
  REQUIRE(parse_arch("sm_120", &t));
  CHECK(t.cc == 120);
  for (const char* bad : {"", "sm_", "sm_8", "gfx90a", "sm_86x", "compute_", "sm_90ab", "x86_64"})
    CHECK_FALSE(parse_arch(bad, &t));
  CHECK(arch_name(9, 0) == "sm_90");
  CHECK(arch_name(12, 0) == "sm_120");
  CHECK(arch_name(7, 5) == "sm_75");
}

TEST_CASE("image ranking: exact cubin > fatbin > older-minor cubin > newest fitting PTX",
          "[cuda][arch]") {
  const int h100 = 90, a10 = 86;
  CHECK(image_score(AHAL_MODULE_FORMAT_CUBIN, "sm_90", h100) >
        image_score(AHAL_MODULE_FORMAT_FATBIN, "", h100));
  CHECK(image_score(AHAL_MODULE_FORMAT_FATBIN, "", a10) >
        image_score(AHAL_MODULE_FORMAT_CUBIN, "sm_80", a10));
  CHECK(image_score(AHAL_MODULE_FORMAT_CUBIN, "sm_80", a10) >
        image_score(AHAL_MODULE_FORMAT_PTX, "sm_80", a10));
  CHECK(image_score(AHAL_MODULE_FORMAT_CUBIN, "sm_86", a10) >
        image_score(AHAL_MODULE_FORMAT_CUBIN, "sm_80", a10));
  // PTX: the highest compute_XY not above the device wins; newer cannot load.
  CHECK(image_score(AHAL_MODULE_FORMAT_PTX, "sm_90", h100) >
        image_score(AHAL_MODULE_FORMAT_PTX, "sm_80", h100));
  CHECK(image_score(AHAL_MODULE_FORMAT_PTX, "sm_80", h100) >
        image_score(AHAL_MODULE_FORMAT_PTX, "compute_75", h100));
  CHECK(image_score(AHAL_MODULE_FORMAT_PTX, "sm_80", a10) > 0);
  CHECK(image_score(AHAL_MODULE_FORMAT_PTX, "sm_90", a10) <= 0);
  CHECK(image_score(AHAL_MODULE_FORMAT_PTX, "sm_120", h100) <= 0);
  // SASS runs only on its own major, at a lower or equal minor.
  CHECK(image_score(AHAL_MODULE_FORMAT_CUBIN, "sm_86", 80) <= 0);
  CHECK(image_score(AHAL_MODULE_FORMAT_CUBIN, "sm_80", h100) <= 0);
  CHECK(image_score(AHAL_MODULE_FORMAT_CUBIN, "sm_90", 100) <= 0);
  // Arch-specific ('a') code only on that exact arch; family ('f') on the major.
  CHECK(image_score(AHAL_MODULE_FORMAT_CUBIN, "sm_90a", h100) > 0);
  CHECK(image_score(AHAL_MODULE_FORMAT_PTX, "compute_90a", 100) <= 0);
  CHECK(image_score(AHAL_MODULE_FORMAT_PTX, "compute_100f", 103) > 0);
  CHECK(image_score(AHAL_MODULE_FORMAT_PTX, "compute_100f", 120) <= 0);
  // Untargeted images are tried after targeted ones that fit.
  CHECK(image_score(AHAL_MODULE_FORMAT_PTX, "", h100) > 0);
  CHECK(image_score(AHAL_MODULE_FORMAT_PTX, "", h100) <
        image_score(AHAL_MODULE_FORMAT_PTX, "sm_75", h100));
  CHECK(image_score(AHAL_MODULE_FORMAT_PTX, "gfx90a", h100) <= 0);
  // Not ours.
  CHECK(image_score(AHAL_MODULE_FORMAT_SPIRV_VULKAN, "", h100) <= 0);
  CHECK(image_score(AHAL_MODULE_FORMAT_HSACO, "sm_90", h100) <= 0);
}

TEST_CASE("peak estimates", "[cuda][arch]") {
  // H100 SXM: 5120-bit HBM3 at 2619 MHz -> about 3.35 TB/s.
  CHECK(peak_bandwidth_gbps(2619000, 5120) == Approx(3352.3).epsilon(0.001));
  CHECK(peak_bandwidth_gbps(0, 5120) == 0.0);
  int fp32 = 0, fp64 = 0;
  REQUIRE(lanes_per_sm(9, 0, &fp32, &fp64));
  CHECK(fp32 == 128);
  CHECK(fp64 == 64);
  // H100 SXM: 132 SMs at 1.98 GHz -> about 67 TFLOP/s fp32.
  CHECK(2.0 * fp32 * 132 * 1.98 == Approx(66908).epsilon(0.001));
  REQUIRE(lanes_per_sm(8, 6, &fp32, &fp64));
  CHECK(fp32 == 128);
  CHECK(fp64 == 2);
  CHECK_FALSE(lanes_per_sm(3, 5, &fp32, &fp64));
}

TEST_CASE("CUresult maps to ahal status; sticky errors are device loss", "[cuda][errors]") {
  CHECK(status_of(CUDA_SUCCESS) == AHAL_SUCCESS);
  CHECK(status_of(CUDA_ERROR_NOT_READY) == AHAL_NOT_READY);
  CHECK(status_of(CUDA_ERROR_INVALID_VALUE) == AHAL_ERROR_INVALID_ARGUMENT);
  CHECK(status_of(CUDA_ERROR_OUT_OF_MEMORY) == AHAL_ERROR_OUT_OF_DEVICE_MEMORY);
  CHECK(status_of(CUDA_ERROR_INVALID_PTX) == AHAL_ERROR_BUILD_FAILED);
  CHECK(status_of(CUDA_ERROR_UNSUPPORTED_PTX_VERSION) == AHAL_ERROR_BUILD_FAILED);
  CHECK(status_of(CUDA_ERROR_NO_BINARY_FOR_GPU) == AHAL_ERROR_BUILD_FAILED);
  CHECK(status_of(CUDA_ERROR_NOT_FOUND) == AHAL_ERROR_NOT_FOUND);
  CHECK(status_of(CUDA_ERROR_NOT_SUPPORTED) == AHAL_ERROR_UNSUPPORTED);
  CHECK(status_of(CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES) == AHAL_ERROR_OUT_OF_RANGE);
  CHECK(status_of(CUDA_ERROR_INVALID_HANDLE) == AHAL_ERROR_INVALID_HANDLE);
  for (CUresult sticky :
       {CUDA_ERROR_ILLEGAL_ADDRESS, CUDA_ERROR_LAUNCH_FAILED, CUDA_ERROR_ILLEGAL_INSTRUCTION,
        CUDA_ERROR_MISALIGNED_ADDRESS, CUDA_ERROR_HARDWARE_STACK_ERROR,
        CUDA_ERROR_ECC_UNCORRECTABLE, CUDA_ERROR_LAUNCH_TIMEOUT, CUDA_ERROR_ASSERT}) {
    CHECK(is_sticky(sticky));
    CHECK(status_of(sticky) == AHAL_ERROR_DEVICE_LOST);
  }
  CHECK_FALSE(is_sticky(CUDA_ERROR_OUT_OF_MEMORY));
  CHECK(status_of(static_cast<CUresult>(12345)) == AHAL_ERROR_PLUGIN);
}
