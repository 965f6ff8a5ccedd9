// Level Zero: signals (recycled events), streams as immediate command lists
// chained by those signals, ahal events, launches and host callbacks.
#include "objects.hpp"

#include <algorithm>
#include <cstring>
#include <functional>

namespace ahal_ze {

namespace {

constexpr uint32_t kEventsPerPool = 64;
// Commands in flight per stream before an enqueue waits for the oldest, so
// a host that runs far ahead does not exhaust event pools.
constexpr size_t kMaxPending = 1024;

// ------------------------------------------------------------- signals

ahal_status_t add_pool(ahal_plugin_device_t* dev) {
  const Loader& ze = *dev->ze;
  auto pool = std::make_unique<ahal_plugin_device_t::Pool>();
  ze_event_pool_desc_t pool_desc{};
  pool_desc.stype = ZE_STRUCTURE_TYPE_EVENT_POOL_DESC;
  pool_desc.flags = ZE_EVENT_POOL_FLAG_HOST_VISIBLE;
  pool_desc.count = kEventsPerPool;
  AHAL_ZE_CALL(dev, ze.zeEventPoolCreate(dev->context, &pool_desc, 1, &dev->device, &pool->pool));
  ze_host_mem_alloc_desc_t host_desc{};
  host_desc.stype = ZE_STRUCTURE_TYPE_HOST_MEM_ALLOC_DESC;
  void* slots = nullptr;
  ze_result_t r = ze.zeMemAllocHost(dev->context, &host_desc, sizeof(uint64_t) * kEventsPerPool,
                                    sizeof(uint64_t), &slots);
  if (r != ZE_RESULT_SUCCESS) {
    log_failure(dev, ze.zeEventPoolDestroy(pool->pool), "zeEventPoolDestroy");
    return ze_fail(dev, r, "zeMemAllocHost", "timestamp slots");
  }
  pool->timestamps = static_cast<uint64_t*>(slots);
  pool->signals.resize(kEventsPerPool);
  for (uint32_t i = 0; i < kEventsPerPool; ++i) {
    ze_event_desc_t desc{};
    desc.stype = ZE_STRUCTURE_TYPE_EVENT_DESC;
    desc.index = i;
    // Host scope: the host reads results and timestamps after a signal.
    desc.signal = ZE_EVENT_SCOPE_FLAG_HOST;
    desc.wait = ZE_EVENT_SCOPE_FLAG_HOST;
    r = ze.zeEventCreate(pool->pool, &desc, &pool->signals[i].event);
    if (r != ZE_RESULT_SUCCESS) {
      for (uint32_t j = 0; j < i; ++j)
        log_failure(dev, ze.zeEventDestroy(pool->signals[j].event), "zeEventDestroy");
      log_failure(dev, ze.zeMemFree(dev->context, slots), "zeMemFree");
      log_failure(dev, ze.zeEventPoolDestroy(pool->pool), "zeEventPoolDestroy");
      return ze_fail(dev, r, "zeEventCreate");
    }
    pool->signals[i].timestamp = pool->timestamps + i;
  }
  for (Signal& s : pool->signals) dev->free_signals.push_back(&s);
  dev->pools.push_back(std::move(pool));
  return AHAL_SUCCESS;
}

void release_signal(ahal_plugin_device_t* dev, Signal* signal) {
  log_failure(dev, dev->ze->zeEventHostReset(signal->event), "zeEventHostReset");
  std::lock_guard<std::mutex> lock(dev->signal_mutex);
  dev->free_signals.push_back(signal);
}

}  // namespace

ahal_status_t acquire_signal(ahal_plugin_device_t* dev, SignalRef* out) {
  Signal* signal = nullptr;
  {
    std::lock_guard<std::mutex> lock(dev->signal_mutex);
    if (dev->free_signals.empty()) {
      if (ahal_status_t st = add_pool(dev); st != AHAL_SUCCESS) return st;
    }
    signal = dev->free_signals.back();
    dev->free_signals.pop_back();
  }
  *out = SignalRef(signal, [dev](Signal* s) { release_signal(dev, s); });
  return AHAL_SUCCESS;
}

namespace {

// ------------------------------------------------------------- the chain

// Drops commands known complete from the front (their signals and what
// they waited on may then be recycled). Caller holds s->mutex.
void retire(ahal_plugin_stream_t* s) {
  while (!s->pending.empty() && is_complete(s->device, s->pending.front().done))
    s->pending.pop_front();
}

// Soft limit on commands in flight: waits, holding no lock (a host
// callback may be enqueueing), for the oldest until there is room.
ahal_status_t make_room(ahal_plugin_stream_t* s) {
  std::unique_lock<std::mutex> lock(s->mutex);
  retire(s);
  while (s->pending.size() >= kMaxPending) {
    SignalRef oldest = s->pending.front().done;
    lock.unlock();
    ze_result_t r = s->device->ze->zeEventHostSynchronize(oldest->event, UINT64_MAX);
    if (r != ZE_RESULT_SUCCESS) return ze_fail(s->device, r, "zeEventHostSynchronize");
    lock.lock();
    retire(s);
  }
  return AHAL_SUCCESS;
}

// Runs under the stream lock once a command is appended, with the stream's
// previous last signal (may be empty) and the command's own signal.
using Appended = std::function<void(const SignalRef& previous, const SignalRef& signal)>;

// Appends one command that waits on the stream's previous command and on
// `waits`, and signals a new signal that becomes the stream's last.
// `append(signal, wait_count, wait_events)` issues the Level Zero call.
template <typename Append>
ahal_status_t append_command(ahal_plugin_stream_t* s, const char* call, Append&& append,
                             std::vector<SignalRef> waits = {},
                             std::unique_ptr<uint32_t> fill_pattern = nullptr,
                             const Appended& appended = nullptr) {
  ahal_plugin_device_t* dev = s->device;
  SignalRef signal;
  if (ahal_status_t st = acquire_signal(dev, &signal); st != AHAL_SUCCESS) return st;
  std::lock_guard<std::mutex> lock(s->mutex);
  retire(s);
  if (s->last) waits.push_back(s->last);
  std::vector<ze_event_handle_t> events;
  for (const SignalRef& w : waits) events.push_back(w->event);
  ze_result_t r = append(*signal, static_cast<uint32_t>(events.size()),
                         events.empty() ? nullptr : events.data());
  if (r != ZE_RESULT_SUCCESS) return ze_fail(dev, r, call);
  if (appended) appended(s->last, signal);
  s->pending.push_back({signal, std::move(waits), std::move(fill_pattern)});
  s->last = std::move(signal);
  return AHAL_SUCCESS;
}

void* address(const ahal_plugin_buffer_t* buffer, uint64_t offset) {
  return static_cast<uint8_t*>(buffer->pointer) + offset;
}

// ------------------------------------------------------------- callbacks

void callback_worker(ahal_plugin_stream_t* s) {
  ahal_plugin_device_t* dev = s->device;
  for (;;) {
    ahal_plugin_stream_t::Callback cb;
    {
      std::unique_lock<std::mutex> lock(s->callback_mutex);
      s->callback_cv.wait(lock, [s] { return s->stopping || !s->callbacks.empty(); });
      if (s->callbacks.empty()) return;  // stopping, nothing left
      cb = std::move(s->callbacks.front());
      s->callbacks.pop_front();
    }
    ze_result_t r = ZE_RESULT_SUCCESS;
    if (cb.after) r = dev->ze->zeEventHostSynchronize(cb.after->event, UINT64_MAX);
    // After a device failure the stream is dead; the callback is skipped
    // but the stream is still released so waits on it end.
    if (r == ZE_RESULT_SUCCESS)
      cb.fn(cb.user_data);
    else
      log_failure(dev, r, "zeEventHostSynchronize (host callback skipped)");
    log_failure(dev, dev->ze->zeEventHostSignal(cb.release->event), "zeEventHostSignal");
  }
}

}  // namespace

bool is_complete(const ahal_plugin_device_t* dev, const SignalRef& signal) {
  return dev->ze->zeEventQueryStatus(signal->event) == ZE_RESULT_SUCCESS;
}

void destroy_signal_pools(ahal_plugin_device_t* dev) {
  const Loader& ze = *dev->ze;
  for (auto& pool : dev->pools) {
    for (Signal& s : pool->signals) log_failure(dev, ze.zeEventDestroy(s.event), "zeEventDestroy");
    log_failure(dev, ze.zeMemFree(dev->context, pool->timestamps), "zeMemFree");
    log_failure(dev, ze.zeEventPoolDestroy(pool->pool), "zeEventPoolDestroy");
  }
  dev->pools.clear();
  dev->free_signals.clear();
}

// ------------------------------------------------------------- streams

ahal_status_t stream_create(ahal_plugin_device_t* dev, const ahal_stream_args_t* args,
                            ahal_plugin_stream_t** out_stream) {
  int32_t priority = 0;
  if (args && AHAL_PLUGIN_HAS_FIELD(args, ahal_stream_args_t, priority)) priority = args->priority;
  ze_command_queue_desc_t desc{};
  desc.stype = ZE_STRUCTURE_TYPE_COMMAND_QUEUE_DESC;
  desc.ordinal = dev->compute_ordinal;
  desc.index = 0;
  desc.mode = ZE_COMMAND_QUEUE_MODE_ASYNCHRONOUS;
  desc.priority = priority < 0   ? ZE_COMMAND_QUEUE_PRIORITY_PRIORITY_HIGH
                  : priority > 0 ? ZE_COMMAND_QUEUE_PRIORITY_PRIORITY_LOW
                                 : ZE_COMMAND_QUEUE_PRIORITY_NORMAL;
  auto stream = std::make_unique<ahal_plugin_stream_t>();
  stream->device = dev;
  AHAL_ZE_CALL(
      dev, dev->ze->zeCommandListCreateImmediate(dev->context, dev->device, &desc, &stream->list));
  *out_stream = stream.release();
  return AHAL_SUCCESS;
}

void stream_destroy(ahal_plugin_stream_t* s) {
  // The loader synchronized the stream, so every callback has run.
  if (s->worker.joinable()) {
    {
      std::lock_guard<std::mutex> lock(s->callback_mutex);
      s->stopping = true;
    }
    s->callback_cv.notify_all();
    s->worker.join();
  }
  s->pending.clear();
  s->last.reset();
  log_failure(s->device, s->device->ze->zeCommandListDestroy(s->list), "zeCommandListDestroy");
  delete s;
}

ahal_status_t stream_copy_h2d(ahal_plugin_stream_t* s, const void* src, ahal_plugin_buffer_t* dst,
                              uint64_t dst_offset, uint64_t size) {
  if (ahal_status_t st = make_room(s); st != AHAL_SUCCESS) return st;
  return append_command(s, "zeCommandListAppendMemoryCopy",
                        [&](const Signal& signal, uint32_t n, ze_event_handle_t* waits) {
                          return s->device->ze->zeCommandListAppendMemoryCopy(
                              s->list, address(dst, dst_offset), src, size, signal.event, n, waits);
                        });
}

ahal_status_t stream_copy_d2h(ahal_plugin_stream_t* s, ahal_plugin_buffer_t* src,
                              uint64_t src_offset, void* dst, uint64_t size) {
  if (ahal_status_t st = make_room(s); st != AHAL_SUCCESS) return st;
  return append_command(s, "zeCommandListAppendMemoryCopy",
                        [&](const Signal& signal, uint32_t n, ze_event_handle_t* waits) {
                          return s->device->ze->zeCommandListAppendMemoryCopy(
                              s->list, dst, address(src, src_offset), size, signal.event, n, waits);
                        });
}

ahal_status_t stream_copy_d2d(ahal_plugin_stream_t* s, ahal_plugin_buffer_t* src,
                              uint64_t src_offset, ahal_plugin_buffer_t* dst, uint64_t dst_offset,
                              uint64_t size) {
  if (ahal_status_t st = make_room(s); st != AHAL_SUCCESS) return st;
  return append_command(s, "zeCommandListAppendMemoryCopy",
                        [&](const Signal& signal, uint32_t n, ze_event_handle_t* waits) {
                          return s->device->ze->zeCommandListAppendMemoryCopy(
                              s->list, address(dst, dst_offset), address(src, src_offset), size,
                              signal.event, n, waits);
                        });
}

ahal_status_t stream_fill(ahal_plugin_stream_t* s, ahal_plugin_buffer_t* buffer, uint64_t offset,
                          uint64_t size, uint32_t pattern, uint32_t pattern_size) {
  if (ahal_status_t st = make_room(s); st != AHAL_SUCCESS) return st;
  // The pattern's low bytes, in host order, are the bytes to repeat; the
  // stream keeps them until the fill ran.
  auto bytes = std::make_unique<uint32_t>(pattern);
  const void* pattern_ptr = bytes.get();
  return append_command(
      s, "zeCommandListAppendMemoryFill",
      [&](const Signal& signal, uint32_t n, ze_event_handle_t* waits) {
        return s->device->ze->zeCommandListAppendMemoryFill(s->list, address(buffer, offset),
                                                            pattern_ptr, pattern_size, size,
                                                            signal.event, n, waits);
      },
      {}, std::move(bytes));
}

ahal_status_t check_launch_arguments(const ahal_plugin_kernel_t* kernel,
                                     const ahal_plugin_launch_t* launch, bool* dynamic) {
  const bool constants = launch->constants_size > 0;
  const uint32_t without_local = launch->binding_count + (constants ? 1 : 0);
  const uint32_t args = kernel->properties.numKernelArgs;
  // Without metadata, a trailing argument beyond bindings and constants
  // is the dynamic local memory one.
  *dynamic = kernel->info ? (kernel->info->flags & AHAL_KERNEL_USES_DYNAMIC_SHARED) != 0
                          : args == without_local + 1;
  const uint32_t expected = without_local + (*dynamic ? 1 : 0);
  if (args != expected)
    return fail(AHAL_ERROR_INVALID_ARGUMENT,
                "the kernel takes " + std::to_string(args) + " arguments; the launch gives " +
                    std::to_string(expected) + " (" + std::to_string(launch->binding_count) +
                    " bindings" + (constants ? ", constants" : "") +
                    (*dynamic ? ", dynamic shared memory" : "") + ")");
  return AHAL_SUCCESS;
}

ahal_status_t set_launch_arguments(ahal_plugin_kernel_t* kernel, const ahal_plugin_launch_t* launch,
                                   bool dynamic) {
  ahal_plugin_device_t* dev = kernel->module->device;
  const Loader& ze = *dev->ze;
  for (uint32_t i = 0; i < launch->binding_count; ++i) {
    void* pointer = address(launch->bindings[i].buffer, launch->bindings[i].offset);
    ze_result_t r = ze.zeKernelSetArgumentValue(kernel->kernel, i, sizeof(pointer), &pointer);
    if (r != ZE_RESULT_SUCCESS)
      return ze_fail(dev, r, "zeKernelSetArgumentValue", "binding " + std::to_string(i));
  }
  uint32_t index = launch->binding_count;
  if (launch->constants_size > 0) {
    ze_result_t r = ze.zeKernelSetArgumentValue(kernel->kernel, index++, launch->constants_size,
                                                launch->constants);
    if (r != ZE_RESULT_SUCCESS) return ze_fail(dev, r, "zeKernelSetArgumentValue", "constants");
  }
  if (dynamic) {
    // Level Zero, like OpenCL, refuses a zero-sized local argument.
    size_t bytes = std::max<uint32_t>(launch->dynamic_shared_bytes, 4);
    ze_result_t r = ze.zeKernelSetArgumentValue(kernel->kernel, index, bytes, nullptr);
    if (r != ZE_RESULT_SUCCESS)
      return ze_fail(dev, r, "zeKernelSetArgumentValue", "dynamic shared memory");
  }
  ze_result_t r = ze.zeKernelSetGroupSize(kernel->kernel, launch->workgroup_size[0],
                                          launch->workgroup_size[1], launch->workgroup_size[2]);
  if (r != ZE_RESULT_SUCCESS)
    return ze_fail(dev, r, "zeKernelSetGroupSize",
                   std::to_string(launch->workgroup_size[0]) + "x" +
                       std::to_string(launch->workgroup_size[1]) + "x" +
                       std::to_string(launch->workgroup_size[2]));
  return AHAL_SUCCESS;
}

ahal_status_t stream_launch(ahal_plugin_stream_t* s, ahal_plugin_kernel_t* kernel,
                            const ahal_plugin_launch_t* launch) {
  bool dynamic = false;
  if (ahal_status_t st = check_launch_arguments(kernel, launch, &dynamic)) return st;
  if (ahal_status_t st = make_room(s); st != AHAL_SUCCESS) return st;
  std::lock_guard<std::mutex> launch_lock(kernel->launch_mutex);
  if (ahal_status_t st = set_launch_arguments(kernel, launch, dynamic)) return st;
  const ze_group_count_t groups{launch->grid[0], launch->grid[1], launch->grid[2]};
  // The append captures the arguments, so the kernel lock ends with it.
  return append_command(s, "zeCommandListAppendLaunchKernel",
                        [&](const Signal& signal, uint32_t n, ze_event_handle_t* waits) {
                          return s->device->ze->zeCommandListAppendLaunchKernel(
                              s->list, kernel->kernel, &groups, signal.event, n, waits);
                        });
}

ahal_status_t append_sequence(ahal_plugin_stream_t* s, const Sequence& body,
                              std::vector<SignalRef> keep) {
  if (ahal_status_t st = make_room(s); st != AHAL_SUCCESS) return st;
  SignalRef signal;
  if (ahal_status_t st = acquire_signal(s->device, &signal); st != AHAL_SUCCESS) return st;
  std::lock_guard<std::mutex> lock(s->mutex);
  retire(s);
  if (ahal_status_t st = body(s->last, signal)) return st;
  if (s->last) keep.push_back(s->last);
  s->pending.push_back({signal, std::move(keep), nullptr});
  s->last = std::move(signal);
  return AHAL_SUCCESS;
}

ahal_status_t stream_host_callback(ahal_plugin_stream_t* s, ahal_host_fn_t fn, void* user_data) {
  ahal_plugin_device_t* dev = s->device;
  if (ahal_status_t st = make_room(s); st != AHAL_SUCCESS) return st;
  // The host thread waits for the stream's work before this point, runs
  // fn, then signals `release`, which the barrier appended here (and so
  // all later work) waits on.
  SignalRef release;
  if (ahal_status_t st = acquire_signal(dev, &release); st != AHAL_SUCCESS) return st;
  SignalRef release_copy = release;
  // Queued under the stream lock, so callbacks queue in stream order.
  auto queue = [&](const SignalRef& previous, const SignalRef&) {
    std::lock_guard<std::mutex> lock(s->callback_mutex);
    s->callbacks.push_back({previous, release_copy, fn, user_data});
    if (!s->worker.joinable()) s->worker = std::thread(callback_worker, s);
  };
  ahal_status_t st = append_command(
      s, "zeCommandListAppendBarrier",
      [&](const Signal& signal, uint32_t n, ze_event_handle_t* waits) {
        return dev->ze->zeCommandListAppendBarrier(s->list, signal.event, n, waits);
      },
      {std::move(release)}, nullptr, queue);
  if (st == AHAL_SUCCESS) s->callback_cv.notify_one();
  return st;
}

ahal_status_t stream_record_event(ahal_plugin_stream_t* s, ahal_plugin_event_t* event) {
  ahal_plugin_device_t* dev = s->device;
  if (ahal_status_t st = make_room(s); st != AHAL_SUCCESS) return st;
  const Loader& ze = *dev->ze;
  auto recorded = [event](const SignalRef&, const SignalRef& signal) {
    std::lock_guard<std::mutex> lock(event->mutex);
    event->current = signal;
  };
  if (event->timing)
    return append_command(
        s, "zeCommandListAppendWriteGlobalTimestamp",
        [&](const Signal& signal, uint32_t n, ze_event_handle_t* waits) {
          // Written into the slot that belongs to this command's signal.
          return ze.zeCommandListAppendWriteGlobalTimestamp(s->list, signal.timestamp, signal.event,
                                                            n, waits);
        },
        {}, nullptr, recorded);
  return append_command(
      s, "zeCommandListAppendBarrier",
      [&](const Signal& signal, uint32_t n, ze_event_handle_t* waits) {
        return ze.zeCommandListAppendBarrier(s->list, signal.event, n, waits);
      },
      {}, nullptr, recorded);
}

ahal_status_t stream_wait_event(ahal_plugin_stream_t* s, ahal_plugin_event_t* event) {
  ahal_plugin_device_t* dev = s->device;
  SignalRef current;
  {
    std::lock_guard<std::mutex> lock(event->mutex);
    current = event->current;
  }
  if (!current || is_complete(dev, current)) return AHAL_SUCCESS;  // nothing to wait for
  if (ahal_status_t st = make_room(s); st != AHAL_SUCCESS) return st;
  return append_command(s, "zeCommandListAppendBarrier",
                        [&](const Signal& signal, uint32_t n, ze_event_handle_t* waits) {
                          return dev->ze->zeCommandListAppendBarrier(s->list, signal.event, n,
                                                                     waits);
                        },
                        {current});
}

ahal_status_t stream_synchronize(ahal_plugin_stream_t* s) {
  ahal_plugin_device_t* dev = s->device;
  SignalRef last;
  {
    std::lock_guard<std::mutex> lock(s->mutex);
    last = s->last;
  }
  if (!last) return AHAL_SUCCESS;
  AHAL_ZE_CALL(dev, dev->ze->zeEventHostSynchronize(last->event, UINT64_MAX));
  std::lock_guard<std::mutex> lock(s->mutex);
  retire(s);
  return AHAL_SUCCESS;
}

ahal_status_t stream_query(ahal_plugin_stream_t* s) {
  ahal_plugin_device_t* dev = s->device;
  SignalRef last;
  {
    std::lock_guard<std::mutex> lock(s->mutex);
    last = s->last;
  }
  if (!last) return AHAL_SUCCESS;
  ze_result_t r = dev->ze->zeEventQueryStatus(last->event);
  if (r == ZE_RESULT_SUCCESS) return AHAL_SUCCESS;
  if (r == ZE_RESULT_NOT_READY) return AHAL_NOT_READY;
  return ze_fail(dev, r, "zeEventQueryStatus");
}

}  // namespace ahal_ze
