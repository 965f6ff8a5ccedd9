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
// Between the "@generated" lines: the classes' virtual methods, struct
// Entries and make_api(), generated from spec/ahal.toml (spec/generate.py).
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

// @generated begin entries
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
  return api;
}
// @generated end entries

}  // namespace ahal::plugin
