// Command buffers as CUDA graphs: at finalize the launches become kernel
// nodes of one graph, each depending on the one before (a stream's order),
// instantiated once; a submission is one cuGraphLaunch, an update one
// cuGraphExecKernelNodeSetParams. Launches and barriers only for now: any
// other command, or a driver without the graph entries, answers
// UNSUPPORTED and the loader replays the buffer through the stream.
#include "objects.hpp"

#include <string>
#include <vector>

struct ahal_plugin_command_buffer_s {
  ahal_plugin_device_t* device = nullptr;
  CUgraph graph = nullptr;
  CUgraphExec exec = nullptr;
  std::vector<CUgraphNode> nodes;  // per command; null for barriers

  ~ahal_plugin_command_buffer_s() {
    const ahal_cuda::Driver& drv = device->drv();
    if (ahal_cuda::make_current(device) != CUDA_SUCCESS) return;
    if (exec) {
      const CUresult result = drv.cuGraphExecDestroy(exec);
      if (result != CUDA_SUCCESS) ahal_cuda::log_failure(device, "cuGraphExecDestroy", result);
    }
    if (graph) {
      const CUresult result = drv.cuGraphDestroy(graph);
      if (result != CUDA_SUCCESS) ahal_cuda::log_failure(device, "cuGraphDestroy", result);
    }
  }
};

namespace ahal_cuda {
namespace {

bool has_graphs(const Driver& drv) {
  return drv.cuGraphCreate && drv.cuGraphAddKernelNode && drv.cuGraphInstantiateWithFlags &&
         drv.cuGraphLaunch && drv.cuGraphExecKernelNodeSetParams && drv.cuGraphExecDestroy &&
         drv.cuGraphDestroy;
}

// Kernel node parameters of a launch; the driver copies the argument
// values when the node is added or set, so they may live on the stack.
struct NodeParams {
  CUdeviceptr pointers[AHAL_MAX_BINDINGS];
  void* params[AHAL_MAX_BINDINGS + 1];
  CUDA_KERNEL_NODE_PARAMS_v1 node{};

  NodeParams(const ahal_plugin_kernel_t* k, const ahal_plugin_launch_t& l) {
    for (uint32_t i = 0; i < l.binding_count; ++i) {
      pointers[i] = l.bindings[i].buffer->ptr + l.bindings[i].offset;
      params[i] = &pointers[i];
    }
    if (l.constants_size > 0) params[l.binding_count] = const_cast<void*>(l.constants);
    node.func = k->function;
    node.gridDimX = l.grid[0];
    node.gridDimY = l.grid[1];
    node.gridDimZ = l.grid[2];
    node.blockDimX = l.workgroup_size[0];
    node.blockDimY = l.workgroup_size[1];
    node.blockDimZ = l.workgroup_size[2];
    node.sharedMemBytes = l.dynamic_shared_bytes;
    node.kernelParams = params;
  }
};

ahal_status_t build(ahal_plugin_command_buffer_t* cb, const ahal_plugin_command_t* commands,
                    uint32_t count) {
  ahal_plugin_device_t* d = cb->device;
  const Driver& drv = d->drv();
  using ahal::plugin::command_bit;
  if (ahal_status_t st = ahal::plugin::refuse_commands_outside(
          commands, count,
          command_bit(AHAL_PLUGIN_COMMAND_LAUNCH) | command_bit(AHAL_PLUGIN_COMMAND_BARRIER),
          "the CUDA graph form", "launches and barriers"))
    return st;
  for (uint32_t i = 0; i < count; ++i) {
    const ahal_plugin_command_t& c = commands[i];
    if (c.type == AHAL_PLUGIN_COMMAND_LAUNCH) {
      if (const ahal_status_t status = check_launch(d, c.kernel, &c.launch))
        return status;  // its message names the kernel
    }
  }
  AHAL_MAKE_CURRENT(d);
  AHAL_CU_CHECK(d, drv.cuGraphCreate(&cb->graph, 0), "cuGraphCreate");
  cb->nodes.assign(count, nullptr);
  CUgraphNode last = nullptr;
  for (uint32_t i = 0; i < count; ++i) {
    const ahal_plugin_command_t& c = commands[i];
    if (c.type != AHAL_PLUGIN_COMMAND_LAUNCH) continue;  // nodes are chained anyway
    NodeParams p(c.kernel, c.launch);
    AHAL_CU_CHECK(d,
                  drv.cuGraphAddKernelNode(&cb->nodes[i], cb->graph, last ? &last : nullptr,
                                           last ? 1 : 0, &p.node),
                  "cuGraphAddKernelNode(command %u, %s)", i, c.kernel->entry.c_str());
    last = cb->nodes[i];
  }
  AHAL_CU_CHECK(d, drv.cuGraphInstantiateWithFlags(&cb->exec, cb->graph, 0),
                "cuGraphInstantiateWithFlags(%u commands)", count);
  return AHAL_SUCCESS;
}

}  // namespace

ahal_status_t command_buffer_create(ahal_plugin_device_t* device,
                                    const ahal_plugin_command_t* commands, uint32_t command_count,
                                    uint32_t /*flags*/,
                                    ahal_plugin_command_buffer_t** out_command_buffer) {
  if (!has_graphs(device->drv()))
    return fail(AHAL_ERROR_UNSUPPORTED, "the CUDA driver has no graph entry points");
  std::unique_ptr<ahal_plugin_command_buffer_t> cb(new ahal_plugin_command_buffer_t);
  cb->device = device;
  if (const ahal_status_t status = build(cb.get(), commands, command_count)) return status;
  *out_command_buffer = cb.release();
  return AHAL_SUCCESS;
}

void command_buffer_destroy(ahal_plugin_command_buffer_t* command_buffer) {
  delete command_buffer;  // the loader waited for its submissions
}

ahal_status_t command_buffer_submit(ahal_plugin_stream_t* stream,
                                    ahal_plugin_command_buffer_t* command_buffer) {
  ahal_plugin_device_t* d = stream->device;
  AHAL_MAKE_CURRENT(d);
  AHAL_CU_CHECK(d, d->drv().cuGraphLaunch(command_buffer->exec, stream->stream), "cuGraphLaunch");
  return AHAL_SUCCESS;
}

ahal_status_t command_buffer_update(ahal_plugin_command_buffer_t* command_buffer, uint32_t index,
                                    const ahal_plugin_command_t* command) {
  ahal_plugin_device_t* d = command_buffer->device;
  if (index >= command_buffer->nodes.size() || !command_buffer->nodes[index] ||
      command->type != AHAL_PLUGIN_COMMAND_LAUNCH)
    return fail(AHAL_ERROR_INVALID_ARGUMENT,
                ahal::plugin::format("command %u is not a recorded launch", index));
  if (const ahal_status_t status = check_launch(d, command->kernel, &command->launch))
    return status;
  NodeParams p(command->kernel, command->launch);
  AHAL_MAKE_CURRENT(d);
  AHAL_CU_CHECK(d,
                d->drv().cuGraphExecKernelNodeSetParams(command_buffer->exec,
                                                        command_buffer->nodes[index], &p.node),
                "cuGraphExecKernelNodeSetParams(command %u)", index);
  return AHAL_SUCCESS;
}

}  // namespace ahal_cuda
