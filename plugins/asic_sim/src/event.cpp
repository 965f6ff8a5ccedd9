// Events: a Fence each, signalled on the device clock by the stream that
// recorded it.
#include "objects.hpp"

#include <chrono>
#include <memory>
#include <optional>
#include <string>

namespace asic_sim {

ahal_status_t event_create(ahal_plugin_device_t* device, uint32_t flags,
                           ahal_plugin_event_t** out_event) {
  *out_event =
      new ahal_plugin_event_s{device, (flags & AHAL_EVENT_TIMING) != 0, std::make_shared<Fence>()};
  return AHAL_SUCCESS;
}

void event_destroy(ahal_plugin_event_t* event) { delete event; }

ahal_status_t event_query(ahal_plugin_event_t* event) {
  return event->fence->reached(event->fence->last_armed()) ? AHAL_SUCCESS : AHAL_NOT_READY;
}

ahal_status_t event_wait(ahal_plugin_event_t* event, uint64_t timeout_ns) {
  uint64_t sequence = event->fence->last_armed();
  // Beyond a century counts as forever (and keeps the clock math in range).
  constexpr uint64_t kForever = uint64_t{1} << 62;
  if (timeout_ns >= kForever) {
    event->fence->wait(sequence);
  } else if (!event->fence->wait_for(sequence, std::chrono::nanoseconds(timeout_ns))) {
    throw Failure(AHAL_ERROR_TIMEOUT,
                  "the event did not complete within " + std::to_string(timeout_ns) + " ns");
  }
  return AHAL_SUCCESS;
}

ahal_status_t event_elapsed_ns(ahal_plugin_event_t* start, ahal_plugin_event_t* end,
                               uint64_t* out_ns) {
  if (!start->timing || !end->timing) {
    throw Failure(AHAL_ERROR_INVALID_ARGUMENT, std::string(!start->timing ? "start" : "end") +
                                                   " event was created without AHAL_EVENT_TIMING");
  }
  if (start->fence->last_armed() == 0 || end->fence->last_armed() == 0) {
    throw Failure(AHAL_ERROR_INVALID_STATE,
                  std::string(start->fence->last_armed() == 0 ? "start" : "end") +
                      " event was never recorded");
  }
  std::optional<uint64_t> t0 = start->fence->completion_time_ns();
  std::optional<uint64_t> t1 = end->fence->completion_time_ns();
  if (!t0 || !t1) return AHAL_NOT_READY;  // as event_query: still pending
  if (*t1 < *t0) {
    throw Failure(AHAL_ERROR_INVALID_STATE, "end event completed before start event");
  }
  *out_ns = *t1 - *t0;
  return AHAL_SUCCESS;
}

}  // namespace asic_sim
