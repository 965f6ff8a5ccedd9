#include "host_info.hpp"

#include <cctype>
#include <fstream>
#include <utility>
#include <string>
#include <sys/utsname.h>
#include <unistd.h>

namespace conform {

namespace {

std::string trim(std::string s) {
  size_t b = s.find_first_not_of(" \t\"");
  size_t e = s.find_last_not_of(" \t\"\r");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

// Value after the first "<key><sep>" line of a file, or "".
std::string file_value(const char* path, const std::string& key, char sep) {
  std::ifstream f(path);
  std::string line;
  while (std::getline(f, line)) {
    size_t at = line.find(sep);
    if (at != std::string::npos && trim(line.substr(0, at)) == key)
      return trim(line.substr(at + 1));
  }
  return "";
}

}  // namespace

int host_vector_bits(std::string* isa) {
  std::string flags = " " + file_value("/proc/cpuinfo", "flags", ':') + " ";
  if (flags == "  ") flags = " " + file_value("/proc/cpuinfo", "Features", ':') + " ";
  static const std::pair<const char*, int> kUnits[] = {
      {"avx512f", 512}, {"avx2", 256}, {"avx", 256}, {"sse2", 128}, {"asimd", 128}, {"neon", 128}};
  for (const auto& [name, bits] : kUnits) {
    if (flags.find(std::string(" ") + name + " ") == std::string::npos) continue;
    std::string upper = name;
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    *isa = upper == "AVX512F" ? "AVX-512" : upper;
    return bits;
  }
  return 0;
}

Json host_info() {
  Json j = Json::object();
  std::string cpu = file_value("/proc/cpuinfo", "model name", ':');
  if (cpu.empty()) cpu = file_value("/proc/cpuinfo", "Model", ':');  // many ARM boards
  j.set("cpu", cpu);
  j.set("cpu_count", static_cast<uint64_t>(sysconf(_SC_NPROCESSORS_ONLN)));
  long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGE_SIZE);
  j.set("memory_bytes", pages > 0 && page > 0 ? static_cast<uint64_t>(pages) * page : 0);
  std::string os = file_value("/etc/os-release", "PRETTY_NAME", '=');
  j.set("os", os.empty() ? "unknown" : os);
  std::string isa;
  if (host_vector_bits(&isa) > 0) j.set("vector_unit", isa);
  struct utsname u {};
  if (uname(&u) == 0) {
    j.set("kernel", std::string(u.sysname) + " " + u.release + " " + u.version);
    j.set("machine", u.machine);
  }
  return j;
}

}  // namespace conform
