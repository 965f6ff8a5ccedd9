// Device memory: one arena the host cannot address through ahal. Buffers
// are ranges of it, handed out first-fit from a free list whose neighbours
// merge again when freed. Only the DMA engine and the compute engines touch
// the bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>

namespace asic_sim {

class DeviceMemory {
 public:
  // Every allocation starts on this boundary (and is rounded up to it).
  static constexpr uint64_t kAlignment = 256;

  // Reserves the arena; throws Failure (AHAL_ERROR_OUT_OF_HOST_MEMORY) when
  // the host cannot provide it.
  explicit DeviceMemory(uint64_t size);

  // First fit: the lowest free range that holds `size` bytes. Returns its
  // offset, or nothing when no free range is big enough.
  std::optional<uint64_t> allocate(uint64_t size);
  // Returns the range that allocate() gave at `offset` to the free list.
  void release(uint64_t offset);

  std::byte* at(uint64_t offset) { return arena_.get() + offset; }
  uint64_t size() const { return size_; }
  uint64_t used() const;
  uint64_t largest_free_range() const;

 private:
  struct AlignedDelete {
    void operator()(std::byte* p) const;
  };

  const uint64_t size_;
  std::unique_ptr<std::byte[], AlignedDelete> arena_;
  mutable std::mutex mutex_;
  std::map<uint64_t, uint64_t> free_;       // offset -> size, sorted by offset
  std::map<uint64_t, uint64_t> allocated_;  // offset -> size
  uint64_t used_ = 0;
};

}  // namespace asic_sim
