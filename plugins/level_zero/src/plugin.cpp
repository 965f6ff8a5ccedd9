// ahal plugin for Intel GPUs through Level Zero (libze_loader.so.1, opened
// at run time): the one export, the dispatch table, the instance and the
// error helpers. Devices are "level_zero:<n>": the GPU devices of every
// driver in the loader's order, or their sub-devices with
// AHAL_ZE_SUBDEVICES=1. Launches follow the OpenCL column of
// docs/kernel-abi.md. README.md has the details.
#include "objects.hpp"

#include <cstdlib>
#include <cstring>
#include <memory>

// Every entry behind the SDK's guard (ahal::plugin::entry); the optional
// ones this plugin has:
#define AHAL_ZE_TABLE_OPTIONAL_ENTRIES(X, api) \
  X(api, command_buffer_create)                \
  X(api, command_buffer_destroy)               \
  X(api, command_buffer_submit)                \
  X(api, command_buffer_update)                \
  AHAL_PLUGIN_MODULE_ENTRIES(X, api)           \
  X(api, image_score) X(api, buffer_get_native) X(api, buffer_import_native)
AHAL_PLUGIN_GUARDED_QUERY(ahal_ze, "level_zero",
                          "Intel GPUs through Level Zero (libze_loader, opened at run time)",
                          AHAL_ZE_TABLE_OPTIONAL_ENTRIES)

namespace ahal_ze {

ahal_status_t status_of(ze_result_t result) {
  switch (result) {
    case ZE_RESULT_SUCCESS:
      return AHAL_SUCCESS;
    case ZE_RESULT_NOT_READY:
      return AHAL_NOT_READY;
    case ZE_RESULT_ERROR_DEVICE_LOST:
    case ZE_RESULT_ERROR_DEVICE_REQUIRES_RESET:
      return AHAL_ERROR_DEVICE_LOST;
    case ZE_RESULT_ERROR_OUT_OF_HOST_MEMORY:
      return AHAL_ERROR_OUT_OF_HOST_MEMORY;
    case ZE_RESULT_ERROR_OUT_OF_DEVICE_MEMORY:
      return AHAL_ERROR_OUT_OF_DEVICE_MEMORY;
    case ZE_RESULT_ERROR_MODULE_BUILD_FAILURE:
    case ZE_RESULT_ERROR_MODULE_LINK_FAILURE:
    case ZE_RESULT_ERROR_INVALID_NATIVE_BINARY:
      return AHAL_ERROR_BUILD_FAILED;
    case ZE_RESULT_ERROR_INVALID_KERNEL_NAME:
      return AHAL_ERROR_NOT_FOUND;
    case ZE_RESULT_ERROR_UNSUPPORTED_FEATURE:
    case ZE_RESULT_ERROR_UNSUPPORTED_VERSION:
    case ZE_RESULT_ERROR_UNSUPPORTED_ENUMERATION:
      return AHAL_ERROR_UNSUPPORTED;
    case ZE_RESULT_ERROR_UNSUPPORTED_SIZE:
    case ZE_RESULT_ERROR_INVALID_GROUP_SIZE_DIMENSION:
    case ZE_RESULT_ERROR_INVALID_GLOBAL_WIDTH_DIMENSION:
      return AHAL_ERROR_OUT_OF_RANGE;
    default:
      return AHAL_ERROR_PLUGIN;
  }
}

namespace {

std::string ze_message(ze_result_t result, const char* call, const std::string& context) {
  std::string msg = std::string(call) + " failed: " + result_name(result);
  if (status_of(result) == AHAL_ERROR_DEVICE_LOST)
    msg += "; the device is lost and must be reopened";
  if (!context.empty()) msg += " (" + context + ")";
  return msg;
}

}  // namespace

ahal_status_t ze_fail(const ahal_plugin_device_t* dev, ze_result_t result, const char* call,
                      const std::string& context) {
  return fail(status_of(result), ze_message(result, call, context));
}

void ze_raise(const ahal_plugin_device_t* dev, ze_result_t result, const char* call,
              const std::string& context) {
  throw ahal::plugin::Error(status_of(result), ze_message(result, call, context));
}

void log_failure(const ahal_plugin_device_t* dev, ze_result_t result, const char* call) {
  if (result == ZE_RESULT_SUCCESS) return;
  ahal::plugin::log(AHAL_LOG_WARNING, std::string(call) + " failed: " + result_name(result));
}

namespace {

bool subdevices_requested() {
  const char* env = std::getenv("AHAL_ZE_SUBDEVICES");
  return env && *env && std::strcmp(env, "0") != 0;
}

void destroy_contexts(ahal_plugin_instance_t* instance) {
  for (ze_context_handle_t context : instance->contexts) instance->ze.zeContextDestroy(context);
  instance->contexts.clear();
}

// GPU devices of one driver, in its order; each root device is replaced by
// its sub-devices when those are asked for and it has any.
ze_result_t collect_devices(const Loader& ze, ze_driver_handle_t driver, bool subdevices,
                            std::vector<ze_device_handle_t>* out) {
  uint32_t count = 0;
  if (ze_result_t r = ze.zeDeviceGet(driver, &count, nullptr); r != ZE_RESULT_SUCCESS) return r;
  std::vector<ze_device_handle_t> roots(count);
  if (ze_result_t r = ze.zeDeviceGet(driver, &count, roots.data()); r != ZE_RESULT_SUCCESS)
    return r;
  roots.resize(count);
  for (ze_device_handle_t root : roots) {
    ze_device_properties_t props{};
    props.stype = ZE_STRUCTURE_TYPE_DEVICE_PROPERTIES;
    if (ze_result_t r = ze.zeDeviceGetProperties(root, &props); r != ZE_RESULT_SUCCESS) return r;
    if (props.type != ZE_DEVICE_TYPE_GPU) continue;
    uint32_t sub_count = 0;
    if (subdevices && ze.zeDeviceGetSubDevices(root, &sub_count, nullptr) == ZE_RESULT_SUCCESS &&
        sub_count > 0) {
      std::vector<ze_device_handle_t> subs(sub_count);
      if (ze_result_t r = ze.zeDeviceGetSubDevices(root, &sub_count, subs.data());
          r != ZE_RESULT_SUCCESS)
        return r;
      subs.resize(sub_count);
      out->insert(out->end(), subs.begin(), subs.end());
    } else {
      out->push_back(root);
    }
  }
  return ZE_RESULT_SUCCESS;
}

}  // namespace

void plugin_shutdown(ahal_plugin_instance_t* instance) {
  destroy_contexts(instance);
  delete instance;
}

ahal_status_t plugin_init(const ahal_plugin_host_t* host, const ahal_plugin_init_args_t* args,
                          ahal_plugin_instance_t** out_instance) {
  auto instance = std::make_unique<ahal_plugin_instance_t>();
  std::string error;
  if (ahal_status_t status = load_loader(&instance->ze, &error); status != AHAL_SUCCESS)
    return fail(status, error);
  const Loader& ze = instance->ze;
  // With no driver installed the loader answers zeInit with
  // ZE_RESULT_ERROR_UNINITIALIZED.
  if (ze_result_t r = ze.zeInit(ZE_INIT_FLAG_GPU_ONLY); r != ZE_RESULT_SUCCESS)
    return fail(AHAL_ERROR_NOT_FOUND, "no Level Zero GPU driver: zeInit failed: " + result_name(r) +
                                          " (loader " + ze.path + ")");
  uint32_t driver_count = 0;
  if (ze_result_t r = ze.zeDriverGet(&driver_count, nullptr); r != ZE_RESULT_SUCCESS)
    return fail(AHAL_ERROR_NOT_FOUND, "zeDriverGet failed: " + result_name(r));
  std::vector<ze_driver_handle_t> drivers(driver_count);
  if (driver_count > 0) {
    if (ze_result_t r = ze.zeDriverGet(&driver_count, drivers.data()); r != ZE_RESULT_SUCCESS)
      return fail(AHAL_ERROR_NOT_FOUND, "zeDriverGet failed: " + result_name(r));
  }
  drivers.resize(driver_count);
  const bool subdevices = subdevices_requested();
  for (ze_driver_handle_t driver : drivers) {
    std::vector<ze_device_handle_t> devices;
    if (ze_result_t r = collect_devices(ze, driver, subdevices, &devices); r != ZE_RESULT_SUCCESS) {
      destroy_contexts(instance.get());
      return fail(AHAL_ERROR_PLUGIN, "listing Level Zero devices failed: " + result_name(r));
    }
    if (devices.empty()) continue;
    ze_context_desc_t desc{};
    desc.stype = ZE_STRUCTURE_TYPE_CONTEXT_DESC;
    ze_context_handle_t context = nullptr;
    if (ze_result_t r = ze.zeContextCreate(driver, &desc, &context); r != ZE_RESULT_SUCCESS) {
      destroy_contexts(instance.get());
      return fail(AHAL_ERROR_PLUGIN, "zeContextCreate failed: " + result_name(r));
    }
    instance->contexts.push_back(context);
    for (ze_device_handle_t device : devices)
      instance->devices.push_back({driver, context, device});
  }
  if (instance->devices.empty())
    return fail(AHAL_ERROR_NOT_FOUND, "no Level Zero GPU devices (" + std::to_string(driver_count) +
                                          " driver(s), loader " + ze.path + ")");
  *out_instance = instance.release();
  return AHAL_SUCCESS;
}

}  // namespace ahal_ze
