// What the native command-buffer tests of the GPU plugins share (their
// test-only fakes run the recorded form on the host): a device of a plugin
// opened directly, as the loader does, with a stream, buffers and the
// standard kernels; the same commands through the stream entries, as the
// loader replays them; and builders of recorded commands.
#pragma once

#include <catch2/catch.hpp>

#include "plugin_test_support.hpp"

#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace ahal_test {
namespace command_buffers {

constexpr uint32_t kN = 256;  // 32-bit words per buffer
constexpr uint64_t kBytes = kN * 4;

inline ahal_plugin_command_t command(ahal_plugin_command_type_t type) {
  ahal_plugin_command_t c{};
  c.struct_size = sizeof(c);
  c.type = type;
  return c;
}

// A launch over kN work-items (groups of 64) with 4 bytes of constants.
inline ahal_plugin_command_t launch(ahal_plugin_kernel_t* k, const ahal_plugin_binding_t* bindings,
                                    uint32_t binding_count, const void* constants) {
  ahal_plugin_command_t c = command(AHAL_PLUGIN_COMMAND_LAUNCH);
  c.kernel = k;
  c.launch.struct_size = sizeof(c.launch);
  c.launch.grid[0] = kN / 64;
  c.launch.grid[1] = c.launch.grid[2] = 1;
  c.launch.workgroup_size[0] = 64;
  c.launch.workgroup_size[1] = c.launch.workgroup_size[2] = 1;
  c.launch.binding_count = binding_count;
  c.launch.bindings = bindings;
  c.launch.constants = constants;
  c.launch.constants_size = 4;
  return c;
}

inline ahal_plugin_command_t fill(ahal_plugin_buffer_t* b, uint64_t offset, uint64_t size,
                                  uint32_t pattern, uint32_t pattern_size) {
  ahal_plugin_command_t c = command(AHAL_PLUGIN_COMMAND_FILL);
  c.dst = b;
  c.dst_offset = offset;
  c.size = size;
  c.pattern = pattern;
  c.pattern_size = pattern_size;
  return c;
}

inline ahal_plugin_command_t copy(ahal_plugin_buffer_t* src, uint64_t src_offset,
                                  ahal_plugin_buffer_t* dst, uint64_t dst_offset, uint64_t size) {
  ahal_plugin_command_t c = command(AHAL_PLUGIN_COMMAND_COPY_D2D);
  c.src = src;
  c.src_offset = src_offset;
  c.dst = dst;
  c.dst_offset = dst_offset;
  c.size = size;
  return c;
}

inline float as_float(uint32_t bits) {
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

// Device 0 of `plugin_file`, with `env_name`=`env_value` (the fake vendor
// library) while it is open, a stream and the module in `module_file`.
struct Session {
  ScopedEnv env;
  DirectPlugin plugin;
  const ahal_plugin_api_t& api = plugin.api;
  ahal_plugin_instance_t* instance = nullptr;
  ahal_plugin_device_t* device = nullptr;
  ahal_plugin_stream_t* stream = nullptr;
  ahal_plugin_module_t* module = nullptr;
  std::vector<ahal_plugin_buffer_t*> buffers;

  Session(const char* plugin_file, const char* env_name, const char* env_value,
          ahal_module_format_t format, const char* module_file)
      : env(env_name, env_value), plugin(plugin_file) {
    std::string message;
    INFO(message);
    REQUIRE(plugin.init(&instance, &message) == AHAL_SUCCESS);
    REQUIRE(api.device_open(instance, 0, &device) == AHAL_SUCCESS);
    REQUIRE(api.stream_create(device, nullptr, &stream) == AHAL_SUCCESS);
    std::ifstream in(module_file, std::ios::binary);
    std::vector<char> image((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    REQUIRE(!image.empty());
    auto args = plugin_module_args(format, image.data(), image.size());
    REQUIRE(api.module_create(device, &args, &module) == AHAL_SUCCESS);
  }
  ~Session() {
    api.stream_synchronize(stream);
    for (auto* b : buffers) api.buffer_destroy(device, b);
    api.module_destroy(module);
    api.stream_destroy(stream);
    api.device_close(device);
    api.plugin_shutdown(instance);
  }
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  ahal_plugin_kernel_t* kernel(const char* name) {
    ahal_plugin_kernel_t* k = nullptr;
    REQUIRE(api.kernel_get(module, name, &k) == AHAL_SUCCESS);
    return k;
  }
  ahal_plugin_buffer_t* buffer() {
    ahal_buffer_args_t args{sizeof(args), kBytes, 0};
    ahal_plugin_buffer_t* b = nullptr;
    REQUIRE(api.buffer_create(device, &args, &b) == AHAL_SUCCESS);
    buffers.push_back(b);
    return b;
  }
  void sync() { REQUIRE(api.stream_synchronize(stream) == AHAL_SUCCESS); }
  // Every buffer's words, after the stream's work.
  std::vector<uint32_t> contents() {
    std::vector<uint32_t> all(buffers.size() * kN);
    for (size_t i = 0; i < buffers.size(); ++i)
      REQUIRE(api.stream_copy_d2h(stream, buffers[i], 0, &all[i * kN], kBytes) == AHAL_SUCCESS);
    sync();
    return all;
  }
  void clear() {
    for (auto* b : buffers) REQUIRE(api.stream_fill(stream, b, 0, kBytes, 0, 1) == AHAL_SUCCESS);
  }
  // The commands through the stream entries, as the loader replays them.
  void stream_commands(const std::vector<ahal_plugin_command_t>& commands) {
    for (const ahal_plugin_command_t& c : commands) {
      if (c.type == AHAL_PLUGIN_COMMAND_LAUNCH) {
        REQUIRE(api.stream_launch(stream, c.kernel, &c.launch) == AHAL_SUCCESS);
      } else if (c.type == AHAL_PLUGIN_COMMAND_FILL) {
        REQUIRE(api.stream_fill(stream, c.dst, c.dst_offset, c.size, c.pattern, c.pattern_size) ==
                AHAL_SUCCESS);
      } else if (c.type == AHAL_PLUGIN_COMMAND_COPY_D2D) {
        REQUIRE(api.stream_copy_d2d(stream, c.src, c.src_offset, c.dst, c.dst_offset, c.size) ==
                AHAL_SUCCESS);
      }
    }
  }
  ahal_status_t create(const std::vector<ahal_plugin_command_t>& commands,
                       ahal_plugin_command_buffer_t** cb) {
    last_plugin_message().clear();
    return api.command_buffer_create(device, commands.data(),
                                     static_cast<uint32_t>(commands.size()), 0, cb);
  }
};

// Fills, one kernel launched twice with other arguments, a launch reading
// what fills wrote, device copies and a barrier, each reading what the one
// before wrote, on six buffers of `s`; `streamed` is what they give through
// the stream entries (checked here), for a recorded form to equal.
struct MixedCommands {
  ahal_plugin_buffer_t *a, *b, *x, *y, *z, *c;
  ahal_plugin_binding_t to_a, to_b, xyz[3];
  uint32_t base_a = 7, base_b = 100, n = kN;  // the launches' constants
  std::vector<ahal_plugin_command_t> commands;
  std::vector<uint32_t> streamed;

  explicit MixedCommands(Session& s)
      : a(s.buffer()),
        b(s.buffer()),
        x(s.buffer()),
        y(s.buffer()),
        z(s.buffer()),
        c(s.buffer()),
        to_a{a, 0, kBytes},
        to_b{b, 0, kBytes},
        xyz{{x, 0, kBytes}, {y, 0, kBytes}, {z, 0, kBytes}} {
    ahal_plugin_kernel_t* write_index = s.kernel("write_index");
    commands = {
        fill(x, 0, kBytes, 0x3f800000u, 4),  // 1.0f
        launch(write_index, &to_a, 1, &base_a),
        command(AHAL_PLUGIN_COMMAND_BARRIER),
        launch(write_index, &to_b, 1, &base_b),
        fill(y, 8, kBytes - 8, 0x40, 1),             // 0x40404040 from byte 8 on
        fill(y, 0, 8, 0x4000, 2),                    // 0x40004000 at 0 and 1
        launch(s.kernel("vector_add"), xyz, 3, &n),  // z = x + y
        copy(a, 0, c, 0, kBytes / 2),                // c = a[0, n/2) ++ z[0, n/2)
        copy(z, 0, c, kBytes / 2, kBytes / 2),
        copy(c, 4, c, kBytes - 64, 16),  // overwrites part of c's second half
    };
    s.clear();
    s.stream_commands(commands);
    streamed = s.contents();
    CHECK(streamed[5] == 12);                                           // a
    CHECK(streamed[kN + 5] == 105);                                     // b
    CHECK(as_float(streamed[4 * kN]) == 1.0f + as_float(0x40004000u));  // z
    CHECK(as_float(streamed[4 * kN + 5]) == 1.0f + as_float(0x40404040u));
    CHECK(streamed[5 * kN + 5] == 12);  // c from a
    CHECK(streamed[6 * kN - 16] == 8);  // c from c
  }
  MixedCommands(const MixedCommands&) = delete;
  MixedCommands& operator=(const MixedCommands&) = delete;
};

}  // namespace command_buffers
}  // namespace ahal_test
