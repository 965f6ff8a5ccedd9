// Events: HIP events, timing ones only when asked; HIP has no timed wait,
// so bounded waits poll.
#include "objects.hpp"

#include <ahal/plugin_wait.hpp>

#include <algorithm>
#include <cmath>
#include <memory>

namespace ahal_hip {

ahal_status_t event_create(ahal_plugin_device_t* dev, uint32_t flags,
                           ahal_plugin_event_t** out_event) {
  if (ahal_status_t st = activate(dev); st != AHAL_SUCCESS) return st;
  auto event = std::make_unique<ahal_plugin_event_t>();
  event->device = dev;
  event->timing = (flags & AHAL_EVENT_TIMING) != 0;
  AHAL_HIP_CALL(dev, dev->rt->hipEventCreateWithFlags(
                         &event->event, event->timing ? hipEventDefault : hipEventDisableTiming));
  *out_event = event.release();
  return AHAL_SUCCESS;
}

void event_destroy(ahal_plugin_event_t* event) {
  log_failure(event->device, event->device->rt->hipEventDestroy(event->event), "hipEventDestroy");
  delete event;
}

ahal_status_t event_query(ahal_plugin_event_t* event) {
  if (!event->recorded) return AHAL_SUCCESS;
  hipError_t err = event->device->rt->hipEventQuery(event->event);
  if (err == hipSuccess) return AHAL_SUCCESS;
  if (err == hipErrorNotReady) return AHAL_NOT_READY;
  return hip_fail(event->device, err, "hipEventQuery");
}

ahal_status_t event_wait(ahal_plugin_event_t* event, uint64_t timeout_ns) {
  if (!event->recorded) return AHAL_SUCCESS;
  const Runtime& rt = *event->device->rt;
  if (timeout_ns == UINT64_MAX) {
    AHAL_HIP_CALL(event->device, rt.hipEventSynchronize(event->event));
    return AHAL_SUCCESS;
  }
  // HIP has no timed wait.
  return ahal::plugin::wait_polling(timeout_ns, [&] {
    const hipError_t err = rt.hipEventQuery(event->event);
    if (err == hipErrorNotReady) return AHAL_NOT_READY;
    return err == hipSuccess ? AHAL_SUCCESS : hip_fail(event->device, err, "hipEventQuery");
  });
}

ahal_status_t event_elapsed_ns(ahal_plugin_event_t* start, ahal_plugin_event_t* end,
                               uint64_t* out_ns) {
  ahal_plugin_device_t* dev = start->device;
  if (!start->timing || !end->timing)
    return fail(AHAL_ERROR_INVALID_ARGUMENT, "both events must be created with TIMING");
  if (!start->recorded || !end->recorded)
    return fail(AHAL_ERROR_INVALID_STATE, "both events must have been recorded");
  float ms = 0.0f;
  hipError_t err = dev->rt->hipEventElapsedTime(&ms, start->event, end->event);
  if (err == hipErrorNotReady)
    return fail(AHAL_ERROR_INVALID_STATE, "an event has not completed yet");
  if (err != hipSuccess) return hip_fail(dev, err, "hipEventElapsedTime");
  if (ms < 0.0f)
    return fail(AHAL_ERROR_INVALID_ARGUMENT, "the end event completed before the start event");
  *out_ns = static_cast<uint64_t>(std::llround(static_cast<double>(ms) * 1e6));
  return AHAL_SUCCESS;
}

}  // namespace ahal_hip
