// Events: completion markers recorded on streams, optionally timed.
#include "host_services.hpp"
#include "internal.hpp"
#include "layers.hpp"

namespace ahal {

void release_event(Event* e) {
  Device* d = e->device;
  handles().remove(e->handle);
  entry::event_destroy("ahal_event_destroy", *d->plugin, e->object);
  delete e;
}

namespace base {

ahal_status_t event_create(const char* fn, Device* d, uint32_t flags, ahal_event_t* out_event) {
  if (!out_event) return fail(AHAL_ERROR_INVALID_ARGUMENT, fn, "out_event is NULL");
  if (flags & ~uint32_t(AHAL_EVENT_TIMING))
    return fail(AHAL_ERROR_INVALID_ARGUMENT, fn, "flags 0x%x has unknown bits 0x%x", flags,
                flags & ~uint32_t(AHAL_EVENT_TIMING));
  if ((flags & AHAL_EVENT_TIMING) && !(d->properties.features & AHAL_FEATURE_TIMESTAMPS))
    return fail(AHAL_ERROR_UNSUPPORTED, fn, "device %s has no timestamps (AHAL_FEATURE_TIMESTAMPS)",
                d->properties.selector);
  auto* e = new (std::nothrow) Event;
  if (!e) return fail(AHAL_ERROR_OUT_OF_HOST_MEMORY, fn, "out of host memory");
  e->device = d;
  e->flags = flags;
  ahal_status_t s = entry::event_create(fn, *d->plugin, d->object, flags, &e->object);
  if (s == AHAL_SUCCESS && !e->object)
    s = fail(AHAL_ERROR_PLUGIN, fn, "%s returned success without an event",
             d->plugin->name.c_str());
  if (s == AHAL_SUCCESS) s = register_handle(fn, e, HandleType::kEvent);
  if (s == AHAL_SUCCESS) {
    try {
      std::lock_guard<std::mutex> lock(d->mutex);
      d->events.insert(e);
    } catch (const std::bad_alloc&) {
      s = fail(AHAL_ERROR_OUT_OF_HOST_MEMORY, fn, "out of host memory");
    }
  }
  if (s != AHAL_SUCCESS) {
    if (e->handle) handles().remove(e->handle);
    if (e->object) entry::event_destroy(fn, *d->plugin, e->object);
    delete e;
    return s;
  }
  *out_event = to_handle<ahal_event_t>(e->handle);
  return AHAL_SUCCESS;
}

ahal_status_t event_elapsed_ns(const char* fn, Event* a, ahal_event_t end, uint64_t* out_ns) {
  Event* b = get(end);
  if (!b) return invalid_handle(fn, end, HandleType::kEvent);
  if (!out_ns) return fail(AHAL_ERROR_INVALID_ARGUMENT, fn, "out_ns is NULL");
  if (a->device != b->device) {
    const DevicePair names = device_names(a->device, b->device);
    return fail(AHAL_ERROR_INVALID_ARGUMENT, fn, "start belongs to device %s, end to %s",
                names.first.c_str(), names.second.c_str());
  }
  if (!(a->flags & AHAL_EVENT_TIMING) || !(b->flags & AHAL_EVENT_TIMING))
    return fail(AHAL_ERROR_INVALID_ARGUMENT, fn, "%s was not created with AHAL_EVENT_TIMING",
                (a->flags & AHAL_EVENT_TIMING) ? "end" : "start");
  if (!a->recorded.load(std::memory_order_acquire) || !b->recorded.load(std::memory_order_acquire))
    return fail(AHAL_ERROR_INVALID_STATE, fn, "%s was never recorded",
                a->recorded.load() ? "end" : "start");
  Device* d = a->device;
  uint64_t ns = 0;
  if (ahal_status_t s = entry::event_elapsed_ns(fn, *d->plugin, a->object, b->object, &ns))
    return s;
  *out_ns = ns;
  return AHAL_SUCCESS;
}

ahal_status_t event_destroy(const char* fn, Event* e) {
  if (const uint32_t refs = e->command_refs.load(std::memory_order_relaxed))
    return fail(AHAL_ERROR_INVALID_STATE, fn,
                "%s is used by %u command(s) of command buffers; destroy those command buffers "
                "first (docs/command-buffers.md)",
                "the event", refs);
  if (const uint32_t waits = e->host_waits.load(std::memory_order_acquire))
    return fail(AHAL_ERROR_INVALID_STATE, fn,
                "%u staged wait(s) of other devices' streams still wait for the event "
                "(ahal_stream_wait_event across devices); synchronize those streams first",
                waits);
  if (!unregister(to_handle<ahal_event_t>(e->handle)))
    return invalid_handle(fn, to_handle<ahal_event_t>(e->handle), HandleType::kEvent);
  {
    std::lock_guard<std::mutex> lock(e->device->mutex);
    e->device->events.erase(e);
  }
  wait_for_users(fn, e->device, e->users.get());
  release_event(e);
  return AHAL_SUCCESS;
}

ahal_status_t event_query(const char* fn, Event* e) {
  if (!e->recorded.load(std::memory_order_acquire)) return AHAL_SUCCESS;
  Device* d = e->device;
  return entry::event_query(fn, *d->plugin, e->object);
}

ahal_status_t event_wait(const char* fn, Event* e, uint64_t timeout_ns) {
  if (!e->recorded.load(std::memory_order_acquire)) return AHAL_SUCCESS;
  Device* d = e->device;
  return entry::event_wait(fn, *d->plugin, e->object, timeout_ns);
}

}  // namespace base
}  // namespace ahal

#include "generated/event_entries.inc"
