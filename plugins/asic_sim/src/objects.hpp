// The plugin-side objects behind the opaque handles of plugin.h, and the
// entries each source file defines. The loader owns the handles'
// lifetimes; these structs only hold state.
#pragma once

#include "builtin_ops.hpp"
#include "command_processor.hpp"
#include "config.hpp"
#include "device_memory.hpp"
#include "dma_engine.hpp"
#include "fence.hpp"
#include "host.hpp"
#include "worker_pool.hpp"

#include <ahal/plugin.hpp>

#include <array>
#include <atomic>
#include <memory>
#include <string>
#include <vector>

struct ahal_plugin_instance_s {
  asic_sim::Config config;
};

// A built-in operator as a kernel handle; the device owns it.
struct ahal_plugin_kernel_s {
  const asic_sim::BuiltinOperator* op;
};

struct ahal_plugin_device_s {
  explicit ahal_plugin_device_s(const ahal_plugin_instance_s& instance)
      : config(instance.config),
        memory(config.memory_bytes),
        dma(config.dma_gbps * 1e9),
        compute(config.compute_threads) {
    for (uint32_t i = 0; i < asic_sim::kBuiltinOperatorCount; ++i) {
      builtins[i].op = &asic_sim::builtin_operators()[i];
    }
  }

  const asic_sim::Config config;
  asic_sim::DeviceClock clock;
  asic_sim::DeviceMemory memory;
  asic_sim::DmaEngine dma;
  asic_sim::WorkerPool compute;
  std::array<ahal_plugin_kernel_s, asic_sim::kBuiltinOperatorCount> builtins;
  std::atomic<uint32_t> streams_created{0};  // numbers the processor threads
};

// A range of device memory; there is no host pointer to it.
struct ahal_plugin_buffer_s {
  uint64_t offset;  // into the device's arena
  uint64_t size;
};

struct ahal_plugin_host_alloc_s {
  void* pointer;
};

struct ahal_plugin_stream_s {
  ahal_plugin_stream_s(ahal_plugin_device_s* d, uint32_t index)
      : device(d), processor("asic_sim-cp" + std::to_string(index)) {}

  ahal_plugin_device_s* device;
  asic_sim::CommandProcessor processor;
};

struct ahal_plugin_event_s {
  ahal_plugin_device_s* device;
  bool timing;
  // Shared with the commands that signal or wait on it, so destroying the
  // event while a record is in flight is safe.
  std::shared_ptr<asic_sim::Fence> fence;
};

namespace asic_sim {
// One decoded command of a command buffer (command_buffer.cpp).
struct CommandStep {
  ahal_plugin_command_type_t type = AHAL_PLUGIN_COMMAND_BARRIER;
  const void* src = nullptr;  // copies: device addresses or the host pointer
  void* dst = nullptr;        // copies, fills
  uint64_t size = 0;
  uint32_t pattern = 0, pattern_size = 0;
  const BuiltinOperator* op = nullptr;  // launches
  std::vector<float*> tensors;
  std::vector<uint8_t> constants;
  std::shared_ptr<Fence> fence;  // event records and waits
};
}  // namespace asic_sim

// A command list the command processor runs as one command.
struct ahal_plugin_command_buffer_s {
  ahal_plugin_device_s* device = nullptr;
  std::vector<asic_sim::CommandStep> steps;
  uint32_t event_steps = 0;
};

// The entries, one source file per object (plugin, device, buffer,
// host_alloc, stream, event, kernel, command_buffer). Each may throw (Failure); the table
// installs each behind ahal::plugin::entry, which turns an exception into
// its status and message.
namespace asic_sim {
AHAL_PLUGIN_REQUIRED_ENTRIES(AHAL_PLUGIN_DECLARE_ENTRY, _)
AHAL_PLUGIN_DECLARE_ENTRY(_, kernel_get_builtin)
AHAL_PLUGIN_DECLARE_ENTRY(_, device_memory_usage)
AHAL_PLUGIN_DECLARE_ENTRY(_, command_buffer_create)
AHAL_PLUGIN_DECLARE_ENTRY(_, command_buffer_destroy)
AHAL_PLUGIN_DECLARE_ENTRY(_, command_buffer_submit)
AHAL_PLUGIN_DECLARE_ENTRY(_, command_buffer_update)
AHAL_PLUGIN_DECLARE_ENTRY(_, buffer_get_native)
AHAL_PLUGIN_DECLARE_ENTRY(_, buffer_import_native)
}  // namespace asic_sim
