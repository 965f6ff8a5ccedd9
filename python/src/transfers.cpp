// Device-to-device copies, stream queries, memory usage and imports of
// native memory (docs/interop.md), added to the classes objects.cpp defines.
#include <pybind11/stl.h>

#include "objects.hpp"

namespace ahal_py {

namespace {

// An ahal_native_buffer_t from the dict Buffer.native() returns (or one
// with the same keys; missing ones are 0).
ahal_native_buffer_t native_of(const py::dict& d) {
  ahal_native_buffer_t n = {};
  n.struct_size = sizeof(n);
  auto field = [&](const char* key) -> uint64_t {
    return d.contains(key) ? d[key].cast<uint64_t>() : 0;
  };
  n.kind = static_cast<ahal_native_handle_kind_t>(field("kind"));
  n.flags = static_cast<uint32_t>(field("flags"));
  n.handle = field("handle");
  n.memory = field("memory");
  n.memory_offset = field("memory_offset");
  n.size = field("size");
  n.context = field("context");
  n.device_ordinal = static_cast<uint32_t>(field("device_ordinal"));
  return n;
}

}  // namespace

void register_transfers(py::module_& m) {
  py::class_<Device, DeviceRef>(m.attr("Device"))
      .def("memory_usage",
           [](Device& d) {
             d.require_alive("Device.memory_usage");
             uint64_t used = 0, total = 0;
             call([&] { return ahal_device_memory_usage(d.handle, &used, &total); });
             return py::make_tuple(used, total);
           })
      .def(
          "import_native",
          [](const DeviceRef& d, const py::dict& native, py::object owner) {
            d->require_alive("Device.import_native");
            const ahal_native_buffer_t n = native_of(native);
            ahal_buffer_t b = nullptr;
            call([&] { return ahal_buffer_import_native(d->handle, &n, &b); });
            return std::make_shared<Buffer>(d, b, n.size, std::move(owner));
          },
          py::arg("native"), py::arg("owner") = py::none(),
          "Wraps native memory (a dict as Buffer.native() gives) as a Buffer that ahal does not "
          "free; owner is kept alive as long as the Buffer.");

  py::class_<Stream, StreamRef>(m.attr("Stream"))
      .def(
          "copy",
          [](Stream& s, py::handle src, py::handle dst, uint64_t src_offset, uint64_t dst_offset,
             py::object size) {
            const char* op = "Stream.copy";
            s.require_alive(op);
            auto [from, from_base] = buffer_of(op, src);
            auto [to, to_base] = buffer_of(op, dst);
            from->require_alive(op);
            to->require_alive(op);
            same_device(op, *s.device, *from->device, "source buffer");
            same_device(op, *s.device, *to->device, "destination buffer");
            const uint64_t n =
                size.is_none() ? from->size - from_base - src_offset : size.cast<uint64_t>();
            call([&] {
              return ahal_stream_copy_d2d(s.handle, from->handle, from_base + src_offset,
                                          to->handle, to_base + dst_offset, n);
            });
            queued_on(s, src);
            queued_on(s, dst);
          },
          py::arg("src"), py::arg("dst"), py::arg("src_offset") = 0, py::arg("dst_offset") = 0,
          py::arg("size") = py::none(),
          "Copies size bytes (default: the rest of src) on the device.")
      .def("query", [](Stream& s) {
        s.require_alive("Stream.query");
        const ahal_status_t st = ahal_stream_query(s.handle);
        if (st == AHAL_SUCCESS) return true;
        if (st == AHAL_NOT_READY) return false;
        raise_status(st);
      });
}

}  // namespace ahal_py
