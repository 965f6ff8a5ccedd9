// The memory of a test-only fake vendor runtime (tests/support, not a
// result): host allocations standing in for device and pinned memory, a
// device-memory size the fake enforces, and the check that a pointer range
// lies in one allocation (what a real driver faults on). Shared by the HIP
// and Level Zero test doubles.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <mutex>
#include <utility>

namespace ahal_fake {

class FakeDeviceMemory {
 public:
  explicit FakeDeviceMemory(uint64_t device_capacity) : capacity_(device_capacity) {}

  // `size` bytes aligned to `alignment` (a power of two); nullptr where
  // device memory would go past the capacity.
  void* allocate(size_t size, size_t alignment, bool device) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (device && device_bytes_ + size > capacity_) return nullptr;
    void* p = std::aligned_alloc(alignment, (size + alignment - 1) / alignment * alignment);
    if (p) {
      allocations_[reinterpret_cast<uintptr_t>(p)] = {size, device};
      if (device) device_bytes_ += size;
    }
    return p;
  }

  // Frees an allocation of this kind (device, or else host); false where
  // `p` is none.
  bool release(void* p, bool device) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      auto it = allocations_.find(reinterpret_cast<uintptr_t>(p));
      if (it == allocations_.end() || it->second.second != device) return false;
      if (device) device_bytes_ -= it->second.first;
      allocations_.erase(it);
    }
    std::free(p);
    return true;
  }
  // The same for either kind.
  bool release_any(void* p) {
    bool device = false;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      auto it = allocations_.find(reinterpret_cast<uintptr_t>(p));
      if (it == allocations_.end()) return false;
      device = it->second.second;
    }
    return release(p, device);
  }

  // True if [p, p + size) lies in one allocation.
  bool contains(const void* p, size_t size) const {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = allocations_.upper_bound(reinterpret_cast<uintptr_t>(p));
    if (it == allocations_.begin()) return false;
    --it;
    return reinterpret_cast<uintptr_t>(p) + size <= it->first + it->second.first;
  }

  uint64_t capacity() const { return capacity_; }
  uint64_t device_bytes() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return device_bytes_;
  }

 private:
  const uint64_t capacity_;
  mutable std::mutex mutex_;
  std::map<uintptr_t, std::pair<size_t, bool>> allocations_;  // base -> (size, device)
  uint64_t device_bytes_ = 0;
};

}  // namespace ahal_fake
