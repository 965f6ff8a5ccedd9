// Every API function on the hostmem test device: what works, and every
// argument the loader must refuse before the plugin sees it (hostmem
// answers AHAL_ERROR_INTERNAL to anything that slipped through).
#include <numeric>

#include "test_support.hpp"

namespace {

struct Fixture {
  test::Runtime rt{test::plugin_dir("good"), "hostmem_next"};
  ahal_device_t dev = rt.device("hostmem_next:0");
  ahal_device_t other = rt.device("hostmem_next:1");
};

ahal_device_properties_t props_of(ahal_device_t d) {
  ahal_device_properties_t p = {};
  p.struct_size = sizeof(p);
  REQUIRE_OK(ahal_device_get_properties(d, &p));
  return p;
}

}  // namespace

TEST_CASE_METHOD(Fixture, "device properties") {
  const ahal_device_properties_t p = props_of(dev);
  CHECK(std::string(p.name) == "hostmem device 0");
  CHECK(std::string(p.plugin) == "hostmem_next");
  CHECK(std::string(p.selector) == "hostmem_next:0");
  CHECK(std::string(p.arch) == "hm1");
  CHECK(p.max_bindings == 8);
  CHECK(p.struct_size == sizeof(p));

  SECTION("an older caller's smaller struct gets only its fields") {
    // struct_size must still cover the 1.0 fields; one byte less is refused.
    ahal_device_properties_t q = {};
    q.struct_size = sizeof(q) - 1;
    CHECK_FAILS(ahal_device_get_properties(dev, &q), AHAL_ERROR_INVALID_ARGUMENT,
                "ahal_device_get_properties", "struct_size");
    q.struct_size = 0;
    CHECK_FAILS(ahal_device_get_properties(dev, &q), AHAL_ERROR_INVALID_ARGUMENT,
                "ahal_device_get_properties", "struct_size 0");
  }
  SECTION("a newer caller's larger struct is fine and its tail untouched") {
    struct Bigger {
      ahal_device_properties_t base;
      uint64_t future;
    } big = {};
    big.base.struct_size = sizeof(big);
    big.future = 0x1234;
    REQUIRE_OK(ahal_device_get_properties(dev, &big.base));
    CHECK(big.base.struct_size == sizeof(big));
    CHECK(std::string(big.base.selector) == "hostmem_next:0");
    CHECK(big.future == 0x1234);
  }
  CHECK_FAILS(ahal_device_get_properties(dev, nullptr), AHAL_ERROR_INVALID_ARGUMENT,
              "ahal_device_get_properties", "out_properties is NULL");
  REQUIRE_OK(ahal_device_synchronize(dev));
}

TEST_CASE_METHOD(Fixture, "buffers: create, size, map, destroy") {
  ahal_buffer_t b =
      test::make_buffer(dev, 1000, AHAL_MEMORY_HOST_VISIBLE | AHAL_MEMORY_HOST_COHERENT);
  uint64_t size = 0;
  REQUIRE_OK(ahal_buffer_size(b, &size));
  CHECK(size == 1000);
  void* p = nullptr;
  REQUIRE_OK(ahal_buffer_map(b, 100, 900, &p));
  REQUIRE(p != nullptr);
  static_cast<uint8_t*>(p)[0] = 42;
  CHECK_FAILS(ahal_buffer_map(b, 0, 1, &p), AHAL_ERROR_INVALID_STATE, "ahal_buffer_map",
              "already mapped");
  REQUIRE_OK(ahal_buffer_unmap(b));
  CHECK_FAILS(ahal_buffer_unmap(b), AHAL_ERROR_INVALID_STATE, "ahal_buffer_unmap", "not mapped");
  ahal_stream_t s = test::make_stream(dev);
  uint8_t byte = 0;
  REQUIRE_OK(ahal_stream_copy_d2h(s, b, 100, &byte, 1));
  REQUIRE_OK(ahal_stream_synchronize(s));
  CHECK(byte == 42);

  CHECK_FAILS(ahal_buffer_map(b, 1000, 1, &p), AHAL_ERROR_OUT_OF_RANGE, "ahal_buffer_map",
              "offset 1000 + size 1 exceeds buffer size 1000");
  CHECK_FAILS(ahal_buffer_map(b, 1, UINT64_MAX, &p), AHAL_ERROR_OUT_OF_RANGE, "ahal_buffer_map",
              "exceeds");
  CHECK_FAILS(ahal_buffer_map(b, 0, 0, &p), AHAL_ERROR_OUT_OF_RANGE, "ahal_buffer_map",
              "size is 0");
  CHECK_FAILS(ahal_buffer_map(b, 0, 1, nullptr), AHAL_ERROR_INVALID_ARGUMENT, "ahal_buffer_map",
              "out_pointer is NULL");
  CHECK_FAILS(ahal_buffer_size(b, nullptr), AHAL_ERROR_INVALID_ARGUMENT, "ahal_buffer_size",
              "out_size is NULL");

  // A mapped buffer is unmapped by destroy.
  REQUIRE_OK(ahal_buffer_map(b, 0, 8, &p));
  REQUIRE_OK(ahal_buffer_destroy(b));
  CHECK_FAILS(ahal_buffer_size(b, &size), AHAL_ERROR_INVALID_HANDLE, "ahal_buffer_size",
              "destroyed");
  CHECK_FAILS(ahal_buffer_destroy(b), AHAL_ERROR_INVALID_HANDLE, "ahal_buffer_destroy",
              "destroyed");
  REQUIRE_OK(ahal_stream_destroy(s));

  ahal_buffer_t local = test::make_buffer(dev, 64);
  CHECK_FAILS(ahal_buffer_map(local, 0, 8, &p), AHAL_ERROR_INVALID_ARGUMENT, "ahal_buffer_map",
              "not created AHAL_MEMORY_HOST_VISIBLE");
  REQUIRE_OK(ahal_buffer_destroy(local));
}

TEST_CASE_METHOD(Fixture, "buffer_create refuses bad arguments") {
  ahal_buffer_args_t a = {};
  a.struct_size = sizeof(a);
  a.size = 64;
  ahal_buffer_t b = nullptr;
  const char* fn = "ahal_buffer_create";
  CHECK_FAILS(ahal_buffer_create(dev, nullptr, &b), AHAL_ERROR_INVALID_ARGUMENT, fn,
              "args is NULL");
  CHECK_FAILS(ahal_buffer_create(dev, &a, nullptr), AHAL_ERROR_INVALID_ARGUMENT, fn,
              "out_buffer is NULL");
  a.struct_size = 0;
  CHECK_FAILS(ahal_buffer_create(dev, &a, &b), AHAL_ERROR_INVALID_ARGUMENT, fn,
              "ahal_buffer_args_t.struct_size 0");
  a.struct_size = offsetof(ahal_buffer_args_t, flags);
  CHECK_FAILS(ahal_buffer_create(dev, &a, &b), AHAL_ERROR_INVALID_ARGUMENT, fn, "struct_size");
  a.struct_size = sizeof(a);
  a.size = 0;
  CHECK_FAILS(ahal_buffer_create(dev, &a, &b), AHAL_ERROR_OUT_OF_RANGE, fn, "size is 0");
  a.size = (256ull << 20) + 1;
  CHECK_FAILS(ahal_buffer_create(dev, &a, &b), AHAL_ERROR_OUT_OF_RANGE, fn,
              "exceeds max_allocation_bytes");
  a.size = UINT64_MAX;
  CHECK_FAILS(ahal_buffer_create(dev, &a, &b), AHAL_ERROR_OUT_OF_RANGE, fn,
              "exceeds max_allocation_bytes");
  a.size = 64;
  a.flags = 1u << 7;
  CHECK_FAILS(ahal_buffer_create(dev, &a, &b), AHAL_ERROR_INVALID_ARGUMENT, fn,
              "unknown bits 0x80");
  a.flags = AHAL_MEMORY_HOST_COHERENT;
  CHECK_FAILS(ahal_buffer_create(dev, &a, &b), AHAL_ERROR_INVALID_ARGUMENT, fn,
              "needs AHAL_MEMORY_HOST_VISIBLE");
  CHECK(b == nullptr);
}

TEST_CASE_METHOD(Fixture, "host allocations") {
  ahal_host_alloc_t a = nullptr;
  REQUIRE_OK(ahal_host_alloc(dev, 4096, 0, &a));
  void* p = nullptr;
  REQUIRE_OK(ahal_host_alloc_pointer(a, &p));
  REQUIRE(p != nullptr);
  std::memset(p, 7, 4096);
  ahal_buffer_t b = test::make_buffer(dev, 4096);
  ahal_stream_t s = test::make_stream(dev);
  REQUIRE_OK(ahal_stream_copy_h2d(s, p, b, 0, 4096));
  uint8_t back[16] = {};
  REQUIRE_OK(ahal_stream_copy_d2h(s, b, 4080, back, 16));
  REQUIRE_OK(ahal_stream_synchronize(s));
  CHECK(back[15] == 7);
  const char* fn = "ahal_host_alloc";
  ahal_host_alloc_t bad = nullptr;
  CHECK_FAILS(ahal_host_alloc(dev, 0, 0, &bad), AHAL_ERROR_OUT_OF_RANGE, fn, "size is 0");
  CHECK_FAILS(ahal_host_alloc(dev, 64, 1, &bad), AHAL_ERROR_INVALID_ARGUMENT, fn, "flags 0x1");
  CHECK_FAILS(ahal_host_alloc(dev, 64, 0, nullptr), AHAL_ERROR_INVALID_ARGUMENT, fn,
              "out_alloc is NULL");
  CHECK_FAILS(ahal_host_alloc_pointer(a, nullptr), AHAL_ERROR_INVALID_ARGUMENT,
              "ahal_host_alloc_pointer", "out_pointer is NULL");
  REQUIRE_OK(ahal_host_free(a));
  CHECK_FAILS(ahal_host_free(a), AHAL_ERROR_INVALID_HANDLE, "ahal_host_free", "destroyed");
  REQUIRE_OK(ahal_stream_destroy(s));
  REQUIRE_OK(ahal_buffer_destroy(b));
}

TEST_CASE_METHOD(Fixture, "copies with offsets and their range checks") {
  ahal_buffer_t a = test::make_buffer(dev, 8192);
  ahal_buffer_t b = test::make_buffer(dev, 8192);
  ahal_stream_t s = test::make_stream(dev);
  std::vector<uint8_t> src(8192), dst(8192, 0);
  std::iota(src.begin(), src.end(), uint8_t(0));
  REQUIRE_OK(ahal_stream_copy_h2d(s, src.data(), a, 0, 8192));
  REQUIRE_OK(ahal_stream_copy_d2d(s, a, 100, b, 1000, 500));
  REQUIRE_OK(ahal_stream_copy_d2d(s, a, 0, a, 4096, 4096));  // same buffer, disjoint
  REQUIRE_OK(ahal_stream_copy_d2h(s, b, 1000, dst.data(), 500));
  REQUIRE_OK(ahal_stream_synchronize(s));
  for (int i = 0; i < 500; ++i) REQUIRE(dst[i] == src[100 + i]);
  REQUIRE_OK(ahal_stream_copy_d2h(s, a, 4096, dst.data(), 4096));
  REQUIRE_OK(ahal_stream_synchronize(s));
  for (int i = 0; i < 4096; ++i) REQUIRE(dst[i] == src[i]);

  // Size 0 is a valid no-op, even with NULL host pointers.
  REQUIRE_OK(ahal_stream_copy_h2d(s, nullptr, a, 8192, 0));
  REQUIRE_OK(ahal_stream_copy_d2h(s, a, 0, nullptr, 0));
  REQUIRE_OK(ahal_stream_copy_d2d(s, a, 0, a, 0, 0));

  CHECK_FAILS(ahal_stream_copy_d2d(s, a, 4096, b, 4096, 8192), AHAL_ERROR_OUT_OF_RANGE,
              "ahal_stream_copy_d2d", "src_offset 4096 + size 8192 exceeds buffer size 8192");
  CHECK_FAILS(ahal_stream_copy_d2d(s, a, 0, b, 1, 8192), AHAL_ERROR_OUT_OF_RANGE,
              "ahal_stream_copy_d2d", "dst_offset 1 + size 8192 exceeds buffer size 8192");
  CHECK_FAILS(ahal_stream_copy_d2d(s, a, 0, a, 100, 200), AHAL_ERROR_INVALID_ARGUMENT,
              "ahal_stream_copy_d2d", "overlap");
  CHECK_FAILS(ahal_stream_copy_d2d(s, a, 100, a, 0, 101), AHAL_ERROR_INVALID_ARGUMENT,
              "ahal_stream_copy_d2d", "overlap");
  CHECK_FAILS(ahal_stream_copy_h2d(s, src.data(), a, 1, UINT64_MAX), AHAL_ERROR_OUT_OF_RANGE,
              "ahal_stream_copy_h2d", "exceeds buffer size");
  CHECK_FAILS(ahal_stream_copy_h2d(s, src.data(), a, UINT64_MAX, 2), AHAL_ERROR_OUT_OF_RANGE,
              "ahal_stream_copy_h2d", "exceeds buffer size");
  CHECK_FAILS(ahal_stream_copy_h2d(s, nullptr, a, 0, 1), AHAL_ERROR_INVALID_ARGUMENT,
              "ahal_stream_copy_h2d", "src is NULL");
  CHECK_FAILS(ahal_stream_copy_d2h(s, a, 8193, dst.data(), 0), AHAL_ERROR_OUT_OF_RANGE,
              "ahal_stream_copy_d2h", "src_offset 8193");
  CHECK_FAILS(ahal_stream_copy_d2h(s, a, 0, nullptr, 1), AHAL_ERROR_INVALID_ARGUMENT,
              "ahal_stream_copy_d2h", "dst is NULL");

  SECTION("buffers of another device are refused") {
    ahal_buffer_t foreign = test::make_buffer(other, 64);
    CHECK_FAILS(ahal_stream_copy_d2d(s, a, 0, foreign, 0, 8), AHAL_ERROR_INVALID_ARGUMENT,
                "ahal_stream_copy_d2d",
                "dst belongs to device hostmem_next:1, the stream to hostmem_next:0");
    CHECK_FAILS(ahal_stream_copy_h2d(s, src.data(), foreign, 0, 8), AHAL_ERROR_INVALID_ARGUMENT,
                "ahal_stream_copy_h2d", "belongs to device hostmem_next:1");
    CHECK_FAILS(ahal_stream_copy_d2h(s, foreign, 0, dst.data(), 8), AHAL_ERROR_INVALID_ARGUMENT,
                "ahal_stream_copy_d2h", "belongs to device hostmem_next:1");
    REQUIRE_OK(ahal_buffer_destroy(foreign));
  }
  REQUIRE_OK(ahal_stream_destroy(s));
  REQUIRE_OK(ahal_buffer_destroy(a));
  REQUIRE_OK(ahal_buffer_destroy(b));
}

TEST_CASE_METHOD(Fixture, "fills with 1, 2 and 4 byte patterns") {
  ahal_buffer_t b = test::make_buffer(dev, 64);
  ahal_stream_t s = test::make_stream(dev);
  const uint8_t p1 = 0xab;
  const uint16_t p2 = 0x1234;
  const uint32_t p4 = 0xcafef00d;
  REQUIRE_OK(ahal_stream_fill(s, b, 0, 64, &p1, 1));
  REQUIRE_OK(ahal_stream_fill(s, b, 2, 4, &p2, 2));
  REQUIRE_OK(ahal_stream_fill(s, b, 8, 8, &p4, 4));
  uint8_t out[64];
  REQUIRE_OK(ahal_stream_copy_d2h(s, b, 0, out, 64));
  REQUIRE_OK(ahal_stream_synchronize(s));
  CHECK(out[0] == 0xab);
  CHECK(out[1] == 0xab);
  uint16_t w;
  std::memcpy(&w, out + 4, 2);
  CHECK(w == p2);
  uint32_t d;
  std::memcpy(&d, out + 12, 4);
  CHECK(d == p4);
  CHECK(out[16] == 0xab);

  const char* fn = "ahal_stream_fill";
  CHECK_FAILS(ahal_stream_fill(s, b, 0, 8, &p4, 3), AHAL_ERROR_INVALID_ARGUMENT, fn,
              "pattern_size 3");
  CHECK_FAILS(ahal_stream_fill(s, b, 0, 8, &p4, 8), AHAL_ERROR_INVALID_ARGUMENT, fn,
              "pattern_size 8");
  CHECK_FAILS(ahal_stream_fill(s, b, 2, 8, &p4, 4), AHAL_ERROR_INVALID_ARGUMENT, fn,
              "multiples of pattern_size 4");
  CHECK_FAILS(ahal_stream_fill(s, b, 0, 6, &p4, 4), AHAL_ERROR_INVALID_ARGUMENT, fn,
              "multiples of pattern_size 4");
  CHECK_FAILS(ahal_stream_fill(s, b, 1, 2, &p2, 2), AHAL_ERROR_INVALID_ARGUMENT, fn, "multiples");
  CHECK_FAILS(ahal_stream_fill(s, b, 0, 8, nullptr, 4), AHAL_ERROR_INVALID_ARGUMENT, fn,
              "pattern is NULL");
  CHECK_FAILS(ahal_stream_fill(s, b, 60, 8, &p4, 4), AHAL_ERROR_OUT_OF_RANGE, fn,
              "offset 60 + size 8 exceeds");
  REQUIRE_OK(ahal_stream_fill(s, b, 64, 0, &p4, 4));
  REQUIRE_OK(ahal_stream_destroy(s));
  REQUIRE_OK(ahal_buffer_destroy(b));
}

namespace {
void count_call(void* user) { ++*static_cast<int*>(user); }
}  // namespace

TEST_CASE_METHOD(Fixture, "streams, events and host callbacks") {
  ahal_stream_args_t sa = {};
  sa.struct_size = sizeof(sa);
  sa.priority = -1;
  ahal_stream_t s = nullptr;
  REQUIRE_OK(ahal_stream_create(dev, &sa, &s));
  ahal_stream_t s2 = test::make_stream(dev);
  ahal_event_t start = nullptr, end = nullptr, plain = nullptr;
  REQUIRE_OK(ahal_event_create(dev, AHAL_EVENT_TIMING, &start));
  REQUIRE_OK(ahal_event_create(dev, AHAL_EVENT_TIMING, &end));
  REQUIRE_OK(ahal_event_create(dev, 0, &plain));
  // Never recorded: complete.
  REQUIRE_OK(ahal_event_query(plain));
  REQUIRE_OK(ahal_event_wait(plain, 0));
  uint64_t ns = 0;
  CHECK_FAILS(ahal_event_elapsed_ns(start, end, &ns), AHAL_ERROR_INVALID_STATE,
              "ahal_event_elapsed_ns", "start was never recorded");

  int calls = 0;
  REQUIRE_OK(ahal_stream_record_event(s, start));
  REQUIRE_OK(ahal_stream_host_callback(s, count_call, &calls));
  REQUIRE_OK(ahal_stream_record_event(s, end));
  REQUIRE_OK(ahal_stream_record_event(s, plain));
  REQUIRE_OK(ahal_stream_wait_event(s2, plain));
  REQUIRE_OK(ahal_stream_synchronize(s2));
  REQUIRE_OK(ahal_event_wait(end, UINT64_MAX));
  CHECK(calls == 1);
  REQUIRE_OK(ahal_event_query(end));
  REQUIRE_OK(ahal_stream_query(s));
  REQUIRE_OK(ahal_event_elapsed_ns(start, end, &ns));
  CHECK(ns < 10'000'000'000ull);

  CHECK_FAILS(ahal_event_elapsed_ns(start, plain, &ns), AHAL_ERROR_INVALID_ARGUMENT,
              "ahal_event_elapsed_ns", "end was not created with AHAL_EVENT_TIMING");
  CHECK_FAILS(ahal_event_elapsed_ns(start, end, nullptr), AHAL_ERROR_INVALID_ARGUMENT,
              "ahal_event_elapsed_ns", "out_ns is NULL");
  CHECK_FAILS(ahal_stream_host_callback(s, nullptr, nullptr), AHAL_ERROR_INVALID_ARGUMENT,
              "ahal_stream_host_callback", "fn is NULL");
  ahal_event_t bad = nullptr;
  CHECK_FAILS(ahal_event_create(dev, 1u << 4, &bad), AHAL_ERROR_INVALID_ARGUMENT,
              "ahal_event_create", "unknown bits");
  CHECK_FAILS(ahal_event_create(dev, 0, nullptr), AHAL_ERROR_INVALID_ARGUMENT, "ahal_event_create",
              "out_event is NULL");
  sa.flags = 1;
  CHECK_FAILS(ahal_stream_create(dev, &sa, &s2), AHAL_ERROR_INVALID_ARGUMENT, "ahal_stream_create",
              "flags 0x1");
  sa.flags = 0;
  sa.struct_size = 4;
  CHECK_FAILS(ahal_stream_create(dev, &sa, &s2), AHAL_ERROR_INVALID_ARGUMENT, "ahal_stream_create",
              "struct_size 4");
  CHECK_FAILS(ahal_stream_create(dev, nullptr, nullptr), AHAL_ERROR_INVALID_ARGUMENT,
              "ahal_stream_create", "out_stream is NULL");

  SECTION("events of another device: waited for (API 1.4), never recorded") {
    ahal_event_t foreign = nullptr;
    REQUIRE_OK(ahal_event_create(other, AHAL_EVENT_TIMING, &foreign));
    REQUIRE_OK(ahal_stream_wait_event(s, foreign));  // docs/collectives.md
    CHECK_FAILS(ahal_stream_record_event(s, foreign), AHAL_ERROR_INVALID_ARGUMENT,
                "ahal_stream_record_event", "event belongs to device hostmem_next:1");
    CHECK_FAILS(ahal_event_elapsed_ns(start, foreign, &ns), AHAL_ERROR_INVALID_ARGUMENT,
                "ahal_event_elapsed_ns", "end to hostmem_next:1");
    REQUIRE_OK(ahal_event_destroy(foreign));
  }
  REQUIRE_OK(ahal_event_destroy(start));
  REQUIRE_OK(ahal_event_destroy(end));
  REQUIRE_OK(ahal_event_destroy(plain));
  CHECK_FAILS(ahal_event_query(plain), AHAL_ERROR_INVALID_HANDLE, "ahal_event_query", "destroyed");
  REQUIRE_OK(ahal_stream_destroy(s));
  CHECK_FAILS(ahal_stream_query(s), AHAL_ERROR_INVALID_HANDLE, "ahal_stream_query", "destroyed");
  REQUIRE_OK(ahal_device_synchronize(dev));
}

TEST_CASE_METHOD(Fixture, "launches run and bad launches enqueue nothing") {
  ahal_module_t m = nullptr;
  const std::vector<ahal_kernel_info_t> infos = {{"add", 3, 4, 0},
                                                 {"index", 1, 4, AHAL_KERNEL_USES_DYNAMIC_SHARED}};
  REQUIRE_OK(test::make_program(
      dev, "kernel add add_u32\nkernel index write_index\nkernel raw write_index\n", &m, infos));
  ahal_kernel_t add = nullptr, index = nullptr, raw = nullptr;
  REQUIRE_OK(ahal_kernel_get(m, "add", &add));
  REQUIRE_OK(ahal_kernel_get(m, "index", &index));
  REQUIRE_OK(ahal_kernel_get(m, "raw", &raw));
  ahal_kernel_attributes_t attr = {};
  attr.struct_size = sizeof(attr);
  REQUIRE_OK(ahal_kernel_get_attributes(add, &attr));
  CHECK(attr.has_metadata == 1);
  CHECK(attr.binding_count == 3);
  CHECK(attr.max_workgroup_size == 128);
  CHECK(attr.static_shared_bytes == 1024);
  REQUIRE_OK(ahal_kernel_get_attributes(raw, &attr));
  CHECK(attr.has_metadata == 0);
  CHECK_FAILS(ahal_kernel_get_attributes(raw, nullptr), AHAL_ERROR_INVALID_ARGUMENT,
              "ahal_kernel_get_attributes", "out_attributes is NULL");
  attr.struct_size = 0;
  CHECK_FAILS(ahal_kernel_get_attributes(raw, &attr), AHAL_ERROR_INVALID_ARGUMENT,
              "ahal_kernel_get_attributes", "ahal_kernel_attributes_t.struct_size 0");
  attr.struct_size = sizeof(attr);

  const uint32_t n = 1000;
  ahal_buffer_t a = test::make_buffer(dev, n * 4), b = test::make_buffer(dev, n * 4),
                c = test::make_buffer(dev, 8192);
  ahal_stream_t s = test::make_stream(dev);
  std::vector<uint32_t> ha(n), hb(n), hc(n, 0);
  for (uint32_t i = 0; i < n; ++i) {
    ha[i] = i;
    hb[i] = 3 * i;
  }
  REQUIRE_OK(ahal_stream_copy_h2d(s, ha.data(), a, 0, n * 4));
  REQUIRE_OK(ahal_stream_copy_h2d(s, hb.data(), b, 0, n * 4));
  const uint32_t marker = 0x77777777;
  REQUIRE_OK(ahal_stream_fill(s, c, 0, 8192, &marker, 4));

  ahal_binding_t bind[4] = {{a, 0, 0}, {b, 0, 0}, {c, 0, 0}, {c, 0, 0}};
  ahal_launch_args_t l = {};
  l.struct_size = sizeof(l);
  l.grid[0] = 8;
  l.grid[1] = l.grid[2] = 1;
  l.workgroup_size[0] = 128;
  l.workgroup_size[1] = l.workgroup_size[2] = 1;
  l.binding_count = 3;
  l.bindings = bind;
  l.constants = &n;
  l.constants_size = 4;

  auto expect_untouched = [&] {
    std::vector<uint32_t> out(2048);
    REQUIRE_OK(ahal_stream_copy_d2h(s, c, 0, out.data(), 8192));
    REQUIRE_OK(ahal_stream_synchronize(s));
    for (uint32_t v : out) REQUIRE(v == marker);
  };
  const char* fn = "ahal_stream_launch";
  auto refused = [&](ahal_kernel_t k, ahal_launch_args_t args, ahal_status_t status,
                     const std::string& text) {
    CHECK_FAILS(ahal_stream_launch(s, k, &args), status, fn, text);
  };
  {
    ahal_launch_args_t x = l;
    x.grid[1] = 0;
    refused(add, x, AHAL_ERROR_OUT_OF_RANGE, "grid[1] is 0");
    x = l;
    x.workgroup_size[2] = 0;
    refused(add, x, AHAL_ERROR_OUT_OF_RANGE, "workgroup_size[2] is 0");
    x = l;
    x.grid[0] = 65536;
    refused(add, x, AHAL_ERROR_OUT_OF_RANGE,
            "grid.x 65536 exceeds the device's max_grid_dims 65535");
    x = l;
    x.workgroup_size[2] = 65;
    refused(add, x, AHAL_ERROR_OUT_OF_RANGE, "workgroup_size.z 65 exceeds");
    x = l;
    x.workgroup_size[0] = 16;
    x.workgroup_size[1] = 32;
    refused(index, x, AHAL_ERROR_OUT_OF_RANGE,
            "512 work-items exceeds the device's max_workgroup_size 256");
    x = l;
    x.workgroup_size[0] = 256;
    refused(add, x, AHAL_ERROR_OUT_OF_RANGE, "exceeds kernel add's max_workgroup_size 128");
    x = l;
    x.workgroup_size[0] = UINT32_MAX;
    x.workgroup_size[1] = UINT32_MAX;
    refused(add, x, AHAL_ERROR_OUT_OF_RANGE, "workgroup_size.x");
    x = l;
    x.binding_count = 2;
    refused(add, x, AHAL_ERROR_INVALID_ARGUMENT, "kernel add takes 3 bindings, got 2");
    x = l;
    x.binding_count = 9;
    refused(add, x, AHAL_ERROR_OUT_OF_RANGE, "binding_count 9 exceeds the device's max_bindings 8");
    x = l;
    x.bindings = nullptr;
    refused(add, x, AHAL_ERROR_INVALID_ARGUMENT, "bindings is NULL");
    x = l;
    x.constants_size = 8;
    refused(add, x, AHAL_ERROR_INVALID_ARGUMENT, "kernel add takes 4 bytes of constants, got 8");
    x = l;
    x.constants_size = 3;
    refused(add, x, AHAL_ERROR_INVALID_ARGUMENT, "not a multiple of 4");
    x = l;
    x.constants_size = 260;
    refused(add, x, AHAL_ERROR_OUT_OF_RANGE,
            "constants_size 260 exceeds the device's max_constants_size 256");
    x = l;
    x.constants = nullptr;
    refused(add, x, AHAL_ERROR_INVALID_ARGUMENT, "constants is NULL");
    x = l;
    x.dynamic_shared_bytes = 64;
    refused(add, x, AHAL_ERROR_INVALID_ARGUMENT, "kernel add does not take dynamic shared memory");
    x = l;
    x.dynamic_shared_bytes = 16385;
    x.bindings = &bind[2];
    x.binding_count = 1;
    refused(
        index, x, AHAL_ERROR_OUT_OF_RANGE,
        "shared memory 0 static + 16385 dynamic exceeds the device's 16384 bytes per workgroup");
    x = l;
    x.struct_size = 16;
    refused(add, x, AHAL_ERROR_INVALID_ARGUMENT, "ahal_launch_args_t.struct_size 16");

    ahal_binding_t bad[3] = {{a, 0, 0}, {b, 0, 0}, {c, 0, 0}};
    x = l;
    x.bindings = bad;
    bad[1].offset = 8;
    refused(add, x, AHAL_ERROR_INVALID_ARGUMENT,
            "binding 1: offset 8 is not a multiple of binding_offset_alignment 16");
    bad[1].offset = 4000;
    refused(add, x, AHAL_ERROR_OUT_OF_RANGE,
            "binding 1: offset 4000 is not below buffer size 4000");
    bad[1].offset = 16;
    bad[1].size = 4000;
    refused(add, x, AHAL_ERROR_OUT_OF_RANGE,
            "binding 1: offset 16 + size 4000 exceeds buffer size 4000");
    bad[1].offset = 0;
    bad[1].size = UINT64_MAX;
    refused(add, x, AHAL_ERROR_OUT_OF_RANGE, "binding 1");
    bad[1].size = 0;
    bad[2].buffer = nullptr;
    refused(add, x, AHAL_ERROR_INVALID_HANDLE, "binding 2: buffer is NULL");
    ahal_buffer_t foreign = test::make_buffer(other, 64);
    bad[2].buffer = foreign;
    refused(add, x, AHAL_ERROR_INVALID_ARGUMENT,
            "binding 2: buffer belongs to device hostmem_next:1");
    REQUIRE_OK(ahal_buffer_destroy(foreign));
    refused(add, x, AHAL_ERROR_INVALID_HANDLE, "binding 2: buffer handle");
    CHECK_FAILS(ahal_stream_launch(s, add, nullptr), AHAL_ERROR_INVALID_ARGUMENT, fn,
                "args is NULL");
  }
  expect_untouched();

  REQUIRE_OK(ahal_stream_launch(s, add, &l));
  REQUIRE_OK(ahal_stream_copy_d2h(s, c, 0, hc.data(), n * 4));
  REQUIRE_OK(ahal_stream_synchronize(s));
  for (uint32_t i = 0; i < n; ++i) REQUIRE(hc[i] == 4 * i);

  SECTION("a binding with offset and size reaches the kernel") {
    const uint32_t base = 5;
    ahal_binding_t one = {c, 4096, 64};
    ahal_launch_args_t x = {};
    x.struct_size = sizeof(x);
    x.grid[0] = x.grid[1] = x.grid[2] = 1;
    x.workgroup_size[0] = 64;
    x.workgroup_size[1] = x.workgroup_size[2] = 1;
    x.binding_count = 1;
    x.bindings = &one;
    x.constants = &base;
    x.constants_size = 4;
    x.dynamic_shared_bytes = 256;  // index takes dynamic shared memory
    REQUIRE_OK(ahal_stream_launch(s, index, &x));
    std::vector<uint32_t> out(32);
    REQUIRE_OK(ahal_stream_copy_d2h(s, c, 4096 - 32, out.data(), 128));
    REQUIRE_OK(ahal_stream_synchronize(s));
    for (int i = 0; i < 8; ++i) CHECK(out[i] == marker);
    for (int i = 0; i < 16; ++i)
      CHECK(out[8 + i] == uint32_t(i) + base);  // size 64 bytes = 16 words
    CHECK(out[24] == marker);
  }
  SECTION("a kernel without metadata takes what the device allows") {
    const uint32_t base = 0;
    ahal_launch_args_t x = l;
    x.binding_count = 1;
    x.bindings = &bind[2];
    x.constants = &base;
    REQUIRE_OK(ahal_stream_launch(s, raw, &x));
    x.constants_size = 8;  // no metadata: the plugin gets what the caller gave
    const uint32_t two[2] = {1, 2};
    x.constants = two;
    // hostmem's own check answers AHAL_ERROR_INTERNAL, which no plugin entry
    // may return (docs/entries.md): the loader reports it as a plugin error.
    CHECK_FAILS(ahal_stream_launch(s, raw, &x), AHAL_ERROR_PLUGIN, fn,
                "stream_launch returned AHAL_ERROR_INTERNAL, which it may not return");
  }
  SECTION("a kernel of another device is refused") {
    ahal_stream_t os = test::make_stream(other);
    CHECK_FAILS(ahal_stream_launch(os, add, &l), AHAL_ERROR_INVALID_ARGUMENT, fn,
                "kernel belongs to device hostmem_next:0, the stream to hostmem_next:1");
    REQUIRE_OK(ahal_stream_destroy(os));
  }
  SECTION("plugin failures are reported with the plugin's name") {
    ahal_module_t bad = nullptr;
    REQUIRE_OK(test::make_program(dev, "kernel boom throws\nkernel quiet fail_silent\n", &bad));
    ahal_kernel_t boom = nullptr, quiet = nullptr;
    REQUIRE_OK(ahal_kernel_get(bad, "boom", &boom));
    REQUIRE_OK(ahal_kernel_get(bad, "quiet", &quiet));
    CHECK_FAILS(ahal_stream_launch(s, boom, &l), AHAL_ERROR_PLUGIN, fn,
                "hostmem_next: plugin threw std::runtime_error: hostmem kernel threw on purpose");
    CHECK_FAILS(ahal_stream_launch(s, quiet, &l), AHAL_ERROR_DEVICE_LOST, fn,
                "hostmem_next returned AHAL_ERROR_DEVICE_LOST without a message");
    REQUIRE_OK(ahal_module_destroy(bad));
  }
  SECTION("built-in kernels carry their own metadata") {
    ahal_kernel_t builtin = nullptr, again = nullptr;
    REQUIRE_OK(ahal_kernel_get_builtin(dev, "hostmem.add_u32", &builtin));
    REQUIRE_OK(ahal_kernel_get_builtin(dev, "hostmem.add_u32", &again));
    CHECK(builtin == again);
    REQUIRE_OK(ahal_stream_launch(s, builtin, &l));
    ahal_launch_args_t x = l;
    x.binding_count = 2;
    CHECK_FAILS(ahal_stream_launch(s, builtin, &x), AHAL_ERROR_INVALID_ARGUMENT, fn,
                "kernel hostmem.add_u32 takes 3 bindings, got 2");
    ahal_kernel_t none = nullptr;
    CHECK_FAILS(ahal_kernel_get_builtin(dev, "hostmem.gemm", &none), AHAL_ERROR_NOT_FOUND,
                "ahal_kernel_get_builtin", "hostmem_next: no built-in kernel hostmem.gemm");
    CHECK_FAILS(ahal_kernel_get_builtin(dev, nullptr, &none), AHAL_ERROR_INVALID_ARGUMENT,
                "ahal_kernel_get_builtin", "name is NULL");
  }
  REQUIRE_OK(ahal_module_destroy(m));
  CHECK_FAILS(ahal_stream_launch(s, add, &l), AHAL_ERROR_INVALID_HANDLE, fn, "kernel handle");
  REQUIRE_OK(ahal_stream_destroy(s));
  for (ahal_buffer_t x : {a, b, c}) REQUIRE_OK(ahal_buffer_destroy(x));
}

TEST_CASE("destroying the runtime frees what is left and invalidates handles") {
  test::Runtime rt(test::plugin_dir("good"), "hostmem_next");
  ahal_device_t d = rt.device("hostmem_next:0");
  ahal_buffer_t b = test::make_buffer(d, 64, AHAL_MEMORY_HOST_VISIBLE);
  void* p = nullptr;
  REQUIRE_OK(ahal_buffer_map(b, 0, 64, &p));
  ahal_stream_t s = test::make_stream(d);
  ahal_event_t e = nullptr;
  REQUIRE_OK(ahal_event_create(d, 0, &e));
  ahal_host_alloc_t h = nullptr;
  REQUIRE_OK(ahal_host_alloc(d, 64, 0, &h));
  ahal_module_t m = nullptr;
  REQUIRE_OK(test::make_program(d, "kernel k write_index\n", &m));
  ahal_kernel_t k = nullptr;
  REQUIRE_OK(ahal_kernel_get(m, "k", &k));
  ahal_runtime_t handle = rt.release();
  REQUIRE_OK(ahal_runtime_destroy(handle));
  uint64_t size;
  CHECK(ahal_buffer_size(b, &size) == AHAL_ERROR_INVALID_HANDLE);
  CHECK(ahal_stream_query(s) == AHAL_ERROR_INVALID_HANDLE);
  CHECK(ahal_event_query(e) == AHAL_ERROR_INVALID_HANDLE);
  CHECK(ahal_host_free(h) == AHAL_ERROR_INVALID_HANDLE);
  CHECK(ahal_module_destroy(m) == AHAL_ERROR_INVALID_HANDLE);
  ahal_kernel_attributes_t attr = {};
  attr.struct_size = sizeof(attr);
  CHECK(ahal_kernel_get_attributes(k, &attr) == AHAL_ERROR_INVALID_HANDLE);
  CHECK(ahal_device_synchronize(d) == AHAL_ERROR_INVALID_HANDLE);
  CHECK_FAILS(ahal_runtime_destroy(handle), AHAL_ERROR_INVALID_HANDLE, "ahal_runtime_destroy",
              "destroyed");
}
