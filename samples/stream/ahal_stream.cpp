// ahal-stream: McCalpin's STREAM (Copy, Scale, Add, Triad) plus Dot, in
// double precision, on one ahal device, with the standard stream_* kernels.
//
//   ahal-stream [--device SEL] [--size N] [--repeats K] [--workgroup W] [--json]
//               [--skip-missing]
//
// Each repeat runs copy (c = a), scale (b = s*c), add (c = a + b),
// triad (a = b + s*c) and dot (a . b); each is timed on the host from launch
// to synchronize (dot includes reading back and summing the partial sums).
// The first repeat is a warm-up; the best rate of the others is reported,
// with bytes per element 16 (copy, scale, dot) or 24 (add, triad), as STREAM
// counts them. The arrays are then checked element by element as STREAM's
// checkSTREAMresults does (average error against the values the same
// sequence gives on the host). Without --size, the arrays shrink until they
// fit the device: its allocation and memory sizes, its grid limit, and the
// range one binding may span (Vulkan's maxStorageBufferRange, found by the
// first launch). Exit status: 0 pass, 1 fail or error, 2 usage error or no
// such device, 77 when the device cannot run STREAM (no fp64, no image for
// the standard kernels) or, with --skip-missing, when it does not exist.
#include <ahal/ahal.hpp>
#include <ahal_tool_support.hpp>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

using ahal_tools::kExitSkipped;
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
  bool skip_missing = false;
};

const char kUsage[] =
    "usage: ahal-stream [--device SEL] [--size N] [--repeats K] [--workgroup W] [--json]\n"
    "                   [--skip-missing]\n"
    "  --device SEL     the device (\"cpu:0\", \"vulkan\"; default: the first one)\n"
    "  --size N         doubles per array, 1..4294967295 (default 2^25, reduced to fit\n"
    "                   the device; a size given here is never reduced)\n"
    "  --repeats K      timed repeats, 1..100 (default 10; the first is a warm-up)\n"
    "  --workgroup W    work-items per workgroup (default 256, 1024 on CPU-type devices;\n"
    "                   capped by the device)\n"
    "  --json           one JSON object instead of the table\n"
    "  --skip-missing   exit 77 (skipped) instead of 2 when the device does not exist\n"
    "Exit status: 0 validated, 1 wrong results or an error, 2 usage error or no such\n"
    "device, 77 the device cannot run STREAM (no fp64 or no standard kernels).\n";

// Whole decimal number in [lo, hi], or false.
bool parse_number(const char* text, uint64_t lo, uint64_t hi, uint64_t* out) {
  char* end = nullptr;
  errno = 0;
  const unsigned long long v = std::strtoull(text, &end, 10);
  if (end == text || *end || errno || text[0] == '-' || v < lo || v > hi) return false;
  *out = v;
  return true;
}

// 0 to go on, else the exit status (--help: 0 after the usage).
int parse(int argc, char** argv, Options* o, bool* help) {
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const char* value = i + 1 < argc ? argv[i + 1] : nullptr;
    uint64_t v = 0;
    auto bad_value = [&](const char* range) {
      return ahal_tools::usage_error(
          "ahal-stream",
          arg + (value ? " " + std::string(value) + ": expected " : ": needs ") + range, kUsage);
    };
    if (arg == "--help" || arg == "-h") {
      *help = true;
      return 0;
    } else if (arg == "--device") {
      if (!value) return bad_value("a device selector");
      o->selector = argv[++i];
    } else if (arg == "--size") {
      if (!value || !parse_number(value, 1, UINT32_MAX, &v)) return bad_value("1..4294967295");
      o->size = v;
      o->size_given = true;
      ++i;
    } else if (arg == "--repeats") {
      if (!value || !parse_number(value, 1, kMaxRepeats, &v)) return bad_value("1..100");
      o->repeats = static_cast<int>(v);
      ++i;
    } else if (arg == "--workgroup") {
      if (!value || !parse_number(value, 1, UINT32_MAX, &v)) return bad_value("1..4294967295");
      o->workgroup = static_cast<uint32_t>(v);
      o->workgroup_given = true;
      ++i;
    } else if (arg == "--json") {
      o->json = true;
    } else if (arg == "--skip-missing") {
      o->skip_missing = true;
    } else {
      return ahal_tools::usage_error("ahal-stream", "unknown argument " + arg, kUsage);
    }
  }
  return 0;
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
  ahal_device_t found = nullptr;
  if (!ahal_tools::find_device("ahal-stream", runtime.get(), o.selector, &found))
    return o.skip_missing ? kExitSkipped : ahal_tools::kExitUsage;
  ahal::Device device(found);
  const ahal_device_properties_t props = device.properties();
  if (!(props.features & AHAL_FEATURE_FP64)) {
    std::printf("SKIP: %s (%s) has no fp64 (AHAL_FEATURE_FP64); STREAM runs in double precision\n",
                props.selector, props.name);
    return kExitSkipped;
  }

  // Three arrays must fit the device, one work-item per element within its
  // grid: shrink the default size, refuse a size that was asked for.
  uint64_t n = o.size;
  // CPU-like devices (the CPU plugin, PoCL, lavapipe) run a workgroup's
  // items in one loop: larger workgroups cost less per element there.
  const uint32_t workgroup = o.workgroup_given || props.type != AHAL_DEVICE_TYPE_CPU
                                 ? o.workgroup
                                 : std::max(o.workgroup, 1024u);
  const uint32_t wg = std::min(workgroup, props.max_workgroup_size);
  uint64_t limit = std::min(props.max_allocation_bytes / 8, props.global_memory_bytes / 32);
  if (props.max_grid_dims[0]) limit = std::min(limit, uint64_t(props.max_grid_dims[0]) * wg);
  std::string reduced;  // why the size shrank, if it did
  if (n > limit) {
    if (o.size_given) {
      std::fprintf(stderr,
                   "ahal-stream: --size %llu does not fit %s: at most %llu doubles per array "
                   "(max_allocation_bytes %llu, global_memory_bytes %llu / 4, grid limit %u "
                   "workgroups of %u)\n",
                   static_cast<unsigned long long>(n), props.selector,
                   static_cast<unsigned long long>(limit),
                   static_cast<unsigned long long>(props.max_allocation_bytes),
                   static_cast<unsigned long long>(props.global_memory_bytes),
                   props.max_grid_dims[0], wg);
      return 1;
    }
    n = limit;
    reduced = "the device's allocation, memory and grid limits";
  }

  ahal::Module module;
  try {
    module = ahal::Module::from_file(device, ahal_tools::kernels_bundle_path());
  } catch (const ahal::error& e) {
    if (e.status() != AHAL_ERROR_UNSUPPORTED) throw;
    std::printf("SKIP: %s cannot run the standard kernels: %s\n", props.selector, e.what());
    return kExitSkipped;
  }
  ahal::Kernel kernels[kKernelCount];
  for (int k = 0; k < kKernelCount; ++k)
    kernels[k] = module.kernel(std::string("stream_") + kNames[k]);

  ahal::Stream stream(device);
  StreamConstants constants{kScalar, 0, 0};
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

  // A device may bind less of a buffer than it allocates (Vulkan:
  // maxStorageBufferRange); its launch says so. Without --size, halve
  // until one copy launches.
  ahal::Buffer a, b, c;
  for (;;) {
    const uint64_t bytes = n * sizeof(double);
    a = ahal::Buffer(device, bytes);
    b = ahal::Buffer(device, bytes);
    c = ahal::Buffer(device, bytes);
    constants.n = static_cast<uint32_t>(n);
    try {
      launch(kCopy, {&a, &c}, static_cast<uint32_t>((n + wg - 1) / wg), wg);
      stream.synchronize();
      break;
    } catch (const ahal::error& e) {
      if (e.status() != AHAL_ERROR_OUT_OF_RANGE || o.size_given || n <= wg) throw;
      n /= 2;
      reduced = e.what();
    }
  }
  const uint64_t bytes = n * sizeof(double);
  const uint64_t groups = (n + wg - 1) / wg;
  const uint32_t dot_wg = std::min(wg, 256u);  // stream_dot: power of two <= 256
  uint32_t dot_pow2 = 1;
  while (dot_pow2 * 2 <= dot_wg) dot_pow2 *= 2;
  // Dot's workgroups reduce with barriers, which CPU-like devices pay per
  // work-item: there, a few workgroups that each stride over many elements.
  const uint64_t dot_cap = props.type == AHAL_DEVICE_TYPE_CPU ? 256 : 65535;
  const uint32_t dot_groups = static_cast<uint32_t>(
      std::min<uint64_t>({(n + dot_pow2 - 1) / dot_pow2, dot_cap, props.max_grid_dims[0]}));
  ahal::Buffer partial(device, uint64_t(dot_groups) * sizeof(double));
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

  using Clock = std::chrono::steady_clock;
  std::vector<double> times[kKernelCount];
  std::vector<double> partial_sums(dot_groups);
  double dot = 0;
  for (int r = 0; r < o.repeats; ++r) {
    for (int k = 0; k < kKernelCount; ++k) {
      const auto start = Clock::now();
      switch (k) {
        case kCopy:
          launch(k, {&a, &c}, static_cast<uint32_t>(groups), wg);
          break;
        case kScale:
          launch(k, {&c, &b}, static_cast<uint32_t>(groups), wg);
          break;
        case kAdd:
          launch(k, {&a, &b, &c}, static_cast<uint32_t>(groups), wg);
          break;
        case kTriad:
          launch(k, {&a, &b, &c}, static_cast<uint32_t>(groups), wg);
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
        "\"workgroup\": %u, \"reduced\": %s, \"results\": {",
        ahal_tools::json_quote(props.selector).c_str(), ahal_tools::json_quote(props.name).c_str(),
        static_cast<unsigned long long>(n), o.repeats, wg,
        reduced.empty() ? "null" : ahal_tools::json_quote(reduced).c_str());
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
    if (!reduced.empty())
      std::printf("(size reduced from %llu to fit the device: %s)\n",
                  static_cast<unsigned long long>(o.size), reduced.c_str());
    std::printf(
        "rate: GB/s (1e9 bytes/s of array traffic), higher is better; "
        "times: seconds per kernel, lower is better\n");
    std::printf("Function    Best rate GB/s  Avg time s   Min time s   Max time s\n");
    for (int k = 0; k < kKernelCount; ++k) {
      std::printf("%-10s %14.1f  %11.6f  %11.6f  %11.6f\n", (std::string(kLabels[k]) + ":").c_str(),
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
  bool help = false;
  if (const int status = parse(argc, argv, &options, &help)) return status;
  if (help) {
    std::fputs(kUsage, stdout);
    return ahal_tools::kExitOk;
  }
  try {
    return run(options);
  } catch (const ahal::error& e) {
    std::fprintf(stderr, "ahal-stream: %s\n", e.what());
    return 1;
  }
}
