// The thread that enqueues a stream's deferred command-buffer submissions
// (objects.hpp, ReplayThread).
#include "objects.hpp"

#include "cl_errors.hpp"

using ahal_opencl::cl;

namespace ahal_opencl {
namespace {

// The replay's last command ran (or failed): release the stream's work
// held behind the gate.
void CL_CALLBACK open_gate_after(cl_event end, cl_int status, void* gate) {
  if (status < 0) {
    log(AHAL_LOG_ERROR, "a command of a command buffer failed (status " + std::to_string(status) +
                            "); the stream goes on");
  }
  cl.SetUserEventStatus(static_cast<cl_event>(gate), CL_COMPLETE);
  cl.ReleaseEvent(static_cast<cl_event>(gate));
  cl.ReleaseEvent(end);
}

}  // namespace

ReplayThread::ReplayThread(cl_command_queue queue) : queue_(queue), thread_([this] { run(); }) {}

ReplayThread::~ReplayThread() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  wake_.notify_one();
  thread_.join();
  cl.Finish(queue_);
  cl.ReleaseCommandQueue(queue_);
}

void ReplayThread::post(const Job& job) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    jobs_.push_back(job);
  }
  wake_.notify_one();
}

ahal_status_t ReplayThread::take_error() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (error_ == CL_SUCCESS) return AHAL_SUCCESS;
  const cl_int err = error_;
  error_ = CL_SUCCESS;
  return fail_cl(err, error_call_, error_what_);
}

void ReplayThread::run() {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return stop_ || !jobs_.empty(); });
    if (jobs_.empty()) return;
    const Job job = jobs_.front();
    jobs_.pop_front();
    lock.unlock();
    replay(job);
    lock.lock();
  }
}

void ReplayThread::replay(const Job& job) {
  // After the submission's place on the stream, then the commands in order
  // (the queue is in order), then the end that opens the gate.
  uint32_t failed = 0;
  const char* call = "clEnqueueBarrierWithWaitList";
  std::string what;
  cl_int err = cl.EnqueueBarrierWithWaitList(queue_, 1, &job.start, nullptr);
  if (err != CL_SUCCESS) {
    what = "the start of a command buffer submission";
  } else {
    err = enqueue_prepared(job.cb, queue_, &failed, &call);
    what = "command " + std::to_string(failed) + " of a command buffer submission";
  }
  cl.ReleaseEvent(job.start);
  if (err != CL_SUCCESS) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (error_ == CL_SUCCESS) {
      error_ = err;
      error_call_ = call;
      error_what_ = what;
    }
  }
  // The gate opens after whatever was enqueued, even after a failure, so
  // the stream never hangs on it.
  cl_event end = nullptr;
  err = cl.EnqueueMarkerWithWaitList(queue_, 0, nullptr, &end);
  if (err == CL_SUCCESS) err = cl.SetEventCallback(end, CL_COMPLETE, open_gate_after, job.gate);
  if (err != CL_SUCCESS) {
    if (end) {
      cl.Finish(queue_);
      cl.ReleaseEvent(end);
    }
    cl.SetUserEventStatus(job.gate, CL_COMPLETE);
    cl.ReleaseEvent(job.gate);
  }
  cl.Flush(queue_);
  replay_finished(job.cb);
}

}  // namespace ahal_opencl
