// Streams: commands are recorded into one command buffer per batch and
// submitted together at a sync point (synchronize, query, a host wait on an
// event, a host callback, a wait on another stream's event) or when the
// batch holds kMaxBatchCommands commands. Each stream owns a
// timeline semaphore; every batch and every host step signals the next
// value, so events are (stream, value) pairs.
#include "objects.hpp"

#include <algorithm>
#include <chrono>
#include <cstring>

namespace ahal_vulkan {

namespace {

constexpr uint32_t kMaxBatchCommands = 256;  // submit at least this often
constexpr size_t kMaxInFlight = 64;          // batches queued before enqueues block
constexpr uint64_t kChunkSize = 1ull << 20;  // upload chunk for small staged data
constexpr uint32_t kPoolSets = 64;           // descriptor sets per pool (no push descriptors)

constexpr VkPipelineStageFlags kWorkStages =
    VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT;
constexpr VkAccessFlags kWorkWrites = VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_WRITE_BIT;
constexpr VkAccessFlags kWorkAccess = VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT |
                                      VK_ACCESS_TRANSFER_READ_BIT | VK_ACCESS_TRANSFER_WRITE_BIT;

uint64_t align_up(uint64_t v, uint64_t a) { return (v + a - 1) / a * a; }

using Clock = std::chrono::steady_clock;

}  // namespace

ahal_status_t Stream::init() {
  auto pci = vk_struct<VkCommandPoolCreateInfo>();
  pci.flags =
      VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT | VK_COMMAND_POOL_CREATE_TRANSIENT_BIT;
  pci.queueFamilyIndex = device->queue_family;
  ahal_status_t s =
      device->check(device->fn.vkCreateCommandPool(device->device, &pci, nullptr, &command_pool_),
                    "vkCreateCommandPool");
  if (s != AHAL_SUCCESS) return s;
  auto type = vk_struct<VkSemaphoreTypeCreateInfo>();
  type.semaphoreType = VK_SEMAPHORE_TYPE_TIMELINE;
  auto sci = vk_struct<VkSemaphoreCreateInfo>(&type);
  return device->check(device->fn.vkCreateSemaphore(device->device, &sci, nullptr, &timeline),
                       "vkCreateSemaphore");
}

Stream::~Stream() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  worker_cv_.notify_all();
  submitted_cv_.notify_all();
  if (worker_.joinable()) worker_.join();
  const auto& fn = device->fn;
  VkDevice d = device->device;
  // The loader synchronized the stream; wait anyway so nothing is freed in use.
  if (timeline && last_value_ && !device->lost.load()) {
    auto wi = vk_struct<VkSemaphoreWaitInfo>();
    wi.semaphoreCount = 1;
    wi.pSemaphores = &timeline;
    uint64_t v = submitted_value_.load();
    wi.pValues = &v;
    fn.vkWaitSemaphores(d, &wi, UINT64_MAX);
  }
  auto drop = [&](Batch& b) {
    for (auto& st : b.staging) device->buffer_release(&st);
    for (VkDescriptorPool p : b.pools) fn.vkDestroyDescriptorPool(d, p, nullptr);
  };
  if (open_) drop(*open_);
  for (auto& b : in_flight_) drop(*b);
  for (auto& step : pending_)
    if (step.batch) drop(*step.batch);
  for (VkDescriptorPool p : free_pools_) fn.vkDestroyDescriptorPool(d, p, nullptr);
  for (auto& c : chunks_) device->buffer_release(&c->mem);
  if (command_pool_) fn.vkDestroyCommandPool(d, command_pool_, nullptr);
  if (timeline) fn.vkDestroySemaphore(d, timeline, nullptr);
}

// ----------------------------------------------------------------- batches

ahal_status_t Stream::open_batch_locked() {
  if (open_) return AHAL_SUCCESS;
  if (device->lost.load()) return fail(AHAL_ERROR_DEVICE_LOST, "the Vulkan device was lost");
  auto b = std::make_unique<Batch>();
  if (!free_cmds_.empty()) {
    b->cmd = free_cmds_.back();
    free_cmds_.pop_back();
  } else {
    auto ai = vk_struct<VkCommandBufferAllocateInfo>();
    ai.commandPool = command_pool_;
    ai.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
    ai.commandBufferCount = 1;
    ahal_status_t s =
        device->check(device->fn.vkAllocateCommandBuffers(device->device, &ai, &b->cmd),
                      "vkAllocateCommandBuffers");
    if (s != AHAL_SUCCESS) return s;
  }
  // Begin resets the buffer (the pool allows per-buffer resets).
  auto bi = vk_struct<VkCommandBufferBeginInfo>();
  bi.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
  VkResult r = device->fn.vkBeginCommandBuffer(b->cmd, &bi);
  if (r != VK_SUCCESS) {
    free_cmds_.push_back(b->cmd);
    return device->check(r, "vkBeginCommandBuffer");
  }
  b->value = ++last_value_;
  b->waits = std::move(next_waits_);
  next_waits_.clear();
  open_ = std::move(b);
  return AHAL_SUCCESS;
}

void Stream::memory_command_locked() {
  Batch* b = open_.get();
  auto mb = vk_struct<VkMemoryBarrier>();
  mb.srcAccessMask = kWorkWrites;
  mb.dstAccessMask = kWorkAccess;
  device->fn.vkCmdPipelineBarrier(b->cmd, kWorkStages, kWorkStages, 0, 1, &mb, 0, nullptr, 0,
                                  nullptr);
  b->touched_memory = true;
}

ahal_status_t Stream::after_command_locked() {
  if (++open_->commands >= kMaxBatchCommands) return flush_locked();
  return AHAL_SUCCESS;
}

ahal_status_t Stream::flush_locked() {
  // Waits on other streams need a batch to carry them even with no commands.
  if (!open_ && !next_waits_.empty()) {
    ahal_status_t s = open_batch_locked();
    if (s != AHAL_SUCCESS) return s;
  }
  if (!open_) return AHAL_SUCCESS;
  Batch* b = open_.get();
  if (b->touched_memory) {
    // Make the batch's writes visible to the host once it completed.
    auto mb = vk_struct<VkMemoryBarrier>();
    mb.srcAccessMask = kWorkWrites;
    mb.dstAccessMask = VK_ACCESS_HOST_READ_BIT | VK_ACCESS_HOST_WRITE_BIT;
    device->fn.vkCmdPipelineBarrier(b->cmd, kWorkStages, VK_PIPELINE_STAGE_HOST_BIT, 0, 1, &mb, 0,
                                    nullptr, 0, nullptr);
  }
  std::unique_ptr<Batch> batch = std::move(open_);
  VkResult r = device->fn.vkEndCommandBuffer(batch->cmd);
  if (r != VK_SUCCESS) {
    // Nothing of this batch runs; signal its value so waiters do not hang.
    ahal_status_t s = device->check(r, "vkEndCommandBuffer");
    auto si = vk_struct<VkSemaphoreSignalInfo>();
    si.semaphore = timeline;
    si.value = batch->value;
    device->fn.vkSignalSemaphore(device->device, &si);
    submitted_value_.store(batch->value);
    in_flight_.push_back(std::move(batch));
    return s;
  }
  return submit_locked(std::move(batch));
}

ahal_status_t Stream::submit_locked(std::unique_ptr<Batch> batch) {
  retire_locked();
  // Submit directly unless host steps are queued before it or it waits on
  // a value whose signal is not submitted yet; the worker submits those.
  bool defer = !pending_.empty();
  for (const auto& w : batch->waits) defer = defer || w.stream->submitted_value_.load() < w.value;
  if (defer) {
    PendingStep step;
    step.batch = std::move(batch);
    pending_.push_back(std::move(step));
    if (!worker_.joinable()) worker_ = std::thread(&Stream::worker_main, this);
    worker_cv_.notify_one();
    return AHAL_SUCCESS;
  }
  ahal_status_t s = submit_now(batch.get());
  in_flight_.push_back(std::move(batch));
  // Bound the work queued ahead of the device.
  if (in_flight_.size() > kMaxInFlight) {
    auto wi = vk_struct<VkSemaphoreWaitInfo>();
    wi.semaphoreCount = 1;
    wi.pSemaphores = &timeline;
    wi.pValues = &in_flight_.front()->value;
    device->fn.vkWaitSemaphores(device->device, &wi, UINT64_MAX);
    retire_locked();
  }
  return s;
}

ahal_status_t Stream::submit_now(Batch* b) {
  std::vector<VkSemaphore> sem_list;
  std::vector<uint64_t> value_list;
  std::vector<VkPipelineStageFlags> stage_list;
  for (const auto& w : b->waits) {
    sem_list.push_back(w.stream->timeline);
    value_list.push_back(w.value);
    stage_list.push_back(VK_PIPELINE_STAGE_ALL_COMMANDS_BIT);
  }
  auto ts = vk_struct<VkTimelineSemaphoreSubmitInfo>();
  ts.waitSemaphoreValueCount = static_cast<uint32_t>(value_list.size());
  ts.pWaitSemaphoreValues = value_list.data();
  ts.signalSemaphoreValueCount = 1;
  ts.pSignalSemaphoreValues = &b->value;
  auto si = vk_struct<VkSubmitInfo>(&ts);
  si.waitSemaphoreCount = static_cast<uint32_t>(sem_list.size());
  si.pWaitSemaphores = sem_list.data();
  si.pWaitDstStageMask = stage_list.data();
  si.commandBufferCount = 1;
  si.pCommandBuffers = &b->cmd;
  si.signalSemaphoreCount = 1;
  si.pSignalSemaphores = &timeline;
  VkResult r;
  {
    std::lock_guard<std::mutex> qlock(queue->mutex);
    r = device->fn.vkQueueSubmit(queue->queue, 1, &si, VK_NULL_HANDLE);
  }
  if (r != VK_SUCCESS) {
    // Signal from the host so that waiters see the value and do not hang.
    auto sig = vk_struct<VkSemaphoreSignalInfo>();
    sig.semaphore = timeline;
    sig.value = b->value;
    device->fn.vkSignalSemaphore(device->device, &sig);
  }
  submitted_value_.store(b->value);
  submitted_cv_.notify_all();
  return device->check(r, "vkQueueSubmit");
}

uint64_t Stream::completed_value() {
  uint64_t v = 0;
  if (device->fn.vkGetSemaphoreCounterValue(device->device, timeline, &v) != VK_SUCCESS)
    return completed_cache_.load();
  completed_cache_.store(v);
  return v;
}

void Stream::retire_locked() {
  if (in_flight_.empty()) return;
  uint64_t done = completed_value();
  while (!in_flight_.empty() && in_flight_.front()->value <= done) {
    Batch& b = *in_flight_.front();
    free_cmds_.push_back(b.cmd);
    for (auto& st : b.staging) device->buffer_release(&st);
    for (VkDescriptorPool p : b.pools) {
      device->fn.vkResetDescriptorPool(device->device, p, 0);
      free_pools_.push_back(p);
    }
    in_flight_.pop_front();
  }
}

bool Stream::idle_locked() {
  return !open_ && pending_.empty() && next_waits_.empty() &&
         (last_value_ == 0 || completed_cache_.load() >= last_value_ ||
          completed_value() >= last_value_);
}

// ----------------------------------------------------------- host steps

void Stream::enqueue_host_step_locked(std::function<void()> fn) {
  PendingStep step;
  step.host_fn = std::move(fn);
  step.value = ++last_value_;
  pending_.push_back(std::move(step));
  if (!worker_.joinable()) worker_ = std::thread(&Stream::worker_main, this);
  worker_cv_.notify_one();
}

void Stream::wait_submitted(uint64_t value) {
  if (submitted_value_.load() >= value) return;
  std::unique_lock<std::mutex> lock(mutex_);
  submitted_cv_.wait(lock, [&] { return submitted_value_.load() >= value || stopping_; });
}

void Stream::worker_main() {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    worker_cv_.wait(lock, [&] { return stopping_ || !pending_.empty(); });
    if (pending_.empty()) return;
    // Steps stay queued until done, so that later batches queue behind them.
    PendingStep& step = pending_.front();
    if (step.batch) {
      std::vector<SemaphoreWait> waits = step.batch->waits;
      lock.unlock();
      for (const auto& w : waits) w.stream->wait_submitted(w.value);
      lock.lock();
      std::unique_ptr<Batch> batch = std::move(step.batch);
      pending_.pop_front();
      ahal_status_t s = submit_now(batch.get());
      in_flight_.push_back(std::move(batch));
      if (s != AHAL_SUCCESS && async_status_ == AHAL_SUCCESS) {
        async_status_ = s;
        async_message_ = "a deferred vkQueueSubmit failed";
      }
      continue;
    }
    const uint64_t value = step.value;
    std::function<void()> fn = std::move(step.host_fn);
    lock.unlock();
    // Everything before the step has completed once value - 1 has.
    uint64_t before = value - 1;
    auto wi = vk_struct<VkSemaphoreWaitInfo>();
    wi.semaphoreCount = 1;
    wi.pSemaphores = &timeline;
    wi.pValues = &before;
    VkResult r = device->fn.vkWaitSemaphores(device->device, &wi, UINT64_MAX);
    if (r == VK_SUCCESS) fn();
    auto sig = vk_struct<VkSemaphoreSignalInfo>();
    sig.semaphore = timeline;
    sig.value = value;
    VkResult rs = device->fn.vkSignalSemaphore(device->device, &sig);
    lock.lock();
    if (r != VK_SUCCESS || rs != VK_SUCCESS) {
      if (r == VK_ERROR_DEVICE_LOST || rs == VK_ERROR_DEVICE_LOST) device->lost.store(true);
      if (async_status_ == AHAL_SUCCESS) {
        async_status_ = r == VK_ERROR_DEVICE_LOST || rs == VK_ERROR_DEVICE_LOST
                            ? AHAL_ERROR_DEVICE_LOST
                            : AHAL_ERROR_PLUGIN;
        async_message_ = std::string("a host step of the stream failed: ") +
                         ahal_vk::result_name(r != VK_SUCCESS ? r : rs);
      }
    }
    pending_.pop_front();
    submitted_value_.store(value);
    submitted_cv_.notify_all();
  }
}

ahal_status_t Stream::take_async_error_locked() {
  if (async_status_ == AHAL_SUCCESS) {
    if (device->lost.load()) return fail(AHAL_ERROR_DEVICE_LOST, "the Vulkan device was lost");
    return AHAL_SUCCESS;
  }
  ahal_status_t s = async_status_;
  async_status_ = AHAL_SUCCESS;
  return fail(s, "%s", async_message_.c_str());
}

// ----------------------------------------------------------------- staging

ahal_status_t Stream::stage_locked(uint64_t size, uint64_t last_use, Staging* out) {
  const VkMemoryPropertyFlags want = VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT;
  const VkMemoryPropertyFlags prefer =
      VK_MEMORY_PROPERTY_HOST_COHERENT_BIT | VK_MEMORY_PROPERTY_HOST_CACHED_BIT;
  if (size > kChunkSize / 4) {
    ahal_status_t s = device->buffer_create(
        size, VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT, want, prefer, 0,
        &out->owned);
    if (s != AHAL_SUCCESS) return s;
    out->mem = &out->owned;
    out->offset = 0;
    out->data = out->owned.mapped();
    return AHAL_SUCCESS;
  }
  // Bump-allocate from the current chunk; move on to a chunk no pending
  // batch uses, or make a new one.
  UploadChunk* chunk = chunk_index_ < chunks_.size() ? chunks_[chunk_index_].get() : nullptr;
  if (!chunk || align_up(chunk->used, 16) + size > chunk->mem.size) {
    chunk = nullptr;
    uint64_t done = completed_value();
    for (size_t i = 1; i <= chunks_.size() && !chunk; ++i) {
      size_t j = (chunk_index_ + i) % chunks_.size();
      if (chunks_[j]->last_value <= done) {
        chunk = chunks_[j].get();
        chunk_index_ = j;
        chunk->used = 0;
      }
    }
    if (!chunk) {
      auto c = std::make_unique<UploadChunk>();
      ahal_status_t s = device->buffer_create(
          kChunkSize, VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT, want,
          prefer, 0, &c->mem);
      if (s != AHAL_SUCCESS) return s;
      chunk = c.get();
      chunks_.push_back(std::move(c));
      chunk_index_ = chunks_.size() - 1;
    }
  }
  uint64_t off = align_up(chunk->used, 16);
  chunk->used = off + size;
  chunk->last_value = std::max(chunk->last_value, last_use);
  out->mem = &chunk->mem;
  out->offset = off;
  out->data = chunk->mem.mapped() + off;
  out->chunk = chunk;
  return AHAL_SUCCESS;
}

// ---------------------------------------------------------------- commands

ahal_status_t Stream::copy_h2d(const void* src, Buffer* dst, uint64_t offset, uint64_t size) {
  if (size == 0) return AHAL_SUCCESS;
  std::lock_guard<std::mutex> lock(mutex_);
  HostAlloc* pinned = device->find_host_alloc(src, size);
  if (!pinned && dst->mem.host_visible && idle_locked()) {
    // Nothing is queued before it: copy now, no staging needed.
    std::memcpy(dst->mem.mapped() + offset, src, size);
    device->flush(dst->mem, offset, size);
    return AHAL_SUCCESS;
  }
  VkBufferCopy region{0, offset, size};
  VkBuffer from;
  ahal_status_t s;
  if (pinned) {
    s = open_batch_locked();
    if (s != AHAL_SUCCESS) return s;
    region.srcOffset = static_cast<const uint8_t*>(src) - pinned->mem.mapped();
    device->flush(pinned->mem, region.srcOffset, size);
    from = pinned->mem.buffer;
  } else if (pending_.empty()) {
    // Stage the caller's memory now (it may change once this returns).
    s = open_batch_locked();
    if (s != AHAL_SUCCESS) return s;
    Staging st;
    s = stage_locked(size, open_->value, &st);
    if (s != AHAL_SUCCESS) return s;
    std::memcpy(st.data, src, size);
    device->flush(*st.mem, st.offset, size);
    region.srcOffset = st.offset;
    from = st.mem->buffer;
    if (st.owned.buffer) open_->staging.push_back(st.owned);
  } else {
    // A host callback queued before may still write the source: stage it
    // in a host step when the stream gets there, copy in the next batch.
    s = flush_locked();
    if (s != AHAL_SUCCESS) return s;
    Staging st;
    s = stage_locked(size, last_value_ + 2, &st);
    if (s != AHAL_SUCCESS) return s;
    Device* d = device;
    DeviceBuffer mem = *st.mem;
    uint64_t at = st.offset;
    enqueue_host_step_locked([d, mem, at, src, size] {
      std::memcpy(mem.mapped() + at, src, size);
      d->flush(mem, at, size);
    });
    s = open_batch_locked();
    if (s != AHAL_SUCCESS) return s;
    region.srcOffset = st.offset;
    from = st.mem->buffer;
    if (st.owned.buffer) open_->staging.push_back(st.owned);
  }
  memory_command_locked();
  device->fn.vkCmdCopyBuffer(open_->cmd, from, dst->mem.buffer, 1, &region);
  return after_command_locked();
}

ahal_status_t Stream::copy_d2h(Buffer* src, uint64_t offset, void* dst, uint64_t size) {
  if (size == 0) return AHAL_SUCCESS;
  std::lock_guard<std::mutex> lock(mutex_);
  HostAlloc* pinned = device->find_host_alloc(dst, size);
  if (!pinned && src->mem.host_visible && idle_locked()) {
    device->invalidate(src->mem, offset, size);
    std::memcpy(dst, src->mem.mapped() + offset, size);
    return AHAL_SUCCESS;
  }
  ahal_status_t s = open_batch_locked();
  if (s != AHAL_SUCCESS) return s;
  VkBufferCopy region{offset, 0, size};
  if (pinned) {
    region.dstOffset = static_cast<uint8_t*>(dst) - pinned->mem.mapped();
    memory_command_locked();
    device->fn.vkCmdCopyBuffer(open_->cmd, src->mem.buffer, pinned->mem.buffer, 1, &region);
    if (!pinned->mem.coherent) {
      // Non-coherent pinned memory: invalidate once the copy is done.
      s = flush_locked();
      if (s != AHAL_SUCCESS) return s;
      Device* d = device;
      DeviceBuffer mem = pinned->mem;
      uint64_t at = region.dstOffset;
      enqueue_host_step_locked([d, mem, at, size] { d->invalidate(mem, at, size); });
      return AHAL_SUCCESS;
    }
    return after_command_locked();
  }
  // Through staging memory; a host step copies it out once the batch is done.
  Staging st;
  s = stage_locked(size, open_->value, &st);
  if (s != AHAL_SUCCESS) return s;
  region.dstOffset = st.offset;
  memory_command_locked();
  device->fn.vkCmdCopyBuffer(open_->cmd, src->mem.buffer, st.mem->buffer, 1, &region);
  s = flush_locked();
  if (s != AHAL_SUCCESS) return s;
  Device* d = device;
  DeviceBuffer mem = *st.mem;
  uint64_t at = st.offset;
  bool owned = st.owned.buffer != VK_NULL_HANDLE;
  enqueue_host_step_locked([d, mem, at, dst, size, owned]() mutable {
    d->invalidate(mem, at, size);
    std::memcpy(dst, mem.mapped() + at, size);
    if (owned) d->buffer_release(&mem);
  });
  if (st.chunk) st.chunk->last_value = last_value_;  // read by the host step
  return AHAL_SUCCESS;
}

ahal_status_t Stream::copy_d2d(Buffer* src, uint64_t src_offset, Buffer* dst, uint64_t dst_offset,
                               uint64_t size) {
  if (size == 0) return AHAL_SUCCESS;
  std::lock_guard<std::mutex> lock(mutex_);
  ahal_status_t s = open_batch_locked();
  if (s != AHAL_SUCCESS) return s;
  memory_command_locked();
  VkBufferCopy region{src_offset, dst_offset, size};
  device->fn.vkCmdCopyBuffer(open_->cmd, src->mem.buffer, dst->mem.buffer, 1, &region);
  return after_command_locked();
}

ahal_status_t Stream::fill(Buffer* buffer, uint64_t offset, uint64_t size, uint32_t pattern,
                           uint32_t pattern_size) {
  if (size == 0) return AHAL_SUCCESS;
  // vkCmdFillBuffer writes 4-byte words at 4-byte offsets. Offsets are
  // multiples of the pattern size, so the pattern starts in phase at the
  // range's start and at every multiple of 4; unaligned head and tail
  // bytes are copied from a staged copy of the pattern.
  uint32_t word = pattern;
  if (pattern_size == 1) word = (pattern & 0xffu) * 0x01010101u;
  if (pattern_size == 2) word = (pattern & 0xffffu) * 0x00010001u;
  const uint64_t end = offset + size;
  const uint64_t inner_begin = align_up(offset, 4), inner_end = end & ~uint64_t{3};
  std::lock_guard<std::mutex> lock(mutex_);
  ahal_status_t s = open_batch_locked();
  if (s != AHAL_SUCCESS) return s;
  VkCommandBuffer cmd = open_->cmd;
  if (inner_begin < inner_end && inner_begin == offset && inner_end == end) {
    memory_command_locked();
    device->fn.vkCmdFillBuffer(cmd, buffer->mem.buffer, offset, size, word);
    return after_command_locked();
  }
  Staging st;
  s = stage_locked(8, open_->value, &st);
  if (s != AHAL_SUCCESS) return s;
  std::memcpy(st.data, &word, 4);
  std::memcpy(st.data + 4, &word, 4);
  device->flush(*st.mem, st.offset, 8);
  memory_command_locked();
  auto copy_pattern = [&](uint64_t at, uint64_t n) {
    VkBufferCopy region{st.offset, at, n};
    device->fn.vkCmdCopyBuffer(cmd, st.mem->buffer, buffer->mem.buffer, 1, &region);
  };
  if (inner_begin >= inner_end) {
    copy_pattern(offset, size);  // fewer than 8 bytes, no whole word inside
  } else {
    if (offset < inner_begin) copy_pattern(offset, inner_begin - offset);
    device->fn.vkCmdFillBuffer(cmd, buffer->mem.buffer, inner_begin, inner_end - inner_begin, word);
    if (inner_end < end) copy_pattern(inner_end, end - inner_end);
  }
  return after_command_locked();
}

ahal_status_t Stream::launch(Kernel* kernel, const ahal_plugin_launch_t* l) {
  const uint64_t max_range = device->props.limits.maxStorageBufferRange;
  for (uint32_t i = 0; i < l->binding_count; ++i) {
    if (l->bindings[i].size > max_range)
      return fail(AHAL_ERROR_OUT_OF_RANGE,
                  "binding %u spans %llu bytes; %s binds at most %llu (maxStorageBufferRange): "
                  "bind a smaller range",
                  i, static_cast<unsigned long long>(l->bindings[i].size), device->props.deviceName,
                  static_cast<unsigned long long>(max_range));
  }
  Pipeline* p = nullptr;
  ahal_status_t s = kernel_pipeline(kernel, l, &p);  // may compile: outside the lock
  if (s != AHAL_SUCCESS) return s;
  const auto& fn = device->fn;
  std::lock_guard<std::mutex> lock(mutex_);
  s = open_batch_locked();
  if (s != AHAL_SUCCESS) return s;
  Batch* b = open_.get();
  VkCommandBuffer cmd = b->cmd;
  const uint32_t nb = l->binding_count;
  if (nb) memory_command_locked();  // a kernel without bindings touches no memory
  if (b->bound_pipeline != p->pipeline) {
    fn.vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, p->pipeline);
    b->bound_pipeline = p->pipeline;
  }
  if (nb) {
    VkDescriptorBufferInfo infos[AHAL_MAX_BINDINGS];
    for (uint32_t i = 0; i < nb; ++i) {
      const ahal_plugin_binding_t& bd = l->bindings[i];
      infos[i] = {reinterpret_cast<Buffer*>(bd.buffer)->mem.buffer, bd.offset, bd.size};
    }
    auto w = vk_struct<VkWriteDescriptorSet>();
    w.dstBinding = 0;
    w.descriptorCount = nb;  // consecutive bindings 0 .. nb-1
    w.descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
    w.pBufferInfo = infos;
    if (device->push_descriptors) {
      fn.vkCmdPushDescriptorSetKHR(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, p->layout->layout, 0, 1,
                                   &w);
    } else {
      // A pool per batch, reset when the batch completed.
      if (!b->pool || b->pool_sets_left == 0) {
        if (!free_pools_.empty()) {
          b->pool = free_pools_.back();
          free_pools_.pop_back();
        } else {
          VkDescriptorPoolSize size{VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
                                    kPoolSets * AHAL_MAX_BINDINGS};
          auto ci = vk_struct<VkDescriptorPoolCreateInfo>();
          ci.maxSets = kPoolSets;
          ci.poolSizeCount = 1;
          ci.pPoolSizes = &size;
          s = device->check(fn.vkCreateDescriptorPool(device->device, &ci, nullptr, &b->pool),
                            "vkCreateDescriptorPool");
          if (s != AHAL_SUCCESS) return s;
        }
        b->pools.push_back(b->pool);
        b->pool_sets_left = kPoolSets;
      }
      auto ai = vk_struct<VkDescriptorSetAllocateInfo>();
      ai.descriptorPool = b->pool;
      ai.descriptorSetCount = 1;
      ai.pSetLayouts = &p->layout->set_layout;
      VkDescriptorSet set;
      s = device->check(fn.vkAllocateDescriptorSets(device->device, &ai, &set),
                        "vkAllocateDescriptorSets");
      if (s != AHAL_SUCCESS) return s;
      --b->pool_sets_left;
      w.dstSet = set;
      fn.vkUpdateDescriptorSets(device->device, 1, &w, 0, nullptr);
      fn.vkCmdBindDescriptorSets(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, p->layout->layout, 0, 1, &set,
                                 0, nullptr);
    }
  }
  if (p->key.constants_size) {
    uint8_t padded[AHAL_MAX_CONSTANTS_SIZE + 4] = {};
    std::memcpy(padded, l->constants, l->constants_size);
    fn.vkCmdPushConstants(cmd, p->layout->layout, VK_SHADER_STAGE_COMPUTE_BIT, 0,
                          p->key.constants_size, padded);
  }
  fn.vkCmdDispatch(cmd, l->grid[0], l->grid[1], l->grid[2]);
  return after_command_locked();
}

ahal_status_t Stream::host_callback(ahal_host_fn_t fn, void* user_data) {
  std::lock_guard<std::mutex> lock(mutex_);
  ahal_status_t s = flush_locked();
  if (s != AHAL_SUCCESS) return s;
  enqueue_host_step_locked([fn, user_data] { fn(user_data); });
  return AHAL_SUCCESS;
}

// ------------------------------------------------------- sync and events

ahal_status_t Stream::record(VkQueryPool pool, uint64_t* out_value) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (pool || !next_waits_.empty()) {
    ahal_status_t s = open_batch_locked();
    if (s != AHAL_SUCCESS) return s;
  }
  if (pool) {
    // Reset and write in the same command buffer; BOTTOM_OF_PIPE waits for
    // all earlier commands.
    device->fn.vkCmdResetQueryPool(open_->cmd, pool, 0, 1);
    device->fn.vkCmdWriteTimestamp(open_->cmd, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT, pool, 0);
  }
  *out_value = open_ ? open_->value : last_value_;
  return AHAL_SUCCESS;
}

ahal_status_t Stream::wait_for(const std::shared_ptr<Stream>& other, uint64_t value) {
  if (other.get() == this || value == 0) return AHAL_SUCCESS;  // a stream is in order
  other->flush_through(value);                                 // so its signal gets submitted
  std::lock_guard<std::mutex> lock(mutex_);
  // Work recorded so far must not wait: close the batch first.
  ahal_status_t s = open_ ? flush_locked() : AHAL_SUCCESS;
  next_waits_.push_back(SemaphoreWait{other, value});
  return s;
}

void Stream::flush_through(uint64_t value) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (open_ && open_->value <= value) flush_locked();
}

ahal_status_t Stream::wait_value(uint64_t value, uint64_t timeout_ns) {
  if (value == 0 || completed_cache_.load() >= value) return AHAL_SUCCESS;
  flush_through(value);
  const bool forever = timeout_ns == UINT64_MAX;
  const auto deadline =
      forever
          ? Clock::time_point::max()
          : Clock::now() + std::chrono::nanoseconds(std::min<uint64_t>(timeout_ns, INT64_MAX / 2));
  if (submitted_value_.load() < value) {
    // Queued behind a host step: wait until the worker submitted it.
    std::unique_lock<std::mutex> lock(mutex_);
    auto ready = [&] { return submitted_value_.load() >= value || stopping_; };
    if (forever)
      submitted_cv_.wait(lock, ready);
    else if (!submitted_cv_.wait_until(lock, deadline, ready))
      return fail(AHAL_ERROR_TIMEOUT, "timed out after %llu ns",
                  static_cast<unsigned long long>(timeout_ns));
  }
  uint64_t left = UINT64_MAX;
  if (!forever) {
    auto now = Clock::now();
    left = now >= deadline
               ? 0
               : std::chrono::duration_cast<std::chrono::nanoseconds>(deadline - now).count();
  }
  auto wi = vk_struct<VkSemaphoreWaitInfo>();
  wi.semaphoreCount = 1;
  wi.pSemaphores = &timeline;
  wi.pValues = &value;
  VkResult r = device->fn.vkWaitSemaphores(device->device, &wi, left);
  if (r == VK_TIMEOUT)
    return fail(AHAL_ERROR_TIMEOUT, "timed out after %llu ns",
                static_cast<unsigned long long>(timeout_ns));
  if (r != VK_SUCCESS) return device->check(r, "vkWaitSemaphores");
  if (completed_cache_.load() < value) completed_cache_.store(value);
  return AHAL_SUCCESS;
}

ahal_status_t Stream::query_value(uint64_t value) {
  if (value == 0 || completed_cache_.load() >= value) return AHAL_SUCCESS;
  flush_through(value);
  if (completed_value() >= value) return AHAL_SUCCESS;
  if (device->lost.load()) return fail(AHAL_ERROR_DEVICE_LOST, "the Vulkan device was lost");
  return AHAL_NOT_READY;
}

ahal_status_t Stream::synchronize() {
  uint64_t target;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    ahal_status_t s = flush_locked();
    if (s != AHAL_SUCCESS) return s;
    target = last_value_;
  }
  ahal_status_t s = wait_value(target, UINT64_MAX);
  std::lock_guard<std::mutex> lock(mutex_);
  retire_locked();
  ahal_status_t async = take_async_error_locked();
  return s != AHAL_SUCCESS ? s : async;
}

ahal_status_t Stream::query() {
  uint64_t target;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    ahal_status_t s = flush_locked();
    if (s != AHAL_SUCCESS) return s;
    s = take_async_error_locked();
    if (s != AHAL_SUCCESS) return s;
    target = last_value_;
  }
  return query_value(target);
}

void Device::add_stream(const std::shared_ptr<Stream>& stream) {
  std::lock_guard<std::mutex> lock(streams_mutex_);
  streams_.erase(std::remove_if(streams_.begin(), streams_.end(),
                                [](const std::weak_ptr<Stream>& w) { return w.expired(); }),
                 streams_.end());
  streams_.push_back(stream);
}

ahal_status_t Device::synchronize_streams() {
  std::vector<std::shared_ptr<Stream>> live;
  {
    std::lock_guard<std::mutex> lock(streams_mutex_);
    for (const auto& w : streams_)
      if (auto s = w.lock()) live.push_back(std::move(s));
  }
  ahal_status_t result = AHAL_SUCCESS;
  for (const auto& s : live) {
    ahal_status_t r = s->synchronize();
    if (result == AHAL_SUCCESS) result = r;
  }
  return result;
}

// ------------------------------------------------------------------ events

ahal_status_t event_create(Device* device, uint32_t flags, Event** out) {
  auto e = std::make_unique<Event>();
  e->device = device;
  e->flags = flags;
  if (flags & AHAL_EVENT_TIMING) {
    if (!(device->properties.features & AHAL_FEATURE_TIMESTAMPS))
      return fail(AHAL_ERROR_UNSUPPORTED, "%s has no timestamp queries on its compute queue",
                  device->props.deviceName);
    auto ci = vk_struct<VkQueryPoolCreateInfo>();
    ci.queryType = VK_QUERY_TYPE_TIMESTAMP;
    ci.queryCount = 1;
    ahal_status_t s =
        device->check(device->fn.vkCreateQueryPool(device->device, &ci, nullptr, &e->query_pool),
                      "vkCreateQueryPool");
    if (s != AHAL_SUCCESS) return s;
  }
  *out = e.release();
  return AHAL_SUCCESS;
}

void event_destroy(Event* e) {
  // A pending record may still write the query: let it finish first.
  if (e->stream) e->stream->wait_value(e->value, UINT64_MAX);
  if (e->query_pool) e->device->fn.vkDestroyQueryPool(e->device->device, e->query_pool, nullptr);
  delete e;
}

ahal_status_t event_record(Event* e, const std::shared_ptr<Stream>& stream) {
  uint64_t value = 0;
  ahal_status_t s = stream->record(e->query_pool, &value);
  if (s != AHAL_SUCCESS) return s;
  std::lock_guard<std::mutex> lock(e->mutex);
  e->stream = stream;
  e->value = value;
  return AHAL_SUCCESS;
}

namespace {

std::pair<std::shared_ptr<Stream>, uint64_t> last_record(Event* e) {
  std::lock_guard<std::mutex> lock(e->mutex);
  return {e->stream, e->value};
}

}  // namespace

ahal_status_t event_query(Event* e) {
  auto [stream, value] = last_record(e);
  return stream ? stream->query_value(value) : AHAL_SUCCESS;
}

ahal_status_t event_wait(Event* e, uint64_t timeout_ns) {
  auto [stream, value] = last_record(e);
  return stream ? stream->wait_value(value, timeout_ns) : AHAL_SUCCESS;
}

ahal_status_t stream_wait_event(const std::shared_ptr<Stream>& stream, Event* e) {
  auto [other, value] = last_record(e);
  return other ? stream->wait_for(other, value) : AHAL_SUCCESS;
}

ahal_status_t event_elapsed_ns(Event* start, Event* end, uint64_t* out_ns) {
  Device* d = start->device;
  uint64_t ticks[2];
  Event* events[2] = {start, end};
  for (int i = 0; i < 2; ++i) {
    auto [stream, value] = last_record(events[i]);
    if (!stream)
      return fail(AHAL_ERROR_INVALID_STATE, "the %s event was never recorded", i ? "end" : "start");
    ahal_status_t s = stream->query_value(value);
    if (s == AHAL_NOT_READY)
      return fail(AHAL_NOT_READY, "the %s event has not completed", i ? "end" : "start");
    if (s != AHAL_SUCCESS) return s;
    VkResult r =
        d->fn.vkGetQueryPoolResults(d->device, events[i]->query_pool, 0, 1, sizeof(uint64_t),
                                    &ticks[i], sizeof(uint64_t), VK_QUERY_RESULT_64_BIT);
    if (r != VK_SUCCESS) return d->check(r, "vkGetQueryPoolResults");
  }
  const uint32_t bits = d->timestamp_valid_bits;
  const uint64_t mask = bits >= 64 ? ~uint64_t{0} : (uint64_t{1} << bits) - 1;
  if (bits >= 64 && ticks[1] < ticks[0])
    return fail(AHAL_ERROR_INVALID_ARGUMENT, "the end event completed before the start event");
  const uint64_t delta = (ticks[1] - ticks[0]) & mask;
  *out_ns = static_cast<uint64_t>(static_cast<double>(delta) * d->props.limits.timestampPeriod);
  return AHAL_SUCCESS;
}

}  // namespace ahal_vulkan
