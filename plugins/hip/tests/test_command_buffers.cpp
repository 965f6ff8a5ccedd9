// Command buffers as HIP graphs made by stream capture, through the plugin's
// dispatch table on the test-only fake runtime (fake_hip_runtime.cpp, which
// runs a graph's nodes in order on the host). No GPU has run this.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include "command_buffer_session.hpp"
#include "fake_hip_calls.hpp"

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

long calls(const char* what) { return ahal_test::fake_hip_calls(what); }

bool contains(const std::string& text, const char* part) {
  return text.find(part) != std::string::npos;
}

// hip:0 of a fake runtime, a stream and the standard kernels.
struct Session : ahal_test::command_buffers::Session {
  explicit Session(const char* runtime = AHAL_FAKE_HIP_RUNTIME)
      : ahal_test::command_buffers::Session(AHAL_HIP_PLUGIN_FILE, "AHAL_HIP_RUNTIME_PATH", runtime,
                                            AHAL_MODULE_FORMAT_HSACO, AHAL_TEST_HSACO_FILE) {}
};

}  // namespace

TEST_CASE("the plugin has create, submit and destroy, and no update (the loader rebuilds)") {
  ahal_test::DirectPlugin plugin(AHAL_HIP_PLUGIN_FILE);
  CHECK(plugin.api.command_buffer_create);
  CHECK(plugin.api.command_buffer_submit);
  CHECK(plugin.api.command_buffer_destroy);
  CHECK(!plugin.api.command_buffer_update);
}

TEST_CASE("launches, fills, device copies and barriers run as one captured HIP graph") {
  Session s;
  MixedCommands m(s);
  std::vector<ahal_plugin_command_t>& commands = m.commands;
  const std::vector<uint32_t>& streamed = m.streamed;

  // Each command captured once, in one capture.
  const char* const kCaptured[] = {"hipStreamBeginCapture",          "hipGraphInstantiate",
                                   "captured hipModuleLaunchKernel", "captured hipMemcpyDtoDAsync",
                                   "captured hipMemsetD8Async",      "captured hipMemsetD16Async",
                                   "captured hipMemsetD32Async"};
  const long kExpected[] = {1, 1, 3, 3, 1, 1, 1};
  std::vector<long> before;
  for (const char* what : kCaptured) before.push_back(calls(what));
  ahal_plugin_command_buffer_t* cb = nullptr;
  INFO(last_plugin_message());
  REQUIRE(s.create(commands, &cb) == AHAL_SUCCESS);
  for (size_t i = 0; i < before.size(); ++i) {
    INFO(kCaptured[i]);
    CHECK(calls(kCaptured[i]) - before[i] == kExpected[i]);
  }
  m.base_a = m.base_b = m.n = 0;  // the argument values were captured at create
  for (int round = 0; round < 2; ++round) {
    s.clear();
    s.sync();
    const long graph_launches = calls("hipGraphLaunch");
    const long launches = calls("hipModuleLaunchKernel");
    const long fills =
        calls("hipMemsetD8Async") + calls("hipMemsetD16Async") + calls("hipMemsetD32Async");
    const long copies = calls("hipMemcpyDtoDAsync");
    REQUIRE(s.api.command_buffer_submit(s.stream, cb) == AHAL_SUCCESS);
    // One graph launch; nothing enqueued command by command.
    CHECK(calls("hipGraphLaunch") == graph_launches + 1);
    CHECK(calls("hipModuleLaunchKernel") == launches);
    CHECK(calls("hipMemsetD8Async") + calls("hipMemsetD16Async") + calls("hipMemsetD32Async") ==
          fills);
    CHECK(calls("hipMemcpyDtoDAsync") == copies);
    CHECK(s.contents() == streamed);
  }
  // Submitted again while in flight: each submission runs whole, in order
  // (b ends as the write_index the copy did not overwrite, a as the fill).
  commands = {launch(s.kernel("write_index"), &m.to_a, 1, &m.base_a), copy(m.a, 0, m.b, 0, kBytes),
              fill(m.a, 0, kBytes, 0xffffffffu, 4)};
  m.base_a = 3;
  ahal_plugin_command_buffer_t* again = nullptr;
  REQUIRE(s.create(commands, &again) == AHAL_SUCCESS);
  for (int i = 0; i < 20; ++i)
    REQUIRE(s.api.command_buffer_submit(s.stream, again) == AHAL_SUCCESS);
  const std::vector<uint32_t> got = s.contents();
  CHECK(got[3] == 0xffffffffu);
  CHECK(got[kN + 3] == 6);
  s.api.command_buffer_destroy(again);
  s.api.command_buffer_destroy(cb);
}

TEST_CASE("a rebuilt graph takes new arguments; barriers alone make no graph") {
  // What the loader does for ahal_command_buffer_update_launch, since the
  // plugin has no update entry: destroy, then create with the new values.
  Session s;
  ahal_plugin_kernel_t* write_index = s.kernel("write_index");
  ahal_plugin_buffer_t* a = s.buffer();
  const ahal_plugin_binding_t to_a{a, 0, kBytes};
  uint32_t base = 1;
  std::vector<ahal_plugin_command_t> commands = {launch(write_index, &to_a, 1, &base)};
  for (uint32_t next : {1000u, 2000u}) {
    ahal_plugin_command_buffer_t* cb = nullptr;
    REQUIRE(s.create(commands, &cb) == AHAL_SUCCESS);
    REQUIRE(s.api.command_buffer_submit(s.stream, cb) == AHAL_SUCCESS);
    const uint32_t expected = base + 7;
    CHECK(s.contents()[7] == expected);
    s.api.command_buffer_destroy(cb);
    base = next;
  }

  const long captures = calls("hipStreamBeginCapture");
  const long graph_launches = calls("hipGraphLaunch");
  ahal_plugin_command_buffer_t* barriers = nullptr;
  REQUIRE(s.create({command(AHAL_PLUGIN_COMMAND_BARRIER), command(AHAL_PLUGIN_COMMAND_BARRIER)},
                   &barriers) == AHAL_SUCCESS);
  REQUIRE(s.api.command_buffer_submit(s.stream, barriers) == AHAL_SUCCESS);
  s.sync();
  CHECK(calls("hipStreamBeginCapture") == captures);
  CHECK(calls("hipGraphLaunch") == graph_launches);
  s.api.command_buffer_destroy(barriers);
}

TEST_CASE("host copies and events answer UNSUPPORTED, naming the command") {
  Session s;
  ahal_plugin_buffer_t* a = s.buffer();
  std::vector<uint32_t> host(kN);
  ahal_plugin_event_t* event = nullptr;
  REQUIRE(s.api.event_create(s.device, 0, &event) == AHAL_SUCCESS);
  std::vector<ahal_plugin_command_t> stream_only(4, command(AHAL_PLUGIN_COMMAND_COPY_H2D));
  stream_only[0].host_src = host.data();
  stream_only[0].dst = a;
  stream_only[0].size = kBytes;
  stream_only[1] = command(AHAL_PLUGIN_COMMAND_COPY_D2H);
  stream_only[1].src = a;
  stream_only[1].host_dst = host.data();
  stream_only[1].size = kBytes;
  stream_only[2] = command(AHAL_PLUGIN_COMMAND_RECORD_EVENT);
  stream_only[2].event = event;
  stream_only[3] = command(AHAL_PLUGIN_COMMAND_WAIT_EVENT);
  stream_only[3].event = event;
  const long captures = calls("hipStreamBeginCapture");
  for (const ahal_plugin_command_t& c : stream_only) {
    std::vector<ahal_plugin_command_t> commands = {fill(a, 0, kBytes, 1, 1),
                                                   command(AHAL_PLUGIN_COMMAND_BARRIER), c};
    ahal_plugin_command_buffer_t* cb = nullptr;
    CHECK(s.create(commands, &cb) == AHAL_ERROR_UNSUPPORTED);
    CHECK(cb == nullptr);
    INFO(last_plugin_message());
    CHECK(contains(last_plugin_message(), "command 2 ("));
  }
  CHECK(calls("hipStreamBeginCapture") == captures);  // refused before capturing
  s.api.event_destroy(event);
}

TEST_CASE("a runtime without the graph entries answers UNSUPPORTED") {
  Session s(AHAL_FAKE_HIP_RUNTIME_NO_GRAPHS);
  ahal_plugin_buffer_t* a = s.buffer();
  ahal_plugin_command_buffer_t* cb = nullptr;
  CHECK(s.create({fill(a, 0, kBytes, 1, 1)}, &cb) == AHAL_ERROR_UNSUPPORTED);
  INFO(last_plugin_message());
  CHECK(contains(last_plugin_message(), "lacks the graph entry points"));
  // The plugin loaded all the same, and its stream works (replay's path).
  REQUIRE(s.api.stream_fill(s.stream, a, 0, kBytes, 2, 1) == AHAL_SUCCESS);
  CHECK(s.contents()[0] == 0x02020202u);
}

TEST_CASE("a capture the runtime refuses answers UNSUPPORTED with its error") {
  Session s;
  ahal_plugin_kernel_t* write_index = s.kernel("write_index");
  ahal_plugin_buffer_t* a = s.buffer();
  const ahal_plugin_binding_t to_a{a, 0, kBytes};
  uint32_t base = 5;
  const std::vector<ahal_plugin_command_t> commands = {fill(a, 0, kBytes, 0, 1),
                                                       launch(write_index, &to_a, 1, &base)};
  ahal_plugin_command_buffer_t* cb = nullptr;
  {
    ahal_test::ScopedEnv refuse("FAKE_HIP_CAPTURE_NO_MODULE_LAUNCH", "1");
    CHECK(s.create(commands, &cb) == AHAL_ERROR_UNSUPPORTED);
    INFO(last_plugin_message());
    CHECK(contains(last_plugin_message(), "hipModuleLaunchKernel failed"));
    CHECK(contains(last_plugin_message(), "hipErrorStreamCaptureUnsupported"));
    CHECK(contains(last_plugin_message(), "command 1"));
  }
  // The capture ended: the same commands make a graph now.
  REQUIRE(s.create(commands, &cb) == AHAL_SUCCESS);
  REQUIRE(s.api.command_buffer_submit(s.stream, cb) == AHAL_SUCCESS);
  CHECK(s.contents()[9] == 14);
  s.api.command_buffer_destroy(cb);
}
