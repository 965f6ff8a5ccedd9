// Events: the signal of their last record; timed records also wrote the
// device's global timestamp next to it.
#include "objects.hpp"

#include <memory>

namespace ahal_ze {

ahal_status_t event_create(ahal_plugin_device_t* dev, uint32_t flags,
                           ahal_plugin_event_t** out_event) {
  auto event = std::make_unique<ahal_plugin_event_t>();
  event->device = dev;
  event->timing = (flags & AHAL_EVENT_TIMING) != 0;
  *out_event = event.release();
  return AHAL_SUCCESS;
}

void event_destroy(ahal_plugin_event_t* event) { delete event; }

namespace {

SignalRef current_signal(ahal_plugin_event_t* event) {
  std::lock_guard<std::mutex> lock(event->mutex);
  return event->current;
}

}  // namespace

ahal_status_t event_query(ahal_plugin_event_t* event) {
  SignalRef current = current_signal(event);
  if (!current) return AHAL_SUCCESS;
  ze_result_t r = event->device->ze->zeEventQueryStatus(current->event);
  if (r == ZE_RESULT_SUCCESS) return AHAL_SUCCESS;
  if (r == ZE_RESULT_NOT_READY) return AHAL_NOT_READY;
  return ze_fail(event->device, r, "zeEventQueryStatus");
}

ahal_status_t event_wait(ahal_plugin_event_t* event, uint64_t timeout_ns) {
  SignalRef current = current_signal(event);
  if (!current) return AHAL_SUCCESS;
  // UINT64_MAX means "forever" to Level Zero as to ahal.
  ze_result_t r = event->device->ze->zeEventHostSynchronize(current->event, timeout_ns);
  if (r == ZE_RESULT_SUCCESS) return AHAL_SUCCESS;
  if (r == ZE_RESULT_NOT_READY)
    return fail(AHAL_ERROR_TIMEOUT,
                "the event did not complete within " + std::to_string(timeout_ns) + " ns");
  return ze_fail(event->device, r, "zeEventHostSynchronize");
}

ahal_status_t event_elapsed_ns(ahal_plugin_event_t* start, ahal_plugin_event_t* end,
                               uint64_t* out_ns) {
  ahal_plugin_device_t* dev = start->device;
  if (!start->timing || !end->timing)
    return fail(AHAL_ERROR_INVALID_ARGUMENT, "both events must be created with TIMING");
  SignalRef a = current_signal(start);
  SignalRef b = current_signal(end);
  if (!a || !b) return fail(AHAL_ERROR_INVALID_STATE, "both events must have been recorded");
  if (!is_complete(dev, a) || !is_complete(dev, b))
    return fail(AHAL_ERROR_INVALID_STATE, "an event has not completed yet");
  // The counter wraps at its valid bits; the masked difference is the
  // elapsed count while the interval is shorter than one wrap.
  uint64_t ticks = (*b->timestamp - *a->timestamp) & dev->timestamp_mask;
  *out_ns = static_cast<uint64_t>(static_cast<double>(ticks) * dev->ns_per_tick + 0.5);
  return AHAL_SUCCESS;
}

}  // namespace ahal_ze
