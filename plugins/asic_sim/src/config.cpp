#include "config.hpp"

#include "host.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <string>
#include <thread>

namespace asic_sim {
namespace {

// A bad setting refuses the plugin with a message rather than silently
// running with a default the user did not ask for.
[[noreturn]] void bad_setting(const char* name, const char* value, const char* expected) {
  throw Failure(AHAL_ERROR_INVALID_ARGUMENT,
                std::string(name) + "='" + value + "' is not " + expected);
}

}  // namespace

Config Config::from_environment() {
  Config config;
  if (const char* value = std::getenv("AHAL_ASIC_SIM_MEMORY_MB"); value && *value) {
    char* end = nullptr;
    errno = 0;
    unsigned long long mb = std::strtoull(value, &end, 10);
    // Up to 1 TiB; the arena is one host allocation.
    if (errno != 0 || *end != '\0' || value[0] == '-' || mb == 0 || mb > (1ull << 20)) {
      bad_setting("AHAL_ASIC_SIM_MEMORY_MB", value, "a size in MiB from 1 to 1048576");
    }
    config.memory_bytes = mb << 20;
  }
  if (const char* value = std::getenv("AHAL_ASIC_SIM_DMA_GBPS"); value && *value) {
    char* end = nullptr;
    errno = 0;
    double gbps = std::strtod(value, &end);
    if (errno != 0 || *end != '\0' || !std::isfinite(gbps) || gbps <= 0) {
      bad_setting("AHAL_ASIC_SIM_DMA_GBPS", value, "a positive bandwidth in GB/s");
    }
    config.dma_gbps = gbps;
  }
  config.compute_threads = std::clamp(std::thread::hardware_concurrency(), 1u, 4u);
  return config;
}

}  // namespace asic_sim
