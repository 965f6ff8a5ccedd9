// @generated from spec/ahal.toml by spec/generate.py: do not edit.
// Edit the spec and run the generator; CI fails when this is stale.
//
// Typed calls into a plugin's entries, one per entry of the plugin ABI: the
// loader's code calls entry::<name>(fn, plugin, ...) and never the table
// directly. Each call passes only the statuses the spec allows that entry
// (anything else becomes AHAL_ERROR_PLUGIN with a message), turns an
// exception into a status, and answers UNSUPPORTED for an absent optional
// entry. The loader's list of entries to check at load is in
// plugin_entries.hpp.
#pragma once

#include <ahal/plugin.h>

#include "../host_services.hpp"
#include "plugin_entries.hpp"

namespace ahal {
namespace entry {

inline ahal_status_t plugin_init(const char* function, const Plugin& plugin,
                                 const ahal_plugin_host_t* host,
                                 const ahal_plugin_init_args_t* args,
                                 ahal_plugin_instance_t** out_instance) {
  constexpr uint32_t kAllowed =
      (1u << AHAL_ERROR_INVALID_ARGUMENT) | (1u << AHAL_ERROR_OUT_OF_RANGE) |
      (1u << AHAL_ERROR_OUT_OF_HOST_MEMORY) | (1u << AHAL_ERROR_OUT_OF_DEVICE_MEMORY) |
      (1u << AHAL_ERROR_UNSUPPORTED) | (1u << AHAL_ERROR_DEVICE_LOST) | (1u << AHAL_ERROR_PLUGIN) |
      (1u << AHAL_ERROR_INVALID_STATE) | (1u << AHAL_ERROR_NOT_FOUND) |
      (1u << AHAL_ERROR_INCOMPATIBLE);
  return call_plugin(function, plugin, "plugin_init", kAllowed,
                     [&] { return plugin.api.plugin_init(host, args, out_instance); });
}

inline void plugin_shutdown(const char* function, const Plugin& plugin,
                            ahal_plugin_instance_t* instance) {
  call_plugin_void(function, plugin, [&] { plugin.api.plugin_shutdown(instance); });
}

inline ahal_status_t device_count(const char* function, const Plugin& plugin,
                                  ahal_plugin_instance_t* instance, uint32_t* out_count) {
  constexpr uint32_t kAllowed =
      (1u << AHAL_ERROR_INVALID_ARGUMENT) | (1u << AHAL_ERROR_OUT_OF_RANGE) |
      (1u << AHAL_ERROR_OUT_OF_HOST_MEMORY) | (1u << AHAL_ERROR_OUT_OF_DEVICE_MEMORY) |
      (1u << AHAL_ERROR_UNSUPPORTED) | (1u << AHAL_ERROR_DEVICE_LOST) | (1u << AHAL_ERROR_PLUGIN) |
      (1u << AHAL_ERROR_INVALID_STATE);
  return call_plugin(function, plugin, "device_count", kAllowed,
                     [&] { return plugin.api.device_count(instance, out_count); });
}

inline ahal_status_t device_open(const char* function, const Plugin& plugin,
                                 ahal_plugin_instance_t* instance, uint32_t index,
                                 ahal_plugin_device_t** out_device) {
  constexpr uint32_t kAllowed =
      (1u << AHAL_ERROR_INVALID_ARGUMENT) | (1u << AHAL_ERROR_OUT_OF_RANGE) |
      (1u << AHAL_ERROR_OUT_OF_HOST_MEMORY) | (1u << AHAL_ERROR_OUT_OF_DEVICE_MEMORY) |
      (1u << AHAL_ERROR_UNSUPPORTED) | (1u << AHAL_ERROR_DEVICE_LOST) | (1u << AHAL_ERROR_PLUGIN) |
      (1u << AHAL_ERROR_INVALID_STATE) | (1u << AHAL_ERROR_NOT_FOUND);
  return call_plugin(function, plugin, "device_open", kAllowed,
                     [&] { return plugin.api.device_open(instance, index, out_device); });
}

inline void device_close(const char* function, const Plugin& plugin, ahal_plugin_device_t* device) {
  call_plugin_void(function, plugin, [&] { plugin.api.device_close(device); });
}

inline ahal_status_t device_get_properties(const char* function, const Plugin& plugin,
                                           ahal_plugin_device_t* device,
                                           ahal_device_properties_t* props) {
  constexpr uint32_t kAllowed =
      (1u << AHAL_ERROR_INVALID_ARGUMENT) | (1u << AHAL_ERROR_OUT_OF_RANGE) |
      (1u << AHAL_ERROR_OUT_OF_HOST_MEMORY) | (1u << AHAL_ERROR_OUT_OF_DEVICE_MEMORY) |
      (1u << AHAL_ERROR_UNSUPPORTED) | (1u << AHAL_ERROR_DEVICE_LOST) | (1u << AHAL_ERROR_PLUGIN) |
      (1u << AHAL_ERROR_INVALID_STATE);
  return call_plugin(function, plugin, "device_get_properties", kAllowed,
                     [&] { return plugin.api.device_get_properties(device, props); });
}

inline ahal_status_t buffer_create(const char* function, const Plugin& plugin,
                                   ahal_plugin_device_t* device, const ahal_buffer_args_t* args,
                                   ahal_plugin_buffer_t** out_buffer) {
  constexpr uint32_t kAllowed =
      (1u << AHAL_ERROR_INVALID_ARGUMENT) | (1u << AHAL_ERROR_OUT_OF_RANGE) |
      (1u << AHAL_ERROR_OUT_OF_HOST_MEMORY) | (1u << AHAL_ERROR_OUT_OF_DEVICE_MEMORY) |
      (1u << AHAL_ERROR_UNSUPPORTED) | (1u << AHAL_ERROR_DEVICE_LOST) | (1u << AHAL_ERROR_PLUGIN) |
      (1u << AHAL_ERROR_INVALID_STATE);
  return call_plugin(function, plugin, "buffer_create", kAllowed,
                     [&] { return plugin.api.buffer_create(device, args, out_buffer); });
}

inline void buffer_destroy(const char* function, const Plugin& plugin, ahal_plugin_device_t* device,
                           ahal_plugin_buffer_t* buffer) {
  call_plugin_void(function, plugin, [&] { plugin.api.buffer_destroy(device, buffer); });
}

inline ahal_status_t buffer_map(const char* function, const Plugin& plugin,
                                ahal_plugin_device_t* device, ahal_plugin_buffer_t* buffer,
                                uint64_t offset, uint64_t size, void** out_pointer) {
  constexpr uint32_t kAllowed =
      (1u << AHAL_ERROR_INVALID_ARGUMENT) | (1u << AHAL_ERROR_OUT_OF_RANGE) |
      (1u << AHAL_ERROR_OUT_OF_HOST_MEMORY) | (1u << AHAL_ERROR_OUT_OF_DEVICE_MEMORY) |
      (1u << AHAL_ERROR_UNSUPPORTED) | (1u << AHAL_ERROR_DEVICE_LOST) | (1u << AHAL_ERROR_PLUGIN) |
      (1u << AHAL_ERROR_INVALID_STATE);
  return call_plugin(function, plugin, "buffer_map", kAllowed, [&] {
    return plugin.api.buffer_map(device, buffer, offset, size, out_pointer);
  });
}

inline ahal_status_t buffer_unmap(const char* function, const Plugin& plugin,
                                  ahal_plugin_device_t* device, ahal_plugin_buffer_t* buffer) {
  constexpr uint32_t kAllowed =
      (1u << AHAL_ERROR_INVALID_ARGUMENT) | (1u << AHAL_ERROR_OUT_OF_RANGE) |
      (1u << AHAL_ERROR_OUT_OF_HOST_MEMORY) | (1u << AHAL_ERROR_OUT_OF_DEVICE_MEMORY) |
      (1u << AHAL_ERROR_UNSUPPORTED) | (1u << AHAL_ERROR_DEVICE_LOST) | (1u << AHAL_ERROR_PLUGIN) |
      (1u << AHAL_ERROR_INVALID_STATE);
  return call_plugin(function, plugin, "buffer_unmap", kAllowed,
                     [&] { return plugin.api.buffer_unmap(device, buffer); });
}

inline ahal_status_t host_alloc(const char* function, const Plugin& plugin,
                                ahal_plugin_device_t* device, uint64_t size, uint32_t flags,
                                void** out_pointer, ahal_plugin_host_alloc_t** out_alloc) {
  constexpr uint32_t kAllowed =
      (1u << AHAL_ERROR_INVALID_ARGUMENT) | (1u << AHAL_ERROR_OUT_OF_RANGE) |
      (1u << AHAL_ERROR_OUT_OF_HOST_MEMORY) | (1u << AHAL_ERROR_OUT_OF_DEVICE_MEMORY) |
      (1u << AHAL_ERROR_UNSUPPORTED) | (1u << AHAL_ERROR_DEVICE_LOST) | (1u << AHAL_ERROR_PLUGIN) |
      (1u << AHAL_ERROR_INVALID_STATE);
  return call_plugin(function, plugin, "host_alloc", kAllowed, [&] {
    return plugin.api.host_alloc(device, size, flags, out_pointer, out_alloc);
  });
}

inline void host_free(const char* function, const Plugin& plugin, ahal_plugin_device_t* device,
                      ahal_plugin_host_alloc_t* alloc) {
  call_plugin_void(function, plugin, [&] { plugin.api.host_free(device, alloc); });
}

inline ahal_status_t stream_create(const char* function, const Plugin& plugin,
                                   ahal_plugin_device_t* device, const ahal_stream_args_t* args,
                                   ahal_plugin_stream_t** out_stream) {
  constexpr uint32_t kAllowed =
      (1u << AHAL_ERROR_INVALID_ARGUMENT) | (1u << AHAL_ERROR_OUT_OF_RANGE) |
      (1u << AHAL_ERROR_OUT_OF_HOST_MEMORY) | (1u << AHAL_ERROR_OUT_OF_DEVICE_MEMORY) |
      (1u << AHAL_ERROR_UNSUPPORTED) | (1u << AHAL_ERROR_DEVICE_LOST) | (1u << AHAL_ERROR_PLUGIN) |
      (1u << AHAL_ERROR_INVALID_STATE);
  return call_plugin(function, plugin, "stream_create", kAllowed,
                     [&] { return plugin.api.stream_create(device, args, out_stream); });
}

inline void stream_destroy(const char* function, const Plugin& plugin,
                           ahal_plugin_stream_t* stream) {
  call_plugin_void(function, plugin, [&] { plugin.api.stream_destroy(stream); });
}

inline ahal_status_t stream_copy_h2d(const char* function, const Plugin& plugin,
                                     ahal_plugin_stream_t* stream, const void* src,
                                     ahal_plugin_buffer_t* dst, uint64_t dst_offset,
                                     uint64_t size) {
  constexpr uint32_t kAllowed =
      (1u << AHAL_ERROR_INVALID_ARGUMENT) | (1u << AHAL_ERROR_OUT_OF_RANGE) |
      (1u << AHAL_ERROR_OUT_OF_HOST_MEMORY) | (1u << AHAL_ERROR_OUT_OF_DEVICE_MEMORY) |
      (1u << AHAL_ERROR_UNSUPPORTED) | (1u << AHAL_ERROR_DEVICE_LOST) | (1u << AHAL_ERROR_PLUGIN) |
      (1u << AHAL_ERROR_INVALID_STATE);
  return call_plugin(function, plugin, "stream_copy_h2d", kAllowed, [&] {
    return plugin.api.stream_copy_h2d(stream, src, dst, dst_offset, size);
  });
}

inline ahal_status_t stream_copy_d2h(const char* function, const Plugin& plugin,
                                     ahal_plugin_stream_t* stream, ahal_plugin_buffer_t* src,
                                     uint64_t src_offset, void* dst, uint64_t size) {
  constexpr uint32_t kAllowed =
      (1u << AHAL_ERROR_INVALID_ARGUMENT) | (1u << AHAL_ERROR_OUT_OF_RANGE) |
      (1u << AHAL_ERROR_OUT_OF_HOST_MEMORY) | (1u << AHAL_ERROR_OUT_OF_DEVICE_MEMORY) |
      (1u << AHAL_ERROR_UNSUPPORTED) | (1u << AHAL_ERROR_DEVICE_LOST) | (1u << AHAL_ERROR_PLUGIN) |
      (1u << AHAL_ERROR_INVALID_STATE);
  return call_plugin(function, plugin, "stream_copy_d2h", kAllowed, [&] {
    return plugin.api.stream_copy_d2h(stream, src, src_offset, dst, size);
  });
}

inline ahal_status_t stream_copy_d2d(const char* function, const Plugin& plugin,
                                     ahal_plugin_stream_t* stream, ahal_plugin_buffer_t* src,
                                     uint64_t src_offset, ahal_plugin_buffer_t* dst,
                                     uint64_t dst_offset, uint64_t size) {
  constexpr uint32_t kAllowed =
      (1u << AHAL_ERROR_INVALID_ARGUMENT) | (1u << AHAL_ERROR_OUT_OF_RANGE) |
      (1u << AHAL_ERROR_OUT_OF_HOST_MEMORY) | (1u << AHAL_ERROR_OUT_OF_DEVICE_MEMORY) |
      (1u << AHAL_ERROR_UNSUPPORTED) | (1u << AHAL_ERROR_DEVICE_LOST) | (1u << AHAL_ERROR_PLUGIN) |
      (1u << AHAL_ERROR_INVALID_STATE);
  return call_plugin(function, plugin, "stream_copy_d2d", kAllowed, [&] {
    return plugin.api.stream_copy_d2d(stream, src, src_offset, dst, dst_offset, size);
  });
}

inline ahal_status_t stream_fill(const char* function, const Plugin& plugin,
                                 ahal_plugin_stream_t* stream, ahal_plugin_buffer_t* buffer,
                                 uint64_t offset, uint64_t size, uint32_t pattern,
                                 uint32_t pattern_size) {
  constexpr uint32_t kAllowed =
      (1u << AHAL_ERROR_INVALID_ARGUMENT) | (1u << AHAL_ERROR_OUT_OF_RANGE) |
      (1u << AHAL_ERROR_OUT_OF_HOST_MEMORY) | (1u << AHAL_ERROR_OUT_OF_DEVICE_MEMORY) |
      (1u << AHAL_ERROR_UNSUPPORTED) | (1u << AHAL_ERROR_DEVICE_LOST) | (1u << AHAL_ERROR_PLUGIN) |
      (1u << AHAL_ERROR_INVALID_STATE);
  return call_plugin(function, plugin, "stream_fill", kAllowed, [&] {
    return plugin.api.stream_fill(stream, buffer, offset, size, pattern, pattern_size);
  });
}

inline ahal_status_t stream_launch(const char* function, const Plugin& plugin,
                                   ahal_plugin_stream_t* stream, ahal_plugin_kernel_t* kernel,
                                   const ahal_plugin_launch_t* launch) {
  constexpr uint32_t kAllowed =
      (1u << AHAL_ERROR_INVALID_ARGUMENT) | (1u << AHAL_ERROR_OUT_OF_RANGE) |
      (1u << AHAL_ERROR_OUT_OF_HOST_MEMORY) | (1u << AHAL_ERROR_OUT_OF_DEVICE_MEMORY) |
      (1u << AHAL_ERROR_UNSUPPORTED) | (1u << AHAL_ERROR_DEVICE_LOST) | (1u << AHAL_ERROR_PLUGIN) |
      (1u << AHAL_ERROR_INVALID_STATE);
  return call_plugin(function, plugin, "stream_launch", kAllowed,
                     [&] { return plugin.api.stream_launch(stream, kernel, launch); });
}

inline ahal_status_t stream_host_callback(const char* function, const Plugin& plugin,
                                          ahal_plugin_stream_t* stream, ahal_host_fn_t fn,
                                          void* user_data) {
  constexpr uint32_t kAllowed =
      (1u << AHAL_ERROR_INVALID_ARGUMENT) | (1u << AHAL_ERROR_OUT_OF_RANGE) |
      (1u << AHAL_ERROR_OUT_OF_HOST_MEMORY) | (1u << AHAL_ERROR_OUT_OF_DEVICE_MEMORY) |
      (1u << AHAL_ERROR_UNSUPPORTED) | (1u << AHAL_ERROR_DEVICE_LOST) | (1u << AHAL_ERROR_PLUGIN) |
      (1u << AHAL_ERROR_INVALID_STATE);
  return call_plugin(function, plugin, "stream_host_callback", kAllowed,
                     [&] { return plugin.api.stream_host_callback(stream, fn, user_data); });
}

inline ahal_status_t stream_record_event(const char* function, const Plugin& plugin,
                                         ahal_plugin_stream_t* stream, ahal_plugin_event_t* event) {
  constexpr uint32_t kAllowed =
      (1u << AHAL_ERROR_INVALID_ARGUMENT) | (1u << AHAL_ERROR_OUT_OF_RANGE) |
      (1u << AHAL_ERROR_OUT_OF_HOST_MEMORY) | (1u << AHAL_ERROR_OUT_OF_DEVICE_MEMORY) |
      (1u << AHAL_ERROR_UNSUPPORTED) | (1u << AHAL_ERROR_DEVICE_LOST) | (1u << AHAL_ERROR_PLUGIN) |
      (1u << AHAL_ERROR_INVALID_STATE);
  return call_plugin(function, plugin, "stream_record_event", kAllowed,
                     [&] { return plugin.api.stream_record_event(stream, event); });
}

inline ahal_status_t stream_wait_event(const char* function, const Plugin& plugin,
                                       ahal_plugin_stream_t* stream, ahal_plugin_event_t* event) {
  constexpr uint32_t kAllowed =
      (1u << AHAL_ERROR_INVALID_ARGUMENT) | (1u << AHAL_ERROR_OUT_OF_RANGE) |
      (1u << AHAL_ERROR_OUT_OF_HOST_MEMORY) | (1u << AHAL_ERROR_OUT_OF_DEVICE_MEMORY) |
      (1u << AHAL_ERROR_UNSUPPORTED) | (1u << AHAL_ERROR_DEVICE_LOST) | (1u << AHAL_ERROR_PLUGIN) |
      (1u << AHAL_ERROR_INVALID_STATE);
  return call_plugin(function, plugin, "stream_wait_event", kAllowed,
                     [&] { return plugin.api.stream_wait_event(stream, event); });
}

inline ahal_status_t stream_synchronize(const char* function, const Plugin& plugin,
                                        ahal_plugin_stream_t* stream) {
  constexpr uint32_t kAllowed =
      (1u << AHAL_ERROR_INVALID_ARGUMENT) | (1u << AHAL_ERROR_OUT_OF_RANGE) |
      (1u << AHAL_ERROR_OUT_OF_HOST_MEMORY) | (1u << AHAL_ERROR_OUT_OF_DEVICE_MEMORY) |
      (1u << AHAL_ERROR_UNSUPPORTED) | (1u << AHAL_ERROR_DEVICE_LOST) | (1u << AHAL_ERROR_PLUGIN) |
      (1u << AHAL_ERROR_INVALID_STATE);
  return call_plugin(function, plugin, "stream_synchronize", kAllowed,
                     [&] { return plugin.api.stream_synchronize(stream); });
}

inline ahal_status_t stream_query(const char* function, const Plugin& plugin,
                                  ahal_plugin_stream_t* stream) {
  constexpr uint32_t kAllowed =
      (1u << AHAL_ERROR_INVALID_ARGUMENT) | (1u << AHAL_ERROR_OUT_OF_RANGE) |
      (1u << AHAL_ERROR_OUT_OF_HOST_MEMORY) | (1u << AHAL_ERROR_OUT_OF_DEVICE_MEMORY) |
      (1u << AHAL_ERROR_UNSUPPORTED) | (1u << AHAL_ERROR_DEVICE_LOST) | (1u << AHAL_ERROR_PLUGIN) |
      (1u << AHAL_ERROR_INVALID_STATE) | (1u << AHAL_NOT_READY);
  return call_plugin(function, plugin, "stream_query", kAllowed,
                     [&] { return plugin.api.stream_query(stream); });
}

inline ahal_status_t event_create(const char* function, const Plugin& plugin,
                                  ahal_plugin_device_t* device, uint32_t flags,
                                  ahal_plugin_event_t** out_event) {
  constexpr uint32_t kAllowed =
      (1u << AHAL_ERROR_INVALID_ARGUMENT) | (1u << AHAL_ERROR_OUT_OF_RANGE) |
      (1u << AHAL_ERROR_OUT_OF_HOST_MEMORY) | (1u << AHAL_ERROR_OUT_OF_DEVICE_MEMORY) |
      (1u << AHAL_ERROR_UNSUPPORTED) | (1u << AHAL_ERROR_DEVICE_LOST) | (1u << AHAL_ERROR_PLUGIN) |
      (1u << AHAL_ERROR_INVALID_STATE);
  return call_plugin(function, plugin, "event_create", kAllowed,
                     [&] { return plugin.api.event_create(device, flags, out_event); });
}

inline void event_destroy(const char* function, const Plugin& plugin, ahal_plugin_event_t* event) {
  call_plugin_void(function, plugin, [&] { plugin.api.event_destroy(event); });
}

inline ahal_status_t event_query(const char* function, const Plugin& plugin,
                                 ahal_plugin_event_t* event) {
  constexpr uint32_t kAllowed =
      (1u << AHAL_ERROR_INVALID_ARGUMENT) | (1u << AHAL_ERROR_OUT_OF_RANGE) |
      (1u << AHAL_ERROR_OUT_OF_HOST_MEMORY) | (1u << AHAL_ERROR_OUT_OF_DEVICE_MEMORY) |
      (1u << AHAL_ERROR_UNSUPPORTED) | (1u << AHAL_ERROR_DEVICE_LOST) | (1u << AHAL_ERROR_PLUGIN) |
      (1u << AHAL_ERROR_INVALID_STATE) | (1u << AHAL_NOT_READY);
  return call_plugin(function, plugin, "event_query", kAllowed,
                     [&] { return plugin.api.event_query(event); });
}

inline ahal_status_t event_wait(const char* function, const Plugin& plugin,
                                ahal_plugin_event_t* event, uint64_t timeout_ns) {
  constexpr uint32_t kAllowed =
      (1u << AHAL_ERROR_INVALID_ARGUMENT) | (1u << AHAL_ERROR_OUT_OF_RANGE) |
      (1u << AHAL_ERROR_OUT_OF_HOST_MEMORY) | (1u << AHAL_ERROR_OUT_OF_DEVICE_MEMORY) |
      (1u << AHAL_ERROR_UNSUPPORTED) | (1u << AHAL_ERROR_DEVICE_LOST) | (1u << AHAL_ERROR_PLUGIN) |
      (1u << AHAL_ERROR_INVALID_STATE) | (1u << AHAL_ERROR_TIMEOUT);
  return call_plugin(function, plugin, "event_wait", kAllowed,
                     [&] { return plugin.api.event_wait(event, timeout_ns); });
}

inline ahal_status_t event_elapsed_ns(const char* function, const Plugin& plugin,
                                      ahal_plugin_event_t* start, ahal_plugin_event_t* end,
                                      uint64_t* out_ns) {
  constexpr uint32_t kAllowed =
      (1u << AHAL_ERROR_INVALID_ARGUMENT) | (1u << AHAL_ERROR_OUT_OF_RANGE) |
      (1u << AHAL_ERROR_OUT_OF_HOST_MEMORY) | (1u << AHAL_ERROR_OUT_OF_DEVICE_MEMORY) |
      (1u << AHAL_ERROR_UNSUPPORTED) | (1u << AHAL_ERROR_DEVICE_LOST) | (1u << AHAL_ERROR_PLUGIN) |
      (1u << AHAL_ERROR_INVALID_STATE) | (1u << AHAL_NOT_READY);
  return call_plugin(function, plugin, "event_elapsed_ns", kAllowed,
                     [&] { return plugin.api.event_elapsed_ns(start, end, out_ns); });
}

inline ahal_status_t module_create(const char* function, const Plugin& plugin,
                                   ahal_plugin_device_t* device,
                                   const ahal_plugin_module_args_t* args,
                                   ahal_plugin_module_t** out_module) {
  if (AHAL_UNLIKELY(!plugin.api.module_create))
    return not_implemented(function, plugin, "module_create");
  constexpr uint32_t kAllowed =
      (1u << AHAL_ERROR_INVALID_ARGUMENT) | (1u << AHAL_ERROR_OUT_OF_RANGE) |
      (1u << AHAL_ERROR_OUT_OF_HOST_MEMORY) | (1u << AHAL_ERROR_OUT_OF_DEVICE_MEMORY) |
      (1u << AHAL_ERROR_UNSUPPORTED) | (1u << AHAL_ERROR_DEVICE_LOST) | (1u << AHAL_ERROR_PLUGIN) |
      (1u << AHAL_ERROR_INVALID_STATE) | (1u << AHAL_ERROR_BUILD_FAILED) |
      (1u << AHAL_ERROR_NOT_FOUND);
  return call_plugin(function, plugin, "module_create", kAllowed,
                     [&] { return plugin.api.module_create(device, args, out_module); });
}

inline void module_destroy(const char* function, const Plugin& plugin,
                           ahal_plugin_module_t* module) {
  if (AHAL_UNLIKELY(!plugin.api.module_destroy)) return;
  call_plugin_void(function, plugin, [&] { plugin.api.module_destroy(module); });
}

inline ahal_status_t kernel_get(const char* function, const Plugin& plugin,
                                ahal_plugin_module_t* module, const char* entry,
                                ahal_plugin_kernel_t** out_kernel) {
  if (AHAL_UNLIKELY(!plugin.api.kernel_get)) return not_implemented(function, plugin, "kernel_get");
  constexpr uint32_t kAllowed =
      (1u << AHAL_ERROR_INVALID_ARGUMENT) | (1u << AHAL_ERROR_OUT_OF_RANGE) |
      (1u << AHAL_ERROR_OUT_OF_HOST_MEMORY) | (1u << AHAL_ERROR_OUT_OF_DEVICE_MEMORY) |
      (1u << AHAL_ERROR_UNSUPPORTED) | (1u << AHAL_ERROR_DEVICE_LOST) | (1u << AHAL_ERROR_PLUGIN) |
      (1u << AHAL_ERROR_INVALID_STATE) | (1u << AHAL_ERROR_NOT_FOUND);
  return call_plugin(function, plugin, "kernel_get", kAllowed,
                     [&] { return plugin.api.kernel_get(module, entry, out_kernel); });
}

inline ahal_status_t kernel_get_attributes(const char* function, const Plugin& plugin,
                                           ahal_plugin_kernel_t* kernel,
                                           ahal_kernel_attributes_t* out_attributes) {
  constexpr uint32_t kAllowed =
      (1u << AHAL_ERROR_INVALID_ARGUMENT) | (1u << AHAL_ERROR_OUT_OF_RANGE) |
      (1u << AHAL_ERROR_OUT_OF_HOST_MEMORY) | (1u << AHAL_ERROR_OUT_OF_DEVICE_MEMORY) |
      (1u << AHAL_ERROR_UNSUPPORTED) | (1u << AHAL_ERROR_DEVICE_LOST) | (1u << AHAL_ERROR_PLUGIN) |
      (1u << AHAL_ERROR_INVALID_STATE);
  return call_plugin(function, plugin, "kernel_get_attributes", kAllowed,
                     [&] { return plugin.api.kernel_get_attributes(kernel, out_attributes); });
}

inline ahal_status_t kernel_get_builtin(const char* function, const Plugin& plugin,
                                        ahal_plugin_device_t* device, const char* name,
                                        ahal_plugin_kernel_t** out_kernel) {
  if (AHAL_UNLIKELY(!plugin.api.kernel_get_builtin))
    return not_implemented(function, plugin, "kernel_get_builtin");
  constexpr uint32_t kAllowed =
      (1u << AHAL_ERROR_INVALID_ARGUMENT) | (1u << AHAL_ERROR_OUT_OF_RANGE) |
      (1u << AHAL_ERROR_OUT_OF_HOST_MEMORY) | (1u << AHAL_ERROR_OUT_OF_DEVICE_MEMORY) |
      (1u << AHAL_ERROR_UNSUPPORTED) | (1u << AHAL_ERROR_DEVICE_LOST) | (1u << AHAL_ERROR_PLUGIN) |
      (1u << AHAL_ERROR_INVALID_STATE) | (1u << AHAL_ERROR_NOT_FOUND);
  return call_plugin(function, plugin, "kernel_get_builtin", kAllowed,
                     [&] { return plugin.api.kernel_get_builtin(device, name, out_kernel); });
}

inline ahal_status_t image_score(const char* function, const Plugin& plugin,
                                 ahal_plugin_device_t* device, ahal_module_format_t format,
                                 const char* target, int32_t* out_score) {
  if (AHAL_UNLIKELY(!plugin.api.image_score))
    return not_implemented(function, plugin, "image_score");
  constexpr uint32_t kAllowed =
      (1u << AHAL_ERROR_INVALID_ARGUMENT) | (1u << AHAL_ERROR_OUT_OF_RANGE) |
      (1u << AHAL_ERROR_OUT_OF_HOST_MEMORY) | (1u << AHAL_ERROR_OUT_OF_DEVICE_MEMORY) |
      (1u << AHAL_ERROR_UNSUPPORTED) | (1u << AHAL_ERROR_DEVICE_LOST) | (1u << AHAL_ERROR_PLUGIN) |
      (1u << AHAL_ERROR_INVALID_STATE);
  return call_plugin(function, plugin, "image_score", kAllowed,
                     [&] { return plugin.api.image_score(device, format, target, out_score); });
}

inline ahal_status_t device_memory_usage(const char* function, const Plugin& plugin,
                                         ahal_plugin_device_t* device, uint64_t* out_used,
                                         uint64_t* out_total) {
  if (AHAL_UNLIKELY(!plugin.api.device_memory_usage))
    return not_implemented(function, plugin, "device_memory_usage");
  constexpr uint32_t kAllowed =
      (1u << AHAL_ERROR_INVALID_ARGUMENT) | (1u << AHAL_ERROR_OUT_OF_RANGE) |
      (1u << AHAL_ERROR_OUT_OF_HOST_MEMORY) | (1u << AHAL_ERROR_OUT_OF_DEVICE_MEMORY) |
      (1u << AHAL_ERROR_UNSUPPORTED) | (1u << AHAL_ERROR_DEVICE_LOST) | (1u << AHAL_ERROR_PLUGIN) |
      (1u << AHAL_ERROR_INVALID_STATE);
  return call_plugin(function, plugin, "device_memory_usage", kAllowed,
                     [&] { return plugin.api.device_memory_usage(device, out_used, out_total); });
}

inline ahal_status_t command_buffer_create(const char* function, const Plugin& plugin,
                                           ahal_plugin_device_t* device,
                                           const ahal_plugin_command_t* commands,
                                           uint32_t command_count, uint32_t flags,
                                           ahal_plugin_command_buffer_t** out_command_buffer) {
  if (AHAL_UNLIKELY(!plugin.api.command_buffer_create))
    return not_implemented(function, plugin, "command_buffer_create");
  constexpr uint32_t kAllowed =
      (1u << AHAL_ERROR_INVALID_ARGUMENT) | (1u << AHAL_ERROR_OUT_OF_RANGE) |
      (1u << AHAL_ERROR_OUT_OF_HOST_MEMORY) | (1u << AHAL_ERROR_OUT_OF_DEVICE_MEMORY) |
      (1u << AHAL_ERROR_UNSUPPORTED) | (1u << AHAL_ERROR_DEVICE_LOST) | (1u << AHAL_ERROR_PLUGIN) |
      (1u << AHAL_ERROR_INVALID_STATE) | (1u << AHAL_ERROR_BUILD_FAILED);
  return call_plugin(function, plugin, "command_buffer_create", kAllowed, [&] {
    return plugin.api.command_buffer_create(device, commands, command_count, flags,
                                            out_command_buffer);
  });
}

inline void command_buffer_destroy(const char* function, const Plugin& plugin,
                                   ahal_plugin_command_buffer_t* command_buffer) {
  if (AHAL_UNLIKELY(!plugin.api.command_buffer_destroy)) return;
  call_plugin_void(function, plugin, [&] { plugin.api.command_buffer_destroy(command_buffer); });
}

inline ahal_status_t command_buffer_submit(const char* function, const Plugin& plugin,
                                           ahal_plugin_stream_t* stream,
                                           ahal_plugin_command_buffer_t* command_buffer) {
  if (AHAL_UNLIKELY(!plugin.api.command_buffer_submit))
    return not_implemented(function, plugin, "command_buffer_submit");
  constexpr uint32_t kAllowed =
      (1u << AHAL_ERROR_INVALID_ARGUMENT) | (1u << AHAL_ERROR_OUT_OF_RANGE) |
      (1u << AHAL_ERROR_OUT_OF_HOST_MEMORY) | (1u << AHAL_ERROR_OUT_OF_DEVICE_MEMORY) |
      (1u << AHAL_ERROR_UNSUPPORTED) | (1u << AHAL_ERROR_DEVICE_LOST) | (1u << AHAL_ERROR_PLUGIN) |
      (1u << AHAL_ERROR_INVALID_STATE);
  return call_plugin(function, plugin, "command_buffer_submit", kAllowed,
                     [&] { return plugin.api.command_buffer_submit(stream, command_buffer); });
}

inline ahal_status_t command_buffer_update(const char* function, const Plugin& plugin,
                                           ahal_plugin_command_buffer_t* command_buffer,
                                           uint32_t index, const ahal_plugin_command_t* command) {
  if (AHAL_UNLIKELY(!plugin.api.command_buffer_update))
    return not_implemented(function, plugin, "command_buffer_update");
  constexpr uint32_t kAllowed =
      (1u << AHAL_ERROR_INVALID_ARGUMENT) | (1u << AHAL_ERROR_OUT_OF_RANGE) |
      (1u << AHAL_ERROR_OUT_OF_HOST_MEMORY) | (1u << AHAL_ERROR_OUT_OF_DEVICE_MEMORY) |
      (1u << AHAL_ERROR_UNSUPPORTED) | (1u << AHAL_ERROR_DEVICE_LOST) | (1u << AHAL_ERROR_PLUGIN) |
      (1u << AHAL_ERROR_INVALID_STATE);
  return call_plugin(function, plugin, "command_buffer_update", kAllowed, [&] {
    return plugin.api.command_buffer_update(command_buffer, index, command);
  });
}

inline ahal_status_t buffer_get_native(const char* function, const Plugin& plugin,
                                       ahal_plugin_device_t* device, ahal_plugin_buffer_t* buffer,
                                       ahal_native_buffer_t* out_native) {
  if (AHAL_UNLIKELY(!plugin.api.buffer_get_native))
    return not_implemented(function, plugin, "buffer_get_native");
  constexpr uint32_t kAllowed =
      (1u << AHAL_ERROR_INVALID_ARGUMENT) | (1u << AHAL_ERROR_OUT_OF_RANGE) |
      (1u << AHAL_ERROR_OUT_OF_HOST_MEMORY) | (1u << AHAL_ERROR_OUT_OF_DEVICE_MEMORY) |
      (1u << AHAL_ERROR_UNSUPPORTED) | (1u << AHAL_ERROR_DEVICE_LOST) | (1u << AHAL_ERROR_PLUGIN) |
      (1u << AHAL_ERROR_INVALID_STATE);
  return call_plugin(function, plugin, "buffer_get_native", kAllowed,
                     [&] { return plugin.api.buffer_get_native(device, buffer, out_native); });
}

inline ahal_status_t buffer_import_native(const char* function, const Plugin& plugin,
                                          ahal_plugin_device_t* device,
                                          const ahal_native_buffer_t* native,
                                          ahal_plugin_buffer_t** out_buffer) {
  if (AHAL_UNLIKELY(!plugin.api.buffer_import_native))
    return not_implemented(function, plugin, "buffer_import_native");
  constexpr uint32_t kAllowed =
      (1u << AHAL_ERROR_INVALID_ARGUMENT) | (1u << AHAL_ERROR_OUT_OF_RANGE) |
      (1u << AHAL_ERROR_OUT_OF_HOST_MEMORY) | (1u << AHAL_ERROR_OUT_OF_DEVICE_MEMORY) |
      (1u << AHAL_ERROR_UNSUPPORTED) | (1u << AHAL_ERROR_DEVICE_LOST) | (1u << AHAL_ERROR_PLUGIN) |
      (1u << AHAL_ERROR_INVALID_STATE);
  return call_plugin(function, plugin, "buffer_import_native", kAllowed,
                     [&] { return plugin.api.buffer_import_native(device, native, out_buffer); });
}

inline ahal_status_t device_peer_flags(const char* function, const Plugin& plugin,
                                       ahal_plugin_device_t* device, ahal_plugin_device_t* peer,
                                       uint32_t* out_flags) {
  if (AHAL_UNLIKELY(!plugin.api.device_peer_flags))
    return not_implemented(function, plugin, "device_peer_flags");
  constexpr uint32_t kAllowed =
      (1u << AHAL_ERROR_INVALID_ARGUMENT) | (1u << AHAL_ERROR_OUT_OF_RANGE) |
      (1u << AHAL_ERROR_OUT_OF_HOST_MEMORY) | (1u << AHAL_ERROR_OUT_OF_DEVICE_MEMORY) |
      (1u << AHAL_ERROR_UNSUPPORTED) | (1u << AHAL_ERROR_DEVICE_LOST) | (1u << AHAL_ERROR_PLUGIN) |
      (1u << AHAL_ERROR_INVALID_STATE);
  return call_plugin(function, plugin, "device_peer_flags", kAllowed,
                     [&] { return plugin.api.device_peer_flags(device, peer, out_flags); });
}

inline ahal_status_t stream_copy_peer(const char* function, const Plugin& plugin,
                                      ahal_plugin_stream_t* stream, ahal_plugin_buffer_t* src,
                                      uint64_t src_offset, ahal_plugin_buffer_t* dst,
                                      uint64_t dst_offset, uint64_t size) {
  if (AHAL_UNLIKELY(!plugin.api.stream_copy_peer))
    return not_implemented(function, plugin, "stream_copy_peer");
  constexpr uint32_t kAllowed =
      (1u << AHAL_ERROR_INVALID_ARGUMENT) | (1u << AHAL_ERROR_OUT_OF_RANGE) |
      (1u << AHAL_ERROR_OUT_OF_HOST_MEMORY) | (1u << AHAL_ERROR_OUT_OF_DEVICE_MEMORY) |
      (1u << AHAL_ERROR_UNSUPPORTED) | (1u << AHAL_ERROR_DEVICE_LOST) | (1u << AHAL_ERROR_PLUGIN) |
      (1u << AHAL_ERROR_INVALID_STATE);
  return call_plugin(function, plugin, "stream_copy_peer", kAllowed, [&] {
    return plugin.api.stream_copy_peer(stream, src, src_offset, dst, dst_offset, size);
  });
}

inline ahal_status_t stream_wait_event_peer(const char* function, const Plugin& plugin,
                                            ahal_plugin_stream_t* stream,
                                            ahal_plugin_event_t* event) {
  if (AHAL_UNLIKELY(!plugin.api.stream_wait_event_peer))
    return not_implemented(function, plugin, "stream_wait_event_peer");
  constexpr uint32_t kAllowed =
      (1u << AHAL_ERROR_INVALID_ARGUMENT) | (1u << AHAL_ERROR_OUT_OF_RANGE) |
      (1u << AHAL_ERROR_OUT_OF_HOST_MEMORY) | (1u << AHAL_ERROR_OUT_OF_DEVICE_MEMORY) |
      (1u << AHAL_ERROR_UNSUPPORTED) | (1u << AHAL_ERROR_DEVICE_LOST) | (1u << AHAL_ERROR_PLUGIN) |
      (1u << AHAL_ERROR_INVALID_STATE);
  return call_plugin(function, plugin, "stream_wait_event_peer", kAllowed,
                     [&] { return plugin.api.stream_wait_event_peer(stream, event); });
}

inline ahal_status_t ccl_query(const char* function, const Plugin& plugin,
                               ahal_plugin_instance_t* instance, uint32_t version,
                               ahal_plugin_ccl_t* table) {
  if (AHAL_UNLIKELY(!plugin.api.ccl_query)) return not_implemented(function, plugin, "ccl_query");
  constexpr uint32_t kAllowed =
      (1u << AHAL_ERROR_INVALID_ARGUMENT) | (1u << AHAL_ERROR_OUT_OF_RANGE) |
      (1u << AHAL_ERROR_OUT_OF_HOST_MEMORY) | (1u << AHAL_ERROR_OUT_OF_DEVICE_MEMORY) |
      (1u << AHAL_ERROR_UNSUPPORTED) | (1u << AHAL_ERROR_DEVICE_LOST) | (1u << AHAL_ERROR_PLUGIN) |
      (1u << AHAL_ERROR_INVALID_STATE) | (1u << AHAL_ERROR_NOT_FOUND);
  return call_plugin(function, plugin, "ccl_query", kAllowed,
                     [&] { return plugin.api.ccl_query(instance, version, table); });
}

inline ahal_status_t device_memory_peak(const char* function, const Plugin& plugin,
                                        ahal_plugin_device_t* device, uint32_t flags,
                                        uint64_t* out_peak) {
  if (AHAL_UNLIKELY(!plugin.api.device_memory_peak))
    return not_implemented(function, plugin, "device_memory_peak");
  constexpr uint32_t kAllowed =
      (1u << AHAL_ERROR_INVALID_ARGUMENT) | (1u << AHAL_ERROR_OUT_OF_RANGE) |
      (1u << AHAL_ERROR_OUT_OF_HOST_MEMORY) | (1u << AHAL_ERROR_OUT_OF_DEVICE_MEMORY) |
      (1u << AHAL_ERROR_UNSUPPORTED) | (1u << AHAL_ERROR_DEVICE_LOST) | (1u << AHAL_ERROR_PLUGIN) |
      (1u << AHAL_ERROR_INVALID_STATE);
  return call_plugin(function, plugin, "device_memory_peak", kAllowed,
                     [&] { return plugin.api.device_memory_peak(device, flags, out_peak); });
}

inline ahal_status_t buffer_host_address(const char* function, const Plugin& plugin,
                                         ahal_plugin_device_t* device, ahal_plugin_buffer_t* buffer,
                                         void** out_pointer) {
  if (AHAL_UNLIKELY(!plugin.api.buffer_host_address))
    return not_implemented(function, plugin, "buffer_host_address");
  constexpr uint32_t kAllowed =
      (1u << AHAL_ERROR_INVALID_ARGUMENT) | (1u << AHAL_ERROR_OUT_OF_RANGE) |
      (1u << AHAL_ERROR_OUT_OF_HOST_MEMORY) | (1u << AHAL_ERROR_OUT_OF_DEVICE_MEMORY) |
      (1u << AHAL_ERROR_UNSUPPORTED) | (1u << AHAL_ERROR_DEVICE_LOST) | (1u << AHAL_ERROR_PLUGIN) |
      (1u << AHAL_ERROR_INVALID_STATE);
  return call_plugin(function, plugin, "buffer_host_address", kAllowed,
                     [&] { return plugin.api.buffer_host_address(device, buffer, out_pointer); });
}

}  // namespace entry
}  // namespace ahal
