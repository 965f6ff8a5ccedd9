// Command buffers through the loader: plugins built against the frozen 1.0
// and 1.1 headers (no command-buffer entries) get them by replay; the
// validation layer reports a destroy while a submission is in flight;
// recorded objects cannot be destroyed before their command buffer.
#include <cstring>
#include <string>

#include "test_support.hpp"

namespace {

ahal_command_buffer_t make_cb(ahal_device_t d) {
  ahal_command_buffer_t cb = nullptr;
  REQUIRE_OK(ahal_command_buffer_create(d, 0, &cb));
  return cb;
}

// fill -> d2d -> d2h recorded once, submitted `rounds` times.
void round_trip(ahal_device_t d, int rounds) {
  ahal_buffer_t a = test::make_buffer(d, 1024), b = test::make_buffer(d, 1024);
  ahal_stream_t s = test::make_stream(d);
  uint32_t back[256] = {};
  const uint32_t pattern = 0x01020304;
  ahal_command_buffer_t cb = make_cb(d);
  REQUIRE_OK(ahal_command_buffer_fill(cb, a, 0, 1024, &pattern, 4));
  REQUIRE_OK(ahal_command_buffer_copy_d2d(cb, a, 0, b, 0, 1024));
  REQUIRE_OK(ahal_command_buffer_copy_d2h(cb, b, 0, back, sizeof(back)));
  REQUIRE_OK(ahal_command_buffer_finalize(cb));
  for (int i = 0; i < rounds; ++i) {
    std::memset(back, 0, sizeof(back));
    REQUIRE_OK(ahal_stream_submit(s, cb));
    REQUIRE_OK(ahal_stream_synchronize(s));
    CHECK(back[0] == pattern);
    CHECK(back[255] == pattern);
  }
  REQUIRE_OK(ahal_command_buffer_destroy(cb));
  REQUIRE_OK(ahal_stream_destroy(s));
  REQUIRE_OK(ahal_buffer_destroy(a));
  REQUIRE_OK(ahal_buffer_destroy(b));
}

}  // namespace

TEST_CASE("a plugin's native command buffers, and the loader's replay where it has none") {
  for (const char* native : {"0", "1"}) {
    INFO("HOSTMEM_NO_COMMAND_BUFFERS=" << native);
    setenv("HOSTMEM_NO_COMMAND_BUFFERS", native, 1);
    test::Runtime rt(test::plugin_dir("good"), "hostmem_next");
    round_trip(rt.device("hostmem_next"), 3);
    unsetenv("HOSTMEM_NO_COMMAND_BUFFERS");
  }
}

TEST_CASE("plugins of ABI 1.0 and 1.1 get command buffers by replay") {
  for (const char* plugin : {"hostmem10", "hostmem11", "hostmem_next"}) {
    INFO(plugin);
    // hostmem11 lives apart, so the other tests of "good" see two plugins.
    test::Runtime rt(test::plugin_dir(std::string(plugin) == "hostmem11" ? "abi11" : "good"),
                     plugin);
    round_trip(rt.device(plugin), 3);
  }
}

TEST_CASE("objects a command buffer uses outlive it") {
  test::Runtime rt(test::plugin_dir("good"), "hostmem_next");
  ahal_device_t d = rt.device("hostmem_next");
  ahal_buffer_t a = test::make_buffer(d, 256);
  ahal_event_t e = nullptr;
  REQUIRE_OK(ahal_event_create(d, 0, &e));
  ahal_module_t m = nullptr;
  REQUIRE_OK(test::make_program(d, "kernel k write_index\n", &m, {{"k", 1, 4, 0}}));
  ahal_kernel_t k = nullptr;
  REQUIRE_OK(ahal_kernel_get(m, "k", &k));
  ahal_command_buffer_t cb = make_cb(d);
  const uint32_t zero = 0;
  REQUIRE_OK(ahal_command_buffer_fill(cb, a, 0, 256, &zero, 4));
  REQUIRE_OK(ahal_command_buffer_record_event(cb, e));
  ahal_binding_t bind = {a, 0, 0};
  ahal_launch_args_t l = {};
  l.struct_size = sizeof(l);
  l.grid[0] = l.grid[1] = l.grid[2] = 1;
  l.workgroup_size[0] = 4;
  l.workgroup_size[1] = l.workgroup_size[2] = 1;
  l.binding_count = 1;
  l.bindings = &bind;
  l.constants = &zero;
  l.constants_size = 4;
  REQUIRE_OK(ahal_command_buffer_launch(cb, k, &l, nullptr));
  CHECK_FAILS(ahal_buffer_destroy(a), AHAL_ERROR_INVALID_STATE, "ahal_buffer_destroy",
              "destroy those command buffers first");
  CHECK_FAILS(ahal_event_destroy(e), AHAL_ERROR_INVALID_STATE, "ahal_event_destroy",
              "used by 1 command(s)");
  CHECK_FAILS(ahal_module_destroy(m), AHAL_ERROR_INVALID_STATE, "ahal_module_destroy",
              "kernel \"k\" of the module is used");
  REQUIRE_OK(ahal_command_buffer_destroy(cb));
  REQUIRE_OK(ahal_module_destroy(m));
  REQUIRE_OK(ahal_event_destroy(e));
  REQUIRE_OK(ahal_buffer_destroy(a));
}

TEST_CASE("a refused recording names the command's index") {
  test::Runtime rt(test::plugin_dir("good"), "hostmem_next");
  ahal_device_t d = rt.device("hostmem_next");
  ahal_device_t other = rt.device("hostmem_next:1");
  ahal_buffer_t a = test::make_buffer(d, 256), elsewhere = test::make_buffer(other, 256);
  ahal_command_buffer_t cb = make_cb(d);
  const uint32_t zero = 0;
  REQUIRE_OK(ahal_command_buffer_fill(cb, a, 0, 256, &zero, 4));
  REQUIRE_OK(ahal_command_buffer_barrier(cb));
  CHECK_FAILS(ahal_command_buffer_copy_d2d(cb, a, 0, elsewhere, 0, 16), AHAL_ERROR_INVALID_ARGUMENT,
              "ahal_command_buffer_copy_d2d",
              "command 2: dst belongs to device hostmem_next:1, the command buffer to "
              "hostmem_next:0");
  CHECK_FAILS(ahal_command_buffer_fill(cb, a, 252, 8, &zero, 4), AHAL_ERROR_OUT_OF_RANGE,
              "ahal_command_buffer_fill", "command 2: offset 252 + size 8 exceeds");
  ahal_stream_t s = test::make_stream(other);
  REQUIRE_OK(ahal_command_buffer_finalize(cb));
  CHECK_FAILS(ahal_stream_submit(s, cb), AHAL_ERROR_INVALID_ARGUMENT, "ahal_stream_submit",
              "command buffer belongs to device hostmem_next:0, the stream to hostmem_next:1");
  REQUIRE_OK(ahal_command_buffer_destroy(cb));
}
