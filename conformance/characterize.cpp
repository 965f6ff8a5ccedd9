// --characterize: the figures a buyer compares. Copy bandwidth over sizes,
// launch latency, event timer resolution, STREAM Triad and FMA throughput
// against the device's theoretical peaks. Every figure is measured several
// times and reported as median, min and max; how busy the machine was
// while measuring is reported too.
#include "harness.hpp"
#include "host_info.hpp"
#include "results.hpp"
#include "worker.hpp"
#include "workload.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <sys/resource.h>
#include <unistd.h>

namespace conform {

namespace {

const uint64_t KiB = 1024, GiB = 1ull << 30;

// A figure from repeated measurements (in its unit): the median and the spread.
Figure make_figure(const std::string& id, const std::string& title, const char* unit,
                   std::vector<double> samples, double peak, bool higher_is_better,
                   const std::string& peak_basis) {
  std::sort(samples.begin(), samples.end());
  Figure f;
  f.id = id;
  f.title = title;
  f.unit = unit;
  f.peak = peak;
  f.higher_is_better = higher_is_better;
  const size_t n = samples.size();
  f.value = n % 2 ? samples[n / 2] : 0.5 * (samples[n / 2 - 1] + samples[n / 2]);
  f.min = samples.front();
  f.max = samples.back();
  f.runs = static_cast<int>(n);
  f.peak_basis = peak > 0 ? peak_basis : "";
  return f;
}

// Theoretical FMA throughput of a CPU device, from its cores and clock and
// the host's widest vector unit (a CPU device is the host's CPU). An upper
// bound: two FMA units per core, as the widest x86 cores have. 0 when the
// device does not say enough.
double cpu_peak_gflops(const ahal_device_properties_t& p, bool f64, std::string* basis) {
  if (p.type != AHAL_DEVICE_TYPE_CPU || !p.compute_units || !p.clock_mhz) return 0;
  std::string isa;
  const int bits = host_vector_bits(&isa);
  if (bits <= 0) return 0;
  const int lanes = bits / (f64 ? 64 : 32);
  const double ghz = p.clock_mhz / 1000.0;
  char text[256];
  std::snprintf(text, sizeof(text),
                "upper bound: %u cores x %.2f GHz x %d %s lanes (%s) x 2 FMA units x 2 flops",
                p.compute_units, ghz, lanes, f64 ? "fp64" : "fp32", isa.c_str());
  *basis = text;
  return p.compute_units * ghz * lanes * 2 * 2;
}

// CPU time of the whole machine (all processes) and of this process, in
// seconds, to tell how much other processes used while measuring.
struct CpuClock {
  double machine_busy = -1, self = 0, wall = 0;
  int cpus = 0;
  static CpuClock now() {
    CpuClock c;
    std::ifstream stat("/proc/stat");
    std::string line, label;
    while (std::getline(stat, line)) {
      std::istringstream in(line);
      in >> label;
      if (label == "cpu") {
        double v, busy = 0;
        for (int i = 0; in >> v; ++i)
          if (i != 3 && i != 4 && i < 8) busy += v;  // all but idle and iowait; no guests
        c.machine_busy = busy / static_cast<double>(sysconf(_SC_CLK_TCK));
      } else if (label.rfind("cpu", 0) == 0) {
        ++c.cpus;
      }
    }
    rusage r{};
    getrusage(RUSAGE_SELF, &r);
    c.self = static_cast<double>(r.ru_utime.tv_sec + r.ru_stime.tv_sec) +
             static_cast<double>(r.ru_utime.tv_usec + r.ru_stime.tv_usec) / 1e6;
    c.wall = static_cast<double>(now_ns()) / 1e9;
    return c;
  }
};

class Characterizer {
 public:
  Characterizer(Context& ctx, Channel& out, bool quick, uint64_t max_size)
      : ctx_(ctx), out_(out), quick_(quick), max_size_(max_size) {}

  // Runs one step; a skip becomes an INFO line, a failure a NOTE.
  template <typename F>
  void step(const char* id, F fn) {
    Json j = Json::object();
    j.set("id", std::string("characterize.") + id);
    out_.send("START", j);
    try {
      fn();
    } catch (const TestSkip& s) {
      info(std::string(id) + ": " + s.message);
    } catch (const TestFailure& f) {
      Json n = Json::object();
      n.set("message", std::string("characterization step ") + id + " failed: " + f.message);
      out_.send("NOTE", n);
    }
  }

  void bandwidth();
  void launch_latency();
  void timer();
  void triad();
  void fma(bool f64);

 private:
  void info(const std::string& message) {
    Json n = Json::object();
    n.set("message", message);
    out_.send("INFO", n);
  }
  void figure(const std::string& id, const std::string& title, const char* unit,
              std::vector<double> samples, double peak = 0, bool higher_is_better = true,
              const std::string& peak_basis = "the device's own figure") {
    out_.send("FIGURE", to_json(make_figure(id, title, unit, std::move(samples), peak,
                                            higher_is_better, peak_basis)));
  }
  int runs() const { return quick_ ? 3 : 5; }
  // Nanoseconds per call of `enqueue` (after which the stream is synchronized),
  // batching calls until a batch lasts `target` ns; one figure per batch,
  // runs() batches.
  template <typename F>
  std::vector<double> time_per_call(ahal_stream_t s, F enqueue, double target_ns,
                                    uint32_t max_batch = 1 << 16) {
    auto batch = [&](uint32_t n) {
      uint64_t t0 = now_ns();
      for (uint32_t i = 0; i < n; ++i) enqueue();
      CHECK_OK(ahal_stream_synchronize(s));
      return static_cast<double>(now_ns() - t0);
    };
    batch(1);  // warm-up
    uint32_t n = 1;
    double t = batch(n);
    while (t < target_ns && n < max_batch) {
      double grow = std::clamp(target_ns / std::max(t, 1.0) * 1.2, 2.0, 64.0);
      n = static_cast<uint32_t>(std::min<double>(max_batch, n * grow));
      t = batch(n);
    }
    std::vector<double> per_call = {t / n};
    while (static_cast<int>(per_call.size()) < runs()) per_call.push_back(batch(n) / n);
    return per_call;
  }
  // Device time of one launch: timed events where the device has them.
  template <typename F>
  double launch_ns(ahal_stream_t s, F enqueue) {
    if (ctx_.has(AHAL_FEATURE_TIMESTAMPS)) {
      Event e0 = ctx_.event(AHAL_EVENT_TIMING), e1 = ctx_.event(AHAL_EVENT_TIMING);
      CHECK_OK(ahal_stream_record_event(s, e0));
      enqueue();
      CHECK_OK(ahal_stream_record_event(s, e1));
      CHECK_OK(ahal_stream_synchronize(s));
      uint64_t ns = 0;
      CHECK_OK(ahal_event_elapsed_ns(e0, e1, &ns));
      return static_cast<double>(std::max<uint64_t>(ns, 1));
    }
    uint64_t t0 = now_ns();
    enqueue();
    CHECK_OK(ahal_stream_synchronize(s));
    return static_cast<double>(now_ns() - t0);
  }
  uint32_t workgroup() const {
    return std::min<uint32_t>(
        {256, ctx_.props().max_workgroup_size, ctx_.props().max_workgroup_dims[0]});
  }

  Context& ctx_;
  Channel& out_;
  bool quick_;
  uint64_t max_size_;
};

void Characterizer::bandwidth() {
  const ahal_device_properties_t& p = ctx_.props();
  long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGE_SIZE);
  uint64_t host_mem = pages > 0 && page > 0 ? static_cast<uint64_t>(pages) * page : GiB;
  uint64_t cap =
      std::min({max_size_, p.max_allocation_bytes, p.global_memory_bytes / 4, host_mem / 4});
  if (cap < 4 * KiB) skip("less than 4 KiB may be allocated");
  uint64_t top = 4 * KiB;
  while (top * 2 <= cap) top *= 2;
  if (top < max_size_ && max_size_ != UINT64_MAX)
    info("bandwidth sizes capped at " + format_bytes(static_cast<double>(top)) +
         " by the device's or host's memory");
  void* host = nullptr;
  HostAlloc pinned;
  std::vector<uint8_t> pageable;
  if (ahal_host_alloc(ctx_.device(), top, 0, pinned.out()) == AHAL_SUCCESS &&
      ahal_host_alloc_pointer(pinned, &host) == AHAL_SUCCESS) {
  } else {
    info("pinned host memory unavailable; host copies use pageable memory");
    pageable.assign(top, 1);
    host = pageable.data();
  }
  std::memset(host, 1, top);
  Buffer a = ctx_.buffer(top), b = ctx_.buffer(top);
  ctx_.fill_bytes(a, 0, std::min<uint64_t>(top, 1 << 20), 2);
  Stream s = ctx_.stream();
  const double target = quick_ ? 3e6 : 25e6;
  struct Direction {
    const char* id;
    const char* title;
    int kind;
  };
  for (Direction d : {Direction{"h2d", "Host to device", 0}, Direction{"d2h", "Device to host", 1},
                      Direction{"d2d", "Device to device", 2}}) {
    Curve c{std::string("bandwidth.") + d.id, d.title, "GB/s", {}};
    // GB/s of each run at the best size and at the largest.
    std::vector<double> best_runs, largest_runs;
    double best = 0;
    for (uint64_t size = 4 * KiB; size <= top; size *= 2) {
      std::vector<double> ns = time_per_call(
          s,
          [&] {
            if (d.kind == 0) CHECK_OK(ahal_stream_copy_h2d(s, host, a, 0, size));
            if (d.kind == 1) CHECK_OK(ahal_stream_copy_d2h(s, a, 0, host, size));
            if (d.kind == 2) CHECK_OK(ahal_stream_copy_d2d(s, a, 0, b, 0, size));
          },
          target);
      std::vector<double> gbps;
      for (double v : ns) gbps.push_back(static_cast<double>(size) / v);  // bytes/ns = GB/s
      const double top_gbps = *std::max_element(gbps.begin(), gbps.end());
      c.points.emplace_back(static_cast<double>(size), top_gbps);
      if (top_gbps > best) {
        best = top_gbps;
        best_runs = gbps;
      }
      largest_runs = gbps;
    }
    out_.send("CURVE", to_json(c));
    double peak = d.kind == 2 ? p.peak_memory_bandwidth_gbps : 0;
    std::string id = std::string("bandwidth.") + d.id;
    figure(id + ".max", std::string(d.title) + " bandwidth, best size", "GB/s", best_runs, peak);
    // Small transfers may run from caches; the largest one shows memory.
    figure(id + ".largest",
           std::string(d.title) + " bandwidth, " + format_bytes(static_cast<double>(top)), "GB/s",
           largest_runs, peak);
  }
}

void Characterizer::launch_latency() {
  // The empty kernel; a device with built-ins only launches its smallest
  // operator instead (an elementwise add of one element).
  ahal_kernel_t k = nullptr;
  Buffer one_float;
  const uint32_t n = 1;
  if (!ctx_.has(AHAL_FEATURE_GENERAL_KERNELS) && ctx_.has(AHAL_FEATURE_BUILTIN_KERNELS)) {
    if (ahal_kernel_get_builtin(ctx_.device(), "ahal.builtin.elementwise_add_f32", &k) !=
        AHAL_SUCCESS)
      skip("no general kernels and no ahal.builtin.elementwise_add_f32");
    one_float = ctx_.buffer(4);
    ctx_.fill_bytes(one_float, 0, 4, 0);
    info("launch latency measured with ahal.builtin.elementwise_add_f32 of one element");
  } else {
    k = ctx_.kernel("empty");
  }
  Stream s = ctx_.stream();
  auto one = [&] {
    if (one_float)
      CHECK_OK(launch(s, k, {1}, {1}, {bind(one_float), bind(one_float), bind(one_float)}, n));
    else
      CHECK_OK(launch(s, k, {1}, {1}, {}, nullptr, 0));
  };
  // Round trip: launch, then wait for it, one at a time.
  const int reps = quick_ ? 30 : 300;
  std::vector<double> times;
  one();
  CHECK_OK(ahal_stream_synchronize(s));
  for (int i = 0; i < reps; ++i) {
    uint64_t t0 = now_ns();
    one();
    CHECK_OK(ahal_stream_synchronize(s));
    times.push_back(static_cast<double>(now_ns() - t0));
  }
  for (double& t : times) t /= 1e3;
  figure("launch.round_trip", "Launch + synchronize", "\u00b5s", times, 0, false);
  // Throughput: back-to-back launches, one synchronize.
  std::vector<double> us = time_per_call(s, one, quick_ ? 5e6 : 50e6, 1 << 14);
  for (double& t : us) t /= 1e3;
  figure("launch.back_to_back", "Launch, back to back (per launch)", "\u00b5s", us, 0, false);
}

void Characterizer::timer() {
  if (!ctx_.has(AHAL_FEATURE_TIMESTAMPS)) skip("the device does not claim AHAL_FEATURE_TIMESTAMPS");
  const ahal_device_properties_t& p = ctx_.props();
  figure("timer.resolution", "Event timer resolution (reported)", "ns",
         {static_cast<double>(p.timestamp_resolution_ps) / 1e3}, 0, false);
  // Timed events recorded back to back: the smallest step between two
  // distinct readings is what the timer resolves (or the cost of a record).
  Stream s = ctx_.stream();
  const int n = 64;
  std::vector<Event> events;
  for (int i = 0; i <= n; ++i) events.push_back(ctx_.event(AHAL_EVENT_TIMING));
  for (int i = 0; i <= n; ++i) CHECK_OK(ahal_stream_record_event(s, events[i]));
  CHECK_OK(ahal_stream_synchronize(s));
  std::vector<uint64_t> t;
  for (int i = 1; i <= n; ++i) {
    uint64_t ns = 0;
    CHECK_OK(ahal_event_elapsed_ns(events[0], events[i], &ns));
    t.push_back(ns);
  }
  std::sort(t.begin(), t.end());
  uint64_t step = 0;
  for (size_t i = 1; i < t.size(); ++i)
    if (t[i] > t[i - 1] && (step == 0 || t[i] - t[i - 1] < step)) step = t[i] - t[i - 1];
  if (step == 0) skip("65 timed events recorded back to back all read the same time");
  figure("timer.measured_step", "Timer step, back-to-back events", "ns",
         {static_cast<double>(step)}, 0, false);
}

void Characterizer::triad() {
  if (!ctx_.has(AHAL_FEATURE_FP64)) skip("the device does not claim AHAL_FEATURE_FP64");
  ahal_kernel_t k = ctx_.kernel("stream_triad");
  const ahal_device_properties_t& p = ctx_.props();
  uint32_t wg = workgroup();
  uint64_t n = std::min<uint64_t>({quick_ ? (1u << 21) : (1u << 25), max_size_ / 8,
                                   p.max_allocation_bytes / 8, p.global_memory_bytes / 32,
                                   uint64_t{p.max_grid_dims[0]} * wg});
  n = n / wg * wg;
  if (n < wg) skip("too little memory for STREAM arrays");
  Buffer a = ctx_.buffer(n * 8), b = ctx_.buffer(n * 8), c = ctx_.buffer(n * 8);
  Stream s = ctx_.stream();
  const uint32_t zero = 0;
  CHECK_OK(ahal_stream_fill(s, b, 0, n * 8, &zero, 4));
  CHECK_OK(ahal_stream_fill(s, c, 0, n * 8, &zero, 4));
  struct {
    double s;
    uint32_t n, pad;
  } constants{3.0, static_cast<uint32_t>(n), 0};
  auto enqueue = [&] {
    CHECK_OK(launch(s, k, {static_cast<uint32_t>(n / wg)}, {wg}, {bind(a), bind(b), bind(c)},
                    constants));
  };
  launch_ns(s, enqueue);  // warm-up
  std::vector<double> gbps;
  for (int r = 0; r < (quick_ ? 3 : 10); ++r)
    gbps.push_back(24.0 * static_cast<double>(n) / launch_ns(s, enqueue));
  figure("stream.triad", "STREAM Triad", "GB/s", gbps, p.peak_memory_bandwidth_gbps);
}

void Characterizer::fma(bool f64) {
  if (f64 && !ctx_.has(AHAL_FEATURE_FP64)) skip("the device does not claim AHAL_FEATURE_FP64");
  ahal_kernel_t k = ctx_.kernel(f64 ? "fma_f64" : "fma_f32");
  const ahal_device_properties_t& p = ctx_.props();
  uint32_t wg = workgroup();
  uint32_t groups =
      std::min<uint32_t>(std::max<uint32_t>(p.compute_units * 16, 64), p.max_grid_dims[0]);
  uint64_t items = uint64_t{groups} * wg;
  Buffer out = ctx_.buffer(items * (f64 ? 8 : 4));
  Stream s = ctx_.stream();
  uint32_t iters = 64;
  auto run = [&] {
    return launch_ns(s, [&] {
      if (f64) {
        struct {
          double a, b;
          uint32_t iters, pad;
        } c{0.999, 0.001, iters, 0};
        CHECK_OK(launch(s, k, {groups}, {wg}, {bind(out)}, c));
      } else {
        struct {
          uint32_t iters;
          float a, b;
          uint32_t pad;
        } c{iters, 0.999f, 0.001f, 0};
        CHECK_OK(launch(s, k, {groups}, {wg}, {bind(out)}, c));
      }
    });
  };
  const double target = quick_ ? 10e6 : 100e6;
  double t = run();
  while (t < target && iters < (1u << 24)) {
    iters *= 2;
    t = run();
  }
  // 8 chains, one FMA (2 flops) per chain and iteration.
  const double flops = 2.0 * 8.0 * iters * static_cast<double>(items);
  std::vector<double> gflops = {flops / t};
  while (static_cast<int>(gflops.size()) < runs()) gflops.push_back(flops / run());
  double peak = f64 ? p.peak_fp64_gflops : p.peak_fp32_gflops;
  std::string basis = "the device's own figure";
  if (peak <= 0) peak = cpu_peak_gflops(p, f64, &basis);
  if (f64)
    figure("fma.fp64", "FMA throughput fp64", "GFLOP/s", gflops, peak, true, basis);
  else
    figure("fma.fp32", "FMA throughput fp32", "GFLOP/s", gflops, peak, true, basis);
}

}  // namespace

const std::vector<std::string>& characterize_steps() {
  static const std::vector<std::string> steps = {
      "bandwidth", "launch_latency", "timer", "stream_triad", "fma_f32", "fma_f64", "workload"};
  return steps;
}

int run_characterize(const std::string& selector, bool quick, uint64_t max_size,
                     const std::vector<std::string>& steps, Channel& out) {
  auto wanted = [&](const char* step) {
    return steps.empty() || std::find(steps.begin(), steps.end(), step) != steps.end();
  };
  Runtime rt;
  ahal_device_t device = nullptr;
  std::string error;
  if (!open_device(selector, &rt, &device, &error)) {
    Json n = Json::object();
    n.set("message", "characterization could not open the device: " + error);
    out.send("NOTE", n);
    return 0;
  }
  const CpuClock before = CpuClock::now();
  {
    Context ctx(rt, device, quick);
    Characterizer c(ctx, out, quick, max_size);
    if (wanted("bandwidth")) c.step("bandwidth", [&] { c.bandwidth(); });
    if (wanted("launch_latency")) c.step("launch_latency", [&] { c.launch_latency(); });
    if (wanted("timer")) c.step("timer", [&] { c.timer(); });
    if (wanted("stream_triad")) c.step("stream_triad", [&] { c.triad(); });
    if (wanted("fma_f32")) c.step("fma_f32", [&] { c.fma(false); });
    if (wanted("fma_f64")) c.step("fma_f64", [&] { c.fma(true); });
  }
  if (wanted("workload")) {
    // A real network, in its own process (workload.cpp).
    Json start = Json::object();
    start.set("id", "characterize.workload");
    out.send("START", start);
    run_workload(selector, quick, out);
  }
  // What other processes took of the machine meanwhile: this process's own
  // threads (the device's, for a CPU device) do not count.
  const CpuClock after = CpuClock::now();
  Json load = Json::object();
  const double wall = after.wall - before.wall;
  if (before.machine_busy >= 0 && after.cpus > 0 && wall > 0) {
    const double others = (after.machine_busy - before.machine_busy) - (after.self - before.self);
    load.set("other_cpu_share", std::clamp(others / (wall * after.cpus), 0.0, 1.0));
  }
  double load1 = -1;
  if (FILE* f = std::fopen("/proc/loadavg", "r")) {
    if (std::fscanf(f, "%lf", &load1) != 1) load1 = -1;
    std::fclose(f);
  }
  if (load1 >= 0) load.set("load_average", load1);
  out.send("LOAD", load);
  out.send("DONE", Json::object());
  return 0;
}

}  // namespace conform
