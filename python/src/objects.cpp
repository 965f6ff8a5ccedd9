// ahal.Error, Runtime, Device, Buffer, Stream, Event, Module, Kernel.
#include "objects.hpp"

#include <pybind11/stl.h>

#include <cstring>
#include <utility>

namespace ahal_py {

namespace {

PyObject* g_error = nullptr;

// Pinned host memory (ahal_host_alloc), seen by Python as writable bytes.
struct HostAlloc : Object {
  HostAlloc(DeviceRef d, ahal_host_alloc_t h, void* p, uint64_t n)
      : Object(d->runtime, "HostAlloc"), device(std::move(d)), handle(h), pointer(p), size(n) {}
  ~HostAlloc() { destroy(); }
  DeviceRef device;
  ahal_host_alloc_t handle;
  void* pointer;
  uint64_t size;
  void destroy() {
    if (alive()) {
      py::gil_scoped_release nogil;
      ahal_host_free(handle);  // waits for copies that use it
    }
    destroyed = true;
  }
};
using HostAllocRef = std::shared_ptr<HostAlloc>;

// A host mapping of a whole buffer (ahal_buffer_map), as writable bytes
// until close().
struct Mapping {
  BufferRef buffer;
  void* pointer = nullptr;
  ~Mapping() { close(); }
  void close() {
    if (pointer && buffer->alive()) ahal_buffer_unmap(buffer->handle);
    pointer = nullptr;
  }
};
using MappingRef = std::shared_ptr<Mapping>;

py::buffer_info bytes_info(void* p, uint64_t n) {
  return py::buffer_info(p, 1, py::format_descriptor<uint8_t>::format(), 1,
                         {static_cast<py::ssize_t>(n)}, {1});
}

py::dict properties_of(const ahal_device_properties_t& p) {
  py::dict d;
  d["name"] = p.name;
  d["vendor"] = p.vendor;
  d["plugin"] = p.plugin;
  d["selector"] = p.selector;
  d["driver_version"] = p.driver_version;
  d["arch"] = p.arch;
  d["type"] = static_cast<int>(p.type);
  d["compute_units"] = p.compute_units;
  d["global_memory_bytes"] = p.global_memory_bytes;
  d["max_allocation_bytes"] = p.max_allocation_bytes;
  d["max_workgroup_size"] = p.max_workgroup_size;
  d["max_workgroup_dims"] =
      py::make_tuple(p.max_workgroup_dims[0], p.max_workgroup_dims[1], p.max_workgroup_dims[2]);
  d["max_grid_dims"] = py::make_tuple(p.max_grid_dims[0], p.max_grid_dims[1], p.max_grid_dims[2]);
  d["shared_memory_per_workgroup"] = p.shared_memory_per_workgroup;
  d["subgroup_size_min"] = p.subgroup_size_min;
  d["subgroup_size_max"] = p.subgroup_size_max;
  d["clock_mhz"] = p.clock_mhz;
  d["max_bindings"] = p.max_bindings;
  d["max_constants_size"] = p.max_constants_size;
  d["binding_offset_alignment"] = p.binding_offset_alignment;
  d["module_formats"] = p.module_formats;
  py::list formats;
  for (uint32_t f = 0; f < 64; ++f)
    if (p.module_formats & (1ull << f))
      formats.append(ahal_module_format_name(static_cast<ahal_module_format_t>(f)));
  d["module_format_names"] = formats;
  d["features"] = p.features;
  d["timestamp_resolution_ps"] = p.timestamp_resolution_ps;
  d["uuid"] =
      p.has_uuid ? py::bytes(reinterpret_cast<const char*>(p.uuid), sizeof(p.uuid)) : py::bytes();
  d["peak_memory_bandwidth_gbps"] = p.peak_memory_bandwidth_gbps;
  d["peak_fp32_gflops"] = p.peak_fp32_gflops;
  d["peak_fp64_gflops"] = p.peak_fp64_gflops;
  return d;
}

}  // namespace

void same_device(const char* op, const Device& want, const Device& got, const char* what) {
  if (want.handle != got.handle)
    throw py::value_error(std::string(op) + ": the " + what + " belongs to " + got.selector() +
                          ", not to " + want.selector() +
                          (got.selector() == want.selector() ? " of another Runtime" : ""));
}

// A readable (or writable) contiguous host view of a buffer-protocol object.
py::buffer_info host_view(const char* op, const py::handle& obj, bool writable) {
  if (!PyObject_CheckBuffer(obj.ptr()))
    throw py::type_error(std::string(op) + ": " + std::string(py::str(obj.get_type())) +
                         " is not a bytes-like object");
  auto* view = new Py_buffer();
  const int flags = PyBUF_C_CONTIGUOUS | PyBUF_FORMAT | (writable ? PyBUF_WRITABLE : 0);
  if (PyObject_GetBuffer(obj.ptr(), view, flags) != 0) {
    delete view;
    throw py::error_already_set();
  }
  return py::buffer_info(view, true);  // releases and deletes the view
}

std::pair<BufferRef, uint64_t> buffer_of(const char* op, const py::handle& obj) {
  if (py::isinstance<Array>(obj)) {
    auto a = obj.cast<ArrayRef>();
    return {a->buffer, a->offset};
  }
  if (py::isinstance<Buffer>(obj)) return {obj.cast<BufferRef>(), 0};
  throw py::type_error(std::string(op) + ": expected an ahal.Buffer or ahal.Array, got " +
                       std::string(py::str(obj.get_type())));
}

ahal_launch_args_t launch_args(const char* op, const Device& device,
                               const std::vector<uint32_t>& grid,
                               const std::vector<uint32_t>& workgroup, const py::list& buffers,
                               const py::object& constants, std::vector<ahal_binding_t>& binds,
                               std::string& constant_bytes) {
  if (grid.empty() || grid.size() > 3 || workgroup.empty() || workgroup.size() > 3)
    throw py::value_error(std::string(op) + ": grid and workgroup have 1 to 3 dimensions");
  ahal_launch_args_t a = {};
  a.struct_size = sizeof(a);
  for (int i = 0; i < 3; ++i) {
    a.grid[i] = i < int(grid.size()) ? grid[i] : 1;
    a.workgroup_size[i] = i < int(workgroup.size()) ? workgroup[i] : 1;
  }
  for (const py::handle& h : buffers) {
    auto [b, base] = buffer_of(op, h);
    b->require_alive(op);
    same_device(op, device, *b->device, "buffer");
    binds.push_back({b->handle, base, 0});
  }
  if (!constants.is_none()) {
    py::buffer_info v = host_view(op, constants, false);
    constant_bytes.assign(static_cast<const char*>(v.ptr),
                          static_cast<size_t>(v.size * v.itemsize));
  }
  a.binding_count = static_cast<uint32_t>(binds.size());
  a.bindings = binds.data();
  a.constants = constant_bytes.empty() ? nullptr : constant_bytes.data();
  a.constants_size = static_cast<uint32_t>(constant_bytes.size());
  return a;
}

void queued_on(Stream& s, const py::handle& obj) {
  if (!py::isinstance<Buffer>(obj) && !py::isinstance<Array>(obj)) return;
  buffer_of("", obj).first->last_stream = s.weak_from_this();
}

[[noreturn]] void raise_status(ahal_status_t status) {
  throw Error{status, ahal_last_error_message()};
}

void RuntimeState::close() {
  if (!handle) return;
  ahal_runtime_t rt = std::exchange(handle, nullptr);
  py::gil_scoped_release nogil;
  ahal_runtime_destroy(rt);
}

void Object::require_alive(const char* op) const {
  if (!runtime->handle)
    throw py::value_error(std::string(op) + ": the " + type_name +
                          "'s Runtime was closed, which destroyed it");
  if (destroyed) throw py::value_error(std::string(op) + ": the " + type_name + " was destroyed");
}

Device::Device(RuntimeRef rt, ahal_device_t h) : Object(std::move(rt), "Device"), handle(h) {
  properties.struct_size = sizeof(properties);
  call([&] { return ahal_device_get_properties(h, &properties); });
}

ahal_native_buffer_t Buffer::native() const {
  ahal_native_buffer_t n = {};
  n.struct_size = sizeof(n);
  call([&] { return ahal_buffer_get_native(handle, &n); });
  return n;
}

void Buffer::destroy() {
  if (alive()) {
    py::gil_scoped_release nogil;
    ahal_buffer_destroy(handle);  // waits for queued work that uses it
  }
  destroyed = true;
  if (imported_from) {
    py::gil_scoped_acquire gil;
    imported_from = py::object();
  }
}

DeviceRef find_device(const RuntimeRef& rt, const std::string& selector) {
  if (!rt->handle) throw py::value_error("Runtime.device: the Runtime was closed");
  ahal_device_t d = nullptr;
  call([&] { return ahal_device_find(rt->handle, selector.c_str(), &d); });
  return std::make_shared<Device>(rt, d);
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

void register_objects(py::module_& m) {
  g_error = PyErr_NewExceptionWithDoc(
      "ahal.Error",
      "A failed ahal call: .status (the ahal_status_t value), .status_name and .message "
      "(which names the C function).",
      PyExc_RuntimeError, nullptr);
  m.add_object("Error", py::handle(g_error));
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const Error& e) {
      const std::string name = ahal_status_string(e.status);
      py::object err = py::reinterpret_borrow<py::object>(g_error)(
          e.message.empty() ? name : name + ": " + e.message);
      err.attr("status") = static_cast<int>(e.status);
      err.attr("status_name") = name;
      err.attr("message") = e.message;
      PyErr_SetObject(g_error, err.ptr());
    }
  });

  m.def("version", [] {
    const uint32_t v = ahal_get_version();
    return std::to_string(AHAL_VERSION_MAJOR(v)) + "." + std::to_string(AHAL_VERSION_MINOR(v)) +
           "." + std::to_string(AHAL_VERSION_PATCH(v));
  });

  py::class_<RuntimeState, RuntimeRef>(m, "Runtime", "An ahal runtime: plugins and their devices.")
      .def(py::init([](py::object plugin_path, py::object plugins) {
             auto rt = std::make_shared<RuntimeState>();
             ahal_runtime_options_t o = {};
             o.struct_size = sizeof(o);
             std::string path, names;
             if (!plugin_path.is_none()) o.plugin_path = (path = py::str(plugin_path)).c_str();
             if (!plugins.is_none()) o.plugins = (names = py::str(plugins)).c_str();
             call([&] { return ahal_runtime_create(&o, &rt->handle); });
             return rt;
           }),
           py::arg("plugin_path") = py::none(), py::arg("plugins") = py::none())
      .def("close", &RuntimeState::close, "Destroys the runtime and every object of it.")
      .def("__enter__", [](RuntimeRef rt) { return rt; })
      .def("__exit__", [](RuntimeState& rt, py::args) { rt.close(); })
      .def_property_readonly("search_path",
                             [](RuntimeState& rt) {
                               const char* s = "";
                               if (!rt.handle) throw py::value_error("the Runtime was closed");
                               call([&] { return ahal_runtime_search_path(rt.handle, &s); });
                               return std::string(s);
                             })
      .def("plugins",
           [](RuntimeState& rt) {
             if (!rt.handle) throw py::value_error("Runtime.plugins: the Runtime was closed");
             uint32_t n = 0;
             call([&] { return ahal_runtime_plugin_count(rt.handle, &n); });
             py::list out;
             for (uint32_t i = 0; i < n; ++i) {
               ahal_plugin_info_t info = {};
               info.struct_size = sizeof(info);
               call([&] { return ahal_runtime_plugin_info(rt.handle, i, &info); });
               py::dict d;
               d["name"] = info.name;
               d["path"] = info.path;
               d["description"] = info.description;
               d["state"] = info.state == AHAL_PLUGIN_STATE_LOADED ? "loaded" : "refused";
               d["reason"] = info.reason;
               d["abi_version"] = info.abi_version;
               d["device_count"] = info.device_count;
               out.append(d);
             }
             return out;
           })
      .def("devices",
           [](const RuntimeRef& rt) {
             if (!rt->handle) throw py::value_error("Runtime.devices: the Runtime was closed");
             uint32_t n = 0;
             call([&] { return ahal_runtime_device_count(rt->handle, &n); });
             std::vector<DeviceRef> out;
             for (uint32_t i = 0; i < n; ++i) {
               ahal_device_t d = nullptr;
               call([&] { return ahal_runtime_device_get(rt->handle, i, &d); });
               out.push_back(std::make_shared<Device>(rt, d));
             }
             return out;
           })
      .def("device", &find_device, py::arg("selector"), "The device of a selector (\"cpu:0\").");

  py::class_<Device, DeviceRef>(m, "Device")
      .def_property_readonly("selector", &Device::selector)
      .def_property_readonly("name", [](Device& d) { return std::string(d.properties.name); })
      .def_property_readonly("properties", [](Device& d) { return properties_of(d.properties); })
      .def("__repr__", [](Device& d) { return "<ahal.Device " + d.selector() + ">"; })
      .def("synchronize",
           [](Device& d) {
             d.require_alive("Device.synchronize");
             call([&] { return ahal_device_synchronize(d.handle); });
           })
      .def(
          "buffer",
          [](const DeviceRef& d, uint64_t size, uint32_t flags) {
            d->require_alive("Device.buffer");
            ahal_buffer_args_t a = {sizeof(a), size, flags};
            ahal_buffer_t b = nullptr;
            call([&] { return ahal_buffer_create(d->handle, &a, &b); });
            return std::make_shared<Buffer>(d, b, size);
          },
          py::arg("size"), py::arg("flags") = 0)
      .def(
          "host_alloc",
          [](const DeviceRef& d, uint64_t size) {
            d->require_alive("Device.host_alloc");
            ahal_host_alloc_t h = nullptr;
            void* p = nullptr;
            call([&] { return ahal_host_alloc(d->handle, size, 0, &h); });
            call([&] { return ahal_host_alloc_pointer(h, &p); });
            return std::make_shared<HostAlloc>(d, h, p, size);
          },
          py::arg("size"), "Pinned host memory for fast copies (a writable bytes-like object).")
      .def("stream",
           [](const DeviceRef& d) {
             d->require_alive("Device.stream");
             ahal_stream_t s = nullptr;
             call([&] { return ahal_stream_create(d->handle, nullptr, &s); });
             return std::make_shared<Stream>(d, s);
           })
      .def(
          "event",
          [](const DeviceRef& d, uint32_t flags) {
            d->require_alive("Device.event");
            ahal_event_t e = nullptr;
            call([&] { return ahal_event_create(d->handle, flags, &e); });
            return std::make_shared<Event>(d, e);
          },
          py::arg("flags") = 0)
      .def(
          "module",
          [](const DeviceRef& d, py::object source) {
            d->require_alive("Device.module");
            ahal_module_args_t a = {};
            a.struct_size = sizeof(a);
            a.format = AHAL_MODULE_FORMAT_BUNDLE;
            std::string path, bytes;
            if (py::isinstance<py::bytes>(source)) {
              bytes = source.cast<std::string>();
              a.data = bytes.data();
              a.data_size = bytes.size();
            } else {
              path = py::str(source);  // str or os.PathLike
              a.path = path.c_str();
            }
            ahal_module_t mod = nullptr;
            call([&] { return ahal_module_create(d->handle, &a, &mod); });
            return std::make_shared<Module>(d, mod);
          },
          py::arg("bundle"), "A module from a kernel bundle (a path, or its bytes).")
      .def("builtin_kernel", [](const DeviceRef& d, const std::string& name) {
        d->require_alive("Device.builtin_kernel");
        ahal_kernel_t k = nullptr;
        call([&] { return ahal_kernel_get_builtin(d->handle, name.c_str(), &k); });
        return std::make_shared<Kernel>(Kernel{d, nullptr, k, name});
      });

  py::class_<Buffer, BufferRef>(m, "Buffer")
      .def_readonly("size", &Buffer::size)
      .def_readonly("device", &Buffer::device)
      .def(
          "native",
          [](Buffer& b) {
            b.require_alive("Buffer.native");
            const ahal_native_buffer_t n = b.native();
            py::dict d;
            d["kind"] = static_cast<int>(n.kind);
            d["handle"] = n.handle;
            d["memory"] = n.memory;
            d["memory_offset"] = n.memory_offset;
            d["size"] = n.size;
            d["flags"] = n.flags;
            d["context"] = n.context;
            d["device_ordinal"] = n.device_ordinal;
            return d;
          },
          "The buffer's native handle (ahal_buffer_get_native) as a dict.")
      .def(
          "map",
          [](const BufferRef& b) {
            b->require_alive("Buffer.map");
            auto map = std::make_shared<Mapping>();
            map->buffer = b;
            call([&] { return ahal_buffer_map(b->handle, 0, b->size, &map->pointer); });
            return map;
          },
          "Maps a host-visible buffer: a writable bytes-like object until .close().")
      .def("destroy", &Buffer::destroy, "Frees it now (after queued work that uses it).");

  py::class_<Mapping, MappingRef>(m, "Mapping", py::buffer_protocol())
      .def_buffer([](Mapping& map) {
        // pybind11 cannot raise from here: a closed mapping is 0 bytes.
        if (!map.pointer || !map.buffer->alive()) return bytes_info(nullptr, 0);
        return bytes_info(map.pointer, map.buffer->size);
      })
      .def("close", &Mapping::close)
      .def("__enter__", [](MappingRef map) { return map; })
      .def("__exit__", [](Mapping& map, py::args) { map.close(); });

  py::class_<HostAlloc, HostAllocRef>(m, "HostAlloc", py::buffer_protocol())
      .def_readonly("size", &HostAlloc::size)
      .def_buffer([](HostAlloc& h) {
        if (!h.alive()) return bytes_info(nullptr, 0);  // freed: 0 bytes (as a closed Mapping)
        return bytes_info(h.pointer, h.size);
      })
      .def("destroy", &HostAlloc::destroy);

  py::class_<Stream, StreamRef>(m, "Stream")
      .def_readonly("device", &Stream::device)
      .def(
          "write",
          [](Stream& s, py::handle dst, py::handle src, uint64_t offset) {
            s.require_alive("Stream.write");
            auto [b, base] = buffer_of("Stream.write", dst);
            b->require_alive("Stream.write");
            same_device("Stream.write", *s.device, *b->device, "buffer");
            py::buffer_info v = host_view("Stream.write", src, false);
            const uint64_t n = static_cast<uint64_t>(v.size * v.itemsize);
            call(
                [&] { return ahal_stream_copy_h2d(s.handle, v.ptr, b->handle, base + offset, n); });
            s.keep.push_back(py::reinterpret_borrow<py::object>(src));
            queued_on(s, dst);
          },
          py::arg("dst"), py::arg("src"), py::arg("offset") = 0,
          "Copies the bytes of src (bytes-like) into dst at offset. src must stay unchanged until "
          "the stream is synchronized.")
      .def(
          "read",
          [](Stream& s, py::handle src, py::handle dst, uint64_t offset) {
            s.require_alive("Stream.read");
            auto [b, base] = buffer_of("Stream.read", src);
            b->require_alive("Stream.read");
            same_device("Stream.read", *s.device, *b->device, "buffer");
            py::buffer_info v = host_view("Stream.read", dst, true);
            const uint64_t n = static_cast<uint64_t>(v.size * v.itemsize);
            call(
                [&] { return ahal_stream_copy_d2h(s.handle, b->handle, base + offset, v.ptr, n); });
            s.keep.push_back(py::reinterpret_borrow<py::object>(dst));
            queued_on(s, src);
          },
          py::arg("src"), py::arg("dst"), py::arg("offset") = 0,
          "Copies len(dst) bytes of src at offset into dst (a writable bytes-like object).")
      .def(
          "fill",
          [](Stream& s, py::handle dst, py::bytes pattern, uint64_t offset, py::object size) {
            s.require_alive("Stream.fill");
            auto [b, base] = buffer_of("Stream.fill", dst);
            b->require_alive("Stream.fill");
            same_device("Stream.fill", *s.device, *b->device, "buffer");
            const std::string p = pattern;
            const uint64_t n = size.is_none() ? b->size - base - offset : size.cast<uint64_t>();
            call([&] {
              return ahal_stream_fill(s.handle, b->handle, base + offset, n, p.data(),
                                      static_cast<uint32_t>(p.size()));
            });
            queued_on(s, dst);
          },
          py::arg("dst"), py::arg("pattern"), py::arg("offset") = 0, py::arg("size") = py::none())
      .def(
          "launch",
          [](Stream& s, const KernelRef& k, const std::vector<uint32_t>& grid,
             const std::vector<uint32_t>& workgroup, const py::list& buffers,
             const py::object& constants) {
            s.require_alive("Stream.launch");
            k->require_alive("Stream.launch");
            same_device("Stream.launch", *s.device, *k->device, "kernel");
            std::vector<ahal_binding_t> binds;
            std::string c;
            const ahal_launch_args_t a = launch_args("Stream.launch", *s.device, grid, workgroup,
                                                     buffers, constants, binds, c);
            call([&] { return ahal_stream_launch(s.handle, k->handle, &a); });
            for (const py::handle& h : buffers) queued_on(s, h);
          },
          py::arg("kernel"), py::arg("grid"), py::arg("workgroup"), py::arg("buffers"),
          py::arg("constants") = py::none(),
          "Launches kernel over grid workgroups of workgroup work-items; buffers are bound in "
          "order, "
          "constants (bytes-like) are copied now.")
      .def("record",
           [](Stream& s, Event& e) {
             s.require_alive("Stream.record");
             e.require_alive("Stream.record");
             same_device("Stream.record", *s.device, *e.device, "event");
             call([&] { return ahal_stream_record_event(s.handle, e.handle); });
           })
      .def("wait",
           [](Stream& s, Event& e) {
             s.require_alive("Stream.wait");
             e.require_alive("Stream.wait");
             call([&] { return ahal_stream_wait_event(s.handle, e.handle); });
           })
      .def("synchronize",
           [](Stream& s) {
             s.require_alive("Stream.synchronize");
             call([&] { return ahal_stream_synchronize(s.handle); });
             s.keep.clear();
           })
      .def("destroy", &Stream::destroy);

  py::class_<Event, EventRef>(m, "Event")
      .def(
          "wait",
          [](Event& e, uint64_t timeout_ns) {
            e.require_alive("Event.wait");
            call([&] { return ahal_event_wait(e.handle, timeout_ns); });
          },
          py::arg("timeout_ns") = UINT64_MAX)
      .def("query",
           [](Event& e) {
             e.require_alive("Event.query");
             const ahal_status_t st = ahal_event_query(e.handle);
             if (st == AHAL_SUCCESS) return true;
             if (st == AHAL_NOT_READY) return false;
             raise_status(st);
           })
      .def("elapsed_ns",
           [](Event& start, Event& end) {
             start.require_alive("Event.elapsed_ns");
             end.require_alive("Event.elapsed_ns");
             uint64_t ns = 0;
             call([&] { return ahal_event_elapsed_ns(start.handle, end.handle, &ns); });
             return ns;
           })
      .def("destroy", &Event::destroy);
  m.attr("EVENT_TIMING") = static_cast<uint32_t>(AHAL_EVENT_TIMING);

  py::class_<Module, ModuleRef>(m, "Module")
      .def("kernel",
           [](const ModuleRef& mod, const std::string& name) {
             mod->require_alive("Module.kernel");
             ahal_kernel_t k = nullptr;
             call([&] { return ahal_kernel_get(mod->handle, name.c_str(), &k); });
             return std::make_shared<Kernel>(Kernel{mod->device, mod, k, name});
           })
      .def("destroy", &Module::destroy);

  py::class_<Kernel, KernelRef>(m, "Kernel")
      .def_readonly("name", &Kernel::name)
      .def_property_readonly("attributes", [](Kernel& k) {
        k.require_alive("Kernel.attributes");
        ahal_kernel_attributes_t a = {};
        a.struct_size = sizeof(a);
        call([&] { return ahal_kernel_get_attributes(k.handle, &a); });
        py::dict d;
        d["max_workgroup_size"] = a.max_workgroup_size;
        d["static_shared_bytes"] = a.static_shared_bytes;
        d["preferred_workgroup_multiple"] = a.preferred_workgroup_multiple;
        d["has_metadata"] = a.has_metadata != 0;
        d["binding_count"] = a.binding_count;
        d["constants_size"] = a.constants_size;
        return d;
      });
}

}  // namespace ahal_py
