// The CPU plugin's dispatch table, called directly: ABI rules, properties,
// memory, streams, events, modules.
#include "plugin_fixture.hpp"

#include <sys/utsname.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <mutex>
#include <thread>

using cpu_test::bind;
using cpu_test::last_message;
using cpu_test::Plugin;

// A test allocates 2^62 bytes to see the failure path: under a sanitizer
// the allocation must fail with NULL, not abort (options in the
// environment still apply on top of these). The sanitizer runtime looks
// these up dynamically, so they must be visible.
extern "C" __attribute__((visibility("default"), used)) const char* __asan_default_options() {
  return "allocator_may_return_null=1";
}
extern "C" __attribute__((visibility("default"), used)) const char* __tsan_default_options() {
  return "allocator_may_return_null=1";
}

namespace {

struct Probe {
  uint32_t workgroup_id[3];
  uint32_t worker_index;
  uint32_t worker_count;
  uint32_t shared_aligned;
  uint32_t shared_size;
  uint32_t binding_count;
  uint32_t constants_size;
  uint32_t constants_first;
  uint32_t pad[2];
};

std::string machine_arch() {
  struct utsname u {};
  uname(&u);
  return u.machine;
}

}  // namespace

TEST_CASE("query copies no more than the loader's table size", "[abi]") {
  Plugin plugin;
  // An ABI 1.0 loader's table ends before device_memory_usage.
  const size_t v10_size = offsetof(ahal_plugin_api_t, device_memory_usage);
  std::vector<unsigned char> storage(sizeof(ahal_plugin_api_t), 0xab);
  auto* table = reinterpret_cast<ahal_plugin_api_t*>(storage.data());
  table->struct_size = v10_size;
  REQUIRE(plugin.query()(AHAL_PLUGIN_ABI_VERSION, table) == AHAL_SUCCESS);
  CHECK(table->struct_size == v10_size);
  CHECK(std::string(table->name) == "cpu");
  CHECK(table->abi_version == AHAL_PLUGIN_ABI_VERSION);
  for (size_t i = v10_size; i < storage.size(); ++i) REQUIRE(storage[i] == 0xab);

  ahal_plugin_api_t other{};
  other.struct_size = sizeof(other);
  CHECK(plugin.query()(AHAL_PLUGIN_ABI_VERSION + (1u << 16), &other) == AHAL_ERROR_INCOMPATIBLE);
}

TEST_CASE("device properties describe this machine", "[properties]") {
  Plugin plugin;
  uint32_t count = 0;
  REQUIRE(plugin.api().device_count != nullptr);
  const ahal_device_properties_t p = plugin.properties();
  CHECK(std::strlen(p.name) > 0);
  CHECK(std::strlen(p.vendor) > 0);
  CHECK(std::string(p.arch) == machine_arch());
  CHECK(p.type == AHAL_DEVICE_TYPE_CPU);
  CHECK(p.compute_units >= 1);
  CHECK(p.global_memory_bytes > (uint64_t(64) << 20));
  CHECK(p.max_allocation_bytes <= p.global_memory_bytes);
  CHECK(p.max_workgroup_size >= 256);
  CHECK(p.shared_memory_per_workgroup == 64 * 1024);
  CHECK(p.module_formats == (1ull << AHAL_MODULE_FORMAT_CPU_SO));
  const uint64_t needed = AHAL_FEATURE_FP64 | AHAL_FEATURE_INT64_ATOMICS |
                          AHAL_FEATURE_HOST_VISIBLE_MEMORY | AHAL_FEATURE_UNIFIED_MEMORY |
                          AHAL_FEATURE_TIMESTAMPS | AHAL_FEATURE_HOST_CALLBACKS |
                          AHAL_FEATURE_DYNAMIC_SHARED_MEMORY | AHAL_FEATURE_GENERAL_KERNELS;
  CHECK((p.features & needed) == needed);
  CHECK((p.features & AHAL_FEATURE_BUILTIN_KERNELS) == 0);
  CHECK(p.timestamp_resolution_ps > 0);
  CHECK(p.max_bindings == AHAL_MAX_BINDINGS);
  CHECK(p.max_constants_size == AHAL_MAX_CONSTANTS_SIZE);
  REQUIRE(plugin.api().device_count(plugin.instance(), &count) == AHAL_SUCCESS);
  CHECK(count == 1);
}

TEST_CASE("properties are written only within the caller's struct_size", "[abi][properties]") {
  Plugin plugin;
  std::vector<unsigned char> storage(sizeof(ahal_device_properties_t), 0xcd);
  auto* p = reinterpret_cast<ahal_device_properties_t*>(storage.data());
  const size_t old_size = offsetof(ahal_device_properties_t, arch);
  p->struct_size = old_size;
  REQUIRE(plugin.api().device_get_properties(plugin.device(), p) == AHAL_SUCCESS);
  CHECK(p->struct_size == old_size);
  CHECK(std::strlen(p->name) > 0);
  for (size_t i = old_size; i < storage.size(); ++i) REQUIRE(storage[i] == 0xcd);
}

TEST_CASE("buffers are aligned host memory and can be mapped once", "[memory]") {
  Plugin plugin;
  const ahal_plugin_api_t& api = plugin.api();
  uint64_t used0 = 0, total = 0;
  REQUIRE(api.device_memory_usage(plugin.device(), &used0, &total) == AHAL_SUCCESS);
  CHECK(total == plugin.properties().global_memory_bytes);

  ahal_plugin_buffer_t* b = plugin.buffer(1000);
  uint64_t used1 = 0;
  REQUIRE(api.device_memory_usage(plugin.device(), &used1, &total) == AHAL_SUCCESS);
  CHECK(used1 == used0 + 1000);

  void* p = nullptr;
  REQUIRE(api.buffer_map(plugin.device(), b, 64, 100, &p) == AHAL_SUCCESS);
  CHECK(reinterpret_cast<uintptr_t>(p) % 64 == 0);
  void* again = nullptr;
  CHECK(api.buffer_map(plugin.device(), b, 0, 10, &again) == AHAL_ERROR_INVALID_STATE);
  CHECK(last_message().find("already mapped") != std::string::npos);
  REQUIRE(api.buffer_unmap(plugin.device(), b) == AHAL_SUCCESS);
  CHECK(api.buffer_unmap(plugin.device(), b) == AHAL_ERROR_INVALID_STATE);

  ahal_buffer_args_t huge{};
  huge.struct_size = sizeof(huge);
  huge.size = uint64_t(1) << 62;
  ahal_plugin_buffer_t* none = nullptr;
  CHECK(api.buffer_create(plugin.device(), &huge, &none) == AHAL_ERROR_OUT_OF_DEVICE_MEMORY);
  CHECK(last_message().find("do not fit") != std::string::npos);

  void* pinned = plugin.host_alloc(4096);
  CHECK(reinterpret_cast<uintptr_t>(pinned) % 64 == 0);
}

TEST_CASE("copies and fills move the right bytes", "[memory][stream]") {
  Plugin plugin;
  const ahal_plugin_api_t& api = plugin.api();
  ahal_plugin_stream_t* s = plugin.stream();
  // Small and large (split over the pool) sizes, odd lengths included.
  for (size_t size : {size_t(1), size_t(4099), size_t(3) << 20 | 7}) {
    INFO("size " << size);
    std::vector<unsigned char> src(size);
    for (size_t i = 0; i < size; ++i) src[i] = static_cast<unsigned char>(i * 7 + 3);
    ahal_plugin_buffer_t* a = plugin.buffer(size + 32);
    ahal_plugin_buffer_t* b = plugin.buffer(size + 32);
    REQUIRE(api.stream_copy_h2d(s, src.data(), a, 16, size) == AHAL_SUCCESS);
    REQUIRE(api.stream_copy_d2d(s, a, 16, b, 0, size) == AHAL_SUCCESS);
    std::vector<unsigned char> out(size);
    REQUIRE(api.stream_copy_d2h(s, b, 0, out.data(), size) == AHAL_SUCCESS);
    REQUIRE(api.stream_synchronize(s) == AHAL_SUCCESS);
    CHECK(out == src);
  }

  const size_t n = (size_t(5) << 20) + 12;
  ahal_plugin_buffer_t* f = plugin.buffer(n);
  REQUIRE(api.stream_fill(s, f, 0, n, 0x5a, 1) == AHAL_SUCCESS);
  REQUIRE(api.stream_fill(s, f, 4, n - 8, 0xbeef, 2) == AHAL_SUCCESS);
  REQUIRE(api.stream_fill(s, f, 8, n - 16, 0x01020304u, 4) == AHAL_SUCCESS);
  const auto bytes = plugin.download<unsigned char>(s, f, n);
  CHECK(bytes[0] == 0x5a);
  CHECK(bytes[n - 1] == 0x5a);
  uint16_t half = 0;
  std::memcpy(&half, &bytes[4], 2);
  CHECK(half == 0xbeef);
  std::memcpy(&half, &bytes[n - 6], 2);
  CHECK(half == 0xbeef);
  for (size_t i = 8; i < n - 8; i += 4) {
    uint32_t word = 0;
    std::memcpy(&word, &bytes[i], 4);
    if (word != 0x01020304u) FAIL("fill word at " << i << " is " << word);
  }
  CHECK(api.stream_fill(s, f, 1, 4, 0, 2) == AHAL_ERROR_INVALID_ARGUMENT);
}

TEST_CASE("modules load from memory and report clear errors", "[module]") {
  Plugin plugin;
  const ahal_plugin_api_t& api = plugin.api();
  const auto image = cpu_test::read_file(CPU_KERNELS_FILE);
  ahal_kernel_info_t info{"vector_add", 3, 4, 0};
  ahal_plugin_module_t* m = nullptr;
  REQUIRE(plugin.load_module(image, machine_arch().c_str(), &m, {info}) == AHAL_SUCCESS);
  // Two modules from the same bytes are independent.
  ahal_plugin_module_t* m2 = nullptr;
  REQUIRE(plugin.load_module(image, "", &m2) == AHAL_SUCCESS);

  ahal_plugin_kernel_t* k = plugin.kernel(m, "vector_add");
  CHECK(plugin.kernel(m, "vector_add") == k);
  CHECK(plugin.kernel(m2, "vector_add") != k);
  ahal_kernel_attributes_t attrs{};
  attrs.struct_size = sizeof(attrs);
  REQUIRE(api.kernel_get_attributes(k, &attrs) == AHAL_SUCCESS);
  CHECK(attrs.max_workgroup_size == plugin.properties().max_workgroup_size);
  CHECK(attrs.has_metadata == 1);
  CHECK(attrs.binding_count == 3);
  CHECK(attrs.constants_size == 4);
  REQUIRE(api.kernel_get_attributes(plugin.kernel(m, "saxpy"), &attrs) == AHAL_SUCCESS);
  CHECK(attrs.has_metadata == 0);

  ahal_plugin_kernel_t* none = nullptr;
  CHECK(api.kernel_get(m, "no_such_kernel", &none) == AHAL_ERROR_NOT_FOUND);
  CHECK(last_message().find("no_such_kernel") != std::string::npos);

  ahal_plugin_module_t* bad = nullptr;
  CHECK(plugin.load_module(image, "not-this-arch", &bad) == AHAL_ERROR_UNSUPPORTED);
  CHECK(last_message().find("not-this-arch") != std::string::npos);
  const std::vector<unsigned char> text = {'h', 'e', 'l', 'l', 'o'};
  CHECK(plugin.load_module(text, "", &bad) == AHAL_ERROR_INVALID_ARGUMENT);
  CHECK(last_message().find("not an ELF") != std::string::npos);
  // ELF magic but truncated: dlopen's own error must reach the message.
  const std::vector<unsigned char> truncated(image.begin(), image.begin() + 200);
  CHECK(plugin.load_module(truncated, "", &bad) == AHAL_ERROR_BUILD_FAILED);
  CHECK(last_message().find("dlopen") != std::string::npos);
  CHECK(last_message().size() > std::string("dlopen of the cpu-so image failed: ").size());
}

TEST_CASE("launches spread workgroups over workers with private shared memory", "[launch]") {
  Plugin plugin;
  ahal_plugin_stream_t* s = plugin.stream();
  ahal_plugin_module_t* m = plugin.module(CPU_TEST_KERNELS_FILE);
  const std::array<uint32_t, 3> grid = {7, 5, 3};
  const uint32_t total = 7 * 5 * 3;
  ahal_plugin_buffer_t* out = plugin.buffer(total * sizeof(Probe));
  const uint32_t constants[2] = {0xfeedu, 7};
  plugin.launch(s, plugin.kernel(m, "probe"), grid, {2, 2, 2}, {bind(out, total * sizeof(Probe))},
                constants, sizeof(constants), 4096);
  const auto probes = plugin.download<Probe>(s, out, total);
  const unsigned threads = plugin.properties().compute_units;
  uint32_t last_worker = 0;
  for (uint32_t i = 0; i < total; ++i) {
    const Probe& p = probes[i];
    INFO("workgroup " << i);
    REQUIRE(p.workgroup_id[0] + 7 * (p.workgroup_id[1] + 5 * p.workgroup_id[2]) == i);
    CHECK(p.worker_count == std::min(threads, total));
    CHECK(p.worker_index < p.worker_count);
    // Contiguous chunks: worker indexes never go down along the linear order.
    CHECK(p.worker_index >= last_worker);
    last_worker = p.worker_index;
    CHECK(p.shared_aligned == 1);
    CHECK(p.shared_size == 4096);
    CHECK(p.binding_count == 1);
    CHECK(p.constants_size == sizeof(constants));
    CHECK(p.constants_first == 0xfeedu);
  }
}

TEST_CASE("streams run in order and concurrently with each other", "[stream]") {
  Plugin plugin;
  const ahal_plugin_api_t& api = plugin.api();
  ahal_plugin_module_t* m = plugin.module(CPU_TEST_KERNELS_FILE);
  ahal_plugin_stream_t* waiter = plugin.stream();
  ahal_plugin_stream_t* setter = plugin.stream();
  ahal_plugin_buffer_t* flag = plugin.buffer(8);
  REQUIRE(api.stream_fill(waiter, flag, 0, 8, 0, 4) == AHAL_SUCCESS);
  REQUIRE(api.stream_synchronize(waiter) == AHAL_SUCCESS);
  // wait_flag blocks its stream until the other stream's set_flag runs.
  plugin.launch(waiter, plugin.kernel(m, "wait_flag"), {1, 1, 1}, {1, 1, 1}, {bind(flag, 8)});
  CHECK(api.stream_query(waiter) == AHAL_NOT_READY);
  plugin.launch(setter, plugin.kernel(m, "set_flag"), {1, 1, 1}, {1, 1, 1}, {bind(flag, 8)});
  REQUIRE(api.stream_synchronize(waiter) == AHAL_SUCCESS);
  CHECK(api.stream_query(waiter) == AHAL_SUCCESS);
  const auto words = plugin.download<uint32_t>(waiter, flag, 2);
  CHECK(words[1] == 1u);

  // Host callbacks and copies interleave in enqueue order.
  struct Log {
    std::mutex mutex;
    std::vector<int> order;
  } log;
  struct Step {
    Log* log;
    int value;
  };
  std::vector<Step> steps;
  for (int i = 0; i < 50; ++i) steps.push_back({&log, i});
  for (Step& step : steps) {
    REQUIRE(api.stream_host_callback(
                setter,
                [](void* data) {
                  auto* st = static_cast<Step*>(data);
                  std::lock_guard<std::mutex> lock(st->log->mutex);
                  st->log->order.push_back(st->value);
                },
                &step) == AHAL_SUCCESS);
  }
  REQUIRE(api.stream_synchronize(setter) == AHAL_SUCCESS);
  REQUIRE(log.order.size() == 50);
  for (int i = 0; i < 50; ++i) CHECK(log.order[i] == i);
}

TEST_CASE("events: cross-stream waits, timestamps, timeouts", "[event]") {
  Plugin plugin;
  const ahal_plugin_api_t& api = plugin.api();
  ahal_plugin_stream_t* a = plugin.stream();
  ahal_plugin_stream_t* b = plugin.stream();
  ahal_plugin_event_t* start = plugin.event(AHAL_EVENT_TIMING);
  ahal_plugin_event_t* end = plugin.event(AHAL_EVENT_TIMING);
  ahal_plugin_event_t* plain = plugin.event(0);

  CHECK(api.event_query(plain) == AHAL_SUCCESS);  // never recorded
  CHECK(api.event_wait(plain, 0) == AHAL_SUCCESS);

  std::atomic<int> gate{0};
  std::atomic<int> seen_by_b{-1};
  auto wait_gate = [](void* g) {
    while (static_cast<std::atomic<int>*>(g)->load() == 0) std::this_thread::yield();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  };
  REQUIRE(api.stream_record_event(a, start) == AHAL_SUCCESS);
  REQUIRE(api.stream_host_callback(a, wait_gate, &gate) == AHAL_SUCCESS);
  REQUIRE(api.stream_record_event(a, end) == AHAL_SUCCESS);
  REQUIRE(api.stream_wait_event(b, end) == AHAL_SUCCESS);
  struct Probe2 {
    std::atomic<int>* gate;
    std::atomic<int>* seen;
  } probe{&gate, &seen_by_b};
  REQUIRE(api.stream_host_callback(
              b,
              [](void* d) {
                auto* p = static_cast<Probe2*>(d);
                p->seen->store(p->gate->load());
              },
              &probe) == AHAL_SUCCESS);

  CHECK(api.event_query(end) == AHAL_NOT_READY);
  CHECK(api.event_wait(end, 1000000) == AHAL_ERROR_TIMEOUT);
  CHECK(last_message().find("1000000 ns") != std::string::npos);
  uint64_t ns = 0;
  CHECK(api.event_elapsed_ns(start, end, &ns) == AHAL_ERROR_INVALID_STATE);
  CHECK(api.stream_query(b) == AHAL_NOT_READY);

  gate = 1;
  REQUIRE(api.event_wait(end, UINT64_MAX) == AHAL_SUCCESS);
  REQUIRE(api.stream_synchronize(b) == AHAL_SUCCESS);
  CHECK(seen_by_b.load() == 1);  // b waited for a's event
  REQUIRE(api.event_elapsed_ns(start, end, &ns) == AHAL_SUCCESS);
  CHECK(ns >= 20000000u);
  CHECK(ns < 10000000000u);

  REQUIRE(api.stream_record_event(a, plain) == AHAL_SUCCESS);
  REQUIRE(api.stream_synchronize(a) == AHAL_SUCCESS);
  CHECK(api.event_elapsed_ns(start, plain, &ns) == AHAL_ERROR_INVALID_STATE);
  CHECK(last_message().find("AHAL_EVENT_TIMING") != std::string::npos);
}

TEST_CASE("a destroyed event does not break commands still queued", "[event]") {
  Plugin plugin;
  const ahal_plugin_api_t& api = plugin.api();
  ahal_plugin_stream_t* a = plugin.stream();
  ahal_plugin_stream_t* b = plugin.stream();
  ahal_plugin_event_t* e = nullptr;
  REQUIRE(api.event_create(plugin.device(), 0, &e) == AHAL_SUCCESS);
  std::atomic<int> gate{0};
  REQUIRE(api.stream_host_callback(
              a,
              [](void* g) {
                while (static_cast<std::atomic<int>*>(g)->load() == 0) std::this_thread::yield();
              },
              &gate) == AHAL_SUCCESS);
  REQUIRE(api.stream_record_event(a, e) == AHAL_SUCCESS);
  REQUIRE(api.stream_wait_event(b, e) == AHAL_SUCCESS);
  api.event_destroy(e);
  gate = 1;
  REQUIRE(api.stream_synchronize(b) == AHAL_SUCCESS);
  REQUIRE(api.stream_synchronize(a) == AHAL_SUCCESS);
}

TEST_CASE("many threads may enqueue to and synchronize one stream at once", "[stream]") {
  Plugin plugin;
  const ahal_plugin_api_t& api = plugin.api();
  ahal_plugin_stream_t* s = plugin.stream();
  ahal_plugin_module_t* m = plugin.module(CPU_KERNELS_FILE);
  ahal_plugin_kernel_t* k = plugin.kernel(m, "atomic_count");
  ahal_plugin_buffer_t* counter = plugin.buffer(8);
  REQUIRE(api.stream_fill(s, counter, 0, 8, 0, 4) == AHAL_SUCCESS);
  const ahal_plugin_binding_t binding = bind(counter, 8);
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      ahal_plugin_launch_t l{};
      l.struct_size = sizeof(l);
      l.grid[0] = 3, l.grid[1] = l.grid[2] = 1;
      l.workgroup_size[0] = 4, l.workgroup_size[1] = l.workgroup_size[2] = 1;
      l.binding_count = 1;
      l.bindings = &binding;
      for (int i = 0; i < 500; ++i) {
        if (api.stream_launch(s, k, &l) != AHAL_SUCCESS) ++failures;
        // Synchronizing threads run queued commands themselves at times.
        if (i % 50 == 49 && api.stream_synchronize(s) != AHAL_SUCCESS) ++failures;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  CHECK(failures.load() == 0);
  const auto words = plugin.download<uint32_t>(s, counter, 2);
  CHECK(words[0] == 4u * 500u * 12u);
  CHECK(words[1] == 4u * 500u * (11u * 12u / 2u));
}
