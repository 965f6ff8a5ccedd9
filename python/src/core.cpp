// ahal.Error, element types and object lifetimes.
#include <cstring>

#include "dlpack_abi.h"
#include "objects.hpp"

namespace ahal_py {

// ------------------------------------------------------------------ errors

namespace {
PyObject* g_error_type = nullptr;
}

void raise_status(ahal_status_t status) { throw Error{status, ahal_last_error_message()}; }

void register_errors(py::module_& m) {
  // ahal.Error(message); .status (int), .status_name ("AHAL_ERROR_..."), .message.
  g_error_type = PyErr_NewExceptionWithDoc(
      "ahal.Error",
      "A failed ahal call: .status is the ahal_status_t value, .status_name its name "
      "and .message the message (it names the C function).",
      PyExc_RuntimeError, nullptr);
  m.add_object("Error", py::handle(g_error_type));
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const Error& e) {
      const std::string name = ahal_status_string(e.status);
      py::object err = py::reinterpret_borrow<py::object>(g_error_type)(
          e.message.empty() ? name : e.message);
      err.attr("status") = static_cast<int>(e.status);
      err.attr("status_name") = name;
      err.attr("message") = e.message;
      PyErr_SetObject(g_error_type, err.ptr());
    }
  });
}

// ----------------------------------------------------------------- dtypes

namespace {

using namespace ahal_dlpack;

const DType kDTypes[] = {
    {"float16", 'e', kFloat, 16}, {"float32", 'f', kFloat, 32}, {"float64", 'd', kFloat, 64},
    {"int8", 'b', kInt, 8},       {"int16", 'h', kInt, 16},     {"int32", 'i', kInt, 32},
    {"int64", 'q', kInt, 64},     {"uint8", 'B', kUInt, 8},     {"uint16", 'H', kUInt, 16},
    {"uint32", 'I', kUInt, 32},   {"uint64", 'Q', kUInt, 64},
};

const DType* by_name(const std::string& name) {
  for (const DType& t : kDTypes)
    if (name == t.name) return &t;
  return nullptr;
}

}  // namespace

std::string dtype_names() {
  std::string out;
  for (const DType& t : kDTypes) out += (out.empty() ? "" : ", ") + std::string(t.name);
  return out;
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
  if (const DType* t = by_name(name)) return *t;
  throw py::type_error("ahal: dtype '" + name + "' is not supported; use one of " +
                       dtype_names());
}

const DType* dtype_of_format(const std::string& format, size_t itemsize) {
  std::string f = format;
  if (!f.empty() && (f[0] == '@' || f[0] == '=' || f[0] == '<')) f = f.substr(1);
  if (f.size() != 1) return nullptr;
  const char c = f[0];
  const bool is_signed = std::strchr("bhilq", c) != nullptr;
  const bool is_unsigned = std::strchr("BHILQ", c) != nullptr;
  const uint8_t bits = static_cast<uint8_t>(itemsize * 8);
  for (const DType& t : kDTypes) {
    if (t.bits != bits) continue;
    if (is_signed && t.dl_code == kInt) return &t;
    if (is_unsigned && t.dl_code == kUInt) return &t;
    if (t.dl_code == kFloat && t.format == c) return &t;
  }
  return nullptr;
}

const DType* dtype_of_dlpack(uint8_t code, uint8_t bits) {
  for (const DType& t : kDTypes)
    if (t.dl_code == code && t.bits == bits) return &t;
  return nullptr;
}

// -------------------------------------------------------------- lifetimes

RuntimeState::~RuntimeState() { close(); }

void RuntimeState::close() {
  if (!handle) return;
  ahal_runtime_t rt = std::exchange(handle, nullptr);
  py::gil_scoped_release nogil;  // its streams' host callbacks may need the GIL
  ahal_runtime_destroy(rt);
}

void Object::require_alive(const char* op) const {
  if (!runtime->open())
    throw py::value_error(std::string(op) + ": the " + type_name +
                          "'s Runtime was closed, which destroyed it");
  if (destroyed) throw py::value_error(std::string(op) + ": the " + type_name + " was destroyed");
}

void Pending::add(const std::shared_ptr<Stream>& stream) {
  for (auto& [weak, ticket] : uses_) {
    if (weak.lock() == stream) {
      ticket = stream->enqueued;
      return;
    }
  }
  uses_.emplace_back(stream, stream->enqueued);
}

void Pending::wait() {
  for (auto& [weak, ticket] : uses_) {
    StreamRef s = weak.lock();
    if (!s || !s->alive() || s->completed >= ticket) continue;
    // An event after the work, waited for on the host: later work the
    // stream got meanwhile does not delay us.
    ahal_event_t e = nullptr;
    check(ahal_event_create(s->device->handle, 0, &e));
    ahal_status_t st = ahal_stream_record_event(s->handle, e);
    if (st == AHAL_SUCCESS) {
      py::gil_scoped_release nogil;
      st = ahal_event_wait(e, UINT64_MAX);
    }
    const std::string message = st ? ahal_last_error_message() : "";
    ahal_event_destroy(e);
    if (st) throw Error{st, message};
    s->completed_through(ticket);
  }
  uses_.clear();
}

uint64_t Array::count() const {
  uint64_t n = 1;
  for (int64_t d : shape) n *= static_cast<uint64_t>(d);
  return n;
}

std::vector<int64_t> shape_of(const py::handle& shape) {
  std::vector<int64_t> out;
  if (py::isinstance<py::int_>(shape)) {
    out.push_back(shape.cast<int64_t>());
  } else {
    for (const py::handle& d : shape) out.push_back(d.cast<int64_t>());
  }
  for (int64_t d : out)
    if (d < 0) throw py::value_error("ahal: a shape's dimensions must be >= 0");
  return out;
}

void require_same_device(const char* op, const Device& expected, const Device& got,
                         const char* what) {
  if (expected.handle == got.handle) return;
  throw py::value_error(std::string(op) + ": the " + what + " belongs to " + got.selector() +
                        ", not to " + expected.selector() + " (another device)");
}

}  // namespace ahal_py
