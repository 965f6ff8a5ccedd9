// Command buffers as Level Zero regular command lists, through the
// plugin's dispatch table on the test-only fake loader (fake_level_zero.cpp,
// which runs a list's commands on the host with Level Zero's minimum
// ordering). No GPU has run this.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include "command_buffer_session.hpp"
#include "test_double.hpp"

#include <string>
#include <vector>

using ahal_test::last_plugin_message;
using ahal_test::command_buffers::as_float;
using ahal_test::command_buffers::command;
using ahal_test::command_buffers::copy;
using ahal_test::command_buffers::fill;
using ahal_test::command_buffers::kBytes;
using ahal_test::command_buffers::kN;
using ahal_test::command_buffers::launch;
using ahal_test::command_buffers::MixedCommands;

namespace {

long calls(const char* what) {
  static auto* fn =
      ahal_test::double_symbol<long (*)(const char*)>(AHAL_FAKE_ZE_LOADER, "fake_ze_calls");
  return fn(what);
}

// Makes the fake loader's next `times` calls of `what` fail.
void fail_next(const char* what, long times) {
  static auto* fn = ahal_test::double_symbol<void (*)(const char*, long)>(AHAL_FAKE_ZE_LOADER,
                                                                          "fake_ze_fail_next");
  fn(what, times);
}

// level_zero:0 of the fake loader, a stream and the standard kernels.
struct Session : ahal_test::command_buffers::Session {
  Session()
      : ahal_test::command_buffers::Session(AHAL_ZE_PLUGIN_FILE, "AHAL_ZE_LOADER_PATH",
                                            AHAL_FAKE_ZE_LOADER, AHAL_MODULE_FORMAT_SPIRV_OPENCL,
                                            AHAL_TEST_SPIRV_FILE) {}
};

}  // namespace

TEST_CASE("the plugin has the four command buffer entries") {
  ahal_test::check_command_buffer_entries(AHAL_ZE_PLUGIN_FILE);
}

TEST_CASE("launches, fills, device copies and barriers run as one regular command list") {
  Session s;
  MixedCommands m(s);
  std::vector<ahal_plugin_command_t>& commands = m.commands;
  const std::vector<uint32_t>& streamed = m.streamed;

  ahal_plugin_command_buffer_t* cb = nullptr;
  INFO(last_plugin_message());
  REQUIRE(s.api.command_buffer_create(s.device, commands.data(),
                                      static_cast<uint32_t>(commands.size()), 0,
                                      &cb) == AHAL_SUCCESS);
  m.base_a = m.base_b = m.n = 0;  // the constants were copied at create
  for (int round = 0; round < 2; ++round) {
    s.clear();
    s.sync();
    const long immediate = calls("immediate appends");
    const long launches = calls("zeCommandListAppendLaunchKernel");
    const long executes = calls("zeCommandQueueExecuteCommandLists");
    REQUIRE(s.api.command_buffer_submit(s.stream, cb) == AHAL_SUCCESS);
    // A barrier before and one after, whatever the command count.
    CHECK(calls("immediate appends") == immediate + 2);
    CHECK(calls("zeCommandListAppendLaunchKernel") == launches);
    CHECK(calls("zeCommandQueueExecuteCommandLists") == executes + 1);
    CHECK(s.contents() == streamed);
  }
  s.api.command_buffer_destroy(cb);
}

TEST_CASE("submissions in flight, updates, and what falls back to replay") {
  Session s;
  ahal_plugin_kernel_t* write_index = s.kernel("write_index");
  ahal_plugin_buffer_t *a = s.buffer(), *b = s.buffer();
  const ahal_plugin_binding_t to_a{a, 0, kBytes}, to_b{b, 0, kBytes};
  uint32_t base = 1;
  std::vector<ahal_plugin_command_t> commands = {
      launch(write_index, &to_a, 1, &base),
      copy(a, 0, b, 0, kBytes),
      fill(a, 0, kBytes, 0xffffffffu, 4),
  };
  ahal_plugin_command_buffer_t* cb = nullptr;
  REQUIRE(s.api.command_buffer_create(s.device, commands.data(), 3, 0, &cb) == AHAL_SUCCESS);

  // Submitted again while in flight: each submission runs whole, in order.
  const long lists = calls("zeCommandListCreate");
  for (int i = 0; i < 20; ++i) REQUIRE(s.api.command_buffer_submit(s.stream, cb) == AHAL_SUCCESS);
  std::vector<uint32_t> got = s.contents();
  CHECK(got[3] == 0xffffffffu);
  CHECK(got[kN + 3] == 4);
  CHECK(calls("zeCommandListCreate") - lists <= 7);  // at most 8 copies of the list

  // Updates take effect: constants (b gets a's values), then the binding
  // (the launch writes b, which the copy then overwrites with a's fill).
  ahal_plugin_command_t update = commands[0];
  uint32_t next = 1000;
  update.launch.constants = &next;
  const long resets = calls("zeCommandListReset");
  REQUIRE(s.api.command_buffer_update(cb, 0, &update) == AHAL_SUCCESS);
  CHECK(calls("zeCommandListReset") > resets);
  next = 0;  // copied by the update
  REQUIRE(s.api.command_buffer_submit(s.stream, cb) == AHAL_SUCCESS);
  got = s.contents();
  CHECK(got[3] == 0xffffffffu);
  CHECK(got[kN + 3] == 1003);
  next = 2000;
  update.launch.bindings = &to_b;
  REQUIRE(s.api.command_buffer_update(cb, 0, &update) == AHAL_SUCCESS);
  REQUIRE(s.api.command_buffer_submit(s.stream, cb) == AHAL_SUCCESS);
  got = s.contents();
  CHECK(got[3] == 0xffffffffu);
  CHECK(got[kN + 3] == 0xffffffffu);
  // Only recorded launches can be updated.
  CHECK(s.api.command_buffer_update(cb, 1, &update) == AHAL_ERROR_INVALID_ARGUMENT);
  CHECK(s.api.command_buffer_update(cb, 9, &update) == AHAL_ERROR_INVALID_ARGUMENT);
  s.api.command_buffer_destroy(cb);

  // Host copies and events are the stream's: UNSUPPORTED, the loader replays.
  std::vector<uint32_t> host(kN);
  ahal_plugin_command_t h2d = command(AHAL_PLUGIN_COMMAND_COPY_H2D);
  h2d.host_src = host.data();
  h2d.dst = a;
  h2d.size = kBytes;
  commands.push_back(h2d);
  ahal_plugin_command_buffer_t* none = nullptr;
  CHECK(s.api.command_buffer_create(s.device, commands.data(),
                                    static_cast<uint32_t>(commands.size()), 0,
                                    &none) == AHAL_ERROR_UNSUPPORTED);
  CHECK(last_plugin_message().find("command 3") != std::string::npos);
  ahal_plugin_event_t* event = nullptr;
  REQUIRE(s.api.event_create(s.device, 0, &event) == AHAL_SUCCESS);
  ahal_plugin_command_t record = command(AHAL_PLUGIN_COMMAND_RECORD_EVENT);
  record.event = event;
  CHECK(s.api.command_buffer_create(s.device, &record, 1, 0, &none) == AHAL_ERROR_UNSUPPORTED);
  s.api.event_destroy(event);
}

TEST_CASE("a submission that fails half-way leaves its list copy free for later ones") {
  Session s;
  ahal_plugin_kernel_t* write_index = s.kernel("write_index");
  ahal_plugin_buffer_t* a = s.buffer();
  ahal_plugin_binding_t to_a{a, 0, kBytes};
  uint32_t base = 7;
  std::vector<ahal_plugin_command_t> commands = {launch(write_index, &to_a, 1, &base)};
  ahal_plugin_command_buffer_t* cb = nullptr;
  REQUIRE(s.api.command_buffer_create(s.device, commands.data(), 1, 0, &cb) == AHAL_SUCCESS);
  // The start barrier is on the stream, the execute fails: 20 times, and
  // the copies of the list stay within the 8 a buffer keeps.
  const long lists = calls("zeCommandListCreate");
  fail_next("zeCommandQueueExecuteCommandLists", 20);
  for (int i = 0; i < 20; ++i) {
    CHECK(s.api.command_buffer_submit(s.stream, cb) == AHAL_ERROR_OUT_OF_DEVICE_MEMORY);
    INFO(last_plugin_message());
    CHECK(last_plugin_message().find("zeCommandQueueExecuteCommandLists") != std::string::npos);
  }
  CHECK(calls("zeCommandListCreate") - lists <= 7);
  // Then submissions work again, with the same list copies.
  REQUIRE(s.api.command_buffer_submit(s.stream, cb) == AHAL_SUCCESS);
  const std::vector<uint32_t> got = s.contents();
  CHECK(got[0] == 7);
  CHECK(got[kN - 1] == 7 + kN - 1);
  CHECK(calls("zeCommandListCreate") - lists <= 7);
  s.api.command_buffer_destroy(cb);
}
