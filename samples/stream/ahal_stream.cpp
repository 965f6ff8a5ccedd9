// ahal-stream: McCalpin's STREAM (Copy, Scale, Add, Triad) plus Dot, in
// double precision, on one ahal device, with the standard stream_* kernels.
//
//   ahal-stream [--device SEL] [--size N] [--repeats K] [--workgroup W] [--json]
//
// Each repeat runs copy (c = a), scale (b = s*c), add (c = a + b),
// triad (a = b + s*c) and dot (a . b); each is timed on the host from launch
// to synchronize (dot includes reading back and summing the partial sums).
// The first repeat is a warm-up; the best rate of the others is reported,
// with bytes per element 16 (copy, scale, dot) or 24 (add, triad), as STREAM
// counts them. The arrays are then checked element by element as STREAM's
// checkSTREAMresults does (average error against the values the same
// sequence gives on the host). Exit status: 0 pass, 1 fail or error, 77 when
// the device is absent or has no fp64 (a skip).
#include <ahal/ahal.hpp>
#include <ahal_tool_support.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

constexpr int kSkip = 77;
constexpr double kScalar = 3.0;  // STREAM's scalar
// Values grow 15x per repeat with STREAM's scalar; past this they overflow.
constexpr int kMaxRepeats = 100;

struct StreamConstants {  // docs/kernel-abi.md: {double s; uint32 n; uint32 pad}
  double s;
  uint32_t n;
  uint32_t pad;
};

enum Kernel { kCopy, kScale, kAdd, kTriad, kDot, kKernelCount };
const char* const kNames[kKernelCount] = {"copy", "scale", "add", "triad", "dot"};
const char* const kLabels[kKernelCount] = {"Copy", "Scale", "Add", "Triad", "Dot"};
const double kBytesPerElement[kKernelCount] = {16, 16, 24, 24, 16};

struct Options {
  const char* selector = nullptr;
  uint64_t size = uint64_t(1) << 25;
  bool size_given = false;
  int repeats = 10;
  uint32_t workgroup = 256;
  bool workgroup_given = false;
  bool json = false;
};

bool parse(int argc, char** argv, Options* o) {
  for (int i = 1; i < argc; ++i) {
    const bool has_value = i + 1 < argc;
    if (!std::strcmp(argv[i], "--device") && has_value) {
      o->selector = argv[++i];
    } else if (!std::strcmp(argv[i], "--size") && has_value) {
      o->size = std::strtoull(argv[++i], nullptr, 10);
      o->size_given = true;
    } else if (!std::strcmp(argv[i], "--repeats") && has_value) {
      o->repeats = std::atoi(argv[++i]);
    } else if (!std::strcmp(argv[i], "--workgroup") && has_value) {
      o->workgroup = static_cast<uint32_t>(std::strtoul(argv[++i], nullptr, 10));
      o->workgroup_given = true;
    } else if (!std::strcmp(argv[i], "--json")) {
      o->json = true;
    } else {
      return false;
    }
  }
  return o->size >= 1 && o->size <= UINT32_MAX && o->repeats >= 1 && o->repeats <= kMaxRepeats &&
         o->workgroup >= 1;
}

// STREAM's check of one array: average absolute error relative to the
// expected value, and the number of elements off by more than epsilon.
bool check_array(const char* name, const std::vector<double>& v, double expected, bool quiet) {
  constexpr double kEpsilon = 1e-13;
  double sum_error = 0;
  for (double x : v) sum_error += std::fabs(x - expected);
  const double avg_error = sum_error / double(v.size());
  if (std::fabs(avg_error / expected) <= kEpsilon) return true;
  uint64_t wrong = 0;
  for (double x : v) {
    if (std::fabs(x / expected - 1.0) > kEpsilon) ++wrong;
  }
  if (!quiet) {
    std::printf(
        "Failed validation on array %s: average relative error %g > %g; %llu of %zu "
        "elements off (expected %.17g)\n",
        name, std::fabs(avg_error / expected), kEpsilon, static_cast<unsigned long long>(wrong),
        v.size(), expected);
  }
  return false;
}

int run(const Options& o) {
  ahal::Runtime runtime;
  ahal::Device device;
  try {
    if (o.selector) {
      device = runtime.find(o.selector);
    } else {
      const std::vector<ahal::Device> devices = runtime.devices();
      if (devices.empty()) throw ahal::error(AHAL_ERROR_NOT_FOUND, "no devices");
      device = devices.front();
    }
  } catch (const ahal::error& e) {
    if (e.status() != AHAL_ERROR_NOT_FOUND) throw;
    std::printf("SKIP: %s\n", e.what());
    return kSkip;
  }
  const ahal_device_properties_t props = device.properties();
  if (!(props.features & AHAL_FEATURE_FP64)) {
    std::printf("SKIP: %s (%s) has no fp64 (AHAL_FEATURE_FP64); STREAM runs in double precision\n",
                props.selector, props.name);
    return kSkip;
  }

  // Three arrays must fit the device: shrink the default size, refuse a
  // size that was asked for.
  uint64_t n = o.size;
  const uint64_t limit = std::min(props.max_allocation_bytes / 8, props.global_memory_bytes / 32);
  if (n > limit) {
    if (o.size_given) {
      std::fprintf(stderr, "ahal-stream: --size %llu does not fit %s (at most %llu doubles)\n",
                   static_cast<unsigned long long>(n), props.selector,
                   static_cast<unsigned long long>(limit));
      return 1;
    }
    n = limit;
  }
  // CPU-like devices (the CPU plugin, PoCL, lavapipe) run a workgroup's
  // items in one loop: larger workgroups cost less per element there.
  const uint32_t workgroup = o.workgroup_given || props.type != AHAL_DEVICE_TYPE_CPU
                                 ? o.workgroup
                                 : std::max(o.workgroup, 1024u);
  const uint32_t wg = std::min(workgroup, props.max_workgroup_size);
  const uint64_t groups = (n + wg - 1) / wg;
  // Past the device's grid width the workgroups go in rows of a 2D grid:
  // the kernels index linearly and check the bound.
  const uint32_t groups_x =
      static_cast<uint32_t>(std::min<uint64_t>(groups, props.max_grid_dims[0]));
  const uint64_t groups_y = (groups + groups_x - 1) / groups_x;
  const uint32_t dot_wg = std::min(wg, 256u);  // stream_dot: power of two <= 256
  uint32_t dot_pow2 = 1;
  while (dot_pow2 * 2 <= dot_wg) dot_pow2 *= 2;
  // Dot's workgroups reduce with barriers, which CPU-like devices pay per
  // work-item: there, a few workgroups that each stride over many elements.
  const uint64_t dot_cap = props.type == AHAL_DEVICE_TYPE_CPU ? 256 : 65535;
  const uint32_t dot_groups = static_cast<uint32_t>(
      std::min<uint64_t>({(n + dot_pow2 - 1) / dot_pow2, dot_cap, props.max_grid_dims[0]}));
  if (groups_y > props.max_grid_dims[1]) {
    std::fprintf(stderr,
                 "ahal-stream: %llu workgroups exceed %s's grid limits %u x %u; use a larger "
                 "--workgroup or smaller --size\n",
                 static_cast<unsigned long long>(groups), props.selector, props.max_grid_dims[0],
                 props.max_grid_dims[1]);
    return 1;
  }

  ahal::Module module;
  try {
    module = ahal::Module::from_file(device, ahal_tools::kernels_bundle_path());
  } catch (const ahal::error& e) {
    if (e.status() != AHAL_ERROR_UNSUPPORTED) throw;
    std::printf("SKIP: %s cannot run the standard kernels: %s\n", props.selector, e.what());
    return kSkip;
  }
  ahal::Kernel kernels[kKernelCount];
  for (int k = 0; k < kKernelCount; ++k)
    kernels[k] = module.kernel(std::string("stream_") + kNames[k]);

  const uint64_t bytes = n * sizeof(double);
  ahal::Buffer a(device, bytes), b(device, bytes), c(device, bytes);
  ahal::Buffer partial(device, uint64_t(dot_groups) * sizeof(double));
  ahal::Stream stream(device);
  {
    // STREAM's start values, with its a = 2 * a applied on the host.
    std::vector<double> init(n, 2.0);
    stream.copy_h2d(init.data(), a, 0, bytes);
    stream.synchronize();
    std::fill(init.begin(), init.end(), 2.0);
    stream.copy_h2d(init.data(), b, 0, bytes);
    stream.synchronize();
    std::fill(init.begin(), init.end(), 0.0);
    stream.copy_h2d(init.data(), c, 0, bytes);
    stream.synchronize();
  }

  const StreamConstants constants{kScalar, static_cast<uint32_t>(n), 0};
  auto launch = [&](int k, std::initializer_list<const ahal::Buffer*> buffers, uint32_t grid,
                    uint32_t size, uint32_t grid_y = 1) {
    ahal_binding_t bindings[3];
    uint32_t count = 0;
    for (const ahal::Buffer* buffer : buffers) bindings[count++] = {buffer->get(), 0, 0};
    ahal_launch_args_t args{};
    args.struct_size = sizeof(args);
    args.grid[0] = grid;
    args.grid[1] = grid_y;
    args.grid[2] = 1;
    args.workgroup_size[0] = size;
    args.workgroup_size[1] = args.workgroup_size[2] = 1;
    args.binding_count = count;
    args.bindings = bindings;
    args.constants = &constants;
    args.constants_size = sizeof(constants);
    stream.launch(kernels[k], args);
  };

  using Clock = std::chrono::steady_clock;
  std::vector<double> times[kKernelCount];
  std::vector<double> partial_sums(dot_groups);
  double dot = 0;
  for (int r = 0; r < o.repeats; ++r) {
    for (int k = 0; k < kKernelCount; ++k) {
      const auto start = Clock::now();
      switch (k) {
        case kCopy:
          launch(k, {&a, &c}, groups_x, wg, uint32_t(groups_y));
          break;
        case kScale:
          launch(k, {&c, &b}, groups_x, wg, uint32_t(groups_y));
          break;
        case kAdd:
          launch(k, {&a, &b, &c}, groups_x, wg, uint32_t(groups_y));
          break;
        case kTriad:
          launch(k, {&a, &b, &c}, groups_x, wg, uint32_t(groups_y));
          break;
        case kDot:
          launch(k, {&a, &b, &partial}, dot_groups, dot_pow2);
          stream.copy_d2h(partial, 0, partial_sums.data(), partial.size());
          break;
      }
      stream.synchronize();
      if (k == kDot) {
        dot = 0;
        for (double p : partial_sums) dot += p;
      }
      times[k].push_back(std::chrono::duration<double>(Clock::now() - start).count());
    }
  }

  // The values every element must hold, from the same sequence on the host.
  double aj = 2.0, bj = 2.0, cj = 0.0;
  for (int r = 0; r < o.repeats; ++r) {
    cj = aj;
    bj = kScalar * cj;
    cj = aj + bj;
    aj = bj + kScalar * cj;
  }
  std::vector<double> host(n);
  bool valid = true;
  stream.copy_d2h(a, 0, host.data(), bytes);
  stream.synchronize();
  valid &= check_array("a", host, aj, o.json);
  stream.copy_d2h(b, 0, host.data(), bytes);
  stream.synchronize();
  valid &= check_array("b", host, bj, o.json);
  stream.copy_d2h(c, 0, host.data(), bytes);
  stream.synchronize();
  valid &= check_array("c", host, cj, o.json);
  const double dot_expected = aj * bj * double(n);
  const bool dot_valid = std::fabs(dot - dot_expected) <= 1e-8 * std::fabs(dot_expected);
  if (!dot_valid && !o.json) {
    std::printf("Failed validation on dot: %.17g, expected %.17g\n", dot, dot_expected);
  }
  valid &= dot_valid;

  // Best, average and worst times, the warm-up left out when there is more.
  struct Result {
    double gbps, min_s, avg_s, max_s;
  } results[kKernelCount];
  for (int k = 0; k < kKernelCount; ++k) {
    const auto first = times[k].begin() + (o.repeats > 1 ? 1 : 0);
    const double min_s = *std::min_element(first, times[k].end());
    const double max_s = *std::max_element(first, times[k].end());
    double sum = 0;
    for (auto it = first; it != times[k].end(); ++it) sum += *it;
    const double avg_s = sum / double(times[k].end() - first);
    results[k] = {kBytesPerElement[k] * double(n) / min_s / 1e9, min_s, avg_s, max_s};
  }

  if (o.json) {
    std::printf(
        "{\"device\": %s, \"name\": %s, \"size\": %llu, \"repeats\": %d, "
        "\"workgroup\": %u, \"results\": {",
        ahal_tools::json_quote(props.selector).c_str(), ahal_tools::json_quote(props.name).c_str(),
        static_cast<unsigned long long>(n), o.repeats, wg);
    for (int k = 0; k < kKernelCount; ++k) {
      std::printf("%s\"%s\": {\"gbps\": %.3f, \"min_s\": %.6g, \"avg_s\": %.6g, \"max_s\": %.6g}",
                  k ? ", " : "", kNames[k], results[k].gbps, results[k].min_s, results[k].avg_s,
                  results[k].max_s);
    }
    std::printf("}, \"verified\": %s}\n", valid ? "true" : "false");
  } else {
    std::printf("ahal-stream on %s (%s)\n", props.selector, props.name);
    std::printf(
        "%llu doubles per array (%.1f MB), 3 arrays (%.1f MB), %d repeats (best of the "
        "last %d), workgroup %u\n",
        static_cast<unsigned long long>(n), double(bytes) / 1e6, 3.0 * double(bytes) / 1e6,
        o.repeats, o.repeats > 1 ? o.repeats - 1 : 1, wg);
    if (n < o.size) std::printf("(size reduced to fit the device's memory)\n");
    std::printf("Function    Best Rate GB/s  Avg time     Min time     Max time\n");
    for (int k = 0; k < kKernelCount; ++k) {
      std::printf("%-10s %12.1f  %11.6f  %11.6f  %11.6f\n", (std::string(kLabels[k]) + ":").c_str(),
                  results[k].gbps, results[k].avg_s, results[k].min_s, results[k].max_s);
    }
    if (valid) {
      std::printf(
          "Solution Validates: avg error less than 1e-13 on all three arrays, dot "
          "within 1e-8\n");
    }
    std::printf("%s\n", valid ? "PASS" : "FAIL");
  }
  return valid ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  if (!parse(argc, argv, &options)) {
    std::fprintf(stderr,
                 "usage: ahal-stream [--device SEL] [--size N] [--repeats K (1..%d)] "
                 "[--workgroup W] [--json]\n",
                 kMaxRepeats);
    return 1;
  }
  try {
    return run(options);
  } catch (const ahal::error& e) {
    std::fprintf(stderr, "ahal-stream: %s\n", e.what());
    return 1;
  }
}
