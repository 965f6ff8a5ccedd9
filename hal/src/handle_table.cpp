#include "handle_table.hpp"

#include "layers.hpp"

namespace ahal {

namespace {
// Constant-initialized: usable from any static constructor.
HandleTable g_table;
}  // namespace

HandleTable& handles() noexcept { return g_table; }

const char* handle_type_name(HandleType type) {
  switch (type) {
    case HandleType::kRuntime:
      return "runtime";
    case HandleType::kDevice:
      return "device";
    case HandleType::kBuffer:
      return "buffer";
    case HandleType::kHostAlloc:
      return "host allocation";
    case HandleType::kStream:
      return "stream";
    case HandleType::kEvent:
      return "event";
    case HandleType::kModule:
      return "module";
    case HandleType::kKernel:
      return "kernel";
    case HandleType::kCommandBuffer:
      return "command buffer";
    case HandleType::kCclComm:
      return "communicator";
  }
  return "unknown";
}

uint64_t HandleTable::add(HandleType type, void* object) {
  std::lock_guard<std::mutex> lock(mutex_);
  uint32_t index;
  if (free_head_ != 0) {
    index = free_head_ - 1;
  } else {
    if (chunk_count_ == kMaxChunks) return 0;
    Slot* chunk = new (std::nothrow) Slot[kChunkSize]();
    if (!chunk) return 0;
    const uint32_t base = chunk_count_ * kChunkSize;
    for (uint32_t i = 0; i < kChunkSize; ++i)
      chunk[i].next_free = i + 1 < kChunkSize ? base + i + 2 : 0;
    chunks_[chunk_count_].store(chunk, std::memory_order_release);
    ++chunk_count_;
    free_head_ = base + 1;
    free_tail_ = base + kChunkSize;
    index = base;
  }
  Slot& slot =
      chunks_[index >> kChunkBits].load(std::memory_order_relaxed)[index & (kChunkSize - 1)];
  free_head_ = slot.next_free;
  if (free_head_ == 0) free_tail_ = 0;
  slot.next_free = 0;
  const uint32_t generation = slot.next_generation & ((1u << kGenerationBits) - 1);
  ++slot.next_generation;  // wraps at 2^32, a multiple of the 2^27 generations
  const uint32_t stamp = uint32_t(type) << kGenerationBits | generation;
  slot.object.store(object, std::memory_order_relaxed);
  slot.stamp.store(stamp, std::memory_order_release);
  return uint64_t(stamp) << 32 | index;
}

bool HandleTable::remove(uint64_t handle) {
  std::lock_guard<std::mutex> lock(mutex_);
  const uint32_t index = uint32_t(handle);
  const uint32_t chunk = index >> kChunkBits;
  if (chunk >= chunk_count_) return false;
  Slot& slot = chunks_[chunk].load(std::memory_order_relaxed)[index & (kChunkSize - 1)];
  const uint32_t stamp = uint32_t(handle >> 32);
  if (stamp == 0 || slot.stamp.load(std::memory_order_relaxed) != stamp) return false;
  slot.stamp.store(0, std::memory_order_release);
  slot.object.store(nullptr, std::memory_order_relaxed);
  if (free_tail_ != 0) {
    chunks_[(free_tail_ - 1) >> kChunkBits]
        .load(std::memory_order_relaxed)[(free_tail_ - 1) & (kChunkSize - 1)]
        .next_free = index + 1;
  } else {
    free_head_ = index + 1;
  }
  free_tail_ = index + 1;
  return true;
}

const HandleTable::Slot* HandleTable::find_slot(uint32_t index) const {
  const uint32_t chunk = index >> kChunkBits;
  if (chunk >= kMaxChunks) return nullptr;
  const Slot* slots = chunks_[chunk].load(std::memory_order_acquire);
  return slots ? &slots[index & (kChunkSize - 1)] : nullptr;
}

std::string HandleTable::describe_invalid(uint64_t handle, HandleType type) const {
  const char* want = handle_type_name(type);
  if (handle == 0) return format("%s is NULL", want);
  const uint32_t stamp = uint32_t(handle >> 32);
  const uint32_t tag = stamp >> kGenerationBits;
  const Slot* slot = find_slot(uint32_t(handle));
  const bool known_tag =
      tag >= uint32_t(HandleType::kRuntime) && tag <= uint32_t(HandleType::kCclComm);
  if (!known_tag || !slot)
    return format("%s handle 0x%llx is not an ahal handle", want, (unsigned long long)handle);
  const char* got = handle_type_name(HandleType(tag));
  if (slot->stamp.load(std::memory_order_acquire) == stamp)
    return format("handle 0x%llx is of type %s, not %s", (unsigned long long)handle, got, want);
  // A generation the slot never reached was never handed out.
  bool existed;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    const uint32_t next = slot->next_generation;
    existed = next > (1u << kGenerationBits) || (stamp & ((1u << kGenerationBits) - 1)) < next;
  }
  if (!existed)
    return format("%s handle 0x%llx is not an ahal handle (no object ever had it)", want,
                  (unsigned long long)handle);
  if (tag != uint32_t(type))
    return format("%s handle 0x%llx is not valid (it looks like a destroyed %s)", want,
                  (unsigned long long)handle, got);
  return format("%s handle 0x%llx was destroyed", want, (unsigned long long)handle);
}

ahal_status_t invalid_handle(const char* function, const void* handle, HandleType type) noexcept {
  try {
    std::string why = handles().describe_invalid(reinterpret_cast<uintptr_t>(handle), type);
#if AHAL_WITH_LAYERS
    why += layers::on_invalid_handle(function, reinterpret_cast<uintptr_t>(handle));
#endif
    return fail_message(AHAL_ERROR_INVALID_HANDLE, function, why);
  } catch (...) {
    return fail_message(AHAL_ERROR_INVALID_HANDLE, function, "invalid handle");
  }
}

}  // namespace ahal
