// A runtime with the asic_sim device, and helpers to move float tensors.
#pragma once

#include <catch2/catch.hpp>

#include <ahal/ahal.h>

#include <cstdlib>
#include <string>
#include <vector>

// REQUIREs that an ahal call succeeded, showing its message if not.
#define AHAL_REQUIRE(call)                                                                     \
  do {                                                                                         \
    ahal_status_t status_ = (call);                                                            \
    INFO(#call << " -> " << ahal_status_string(status_) << ": " << ahal_last_error_message()); \
    REQUIRE(status_ == AHAL_SUCCESS);                                                          \
  } while (0)

class Sim {
 public:
  // The loader turns the simulator on only when asked: AHAL_PLUGINS names it
  // (ctest sets it; set here too for runs by hand).
  Sim() {
    setenv("AHAL_PLUGINS", "asic_sim", 0);
    ahal_runtime_options_t options{};
    options.struct_size = sizeof(options);
    options.plugin_path = ASIC_SIM_PLUGIN_DIR;
    AHAL_REQUIRE(ahal_runtime_create(&options, &runtime));
    AHAL_REQUIRE(ahal_device_find(runtime, "asic_sim:0", &device));
    AHAL_REQUIRE(ahal_stream_create(device, nullptr, &stream));
  }
  ~Sim() { ahal_runtime_destroy(runtime); }
  Sim(const Sim&) = delete;
  Sim& operator=(const Sim&) = delete;

  ahal_buffer_t buffer(uint64_t bytes) {
    ahal_buffer_args_t args{};
    args.struct_size = sizeof(args);
    args.size = bytes;
    ahal_buffer_t buffer = nullptr;
    AHAL_REQUIRE(ahal_buffer_create(device, &args, &buffer));
    return buffer;
  }
  // Waits for the copy, so `values` may be a temporary.
  ahal_buffer_t upload(const std::vector<float>& values) {
    ahal_buffer_t b = buffer(values.size() * sizeof(float));
    AHAL_REQUIRE(ahal_stream_copy_h2d(stream, values.data(), b, 0, values.size() * sizeof(float)));
    AHAL_REQUIRE(ahal_stream_synchronize(stream));
    return b;
  }
  std::vector<float> download(ahal_buffer_t b, size_t count) {
    std::vector<float> values(count);
    AHAL_REQUIRE(ahal_stream_copy_d2h(stream, b, 0, values.data(), count * sizeof(float)));
    AHAL_REQUIRE(ahal_stream_synchronize(stream));
    return values;
  }
  ahal_kernel_t builtin(const char* name) {
    ahal_kernel_t kernel = nullptr;
    AHAL_REQUIRE(ahal_kernel_get_builtin(device, name, &kernel));
    return kernel;
  }
  // Launches a built-in on the stream ({1,1,1} grid, as docs/builtins.md says).
  template <class Constants>
  ahal_status_t launch(const char* name, std::vector<ahal_binding_t> bindings,
                       const Constants& constants) {
    ahal_launch_args_t args{};
    args.struct_size = sizeof(args);
    for (int d = 0; d < 3; ++d) args.grid[d] = args.workgroup_size[d] = 1;
    args.binding_count = static_cast<uint32_t>(bindings.size());
    args.bindings = bindings.data();
    args.constants = &constants;
    args.constants_size = sizeof(constants);
    return ahal_stream_launch(stream, builtin(name), &args);
  }

  ahal_runtime_t runtime = nullptr;
  ahal_device_t device = nullptr;
  ahal_stream_t stream = nullptr;
};

inline ahal_binding_t whole(ahal_buffer_t buffer) { return {buffer, 0, 0}; }

// Deterministic values in [-1, 1).
inline std::vector<float> pseudo_random(size_t count, uint32_t seed) {
  std::vector<float> values(count);
  uint32_t state = seed * 2654435761u + 1;
  for (float& v : values) {
    state = state * 1664525u + 1013904223u;
    v = static_cast<float>(state >> 8) / static_cast<float>(1u << 23) - 1.0f;
  }
  return values;
}
