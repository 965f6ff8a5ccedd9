// The cpu-so runtime's built-ins against an OpenCL driver's: every kernel
// of builtins.cl runs on cpu:0 from the bundle's cpu-so image and on
// opencl:0 from its opencl-c image (the driver compiles it with its own
// built-in library), and the outputs must agree. Exit 0 pass, 1 fail, 77
// when either device is absent (a skip).
#include <ahal/ahal.h>

#include "bundle_format.hpp"

#include <climits>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <vector>

namespace {

int g_failures = 0;

void check(ahal_status_t s, const char* what) {
  if (s == AHAL_SUCCESS) return;
  std::fprintf(stderr, "FAIL: %s: %s: %s\n", what, ahal_status_string(s),
               ahal_last_error_message());
  std::exit(1);
}

struct Device {
  ahal_device_t device = nullptr;
  ahal_module_t module = nullptr;
  ahal_stream_t stream = nullptr;
  ahal_device_properties_t props{};
};

// `selector` with the bundle's images of `format` only; false if absent.
bool open(ahal_runtime_t rt, const char* selector, ahal_module_format_t format, Device* d) {
  if (ahal_device_find(rt, selector, &d->device) != AHAL_SUCCESS) return false;
  d->props.struct_size = sizeof(d->props);
  check(ahal_device_get_properties(d->device, &d->props), "ahal_device_get_properties");
  if (!(d->props.module_formats & (1ull << format))) return false;
  ahal::bundle::Bundle b;
  std::string error;
  if (!ahal::bundle::read_file(AHAL_TEST_BUILTINS_BUNDLE, &b, &error)) {
    std::fprintf(stderr, "FAIL: %s\n", error.c_str());
    std::exit(1);
  }
  std::vector<ahal::bundle::Image> kept;
  for (auto& img : b.images)
    if (img.format == format) kept.push_back(img);
  b.images = kept;
  const std::vector<uint8_t> bytes = ahal::bundle::serialize(b);
  ahal_module_args_t args{};
  args.struct_size = sizeof(args);
  args.format = AHAL_MODULE_FORMAT_BUNDLE;
  args.data = bytes.data();
  args.data_size = bytes.size();
  check(ahal_module_create(d->device, &args, &d->module), selector);
  check(ahal_stream_create(d->device, nullptr, &d->stream), "ahal_stream_create");
  return true;
}

struct Arg {
  std::vector<uint8_t> bytes;  // input data, or zeros for an output
  bool output = false;
};

template <typename T>
Arg input(const std::vector<T>& v) {
  Arg a;
  a.bytes.resize(v.size() * sizeof(T));
  std::memcpy(a.bytes.data(), v.data(), a.bytes.size());
  return a;
}
Arg output(size_t bytes) {
  Arg a;
  a.bytes.assign(bytes, 0);
  a.output = true;
  return a;
}

// Runs `kernel`; returns the bytes of every binding afterwards.
std::vector<std::vector<uint8_t>> run(Device& d, const char* kernel, std::vector<Arg> args,
                                      std::vector<uint32_t> grid, std::vector<uint32_t> wg,
                                      const void* constants, uint32_t constants_size,
                                      uint32_t dynamic_shared = 0) {
  ahal_kernel_t k = nullptr;
  check(ahal_kernel_get(d.module, kernel, &k), kernel);
  std::vector<ahal_buffer_t> buffers;
  std::vector<ahal_binding_t> bindings;
  for (const Arg& a : args) {
    ahal_buffer_args_t ba{sizeof(ba), a.bytes.size(), AHAL_MEMORY_DEVICE_LOCAL};
    ahal_buffer_t b = nullptr;
    check(ahal_buffer_create(d.device, &ba, &b), "ahal_buffer_create");
    check(ahal_stream_copy_h2d(d.stream, a.bytes.data(), b, 0, a.bytes.size()), "copy_h2d");
    buffers.push_back(b);
    bindings.push_back({b, 0, 0});
  }
  ahal_launch_args_t la{};
  la.struct_size = sizeof(la);
  for (int i = 0; i < 3; ++i) {
    la.grid[i] = i < int(grid.size()) ? grid[i] : 1;
    la.workgroup_size[i] = i < int(wg.size()) ? wg[i] : 1;
  }
  la.binding_count = uint32_t(bindings.size());
  la.bindings = bindings.data();
  la.constants = constants;
  la.constants_size = constants_size;
  la.dynamic_shared_bytes = dynamic_shared;
  check(ahal_stream_launch(d.stream, k, &la), kernel);
  // Copies finish at the synchronize: the vectors must stay put until then.
  std::vector<std::vector<uint8_t>> out(args.size());
  for (size_t i = 0; i < args.size(); ++i) {
    out[i].resize(args[i].bytes.size());
    check(ahal_stream_copy_d2h(d.stream, buffers[i], 0, out[i].data(), out[i].size()), "copy_d2h");
  }
  check(ahal_stream_synchronize(d.stream), kernel);
  for (ahal_buffer_t b : buffers) ahal_buffer_destroy(b);
  return out;
}

template <typename T>
std::vector<T> as(const std::vector<uint8_t>& bytes) {
  std::vector<T> v(bytes.size() / sizeof(T));
  std::memcpy(v.data(), bytes.data(), v.size() * sizeof(T));
  return v;
}

// Values agree: both NaN, or within `rel` relative (or `abs` absolute).
template <typename T>
void compare(const char* kernel, const std::vector<T>& cpu, const std::vector<T>& ref, int per_item,
             double rel, double abs) {
  int shown = 0, bad = 0;
  for (size_t i = 0; i < cpu.size(); ++i) {
    const double a = double(cpu[i]), b = double(ref[i]);
    bool ok;
    if (std::is_floating_point<T>::value)
      ok = (std::isnan(a) && std::isnan(b)) || a == b || std::fabs(a - b) <= abs ||
           std::fabs(a - b) <= rel * std::max(std::fabs(a), std::fabs(b));
    else
      ok = cpu[i] == ref[i];
    if (!ok) {
      ++bad;
      if (shown++ < 8)
        std::fprintf(stderr, "  %s: item %zu result %zu: cpu-so %.9g, opencl-c %.9g\n", kernel,
                     i / per_item, i % per_item, a, b);
    }
  }
  if (bad) {
    std::fprintf(stderr, "FAIL: %s: %d of %zu values differ\n", kernel, bad, cpu.size());
    ++g_failures;
  } else {
    std::printf("ok   %s: %zu values agree\n", kernel, cpu.size());
  }
}

}  // namespace

int main() {
  ahal_runtime_t rt = nullptr;
  check(ahal_runtime_create(nullptr, &rt), "ahal_runtime_create");
  Device cpu, ref;
  if (!open(rt, "cpu:0", AHAL_MODULE_FORMAT_CPU_SO, &cpu) ||
      !open(rt, "opencl:0", AHAL_MODULE_FORMAT_OPENCL_C, &ref)) {
    std::printf("SKIP: needs cpu:0 and opencl:0 (the reference built-ins)\n");
    return 77;
  }
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> uf(-3.0f, 3.0f);
  std::uniform_int_distribution<int> ui(INT_MIN, INT_MAX);
  const uint32_t n = 1024;
  std::vector<float> f(n);
  std::vector<int> ints(n);
  for (uint32_t i = 0; i < n; ++i) {
    f[i] = uf(rng);
    ints[i] = i % 5 == 0 ? ui(rng) % 1000 : ui(rng);
  }
  f[0] = 0.0f, f[1] = -0.0f, f[2] = 2.5f, f[3] = -2.5f, f[4] = 0.5f, f[5] = 1e-3f;
  ints[0] = INT_MAX, ints[1] = INT_MIN, ints[2] = 0, ints[3] = -1;
  const struct { uint32_t n; } count{n};
  auto both = [&](const char* kernel, std::function<std::vector<Arg>()> args,
                  std::vector<uint32_t> grid, std::vector<uint32_t> wg, const void* c, uint32_t cs,
                  uint32_t dyn = 0) {
    return std::make_pair(run(cpu, kernel, args(), grid, wg, c, cs, dyn),
                          run(ref, kernel, args(), grid, wg, c, cs, dyn));
  };

  {
    auto [a, b] = both(
        "math_f32",
        [&] {
          return std::vector<Arg>{input(f), output(n * 48 * 4)};
        },
        {n / 64}, {64}, &count, 4);
    compare("math_f32", as<float>(a[1]), as<float>(b[1]), 48, 2e-5, 1e-6);
  }
  {
    auto [a, b] = both(
        "math_f32_vector",
        [&] {
          return std::vector<Arg>{input(f), output(n / 4 * 32 * 4)};
        },
        {n / 4 / 64}, {64}, &count, 4);
    compare("math_f32_vector", as<float>(a[1]), as<float>(b[1]), 32, 2e-5, 1e-5);
  }
  if ((cpu.props.features & AHAL_FEATURE_FP64) && (ref.props.features & AHAL_FEATURE_FP64)) {
    std::vector<double> d(n);
    for (uint32_t i = 0; i < n; ++i) d[i] = double(f[i]) * 1.37;
    auto [a, b] = both(
        "math_f64",
        [&] {
          return std::vector<Arg>{input(d), output(n * 16 * 8)};
        },
        {n / 64}, {64}, &count, 4);
    compare("math_f64", as<double>(a[1]), as<double>(b[1]), 16, 1e-13, 1e-15);
  }
  {
    auto [a, b] = both(
        "integers",
        [&] {
          return std::vector<Arg>{input(ints), output(n * 32 * 4)};
        },
        {n / 64}, {64}, &count, 4);
    compare("integers", as<int>(a[1]), as<int>(b[1]), 32, 0, 0);
  }
  {
    auto [a, b] = both(
        "conversions",
        [&] {
          return std::vector<Arg>{input(f), output(n * 32 * 4)};
        },
        {n / 64}, {64}, &count, 4);
    compare("conversions", as<int>(a[1]), as<int>(b[1]), 32, 0, 0);
  }
  {
    const uint32_t items = 3 * 2 * 2 * 4 * 2 * 2;
    auto [a, b] = both(
        "workitems", [&] { return std::vector<Arg>{output(items * 12 * 4)}; }, {3, 2, 2}, {4, 2, 2},
        nullptr, 0);
    compare("workitems", as<uint32_t>(a[0]), as<uint32_t>(b[0]), 12, 0, 0);
  }
  {
    std::vector<uint32_t> in(6 * 64);
    for (size_t i = 0; i < in.size(); ++i) in[i] = uint32_t(ints[i]) % 100000;
    auto [a, b] = both(
        "local_memory",
        [&] {
          return std::vector<Arg>{input(in), output(6 * 67 * 4)};
        },
        {3, 2}, {8, 8}, nullptr, 0, 64 * 4);
    compare("local_memory", as<uint32_t>(a[1]), as<uint32_t>(b[1]), 67, 0, 0);
  }
  {
    const std::vector<int> init = {0, 0, INT_MAX, INT_MIN, 0, 0, 0, 0, 0, 0, 0, 0};
    const struct { uint32_t n; } m{1000};
    auto [a, b] = both(
        "global_atomics",
        [&] {
          return std::vector<Arg>{input(init), input(ints)};
        },
        {20}, {50}, &m, 4);
    compare("global_atomics", as<int>(a[0]), as<int>(b[0]), 12, 0, 0);
  }
  ahal_runtime_destroy(rt);
  if (g_failures) return 1;
  std::printf("PASS: cpu-so built-ins agree with %s's\n", ref.props.name);
  return 0;
}
