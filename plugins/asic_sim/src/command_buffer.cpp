// Command buffers run natively by the command processor: at finalize the
// recorded list is decoded once (device addresses resolved, operator
// constants copied and checked), and a submission queues the whole list as
// one command that the stream's processor runs step by step, as a real
// ASIC's command processor walks a command list in device memory.
#include "objects.hpp"

#include <string>
#include <vector>

namespace asic_sim {
namespace {

// A built-in operator launch with its device addresses and constants.
CommandStep decode_launch(ahal_plugin_device_s* device, ahal_plugin_kernel_t* kernel,
                          const ahal_plugin_launch_t& launch) {
  const BuiltinOperator* op = kernel->op;
  if (launch.binding_count != op->binding_count || launch.constants_size != op->constants_size) {
    throw Failure(AHAL_ERROR_INVALID_ARGUMENT,
                  std::string(op->name) + " takes " + std::to_string(op->binding_count) +
                      " bindings and " + std::to_string(op->constants_size) +
                      " bytes of constants");
  }
  CommandStep s;
  s.type = AHAL_PLUGIN_COMMAND_LAUNCH;
  s.op = op;
  std::vector<uint64_t> sizes(op->binding_count);
  for (uint32_t i = 0; i < op->binding_count; ++i) {
    const ahal_plugin_binding_t& binding = launch.bindings[i];
    sizes[i] = binding.size;
    s.tensors.push_back(
        reinterpret_cast<float*>(device->memory.at(binding.buffer->offset + binding.offset)));
  }
  op->check(launch.constants, sizes.data());  // refused at finalize, not at a submission
  const auto* bytes = static_cast<const uint8_t*>(launch.constants);
  s.constants.assign(bytes, bytes + launch.constants_size);
  return s;
}

CommandStep decode(ahal_plugin_device_s* device, const ahal_plugin_command_t& c) {
  CommandStep s;
  s.type = c.type;
  s.size = c.size;
  switch (c.type) {
    case AHAL_PLUGIN_COMMAND_COPY_H2D:
      s.src = c.host_src;
      s.dst = device->memory.at(c.dst->offset + c.dst_offset);
      break;
    case AHAL_PLUGIN_COMMAND_COPY_D2H:
      s.src = device->memory.at(c.src->offset + c.src_offset);
      s.dst = c.host_dst;
      break;
    case AHAL_PLUGIN_COMMAND_COPY_D2D:
      s.src = device->memory.at(c.src->offset + c.src_offset);
      s.dst = device->memory.at(c.dst->offset + c.dst_offset);
      break;
    case AHAL_PLUGIN_COMMAND_FILL:
      s.dst = device->memory.at(c.dst->offset + c.dst_offset);
      s.pattern = c.pattern;
      s.pattern_size = c.pattern_size;
      break;
    case AHAL_PLUGIN_COMMAND_LAUNCH:
      return decode_launch(device, c.kernel, c.launch);
    case AHAL_PLUGIN_COMMAND_RECORD_EVENT:
    case AHAL_PLUGIN_COMMAND_WAIT_EVENT:
      s.fence = c.event->fence;
      break;
    case AHAL_PLUGIN_COMMAND_BARRIER:  // the processor runs steps in order anyway
      break;
    default:
      // UNSUPPORTED: the loader replays the buffer through the stream instead.
      throw Failure(AHAL_ERROR_UNSUPPORTED,
                    "command type " + std::to_string(int(c.type)) + " is not known to asic_sim");
  }
  return s;
}

// Runs the list on the processor thread; `sequences` are the fence
// sequences the submission armed (records) or read (waits), in order.
void run_steps(ahal_plugin_device_s* device, const std::vector<CommandStep>& steps,
               const uint64_t* sequences) {
  for (const CommandStep& s : steps) {
    switch (s.type) {
      case AHAL_PLUGIN_COMMAND_COPY_H2D:
      case AHAL_PLUGIN_COMMAND_COPY_D2H:
      case AHAL_PLUGIN_COMMAND_COPY_D2D:
        device->dma.copy(s.dst, s.src, s.size);
        break;
      case AHAL_PLUGIN_COMMAND_FILL:
        device->dma.fill(s.dst, s.size, s.pattern, s.pattern_size);
        break;
      case AHAL_PLUGIN_COMMAND_LAUNCH:
        s.op->run(s.constants.data(), s.tensors.data(), device->compute);
        break;
      case AHAL_PLUGIN_COMMAND_RECORD_EVENT:
        s.fence->signal(*sequences++, device->clock.now_ns());
        break;
      case AHAL_PLUGIN_COMMAND_WAIT_EVENT: {
        const uint64_t sequence = *sequences++;
        if (sequence) s.fence->wait(sequence);
        break;
      }
      default:
        break;
    }
  }
}

}  // namespace

ahal_status_t command_buffer_create(ahal_plugin_device_t* device,
                                    const ahal_plugin_command_t* commands, uint32_t command_count,
                                    uint32_t flags,
                                    ahal_plugin_command_buffer_t** out_command_buffer) {
  auto cb = std::make_unique<ahal_plugin_command_buffer_s>();
  cb->device = device;
  cb->steps.reserve(command_count);
  for (uint32_t i = 0; i < command_count; ++i) {
    cb->steps.push_back(decode(device, commands[i]));
    if (cb->steps.back().fence) ++cb->event_steps;
  }
  *out_command_buffer = cb.release();
  return AHAL_SUCCESS;
}

void command_buffer_destroy(ahal_plugin_command_buffer_t* command_buffer) {
  delete command_buffer;  // the loader waited for its submissions
}

ahal_status_t command_buffer_submit(ahal_plugin_stream_t* stream,
                                    ahal_plugin_command_buffer_t* command_buffer) {
  // The loader keeps the command buffer alive and unchanged while a
  // submission is in flight. Records arm their fence now, in enqueue order,
  // as stream_record_event does; waits read the record armed before them.
  std::vector<uint64_t> sequences;
  sequences.reserve(command_buffer->event_steps);
  for (const CommandStep& s : command_buffer->steps) {
    if (s.type == AHAL_PLUGIN_COMMAND_RECORD_EVENT) sequences.push_back(s.fence->arm());
    if (s.type == AHAL_PLUGIN_COMMAND_WAIT_EVENT) sequences.push_back(s.fence->last_armed());
  }
  ahal_plugin_device_s* device = stream->device;
  const std::vector<CommandStep>* steps = &command_buffer->steps;
  stream->processor.submit([device, steps, sequences = std::move(sequences)] {
    run_steps(device, *steps, sequences.data());
  });
  return AHAL_SUCCESS;
}

ahal_status_t command_buffer_update(ahal_plugin_command_buffer_t* command_buffer, uint32_t index,
                                    const ahal_plugin_command_t* command) {
  std::vector<CommandStep>& steps = command_buffer->steps;
  if (index >= steps.size() || steps[index].type != AHAL_PLUGIN_COMMAND_LAUNCH ||
      command->type != AHAL_PLUGIN_COMMAND_LAUNCH) {
    throw Failure(AHAL_ERROR_INVALID_ARGUMENT,
                  "command " + std::to_string(index) + " is not a recorded launch");
  }
  // Decoded aside first: a refused update leaves the recorded launch as it was.
  CommandStep next = decode_launch(command_buffer->device, command->kernel, command->launch);
  steps[index] = std::move(next);
  return AHAL_SUCCESS;
}

}  // namespace asic_sim
