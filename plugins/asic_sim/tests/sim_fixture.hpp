// A runtime with the asic_sim device, and helpers to move float tensors.
#pragma once

#include <catch2/catch.hpp>

#include <ahal/ahal.h>

#include "device_test_support.hpp"

#include <cmath>
#include <cstdlib>
#include <string>
#include <vector>

// The asic_sim device with a stream; float tensors to and from it.
class Sim : public ahal_test::StreamFixture {
 public:
  // The loader turns the simulator on only when asked: naming it is asking.
  Sim() : StreamFixture(ASIC_SIM_PLUGIN_DIR, "asic_sim", "asic_sim:0") {}

  // Waits for the copy, so `values` may be a temporary.
  ahal_buffer_t upload(const std::vector<float>& values) {
    ahal_buffer_t b = StreamFixture::upload(values);
    AHAL_TEST_OK(ahal_stream_synchronize(stream));
    return b;
  }
  std::vector<float> download(ahal_buffer_t b, size_t count) {
    return StreamFixture::download<float>(b, count);
  }
  ahal_kernel_t builtin(const char* name) {
    ahal_kernel_t kernel = nullptr;
    AHAL_TEST_OK(ahal_kernel_get_builtin(device, name, &kernel));
    return kernel;
  }
  // Launches a built-in on the stream ({1,1,1} grid, as docs/builtins.md says).
  template <class Constants>
  ahal_status_t launch(const char* name, std::vector<ahal_binding_t> bindings,
                       const Constants& constants) {
    const ahal_launch_args_t args =
        ahal_test::launch_1d(1, 1, bindings, &constants, sizeof(constants));
    return ahal_stream_launch(stream, builtin(name), &args);
  }
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

// REQUIREs that `got` matches the double reference `want` within a relative
// `tolerance`.
inline void check_close(const std::vector<float>& got, const std::vector<double>& want,
                        double tolerance) {
  REQUIRE(got.size() == want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    INFO("element " << i);
    REQUIRE(std::abs(got[i] - want[i]) <= tolerance * (1.0 + std::abs(want[i])));
  }
}
