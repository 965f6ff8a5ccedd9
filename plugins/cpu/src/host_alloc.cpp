// Pinned host memory: plain aligned host memory (all of it is "pinned" for
// a CPU device), and the allocation buffers share.
#include "objects.hpp"

#include <cstdlib>

namespace ahal_cpu {

void* aligned_allocation(uint64_t size) {
  const uint64_t rounded = (size + kBufferAlignment - 1) / kBufferAlignment * kBufferAlignment;
  if (rounded < size || rounded > SIZE_MAX) return nullptr;
  return std::aligned_alloc(kBufferAlignment, static_cast<size_t>(rounded));
}

CpuHostAlloc::CpuHostAlloc(uint64_t size) : data_(aligned_allocation(size)) {
  if (!data_) {
    plugin::raise(AHAL_ERROR_OUT_OF_HOST_MEMORY, "could not allocate %llu bytes of host memory",
                  static_cast<unsigned long long>(size));
  }
}

CpuHostAlloc::~CpuHostAlloc() { std::free(data_); }

}  // namespace ahal_cpu
