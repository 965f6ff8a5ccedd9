// Submitting a native command buffer: each recorded segment is one batch of
// the stream (one vkQueueSubmit, in order with the stream's other work, with
// its timeline value and waits); host copies and events between segments
// run as the stream's own commands.
#include "command_buffer.hpp"

namespace ahal_vulkan {

ahal_status_t Stream::submit_recorded(VkCommandBuffer cmd) {
  std::lock_guard<std::mutex> lock(mutex_);
  // Work enqueued before goes first, in its own batch.
  ahal_status_t s = flush_locked();
  if (s != AHAL_SUCCESS) return s;
  if (device->lost.load()) return fail(AHAL_ERROR_DEVICE_LOST, "the Vulkan device was lost");
  auto b = std::make_unique<Batch>();
  b->cmd = cmd;
  b->borrowed = true;
  b->value = ++last_value_;
  b->waits = std::move(next_waits_);
  next_waits_.clear();
  return submit_locked(std::move(b));
}

namespace {

// A command the stream runs itself, as the loader's replay would.
ahal_status_t run_on_stream(ahal_plugin_stream_t* sp, const ahal_plugin_command_t& c) {
  switch (c.type) {
    case AHAL_PLUGIN_COMMAND_COPY_H2D:
      return stream_copy_h2d(sp, c.host_src, c.dst, c.dst_offset, c.size);
    case AHAL_PLUGIN_COMMAND_COPY_D2H:
      return stream_copy_d2h(sp, c.src, c.src_offset, c.host_dst, c.size);
    case AHAL_PLUGIN_COMMAND_RECORD_EVENT:
      return stream_record_event(sp, c.event);
    case AHAL_PLUGIN_COMMAND_WAIT_EVENT:
      return stream_wait_event(sp, c.event);
    default:
      return fail(AHAL_ERROR_INTERNAL, "command type %d is not a stream command",
                  static_cast<int>(c.type));
  }
}

}  // namespace

ahal_status_t command_buffer_submit(ahal_plugin_stream_t* sp, ahal_plugin_command_buffer_t* cbp) {
  CommandBuffer* cb = object<CommandBuffer>(cbp);
  if (cb->broken)
    return fail(AHAL_ERROR_INVALID_STATE,
                "recording the command buffer again after an update failed; update it again or "
                "destroy it");
  Stream& stream = *object<StreamHandle>(sp)->stream;
  for (const Segment& seg : cb->segments) {
    ahal_status_t s =
        seg.cmd ? stream.submit_recorded(seg.cmd) : run_on_stream(sp, cb->commands[seg.first].cmd);
    if (s != AHAL_SUCCESS) return s;
  }
  return AHAL_SUCCESS;
}

}  // namespace ahal_vulkan
