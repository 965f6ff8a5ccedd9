// Events: the marker of their last record (a cl_event), queried, waited
// for and timed.
#include "objects.hpp"

#include <ahal/plugin_wait.hpp>

#include "cl_errors.hpp"

using ahal_opencl::cl;

cl_event ahal_plugin_event_s::current() {
  std::lock_guard<std::mutex> lock(mutex);
  if (event) cl.RetainEvent(event);
  return event;
}

namespace ahal_opencl {

// Work that failed on the device (a negative execution status, or the error
// clFinish reports for it) leaves the device unusable: DEVICE_LOST, with
// the CL error named.
ahal_status_t device_failed(cl_int error, const char* what) {
  return fail(
      error == CL_OUT_OF_HOST_MEMORY ? AHAL_ERROR_OUT_OF_HOST_MEMORY : AHAL_ERROR_DEVICE_LOST,
      std::string(what) + " failed on the device: " + cl_error_name(error) + " (" +
          std::to_string(error) + ")");
}

// Status of one event: success, not ready, or the failure that ended it.
ahal_status_t event_status(cl_event event) {
  cl_int status = CL_COMPLETE;
  cl_int err =
      cl.GetEventInfo(event, CL_EVENT_COMMAND_EXECUTION_STATUS, sizeof(status), &status, nullptr);
  if (err != CL_SUCCESS) return fail_cl(err, "clGetEventInfo");
  if (status == CL_COMPLETE) return AHAL_SUCCESS;
  if (status < 0) return device_failed(status, "a command before this point");
  return AHAL_NOT_READY;
}

ahal_status_t event_create(ahal_plugin_device_t* device, uint32_t flags,
                           ahal_plugin_event_t** out_event) {
  auto event = std::make_unique<ahal_plugin_event_s>();
  event->device = device;
  event->flags = flags;
  *out_event = event.release();
  return AHAL_SUCCESS;
}

void event_destroy(ahal_plugin_event_t* event) {
  if (event->event) cl.ReleaseEvent(event->event);
  delete event;
}

ahal_status_t event_query(ahal_plugin_event_t* event) {
  cl_event ev = event->current();
  if (!ev) return AHAL_SUCCESS;
  ahal_status_t status = event_status(ev);
  cl.ReleaseEvent(ev);
  return status;
}

// clWaitForEvents has no timeout: a bounded wait polls.
ahal_status_t event_wait(ahal_plugin_event_t* event, uint64_t timeout_ns) {
  cl_event ev = event->current();
  if (!ev) return AHAL_SUCCESS;
  ahal_status_t status;
  if (timeout_ns == UINT64_MAX) {
    cl_int err = cl.WaitForEvents(1, &ev);
    status = err == CL_SUCCESS ? AHAL_SUCCESS
             : err == CL_EXEC_STATUS_ERROR_FOR_EVENTS_IN_WAIT_LIST
                 ? event_status(ev)
                 : fail_cl(err, "clWaitForEvents");
  } else {
    status = ahal::plugin::wait_polling(timeout_ns, [&] { return event_status(ev); });
  }
  cl.ReleaseEvent(ev);
  return status;
}

ahal_status_t event_elapsed_ns(ahal_plugin_event_t* start, ahal_plugin_event_t* end,
                               uint64_t* out_ns) {
  cl_event events[2] = {start->current(), end->current()};
  ahal_status_t status = AHAL_SUCCESS;
  cl_ulong stamps[2] = {0, 0};
  for (int i = 0; i < 2 && status == AHAL_SUCCESS; ++i) {
    if (!events[i]) {
      status = fail(AHAL_ERROR_INVALID_STATE,
                    std::string(i ? "end" : "start") + " event was never recorded");
      break;
    }
    status = event_status(events[i]);
    if (status == AHAL_NOT_READY) {
      status = fail(AHAL_ERROR_INVALID_STATE,
                    std::string(i ? "end" : "start") + " event has not completed");
      break;
    }
    if (status != AHAL_SUCCESS) break;
    // A marker's END is when the work before it was done.
    cl_int err = cl.GetEventProfilingInfo(events[i], CL_PROFILING_COMMAND_END, sizeof(cl_ulong),
                                          &stamps[i], nullptr);
    if (err != CL_SUCCESS) status = fail_cl(err, "clGetEventProfilingInfo");
  }
  for (cl_event ev : events) {
    if (ev) cl.ReleaseEvent(ev);
  }
  if (status != AHAL_SUCCESS) return status;
  if (stamps[1] < stamps[0]) {
    return fail(AHAL_ERROR_INVALID_ARGUMENT, "the end event completed before the start event");
  }
  *out_ns = stamps[1] - stamps[0];
  return AHAL_SUCCESS;
}

}  // namespace ahal_opencl
