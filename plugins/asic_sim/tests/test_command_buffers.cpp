// asic_sim runs a command buffer natively: the command processor takes the
// decoded list as one command (plugins/asic_sim/src/command_buffer.cpp).
// The conformance category command_buffers covers the general rules.
#include "builtin_constants.hpp"
#include "plugin_test_support.hpp"
#include "sim_fixture.hpp"

#include <ahal/plugin.h>

#include <cmath>
#include <cstring>

namespace {

using Add = asic_sim::AddConstants;

ahal_launch_args_t builtin_args(const ahal_binding_t* bindings, uint32_t count, const Add* c) {
  ahal_launch_args_t args{};
  args.struct_size = sizeof(args);
  for (int d = 0; d < 3; ++d) args.grid[d] = args.workgroup_size[d] = 1;
  args.binding_count = count;
  args.bindings = bindings;
  args.constants = c;
  args.constants_size = sizeof(*c);
  return args;
}

}  // namespace

TEST_CASE("the plugin has the native command buffer entries", "[command_buffer]") {
  ahal_test::check_command_buffer_entries(ASIC_SIM_PLUGIN_FILE);
}

TEST_CASE("a recorded list runs on the command processor; updates take effect",
          "[command_buffer]") {
  Sim sim;
  const uint32_t n = 1000;
  std::vector<float> a = pseudo_random(n, 1), b = pseudo_random(n, 2), out(n), out2(n);
  ahal_buffer_t A = sim.buffer(n * 4), B = sim.buffer(n * 4), C = sim.buffer(n * 4),
                D = sim.buffer(n * 4);
  ahal_event_t event = nullptr;
  AHAL_TEST_OK(ahal_event_create(sim.device, 0, &event));
  ahal_command_buffer_t cb = nullptr;
  AHAL_TEST_OK(ahal_command_buffer_create(sim.device, 0, &cb));
  AHAL_TEST_OK(ahal_command_buffer_copy_h2d(cb, a.data(), A, 0, n * 4));
  AHAL_TEST_OK(ahal_command_buffer_copy_h2d(cb, b.data(), B, 0, n * 4));
  const ahal_binding_t bindings[3] = {whole(A), whole(B), whole(C)};
  const Add add{n};
  const ahal_launch_args_t args = builtin_args(bindings, 3, &add);
  ahal_kernel_t kernel = sim.builtin("ahal.builtin.elementwise_add_f32");
  uint32_t index = 0;
  AHAL_TEST_OK(ahal_command_buffer_launch(cb, kernel, &args, &index));
  AHAL_TEST_OK(ahal_command_buffer_record_event(cb, event));
  AHAL_TEST_OK(ahal_command_buffer_wait_event(cb, event));
  const uint32_t one = 0x3f800000;  // 1.0f
  AHAL_TEST_OK(ahal_command_buffer_fill(cb, D, 0, n * 4, &one, 4));
  AHAL_TEST_OK(ahal_command_buffer_copy_d2d(cb, C, 0, D, 0, n * 2));
  AHAL_TEST_OK(ahal_command_buffer_barrier(cb));
  AHAL_TEST_OK(ahal_command_buffer_copy_d2h(cb, D, 0, out.data(), n * 4));
  AHAL_TEST_OK(ahal_command_buffer_finalize(cb));
  for (int round = 0; round < 3; ++round) {
    a[0] = float(round);  // host memory is read at each submission
    std::fill(out.begin(), out.end(), 0.0f);
    AHAL_TEST_OK(ahal_stream_submit(sim.stream, cb));
    AHAL_TEST_OK(ahal_stream_synchronize(sim.stream));
    INFO("round " << round);
    CHECK(ahal_event_query(event) == AHAL_SUCCESS);
    for (uint32_t i = 0; i < n / 2; ++i) REQUIRE(std::abs(out[i] - (a[i] + b[i])) <= 1e-6f);
    for (uint32_t i = n / 2; i < n; ++i) REQUIRE(out[i] == 1.0f);
  }
  // Only the first half of the sum: the rest of C keeps the old values.
  const Add half{n / 2};
  ahal_launch_update_t u{};
  u.struct_size = sizeof(u);
  u.constants = &half;
  u.constants_size = sizeof(half);
  const std::vector<float> before = sim.download(C, n);
  a[0] = 100.0f;
  a[n - 1] = 100.0f;
  AHAL_TEST_OK(ahal_command_buffer_update_launch(cb, index, &u));
  AHAL_TEST_OK(ahal_stream_submit(sim.stream, cb));
  AHAL_TEST_OK(ahal_stream_synchronize(sim.stream));
  const std::vector<float> after = sim.download(C, n);
  CHECK(std::abs(after[0] - (100.0f + b[0])) <= 1e-5f);
  CHECK(after[n - 1] == before[n - 1]);
  // A refused update (the view too small) keeps the recorded launch.
  const ahal_binding_t small[3] = {{A, 0, 16}, whole(B), whole(C)};
  ahal_launch_update_t bad{};
  bad.struct_size = sizeof(bad);
  bad.binding_count = 3;
  bad.bindings = small;
  CHECK(ahal_command_buffer_update_launch(cb, index, &bad) == AHAL_ERROR_OUT_OF_RANGE);
  AHAL_TEST_OK(ahal_command_buffer_destroy(cb));
  AHAL_TEST_OK(ahal_event_destroy(event));
}

TEST_CASE("many submissions on two streams run one after another", "[command_buffer]") {
  Sim sim;
  ahal_stream_t other = nullptr;
  AHAL_TEST_OK(ahal_stream_create(sim.device, nullptr, &other));
  const uint32_t n = 64;
  ahal_buffer_t A = sim.upload(std::vector<float>(n, 1.0f));
  ahal_command_buffer_t cb = nullptr;
  AHAL_TEST_OK(ahal_command_buffer_create(sim.device, 0, &cb));
  const ahal_binding_t bindings[3] = {whole(A), whole(A), whole(A)};  // A = A + A
  const Add add{n};
  const ahal_launch_args_t args = builtin_args(bindings, 3, &add);
  AHAL_TEST_OK(ahal_command_buffer_launch(cb, sim.builtin("ahal.builtin.elementwise_add_f32"),
                                          &args, nullptr));
  AHAL_TEST_OK(ahal_command_buffer_finalize(cb));
  for (int i = 0; i < 20; ++i) AHAL_TEST_OK(ahal_stream_submit(i % 2 ? other : sim.stream, cb));
  AHAL_TEST_OK(ahal_stream_synchronize(other));
  AHAL_TEST_OK(ahal_stream_synchronize(sim.stream));
  const std::vector<float> got = sim.download(A, n);
  CHECK(got[0] == 1048576.0f);  // 2^20
  CHECK(got[n - 1] == 1048576.0f);
  AHAL_TEST_OK(ahal_command_buffer_destroy(cb));
  AHAL_TEST_OK(ahal_stream_destroy(other));
}
