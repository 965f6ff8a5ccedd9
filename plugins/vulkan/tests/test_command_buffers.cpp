// The Vulkan plugin's native command buffers (plugins/vulkan/src/
// command_buffer*.cpp) on vulkan:0: reusable VkCommandBuffers for device
// commands, host copies and events run on the stream between them. The
// conformance category command_buffers covers the general rules; these
// check what the recorded form does differently from streaming.
#include <catch2/catch.hpp>

#include <ahal/ahal.h>
#include <ahal/plugin.h>

#include "device_test_support.hpp"
#include "plugin_test_support.hpp"

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace {

struct CbFixture : ahal_test::StreamFixture {
  CbFixture()
      : StreamFixture(AHAL_TEST_PLUGIN_DIR, "vulkan", "vulkan:0",
                      AHAL_RUNTIME_NO_DEFAULT_PATHS | AHAL_RUNTIME_IGNORE_ENVIRONMENT) {}
  ahal_module_t bundle = ahal_test::bundle_module(device, AHAL_TEST_KERNELS_BUNDLE);
  ahal_kernel_t kernel(const char* name) {
    ahal_kernel_t k = nullptr;
    AHAL_TEST_OK(ahal_kernel_get(bundle, name, &k));
    return k;
  }
  ahal_command_buffer_t command_buffer() {
    ahal_command_buffer_t cb = nullptr;
    AHAL_TEST_OK(ahal_command_buffer_create(device, 0, &cb));
    return cb;
  }
};

}  // namespace

TEST_CASE("the plugin has the native command buffer entries") {
  ahal_test::check_command_buffer_entries(AHAL_VULKAN_PLUGIN_FILE);
}

TEST_CASE("recorded fills, copies, launches, host copies and events equal the stream") {
  CbFixture f;
  const uint32_t n = 1024;  // words
  const uint64_t bytes = n * 4;
  ahal_buffer_t a = f.buffer(bytes), b = f.buffer(bytes), c = f.buffer(bytes);
  std::vector<uint8_t> input(bytes);
  for (uint64_t i = 0; i < bytes; ++i) input[i] = uint8_t(i * 7 + 1);
  ahal_kernel_t write_index = f.kernel("write_index");
  const uint32_t base = 3;
  std::vector<ahal_binding_t> bind_c = {{c, 0, 0}};
  const ahal_launch_args_t wi = ahal_test::launch_1d(n / 64, 64, bind_c, &base, 4);
  ahal_event_t event = nullptr;
  AHAL_TEST_OK(ahal_event_create(f.device, 0, &event));
  std::vector<uint8_t> out_stream(2 * bytes), out_cb(2 * bytes);
  const uint8_t p1 = 0xa5;
  const uint16_t p2 = 0x1234;
  const uint32_t p4 = 0xdeadbeef;
  // Segments: device (fills, launch), host copy, device (copy), event,
  // device (unaligned fills), host copies.
  auto run = [&](auto&& copy_h2d, auto&& fill, auto&& launch, auto&& copy_d2d, auto&& record,
                 auto&& wait, auto&& copy_d2h, std::vector<uint8_t>& out) {
    fill(a, 0, bytes, &p4, 4);
    fill(c, 0, bytes, &p1, 1);
    launch(write_index, &wi);
    copy_h2d(input.data(), b, 0, bytes);
    copy_d2d(b, 16, a, 64, 1000);
    record(event);
    wait(event);
    fill(a, 3, 9, &p1, 1);     // bytes only
    fill(a, 102, 14, &p2, 2);  // a head, whole words and a tail
    fill(a, 2048, 6, &p2, 2);  // under two words
    fill(b, 4, 4096 - 8, &p4, 4);
    copy_d2h(a, 0, out.data(), bytes);
    copy_d2h(c, 0, out.data() + bytes, bytes);
  };
  run([&](const void* s, ahal_buffer_t d, uint64_t o,
          uint64_t z) { AHAL_TEST_OK(ahal_stream_copy_h2d(f.stream, s, d, o, z)); },
      [&](ahal_buffer_t d, uint64_t o, uint64_t z, const void* p, uint32_t ps) {
        AHAL_TEST_OK(ahal_stream_fill(f.stream, d, o, z, p, ps));
      },
      [&](ahal_kernel_t k, const ahal_launch_args_t* l) {
        AHAL_TEST_OK(ahal_stream_launch(f.stream, k, l));
      },
      [&](ahal_buffer_t s, uint64_t so, ahal_buffer_t d, uint64_t dof, uint64_t z) {
        AHAL_TEST_OK(ahal_stream_copy_d2d(f.stream, s, so, d, dof, z));
      },
      [&](ahal_event_t e) { AHAL_TEST_OK(ahal_stream_record_event(f.stream, e)); },
      [&](ahal_event_t e) { AHAL_TEST_OK(ahal_stream_wait_event(f.stream, e)); },
      [&](ahal_buffer_t s, uint64_t o, void* d, uint64_t z) {
        AHAL_TEST_OK(ahal_stream_copy_d2h(f.stream, s, o, d, z));
      },
      out_stream);
  AHAL_TEST_OK(ahal_stream_synchronize(f.stream));

  ahal_command_buffer_t cb = f.command_buffer();
  run([&](const void* s, ahal_buffer_t d, uint64_t o,
          uint64_t z) { AHAL_TEST_OK(ahal_command_buffer_copy_h2d(cb, s, d, o, z)); },
      [&](ahal_buffer_t d, uint64_t o, uint64_t z, const void* p, uint32_t ps) {
        AHAL_TEST_OK(ahal_command_buffer_fill(cb, d, o, z, p, ps));
      },
      [&](ahal_kernel_t k, const ahal_launch_args_t* l) {
        AHAL_TEST_OK(ahal_command_buffer_launch(cb, k, l, nullptr));
      },
      [&](ahal_buffer_t s, uint64_t so, ahal_buffer_t d, uint64_t dof, uint64_t z) {
        AHAL_TEST_OK(ahal_command_buffer_copy_d2d(cb, s, so, d, dof, z));
      },
      [&](ahal_event_t e) { AHAL_TEST_OK(ahal_command_buffer_record_event(cb, e)); },
      [&](ahal_event_t e) { AHAL_TEST_OK(ahal_command_buffer_wait_event(cb, e)); },
      [&](ahal_buffer_t s, uint64_t o, void* d, uint64_t z) {
        AHAL_TEST_OK(ahal_command_buffer_copy_d2h(cb, s, o, d, z));
      },
      out_cb);
  AHAL_TEST_OK(ahal_command_buffer_finalize(cb));
  for (int round = 0; round < 3; ++round) {
    std::fill(out_cb.begin(), out_cb.end(), 0);
    const uint32_t zero = 0;
    AHAL_TEST_OK(ahal_stream_fill(f.stream, a, 0, bytes, &zero, 4));
    AHAL_TEST_OK(ahal_stream_submit(f.stream, cb));
    AHAL_TEST_OK(ahal_stream_synchronize(f.stream));
    INFO("round " << round);
    REQUIRE(std::memcmp(out_cb.data(), out_stream.data(), out_cb.size()) == 0);
  }
  const uint32_t* words = reinterpret_cast<const uint32_t*>(out_cb.data() + bytes);
  CHECK(words[0] == base);
  CHECK(words[n - 1] == n - 1 + base);
  AHAL_TEST_OK(ahal_command_buffer_destroy(cb));
  AHAL_TEST_OK(ahal_event_destroy(event));
}

TEST_CASE("updates re-record; submissions queue on two streams") {
  CbFixture f;
  const uint32_t n = 256;
  ahal_buffer_t a = f.buffer(n * 4), b = f.buffer(n * 4);
  ahal_kernel_t write_index = f.kernel("write_index");
  ahal_kernel_t empty = f.kernel("empty");
  ahal_command_buffer_t cb = f.command_buffer();
  const uint32_t base = 1;
  std::vector<ahal_binding_t> bind_a = {{a, 0, 0}};
  const ahal_launch_args_t wi = ahal_test::launch_1d(n / 64, 64, bind_a, &base, 4);
  const ahal_launch_args_t nothing = ahal_test::launch_1d(1, 1, {});
  uint32_t index = 0;
  for (int i = 0; i < 100; ++i)
    AHAL_TEST_OK(ahal_command_buffer_launch(cb, empty, &nothing, nullptr));
  AHAL_TEST_OK(ahal_command_buffer_launch(cb, write_index, &wi, &index));
  AHAL_TEST_OK(ahal_command_buffer_finalize(cb));
  ahal_stream_t other = nullptr;
  AHAL_TEST_OK(ahal_stream_create(f.device, nullptr, &other));
  for (uint32_t round = 0; round < 20; ++round) {
    ahal_launch_update_t u{};
    u.struct_size = sizeof(u);
    const uint32_t next = 100 * round;
    u.constants = &next;
    u.constants_size = 4;
    const ahal_binding_t to = {round % 2 ? b : a, 0, 0};
    u.binding_count = 1;
    u.bindings = &to;
    AHAL_TEST_OK(ahal_command_buffer_update_launch(cb, index, &u));
    for (int s = 0; s < 10; ++s) AHAL_TEST_OK(ahal_stream_submit(s % 2 ? other : f.stream, cb));
    AHAL_TEST_OK(ahal_stream_synchronize(other));
    AHAL_TEST_OK(ahal_stream_synchronize(f.stream));
    const std::vector<uint32_t> got = f.download<uint32_t>(round % 2 ? b : a, n);
    INFO("round " << round);
    CHECK(got[0] == next);
    CHECK(got[n - 1] == n - 1 + next);
  }
  AHAL_TEST_OK(ahal_stream_destroy(other));
  AHAL_TEST_OK(ahal_command_buffer_destroy(cb));
}
