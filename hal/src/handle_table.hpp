// Process-wide table that turns handles into objects without ever
// dereferencing the caller's value. A handle is
//   bits 63..59 type tag (never 0), 58..32 generation, 31..0 slot index.
// Slots live in chunks that never move or get freed, so lookups are a few
// lock-free loads and bounds checks; creation and destruction take a mutex.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>

#include "status.hpp"

namespace ahal {

enum class HandleType : uint32_t {
  kRuntime = 1,
  kDevice,
  kBuffer,
  kHostAlloc,
  kStream,
  kEvent,
  kModule,
  kKernel,
  kCommandBuffer,
  kCclComm,
};

const char* handle_type_name(HandleType type);

class HandleTable {
 public:
  static constexpr uint32_t kChunkBits = 10;
  static constexpr uint32_t kChunkSize = 1u << kChunkBits;
  static constexpr uint32_t kMaxChunks = 1u << 14;  // 16M live objects
  static constexpr uint32_t kGenerationBits = 27;

  // Registers `object`; returns 0 when the table is full.
  uint64_t add(HandleType type, void* object);
  // Invalidates the handle (a later lookup fails); the slot is reused later
  // with a new generation. False if it was not live (only one of two racing
  // destroys wins).
  bool remove(uint64_t handle);

  void* lookup(uint64_t handle, HandleType type) const noexcept {
    const uint32_t stamp = uint32_t(handle >> 32);
    if (AHAL_UNLIKELY((stamp >> kGenerationBits) != uint32_t(type))) return nullptr;
    const uint32_t index = uint32_t(handle);
    const uint32_t chunk = index >> kChunkBits;
    if (AHAL_UNLIKELY(chunk >= kMaxChunks)) return nullptr;
    const Slot* slots = chunks_[chunk].load(std::memory_order_acquire);
    if (AHAL_UNLIKELY(!slots)) return nullptr;
    const Slot& slot = slots[index & (kChunkSize - 1)];
    if (AHAL_UNLIKELY(slot.stamp.load(std::memory_order_acquire) != stamp)) return nullptr;
    return slot.object.load(std::memory_order_relaxed);
  }

  // Why `handle` is not a live handle of `type`, for error messages.
  std::string describe_invalid(uint64_t handle, HandleType type) const;

 private:
  struct Slot {
    std::atomic<uint32_t> stamp;  // type << 27 | generation; 0 = free
    std::atomic<void*> object;
    uint32_t next_generation;  // guarded by mutex_; not masked, so > 2^27 means it wrapped
    uint32_t next_free;        // index + 1 of the next free slot, 0 = none
  };
  const Slot* find_slot(uint32_t index) const;

  std::atomic<Slot*> chunks_[kMaxChunks] = {};
  mutable std::mutex mutex_;  // describe_invalid() reads next_generation
  uint32_t chunk_count_ = 0;
  uint32_t free_head_ = 0;  // index + 1
  uint32_t free_tail_ = 0;  // index + 1; reuse is FIFO so generations spread out
};

HandleTable& handles() noexcept;

template <class T>
T* lookup(const void* handle, HandleType type) noexcept {
  return static_cast<T*>(handles().lookup(reinterpret_cast<uintptr_t>(handle), type));
}

// "<function>: <what is wrong with the handle>" as AHAL_ERROR_INVALID_HANDLE.
ahal_status_t invalid_handle(const char* function, const void* handle,
                             HandleType type) noexcept AHAL_COLD;

}  // namespace ahal
