// The loader's objects behind each handle type.
#pragma once

#include <ahal/ahal.h>
#include <ahal/plugin.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "bundle_format.hpp"
#include "handle_table.hpp"

namespace ahal {

struct Device;
struct Module;
struct CommandBuffer;
struct Stream;
struct CclComm;
// Loader-made streams and pinned chunks for staged work (staging.hpp).
struct DeviceStaging;
// A plugin's collectives table, once asked for (ccl_native.cpp).
struct PluginCcl;
// The validation and tracing layers' state (layers_state.hpp).
struct Layers;
struct StreamLayer;

// The plugin's shared object (its dlopen handle, kept out of this header);
// closing it is the deleter's job.
struct PluginLibrary;
struct PluginLibraryCloser {
  void operator()(PluginLibrary* library) const;
};

// One plugin file as the runtime found it (loaded or refused).
struct Plugin {
  std::string name;  // file stem, and the plugin's own name once loaded
  std::string path;
  std::string description;
  std::string reason;
  ahal_plugin_state_t state = AHAL_PLUGIN_STATE_REFUSED;
  uint32_t abi_version = 0;
  std::unique_ptr<PluginLibrary, PluginLibraryCloser> library;
  // The loader-size table; entries past the plugin's struct_size are 0.
  ahal_plugin_api_t api = {};
  ahal_plugin_instance_t* instance = nullptr;
  uint32_t device_count = 0;  // devices opened
  std::string sha256;         // of the file, when an allowlist asked for it
  PluginCcl* ccl = nullptr;   // owned; set on the first collective that asks
};

// Device limits the hot paths check, with "unknown" (0) turned into "none".
struct Limits {
  uint32_t max_workgroup_size;
  uint32_t max_workgroup_dims[3];
  uint32_t max_grid_dims[3];
  uint32_t shared_memory;
  uint32_t max_bindings;
  uint32_t max_constants_size;
  uint32_t binding_offset_alignment;
  uint64_t max_allocation_bytes;
};

// The streams whose queued work may still use an object: none, one, or
// several (then every stream of its device counts). Enqueues note the
// stream; destroys wait for those streams first (wait_for_users), so no
// plugin ever frees memory that queued work still reads or writes.
class StreamUsers {
 public:
  // Hot: one relaxed load and two compares once the stream is known.
  void note(Stream* s) {
    Stream* last = last_.load(std::memory_order_relaxed);
    if (AHAL_UNLIKELY(last != s && last != many() && last != everywhere())) note_other(s, last);
  }
  // A stream of another device used it (ahal_stream_copy_peer, a wait for
  // another device's event): a destroy waits for every device's streams.
  void note_everywhere() { last_.store(everywhere(), std::memory_order_release); }
  Stream* get() const { return last_.load(std::memory_order_acquire); }
  static Stream* many() { return reinterpret_cast<Stream*>(uintptr_t(1)); }
  static Stream* everywhere() { return reinterpret_cast<Stream*>(uintptr_t(2)); }

 private:
  void note_other(Stream* s, Stream* last) {
    // First user: it; a second one: several, for good (everywhere stays).
    for (;;) {
      if (last == s || last == many() || last == everywhere()) return;
      Stream* const want = last == nullptr ? s : many();
      if (last_.compare_exchange_weak(last, want, std::memory_order_acq_rel)) return;
    }
  }
  std::atomic<Stream*> last_{nullptr};
};

struct Runtime {
  uint64_t handle = 0;
  uint32_t flags = 0;
  Layers* layers = nullptr;  // owned; null when validation and tracing are off
  std::string search_path;
  std::vector<std::unique_ptr<Plugin>> plugins;
  std::vector<std::unique_ptr<Device>> devices;
};

struct Buffer {
  uint64_t handle = 0;
  Device* device = nullptr;
  ahal_plugin_buffer_t* object = nullptr;
  uint64_t size = 0;
  uint32_t flags = 0;
  std::atomic<bool> mapped{false};
  // Commands of live command buffers that use it: it cannot be destroyed.
  std::atomic<uint32_t> command_refs{0};
  mutable StreamUsers users;  // streams whose queued work uses it
};

struct HostAlloc {
  uint64_t handle = 0;
  Device* device = nullptr;
  ahal_plugin_host_alloc_t* object = nullptr;
  void* pointer = nullptr;
  uint64_t size = 0;
};

struct Stream {
  uint64_t handle = 0;
  Device* device = nullptr;
  ahal_plugin_stream_t* object = nullptr;
  // ahal_device_synchronize holds these; destroy waits until they drop.
  std::atomic<uint32_t> pins{0};
  StreamLayer* layer = nullptr;  // set while the runtime has layers on
};

struct Event {
  uint64_t handle = 0;
  Device* device = nullptr;
  ahal_plugin_event_t* object = nullptr;
  uint32_t flags = 0;
  std::atomic<bool> recorded{false};
  std::atomic<uint32_t> command_refs{0};  // as Buffer::command_refs
  StreamUsers users;                      // streams that record it or wait for it
  // Staged waits of other devices' streams still to run (peer.cpp).
  std::atomic<uint32_t> host_waits{0};
};

struct Kernel {
  uint64_t handle = 0;
  Device* device = nullptr;
  Module* module = nullptr;  // nullptr for built-ins (owned by the device)
  ahal_plugin_kernel_t* object = nullptr;
  std::string name;
  ahal_kernel_attributes_t attributes = {};  // metadata merged in
  uint32_t max_workgroup_size = 0;           // attribute, 0 = device limit only
  std::atomic<uint32_t> command_refs{0};     // keeps its module alive
  mutable StreamUsers users;                 // launches keep the module alive
};

// One image of a module: loaded at create, or on first use when it lists
// its kernels (so an image that cannot build breaks only its own kernels).
struct ModuleImage {
  const bundle::Image* image = nullptr;  // points into Module::bundle; null for raw modules
  ahal_plugin_module_t* object = nullptr;
  bool tried = false;
  ahal_status_t status = AHAL_SUCCESS;  // of the load, once tried
  std::string error;                    // message of a failed load
};

struct Module {
  uint64_t handle = 0;
  Device* device = nullptr;
  ahal_module_format_t format = AHAL_MODULE_FORMAT_UNKNOWN;
  std::string target;
  std::string build_options;
  bool from_bundle = false;
  bundle::Bundle bundle;  // bundle modules; raw modules keep metadata in bundle.kernels
  std::vector<ModuleImage> images;
  std::mutex mutex;  // guards images and kernels
  std::unordered_map<std::string, std::unique_ptr<Kernel>> kernels;
};

struct Device {
  uint64_t handle = 0;
  Runtime* runtime = nullptr;
  Plugin* plugin = nullptr;
  const ahal_plugin_api_t* api = nullptr;  // &plugin->api
  ahal_plugin_device_t* object = nullptr;
  uint32_t index = 0;        // the plugin's index: selector "<plugin>:<index>"
  Layers* layers = nullptr;  // the runtime's, tested once per call
  ahal_device_properties_t properties = {};
  Limits limits = {};

  std::mutex mutex;  // guards the sets below
  std::unordered_set<Buffer*> buffers;
  std::unordered_set<HostAlloc*> host_allocs;
  std::unordered_set<Stream*> streams;
  std::unordered_set<Event*> events;
  std::unordered_set<Module*> modules;
  std::unordered_set<CommandBuffer*> command_buffers;
  std::unordered_set<CclComm*> ccl_comms;
  std::unordered_map<std::string, std::unique_ptr<Kernel>> builtins;
  DeviceStaging* staging = nullptr;  // owned; made on first use, under mutex
};

// Typed lookups (see HandleTable::lookup).
inline Runtime* get(ahal_runtime_t h) { return lookup<Runtime>(h, HandleType::kRuntime); }
inline Device* get(ahal_device_t h) { return lookup<Device>(h, HandleType::kDevice); }
inline Buffer* get(ahal_buffer_t h) { return lookup<Buffer>(h, HandleType::kBuffer); }
inline HostAlloc* get(ahal_host_alloc_t h) { return lookup<HostAlloc>(h, HandleType::kHostAlloc); }
inline Stream* get(ahal_stream_t h) { return lookup<Stream>(h, HandleType::kStream); }
inline Event* get(ahal_event_t h) { return lookup<Event>(h, HandleType::kEvent); }
inline Module* get(ahal_module_t h) { return lookup<Module>(h, HandleType::kModule); }
inline Kernel* get(ahal_kernel_t h) { return lookup<Kernel>(h, HandleType::kKernel); }
inline CommandBuffer* get(ahal_command_buffer_t h) {
  return lookup<CommandBuffer>(h, HandleType::kCommandBuffer);
}
inline CclComm* get(ahal_ccl_comm_t h) { return lookup<CclComm>(h, HandleType::kCclComm); }

// Takes the handle out of the table; false if it was not live. Destroy
// functions call this before touching the object, so of two racing
// destroys only one frees it.
inline bool unregister(const void* handle) {
  return handles().remove(reinterpret_cast<uintptr_t>(handle));
}

template <class H>
H to_handle(uint64_t value) {
  return reinterpret_cast<H>(static_cast<uintptr_t>(value));
}

// Registers the object; AHAL_ERROR_OUT_OF_HOST_MEMORY when the table is full.
template <class T>
ahal_status_t register_handle(const char* function, T* object, HandleType type) {
  object->handle = handles().add(type, object);
  if (object->handle == 0)
    return fail(AHAL_ERROR_OUT_OF_HOST_MEMORY, function, "too many live %s objects",
                handle_type_name(type));
  return AHAL_SUCCESS;
}

}  // namespace ahal
