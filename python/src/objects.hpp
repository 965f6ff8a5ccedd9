// The C++ objects behind the Python module `ahal` (docs/python.md): one per
// ahal handle, shared by Python through std::shared_ptr. Every object keeps
// its runtime alive; it is dead once destroyed or once its runtime was
// closed, and then refuses calls with a ValueError naming it.
#pragma once

#include <ahal/ahal.h>
#include <pybind11/pybind11.h>

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace ahal_py {

namespace py = pybind11;

// ------------------------------------------------------------------ errors

// A failed ahal call; becomes ahal.Error(status, message) in Python.
struct Error {
  ahal_status_t status;
  std::string message;
};

// Throws Error with the thread's last ahal message.
[[noreturn]] void raise_status(ahal_status_t status);

inline void check(ahal_status_t status) {
  if (status != AHAL_SUCCESS) raise_status(status);
}

// Runs an ahal call without the GIL (it may wait, and host callbacks need
// the GIL), then throws on failure.
template <class F>
void call(F&& f) {
  ahal_status_t status;
  {
    py::gil_scoped_release nogil;
    status = f();
  }
  check(status);
}

// Registers ahal.Error and the translation of Error into it.
void register_errors(py::module_& m);

// ----------------------------------------------------------------- dtypes

// An element type both NumPy (buffer-protocol format) and DLPack name.
struct DType {
  const char* name;  // "float32"
  char format;       // struct-module format character
  uint8_t dl_code;   // ahal_dlpack::TypeCode
  uint8_t bits;
  uint32_t itemsize() const { return bits / 8u; }
};

// The dtype of a name ("float32"), NumPy dtype, NumPy scalar type or torch
// dtype; TypeError for anything else.
const DType& dtype_of(const py::handle& spec);
// The dtype of a buffer-protocol format string with this item size, or
// nullptr ("B" -> uint8, "<f" -> float32, "l" of size 8 -> int64).
const DType* dtype_of_format(const std::string& format, size_t itemsize);
const DType* dtype_of_dlpack(uint8_t code, uint8_t bits);
std::string dtype_names();

// -------------------------------------------------------------- lifetimes

struct RuntimeState {
  ahal_runtime_t handle = nullptr;
  ~RuntimeState();
  bool open() const { return handle != nullptr; }
  void close();
};
using RuntimeRef = std::shared_ptr<RuntimeState>;

// What every object has: its runtime and whether it was destroyed.
struct Object {
  Object(RuntimeRef rt, const char* kind) : runtime(std::move(rt)), type_name(kind) {}
  RuntimeRef runtime;
  const char* type_name;
  bool destroyed = false;
  bool alive() const { return !destroyed && runtime->open(); }
  // ValueError "<op>: the Buffer was destroyed" (or its runtime closed).
  void require_alive(const char* op) const;
};

struct Stream;

// Streams with work that uses an object, and the work's ticket on each.
class Pending {
 public:
  void add(const std::shared_ptr<Stream>& stream);
  // Waits on the host, through an event per stream, until the work done so
  // far on every stream that used the object has completed.
  void wait();

 private:
  std::vector<std::pair<std::weak_ptr<Stream>, uint64_t>> uses_;
};

struct Device : Object {
  Device(RuntimeRef rt, ahal_device_t h);
  ahal_device_t handle;
  ahal_device_properties_t properties{};
  std::shared_ptr<Stream> default_stream;  // made on first use
  std::string selector() const { return properties.selector; }
  bool host_visible_memory() const {
    return (properties.features & AHAL_FEATURE_HOST_VISIBLE_MEMORY) != 0;
  }
};
using DeviceRef = std::shared_ptr<Device>;

struct Stream : Object, std::enable_shared_from_this<Stream> {
  Stream(DeviceRef d, ahal_stream_t h) : Object(d->runtime, "Stream"), device(std::move(d)), handle(h) {}
  ~Stream();
  DeviceRef device;
  ahal_stream_t handle;
  uint64_t enqueued = 0;   // tickets handed out
  uint64_t completed = 0;  // tickets known complete
  // Python objects (host memory, callbacks) queued work still uses.
  std::vector<std::pair<uint64_t, py::object>> keep;
  // A ticket for one more command; `hold` stays referenced until it ran.
  uint64_t enqueue(py::object hold = py::object());
  void completed_through(uint64_t ticket);
  void synchronize();
  void destroy();
};
using StreamRef = std::shared_ptr<Stream>;

// The device's stream for calls given stream=None (and then synchronized).
StreamRef default_stream(const DeviceRef& device);

struct Buffer : Object {
  Buffer(DeviceRef d, ahal_buffer_t h, uint64_t size, uint32_t flags);
  ~Buffer();
  DeviceRef device;
  ahal_buffer_t handle;
  uint64_t size;
  uint32_t flags;
  Pending pending;
  // The host mapping, shared by every view of the buffer.
  void* mapped = nullptr;
  uint32_t map_refs = 0;
  void* map_ref();  // maps the whole buffer on first use
  void map_unref();
  // The native handle; kind NONE when the plugin has none.
  ahal_native_buffer_t native();
  // A host address of the memory without mapping (cpu), or nullptr.
  void* direct_host_pointer();
  void destroy();
};
using BufferRef = std::shared_ptr<Buffer>;

struct HostAlloc : Object {
  HostAlloc(DeviceRef d, ahal_host_alloc_t h, void* p, uint64_t n)
      : Object(d->runtime, "HostAlloc"), device(std::move(d)), handle(h), pointer(p), size(n) {}
  ~HostAlloc();
  DeviceRef device;
  ahal_host_alloc_t handle;
  void* pointer;
  uint64_t size;
  Pending pending;
  void destroy();
};
using HostAllocRef = std::shared_ptr<HostAlloc>;

// A host view of a buffer: keeps it mapped while Python uses the view.
struct Mapping {
  explicit Mapping(BufferRef b);
  ~Mapping();
  BufferRef buffer;
  void* pointer;
};

struct Event : Object {
  Event(DeviceRef d, ahal_event_t h, uint32_t f)
      : Object(d->runtime, "Event"), device(std::move(d)), handle(h), flags(f) {}
  ~Event();
  DeviceRef device;
  ahal_event_t handle;
  uint32_t flags;
  std::weak_ptr<Stream> last_stream;  // of the last record, and its ticket
  uint64_t last_ticket = 0;
  Pending pending;
  void completed();  // the last record completed: so did its stream's work before it
  void destroy();
};
using EventRef = std::shared_ptr<Event>;

struct Module : Object {
  Module(DeviceRef d, ahal_module_t h) : Object(d->runtime, "Module"), device(std::move(d)), handle(h) {}
  ~Module();
  DeviceRef device;
  ahal_module_t handle;
  void destroy();
};
using ModuleRef = std::shared_ptr<Module>;

struct Kernel : Object {
  Kernel(DeviceRef d, ModuleRef m, ahal_kernel_t h, std::string n)
      : Object(d->runtime, "Kernel"), device(std::move(d)), module(std::move(m)), handle(h),
        name(std::move(n)) {}
  DeviceRef device;
  ModuleRef module;  // null for built-in kernels (the device owns them)
  ahal_kernel_t handle;
  std::string name;
  bool alive_with_module() const { return alive() && (!module || module->alive()); }
};
using KernelRef = std::shared_ptr<Kernel>;

struct CommandBuffer : Object {
  CommandBuffer(DeviceRef d, ahal_command_buffer_t h)
      : Object(d->runtime, "CommandBuffer"), device(std::move(d)), handle(h) {}
  ~CommandBuffer();
  DeviceRef device;
  ahal_command_buffer_t handle;
  bool finalized = false;
  std::vector<py::object> keep;  // what recorded commands use
  std::vector<BufferRef> buffers;
  void destroy();
};
using CommandBufferRef = std::shared_ptr<CommandBuffer>;

// An n-dimensional, C-contiguous typed view of a Buffer or a HostAlloc.
struct Array {
  BufferRef buffer;        // one of buffer and host_alloc is set
  HostAllocRef host_alloc;
  uint64_t offset = 0;  // bytes
  std::vector<int64_t> shape;
  const DType* dtype = nullptr;
  std::shared_ptr<Mapping> view;  // held once a host view was asked for

  DeviceRef device() const { return buffer ? buffer->device : host_alloc->device; }
  const Object& owner() const {
    if (buffer) return *buffer;
    return *host_alloc;
  }
  Pending& pending() { return buffer ? buffer->pending : host_alloc->pending; }
  uint64_t count() const;
  uint64_t nbytes() const { return count() * dtype->itemsize(); }
  // Host address of the first element, mapping the buffer if it must;
  // nullptr when the memory is not host-visible.
  void* host_pointer();
};
using ArrayRef = std::shared_ptr<Array>;

// ------------------------------------------------------------ registration

void register_runtime(py::module_& m);
void register_memory(py::module_& m);
void register_streams(py::module_& m);
void register_programs(py::module_& m);
void register_dlpack(py::module_& m);

// Shared argument helpers.
std::vector<int64_t> shape_of(const py::handle& shape);
// "another device" check: ValueError naming both devices.
void require_same_device(const char* op, const Device& expected, const Device& got,
                         const char* what);
// A Buffer or an Array's buffer (with the Array's byte offset), else TypeError.
std::pair<BufferRef, uint64_t> buffer_of(const char* op, const py::handle& obj);

}  // namespace ahal_py
