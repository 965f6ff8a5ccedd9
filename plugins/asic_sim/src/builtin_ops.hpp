// The fixed-function operators of the device (docs/builtins.md). Each one
// checks its shapes against the bindings before anything is queued, then
// runs on the compute engines.
#pragma once

#include "worker_pool.hpp"

#include <cstdint>

namespace asic_sim {

struct BuiltinOperator {
  const char* name;  // "ahal.builtin.gemm_f32"
  uint32_t binding_count;
  uint32_t constants_size;
  // Throws Failure: AHAL_ERROR_OUT_OF_RANGE when a binding is smaller than
  // the shapes in `constants` need, AHAL_ERROR_INVALID_ARGUMENT when the
  // shapes make no sense. `binding_bytes` has binding_count sizes.
  void (*check)(const void* constants, const uint64_t* binding_bytes);
  // Computes; `bindings` point into device memory, already checked.
  void (*run)(const void* constants, float* const* bindings, WorkerPool& compute);
};

constexpr uint32_t kBuiltinOperatorCount = 8;
// The device's operators; names are unique.
const BuiltinOperator* builtin_operators();

}  // namespace asic_sim
