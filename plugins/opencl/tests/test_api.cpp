// The OpenCL plugin through the public API on opencl:0: every standard
// kernel against a host reference, build failures, unknown kernels, the
// module cache, binding offsets, copies, fills, maps, events, timing, host
// callbacks, cross-stream waits, concurrent launches and recovery after
// errors. Exits 77 (skipped) when there is no OpenCL device.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <ahal/ahal.h>

#include "device_test_support.hpp"
#include "standard_kernels_check.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

std::string g_cache_dir;  // AHAL_CACHE_DIR for every runtime of this test

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> cache_files() {
  std::vector<std::string> names;
  if (DIR* d = opendir((g_cache_dir + "/opencl").c_str())) {
    while (dirent* e = readdir(d)) {
      if (e->d_name[0] != '.') names.push_back(g_cache_dir + "/opencl/" + e->d_name);
    }
    closedir(d);
  }
  return names;
}

// A runtime with only the OpenCL plugin, its device opencl:0 and a stream.
struct Fixture : ahal_test::StreamFixture {
  Fixture() : StreamFixture(AHAL_TEST_PLUGIN_DIR, "opencl", "opencl:0") {}

  bool has_fp64() const { return (props.features & AHAL_FEATURE_FP64) != 0; }

  ahal_module_t bundle_module() const {
    return ahal_test::bundle_module(device, AHAL_TEST_BUNDLE_FILE);
  }
  ahal_status_t source_module(const std::string& source, ahal_module_t* out,
                              const char* options = nullptr,
                              const std::vector<ahal_kernel_info_t>& infos = {}) const {
    return ahal_test::image_module(device, AHAL_MODULE_FORMAT_OPENCL_C, source.data(),
                                   source.size(), out, options, infos);
  }
  ahal_kernel_t kernel(ahal_module_t m, const char* name) {
    ahal_kernel_t k = nullptr;
    AHAL_TEST_OK(ahal_kernel_get(m, name, &k));
    return k;
  }
};

struct Launch {
  ahal_launch_args_t args{};
  std::vector<ahal_binding_t> bindings;

  Launch(std::initializer_list<uint32_t> grid, std::initializer_list<uint32_t> wg) {
    args.struct_size = sizeof(args);
    for (int i = 0; i < 3; ++i) args.grid[i] = args.workgroup_size[i] = 1;
    int i = 0;
    for (uint32_t g : grid) args.grid[i++] = g;
    i = 0;
    for (uint32_t w : wg) args.workgroup_size[i++] = w;
  }
  Launch& bind(ahal_buffer_t b, uint64_t offset = 0, uint64_t size = 0) {
    bindings.push_back({b, offset, size});
    return *this;
  }
  template <typename C>
  Launch& constants(const C& c) {
    args.constants = &c;
    args.constants_size = sizeof(C);
    return *this;
  }
  Launch& shared(uint32_t bytes) {
    args.dynamic_shared_bytes = bytes;
    return *this;
  }
  ahal_status_t run(ahal_stream_t stream, ahal_kernel_t kernel) {
    args.binding_count = static_cast<uint32_t>(bindings.size());
    args.bindings = bindings.empty() ? nullptr : bindings.data();
    return ahal_stream_launch(stream, kernel, &args);
  }
};

// reverse_dynamic of module `m` reverses each workgroup's 64 values through
// its dynamic __local memory.
void check_reverse_dynamic(Fixture& f, ahal_module_t m) {
  std::vector<uint32_t> in(128);
  for (uint32_t i = 0; i < 128; ++i) in[i] = i;
  ahal_buffer_t din = f.upload(in), dout = f.buffer(128 * 4);
  AHAL_TEST_OK(Launch({2}, {64}).bind(din).bind(dout).shared(256).run(
      f.stream, f.kernel(m, "reverse_dynamic")));
  auto out = f.download<uint32_t>(dout, 128);
  for (uint32_t i = 0; i < 128; ++i) REQUIRE(out[i] == (i / 64) * 64 + 63 - i % 64);
}

}  // namespace

TEST_CASE("device properties are sane") {
  Fixture f;
  const ahal_device_properties_t& p = f.props;
  ahal_test::check_properties_consistent(p, "opencl", "opencl:0");
  CHECK(p.compute_units > 0);
  CHECK(p.shared_memory_per_workgroup >= 1024);
  CHECK((p.module_formats & (1ull << AHAL_MODULE_FORMAT_OPENCL_C)) != 0);
  CHECK((p.features & AHAL_FEATURE_HOST_CALLBACKS) != 0);
  CHECK((p.features & AHAL_FEATURE_DYNAMIC_SHARED_MEMORY) != 0);
}

TEST_CASE("every standard kernel matches the host reference") {
  Fixture f;
  ahal_test::check_bundle_standard_kernels(f.device, AHAL_TEST_BUNDLE_FILE,
                                           AHAL_MODULE_FORMAT_OPENCL_C);
}

// The plugin passes OpenCL the fewest dimensions a grid needs.
TEST_CASE("write_index in 1D, 2D and 3D grids") {
  Fixture f;
  ahal_module_t m = f.bundle_module();
  const uint32_t grids[3][3] = {{5, 1, 1}, {3, 2, 1}, {2, 3, 2}};
  const uint32_t wgs[3][3] = {{8, 1, 1}, {4, 4, 1}, {4, 2, 2}};
  for (int d = 0; d < 3; ++d) {
    uint32_t total = 1;
    for (int i = 0; i < 3; ++i) total *= grids[d][i] * wgs[d][i];
    ahal_buffer_t out = f.buffer(total * 4);
    struct {
      uint32_t base;
    } k = {100u * (d + 1)};
    Launch l({grids[d][0], grids[d][1], grids[d][2]}, {wgs[d][0], wgs[d][1], wgs[d][2]});
    AHAL_TEST_OK(l.bind(out).constants(k).run(f.stream, f.kernel(m, "write_index")));
    auto host = f.download<uint32_t>(out, total);
    for (uint32_t i = 0; i < total; ++i) REQUIRE(host[i] == i + k.base);
  }
}

TEST_CASE("a build failure is BUILD_FAILED with the build log") {
  Fixture f;
  ahal_module_t m = nullptr;
  CHECK(f.source_module("__kernel void k(__global int* p) { p[0] = missing_name; }", &m) ==
        AHAL_ERROR_BUILD_FAILED);
  std::string message = ahal_last_error_message();
  CHECK(message.find("CL_BUILD_PROGRAM_FAILURE") != std::string::npos);
  CHECK(message.find("missing_name") != std::string::npos);
  // Bad options fail the build too, naming them.
  CHECK(f.source_module("__kernel void k(void) {}", &m, "-no-such-option") ==
        AHAL_ERROR_BUILD_FAILED);
  CHECK(std::string(ahal_last_error_message()).find("-no-such-option") != std::string::npos);
}

TEST_CASE("an unknown kernel name is NOT_FOUND with the name") {
  Fixture f;
  ahal_module_t m = nullptr;
  AHAL_TEST_OK(f.source_module("__kernel void present(void) {}", &m));
  ahal_kernel_t k = nullptr;
  CHECK(ahal_kernel_get(m, "absent_kernel", &k) == AHAL_ERROR_NOT_FOUND);
  CHECK(std::string(ahal_last_error_message()).find("absent_kernel") != std::string::npos);
  CHECK(ahal_kernel_get(m, "present", &k) == AHAL_SUCCESS);
}

TEST_CASE("the second module create of a source hits the disk cache") {
  // Unique source, so no earlier run's entry exists.
  const std::string source =
      "// " + std::to_string(getpid()) + "-" +
      std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()) +
      "\n__kernel void cached(__global int* p) { p[0] = 1; }\n";
  size_t before = cache_files().size();
  {
    Fixture f;
    ahal_module_t m = nullptr;
    AHAL_TEST_OK(f.source_module(source, &m));
    REQUIRE(cache_files().size() == before + 1);
  }
  // Our entry is the file that holds this source.
  std::string entry;
  for (const auto& file : cache_files()) {
    if (read_text(file).find(source) != std::string::npos) entry = file;
  }
  REQUIRE(!entry.empty());
  // Make it look old, to see whether the next create touches it.
  struct timespec old_times[2] = {{1000000000, 0}, {1000000000, 0}};  // 2001
  REQUIRE(utimensat(AT_FDCWD, entry.c_str(), old_times, 0) == 0);
  struct stat before_stat;
  REQUIRE(stat(entry.c_str(), &before_stat) == 0);
  {
    // A new runtime, as a second run of a program would have.
    Fixture f;
    ahal_module_t m = nullptr;
    AHAL_TEST_OK(f.source_module(source, &m));
    ahal_kernel_t k = f.kernel(m, "cached");
    ahal_buffer_t b = f.buffer(4);
    AHAL_TEST_OK(Launch({1}, {1}).bind(b).run(f.stream, k));
    CHECK(f.download<int32_t>(b, 1)[0] == 1);
  }
  struct stat after_stat;
  REQUIRE(stat(entry.c_str(), &after_stat) == 0);
  CHECK(cache_files().size() == before + 1);
  // A hit reads the file in place and touches it; a miss would have
  // compiled again and replaced the file (a new inode).
  CHECK(after_stat.st_ino == before_stat.st_ino);
  CHECK(after_stat.st_mtime > before_stat.st_mtime);
}

TEST_CASE("bindings with offsets use the right memory") {
  Fixture f;
  ahal_module_t m = f.bundle_module();
  const uint32_t align = f.props.binding_offset_alignment;
  const uint32_t n = 256;  // floats per binding
  const uint64_t size = 3 * align + n * 4 * 3;
  ahal_buffer_t buf = f.buffer(size);
  std::vector<float> host(size / 4);
  for (size_t i = 0; i < host.size(); ++i) host[i] = static_cast<float>(i);
  AHAL_TEST_OK(ahal_stream_copy_h2d(f.stream, host.data(), buf, 0, size));
  struct {
    uint32_t n;
  } k = {n};
  const uint64_t a_off = align, b_off = 2 * align + n * 4, c_off = 3 * align + n * 8;
  // The same offsets again and again (cached sub-buffers), and sizes that
  // differ at one offset.
  for (int round = 0; round < 3; ++round) {
    AHAL_TEST_OK(Launch({n / 64}, {64})
                     .bind(buf, a_off, n * 4)
                     .bind(buf, b_off, round == 0 ? 0 : n * 4)
                     .bind(buf, c_off, n * 4)
                     .constants(k)
                     .run(f.stream, f.kernel(m, "vector_add")));
  }
  auto out = f.download<float>(buf, n, c_off);
  for (uint32_t i = 0; i < n; ++i) REQUIRE(out[i] == host[a_off / 4 + i] + host[b_off / 4 + i]);
  // Offset 0 still reaches the buffer's start.
  AHAL_TEST_OK(Launch({n / 64}, {64})
                   .bind(buf, 0, n * 4)
                   .bind(buf, a_off)
                   .bind(buf, c_off)
                   .constants(k)
                   .run(f.stream, f.kernel(m, "vector_add")));
  out = f.download<float>(buf, n, c_off);
  for (uint32_t i = 0; i < n; ++i) REQUIRE(out[i] == host[i] + host[a_off / 4 + i]);
}

TEST_CASE("copies, fills, maps and pinned memory") {
  Fixture f;
  const uint64_t size = 1 << 20;
  ahal_buffer_t a = f.buffer(size), b = f.buffer(size);

  // Fills of 1, 2 and 4 bytes at offsets.
  uint8_t zero = 0;
  AHAL_TEST_OK(ahal_stream_fill(f.stream, a, 0, size, &zero, 1));
  uint8_t p1 = 0x5a;
  uint16_t p2 = 0xbeef;
  uint32_t p4 = 0x01020304;
  AHAL_TEST_OK(ahal_stream_fill(f.stream, a, 1, 3, &p1, 1));
  AHAL_TEST_OK(ahal_stream_fill(f.stream, a, 4, 4, &p2, 2));
  AHAL_TEST_OK(ahal_stream_fill(f.stream, a, 8, 8, &p4, 4));
  auto bytes = f.download<uint8_t>(a, 20);
  std::vector<uint8_t> want(20, 0);
  for (int i = 1; i < 4; ++i) want[i] = 0x5a;
  std::memcpy(&want[4], &p2, 2);
  std::memcpy(&want[6], &p2, 2);
  std::memcpy(&want[8], &p4, 4);
  std::memcpy(&want[12], &p4, 4);
  CHECK(bytes == want);

  // Pinned host memory round trip through two device buffers.
  ahal_host_alloc_t pinned = nullptr;
  AHAL_TEST_OK(ahal_host_alloc(f.device, size, 0, &pinned));
  void* pointer = nullptr;
  AHAL_TEST_OK(ahal_host_alloc_pointer(pinned, &pointer));
  auto* words = static_cast<uint32_t*>(pointer);
  for (uint64_t i = 0; i < size / 4; ++i) words[i] = static_cast<uint32_t>(i * 2654435761u);
  std::vector<uint32_t> expect(words, words + size / 4);
  AHAL_TEST_OK(ahal_stream_copy_h2d(f.stream, pointer, a, 0, size));
  AHAL_TEST_OK(ahal_stream_copy_d2d(f.stream, a, 0, b, 0, size));
  AHAL_TEST_OK(ahal_stream_fill(f.stream, a, 0, size, &zero, 1));
  // The host memory of a copy may change only once the stream passed it.
  AHAL_TEST_OK(ahal_stream_synchronize(f.stream));
  std::memset(pointer, 0, size);
  AHAL_TEST_OK(ahal_stream_copy_d2h(f.stream, b, 0, pointer, size));
  AHAL_TEST_OK(ahal_stream_synchronize(f.stream));
  CHECK(std::memcmp(words, expect.data(), size) == 0);
  AHAL_TEST_OK(ahal_host_free(pinned));

  // A host-visible buffer: what a map writes, the device sees.
  ahal_buffer_t visible = f.buffer(4096, AHAL_MEMORY_HOST_VISIBLE | AHAL_MEMORY_HOST_COHERENT);
  void* mapped = nullptr;
  AHAL_TEST_OK(ahal_buffer_map(visible, 1024, 1024, &mapped));
  for (int i = 0; i < 256; ++i) static_cast<uint32_t*>(mapped)[i] = 0xc0de0000u + i;
  AHAL_TEST_OK(ahal_buffer_unmap(visible));
  auto seen = f.download<uint32_t>(visible, 256, 1024);
  for (int i = 0; i < 256; ++i) REQUIRE(seen[i] == 0xc0de0000u + i);
  AHAL_TEST_OK(ahal_stream_fill(f.stream, visible, 0, 4096, &p4, 4));
  AHAL_TEST_OK(ahal_stream_synchronize(f.stream));
  AHAL_TEST_OK(ahal_buffer_map(visible, 0, 4096, &mapped));
  CHECK(static_cast<uint32_t*>(mapped)[1000] == p4);
  AHAL_TEST_OK(ahal_buffer_unmap(visible));
}

namespace {
struct Gate {
  std::atomic<int> state{0};
  int sleep_ms = 0;
  std::vector<uint32_t>* host = nullptr;
};
void gate_fn(void* data) {
  auto* g = static_cast<Gate*>(data);
  std::this_thread::sleep_for(std::chrono::milliseconds(g->sleep_ms));
  if (g->host) {
    for (auto& v : *g->host) v = 42;
  }
  g->state.store(1);
}
}  // namespace

TEST_CASE("ahal_buffer_host_address: fine-grained SVM that kernels and the host share") {
  Fixture f;
  const uint32_t n = 4096;
  ahal_buffer_t a = f.buffer(n * 4), b = f.buffer(n * 4), c = f.buffer(n * 4);
  void* pa = nullptr;
  const ahal_status_t s = ahal_buffer_host_address(a, &pa);
  if (!(f.props.features & AHAL_FEATURE_UNIFIED_MEMORY)) {
    CHECK(s == AHAL_ERROR_UNSUPPORTED);  // a discrete GPU's memory: no host address
    return;
  }
  if (s == AHAL_ERROR_UNSUPPORTED) {  // no fine-grained buffer SVM (OpenCL 1.2, or no SVM)
    CHECK(std::string(ahal_last_error_message()).find("fine-grained SVM") != std::string::npos);
    return;
  }
  AHAL_TEST_OK(s);
  void *pb = nullptr, *pc = nullptr;
  AHAL_TEST_OK(ahal_buffer_host_address(b, &pb));
  AHAL_TEST_OK(ahal_buffer_host_address(c, &pc));
  // The native cl_mem's storage is that memory.
  ahal_native_buffer_t native{};
  native.struct_size = sizeof(native);
  AHAL_TEST_OK(ahal_buffer_get_native(a, &native));
  CHECK(native.kind == AHAL_NATIVE_HANDLE_OPENCL_MEM);
  // Written by the host with no copy or map, read by a kernel; the kernel's
  // result read by the host after a synchronize, for several rounds.
  auto* fa = static_cast<float*>(pa);
  auto* fb = static_cast<float*>(pb);
  auto* fc = static_cast<float*>(pc);
  ahal_module_t m = f.bundle_module();
  struct {
    uint32_t n;
  } k = {n};
  for (int round = 0; round < 3; ++round) {
    for (uint32_t i = 0; i < n; ++i) {
      fa[i] = static_cast<float>(i + round);
      fb[i] = static_cast<float>(2 * i);
    }
    AHAL_TEST_OK(Launch({n / 64}, {64})
                     .bind(a)
                     .bind(b)
                     .bind(c)
                     .constants(k)
                     .run(f.stream, f.kernel(m, "vector_add")));
    AHAL_TEST_OK(ahal_stream_synchronize(f.stream));
    for (uint32_t i = 0; i < n; ++i) REQUIRE(fc[i] == static_cast<float>(3 * i + round));
  }
  // Stream copies and fills land in the same memory.
  const uint32_t pattern = 0x3f800000;  // 1.0f
  AHAL_TEST_OK(ahal_stream_fill(f.stream, c, 64, 128, &pattern, 4));
  AHAL_TEST_OK(ahal_stream_copy_d2d(f.stream, b, 0, a, 0, 64));
  AHAL_TEST_OK(ahal_stream_synchronize(f.stream));
  CHECK(fc[16] == 1.0f);
  CHECK(fc[47] == 1.0f);
  CHECK(fc[48] == static_cast<float>(3 * 48 + 2));
  CHECK(fa[15] == fb[15]);
  fb[7] = 42.0f;
  CHECK(f.download<float>(b, 8)[7] == 42.0f);
  for (ahal_buffer_t x : {a, b, c}) AHAL_TEST_OK(ahal_buffer_destroy(x));

  // AHAL_OPENCL_HOST_SVM=0: plain clCreateBuffer memory, no host address.
  setenv("AHAL_OPENCL_HOST_SVM", "0", 1);
  Fixture plain;
  unsetenv("AHAL_OPENCL_HOST_SVM");
  CHECK(ahal_buffer_host_address(plain.buffer(64), &pa) == AHAL_ERROR_UNSUPPORTED);
  CHECK(std::string(ahal_last_error_message()).find("not fine-grained SVM") != std::string::npos);
}

TEST_CASE("host callbacks hold back later work on the stream") {
  Fixture f;
  ahal_buffer_t b = f.buffer(64 * 4);
  std::vector<uint32_t> host(64, 0);
  Gate gate;
  gate.sleep_ms = 50;
  gate.host = &host;
  AHAL_TEST_OK(ahal_stream_host_callback(f.stream, gate_fn, &gate));
  // The copy reads `host` when it runs: after the callback wrote 42s.
  AHAL_TEST_OK(ahal_stream_copy_h2d(f.stream, host.data(), b, 0, 64 * 4));
  auto out = f.download<uint32_t>(b, 64);
  CHECK(gate.state.load() == 1);
  for (uint32_t v : out) REQUIRE(v == 42);
}

// Callbacks right after one another skip the driver's marker (stream.cpp);
// they still run in order, each after the last returned, and work between
// them still comes between.
TEST_CASE("back-to-back host callbacks run in order, around stream work") {
  Fixture f;
  struct Log {
    std::mutex mutex;
    std::vector<int> order;
    std::vector<uint32_t> host = std::vector<uint32_t>(16, 0);
  } log;
  struct Step {
    Log* log;
    int id;
  };
  auto fn = [](void* p) {
    auto* s = static_cast<Step*>(p);
    if (s->id % 7 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    std::lock_guard<std::mutex> lock(s->log->mutex);
    s->log->order.push_back(s->id);
    for (uint32_t& v : s->log->host) v = static_cast<uint32_t>(s->id);
  };
  ahal_buffer_t b = f.buffer(16 * 4 * 300);
  std::vector<Step> steps;
  for (int i = 0; i < 300; ++i) steps.push_back({&log, i});
  for (int i = 0; i < 300; ++i) {
    AHAL_TEST_OK(ahal_stream_host_callback(f.stream, fn, &steps[i]));
    // Every tenth callback is followed by a copy of what it wrote.
    if (i % 10 == 9)
      AHAL_TEST_OK(ahal_stream_copy_h2d(f.stream, log.host.data(), b, uint64_t(i) * 64, 64));
  }
  auto out = f.download<uint32_t>(b, 16 * 300);
  REQUIRE(log.order.size() == 300);
  for (int i = 0; i < 300; ++i) REQUIRE(log.order[i] == i);
  for (int i = 9; i < 300; i += 10) REQUIRE(out[size_t(i) * 16 + 15] == uint32_t(i));
}

TEST_CASE("events: cross-stream waits, timeouts, queries and timing") {
  Fixture f;
  ahal_module_t m = f.bundle_module();
  ahal_stream_t other = nullptr;
  AHAL_TEST_OK(ahal_stream_create(f.device, nullptr, &other));
  ahal_event_t event = nullptr;
  AHAL_TEST_OK(ahal_event_create(f.device, 0, &event));
  CHECK(ahal_event_query(event) == AHAL_SUCCESS);  // never recorded

  SECTION("a stream waits for another stream's event") {
    const uint32_t n = 256;
    ahal_buffer_t out = f.buffer(n * 4);
    uint32_t zero = 0;
    AHAL_TEST_OK(ahal_stream_fill(f.stream, out, 0, n * 4, &zero, 4));
    AHAL_TEST_OK(ahal_stream_synchronize(f.stream));
    Gate gate;
    gate.sleep_ms = 100;
    AHAL_TEST_OK(ahal_stream_host_callback(f.stream, gate_fn, &gate));
    struct {
      uint32_t base;
    } k = {5};
    AHAL_TEST_OK(
        Launch({n / 64}, {64}).bind(out).constants(k).run(f.stream, f.kernel(m, "write_index")));
    AHAL_TEST_OK(ahal_stream_record_event(f.stream, event));
    AHAL_TEST_OK(ahal_stream_wait_event(other, event));
    std::vector<uint32_t> host(n, 0);
    AHAL_TEST_OK(ahal_stream_copy_d2h(other, out, 0, host.data(), n * 4));
    AHAL_TEST_OK(ahal_stream_synchronize(other));
    CHECK(gate.state.load() == 1);
    for (uint32_t i = 0; i < n; ++i) REQUIRE(host[i] == i + 5);
  }
  SECTION("waits time out while work is pending, then complete") {
    Gate gate;
    gate.sleep_ms = 300;
    AHAL_TEST_OK(ahal_stream_host_callback(f.stream, gate_fn, &gate));
    AHAL_TEST_OK(ahal_stream_record_event(f.stream, event));
    CHECK(ahal_event_query(event) == AHAL_NOT_READY);
    CHECK(ahal_stream_query(f.stream) == AHAL_NOT_READY);
    auto start = std::chrono::steady_clock::now();
    CHECK(ahal_event_wait(event, 20'000'000) == AHAL_ERROR_TIMEOUT);
    CHECK(std::chrono::steady_clock::now() - start >= std::chrono::milliseconds(20));
    AHAL_TEST_OK(ahal_event_wait(event, UINT64_MAX));
    CHECK(gate.state.load() == 1);
    CHECK(ahal_event_query(event) == AHAL_SUCCESS);
    // Polling a stream whose work finished reports idle without a synchronize.
    ahal_status_t polled = AHAL_NOT_READY;
    for (int i = 0; i < 5000 && polled == AHAL_NOT_READY; ++i) {
      polled = ahal_stream_query(f.stream);
      if (polled == AHAL_NOT_READY) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    CHECK(polled == AHAL_SUCCESS);
    AHAL_TEST_OK(ahal_stream_synchronize(f.stream));
    CHECK(ahal_stream_query(f.stream) == AHAL_SUCCESS);
    // A bounded wait on completed work succeeds at once.
    AHAL_TEST_OK(ahal_event_wait(event, 1000));
  }
  SECTION("timing events measure the work between them") {
    if (!(f.props.features & AHAL_FEATURE_TIMESTAMPS)) {
      WARN("the device has no timestamps");
      return;
    }
    ahal_event_t start = nullptr, end = nullptr;
    AHAL_TEST_OK(ahal_event_create(f.device, AHAL_EVENT_TIMING, &start));
    AHAL_TEST_OK(ahal_event_create(f.device, AHAL_EVENT_TIMING, &end));
    ahal_buffer_t out = f.buffer(1024 * 4);
    // Work recorded before the first timing event is kept in order.
    struct {
      uint32_t base;
    } wk = {9};
    AHAL_TEST_OK(
        Launch({16}, {64}).bind(out).constants(wk).run(f.stream, f.kernel(m, "write_index")));
    AHAL_TEST_OK(ahal_stream_record_event(f.stream, start));
    struct {
      uint32_t iters;
      float a, b;
      uint32_t pad;
    } k = {20000, 0.999f, 0.01f, 0};
    AHAL_TEST_OK(Launch({8}, {128}).bind(out).constants(k).run(f.stream, f.kernel(m, "fma_f32")));
    AHAL_TEST_OK(ahal_stream_record_event(f.stream, end));
    AHAL_TEST_OK(ahal_event_wait(end, UINT64_MAX));
    uint64_t ns = 0;
    AHAL_TEST_OK(ahal_event_elapsed_ns(start, end, &ns));
    CHECK(ns > 1000);            // 20000 iterations of 8 chains take microseconds at least
    CHECK(ns < 60'000'000'000);  // and not a minute
    // Later launches on the (now profiling) stream still run in order.
    AHAL_TEST_OK(
        Launch({16}, {64}).bind(out).constants(wk).run(f.stream, f.kernel(m, "write_index")));
    auto host = f.download<uint32_t>(out, 1024);
    for (uint32_t i = 0; i < 1024; ++i) REQUIRE(host[i] == i + 9);
    AHAL_TEST_OK(ahal_event_destroy(start));
    AHAL_TEST_OK(ahal_event_destroy(end));
  }
  AHAL_TEST_OK(ahal_event_destroy(event));
  AHAL_TEST_OK(ahal_stream_destroy(other));
}

TEST_CASE("one kernel launched from several threads at once") {
  Fixture f;
  ahal_module_t m = f.bundle_module();
  ahal_kernel_t k = f.kernel(m, "write_index");
  const int threads = 4, launches = 200;
  const uint32_t n = 512;
  std::vector<ahal_stream_t> streams(threads);
  std::vector<ahal_buffer_t> buffers(threads);
  for (int t = 0; t < threads; ++t) {
    AHAL_TEST_OK(ahal_stream_create(f.device, nullptr, &streams[t]));
    buffers[t] = f.buffer(n * 4);
  }
  std::atomic<int> failures{0};
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      for (int i = 0; i < launches; ++i) {
        struct {
          uint32_t base;
        } c = {static_cast<uint32_t>(t * 100000 + i)};
        Launch l({n / 64}, {64});
        if (l.bind(buffers[t]).constants(c).run(streams[t], k) != AHAL_SUCCESS) ++failures;
      }
      if (ahal_stream_synchronize(streams[t]) != AHAL_SUCCESS) ++failures;
    });
  }
  for (auto& w : workers) w.join();
  REQUIRE(failures.load() == 0);
  for (int t = 0; t < threads; ++t) {
    auto host = f.download<uint32_t>(buffers[t], n);
    for (uint32_t i = 0; i < n; ++i) REQUIRE(host[i] == i + t * 100000 + launches - 1);
    AHAL_TEST_OK(ahal_stream_destroy(streams[t]));
  }
}

TEST_CASE("a raw module without metadata still gets its __local argument") {
  Fixture f;
  ahal_module_t m = nullptr;
  AHAL_TEST_OK(f.source_module(read_text(AHAL_TEST_KERNELS_DIR "/standard.cl"), &m));
  check_reverse_dynamic(f, m);
}

TEST_CASE("SPIR-V modules run where the device takes IL, else are refused") {
  Fixture f;
  const std::string spirv = read_text(AHAL_TEST_SPIRV_FILE);
  if (spirv.empty()) {
    WARN("no SPIR-V test file (clang-14 and llvm-spirv-14 were not found)");
    return;
  }
  std::vector<ahal_kernel_info_t> infos = {
      {"vector_add", 3, 4, 0}, {"reverse_dynamic", 2, 0, AHAL_KERNEL_USES_DYNAMIC_SHARED}};
  ahal_module_t m = nullptr;
  ahal_status_t status = ahal_test::image_module(f.device, AHAL_MODULE_FORMAT_SPIRV_OPENCL,
                                                 spirv.data(), spirv.size(), &m, nullptr, infos);
  if (!(f.props.module_formats & (1ull << AHAL_MODULE_FORMAT_SPIRV_OPENCL))) {
    CHECK(status == AHAL_ERROR_UNSUPPORTED);
    return;
  }
  AHAL_TEST_OK(status);
  const uint32_t n = 300;
  std::vector<float> a(n, 1.5f), b(n, 2.25f);
  ahal_buffer_t da = f.upload(a), db = f.upload(b), dc = f.buffer(n * 4);
  struct {
    uint32_t n;
  } k = {n};
  AHAL_TEST_OK(Launch({5}, {64}).bind(da).bind(db).bind(dc).constants(k).run(
      f.stream, f.kernel(m, "vector_add")));
  for (float v : f.download<float>(dc, n)) REQUIRE(v == 3.75f);
  check_reverse_dynamic(f, m);
}

TEST_CASE("the device keeps working after OpenCL errors") {
  Fixture f;
  ahal_module_t fixed = nullptr;
  // reqd_work_group_size is invisible to the loader: the enqueue fails.
  AHAL_TEST_OK(
      f.source_module("__kernel __attribute__((reqd_work_group_size(64, 1, 1)))\n"
                      "void fixed64(__global uint* p) { p[get_global_id(0)] = 1; }\n",
                      &fixed));
  ahal_buffer_t out = f.buffer(256 * 4);
  ahal_status_t status = Launch({8}, {32}).bind(out).run(f.stream, f.kernel(fixed, "fixed64"));
  CHECK(status == AHAL_ERROR_OUT_OF_RANGE);
  CHECK(std::string(ahal_last_error_message()).find("CL_INVALID_WORK_GROUP_SIZE") !=
        std::string::npos);
  ahal_module_t broken = nullptr;
  CHECK(f.source_module("this is not OpenCL C", &broken) == AHAL_ERROR_BUILD_FAILED);

  // The same stream, kernel and device still work.
  AHAL_TEST_OK(Launch({4}, {64}).bind(out).run(f.stream, f.kernel(fixed, "fixed64")));
  ahal_module_t m = f.bundle_module();
  struct {
    uint32_t base;
  } k = {1};
  AHAL_TEST_OK(Launch({4}, {64}).bind(out).constants(k).run(f.stream, f.kernel(m, "write_index")));
  auto host = f.download<uint32_t>(out, 256);
  for (uint32_t i = 0; i < 256; ++i) REQUIRE(host[i] == i + 1);
}

// Run by its own ctest entry with OCL_ICD_VENDORS naming an empty folder:
// the plugin loads, with zero devices and the reason.
TEST_CASE("without OpenCL platforms the plugin loads with no devices", "[.no-platforms]") {
  ahal_runtime_options_t options{};
  options.struct_size = sizeof(options);
  options.plugin_path = AHAL_TEST_PLUGIN_DIR;
  options.plugins = "opencl";
  ahal_runtime_t runtime = nullptr;
  AHAL_TEST_OK(ahal_runtime_create(&options, &runtime));
  uint32_t plugins = 0, devices = 0;
  AHAL_TEST_OK(ahal_runtime_plugin_count(runtime, &plugins));
  bool found = false;
  for (uint32_t i = 0; i < plugins; ++i) {
    ahal_plugin_info_t info{};
    info.struct_size = sizeof(info);
    AHAL_TEST_OK(ahal_runtime_plugin_info(runtime, i, &info));
    if (std::string(info.name) != "opencl") continue;
    found = true;
    CHECK(info.state == AHAL_PLUGIN_STATE_LOADED);
    CHECK(info.device_count == 0);
    CHECK(std::string(info.reason) == "no OpenCL platforms");
  }
  CHECK(found);
  AHAL_TEST_OK(ahal_runtime_device_count(runtime, &devices));
  CHECK(devices == 0);
  AHAL_TEST_OK(ahal_runtime_destroy(runtime));
}

int main(int argc, char** argv) {
  // Every runtime of this test caches into its own folder.
  char tmpl[] = "/tmp/ahal-opencl-api-test-XXXXXX";
  if (!mkdtemp(tmpl)) return 1;
  g_cache_dir = tmpl;
  setenv("AHAL_CACHE_DIR", tmpl, 1);
  if (!std::getenv("AHAL_OPENCL_TEST_NO_PLATFORMS") &&
      !ahal_test::find_device(AHAL_TEST_PLUGIN_DIR, "opencl", "opencl:0"))
    return 77;
  int result = Catch::Session().run(argc, argv);
  std::string cleanup = "rm -rf '" + g_cache_dir + "'";
  if (std::system(cleanup.c_str()) != 0) std::printf("could not remove %s\n", tmpl);
  return result;
}
