// The C++ plugin helpers (ahal/plugin.hpp) on their own, with a fake host.
#include "fake_host.hpp"

#include <ahal/plugin.hpp>

#include <catch2/catch.hpp>

#include <stdexcept>
#include <vector>

namespace {

std::string& g_message = sdk_test::last_message();
std::vector<std::string>& g_logs = sdk_test::log_lines();

}  // namespace

TEST_CASE("guard turns exceptions into statuses with messages", "[plugin.hpp]") {
  sdk_test::use_fake_host();
  namespace p = ahal::plugin;

  CHECK(p::guard([] {}) == AHAL_SUCCESS);
  CHECK(p::guard([] { return AHAL_NOT_READY; }) == AHAL_NOT_READY);

  g_message.clear();
  CHECK(p::guard([] { p::raise(AHAL_ERROR_OUT_OF_RANGE, "index %d of %d", 5, 3); }) ==
        AHAL_ERROR_OUT_OF_RANGE);
  CHECK(g_message == "index 5 of 3");

  CHECK(p::guard([] { throw std::bad_alloc(); }) == AHAL_ERROR_OUT_OF_HOST_MEMORY);
  CHECK(g_message == "out of host memory");

  CHECK(p::guard([] { throw std::runtime_error("boom"); }) == AHAL_ERROR_PLUGIN);
  CHECK(g_message.find("boom") != std::string::npos);

  CHECK(p::guard([] { throw 42; }) == AHAL_ERROR_PLUGIN);
  CHECK(g_message.find("unknown") != std::string::npos);

  CHECK(p::fail(AHAL_ERROR_NOT_FOUND, "no kernel '%s'", "k") == AHAL_ERROR_NOT_FOUND);
  CHECK(g_message == "no kernel 'k'");

  g_logs.clear();
  p::guard_void("destroy", [] { throw std::runtime_error("late"); });
  REQUIRE(g_logs.size() == 1);
  CHECK(g_logs[0] == "test: destroy: late");
}

TEST_CASE("struct helpers respect struct_size", "[plugin.hpp]") {
  namespace p = ahal::plugin;
  // An older, shorter args struct reads as zeros past its end.
  ahal_buffer_args_t args{};
  args.struct_size = offsetof(ahal_buffer_args_t, flags);
  args.size = 77;
  args.flags = 0xffff;  // beyond struct_size: must be ignored
  const ahal_buffer_args_t read = p::read_struct(&args);
  CHECK(read.size == 77);
  CHECK(read.flags == 0);
  CHECK(read.struct_size == sizeof(ahal_buffer_args_t));
  CHECK(p::read_struct<ahal_stream_args_t>(nullptr).priority == 0);

  ahal_kernel_attributes_t full{};
  full.struct_size = sizeof(full);
  full.max_workgroup_size = 1;
  full.flags = 9;
  ahal_kernel_attributes_t out{};
  out.struct_size = offsetof(ahal_kernel_attributes_t, flags);
  out.flags = 1234;
  p::write_struct(&out, full);
  CHECK(out.struct_size == offsetof(ahal_kernel_attributes_t, flags));
  CHECK(out.max_workgroup_size == 1);
  CHECK(out.flags == 1234);

  char small[4];
  p::copy_string(small, "abcdef");
  CHECK(std::string(small) == "abc");
}

TEST_CASE("make_api fills every entry and query honours the loader's size", "[plugin.hpp]") {
  namespace p = ahal::plugin;
  struct NoDevices : p::Instance {
    explicit NoDevices(const ahal_plugin_init_args_t&) {
      p::raise(AHAL_ERROR_NOT_FOUND, "backend not installed");
    }
    uint32_t device_count() override { return 0; }
    std::unique_ptr<p::Device> open_device(uint32_t) override { return nullptr; }
  };
  const ahal_plugin_api_t api = p::make_api<NoDevices>("none", "test plugin");
  // Every required entry and the optional ones make_api provides are set.
  const auto* entries = reinterpret_cast<void* const*>(&api.plugin_init);
  const size_t count = (sizeof(api) - offsetof(ahal_plugin_api_t, plugin_init)) / sizeof(void*);
  for (size_t i = 0; i < count; ++i) {
    if (&entries[i] == reinterpret_cast<void* const*>(&api.image_score)) continue;
    INFO("entry " << i);
    CHECK(entries[i] != nullptr);
  }
  CHECK(api.image_score == nullptr);

  sdk_test::use_fake_host();
  ahal_plugin_host_t host{};
  host.struct_size = sizeof(host);
  host.set_error_message = [](const char* m) { sdk_test::last_message() = m; };
  const ahal_plugin_init_args_t init{sizeof(ahal_plugin_init_args_t), "", "", 0};
  ahal_plugin_instance_t* instance = nullptr;
  CHECK(api.plugin_init(&host, &init, &instance) == AHAL_ERROR_NOT_FOUND);
  CHECK(g_message == "backend not installed");

  ahal_plugin_api_t small{};
  small.struct_size = offsetof(ahal_plugin_api_t, plugin_init);
  REQUIRE(p::query(AHAL_PLUGIN_ABI_VERSION, api, &small) == AHAL_SUCCESS);
  CHECK(small.struct_size == offsetof(ahal_plugin_api_t, plugin_init));
  CHECK(std::string(small.name) == "none");
  CHECK(small.plugin_init == nullptr);
  CHECK(p::query(AHAL_PLUGIN_ABI_VERSION + (1u << 16), api, &small) == AHAL_ERROR_INCOMPATIBLE);
}

TEST_CASE("workgroup_count multiplies the grid and saturates", "[plugin.hpp]") {
  ahal_plugin_launch_t launch{};
  launch.grid[0] = 4;
  launch.grid[1] = 5;
  launch.grid[2] = 6;
  CHECK(ahal::plugin::workgroup_count(launch) == 120);
  launch.grid[0] = launch.grid[1] = launch.grid[2] = UINT32_MAX;
  CHECK(ahal::plugin::workgroup_count(launch) == UINT64_MAX);
  launch.grid[2] = 1;
  CHECK(ahal::plugin::workgroup_count(launch) == uint64_t{UINT32_MAX} * UINT32_MAX);
}

TEST_CASE("refuse_commands_outside names the first command of another type", "[plugin.hpp]") {
  sdk_test::use_fake_host();
  std::vector<ahal_plugin_command_t> c(3);
  c[0].type = AHAL_PLUGIN_COMMAND_LAUNCH;
  c[1].type = AHAL_PLUGIN_COMMAND_BARRIER;
  c[2].type = AHAL_PLUGIN_COMMAND_RECORD_EVENT;
  using ahal::plugin::kDeviceCommands;
  CHECK(ahal::plugin::refuse_commands_outside(c.data(), 2, kDeviceCommands, "X", "y") ==
        AHAL_SUCCESS);
  CHECK(ahal::plugin::refuse_commands_outside(c.data(), 3, kDeviceCommands, "the X form",
                                              "device work") == AHAL_ERROR_UNSUPPORTED);
  CHECK(g_message == "command 2 (event record): the X form takes device work only");
  c[2].type = AHAL_PLUGIN_COMMAND_MAX_ENUM;  // no bit: refused, not shifted out of range
  CHECK(ahal::plugin::refuse_commands_outside(c.data(), 3, ~0u, "X", "y") ==
        AHAL_ERROR_UNSUPPORTED);
  CHECK(g_message == "command 2 (command of unknown type): X takes y only");
}
