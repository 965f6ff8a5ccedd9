// Simulator settings, read from the environment when the plugin starts.
#pragma once

#include <cstdint>

namespace asic_sim {

struct Config {
  // AHAL_ASIC_SIM_MEMORY_MB: size of the device memory arena.
  uint64_t memory_bytes = 512ull << 20;
  // AHAL_ASIC_SIM_DMA_GBPS: host<->device copy bandwidth, 1e9 bytes/s.
  double dma_gbps = 16.0;
  // Host threads that stand in for the compute engines.
  unsigned compute_threads = 4;

  // Defaults overridden by the environment; throws Failure
  // (AHAL_ERROR_INVALID_ARGUMENT) for a value that is not a valid number.
  static Config from_environment();
};

}  // namespace asic_sim
