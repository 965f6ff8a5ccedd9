// Native command buffers of the Vulkan plugin (docs/command-buffers.md):
// the device commands of an ahal command buffer recorded once into reusable
// VkCommandBuffers (no ONE_TIME_SUBMIT), so that a submission costs one
// vkQueueSubmit per segment instead of one stream call per command.
#pragma once

#include "objects.hpp"

#include <vector>

namespace ahal_vulkan {

// One recorded command, with the launch's bindings and constants copied
// (the loader's pointers are valid only during the call).
struct StoredCommand {
  ahal_plugin_command_t cmd{};
  std::vector<ahal_plugin_binding_t> bindings;
  std::vector<uint8_t> constants;
  Pipeline* pipeline = nullptr;  // launches: compiled at create
  uint64_t pattern_offset = 0;   // unaligned fills: their 8 pattern bytes in `patterns`

  void assign(const ahal_plugin_command_t& c);
};

// A run of device commands recorded into one VkCommandBuffer, or one
// command the stream runs itself (a host copy, an event record or wait):
// those need the stream's staging, host steps and timeline bookkeeping at
// each submission.
struct Segment {
  uint32_t first = 0, count = 0;  // commands [first, first + count)
  bool on_device = false;         // else: command `first` runs on the stream
  VkCommandBuffer cmd = VK_NULL_HANDLE;
};

struct CommandBuffer {  // ahal_plugin_command_buffer_t
  Device* device = nullptr;
  std::vector<StoredCommand> commands;
  std::vector<Segment> segments;
  VkCommandPool pool = VK_NULL_HANDLE;
  VkDescriptorPool descriptors = VK_NULL_HANDLE;  // without push descriptors
  DeviceBuffer patterns;                          // fill patterns for unaligned fills
  uint32_t launches_with_bindings = 0;
  bool broken = false;  // recording again after an update failed

  ~CommandBuffer();
  // Records every segment again (at create, and after an update).
  ahal_status_t record();

 private:
  ahal_status_t record_segment(const Segment& segment);
  ahal_status_t record_launch(VkCommandBuffer cmd, const StoredCommand& c);
};

// Whether the recorded form takes command `c` (others run on the stream).
bool recorded_on_device(const ahal_plugin_command_t& c);

}  // namespace ahal_vulkan
