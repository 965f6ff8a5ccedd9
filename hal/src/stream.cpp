// Streams and everything enqueued on them. The enqueue paths are hot: the
// checks of enqueue_checks.hpp, then the plugin; no locks, no heap
// allocation.
#include <thread>

#include "enqueue_checks.hpp"
#include "host_services.hpp"
#include "internal.hpp"
#include "layers.hpp"
#include "peer.hpp"

namespace ahal {

ahal_status_t release_stream(Stream* s, const char* fn) {
  Device* d = s->device;
  handles().remove(s->handle);
  while (s->pins.load(std::memory_order_acquire) != 0) std::this_thread::yield();
  ahal_status_t status = entry::stream_synchronize(fn, *d->plugin, s->object);
  entry::stream_destroy(fn, *d->plugin, s->object);
  delete s;
  return status;
}

// The loader's own work for each call that takes a stream: checks, then
// the plugin. Hot: a few handle lookups and range checks, no locks, no
// heap allocation; messages are only built on failure.
namespace base {

ahal_status_t stream_create(const char* fn, Device* d, const ahal_stream_args_t* args,
                            ahal_stream_t* out_stream) {
  if (!out_stream) return fail(AHAL_ERROR_INVALID_ARGUMENT, fn, "out_stream is NULL");
  ahal_stream_args_t a = {};
  a.struct_size = sizeof(a);
  if (args) {
    if (ahal_status_t s = check_struct_size(fn, "ahal_stream_args_t", args->struct_size,
                                            AHAL_END_OF(ahal_stream_args_t, priority)))
      return s;
    a.flags = args->flags;
    a.priority = args->priority;
  }
  if (a.flags)
    return fail(AHAL_ERROR_INVALID_ARGUMENT, fn, "args->flags 0x%x: no flags are defined, pass 0",
                a.flags);
  auto* s = new (std::nothrow) Stream;
  if (!s) return fail(AHAL_ERROR_OUT_OF_HOST_MEMORY, fn, "out of host memory");
  s->device = d;
  ahal_status_t st = entry::stream_create(fn, *d->plugin, d->object, &a, &s->object);
  if (st == AHAL_SUCCESS && !s->object)
    st = fail(AHAL_ERROR_PLUGIN, fn, "%s returned success without a stream",
              d->plugin->name.c_str());
  if (st == AHAL_SUCCESS) st = register_handle(fn, s, HandleType::kStream);
  if (st == AHAL_SUCCESS) {
    try {
      std::lock_guard<std::mutex> lock(d->mutex);
      d->streams.insert(s);
    } catch (const std::bad_alloc&) {
      st = fail(AHAL_ERROR_OUT_OF_HOST_MEMORY, fn, "out of host memory");
    }
  }
  if (st != AHAL_SUCCESS) {
    if (s->handle) handles().remove(s->handle);
    if (s->object) entry::stream_destroy(fn, *d->plugin, s->object);
    delete s;
    return st;
  }
  *out_stream = to_handle<ahal_stream_t>(s->handle);
  return AHAL_SUCCESS;
}

ahal_status_t stream_destroy(const char* fn, Stream* s) {
  if (!unregister(to_handle<ahal_stream_t>(s->handle)))
    return invalid_handle(fn, to_handle<ahal_stream_t>(s->handle), HandleType::kStream);
  {
    std::lock_guard<std::mutex> lock(s->device->mutex);
    s->device->streams.erase(s);
  }
  return release_stream(s, fn);
}

ahal_status_t stream_copy_h2d(const char* fn, Stream* s, const void* src, ahal_buffer_t dst,
                              uint64_t dst_offset, uint64_t size) {
  Device* const d = s->device;
  Buffer* b = nullptr;
  if (ahal_status_t st = check_copy_h2d(fn, d, "stream", src, dst, dst_offset, size, &b)) return st;
  if (size == 0) return AHAL_SUCCESS;
  b->users.note(s);
  return entry::stream_copy_h2d(fn, *d->plugin, s->object, src, b->object, dst_offset, size);
}

ahal_status_t stream_copy_d2h(const char* fn, Stream* s, ahal_buffer_t src, uint64_t src_offset,
                              void* dst, uint64_t size) {
  Device* const d = s->device;
  Buffer* b = nullptr;
  if (ahal_status_t st = check_copy_d2h(fn, d, "stream", src, src_offset, dst, size, &b)) return st;
  if (size == 0) return AHAL_SUCCESS;
  b->users.note(s);
  return entry::stream_copy_d2h(fn, *d->plugin, s->object, b->object, src_offset, dst, size);
}

ahal_status_t stream_copy_d2d(const char* fn, Stream* s, ahal_buffer_t src, uint64_t src_offset,
                              ahal_buffer_t dst, uint64_t dst_offset, uint64_t size) {
  Device* const d = s->device;
  Buffer *from = nullptr, *to = nullptr;
  if (ahal_status_t st =
          check_copy_d2d(fn, d, "stream", src, src_offset, dst, dst_offset, size, &from, &to))
    return st;
  if (size == 0) return AHAL_SUCCESS;
  from->users.note(s);
  to->users.note(s);
  return entry::stream_copy_d2d(fn, *d->plugin, s->object, from->object, src_offset, to->object,
                                dst_offset, size);
}

ahal_status_t stream_fill(const char* fn, Stream* s, ahal_buffer_t buffer, uint64_t offset,
                          uint64_t size, const void* pattern, uint32_t pattern_size) {
  Device* const d = s->device;
  Buffer* b = nullptr;
  uint32_t value = 0;
  if (ahal_status_t st =
          check_fill(fn, d, "stream", buffer, offset, size, pattern, pattern_size, &b, &value))
    return st;
  if (size == 0) return AHAL_SUCCESS;
  b->users.note(s);
  return entry::stream_fill(fn, *d->plugin, s->object, b->object, offset, size, value,
                            pattern_size);
}

ahal_status_t stream_launch(const char* fn, Stream* s, ahal_kernel_t kernel,
                            const ahal_launch_args_t* args) {
  Device* const d = s->device;
  const Kernel* k = nullptr;
  ahal_plugin_binding_t bindings[AHAL_MAX_BINDINGS];
  ahal_plugin_launch_t launch;
  if (ahal_status_t st = check_launch(fn, d, "stream", kernel, args, &k, bindings, &launch, s))
    return st;
  k->users.note(s);
  return entry::stream_launch(fn, *d->plugin, s->object, k->object, &launch);
}

ahal_status_t stream_host_callback(const char* fn, Stream* s, ahal_host_fn_t callback,
                                   void* user_data) {
  Device* const d = s->device;
  if (!callback) return fail(AHAL_ERROR_INVALID_ARGUMENT, fn, "fn is NULL");
  return entry::stream_host_callback(fn, *d->plugin, s->object, callback, user_data);
}

ahal_status_t stream_record_event(const char* fn, Stream* s, ahal_event_t event) {
  Device* const d = s->device;
  Event* e = nullptr;
  if (ahal_status_t st = check_event(fn, d, "stream", event, &e)) return st;
  e->users.note(s);
  ahal_status_t st = entry::stream_record_event(fn, *d->plugin, s->object, e->object);
  if (st == AHAL_SUCCESS && !e->recorded.load(std::memory_order_relaxed))
    e->recorded.store(true, std::memory_order_release);
  return st;
}

ahal_status_t stream_wait_event(const char* fn, Stream* s, ahal_event_t event) {
  Device* const d = s->device;
  Event* e = get(event);
  if (AHAL_UNLIKELY(!e)) return invalid_handle(fn, event, HandleType::kEvent);
  if (AHAL_UNLIKELY(e->device != d)) {
    if (e->device->runtime != d->runtime) return other_device(fn, "event", e->device, d, "stream");
    return wait_other_device(fn, s, e);
  }
  e->users.note(s);
  return entry::stream_wait_event(fn, *d->plugin, s->object, e->object);
}

ahal_status_t stream_synchronize(const char* fn, Stream* s) {
  Device* const d = s->device;
  return entry::stream_synchronize(fn, *d->plugin, s->object);
}

ahal_status_t stream_query(const char* fn, Stream* s) {
  Device* const d = s->device;
  return entry::stream_query(fn, *d->plugin, s->object);
}

}  // namespace base
}  // namespace ahal

#include "generated/stream_entries.inc"
