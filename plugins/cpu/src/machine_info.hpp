// What the CPU plugin reports about the machine it runs on.
#pragma once

#include <cstdint>
#include <string>

namespace ahal_cpu {

struct MachineInfo {
  std::string model;           // /proc/cpuinfo "model name" or similar
  std::string vendor;          // "AMD", "Intel", ...
  std::string arch;            // uname machine: "x86_64", "aarch64"
  std::string kernel_release;  // uname release
  uint32_t cores = 1;          // CPUs this process may run on
  uint64_t memory_bytes = 0;   // physical memory
  uint32_t clock_mhz = 0;      // 0 if unknown
  bool fp16 = false;           // hardware half-precision conversions
};

MachineInfo read_machine_info();

}  // namespace ahal_cpu
