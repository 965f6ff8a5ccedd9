// Streams (one in-order command queue each): copies, fills, launches, host
// callbacks, and event records and waits (cl_event markers).
//
// Profiling: a queue with CL_QUEUE_PROFILING_ENABLE stamps every command,
// which costs launch time on some drivers. A stream therefore starts on a
// queue without profiling and moves to a profiling queue the first time a
// TIMING event is recorded on it: the new queue's first command is a barrier
// on a marker at the end of the old queue, so order is kept, and the old
// queue is released when the stream is destroyed. Streams that never time
// anything enqueue exactly as a native OpenCL program does.
#include "objects.hpp"

#include "cl_errors.hpp"

#include <algorithm>
#include <chrono>
#include <thread>

using ahal_opencl::cl;

void ahal_plugin_stream_s::set_tail(cl_event event) {
  cl.RetainEvent(event);
  if (tail) cl.ReleaseEvent(tail);
  tail = event;
  tail_at = commands;
}

cl_int ahal_plugin_stream_s::close_gate() {
  if (!open_gate) return CL_SUCCESS;
  cl_event barrier = nullptr;
  cl_int err = cl.EnqueueBarrierWithWaitList(queue, 1, &open_gate, &barrier);
  cl.ReleaseEvent(open_gate);
  open_gate = nullptr;
  if (err != CL_SUCCESS) return err;
  ++commands;
  set_tail(barrier);
  cl.ReleaseEvent(barrier);
  return CL_SUCCESS;
}

namespace ahal_opencl {
namespace {

using Lock = std::lock_guard<std::mutex>;

// Takes the stream's lock and closes its open gate (a run of host
// callbacks) before the caller enqueues: fails like the barrier would.
#define AHAL_CL_STREAM_LOCK(lock, stream)       \
  Lock lock((stream)->mutex);                   \
  if (cl_int gate_err = (stream)->close_gate()) \
  return fail_cl(gate_err, "clEnqueueBarrierWithWaitList", "after host callbacks")

// Moves the stream to a profiling queue; the caller holds stream->mutex.
ahal_status_t switch_to_profiling(ahal_plugin_stream_t* stream) {
  ahal_plugin_device_t* device = stream->device;
  if (!device->profiling) {
    return fail(AHAL_ERROR_UNSUPPORTED, "the device has no profiling queues, so no TIMING events");
  }
  cl_command_queue queue = nullptr;
  cl_int err = create_queue(device, true, stream->priority, &queue);
  if (err != CL_SUCCESS) return fail_cl(err, "clCreateCommandQueue", "profiling queue");
  cl_event old_end = nullptr;
  err = cl.EnqueueMarkerWithWaitList(stream->queue, 0, nullptr, &old_end);
  if (err == CL_SUCCESS) {
    err = cl.EnqueueBarrierWithWaitList(queue, 1, &old_end, nullptr);
    cl.Flush(stream->queue);
    cl.ReleaseEvent(old_end);
  }
  if (err != CL_SUCCESS) {
    cl.ReleaseCommandQueue(queue);
    return fail_cl(err, "clEnqueueBarrierWithWaitList", "joining the profiling queue");
  }
  stream->commands += 2;
  stream->retired.push_back(stream->queue);
  stream->queue = queue;
  stream->profiling = true;
  return AHAL_SUCCESS;
}

struct CallbackData {
  CallbackThread* thread;
  CallbackThread::Job job;
};

// OpenCL's callback only hands the job to the stream's callback thread.
void CL_CALLBACK post_host_callback(cl_event marker, cl_int status, void* data) {
  auto* cb = static_cast<CallbackData*>(data);
  if (status < 0) {
    log(AHAL_LOG_ERROR, "work before a host callback failed (status " + std::to_string(status) +
                            "); running the callback anyway");
  }
  cb->thread->post(cb->job);
  cl.ReleaseEvent(marker);
  delete cb;
}

}  // namespace

CallbackThread::CallbackThread() : thread_([this] { run(); }) {}

CallbackThread::~CallbackThread() {
  {
    Lock lock(mutex_);
    stop_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void CallbackThread::post(const Job& job) {
  {
    Lock lock(mutex_);
    jobs_.emplace(job.seq, job);
  }
  wake_.notify_one();
}

void CallbackThread::run() {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    // stream_destroy finishes the queue first, so at stop_ every job that
    // will come has come.
    wake_.wait(lock, [this] { return (stop_ && jobs_.empty()) || jobs_.count(next_); });
    if (!jobs_.count(next_)) return;
    Job job = jobs_[next_];
    jobs_.erase(next_++);
    lock.unlock();
    if (job.fn) {
      job.fn(job.user_data);
      cl.SetUserEventStatus(job.gate, CL_COMPLETE);
      cl.ReleaseEvent(job.gate);
    }
    lock.lock();
  }
}

ahal_status_t stream_create(ahal_plugin_device_t* device, const ahal_stream_args_t* args,
                            ahal_plugin_stream_t** out_stream) {
  auto stream = std::make_unique<ahal_plugin_stream_s>();
  stream->device = device;
  if (args && AHAL_PLUGIN_HAS_FIELD(args, ahal_stream_args_t, priority)) {
    stream->priority = args->priority;
  }
  cl_int err = create_queue(device, false, stream->priority, &stream->queue);
  if (err != CL_SUCCESS) return fail_cl(err, "clCreateCommandQueue");
  *out_stream = stream.release();
  return AHAL_SUCCESS;
}

void stream_destroy(ahal_plugin_stream_t* stream) {
  stream->close_gate();
  cl.Finish(stream->queue);  // every command-buffer job is enqueued and has run
  stream->replays.reset();
  stream->callbacks.reset();
  if (stream->tail) cl.ReleaseEvent(stream->tail);
  cl.ReleaseCommandQueue(stream->queue);
  for (cl_command_queue queue : stream->retired) cl.ReleaseCommandQueue(queue);
  delete stream;
}

// Copies never block the host: ahal.h makes the caller keep host memory
// valid until the stream passes the copy, as OpenCL's non-blocking reads and
// writes require, for pinned and pageable memory alike.
ahal_status_t stream_copy_h2d(ahal_plugin_stream_t* stream, const void* src,
                              ahal_plugin_buffer_t* dst, uint64_t dst_offset, uint64_t size) {
  if (size == 0) return AHAL_SUCCESS;
  AHAL_CL_STREAM_LOCK(lock, stream);
  ++stream->commands;
  cl_int err = cl.EnqueueWriteBuffer(stream->queue, dst->mem, CL_FALSE, dst_offset, size, src, 0,
                                     nullptr, nullptr);
  return err == CL_SUCCESS ? AHAL_SUCCESS : fail_cl(err, "clEnqueueWriteBuffer");
}

ahal_status_t stream_copy_d2h(ahal_plugin_stream_t* stream, ahal_plugin_buffer_t* src,
                              uint64_t src_offset, void* dst, uint64_t size) {
  if (size == 0) return AHAL_SUCCESS;
  AHAL_CL_STREAM_LOCK(lock, stream);
  ++stream->commands;
  cl_int err = cl.EnqueueReadBuffer(stream->queue, src->mem, CL_FALSE, src_offset, size, dst, 0,
                                    nullptr, nullptr);
  return err == CL_SUCCESS ? AHAL_SUCCESS : fail_cl(err, "clEnqueueReadBuffer");
}

ahal_status_t stream_copy_d2d(ahal_plugin_stream_t* stream, ahal_plugin_buffer_t* src,
                              uint64_t src_offset, ahal_plugin_buffer_t* dst, uint64_t dst_offset,
                              uint64_t size) {
  if (size == 0) return AHAL_SUCCESS;
  AHAL_CL_STREAM_LOCK(lock, stream);
  ++stream->commands;
  cl_int err = cl.EnqueueCopyBuffer(stream->queue, src->mem, dst->mem, src_offset, dst_offset, size,
                                    0, nullptr, nullptr);
  return err == CL_SUCCESS ? AHAL_SUCCESS : fail_cl(err, "clEnqueueCopyBuffer");
}

ahal_status_t stream_fill(ahal_plugin_stream_t* stream, ahal_plugin_buffer_t* buffer,
                          uint64_t offset, uint64_t size, uint32_t pattern, uint32_t pattern_size) {
  if (size == 0) return AHAL_SUCCESS;
  // The pattern is in the low bytes of `pattern` as a number; narrow it so
  // its bytes are in memory order on any host.
  uint8_t p8 = static_cast<uint8_t>(pattern);
  uint16_t p16 = static_cast<uint16_t>(pattern);
  const void* bytes = pattern_size == 1   ? static_cast<const void*>(&p8)
                      : pattern_size == 2 ? static_cast<const void*>(&p16)
                                          : static_cast<const void*>(&pattern);
  AHAL_CL_STREAM_LOCK(lock, stream);
  ++stream->commands;
  cl_int err = cl.EnqueueFillBuffer(stream->queue, buffer->mem, bytes, pattern_size, offset, size,
                                    0, nullptr, nullptr);
  return err == CL_SUCCESS ? AHAL_SUCCESS : fail_cl(err, "clEnqueueFillBuffer");
}

ahal_status_t stream_launch(ahal_plugin_stream_t* stream, ahal_plugin_kernel_t* kernel,
                            const ahal_plugin_launch_t* launch) {
  const ahal_kernel_attributes_t& attrs = kernel->attributes;
  // Arguments per docs/kernel-abi.md: buffers, constants if any, then the
  // __local pointer for dynamic shared memory. Without metadata, a trailing
  // argument beyond those is taken to be the __local one.
  cl_uint fixed = launch->binding_count + (launch->constants_size > 0 ? 1 : 0);
  bool dynamic_shared = attrs.has_metadata ? (attrs.flags & AHAL_KERNEL_USES_DYNAMIC_SHARED) != 0
                                           : kernel->arg_count == fixed + 1;
  cl_uint expected = fixed + (dynamic_shared ? 1 : 0);
  if (expected != kernel->arg_count) {
    return fail(AHAL_ERROR_INVALID_ARGUMENT,
                "kernel '" + kernel->name + "' takes " + std::to_string(kernel->arg_count) +
                    " arguments but the launch gives " + std::to_string(expected) + " (" +
                    std::to_string(launch->binding_count) + " bindings" +
                    (launch->constants_size ? ", constants" : "") +
                    (dynamic_shared ? ", dynamic shared memory" : "") + ")");
  }
  const uint64_t groups = ahal::plugin::workgroup_count(*launch);
  if (groups > stream->device->max_groups_per_launch) {
    return fail(AHAL_ERROR_OUT_OF_RANGE,
                "a grid of %ux%ux%u work-groups (%llu) exceeds the %llu work-groups %s runs in one "
                "launch",
                launch->grid[0], launch->grid[1], launch->grid[2],
                static_cast<unsigned long long>(groups),
                static_cast<unsigned long long>(stream->device->max_groups_per_launch),
                stream->device->props.name);
  }
  size_t global[3], local[3];
  cl_uint dims = 1;
  for (int i = 0; i < 3; ++i) {
    local[i] = launch->workgroup_size[i];
    global[i] = static_cast<size_t>(launch->grid[i]) * local[i];
    if (global[i] > 1) dims = static_cast<cl_uint>(i + 1);
  }

  // Enqueues of one cl_kernel may run concurrently; only setting its
  // arguments needs the kernel to ourselves until the enqueue took them.
  std::unique_lock<std::mutex> kernel_lock(kernel->mutex, std::defer_lock);
  if (kernel->arg_count > 0) kernel_lock.lock();
  // Sub-buffers made for this launch alone, released once it is enqueued.
  struct OwnedViews {
    cl_mem mems[AHAL_MAX_BINDINGS];
    uint32_t count = 0;
    ~OwnedViews() {
      for (uint32_t i = 0; i < count; ++i) cl.ReleaseMemObject(mems[i]);
    }
  } owned_views;
  cl_int err = CL_SUCCESS;
  for (uint32_t i = 0; i < launch->binding_count && err == CL_SUCCESS; ++i) {
    const ahal_plugin_binding_t& b = launch->bindings[i];
    cl_mem mem = nullptr;
    bool owned = false;
    err = b.buffer->view(b.offset, &mem, &owned);
    if (err != CL_SUCCESS) {
      return fail_cl(err, "clCreateSubBuffer",
                     "binding " + std::to_string(i) + " at offset " + std::to_string(b.offset));
    }
    if (owned) owned_views.mems[owned_views.count++] = mem;
    err = cl.SetKernelArg(kernel->kernel, i, sizeof(cl_mem), &mem);
  }
  cl_uint index = launch->binding_count;
  if (err == CL_SUCCESS && launch->constants_size > 0) {
    err = cl.SetKernelArg(kernel->kernel, index++, launch->constants_size, launch->constants);
  }
  // A __local argument must have a size; a launch without dynamic shared
  // bytes gets a token one.
  if (err == CL_SUCCESS && dynamic_shared) {
    err = cl.SetKernelArg(kernel->kernel, index,
                          std::max<size_t>(launch->dynamic_shared_bytes, sizeof(cl_uint)), nullptr);
  }
  if (err != CL_SUCCESS) return fail_cl(err, "clSetKernelArg", "kernel '" + kernel->name + "'");

  AHAL_CL_STREAM_LOCK(stream_lock, stream);
  ++stream->commands;
  err = cl.EnqueueNDRangeKernel(stream->queue, kernel->kernel, dims, nullptr, global, local, 0,
                                nullptr, nullptr);
  if (err != CL_SUCCESS) {
    return fail_cl(err, "clEnqueueNDRangeKernel",
                   "kernel '" + kernel->name + "', global " + std::to_string(global[0]) + "x" +
                       std::to_string(global[1]) + "x" + std::to_string(global[2]) + ", local " +
                       std::to_string(local[0]) + "x" + std::to_string(local[1]) + "x" +
                       std::to_string(local[2]));
  }
  return AHAL_SUCCESS;
}

// When earlier work is done, a marker's OpenCL callback posts fn to the
// stream's callback thread; a barrier on a user event (the gate), completed
// after fn returns, holds back later work, enqueued with that work
// (close_gate). A callback right after another (nothing enqueued between)
// needs neither: it is posted at once, runs when the one before returned,
// and its gate replaces the open one.
ahal_status_t stream_host_callback(ahal_plugin_stream_t* stream, ahal_host_fn_t fn,
                                   void* user_data) {
  cl_int err = CL_SUCCESS;
  cl_event gate = cl.CreateUserEvent(stream->device->context, &err);
  if (err != CL_SUCCESS) return fail_cl(err, "clCreateUserEvent");
  cl_event marker = nullptr;
  CallbackThread::Job job{fn, user_data, gate, 0};
  {
    Lock lock(stream->mutex);
    if (!stream->callbacks) stream->callbacks = std::make_unique<CallbackThread>();
    job.seq = stream->callback_seq++;
    // Its gate replaces the open one: it completes later (the thread runs
    // callbacks in order), so the barrier that closes it holds back the
    // same work.
    cl.RetainEvent(gate);
    if (stream->open_gate) {
      cl.ReleaseEvent(stream->open_gate);
      stream->open_gate = gate;
      stream->callbacks->post(job);
      return AHAL_SUCCESS;
    }
    err = cl.EnqueueMarkerWithWaitList(stream->queue, 0, nullptr, &marker);
    if (err != CL_SUCCESS) {
      --stream->callback_seq;
      cl.ReleaseEvent(gate);
      cl.ReleaseEvent(gate);
      return fail_cl(err, "clEnqueueMarkerWithWaitList");
    }
    ++stream->commands;
    stream->open_gate = gate;
    cl.Flush(stream->queue);
  }
  auto* data = new CallbackData{stream->callbacks.get(), job};
  err = cl.SetEventCallback(marker, CL_COMPLETE, post_host_callback, data);
  if (err != CL_SUCCESS) {
    // Let the stream go on without the callback; the thread skips its turn.
    cl.SetUserEventStatus(gate, CL_COMPLETE);
    cl.ReleaseEvent(gate);
    cl.ReleaseEvent(marker);
    data->job.fn = nullptr;
    data->thread->post(data->job);
    delete data;
    return fail_cl(err, "clSetEventCallback");
  }
  return AHAL_SUCCESS;
}

ahal_status_t stream_record_event(ahal_plugin_stream_t* stream, ahal_plugin_event_t* event) {
  cl_event marker = nullptr;
  {
    AHAL_CL_STREAM_LOCK(lock, stream);
    if ((event->flags & AHAL_EVENT_TIMING) && !stream->profiling) {
      ahal_status_t status = switch_to_profiling(stream);
      if (status != AHAL_SUCCESS) return status;
    }
    cl_int err = cl.EnqueueMarkerWithWaitList(stream->queue, 0, nullptr, &marker);
    if (err != CL_SUCCESS) return fail_cl(err, "clEnqueueMarkerWithWaitList");
    ++stream->commands;
    stream->set_tail(marker);
    // Waiters on other threads and queues need the marker submitted.
    cl.Flush(stream->queue);
  }
  cl_event old = nullptr;
  {
    Lock lock(event->mutex);
    old = event->event;
    event->event = marker;
  }
  if (old) cl.ReleaseEvent(old);
  return AHAL_SUCCESS;
}

ahal_status_t stream_wait_event(ahal_plugin_stream_t* stream, ahal_plugin_event_t* event) {
  cl_event ev = event->current();
  if (!ev) return AHAL_SUCCESS;  // never recorded: nothing to wait for
  cl_int err;
  {
    Lock lock(stream->mutex);
    err = stream->close_gate();
    cl_event barrier = nullptr;
    if (err == CL_SUCCESS) err = cl.EnqueueBarrierWithWaitList(stream->queue, 1, &ev, &barrier);
    if (err == CL_SUCCESS) {
      ++stream->commands;
      stream->set_tail(barrier);
      cl.ReleaseEvent(barrier);
    }
  }
  cl.ReleaseEvent(ev);
  return err == CL_SUCCESS ? AHAL_SUCCESS : fail_cl(err, "clEnqueueBarrierWithWaitList");
}

ahal_status_t stream_synchronize(ahal_plugin_stream_t* stream) {
  cl_command_queue queue;
  uint64_t commands;
  {
    Lock lock(stream->mutex);
    if (cl_int err = stream->close_gate()) return fail_cl(err, "clEnqueueBarrierWithWaitList");
    queue = stream->queue;  // retired queues stay alive and feed into this one
    commands = stream->commands;
  }
  cl_int err = cl.Finish(queue);
  if (err != CL_SUCCESS) return device_failed(err, "clFinish");
  Lock lock(stream->mutex);
  if (stream->replays) {
    if (ahal_status_t status = stream->replays->take_error()) return status;
  }
  stream->idle_at = std::max(stream->idle_at, commands);
  return AHAL_SUCCESS;
}

// Idle when nothing was enqueued since the stream was last seen idle, else
// as the last command's event says; a marker is added only when the last
// command has no event, so polling adds at most one.
ahal_status_t stream_query(ahal_plugin_stream_t* stream) {
  cl_event tail = nullptr;
  uint64_t tail_at = 0;
  {
    AHAL_CL_STREAM_LOCK(lock, stream);
    if (stream->commands == stream->idle_at) return AHAL_SUCCESS;
    if (!stream->tail || stream->tail_at != stream->commands) {
      cl_event marker = nullptr;
      cl_int err = cl.EnqueueMarkerWithWaitList(stream->queue, 0, nullptr, &marker);
      if (err != CL_SUCCESS) return fail_cl(err, "clEnqueueMarkerWithWaitList");
      ++stream->commands;
      stream->set_tail(marker);
      cl.ReleaseEvent(marker);
      cl.Flush(stream->queue);
    }
    tail = stream->tail;
    tail_at = stream->tail_at;
    cl.RetainEvent(tail);
  }
  ahal_status_t status = event_status(tail);
  cl.ReleaseEvent(tail);
  if (status == AHAL_SUCCESS) {
    Lock lock(stream->mutex);
    if (stream->replays) {
      if (ahal_status_t replay_status = stream->replays->take_error()) return replay_status;
    }
    stream->idle_at = std::max(stream->idle_at, tail_at);
  }
  return status;
}

}  // namespace ahal_opencl
