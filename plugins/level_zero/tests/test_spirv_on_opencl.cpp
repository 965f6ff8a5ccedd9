// The bundle's spirv-opencl images (the Level Zero kernels) on opencl:0
// through the OpenCL plugin's SPIR-V path, so the kernels themselves run
// against host references on a machine without an Intel GPU. Exits 77
// (skipped) when opencl:0 does not take SPIR-V (PoCL built without it
// reports no CL_DEVICE_IL_VERSION, as Debian 12's does).
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include "bundle_format.hpp"
#include "device_test_support.hpp"
#include "standard_kernels_check.hpp"

#include <cstdio>
#include <string>
#include <vector>

namespace {

ahal::bundle::Bundle g_bundle;

struct Fixture {
  ahal_runtime_t runtime = nullptr;
  ahal_device_t device = nullptr;
  std::vector<ahal_module_t> modules;  // one per spirv-opencl image
  Fixture() {
    ahal_runtime_options_t options{};
    options.struct_size = sizeof(options);
    options.plugin_path = AHAL_TEST_PLUGIN_DIR;
    options.plugins = "opencl";
    AHAL_TEST_OK(ahal_runtime_create(&options, &runtime));
    AHAL_TEST_OK(ahal_device_find(runtime, "opencl:0", &device));
    const ahal_device_properties_t p = ahal_test::properties(device);
    for (const auto& img : g_bundle.images) {
      if (img.format != AHAL_MODULE_FORMAT_SPIRV_OPENCL) continue;
      // The fp64 image builds only where the device has fp64.
      bool fp64 = false;
      std::vector<ahal_kernel_info_t> infos;
      for (const auto& e : img.entries) {
        const auto& k = g_bundle.kernels.at(e.kernel_index);
        fp64 |= k.name == "fma_f64";
        infos.push_back({k.name.c_str(), k.binding_count, k.constants_size, k.flags});
      }
      if (fp64 && !(p.features & AHAL_FEATURE_FP64)) continue;
      ahal_module_args_t args{};
      args.struct_size = sizeof(args);
      args.format = AHAL_MODULE_FORMAT_SPIRV_OPENCL;
      args.data = img.data.data();
      args.data_size = img.data.size();
      args.kernel_info_count = static_cast<uint32_t>(infos.size());
      args.kernel_infos = infos.data();
      ahal_module_t m = nullptr;
      AHAL_TEST_OK(ahal_module_create(device, &args, &m));
      modules.push_back(m);
    }
  }
  ~Fixture() { ahal_runtime_destroy(runtime); }

  ahal_kernel_t kernel(const char* name) const {
    for (ahal_module_t m : modules) {
      ahal_kernel_t k = nullptr;
      if (ahal_kernel_get(m, name, &k) == AHAL_SUCCESS) return k;
    }
    return nullptr;
  }
};

}  // namespace

TEST_CASE("the SPIR-V standard kernels run on opencl:0") {
  Fixture f;
  ahal_test::check_standard_kernels(f.device, [&](const char* name) { return f.kernel(name); });
}

int main(int argc, char** argv) {
  std::string error;
  if (!ahal::bundle::read_file(AHAL_TEST_BUNDLE_FILE, &g_bundle, &error)) {
    std::printf("cannot read %s: %s\n", AHAL_TEST_BUNDLE_FILE, error.c_str());
    return 1;
  }
  ahal_runtime_options_t options{};
  options.struct_size = sizeof(options);
  options.plugin_path = AHAL_TEST_PLUGIN_DIR;
  options.plugins = "opencl";
  ahal_runtime_t runtime = nullptr;
  ahal_device_t device = nullptr;
  if (ahal_runtime_create(&options, &runtime) != AHAL_SUCCESS ||
      ahal_device_find(runtime, "opencl:0", &device) != AHAL_SUCCESS) {
    std::printf("SKIP: no OpenCL device: %s\n", ahal_last_error_message());
    ahal_runtime_destroy(runtime);
    return 77;
  }
  ahal_device_properties_t p{};
  p.struct_size = sizeof(p);
  bool takes_spirv = ahal_device_get_properties(device, &p) == AHAL_SUCCESS &&
                     (p.module_formats & (1ull << AHAL_MODULE_FORMAT_SPIRV_OPENCL)) != 0;
  ahal_runtime_destroy(runtime);
  if (!takes_spirv) {
    std::printf("SKIP: opencl:0 (%s) does not take SPIR-V (no CL_DEVICE_IL_VERSION)\n", p.name);
    return 77;
  }
  bool has_spirv = false;
  for (const auto& img : g_bundle.images)
    has_spirv |= img.format == AHAL_MODULE_FORMAT_SPIRV_OPENCL;
  if (!has_spirv) {
    std::printf("SKIP: the bundle has no spirv-opencl images\n");
    return 77;
  }
  return Catch::Session().run(argc, argv);
}
