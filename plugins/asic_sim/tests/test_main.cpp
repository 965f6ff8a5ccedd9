// The device tests expect the simulator's defaults (512 MiB, 16 GB/s);
// settings from the caller's environment would change what they measure.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <cstdlib>

int main(int argc, char** argv) {
  unsetenv("AHAL_ASIC_SIM_MEMORY_MB");
  unsetenv("AHAL_ASIC_SIM_DMA_GBPS");
  return Catch::Session().run(argc, argv);
}
