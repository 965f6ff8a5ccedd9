// The HIP plugin on a real device (hip:0): properties, every standard
// kernel from the bundle against a host reference, the stream machinery,
// and errors that must come back as statuses. Exits 77 (skipped) when
// there is no HIP device, as on machines without an AMD GPU.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include "runtime_test_support.hpp"
#include "standard_kernels_check.hpp"

#include <cstring>
#include <string>

namespace {

struct Fixture : ahal_test::DeviceUnderTest {
  Fixture() : DeviceUnderTest(AHAL_TEST_PLUGIN_DIR, "hip", "hip:0") {}
  ahal_module_t bundle_module() const {
    return ahal_test::bundle_module(device, AHAL_TEST_BUNDLE_FILE);
  }
};

}  // namespace

TEST_CASE("hip:0 describes itself") {
  Fixture f;
  const ahal_device_properties_t p = ahal_test::properties(f.device);
  INFO(p.name << " " << p.arch << " " << p.driver_version);
  REQUIRE(std::strncmp(p.arch, "gfx", 3) == 0);
  REQUIRE(std::strchr(p.arch, ':') == nullptr);  // features stripped
  REQUIRE(p.type == AHAL_DEVICE_TYPE_GPU);
  REQUIRE(p.compute_units > 0);
  REQUIRE(p.global_memory_bytes > 0);
  REQUIRE((p.subgroup_size_min == 32 || p.subgroup_size_min == 64));
  REQUIRE((p.module_formats & (1ull << AHAL_MODULE_FORMAT_HSACO)) != 0);
  REQUIRE(std::string(p.driver_version).find("HIP ") == 0);
}

TEST_CASE("the bundle's hsaco image for hip:0 runs every standard kernel") {
  Fixture f;
  ahal_module_t module = f.bundle_module();
  ahal_module_format_t format{};
  AHAL_TEST_OK(ahal_module_format(module, &format));
  REQUIRE(format == AHAL_MODULE_FORMAT_HSACO);
  ahal_test::check_standard_kernels(f.device, ahal_test::kernels_of(module));
}

TEST_CASE("streams, events and host callbacks on hip:0") {
  Fixture f;
  ahal_test::check_stream_features(f.device);
}

TEST_CASE("hip:0 reports errors as statuses") {
  Fixture f;
  ahal_module_t module = f.bundle_module();
  ahal_kernel_t k = nullptr;
  REQUIRE(ahal_kernel_get(module, "no_such_kernel", &k) == AHAL_ERROR_NOT_FOUND);
  // A code object for another target does not load.
  const char junk[] =
      "\x7f"
      "ELF not really a code object";
  ahal_module_t bad = nullptr;
  ahal_status_t status =
      ahal_test::image_module(f.device, AHAL_MODULE_FORMAT_HSACO, junk, sizeof(junk), &bad);
  INFO(ahal_last_error_message());
  REQUIRE(status != AHAL_SUCCESS);
}

int main(int argc, char** argv) {
  return ahal_test::run_tests_on_device(argc, argv, AHAL_TEST_PLUGIN_DIR, "hip", "hip:0");
}
