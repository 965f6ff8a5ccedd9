// ahal.CommandBuffer (docs/command-buffers.md): record once, submit to any
// stream of its device many times.
#include <pybind11/stl.h>

#include "objects.hpp"

namespace ahal_py {

namespace {

struct CommandBuffer : Object {
  CommandBuffer(DeviceRef d, ahal_command_buffer_t h)
      : Object(d->runtime, "CommandBuffer"), device(std::move(d)), handle(h) {}
  ~CommandBuffer() { destroy(); }
  DeviceRef device;
  ahal_command_buffer_t handle;
  std::vector<py::object> keep;  // host memory and buffers the commands use
  void destroy() {
    if (alive()) {
      py::gil_scoped_release nogil;
      ahal_command_buffer_destroy(handle);  // waits for submissions in flight
    }
    destroyed = true;
    keep.clear();
  }
  // The buffer of `obj` (checked alive and of this device), kept with the commands.
  std::pair<BufferRef, uint64_t> use(const char* op, const py::handle& obj) {
    require_alive(op);
    auto [b, base] = buffer_of(op, obj);
    b->require_alive(op);
    same_device(op, *device, *b->device, "buffer");
    keep.push_back(py::reinterpret_borrow<py::object>(obj));
    return {b, base};
  }
};
using CommandBufferRef = std::shared_ptr<CommandBuffer>;

}  // namespace

void register_commands(py::module_& m) {
  py::class_<CommandBuffer, CommandBufferRef>(m, "CommandBuffer")
      .def(
          "write",
          [](CommandBuffer& cb, py::handle dst, py::handle src, uint64_t offset) {
            auto [b, base] = cb.use("CommandBuffer.write", dst);
            py::buffer_info v = host_view("CommandBuffer.write", src, false);
            const uint64_t n = static_cast<uint64_t>(v.size * v.itemsize);
            call([&] {
              return ahal_command_buffer_copy_h2d(cb.handle, v.ptr, b->handle, base + offset, n);
            });
            cb.keep.push_back(py::reinterpret_borrow<py::object>(src));
          },
          py::arg("dst"), py::arg("src"), py::arg("offset") = 0,
          "Records a copy of src's bytes (read at each submission) into dst.")
      .def(
          "read",
          [](CommandBuffer& cb, py::handle src, py::handle dst, uint64_t offset) {
            auto [b, base] = cb.use("CommandBuffer.read", src);
            py::buffer_info v = host_view("CommandBuffer.read", dst, true);
            const uint64_t n = static_cast<uint64_t>(v.size * v.itemsize);
            call([&] {
              return ahal_command_buffer_copy_d2h(cb.handle, b->handle, base + offset, v.ptr, n);
            });
            cb.keep.push_back(py::reinterpret_borrow<py::object>(dst));
          },
          py::arg("src"), py::arg("dst"), py::arg("offset") = 0)
      .def(
          "fill",
          [](CommandBuffer& cb, py::handle dst, py::bytes pattern, uint64_t offset,
             py::object size) {
            auto [b, base] = cb.use("CommandBuffer.fill", dst);
            const std::string p = pattern;
            const uint64_t n = size.is_none() ? b->size - base - offset : size.cast<uint64_t>();
            call([&] {
              return ahal_command_buffer_fill(cb.handle, b->handle, base + offset, n, p.data(),
                                              static_cast<uint32_t>(p.size()));
            });
          },
          py::arg("dst"), py::arg("pattern"), py::arg("offset") = 0, py::arg("size") = py::none())
      .def(
          "launch",
          [](CommandBuffer& cb, const KernelRef& k, const std::vector<uint32_t>& grid,
             const std::vector<uint32_t>& workgroup, const py::list& buffers,
             const py::object& constants) {
            const char* op = "CommandBuffer.launch";
            cb.require_alive(op);
            k->require_alive(op);
            same_device(op, *cb.device, *k->device, "kernel");
            std::vector<ahal_binding_t> binds;
            std::string c;
            const ahal_launch_args_t a =
                launch_args(op, *cb.device, grid, workgroup, buffers, constants, binds, c);
            for (const py::handle& h : buffers)
              cb.keep.push_back(py::reinterpret_borrow<py::object>(h));
            cb.keep.push_back(py::cast(k));
            uint32_t index = 0;
            call([&] { return ahal_command_buffer_launch(cb.handle, k->handle, &a, &index); });
            return index;
          },
          py::arg("kernel"), py::arg("grid"), py::arg("workgroup"), py::arg("buffers"),
          py::arg("constants") = py::none(), "Records a launch; returns its index.")
      .def(
          "copy",
          [](CommandBuffer& cb, py::handle src, py::handle dst, uint64_t src_offset,
             uint64_t dst_offset, py::object size) {
            auto [from, from_base] = cb.use("CommandBuffer.copy", src);
            auto [to, to_base] = cb.use("CommandBuffer.copy", dst);
            const uint64_t n =
                size.is_none() ? from->size - from_base - src_offset : size.cast<uint64_t>();
            call([&] {
              return ahal_command_buffer_copy_d2d(cb.handle, from->handle, from_base + src_offset,
                                                  to->handle, to_base + dst_offset, n);
            });
          },
          py::arg("src"), py::arg("dst"), py::arg("src_offset") = 0, py::arg("dst_offset") = 0,
          py::arg("size") = py::none())
      .def("record",
           [](CommandBuffer& cb, const EventRef& e) {
             cb.require_alive("CommandBuffer.record");
             e->require_alive("CommandBuffer.record");
             call([&] { return ahal_command_buffer_record_event(cb.handle, e->handle); });
             cb.keep.push_back(py::cast(e));
           })
      .def("wait",
           [](CommandBuffer& cb, const EventRef& e) {
             cb.require_alive("CommandBuffer.wait");
             e->require_alive("CommandBuffer.wait");
             call([&] { return ahal_command_buffer_wait_event(cb.handle, e->handle); });
             cb.keep.push_back(py::cast(e));
           })
      .def("barrier",
           [](CommandBuffer& cb) {
             cb.require_alive("CommandBuffer.barrier");
             call([&] { return ahal_command_buffer_barrier(cb.handle); });
           })
      .def(
          "update_launch",
          [](CommandBuffer& cb, uint32_t index, py::object buffers, py::object constants) {
            const char* op = "CommandBuffer.update_launch";
            cb.require_alive(op);
            std::vector<ahal_binding_t> binds;
            std::string c;
            const ahal_launch_args_t a = launch_args(
                op, *cb.device, {1}, {1}, buffers.is_none() ? py::list() : py::list(buffers),
                constants, binds, c);
            ahal_launch_update_t u = {};
            u.struct_size = sizeof(u);
            u.binding_count = a.binding_count;
            u.bindings = a.bindings;
            u.constants = a.constants;
            u.constants_size = a.constants_size;
            call([&] { return ahal_command_buffer_update_launch(cb.handle, index, &u); });
            if (!buffers.is_none())
              for (const py::handle& h : buffers)
                cb.keep.push_back(py::reinterpret_borrow<py::object>(h));
          },
          py::arg("index"), py::arg("buffers") = py::none(), py::arg("constants") = py::none(),
          "New buffers and/or constants for recorded launch `index` (None keeps them).")
      .def("finalize",
           [](CommandBuffer& cb) {
             cb.require_alive("CommandBuffer.finalize");
             call([&] { return ahal_command_buffer_finalize(cb.handle); });
           })
      .def("destroy", &CommandBuffer::destroy);

  // Device.command_buffer() and Stream.submit(cb), added to those classes.
  py::class_<Device, DeviceRef>(m.attr("Device")).def("command_buffer", [](const DeviceRef& d) {
    d->require_alive("Device.command_buffer");
    ahal_command_buffer_t h = nullptr;
    call([&] { return ahal_command_buffer_create(d->handle, 0, &h); });
    return std::make_shared<CommandBuffer>(d, h);
  });
  py::class_<Stream, StreamRef>(m.attr("Stream")).def("submit", [](Stream& s, CommandBuffer& cb) {
    s.require_alive("Stream.submit");
    cb.require_alive("Stream.submit");
    same_device("Stream.submit", *s.device, *cb.device, "command buffer");
    call([&] { return ahal_stream_submit(s.handle, cb.handle); });
    for (const py::object& o : cb.keep) queued_on(s, o);
  });
}

}  // namespace ahal_py
