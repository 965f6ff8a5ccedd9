// ahal/plugin.hpp: optional C++ helpers for plugin authors (header only).
//
// The plugin ABI is plain C (ahal/plugin.h). This header saves the
// boilerplate a C++ plugin would otherwise repeat:
//
// 1. Errors (ahal/plugin_guard.hpp): fail(status, fmt, ...) sets the
//    loader's error message and returns the status; raise(status, fmt, ...)
//    throws an Error instead. guard(f) runs f and turns any C++ exception
//    into a status with a message (std::bad_alloc ->
//    AHAL_ERROR_OUT_OF_HOST_MEMORY), so no exception leaves the plugin;
//    entry<fn> is that guard around a C-table plugin's free function.
// 2. struct_size: read_struct() reads an args struct of any size;
//    write_struct() writes only the fields the caller's struct_size covers;
//    query() copies at most the loader's struct_size of the dispatch table.
//    AHAL_PLUGIN_SET_ENTRIES(api) fills a C table from free functions named
//    like its fields (see "C-table plugins" below).
// 3. Objects: derive from Instance, Device, Buffer, HostAlloc, Stream,
//    Event, Module and Kernel, and make_api<YourInstance>() fills the whole
//    dispatch table with entries that call your virtual methods inside
//    guard(). Methods report failure by throwing (raise()); handles are
//    pointers to these base classes.
//
// A whole plugin's entry point then reads:
//
//   extern "C" AHAL_PLUGIN_EXPORT ahal_status_t ahal_plugin_query(uint32_t loader_abi,
//                                                                 ahal_plugin_api_t* out) {
//     static const ahal_plugin_api_t api =
//         ahal::plugin::make_api<MyInstance>("mine", "My accelerator");
//     return ahal::plugin::query(loader_abi, api, out);
//   }
//
// where MyInstance has a constructor MyInstance(const ahal_plugin_init_args_t&)
// that may throw Error(AHAL_ERROR_NOT_FOUND, "...") when the backend is not
// installed (the plugin is then listed with zero devices and that reason).
// C-table plugins may use fail() and guard() too, after set_host() in plugin_init.
// Between the "@generated" lines: the classes' virtual methods; struct
// Entries and make_api() are in ahal/plugin_entries.hpp, included at the
// end. Both are generated from spec/ahal.toml (spec/generate.py).
#pragma once

#include <ahal/plugin.h>
#include <ahal/plugin_guard.hpp>

#include <algorithm>
#include <cstring>
#include <memory>
#include <string>
#include <type_traits>

namespace ahal::plugin {

// ----------------------------------------------------------- struct_size

// guide-snippet: versioned
// Reads an args struct whatever its struct_size: the fields it does not
// cover read as 0 (a NULL `in` gives all zeros, struct_size included).
template <class T>
T read_struct(const T* in) {
  T out{};
  if (in) std::memcpy(&out, in, std::min(in->struct_size, sizeof(T)));
  out.struct_size = sizeof(T);
  return out;
}

// Writes the fields of `full` that out->struct_size covers into *out and
// leaves out->struct_size (and any bytes past sizeof(T)) as they were.
template <class T>
void write_struct(T* out, const T& full) {
  const size_t caller_size = out->struct_size;
  std::memcpy(out, &full, std::min(caller_size, sizeof(T)));
  out->struct_size = caller_size;
}
// guide-snippet-end

// Copies a string into a fixed char array, cut to fit, always terminated.
template <size_t N>
void copy_string(char (&dst)[N], const std::string& src) {
  const size_t n = std::min(src.size(), N - 1);
  std::memcpy(dst, src.data(), n);
  dst[n] = '\0';
}

// The body of ahal_plugin_query: refuses another ABI major, copies at most
// out->struct_size bytes of `api` and sets out->struct_size to what it wrote.
inline ahal_status_t query(uint32_t loader_abi_version, const ahal_plugin_api_t& api,
                           ahal_plugin_api_t* out) {
  if (!out || AHAL_PLUGIN_ABI_VERSION_MAJOR_OF(loader_abi_version) != AHAL_PLUGIN_ABI_MAJOR) {
    return AHAL_ERROR_INCOMPATIBLE;
  }
  const size_t n = std::min(out->struct_size, sizeof(ahal_plugin_api_t));
  std::memcpy(out, &api, n);
  out->struct_size = n;
  return AHAL_SUCCESS;
}

// Work-groups in a launch's grid, saturating at UINT64_MAX, for backends
// that bound the total (plugin.h gives per-dimension limits only).
inline uint64_t workgroup_count(const ahal_plugin_launch_t& launch) {
  uint64_t count = launch.grid[0];
  if (__builtin_mul_overflow(count, uint64_t{launch.grid[1]}, &count) ||
      __builtin_mul_overflow(count, uint64_t{launch.grid[2]}, &count))
    return UINT64_MAX;
  return count;
}

// ------------------------------------------------------ command buffers

// A bit per command type, for the sets of commands a native command-buffer
// form takes.
constexpr uint32_t command_bit(ahal_plugin_command_type_t type) {
  return unsigned(type) < 32 ? 1u << unsigned(type) : 0;
}
// Launches, device copies, fills and barriers: the commands a device runs
// alone (host copies and events need the stream).
constexpr uint32_t kDeviceCommands =
    command_bit(AHAL_PLUGIN_COMMAND_LAUNCH) | command_bit(AHAL_PLUGIN_COMMAND_COPY_D2D) |
    command_bit(AHAL_PLUGIN_COMMAND_FILL) | command_bit(AHAL_PLUGIN_COMMAND_BARRIER);

// A command type as messages name it ("host-to-device copy").
inline const char* command_name(ahal_plugin_command_type_t type) {
  switch (type) {
    case AHAL_PLUGIN_COMMAND_COPY_H2D:
      return "host-to-device copy";
    case AHAL_PLUGIN_COMMAND_COPY_D2H:
      return "device-to-host copy";
    case AHAL_PLUGIN_COMMAND_COPY_D2D:
      return "device copy";
    case AHAL_PLUGIN_COMMAND_FILL:
      return "fill";
    case AHAL_PLUGIN_COMMAND_LAUNCH:
      return "launch";
    case AHAL_PLUGIN_COMMAND_RECORD_EVENT:
      return "event record";
    case AHAL_PLUGIN_COMMAND_WAIT_EVENT:
      return "event wait";
    case AHAL_PLUGIN_COMMAND_BARRIER:
      return "barrier";
    default:
      return "command of unknown type";
  }
}

// For command_buffer_create: AHAL_ERROR_UNSUPPORTED (the loader then
// replays the buffer) naming the first command whose type is not in
// `taken`, as "command 2 (event record): <form> takes <what> only";
// AHAL_SUCCESS when every command's type is.
inline ahal_status_t refuse_commands_outside(const ahal_plugin_command_t* commands, uint32_t count,
                                             uint32_t taken, const char* form, const char* what) {
  for (uint32_t i = 0; i < count; ++i) {
    if (!(taken & command_bit(commands[i].type)))
      return fail(AHAL_ERROR_UNSUPPORTED, "command %u (%s): %s takes %s only", i,
                  command_name(commands[i].type), form, what);
  }
  return AHAL_SUCCESS;
}

// ------------------------------------------------------ C-table plugins
//
// A plugin that fills the C table itself, from free functions named like
// the table's fields (plugin_init, device_count, ...), sets them with:
//
//   ahal_plugin_api_t make_table() {
//     ahal_plugin_api_t api{};
//     api.struct_size = sizeof(api);
//     api.abi_version = AHAL_PLUGIN_ABI_VERSION;
//     api.name = "mine";
//     api.description = "My accelerator";
//     AHAL_PLUGIN_SET_ENTRIES(api);         // what every plugin must have
//     AHAL_PLUGIN_SET_MODULE_ENTRIES(api);  // only with general kernels
//     api.image_score = image_score;        // optional entries: by hand
//     return api;
//   }
//
// Names are looked up where the macro stands (`using namespace ns;` first
// if they live in one): a missing or mistyped entry fails to compile.
// Optional entries stay NULL unless set by hand. AHAL_PLUGIN_REQUIRED_ENTRIES
// and AHAL_PLUGIN_MODULE_ENTRIES(X, arg) expand X(arg, entry) per entry, for
// a plugin that installs wrappers instead (AHAL_PLUGIN_SET_GUARDED_ENTRY:
// `(api).entry = ahal::plugin::entry<entry>;`).

#define AHAL_PLUGIN_DETAIL_SET_ENTRY(api, entry) (api).entry = entry;

// api.<entry> = <entry> for each required entry.
#define AHAL_PLUGIN_SET_ENTRIES(api)                                \
  do {                                                              \
    AHAL_PLUGIN_REQUIRED_ENTRIES(AHAL_PLUGIN_DETAIL_SET_ENTRY, api) \
  } while (0)

// api.<entry> = <entry> for module_create, module_destroy and kernel_get.
#define AHAL_PLUGIN_SET_MODULE_ENTRIES(api)                       \
  do {                                                            \
    AHAL_PLUGIN_MODULE_ENTRIES(AHAL_PLUGIN_DETAIL_SET_ENTRY, api) \
  } while (0)

// --------------------------------------------------------------- objects
//
// Handles given to the loader are pointers to these base classes. The
// loader validates every argument first (plugin.h rule 4), so a Buffer&
// passed to your Stream is one of your buffers: static_cast it to your type.
// Methods fail by throwing (raise()); a returned unique_ptr must not be null.

// @generated begin classes
class Kernel {
 public:
  virtual ~Kernel() = default;
  // `out` is a zeroed full-size struct; only what the caller's struct_size
  // covers reaches the caller.
  virtual void attributes(ahal_kernel_attributes_t& out) = 0;
};

class CommandBuffer {
 public:
  virtual ~CommandBuffer() = default;  // command_buffer_destroy
  virtual void update(uint32_t /*index*/, const ahal_plugin_command_t& /*command*/) {
    raise(AHAL_ERROR_UNSUPPORTED, "this command buffer cannot be updated in place");
  }
};

class Module {
 public:
  virtual ~Module() = default;  // module_destroy
  // The kernel whose symbol is `entry`, owned by the module; the same entry
  // must give the same kernel.
  virtual Kernel& kernel(const char* entry) = 0;
};

class Buffer {
 public:
  virtual ~Buffer() = default;  // buffer_destroy
  virtual void* map(uint64_t offset, uint64_t size) = 0;
  virtual void unmap() = 0;
  virtual void native(ahal_native_buffer_t& /*out*/) {
    raise(AHAL_ERROR_UNSUPPORTED, "this device's buffers have no native handle");
  }
  virtual void* host_address() {
    raise(AHAL_ERROR_UNSUPPORTED, "this device's memory is not host memory");
  }
};

class HostAlloc {
 public:
  virtual ~HostAlloc() = default;  // host_free
  virtual void* pointer() = 0;
};

class Event {
 public:
  virtual ~Event() = default;  // event_destroy
  // True once the last record completed, or if never recorded.
  virtual bool query() = 0;
  // Blocks until complete (true) or timeout_ns passed (false);
  // UINT64_MAX waits forever.
  virtual bool wait(uint64_t timeout_ns) = 0;
  // Nanoseconds from this event's timestamp to `end`'s.
  virtual uint64_t elapsed_ns(Event& end) = 0;
};

class Stream {
 public:
  virtual ~Stream() = default;  // stream_destroy; the loader synchronized it
  virtual void copy_h2d(const void* src, Buffer& dst, uint64_t dst_offset, uint64_t size) = 0;
  virtual void copy_d2h(Buffer& src, uint64_t src_offset, void* dst, uint64_t size) = 0;
  virtual void copy_d2d(Buffer& src, uint64_t src_offset, Buffer& dst, uint64_t dst_offset,
                        uint64_t size) = 0;
  virtual void fill(Buffer& buffer, uint64_t offset, uint64_t size, uint32_t pattern,
                    uint32_t pattern_size) = 0;
  // launch.constants is valid only during the call: copy it.
  virtual void launch(Kernel& kernel, const ahal_plugin_launch_t& launch) = 0;
  virtual void host_callback(ahal_host_fn_t fn, void* user_data) = 0;
  virtual void record_event(Event& event) = 0;
  virtual void wait_event(Event& event) = 0;
  virtual void synchronize() = 0;
  // True when idle.
  virtual bool query() = 0;
  virtual void submit(CommandBuffer& /*command_buffer*/) {
    raise(AHAL_ERROR_UNSUPPORTED, "this stream takes no command buffers");
  }
  virtual void copy_peer(Buffer& /*src*/, uint64_t /*src_offset*/, Buffer& /*dst*/,
                         uint64_t /*dst_offset*/, uint64_t /*size*/) {
    raise(AHAL_ERROR_UNSUPPORTED, "this device copies to other devices only through the host");
  }
  virtual void wait_event_peer(Event& /*event*/) {
    raise(AHAL_ERROR_UNSUPPORTED, "this device waits for other devices' events only on the host");
  }
};

class Device {
 public:
  virtual ~Device() = default;  // device_close; after all its objects are gone
  // `out` is a zeroed full-size struct; the loader fills plugin and selector.
  virtual void properties(ahal_device_properties_t& out) = 0;
  // Args structs arrive through read_struct(): full size, unknown fields 0.
  virtual std::unique_ptr<Buffer> create_buffer(const ahal_buffer_args_t& args) = 0;
  virtual std::unique_ptr<HostAlloc> host_alloc(uint64_t size, uint32_t flags) = 0;
  virtual std::unique_ptr<Stream> create_stream(const ahal_stream_args_t& args) = 0;
  virtual std::unique_ptr<Event> create_event(uint32_t flags) = 0;
  virtual std::unique_ptr<Module> create_module(const ahal_plugin_module_args_t& /*args*/) {
    raise(AHAL_ERROR_UNSUPPORTED, "this device takes no modules");
  }
  virtual Kernel& builtin_kernel(const char* name) {
    raise(AHAL_ERROR_UNSUPPORTED, "this device has no built-in kernels (asked for '%s')", name);
  }
  // Used only if the plugin sets api.image_score = Entries::image_score.
  virtual int32_t image_score(ahal_module_format_t /*format*/, const char* /*target*/) { return 0; }
  virtual void memory_usage(uint64_t* /*out_used*/, uint64_t* /*out_total*/) {
    raise(AHAL_ERROR_UNSUPPORTED, "this device does not report its memory usage");
  }
  virtual std::unique_ptr<CommandBuffer> create_command_buffer(
      const ahal_plugin_command_t* /*commands*/, uint32_t /*command_count*/, uint32_t /*flags*/) {
    raise(AHAL_ERROR_UNSUPPORTED, "this device has no native command buffers");
  }
  virtual std::unique_ptr<Buffer> import_buffer(const ahal_native_buffer_t& /*native*/) {
    raise(AHAL_ERROR_UNSUPPORTED, "this device cannot import native memory");
  }
  virtual uint32_t peer_flags(Device& /*peer*/) { return 0; }
  virtual uint64_t memory_peak(uint32_t /*flags*/) {
    raise(AHAL_ERROR_UNSUPPORTED, "this device does not track its peak memory use");
  }
};

class Instance {
 public:
  virtual ~Instance() = default;  // plugin_shutdown
  virtual uint32_t device_count() = 0;
  virtual std::unique_ptr<Device> open_device(uint32_t index) = 0;
  virtual void ccl_query(uint32_t /*version*/, ahal_plugin_ccl_t& /*table*/) {
    raise(AHAL_ERROR_UNSUPPORTED, "this plugin forwards to no collectives library");
  }
};
// @generated end classes

// ------------------------------------------------------ dispatch entries

// Handle <-> object. Always through the base class, never a derived one.
template <class T, class H>
T* object(H* handle) {
  return reinterpret_cast<T*>(handle);
}
template <class H, class T>
H* handle(T* object) {
  return reinterpret_cast<H*>(object);
}

}  // namespace ahal::plugin

// struct Entries and make_api(), generated from spec/ahal.toml.
#include <ahal/plugin_entries.hpp>
