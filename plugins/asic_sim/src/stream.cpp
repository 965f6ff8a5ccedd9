// Streams: one command processor thread each. Enqueue entries check what
// they must, then submit a closure to the stream's command processor and
// return at once; the closure runs later, in order, on the processor
// thread.
#include "objects.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace asic_sim {

ahal_status_t stream_create(ahal_plugin_device_t* device, const ahal_stream_args_t* args,
                            ahal_plugin_stream_t** out_stream) {
  *out_stream = new ahal_plugin_stream_s(device, device->streams_created++);
  return AHAL_SUCCESS;
}

void stream_destroy(ahal_plugin_stream_t* stream) { delete stream; }

// guide-snippet: copy-h2d
ahal_status_t stream_copy_h2d(ahal_plugin_stream_t* stream, const void* src,
                              ahal_plugin_buffer_t* dst, uint64_t dst_offset, uint64_t size) {
  ahal_plugin_device_s* device = stream->device;
  std::byte* target = device->memory.at(dst->offset + dst_offset);
  stream->processor.submit([device, src, target, size] { device->dma.copy(target, src, size); });
  return AHAL_SUCCESS;
}
// guide-snippet-end

ahal_status_t stream_copy_d2h(ahal_plugin_stream_t* stream, ahal_plugin_buffer_t* src,
                              uint64_t src_offset, void* dst, uint64_t size) {
  ahal_plugin_device_s* device = stream->device;
  const std::byte* source = device->memory.at(src->offset + src_offset);
  stream->processor.submit([device, source, dst, size] { device->dma.copy(dst, source, size); });
  return AHAL_SUCCESS;
}

ahal_status_t stream_copy_d2d(ahal_plugin_stream_t* stream, ahal_plugin_buffer_t* src,
                              uint64_t src_offset, ahal_plugin_buffer_t* dst, uint64_t dst_offset,
                              uint64_t size) {
  ahal_plugin_device_s* device = stream->device;
  const std::byte* source = device->memory.at(src->offset + src_offset);
  std::byte* target = device->memory.at(dst->offset + dst_offset);
  stream->processor.submit(
      [device, source, target, size] { device->dma.copy(target, source, size); });
  return AHAL_SUCCESS;
}

ahal_status_t stream_fill(ahal_plugin_stream_t* stream, ahal_plugin_buffer_t* buffer,
                          uint64_t offset, uint64_t size, uint32_t pattern, uint32_t pattern_size) {
  ahal_plugin_device_s* device = stream->device;
  std::byte* target = device->memory.at(buffer->offset + offset);
  stream->processor.submit([device, target, size, pattern, pattern_size] {
    device->dma.fill(target, size, pattern, pattern_size);
  });
  return AHAL_SUCCESS;
}

// guide-snippet: launch
ahal_status_t stream_launch(ahal_plugin_stream_t* stream, ahal_plugin_kernel_t* kernel,
                            const ahal_plugin_launch_t* in_launch) {
  ahal_plugin_device_s* device = stream->device;
  const BuiltinOperator* op = kernel->op;
  ahal_plugin_launch_t launch = ahal::plugin::read_struct(in_launch);
  // The loader checked both against kernel_get_attributes; the operator
  // reads exactly this many of each.
  if (launch.binding_count != op->binding_count || launch.constants_size != op->constants_size) {
    throw Failure(AHAL_ERROR_INVALID_ARGUMENT,
                  std::string(op->name) + " takes " + std::to_string(op->binding_count) +
                      " bindings and " + std::to_string(op->constants_size) +
                      " bytes of constants");
  }
  std::vector<uint64_t> sizes(op->binding_count);
  std::vector<float*> tensors(op->binding_count);
  for (uint32_t i = 0; i < op->binding_count; ++i) {
    const ahal_plugin_binding_t& binding = launch.bindings[i];
    sizes[i] = binding.size;
    tensors[i] =
        reinterpret_cast<float*>(device->memory.at(binding.buffer->offset + binding.offset));
  }
  // Refuse before queueing: a launch either runs whole or not at all.
  op->check(launch.constants, sizes.data());
  const auto* bytes = static_cast<const uint8_t*>(launch.constants);
  std::vector<uint8_t> constants(bytes, bytes + launch.constants_size);
  stream->processor.submit([device, op, constants = std::move(constants), tensors] {
    op->run(constants.data(), tensors.data(), device->compute);
  });
  return AHAL_SUCCESS;
}
// guide-snippet-end

ahal_status_t stream_host_callback(ahal_plugin_stream_t* stream, ahal_host_fn_t fn,
                                   void* user_data) {
  stream->processor.submit([fn, user_data] { fn(user_data); });
  return AHAL_SUCCESS;
}

// guide-snippet: record-event
ahal_status_t stream_record_event(ahal_plugin_stream_t* stream, ahal_plugin_event_t* event) {
  ahal_plugin_device_s* device = stream->device;
  uint64_t sequence = event->fence->arm();
  stream->processor.submit([device, fence = event->fence, sequence] {
    fence->signal(sequence, device->clock.now_ns());
  });
  return AHAL_SUCCESS;
}
// guide-snippet-end

// guide-snippet: wait-event
ahal_status_t stream_wait_event(ahal_plugin_stream_t* stream, ahal_plugin_event_t* event) {
  // Wait for the record that was last enqueued when this wait was; an
  // event never recorded is complete already.
  uint64_t sequence = event->fence->last_armed();
  if (sequence != 0) {
    stream->processor.submit([fence = event->fence, sequence] { fence->wait(sequence); });
  }
  return AHAL_SUCCESS;
}
// guide-snippet-end

ahal_status_t stream_synchronize(ahal_plugin_stream_t* stream) {
  stream->processor.synchronize();
  return AHAL_SUCCESS;
}

ahal_status_t stream_query(ahal_plugin_stream_t* stream) {
  return stream->processor.idle() ? AHAL_SUCCESS : AHAL_NOT_READY;
}

}  // namespace asic_sim
