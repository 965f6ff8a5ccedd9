// docs/plugin-guide.md, "Modules and kernels": module_create and kernel_get
// for a device that takes compiled kernels (asic_sim does not). The driver
// calls are left as comments so that the file compiles on its own.
#include <ahal/plugin.h>

#include <map>
#include <memory>
#include <new>
#include <string>
#include <vector>

struct ahal_plugin_device_s {
  const ahal_plugin_host_t* host;
};
struct ahal_plugin_kernel_s {
  std::string entry;  // plus the driver's kernel object
};
struct ahal_plugin_module_s {
  std::vector<uint8_t> image;  // or the driver's module object
  std::map<std::string, std::unique_ptr<ahal_plugin_kernel_s>> kernels;
};

namespace {

ahal_status_t fail(ahal_plugin_device_t* device, ahal_status_t status, const char* message) {
  device->host->set_error_message(message);
  return status;
}

// guide-snippet: module-entries
ahal_status_t module_create(ahal_plugin_device_t* device, const ahal_plugin_module_args_t* args,
                            ahal_plugin_module_t** out_module) {
  // Only formats listed in the device's module_formats arrive, never
  // AHAL_MODULE_FORMAT_BUNDLE: the loader already chose a bundle image.
  if (args->format != AHAL_MODULE_FORMAT_SPIRV_OPENCL) {
    return fail(device, AHAL_ERROR_UNSUPPORTED, "this device takes spirv-opencl only");
  }
  std::unique_ptr<ahal_plugin_module_s> module(new (std::nothrow) ahal_plugin_module_s);
  if (!module) return fail(device, AHAL_ERROR_OUT_OF_HOST_MEMORY, "no memory for a module");
  // args->data lives only during this call: copy it, or let the driver.
  const auto* bytes = static_cast<const uint8_t*>(args->data);
  module->image.assign(bytes, bytes + args->data_size);
  // Build here with args->build_options for args->target (the bundle image's
  // target, or ""). When the build fails, pass on the driver's log:
  //   return fail(device, AHAL_ERROR_BUILD_FAILED, build_log.c_str());
  *out_module = module.release();
  return AHAL_SUCCESS;
}

// `entry` is the symbol in the image (the bundle maps kernel names to it).
// One entry gives one handle, owned by the module until module_destroy.
ahal_status_t kernel_get(ahal_plugin_module_t* module, const char* entry,
                         ahal_plugin_kernel_t** out_kernel) {
  auto& kernel = module->kernels[entry];
  if (!kernel) {
    // Look the entry up in the built module here; AHAL_ERROR_NOT_FOUND
    // (with a message naming it) when the image has no such symbol.
    kernel.reset(new (std::nothrow) ahal_plugin_kernel_s{entry});
    if (!kernel) return AHAL_ERROR_OUT_OF_HOST_MEMORY;
  }
  *out_kernel = kernel.get();
  return AHAL_SUCCESS;
}
// guide-snippet-end

void module_destroy(ahal_plugin_module_t* module) { delete module; }

}  // namespace

// Fills the module part of a dispatch table.
void guide_fill_module_entries(ahal_plugin_api_t* api) {
  api->module_create = module_create;
  api->module_destroy = module_destroy;
  api->kernel_get = kernel_get;
}
