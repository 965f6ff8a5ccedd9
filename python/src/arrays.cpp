// ahal.Array and DLPack: __dlpack__/__dlpack_device__ export a buffer's
// memory without a copy; ahal.from_dlpack imports another framework's
// host memory as a buffer ahal does not free (ahal_buffer_import_native).
#include <pybind11/stl.h>

#include <cstring>

#include "dlpack_abi.h"
#include "objects.hpp"

namespace ahal_py {

namespace {

namespace dl = ahal_dlpack;

const DType kDTypes[] = {
    {"float16", dl::kFloat, 16}, {"float32", dl::kFloat, 32}, {"float64", dl::kFloat, 64},
    {"int8", dl::kInt, 8},       {"int16", dl::kInt, 16},     {"int32", dl::kInt, 32},
    {"int64", dl::kInt, 64},     {"uint8", dl::kUInt, 8},     {"uint16", dl::kUInt, 16},
    {"uint32", dl::kUInt, 32},   {"uint64", dl::kUInt, 64},
};

std::string dtype_names() {
  std::string out;
  for (const DType& t : kDTypes) out += (out.empty() ? "" : ", ") + std::string(t.name);
  return out;
}

// The DLPack device of a buffer's memory, told honestly from its native kind.
dl::Device dlpack_device(const Buffer& b, const ahal_native_buffer_t& n) {
  switch (n.kind) {
    case AHAL_NATIVE_HANDLE_HOST_POINTER:
      return {dl::kCPU, 0};
    case AHAL_NATIVE_HANDLE_CUDA_DEVICE_POINTER:
      return {dl::kCUDA, static_cast<int32_t>(n.device_ordinal)};
    case AHAL_NATIVE_HANDLE_HIP_DEVICE_POINTER:
      return {dl::kROCM, static_cast<int32_t>(n.device_ordinal)};
    case AHAL_NATIVE_HANDLE_LEVEL_ZERO_POINTER:
      return {dl::kOneAPI, static_cast<int32_t>(n.device_ordinal)};
    default:
      (void)b;
      return {dl::kExtDev, static_cast<int32_t>(n.device_ordinal)};
  }
}

// What a capsule's deleter frees: the tensor, its shape and the array it views.
struct Export {
  dl::ManagedTensor managed{};
  dl::ManagedTensorVersioned versioned{};
  std::vector<int64_t> shape;
  ArrayRef array;
};

void delete_export(Export* e) {
  py::gil_scoped_acquire gil;  // the array may hold a Python owner
  delete e;
}

void capsule_destructor(PyObject* capsule) {
  // A consumer renames the capsule once it owns the tensor; else it is ours.
  if (PyCapsule_IsValid(capsule, dl::kCapsule)) {
    auto* t = static_cast<dl::ManagedTensor*>(PyCapsule_GetPointer(capsule, dl::kCapsule));
    if (t && t->deleter) t->deleter(t);
  } else if (PyCapsule_IsValid(capsule, dl::kCapsuleVersioned)) {
    auto* t = static_cast<dl::ManagedTensorVersioned*>(
        PyCapsule_GetPointer(capsule, dl::kCapsuleVersioned));
    if (t && t->deleter) t->deleter(t);
  }
}

// DLPack readiness: the producer stream (the array's, else the last one
// with work on the buffer) records an event; an ahal.Stream consumer of the
// same device waits for it on the device, any other consumer on the host.
// stream -1 asks for no synchronization (the DLPack specification).
void make_ready(const Array& a, const dl::Device& dev, const py::object& stream) {
  const char* op = "Array.__dlpack__";
  StreamRef consumer;
  if (py::isinstance<Stream>(stream)) {
    consumer = stream.cast<StreamRef>();
    consumer->require_alive(op);
  } else if (py::isinstance<py::int_>(stream)) {
    const int64_t s = stream.cast<int64_t>();
    if (s == -1) return;
    // A CUDA/ROCm consumer's stream: ahal cannot make a foreign stream wait
    // for its event, so the host waits, which orders that stream too.
    if (dev.device_type == dl::kCPU || dev.device_type == dl::kExtDev)
      throw py::value_error(std::string(op) +
                            ": stream must be None, -1 or an ahal.Stream for this memory "
                            "(DLPack device type " +
                            std::to_string(dev.device_type) + "); got " + std::to_string(s));
  } else if (!stream.is_none()) {
    throw py::type_error(std::string(op) +
                         ": stream must be None, -1, an integer stream of the consumer or an "
                         "ahal.Stream; got " +
                         std::string(py::str(stream.get_type())));
  }
  StreamRef producer = a.stream ? a.stream : a.buffer->last_stream.lock();
  if (!producer || !producer->alive()) return;  // nothing queued from Python is pending
  if (producer == consumer) return;             // one stream: in order already
  ahal_event_t handle = nullptr;
  call([&] { return ahal_event_create(producer->device->handle, 0, &handle); });
  auto event = std::make_shared<Event>(producer->device, handle);
  call([&] { return ahal_stream_record_event(producer->handle, handle); });
  if (consumer && consumer->device->handle == producer->device->handle) {
    call([&] { return ahal_stream_wait_event(consumer->handle, handle); });
    consumer->keep.push_back(py::cast(event));  // alive until the consumer synchronizes
  } else {
    call([&] { return ahal_event_wait(handle, UINT64_MAX); });
  }
}

py::object export_dlpack(const ArrayRef& a, py::object stream, py::object max_version) {
  Buffer& b = *a->buffer;
  b.require_alive("Array.__dlpack__");
  const ahal_native_buffer_t n = b.native();
  make_ready(*a, dlpack_device(b, n), stream);
  auto* e = new Export;
  e->array = a;
  e->shape = a->shape;
  dl::Tensor& t = e->managed.dl_tensor;
  t.data = reinterpret_cast<void*>(static_cast<uintptr_t>(n.handle));
  t.byte_offset = a->offset;
  t.device = dlpack_device(b, n);
  t.ndim = static_cast<int32_t>(e->shape.size());
  t.dtype = {a->dtype->code, a->dtype->bits, 1};
  t.shape = e->shape.data();
  t.strides = nullptr;
  const bool versioned =
      !max_version.is_none() && max_version.cast<py::tuple>()[0].cast<uint32_t>() >= 1;
  if (versioned) {
    e->versioned.version = {dl::kMajorVersion, dl::kMinorVersion};
    e->versioned.manager_ctx = e;
    e->versioned.dl_tensor = t;
    e->versioned.deleter = [](dl::ManagedTensorVersioned* self) {
      delete_export(static_cast<Export*>(self->manager_ctx));
    };
    return py::reinterpret_steal<py::object>(
        PyCapsule_New(&e->versioned, dl::kCapsuleVersioned, capsule_destructor));
  }
  e->managed.manager_ctx = e;
  e->managed.deleter = [](dl::ManagedTensor* self) {
    delete_export(static_cast<Export*>(self->manager_ctx));
  };
  return py::reinterpret_steal<py::object>(
      PyCapsule_New(&e->managed, dl::kCapsule, capsule_destructor));
}

// Owns a consumed DLPack tensor: its deleter runs when the imported buffer dies.
struct Consumed {
  dl::ManagedTensor* managed = nullptr;
  dl::ManagedTensorVersioned* versioned = nullptr;
  ~Consumed() {
    if (managed && managed->deleter) managed->deleter(managed);
    if (versioned && versioned->deleter) versioned->deleter(versioned);
  }
};

ArrayRef import_dlpack(py::object obj, DeviceRef device) {
  const char* op = "ahal.from_dlpack";
  if (!py::hasattr(obj, "__dlpack__"))
    throw py::type_error(std::string(op) + ": " + std::string(py::str(obj.get_type())) +
                         " has no __dlpack__");
  if (py::hasattr(obj, "__dlpack_device__")) {
    auto dev = obj.attr("__dlpack_device__")().cast<std::pair<int, int>>();
    if (dev.first != dl::kCPU && dev.first != dl::kCUDAHost)
      throw py::value_error(std::string(op) +
                            ": only host memory (kDLCPU) can be imported; the object is on "
                            "DLPack device type " +
                            std::to_string(dev.first));
  }
  device->require_alive(op);
  py::object capsule = obj.attr("__dlpack__")();
  auto owner = std::make_shared<Consumed>();
  dl::Tensor* t = nullptr;
  if (PyCapsule_IsValid(capsule.ptr(), dl::kCapsule)) {
    owner->managed =
        static_cast<dl::ManagedTensor*>(PyCapsule_GetPointer(capsule.ptr(), dl::kCapsule));
    t = &owner->managed->dl_tensor;
    PyCapsule_SetName(capsule.ptr(), dl::kCapsuleUsed);
  } else if (PyCapsule_IsValid(capsule.ptr(), dl::kCapsuleVersioned)) {
    owner->versioned = static_cast<dl::ManagedTensorVersioned*>(
        PyCapsule_GetPointer(capsule.ptr(), dl::kCapsuleVersioned));
    t = &owner->versioned->dl_tensor;
    PyCapsule_SetName(capsule.ptr(), dl::kCapsuleUsedVersioned);
  } else {
    throw py::type_error(std::string(op) + ": __dlpack__ did not return a DLPack capsule");
  }
  const DType* dtype = dtype_of_dlpack(t->dtype.code, t->dtype.bits, t->dtype.lanes);
  if (!dtype)
    throw py::type_error(std::string(op) + ": DLPack dtype (code " + std::to_string(t->dtype.code) +
                         ", bits " + std::to_string(t->dtype.bits) + ", lanes " +
                         std::to_string(t->dtype.lanes) + ") is not supported; ahal holds " +
                         dtype_names());
  auto a = std::make_shared<Array>();
  a->dtype = dtype;
  a->shape.assign(t->shape, t->shape + t->ndim);
  if (t->strides) {  // compact row-major only (strides of size-1 dims do not matter)
    int64_t expect = 1;
    for (int i = t->ndim - 1; i >= 0; --i) {
      if (t->shape[i] != 1 && t->strides[i] != expect)
        throw py::value_error(std::string(op) +
                              ": the tensor is not C-contiguous; make it so first "
                              "(numpy.ascontiguousarray, torch.Tensor.contiguous)");
      expect *= t->shape[i];
    }
  }
  const uintptr_t data = reinterpret_cast<uintptr_t>(t->data) + t->byte_offset;
  // Import from an aligned base, so a sliced array keeps its exact address.
  const uintptr_t base = data & ~uintptr_t(63);
  a->offset = data - base;
  const uint64_t size = a->offset + (a->nbytes() ? a->nbytes() : 1);
  ahal_native_buffer_t n = {};
  n.struct_size = sizeof(n);
  n.kind = AHAL_NATIVE_HANDLE_HOST_POINTER;
  n.handle = base;
  n.size = size;
  ahal_buffer_t b = nullptr;
  call([&] { return ahal_buffer_import_native(device->handle, &n, &b); });
  a->buffer = std::make_shared<Buffer>(device, b, size, py::cast(owner));
  return a;
}

}  // namespace

uint64_t Array::count() const {
  uint64_t n = 1;
  for (int64_t d : shape) n *= static_cast<uint64_t>(d);
  return n;
}

const DType& dtype_of(const py::handle& spec) {
  std::string name;
  if (py::isinstance<py::str>(spec)) {
    name = spec.cast<std::string>();
  } else if (py::hasattr(spec, "itemsize") && py::hasattr(spec, "name")) {
    name = py::str(spec.attr("name"));  // numpy.dtype
  } else if (py::hasattr(spec, "__name__")) {
    name = py::str(spec.attr("__name__"));  // numpy.float32
  } else {
    name = py::str(spec);  // torch.float32
  }
  if (name.rfind("torch.", 0) == 0) name = name.substr(6);
  for (const DType& t : kDTypes)
    if (name == t.name) return t;
  throw py::type_error("ahal: dtype '" + name + "' is not supported; use one of " + dtype_names());
}

const DType* dtype_of_dlpack(uint8_t code, uint8_t bits, uint16_t lanes) {
  if (lanes != 1) return nullptr;
  for (const DType& t : kDTypes)
    if (t.code == code && t.bits == bits) return &t;
  return nullptr;
}

void register_arrays(py::module_& m) {
  py::class_<Consumed, std::shared_ptr<Consumed>>(m, "_DLPackOwner");
  py::class_<Array, ArrayRef>(m, "Array", "A C-contiguous typed view of an ahal.Buffer.")
      .def(py::init([](BufferRef b, py::object shape, py::object dtype, uint64_t offset) {
             b->require_alive("Array");
             auto a = std::make_shared<Array>();
             a->buffer = std::move(b);
             a->shape = shape_of(shape);
             a->dtype = &dtype_of(dtype);
             a->offset = offset;
             if (offset > a->buffer->size || a->nbytes() > a->buffer->size - offset)
               throw py::value_error("Array: " + std::to_string(a->nbytes()) + " bytes at offset " +
                                     std::to_string(offset) + " do not fit the buffer's " +
                                     std::to_string(a->buffer->size) + " bytes");
             return a;
           }),
           py::arg("buffer"), py::arg("shape"), py::arg("dtype"), py::arg("offset") = 0)
      .def_readonly("buffer", &Array::buffer)
      .def_readonly("offset", &Array::offset)
      .def_property(
          "stream", [](Array& a) { return a.stream; },
          [](Array& a, StreamRef s) {
            if (s) {
              s->require_alive("Array.stream");
              same_device("Array.stream", *a.buffer->device, *s->device, "stream");
            }
            a.stream = std::move(s);
          },
          "The stream whose work __dlpack__ makes the consumer wait for (None: the last stream "
          "with work on the buffer).")
      .def_property_readonly("shape",
                             [](Array& a) {
                               py::tuple t(a.shape.size());
                               for (size_t i = 0; i < a.shape.size(); ++i) t[i] = a.shape[i];
                               return t;
                             })
      .def_property_readonly("dtype", [](Array& a) { return std::string(a.dtype->name); })
      .def_property_readonly("nbytes", &Array::nbytes)
      .def_property_readonly("device", [](Array& a) { return a.buffer->device; })
      .def_property_readonly("data_ptr",
                             [](Array& a) {
                               a.buffer->require_alive("Array.data_ptr");
                               return a.buffer->native().handle + a.offset;
                             })
      .def("__dlpack__", &export_dlpack, py::arg("stream") = py::none(),
           py::arg("max_version") = py::none())
      .def("__dlpack_device__",
           [](Array& a) {
             a.buffer->require_alive("Array.__dlpack_device__");
             const dl::Device d = dlpack_device(*a.buffer, a.buffer->native());
             return py::make_tuple(d.device_type, d.device_id);
           })
      .def("__repr__", [](Array& a) {
        std::string s = "<ahal.Array " + std::string(a.dtype->name) + "(";
        for (size_t i = 0; i < a.shape.size(); ++i)
          s += (i ? ", " : "") + std::to_string(a.shape[i]);
        return s + ") on " + a.buffer->device->selector() + ">";
      });
  m.def("_itemsize", [](py::handle d) { return dtype_of(d).bits / 8u; });
  m.def("_from_dlpack", &import_dlpack, py::arg("obj"), py::arg("device"));
}

}  // namespace ahal_py

PYBIND11_MODULE(_ahal, m) {
  m.doc() = "ahal's C API for Python (docs/python.md).";
  ahal_py::register_objects(m);
  ahal_py::register_arrays(m);
  ahal_py::register_commands(m);
  ahal_py::register_transfers(m);
}
