// Events: CUDA events, timing ones only when asked (a timestamp per record
// costs); bounded waits poll.
#include "objects.hpp"

#include <ahal/plugin_wait.hpp>

#include <algorithm>
#include <cinttypes>

namespace ahal_cuda {

ahal_status_t event_create(ahal_plugin_device_t* d, uint32_t flags,
                           ahal_plugin_event_t** out_event) {
  const bool timing = (flags & AHAL_EVENT_TIMING) != 0;
  auto e = std::make_unique<ahal_plugin_event_t>();
  e->device = d;
  e->timing = timing;
  AHAL_MAKE_CURRENT(d);
  // Timing costs a timestamp per record; only events that ask for it pay.
  AHAL_CU_CHECK(
      d, d->drv().cuEventCreate(&e->event, timing ? CU_EVENT_DEFAULT : CU_EVENT_DISABLE_TIMING),
      "cuEventCreate(%s)", timing ? "timing" : "no timing");
  *out_event = e.release();
  return AHAL_SUCCESS;
}

void event_destroy(ahal_plugin_event_t* e) {
  ahal_plugin_device_t* d = e->device;
  if (make_current(d) == CUDA_SUCCESS) {
    const CUresult result = d->drv().cuEventDestroy(e->event);
    if (result != CUDA_SUCCESS) log_failure(d, "cuEventDestroy", result);
  }
  delete e;
}

ahal_status_t event_query(ahal_plugin_event_t* e) {
  ahal_plugin_device_t* d = e->device;
  AHAL_MAKE_CURRENT(d);
  const CUresult result = d->drv().cuEventQuery(e->event);
  if (result == CUDA_SUCCESS) return AHAL_SUCCESS;
  if (result == CUDA_ERROR_NOT_READY) return AHAL_NOT_READY;
  return cu_fail(d, result, "cuEventQuery");
}

ahal_status_t event_wait(ahal_plugin_event_t* e, uint64_t timeout_ns) {
  ahal_plugin_device_t* d = e->device;
  const Driver& drv = d->drv();
  AHAL_MAKE_CURRENT(d);
  if (timeout_ns == UINT64_MAX) {
    AHAL_CU_CHECK(d, drv.cuEventSynchronize(e->event), "cuEventSynchronize");
    return AHAL_SUCCESS;
  }
  return ahal::plugin::wait_polling(timeout_ns, [&] {
    const CUresult result = drv.cuEventQuery(e->event);
    if (result == CUDA_ERROR_NOT_READY) return AHAL_NOT_READY;
    return result == CUDA_SUCCESS ? AHAL_SUCCESS : cu_fail(d, result, "cuEventQuery");
  });
}

ahal_status_t event_elapsed_ns(ahal_plugin_event_t* start, ahal_plugin_event_t* end,
                               uint64_t* out_ns) {
  ahal_plugin_device_t* d = start->device;
  if (!start->timing || !end->timing)
    return fail(AHAL_ERROR_INVALID_ARGUMENT, "both events need AHAL_EVENT_TIMING for elapsed time");
  if (!start->recorded.load(std::memory_order_acquire) ||
      !end->recorded.load(std::memory_order_acquire))
    return fail(AHAL_ERROR_INVALID_STATE, "an event was never recorded");
  AHAL_MAKE_CURRENT(d);
  float ms = 0.0f;
  const CUresult result = d->drv().cuEventElapsedTime(&ms, start->event, end->event);
  if (result == CUDA_ERROR_NOT_READY)
    return fail(AHAL_ERROR_INVALID_STATE, "an event has not completed yet");
  AHAL_CU_CHECK(d, result, "cuEventElapsedTime");
  if (ms < 0.0f)
    return fail(AHAL_ERROR_INVALID_STATE, "the end event completed before the start event");
  *out_ns = static_cast<uint64_t>(static_cast<double>(ms) * 1e6 + 0.5);
  return AHAL_SUCCESS;
}

}  // namespace ahal_cuda
