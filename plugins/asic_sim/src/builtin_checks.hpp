// What every built-in operator's check() uses: reading its constants and
// refusing a binding too small for the shapes they give.
#pragma once

#include "host.hpp"

#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <string>

namespace asic_sim {

template <class T>
T read_constants(const void* constants) {
  T value;
  std::memcpy(&value, constants, sizeof(T));
  return value;
}

// Bytes of a float tensor with these dimensions; throws if that overflows.
inline uint64_t tensor_bytes(std::initializer_list<uint64_t> dims) {
  uint64_t bytes = sizeof(float);
  for (uint64_t d : dims) {
    if (__builtin_mul_overflow(bytes, d, &bytes)) {
      throw Failure(AHAL_ERROR_OUT_OF_RANGE, "tensor size overflows 64 bits");
    }
  }
  return bytes;
}

inline void require_binding(const uint64_t* binding_bytes, uint32_t index, const char* what,
                            uint64_t needed, const std::string& shape) {
  if (binding_bytes[index] >= needed) return;
  throw Failure(AHAL_ERROR_OUT_OF_RANGE, "binding " + std::to_string(index) + " (" + what +
                                             ") holds " + std::to_string(binding_bytes[index]) +
                                             " bytes but " + shape + " needs " +
                                             std::to_string(needed));
}

}  // namespace asic_sim
