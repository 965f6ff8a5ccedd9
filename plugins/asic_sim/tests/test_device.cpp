// The simulator's device model through the public API: properties, the
// device memory arena, copies through the DMA engine, stream order, events
// and the bandwidth model.
#include "sim_fixture.hpp"

#include <chrono>
#include <cstring>
#include <future>
#include <thread>

namespace {

// Scoped environment variable for settings read when the plugin starts.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    setenv(name, value, 1);
  }
  ~ScopedEnv() {
    if (old_.empty()) {
      unsetenv(name_);
    } else {
      setenv(name_, old_.c_str(), 1);
    }
  }

 private:
  const char* name_;
  std::string old_;
};

// Holds a stream at a host callback until release() is called, so tests can
// look at pending work without depending on timing.
class Gate {
 public:
  explicit Gate(ahal_stream_t stream) {
    AHAL_REQUIRE(ahal_stream_host_callback(stream, &Gate::wait, this));
  }
  void release() { open_.set_value(); }

 private:
  static void wait(void* self) { static_cast<Gate*>(self)->opened_.wait(); }
  std::promise<void> open_;
  std::shared_future<void> opened_ = open_.get_future().share();
};

ahal_event_t make_event(ahal_device_t device, uint32_t flags) {
  ahal_event_t event = nullptr;
  AHAL_REQUIRE(ahal_event_create(device, flags, &event));
  return event;
}

}  // namespace

TEST_CASE("properties say what the device is", "[device]") {
  Sim sim;
  ahal_device_properties_t p{};
  p.struct_size = sizeof(p);
  AHAL_REQUIRE(ahal_device_get_properties(sim.device, &p));
  CHECK(std::string(p.name) == "ahal ASIC simulator");
  CHECK(std::string(p.selector) == "asic_sim:0");
  CHECK(p.type == AHAL_DEVICE_TYPE_ASIC);
  CHECK(p.global_memory_bytes == 512ull << 20);
  CHECK(p.max_allocation_bytes == p.global_memory_bytes);
  CHECK(p.module_formats == 0);
  uint64_t wanted =
      AHAL_FEATURE_BUILTIN_KERNELS | AHAL_FEATURE_TIMESTAMPS | AHAL_FEATURE_HOST_CALLBACKS;
  CHECK((p.features & wanted) == wanted);
  CHECK((p.features & AHAL_FEATURE_HOST_VISIBLE_MEMORY) == 0);
  CHECK((p.features & AHAL_FEATURE_UNIFIED_MEMORY) == 0);
  CHECK((p.features & AHAL_FEATURE_GENERAL_KERNELS) == 0);
  CHECK(p.timestamp_resolution_ps > 0);
  CHECK(p.compute_units >= 1);
}

TEST_CASE("settings come from the environment", "[device]") {
  {
    ScopedEnv memory("AHAL_ASIC_SIM_MEMORY_MB", "96");
    Sim sim;
    ahal_device_properties_t p{};
    p.struct_size = sizeof(p);
    AHAL_REQUIRE(ahal_device_get_properties(sim.device, &p));
    CHECK(p.global_memory_bytes == 96ull << 20);
  }
  {
    // A bad value refuses the plugin, and the reason names the variable.
    ScopedEnv bad("AHAL_ASIC_SIM_DMA_GBPS", "fast");
    setenv("AHAL_PLUGINS", "asic_sim", 0);
    ahal_runtime_options_t options{};
    options.struct_size = sizeof(options);
    options.plugin_path = ASIC_SIM_PLUGIN_DIR;
    ahal_runtime_t runtime = nullptr;
    AHAL_REQUIRE(ahal_runtime_create(&options, &runtime));
    uint32_t count = 0;
    AHAL_REQUIRE(ahal_runtime_plugin_count(runtime, &count));
    bool refused = false;
    for (uint32_t i = 0; i < count; ++i) {
      ahal_plugin_info_t info{};
      info.struct_size = sizeof(info);
      AHAL_REQUIRE(ahal_runtime_plugin_info(runtime, i, &info));
      if (std::string(info.name) != "asic_sim") continue;
      refused = info.state == AHAL_PLUGIN_STATE_REFUSED &&
                std::string(info.reason).find("AHAL_ASIC_SIM_DMA_GBPS") != std::string::npos;
    }
    CHECK(refused);
    ahal_runtime_destroy(runtime);
  }
}

TEST_CASE("device memory: out of memory is a status, freed ranges merge", "[memory]") {
  Sim sim;
  const uint64_t quarter = 128ull << 20;
  ahal_buffer_t blocks[4];
  for (auto& b : blocks) b = sim.buffer(quarter);
  uint64_t used = 0, total = 0;
  AHAL_REQUIRE(ahal_device_memory_usage(sim.device, &used, &total));
  CHECK(used == 4 * quarter);
  CHECK(total == 4 * quarter);

  ahal_buffer_args_t args{};
  args.struct_size = sizeof(args);
  args.size = 1;
  ahal_buffer_t extra = nullptr;
  CHECK(ahal_buffer_create(sim.device, &args, &extra) == AHAL_ERROR_OUT_OF_DEVICE_MEMORY);
  CHECK(std::string(ahal_last_error_message()).find("AHAL_ASIC_SIM_MEMORY_MB") !=
        std::string::npos);

  // Two neighbours freed make room for one buffer of both their sizes.
  AHAL_REQUIRE(ahal_buffer_destroy(blocks[1]));
  AHAL_REQUIRE(ahal_buffer_destroy(blocks[2]));
  ahal_buffer_t big = sim.buffer(2 * quarter);
  AHAL_REQUIRE(ahal_buffer_destroy(big));
  AHAL_REQUIRE(ahal_device_memory_usage(sim.device, &used, &total));
  CHECK(used == 2 * quarter);
}

TEST_CASE("device memory is not host visible", "[memory]") {
  Sim sim;
  // A mappable buffer cannot be had; the plugin's own buffer_map answer
  // (UNSUPPORTED) is checked in test_engines.cpp, since the loader refuses
  // to map a buffer created without AHAL_MEMORY_HOST_VISIBLE itself.
  ahal_buffer_args_t args{};
  args.struct_size = sizeof(args);
  args.size = 4096;
  args.flags = AHAL_MEMORY_HOST_VISIBLE;
  ahal_buffer_t visible = nullptr;
  CHECK(ahal_buffer_create(sim.device, &args, &visible) == AHAL_ERROR_UNSUPPORTED);
  CHECK(std::string(ahal_last_error_message()).find("host-visible") != std::string::npos);

  ahal_buffer_t buffer = sim.buffer(4096);
  void* pointer = nullptr;
  CHECK(ahal_buffer_map(buffer, 0, 4096, &pointer) != AHAL_SUCCESS);
  CHECK(pointer == nullptr);
}

TEST_CASE("copies and fills through the DMA engine honour offsets", "[dma]") {
  Sim sim;
  std::vector<uint8_t> src(4096);
  for (size_t i = 0; i < src.size(); ++i) src[i] = static_cast<uint8_t>(i * 13 + 1);
  ahal_buffer_t a = sim.buffer(4096), b = sim.buffer(4096);
  uint8_t zero = 0;
  AHAL_REQUIRE(ahal_stream_fill(sim.stream, a, 0, 4096, &zero, 1));
  AHAL_REQUIRE(ahal_stream_fill(sim.stream, b, 0, 4096, &zero, 1));

  // host[100, 1100) -> a[300, 1300) -> b[7, 1007) -> host
  AHAL_REQUIRE(ahal_stream_copy_h2d(sim.stream, src.data() + 100, a, 300, 1000));
  AHAL_REQUIRE(ahal_stream_copy_d2d(sim.stream, a, 300, b, 7, 1000));
  uint16_t pattern16 = 0xCAFE;
  AHAL_REQUIRE(ahal_stream_fill(sim.stream, b, 2000, 64, &pattern16, 2));
  uint32_t pattern32 = 0x01020304;
  AHAL_REQUIRE(ahal_stream_fill(sim.stream, b, 3000, 40, &pattern32, 4));
  std::vector<uint8_t> a_back(4096), b_back(4096);
  AHAL_REQUIRE(ahal_stream_copy_d2h(sim.stream, a, 0, a_back.data(), 4096));
  AHAL_REQUIRE(ahal_stream_copy_d2h(sim.stream, b, 0, b_back.data(), 4096));
  AHAL_REQUIRE(ahal_stream_synchronize(sim.stream));

  for (size_t i = 0; i < 4096; ++i) {
    INFO("byte " << i);
    REQUIRE(a_back[i] == (i >= 300 && i < 1300 ? src[i - 200] : 0));
  }
  for (size_t i = 0; i < 4096; ++i) {
    INFO("byte " << i);
    uint8_t expected = 0;
    if (i >= 7 && i < 1007) expected = src[i + 93];
    if (i >= 2000 && i < 2064) expected = reinterpret_cast<uint8_t*>(&pattern16)[(i - 2000) % 2];
    if (i >= 3000 && i < 3040) expected = reinterpret_cast<uint8_t*>(&pattern32)[(i - 3000) % 4];
    REQUIRE(b_back[i] == expected);
  }

  // Pinned host memory works as a copy source and target like any memory.
  ahal_host_alloc_t pinned = nullptr;
  AHAL_REQUIRE(ahal_host_alloc(sim.device, 4096, 0, &pinned));
  void* pointer = nullptr;
  AHAL_REQUIRE(ahal_host_alloc_pointer(pinned, &pointer));
  AHAL_REQUIRE(ahal_stream_copy_d2h(sim.stream, a, 300, pointer, 1000));
  AHAL_REQUIRE(ahal_stream_synchronize(sim.stream));
  CHECK(std::memcmp(pointer, src.data() + 100, 1000) == 0);
  AHAL_REQUIRE(ahal_host_free(pinned));
}

TEST_CASE("a stream runs its commands in order", "[stream]") {
  Sim sim;
  // x = 1; then ten times: y = x + x; x = y (through a device copy). The
  // result is 1024 only if every step saw the one before it.
  const uint32_t n = 4096;
  ahal_buffer_t x = sim.upload(std::vector<float>(n, 1.0f)), y = sim.buffer(n * 4);
  std::vector<int> callback_order;
  struct Step {
    std::vector<int>* order;
    int index;
  };
  std::vector<Step> steps;
  steps.reserve(10);
  for (int i = 0; i < 10; ++i) {
    AHAL_REQUIRE(sim.launch("ahal.builtin.elementwise_add_f32", {whole(x), whole(x), whole(y)}, n));
    AHAL_REQUIRE(ahal_stream_copy_d2d(sim.stream, y, 0, x, 0, n * 4));
    steps.push_back({&callback_order, i});
    AHAL_REQUIRE(ahal_stream_host_callback(
        sim.stream,
        [](void* p) {
          auto* step = static_cast<Step*>(p);
          step->order->push_back(step->index);
        },
        &steps.back()));
  }
  std::vector<float> result = sim.download(x, n);
  for (float v : result) REQUIRE(v == 1024.0f);
  REQUIRE(callback_order.size() == 10);
  for (int i = 0; i < 10; ++i) CHECK(callback_order[i] == i);
}

TEST_CASE("events: query, host wait with timeout, cross-stream wait", "[event]") {
  Sim sim;
  ahal_event_t event = make_event(sim.device, 0);
  CHECK(ahal_event_query(event) == AHAL_SUCCESS);  // never recorded

  ahal_stream_t other = nullptr;
  AHAL_REQUIRE(ahal_stream_create(sim.device, nullptr, &other));
  ahal_buffer_t data = sim.buffer(64);
  float zeros[16] = {}, ones[16], seen[16];
  for (float& v : ones) v = 1.0f;
  AHAL_REQUIRE(ahal_stream_copy_h2d(sim.stream, zeros, data, 0, sizeof(zeros)));
  AHAL_REQUIRE(ahal_stream_synchronize(sim.stream));

  // sim.stream: [gate] write ones, record. other: wait for the record, read.
  Gate gate(sim.stream);
  AHAL_REQUIRE(ahal_stream_copy_h2d(sim.stream, ones, data, 0, sizeof(ones)));
  AHAL_REQUIRE(ahal_stream_record_event(sim.stream, event));
  AHAL_REQUIRE(ahal_stream_wait_event(other, event));
  AHAL_REQUIRE(ahal_stream_copy_d2h(other, data, 0, seen, sizeof(seen)));

  CHECK(ahal_event_query(event) == AHAL_NOT_READY);
  CHECK(ahal_stream_query(sim.stream) == AHAL_NOT_READY);
  CHECK(ahal_stream_query(other) == AHAL_NOT_READY);
  CHECK(ahal_event_wait(event, 1000000) == AHAL_ERROR_TIMEOUT);  // 1 ms
  gate.release();

  AHAL_REQUIRE(ahal_event_wait(event, UINT64_MAX));
  CHECK(ahal_event_query(event) == AHAL_SUCCESS);
  AHAL_REQUIRE(ahal_stream_synchronize(other));
  CHECK(ahal_stream_query(other) == AHAL_SUCCESS);
  for (float v : seen) REQUIRE(v == 1.0f);

  // The event follows its last record: recorded again behind a gate, it is
  // pending again.
  Gate second(sim.stream);
  AHAL_REQUIRE(ahal_stream_record_event(sim.stream, event));
  CHECK(ahal_event_query(event) == AHAL_NOT_READY);
  second.release();
  AHAL_REQUIRE(ahal_event_wait(event, 10ull * 1000 * 1000 * 1000));
  AHAL_REQUIRE(ahal_event_destroy(event));
}

TEST_CASE("timing events measure on the device clock", "[event]") {
  Sim sim;
  ahal_event_t start = make_event(sim.device, AHAL_EVENT_TIMING);
  ahal_event_t end = make_event(sim.device, AHAL_EVENT_TIMING);
  ahal_event_t plain = make_event(sim.device, 0);
  const uint64_t bytes = 16ull << 20;
  std::vector<uint8_t> host(bytes, 1);
  ahal_buffer_t buffer = sim.buffer(bytes);

  uint64_t ns = 0;
  CHECK(ahal_event_elapsed_ns(start, end, &ns) != AHAL_SUCCESS);  // never recorded
  AHAL_REQUIRE(ahal_stream_record_event(sim.stream, start));
  AHAL_REQUIRE(ahal_stream_copy_h2d(sim.stream, host.data(), buffer, 0, bytes));
  AHAL_REQUIRE(ahal_stream_record_event(sim.stream, end));
  AHAL_REQUIRE(ahal_stream_record_event(sim.stream, plain));
  AHAL_REQUIRE(ahal_stream_synchronize(sim.stream));

  AHAL_REQUIRE(ahal_event_elapsed_ns(start, end, &ns));
  // 16 MiB at 16 GB/s is 1.05 ms; the copy lies between the two records.
  CHECK(ns >= 1000000);
  CHECK(ahal_event_elapsed_ns(start, plain, &ns) != AHAL_SUCCESS);  // not a timing event
}

TEST_CASE("the DMA bandwidth model holds: 64 MiB at 16 GB/s takes >= 3.5 ms", "[dma]") {
  Sim sim;
  const uint64_t bytes = 64ull << 20;
  std::vector<uint8_t> host(bytes, 7);
  ahal_buffer_t buffer = sim.buffer(bytes);
  for (int direction = 0; direction < 2; ++direction) {
    auto t0 = std::chrono::steady_clock::now();
    if (direction == 0) {
      AHAL_REQUIRE(ahal_stream_copy_h2d(sim.stream, host.data(), buffer, 0, bytes));
    } else {
      AHAL_REQUIRE(ahal_stream_copy_d2h(sim.stream, buffer, 0, host.data(), bytes));
    }
    AHAL_REQUIRE(ahal_stream_synchronize(sim.stream));
    auto elapsed = std::chrono::steady_clock::now() - t0;
    double ms = std::chrono::duration<double>(elapsed).count() * 1e3;
    INFO((direction == 0 ? "h2d" : "d2h") << " took " << ms << " ms");
    CHECK(elapsed >= std::chrono::microseconds(3500));
  }
  CHECK(host[bytes - 1] == 7);
}

TEST_CASE("streams of one device run side by side", "[stream]") {
  Sim sim;
  const uint32_t n = 1 << 16;
  ahal_kernel_t add = sim.builtin("ahal.builtin.elementwise_add_f32");
  // Each thread: its own stream, c = a + a with a = t + 1. Catch2 is not
  // thread-safe, so threads only report whether their result was right.
  auto run = [&](int t) {
    ahal_stream_t stream = nullptr;
    ahal_buffer_t a = nullptr, c = nullptr;
    ahal_buffer_args_t args{};
    args.struct_size = sizeof(args);
    args.size = n * 4;
    if (ahal_stream_create(sim.device, nullptr, &stream) != AHAL_SUCCESS ||
        ahal_buffer_create(sim.device, &args, &a) != AHAL_SUCCESS ||
        ahal_buffer_create(sim.device, &args, &c) != AHAL_SUCCESS) {
      return false;
    }
    std::vector<float> in(n, float(t + 1)), out(n);
    ahal_binding_t bindings[3] = {{a, 0, 0}, {a, 0, 0}, {c, 0, 0}};
    ahal_launch_args_t launch{};
    launch.struct_size = sizeof(launch);
    for (int d = 0; d < 3; ++d) launch.grid[d] = launch.workgroup_size[d] = 1;
    launch.binding_count = 3;
    launch.bindings = bindings;
    launch.constants = &n;
    launch.constants_size = sizeof(n);
    ahal_status_t steps[] = {ahal_stream_copy_h2d(stream, in.data(), a, 0, n * 4),
                             ahal_stream_launch(stream, add, &launch),
                             ahal_stream_copy_d2h(stream, c, 0, out.data(), n * 4),
                             ahal_stream_synchronize(stream), ahal_stream_destroy(stream)};
    for (ahal_status_t status : steps) {
      if (status != AHAL_SUCCESS) return false;
    }
    for (float v : out) {
      if (v != 2.0f * float(t + 1)) return false;
    }
    return true;
  };
  std::vector<std::future<bool>> results;
  for (int t = 0; t < 4; ++t) results.push_back(std::async(std::launch::async, run, t));
  for (int t = 0; t < 4; ++t) CHECK(results[t].get());
}
