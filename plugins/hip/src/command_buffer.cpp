// Command buffers as HIP graphs, made by stream capture: at finalize the
// launches, device copies and fills are enqueued in order on a stream of
// the plugin's own while it captures, and the captured graph is
// instantiated once; a submission is one hipGraphLaunch.
//
// Why capture: ROCm 5.x's hipGraphAddKernelNode takes the host stub of a
// __global__ function, not the hipFunction_t of a loaded module, so kernel
// nodes cannot be added for module kernels directly. The capture is
// thread-local (hipStreamCaptureModeThreadLocal), so other threads' HIP
// calls are unaffected. A captured stream runs in order: barriers need
// nothing. Host copies and events stay the stream's; they, a runtime
// without the graph entries (looked up as optional), and a capture or
// instantiation the runtime refuses answer UNSUPPORTED, and the loader
// replays the buffer through the stream.
//
// No command_buffer_update: the loader then destroys the graph and creates
// it again (capturing the new arguments), which is correct and simple;
// hipGraphExecUpdate would save an instantiation per update.
#include "objects.hpp"

#include <memory>
#include <string>

struct ahal_plugin_command_buffer_s {
  ahal_plugin_device_t* device = nullptr;
  hipGraph_t graph = nullptr;
  hipGraphExec_t exec = nullptr;  // null when there are only barriers

  ~ahal_plugin_command_buffer_s() {
    const ahal_hip::Runtime& rt = *device->rt;
    if (exec) ahal_hip::log_failure(device, rt.hipGraphExecDestroy(exec), "hipGraphExecDestroy");
    if (graph) ahal_hip::log_failure(device, rt.hipGraphDestroy(graph), "hipGraphDestroy");
  }
};

namespace ahal_hip {
namespace {

bool has_graphs(const Runtime& rt) {
  return rt.hipStreamBeginCapture && rt.hipStreamEndCapture && rt.hipGraphInstantiate &&
         rt.hipGraphLaunch && rt.hipGraphExecDestroy && rt.hipGraphDestroy;
}

// Only for capture; destroyed once the graph is made.
struct CaptureStream {
  const ahal_plugin_device_t* dev;
  hipStream_t stream = nullptr;
  ~CaptureStream() {
    if (stream) log_failure(dev, dev->rt->hipStreamDestroy(stream), "hipStreamDestroy");
  }
};

hipError_t enqueue(const Runtime& rt, hipStream_t s, const ahal_plugin_command_t& c,
                   const char** call) {
  switch (c.type) {
    case AHAL_PLUGIN_COMMAND_LAUNCH:
      *call = "hipModuleLaunchKernel";
      return enqueue_launch(rt, s, c.kernel, &c.launch);
    case AHAL_PLUGIN_COMMAND_COPY_D2D:
      *call = "hipMemcpyDtoDAsync";
      return rt.hipMemcpyDtoDAsync(device_address(c.dst, c.dst_offset),
                                   device_address(c.src, c.src_offset), c.size, s);
    case AHAL_PLUGIN_COMMAND_FILL:
      return enqueue_fill(rt, s, device_address(c.dst, c.dst_offset), c.size, c.pattern,
                          c.pattern_size, call);
    default:  // a barrier
      return hipSuccess;
  }
}

// The runtime would not make the graph: the loader replays the buffer.
ahal_status_t unsupported(const ahal_plugin_device_t* dev, hipError_t err, const char* call,
                          const std::string& context) {
  return fail(AHAL_ERROR_UNSUPPORTED, std::string(call) + " failed: " + error_text(*dev->rt, err) +
                                          " (" + context +
                                          "); no HIP graph, the command buffer is replayed");
}

ahal_status_t capture(ahal_plugin_command_buffer_t* cb, const ahal_plugin_command_t* commands,
                      uint32_t count) {
  ahal_plugin_device_t* dev = cb->device;
  const Runtime& rt = *dev->rt;
  CaptureStream cs{dev};
  hipError_t err =
      rt.hipStreamCreateWithPriority(&cs.stream, hipStreamNonBlocking, dev->least_priority);
  if (err != hipSuccess)
    return unsupported(dev, err, "hipStreamCreateWithPriority", "the capture stream");
  err = rt.hipStreamBeginCapture(cs.stream, hipStreamCaptureModeThreadLocal);
  if (err != hipSuccess) return unsupported(dev, err, "hipStreamBeginCapture", "capture stream");
  hipError_t failed = hipSuccess;
  const char* call = "";
  uint32_t at = 0;
  for (; at < count; ++at) {
    failed = enqueue(rt, cs.stream, commands[at], &call);
    if (failed != hipSuccess) break;
  }
  // Ended whatever happened, so that the stream leaves capture.
  hipGraph_t graph = nullptr;
  err = rt.hipStreamEndCapture(cs.stream, &graph);
  if (err == hipSuccess) cb->graph = graph;  // destroyed with cb from here on
  if (failed != hipSuccess)
    return unsupported(dev, failed, call, ahal::plugin::format("command %u, captured", at));
  if (err != hipSuccess)
    return unsupported(dev, err, "hipStreamEndCapture",
                       ahal::plugin::format("after %u commands", count));
  err = rt.hipGraphInstantiate(&cb->exec, cb->graph, nullptr, nullptr, 0);
  if (err != hipSuccess)
    return unsupported(dev, err, "hipGraphInstantiate",
                       ahal::plugin::format("a graph of %u commands", count));
  return AHAL_SUCCESS;
}

}  // namespace

ahal_status_t command_buffer_create(ahal_plugin_device_t* device,
                                    const ahal_plugin_command_t* commands, uint32_t command_count,
                                    uint32_t /*flags*/,
                                    ahal_plugin_command_buffer_t** out_command_buffer) {
  const Runtime& rt = *device->rt;
  if (!has_graphs(rt))
    return fail(AHAL_ERROR_UNSUPPORTED,
                "the HIP runtime " + rt.path +
                    " lacks the graph entry points (hipStreamBeginCapture, hipStreamEndCapture, "
                    "hipGraphInstantiate, hipGraphLaunch, hipGraphExecDestroy, hipGraphDestroy)");
  if (ahal_status_t st = ahal::plugin::refuse_commands_outside(
          commands, command_count, ahal::plugin::kDeviceCommands, "a HIP graph",
          "launches, device copies, fills and barriers"))
    return st;
  bool device_work = false;
  for (uint32_t i = 0; i < command_count; ++i) {
    const ahal_plugin_command_t& c = commands[i];
    if (c.type == AHAL_PLUGIN_COMMAND_LAUNCH) {
      if (ahal_status_t st = check_launch(&c.launch, ahal::plugin::format("command %u: ", i)))
        return st;
    }
    device_work |= c.type != AHAL_PLUGIN_COMMAND_BARRIER;
  }
  auto cb = std::make_unique<ahal_plugin_command_buffer_t>();
  cb->device = device;
  if (device_work) {
    if (ahal_status_t st = activate(device)) return st;
    if (ahal_status_t st = capture(cb.get(), commands, command_count)) return st;
  }
  *out_command_buffer = cb.release();
  return AHAL_SUCCESS;
}

void command_buffer_destroy(ahal_plugin_command_buffer_t* command_buffer) {
  delete command_buffer;  // the loader waited for its submissions
}

ahal_status_t command_buffer_submit(ahal_plugin_stream_t* stream,
                                    ahal_plugin_command_buffer_t* command_buffer) {
  if (!command_buffer->exec) return AHAL_SUCCESS;  // barriers only: stream order suffices
  AHAL_HIP_CALL(stream->device,
                stream->device->rt->hipGraphLaunch(command_buffer->exec, stream->stream));
  return AHAL_SUCCESS;
}

}  // namespace ahal_hip
