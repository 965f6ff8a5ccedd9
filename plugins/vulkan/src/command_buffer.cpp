// Native command buffers: device commands (launches, device copies, fills,
// barriers) recorded once into reusable VkCommandBuffers at finalize;
// host copies and events stay stream commands, run in order between the
// recorded segments at each submission. An update re-records.
#include "command_buffer.hpp"

#include <cstring>
#include <string>

namespace ahal_vulkan {

namespace {

// A fill whose range is not whole 4-byte words needs its pattern staged.
bool fill_needs_pattern(const ahal_plugin_command_t& c) {
  return (c.dst_offset % 4) != 0 || (c.size % 4) != 0 || c.size < 4;
}

uint32_t fill_word(uint32_t pattern, uint32_t pattern_size) {
  if (pattern_size == 1) return (pattern & 0xffu) * 0x01010101u;
  if (pattern_size == 2) return (pattern & 0xffffu) * 0x00010001u;
  return pattern;
}

void memory_barrier(const Device* d, VkCommandBuffer cmd) {
  auto mb = vk_struct<VkMemoryBarrier>();
  mb.srcAccessMask = Stream::kWorkWrites;
  mb.dstAccessMask = Stream::kWorkAccess;
  d->fn.vkCmdPipelineBarrier(cmd, Stream::kWorkStages, Stream::kWorkStages, 0, 1, &mb, 0, nullptr,
                             0, nullptr);
}

}  // namespace

bool recorded_on_device(const ahal_plugin_command_t& c) {
  return c.type == AHAL_PLUGIN_COMMAND_COPY_D2D || c.type == AHAL_PLUGIN_COMMAND_FILL ||
         c.type == AHAL_PLUGIN_COMMAND_LAUNCH || c.type == AHAL_PLUGIN_COMMAND_BARRIER;
}

void StoredCommand::assign(const ahal_plugin_command_t& c) {
  cmd = c;
  if (c.type != AHAL_PLUGIN_COMMAND_LAUNCH) return;
  bindings.assign(c.launch.bindings, c.launch.bindings + c.launch.binding_count);
  const auto* k = static_cast<const uint8_t*>(c.launch.constants);
  constants.assign(k, k + (k ? c.launch.constants_size : 0));
  cmd.launch.bindings = bindings.data();
  cmd.launch.constants = constants.data();
}

CommandBuffer::~CommandBuffer() {
  const auto& fn = device->fn;
  if (pool) fn.vkDestroyCommandPool(device->device, pool, nullptr);  // frees its buffers
  if (descriptors) fn.vkDestroyDescriptorPool(device->device, descriptors, nullptr);
  if (patterns.buffer) device->buffer_release(&patterns);
}

ahal_status_t CommandBuffer::record() {
  if (descriptors) {
    ahal_status_t s = device->check(
        device->fn.vkResetDescriptorPool(device->device, descriptors, 0), "vkResetDescriptorPool");
    if (s != AHAL_SUCCESS) return s;
  }
  for (const Segment& segment : segments) {
    if (!segment.cmd) continue;
    ahal_status_t s = record_segment(segment);
    if (s != AHAL_SUCCESS) return s;
  }
  return AHAL_SUCCESS;
}

ahal_status_t CommandBuffer::record_segment(const Segment& segment) {
  const auto& fn = device->fn;
  VkCommandBuffer cmd = segment.cmd;
  // Reusable, and submittable again while an earlier submission is pending
  // (the loader allows that; the stream orders the submissions).
  auto bi = vk_struct<VkCommandBufferBeginInfo>();
  bi.flags = VK_COMMAND_BUFFER_USAGE_SIMULTANEOUS_USE_BIT;
  ahal_status_t s = device->check(fn.vkBeginCommandBuffer(cmd, &bi), "vkBeginCommandBuffer");
  if (s != AHAL_SUCCESS) return s;
  bool touched = false;
  VkPipeline bound = VK_NULL_HANDLE;
  for (uint32_t i = segment.first; i < segment.first + segment.count; ++i) {
    const StoredCommand& sc = commands[i];
    const ahal_plugin_command_t& c = sc.cmd;
    switch (c.type) {
      case AHAL_PLUGIN_COMMAND_COPY_D2D: {
        memory_barrier(device, cmd);
        touched = true;
        VkBufferCopy region{c.src_offset, c.dst_offset, c.size};
        fn.vkCmdCopyBuffer(cmd, object<Buffer>(c.src)->mem.buffer,
                           object<Buffer>(c.dst)->mem.buffer, 1, &region);
        break;
      }
      case AHAL_PLUGIN_COMMAND_FILL: {
        memory_barrier(device, cmd);
        touched = true;
        VkBuffer dst = object<Buffer>(c.dst)->mem.buffer;
        const uint32_t word = fill_word(c.pattern, c.pattern_size);
        if (!fill_needs_pattern(c)) {
          fn.vkCmdFillBuffer(cmd, dst, c.dst_offset, c.size, word);
          break;
        }
        // As Stream::fill: whole words filled, unaligned head and tail bytes
        // copied from the staged pattern (offsets are multiples of the
        // pattern size, so the pattern is in phase at every multiple of 4).
        const uint64_t end = c.dst_offset + c.size;
        const uint64_t inner_begin = align_up(c.dst_offset, 4), inner_end = end & ~uint64_t{3};
        auto copy_pattern = [&](uint64_t at, uint64_t n) {
          VkBufferCopy region{sc.pattern_offset, at, n};
          fn.vkCmdCopyBuffer(cmd, patterns.buffer, dst, 1, &region);
        };
        if (inner_begin >= inner_end) {
          copy_pattern(c.dst_offset, c.size);
        } else {
          if (c.dst_offset < inner_begin) copy_pattern(c.dst_offset, inner_begin - c.dst_offset);
          fn.vkCmdFillBuffer(cmd, dst, inner_begin, inner_end - inner_begin, word);
          if (inner_end < end) copy_pattern(inner_end, end - inner_end);
        }
        break;
      }
      case AHAL_PLUGIN_COMMAND_LAUNCH:
        if (c.launch.binding_count) {
          memory_barrier(device, cmd);  // a kernel without bindings touches no memory
          touched = true;
        }
        if (bound != sc.pipeline->pipeline) {
          fn.vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, sc.pipeline->pipeline);
          bound = sc.pipeline->pipeline;
        }
        s = record_launch(cmd, sc);
        if (s != AHAL_SUCCESS) return s;
        break;
      default:  // barriers: every command already runs after the previous one
        break;
    }
  }
  if (touched) {
    // Make the writes visible to the host once the submission completed.
    auto mb = vk_struct<VkMemoryBarrier>();
    mb.srcAccessMask = Stream::kWorkWrites;
    mb.dstAccessMask = VK_ACCESS_HOST_READ_BIT | VK_ACCESS_HOST_WRITE_BIT;
    fn.vkCmdPipelineBarrier(cmd, Stream::kWorkStages, VK_PIPELINE_STAGE_HOST_BIT, 0, 1, &mb, 0,
                            nullptr, 0, nullptr);
  }
  return device->check(fn.vkEndCommandBuffer(cmd), "vkEndCommandBuffer");
}

ahal_status_t CommandBuffer::record_launch(VkCommandBuffer cmd, const StoredCommand& sc) {
  const auto& fn = device->fn;
  const ahal_plugin_launch_t& l = sc.cmd.launch;
  const Pipeline* p = sc.pipeline;
  if (const uint32_t nb = l.binding_count) {
    VkDescriptorBufferInfo infos[AHAL_MAX_BINDINGS];
    for (uint32_t i = 0; i < nb; ++i)
      infos[i] = {object<Buffer>(l.bindings[i].buffer)->mem.buffer, l.bindings[i].offset,
                  l.bindings[i].size};
    auto w = vk_struct<VkWriteDescriptorSet>();
    w.descriptorCount = nb;  // consecutive bindings 0 .. nb-1
    w.descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
    w.pBufferInfo = infos;
    if (device->push_descriptors) {
      fn.vkCmdPushDescriptorSetKHR(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, p->layout->layout, 0, 1,
                                   &w);
    } else {
      // One set per launch from the command buffer's pool; never updated
      // while recorded (an update resets the pool and records again).
      auto ai = vk_struct<VkDescriptorSetAllocateInfo>();
      ai.descriptorPool = descriptors;
      ai.descriptorSetCount = 1;
      ai.pSetLayouts = &p->layout->set_layout;
      VkDescriptorSet set;
      ahal_status_t s = device->check(fn.vkAllocateDescriptorSets(device->device, &ai, &set),
                                      "vkAllocateDescriptorSets");
      if (s != AHAL_SUCCESS) return s;
      w.dstSet = set;
      fn.vkUpdateDescriptorSets(device->device, 1, &w, 0, nullptr);
      fn.vkCmdBindDescriptorSets(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, p->layout->layout, 0, 1, &set,
                                 0, nullptr);
    }
  }
  if (p->key.constants_size) {
    uint8_t padded[AHAL_MAX_CONSTANTS_SIZE + 4] = {};
    std::memcpy(padded, sc.constants.data(), sc.constants.size());
    fn.vkCmdPushConstants(cmd, p->layout->layout, VK_SHADER_STAGE_COMPUTE_BIT, 0,
                          p->key.constants_size, padded);
  }
  fn.vkCmdDispatch(cmd, l.grid[0], l.grid[1], l.grid[2]);
  return AHAL_SUCCESS;
}

namespace {

// Checks launch `index` as Stream::launch would and compiles its pipeline.
ahal_status_t prepare_launch(Device* d, uint32_t index, StoredCommand& sc) {
  const std::string where = "command " + std::to_string(index) + " (launch): ";
  ahal_status_t s = check_dispatch(d, sc.cmd.launch, where.c_str());
  if (s != AHAL_SUCCESS) return s;
  return kernel_pipeline(object<Kernel>(sc.cmd.kernel), &sc.cmd.launch, &sc.pipeline);
}

ahal_status_t create(Device* d, const ahal_plugin_command_t* commands, uint32_t count,
                     CommandBuffer* cb) {
  const auto& fn = d->fn;
  cb->commands.resize(count);
  uint64_t pattern_bytes = 0;
  uint32_t descriptor_count = 0;
  for (uint32_t i = 0; i < count; ++i) {
    const ahal_plugin_command_t& c = commands[i];
    StoredCommand& sc = cb->commands[i];
    switch (c.type) {
      case AHAL_PLUGIN_COMMAND_COPY_H2D:
      case AHAL_PLUGIN_COMMAND_COPY_D2H:
      case AHAL_PLUGIN_COMMAND_COPY_D2D:
      case AHAL_PLUGIN_COMMAND_RECORD_EVENT:
      case AHAL_PLUGIN_COMMAND_WAIT_EVENT:
      case AHAL_PLUGIN_COMMAND_BARRIER:
        sc.assign(c);
        break;
      case AHAL_PLUGIN_COMMAND_FILL:
        if (c.pattern_size != 1 && c.pattern_size != 2 && c.pattern_size != 4)
          return fail(AHAL_ERROR_INVALID_ARGUMENT,
                      "command %u (fill): pattern_size is %u; it must be 1, 2 or 4", i,
                      c.pattern_size);
        sc.assign(c);
        if (fill_needs_pattern(c)) {
          sc.pattern_offset = pattern_bytes;
          pattern_bytes += 8;
        }
        break;
      case AHAL_PLUGIN_COMMAND_LAUNCH: {
        sc.assign(c);
        ahal_status_t s = prepare_launch(d, i, sc);
        if (s != AHAL_SUCCESS) return s;
        if (c.launch.binding_count) {
          ++cb->launches_with_bindings;
          descriptor_count += c.launch.binding_count;
        }
        break;
      }
      default:
        // UNSUPPORTED: the loader replays the buffer through the stream instead.
        return fail(AHAL_ERROR_UNSUPPORTED, "command %u: type %d is not known to the vulkan plugin",
                    i, static_cast<int>(c.type));
    }
    // Device commands join the open device segment; others get their own.
    const bool on_device = recorded_on_device(c);
    if (on_device && !cb->segments.empty() && cb->segments.back().on_device) {
      ++cb->segments.back().count;
    } else {
      cb->segments.push_back(Segment{i, 1, on_device, VK_NULL_HANDLE});
    }
  }
  auto pci = vk_struct<VkCommandPoolCreateInfo>();
  pci.flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT;
  pci.queueFamilyIndex = d->queue_family;
  ahal_status_t s =
      d->check(fn.vkCreateCommandPool(d->device, &pci, nullptr, &cb->pool), "vkCreateCommandPool");
  if (s != AHAL_SUCCESS) return s;
  std::vector<VkCommandBuffer> cmds;
  for (const Segment& seg : cb->segments)
    if (seg.on_device) cmds.push_back(VK_NULL_HANDLE);
  if (!cmds.empty()) {
    auto ai = vk_struct<VkCommandBufferAllocateInfo>();
    ai.commandPool = cb->pool;
    ai.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
    ai.commandBufferCount = static_cast<uint32_t>(cmds.size());
    s = d->check(fn.vkAllocateCommandBuffers(d->device, &ai, cmds.data()),
                 "vkAllocateCommandBuffers");
    if (s != AHAL_SUCCESS) return s;
  }
  size_t next = 0;
  for (Segment& seg : cb->segments) {
    if (seg.on_device) seg.cmd = cmds[next++];
  }
  if (!d->push_descriptors && cb->launches_with_bindings) {
    VkDescriptorPoolSize size{VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, descriptor_count};
    auto ci = vk_struct<VkDescriptorPoolCreateInfo>();
    ci.maxSets = cb->launches_with_bindings;
    ci.poolSizeCount = 1;
    ci.pPoolSizes = &size;
    s = d->check(fn.vkCreateDescriptorPool(d->device, &ci, nullptr, &cb->descriptors),
                 "vkCreateDescriptorPool");
    if (s != AHAL_SUCCESS) return s;
  }
  if (pattern_bytes) {
    s = d->buffer_create(pattern_bytes, VK_BUFFER_USAGE_TRANSFER_SRC_BIT,
                         VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT, VK_MEMORY_PROPERTY_HOST_COHERENT_BIT,
                         0, &cb->patterns);
    if (s != AHAL_SUCCESS) return s;
    for (const StoredCommand& sc : cb->commands) {
      if (sc.cmd.type != AHAL_PLUGIN_COMMAND_FILL || !fill_needs_pattern(sc.cmd)) continue;
      const uint32_t word = fill_word(sc.cmd.pattern, sc.cmd.pattern_size);
      std::memcpy(cb->patterns.mapped() + sc.pattern_offset, &word, 4);
      std::memcpy(cb->patterns.mapped() + sc.pattern_offset + 4, &word, 4);
    }
    d->flush(cb->patterns, 0, pattern_bytes);
  }
  return cb->record();
}

}  // namespace

// ---------------------------------------------------------------- entries

ahal_status_t command_buffer_create(ahal_plugin_device_t* dp, const ahal_plugin_command_t* commands,
                                    uint32_t command_count, uint32_t /*flags*/,
                                    ahal_plugin_command_buffer_t** out) {
  Device* d = object<Device>(dp);
  auto cb = std::make_unique<CommandBuffer>();
  cb->device = d;
  ahal_status_t s = create(d, commands, command_count, cb.get());
  if (s != AHAL_SUCCESS) return s;
  *out = handle<ahal_plugin_command_buffer_t>(cb.release());
  return AHAL_SUCCESS;
}

void command_buffer_destroy(ahal_plugin_command_buffer_t* cb) {
  // The loader waited for its submissions.
  delete object<CommandBuffer>(cb);
}

ahal_status_t command_buffer_update(ahal_plugin_command_buffer_t* cbp, uint32_t index,
                                    const ahal_plugin_command_t* command) {
  CommandBuffer* cb = object<CommandBuffer>(cbp);
  if (index >= cb->commands.size() || cb->commands[index].cmd.type != AHAL_PLUGIN_COMMAND_LAUNCH ||
      command->type != AHAL_PLUGIN_COMMAND_LAUNCH)
    return fail(AHAL_ERROR_INVALID_ARGUMENT, "command %u is not a recorded launch", index);
  // Prepared aside first: a refused update leaves the recorded launch as it was.
  StoredCommand next;
  next.assign(*command);
  ahal_status_t s = prepare_launch(cb->device, index, next);
  if (s != AHAL_SUCCESS) return s;
  cb->commands[index] = std::move(next);  // the vectors move; their data pointers stay valid
  // The loader allows no update while a submission is in flight, so the
  // VkCommandBuffers are not pending and can be recorded again.
  s = cb->record();
  cb->broken = s != AHAL_SUCCESS;
  return s;
}

}  // namespace ahal_vulkan
