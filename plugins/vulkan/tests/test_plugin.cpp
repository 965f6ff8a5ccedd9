// Tests of the Vulkan plugin through the public API, on vulkan:0 (lavapipe
// here and in CI). Exits with 77 (ctest: skipped) when no Vulkan device.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <ahal/ahal.h>

#include "device_test_support.hpp"
#include "standard_kernels_check.hpp"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <numeric>
#include <string>
#include <thread>
#include <vector>

#define REQUIRE_OK(expr)                                                                       \
  do {                                                                                         \
    const ahal_status_t status_ = (expr);                                                      \
    INFO(#expr << " -> " << ahal_status_string(status_) << ": " << ahal_last_error_message()); \
    REQUIRE(status_ == AHAL_SUCCESS);                                                          \
  } while (0)

namespace {

// A runtime that loads only the Vulkan plugin from the build tree.
struct Runtime {
  ahal_runtime_t rt = nullptr;
  ahal_device_t dev = nullptr;
  Runtime() {
    ahal_runtime_options_t o = {};
    o.struct_size = sizeof(o);
    o.flags = AHAL_RUNTIME_NO_DEFAULT_PATHS | AHAL_RUNTIME_IGNORE_ENVIRONMENT;
    o.plugin_path = AHAL_TEST_PLUGIN_DIR;
    o.plugins = "vulkan";
    if (ahal_runtime_create(&o, &rt) != AHAL_SUCCESS) return;
    if (ahal_device_find(rt, "vulkan:0", &dev) != AHAL_SUCCESS) dev = nullptr;
  }
  ~Runtime() {
    if (rt) ahal_runtime_destroy(rt);
  }
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;
};

std::vector<uint8_t> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// One device, bundle and stream shared by most tests.
struct Fixture : ahal_test::StreamFixture {
  Fixture()
      : StreamFixture(AHAL_TEST_PLUGIN_DIR, "vulkan", "vulkan:0",
                      AHAL_RUNTIME_NO_DEFAULT_PATHS | AHAL_RUNTIME_IGNORE_ENVIRONMENT) {}
  ahal_device_t dev = device;
  ahal_module_t bundle = ahal_test::bundle_module(device, AHAL_TEST_KERNELS_BUNDLE);

  ahal_kernel_t kernel(const char* name) {
    ahal_kernel_t k = nullptr;
    REQUIRE_OK(ahal_kernel_get(bundle, name, &k));
    return k;
  }
  template <typename C>
  void launch(const char* name, std::vector<ahal_buffer_t> bufs, const C* constants,
              uint32_t grid_x, uint32_t wg_x, uint32_t dynamic_shared = 0) {
    std::vector<ahal_binding_t> bindings;
    for (ahal_buffer_t b : bufs) bindings.push_back({b, 0, 0});
    const ahal_launch_args_t l = ahal_test::launch_1d(grid_x, wg_x, bindings, constants,
                                                      constants ? sizeof(C) : 0, dynamic_shared);
    REQUIRE_OK(ahal_stream_launch(stream, kernel(name), &l));
  }
  bool fp64() const { return props.features & AHAL_FEATURE_FP64; }
};

struct NoConstants {};
const NoConstants* kNone = nullptr;

}  // namespace

TEST_CASE("vulkan:0 properties are sane") {
  Fixture f;
  const auto& p = f.props;
  CHECK(std::string(p.plugin) == "vulkan");
  CHECK(std::string(p.selector) == "vulkan:0");
  CHECK(std::strlen(p.name) > 0);
  CHECK(std::strlen(p.vendor) > 0);
  CHECK(std::string(p.driver_version).find("Vulkan 1.") != std::string::npos);
  CHECK(p.global_memory_bytes > 0);
  CHECK(p.max_allocation_bytes > 0);
  CHECK(p.max_allocation_bytes <= p.global_memory_bytes);
  CHECK(p.max_workgroup_size >= 128);  // Vulkan's required minimum
  for (int d = 0; d < 3; ++d) {
    CHECK(p.max_workgroup_dims[d] >= 1);
    CHECK(p.max_workgroup_dims[d] <= p.max_workgroup_size);
    CHECK(p.max_grid_dims[d] >= 65535);
  }
  CHECK(p.shared_memory_per_workgroup >= 16384);
  CHECK(p.subgroup_size_min >= 1);
  CHECK(p.subgroup_size_min <= p.subgroup_size_max);
  CHECK(p.max_bindings >= 4);
  CHECK(p.max_bindings <= AHAL_MAX_BINDINGS);
  CHECK(p.max_constants_size >= 128);
  CHECK(p.binding_offset_alignment >= 1);
  CHECK((p.binding_offset_alignment & (p.binding_offset_alignment - 1)) == 0);
  CHECK(p.module_formats == (1ull << AHAL_MODULE_FORMAT_SPIRV_VULKAN));
  CHECK((p.features & AHAL_FEATURE_GENERAL_KERNELS));
  CHECK((p.features & AHAL_FEATURE_HOST_CALLBACKS));
  CHECK((p.features & AHAL_FEATURE_HOST_VISIBLE_MEMORY));
  if (p.features & AHAL_FEATURE_TIMESTAMPS) CHECK(p.timestamp_resolution_ps > 0);
  CHECK(p.has_uuid == 1);
  uint8_t zero[16] = {};
  CHECK(std::memcmp(p.uuid, zero, 16) != 0);
  uint64_t used = 0, total = 0;
  REQUIRE_OK(ahal_device_memory_usage(f.dev, &used, &total));
  CHECK(total == p.global_memory_bytes);
}

TEST_CASE("every standard kernel matches the host reference") {
  Fixture f;
  ahal_test::check_standard_kernels(f.dev, ahal_test::kernels_of(f.bundle));
}

TEST_CASE("kernel attributes come from the bundle and the SPIR-V") {
  Fixture f;
  ahal_kernel_attributes_t a = {};
  a.struct_size = sizeof(a);
  REQUIRE_OK(ahal_kernel_get_attributes(f.kernel("reverse_shared"), &a));
  CHECK(a.static_shared_bytes == 256 * 4);  // its `shared uint tile[256]`
  CHECK(a.max_workgroup_size == f.props.max_workgroup_size);
  CHECK(a.preferred_workgroup_multiple >= 1);
  CHECK(a.has_metadata == 1);
  CHECK(a.binding_count == 2);
  REQUIRE_OK(ahal_kernel_get_attributes(f.kernel("reverse_dynamic"), &a));
  CHECK((a.flags & AHAL_KERNEL_USES_DYNAMIC_SHARED));
  CHECK(a.static_shared_bytes == 0);  // sized by specialization constant 3
}

TEST_CASE("unknown kernels and bad modules are refused; the device keeps working") {
  Fixture f;
  ahal_kernel_t k = nullptr;
  CHECK(ahal_kernel_get(f.bundle, "no_such_kernel", &k) == AHAL_ERROR_NOT_FOUND);
  CHECK(std::string(ahal_last_error_message()).find("no_such_kernel") != std::string::npos);

  // A raw module: the entry point is the name given.
  std::vector<uint8_t> spv = read_file(std::string(AHAL_VULKAN_SPIRV_DIR) + "/write_index.spv");
  REQUIRE(spv.size() > 20);
  ahal_module_args_t ma = {};
  ma.struct_size = sizeof(ma);
  ma.format = AHAL_MODULE_FORMAT_SPIRV_VULKAN;
  ma.data = spv.data();
  ma.data_size = spv.size();
  ahal_module_t raw = nullptr;
  REQUIRE_OK(ahal_module_create(f.dev, &ma, &raw));
  CHECK(ahal_kernel_get(raw, "write_index", &k) == AHAL_ERROR_NOT_FOUND);
  std::string message = ahal_last_error_message();
  CHECK(message.find("write_index") != std::string::npos);
  CHECK(message.find("main") != std::string::npos);  // lists what there is
  ahal_kernel_t main_kernel = nullptr;
  REQUIRE_OK(ahal_kernel_get(raw, "main", &main_kernel));

  // Garbage is refused before the driver sees it.
  std::vector<uint32_t> junk = {0x12345678u, 1, 2, 3, 4, 5};
  ma.data = junk.data();
  ma.data_size = junk.size() * 4;
  ahal_module_t bad = nullptr;
  CHECK(ahal_module_create(f.dev, &ma, &bad) == AHAL_ERROR_BUILD_FAILED);
  ma.data_size = 10;
  CHECK(ahal_module_create(f.dev, &ma, &bad) == AHAL_ERROR_BUILD_FAILED);

  // The raw kernel still runs (launched with explicit argument shape).
  ahal_buffer_t out = f.buffer(64 * 4);
  uint32_t base = 5;
  ahal_binding_t bd = {out, 0, 0};
  ahal_launch_args_t l = {};
  l.struct_size = sizeof(l);
  l.grid[0] = 1;
  l.grid[1] = l.grid[2] = 1;
  l.workgroup_size[0] = 64;
  l.workgroup_size[1] = l.workgroup_size[2] = 1;
  l.binding_count = 1;
  l.bindings = &bd;
  l.constants = &base;
  l.constants_size = 4;
  REQUIRE_OK(ahal_stream_launch(f.stream, main_kernel, &l));
  auto v = f.download<uint32_t>(out, 64);
  for (uint32_t i = 0; i < 64; ++i) REQUIRE(v[i] == i + 5);
  REQUIRE_OK(ahal_module_destroy(raw));
}

TEST_CASE("pipeline cache is written to the cache folder and reused") {
  char tmpl[] = "/tmp/ahal-vulkan-cache-XXXXXX";
  REQUIRE(mkdtemp(tmpl) != nullptr);
  const std::string root = tmpl, dir = root + "/vulkan";
  setenv("AHAL_CACHE_DIR", root.c_str(), 1);
  auto cache_file = [&]() -> std::string {
    std::string found;
    if (DIR* d = opendir(dir.c_str())) {
      while (dirent* e = readdir(d)) {
        std::string name = e->d_name;
        if (name.size() > 14 && name.rfind(".pipelinecache") == name.size() - 14)
          found = dir + "/" + name;
      }
      closedir(d);
    }
    return found;
  };
  auto run = [](uint32_t wg) {
    Fixture f;
    std::vector<float> a(256, 1.0f);
    ahal_buffer_t ba = f.upload(a), bb = f.upload(a), bc = f.buffer(256 * 4);
    uint32_t n = 256;
    f.launch("vector_add", {ba, bb, bc}, &n, 256 / wg, wg);
    auto out = f.download<float>(bc, 256);
    REQUIRE(out[255] == 2.0f);
  };
  run(64);
  const std::string file = cache_file();
  REQUIRE(!file.empty());
  std::vector<uint8_t> first = read_file(file);
  REQUIRE(first.size() >= 32);
  uint32_t header[4];
  std::memcpy(header, first.data(), sizeof(header));
  CHECK(header[0] >= 32);  // headerSize
  CHECK(header[1] == 1);   // VK_PIPELINE_CACHE_HEADER_VERSION_ONE

  // A second run with another workgroup size starts from the saved cache,
  // so the new file holds both pipelines: at least what the first held.
  run(128);
  std::vector<uint8_t> second = read_file(file);
  CHECK(second.size() >= first.size());
  CHECK(std::equal(second.begin(), second.begin() + 32, first.begin()));

  // A cache from another device is ignored and replaced by a valid one.
  std::vector<uint8_t> foreign = first;
  foreign[8] ^= 0xff;  // vendorID
  {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(foreign.data()),
              static_cast<std::streamsize>(foreign.size()));
  }
  run(32);
  std::vector<uint8_t> third = read_file(file);
  REQUIRE(third.size() >= 32);
  CHECK(std::equal(third.begin(), third.begin() + 32, first.begin()));
  unsetenv("AHAL_CACHE_DIR");
  std::remove(file.c_str());
  rmdir(dir.c_str());
  rmdir(root.c_str());
}

TEST_CASE("sub-allocator: many small buffers, alignment, reuse after free") {
  Fixture f;
  SECTION("many small buffers keep their own contents") {
    std::vector<ahal_buffer_t> bufs;
    for (uint32_t i = 0; i < 500; ++i) {
      ahal_buffer_t b = f.buffer(4 + (i % 7) * 12, (i % 2) ? AHAL_MEMORY_HOST_VISIBLE : 0);
      REQUIRE_OK(ahal_stream_fill(f.stream, b, 0, 4, &i, 4));
      bufs.push_back(b);
    }
    for (uint32_t i = 0; i < 500; ++i) {
      uint32_t v = 0;
      REQUIRE_OK(ahal_stream_copy_d2h(f.stream, bufs[i], 0, &v, 4));
      REQUIRE_OK(ahal_stream_synchronize(f.stream));
      REQUIRE(v == i);
    }
    for (ahal_buffer_t b : bufs) REQUIRE_OK(ahal_buffer_destroy(b));
  }
  SECTION("freed memory is reused") {
    uint64_t used0 = 0, used1 = 0, used2 = 0, total = 0;
    REQUIRE_OK(ahal_device_memory_usage(f.dev, &used0, &total));
    for (int round = 0; round < 3; ++round) {
      std::vector<ahal_buffer_t> bufs;
      for (int i = 0; i < 200; ++i) bufs.push_back(f.buffer(4096));
      REQUIRE_OK(ahal_device_memory_usage(f.dev, round ? &used2 : &used1, &total));
      for (ahal_buffer_t b : bufs) REQUIRE_OK(ahal_buffer_destroy(b));
    }
    CHECK(used1 <= used0 + (64ull << 20));  // 800 KiB fit in one block
    CHECK(used2 == used1);
  }
  SECTION("bindings at aligned offsets and a dedicated large buffer") {
    const uint64_t align = f.props.binding_offset_alignment;
    const uint64_t big = 48ull << 20;  // above half a block: its own allocation
    ahal_buffer_t b = f.buffer(big);
    REQUIRE_OK(ahal_stream_fill(f.stream, b, 0, big, "\xff\xff\xff\xff", 4));
    uint32_t base = 0;
    const uint64_t offset = align * 3 + (32ull << 20) / align * align;
    ahal_binding_t bd = {b, offset, 64 * 4};
    ahal_launch_args_t l = {};
    l.struct_size = sizeof(l);
    l.grid[0] = l.grid[1] = l.grid[2] = 1;
    l.workgroup_size[0] = 64;
    l.workgroup_size[1] = l.workgroup_size[2] = 1;
    l.binding_count = 1;
    l.bindings = &bd;
    l.constants = &base;
    l.constants_size = 4;
    REQUIRE_OK(ahal_stream_launch(f.stream, f.kernel("write_index"), &l));
    auto v = f.download<uint32_t>(b, 66, offset - 4);
    CHECK(v[0] == 0xffffffffu);
    for (uint32_t i = 0; i < 64; ++i) REQUIRE(v[i + 1] == i);
    CHECK(v[65] == 0xffffffffu);
  }
}

TEST_CASE("bindings larger than maxStorageBufferRange are refused, windows of them work") {
  Fixture f;
  const uint64_t big = 136ull << 20;  // above the 128 MiB many drivers bind at most
  if (big > f.props.max_allocation_bytes) return;
  ahal_buffer_t b = f.buffer(big);
  uint32_t base = 9;
  ahal_binding_t bd = {b, 0, 0};
  ahal_launch_args_t l = {};
  l.struct_size = sizeof(l);
  l.grid[0] = l.grid[1] = l.grid[2] = 1;
  l.workgroup_size[0] = 64;
  l.workgroup_size[1] = l.workgroup_size[2] = 1;
  l.binding_count = 1;
  l.bindings = &bd;
  l.constants = &base;
  l.constants_size = 4;
  const ahal_status_t whole = ahal_stream_launch(f.stream, f.kernel("write_index"), &l);
  if (whole != AHAL_SUCCESS) {
    CHECK(whole == AHAL_ERROR_OUT_OF_RANGE);
    CHECK(std::string(ahal_last_error_message()).find("maxStorageBufferRange") !=
          std::string::npos);
  }
  bd.offset = big - 4096;
  bd.size = 4096;
  REQUIRE_OK(ahal_stream_launch(f.stream, f.kernel("write_index"), &l));
  auto v = f.download<uint32_t>(b, 64, big - 4096);
  for (uint32_t i = 0; i < 64; ++i) REQUIRE(v[i] == i + 9);
  REQUIRE_OK(ahal_buffer_destroy(b));
}

TEST_CASE("copies: pinned and pageable, small and staged, idle and busy streams") {
  Fixture f;
  const uint64_t sizes[] = {1, 3, 4096, 300000, 5u << 20};
  ahal_host_alloc_t pinned = nullptr;
  void* pinned_ptr = nullptr;
  REQUIRE_OK(ahal_host_alloc(f.dev, 2 * (5u << 20) + 64, 0, &pinned));
  REQUIRE_OK(ahal_host_alloc_pointer(pinned, &pinned_ptr));
  uint8_t* pin = static_cast<uint8_t*>(pinned_ptr);
  for (uint32_t flags : {0u, unsigned(AHAL_MEMORY_HOST_VISIBLE)}) {
    for (bool busy : {false, true}) {
      for (bool use_pinned : {false, true}) {
        for (uint64_t size : sizes) {
          INFO("flags " << flags << " busy " << busy << " pinned " << use_pinned << " size "
                        << size);
          ahal_buffer_t a = f.buffer(size + 16, flags), b = f.buffer(size + 16, flags);
          std::vector<uint8_t> src_v(size), dst_v(size, 0);
          uint8_t* src = use_pinned ? pin : src_v.data();
          uint8_t* dst = use_pinned ? pin + (5u << 20) + 32 : dst_v.data();
          for (uint64_t i = 0; i < size; ++i) src[i] = static_cast<uint8_t>(i * 7 + size);
          std::memset(dst, 0, size);
          if (busy) f.launch("empty", {}, kNone, 1, 1);
          REQUIRE_OK(ahal_stream_copy_h2d(f.stream, src, a, 3, size));
          REQUIRE_OK(ahal_stream_copy_d2d(f.stream, a, 3, b, 5, size));
          REQUIRE_OK(ahal_stream_copy_d2h(f.stream, b, 5, dst, size));
          REQUIRE_OK(ahal_stream_synchronize(f.stream));
          REQUIRE(std::memcmp(src, dst, size) == 0);
          REQUIRE_OK(ahal_buffer_destroy(a));
          REQUIRE_OK(ahal_buffer_destroy(b));
        }
      }
    }
  }
  REQUIRE_OK(ahal_host_free(pinned));
}

TEST_CASE("mapped host-visible buffers are seen by kernels") {
  Fixture f;
  ahal_buffer_t b = f.buffer(256 * 4, AHAL_MEMORY_HOST_VISIBLE | AHAL_MEMORY_HOST_COHERENT);
  void* p = nullptr;
  REQUIRE_OK(ahal_buffer_map(b, 0, 256 * 4, &p));
  for (uint32_t i = 0; i < 256; ++i) static_cast<float*>(p)[i] = float(i);
  REQUIRE_OK(ahal_buffer_unmap(b));
  struct {
    float a;
    uint32_t n;
  } c{2.0f, 256};
  ahal_buffer_t y = f.upload(std::vector<float>(256, 1.0f));
  f.launch("saxpy", {b, y}, &c, 4, 64);
  auto out = f.download<float>(y, 256);
  for (uint32_t i = 0; i < 256; ++i) REQUIRE(out[i] == 2.0f * i + 1.0f);
}

TEST_CASE("batching: many dependent launches and one synchronize") {
  Fixture f;
  const uint32_t n = 4096, launches = 1000;
  ahal_buffer_t x = f.upload(std::vector<float>(n, 1.0f)),
                y = f.upload(std::vector<float>(n, 0.5f));
  ahal_buffer_t z = f.buffer(n * 4);
  struct {
    float a;
    uint32_t n;
  } c{1.0f, n};
  for (uint32_t i = 0; i < launches; ++i) {
    f.launch("saxpy", {x, y}, &c, n / 256, 256);  // y += x
    if (i % 100 == 99) REQUIRE_OK(ahal_stream_copy_d2d(f.stream, y, 0, z, 0, n * 4));
  }
  auto out = f.download<float>(y, n);
  auto copy = f.download<float>(z, n);
  for (uint32_t i = 0; i < n; ++i) {
    REQUIRE(out[i] == 0.5f + launches);
    REQUIRE(copy[i] == 0.5f + launches);
  }
}

TEST_CASE("fills of each pattern size at unaligned offsets and sizes") {
  Fixture f;
  const uint32_t size = 64;
  ahal_buffer_t b = f.buffer(size);
  const uint8_t pattern[4] = {0x11, 0x22, 0x33, 0x44};
  for (uint32_t ps : {1u, 2u, 4u}) {
    for (uint32_t off = 0; off < 12; off += ps) {
      for (uint32_t len = ps; off + len <= size && len <= 24; len += ps) {
        INFO("pattern " << ps << " offset " << off << " size " << len);
        std::vector<uint8_t> expect(size, 0xEE);
        REQUIRE_OK(ahal_stream_fill(f.stream, b, 0, size, "\xEE", 1));
        REQUIRE_OK(ahal_stream_fill(f.stream, b, off, len, pattern, ps));
        for (uint32_t i = 0; i < len; ++i) expect[off + i] = pattern[i % ps];
        auto got = f.download<uint8_t>(b, size);
        REQUIRE(got == expect);
      }
    }
  }
}

TEST_CASE("events, timing, host callbacks and cross-stream waits") {
  Fixture f;
  SECTION("timed events measure a kernel") {
    if (!(f.props.features & AHAL_FEATURE_TIMESTAMPS)) return;
    ahal_event_t start = nullptr, end = nullptr;
    REQUIRE_OK(ahal_event_create(f.dev, AHAL_EVENT_TIMING, &start));
    REQUIRE_OK(ahal_event_create(f.dev, AHAL_EVENT_TIMING, &end));
    ahal_buffer_t out = f.buffer(65536 * 4);
    struct {
      uint32_t iters;
      float a, b;
      uint32_t pad;
    } c{2000, 0.999f, 0.001f, 0};
    REQUIRE_OK(ahal_stream_record_event(f.stream, start));
    f.launch("fma_f32", {out}, &c, 256, 256);
    REQUIRE_OK(ahal_stream_record_event(f.stream, end));
    REQUIRE_OK(ahal_event_wait(end, UINT64_MAX));
    REQUIRE_OK(ahal_event_query(start));
    uint64_t ns = 0;
    REQUIRE_OK(ahal_event_elapsed_ns(start, end, &ns));
    CHECK(ns > 1000);  // 2000 x 8 FMAs over 64K items: far more than a microsecond
    CHECK(ns < 60ull * 1000 * 1000 * 1000);
    REQUIRE_OK(ahal_event_destroy(start));
    REQUIRE_OK(ahal_event_destroy(end));
  }
  SECTION("callbacks run after earlier work; later work waits for them") {
    std::vector<uint32_t> first(1024, 0), second(1024, 0);
    ahal_buffer_t b = f.buffer(1024 * 4);
    struct State {
      std::vector<uint32_t>* first;
      std::atomic<bool> release{false}, saw_first{false}, ran{false};
    } st;
    st.first = &first;
    REQUIRE_OK(ahal_stream_fill(f.stream, b, 0, 4096, "\x07\0\0\0", 4));
    REQUIRE_OK(ahal_stream_copy_d2h(f.stream, b, 0, first.data(), 4096));
    REQUIRE_OK(ahal_stream_host_callback(
        f.stream,
        [](void* p) {
          auto* s = static_cast<State*>(p);
          bool all = true;
          for (uint32_t v : *s->first) all = all && v == 7;
          s->saw_first = all;
          while (!s->release) std::this_thread::sleep_for(std::chrono::milliseconds(1));
          s->ran = true;
        },
        &st));
    REQUIRE_OK(ahal_stream_fill(f.stream, b, 0, 4096, "\x09\0\0\0", 4));
    REQUIRE_OK(ahal_stream_copy_d2h(f.stream, b, 0, second.data(), 4096));
    ahal_event_t e = nullptr;
    REQUIRE_OK(ahal_event_create(f.dev, 0, &e));
    REQUIRE_OK(ahal_stream_record_event(f.stream, e));
    CHECK(ahal_event_query(e) == AHAL_NOT_READY);
    CHECK(ahal_stream_query(f.stream) == AHAL_NOT_READY);
    CHECK(ahal_event_wait(e, 2000000) == AHAL_ERROR_TIMEOUT);  // 2 ms
    CHECK(second[0] == 0);
    st.release = true;
    REQUIRE_OK(ahal_event_wait(e, UINT64_MAX));
    CHECK(st.ran);
    CHECK(st.saw_first);
    for (uint32_t v : second) REQUIRE(v == 9);
    REQUIRE_OK(ahal_stream_synchronize(f.stream));
    REQUIRE_OK(ahal_event_destroy(e));
  }
  SECTION("a copy after a callback reads what the callback wrote") {
    struct State {
      std::vector<uint32_t> host = std::vector<uint32_t>(100000, 1);
      std::atomic<bool> release{false};
    } st;
    ahal_buffer_t b = f.buffer(st.host.size() * 4);
    REQUIRE_OK(ahal_stream_host_callback(
        f.stream,
        [](void* p) {
          auto* s = static_cast<State*>(p);
          while (!s->release) std::this_thread::sleep_for(std::chrono::milliseconds(1));
          for (uint32_t& v : s->host) v = 42;
        },
        &st));
    REQUIRE_OK(ahal_stream_copy_h2d(f.stream, st.host.data(), b, 0, st.host.size() * 4));
    std::vector<uint32_t> back(st.host.size(), 0);
    REQUIRE_OK(ahal_stream_copy_d2h(f.stream, b, 0, back.data(), back.size() * 4));
    st.release = true;
    REQUIRE_OK(ahal_stream_synchronize(f.stream));
    for (uint32_t v : back) REQUIRE(v == 42);
  }
  SECTION("a stream waits for an event of another stream") {
    ahal_stream_t other = nullptr;
    REQUIRE_OK(ahal_stream_create(f.dev, nullptr, &other));
    ahal_buffer_t b = f.buffer(4096);
    REQUIRE_OK(ahal_stream_fill(f.stream, b, 0, 4096, "\x01", 1));
    REQUIRE_OK(ahal_stream_synchronize(f.stream));
    std::atomic<bool> release{false};
    REQUIRE_OK(ahal_stream_host_callback(
        other,
        [](void* p) {
          while (!static_cast<std::atomic<bool>*>(p)->load())
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        },
        &release));
    REQUIRE_OK(ahal_stream_fill(other, b, 0, 4096, "\x05", 1));
    ahal_event_t e = nullptr;
    REQUIRE_OK(ahal_event_create(f.dev, 0, &e));
    REQUIRE_OK(ahal_stream_record_event(other, e));
    REQUIRE_OK(ahal_stream_wait_event(f.stream, e));
    std::vector<uint8_t> host(4096, 0);
    REQUIRE_OK(ahal_stream_copy_d2h(f.stream, b, 0, host.data(), 4096));
    ahal_event_t done = nullptr;
    REQUIRE_OK(ahal_event_create(f.dev, 0, &done));
    REQUIRE_OK(ahal_stream_record_event(f.stream, done));
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    CHECK(ahal_event_query(done) == AHAL_NOT_READY);
    CHECK(host[0] == 0);
    release = true;
    REQUIRE_OK(ahal_stream_synchronize(f.stream));
    for (uint8_t v : host) REQUIRE(v == 5);
    REQUIRE_OK(ahal_event_destroy(e));
    REQUIRE_OK(ahal_event_destroy(done));
    REQUIRE_OK(ahal_stream_destroy(other));
  }
  SECTION("an event never recorded is complete") {
    ahal_event_t e = nullptr;
    REQUIRE_OK(ahal_event_create(f.dev, 0, &e));
    CHECK(ahal_event_query(e) == AHAL_SUCCESS);
    REQUIRE_OK(ahal_event_wait(e, 0));
    REQUIRE_OK(ahal_event_destroy(e));
  }
}

TEST_CASE("streams run concurrently from several threads") {
  Fixture f;
  const int threads = 4, rounds = 50;
  std::vector<std::thread> pool;
  std::atomic<int> failures{0};
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      ahal_stream_t s = nullptr;
      if (ahal_stream_create(f.dev, nullptr, &s) != AHAL_SUCCESS) {
        ++failures;
        return;
      }
      ahal_buffer_args_t a = {sizeof(a), 256 * 4, 0};
      ahal_buffer_t b = nullptr;
      ahal_buffer_create(f.dev, &a, &b);
      ahal_kernel_t k = nullptr;
      ahal_kernel_get(f.bundle, "write_index", &k);
      for (int r = 0; r < rounds; ++r) {
        uint32_t base = static_cast<uint32_t>(t * 1000 + r);
        ahal_binding_t bd = {b, 0, 0};
        ahal_launch_args_t l = {};
        l.struct_size = sizeof(l);
        l.grid[0] = 4;
        l.grid[1] = l.grid[2] = 1;
        l.workgroup_size[0] = 64;
        l.workgroup_size[1] = l.workgroup_size[2] = 1;
        l.binding_count = 1;
        l.bindings = &bd;
        l.constants = &base;
        l.constants_size = 4;
        std::vector<uint32_t> out(256);
        if (ahal_stream_launch(s, k, &l) != AHAL_SUCCESS ||
            ahal_stream_copy_d2h(s, b, 0, out.data(), 1024) != AHAL_SUCCESS ||
            ahal_stream_synchronize(s) != AHAL_SUCCESS || out[255] != 255 + base)
          ++failures;
      }
      ahal_buffer_destroy(b);
      ahal_stream_destroy(s);
    });
  }
  for (auto& th : pool) th.join();
  CHECK(failures == 0);
}

int main(int argc, char** argv) {
  {
    Runtime probe;
    if (!probe.dev) {
      std::printf("SKIP: no Vulkan device (vulkan:0): %s\n", ahal_last_error_message());
      return 77;
    }
  }
  return Catch::Session().run(argc, argv);
}
