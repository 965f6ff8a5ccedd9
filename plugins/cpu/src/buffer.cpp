// Buffers: 64-byte aligned host memory, counted against the machine's
// memory so that an oversized one fails instead of over-committing.
#include "objects.hpp"

#include <cstdlib>

namespace ahal_cpu {

CpuBuffer::CpuBuffer(CpuDevice& device, uint64_t size) : device_(device), size_(size) {
  if (!device_.reserve_buffer_bytes(size)) {
    uint64_t used = 0, total = 0;
    device_.memory_usage(&used, &total);
    plugin::raise(AHAL_ERROR_OUT_OF_DEVICE_MEMORY,
                  "%llu bytes do not fit: buffers already hold %llu of the machine's %llu bytes",
                  static_cast<unsigned long long>(size), static_cast<unsigned long long>(used),
                  static_cast<unsigned long long>(total));
  }
  data_ = static_cast<unsigned char*>(aligned_allocation(size));
  if (!data_) {
    device_.release_buffer_bytes(size);
    plugin::raise(AHAL_ERROR_OUT_OF_DEVICE_MEMORY,
                  "could not allocate %llu bytes of host memory for the buffer",
                  static_cast<unsigned long long>(size));
  }
}

CpuBuffer::~CpuBuffer() {
  if (!owned_) return;
  device_.release_buffer_bytes(size_);
  std::free(data_);
}

void* CpuBuffer::map(uint64_t offset, uint64_t size) {
  if (offset > size_ || size > size_ - offset) {
    plugin::raise(AHAL_ERROR_OUT_OF_RANGE,
                  "map range [%llu, +%llu) exceeds the buffer's %llu bytes",
                  static_cast<unsigned long long>(offset), static_cast<unsigned long long>(size),
                  static_cast<unsigned long long>(size_));
  }
  if (mapped_.exchange(true))
    plugin::raise(AHAL_ERROR_INVALID_STATE, "the buffer is already mapped");
  return data_ + offset;
}

void CpuBuffer::unmap() {
  if (!mapped_.exchange(false)) plugin::raise(AHAL_ERROR_INVALID_STATE, "the buffer is not mapped");
}

}  // namespace ahal_cpu
