// @generated from spec/ahal.toml by spec/generate.py: do not edit.
// Edit the spec and run the generator; CI fails when this is stale.
//
// ahal/plugin_entries.hpp: the C entries of the SDK's classes and
// make_api(). Included at the end of ahal/plugin.hpp; include that one.
#pragma once

#include <ahal/plugin.hpp>

namespace ahal::plugin {

// The C entries make_api() installs; each calls the object's method inside
// guard(). Public so a plugin can install optional ones (image_score).
struct Entries {
  static void plugin_shutdown(ahal_plugin_instance_t* instance) {
    guard_void("plugin_shutdown", [&] { delete object<Instance>(instance); });
  }
  static ahal_status_t device_count(ahal_plugin_instance_t* instance, uint32_t* out_count) {
    return guard([&] { *out_count = object<Instance>(instance)->device_count(); });
  }
  static ahal_status_t device_open(ahal_plugin_instance_t* instance, uint32_t index,
                                   ahal_plugin_device_t** out_device) {
    return guard([&] {
      Device* made = object<Instance>(instance)->open_device(index).release();
      *out_device = handle<ahal_plugin_device_t>(made);
    });
  }
  static void device_close(ahal_plugin_device_t* device) {
    guard_void("device_close", [&] { delete object<Device>(device); });
  }
  static ahal_status_t device_get_properties(ahal_plugin_device_t* device,
                                             ahal_device_properties_t* props) {
    return guard([&] {
      auto full = std::make_unique<ahal_device_properties_t>();
      full->struct_size = sizeof(ahal_device_properties_t);
      object<Device>(device)->properties(*full);
      write_struct(props, *full);
    });
  }
  static ahal_status_t buffer_create(ahal_plugin_device_t* device, const ahal_buffer_args_t* args,
                                     ahal_plugin_buffer_t** out_buffer) {
    return guard([&] {
      Buffer* made = object<Device>(device)->create_buffer(read_struct(args)).release();
      *out_buffer = handle<ahal_plugin_buffer_t>(made);
    });
  }
  static void buffer_destroy(ahal_plugin_device_t* /*device*/, ahal_plugin_buffer_t* buffer) {
    guard_void("buffer_destroy", [&] { delete object<Buffer>(buffer); });
  }
  static ahal_status_t buffer_map(ahal_plugin_device_t* /*device*/, ahal_plugin_buffer_t* buffer,
                                  uint64_t offset, uint64_t size, void** out_pointer) {
    return guard([&] { *out_pointer = object<Buffer>(buffer)->map(offset, size); });
  }
  static ahal_status_t buffer_unmap(ahal_plugin_device_t* /*device*/,
                                    ahal_plugin_buffer_t* buffer) {
    return guard([&] { object<Buffer>(buffer)->unmap(); });
  }
  static ahal_status_t host_alloc(ahal_plugin_device_t* device, uint64_t size, uint32_t flags,
                                  void** out_pointer, ahal_plugin_host_alloc_t** out_alloc) {
    return guard([&] {
      HostAlloc* alloc = object<Device>(device)->host_alloc(size, flags).release();
      *out_pointer = alloc->pointer();
      *out_alloc = handle<ahal_plugin_host_alloc_t>(alloc);
    });
  }
  static void host_free(ahal_plugin_device_t* /*device*/, ahal_plugin_host_alloc_t* alloc) {
    guard_void("host_free", [&] { delete object<HostAlloc>(alloc); });
  }
  static ahal_status_t stream_create(ahal_plugin_device_t* device, const ahal_stream_args_t* args,
                                     ahal_plugin_stream_t** out_stream) {
    return guard([&] {
      Stream* made = object<Device>(device)->create_stream(read_struct(args)).release();
      *out_stream = handle<ahal_plugin_stream_t>(made);
    });
  }
  static void stream_destroy(ahal_plugin_stream_t* stream) {
    guard_void("stream_destroy", [&] { delete object<Stream>(stream); });
  }
  static ahal_status_t stream_copy_h2d(ahal_plugin_stream_t* stream, const void* src,
                                       ahal_plugin_buffer_t* dst, uint64_t dst_offset,
                                       uint64_t size) {
    return guard(
        [&] { object<Stream>(stream)->copy_h2d(src, *object<Buffer>(dst), dst_offset, size); });
  }
  static ahal_status_t stream_copy_d2h(ahal_plugin_stream_t* stream, ahal_plugin_buffer_t* src,
                                       uint64_t src_offset, void* dst, uint64_t size) {
    return guard(
        [&] { object<Stream>(stream)->copy_d2h(*object<Buffer>(src), src_offset, dst, size); });
  }
  static ahal_status_t stream_copy_d2d(ahal_plugin_stream_t* stream, ahal_plugin_buffer_t* src,
                                       uint64_t src_offset, ahal_plugin_buffer_t* dst,
                                       uint64_t dst_offset, uint64_t size) {
    return guard([&] {
      object<Stream>(stream)->copy_d2d(*object<Buffer>(src), src_offset, *object<Buffer>(dst),
                                       dst_offset, size);
    });
  }
  static ahal_status_t stream_fill(ahal_plugin_stream_t* stream, ahal_plugin_buffer_t* buffer,
                                   uint64_t offset, uint64_t size, uint32_t pattern,
                                   uint32_t pattern_size) {
    return guard([&] {
      object<Stream>(stream)->fill(*object<Buffer>(buffer), offset, size, pattern, pattern_size);
    });
  }
  static ahal_status_t stream_launch(ahal_plugin_stream_t* stream, ahal_plugin_kernel_t* kernel,
                                     const ahal_plugin_launch_t* launch) {
    return guard([&] { object<Stream>(stream)->launch(*object<Kernel>(kernel), *launch); });
  }
  static ahal_status_t stream_host_callback(ahal_plugin_stream_t* stream, ahal_host_fn_t fn,
                                            void* user_data) {
    return guard([&] { object<Stream>(stream)->host_callback(fn, user_data); });
  }
  static ahal_status_t stream_record_event(ahal_plugin_stream_t* stream,
                                           ahal_plugin_event_t* event) {
    return guard([&] { object<Stream>(stream)->record_event(*object<Event>(event)); });
  }
  static ahal_status_t stream_wait_event(ahal_plugin_stream_t* stream, ahal_plugin_event_t* event) {
    return guard([&] { object<Stream>(stream)->wait_event(*object<Event>(event)); });
  }
  static ahal_status_t stream_synchronize(ahal_plugin_stream_t* stream) {
    return guard([&] { object<Stream>(stream)->synchronize(); });
  }
  static ahal_status_t stream_query(ahal_plugin_stream_t* stream) {
    return guard([&] { return object<Stream>(stream)->query() ? AHAL_SUCCESS : AHAL_NOT_READY; });
  }
  static ahal_status_t event_create(ahal_plugin_device_t* device, uint32_t flags,
                                    ahal_plugin_event_t** out_event) {
    return guard([&] {
      Event* made = object<Device>(device)->create_event(flags).release();
      *out_event = handle<ahal_plugin_event_t>(made);
    });
  }
  static void event_destroy(ahal_plugin_event_t* event) {
    guard_void("event_destroy", [&] { delete object<Event>(event); });
  }
  static ahal_status_t event_query(ahal_plugin_event_t* event) {
    return guard([&] { return object<Event>(event)->query() ? AHAL_SUCCESS : AHAL_NOT_READY; });
  }
  static ahal_status_t event_wait(ahal_plugin_event_t* event, uint64_t timeout_ns) {
    return guard([&] {
      if (object<Event>(event)->wait(timeout_ns)) return AHAL_SUCCESS;
      return fail(AHAL_ERROR_TIMEOUT, "the event did not complete within %llu ns",
                  static_cast<unsigned long long>(timeout_ns));
    });
  }
  static ahal_status_t event_elapsed_ns(ahal_plugin_event_t* start, ahal_plugin_event_t* end,
                                        uint64_t* out_ns) {
    return guard([&] { *out_ns = object<Event>(start)->elapsed_ns(*object<Event>(end)); });
  }
  static ahal_status_t module_create(ahal_plugin_device_t* device,
                                     const ahal_plugin_module_args_t* args,
                                     ahal_plugin_module_t** out_module) {
    return guard([&] {
      Module* made = object<Device>(device)->create_module(read_struct(args)).release();
      *out_module = handle<ahal_plugin_module_t>(made);
    });
  }
  static void module_destroy(ahal_plugin_module_t* module) {
    guard_void("module_destroy", [&] { delete object<Module>(module); });
  }
  static ahal_status_t kernel_get(ahal_plugin_module_t* module, const char* entry,
                                  ahal_plugin_kernel_t** out_kernel) {
    return guard([&] {
      *out_kernel = handle<ahal_plugin_kernel_t>(&object<Module>(module)->kernel(entry));
    });
  }
  static ahal_status_t kernel_get_attributes(ahal_plugin_kernel_t* kernel,
                                             ahal_kernel_attributes_t* out_attributes) {
    return guard([&] {
      auto full = std::make_unique<ahal_kernel_attributes_t>();
      full->struct_size = sizeof(ahal_kernel_attributes_t);
      object<Kernel>(kernel)->attributes(*full);
      write_struct(out_attributes, *full);
    });
  }
  static ahal_status_t kernel_get_builtin(ahal_plugin_device_t* device, const char* name,
                                          ahal_plugin_kernel_t** out_kernel) {
    return guard([&] {
      *out_kernel = handle<ahal_plugin_kernel_t>(&object<Device>(device)->builtin_kernel(name));
    });
  }
  static ahal_status_t image_score(ahal_plugin_device_t* device, ahal_module_format_t format,
                                   const char* target, int32_t* out_score) {
    return guard([&] { *out_score = object<Device>(device)->image_score(format, target); });
  }
  static ahal_status_t device_memory_usage(ahal_plugin_device_t* device, uint64_t* out_used,
                                           uint64_t* out_total) {
    return guard([&] { object<Device>(device)->memory_usage(out_used, out_total); });
  }
  static ahal_status_t command_buffer_create(ahal_plugin_device_t* device,
                                             const ahal_plugin_command_t* commands,
                                             uint32_t command_count, uint32_t flags,
                                             ahal_plugin_command_buffer_t** out_command_buffer) {
    return guard([&] {
      CommandBuffer* made =
          object<Device>(device)->create_command_buffer(commands, command_count, flags).release();
      *out_command_buffer = handle<ahal_plugin_command_buffer_t>(made);
    });
  }
  static void command_buffer_destroy(ahal_plugin_command_buffer_t* command_buffer) {
    guard_void("command_buffer_destroy", [&] { delete object<CommandBuffer>(command_buffer); });
  }
  static ahal_status_t command_buffer_submit(ahal_plugin_stream_t* stream,
                                             ahal_plugin_command_buffer_t* command_buffer) {
    return guard([&] { object<Stream>(stream)->submit(*object<CommandBuffer>(command_buffer)); });
  }
  static ahal_status_t command_buffer_update(ahal_plugin_command_buffer_t* command_buffer,
                                             uint32_t index, const ahal_plugin_command_t* command) {
    return guard([&] { object<CommandBuffer>(command_buffer)->update(index, *command); });
  }
  static ahal_status_t buffer_get_native(ahal_plugin_device_t* /*device*/,
                                         ahal_plugin_buffer_t* buffer,
                                         ahal_native_buffer_t* out_native) {
    return guard([&] {
      auto full = std::make_unique<ahal_native_buffer_t>();
      full->struct_size = sizeof(ahal_native_buffer_t);
      object<Buffer>(buffer)->native(*full);
      write_struct(out_native, *full);
    });
  }
  static ahal_status_t buffer_import_native(ahal_plugin_device_t* device,
                                            const ahal_native_buffer_t* native,
                                            ahal_plugin_buffer_t** out_buffer) {
    return guard([&] {
      Buffer* made = object<Device>(device)->import_buffer(*native).release();
      *out_buffer = handle<ahal_plugin_buffer_t>(made);
    });
  }
  static ahal_status_t device_peer_flags(ahal_plugin_device_t* device, ahal_plugin_device_t* peer,
                                         uint32_t* out_flags) {
    return guard([&] { *out_flags = object<Device>(device)->peer_flags(*object<Device>(peer)); });
  }
  static ahal_status_t stream_copy_peer(ahal_plugin_stream_t* stream, ahal_plugin_buffer_t* src,
                                        uint64_t src_offset, ahal_plugin_buffer_t* dst,
                                        uint64_t dst_offset, uint64_t size) {
    return guard([&] {
      object<Stream>(stream)->copy_peer(*object<Buffer>(src), src_offset, *object<Buffer>(dst),
                                        dst_offset, size);
    });
  }
  static ahal_status_t stream_wait_event_peer(ahal_plugin_stream_t* stream,
                                              ahal_plugin_event_t* event) {
    return guard([&] { object<Stream>(stream)->wait_event_peer(*object<Event>(event)); });
  }
  static ahal_status_t ccl_query(ahal_plugin_instance_t* instance, uint32_t version,
                                 ahal_plugin_ccl_t* table) {
    return guard([&] { object<Instance>(instance)->ccl_query(version, *table); });
  }
  static ahal_status_t device_memory_peak(ahal_plugin_device_t* device, uint32_t flags,
                                          uint64_t* out_peak) {
    return guard([&] { *out_peak = object<Device>(device)->memory_peak(flags); });
  }
  static ahal_status_t buffer_host_address(ahal_plugin_device_t* /*device*/,
                                           ahal_plugin_buffer_t* buffer, void** out_pointer) {
    return guard([&] { *out_pointer = object<Buffer>(buffer)->host_address(); });
  }
};

namespace detail {
template <class I>
ahal_status_t plugin_init(const ahal_plugin_host_t* host, const ahal_plugin_init_args_t* args,
                          ahal_plugin_instance_t** out_instance) {
  set_host(host, detail::host_state().plugin_name);
  return guard([&] {
    Instance* instance = new I(read_struct(args));
    *out_instance = handle<ahal_plugin_instance_t>(instance);
  });
}
}  // namespace detail

// A complete dispatch table for Instance type I (constructed from the init
// args). Optional entries answer AHAL_ERROR_UNSUPPORTED through the class
// defaults; image_score is left NULL (the loader's default choice): set it to
// Entries::image_score to use Device::image_score.
template <class I>
ahal_plugin_api_t make_api(const char* name, const char* description) {
  static_assert(std::is_base_of_v<Instance, I>, "I must derive from ahal::plugin::Instance");
  detail::host_state().plugin_name = name;
  ahal_plugin_api_t api{};
  api.struct_size = sizeof(api);
  api.abi_version = AHAL_PLUGIN_ABI_VERSION;
  api.name = name;
  api.description = description;
  api.plugin_init = &detail::plugin_init<I>;
  api.plugin_shutdown = &Entries::plugin_shutdown;
  api.device_count = &Entries::device_count;
  api.device_open = &Entries::device_open;
  api.device_close = &Entries::device_close;
  api.device_get_properties = &Entries::device_get_properties;
  api.buffer_create = &Entries::buffer_create;
  api.buffer_destroy = &Entries::buffer_destroy;
  api.buffer_map = &Entries::buffer_map;
  api.buffer_unmap = &Entries::buffer_unmap;
  api.host_alloc = &Entries::host_alloc;
  api.host_free = &Entries::host_free;
  api.stream_create = &Entries::stream_create;
  api.stream_destroy = &Entries::stream_destroy;
  api.stream_copy_h2d = &Entries::stream_copy_h2d;
  api.stream_copy_d2h = &Entries::stream_copy_d2h;
  api.stream_copy_d2d = &Entries::stream_copy_d2d;
  api.stream_fill = &Entries::stream_fill;
  api.stream_launch = &Entries::stream_launch;
  api.stream_host_callback = &Entries::stream_host_callback;
  api.stream_record_event = &Entries::stream_record_event;
  api.stream_wait_event = &Entries::stream_wait_event;
  api.stream_synchronize = &Entries::stream_synchronize;
  api.stream_query = &Entries::stream_query;
  api.event_create = &Entries::event_create;
  api.event_destroy = &Entries::event_destroy;
  api.event_query = &Entries::event_query;
  api.event_wait = &Entries::event_wait;
  api.event_elapsed_ns = &Entries::event_elapsed_ns;
  api.module_create = &Entries::module_create;
  api.module_destroy = &Entries::module_destroy;
  api.kernel_get = &Entries::kernel_get;
  api.kernel_get_attributes = &Entries::kernel_get_attributes;
  api.kernel_get_builtin = &Entries::kernel_get_builtin;
  api.device_memory_usage = &Entries::device_memory_usage;
  api.command_buffer_create = &Entries::command_buffer_create;
  api.command_buffer_destroy = &Entries::command_buffer_destroy;
  api.command_buffer_submit = &Entries::command_buffer_submit;
  api.command_buffer_update = &Entries::command_buffer_update;
  api.buffer_get_native = &Entries::buffer_get_native;
  api.buffer_import_native = &Entries::buffer_import_native;
  api.device_peer_flags = &Entries::device_peer_flags;
  api.stream_copy_peer = &Entries::stream_copy_peer;
  api.stream_wait_event_peer = &Entries::stream_wait_event_peer;
  api.ccl_query = &Entries::ccl_query;
  api.device_memory_peak = &Entries::device_memory_peak;
  api.buffer_host_address = &Entries::buffer_host_address;
  return api;
}

}  // namespace ahal::plugin
