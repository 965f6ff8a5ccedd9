// A minimal ahal device plugin: it loads, shows one device and its
// properties, and answers AHAL_ERROR_UNSUPPORTED for everything else.
// Replace the stubs one by one; docs/plugin-guide.md says what each entry
// must do, and plugins/asic_sim is a complete plugin to copy from.
#include <ahal/plugin.hpp>  // plugin.h plus C++ helpers, header only

#include <cstdio>
#include <cstring>
#include <new>
#include <string>

// Plugin-side objects: define them as you like (plugin.h only declares them).
struct ahal_plugin_instance_s {
  int device_count;
};
struct ahal_plugin_device_s {
  uint32_t index;
};

namespace {

// The loader's services (error messages, logging). They are the same for
// every runtime in the process, so one copy is enough.
ahal_plugin_host_t g_host;

ahal_status_t unsupported(const char* entry) {
  std::string message = std::string("the template plugin does not implement ") + entry +
                        " yet (see docs/plugin-guide.md)";
  if (g_host.set_error_message) g_host.set_error_message(message.c_str());
  return AHAL_ERROR_UNSUPPORTED;
}

// ------------------------------------------- what the plugin needs to load

ahal_status_t plugin_init(const ahal_plugin_host_t* host, const ahal_plugin_init_args_t* /*args*/,
                          ahal_plugin_instance_t** out_instance) {
  // Copy only the fields the loader's struct has (guide: "ABI rules").
  std::memset(&g_host, 0, sizeof(g_host));
  std::memcpy(&g_host, host,
              host->struct_size < sizeof(g_host) ? host->struct_size : sizeof(g_host));
  // Look for your driver and hardware here. Without them, set a message and
  // return AHAL_ERROR_NOT_FOUND: the plugin is listed with zero devices.
  *out_instance = new (std::nothrow) ahal_plugin_instance_s{1};
  return *out_instance ? AHAL_SUCCESS : AHAL_ERROR_OUT_OF_HOST_MEMORY;
}

void plugin_shutdown(ahal_plugin_instance_t* instance) { delete instance; }

ahal_status_t device_count(ahal_plugin_instance_t* instance, uint32_t* out_count) {
  *out_count = static_cast<uint32_t>(instance->device_count);
  return AHAL_SUCCESS;
}

ahal_status_t device_open(ahal_plugin_instance_t* /*instance*/, uint32_t index,
                          ahal_plugin_device_t** out_device) {
  *out_device = new (std::nothrow) ahal_plugin_device_s{index};
  return *out_device ? AHAL_SUCCESS : AHAL_ERROR_OUT_OF_HOST_MEMORY;
}

void device_close(ahal_plugin_device_t* device) { delete device; }

ahal_status_t device_get_properties(ahal_plugin_device_t* /*device*/,
                                    ahal_device_properties_t* props) {
  // Write only what props->struct_size covers; the loader fills plugin and
  // selector itself.
  ahal_device_properties_t p{};
  std::memcpy(&p, props, props->struct_size < sizeof(p) ? props->struct_size : sizeof(p));
  std::snprintf(p.name, sizeof(p.name), "ahal plugin template");
  std::snprintf(p.vendor, sizeof(p.vendor), "your company");
  std::snprintf(p.driver_version, sizeof(p.driver_version), "0.1");
  p.type = AHAL_DEVICE_TYPE_OTHER;
  // Fill the rest from your hardware: memory sizes, limits, module_formats,
  // features. A feature bit is a promise the conformance suite checks.
  std::memcpy(props, &p, props->struct_size < sizeof(p) ? props->struct_size : sizeof(p));
  return AHAL_SUCCESS;
}

// ------------------------------------------------ to implement, one by one

ahal_status_t buffer_create(ahal_plugin_device_t*, const ahal_buffer_args_t*,
                            ahal_plugin_buffer_t**) {
  return unsupported("buffer_create");
}
// Destroy entries are reached only for objects your create entries made.
void buffer_destroy(ahal_plugin_device_t*, ahal_plugin_buffer_t*) {}
ahal_status_t buffer_map(ahal_plugin_device_t*, ahal_plugin_buffer_t*, uint64_t, uint64_t, void**) {
  return unsupported("buffer_map");
}
ahal_status_t buffer_unmap(ahal_plugin_device_t*, ahal_plugin_buffer_t*) {
  return unsupported("buffer_unmap");
}
ahal_status_t host_alloc(ahal_plugin_device_t*, uint64_t, uint32_t, void**,
                         ahal_plugin_host_alloc_t**) {
  return unsupported("host_alloc");
}
void host_free(ahal_plugin_device_t*, ahal_plugin_host_alloc_t*) {}

ahal_status_t stream_create(ahal_plugin_device_t*, const ahal_stream_args_t*,
                            ahal_plugin_stream_t**) {
  return unsupported("stream_create");
}
void stream_destroy(ahal_plugin_stream_t*) {}
ahal_status_t stream_copy_h2d(ahal_plugin_stream_t*, const void*, ahal_plugin_buffer_t*, uint64_t,
                              uint64_t) {
  return unsupported("stream_copy_h2d");
}
ahal_status_t stream_copy_d2h(ahal_plugin_stream_t*, ahal_plugin_buffer_t*, uint64_t, void*,
                              uint64_t) {
  return unsupported("stream_copy_d2h");
}
ahal_status_t stream_copy_d2d(ahal_plugin_stream_t*, ahal_plugin_buffer_t*, uint64_t,
                              ahal_plugin_buffer_t*, uint64_t, uint64_t) {
  return unsupported("stream_copy_d2d");
}
ahal_status_t stream_fill(ahal_plugin_stream_t*, ahal_plugin_buffer_t*, uint64_t, uint64_t,
                          uint32_t, uint32_t) {
  return unsupported("stream_fill");
}
ahal_status_t stream_launch(ahal_plugin_stream_t*, ahal_plugin_kernel_t*,
                            const ahal_plugin_launch_t*) {
  return unsupported("stream_launch");
}
ahal_status_t stream_host_callback(ahal_plugin_stream_t*, ahal_host_fn_t, void*) {
  return unsupported("stream_host_callback");
}
ahal_status_t stream_record_event(ahal_plugin_stream_t*, ahal_plugin_event_t*) {
  return unsupported("stream_record_event");
}
ahal_status_t stream_wait_event(ahal_plugin_stream_t*, ahal_plugin_event_t*) {
  return unsupported("stream_wait_event");
}
ahal_status_t stream_synchronize(ahal_plugin_stream_t*) {
  return unsupported("stream_synchronize");
}
ahal_status_t stream_query(ahal_plugin_stream_t*) { return unsupported("stream_query"); }

ahal_status_t event_create(ahal_plugin_device_t*, uint32_t, ahal_plugin_event_t**) {
  return unsupported("event_create");
}
void event_destroy(ahal_plugin_event_t*) {}
ahal_status_t event_query(ahal_plugin_event_t*) { return unsupported("event_query"); }
ahal_status_t event_wait(ahal_plugin_event_t*, uint64_t) { return unsupported("event_wait"); }
ahal_status_t event_elapsed_ns(ahal_plugin_event_t*, ahal_plugin_event_t*, uint64_t*) {
  return unsupported("event_elapsed_ns");
}

ahal_status_t module_create(ahal_plugin_device_t*, const ahal_plugin_module_args_t*,
                            ahal_plugin_module_t**) {
  return unsupported("module_create");
}
void module_destroy(ahal_plugin_module_t*) {}
ahal_status_t kernel_get(ahal_plugin_module_t*, const char*, ahal_plugin_kernel_t**) {
  return unsupported("kernel_get");
}
ahal_status_t kernel_get_attributes(ahal_plugin_kernel_t*, ahal_kernel_attributes_t*) {
  return unsupported("kernel_get_attributes");
}
ahal_status_t kernel_get_builtin(ahal_plugin_device_t*, const char*, ahal_plugin_kernel_t**) {
  return unsupported("kernel_get_builtin");
}
ahal_status_t image_score(ahal_plugin_device_t*, ahal_module_format_t, const char*, int32_t*) {
  return unsupported("image_score");
}
ahal_status_t device_memory_usage(ahal_plugin_device_t*, uint64_t*, uint64_t*) {
  return unsupported("device_memory_usage");
}

// guide-snippet: table
ahal_plugin_api_t make_api() {
  ahal_plugin_api_t api{};
  api.struct_size = sizeof(api);
  api.abi_version = AHAL_PLUGIN_ABI_VERSION;
  api.name = "template";  // devices are "template:0", ...
  api.description = "ahal plugin template (every entry but the basics unsupported)";
  // Each entry is the function above of the same name (ahal/plugin.hpp).
  AHAL_PLUGIN_SET_ENTRIES(api);         // required of every plugin
  AHAL_PLUGIN_SET_MODULE_ENTRIES(api);  // general kernels: may stay NULL
  // Optional entries (NULL = the loader answers AHAL_ERROR_UNSUPPORTED).
  api.kernel_get_builtin = kernel_get_builtin;
  api.image_score = image_score;
  api.device_memory_usage = device_memory_usage;
  return api;
}
// guide-snippet-end

}  // namespace

// The one exported symbol (guide: "The entry point").
// guide-snippet: query
extern "C" AHAL_PLUGIN_EXPORT ahal_status_t ahal_plugin_query(uint32_t loader_abi_version,
                                                              ahal_plugin_api_t* out) {
  static const ahal_plugin_api_t api = make_api();
  // Refuses another ABI major; copies at most out->struct_size bytes.
  return ahal::plugin::query(loader_abi_version, api, out);
}
// guide-snippet-end
