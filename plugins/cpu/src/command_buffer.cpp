// Native command buffers: the commands are decoded once, at finalize, into
// steps with resolved pointers and copied constants; a submission is one
// stream command that runs them in order, so it costs one enqueue however
// many commands it holds. Launches run through the same path as on a stream.
#include "objects.hpp"

namespace ahal_cpu {
namespace {

CpuBuffer& cpu_buffer(ahal_plugin_buffer_t* buffer) {
  return static_cast<CpuBuffer&>(*plugin::object<plugin::Buffer>(buffer));
}

// The loader validated the command; the ranges are checked again because a
// wrong pointer here would be written at every submission.
CpuCommandBuffer::Step decode(const ahal_plugin_command_t& c) {
  CpuCommandBuffer::Step s;
  s.type = c.type;
  s.size = c.size;
  switch (c.type) {
    case AHAL_PLUGIN_COMMAND_COPY_H2D: {
      CpuBuffer& d = cpu_buffer(c.dst);
      check_range(d, c.dst_offset, c.size, "destination");
      s.dst = d.data() + c.dst_offset;
      s.src = static_cast<const unsigned char*>(c.host_src);
      break;
    }
    case AHAL_PLUGIN_COMMAND_COPY_D2H: {
      CpuBuffer& src = cpu_buffer(c.src);
      check_range(src, c.src_offset, c.size, "source");
      s.src = src.data() + c.src_offset;
      s.dst = static_cast<unsigned char*>(c.host_dst);
      break;
    }
    case AHAL_PLUGIN_COMMAND_COPY_D2D: {
      CpuBuffer& src = cpu_buffer(c.src);
      CpuBuffer& d = cpu_buffer(c.dst);
      check_range(src, c.src_offset, c.size, "source");
      check_range(d, c.dst_offset, c.size, "destination");
      s.src = src.data() + c.src_offset;
      s.dst = d.data() + c.dst_offset;
      break;
    }
    case AHAL_PLUGIN_COMMAND_FILL: {
      CpuBuffer& d = cpu_buffer(c.dst);
      if (c.pattern_size != 1 && c.pattern_size != 2 && c.pattern_size != 4) {
        plugin::raise(AHAL_ERROR_INVALID_ARGUMENT, "pattern_size is %u; it must be 1, 2 or 4",
                      c.pattern_size);
      }
      check_range(d, c.dst_offset, c.size, "fill");
      s.dst = d.data() + c.dst_offset;
      s.pattern = c.pattern;
      s.pattern_size = c.pattern_size;
      break;
    }
    case AHAL_PLUGIN_COMMAND_RECORD_EVENT:
    case AHAL_PLUGIN_COMMAND_WAIT_EVENT:
      s.event = static_cast<CpuEvent&>(*plugin::object<plugin::Event>(c.event)).state();
      break;
    case AHAL_PLUGIN_COMMAND_LAUNCH:
    case AHAL_PLUGIN_COMMAND_BARRIER:  // the steps run in order anyway
      break;
    default:
      // UNSUPPORTED: the loader replays the buffer through the stream instead.
      plugin::raise(AHAL_ERROR_UNSUPPORTED, "command type %d is not known to the cpu plugin",
                    static_cast<int>(c.type));
  }
  return s;
}

}  // namespace

CpuCommandBuffer::CpuCommandBuffer(const ahal_plugin_command_t* commands, uint32_t count) {
  steps_.reserve(count);
  for (uint32_t i = 0; i < count; ++i) {
    const ahal_plugin_command_t& c = commands[i];
    Step s = decode(c);
    if (c.type == AHAL_PLUGIN_COMMAND_LAUNCH) {
      s.launch = static_cast<uint32_t>(launches_.size());
      launches_.emplace_back();
      decode_launch(*plugin::object<plugin::Kernel>(c.kernel), c.launch, launches_.back());
    }
    if (s.event) ++event_steps_;
    steps_.push_back(std::move(s));
  }
}

void CpuCommandBuffer::update(uint32_t index, const ahal_plugin_command_t& command) {
  if (index >= steps_.size() || steps_[index].type != AHAL_PLUGIN_COMMAND_LAUNCH ||
      command.type != AHAL_PLUGIN_COMMAND_LAUNCH) {
    plugin::raise(AHAL_ERROR_INVALID_ARGUMENT, "command %u is not a recorded launch", index);
  }
  // Decoded aside first: a refused update leaves the recorded launch as it was.
  Launch l;
  decode_launch(*plugin::object<plugin::Kernel>(command.kernel), command.launch, l);
  launches_[steps_[index].launch] = std::move(l);
}

void CpuCommandBuffer::mark_events(uint64_t* marks) const {
  // The same generations record_event/wait_event would take, in order: a
  // wait after a record of the same event in the list waits for that record.
  for (const Step& s : steps_) {
    if (s.type == AHAL_PLUGIN_COMMAND_RECORD_EVENT) {
      *marks++ = s.event->next_record();
    } else if (s.type == AHAL_PLUGIN_COMMAND_WAIT_EVENT) {
      *marks++ = s.event->last_record();
    }
  }
}

std::unique_ptr<plugin::CommandBuffer> CpuDevice::create_command_buffer(
    const ahal_plugin_command_t* commands, uint32_t command_count, uint32_t) {
  return std::make_unique<CpuCommandBuffer>(commands, command_count);
}

void CpuStream::submit(plugin::CommandBuffer& command_buffer) {
  // The loader keeps the command buffer alive, and unchanged, while a
  // submission is in flight.
  const auto* cb = static_cast<const CpuCommandBuffer*>(&command_buffer);
  if (cb->event_steps() == 0) {
    enqueue([this, cb] { run_commands(*cb, nullptr); });
    return;
  }
  auto marks = std::make_shared<std::vector<uint64_t>>(cb->event_steps());
  enqueue([this, cb, marks] { run_commands(*cb, marks->data()); },
          [&] { cb->mark_events(marks->data()); });
}

void CpuStream::run_commands(const CpuCommandBuffer& cb, const uint64_t* marks) {
  const std::vector<Launch>& launches = cb.launches();
  for (const CpuCommandBuffer::Step& s : cb.steps()) {
    switch (s.type) {
      case AHAL_PLUGIN_COMMAND_COPY_H2D:
      case AHAL_PLUGIN_COMMAND_COPY_D2H:
      case AHAL_PLUGIN_COMMAND_COPY_D2D:
        if (s.size) copy(s.dst, s.src, s.size);
        break;
      case AHAL_PLUGIN_COMMAND_FILL:
        if (s.size) fill_bytes(s.dst, s.size, s.pattern, s.pattern_size);
        break;
      case AHAL_PLUGIN_COMMAND_LAUNCH:
        run_launch(launches[s.launch], device_.pool(), scratch_);
        break;
      case AHAL_PLUGIN_COMMAND_RECORD_EVENT:
        s.event->complete(*marks++);
        break;
      case AHAL_PLUGIN_COMMAND_WAIT_EVENT: {
        const uint64_t target = *marks++;
        if (target) s.event->wait_for(target);
        break;
      }
      default:
        break;
    }
  }
}

}  // namespace ahal_cpu
