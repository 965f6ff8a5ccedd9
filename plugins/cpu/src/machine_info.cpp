#include "machine_info.hpp"

#include <sched.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace ahal_cpu {
namespace {

std::string trim(const std::string& s) {
  const size_t begin = s.find_first_not_of(" \t");
  if (begin == std::string::npos) return "";
  const size_t end = s.find_last_not_of(" \t\r\n");
  return s.substr(begin, end - begin + 1);
}

// Maps CPUID vendor strings to the names people use.
std::string vendor_name(const std::string& id) {
  if (id == "AuthenticAMD") return "AMD";
  if (id == "GenuineIntel") return "Intel";
  if (id == "HygonGenuine") return "Hygon";
  return id;
}

// ARM "CPU implementer" codes of the common vendors.
std::string arm_implementer(const std::string& code) {
  const unsigned long v = std::strtoul(code.c_str(), nullptr, 0);
  switch (v) {
    case 0x41:
      return "ARM";
    case 0x42:
      return "Broadcom";
    case 0x43:
      return "Cavium";
    case 0x46:
      return "Fujitsu";
    case 0x48:
      return "HiSilicon";
    case 0x4e:
      return "NVIDIA";
    case 0x51:
      return "Qualcomm";
    case 0x61:
      return "Apple";
    case 0xc0:
      return "Ampere";
    default:
      return code;
  }
}

bool has_word(const std::string& list, const char* word) {
  std::istringstream in(list);
  std::string w;
  while (in >> w) {
    if (w == word) return true;
  }
  return false;
}

}  // namespace

MachineInfo read_machine_info() {
  MachineInfo info;

  struct utsname uts {};
  if (uname(&uts) == 0) {
    info.arch = uts.machine;
    info.kernel_release = uts.release;
  }

  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) == 0 && CPU_COUNT(&set) > 0) {
    info.cores = static_cast<uint32_t>(CPU_COUNT(&set));
  } else if (get_nprocs() > 0) {
    info.cores = static_cast<uint32_t>(get_nprocs());
  }

  struct sysinfo si {};
  if (sysinfo(&si) == 0) info.memory_bytes = uint64_t(si.totalram) * si.mem_unit;

  // The first processor's block is enough: the fields we read are the same
  // for every core of the machines we run on.
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line, vendor_id, implementer, mhz, features;
  while (std::getline(cpuinfo, line)) {
    const size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    const std::string key = trim(line.substr(0, colon));
    const std::string value = trim(line.substr(colon + 1));
    if (info.model.empty() && (key == "model name" || key == "Model" || key == "cpu model")) {
      info.model = value;
    } else if (vendor_id.empty() && key == "vendor_id") {
      vendor_id = value;
    } else if (implementer.empty() && key == "CPU implementer") {
      implementer = value;
    } else if (mhz.empty() && key == "cpu MHz") {
      mhz = value;
    } else if (features.empty() && (key == "flags" || key == "Features")) {
      features = value;
    }
  }
  if (!vendor_id.empty()) {
    info.vendor = vendor_name(vendor_id);
  } else if (!implementer.empty()) {
    info.vendor = arm_implementer(implementer);
  }
  if (!mhz.empty())
    info.clock_mhz = static_cast<uint32_t>(std::lround(std::strtod(mhz.c_str(), nullptr)));
  // x86 F16C or ARM half-precision FP: conversions run in hardware.
  info.fp16 = has_word(features, "f16c") || has_word(features, "fphp");

  if (info.model.empty()) info.model = info.arch.empty() ? "CPU" : info.arch + " CPU";
  if (info.vendor.empty()) info.vendor = "unknown";
  return info;
}

}  // namespace ahal_cpu
