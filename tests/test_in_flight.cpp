// Destroying objects that queued work still uses (docs/memory.md), on the
// hostmem device with HOSTMEM_DEFERRED=1: its work runs only when a
// synchronize needs it, so every destroy below happens while the work is
// certainly queued. The destroy must run it first; under ASan (CI's
// sanitizer job) a plugin touching freed memory fails the test.
#include <cstdlib>
#include <vector>

#include "test_support.hpp"

namespace {

struct Deferred {
  Deferred() { setenv("HOSTMEM_DEFERRED", "1", 1); }
  ~Deferred() { unsetenv("HOSTMEM_DEFERRED"); }
};

}  // namespace

TEST_CASE("destroying objects in use waits for the work that uses them") {
  Deferred deferred;
  test::Runtime rt(test::plugin_dir("good"), "hostmem_next");
  ahal_device_t d = rt.device("hostmem_next:0");
  ahal_stream_t s = test::make_stream(d);
  std::vector<uint32_t> data(1024), back(1024, 0);
  for (uint32_t i = 0; i < data.size(); ++i) data[i] = i * 2654435761u;
  const uint64_t bytes = data.size() * 4;

  SECTION("a buffer") {
    ahal_buffer_t b = test::make_buffer(d, bytes);
    REQUIRE_OK(ahal_stream_copy_h2d(s, data.data(), b, 0, bytes));
    REQUIRE_OK(ahal_stream_copy_d2h(s, b, 0, back.data(), bytes));
    CHECK(back[1] == 0);  // still queued
    REQUIRE_OK(ahal_buffer_destroy(b));
    CHECK(back == data);
  }
  SECTION("a buffer bound to a queued launch, used by two streams") {
    ahal_stream_t s2 = test::make_stream(d);
    ahal_buffer_t b = test::make_buffer(d, bytes);
    ahal_module_t m = nullptr;
    REQUIRE_OK(test::make_program(d, "kernel k write_index\n", &m));
    ahal_kernel_t k = nullptr;
    REQUIRE_OK(ahal_kernel_get(m, "k", &k));
    const uint32_t base = 5;
    ahal_binding_t binding = {b, 0, 0};
    ahal_launch_args_t a = {};
    a.struct_size = sizeof(a);
    a.grid[0] = uint32_t(data.size());
    a.grid[1] = a.grid[2] = 1;
    a.workgroup_size[0] = a.workgroup_size[1] = a.workgroup_size[2] = 1;
    a.binding_count = 1;
    a.bindings = &binding;
    a.constants = &base;
    a.constants_size = 4;
    REQUIRE_OK(ahal_stream_launch(s2, k, &a));
    REQUIRE_OK(ahal_stream_copy_d2h(s, b, 0, back.data(), bytes));
    SECTION("the module first: its kernel is queued") {
      REQUIRE_OK(ahal_module_destroy(m));
      REQUIRE_OK(ahal_stream_synchronize(s2));
      REQUIRE_OK(ahal_stream_synchronize(s));
      CHECK(back[7] == 7 + base);
      REQUIRE_OK(ahal_buffer_destroy(b));
    }
    SECTION("the buffer first: both streams are waited for") {
      REQUIRE_OK(ahal_buffer_destroy(b));
      // s2 ran the launch, then s the d2h (hostmem runs in the order waited for).
      CHECK(back[7] == 7 + base);
      REQUIRE_OK(ahal_module_destroy(m));
    }
    REQUIRE_OK(ahal_stream_destroy(s2));
  }
  SECTION("pinned host memory") {
    ahal_host_alloc_t h = nullptr;
    REQUIRE_OK(ahal_host_alloc(d, bytes, 0, &h));
    void* p = nullptr;
    REQUIRE_OK(ahal_host_alloc_pointer(h, &p));
    std::memcpy(p, data.data(), bytes);
    ahal_buffer_t b = test::make_buffer(d, bytes);
    REQUIRE_OK(ahal_stream_copy_h2d(s, p, b, 0, bytes));
    REQUIRE_OK(ahal_host_free(h));
    REQUIRE_OK(ahal_stream_copy_d2h(s, b, 0, back.data(), bytes));
    REQUIRE_OK(ahal_stream_synchronize(s));
    CHECK(back == data);
    REQUIRE_OK(ahal_buffer_destroy(b));
  }
  SECTION("an event recorded and waited for") {
    ahal_stream_t s2 = test::make_stream(d);
    ahal_event_t e = nullptr;
    REQUIRE_OK(ahal_event_create(d, 0, &e));
    REQUIRE_OK(ahal_stream_record_event(s, e));
    REQUIRE_OK(ahal_stream_wait_event(s2, e));
    REQUIRE_OK(ahal_event_destroy(e));
    REQUIRE_OK(ahal_stream_synchronize(s2));
    REQUIRE_OK(ahal_stream_destroy(s2));
  }
  REQUIRE_OK(ahal_stream_destroy(s));
}
