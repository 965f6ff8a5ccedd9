// The C++ objects behind the Python module `ahal` (docs/python.md): one per
// ahal handle, shared with Python through std::shared_ptr. Each keeps its
// runtime alive; once destroyed, or once its runtime was closed (which
// destroyed it), it refuses calls with a ValueError that names it.
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

// A failed ahal call; becomes ahal.Error with .status, .status_name, .message.
struct Error {
  ahal_status_t status;
  std::string message;
};

[[noreturn]] void raise_status(ahal_status_t status);

// Runs an ahal call without the GIL (it may wait), then throws on failure.
template <class F>
void call(F&& f) {
  ahal_status_t status;
  {
    py::gil_scoped_release nogil;
    status = f();
  }
  if (status != AHAL_SUCCESS) raise_status(status);
}

struct RuntimeState {
  ahal_runtime_t handle = nullptr;
  ~RuntimeState() { close(); }
  void close();
};
using RuntimeRef = std::shared_ptr<RuntimeState>;

struct Object {
  Object(RuntimeRef rt, const char* kind) : runtime(std::move(rt)), type_name(kind) {}
  RuntimeRef runtime;
  const char* type_name;
  bool destroyed = false;
  bool alive() const { return !destroyed && runtime->handle; }
  // ValueError "<op>: the Buffer was destroyed" (or its Runtime closed).
  void require_alive(const char* op) const;
};

struct Device : Object {
  Device(RuntimeRef rt, ahal_device_t h);
  ahal_device_t handle;
  ahal_device_properties_t properties{};
  std::string selector() const { return properties.selector; }
};
using DeviceRef = std::shared_ptr<Device>;

struct Stream;

struct Buffer : Object {
  Buffer(DeviceRef d, ahal_buffer_t h, uint64_t n, py::object owner = py::object())
      : Object(d->runtime, "Buffer"),
        device(std::move(d)),
        handle(h),
        size(n),
        imported_from(std::move(owner)) {}
  ~Buffer() { destroy(); }
  DeviceRef device;
  ahal_buffer_t handle;
  uint64_t size;
  py::object imported_from;  // the Python owner of imported memory, kept alive
  // The stream of the last work queued on it from Python: what __dlpack__
  // makes the consumer wait for (arrays.cpp). Expired once that stream was
  // destroyed, which waited for its work.
  std::weak_ptr<Stream> last_stream;
  ahal_native_buffer_t native() const;
  void destroy();
};
using BufferRef = std::shared_ptr<Buffer>;

struct Stream : Object, std::enable_shared_from_this<Stream> {
  Stream(DeviceRef d, ahal_stream_t h)
      : Object(d->runtime, "Stream"), device(std::move(d)), handle(h) {}
  ~Stream() { destroy(); }
  DeviceRef device;
  ahal_stream_t handle;
  std::vector<py::object> keep;  // host memory queued copies use, until synchronize
  void destroy() {
    if (alive()) ahal_stream_destroy(handle);  // waits for the work
    destroyed = true;
    keep.clear();
  }
};
using StreamRef = std::shared_ptr<Stream>;

// Remembers `s` as the last stream with work on the buffer of `obj` (a
// Buffer or Array; anything else is ignored).
void queued_on(Stream& s, const py::handle& obj);

struct Event : Object {
  Event(DeviceRef d, ahal_event_t h)
      : Object(d->runtime, "Event"), device(std::move(d)), handle(h) {}
  ~Event() { destroy(); }
  DeviceRef device;
  ahal_event_t handle;
  void destroy() {
    if (alive()) ahal_event_destroy(handle);
    destroyed = true;
  }
};
using EventRef = std::shared_ptr<Event>;

struct Module : Object {
  Module(DeviceRef d, ahal_module_t h)
      : Object(d->runtime, "Module"), device(std::move(d)), handle(h) {}
  ~Module() { destroy(); }
  DeviceRef device;
  ahal_module_t handle;
  void destroy() {
    if (alive()) ahal_module_destroy(handle);
    destroyed = true;
  }
};
using ModuleRef = std::shared_ptr<Module>;

struct Kernel {
  DeviceRef device;
  ModuleRef module;  // null for a built-in kernel
  ahal_kernel_t handle;
  std::string name;
  void require_alive(const char* op) const {
    if (module) module->require_alive(op);
    device->require_alive(op);
  }
};
using KernelRef = std::shared_ptr<Kernel>;

// The dtypes ahal arrays hold (DLPack code and bits, NumPy name).
struct DType {
  const char* name;
  uint8_t code;  // ahal_dlpack::TypeCode
  uint8_t bits;
};
const DType& dtype_of(const py::handle& spec);  // TypeError naming the choices
const DType* dtype_of_dlpack(uint8_t code, uint8_t bits, uint16_t lanes);

// An n-dimensional C-contiguous typed view of a Buffer.
struct Array {
  BufferRef buffer;
  uint64_t offset = 0;  // bytes
  std::vector<int64_t> shape;
  const DType* dtype = nullptr;
  StreamRef stream;  // set by the user: the stream __dlpack__ makes ready from
  uint64_t count() const;
  uint64_t nbytes() const { return count() * dtype->bits / 8; }
};
using ArrayRef = std::shared_ptr<Array>;

DeviceRef find_device(const RuntimeRef& rt, const std::string& selector);
// ValueError "<op>: the <what> belongs to <dev>, not to <want>".
void same_device(const char* op, const Device& want, const Device& got, const char* what);
// A C-contiguous host view of a bytes-like object (TypeError otherwise).
py::buffer_info host_view(const char* op, const py::handle& obj, bool writable);
// A Buffer, or an Array's buffer with its byte offset (TypeError otherwise).
std::pair<BufferRef, uint64_t> buffer_of(const char* op, const py::handle& obj);
// Launch arguments; `binds` and `constants` hold what they point to.
ahal_launch_args_t launch_args(const char* op, const Device& device,
                               const std::vector<uint32_t>& grid,
                               const std::vector<uint32_t>& workgroup, const py::list& buffers,
                               const py::object& constants, std::vector<ahal_binding_t>& binds,
                               std::string& constant_bytes);
std::vector<int64_t> shape_of(const py::handle& shape);

void register_objects(py::module_& m);
void register_arrays(py::module_& m);
void register_commands(py::module_& m);
void register_transfers(py::module_& m);

}  // namespace ahal_py
