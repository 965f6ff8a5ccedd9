// The CPU plugin through libahal, as an application uses it.
#include <ahal/ahal.h>

#include <catch2/catch.hpp>

#include "runtime_test_support.hpp"

#include <cstring>
#include <string>
#include <vector>

namespace {

// A runtime with only the CPU plugin of this build.
struct Runtime : ahal_test::PluginRuntime {
  Runtime() : PluginRuntime(CPU_PLUGIN_DIR, "cpu") {}
};

}  // namespace

TEST_CASE("the loader finds cpu:0 and reports its properties", "[api]") {
  Runtime rt;
  ahal_device_t device = nullptr;
  AHAL_TEST_OK(ahal_device_find(rt.rt, "cpu:0", &device));
  const ahal_device_properties_t p = ahal_test::properties(device);
  CHECK(std::string(p.plugin) == "cpu");
  CHECK(std::string(p.selector) == "cpu:0");
  CHECK(p.type == AHAL_DEVICE_TYPE_CPU);
  CHECK((p.module_formats & (1ull << AHAL_MODULE_FORMAT_CPU_SO)) != 0);
  uint64_t used = 0, total = 0;
  AHAL_TEST_OK(ahal_device_memory_usage(device, &used, &total));
  CHECK(total == p.global_memory_bytes);
}

TEST_CASE("the standard bundle runs vector_add on cpu:0", "[api]") {
  Runtime rt;
  ahal_device_t device = nullptr;
  AHAL_TEST_OK(ahal_device_find(rt.rt, "cpu", &device));
  ahal_module_t module = ahal_test::bundle_module(device, CPU_BUNDLE_FILE);
  ahal_test::check_module_format(module, AHAL_MODULE_FORMAT_CPU_SO);

  ahal_kernel_t kernel = nullptr;
  AHAL_TEST_OK(ahal_kernel_get(module, "vector_add", &kernel));
  ahal_kernel_attributes_t attrs{};
  attrs.struct_size = sizeof(attrs);
  AHAL_TEST_OK(ahal_kernel_get_attributes(kernel, &attrs));
  CHECK(attrs.has_metadata == 1);
  CHECK(attrs.binding_count == 3);
  ahal_test::check_unknown_kernel_refused(module);

  const uint32_t n = 10007;
  std::vector<float> a(n), b(n), c(n, 0.0f);
  for (uint32_t i = 0; i < n; ++i) a[i] = float(i), b[i] = 2.0f * float(i) + 1.0f;
  ahal_buffer_t buffers[3];
  for (ahal_buffer_t& buf : buffers) {
    ahal_buffer_args_t args{};
    args.struct_size = sizeof(args);
    args.size = n * sizeof(float);
    AHAL_TEST_OK(ahal_buffer_create(device, &args, &buf));
  }
  ahal_stream_t stream = nullptr;
  AHAL_TEST_OK(ahal_stream_create(device, nullptr, &stream));
  ahal_event_t start = nullptr, end = nullptr;
  AHAL_TEST_OK(ahal_event_create(device, AHAL_EVENT_TIMING, &start));
  AHAL_TEST_OK(ahal_event_create(device, AHAL_EVENT_TIMING, &end));
  AHAL_TEST_OK(ahal_stream_copy_h2d(stream, a.data(), buffers[0], 0, n * sizeof(float)));
  AHAL_TEST_OK(ahal_stream_copy_h2d(stream, b.data(), buffers[1], 0, n * sizeof(float)));
  ahal_binding_t bindings[3] = {{buffers[0], 0, 0}, {buffers[1], 0, 0}, {buffers[2], 0, 0}};
  ahal_launch_args_t launch{};
  launch.struct_size = sizeof(launch);
  launch.grid[0] = (n + 63) / 64, launch.grid[1] = launch.grid[2] = 1;
  launch.workgroup_size[0] = 64, launch.workgroup_size[1] = launch.workgroup_size[2] = 1;
  launch.binding_count = 3;
  launch.bindings = bindings;
  launch.constants = &n;
  launch.constants_size = sizeof(n);
  AHAL_TEST_OK(ahal_stream_record_event(stream, start));
  AHAL_TEST_OK(ahal_stream_launch(stream, kernel, &launch));
  AHAL_TEST_OK(ahal_stream_record_event(stream, end));
  AHAL_TEST_OK(ahal_stream_copy_d2h(stream, buffers[2], 0, c.data(), n * sizeof(float)));
  AHAL_TEST_OK(ahal_stream_synchronize(stream));
  for (uint32_t i = 0; i < n; ++i) {
    if (c[i] != a[i] + b[i]) FAIL("c[" << i << "] = " << c[i]);
  }
  uint64_t ns = 0;
  AHAL_TEST_OK(ahal_event_elapsed_ns(start, end, &ns));
  CHECK(ns > 0);

  AHAL_TEST_OK(ahal_stream_destroy(stream));
  AHAL_TEST_OK(ahal_event_destroy(start));
  AHAL_TEST_OK(ahal_event_destroy(end));
  for (ahal_buffer_t buf : buffers) AHAL_TEST_OK(ahal_buffer_destroy(buf));
  AHAL_TEST_OK(ahal_module_destroy(module));
}

TEST_CASE("ahal_buffer_get_native gives cpu:0's buffer memory as a host pointer", "[api]") {
  Runtime rt;
  ahal_device_t device = nullptr;
  AHAL_TEST_OK(ahal_device_find(rt.rt, "cpu:0", &device));
  ahal_buffer_args_t args{sizeof(args), 4096, AHAL_MEMORY_DEVICE_LOCAL};
  ahal_buffer_t buffer = nullptr;
  AHAL_TEST_OK(ahal_buffer_create(device, &args, &buffer));
  ahal_native_buffer_t native{};
  native.struct_size = sizeof(native);
  AHAL_TEST_OK(ahal_buffer_get_native(buffer, &native));
  CHECK(native.kind == AHAL_NATIVE_HANDLE_HOST_POINTER);
  CHECK(native.size == 4096);
  CHECK(native.flags == AHAL_MEMORY_DEVICE_LOCAL);
  CHECK(native.context == 0);
  REQUIRE(native.handle != 0);
  // Even a DEVICE_LOCAL buffer of cpu:0 is host memory: what a stream
  // writes, the pointer reads, and what the host writes, the stream copies.
  auto* p = reinterpret_cast<uint32_t*>(static_cast<uintptr_t>(native.handle));
  ahal_stream_t stream = nullptr;
  AHAL_TEST_OK(ahal_stream_create(device, nullptr, &stream));
  const uint32_t pattern = 0x5eed0001;
  AHAL_TEST_OK(ahal_stream_fill(stream, buffer, 0, 4096, &pattern, 4));
  AHAL_TEST_OK(ahal_stream_synchronize(stream));
  CHECK(p[0] == pattern);
  CHECK(p[1023] == pattern);
  p[7] = 42;
  uint32_t back = 0;
  AHAL_TEST_OK(ahal_stream_copy_d2h(stream, buffer, 7 * 4, &back, 4));
  AHAL_TEST_OK(ahal_stream_synchronize(stream));
  CHECK(back == 42);
  AHAL_TEST_OK(ahal_stream_destroy(stream));
  AHAL_TEST_OK(ahal_buffer_destroy(buffer));
}

TEST_CASE("ahal_buffer_host_address is cpu:0's buffer memory", "[api]") {
  Runtime rt;
  ahal_device_t device = nullptr;
  AHAL_TEST_OK(ahal_device_find(rt.rt, "cpu:0", &device));
  ahal_buffer_args_t args{sizeof(args), 256, AHAL_MEMORY_DEVICE_LOCAL};
  ahal_buffer_t buffer = nullptr;
  AHAL_TEST_OK(ahal_buffer_create(device, &args, &buffer));
  void* p = nullptr;
  AHAL_TEST_OK(ahal_buffer_host_address(buffer, &p));
  ahal_native_buffer_t native{};
  native.struct_size = sizeof(native);
  AHAL_TEST_OK(ahal_buffer_get_native(buffer, &native));
  CHECK(reinterpret_cast<uintptr_t>(p) == native.handle);
  CHECK(ahal_buffer_host_address(buffer, nullptr) == AHAL_ERROR_INVALID_ARGUMENT);
  CHECK(std::string(ahal_last_error_message()) == "ahal_buffer_host_address: out_pointer is NULL");
  AHAL_TEST_OK(ahal_buffer_destroy(buffer));
}

TEST_CASE("ahal_buffer_import_native makes a cpu:0 buffer of the caller's memory", "[api]") {
  Runtime rt;
  ahal_device_t device = nullptr;
  AHAL_TEST_OK(ahal_device_find(rt.rt, "cpu:0", &device));
  alignas(64) uint32_t memory[256] = {};
  ahal_native_buffer_t n = ahal_test::host_memory_native(memory, sizeof(memory));
  ahal_buffer_t buffer = nullptr;
  AHAL_TEST_OK(ahal_buffer_import_native(device, &n, &buffer));
  ahal_stream_t stream = nullptr;
  AHAL_TEST_OK(ahal_stream_create(device, nullptr, &stream));
  const uint32_t pattern = 0xfeed0002;
  AHAL_TEST_OK(ahal_stream_fill(stream, buffer, 0, sizeof(memory), &pattern, 4));
  AHAL_TEST_OK(ahal_stream_synchronize(stream));
  CHECK(memory[0] == pattern);
  CHECK(memory[255] == pattern);
  AHAL_TEST_OK(ahal_stream_destroy(stream));
  AHAL_TEST_OK(ahal_buffer_destroy(buffer));  // does not free the stack array
  // A misaligned pointer is refused: kernels get 16-byte aligned bindings.
  n.handle += 4;
  n.size -= 4;
  CHECK(ahal_buffer_import_native(device, &n, &buffer) == AHAL_ERROR_INVALID_ARGUMENT);
  CHECK(std::string(ahal_last_error_message()).find("not 16-byte aligned") != std::string::npos);
}

TEST_CASE("ahal_device_memory_peak: the most buffer bytes held at once, and its reset", "[api]") {
  Runtime rt;
  ahal_device_t device = nullptr;
  AHAL_TEST_OK(ahal_device_find(rt.rt, "cpu:0", &device));
  auto buffer = [&](uint64_t size) {
    ahal_buffer_args_t args{};
    args.struct_size = sizeof(args);
    args.size = size;
    ahal_buffer_t b = nullptr;
    AHAL_TEST_OK(ahal_buffer_create(device, &args, &b));
    return b;
  };
  uint64_t peak = 1;
  AHAL_TEST_OK(ahal_device_memory_peak(device, 0, &peak));
  CHECK(peak == 0);
  ahal_buffer_t a = buffer(1 << 20), b = buffer(3 << 20);
  AHAL_TEST_OK(ahal_buffer_destroy(b));
  ahal_buffer_t c = buffer(2 << 20);
  AHAL_TEST_OK(ahal_device_memory_peak(device, 0, &peak));
  CHECK(peak == (4u << 20));
  // Reading with RESET returns the old peak; the new one starts from what is held now.
  AHAL_TEST_OK(ahal_device_memory_peak(device, AHAL_MEMORY_PEAK_RESET, &peak));
  CHECK(peak == (4u << 20));
  AHAL_TEST_OK(ahal_device_memory_peak(device, 0, &peak));
  CHECK(peak == (3u << 20));
  AHAL_TEST_OK(ahal_buffer_destroy(a));
  AHAL_TEST_OK(ahal_buffer_destroy(c));

  CHECK(ahal_device_memory_peak(device, 0, nullptr) == AHAL_ERROR_INVALID_ARGUMENT);
  CHECK(std::string(ahal_last_error_message()) == "ahal_device_memory_peak: out_peak is NULL");
  CHECK(ahal_device_memory_peak(device, 0x6, &peak) == AHAL_ERROR_INVALID_ARGUMENT);
  CHECK(std::string(ahal_last_error_message()).find("unknown flags 0x6") != std::string::npos);
}
