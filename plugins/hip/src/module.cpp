// Modules: hsaco code objects and hip-fatbin offload bundles, loaded with
// hipModuleLoadData; kernels by name with their attributes.
#include <ahal/cached_kernel_get.hpp>

#include "objects.hpp"

#include "hip_target.hpp"

#include <cstring>
#include <memory>

namespace ahal_hip {

bool starts_with(const void* data, uint64_t size, const char* magic) {
  size_t n = std::strlen(magic);
  return size >= n && std::memcmp(data, magic, n) == 0;
}

ahal_status_t module_create(ahal_plugin_device_t* dev, const ahal_plugin_module_args_t* args,
                            ahal_plugin_module_t** out_module) {
  const char* format_name = args->format == AHAL_MODULE_FORMAT_HSACO ? "hsaco" : "hip-fatbin";
  if (args->format == AHAL_MODULE_FORMAT_HSACO) {
    constexpr uint16_t kMachineAmdgpu = 224;  // EM_AMDGPU
    uint16_t machine = 0;
    if (args->data_size >= 20)
      std::memcpy(&machine, static_cast<const uint8_t*>(args->data) + 18, 2);
    if (!starts_with(args->data, args->data_size,
                     "\x7f"
                     "ELF") ||
        machine != kMachineAmdgpu)
      return fail(AHAL_ERROR_INVALID_ARGUMENT, "hsaco image is not an AMDGPU ELF code object");
  } else if (args->format == AHAL_MODULE_FORMAT_HIP_FATBIN) {
    // Plain or compressed (ROCm 6.1+) clang offload bundle.
    if (!starts_with(args->data, args->data_size, "__CLANG_OFFLOAD_BUNDLE__") &&
        !starts_with(args->data, args->data_size, "CCOB"))
      return fail(AHAL_ERROR_INVALID_ARGUMENT, "hip-fatbin image is not a clang offload bundle");
  } else {
    return fail(AHAL_ERROR_UNSUPPORTED, "module format " + std::to_string(args->format) +
                                            " is not taken by HIP devices (hsaco, hip-fatbin)");
  }
  if (ahal_status_t st = activate(dev); st != AHAL_SUCCESS) return st;
  auto module = std::make_unique<ahal_plugin_module_t>();
  module->device = dev;
  const auto* bytes = static_cast<const uint8_t*>(args->data);
  module->image.assign(bytes, bytes + args->data_size);
  module->infos = ahal::plugin::KernelInfos(*args);
  hipError_t err = dev->rt->hipModuleLoadData(&module->module, module->image.data());
  if (err != hipSuccess) {
    std::string target = AHAL_PLUGIN_HAS_FIELD(args, ahal_plugin_module_args_t, target) &&
                                 args->target && *args->target
                             ? args->target
                             : "not given";
    return hip_fail(
        dev, err, "hipModuleLoadData",
        std::string(format_name) + " image for target " + target + ", device is " + dev->arch_full);
  }
  *out_module = module.release();
  return AHAL_SUCCESS;
}

void module_destroy(ahal_plugin_module_t* module) {
  ahal_plugin_device_t* dev = module->device;
  log_failure(dev, dev->rt->hipSetDevice(dev->ordinal), "hipSetDevice");
  module->kernels.clear();  // their functions live in the module
  log_failure(dev, dev->rt->hipModuleUnload(module->module), "hipModuleUnload");
  delete module;
}

namespace {

std::unique_ptr<ahal_plugin_kernel_t> load_kernel(ahal_plugin_module_t* module, const char* entry) {
  ahal_plugin_device_t* dev = module->device;
  const Runtime& rt = *dev->rt;
  auto check = [&](hipError_t err, const char* call) {
    if (err != hipSuccess) hip_raise(dev, err, call, entry);
  };
  check(rt.hipSetDevice(dev->ordinal), "hipSetDevice");
  auto kernel = std::make_unique<ahal_plugin_kernel_t>();
  kernel->module = module;
  hipError_t err = rt.hipModuleGetFunction(&kernel->function, module->module, entry);
  if (err == hipErrorNotFound || err == hipErrorInvalidDeviceFunction)
    ahal::plugin::raise(AHAL_ERROR_NOT_FOUND, "no kernel '%s' in the module (%s)", entry,
                        error_text(rt, err).c_str());
  check(err, "hipModuleGetFunction");
  check(rt.hipFuncGetAttribute(&kernel->max_threads, HIP_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK,
                               kernel->function),
        "hipFuncGetAttribute(MAX_THREADS_PER_BLOCK)");
  check(rt.hipFuncGetAttribute(&kernel->static_shared, HIP_FUNC_ATTRIBUTE_SHARED_SIZE_BYTES,
                               kernel->function),
        "hipFuncGetAttribute(SHARED_SIZE_BYTES)");
  return kernel;
}

}  // namespace

AHAL_PLUGIN_CACHED_KERNEL_GET(load_kernel)

ahal_status_t kernel_get_attributes(ahal_plugin_kernel_t* kernel, ahal_kernel_attributes_t* out) {
  ahal_kernel_attributes_t a{};
  a.max_workgroup_size = static_cast<uint32_t>(std::max(kernel->max_threads, 0));
  a.static_shared_bytes = static_cast<uint32_t>(std::max(kernel->static_shared, 0));
  a.preferred_workgroup_multiple =
      static_cast<uint32_t>(std::max(kernel->module->device->prop.warpSize, 1));
  ahal::plugin::KernelInfos::describe(kernel->info, a);
  ahal::plugin::write_struct(out, a);
  return AHAL_SUCCESS;
}

}  // namespace ahal_hip
