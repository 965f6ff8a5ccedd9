// @generated from spec/ahal.toml by spec/generate.py: do not edit.
// Edit the spec and run the generator; CI fails when this is stale.
//
// The plugin ABI's entries as the loader checks them at load: each entry's
// offset in ahal_plugin_api_t, name, need and the ABI minor that added it.
#pragma once

#include <ahal/plugin.h>

#include <cstddef>
#include <cstdint>

namespace ahal {

enum class EntryNeed { kRequired, kModule, kOptional };

struct PluginEntry {
  size_t offset;
  const char* name;
  EntryNeed need;
  uint32_t abi_minor;
};

constexpr PluginEntry kPluginEntries[] = {
    {offsetof(ahal_plugin_api_t, plugin_init), "plugin_init", EntryNeed::kRequired, 0u},
    {offsetof(ahal_plugin_api_t, plugin_shutdown), "plugin_shutdown", EntryNeed::kRequired, 0u},
    {offsetof(ahal_plugin_api_t, device_count), "device_count", EntryNeed::kRequired, 0u},
    {offsetof(ahal_plugin_api_t, device_open), "device_open", EntryNeed::kRequired, 0u},
    {offsetof(ahal_plugin_api_t, device_close), "device_close", EntryNeed::kRequired, 0u},
    {offsetof(ahal_plugin_api_t, device_get_properties), "device_get_properties",
     EntryNeed::kRequired, 0u},
    {offsetof(ahal_plugin_api_t, buffer_create), "buffer_create", EntryNeed::kRequired, 0u},
    {offsetof(ahal_plugin_api_t, buffer_destroy), "buffer_destroy", EntryNeed::kRequired, 0u},
    {offsetof(ahal_plugin_api_t, buffer_map), "buffer_map", EntryNeed::kRequired, 0u},
    {offsetof(ahal_plugin_api_t, buffer_unmap), "buffer_unmap", EntryNeed::kRequired, 0u},
    {offsetof(ahal_plugin_api_t, host_alloc), "host_alloc", EntryNeed::kRequired, 0u},
    {offsetof(ahal_plugin_api_t, host_free), "host_free", EntryNeed::kRequired, 0u},
    {offsetof(ahal_plugin_api_t, stream_create), "stream_create", EntryNeed::kRequired, 0u},
    {offsetof(ahal_plugin_api_t, stream_destroy), "stream_destroy", EntryNeed::kRequired, 0u},
    {offsetof(ahal_plugin_api_t, stream_copy_h2d), "stream_copy_h2d", EntryNeed::kRequired, 0u},
    {offsetof(ahal_plugin_api_t, stream_copy_d2h), "stream_copy_d2h", EntryNeed::kRequired, 0u},
    {offsetof(ahal_plugin_api_t, stream_copy_d2d), "stream_copy_d2d", EntryNeed::kRequired, 0u},
    {offsetof(ahal_plugin_api_t, stream_fill), "stream_fill", EntryNeed::kRequired, 0u},
    {offsetof(ahal_plugin_api_t, stream_launch), "stream_launch", EntryNeed::kRequired, 0u},
    {offsetof(ahal_plugin_api_t, stream_host_callback), "stream_host_callback",
     EntryNeed::kRequired, 0u},
    {offsetof(ahal_plugin_api_t, stream_record_event), "stream_record_event", EntryNeed::kRequired,
     0u},
    {offsetof(ahal_plugin_api_t, stream_wait_event), "stream_wait_event", EntryNeed::kRequired, 0u},
    {offsetof(ahal_plugin_api_t, stream_synchronize), "stream_synchronize", EntryNeed::kRequired,
     0u},
    {offsetof(ahal_plugin_api_t, stream_query), "stream_query", EntryNeed::kRequired, 0u},
    {offsetof(ahal_plugin_api_t, event_create), "event_create", EntryNeed::kRequired, 0u},
    {offsetof(ahal_plugin_api_t, event_destroy), "event_destroy", EntryNeed::kRequired, 0u},
    {offsetof(ahal_plugin_api_t, event_query), "event_query", EntryNeed::kRequired, 0u},
    {offsetof(ahal_plugin_api_t, event_wait), "event_wait", EntryNeed::kRequired, 0u},
    {offsetof(ahal_plugin_api_t, event_elapsed_ns), "event_elapsed_ns", EntryNeed::kRequired, 0u},
    {offsetof(ahal_plugin_api_t, module_create), "module_create", EntryNeed::kModule, 0u},
    {offsetof(ahal_plugin_api_t, module_destroy), "module_destroy", EntryNeed::kModule, 0u},
    {offsetof(ahal_plugin_api_t, kernel_get), "kernel_get", EntryNeed::kModule, 0u},
    {offsetof(ahal_plugin_api_t, kernel_get_attributes), "kernel_get_attributes",
     EntryNeed::kRequired, 0u},
    {offsetof(ahal_plugin_api_t, kernel_get_builtin), "kernel_get_builtin", EntryNeed::kOptional,
     0u},
    {offsetof(ahal_plugin_api_t, image_score), "image_score", EntryNeed::kOptional, 0u},
    {offsetof(ahal_plugin_api_t, device_memory_usage), "device_memory_usage", EntryNeed::kOptional,
     1u},
    {offsetof(ahal_plugin_api_t, command_buffer_create), "command_buffer_create",
     EntryNeed::kOptional, 2u},
    {offsetof(ahal_plugin_api_t, command_buffer_destroy), "command_buffer_destroy",
     EntryNeed::kOptional, 2u},
    {offsetof(ahal_plugin_api_t, command_buffer_submit), "command_buffer_submit",
     EntryNeed::kOptional, 2u},
    {offsetof(ahal_plugin_api_t, command_buffer_update), "command_buffer_update",
     EntryNeed::kOptional, 2u},
    {offsetof(ahal_plugin_api_t, buffer_get_native), "buffer_get_native", EntryNeed::kOptional, 3u},
    {offsetof(ahal_plugin_api_t, buffer_import_native), "buffer_import_native",
     EntryNeed::kOptional, 3u},
    {offsetof(ahal_plugin_api_t, device_peer_flags), "device_peer_flags", EntryNeed::kOptional, 4u},
    {offsetof(ahal_plugin_api_t, stream_copy_peer), "stream_copy_peer", EntryNeed::kOptional, 4u},
    {offsetof(ahal_plugin_api_t, stream_wait_event_peer), "stream_wait_event_peer",
     EntryNeed::kOptional, 4u},
    {offsetof(ahal_plugin_api_t, ccl_query), "ccl_query", EntryNeed::kOptional, 4u},
    {offsetof(ahal_plugin_api_t, device_memory_peak), "device_memory_peak", EntryNeed::kOptional,
     5u},
    {offsetof(ahal_plugin_api_t, buffer_host_address), "buffer_host_address", EntryNeed::kOptional,
     6u},
};

}  // namespace ahal
