// ahal-bench: ahal against the backend's own API on one device, side by side.
//
//   ahal-bench [--device SEL] [--json] [--quick] [--rounds N] [--copy-bytes N]
//              [--skip-missing]
//
// "native" is the same work written directly against the backend's own API
// (OpenCL, Vulkan, CUDA, or plain threads for cpu: bench/native_<plugin>.cpp)
// with no ahal in between; ahal/native near 1 means ahal adds little.
//
// Metrics (bench/native_backend.hpp fixes what each one runs):
//   launch latency      launch `empty` (1 workgroup of 1) + synchronize, median
//   enqueue throughput  10,000 back-to-back `empty` launches, one synchronize
//   enqueue host time   host time inside 1,000 `empty` launch calls, per
//                       launch (the synchronize after is not counted), best
//                       of 10 per round
//   replay submit       host time inside ahal_stream_submit of a command
//                       buffer of 1,000 recorded `empty` launches, per launch,
//                       best of 10 per round; native: the backend's recorded
//                       form where it has one (docs/command-buffers.md)
//   h2d / d2h / d2d     one 64 MiB copy, host side pinned (ahal_host_alloc)
//   triad               stream_triad over 2^25 doubles (24 bytes per element),
//                       more where one triad would take under 1 ms
// The ahal and native measurements alternate, several rounds each, in
// swapped order every round, and the best round counts for both, so
// background load hits both alike. --quick runs smaller sizes and fewer
// rounds; --rounds N sets the rounds (more rounds filter more noise).
#include "native_backend.hpp"

#include <ahal/ahal.h>
#include <ahal_tool_support.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>
#include <string>
#include <thread>
#include <vector>

namespace ahal_bench {

namespace {
std::map<std::string, NativeFactory>& registry() {
  static std::map<std::string, NativeFactory> natives;
  return natives;
}
}  // namespace

bool register_native(const char* plugin, NativeFactory factory) {
  registry()[plugin] = factory;
  return true;
}

NativeFactory find_native(const std::string& plugin) {
  auto it = registry().find(plugin);
  return it == registry().end() ? nullptr : it->second;
}

namespace {

using Clock = std::chrono::steady_clock;
using ahal_tools::check;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t m = v.size() / 2;
  return v.size() % 2 ? v[m] : 0.5 * (v[m - 1] + v[m]);
}

struct StreamConstants {  // docs/kernel-abi.md: {double s; uint32 n; uint32 pad}
  double s;
  uint32_t n;
  uint32_t pad;
};

// The ahal side, behind the same interface as the native one.
class AhalBackend final : public NativeBackend {
 public:
  AhalBackend(ahal_device_t device, const std::string& bundle) : device_(device) {
    ahal_module_args_t args{};
    args.struct_size = sizeof(args);
    args.format = AHAL_MODULE_FORMAT_BUNDLE;
    args.path = bundle.c_str();
    check(ahal_module_create(device_, &args, &module_), "ahal_module_create");
    check(ahal_kernel_get(module_, "empty", &empty_), "ahal_kernel_get(empty)");
    check(ahal_kernel_get(module_, "stream_triad", &triad_), "ahal_kernel_get(stream_triad)");
    check(ahal_stream_create(device_, nullptr, &stream_), "ahal_stream_create");
    empty_launch_.struct_size = sizeof(empty_launch_);
    for (int i = 0; i < 3; ++i) empty_launch_.grid[i] = empty_launch_.workgroup_size[i] = 1;
  }

  ~AhalBackend() override {
    ahal_stream_synchronize(stream_);
    if (replay_) ahal_command_buffer_destroy(replay_);
    ahal_stream_destroy(stream_);
    release_copy_buffers();
    release_triad_buffers();
    ahal_module_destroy(module_);
  }

  double launch_latency_us(int iterations) override {
    std::vector<double> us;
    for (int i = 0; i < iterations; ++i) {
      const auto start = Clock::now();
      check(ahal_stream_launch(stream_, empty_, &empty_launch_), "ahal_stream_launch");
      check(ahal_stream_synchronize(stream_), "ahal_stream_synchronize");
      us.push_back(seconds_since(start) * 1e6);
    }
    return median(us);
  }

  double enqueue_us_per_launch(int count, int repeats) override {
    double best = 1e300;
    for (int r = 0; r < repeats; ++r) {
      const auto start = Clock::now();
      for (int i = 0; i < count; ++i) {
        check(ahal_stream_launch(stream_, empty_, &empty_launch_), "ahal_stream_launch");
      }
      check(ahal_stream_synchronize(stream_), "ahal_stream_synchronize");
      best = std::min(best, seconds_since(start) * 1e6 / count);
    }
    return best;
  }

  // Host time inside `count` launch calls, per launch; best of `repeats`.
  double enqueue_host_us_per_launch(int count, int repeats) override {
    double best = 1e300;
    for (int r = 0; r < repeats; ++r) {
      const auto start = Clock::now();
      for (int i = 0; i < count; ++i) {
        check(ahal_stream_launch(stream_, empty_, &empty_launch_), "ahal_stream_launch");
      }
      best = std::min(best, seconds_since(start) * 1e6 / count);
      check(ahal_stream_synchronize(stream_), "ahal_stream_synchronize");
    }
    return best;
  }

  // Host time inside one submit of `count` recorded launches (or until the
  // stream finished them), per launch.
  double replay_us_per_launch(int count, int repeats, bool until_done) override {
    if (replay_count_ != count) {
      if (replay_) check(ahal_command_buffer_destroy(replay_), "ahal_command_buffer_destroy");
      check(ahal_command_buffer_create(device_, 0, &replay_), "ahal_command_buffer_create");
      for (int i = 0; i < count; ++i) {
        check(ahal_command_buffer_launch(replay_, empty_, &empty_launch_, nullptr),
              "ahal_command_buffer_launch");
      }
      check(ahal_command_buffer_finalize(replay_), "ahal_command_buffer_finalize");
      replay_count_ = count;
      // The first submission may build what finalize left to do.
      check(ahal_stream_submit(stream_, replay_), "ahal_stream_submit");
      check(ahal_stream_synchronize(stream_), "ahal_stream_synchronize");
    }
    double best = 1e300;
    for (int r = 0; r < repeats; ++r) {
      const auto start = Clock::now();
      check(ahal_stream_submit(stream_, replay_), "ahal_stream_submit");
      double s = seconds_since(start);
      check(ahal_stream_synchronize(stream_), "ahal_stream_synchronize");
      if (until_done) s = seconds_since(start);
      best = std::min(best, s * 1e6 / count);
    }
    return best;
  }

  double copy_gbps(CopyKind kind, size_t bytes, int repeats) override {
    prepare_copy(bytes);
    double best = 0;
    // One untimed round first: the first touch of fresh pages is not a copy.
    for (int r = 0; r <= repeats; ++r) {
      const auto start = Clock::now();
      switch (kind) {
        case CopyKind::kHostToDevice:
          check(ahal_stream_copy_h2d(stream_, host_ptr_, dev_[0], 0, bytes), "copy_h2d");
          break;
        case CopyKind::kDeviceToHost:
          check(ahal_stream_copy_d2h(stream_, dev_[0], 0, host_ptr_, bytes), "copy_d2h");
          break;
        case CopyKind::kDeviceToDevice:
          check(ahal_stream_copy_d2d(stream_, dev_[0], 0, dev_[1], 0, bytes), "copy_d2d");
          break;
      }
      check(ahal_stream_synchronize(stream_), "ahal_stream_synchronize");
      const double s = seconds_since(start);
      if (r > 0) best = std::max(best, double(bytes) / s / 1e9);
    }
    return best;
  }

  double triad_gbps(size_t n, unsigned workgroup_size, int repeats) override {
    prepare_triad(n);
    const StreamConstants constants{3.0, static_cast<uint32_t>(n), 0};
    const ahal_binding_t bindings[3] = {
        {triad_buf_[0], 0, 0}, {triad_buf_[1], 0, 0}, {triad_buf_[2], 0, 0}};
    ahal_launch_args_t launch{};
    launch.struct_size = sizeof(launch);
    launch.grid[0] = static_cast<uint32_t>((n + workgroup_size - 1) / workgroup_size);
    launch.grid[1] = launch.grid[2] = 1;
    launch.workgroup_size[0] = workgroup_size;
    launch.workgroup_size[1] = launch.workgroup_size[2] = 1;
    launch.binding_count = 3;
    launch.bindings = bindings;
    launch.constants = &constants;
    launch.constants_size = sizeof(constants);
    double best = 0;
    for (int r = 0; r <= repeats; ++r) {
      const auto start = Clock::now();
      check(ahal_stream_launch(stream_, triad_, &launch), "ahal_stream_launch(stream_triad)");
      check(ahal_stream_synchronize(stream_), "ahal_stream_synchronize");
      const double s = seconds_since(start);
      if (r > 0) best = std::max(best, 24.0 * double(n) / s / 1e9);
    }
    return best;
  }

 private:
  ahal_buffer_t buffer(uint64_t bytes) {
    ahal_buffer_args_t args{};
    args.struct_size = sizeof(args);
    args.size = bytes;
    ahal_buffer_t b = nullptr;
    check(ahal_buffer_create(device_, &args, &b), "ahal_buffer_create");
    return b;
  }

  void prepare_copy(size_t bytes) {
    if (copy_bytes_ == bytes) return;
    release_copy_buffers();
    check(ahal_host_alloc(device_, bytes, 0, &host_), "ahal_host_alloc");
    check(ahal_host_alloc_pointer(host_, &host_ptr_), "ahal_host_alloc_pointer");
    std::memset(host_ptr_, 1, bytes);
    dev_[0] = buffer(bytes);
    dev_[1] = buffer(bytes);
    const uint8_t zero = 0;
    for (ahal_buffer_t b : dev_) check(ahal_stream_fill(stream_, b, 0, bytes, &zero, 1), "fill");
    check(ahal_stream_synchronize(stream_), "ahal_stream_synchronize");
    copy_bytes_ = bytes;
  }

  void release_copy_buffers() {
    if (!copy_bytes_) return;
    ahal_host_free(host_);
    for (ahal_buffer_t b : dev_) ahal_buffer_destroy(b);
    copy_bytes_ = 0;
  }

  void prepare_triad(size_t n) {
    if (triad_n_ == n) return;
    release_triad_buffers();
    const float one = 1.0f;  // any finite values will do
    for (ahal_buffer_t& b : triad_buf_) {
      b = buffer(n * sizeof(double));
      check(ahal_stream_fill(stream_, b, 0, n * sizeof(double), &one, sizeof(one)), "fill");
    }
    check(ahal_stream_synchronize(stream_), "ahal_stream_synchronize");
    triad_n_ = n;
  }

  void release_triad_buffers() {
    if (!triad_n_) return;
    for (ahal_buffer_t b : triad_buf_) ahal_buffer_destroy(b);
    triad_n_ = 0;
  }

  ahal_device_t device_;
  ahal_module_t module_ = nullptr;
  ahal_kernel_t empty_ = nullptr;
  ahal_kernel_t triad_ = nullptr;
  ahal_stream_t stream_ = nullptr;
  ahal_launch_args_t empty_launch_{};
  ahal_command_buffer_t replay_ = nullptr;
  int replay_count_ = 0;
  size_t copy_bytes_ = 0;
  ahal_host_alloc_t host_ = nullptr;
  void* host_ptr_ = nullptr;
  ahal_buffer_t dev_[2] = {};
  size_t triad_n_ = 0;
  ahal_buffer_t triad_buf_[3] = {};
};

const char kUsage[] =
    "usage: ahal-bench [--device SEL] [--json] [--quick] [--rounds N] [--copy-bytes N[K|M|G]]\n"
    "                  [--skip-missing]\n"
    "  --device SEL      the device (\"cpu:0\", \"vulkan\"; default: the first one)\n"
    "  --json            one JSON object instead of the table\n"
    "  --quick           smaller sizes, fewer rounds\n"
    "  --rounds N        rounds per metric, the best counts (default 5, 2 with --quick)\n"
    "  --copy-bytes N    bytes per copy (default 64M, 8M with --quick)\n"
    "  --skip-missing    exit 77 (skipped) instead of 2 when the device does not exist\n"
    "Measures each metric through ahal and through the backend's own API (\"native\":\n"
    "bench/native_<plugin>.cpp) on the same device, alternating, and prints both and\n"
    "their ratio. Exit status: 0 done, 1 an error, 2 usage error or no such device.\n";

struct Options {
  const char* selector = nullptr;
  bool json = false;
  bool quick = false;
  bool skip_missing = false;
  int rounds = 0;         // 0: 5, or 2 with --quick
  size_t copy_bytes = 0;  // 0: 64 MiB, or 8 MiB with --quick
};

// "64M", "1G", "4096" -> bytes; false if malformed or zero.
bool parse_size(const char* text, size_t* out) {
  char* end = nullptr;
  unsigned long long value = std::strtoull(text, &end, 10);
  int shift = 0;
  if (*end == 'K' || *end == 'k') shift = 10;
  if (*end == 'M' || *end == 'm') shift = 20;
  if (*end == 'G' || *end == 'g') shift = 30;
  if (shift) ++end;
  if (end == text || *end || value == 0) return false;
  *out = size_t(value) << shift;
  return true;
}

struct Metric {
  const char* key;    // JSON name
  const char* label;  // table row
  const char* unit;   // JSON "unit"
  bool higher_is_better;
  double ahal = 0;
  double native = 0;
  bool has_native = false;
};

// Runs `measure` on both sides for `rounds` rounds, swapping which goes
// first every round, and keeps each side's best.
template <class Measure>
void compare(Metric& m, NativeBackend& ahal, NativeBackend* native, int rounds, Measure measure) {
  auto better = [&](double a, double b) {
    return m.higher_is_better ? std::max(a, b) : std::min(a, b);
  };
  for (int r = 0; r < rounds; ++r) {
    const bool ahal_first = r % 2 == 0;
    double a = 0;
    if (ahal_first) a = measure(ahal);
    if (native) {
      const double n = measure(*native);
      m.native = r == 0 ? n : better(m.native, n);
      // A native runtime may keep its threads spinning a while after a run
      // (OpenMP does): let them settle before ahal's turn.
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (!ahal_first) a = measure(ahal);
    m.ahal = r == 0 ? a : better(m.ahal, a);
  }
  m.has_native = native != nullptr;
}

// What the native side of a plugin is, for the table's heading.
std::string native_description(const std::string& plugin) {
  if (plugin == "cpu") return "as plain OpenMP loops on the same cores";
  if (plugin == "opencl") return "directly against OpenCL";
  if (plugin == "vulkan") return "directly against Vulkan";
  if (plugin == "cuda") return "directly against the CUDA driver API";
  return "directly against " + plugin + "'s own API";
}

std::string number(double v) {
  if (!std::isfinite(v)) return "null";
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.4g", v);
  return buf;
}

}  // namespace
}  // namespace ahal_bench

int main(int argc, char** argv) {
  using namespace ahal_bench;
  using ahal_tools::usage_error;
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const char* value = i + 1 < argc ? argv[i + 1] : nullptr;
    if (arg == "--help" || arg == "-h") {
      std::fputs(kUsage, stdout);
      return ahal_tools::kExitOk;
    } else if (arg == "--device") {
      if (!value) return usage_error("ahal-bench", "--device needs a selector", kUsage);
      o.selector = argv[++i];
    } else if (arg == "--json") {
      o.json = true;
    } else if (arg == "--quick") {
      o.quick = true;
    } else if (arg == "--skip-missing") {
      o.skip_missing = true;
    } else if (arg == "--rounds") {
      if (!value || std::atoi(value) <= 0 || std::strspn(value, "0123456789") != std::strlen(value))
        return usage_error("ahal-bench", "--rounds needs a whole number above 0", kUsage);
      o.rounds = std::atoi(argv[++i]);
    } else if (arg == "--copy-bytes") {
      if (!value || !parse_size(value, &o.copy_bytes))
        return usage_error("ahal-bench", "--copy-bytes needs a size such as 4096, 64M or 1G",
                           kUsage);
      ++i;
    } else {
      return usage_error("ahal-bench", "unknown argument " + arg, kUsage);
    }
  }

  ahal_runtime_t runtime = nullptr;
  check(ahal_runtime_create(nullptr, &runtime), "ahal_runtime_create");
  ahal_device_t device = nullptr;
  if (!ahal_tools::find_device("ahal-bench", runtime, o.selector, &device)) {
    ahal_runtime_destroy(runtime);
    return o.skip_missing ? ahal_tools::kExitSkipped : ahal_tools::kExitUsage;
  }
  ahal_device_properties_t props{};
  props.struct_size = sizeof(props);
  check(ahal_device_get_properties(device, &props), "ahal_device_get_properties");

  const std::string bundle = ahal_tools::kernels_bundle_path();
  std::string native_status;
  std::unique_ptr<NativeBackend> native;
  if (NativeFactory factory = find_native(props.plugin)) {
    std::string error;
    native = factory(props, bundle, &error);
    if (!native) native_status = "native " + std::string(props.plugin) + " unavailable: " + error;
  } else {
    native_status = std::string("no native reference for plugin ") + props.plugin;
  }
  int status = 0;
  {
    AhalBackend ahal(device, bundle);
    NativeBackend* nat = native.get();

    const int rounds = o.rounds ? o.rounds : (o.quick ? 2 : 5);
    const int latency_iterations = o.quick ? 200 : 2000;
    const int enqueue_count = o.quick ? 2000 : 10000;
    const size_t copy_bytes = o.copy_bytes ? o.copy_bytes : size_t(o.quick ? 8 : 64) << 20;
    const unsigned wg = std::min(256u, props.max_workgroup_size);
    // Triad arrays: each at most one allocation; the three of both sides
    // within 3/4 of the device memory; n fits the kernel's uint32 count; one
    // work-item per element, so the grid must fit (lavapipe: 65535 groups).
    uint64_t triad_cap =
        std::min<uint64_t>(props.max_allocation_bytes / 8, props.global_memory_bytes / 64);
    triad_cap = std::min<uint64_t>(triad_cap, uint64_t(1) << 31);
    if (props.max_grid_dims[0])
      triad_cap = std::min<uint64_t>(triad_cap, uint64_t(props.max_grid_dims[0]) * wg);
    size_t triad_n = std::min<uint64_t>(size_t(1) << (o.quick ? 22 : 25), triad_cap);
    // Each triad is timed from launch to synchronize on the host, which
    // costs microseconds on a GPU. Grow the arrays until one triad takes 1 ms
    // or more (an H200 moves 2^25 doubles x 24 bytes in about 0.2 ms), so
    // that latency stays within about 1% of the figure.
    if (!o.quick) {
      while (triad_n * 4 <= triad_cap) {
        const double gbps = ahal.triad_gbps(triad_n, wg, 1);
        if (!(gbps > 0) || 24.0 * double(triad_n) / (gbps * 1e9) >= 1e-3) break;
        triad_n *= 4;
      }
    }

    Metric metrics[] = {
        {"launch_latency_us", "launch latency (\u00b5s)", "us", false},
        {"enqueue_us_per_launch", "enqueue (\u00b5s/launch)", "us/launch", false},
        {"h2d_gbps", "copy h2d (GB/s)", "GB/s", true},
        {"d2h_gbps", "copy d2h (GB/s)", "GB/s", true},
        {"d2d_gbps", "copy d2d (GB/s)", "GB/s", true},
        {"triad_gbps", "triad (GB/s)", "GB/s", true},
        {"enqueue_host_us_per_launch", "enqueue host (\u00b5s/launch)", "us/launch", false},
        {"replay_submit_us_per_launch", "replay submit (\u00b5s/launch)", "us/launch", false},
        {"replay_us_per_launch", "replay to done (\u00b5s/launch)", "us/launch", false},
    };
    compare(metrics[0], ahal, nat, rounds,
            [&](NativeBackend& b) { return b.launch_latency_us(latency_iterations); });
    compare(metrics[1], ahal, nat, rounds,
            [&](NativeBackend& b) { return b.enqueue_us_per_launch(enqueue_count, 1); });
    const CopyKind kinds[3] = {CopyKind::kHostToDevice, CopyKind::kDeviceToHost,
                               CopyKind::kDeviceToDevice};
    for (int k = 0; k < 3; ++k) {
      compare(metrics[2 + k], ahal, nat, rounds,
              [&](NativeBackend& b) { return b.copy_gbps(kinds[k], copy_bytes, 2); });
    }
    compare(metrics[5], ahal, nat, rounds,
            [&](NativeBackend& b) { return b.triad_gbps(triad_n, wg, 3); });
    // Host-side costs of streaming against replaying a command buffer; the
    // native side's figures where it measures them (its recorded form).
    const int recorded = 1000;
    // Replay to done is the whole cost where a submission hands its
    // commands to another thread (OpenCL's prepared command buffers).
    for (int k = 6; k < 9; ++k) {
      Metric& m = metrics[k];
      auto measure = [&](NativeBackend& b) {
        return k == 6 ? b.enqueue_host_us_per_launch(recorded, 10)
                      : b.replay_us_per_launch(recorded, 10, k == 8);
      };
      NativeBackend* with = nat && measure(*nat) >= 0 ? nat : nullptr;
      compare(m, ahal, with, rounds, measure);
    }
    const double replay_ratio = metrics[7].ahal / metrics[6].ahal;
    // The same, end to end: replay to done against streaming to done.
    const double replay_done_ratio = metrics[8].ahal / metrics[1].ahal;

    if (o.json) {
      std::printf(
          "{\"device\": %s, \"name\": %s, \"native\": %s, \"copy_bytes\": %zu, "
          "\"triad_doubles\": %zu, \"workgroup\": %u, \"rounds\": %d, ",
          ahal_tools::json_quote(props.selector).c_str(),
          ahal_tools::json_quote(props.name).c_str(),
          nat ? ahal_tools::json_quote(props.plugin).c_str() : "null", copy_bytes, triad_n, wg,
          rounds);
      if (!nat)
        std::printf("\"native_error\": %s, ", ahal_tools::json_quote(native_status).c_str());
      std::printf("\"metrics\": {");
      bool first = true;
      for (const Metric& m : metrics) {
        std::printf(
            "%s%s: {\"ahal\": %s, \"native\": %s, \"ratio\": %s, \"unit\": %s, "
            "\"higher_is_better\": %s}",
            first ? "" : ", ", ahal_tools::json_quote(m.key).c_str(), number(m.ahal).c_str(),
            m.has_native ? number(m.native).c_str() : "null",
            m.has_native ? number(m.ahal / m.native).c_str() : "null",
            ahal_tools::json_quote(m.unit).c_str(), m.higher_is_better ? "true" : "false");
        first = false;
      }
      // Goal (docs/command-buffers.md): at most 1/3.
      std::printf("}, \"replay_over_enqueue_host\": %s, \"replay_over_enqueue\": %s}\n",
                  number(replay_ratio).c_str(), number(replay_done_ratio).c_str());
    } else {
      std::printf("ahal-bench on %s (%s)%s\n", props.selector, props.name,
                  o.quick ? ", quick" : "");
      if (nat)
        std::printf("native: the same work written %s (bench/native_%s.cpp), without ahal\n",
                    native_description(props.plugin).c_str(), props.plugin);
      else
        std::printf("%s\n", native_status.c_str());
      std::printf("copies %zu MiB, triad %zu doubles, workgroup %u, best of %d rounds\n",
                  copy_bytes >> 20, triad_n, wg, rounds);
      // Labels hold a two-byte "µ": pad by display width, not bytes.
      auto padded = [](const char* label) {
        std::string s = label;
        size_t width = 0;
        for (unsigned char c : s) width += (c & 0xc0) != 0x80;
        return s + std::string(width < 24 ? 24 - width : 0, ' ');
      };
      std::printf("%s %12s %12s %12s  %s\n", padded("metric").c_str(), "ahal", "native",
                  "ahal/native", "better");
      for (const Metric& m : metrics) {
        const char* better = m.higher_is_better ? "higher" : "lower";
        if (m.has_native) {
          // Replay on a native form costs ns per launch: more decimals.
          std::printf(
              m.ahal < 0.1 ? "%s %12.5f %12.5f %12.3f  %s\n" : "%s %12.3f %12.3f %12.3f  %s\n",
              padded(m.label).c_str(), m.ahal, m.native, m.ahal / m.native, better);
        } else {
          // Replay on a native form costs ns per launch: more decimals.
          std::printf(m.ahal < 0.1 ? "%s %12.5f %12s %12s  %s\n" : "%s %12.3f %12s %12s  %s\n",
                      padded(m.label).c_str(), m.ahal, "-", "-", better);
        }
      }
      std::printf("replay submit / enqueue host time per launch: %.3f (goal: at most 0.333)\n",
                  replay_ratio);
      std::printf("replay to done / enqueue to done per launch: %.3f\n", replay_done_ratio);
    }
  }
  native.reset();
  if (ahal_runtime_destroy(runtime) != AHAL_SUCCESS) status = 1;
  return status;
}
