// @generated from spec/ahal.toml by spec/generate.py: do not edit.
// Edit the spec and run the generator; CI fails when this is stale.
//
// Test-only plugin "fault": forwards every entry of the plugin ABI to the
// plugin file named by AHAL_TEST_FAULT_TARGET, except the entry named by
// AHAL_TEST_FAULT_ENTRY, which misbehaves as AHAL_TEST_FAULT_KIND says:
//   throw       throws std::runtime_error (a void entry too)
//   status:<n>  returns <n> without calling the target
//   null        is left NULL in the table
// The misbehaving entry is in the table even where the target lacks it.
// tests/test_plugin_faults.cpp walks every entry with it.
#include <ahal/plugin.h>

#include <dlfcn.h>

#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>

namespace {

ahal_plugin_api_t g_target{};
std::string g_entry;
std::string g_kind;

// Whether `entry` should misbehave now; sets *status for status:<n>.
bool fault(const char* entry, ahal_status_t* status) {
  if (g_entry != entry) return false;
  if (g_kind == "throw") throw std::runtime_error(std::string("fault injected in ") + entry);
  if (g_kind.rfind("status:", 0) == 0) {
    *status = static_cast<ahal_status_t>(std::atoi(g_kind.c_str() + 7));
    return true;
  }
  return false;
}

ahal_status_t plugin_init(const ahal_plugin_host_t* host, const ahal_plugin_init_args_t* args,
                          ahal_plugin_instance_t** out_instance) {
  ahal_status_t status = AHAL_SUCCESS;
  if (fault("plugin_init", &status)) return status;
  return g_target.plugin_init(host, args, out_instance);
}

void plugin_shutdown(ahal_plugin_instance_t* instance) {
  g_target.plugin_shutdown(instance);
  ahal_status_t ignored;
  fault("plugin_shutdown", &ignored);
}

ahal_status_t device_count(ahal_plugin_instance_t* instance, uint32_t* out_count) {
  ahal_status_t status = AHAL_SUCCESS;
  if (fault("device_count", &status)) return status;
  return g_target.device_count(instance, out_count);
}

ahal_status_t device_open(ahal_plugin_instance_t* instance, uint32_t index,
                          ahal_plugin_device_t** out_device) {
  ahal_status_t status = AHAL_SUCCESS;
  if (fault("device_open", &status)) return status;
  return g_target.device_open(instance, index, out_device);
}

void device_close(ahal_plugin_device_t* device) {
  g_target.device_close(device);
  ahal_status_t ignored;
  fault("device_close", &ignored);
}

ahal_status_t device_get_properties(ahal_plugin_device_t* device, ahal_device_properties_t* props) {
  ahal_status_t status = AHAL_SUCCESS;
  if (fault("device_get_properties", &status)) return status;
  return g_target.device_get_properties(device, props);
}

ahal_status_t buffer_create(ahal_plugin_device_t* device, const ahal_buffer_args_t* args,
                            ahal_plugin_buffer_t** out_buffer) {
  ahal_status_t status = AHAL_SUCCESS;
  if (fault("buffer_create", &status)) return status;
  return g_target.buffer_create(device, args, out_buffer);
}

void buffer_destroy(ahal_plugin_device_t* device, ahal_plugin_buffer_t* buffer) {
  g_target.buffer_destroy(device, buffer);
  ahal_status_t ignored;
  fault("buffer_destroy", &ignored);
}

ahal_status_t buffer_map(ahal_plugin_device_t* device, ahal_plugin_buffer_t* buffer,
                         uint64_t offset, uint64_t size, void** out_pointer) {
  ahal_status_t status = AHAL_SUCCESS;
  if (fault("buffer_map", &status)) return status;
  return g_target.buffer_map(device, buffer, offset, size, out_pointer);
}

ahal_status_t buffer_unmap(ahal_plugin_device_t* device, ahal_plugin_buffer_t* buffer) {
  ahal_status_t status = AHAL_SUCCESS;
  if (fault("buffer_unmap", &status)) return status;
  return g_target.buffer_unmap(device, buffer);
}

ahal_status_t host_alloc(ahal_plugin_device_t* device, uint64_t size, uint32_t flags,
                         void** out_pointer, ahal_plugin_host_alloc_t** out_alloc) {
  ahal_status_t status = AHAL_SUCCESS;
  if (fault("host_alloc", &status)) return status;
  return g_target.host_alloc(device, size, flags, out_pointer, out_alloc);
}

void host_free(ahal_plugin_device_t* device, ahal_plugin_host_alloc_t* alloc) {
  g_target.host_free(device, alloc);
  ahal_status_t ignored;
  fault("host_free", &ignored);
}

ahal_status_t stream_create(ahal_plugin_device_t* device, const ahal_stream_args_t* args,
                            ahal_plugin_stream_t** out_stream) {
  ahal_status_t status = AHAL_SUCCESS;
  if (fault("stream_create", &status)) return status;
  return g_target.stream_create(device, args, out_stream);
}

void stream_destroy(ahal_plugin_stream_t* stream) {
  g_target.stream_destroy(stream);
  ahal_status_t ignored;
  fault("stream_destroy", &ignored);
}

ahal_status_t stream_copy_h2d(ahal_plugin_stream_t* stream, const void* src,
                              ahal_plugin_buffer_t* dst, uint64_t dst_offset, uint64_t size) {
  ahal_status_t status = AHAL_SUCCESS;
  if (fault("stream_copy_h2d", &status)) return status;
  return g_target.stream_copy_h2d(stream, src, dst, dst_offset, size);
}

ahal_status_t stream_copy_d2h(ahal_plugin_stream_t* stream, ahal_plugin_buffer_t* src,
                              uint64_t src_offset, void* dst, uint64_t size) {
  ahal_status_t status = AHAL_SUCCESS;
  if (fault("stream_copy_d2h", &status)) return status;
  return g_target.stream_copy_d2h(stream, src, src_offset, dst, size);
}

ahal_status_t stream_copy_d2d(ahal_plugin_stream_t* stream, ahal_plugin_buffer_t* src,
                              uint64_t src_offset, ahal_plugin_buffer_t* dst, uint64_t dst_offset,
                              uint64_t size) {
  ahal_status_t status = AHAL_SUCCESS;
  if (fault("stream_copy_d2d", &status)) return status;
  return g_target.stream_copy_d2d(stream, src, src_offset, dst, dst_offset, size);
}

ahal_status_t stream_fill(ahal_plugin_stream_t* stream, ahal_plugin_buffer_t* buffer,
                          uint64_t offset, uint64_t size, uint32_t pattern, uint32_t pattern_size) {
  ahal_status_t status = AHAL_SUCCESS;
  if (fault("stream_fill", &status)) return status;
  return g_target.stream_fill(stream, buffer, offset, size, pattern, pattern_size);
}

ahal_status_t stream_launch(ahal_plugin_stream_t* stream, ahal_plugin_kernel_t* kernel,
                            const ahal_plugin_launch_t* launch) {
  ahal_status_t status = AHAL_SUCCESS;
  if (fault("stream_launch", &status)) return status;
  return g_target.stream_launch(stream, kernel, launch);
}

ahal_status_t stream_host_callback(ahal_plugin_stream_t* stream, ahal_host_fn_t fn,
                                   void* user_data) {
  ahal_status_t status = AHAL_SUCCESS;
  if (fault("stream_host_callback", &status)) return status;
  return g_target.stream_host_callback(stream, fn, user_data);
}

ahal_status_t stream_record_event(ahal_plugin_stream_t* stream, ahal_plugin_event_t* event) {
  ahal_status_t status = AHAL_SUCCESS;
  if (fault("stream_record_event", &status)) return status;
  return g_target.stream_record_event(stream, event);
}

ahal_status_t stream_wait_event(ahal_plugin_stream_t* stream, ahal_plugin_event_t* event) {
  ahal_status_t status = AHAL_SUCCESS;
  if (fault("stream_wait_event", &status)) return status;
  return g_target.stream_wait_event(stream, event);
}

ahal_status_t stream_synchronize(ahal_plugin_stream_t* stream) {
  ahal_status_t status = AHAL_SUCCESS;
  if (fault("stream_synchronize", &status)) return status;
  return g_target.stream_synchronize(stream);
}

ahal_status_t stream_query(ahal_plugin_stream_t* stream) {
  ahal_status_t status = AHAL_SUCCESS;
  if (fault("stream_query", &status)) return status;
  return g_target.stream_query(stream);
}

ahal_status_t event_create(ahal_plugin_device_t* device, uint32_t flags,
                           ahal_plugin_event_t** out_event) {
  ahal_status_t status = AHAL_SUCCESS;
  if (fault("event_create", &status)) return status;
  return g_target.event_create(device, flags, out_event);
}

void event_destroy(ahal_plugin_event_t* event) {
  g_target.event_destroy(event);
  ahal_status_t ignored;
  fault("event_destroy", &ignored);
}

ahal_status_t event_query(ahal_plugin_event_t* event) {
  ahal_status_t status = AHAL_SUCCESS;
  if (fault("event_query", &status)) return status;
  return g_target.event_query(event);
}

ahal_status_t event_wait(ahal_plugin_event_t* event, uint64_t timeout_ns) {
  ahal_status_t status = AHAL_SUCCESS;
  if (fault("event_wait", &status)) return status;
  return g_target.event_wait(event, timeout_ns);
}

ahal_status_t event_elapsed_ns(ahal_plugin_event_t* start, ahal_plugin_event_t* end,
                               uint64_t* out_ns) {
  ahal_status_t status = AHAL_SUCCESS;
  if (fault("event_elapsed_ns", &status)) return status;
  return g_target.event_elapsed_ns(start, end, out_ns);
}

ahal_status_t module_create(ahal_plugin_device_t* device, const ahal_plugin_module_args_t* args,
                            ahal_plugin_module_t** out_module) {
  ahal_status_t status = AHAL_SUCCESS;
  if (fault("module_create", &status)) return status;
  return g_target.module_create(device, args, out_module);
}

void module_destroy(ahal_plugin_module_t* module) {
  g_target.module_destroy(module);
  ahal_status_t ignored;
  fault("module_destroy", &ignored);
}

ahal_status_t kernel_get(ahal_plugin_module_t* module, const char* entry,
                         ahal_plugin_kernel_t** out_kernel) {
  ahal_status_t status = AHAL_SUCCESS;
  if (fault("kernel_get", &status)) return status;
  return g_target.kernel_get(module, entry, out_kernel);
}

ahal_status_t kernel_get_attributes(ahal_plugin_kernel_t* kernel,
                                    ahal_kernel_attributes_t* out_attributes) {
  ahal_status_t status = AHAL_SUCCESS;
  if (fault("kernel_get_attributes", &status)) return status;
  return g_target.kernel_get_attributes(kernel, out_attributes);
}

ahal_status_t kernel_get_builtin(ahal_plugin_device_t* device, const char* name,
                                 ahal_plugin_kernel_t** out_kernel) {
  ahal_status_t status = AHAL_SUCCESS;
  if (fault("kernel_get_builtin", &status)) return status;
  return g_target.kernel_get_builtin(device, name, out_kernel);
}

ahal_status_t image_score(ahal_plugin_device_t* device, ahal_module_format_t format,
                          const char* target, int32_t* out_score) {
  ahal_status_t status = AHAL_SUCCESS;
  if (fault("image_score", &status)) return status;
  return g_target.image_score(device, format, target, out_score);
}

ahal_status_t device_memory_usage(ahal_plugin_device_t* device, uint64_t* out_used,
                                  uint64_t* out_total) {
  ahal_status_t status = AHAL_SUCCESS;
  if (fault("device_memory_usage", &status)) return status;
  return g_target.device_memory_usage(device, out_used, out_total);
}

ahal_status_t command_buffer_create(ahal_plugin_device_t* device,
                                    const ahal_plugin_command_t* commands, uint32_t command_count,
                                    uint32_t flags,
                                    ahal_plugin_command_buffer_t** out_command_buffer) {
  ahal_status_t status = AHAL_SUCCESS;
  if (fault("command_buffer_create", &status)) return status;
  return g_target.command_buffer_create(device, commands, command_count, flags, out_command_buffer);
}

void command_buffer_destroy(ahal_plugin_command_buffer_t* command_buffer) {
  g_target.command_buffer_destroy(command_buffer);
  ahal_status_t ignored;
  fault("command_buffer_destroy", &ignored);
}

ahal_status_t command_buffer_submit(ahal_plugin_stream_t* stream,
                                    ahal_plugin_command_buffer_t* command_buffer) {
  ahal_status_t status = AHAL_SUCCESS;
  if (fault("command_buffer_submit", &status)) return status;
  return g_target.command_buffer_submit(stream, command_buffer);
}

ahal_status_t command_buffer_update(ahal_plugin_command_buffer_t* command_buffer, uint32_t index,
                                    const ahal_plugin_command_t* command) {
  ahal_status_t status = AHAL_SUCCESS;
  if (fault("command_buffer_update", &status)) return status;
  return g_target.command_buffer_update(command_buffer, index, command);
}

ahal_status_t buffer_get_native(ahal_plugin_device_t* device, ahal_plugin_buffer_t* buffer,
                                ahal_native_buffer_t* out_native) {
  ahal_status_t status = AHAL_SUCCESS;
  if (fault("buffer_get_native", &status)) return status;
  return g_target.buffer_get_native(device, buffer, out_native);
}

ahal_status_t buffer_import_native(ahal_plugin_device_t* device, const ahal_native_buffer_t* native,
                                   ahal_plugin_buffer_t** out_buffer) {
  ahal_status_t status = AHAL_SUCCESS;
  if (fault("buffer_import_native", &status)) return status;
  return g_target.buffer_import_native(device, native, out_buffer);
}

ahal_status_t device_peer_flags(ahal_plugin_device_t* device, ahal_plugin_device_t* peer,
                                uint32_t* out_flags) {
  ahal_status_t status = AHAL_SUCCESS;
  if (fault("device_peer_flags", &status)) return status;
  return g_target.device_peer_flags(device, peer, out_flags);
}

ahal_status_t stream_copy_peer(ahal_plugin_stream_t* stream, ahal_plugin_buffer_t* src,
                               uint64_t src_offset, ahal_plugin_buffer_t* dst, uint64_t dst_offset,
                               uint64_t size) {
  ahal_status_t status = AHAL_SUCCESS;
  if (fault("stream_copy_peer", &status)) return status;
  return g_target.stream_copy_peer(stream, src, src_offset, dst, dst_offset, size);
}

ahal_status_t stream_wait_event_peer(ahal_plugin_stream_t* stream, ahal_plugin_event_t* event) {
  ahal_status_t status = AHAL_SUCCESS;
  if (fault("stream_wait_event_peer", &status)) return status;
  return g_target.stream_wait_event_peer(stream, event);
}

ahal_status_t ccl_query(ahal_plugin_instance_t* instance, uint32_t version,
                        ahal_plugin_ccl_t* table) {
  ahal_status_t status = AHAL_SUCCESS;
  if (fault("ccl_query", &status)) return status;
  return g_target.ccl_query(instance, version, table);
}

ahal_status_t device_memory_peak(ahal_plugin_device_t* device, uint32_t flags, uint64_t* out_peak) {
  ahal_status_t status = AHAL_SUCCESS;
  if (fault("device_memory_peak", &status)) return status;
  return g_target.device_memory_peak(device, flags, out_peak);
}

ahal_status_t buffer_host_address(ahal_plugin_device_t* device, ahal_plugin_buffer_t* buffer,
                                  void** out_pointer) {
  ahal_status_t status = AHAL_SUCCESS;
  if (fault("buffer_host_address", &status)) return status;
  return g_target.buffer_host_address(device, buffer, out_pointer);
}

}  // namespace

extern "C" AHAL_PLUGIN_EXPORT ahal_status_t ahal_plugin_query(uint32_t loader_abi,
                                                              ahal_plugin_api_t* out) {
  const char* target = std::getenv("AHAL_TEST_FAULT_TARGET");
  const char* entry = std::getenv("AHAL_TEST_FAULT_ENTRY");
  const char* kind = std::getenv("AHAL_TEST_FAULT_KIND");
  if (!out || !target) return AHAL_ERROR_INCOMPATIBLE;
  g_entry = entry ? entry : "";
  g_kind = kind ? kind : "";
  void* so = dlopen(target, RTLD_NOW | RTLD_LOCAL);
  if (!so) return AHAL_ERROR_INCOMPATIBLE;
  auto query = reinterpret_cast<ahal_plugin_query_fn>(dlsym(so, AHAL_PLUGIN_QUERY_SYMBOL));
  g_target.struct_size = sizeof(g_target);
  if (!query || query(loader_abi, &g_target) != AHAL_SUCCESS) return AHAL_ERROR_INCOMPATIBLE;
  ahal_plugin_api_t api = g_target;
  api.name = "fault";
  api.description = "forwards to AHAL_TEST_FAULT_TARGET, with one entry misbehaving";
  if (g_entry == "plugin_init")
    api.plugin_init = g_kind == "null" ? nullptr : plugin_init;
  else if (g_target.plugin_init)
    api.plugin_init = plugin_init;
  if (g_entry == "plugin_shutdown")
    api.plugin_shutdown = g_kind == "null" ? nullptr : plugin_shutdown;
  else if (g_target.plugin_shutdown)
    api.plugin_shutdown = plugin_shutdown;
  if (g_entry == "device_count")
    api.device_count = g_kind == "null" ? nullptr : device_count;
  else if (g_target.device_count)
    api.device_count = device_count;
  if (g_entry == "device_open")
    api.device_open = g_kind == "null" ? nullptr : device_open;
  else if (g_target.device_open)
    api.device_open = device_open;
  if (g_entry == "device_close")
    api.device_close = g_kind == "null" ? nullptr : device_close;
  else if (g_target.device_close)
    api.device_close = device_close;
  if (g_entry == "device_get_properties")
    api.device_get_properties = g_kind == "null" ? nullptr : device_get_properties;
  else if (g_target.device_get_properties)
    api.device_get_properties = device_get_properties;
  if (g_entry == "buffer_create")
    api.buffer_create = g_kind == "null" ? nullptr : buffer_create;
  else if (g_target.buffer_create)
    api.buffer_create = buffer_create;
  if (g_entry == "buffer_destroy")
    api.buffer_destroy = g_kind == "null" ? nullptr : buffer_destroy;
  else if (g_target.buffer_destroy)
    api.buffer_destroy = buffer_destroy;
  if (g_entry == "buffer_map")
    api.buffer_map = g_kind == "null" ? nullptr : buffer_map;
  else if (g_target.buffer_map)
    api.buffer_map = buffer_map;
  if (g_entry == "buffer_unmap")
    api.buffer_unmap = g_kind == "null" ? nullptr : buffer_unmap;
  else if (g_target.buffer_unmap)
    api.buffer_unmap = buffer_unmap;
  if (g_entry == "host_alloc")
    api.host_alloc = g_kind == "null" ? nullptr : host_alloc;
  else if (g_target.host_alloc)
    api.host_alloc = host_alloc;
  if (g_entry == "host_free")
    api.host_free = g_kind == "null" ? nullptr : host_free;
  else if (g_target.host_free)
    api.host_free = host_free;
  if (g_entry == "stream_create")
    api.stream_create = g_kind == "null" ? nullptr : stream_create;
  else if (g_target.stream_create)
    api.stream_create = stream_create;
  if (g_entry == "stream_destroy")
    api.stream_destroy = g_kind == "null" ? nullptr : stream_destroy;
  else if (g_target.stream_destroy)
    api.stream_destroy = stream_destroy;
  if (g_entry == "stream_copy_h2d")
    api.stream_copy_h2d = g_kind == "null" ? nullptr : stream_copy_h2d;
  else if (g_target.stream_copy_h2d)
    api.stream_copy_h2d = stream_copy_h2d;
  if (g_entry == "stream_copy_d2h")
    api.stream_copy_d2h = g_kind == "null" ? nullptr : stream_copy_d2h;
  else if (g_target.stream_copy_d2h)
    api.stream_copy_d2h = stream_copy_d2h;
  if (g_entry == "stream_copy_d2d")
    api.stream_copy_d2d = g_kind == "null" ? nullptr : stream_copy_d2d;
  else if (g_target.stream_copy_d2d)
    api.stream_copy_d2d = stream_copy_d2d;
  if (g_entry == "stream_fill")
    api.stream_fill = g_kind == "null" ? nullptr : stream_fill;
  else if (g_target.stream_fill)
    api.stream_fill = stream_fill;
  if (g_entry == "stream_launch")
    api.stream_launch = g_kind == "null" ? nullptr : stream_launch;
  else if (g_target.stream_launch)
    api.stream_launch = stream_launch;
  if (g_entry == "stream_host_callback")
    api.stream_host_callback = g_kind == "null" ? nullptr : stream_host_callback;
  else if (g_target.stream_host_callback)
    api.stream_host_callback = stream_host_callback;
  if (g_entry == "stream_record_event")
    api.stream_record_event = g_kind == "null" ? nullptr : stream_record_event;
  else if (g_target.stream_record_event)
    api.stream_record_event = stream_record_event;
  if (g_entry == "stream_wait_event")
    api.stream_wait_event = g_kind == "null" ? nullptr : stream_wait_event;
  else if (g_target.stream_wait_event)
    api.stream_wait_event = stream_wait_event;
  if (g_entry == "stream_synchronize")
    api.stream_synchronize = g_kind == "null" ? nullptr : stream_synchronize;
  else if (g_target.stream_synchronize)
    api.stream_synchronize = stream_synchronize;
  if (g_entry == "stream_query")
    api.stream_query = g_kind == "null" ? nullptr : stream_query;
  else if (g_target.stream_query)
    api.stream_query = stream_query;
  if (g_entry == "event_create")
    api.event_create = g_kind == "null" ? nullptr : event_create;
  else if (g_target.event_create)
    api.event_create = event_create;
  if (g_entry == "event_destroy")
    api.event_destroy = g_kind == "null" ? nullptr : event_destroy;
  else if (g_target.event_destroy)
    api.event_destroy = event_destroy;
  if (g_entry == "event_query")
    api.event_query = g_kind == "null" ? nullptr : event_query;
  else if (g_target.event_query)
    api.event_query = event_query;
  if (g_entry == "event_wait")
    api.event_wait = g_kind == "null" ? nullptr : event_wait;
  else if (g_target.event_wait)
    api.event_wait = event_wait;
  if (g_entry == "event_elapsed_ns")
    api.event_elapsed_ns = g_kind == "null" ? nullptr : event_elapsed_ns;
  else if (g_target.event_elapsed_ns)
    api.event_elapsed_ns = event_elapsed_ns;
  if (g_entry == "module_create")
    api.module_create = g_kind == "null" ? nullptr : module_create;
  else if (g_target.module_create)
    api.module_create = module_create;
  if (g_entry == "module_destroy")
    api.module_destroy = g_kind == "null" ? nullptr : module_destroy;
  else if (g_target.module_destroy)
    api.module_destroy = module_destroy;
  if (g_entry == "kernel_get")
    api.kernel_get = g_kind == "null" ? nullptr : kernel_get;
  else if (g_target.kernel_get)
    api.kernel_get = kernel_get;
  if (g_entry == "kernel_get_attributes")
    api.kernel_get_attributes = g_kind == "null" ? nullptr : kernel_get_attributes;
  else if (g_target.kernel_get_attributes)
    api.kernel_get_attributes = kernel_get_attributes;
  if (g_entry == "kernel_get_builtin")
    api.kernel_get_builtin = g_kind == "null" ? nullptr : kernel_get_builtin;
  else if (g_target.kernel_get_builtin)
    api.kernel_get_builtin = kernel_get_builtin;
  if (g_entry == "image_score")
    api.image_score = g_kind == "null" ? nullptr : image_score;
  else if (g_target.image_score)
    api.image_score = image_score;
  if (g_entry == "device_memory_usage")
    api.device_memory_usage = g_kind == "null" ? nullptr : device_memory_usage;
  else if (g_target.device_memory_usage)
    api.device_memory_usage = device_memory_usage;
  if (g_entry == "command_buffer_create")
    api.command_buffer_create = g_kind == "null" ? nullptr : command_buffer_create;
  else if (g_target.command_buffer_create)
    api.command_buffer_create = command_buffer_create;
  if (g_entry == "command_buffer_destroy")
    api.command_buffer_destroy = g_kind == "null" ? nullptr : command_buffer_destroy;
  else if (g_target.command_buffer_destroy)
    api.command_buffer_destroy = command_buffer_destroy;
  if (g_entry == "command_buffer_submit")
    api.command_buffer_submit = g_kind == "null" ? nullptr : command_buffer_submit;
  else if (g_target.command_buffer_submit)
    api.command_buffer_submit = command_buffer_submit;
  if (g_entry == "command_buffer_update")
    api.command_buffer_update = g_kind == "null" ? nullptr : command_buffer_update;
  else if (g_target.command_buffer_update)
    api.command_buffer_update = command_buffer_update;
  if (g_entry == "buffer_get_native")
    api.buffer_get_native = g_kind == "null" ? nullptr : buffer_get_native;
  else if (g_target.buffer_get_native)
    api.buffer_get_native = buffer_get_native;
  if (g_entry == "buffer_import_native")
    api.buffer_import_native = g_kind == "null" ? nullptr : buffer_import_native;
  else if (g_target.buffer_import_native)
    api.buffer_import_native = buffer_import_native;
  if (g_entry == "device_peer_flags")
    api.device_peer_flags = g_kind == "null" ? nullptr : device_peer_flags;
  else if (g_target.device_peer_flags)
    api.device_peer_flags = device_peer_flags;
  if (g_entry == "stream_copy_peer")
    api.stream_copy_peer = g_kind == "null" ? nullptr : stream_copy_peer;
  else if (g_target.stream_copy_peer)
    api.stream_copy_peer = stream_copy_peer;
  if (g_entry == "stream_wait_event_peer")
    api.stream_wait_event_peer = g_kind == "null" ? nullptr : stream_wait_event_peer;
  else if (g_target.stream_wait_event_peer)
    api.stream_wait_event_peer = stream_wait_event_peer;
  if (g_entry == "ccl_query")
    api.ccl_query = g_kind == "null" ? nullptr : ccl_query;
  else if (g_target.ccl_query)
    api.ccl_query = ccl_query;
  if (g_entry == "device_memory_peak")
    api.device_memory_peak = g_kind == "null" ? nullptr : device_memory_peak;
  else if (g_target.device_memory_peak)
    api.device_memory_peak = device_memory_peak;
  if (g_entry == "buffer_host_address")
    api.buffer_host_address = g_kind == "null" ? nullptr : buffer_host_address;
  else if (g_target.buffer_host_address)
    api.buffer_host_address = buffer_host_address;
  const size_t n = out->struct_size < sizeof(api) ? out->struct_size : sizeof(api);
  std::memcpy(out, &api, n);
  out->struct_size = n;
  return AHAL_SUCCESS;
}
