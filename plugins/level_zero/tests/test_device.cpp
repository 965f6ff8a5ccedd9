// The Level Zero plugin on a real device (level_zero:0): properties, every
// standard kernel from the bundle's SPIR-V images against a host
// reference, the stream machinery, and build failures with the build log.
// Exits 77 (skipped) when there is no Level Zero device.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include "runtime_test_support.hpp"
#include "standard_kernels_check.hpp"

#include <cstring>
#include <string>

namespace {

struct Fixture : ahal_test::DeviceUnderTest {
  Fixture() : DeviceUnderTest(AHAL_TEST_PLUGIN_DIR, "level_zero", "level_zero:0") {}
};

}  // namespace

TEST_CASE("level_zero:0 describes itself") {
  Fixture f;
  const ahal_device_properties_t p = ahal_test::properties(f.device);
  INFO(p.name << " " << p.arch << " " << p.driver_version);
  REQUIRE(p.type == AHAL_DEVICE_TYPE_GPU);
  REQUIRE(std::strncmp(p.arch, "0x", 2) == 0);
  REQUIRE(p.max_workgroup_size > 0);
  REQUIRE(p.max_constants_size >= 64);
  REQUIRE(p.timestamp_resolution_ps > 0);
  REQUIRE((p.module_formats & (1ull << AHAL_MODULE_FORMAT_SPIRV_OPENCL)) != 0);
}

TEST_CASE("the bundle's SPIR-V runs every standard kernel on level_zero:0") {
  Fixture f;
  ahal_module_t module = ahal_test::bundle_module(f.device, AHAL_TEST_BUNDLE_FILE);
  ahal_test::check_standard_kernels(f.device, ahal_test::kernels_of(module));
}

TEST_CASE("streams, events and host callbacks on level_zero:0") {
  Fixture f;
  ahal_test::check_stream_features(f.device);
}

TEST_CASE("a SPIR-V module that does not build fails with BUILD_FAILED or names the error") {
  Fixture f;
  // The SPIR-V header only: a module with no instructions at all.
  const uint32_t words[] = {0x07230203, 0x00010000, 0, 1, 0};
  ahal_module_t module = nullptr;
  ahal_status_t status = ahal_test::image_module(f.device, AHAL_MODULE_FORMAT_SPIRV_OPENCL, words,
                                                 sizeof(words), &module);
  INFO(ahal_last_error_message());
  REQUIRE(status != AHAL_SUCCESS);
  REQUIRE(std::string(ahal_last_error_message()).find("zeModuleCreate") != std::string::npos);
}

int main(int argc, char** argv) {
  return ahal_test::run_tests_on_device(argc, argv, AHAL_TEST_PLUGIN_DIR, "level_zero",
                                        "level_zero:0");
}
