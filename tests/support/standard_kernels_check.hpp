// Runs the standard kernels (docs/kernel-abi.md) and the stream features on
// one ahal device through the public API and checks every result against a
// host reference. Shared by the HIP and Level Zero device tests and the
// SPIR-V-on-OpenCL test; include after <catch2/catch.hpp>.
#pragma once

#include <ahal/ahal.h>

#include "device_test_support.hpp"  // AHAL_TEST_OK

#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace ahal_test {

// Finds a standard kernel by name; nullptr when the device has no image
// holding it (e.g. fp64 kernels on a device without fp64).
using KernelLookup = std::function<ahal_kernel_t(const char* name)>;

class Buffer {
 public:
  Buffer(ahal_device_t device, uint64_t size, uint32_t flags = AHAL_MEMORY_DEVICE_LOCAL) {
    ahal_buffer_args_t args{};
    args.struct_size = sizeof(args);
    args.size = size;
    args.flags = flags;
    AHAL_TEST_OK(ahal_buffer_create(device, &args, &buffer_));
  }
  ~Buffer() { ahal_buffer_destroy(buffer_); }
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;
  ahal_buffer_t get() const { return buffer_; }

 private:
  ahal_buffer_t buffer_ = nullptr;
};

class Stream {
 public:
  explicit Stream(ahal_device_t device) { AHAL_TEST_OK(ahal_stream_create(device, nullptr, &s_)); }
  ~Stream() { ahal_stream_destroy(s_); }
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;
  ahal_stream_t get() const { return s_; }

 private:
  ahal_stream_t s_ = nullptr;
};

class Event {
 public:
  Event(ahal_device_t device, uint32_t flags) {
    AHAL_TEST_OK(ahal_event_create(device, flags, &e_));
  }
  ~Event() { ahal_event_destroy(e_); }
  Event(const Event&) = delete;
  Event& operator=(const Event&) = delete;
  ahal_event_t get() const { return e_; }

 private:
  ahal_event_t e_ = nullptr;
};

template <typename T>
void upload(ahal_stream_t s, const Buffer& b, const std::vector<T>& host) {
  AHAL_TEST_OK(ahal_stream_copy_h2d(s, host.data(), b.get(), 0, host.size() * sizeof(T)));
}

template <typename T>
std::vector<T> download(ahal_stream_t s, const Buffer& b, size_t count) {
  std::vector<T> host(count);
  AHAL_TEST_OK(ahal_stream_copy_d2h(s, b.get(), 0, host.data(), count * sizeof(T)));
  AHAL_TEST_OK(ahal_stream_synchronize(s));
  return host;
}

template <typename Constants>
void launch(ahal_stream_t s, ahal_kernel_t k, std::vector<uint32_t> grid, std::vector<uint32_t> wg,
            const std::vector<const Buffer*>& buffers, const Constants* constants,
            uint32_t dynamic_shared = 0) {
  std::vector<ahal_binding_t> bindings;
  for (const Buffer* b : buffers) bindings.push_back({b->get(), 0, 0});
  ahal_launch_args_t args{};
  args.struct_size = sizeof(args);
  for (int i = 0; i < 3; ++i) {
    args.grid[i] = i < static_cast<int>(grid.size()) ? grid[i] : 1;
    args.workgroup_size[i] = i < static_cast<int>(wg.size()) ? wg[i] : 1;
  }
  args.dynamic_shared_bytes = dynamic_shared;
  args.binding_count = static_cast<uint32_t>(bindings.size());
  args.bindings = bindings.empty() ? nullptr : bindings.data();
  args.constants = constants;
  args.constants_size = constants ? static_cast<uint32_t>(sizeof(Constants)) : 0;
  AHAL_TEST_OK(ahal_stream_launch(s, k, &args));
}

inline bool close_to(double got, double want, double rel) {
  return std::fabs(got - want) <= rel * std::max(std::fabs(want), 1e-30);
}

struct NoConstants {};

inline void check_standard_kernels(ahal_device_t device, const KernelLookup& kernel_of) {
  ahal_device_properties_t props{};
  props.struct_size = sizeof(props);
  AHAL_TEST_OK(ahal_device_get_properties(device, &props));
  Stream stream(device);
  ahal_stream_t s = stream.get();
  const NoConstants* none = nullptr;

  SECTION("empty") {
    ahal_kernel_t k = kernel_of("empty");
    REQUIRE(k);
    launch(s, k, {1}, {1}, {}, none);
    AHAL_TEST_OK(ahal_stream_synchronize(s));
  }
  SECTION("vector_add and saxpy") {
    const uint32_t n = 1000;  // not a multiple of the workgroup: the bound check matters
    std::vector<float> a(n), b(n);
    for (uint32_t i = 0; i < n; ++i) {
      a[i] = 0.5f * static_cast<float>(i);
      b[i] = 1000.0f - static_cast<float>(i);
    }
    Buffer ba(device, n * 4), bb(device, n * 4), bc(device, (n + 24) * 4);
    upload(s, ba, a);
    upload(s, bb, b);
    std::vector<float> sentinel(n + 24, -7.0f);
    upload(s, bc, sentinel);
    struct {
      uint32_t n;
    } vk{n};
    launch(s, kernel_of("vector_add"), {(n + 63) / 64}, {64}, {&ba, &bb, &bc}, &vk);
    std::vector<float> c = download<float>(s, bc, n + 24);
    for (uint32_t i = 0; i < n; ++i) REQUIRE(close_to(c[i], a[i] + b[i], 1e-5));
    for (uint32_t i = n; i < n + 24; ++i) REQUIRE(c[i] == -7.0f);

    struct {
      float a;
      uint32_t n;
    } sk{2.5f, n};
    launch(s, kernel_of("saxpy"), {(n + 127) / 128}, {128}, {&ba, &bb}, &sk);
    std::vector<float> y = download<float>(s, bb, n);
    for (uint32_t i = 0; i < n; ++i) REQUIRE(close_to(y[i], 2.5f * a[i] + b[i], 1e-5));
  }
  SECTION("write_index on a 3D grid") {
    const std::vector<uint32_t> grid = {3, 2, 2}, wg = {4, 2, 2};
    const uint32_t total = 3 * 4 * 2 * 2 * 2 * 2;
    Buffer out(device, total * 4);
    struct {
      uint32_t base;
    } k{1000};
    launch(s, kernel_of("write_index"), grid, wg, {&out}, &k);
    std::vector<uint32_t> got = download<uint32_t>(s, out, total);
    for (uint32_t i = 0; i < total; ++i) REQUIRE(got[i] == i + 1000);
  }
  SECTION("atomic_count") {
    Buffer counter(device, 8);
    const std::vector<uint32_t> zeros = {0, 0};  // read when the stream gets to the copy
    upload(s, counter, zeros);
    const uint32_t groups = 10, wg = 64, items = groups * wg;
    launch(s, kernel_of("atomic_count"), {groups}, {wg}, {&counter}, none);
    std::vector<uint32_t> got = download<uint32_t>(s, counter, 2);
    REQUIRE(got[0] == items);
    REQUIRE(got[1] == items * (items - 1) / 2);
  }
  SECTION("reverse_shared and reverse_dynamic") {
    const uint32_t w = 128, groups = 4, n = w * groups;
    std::vector<uint32_t> in(n);
    for (uint32_t i = 0; i < n; ++i) in[i] = i * 3 + 1;
    Buffer bin(device, n * 4), bout(device, n * 4);
    upload(s, bin, in);
    launch(s, kernel_of("reverse_shared"), {groups}, {w}, {&bin, &bout}, none);
    std::vector<uint32_t> got = download<uint32_t>(s, bout, n);
    for (uint32_t g = 0; g < groups; ++g)
      for (uint32_t l = 0; l < w; ++l) REQUIRE(got[g * w + l] == in[g * w + (w - 1 - l)]);

    const uint32_t dw = 64, dgroups = 8;
    launch(s, kernel_of("reverse_dynamic"), {dgroups}, {dw}, {&bin, &bout}, none, dw * 4);
    got = download<uint32_t>(s, bout, dw * dgroups);
    for (uint32_t g = 0; g < dgroups; ++g)
      for (uint32_t l = 0; l < dw; ++l) REQUIRE(got[g * dw + l] == in[g * dw + (dw - 1 - l)]);
  }
  SECTION("fma_f32") {
    const uint32_t n = 2048;
    Buffer out(device, n * 4);
    struct {
      uint32_t iters;
      float a, b;
      uint32_t pad;
    } k{16, 0.99f, 0.01f, 0};
    launch(s, kernel_of("fma_f32"), {n / 256}, {256}, {&out}, &k);
    std::vector<float> got = download<float>(s, out, n);
    for (uint32_t i = 0; i < n; ++i) {
      double sum = 0;
      for (int j = 0; j < 8; ++j) {
        double x = static_cast<double>(static_cast<float>(i % 1024) * 1e-3f) + j;
        for (uint32_t it = 0; it < k.iters; ++it) x = x * k.a + k.b;
        sum += x;
      }
      REQUIRE(close_to(got[i], sum, 1e-5));
    }
  }
  SECTION("one kernel launched from several threads on their own streams") {
    // Each thread launches write_index with its own base into its own
    // buffer; arguments must not leak between concurrent launches.
    constexpr int kThreads = 4, kLaunches = 25;
    constexpr uint32_t kItems = 256;
    ahal_kernel_t k = kernel_of("write_index");
    REQUIRE(k);
    std::vector<std::unique_ptr<Stream>> streams;
    std::vector<std::unique_ptr<Buffer>> buffers;
    for (int t = 0; t < kThreads; ++t) {
      streams.push_back(std::make_unique<Stream>(device));
      buffers.push_back(std::make_unique<Buffer>(device, kLaunches * kItems * 4));
    }
    std::vector<ahal_status_t> status(kThreads, AHAL_SUCCESS);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < kLaunches && status[t] == AHAL_SUCCESS; ++i) {
          ahal_binding_t binding{buffers[t]->get(), uint64_t{kItems} * 4 * i, uint64_t{kItems} * 4};
          struct {
            uint32_t base;
          } c{static_cast<uint32_t>(1000000 * t + 1000 * i)};
          ahal_launch_args_t args{};
          args.struct_size = sizeof(args);
          args.grid[0] = kItems / 64;
          args.grid[1] = args.grid[2] = 1;
          args.workgroup_size[0] = 64;
          args.workgroup_size[1] = args.workgroup_size[2] = 1;
          args.binding_count = 1;
          args.bindings = &binding;
          args.constants = &c;
          args.constants_size = sizeof(c);
          status[t] = ahal_stream_launch(streams[t]->get(), k, &args);
        }
        if (status[t] == AHAL_SUCCESS) status[t] = ahal_stream_synchronize(streams[t]->get());
      });
    }
    for (std::thread& th : threads) th.join();
    for (int t = 0; t < kThreads; ++t) {
      INFO("thread " << t << ": " << ahal_status_string(status[t]));
      REQUIRE(status[t] == AHAL_SUCCESS);
      std::vector<uint32_t> got = download<uint32_t>(s, *buffers[t], kLaunches * kItems);
      for (int i = 0; i < kLaunches; ++i)
        for (uint32_t j = 0; j < kItems; ++j)
          REQUIRE(got[i * kItems + j] == 1000000u * t + 1000u * i + j);
    }
  }
  SECTION("fp64 kernels") {
    if (!(props.features & AHAL_FEATURE_FP64) || !kernel_of("stream_triad")) {
      WARN(props.selector << " has no fp64 kernels; their checks are skipped");
      return;
    }
    const uint32_t n = 3000;
    std::vector<double> a(n), b(n), c(n);
    for (uint32_t i = 0; i < n; ++i) {
      a[i] = 1.0 + i;
      b[i] = 2.0 - 0.5 * i;
      c[i] = 0.25 * i;
    }
    Buffer ba(device, n * 8), bb(device, n * 8), bc(device, n * 8);
    upload(s, ba, a);
    upload(s, bb, b);
    upload(s, bc, c);
    struct {
      double s;
      uint32_t n, pad;
    } k{3.0, n, 0};
    const uint32_t grid = (n + 255) / 256;
    launch(s, kernel_of("stream_copy"), {grid}, {256}, {&ba, &bc}, &k);  // c = a
    std::vector<double> got = download<double>(s, bc, n);
    for (uint32_t i = 0; i < n; ++i) REQUIRE(got[i] == a[i]);
    launch(s, kernel_of("stream_scale"), {grid}, {256}, {&bc, &bb}, &k);  // b = s * c
    got = download<double>(s, bb, n);
    for (uint32_t i = 0; i < n; ++i) REQUIRE(close_to(got[i], 3.0 * a[i], 1e-12));
    launch(s, kernel_of("stream_add"), {grid}, {256}, {&ba, &bb, &bc}, &k);  // c = a + b
    got = download<double>(s, bc, n);
    for (uint32_t i = 0; i < n; ++i) REQUIRE(close_to(got[i], 4.0 * a[i], 1e-12));
    launch(s, kernel_of("stream_triad"), {grid}, {256}, {&ba, &bb, &bc}, &k);  // a = b + s * c
    got = download<double>(s, ba, n);
    for (uint32_t i = 0; i < n; ++i) REQUIRE(close_to(got[i], 15.0 * a[i], 1e-12));

    // stream_dot: 8 groups of 128 stride over n; each group's partial sum.
    const uint32_t groups = 8, wg = 128, global = groups * wg;
    Buffer partial(device, groups * 8);
    launch(s, kernel_of("stream_dot"), {groups}, {wg}, {&bb, &bc, &partial}, &k);
    got = download<double>(s, partial, groups);
    for (uint32_t g = 0; g < groups; ++g) {
      double want = 0;
      for (uint32_t l = 0; l < wg; ++l)
        for (uint32_t j = g * wg + l; j < n; j += global) want += (3.0 * a[j]) * (4.0 * a[j]);
      REQUIRE(close_to(got[g], want, 1e-12));
    }

    struct {
      double a, b;
      uint32_t iters, pad;
    } f{0.999, 0.001, 20, 0};
    const uint32_t m = 1024 + 256;
    Buffer out(device, m * 8);
    launch(s, kernel_of("fma_f64"), {m / 256}, {256}, {&out}, &f);
    got = download<double>(s, out, m);
    for (uint32_t i = 0; i < m; ++i) {
      double sum = 0;
      for (int j = 0; j < 8; ++j) {
        double x = (i % 1024) * 1e-3 + j;
        for (uint32_t it = 0; it < f.iters; ++it) x = x * f.a + f.b;
        sum += x;
      }
      REQUIRE(close_to(got[i], sum, 1e-12));
    }
  }
}

// Copies with offsets, fills of each pattern size, maps, events, timing,
// host callbacks and cross-stream waits: the plugin's stream machinery.
inline void check_stream_features(ahal_device_t device) {
  ahal_device_properties_t props{};
  props.struct_size = sizeof(props);
  AHAL_TEST_OK(ahal_device_get_properties(device, &props));
  const uint64_t align = props.binding_offset_alignment ? props.binding_offset_alignment : 256;
  Stream stream(device);
  ahal_stream_t s = stream.get();

  SECTION("copies with offsets and device-to-device") {
    std::vector<uint8_t> host(4096);
    for (size_t i = 0; i < host.size(); ++i) host[i] = static_cast<uint8_t>(i * 7 + 3);
    Buffer a(device, 8192), b(device, 8192);
    AHAL_TEST_OK(ahal_stream_copy_h2d(s, host.data(), a.get(), align, host.size()));
    AHAL_TEST_OK(ahal_stream_copy_d2d(s, a.get(), align, b.get(), 2 * align, host.size()));
    std::vector<uint8_t> back(host.size());
    AHAL_TEST_OK(ahal_stream_copy_d2h(s, b.get(), 2 * align, back.data(), back.size()));
    AHAL_TEST_OK(ahal_stream_synchronize(s));
    REQUIRE(back == host);
  }
  SECTION("fills of 1, 2 and 4 bytes") {
    Buffer b(device, 1024);
    const uint8_t p1 = 0xab;
    const uint16_t p2 = 0x1234;
    const uint32_t p4 = 0xdeadbeef;
    AHAL_TEST_OK(ahal_stream_fill(s, b.get(), 0, 1024, &p4, 4));
    AHAL_TEST_OK(ahal_stream_fill(s, b.get(), 0, 100, &p1, 1));
    AHAL_TEST_OK(ahal_stream_fill(s, b.get(), 256, 256, &p2, 2));
    std::vector<uint8_t> got(1024);
    AHAL_TEST_OK(ahal_stream_copy_d2h(s, b.get(), 0, got.data(), got.size()));
    AHAL_TEST_OK(ahal_stream_synchronize(s));
    for (size_t i = 0; i < 1024; ++i) {
      uint8_t want;
      if (i < 100)
        want = p1;
      else if (i >= 256 && i < 512)
        want = reinterpret_cast<const uint8_t*>(&p2)[i % 2];
      else
        want = reinterpret_cast<const uint8_t*>(&p4)[i % 4];
      INFO("byte " << i);
      REQUIRE(got[i] == want);
    }
  }
  SECTION("host-visible buffers map") {
    Buffer b(device, 4096, AHAL_MEMORY_HOST_VISIBLE | AHAL_MEMORY_HOST_COHERENT);
    const uint32_t p = 0x01020304;
    AHAL_TEST_OK(ahal_stream_fill(s, b.get(), 0, 4096, &p, 4));
    AHAL_TEST_OK(ahal_stream_synchronize(s));
    void* mapped = nullptr;
    AHAL_TEST_OK(ahal_buffer_map(b.get(), 0, 4096, &mapped));
    REQUIRE(static_cast<uint32_t*>(mapped)[1000] == p);
    static_cast<uint32_t*>(mapped)[5] = 42;
    AHAL_TEST_OK(ahal_buffer_unmap(b.get()));
    uint32_t back = 0;
    AHAL_TEST_OK(ahal_stream_copy_d2h(s, b.get(), 20, &back, 4));
    AHAL_TEST_OK(ahal_stream_synchronize(s));
    REQUIRE(back == 42);
  }
  SECTION("host callbacks run in order, after earlier work") {
    Buffer b(device, 4);
    struct State {
      std::atomic<int> calls{0};
      int first = -1, second = -1;
      uint32_t seen = 0;
      uint32_t host_copy = 0;
    } state;
    const uint32_t p = 0x5a5a5a5a;
    AHAL_TEST_OK(ahal_stream_fill(s, b.get(), 0, 4, &p, 4));
    AHAL_TEST_OK(ahal_stream_copy_d2h(s, b.get(), 0, &state.host_copy, 4));
    AHAL_TEST_OK(ahal_stream_host_callback(
        s,
        [](void* u) {
          auto* st = static_cast<State*>(u);
          st->seen = st->host_copy;  // the copy before the callback is done
          st->first = st->calls++;
        },
        &state));
    AHAL_TEST_OK(ahal_stream_host_callback(
        s, [](void* u) { static_cast<State*>(u)->second = static_cast<State*>(u)->calls++; },
        &state));
    AHAL_TEST_OK(ahal_stream_synchronize(s));
    REQUIRE(state.calls == 2);
    REQUIRE(state.first == 0);
    REQUIRE(state.second == 1);
    REQUIRE(state.seen == p);
  }
  SECTION("events: query, wait, cross-stream wait, timing") {
    Stream other(device);
    Event done(device, 0);
    REQUIRE(ahal_event_query(done.get()) == AHAL_SUCCESS);  // never recorded
    Buffer b(device, 1 << 20), c(device, 1 << 20);
    const uint32_t p = 0x11223344;
    AHAL_TEST_OK(ahal_stream_fill(s, b.get(), 0, 1 << 20, &p, 4));
    AHAL_TEST_OK(ahal_stream_record_event(s, done.get()));
    AHAL_TEST_OK(ahal_stream_wait_event(other.get(), done.get()));
    AHAL_TEST_OK(ahal_stream_copy_d2d(other.get(), b.get(), 0, c.get(), 0, 1 << 20));
    uint32_t last = 0;
    AHAL_TEST_OK(ahal_stream_copy_d2h(other.get(), c.get(), (1 << 20) - 4, &last, 4));
    AHAL_TEST_OK(ahal_stream_synchronize(other.get()));
    REQUIRE(last == p);
    AHAL_TEST_OK(ahal_event_wait(done.get(), UINT64_MAX));
    REQUIRE(ahal_event_query(done.get()) == AHAL_SUCCESS);

    if (props.features & AHAL_FEATURE_TIMESTAMPS) {
      Event start(device, AHAL_EVENT_TIMING), end(device, AHAL_EVENT_TIMING);
      AHAL_TEST_OK(ahal_stream_record_event(s, start.get()));
      for (int i = 0; i < 8; ++i) AHAL_TEST_OK(ahal_stream_fill(s, b.get(), 0, 1 << 20, &p, 4));
      AHAL_TEST_OK(ahal_stream_record_event(s, end.get()));
      AHAL_TEST_OK(ahal_event_wait(end.get(), 10'000'000'000ull));
      uint64_t ns = 0;
      AHAL_TEST_OK(ahal_event_elapsed_ns(start.get(), end.get(), &ns));
      REQUIRE(ns > 0);
      REQUIRE(ns < 10'000'000'000ull);
    }
  }
}

// The kernels bundle at `bundle_path` on `device`: its image of `format`
// is the one loaded, and every standard kernel in it matches the host
// reference.
inline void check_bundle_standard_kernels(ahal_device_t device, const char* bundle_path,
                                          ahal_module_format_t format) {
  ahal_module_t module = bundle_module(device, bundle_path);
  check_module_format(module, format);
  check_standard_kernels(device, kernels_of(module));
}

}  // namespace ahal_test
