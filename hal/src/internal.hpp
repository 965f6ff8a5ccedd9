// Functions one part of the loader offers the others.
#pragma once

#include <memory>
#include <string>

#include "generated/plugin_calls.hpp"
#include "objects.hpp"

namespace ahal {

// plugin_loader.cpp: finds, checks and loads the plugins the options ask
// for, opening their devices into runtime->devices.
void load_plugins(Runtime* runtime, const ahal_runtime_options_t& options);
// Shuts the plugin down and closes its file (after its devices closed).
void unload_plugin(Plugin* plugin);

// device.cpp
ahal_status_t open_device(Runtime* runtime, Plugin* plugin, uint32_t index,
                          std::unique_ptr<Device>* out, std::string* error);
// Waits for the device's streams and frees its communicators: before any
// device of the runtime closes, since work may span devices.
void quiesce_device(Device* device);
// Frees everything the device still owns, then closes it.
void close_device(Device* device);
// Two devices in one message: "cpu:0" and "cpu:0", or, when they belong to
// different runtimes, each with its runtime ("cpu:0 of runtime 0x...").
struct DevicePair {
  std::string first, second;
};
DevicePair device_names(const Device* first, const Device* second);

// memory.cpp / stream.cpp / event.cpp / module.cpp: free one object whose
// handle is still registered (the caller removed it from its device's set).
void release_buffer(Buffer* buffer);
ahal_status_t check_buffer_shape(const char* fn, Device* d, uint64_t size, uint32_t& flags);
ahal_status_t finish_buffer(const char* fn, Buffer* b, ahal_status_t s, ahal_buffer_t* out_buffer);
void release_host_alloc(HostAlloc* alloc);
ahal_status_t release_stream(Stream* stream, const char* function);
void release_event(Event* event);
void release_module(Module* module);
void release_kernel(Kernel* kernel);
// collectives.cpp: waits for the communicator's operations, then frees it.
void release_ccl_comm(CclComm* comm);
// ccl_native.cpp: forgets the plugin's collectives table (unload_plugin).
void release_plugin_ccl(Plugin& plugin);

// in_use.cpp: waits until no queued work uses an object whose users are
// `users` (one stream, several, or none): the streams are synchronized.
// Destroys call it before the plugin frees anything.
void wait_for_users(const char* function, Device* device, Stream* users);
// Same for host memory, which any stream of any device may read or write.
void wait_for_all_streams(const char* function, Runtime* runtime);

// kernel.cpp: a kernel object for a plugin kernel, with attributes and the
// loader's metadata (info may be null) merged.
ahal_status_t make_kernel(const char* function, Device* device, Module* module,
                          ahal_plugin_kernel_t* object, const std::string& name,
                          const ahal_kernel_info_t* info, std::unique_ptr<Kernel>* out);

}  // namespace ahal
