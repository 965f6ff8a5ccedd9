// Native-handle interop through the loader (docs/interop.md), on hostmem
// (whose buffers are host memory): the handle is the memory the buffer
// holds; bad input is refused with a message; a plugin without the entry
// (built against the frozen 1.0 header) answers UNSUPPORTED; imported host
// memory becomes a buffer ahal does not free.
#include <cstdint>
#include <cstring>

#include "test_support.hpp"

namespace {

ahal_native_buffer_t native_of(ahal_buffer_t b) {
  ahal_native_buffer_t n = {};
  n.struct_size = sizeof(n);
  REQUIRE_OK(ahal_buffer_get_native(b, &n));
  return n;
}

}  // namespace

TEST_CASE("ahal_buffer_get_native: the host pointer of a hostmem buffer", "[interop]") {
  test::Runtime rt(test::plugin_dir("good"), "hostmem_next");
  ahal_device_t d = rt.device("hostmem_next");
  ahal_buffer_t b = test::make_buffer(d, 256, AHAL_MEMORY_HOST_VISIBLE);
  const ahal_native_buffer_t n = native_of(b);
  CHECK(n.struct_size == sizeof(n));
  CHECK(n.kind == AHAL_NATIVE_HANDLE_HOST_POINTER);
  CHECK(n.size == 256);
  CHECK(n.flags == AHAL_MEMORY_HOST_VISIBLE);
  CHECK(n.memory == 0);
  CHECK(n.context == 0);
  // The handle is the memory: what a copy writes, the pointer reads.
  ahal_stream_t s = test::make_stream(d);
  const uint32_t pattern = 0xc0ffee11;
  REQUIRE_OK(ahal_stream_fill(s, b, 0, 256, &pattern, 4));
  REQUIRE_OK(ahal_stream_synchronize(s));
  const auto* p = reinterpret_cast<const uint32_t*>(static_cast<uintptr_t>(n.handle));
  CHECK(p[0] == pattern);
  CHECK(p[63] == pattern);
  void* mapped = nullptr;
  REQUIRE_OK(ahal_buffer_map(b, 0, 256, &mapped));
  CHECK(mapped == p);
  REQUIRE_OK(ahal_buffer_unmap(b));
}

TEST_CASE("ahal_buffer_get_native refuses bad input", "[interop]") {
  test::Runtime rt(test::plugin_dir("good"), "hostmem_next");
  ahal_buffer_t b = test::make_buffer(rt.device("hostmem_next"), 64);
  CHECK_FAILS(ahal_buffer_get_native(b, nullptr), AHAL_ERROR_INVALID_ARGUMENT,
              "ahal_buffer_get_native", "out_native is NULL");
  ahal_native_buffer_t n = {};
  n.struct_size = offsetof(ahal_native_buffer_t, size);
  CHECK_FAILS(ahal_buffer_get_native(b, &n), AHAL_ERROR_INVALID_ARGUMENT, "ahal_buffer_get_native",
              "ahal_native_buffer_t");
  // A larger struct (a newer caller) keeps its struct_size and gets the known fields.
  struct Bigger {
    ahal_native_buffer_t n;
    uint64_t later;
  } big = {};
  big.n.struct_size = sizeof(big);
  big.later = 77;
  REQUIRE_OK(ahal_buffer_get_native(b, &big.n));
  CHECK(big.n.struct_size == sizeof(big));
  CHECK(big.n.kind == AHAL_NATIVE_HANDLE_HOST_POINTER);
  CHECK(big.later == 77);
}

TEST_CASE("a plugin without buffer_get_native answers UNSUPPORTED with kind NONE", "[interop]") {
  test::Runtime rt(test::plugin_dir("good"), "hostmem10");
  ahal_buffer_t b = test::make_buffer(rt.device("hostmem10"), 64);
  ahal_native_buffer_t n = {};
  n.struct_size = sizeof(n);
  n.kind = AHAL_NATIVE_HANDLE_OPENCL_MEM;
  n.handle = 1234;
  CHECK_FAILS(ahal_buffer_get_native(b, &n), AHAL_ERROR_UNSUPPORTED, "ahal_buffer_get_native",
              "hostmem10 does not implement buffer_get_native (plugin ABI 1.0)");
  CHECK(n.kind == AHAL_NATIVE_HANDLE_NONE);
  CHECK(n.handle == 0);
  CHECK(n.struct_size == sizeof(n));
}

TEST_CASE("ahal_buffer_import_native wraps host memory without copying or freeing it",
          "[interop]") {
  test::Runtime rt(test::plugin_dir("good"), "hostmem_next");
  ahal_device_t d = rt.device("hostmem_next");
  alignas(64) uint32_t memory[64] = {};
  ahal_native_buffer_t n = {};
  n.struct_size = sizeof(n);
  n.kind = AHAL_NATIVE_HANDLE_HOST_POINTER;
  n.handle = reinterpret_cast<uintptr_t>(memory);
  n.size = sizeof(memory);
  n.flags = AHAL_MEMORY_HOST_VISIBLE;
  ahal_buffer_t b = nullptr;
  REQUIRE_OK(ahal_buffer_import_native(d, &n, &b));
  uint64_t size = 0;
  REQUIRE_OK(ahal_buffer_size(b, &size));
  CHECK(size == sizeof(memory));
  // The buffer is the memory: a fill lands in it, and get_native gives it back.
  ahal_stream_t s = test::make_stream(d);
  const uint32_t pattern = 0x1badcafe;
  REQUIRE_OK(ahal_stream_fill(s, b, 0, sizeof(memory), &pattern, 4));
  REQUIRE_OK(ahal_stream_synchronize(s));
  CHECK(memory[0] == pattern);
  CHECK(memory[63] == pattern);
  const ahal_native_buffer_t back = native_of(b);
  CHECK(back.handle == n.handle);
  CHECK(back.flags == AHAL_MEMORY_HOST_VISIBLE);
  // Destroying it leaves the memory to its owner (the stack here: a free
  // would crash or be reported by the sanitizer jobs).
  REQUIRE_OK(ahal_buffer_destroy(b));
  memory[0] = 7;
  CHECK(memory[0] == 7);
}

TEST_CASE("ahal_buffer_import_native refuses bad input", "[interop]") {
  test::Runtime rt(test::plugin_dir("good"), "hostmem_next");
  ahal_device_t d = rt.device("hostmem_next");
  alignas(64) static unsigned char memory[128];
  ahal_native_buffer_t good = {};
  good.struct_size = sizeof(good);
  good.kind = AHAL_NATIVE_HANDLE_HOST_POINTER;
  good.handle = reinterpret_cast<uintptr_t>(memory);
  good.size = sizeof(memory);
  ahal_buffer_t b = nullptr;
  const char* fn = "ahal_buffer_import_native";
  CHECK_FAILS(ahal_buffer_import_native(d, nullptr, &b), AHAL_ERROR_INVALID_ARGUMENT, fn,
              "native is NULL");
  CHECK_FAILS(ahal_buffer_import_native(d, &good, nullptr), AHAL_ERROR_INVALID_ARGUMENT, fn,
              "out_buffer is NULL");
  ahal_native_buffer_t n = good;
  n.struct_size = offsetof(ahal_native_buffer_t, size);
  CHECK_FAILS(ahal_buffer_import_native(d, &n, &b), AHAL_ERROR_INVALID_ARGUMENT, fn,
              "ahal_native_buffer_t");
  n = good;
  n.kind = AHAL_NATIVE_HANDLE_NONE;
  CHECK_FAILS(ahal_buffer_import_native(d, &n, &b), AHAL_ERROR_INVALID_ARGUMENT, fn,
              "kind 0 is not a native handle kind");
  n = good;
  n.handle = 0;
  CHECK_FAILS(ahal_buffer_import_native(d, &n, &b), AHAL_ERROR_INVALID_ARGUMENT, fn,
              "native->handle is 0");
  n = good;
  n.size = 0;
  CHECK_FAILS(ahal_buffer_import_native(d, &n, &b), AHAL_ERROR_OUT_OF_RANGE, fn, "size is 0");
  n = good;
  n.flags = 0x100;
  CHECK_FAILS(ahal_buffer_import_native(d, &n, &b), AHAL_ERROR_INVALID_ARGUMENT, fn,
              "unknown bits");
  n = good;
  n.memory = 5;
  CHECK_FAILS(ahal_buffer_import_native(d, &n, &b), AHAL_ERROR_INVALID_ARGUMENT, fn,
              "only a Vulkan buffer");
  n = good;
  n.kind = AHAL_NATIVE_HANDLE_CUDA_DEVICE_POINTER;
  CHECK_FAILS(ahal_buffer_import_native(d, &n, &b), AHAL_ERROR_UNSUPPORTED, fn,
              "host pointers only");
  CHECK(b == nullptr);
}

TEST_CASE("a plugin without buffer_import_native answers UNSUPPORTED", "[interop]") {
  test::Runtime rt(test::plugin_dir("good"), "hostmem10");
  alignas(64) static unsigned char memory[64];
  ahal_native_buffer_t n = {};
  n.struct_size = sizeof(n);
  n.kind = AHAL_NATIVE_HANDLE_HOST_POINTER;
  n.handle = reinterpret_cast<uintptr_t>(memory);
  n.size = sizeof(memory);
  ahal_buffer_t b = nullptr;
  CHECK_FAILS(ahal_buffer_import_native(rt.device("hostmem10"), &n, &b), AHAL_ERROR_UNSUPPORTED,
              "ahal_buffer_import_native",
              "hostmem10 does not implement buffer_import_native (plugin ABI 1.0)");
  void* address = nullptr;
  CHECK_FAILS(ahal_buffer_host_address(test::make_buffer(rt.device("hostmem10"), 64), &address),
              AHAL_ERROR_UNSUPPORTED, "ahal_buffer_host_address",
              "hostmem10 does not implement buffer_host_address (plugin ABI 1.0)");
}

TEST_CASE("a plugin built against the frozen 1.2 header loads and answers UNSUPPORTED",
          "[interop]") {
  test::Runtime rt(test::plugin_dir("abi12"), "hostmem12");
  ahal_device_t d = rt.device("hostmem12");
  ahal_buffer_t b = test::make_buffer(d, 64);
  ahal_native_buffer_t n = {};
  n.struct_size = sizeof(n);
  CHECK_FAILS(ahal_buffer_get_native(b, &n), AHAL_ERROR_UNSUPPORTED, "ahal_buffer_get_native",
              "hostmem12 does not implement buffer_get_native (plugin ABI 1.2)");
  alignas(64) static unsigned char memory[64];
  n.kind = AHAL_NATIVE_HANDLE_HOST_POINTER;
  n.handle = reinterpret_cast<uintptr_t>(memory);
  n.size = sizeof(memory);
  ahal_buffer_t imported = nullptr;
  CHECK_FAILS(ahal_buffer_import_native(d, &n, &imported), AHAL_ERROR_UNSUPPORTED,
              "ahal_buffer_import_native",
              "hostmem12 does not implement buffer_import_native (plugin ABI 1.2)");
  // Its 1.2 entries still work under the 1.3 loader.
  ahal_stream_t s = test::make_stream(d);
  const uint32_t pattern = 0xabcd0123;
  REQUIRE_OK(ahal_stream_fill(s, b, 0, 64, &pattern, 4));
  uint32_t back = 0;
  REQUIRE_OK(ahal_stream_copy_d2h(s, b, 60, &back, 4));
  REQUIRE_OK(ahal_stream_synchronize(s));
  CHECK(back == pattern);
}

TEST_CASE("a plugin built against the frozen 1.4 header loads under the 1.5 loader", "[interop]") {
  test::Runtime rt(test::plugin_dir("abi14"), "hostmem14");
  ahal_device_t d = rt.device("hostmem14");
  // Its table ends before the 1.5 entry: the loader answers for it.
  uint64_t peak = 0;
  CHECK_FAILS(ahal_device_memory_peak(d, 0, &peak), AHAL_ERROR_UNSUPPORTED,
              "ahal_device_memory_peak",
              "hostmem14 does not implement device_memory_peak (plugin ABI 1.4)");
  // Its 1.3 and 1.4 entries still work: native handles and a peer copy.
  ahal_buffer_t b = test::make_buffer(d, 64);
  ahal_native_buffer_t n = {};
  n.struct_size = sizeof(n);
  REQUIRE_OK(ahal_buffer_get_native(b, &n));
  CHECK(n.kind == AHAL_NATIVE_HANDLE_HOST_POINTER);
  void* address = nullptr;
  CHECK_FAILS(ahal_buffer_host_address(b, &address), AHAL_ERROR_UNSUPPORTED,
              "ahal_buffer_host_address",
              "hostmem14 does not implement buffer_host_address (plugin ABI 1.4)");
  ahal_device_t d1 = rt.device("hostmem14:1");
  uint32_t peer_flags = 0;
  REQUIRE_OK(ahal_device_peer_flags(d, d1, &peer_flags));
  CHECK(peer_flags == (AHAL_PEER_COPY_NATIVE | AHAL_PEER_WAIT_NATIVE));
  ahal_buffer_t b1 = test::make_buffer(d1, 64);
  ahal_stream_t s = test::make_stream(d);
  const uint32_t pattern = 0x5eed1400;
  REQUIRE_OK(ahal_stream_fill(s, b, 0, 64, &pattern, 4));
  REQUIRE_OK(ahal_stream_copy_peer(s, b, 0, b1, 0, 64));
  REQUIRE_OK(ahal_stream_synchronize(s));
  ahal_stream_t s1 = test::make_stream(d1);
  uint32_t back = 0;
  REQUIRE_OK(ahal_stream_copy_d2h(s1, b1, 60, &back, 4));
  REQUIRE_OK(ahal_stream_synchronize(s1));
  CHECK(back == pattern);
}

TEST_CASE("a plugin built against the frozen 1.5 header loads under the 1.6 loader", "[interop]") {
  test::Runtime rt(test::plugin_dir("abi15"), "hostmem15");
  ahal_device_t d = rt.device("hostmem15");
  uint64_t peak = 0;
  CHECK_FAILS(ahal_device_memory_peak(d, 0, &peak), AHAL_ERROR_UNSUPPORTED,
              "ahal_device_memory_peak",
              "hostmem15 does not implement device_memory_peak (plugin ABI 1.5)");
  void* address = nullptr;
  CHECK_FAILS(ahal_buffer_host_address(test::make_buffer(d, 64), &address), AHAL_ERROR_UNSUPPORTED,
              "ahal_buffer_host_address",
              "hostmem15 does not implement buffer_host_address (plugin ABI 1.5)");
  CHECK(address == nullptr);
}
