#include "device_memory.hpp"

#include "host.hpp"

#include <new>
#include <string>

namespace asic_sim {
namespace {

// Page-aligned like a real device's memory; pages are only touched (and
// made resident) when data is written, so a large arena costs little.
constexpr std::align_val_t kArenaAlignment{4096};

}  // namespace

void DeviceMemory::AlignedDelete::operator()(std::byte* p) const {
  ::operator delete(p, kArenaAlignment);
}

DeviceMemory::DeviceMemory(uint64_t size) : size_(size) {
  arena_.reset(static_cast<std::byte*>(::operator new(size, kArenaAlignment, std::nothrow)));
  if (!arena_) {
    throw Failure(AHAL_ERROR_OUT_OF_HOST_MEMORY,
                  "cannot reserve the " + std::to_string(size >> 20) +
                      " MiB device memory arena in host memory (lower AHAL_ASIC_SIM_MEMORY_MB)");
  }
  free_.emplace(0, size);
}

std::optional<uint64_t> DeviceMemory::allocate(uint64_t size) {
  if (size == 0 || size > size_) return std::nullopt;
  uint64_t rounded = (size + kAlignment - 1) / kAlignment * kAlignment;
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto it = free_.begin(); it != free_.end(); ++it) {
    if (it->second < rounded) continue;
    uint64_t offset = it->first;
    uint64_t left = it->second - rounded;
    free_.erase(it);
    if (left > 0) free_.emplace(offset + rounded, left);
    allocated_.emplace(offset, rounded);
    used_ += rounded;
    return offset;
  }
  return std::nullopt;
}

void DeviceMemory::release(uint64_t offset) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto found = allocated_.find(offset);
  if (found == allocated_.end()) return;  // the loader never frees twice
  uint64_t size = found->second;
  allocated_.erase(found);
  used_ -= size;

  // Merge with the free neighbours so that large ranges form again.
  auto next = free_.lower_bound(offset);
  if (next != free_.end() && offset + size == next->first) {
    size += next->second;
    next = free_.erase(next);
  }
  if (next != free_.begin()) {
    auto prev = std::prev(next);
    if (prev->first + prev->second == offset) {
      prev->second += size;
      return;
    }
  }
  free_.emplace_hint(next, offset, size);
}

uint64_t DeviceMemory::used() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return used_;
}

uint64_t DeviceMemory::largest_free_range() const {
  std::lock_guard<std::mutex> lock(mutex_);
  uint64_t largest = 0;
  for (const auto& range : free_) largest = range.second > largest ? range.second : largest;
  return largest;
}

}  // namespace asic_sim
