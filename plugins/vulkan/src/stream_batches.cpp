// A stream's command batches: recording, submission and retirement, the
// worker thread that runs host steps and the batches that wait for them,
// and the staging memory copies and fills read from.
#include "objects.hpp"

#include <algorithm>
#include <cstring>

namespace ahal_vulkan {

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
    if (!b.borrowed) free_cmds_.push_back(b.cmd);
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

}  // namespace ahal_vulkan
