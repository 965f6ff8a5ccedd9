// Native command buffers, in one of two forms:
//
// - Prepared (the default): at create, every command is decoded once and
//   each launch gets a cl_kernel of its own with its arguments already set
//   (launches with equal arguments share one), so a submission only
//   enqueues. A short buffer is enqueued on the stream's queue at once; a
//   longer one is handed to the stream's ReplayThread, which enqueues it on
//   a queue of its own between a marker at the submission's place on the
//   stream and a barrier holding the stream's later work back: the
//   submitting thread pays those two instead of one enqueue per command.
//   Updates set the changed launch's arguments again.
// - cl_khr_command_buffer, only at the extension version this code was
//   written for (0.9.0, what PoCL 3.1 advertises; later versions changed
//   entry signatures), and only with AHAL_OPENCL_COMMAND_BUFFERS=1: on PoCL
//   3.1 clEnqueueCommandBufferKHR costs more host time per command than
//   enqueueing each (docs/command-buffers.md has the figures). A cl command
//   buffer belongs to one queue, so one is recorded per stream queue at its
//   first submission. Its launches use the prepared kernels too: PoCL 3.1
//   reads a recorded launch's arguments from its kernel when the buffer
//   runs, so launches of one cl_kernel with different arguments all ran
//   with the last ones.
//
// Both take launches, device copies, fills and barriers: host copies and
// events make create answer UNSUPPORTED and the loader replays instead, as
// it does for every command buffer with AHAL_OPENCL_COMMAND_BUFFERS=0.
#include "objects.hpp"

#include "cl_errors.hpp"

#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <map>
#include <unordered_map>

using ahal_opencl::cl;

namespace {

struct Step {
  ahal_plugin_command_type_t type;
  cl_mem src = nullptr, dst = nullptr;
  size_t src_offset = 0, dst_offset = 0, size = 0;
  unsigned char pattern[4] = {};
  uint32_t pattern_size = 0;
  ahal_plugin_kernel_t* kernel = nullptr;
  cl_uint dims = 1;
  size_t global[3] = {1, 1, 1}, local[3] = {1, 1, 1};
  std::vector<cl_mem> args;  // binding views
  std::vector<unsigned char> constants;
  size_t local_bytes = 0;        // 0: no __local argument
  cl_kernel prepared = nullptr;  // launches: `kernel` with these arguments set
};

}  // namespace

struct ahal_plugin_command_buffer_s {
  ahal_plugin_device_t* device = nullptr;
  bool prepared = false;  // the prepared form, else cl_khr_command_buffer
  std::vector<Step> steps;
  std::vector<cl_mem> owned;  // per-launch sub-buffers, released at destroy
  // The launches' prepared kernels and how many steps use each.
  std::unordered_map<cl_kernel, uint32_t> kernel_uses;
  // Submissions a ReplayThread has not finished enqueueing.
  std::mutex pending_mutex;
  std::condition_variable pending_done;
  uint32_t pending = 0;
  std::mutex mutex;
  // One per queue; a cl command buffer keeps its queue alive, so a queue's
  // address is not reused while it is a key here.
  std::map<cl_command_queue, cl_command_buffer_khr> built;
  cl_event last = nullptr;  // the last submission, without simultaneous use

  ~ahal_plugin_command_buffer_s() {
    if (last) cl.ReleaseEvent(last);
    for (auto& [queue, cb] : built) device->command_buffers.release(cb);
    for (auto& [kernel, uses] : kernel_uses) cl.ReleaseKernel(kernel);
    for (cl_mem m : owned) cl.ReleaseMemObject(m);
  }
};

namespace ahal_opencl {
namespace {

template <class F>
F lookup(ahal_plugin_device_t* d, const char* name) {
  return reinterpret_cast<F>(cl.GetExtensionFunctionAddressForPlatform(d->platform, name));
}

ahal_status_t unsupported(const std::string& why) {
  return fail(AHAL_ERROR_UNSUPPORTED, "no native command buffer: " + why);
}

// A launch step's arguments, per docs/kernel-abi.md (as stream_launch sets
// them), on `kernel`.
cl_int set_args(cl_kernel kernel, const Step& s) {
  cl_int err = CL_SUCCESS;
  cl_uint index = 0;
  for (cl_mem m : s.args) {
    if (err == CL_SUCCESS) err = cl.SetKernelArg(kernel, index++, sizeof(cl_mem), &m);
  }
  if (err == CL_SUCCESS && !s.constants.empty()) {
    err = cl.SetKernelArg(kernel, index++, s.constants.size(), s.constants.data());
  }
  if (err == CL_SUCCESS && s.local_bytes)
    err = cl.SetKernelArg(kernel, index, s.local_bytes, nullptr);
  return err;
}

// A launch's binding views and constants into the step (replacing any).
ahal_status_t take_arguments(ahal_plugin_command_buffer_t* cb, const ahal_plugin_launch_t& l,
                             Step* s) {
  s->args.clear();
  for (uint32_t b = 0; b < l.binding_count; ++b) {
    cl_mem mem = nullptr;
    bool owned = false;
    cl_int err = l.bindings[b].buffer->view(l.bindings[b].offset, &mem, &owned);
    if (err != CL_SUCCESS) return fail_cl(err, "clCreateSubBuffer");
    if (owned) cb->owned.push_back(mem);
    s->args.push_back(mem);
  }
  const auto* bytes = static_cast<const unsigned char*>(l.constants);
  s->constants.assign(bytes, bytes + l.constants_size);
  return AHAL_SUCCESS;
}

// What makes two launch steps' prepared kernels interchangeable.
std::string launch_key(const Step& s) {
  std::string key(reinterpret_cast<const char*>(&s.kernel), sizeof(s.kernel));
  key.append(reinterpret_cast<const char*>(s.args.data()), s.args.size() * sizeof(cl_mem));
  key.append(reinterpret_cast<const char*>(&s.local_bytes), sizeof(s.local_bytes));
  key.append(reinterpret_cast<const char*>(s.constants.data()), s.constants.size());
  return key;
}

// A new cl_kernel of the step's kernel with the step's arguments set.
ahal_status_t new_prepared_kernel(const Step& s, cl_kernel* out) {
  cl_program program = nullptr;
  cl_int err =
      cl.GetKernelInfo(s.kernel->kernel, CL_KERNEL_PROGRAM, sizeof(program), &program, nullptr);
  if (err != CL_SUCCESS) return fail_cl(err, "clGetKernelInfo", "CL_KERNEL_PROGRAM");
  cl_kernel k = cl.CreateKernel(program, s.kernel->name.c_str(), &err);
  if (err != CL_SUCCESS) return fail_cl(err, "clCreateKernel", "kernel '" + s.kernel->name + "'");
  err = set_args(k, s);
  if (err != CL_SUCCESS) {
    cl.ReleaseKernel(k);
    return fail_cl(err, "clSetKernelArg", "kernel '" + s.kernel->name + "'");
  }
  *out = k;
  return AHAL_SUCCESS;
}

// Gives launch step `s` its prepared kernel: one already made for equal
// arguments (`made`, by key), else a new one.
ahal_status_t prepare_launch(ahal_plugin_command_buffer_t* cb, Step& s,
                             std::unordered_map<std::string, cl_kernel>* made) {
  std::string key = launch_key(s);
  auto it = made->find(key);
  if (it != made->end()) {
    s.prepared = it->second;
    ++cb->kernel_uses[s.prepared];
    return AHAL_SUCCESS;
  }
  cl_kernel k = nullptr;
  if (ahal_status_t st = new_prepared_kernel(s, &k)) return st;
  cb->kernel_uses[k] = 1;
  made->emplace(std::move(key), k);
  s.prepared = k;
  return AHAL_SUCCESS;
}

// Records the steps into a new cl command buffer for `queue`.
ahal_status_t build(ahal_plugin_command_buffer_t* cb, cl_command_queue queue,
                    cl_command_buffer_khr* out) {
  const CommandBufferFunctions& f = cb->device->command_buffers;
  cl_command_buffer_properties_khr props[3] = {CL_COMMAND_BUFFER_FLAGS_KHR,
                                               CL_COMMAND_BUFFER_SIMULTANEOUS_USE_KHR, 0};
  if (!f.simultaneous) props[0] = 0;
  cl_int err = CL_SUCCESS;
  cl_command_buffer_khr ccb = f.create(1, &queue, props, &err);
  if (err != CL_SUCCESS) return fail_cl(err, "clCreateCommandBufferKHR");
  // Commands of a cl command buffer are unordered without sync points:
  // each waits for the one before, as on a stream.
  cl_sync_point_khr last = 0;
  bool has_last = false;
  for (size_t i = 0; i < cb->steps.size() && err == CL_SUCCESS; ++i) {
    const Step& s = cb->steps[i];
    cl_sync_point_khr point = 0;
    const cl_uint waits = has_last ? 1 : 0;
    const cl_sync_point_khr* wait = has_last ? &last : nullptr;
    switch (s.type) {
      case AHAL_PLUGIN_COMMAND_COPY_D2D:
        err = f.copy(ccb, nullptr, s.src, s.dst, s.src_offset, s.dst_offset, s.size, waits, wait,
                     &point, nullptr);
        break;
      case AHAL_PLUGIN_COMMAND_FILL:
        err = f.fill(ccb, nullptr, s.dst, s.pattern, s.pattern_size, s.dst_offset, s.size, waits,
                     wait, &point, nullptr);
        break;
      case AHAL_PLUGIN_COMMAND_BARRIER:
        err = f.barrier(ccb, nullptr, waits, wait, &point, nullptr);
        break;
      default:  // launch
        err = f.launch(ccb, nullptr, nullptr, s.prepared, s.dims, nullptr, s.global, s.local, waits,
                       wait, &point, nullptr);
    }
    last = point;
    has_last = true;
  }
  if (err == CL_SUCCESS) err = f.finalize(ccb);
  if (err != CL_SUCCESS) {
    f.release(ccb);
    return fail_cl(err, "recording a cl_khr_command_buffer");
  }
  *out = ccb;
  return AHAL_SUCCESS;
}

}  // namespace

void detect_command_buffers(ahal_plugin_device_t* d) {
  const char* on = std::getenv("AHAL_OPENCL_COMMAND_BUFFERS");
  d->prepared_command_buffers = !on || std::strcmp(on, "0") != 0;
  if (!on || std::strcmp(on, "1") != 0) return;
  if (d->version < 300) return;
  size_t bytes = 0;
  if (cl.GetDeviceInfo(d->id, CL_DEVICE_EXTENSIONS_WITH_VERSION, 0, nullptr, &bytes) != CL_SUCCESS)
    return;
  std::vector<cl_name_version> exts(bytes / sizeof(cl_name_version));
  if (cl.GetDeviceInfo(d->id, CL_DEVICE_EXTENSIONS_WITH_VERSION, bytes, exts.data(), nullptr) !=
      CL_SUCCESS)
    return;
  bool found = false;
  for (const cl_name_version& e : exts) {
    if (std::strcmp(e.name, "cl_khr_command_buffer") == 0 && e.version == CL_MAKE_VERSION(0, 9, 0))
      found = true;
  }
  if (!found) return;
  cl_device_command_buffer_capabilities_khr caps = 0;
  if (cl.GetDeviceInfo(d->id, CL_DEVICE_COMMAND_BUFFER_CAPABILITIES_KHR, sizeof(caps), &caps,
                       nullptr) != CL_SUCCESS)
    return;
  CommandBufferFunctions f;
  f.create = lookup<clCreateCommandBufferKHR_fn>(d, "clCreateCommandBufferKHR");
  f.finalize = lookup<clFinalizeCommandBufferKHR_fn>(d, "clFinalizeCommandBufferKHR");
  f.release = lookup<clReleaseCommandBufferKHR_fn>(d, "clReleaseCommandBufferKHR");
  f.enqueue = lookup<clEnqueueCommandBufferKHR_fn>(d, "clEnqueueCommandBufferKHR");
  f.barrier = lookup<clCommandBarrierWithWaitListKHR_fn>(d, "clCommandBarrierWithWaitListKHR");
  f.copy = lookup<clCommandCopyBufferKHR_fn>(d, "clCommandCopyBufferKHR");
  f.fill = lookup<clCommandFillBufferKHR_fn>(d, "clCommandFillBufferKHR");
  f.launch = lookup<clCommandNDRangeKernelKHR_fn>(d, "clCommandNDRangeKernelKHR");
  f.simultaneous = (caps & CL_COMMAND_BUFFER_CAPABILITY_SIMULTANEOUS_USE_KHR) != 0;
  if (f.create && f.finalize && f.release && f.enqueue && f.barrier && f.copy && f.fill && f.launch)
    d->command_buffers = f;
}

ahal_status_t command_buffer_create(ahal_plugin_device_t* device,
                                    const ahal_plugin_command_t* commands, uint32_t count, uint32_t,
                                    ahal_plugin_command_buffer_t** out) {
  if (!device->command_buffers.create && !device->prepared_command_buffers)
    return unsupported("AHAL_OPENCL_COMMAND_BUFFERS=0");
  if (ahal_status_t st = ahal::plugin::refuse_commands_outside(
          commands, count, ahal::plugin::kDeviceCommands, "an OpenCL command buffer",
          "launches, device copies, fills and barriers (host copies and events replay)"))
    return st;
  auto cb = std::make_unique<ahal_plugin_command_buffer_s>();
  cb->device = device;
  cb->prepared = !device->command_buffers.create;
  std::unordered_map<std::string, cl_kernel> made;  // prepared kernels by arguments
  cb->steps.resize(count);
  for (uint32_t i = 0; i < count; ++i) {
    const ahal_plugin_command_t& c = commands[i];
    Step& s = cb->steps[i];
    s.type = c.type;
    switch (c.type) {
      case AHAL_PLUGIN_COMMAND_COPY_D2D:
        s.src = c.src->mem;
        s.dst = c.dst->mem;
        s.src_offset = c.src_offset;
        s.dst_offset = c.dst_offset;
        s.size = c.size;
        break;
      case AHAL_PLUGIN_COMMAND_FILL:
        s.dst = c.dst->mem;
        s.dst_offset = c.dst_offset;
        s.size = c.size;
        s.pattern_size = c.pattern_size;
        for (uint32_t b = 0; b < c.pattern_size && b < 4; ++b) {
          s.pattern[b] = static_cast<unsigned char>(c.pattern >> (8 * b));  // memory order
        }
        break;
      case AHAL_PLUGIN_COMMAND_BARRIER:
        break;
      case AHAL_PLUGIN_COMMAND_LAUNCH: {
        const ahal_plugin_launch_t& l = c.launch;
        ahal_plugin_kernel_t* k = c.kernel;
        const cl_uint fixed = l.binding_count + (l.constants_size ? 1 : 0);
        const bool dynamic_shared = k->attributes.has_metadata
                                        ? (k->attributes.flags & AHAL_KERNEL_USES_DYNAMIC_SHARED)
                                        : k->arg_count == fixed + 1;
        // Mismatches and oversized grids: the stream path reports them.
        if (fixed + (dynamic_shared ? 1 : 0) != k->arg_count ||
            ahal::plugin::workgroup_count(l) > device->max_groups_per_launch)
          return unsupported("launch " + std::to_string(i) + " is not one the stream would take");
        s.kernel = k;
        for (int d = 0; d < 3; ++d) {
          s.local[d] = l.workgroup_size[d];
          s.global[d] = static_cast<size_t>(l.grid[d]) * s.local[d];
          if (s.global[d] > 1) s.dims = static_cast<cl_uint>(d + 1);
        }
        if (ahal_status_t st = take_arguments(cb.get(), l, &s)) return st;
        if (dynamic_shared) s.local_bytes = std::max<size_t>(l.dynamic_shared_bytes, 4);
        if (ahal_status_t st = prepare_launch(cb.get(), s, &made)) return st;
        break;
      }
      default:  // refused above
        break;
    }
  }
  *out = cb.release();
  return AHAL_SUCCESS;
}

void command_buffer_destroy(ahal_plugin_command_buffer_t* cb) {
  {
    // The loader saw every submission complete; a ReplayThread may still
    // be returning from its last job.
    std::unique_lock<std::mutex> lock(cb->pending_mutex);
    cb->pending_done.wait(lock, [cb] { return cb->pending == 0; });
  }
  delete cb;
}

void replay_finished(ahal_plugin_command_buffer_t* cb) {
  std::lock_guard<std::mutex> lock(cb->pending_mutex);
  if (--cb->pending == 0) cb->pending_done.notify_all();
}

cl_int enqueue_prepared(ahal_plugin_command_buffer_t* cb, cl_command_queue queue,
                        uint32_t* failed_index, const char** failed_call) {
  cl_int err = CL_SUCCESS;
  const char* call = "";
  uint32_t i = 0;
  // The queue is in order: barriers need no command.
  for (; i < cb->steps.size() && err == CL_SUCCESS; ++i) {
    const Step& s = cb->steps[i];
    switch (s.type) {
      case AHAL_PLUGIN_COMMAND_COPY_D2D:
        call = "clEnqueueCopyBuffer";
        err = cl.EnqueueCopyBuffer(queue, s.src, s.dst, s.src_offset, s.dst_offset, s.size, 0,
                                   nullptr, nullptr);
        break;
      case AHAL_PLUGIN_COMMAND_FILL:
        call = "clEnqueueFillBuffer";
        err = cl.EnqueueFillBuffer(queue, s.dst, s.pattern, s.pattern_size, s.dst_offset, s.size, 0,
                                   nullptr, nullptr);
        break;
      case AHAL_PLUGIN_COMMAND_LAUNCH:
        call = "clEnqueueNDRangeKernel";
        err = cl.EnqueueNDRangeKernel(queue, s.prepared, s.dims, nullptr, s.global, s.local, 0,
                                      nullptr, nullptr);
        break;
      default:
        break;
    }
  }
  if (err != CL_SUCCESS) {
    *failed_index = i - 1;
    *failed_call = call;
  }
  return err;
}

// Replaces launch step `index`'s arguments: on its own prepared kernel
// where no other step shares it, else on a new one.
ahal_status_t command_buffer_update(ahal_plugin_command_buffer_t* cb, uint32_t index,
                                    const ahal_plugin_command_t* command) {
  if (!cb->prepared) return unsupported("cl_khr_command_buffer 0.9.0 has no updates");
  Step& s = cb->steps[index];
  const ahal_plugin_launch_t& l = command->launch;
  Step next = s;
  if (ahal_status_t st = take_arguments(cb, l, &next)) return st;
  uint32_t& uses = cb->kernel_uses[s.prepared];
  if (uses == 1) {
    if (cl_int err = set_args(s.prepared, next))
      return fail_cl(err, "clSetKernelArg", "kernel '" + s.kernel->name + "'");
  } else {
    if (ahal_status_t st = new_prepared_kernel(next, &next.prepared)) return st;
    --uses;
    cb->kernel_uses[next.prepared] = 1;
  }
  s = std::move(next);
  return AHAL_SUCCESS;
}

namespace {

// Commands from this many on are enqueued by the stream's ReplayThread;
// fewer cost the submitting thread less than the marker and barrier would.
constexpr size_t kDeferFrom = 8;

ahal_status_t submit_prepared(ahal_plugin_stream_t* stream, ahal_plugin_command_buffer_t* cb) {
  if (cb->steps.size() < kDeferFrom) {
    std::lock_guard<std::mutex> lock(stream->mutex);
    if (cl_int err = stream->close_gate())
      return fail_cl(err, "clEnqueueBarrierWithWaitList", "after host callbacks");
    stream->commands += cb->steps.size();
    uint32_t failed = 0;
    const char* call = "";
    if (cl_int err = enqueue_prepared(cb, stream->queue, &failed, &call))
      return fail_cl(err, call, "command " + std::to_string(failed));
    return AHAL_SUCCESS;
  }
  cl_int err = CL_SUCCESS;
  cl_event gate = cl.CreateUserEvent(stream->device->context, &err);
  if (err != CL_SUCCESS) return fail_cl(err, "clCreateUserEvent");
  cl_event start = nullptr, held = nullptr;
  std::lock_guard<std::mutex> lock(stream->mutex);
  err = stream->close_gate();
  if (err != CL_SUCCESS) {
    cl.ReleaseEvent(gate);
    return fail_cl(err, "clEnqueueBarrierWithWaitList", "after host callbacks");
  }
  if (!stream->replays) {
    cl_command_queue queue = nullptr;
    err = create_queue(stream->device, false, stream->priority, &queue);
    if (err != CL_SUCCESS) {
      cl.ReleaseEvent(gate);
      return fail_cl(err, "clCreateCommandQueue", "the queue command buffers are enqueued on");
    }
    stream->replays = std::make_unique<ReplayThread>(queue);
  }
  err = cl.EnqueueMarkerWithWaitList(stream->queue, 0, nullptr, &start);
  if (err == CL_SUCCESS) {
    err = cl.EnqueueBarrierWithWaitList(stream->queue, 1, &gate, &held);
    if (err != CL_SUCCESS) cl.ReleaseEvent(start);
  }
  if (err != CL_SUCCESS) {
    cl.ReleaseEvent(gate);
    return fail_cl(err, "clEnqueueBarrierWithWaitList", "around a command buffer submission");
  }
  stream->commands += 2;
  stream->set_tail(held);
  cl.ReleaseEvent(held);
  // The replay queue waits on `start`: it must reach the device.
  cl.Flush(stream->queue);
  {
    std::lock_guard<std::mutex> pending(cb->pending_mutex);
    ++cb->pending;
  }
  stream->replays->post({cb, start, gate});
  return AHAL_SUCCESS;
}

}  // namespace

ahal_status_t command_buffer_submit(ahal_plugin_stream_t* stream,
                                    ahal_plugin_command_buffer_t* cb) {
  if (cb->steps.empty()) return AHAL_SUCCESS;
  if (cb->prepared) return submit_prepared(stream, cb);
  std::lock_guard<std::mutex> cb_lock(cb->mutex);
  // Recording takes no other lock (the launches' prepared kernels are the
  // buffer's own), so it happens under the stream's, for its current queue.
  std::lock_guard<std::mutex> lock(stream->mutex);
  auto it = cb->built.find(stream->queue);
  if (it == cb->built.end()) {
    cl_command_buffer_khr built = nullptr;
    if (ahal_status_t st = build(cb, stream->queue, &built)) return st;
    it = cb->built.emplace(stream->queue, built).first;
  }
  cl_command_buffer_khr ccb = it->second;
  const CommandBufferFunctions& f = cb->device->command_buffers;
  cl_event done = nullptr;
  // Without simultaneous use a pending command buffer cannot be enqueued
  // again: wait for the previous submission first.
  if (!f.simultaneous && cb->last) {
    cl.WaitForEvents(1, &cb->last);
  }
  if (cl_int err = stream->close_gate())
    return fail_cl(err, "clEnqueueBarrierWithWaitList", "after host callbacks");
  ++stream->commands;
  cl_int err = f.enqueue(0, nullptr, ccb, 0, nullptr, f.simultaneous ? nullptr : &done);
  if (cb->last) cl.ReleaseEvent(cb->last);
  cb->last = done;
  return err == CL_SUCCESS ? AHAL_SUCCESS : fail_cl(err, "clEnqueueCommandBufferKHR");
}

}  // namespace ahal_opencl
