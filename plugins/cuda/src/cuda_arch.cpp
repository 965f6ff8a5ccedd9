#include "cuda_arch.hpp"

#include <cctype>

namespace ahal_cuda {

bool parse_arch(const std::string& text, ArchTarget* out) {
  size_t pos;
  if (text.compare(0, 3, "sm_") == 0) {
    pos = 3;
  } else if (text.compare(0, 8, "compute_") == 0) {
    pos = 8;
  } else {
    return false;
  }
  int cc = 0;
  size_t digits = 0;
  while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos])) && digits < 4) {
    cc = cc * 10 + (text[pos++] - '0');
    ++digits;
  }
  if (digits < 2) return false;
  char suffix = 0;
  if (pos < text.size() && (text[pos] == 'a' || text[pos] == 'f')) suffix = text[pos++];
  if (pos != text.size()) return false;
  out->cc = cc;
  out->suffix = suffix;
  return true;
}

std::string arch_name(int major, int minor) {
  return "sm_" + std::to_string(major) + std::to_string(minor);
}

namespace {

// Whether code for `t` runs on `device_cc`: 'a' only on that exact arch,
// 'f' and plain SASS on the same major with a lower or equal minor.
bool same_major_fits(const ArchTarget& t, int device_cc) {
  if (t.suffix == 'a') return t.cc == device_cc;
  return t.cc / 10 == device_cc / 10 && t.cc <= device_cc;
}

}  // namespace

int32_t image_score(ahal_module_format_t format, const std::string& target, int device_cc) {
  ArchTarget t;
  const bool parsed = !target.empty() && parse_arch(target, &t);
  switch (format) {
    case AHAL_MODULE_FORMAT_CUBIN:
      if (target.empty()) return 50;  // unknown arch: try it last
      if (!parsed || !same_major_fits(t, device_cc)) return 0;
      return t.cc == device_cc ? 400 : 250 - (device_cc - t.cc);
    case AHAL_MODULE_FORMAT_FATBIN:
      return 300;
    case AHAL_MODULE_FORMAT_PTX:
      if (target.empty()) return 90;
      if (!parsed) return 0;
      if (t.suffix == 'a' || t.suffix == 'f') {
        if (!same_major_fits(t, device_cc)) return 0;
      } else if (t.cc > device_cc) {
        return 0;  // the JIT cannot lower PTX to an older arch
      }
      return 100 + t.cc;  // newest ISA that fits wins
    default:
      return 0;
  }
}

bool lanes_per_sm(int major, int minor, int* fp32, int* fp64) {
  struct Row {
    int major, minor, fp32, fp64;
  };
  static const Row kRows[] = {
      {5, 0, 128, 4}, {5, 2, 128, 4},  {6, 0, 64, 32},   {6, 1, 128, 4},
      {7, 0, 64, 32}, {7, 5, 64, 2},   {8, 0, 64, 32},   {8, 6, 128, 2},
      {8, 9, 128, 2}, {9, 0, 128, 64}, {10, 0, 128, 64}, {12, 0, 128, 2},
  };
  for (const Row& r : kRows) {
    if (r.major == major && r.minor == minor) {
      *fp32 = r.fp32;
      *fp64 = r.fp64;
      return true;
    }
  }
  return false;
}

double peak_bandwidth_gbps(int memory_clock_khz, int bus_width_bits) {
  if (memory_clock_khz <= 0 || bus_width_bits <= 0) return 0.0;
  return 2.0 * memory_clock_khz * 1e3 * (bus_width_bits / 8.0) / 1e9;
}

}  // namespace ahal_cuda
