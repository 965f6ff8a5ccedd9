// Device memory: a sub-allocator over large VkDeviceMemory blocks, and the
// buffers built on it.
#include "objects.hpp"

#include <algorithm>
#include <bitset>

namespace ahal_vulkan {

namespace {

constexpr uint64_t kBlockSize = 64ull << 20;
constexpr uint64_t kMinBlockSize = 1ull << 20;
// Memory types ahal never picks for plain buffers.
constexpr VkMemoryPropertyFlags kExoticTypes =
    VK_MEMORY_PROPERTY_PROTECTED_BIT | VK_MEMORY_PROPERTY_LAZILY_ALLOCATED_BIT |
    VK_MEMORY_PROPERTY_DEVICE_COHERENT_BIT_AMD | VK_MEMORY_PROPERTY_DEVICE_UNCACHED_BIT_AMD;

int popcount(uint32_t v) { return static_cast<int>(std::bitset<32>(v).count()); }

}  // namespace

void MemoryAllocator::init(Device* device) {
  device_ = device;
  // Small heaps (e.g. a 256 MiB BAR window) get smaller blocks.
  const auto& mp = device->memory_props;
  for (uint32_t t = 0; t < mp.memoryTypeCount; ++t) {
    const uint64_t heap = mp.memoryHeaps[mp.memoryTypes[t].heapIndex].size;
    block_size_[t] = std::max(kMinBlockSize, std::min(kBlockSize, heap / 8));
  }
}

void MemoryAllocator::shutdown() {
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto& list : blocks_) {
    for (auto& b : list) {
      if (b->mapped) device_->fn.vkUnmapMemory(device_->device, b->memory);
      device_->fn.vkFreeMemory(device_->device, b->memory, nullptr);
    }
    list.clear();
  }
}

ahal_status_t MemoryAllocator::new_block(uint32_t type, uint64_t size, VkBuffer dedicated_buffer,
                                         MemoryBlock** out) {
  const auto& fn = device_->fn;
  auto ai = vk_struct<VkMemoryAllocateInfo>();
  ai.allocationSize = size;
  ai.memoryTypeIndex = type;
  auto dedicated = vk_struct<VkMemoryDedicatedAllocateInfo>();
  if (dedicated_buffer) {
    dedicated.buffer = dedicated_buffer;
    ai.pNext = &dedicated;
  }
  auto block = std::make_unique<MemoryBlock>();
  VkResult r = fn.vkAllocateMemory(device_->device, &ai, nullptr, &block->memory);
  if (r != VK_SUCCESS) return device_->check(r, "vkAllocateMemory");
  block->size = size;
  block->type = type;
  const VkMemoryType& mt = device_->memory_props.memoryTypes[type];
  if (mt.propertyFlags & VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT) {
    void* p = nullptr;
    r = fn.vkMapMemory(device_->device, block->memory, 0, VK_WHOLE_SIZE, 0, &p);
    if (r != VK_SUCCESS) {
      fn.vkFreeMemory(device_->device, block->memory, nullptr);
      return device_->check(r, "vkMapMemory");
    }
    block->mapped = static_cast<uint8_t*>(p);
  }
  if (device_->memory_props.memoryHeaps[mt.heapIndex].flags & VK_MEMORY_HEAP_DEVICE_LOCAL_BIT)
    device_local_bytes_ += size;
  block->free_ranges[0] = size;
  *out = block.get();
  blocks_[type].push_back(std::move(block));
  return AHAL_SUCCESS;
}

void MemoryAllocator::release_block(MemoryBlock* block) {
  const VkMemoryType& mt = device_->memory_props.memoryTypes[block->type];
  if (device_->memory_props.memoryHeaps[mt.heapIndex].flags & VK_MEMORY_HEAP_DEVICE_LOCAL_BIT)
    device_local_bytes_ -= block->size;
  if (block->mapped) device_->fn.vkUnmapMemory(device_->device, block->memory);
  device_->fn.vkFreeMemory(device_->device, block->memory, nullptr);
  auto& list = blocks_[block->type];
  list.erase(
      std::find_if(list.begin(), list.end(), [block](const auto& b) { return b.get() == block; }));
}

ahal_status_t MemoryAllocator::allocate_in(uint32_t type, const VkMemoryRequirements& req,
                                           VkBuffer dedicated_buffer, Allocation* out) {
  if (req.size > block_size_[type] / 2) {
    MemoryBlock* block = nullptr;
    ahal_status_t s = new_block(type, req.size, dedicated_buffer, &block);
    if (s != AHAL_SUCCESS) return s;
    block->dedicated = true;
    block->free_ranges.clear();
    *out = Allocation{block, 0, req.size};
    return AHAL_SUCCESS;
  }
  // First fit over the blocks' free ranges, honoring the alignment.
  auto try_block = [&](MemoryBlock* b) {
    for (auto it = b->free_ranges.begin(); it != b->free_ranges.end(); ++it) {
      uint64_t start = align_up(it->first, req.alignment);
      uint64_t end = it->first + it->second;
      if (start + req.size > end) continue;
      uint64_t range_start = it->first;
      b->free_ranges.erase(it);
      if (start > range_start) b->free_ranges[range_start] = start - range_start;
      if (start + req.size < end) b->free_ranges[start + req.size] = end - start - req.size;
      *out = Allocation{b, start, req.size};
      return true;
    }
    return false;
  };
  for (auto& b : blocks_[type])
    if (!b->dedicated && try_block(b.get())) return AHAL_SUCCESS;
  MemoryBlock* block = nullptr;
  ahal_status_t s = new_block(type, block_size_[type], VK_NULL_HANDLE, &block);
  if (s != AHAL_SUCCESS) return s;
  try_block(block);
  return AHAL_SUCCESS;
}

ahal_status_t MemoryAllocator::allocate(const VkMemoryRequirements& req, VkMemoryPropertyFlags want,
                                        VkMemoryPropertyFlags prefer, VkMemoryPropertyFlags avoid,
                                        VkBuffer dedicated_buffer, Allocation* out) {
  // Candidate types, best first: each preferred property counts more than
  // each avoided one.
  std::vector<std::pair<int, uint32_t>> candidates;
  const auto& mp = device_->memory_props;
  for (uint32_t i = 0; i < mp.memoryTypeCount; ++i) {
    VkMemoryPropertyFlags f = mp.memoryTypes[i].propertyFlags;
    if (!(req.memoryTypeBits & (1u << i)) || (f & want) != want || (f & kExoticTypes)) continue;
    candidates.emplace_back(-(4 * popcount(f & prefer) - popcount(f & avoid)), i);
  }
  std::sort(candidates.begin(), candidates.end());
  if (candidates.empty())
    return fail(AHAL_ERROR_UNSUPPORTED, "no Vulkan memory type has the properties 0x%x", want);
  std::lock_guard<std::mutex> lock(mutex_);
  ahal_status_t s = AHAL_ERROR_OUT_OF_DEVICE_MEMORY;
  for (const auto& c : candidates) {
    s = allocate_in(c.second, req, dedicated_buffer, out);
    if (s == AHAL_SUCCESS || s == AHAL_ERROR_DEVICE_LOST) return s;
  }
  return s;  // the last type's error and message
}

void MemoryAllocator::free(const Allocation& a) {
  if (!a.block) return;
  std::lock_guard<std::mutex> lock(mutex_);
  MemoryBlock* b = a.block;
  if (b->dedicated) {
    release_block(b);
    return;
  }
  // Insert the range and merge it with its neighbors.
  uint64_t start = a.offset, size = a.size;
  auto next = b->free_ranges.lower_bound(start);
  if (next != b->free_ranges.begin()) {
    auto prev = std::prev(next);
    if (prev->first + prev->second == start) {
      start = prev->first;
      size += prev->second;
      b->free_ranges.erase(prev);
    }
  }
  if (next != b->free_ranges.end() && start + size == next->first) {
    size += next->second;
    b->free_ranges.erase(next);
  }
  b->free_ranges[start] = size;
  // Keep one empty block per type for reuse; give further ones back.
  if (size == b->size) {
    for (auto& other : blocks_[b->type]) {
      if (other.get() != b && !other->dedicated && other->free_ranges.size() == 1 &&
          other->free_ranges.begin()->second == other->size) {
        release_block(b);
        return;
      }
    }
  }
}

// ----------------------------------------------------------------- buffers

ahal_status_t Device::buffer_create(uint64_t size, VkBufferUsageFlags usage,
                                    VkMemoryPropertyFlags want, VkMemoryPropertyFlags prefer,
                                    VkMemoryPropertyFlags avoid, DeviceBuffer* out) {
  auto ci = vk_struct<VkBufferCreateInfo>();
  ci.size = size;
  ci.usage = usage;
  ci.sharingMode = VK_SHARING_MODE_EXCLUSIVE;
  VkBuffer buffer = VK_NULL_HANDLE;
  ahal_status_t s = check(fn.vkCreateBuffer(device, &ci, nullptr, &buffer), "vkCreateBuffer");
  if (s != AHAL_SUCCESS) return s;
  VkMemoryRequirements req;
  fn.vkGetBufferMemoryRequirements(device, buffer, &req);
  Allocation alloc;
  s = allocator.allocate(req, want, prefer, avoid, buffer, &alloc);
  if (s != AHAL_SUCCESS) {
    fn.vkDestroyBuffer(device, buffer, nullptr);
    return s;
  }
  s = check(fn.vkBindBufferMemory(device, buffer, alloc.block->memory, alloc.offset),
            "vkBindBufferMemory");
  if (s != AHAL_SUCCESS) {
    fn.vkDestroyBuffer(device, buffer, nullptr);
    allocator.free(alloc);
    return s;
  }
  VkMemoryPropertyFlags f = memory_props.memoryTypes[alloc.block->type].propertyFlags;
  out->buffer = buffer;
  out->alloc = alloc;
  out->size = size;
  out->host_visible = (f & VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT) != 0;
  out->coherent = (f & VK_MEMORY_PROPERTY_HOST_COHERENT_BIT) != 0;
  out->cached = (f & VK_MEMORY_PROPERTY_HOST_CACHED_BIT) != 0;
  return AHAL_SUCCESS;
}

void Device::buffer_release(DeviceBuffer* b) {
  if (b->buffer) fn.vkDestroyBuffer(device, b->buffer, nullptr);
  allocator.free(b->alloc);
  *b = DeviceBuffer{};
}

namespace {

// The range [offset, offset + size) of a buffer, widened to whole
// nonCoherentAtomSize units of its memory block, as flushes require.
VkMappedMemoryRange atom_range(const Device& d, const DeviceBuffer& b, uint64_t offset,
                               uint64_t size) {
  uint64_t atom = std::max<uint64_t>(1, d.props.limits.nonCoherentAtomSize);
  uint64_t start = (b.alloc.offset + offset) / atom * atom;
  uint64_t end = align_up(b.alloc.offset + offset + size, atom);
  auto r = vk_struct<VkMappedMemoryRange>();
  r.memory = b.alloc.block->memory;
  r.offset = start;
  r.size = end >= b.alloc.block->size ? VK_WHOLE_SIZE : end - start;
  return r;
}

}  // namespace

void Device::flush(const DeviceBuffer& b, uint64_t offset, uint64_t size) {
  if (b.coherent || !b.host_visible || size == 0) return;
  VkMappedMemoryRange r = atom_range(*this, b, offset, size);
  fn.vkFlushMappedMemoryRanges(device, 1, &r);
}

void Device::invalidate(const DeviceBuffer& b, uint64_t offset, uint64_t size) {
  if (b.coherent || !b.host_visible || size == 0) return;
  VkMappedMemoryRange r = atom_range(*this, b, offset, size);
  fn.vkInvalidateMappedMemoryRanges(device, 1, &r);
}

}  // namespace ahal_vulkan
