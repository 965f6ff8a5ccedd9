// ahal_runtime_*: creation, plugin listing, teardown.
#include <cstdlib>
#include <cstring>

#include "environment.hpp"
#include "host_services.hpp"
#include "internal.hpp"
#include "layers.hpp"

namespace ahal {
namespace {

#if !AHAL_WITH_LAYERS
// Built with AHAL_VALIDATION_LAYER=OFF: say so to whoever asks for a layer.
void warn_layers_missing(uint32_t flags) {
  if ((flags & AHAL_RUNTIME_VALIDATION) || environment_flag("AHAL_VALIDATION") ||
      environment("AHAL_TRACE"))
    log(AHAL_LOG_WARNING, "loader",
        "validation and tracing were asked for, but this libahal was built without them "
        "(AHAL_VALIDATION_LAYER=OFF)");
}
#endif

}  // namespace

namespace base {

ahal_status_t runtime_plugin_count(const char* fn, Runtime* rt, uint32_t* out_count) {
  if (!out_count) return fail(AHAL_ERROR_INVALID_ARGUMENT, fn, "out_count is NULL");
  *out_count = static_cast<uint32_t>(rt->plugins.size());
  return AHAL_SUCCESS;
}

ahal_status_t runtime_plugin_info(const char* fn, Runtime* rt, uint32_t index,
                                  ahal_plugin_info_t* out_info) {
  if (!out_info) return fail(AHAL_ERROR_INVALID_ARGUMENT, fn, "out_info is NULL");
  if (ahal_status_t s = check_struct_size(fn, "ahal_plugin_info_t", out_info->struct_size,
                                          AHAL_END_OF(ahal_plugin_info_t, device_count)))
    return s;
  if (index >= rt->plugins.size())
    return fail(AHAL_ERROR_OUT_OF_RANGE, fn, "index %u is not below the plugin count %zu", index,
                rt->plugins.size());
  const Plugin& p = *rt->plugins[index];
  ahal_plugin_info_t info = {};
  info.struct_size = out_info->struct_size;
  info.name = p.name.c_str();
  info.path = p.path.c_str();
  info.description = p.description.c_str();
  info.reason = p.reason.c_str();
  info.state = p.state;
  info.abi_version = p.abi_version;
  info.device_count = p.device_count;
  std::memcpy(out_info, &info,
              sizeof(info) < out_info->struct_size ? sizeof(info) : out_info->struct_size);
  return AHAL_SUCCESS;
}

ahal_status_t runtime_search_path(const char* fn, Runtime* rt, const char** out_path) {
  if (!out_path) return fail(AHAL_ERROR_INVALID_ARGUMENT, fn, "out_path is NULL");
  *out_path = rt->search_path.c_str();
  return AHAL_SUCCESS;
}

ahal_status_t runtime_device_count(const char* fn, Runtime* rt, uint32_t* out_count) {
  if (!out_count) return fail(AHAL_ERROR_INVALID_ARGUMENT, fn, "out_count is NULL");
  *out_count = static_cast<uint32_t>(rt->devices.size());
  return AHAL_SUCCESS;
}

ahal_status_t runtime_device_get(const char* fn, Runtime* rt, uint32_t index,
                                 ahal_device_t* out_device) {
  if (!out_device) return fail(AHAL_ERROR_INVALID_ARGUMENT, fn, "out_device is NULL");
  if (index >= rt->devices.size())
    return fail(AHAL_ERROR_OUT_OF_RANGE, fn, "index %u is not below the device count %zu", index,
                rt->devices.size());
  *out_device = to_handle<ahal_device_t>(rt->devices[index]->handle);
  return AHAL_SUCCESS;
}

ahal_status_t runtime_create(const char* fn, const ahal_runtime_options_t* options,
                             ahal_runtime_t* out_runtime, void* caller) {
  if (!out_runtime) return fail(AHAL_ERROR_INVALID_ARGUMENT, fn, "out_runtime is NULL");
  ahal_runtime_options_t opts = {};
  opts.struct_size = sizeof(opts);
  if (options) {
    if (ahal_status_t s = check_struct_size(fn, "ahal_runtime_options_t", options->struct_size,
                                            AHAL_END_OF(ahal_runtime_options_t, plugins)))
      return s;
    opts.flags = options->flags;
    opts.plugin_path = options->plugin_path;
    opts.plugins = options->plugins;
  }
  constexpr uint32_t kKnownFlags = AHAL_RUNTIME_IGNORE_ENVIRONMENT | AHAL_RUNTIME_NO_DEFAULT_PATHS |
                                   AHAL_RUNTIME_VALIDATION | AHAL_RUNTIME_PROBE_PLUGINS;
  if (opts.flags & ~kKnownFlags)
    return fail(AHAL_ERROR_INVALID_ARGUMENT, fn, "options->flags 0x%x has unknown bits 0x%x",
                opts.flags, opts.flags & ~kKnownFlags);
#if AHAL_WITH_LAYERS
  const uint64_t start_ns = layers::clock_ns();
#else
  static_cast<void>(caller);
  warn_layers_missing(opts.flags);
#endif
  auto rt = std::make_unique<Runtime>();
  rt->flags = opts.flags;
  load_plugins(rt.get(), opts);
  if (ahal_status_t s = register_handle(fn, rt.get(), HandleType::kRuntime)) {
    for (auto& d : rt->devices) close_device(d.get());
    for (auto& p : rt->plugins) unload_plugin(p.get());
    return s;
  }
#if AHAL_WITH_LAYERS
  layers::attach(rt.get(), opts.flags, fn, caller, start_ns);
#endif
  *out_runtime = to_handle<ahal_runtime_t>(rt->handle);
  rt.release();
  return AHAL_SUCCESS;
}

ahal_status_t runtime_destroy(const char* fn, ahal_runtime_t runtime, void* caller) {
  Runtime* rt = get(runtime);
  if (!rt || !unregister(runtime)) return invalid_handle(fn, runtime, HandleType::kRuntime);
#if AHAL_WITH_LAYERS
  const uint64_t start_ns = layers::clock_ns();
  Layers* layers = rt->layers;
  if (layers) layers::before_runtime_destroy(rt, caller);
#else
  static_cast<void>(caller);
#endif
  for (auto& d : rt->devices) quiesce_device(d.get());
  for (auto& d : rt->devices) close_device(d.get());
  rt->devices.clear();
  for (auto& p : rt->plugins) unload_plugin(p.get());
  delete rt;
#if AHAL_WITH_LAYERS
  if (layers) layers::after_runtime_destroy(layers, fn, start_ns);
#endif
  return AHAL_SUCCESS;
}

}  // namespace base
}  // namespace ahal

#include "generated/runtime_entries.inc"
