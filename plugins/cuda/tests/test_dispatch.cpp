// The CUDA plugin's dispatch table, called directly as the loader would.
// Each tag runs in its own process (see CMakeLists.txt), because a loaded
// libcuda.so.1 stays loaded:
//   [nodriver]  no libcuda.so.1 at all (this machine; skipped where one exists)
//   [broken]    a libcuda.so.1 without cuGetProcAddress/cuInit
//   [nodevice]  the fake driver with zero devices
//   [fake]      the fake driver (tests/fake_libcuda.cpp): the plugin's use of
//               the driver API, with the build's real PTX; launches run the
//               kernels' CUDA source on the host. Not a GPU test.
#include "plugin_fixture.hpp"
#include "plugin_test_support.hpp"

#include <cuda.h>

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <cstring>
#include <thread>
#include <vector>

using namespace cuda_test;

namespace {

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("without a driver the plugin loads and reports why it has no devices", "[nodriver]") {
  unsetenv("AHAL_CUDA_DRIVER_PATH");
  if (ahal_test::system_has_library("libcuda.so.1")) return;
  Plugin plugin;
  REQUIRE(plugin.ok());
  CHECK(std::string(plugin.api.name) == "cuda");
  ahal_plugin_instance_t* instance = nullptr;
  REQUIRE(plugin.init(&instance) == AHAL_ERROR_NOT_FOUND);
  CHECK(instance == nullptr);
  INFO(t_message);
  CHECK(t_message.rfind("CUDA driver not found (libcuda.so.1: ", 0) == 0);
  CHECK(contains(t_message, "cannot open shared object file"));
  CHECK(t_message.back() == ')');
}

TEST_CASE("a missing driver file named in AHAL_CUDA_DRIVER_PATH is reported", "[nodriver]") {
  setenv("AHAL_CUDA_DRIVER_PATH", "/nonexistent/libcuda.so.1", 1);
  Plugin plugin;
  REQUIRE(plugin.ok());
  ahal_plugin_instance_t* instance = nullptr;
  REQUIRE(plugin.init(&instance) == AHAL_ERROR_NOT_FOUND);
  INFO(t_message);
  CHECK(t_message.rfind("CUDA driver not found (/nonexistent/libcuda.so.1: ", 0) == 0);
  unsetenv("AHAL_CUDA_DRIVER_PATH");
}

TEST_CASE("a libcuda.so.1 that is no CUDA driver is refused cleanly", "[broken]") {
  // The path comes from AHAL_CUDA_DRIVER_PATH, or from LD_LIBRARY_PATH when
  // ctest runs this with the broken driver's folder there.
  Plugin plugin;
  REQUIRE(plugin.ok());
  ahal_plugin_instance_t* instance = nullptr;
  REQUIRE(plugin.init(&instance) == AHAL_ERROR_INCOMPATIBLE);
  CHECK(instance == nullptr);
  INFO(t_message);
  CHECK(contains(t_message, "exports neither cuGetProcAddress_v2 nor cuGetProcAddress"));
  CHECK(contains(t_message, AHAL_BROKEN_CUDA_DRIVER));
}

TEST_CASE("a driver without devices lists the plugin with zero devices", "[nodevice]") {
  setenv("FAKE_CUDA_DEVICE_COUNT", "0", 1);
  FakeDriver fake;
  REQUIRE(fake.ok());
  Plugin plugin;
  REQUIRE(plugin.ok());
  ahal_plugin_instance_t* instance = nullptr;
  REQUIRE(plugin.init(&instance) == AHAL_ERROR_NOT_FOUND);
  INFO(t_message);
  CHECK(contains(t_message, "found no device"));
  CHECK(contains(t_message, "cuInit: CUDA_ERROR_NO_DEVICE"));
}

namespace {

// Plugin + fake driver + device 0 + one stream, torn down in order.
struct Session {
  FakeDriver fake;
  Plugin plugin;
  const ahal_plugin_api_t& api = plugin.api;
  ahal_plugin_instance_t* instance = nullptr;
  ahal_plugin_device_t* device = nullptr;
  ahal_plugin_stream_t* stream = nullptr;
  long allocations_before = 0;

  explicit Session(const char* devices = "1", const char* version = "12040") {
    setenv("FAKE_CUDA_DEVICE_COUNT", devices, 1);
    setenv("FAKE_CUDA_DRIVER_VERSION", version, 1);
    REQUIRE(fake.ok());
    REQUIRE(plugin.ok());
    allocations_before = fake.live_allocations();
    REQUIRE(plugin.init(&instance) == AHAL_SUCCESS);
    REQUIRE(api.device_open(instance, 0, &device) == AHAL_SUCCESS);
    REQUIRE(api.stream_create(device, nullptr, &stream) == AHAL_SUCCESS);
  }
  ~Session() {
    fake.hold(0);
    if (stream) api.stream_destroy(stream);
    if (device) api.device_close(device);
    if (instance) api.plugin_shutdown(instance);
    CHECK(fake.live_allocations() == allocations_before);
    CHECK(fake.context_refs(0) == 0);
  }

  ahal_plugin_buffer_t* buffer(uint64_t size, uint32_t flags = 0) {
    ahal_buffer_args_t args{sizeof(args), size, flags};
    ahal_plugin_buffer_t* b = nullptr;
    REQUIRE(api.buffer_create(device, &args, &b) == AHAL_SUCCESS);
    return b;
  }

  ahal_plugin_module_t* module(const std::string& ptx, const char* options = "",
                               ahal_status_t expect = AHAL_SUCCESS) {
    // No NUL after the PTX: the plugin must add it.
    const ahal_plugin_module_args_t args = ahal_test::plugin_module_args(
        AHAL_MODULE_FORMAT_PTX, ptx.data(), ptx.size(), options, "sm_80");
    ahal_plugin_module_t* m = nullptr;
    t_message.clear();
    REQUIRE(api.module_create(device, &args, &m) == expect);
    return m;
  }

  ahal_plugin_kernel_t* kernel(ahal_plugin_module_t* m, const char* name) {
    ahal_plugin_kernel_t* k = nullptr;
    REQUIRE(api.kernel_get(m, name, &k) == AHAL_SUCCESS);
    return k;
  }

  void sync() { REQUIRE(api.stream_synchronize(stream) == AHAL_SUCCESS); }
};

ahal_plugin_launch_t launch_1d(uint32_t groups, uint32_t size, const ahal_plugin_binding_t* b,
                               uint32_t nb, const void* constants, uint32_t constants_size,
                               uint32_t dynamic_shared = 0) {
  ahal_plugin_launch_t l{};
  l.struct_size = sizeof(l);
  l.grid[0] = groups;
  l.grid[1] = l.grid[2] = 1;
  l.workgroup_size[0] = size;
  l.workgroup_size[1] = l.workgroup_size[2] = 1;
  l.dynamic_shared_bytes = dynamic_shared;
  l.binding_count = nb;
  l.bindings = b;
  l.constants = constants;
  l.constants_size = constants_size;
  return l;
}

}  // namespace

TEST_CASE("entry points are asked for at the ABI versions this code was written for", "[fake]") {
  Session s;
  // _v2 ABIs: cuMemAlloc_v2 since 3.2, cuDevicePrimaryCtxRelease_v2 since
  // 11.0, cuStreamDestroy_v2 since 4.0 (the fake has only these).
  CHECK(s.fake.calls("cuGetProcAddress:cuMemAlloc@3020") >= 1);
  CHECK(s.fake.calls("cuGetProcAddress:cuDeviceTotalMem@3020") >= 1);
  CHECK(s.fake.calls("cuGetProcAddress:cuDevicePrimaryCtxRelease@11000") >= 1);
  CHECK(s.fake.calls("cuGetProcAddress:cuStreamDestroy@4000") >= 1);
  CHECK(s.fake.calls("cuGetProcAddress:cuMemcpyHtoDAsync@3020") >= 1);
  // Newer than the oldest supported driver, so optional.
  CHECK(s.fake.calls("cuGetProcAddress:cuFuncGetParamInfo@12040") >= 1);
  CHECK(s.fake.calls("cuGetProcAddress:cuDeviceGetUuid@11040") >= 1);
  CHECK(s.fake.calls("cuInit") >= 1);
}

TEST_CASE("device properties come from the driver", "[fake]") {
  Session s;
  ahal_device_properties_t p{};
  p.struct_size = sizeof(p);
  std::strcpy(p.plugin, "loader's");
  std::strcpy(p.selector, "cuda:0");
  REQUIRE(s.api.device_get_properties(s.device, &p) == AHAL_SUCCESS);
  CHECK(p.struct_size == sizeof(p));
  CHECK(std::string(p.name) == "ahal fake CUDA device 0");
  CHECK(std::string(p.vendor) == "NVIDIA");
  CHECK(std::string(p.plugin) == "loader's");  // the loader's fields stay
  CHECK(std::string(p.selector) == "cuda:0");
  CHECK(std::string(p.arch) == "sm_80");
  CHECK(std::string(p.driver_version) == "CUDA 12.4 driver");
  CHECK(p.type == AHAL_DEVICE_TYPE_GPU);
  CHECK(p.compute_units == 108);
  CHECK(p.global_memory_bytes == (uint64_t{1} << 30));
  CHECK(p.max_workgroup_size == 1024);
  CHECK(p.max_workgroup_dims[2] == 64);
  CHECK(p.max_grid_dims[0] == 2147483647u);
  CHECK(p.max_grid_dims[1] == 65535u);
  CHECK(p.shared_memory_per_workgroup == 163 * 1024);  // the opt-in maximum
  CHECK(p.subgroup_size_min == 32);
  CHECK(p.subgroup_size_max == 32);
  CHECK(p.clock_mhz == 1410);
  CHECK(p.max_bindings == AHAL_MAX_BINDINGS);
  CHECK(p.max_constants_size == AHAL_MAX_CONSTANTS_SIZE);
  CHECK(p.module_formats == ((1ull << AHAL_MODULE_FORMAT_PTX) | (1ull << AHAL_MODULE_FORMAT_CUBIN) |
                             (1ull << AHAL_MODULE_FORMAT_FATBIN)));
  CHECK((p.features & AHAL_FEATURE_HOST_VISIBLE_MEMORY) != 0);
  CHECK((p.features & AHAL_FEATURE_GENERAL_KERNELS) != 0);
  CHECK((p.features & AHAL_FEATURE_FP64) != 0);
  CHECK((p.features & AHAL_FEATURE_TIMESTAMPS) != 0);
  CHECK((p.features & AHAL_FEATURE_BUILTIN_KERNELS) == 0);
  CHECK((p.features & AHAL_FEATURE_UNIFIED_MEMORY) == 0);
  CHECK(p.has_uuid == 1);
  CHECK(p.uuid[0] == 0xa0);
  CHECK(p.uuid[15] == 0xaf);
  // A100-like: 5120-bit bus at 1215 MHz; 108 SMs x 64 fp32 lanes at 1.41 GHz.
  CHECK(p.peak_memory_bandwidth_gbps == Approx(1555.2));
  CHECK(p.peak_fp32_gflops == Approx(2.0 * 64 * 108 * 1.41));
  CHECK(p.peak_fp64_gflops == Approx(2.0 * 32 * 108 * 1.41));

  // An older caller's smaller struct: nothing past its struct_size is written.
  std::vector<unsigned char> small(sizeof(ahal_device_properties_t), 0xab);
  auto* old = reinterpret_cast<ahal_device_properties_t*>(small.data());
  old->struct_size = offsetof(ahal_device_properties_t, plugin);
  REQUIRE(s.api.device_get_properties(s.device, old) == AHAL_SUCCESS);
  CHECK(old->struct_size == offsetof(ahal_device_properties_t, plugin));
  CHECK(std::string(old->name) == "ahal fake CUDA device 0");
  for (size_t i = offsetof(ahal_device_properties_t, plugin); i < small.size(); ++i)
    REQUIRE(small[i] == 0xab);

  uint64_t used = 0, total = 0;
  REQUIRE(s.api.device_memory_usage(s.device, &used, &total) == AHAL_SUCCESS);
  ahal_plugin_buffer_t* b = s.buffer(1 << 20);
  uint64_t used_after = 0;
  REQUIRE(s.api.device_memory_usage(s.device, &used_after, &total) == AHAL_SUCCESS);
  CHECK(used_after - used == (1u << 20));
  CHECK(total == (uint64_t{1} << 30));
  s.api.buffer_destroy(s.device, b);
}

TEST_CASE("an older driver: smaller parameter space, no parameter introspection", "[fake]") {
  Session s("1", "11040");
  ahal_device_properties_t p{};
  p.struct_size = sizeof(p);
  REQUIRE(s.api.device_get_properties(s.device, &p) == AHAL_SUCCESS);
  CHECK(std::string(p.driver_version) == "CUDA 11.4 driver");
  CHECK(p.max_constants_size == 4096 - 8 * AHAL_MAX_BINDINGS);
  CHECK(s.fake.calls("cuGetProcAddress:cuFuncGetParamInfo@12040") >= 1);
  // The lowered PTX ISA (7.0 for sm_80) still loads on an 11.4 driver.
  ahal_plugin_module_t* m = s.module(standard_ptx(80));
  ahal_plugin_kernel_t* k = s.kernel(m, "write_index");
  ahal_plugin_buffer_t* out = s.buffer(64 * 4);
  ahal_plugin_binding_t binding{out, 0, 64 * 4};
  const uint32_t base = 7;
  auto l = launch_1d(2, 32, &binding, 1, &base, 4);
  REQUIRE(s.api.stream_launch(s.stream, k, &l) == AHAL_SUCCESS);
  std::vector<uint32_t> host(64);
  REQUIRE(s.api.stream_copy_d2h(s.stream, out, 0, host.data(), 64 * 4) == AHAL_SUCCESS);
  s.sync();
  for (uint32_t i = 0; i < 64; ++i) REQUIRE(host[i] == i + base);
  s.api.buffer_destroy(s.device, out);
  s.api.module_destroy(m);
}

TEST_CASE("copies and fills move the right bytes", "[fake]") {
  Session s;
  const uint64_t size = 4096;
  ahal_plugin_buffer_t* a = s.buffer(size);
  ahal_plugin_buffer_t* b = s.buffer(size);
  std::vector<uint8_t> src(size), dst(size, 0);
  for (size_t i = 0; i < size; ++i) src[i] = static_cast<uint8_t>(i * 7);
  REQUIRE(s.api.stream_copy_h2d(s.stream, src.data(), a, 0, size) == AHAL_SUCCESS);
  REQUIRE(s.api.stream_fill(s.stream, a, 64, 16, 0x11, 1) == AHAL_SUCCESS);
  REQUIRE(s.api.stream_fill(s.stream, a, 128, 16, 0xbeef, 2) == AHAL_SUCCESS);
  REQUIRE(s.api.stream_fill(s.stream, a, 256, 32, 0xdeadbeef, 4) == AHAL_SUCCESS);
  REQUIRE(s.api.stream_copy_d2d(s.stream, a, 0, b, 1024, 1024) == AHAL_SUCCESS);
  REQUIRE(s.api.stream_copy_d2h(s.stream, b, 0, dst.data(), size) == AHAL_SUCCESS);
  REQUIRE(s.api.stream_copy_h2d(s.stream, src.data(), a, 0, 0) == AHAL_SUCCESS);  // no-op
  s.sync();
  std::vector<uint8_t> expect(src.begin(), src.begin() + 1024);
  std::memset(expect.data() + 64, 0x11, 16);
  for (int i = 0; i < 8; ++i) std::memcpy(expect.data() + 128 + 2 * i, "\xef\xbe", 2);
  for (int i = 0; i < 8; ++i) std::memcpy(expect.data() + 256 + 4 * i, "\xef\xbe\xad\xde", 4);
  CHECK(std::memcmp(dst.data() + 1024, expect.data(), 1024) == 0);
  s.api.buffer_destroy(s.device, a);
  s.api.buffer_destroy(s.device, b);
}

TEST_CASE("host-visible buffers are mapped pinned host memory", "[fake]") {
  Session s;
  ahal_plugin_buffer_t* hv = s.buffer(1024, AHAL_MEMORY_HOST_VISIBLE | AHAL_MEMORY_HOST_COHERENT);
  ahal_plugin_buffer_t* dev = s.buffer(1024);
  void* mapped = nullptr;
  REQUIRE(s.api.buffer_map(s.device, hv, 256, 512, &mapped) == AHAL_SUCCESS);
  std::memset(mapped, 0x5a, 512);
  REQUIRE(s.api.buffer_unmap(s.device, hv) == AHAL_SUCCESS);
  REQUIRE(s.api.stream_copy_d2d(s.stream, hv, 256, dev, 0, 512) == AHAL_SUCCESS);
  REQUIRE(s.api.stream_fill(s.stream, hv, 0, 256, 0x01020304, 4) == AHAL_SUCCESS);
  const uint32_t word = 0xcafef00d;
  REQUIRE(s.api.stream_copy_h2d(s.stream, &word, hv, 1020, 4) == AHAL_SUCCESS);
  std::vector<uint8_t> back(512);
  REQUIRE(s.api.stream_copy_d2h(s.stream, dev, 0, back.data(), 512) == AHAL_SUCCESS);
  s.sync();
  for (uint8_t v : back) REQUIRE(v == 0x5a);
  REQUIRE(s.api.buffer_map(s.device, hv, 0, 1024, &mapped) == AHAL_SUCCESS);
  const auto* bytes = static_cast<const uint32_t*>(mapped);
  CHECK(bytes[0] == 0x01020304u);
  CHECK(bytes[63] == 0x01020304u);
  CHECK(bytes[255] == 0xcafef00du);
  REQUIRE(s.api.buffer_unmap(s.device, hv) == AHAL_SUCCESS);
  // A device-local buffer cannot be mapped.
  REQUIRE(s.api.buffer_map(s.device, dev, 0, 16, &mapped) == AHAL_ERROR_INVALID_STATE);
  s.api.buffer_destroy(s.device, hv);
  s.api.buffer_destroy(s.device, dev);

  void* pinned = nullptr;
  ahal_plugin_host_alloc_t* alloc = nullptr;
  REQUIRE(s.api.host_alloc(s.device, 1 << 16, 0, &pinned, &alloc) == AHAL_SUCCESS);
  std::memset(pinned, 1, 1 << 16);
  s.api.host_free(s.device, alloc);
}

TEST_CASE("launches pass binding addresses plus offsets, then the constants struct", "[fake]") {
  Session s;
  ahal_plugin_module_t* m = s.module(standard_ptx(80), "-O3 -maxrregcount=64");
  ahal_plugin_kernel_t* k = s.kernel(m, "vector_add");
  ahal_plugin_kernel_t* again = nullptr;
  REQUIRE(s.api.kernel_get(m, "vector_add", &again) == AHAL_SUCCESS);
  CHECK(again == k);

  const uint32_t n = 1000;
  const uint64_t offset = 64;  // a multiple of binding_offset_alignment (16)
  ahal_plugin_buffer_t* ab = s.buffer(offset + n * 4);
  ahal_plugin_buffer_t* bb = s.buffer(n * 4);
  ahal_plugin_buffer_t* cb = s.buffer(offset + n * 4);
  std::vector<float> a(n), b(n), c(n, -1.0f);
  for (uint32_t i = 0; i < n; ++i) {
    a[i] = static_cast<float>(i);
    b[i] = 0.5f * static_cast<float>(i);
  }
  REQUIRE(s.api.stream_copy_h2d(s.stream, a.data(), ab, offset, n * 4) == AHAL_SUCCESS);
  REQUIRE(s.api.stream_copy_h2d(s.stream, b.data(), bb, 0, n * 4) == AHAL_SUCCESS);
  ahal_plugin_binding_t bindings[3] = {{ab, offset, n * 4}, {bb, 0, n * 4}, {cb, offset, n * 4}};
  uint32_t constants = n;
  auto l = launch_1d((n + 255) / 256, 256, bindings, 3, &constants, 4);
  REQUIRE(s.api.stream_launch(s.stream, k, &l) == AHAL_SUCCESS);
  constants = 0;  // the plugin must have taken the value at launch
  REQUIRE(s.api.stream_copy_d2h(s.stream, cb, offset, c.data(), n * 4) == AHAL_SUCCESS);
  s.sync();
  for (uint32_t i = 0; i < n; ++i) REQUIRE(c[i] == 1.5f * static_cast<float>(i));

  // A launch that does not fit the kernel's parameters is refused.
  auto bad = launch_1d(1, 32, bindings, 2, &constants, 4);
  REQUIRE(s.api.stream_launch(s.stream, k, &bad) == AHAL_ERROR_INVALID_ARGUMENT);
  CHECK(contains(t_message, "vector_add takes 4 parameters"));
  auto bad_constants = launch_1d(1, 32, bindings, 3, &constants, 8);
  REQUIRE(s.api.stream_launch(s.stream, k, &bad_constants) == AHAL_ERROR_INVALID_ARGUMENT);

  ahal_kernel_attributes_t attributes{};
  attributes.struct_size = sizeof(attributes);
  REQUIRE(s.api.kernel_get_attributes(k, &attributes) == AHAL_SUCCESS);
  CHECK(attributes.max_workgroup_size == 1024);
  CHECK(attributes.preferred_workgroup_multiple == 32);

  ahal_plugin_kernel_t* missing = nullptr;
  REQUIRE(s.api.kernel_get(m, "no_such_kernel", &missing) == AHAL_ERROR_NOT_FOUND);
  CHECK(contains(t_message, "no_such_kernel"));

  for (auto* buf : {ab, bb, cb}) s.api.buffer_destroy(s.device, buf);
  s.api.module_destroy(m);
}

TEST_CASE("every standard kernel of the sm_80 PTX resolves", "[fake]") {
  Session s;
  ahal_plugin_module_t* m = s.module(standard_ptx(80));
  for (const char* name :
       {"empty", "vector_add", "saxpy", "stream_copy", "stream_scale", "stream_add", "stream_triad",
        "stream_dot", "write_index", "atomic_count", "reverse_shared", "reverse_dynamic", "fma_f32",
        "fma_f64"}) {
    INFO(name);
    s.kernel(m, name);
  }
  ahal_kernel_attributes_t attributes{};
  attributes.struct_size = sizeof(attributes);
  REQUIRE(s.api.kernel_get_attributes(s.kernel(m, "reverse_shared"), &attributes) == AHAL_SUCCESS);
  CHECK(attributes.static_shared_bytes == 256 * 4);
  REQUIRE(s.api.kernel_get_attributes(s.kernel(m, "stream_dot"), &attributes) == AHAL_SUCCESS);
  CHECK(attributes.static_shared_bytes == 256 * 8);
  s.api.module_destroy(m);
}

TEST_CASE("dynamic shared memory above 48 KiB is opted into once per size", "[fake]") {
  Session s;
  ahal_plugin_module_t* m = s.module(standard_ptx(80));
  ahal_plugin_kernel_t* k = s.kernel(m, "reverse_dynamic");
  const uint32_t w = 256, groups = 4, n = w * groups;
  ahal_plugin_buffer_t* in = s.buffer(n * 4);
  ahal_plugin_buffer_t* out = s.buffer(n * 4);
  std::vector<uint32_t> host(n);
  for (uint32_t i = 0; i < n; ++i) host[i] = i;
  REQUIRE(s.api.stream_copy_h2d(s.stream, host.data(), in, 0, n * 4) == AHAL_SUCCESS);
  ahal_plugin_binding_t b[2] = {{in, 0, n * 4}, {out, 0, n * 4}};
  const long before = s.fake.calls("cuFuncSetAttribute");
  auto small = launch_1d(groups, w, b, 2, nullptr, 0, w * 4);
  REQUIRE(s.api.stream_launch(s.stream, k, &small) == AHAL_SUCCESS);
  CHECK(s.fake.calls("cuFuncSetAttribute") == before);
  auto big = launch_1d(groups, w, b, 2, nullptr, 0, 64 * 1024);
  REQUIRE(s.api.stream_launch(s.stream, k, &big) == AHAL_SUCCESS);
  REQUIRE(s.api.stream_launch(s.stream, k, &big) == AHAL_SUCCESS);
  REQUIRE(s.api.stream_launch(s.stream, k, &small) == AHAL_SUCCESS);
  CHECK(s.fake.calls("cuFuncSetAttribute") == before + 1);
  auto bigger = launch_1d(groups, w, b, 2, nullptr, 0, 100 * 1024);
  REQUIRE(s.api.stream_launch(s.stream, k, &bigger) == AHAL_SUCCESS);
  CHECK(s.fake.calls("cuFuncSetAttribute") == before + 2);
  auto too_big = launch_1d(groups, w, b, 2, nullptr, 0, 200 * 1024);
  REQUIRE(s.api.stream_launch(s.stream, k, &too_big) == AHAL_ERROR_OUT_OF_RANGE);
  CHECK(contains(t_message, "reverse_dynamic"));
  CHECK(s.fake.calls("cuFuncSetAttribute") == before + 2);
  REQUIRE(s.api.stream_copy_d2h(s.stream, out, 0, host.data(), n * 4) == AHAL_SUCCESS);
  s.sync();
  for (uint32_t g = 0; g < groups; ++g)
    for (uint32_t i = 0; i < w; ++i) REQUIRE(host[g * w + i] == g * w + (w - 1 - i));
  s.api.buffer_destroy(s.device, in);
  s.api.buffer_destroy(s.device, out);
  s.api.module_destroy(m);
}

TEST_CASE("the primary context is made current once per thread", "[fake]") {
  Session s;
  ahal_plugin_module_t* m = s.module(standard_ptx(80));
  ahal_plugin_kernel_t* k = s.kernel(m, "empty");
  auto l = launch_1d(1, 1, nullptr, 0, nullptr, 0);
  REQUIRE(s.api.stream_launch(s.stream, k, &l) == AHAL_SUCCESS);
  const long before = s.fake.calls("cuCtxSetCurrent");
  for (int i = 0; i < 100; ++i) REQUIRE(s.api.stream_launch(s.stream, k, &l) == AHAL_SUCCESS);
  CHECK(s.fake.calls("cuCtxSetCurrent") == before);
  ahal_status_t status[2] = {AHAL_ERROR_INTERNAL, AHAL_ERROR_INTERNAL};
  std::thread other([&] {
    status[0] = s.api.stream_launch(s.stream, k, &l);
    status[1] = s.api.stream_launch(s.stream, k, &l);
  });
  other.join();
  CHECK(status[0] == AHAL_SUCCESS);
  CHECK(status[1] == AHAL_SUCCESS);
  CHECK(s.fake.calls("cuCtxSetCurrent") == before + 1);
  s.sync();
  s.api.module_destroy(m);
}

TEST_CASE("JIT failures carry the driver's log; build options are checked", "[fake]") {
  Session s;
  std::string ptx = standard_ptx(80);
  std::string broken = ptx;
  broken.insert(broken.find(".visible .entry empty"), "fake_syntax_error\n");
  s.module(broken, "", AHAL_ERROR_BUILD_FAILED);
  INFO(t_message);
  CHECK(contains(t_message, "cuModuleLoadDataEx(ptx image for sm_80"));
  CHECK(contains(t_message, "CUDA_ERROR_INVALID_PTX"));
  CHECK(contains(t_message, "error   : fake syntax error"));

  // PTX ISA newer than the driver: say so, with both versions.
  std::string newer = ptx;
  const size_t at = newer.find(".version ");
  newer.replace(at, newer.find('\n', at) - at, ".version 9.0");
  s.module(newer, "", AHAL_ERROR_BUILD_FAILED);
  CHECK(contains(t_message, "CUDA_ERROR_UNSUPPORTED_PTX_VERSION"));
  CHECK(contains(t_message, "PTX ISA 9.0"));
  CHECK(contains(t_message, "CUDA 12.4 driver"));

  s.module(ptx, "-cl-fast-relaxed-math", AHAL_ERROR_INVALID_ARGUMENT);
  CHECK(contains(t_message, "-cl-fast-relaxed-math"));

  const ahal_plugin_module_args_t args =
      ahal_test::plugin_module_args(AHAL_MODULE_FORMAT_SPIRV_VULKAN, ptx.data(), ptx.size());
  ahal_plugin_module_t* m = nullptr;
  REQUIRE(s.api.module_create(s.device, &args, &m) == AHAL_ERROR_UNSUPPORTED);

  int32_t score80 = 0, score75 = 0, score90 = 0;
  REQUIRE(s.api.image_score(s.device, AHAL_MODULE_FORMAT_PTX, "sm_80", &score80) == AHAL_SUCCESS);
  REQUIRE(s.api.image_score(s.device, AHAL_MODULE_FORMAT_PTX, "sm_75", &score75) == AHAL_SUCCESS);
  REQUIRE(s.api.image_score(s.device, AHAL_MODULE_FORMAT_PTX, "sm_90", &score90) == AHAL_SUCCESS);
  CHECK(score80 > score75);
  CHECK(score75 > 0);
  CHECK(score90 <= 0);
}

TEST_CASE("events: query, bounded wait, timing; callbacks and cross-stream waits", "[fake]") {
  Session s;
  ahal_plugin_event_t* timed_start = nullptr;
  ahal_plugin_event_t* timed_end = nullptr;
  ahal_plugin_event_t* plain = nullptr;
  REQUIRE(s.api.event_create(s.device, AHAL_EVENT_TIMING, &timed_start) == AHAL_SUCCESS);
  REQUIRE(s.api.event_create(s.device, AHAL_EVENT_TIMING, &timed_end) == AHAL_SUCCESS);
  REQUIRE(s.api.event_create(s.device, 0, &plain) == AHAL_SUCCESS);
  CHECK(s.fake.calls("cuEventCreate") >= 3);
  REQUIRE(s.api.event_query(plain) == AHAL_SUCCESS);  // never recorded
  uint64_t ns = 0;
  REQUIRE(s.api.event_elapsed_ns(timed_start, timed_end, &ns) == AHAL_ERROR_INVALID_STATE);

  s.fake.hold(1);
  REQUIRE(s.api.stream_record_event(s.stream, timed_start) == AHAL_SUCCESS);
  std::atomic<int> ran{0};
  REQUIRE(s.api.stream_host_callback(
              s.stream, [](void* p) { static_cast<std::atomic<int>*>(p)->fetch_add(1); }, &ran) ==
          AHAL_SUCCESS);
  REQUIRE(s.api.stream_record_event(s.stream, timed_end) == AHAL_SUCCESS);
  REQUIRE(s.api.stream_record_event(s.stream, plain) == AHAL_SUCCESS);
  CHECK(s.api.event_query(plain) == AHAL_NOT_READY);
  CHECK(s.api.stream_query(s.stream) == AHAL_NOT_READY);
  const auto t0 = std::chrono::steady_clock::now();
  REQUIRE(s.api.event_wait(plain, 20'000'000) == AHAL_ERROR_TIMEOUT);
  CHECK(std::chrono::steady_clock::now() - t0 >= std::chrono::milliseconds(20));
  CHECK(contains(t_message, "did not complete within 20000000 ns"));
  REQUIRE(s.api.event_wait(plain, 0) == AHAL_ERROR_TIMEOUT);
  CHECK(ran == 0);
  s.fake.hold(0);
  REQUIRE(s.api.event_wait(plain, UINT64_MAX) == AHAL_SUCCESS);
  CHECK(ran == 1);
  REQUIRE(s.api.event_wait(timed_end, 5'000'000'000ull) == AHAL_SUCCESS);
  REQUIRE(s.api.event_elapsed_ns(timed_start, timed_end, &ns) == AHAL_SUCCESS);
  CHECK(ns < 5'000'000'000ull);
  REQUIRE(s.api.event_elapsed_ns(timed_start, plain, &ns) == AHAL_ERROR_INVALID_ARGUMENT);
  REQUIRE(s.api.stream_query(s.stream) == AHAL_SUCCESS);

  // Stream 2 waits for stream 1's event: its callback sees stream 1's done.
  ahal_plugin_stream_t* second = nullptr;
  REQUIRE(s.api.stream_create(s.device, nullptr, &second) == AHAL_SUCCESS);
  struct Order {
    std::atomic<int> first{0};
    std::atomic<int> seen{-1};
  } order;
  REQUIRE(s.api.stream_host_callback(
              s.stream,
              [](void* p) {
                std::this_thread::sleep_for(std::chrono::milliseconds(30));
                static_cast<Order*>(p)->first = 1;
              },
              &order) == AHAL_SUCCESS);
  REQUIRE(s.api.stream_record_event(s.stream, plain) == AHAL_SUCCESS);
  REQUIRE(s.api.stream_wait_event(second, plain) == AHAL_SUCCESS);
  REQUIRE(s.api.stream_host_callback(
              second,
              [](void* p) {
                auto* o = static_cast<Order*>(p);
                o->seen = o->first.load();
              },
              &order) == AHAL_SUCCESS);
  REQUIRE(s.api.stream_synchronize(second) == AHAL_SUCCESS);
  CHECK(order.seen == 1);
  s.api.stream_destroy(second);
  for (auto* e : {timed_start, timed_end, plain}) s.api.event_destroy(e);
}

TEST_CASE("stream priorities are clamped to the driver's range", "[fake]") {
  Session s;
  for (int32_t priority : {-100, -3, 0, 7}) {
    ahal_stream_args_t args{sizeof(args), 0, priority};
    ahal_plugin_stream_t* stream = nullptr;
    INFO(priority);
    REQUIRE(s.api.stream_create(s.device, &args, &stream) == AHAL_SUCCESS);
    s.api.stream_destroy(stream);
  }
}

TEST_CASE("launches run the kernels' CUDA source: shared tiles, reductions, atomics", "[fake]") {
  // The fake runs kernels/cuda/ahal_kernels.cu compiled for the host, so a
  // kernel that is subtly wrong (a missing barrier, a wrong index) fails
  // here. Several blocks, sizes that are no multiple of the block.
  Session s;
  ahal_plugin_module_t* m = s.module(standard_ptx(80));
  const long threads_before = s.fake.calls("kernel threads");
  const long barriers_before = s.fake.calls("kernel barriers");
  uint64_t threads = 0, barrier_threads = 0;

  const uint32_t w = 96, groups = 6, n = w * groups;
  std::vector<uint32_t> in(n), out(n);
  for (uint32_t i = 0; i < n; ++i) in[i] = i * 2654435761u + 1;
  ahal_plugin_buffer_t* bi = s.buffer(n * 4);
  ahal_plugin_buffer_t* bo = s.buffer(n * 4);
  REQUIRE(s.api.stream_copy_h2d(s.stream, in.data(), bi, 0, n * 4) == AHAL_SUCCESS);
  ahal_plugin_binding_t tiles[2] = {{bi, 0, n * 4}, {bo, 0, n * 4}};
  for (const char* name : {"reverse_shared", "reverse_dynamic"}) {
    INFO(name);
    const bool dynamic = std::string(name) == "reverse_dynamic";
    REQUIRE(s.api.stream_fill(s.stream, bo, 0, n * 4, 0, 4) == AHAL_SUCCESS);
    auto l = launch_1d(groups, w, tiles, 2, nullptr, 0, dynamic ? w * 4 : 0);
    REQUIRE(s.api.stream_launch(s.stream, s.kernel(m, name), &l) == AHAL_SUCCESS);
    REQUIRE(s.api.stream_copy_d2h(s.stream, bo, 0, out.data(), n * 4) == AHAL_SUCCESS);
    s.sync();
    for (uint32_t g = 0; g < groups; ++g)
      for (uint32_t i = 0; i < w; ++i) REQUIRE(out[g * w + i] == in[g * w + (w - 1 - i)]);
    threads += n;
    barrier_threads += n;
  }

  // stream_dot: one partial sum per block, strided over the whole grid.
  // Small integers keep every sum exact whatever the order of additions.
  const uint32_t dn = 5003, dgroups = 7, dw = 64, stride = dgroups * dw;
  std::vector<double> a(dn), b(dn), partial(dgroups, -1.0);
  for (uint32_t i = 0; i < dn; ++i) {
    a[i] = static_cast<double>(i % 7) - 3.0;
    b[i] = static_cast<double>(i % 5) + 1.0;
  }
  ahal_plugin_buffer_t* ba = s.buffer(dn * 8);
  ahal_plugin_buffer_t* bb = s.buffer(dn * 8);
  ahal_plugin_buffer_t* bp = s.buffer(dgroups * 8);
  REQUIRE(s.api.stream_copy_h2d(s.stream, a.data(), ba, 0, dn * 8) == AHAL_SUCCESS);
  REQUIRE(s.api.stream_copy_h2d(s.stream, b.data(), bb, 0, dn * 8) == AHAL_SUCCESS);
  ahal_plugin_binding_t dot[3] = {{ba, 0, dn * 8}, {bb, 0, dn * 8}, {bp, 0, dgroups * 8}};
  struct {
    double s;
    uint32_t n, pad;
  } dot_constants{0.0, dn, 0};
  auto dl = launch_1d(dgroups, dw, dot, 3, &dot_constants, sizeof(dot_constants));
  REQUIRE(s.api.stream_launch(s.stream, s.kernel(m, "stream_dot"), &dl) == AHAL_SUCCESS);
  REQUIRE(s.api.stream_copy_d2h(s.stream, bp, 0, partial.data(), dgroups * 8) == AHAL_SUCCESS);
  s.sync();
  for (uint32_t g = 0; g < dgroups; ++g) {
    double want = 0.0;
    for (uint32_t i = g * dw; i < (g + 1) * dw; ++i)
      for (uint32_t k = i; k < dn; k += stride) want += a[k] * b[k];
    INFO("block " << g);
    CHECK(partial[g] == want);
  }
  threads += stride;
  barrier_threads += stride;

  // atomic_count over a 2D grid: every thread adds 1 and its linear id.
  const uint32_t zero = 0;
  ahal_plugin_buffer_t* counter = s.buffer(8);
  REQUIRE(s.api.stream_fill(s.stream, counter, 0, 8, zero, 4) == AHAL_SUCCESS);
  ahal_plugin_binding_t count_binding{counter, 0, 8};
  auto cl = launch_1d(5, 32, &count_binding, 1, nullptr, 0);
  cl.grid[1] = 3;
  REQUIRE(s.api.stream_launch(s.stream, s.kernel(m, "atomic_count"), &cl) == AHAL_SUCCESS);
  uint32_t counts[2] = {0, 0};
  REQUIRE(s.api.stream_copy_d2h(s.stream, counter, 0, counts, 8) == AHAL_SUCCESS);
  s.sync();
  const uint32_t items = 5 * 3 * 32;
  CHECK(counts[0] == items);
  CHECK(counts[1] == items * (items - 1) / 2);
  threads += items;

  // Every CUDA thread ran once; the barrier kernels' threads reached barriers.
  CHECK(s.fake.calls("kernel threads") - threads_before == static_cast<long>(threads));
  CHECK(s.fake.calls("kernel barriers") - barriers_before >= static_cast<long>(barrier_threads));

  for (auto* buf : {bi, bo, ba, bb, bp, counter}) s.api.buffer_destroy(s.device, buf);
  s.api.module_destroy(m);
}

TEST_CASE("sticky errors are device loss", "[fake]") {
  Session s;
  ahal_plugin_module_t* m = s.module(standard_ptx(80));
  ahal_plugin_kernel_t* k = s.kernel(m, "write_index");
  ahal_plugin_buffer_t* out = s.buffer(64);
  ahal_plugin_binding_t binding{out, 0, 64};
  const uint32_t base = 0;
  // 1024 items write 4 KiB into a 64-byte buffer: the "GPU" faults later.
  auto l = launch_1d(4, 256, &binding, 1, &base, 4);
  REQUIRE(s.api.stream_launch(s.stream, k, &l) == AHAL_SUCCESS);
  REQUIRE(s.api.stream_synchronize(s.stream) == AHAL_ERROR_DEVICE_LOST);
  CHECK(contains(t_message, "CUDA_ERROR_ILLEGAL_ADDRESS"));
  CHECK(contains(t_message, "unusable"));
  REQUIRE(s.api.stream_launch(s.stream, k, &l) == AHAL_ERROR_DEVICE_LOST);
  s.api.buffer_destroy(s.device, out);
  s.api.module_destroy(m);
}

TEST_CASE("driver failures name the call and the CUDA error", "[fake]") {
  Session s;
  s.fake.force_error("cuMemAlloc", CUDA_ERROR_OUT_OF_MEMORY);
  ahal_buffer_args_t args{sizeof(args), 1 << 20, 0};
  ahal_plugin_buffer_t* b = nullptr;
  REQUIRE(s.api.buffer_create(s.device, &args, &b) == AHAL_ERROR_OUT_OF_DEVICE_MEMORY);
  CHECK(contains(t_message, "cuMemAlloc(1048576 bytes"));
  CHECK(contains(t_message, "CUDA_ERROR_OUT_OF_MEMORY"));
  s.fake.force_error("cuMemAlloc", 0);
  s.fake.force_error("cuStreamQuery", CUDA_ERROR_LAUNCH_FAILED);
  REQUIRE(s.api.stream_query(s.stream) == AHAL_ERROR_DEVICE_LOST);
  s.fake.force_error("cuStreamQuery", 0);
}

TEST_CASE("copies between two GPUs go peer to peer", "[fake]") {
  Session s("2");
  ahal_plugin_device_t* second = nullptr;
  REQUIRE(s.api.device_open(s.instance, 1, &second) == AHAL_SUCCESS);
  ahal_buffer_args_t args{sizeof(args), 256, 0};
  ahal_plugin_buffer_t* on0 = s.buffer(256);
  ahal_plugin_buffer_t* on1 = nullptr;
  REQUIRE(s.api.buffer_create(second, &args, &on1) == AHAL_SUCCESS);
  std::vector<uint8_t> data(256), back(256, 0);
  for (int i = 0; i < 256; ++i) data[i] = static_cast<uint8_t>(255 - i);
  REQUIRE(s.api.stream_copy_h2d(s.stream, data.data(), on0, 0, 256) == AHAL_SUCCESS);
  REQUIRE(s.api.stream_copy_d2d(s.stream, on0, 0, on1, 0, 256) == AHAL_SUCCESS);
  CHECK(s.fake.calls("cuMemcpyPeerAsync") == 1);
  CHECK(s.fake.calls("cuCtxEnablePeerAccess") == 2);  // both directions, once
  REQUIRE(s.api.stream_copy_d2d(s.stream, on1, 0, on0, 0, 128) == AHAL_SUCCESS);
  CHECK(s.fake.calls("cuCtxEnablePeerAccess") == 2);
  s.sync();
  ahal_plugin_stream_t* stream1 = nullptr;
  REQUIRE(s.api.stream_create(second, nullptr, &stream1) == AHAL_SUCCESS);
  REQUIRE(s.api.stream_copy_d2h(stream1, on1, 0, back.data(), 256) == AHAL_SUCCESS);
  REQUIRE(s.api.stream_synchronize(stream1) == AHAL_SUCCESS);
  CHECK(back == data);
  s.api.stream_destroy(stream1);
  s.api.buffer_destroy(second, on1);
  s.api.buffer_destroy(s.device, on0);
  s.api.device_close(second);
  CHECK(s.fake.context_refs(1) == 0);
}

TEST_CASE("command buffers of launches are CUDA graphs; others fall back", "[fake]") {
  Session s;
  ahal_plugin_module_t* m = s.module(standard_ptx(80));
  ahal_plugin_kernel_t* write_index = s.kernel(m, "write_index");
  const uint32_t n = 512;
  ahal_plugin_buffer_t* a = s.buffer(n * 4);
  ahal_plugin_buffer_t* b = s.buffer(n * 4);
  ahal_plugin_binding_t to_a = {a, 0, n * 4}, to_b = {b, 0, n * 4};
  uint32_t base = 7;
  std::vector<ahal_plugin_command_t> commands(3);
  for (auto& c : commands) c.struct_size = sizeof(c);
  commands[0].type = AHAL_PLUGIN_COMMAND_LAUNCH;
  commands[0].kernel = write_index;
  commands[0].launch = launch_1d(n / 64, 64, &to_a, 1, &base, 4);
  commands[1].type = AHAL_PLUGIN_COMMAND_BARRIER;
  commands[2] = commands[0];
  commands[2].launch.bindings = &to_b;
  ahal_plugin_command_buffer_t* cb = nullptr;
  REQUIRE(s.api.command_buffer_create(s.device, commands.data(), 3, 0, &cb) == AHAL_SUCCESS);
  base = 0;  // the graph took the values at create
  const long launches_before = s.fake.calls("cuGraphLaunch");
  const long kernels_before = s.fake.calls("cuLaunchKernel");
  std::vector<uint32_t> got(n);
  for (int round = 0; round < 2; ++round) {
    REQUIRE(s.api.command_buffer_submit(s.stream, cb) == AHAL_SUCCESS);
    REQUIRE(s.api.stream_copy_d2h(s.stream, b, 0, got.data(), n * 4) == AHAL_SUCCESS);
    s.sync();
    CHECK(got[0] == 7);
    CHECK(got[n - 1] == n - 1 + 7);
  }
  CHECK(s.fake.calls("cuGraphLaunch") == launches_before + 2);
  CHECK(s.fake.calls("cuLaunchKernel") == kernels_before);  // no launch went through the stream

  // An update changes the node of the instantiated graph.
  ahal_plugin_command_t update = commands[2];
  uint32_t next = 100;
  update.launch.constants = &next;
  REQUIRE(s.api.command_buffer_update(cb, 2, &update) == AHAL_SUCCESS);
  REQUIRE(s.api.command_buffer_submit(s.stream, cb) == AHAL_SUCCESS);
  REQUIRE(s.api.stream_copy_d2h(s.stream, b, 0, got.data(), n * 4) == AHAL_SUCCESS);
  s.sync();
  CHECK(got[5] == 105);
  CHECK(s.api.command_buffer_update(cb, 1, &update) == AHAL_ERROR_INVALID_ARGUMENT);
  auto bad = update;
  bad.launch.constants_size = 8;
  CHECK(s.api.command_buffer_update(cb, 2, &bad) == AHAL_ERROR_INVALID_ARGUMENT);
  s.api.command_buffer_destroy(cb);

  // A copy is not a kernel node: UNSUPPORTED, so the loader replays.
  ahal_plugin_command_t copy{};
  copy.struct_size = sizeof(copy);
  copy.type = AHAL_PLUGIN_COMMAND_COPY_D2D;
  copy.src = a;
  copy.dst = b;
  copy.size = 16;
  ahal_plugin_command_buffer_t* none = nullptr;
  CHECK(s.api.command_buffer_create(s.device, &copy, 1, 0, &none) == AHAL_ERROR_UNSUPPORTED);
  CHECK(contains(t_message,
                 "command 0 (device copy): the CUDA graph form takes launches and barriers only"));
  s.api.buffer_destroy(s.device, a);
  s.api.buffer_destroy(s.device, b);
  s.api.module_destroy(m);
}
