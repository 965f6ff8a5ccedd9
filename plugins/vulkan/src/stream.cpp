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

ahal_status_t check_dispatch(const Device* device, const ahal_plugin_launch_t& l,
                             const char* where) {
  const uint64_t groups = ahal::plugin::workgroup_count(l);
  if (groups > device->max_groups_per_launch)
    return fail(AHAL_ERROR_OUT_OF_RANGE,
                "%sa grid of %ux%ux%u work-groups (%llu) exceeds the %llu work-groups %s runs in "
                "one dispatch",
                where, l.grid[0], l.grid[1], l.grid[2], static_cast<unsigned long long>(groups),
                static_cast<unsigned long long>(device->max_groups_per_launch),
                device->props.deviceName);
  const uint64_t max_range = device->props.limits.maxStorageBufferRange;
  for (uint32_t i = 0; i < l.binding_count; ++i) {
    if (l.bindings[i].size > max_range)
      return fail(AHAL_ERROR_OUT_OF_RANGE,
                  "%sbinding %u spans %llu bytes; %s binds at most %llu (maxStorageBufferRange): "
                  "bind a smaller range",
                  where, i, static_cast<unsigned long long>(l.bindings[i].size),
                  device->props.deviceName, static_cast<unsigned long long>(max_range));
  }
  return AHAL_SUCCESS;
}

ahal_status_t Stream::launch(Kernel* kernel, const ahal_plugin_launch_t* l) {
  if (ahal_status_t s = check_dispatch(device, *l, "")) return s;
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

// ---------------------------------------------------------------- entries

namespace {

Stream& stream_of(ahal_plugin_stream_t* s) { return *object<StreamHandle>(s)->stream; }

}  // namespace

ahal_status_t stream_create(ahal_plugin_device_t* dp, const ahal_stream_args_t* /*args*/,
                            ahal_plugin_stream_t** out) {
  Device* d = object<Device>(dp);
  auto h = std::make_unique<StreamHandle>();
  h->stream = std::make_shared<Stream>(d, pick_queue(d));
  ahal_status_t s = h->stream->init();
  if (s != AHAL_SUCCESS) return s;
  d->add_stream(h->stream);
  *out = handle<ahal_plugin_stream_t>(h.release());
  return AHAL_SUCCESS;
}

void stream_destroy(ahal_plugin_stream_t* s) { delete object<StreamHandle>(s); }

ahal_status_t stream_copy_h2d(ahal_plugin_stream_t* s, const void* src, ahal_plugin_buffer_t* dst,
                              uint64_t dst_offset, uint64_t size) {
  return stream_of(s).copy_h2d(src, object<Buffer>(dst), dst_offset, size);
}

ahal_status_t stream_copy_d2h(ahal_plugin_stream_t* s, ahal_plugin_buffer_t* src,
                              uint64_t src_offset, void* dst, uint64_t size) {
  return stream_of(s).copy_d2h(object<Buffer>(src), src_offset, dst, size);
}

ahal_status_t stream_copy_d2d(ahal_plugin_stream_t* s, ahal_plugin_buffer_t* src,
                              uint64_t src_offset, ahal_plugin_buffer_t* dst, uint64_t dst_offset,
                              uint64_t size) {
  return stream_of(s).copy_d2d(object<Buffer>(src), src_offset, object<Buffer>(dst), dst_offset,
                               size);
}

ahal_status_t stream_fill(ahal_plugin_stream_t* s, ahal_plugin_buffer_t* b, uint64_t offset,
                          uint64_t size, uint32_t pattern, uint32_t pattern_size) {
  return stream_of(s).fill(object<Buffer>(b), offset, size, pattern, pattern_size);
}

ahal_status_t stream_launch(ahal_plugin_stream_t* s, ahal_plugin_kernel_t* k,
                            const ahal_plugin_launch_t* launch) {
  return stream_of(s).launch(object<Kernel>(k), launch);
}

ahal_status_t stream_host_callback(ahal_plugin_stream_t* s, ahal_host_fn_t fn, void* user_data) {
  return stream_of(s).host_callback(fn, user_data);
}

ahal_status_t stream_synchronize(ahal_plugin_stream_t* s) { return stream_of(s).synchronize(); }

ahal_status_t stream_query(ahal_plugin_stream_t* s) { return stream_of(s).query(); }

}  // namespace ahal_vulkan
