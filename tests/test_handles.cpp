// Every entry point that takes a handle refuses NULL, garbage, destroyed
// and wrong-type handles with AHAL_ERROR_INVALID_HANDLE, never a crash.
#include <functional>

#include "test_support.hpp"

namespace {

using Call = std::function<ahal_status_t(uintptr_t)>;

template <class H>
H as(uintptr_t v) {
  return reinterpret_cast<H>(v);
}

struct Entry {
  const char* function;
  const char* type;  // the handle type the bad value stands in for
  Call call;
};

}  // namespace

TEST_CASE("bad handles are refused on every entry point") {
  test::Runtime rt(test::plugin_dir("good"), "hostmem_next");
  ahal_device_t dev = rt.device("hostmem_next:0");
  ahal_buffer_t buf = test::make_buffer(dev, 256, AHAL_MEMORY_HOST_VISIBLE);
  ahal_stream_t stream = test::make_stream(dev);
  ahal_event_t event = nullptr;
  REQUIRE_OK(ahal_event_create(dev, AHAL_EVENT_TIMING, &event));
  ahal_host_alloc_t host = nullptr;
  REQUIRE_OK(ahal_host_alloc(dev, 64, 0, &host));
  ahal_module_t module = nullptr;
  REQUIRE_OK(test::make_program(dev, "kernel k write_index\n", &module, {{"k", 1, 4, 0}}));
  ahal_kernel_t kernel = nullptr;
  REQUIRE_OK(ahal_kernel_get(module, "k", &kernel));

  // Handles of every type that are destroyed by now.
  ahal_buffer_t dead_buf = test::make_buffer(dev, 16);
  REQUIRE_OK(ahal_buffer_destroy(dead_buf));
  ahal_stream_t dead_stream = test::make_stream(dev);
  REQUIRE_OK(ahal_stream_destroy(dead_stream));
  ahal_event_t dead_event = nullptr;
  REQUIRE_OK(ahal_event_create(dev, 0, &dead_event));
  REQUIRE_OK(ahal_event_destroy(dead_event));
  ahal_module_t dead_module = nullptr;
  REQUIRE_OK(test::make_program(dev, "kernel k write_index\n", &dead_module));
  ahal_kernel_t dead_kernel = nullptr;
  REQUIRE_OK(ahal_kernel_get(dead_module, "k", &dead_kernel));
  REQUIRE_OK(ahal_module_destroy(dead_module));
  ahal_host_alloc_t dead_host = nullptr;
  REQUIRE_OK(ahal_host_alloc(dev, 8, 0, &dead_host));
  REQUIRE_OK(ahal_host_free(dead_host));
  ahal_runtime_t dead_rt = nullptr;
  ahal_device_t dead_dev = nullptr;
  {
    test::Runtime other(test::plugin_dir("good"), "hostmem_next");
    dead_dev = other.device("hostmem_next:0");
    dead_rt = other.get();
  }

  uint32_t u32;
  uint64_t u64, u64b;
  void* ptr;
  const char* str;
  int8_t bytes[64] = {};
  ahal_device_t out_dev;
  ahal_plugin_info_t info = {};
  info.struct_size = sizeof(info);
  ahal_device_properties_t props = {};
  props.struct_size = sizeof(props);
  ahal_kernel_attributes_t attrs = {};
  attrs.struct_size = sizeof(attrs);
  ahal_buffer_args_t bargs = {sizeof(ahal_buffer_args_t), 64, 0};
  ahal_module_format_t fmt;
  ahal_kernel_t out_kernel;
  ahal_buffer_t out_buf;
  ahal_stream_t out_stream;
  ahal_event_t out_event;
  ahal_host_alloc_t out_host;
  ahal_module_t out_module;
  const std::string program = "kernel k write_index\n";
  ahal_module_args_t margs = {};
  margs.struct_size = sizeof(margs);
  margs.format = AHAL_MODULE_FORMAT_OPENCL_C;
  margs.data = program.data();
  margs.data_size = program.size();
  const uint32_t base = 0;
  ahal_binding_t bind = {buf, 0, 0};
  ahal_launch_args_t launch = {};
  launch.struct_size = sizeof(launch);
  launch.grid[0] = launch.grid[1] = launch.grid[2] = 1;
  launch.workgroup_size[0] = launch.workgroup_size[1] = launch.workgroup_size[2] = 1;
  launch.binding_count = 1;
  launch.bindings = &bind;
  launch.constants = &base;
  launch.constants_size = 4;

  const std::vector<Entry> entries = {
      {"ahal_runtime_destroy", "runtime",
       [&](uintptr_t h) { return ahal_runtime_destroy(as<ahal_runtime_t>(h)); }},
      {"ahal_runtime_plugin_count", "runtime",
       [&](uintptr_t h) { return ahal_runtime_plugin_count(as<ahal_runtime_t>(h), &u32); }},
      {"ahal_runtime_plugin_info", "runtime",
       [&](uintptr_t h) { return ahal_runtime_plugin_info(as<ahal_runtime_t>(h), 0, &info); }},
      {"ahal_runtime_search_path", "runtime",
       [&](uintptr_t h) { return ahal_runtime_search_path(as<ahal_runtime_t>(h), &str); }},
      {"ahal_runtime_device_count", "runtime",
       [&](uintptr_t h) { return ahal_runtime_device_count(as<ahal_runtime_t>(h), &u32); }},
      {"ahal_runtime_device_get", "runtime",
       [&](uintptr_t h) { return ahal_runtime_device_get(as<ahal_runtime_t>(h), 0, &out_dev); }},
      {"ahal_device_find", "runtime",
       [&](uintptr_t h) { return ahal_device_find(as<ahal_runtime_t>(h), "0", &out_dev); }},
      {"ahal_device_get_properties", "device",
       [&](uintptr_t h) { return ahal_device_get_properties(as<ahal_device_t>(h), &props); }},
      {"ahal_device_synchronize", "device",
       [&](uintptr_t h) { return ahal_device_synchronize(as<ahal_device_t>(h)); }},
      {"ahal_device_memory_usage", "device",
       [&](uintptr_t h) { return ahal_device_memory_usage(as<ahal_device_t>(h), &u64, &u64b); }},
      {"ahal_buffer_create", "device",
       [&](uintptr_t h) { return ahal_buffer_create(as<ahal_device_t>(h), &bargs, &out_buf); }},
      {"ahal_buffer_destroy", "buffer",
       [&](uintptr_t h) { return ahal_buffer_destroy(as<ahal_buffer_t>(h)); }},
      {"ahal_buffer_size", "buffer",
       [&](uintptr_t h) { return ahal_buffer_size(as<ahal_buffer_t>(h), &u64); }},
      {"ahal_buffer_map", "buffer",
       [&](uintptr_t h) { return ahal_buffer_map(as<ahal_buffer_t>(h), 0, 8, &ptr); }},
      {"ahal_buffer_unmap", "buffer",
       [&](uintptr_t h) { return ahal_buffer_unmap(as<ahal_buffer_t>(h)); }},
      {"ahal_host_alloc", "device",
       [&](uintptr_t h) { return ahal_host_alloc(as<ahal_device_t>(h), 64, 0, &out_host); }},
      {"ahal_host_alloc_pointer", "host allocation",
       [&](uintptr_t h) { return ahal_host_alloc_pointer(as<ahal_host_alloc_t>(h), &ptr); }},
      {"ahal_host_free", "host allocation",
       [&](uintptr_t h) { return ahal_host_free(as<ahal_host_alloc_t>(h)); }},
      {"ahal_stream_create", "device",
       [&](uintptr_t h) { return ahal_stream_create(as<ahal_device_t>(h), nullptr, &out_stream); }},
      {"ahal_stream_destroy", "stream",
       [&](uintptr_t h) { return ahal_stream_destroy(as<ahal_stream_t>(h)); }},
      {"ahal_stream_copy_h2d", "stream",
       [&](uintptr_t h) { return ahal_stream_copy_h2d(as<ahal_stream_t>(h), bytes, buf, 0, 8); }},
      {"ahal_stream_copy_h2d", "buffer",
       [&](uintptr_t h) {
         return ahal_stream_copy_h2d(stream, bytes, as<ahal_buffer_t>(h), 0, 8);
       }},
      {"ahal_stream_copy_d2h", "stream",
       [&](uintptr_t h) { return ahal_stream_copy_d2h(as<ahal_stream_t>(h), buf, 0, bytes, 8); }},
      {"ahal_stream_copy_d2h", "buffer",
       [&](uintptr_t h) {
         return ahal_stream_copy_d2h(stream, as<ahal_buffer_t>(h), 0, bytes, 8);
       }},
      {"ahal_stream_copy_d2d", "stream",
       [&](uintptr_t h) {
         return ahal_stream_copy_d2d(as<ahal_stream_t>(h), buf, 0, buf, 128, 8);
       }},
      {"ahal_stream_copy_d2d", "buffer",
       [&](uintptr_t h) {
         return ahal_stream_copy_d2d(stream, as<ahal_buffer_t>(h), 0, buf, 128, 8);
       }},
      {"ahal_stream_copy_d2d", "buffer",
       [&](uintptr_t h) {
         return ahal_stream_copy_d2d(stream, buf, 0, as<ahal_buffer_t>(h), 128, 8);
       }},
      {"ahal_stream_fill", "stream",
       [&](uintptr_t h) { return ahal_stream_fill(as<ahal_stream_t>(h), buf, 0, 8, bytes, 4); }},
      {"ahal_stream_fill", "buffer",
       [&](uintptr_t h) { return ahal_stream_fill(stream, as<ahal_buffer_t>(h), 0, 8, bytes, 4); }},
      {"ahal_stream_launch", "stream",
       [&](uintptr_t h) { return ahal_stream_launch(as<ahal_stream_t>(h), kernel, &launch); }},
      {"ahal_stream_launch", "kernel",
       [&](uintptr_t h) { return ahal_stream_launch(stream, as<ahal_kernel_t>(h), &launch); }},
      {"ahal_stream_host_callback", "stream",
       [&](uintptr_t h) {
         return ahal_stream_host_callback(
             as<ahal_stream_t>(h), [](void*) {}, nullptr);
       }},
      {"ahal_stream_record_event", "stream",
       [&](uintptr_t h) { return ahal_stream_record_event(as<ahal_stream_t>(h), event); }},
      {"ahal_stream_record_event", "event",
       [&](uintptr_t h) { return ahal_stream_record_event(stream, as<ahal_event_t>(h)); }},
      {"ahal_stream_wait_event", "stream",
       [&](uintptr_t h) { return ahal_stream_wait_event(as<ahal_stream_t>(h), event); }},
      {"ahal_stream_wait_event", "event",
       [&](uintptr_t h) { return ahal_stream_wait_event(stream, as<ahal_event_t>(h)); }},
      {"ahal_stream_synchronize", "stream",
       [&](uintptr_t h) { return ahal_stream_synchronize(as<ahal_stream_t>(h)); }},
      {"ahal_stream_query", "stream",
       [&](uintptr_t h) { return ahal_stream_query(as<ahal_stream_t>(h)); }},
      {"ahal_event_create", "device",
       [&](uintptr_t h) { return ahal_event_create(as<ahal_device_t>(h), 0, &out_event); }},
      {"ahal_event_destroy", "event",
       [&](uintptr_t h) { return ahal_event_destroy(as<ahal_event_t>(h)); }},
      {"ahal_event_query", "event",
       [&](uintptr_t h) { return ahal_event_query(as<ahal_event_t>(h)); }},
      {"ahal_event_wait", "event",
       [&](uintptr_t h) { return ahal_event_wait(as<ahal_event_t>(h), 0); }},
      {"ahal_event_elapsed_ns", "event",
       [&](uintptr_t h) { return ahal_event_elapsed_ns(as<ahal_event_t>(h), event, &u64); }},
      {"ahal_event_elapsed_ns", "event",
       [&](uintptr_t h) { return ahal_event_elapsed_ns(event, as<ahal_event_t>(h), &u64); }},
      {"ahal_module_create", "device",
       [&](uintptr_t h) { return ahal_module_create(as<ahal_device_t>(h), &margs, &out_module); }},
      {"ahal_module_destroy", "module",
       [&](uintptr_t h) { return ahal_module_destroy(as<ahal_module_t>(h)); }},
      {"ahal_module_format", "module",
       [&](uintptr_t h) { return ahal_module_format(as<ahal_module_t>(h), &fmt); }},
      {"ahal_kernel_get", "module",
       [&](uintptr_t h) { return ahal_kernel_get(as<ahal_module_t>(h), "k", &out_kernel); }},
      {"ahal_kernel_get_builtin", "device",
       [&](uintptr_t h) {
         return ahal_kernel_get_builtin(as<ahal_device_t>(h), "hostmem.add_u32", &out_kernel);
       }},
      {"ahal_kernel_get_attributes", "kernel",
       [&](uintptr_t h) { return ahal_kernel_get_attributes(as<ahal_kernel_t>(h), &attrs); }},
  };

  const std::pair<std::string, uintptr_t> live[] = {
      {"runtime", uintptr_t(rt.get())}, {"device", uintptr_t(dev)},
      {"buffer", uintptr_t(buf)},       {"stream", uintptr_t(stream)},
      {"event", uintptr_t(event)},      {"host allocation", uintptr_t(host)},
      {"module", uintptr_t(module)},    {"kernel", uintptr_t(kernel)},
  };
  const std::pair<std::string, uintptr_t> dead[] = {
      {"runtime", uintptr_t(dead_rt)},    {"device", uintptr_t(dead_dev)},
      {"buffer", uintptr_t(dead_buf)},    {"stream", uintptr_t(dead_stream)},
      {"event", uintptr_t(dead_event)},   {"host allocation", uintptr_t(dead_host)},
      {"module", uintptr_t(dead_module)}, {"kernel", uintptr_t(dead_kernel)},
  };
  int on_stack = 0;
  const uintptr_t garbage[] = {1,
                               0xdeadbeef,
                               UINTPTR_MAX,
                               uintptr_t(&on_stack),
                               uintptr_t(bytes),
                               uintptr_t(0x4800000000000000ull),  // a plausible tag, no such slot
                               uintptr_t(0x18000000ffffffffull),  // huge slot index
                               uintptr_t(buf) ^ (1ull << 33),     // another generation
                               uintptr_t(kernel) ^ (1ull << 40)};

  for (const Entry& e : entries) {
    INFO(e.function << " (" << e.type << " argument)");
    auto refused = [&](uintptr_t value, const std::string& expect) {
      INFO("value 0x" << std::hex << value);
      CHECK_FAILS(e.call(value), AHAL_ERROR_INVALID_HANDLE, e.function, expect);
    };
    refused(0, "is NULL");
    for (uintptr_t g : garbage) refused(g, "");
    for (const auto& [type, value] : live)
      if (type != e.type) refused(value, "is of type " + type + ", not " + e.type);
    for (const auto& [type, value] : dead)
      if (type == e.type) refused(value, "destroyed");
  }

  // The live objects still work after all that.
  REQUIRE_OK(ahal_stream_launch(stream, kernel, &launch));
  REQUIRE_OK(ahal_stream_synchronize(stream));
  uint64_t size = 0;
  REQUIRE_OK(ahal_buffer_size(buf, &size));
  CHECK(size == 256);
}

TEST_CASE("a slot reused after destroy does not revive the old handle") {
  test::Runtime rt(test::plugin_dir("good"), "hostmem_next");
  ahal_device_t dev = rt.device("hostmem_next:0");
  ahal_buffer_t old = test::make_buffer(dev, 16);
  REQUIRE_OK(ahal_buffer_destroy(old));
  std::vector<ahal_buffer_t> fresh;
  for (int i = 0; i < 3000; ++i) fresh.push_back(test::make_buffer(dev, 16));
  uint64_t size = 0;
  CHECK_FAILS(ahal_buffer_size(old, &size), AHAL_ERROR_INVALID_HANDLE, "ahal_buffer_size", "");
  for (ahal_buffer_t b : fresh) {
    CHECK(b != old);
    REQUIRE_OK(ahal_buffer_destroy(b));
  }
}
