// command_buffers: recorded commands replay with the results a stream
// gives; updates of recorded launches take effect; submissions may follow
// each other while one is in flight; empty and 10,000-command buffers; bad
// input refused with the command's index (docs/command-buffers.md).
#include <cstring>

#include "harness.hpp"

namespace {

using namespace conform;
using CommandBuffer = Handle<ahal_command_buffer_t, ahal_command_buffer_destroy>;

CommandBuffer command_buffer(Context& ctx) {
  CommandBuffer cb;
  CHECK_OK(ahal_command_buffer_create(ctx.device(), 0, cb.out()));
  return cb;
}

ahal_launch_args_t launch_args(Dim3 grid, Dim3 wg, const ahal_binding_t* bindings,
                               uint32_t binding_count, const void* constants,
                               uint32_t constants_size) {
  ahal_launch_args_t a = {};
  a.struct_size = sizeof(a);
  a.grid[0] = grid.x;
  a.grid[1] = grid.y;
  a.grid[2] = grid.z;
  a.workgroup_size[0] = wg.x;
  a.workgroup_size[1] = wg.y;
  a.workgroup_size[2] = wg.z;
  a.binding_count = binding_count;
  a.bindings = bindings;
  a.constants = constants;
  a.constants_size = constants_size;
  return a;
}

void expect_message(const char* text) {
  const char* message = ahal_last_error_message();
  REQUIRE(std::strstr(message, text) != nullptr, "message \"%s\" does not say \"%s\"", message,
          text);
}

CONFORM_TEST(replay_copies, "command_buffers.replay_copies", core, 0) {
  // fill, h2d, d2d, d2h recorded once; three submissions give what the same
  // commands give on a stream.
  Rng rng(ctx.seed());
  const uint64_t size = 64 << 10;
  std::vector<uint8_t> data = rng.bytes(size), via_stream(size), via_cb(size, 0);
  Buffer a = ctx.buffer(size), b = ctx.buffer(size);
  const uint32_t pattern = 0xa5a5a5a5;
  Stream s = ctx.stream();
  auto run_on_stream = [&] {
    CHECK_OK(ahal_stream_fill(s, a, 0, size, &pattern, 4));
    CHECK_OK(ahal_stream_copy_h2d(s, data.data(), a, 4096, size / 2));
    CHECK_OK(ahal_stream_copy_d2d(s, a, 0, b, 0, size));
    CHECK_OK(ahal_stream_copy_d2h(s, b, 0, via_stream.data(), size));
    CHECK_OK(ahal_stream_synchronize(s));
  };
  run_on_stream();
  CommandBuffer cb = command_buffer(ctx);
  CHECK_OK(ahal_command_buffer_fill(cb, a, 0, size, &pattern, 4));
  CHECK_OK(ahal_command_buffer_copy_h2d(cb, data.data(), a, 4096, size / 2));
  CHECK_OK(ahal_command_buffer_barrier(cb));
  CHECK_OK(ahal_command_buffer_copy_d2d(cb, a, 0, b, 0, size));
  CHECK_OK(ahal_command_buffer_copy_d2h(cb, b, 0, via_cb.data(), size));
  CHECK_OK(ahal_command_buffer_finalize(cb));
  for (int round = 0; round < 3; ++round) {
    std::memset(via_cb.data(), 0, size);
    ctx.fill_bytes(b, 0, size, 0);
    CHECK_OK(ahal_stream_submit(s, cb));
    CHECK_OK(ahal_stream_synchronize(s));
    expect_bytes(via_cb.data(), via_stream.data(), size, "command buffer replay vs stream");
  }
}

CONFORM_TEST(replay_kernels, "command_buffers.replay_kernels", core, AHAL_FEATURE_GENERAL_KERNELS) {
  ahal_kernel_t write_index = ctx.kernel("write_index");
  ahal_kernel_t vector_add = ctx.kernel("vector_add");
  const uint32_t n = 1 << 14;
  Buffer out = ctx.buffer(n * 4), x = ctx.buffer(n * 4), y = ctx.buffer(n * 4),
         z = ctx.buffer(n * 4);
  Rng rng(ctx.seed());
  std::vector<float> xs = rng.floats(n, -1, 1), ys = rng.floats(n, -1, 1);
  ctx.write(x, xs);
  ctx.write(y, ys);
  CommandBuffer cb = command_buffer(ctx);
  const uint32_t base = 11;
  ahal_binding_t out_binding = bind(out);
  ahal_launch_args_t wi = launch_args({n / 64}, {64}, &out_binding, 1, &base, 4);
  CHECK_OK(ahal_command_buffer_launch(cb, write_index, &wi, nullptr));
  const ahal_binding_t add_bindings[3] = {bind(x), bind(y), bind(z)};
  const uint32_t count = n;
  ahal_launch_args_t va = launch_args({n / 64}, {64}, add_bindings, 3, &count, 4);
  CHECK_OK(ahal_command_buffer_launch(cb, vector_add, &va, nullptr));
  CHECK_OK(ahal_command_buffer_finalize(cb));
  Stream s = ctx.stream();
  for (int round = 0; round < 2; ++round) {
    ctx.fill_bytes(out, 0, n * 4, 0);
    ctx.fill_bytes(z, 0, n * 4, 0);
    CHECK_OK(ahal_stream_submit(s, cb));
    CHECK_OK(ahal_stream_synchronize(s));
    std::vector<uint32_t> got = ctx.read_as<uint32_t>(out, n);
    for (uint32_t i = 0; i < n; ++i)
      REQUIRE(got[i] == i + base, "round %d: out[%u] = %u, expected %u", round, i, got[i],
              i + base);
    std::vector<float> sum = ctx.read_as<float>(z, n);
    for (uint32_t i = 0; i < n; ++i) expect_near(sum[i], xs[i] + ys[i], 1e-6, "vector_add", i);
  }
}

CONFORM_TEST(update, "command_buffers.update", core, AHAL_FEATURE_GENERAL_KERNELS) {
  // Constants, then bindings, of a recorded launch change between
  // submissions without recording again.
  ahal_kernel_t write_index = ctx.kernel("write_index");
  const uint32_t n = 4096;
  Buffer a = ctx.buffer(n * 4), b = ctx.buffer(n * 4);
  CommandBuffer cb = command_buffer(ctx);
  const uint32_t base = 5;
  ahal_binding_t binding = bind(a);
  ahal_launch_args_t args = launch_args({n / 64}, {64}, &binding, 1, &base, 4);
  uint32_t index = 99;
  CHECK_OK(ahal_command_buffer_launch(cb, write_index, &args, &index));
  REQUIRE(index == 0, "the first command's index is %u, expected 0", index);
  CHECK_OK(ahal_command_buffer_finalize(cb));
  Stream s = ctx.stream();
  CHECK_OK(ahal_stream_submit(s, cb));
  CHECK_OK(ahal_stream_synchronize(s));
  REQUIRE(ctx.read_as<uint32_t>(a, 1, 400)[0] == 100 + base, "first submission wrote %u",
          ctx.read_as<uint32_t>(a, 1, 400)[0]);

  ahal_launch_update_t u = {};
  u.struct_size = sizeof(u);
  const uint32_t new_base = 1000;
  u.constants = &new_base;
  u.constants_size = 4;
  CHECK_OK(ahal_command_buffer_update_launch(cb, index, &u));
  CHECK_OK(ahal_stream_submit(s, cb));
  CHECK_OK(ahal_stream_synchronize(s));
  std::vector<uint32_t> got = ctx.read_as<uint32_t>(a, n);
  for (uint32_t i = 0; i < n; ++i)
    REQUIRE(got[i] == i + new_base, "after the constants update a[%u] = %u", i, got[i]);

  ahal_launch_update_t ub = {};
  ub.struct_size = sizeof(ub);
  const ahal_binding_t to_b = bind(b);
  ub.binding_count = 1;
  ub.bindings = &to_b;
  ctx.fill_bytes(b, 0, n * 4, 0);
  CHECK_OK(ahal_command_buffer_update_launch(cb, index, &ub));
  CHECK_OK(ahal_stream_submit(s, cb));
  CHECK_OK(ahal_stream_synchronize(s));
  got = ctx.read_as<uint32_t>(b, n);
  for (uint32_t i = 0; i < n; ++i)
    REQUIRE(got[i] == i + new_base, "after the bindings update b[%u] = %u", i, got[i]);
}

CONFORM_TEST(in_flight, "command_buffers.in_flight", core, AHAL_FEATURE_HOST_CALLBACKS) {
  // Submitted again while the first submission waits behind a gate, to the
  // same and to another stream: every submission runs, one after another.
  // An update while one is in flight is refused.
  const uint64_t size = 4096;
  Buffer a = ctx.buffer(size), b = ctx.buffer(size);
  std::vector<uint8_t> data(size, 0x42);
  CommandBuffer cb = command_buffer(ctx);
  CHECK_OK(ahal_command_buffer_copy_h2d(cb, data.data(), a, 0, size));
  CHECK_OK(ahal_command_buffer_copy_d2d(cb, a, 0, b, 0, size));
  // With kernels, a launch to update while a submission is in flight.
  const bool kernels = ctx.has(AHAL_FEATURE_GENERAL_KERNELS);
  Buffer c = ctx.buffer(size);
  const uint32_t base = 0;
  const ahal_binding_t binding = bind(c);
  uint32_t index = 0;
  if (kernels) {
    ahal_launch_args_t args = launch_args({size / 4 / 64}, {64}, &binding, 1, &base, 4);
    CHECK_OK(ahal_command_buffer_launch(cb, ctx.kernel("write_index"), &args, &index));
  }
  CHECK_OK(ahal_command_buffer_finalize(cb));
  Stream s1 = ctx.stream(), s2 = ctx.stream();
  {
    Gate gate;
    gate.block(s1);
    CHECK_OK(ahal_stream_submit(s1, cb));
    CHECK_OK(ahal_stream_submit(s1, cb));
    CHECK_OK(ahal_stream_submit(s2, cb));
    if (kernels) {
      ahal_launch_update_t u = {};
      u.struct_size = sizeof(u);
      const uint32_t other = 9;
      u.constants = &other;
      u.constants_size = 4;
      CHECK_STATUS(ahal_command_buffer_update_launch(cb, index, &u), AHAL_ERROR_INVALID_STATE);
      expect_message("in flight");
    }
    CHECK_STATUS(ahal_stream_query(s2), AHAL_NOT_READY);  // ordered after s1's
    gate.open();
  }
  CHECK_OK(ahal_stream_synchronize(s1));
  CHECK_OK(ahal_stream_synchronize(s2));
  expect_bytes(ctx.read(b, 0, size).data(), data.data(), size, "after three submissions");
}

CONFORM_TEST(empty, "command_buffers.empty", core, 0) {
  CommandBuffer cb = command_buffer(ctx);
  CHECK_OK(ahal_command_buffer_finalize(cb));
  Stream s = ctx.stream();
  for (int i = 0; i < 3; ++i) CHECK_OK(ahal_stream_submit(s, cb));
  CHECK_OK(ahal_stream_synchronize(s));
}

CONFORM_TEST(many_commands, "command_buffers.many_commands", core, 0) {
  // 10,000 fills, each of its own 4 bytes.
  const uint32_t n = 10000;
  Buffer a = ctx.buffer(n * 4);
  ctx.fill_bytes(a, 0, n * 4, 0);
  CommandBuffer cb = command_buffer(ctx);
  for (uint32_t i = 0; i < n; ++i) {
    const uint32_t value = i * 3 + 1;
    CHECK_OK(ahal_command_buffer_fill(cb, a, i * 4, 4, &value, 4));
  }
  CHECK_OK(ahal_command_buffer_finalize(cb));
  Stream s = ctx.stream();
  CHECK_OK(ahal_stream_submit(s, cb));
  CHECK_OK(ahal_stream_synchronize(s));
  std::vector<uint32_t> got = ctx.read_as<uint32_t>(a, n);
  for (uint32_t i = 0; i < n; ++i)
    REQUIRE(got[i] == i * 3 + 1, "a[%u] = %u, expected %u", i, got[i], i * 3 + 1);
}

CONFORM_TEST(events, "command_buffers.events", core, 0) {
  // An event recorded inside a command buffer completes with it; a wait
  // inside one orders it after another stream's work.
  const uint64_t size = 1 << 16;
  Buffer a = ctx.buffer(size), b = ctx.buffer(size);
  std::vector<uint8_t> data(size, 7);
  Event ready = ctx.event(), done = ctx.event();
  Stream producer = ctx.stream(), consumer = ctx.stream();
  CommandBuffer cb = command_buffer(ctx);
  CHECK_OK(ahal_command_buffer_wait_event(cb, ready));
  CHECK_OK(ahal_command_buffer_copy_d2d(cb, a, 0, b, 0, size));
  CHECK_OK(ahal_command_buffer_record_event(cb, done));
  CHECK_OK(ahal_command_buffer_finalize(cb));
  CHECK_OK(ahal_stream_copy_h2d(producer, data.data(), a, 0, size));
  CHECK_OK(ahal_stream_record_event(producer, ready));
  CHECK_OK(ahal_stream_submit(consumer, cb));
  CHECK_OK(ahal_event_wait(done, UINT64_MAX));
  expect_bytes(ctx.read(b, 0, size).data(), data.data(), size, "after the recorded event");
  CHECK_OK(ahal_stream_synchronize(producer));
  CHECK_OK(ahal_stream_synchronize(consumer));
}

CONFORM_TEST(bad_input, "command_buffers.bad_input", core, 0) {
  Buffer a = ctx.buffer(4096);
  std::vector<uint8_t> host(8192);
  CommandBuffer cb = command_buffer(ctx);
  CHECK_OK(ahal_command_buffer_copy_h2d(cb, host.data(), a, 0, 4096));
  // The refused command names the index it would have had.
  CHECK_STATUS(ahal_command_buffer_copy_h2d(cb, host.data(), a, 4000, 200),
               AHAL_ERROR_OUT_OF_RANGE);
  expect_message("command 1");
  CHECK_STATUS(ahal_command_buffer_fill(cb, a, 0, 6, host.data(), 4), AHAL_ERROR_INVALID_ARGUMENT);
  expect_message("command 1");
  CHECK_STATUS(ahal_command_buffer_copy_d2h(cb, a, 0, nullptr, 16), AHAL_ERROR_INVALID_ARGUMENT);
  CHECK_STATUS(ahal_command_buffer_create(ctx.device(), 0x80, nullptr),
               AHAL_ERROR_INVALID_ARGUMENT);
  // Not finalized: cannot be submitted; finalized: cannot be recorded into.
  Stream s = ctx.stream();
  CHECK_STATUS(ahal_stream_submit(s, cb), AHAL_ERROR_INVALID_STATE);
  CHECK_OK(ahal_command_buffer_finalize(cb));
  CHECK_STATUS(ahal_command_buffer_finalize(cb), AHAL_ERROR_INVALID_STATE);
  CHECK_STATUS(ahal_command_buffer_copy_h2d(cb, host.data(), a, 0, 16), AHAL_ERROR_INVALID_STATE);
  // Updates: index out of range, a command that is no launch.
  ahal_launch_update_t u = {};
  u.struct_size = sizeof(u);
  CHECK_STATUS(ahal_command_buffer_update_launch(cb, 7, &u), AHAL_ERROR_OUT_OF_RANGE);
  CHECK_STATUS(ahal_command_buffer_update_launch(cb, 0, &u), AHAL_ERROR_INVALID_ARGUMENT);
  CHECK_STATUS(ahal_command_buffer_update_launch(cb, 0, nullptr), AHAL_ERROR_INVALID_ARGUMENT);
  // A buffer a command buffer uses cannot be destroyed before it.
  CHECK_STATUS(ahal_buffer_destroy(a), AHAL_ERROR_INVALID_STATE);
  CHECK_OK(ahal_stream_submit(s, cb));
  CHECK_OK(ahal_stream_synchronize(s));
  cb.reset();
  CHECK_OK(ahal_buffer_destroy(a.release()));
  ctx.check_device_usable("command buffer bad input");
}

}  // namespace
