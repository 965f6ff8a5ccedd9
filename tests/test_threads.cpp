// Concurrent use from several threads: object churn, enqueues to shared and
// separate streams, and errors staying on their own thread.
#include <atomic>
#include <thread>

#include "test_support.hpp"

namespace {
constexpr int kThreads = 8;
}

TEST_CASE("threads create and destroy objects at once") {
  test::Runtime rt(test::plugin_dir("good"), "hostmem_next");
  ahal_device_t d = rt.device("hostmem_next:0");
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 300; ++i) {
        ahal_buffer_args_t a = {sizeof(ahal_buffer_args_t), uint64_t(64 + t), 0};
        ahal_buffer_t b = nullptr;
        ahal_stream_t s = nullptr;
        ahal_event_t e = nullptr;
        if (ahal_buffer_create(d, &a, &b) || ahal_stream_create(d, nullptr, &s) ||
            ahal_event_create(d, 0, &e)) {
          ++failures;
          continue;
        }
        uint64_t size = 0;
        if (ahal_buffer_size(b, &size) || size != uint64_t(64 + t)) ++failures;
        if (ahal_stream_record_event(s, e) || ahal_event_wait(e, UINT64_MAX)) ++failures;
        if (ahal_event_destroy(e) || ahal_stream_destroy(s) || ahal_buffer_destroy(b)) ++failures;
        // Destroyed by this thread: refused, whatever the others do.
        if (ahal_buffer_size(b, &size) != AHAL_ERROR_INVALID_HANDLE) ++failures;
        if (i % 50 == 0 && ahal_device_synchronize(d)) ++failures;
      }
    });
  for (auto& th : threads) th.join();
  CHECK(failures == 0);
}

TEST_CASE("threads enqueue on a shared stream and on their own streams") {
  test::Runtime rt(test::plugin_dir("good"), "hostmem_next");
  ahal_device_t d = rt.device("hostmem_next:0");
  ahal_module_t m = nullptr;
  REQUIRE_OK(test::make_program(d, "kernel index write_index\n", &m, {{"index", 1, 4, 0}}));
  ahal_kernel_t k = nullptr;
  REQUIRE_OK(ahal_kernel_get(m, "index", &k));
  ahal_stream_t shared = test::make_stream(d);
  constexpr uint32_t kWords = 256;
  std::vector<ahal_buffer_t> buffers;
  for (int t = 0; t < kThreads; ++t) buffers.push_back(test::make_buffer(d, kWords * 4));

  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      ahal_stream_t own = nullptr;
      if (ahal_stream_create(d, nullptr, &own)) {
        ++failures;
        return;
      }
      for (int i = 0; i < 200; ++i) {
        ahal_stream_t s = (i % 2) ? own : shared;
        const uint32_t base = uint32_t(t * 100000 + i);
        ahal_binding_t bind = {buffers[t], 0, 0};
        ahal_launch_args_t l = {};
        l.struct_size = sizeof(l);
        l.grid[0] = 4;
        l.grid[1] = l.grid[2] = 1;
        l.workgroup_size[0] = 64;
        l.workgroup_size[1] = l.workgroup_size[2] = 1;
        l.binding_count = 1;
        l.bindings = &bind;
        l.constants = &base;
        l.constants_size = 4;
        uint32_t out[kWords];
        if (ahal_stream_launch(s, k, &l) ||
            ahal_stream_copy_d2h(s, buffers[t], 0, out, sizeof(out)) ||
            ahal_stream_synchronize(s)) {
          ++failures;
          continue;
        }
        for (uint32_t j = 0; j < kWords; ++j)
          if (out[j] != base + j) {
            ++failures;
            break;
          }
        // A refused launch on this thread leaves its own message.
        l.grid[0] = 0;
        if (ahal_stream_launch(s, k, &l) != AHAL_ERROR_OUT_OF_RANGE ||
            std::string(ahal_last_error_message()) != "ahal_stream_launch: grid[0] is 0")
          ++failures;
      }
      if (ahal_stream_destroy(own)) ++failures;
    });
  for (auto& th : threads) th.join();
  CHECK(failures == 0);
  for (ahal_buffer_t b : buffers) REQUIRE_OK(ahal_buffer_destroy(b));
  REQUIRE_OK(ahal_stream_destroy(shared));
  REQUIRE_OK(ahal_module_destroy(m));
}

TEST_CASE("several runtimes at once on several threads") {
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 10; ++i) {
        ahal_runtime_options_t o = {};
        o.struct_size = sizeof(o);
        o.flags = AHAL_RUNTIME_NO_DEFAULT_PATHS | AHAL_RUNTIME_IGNORE_ENVIRONMENT;
        const std::string path = test::plugin_dir("good");
        o.plugin_path = path.c_str();
        ahal_runtime_t rt = nullptr;
        uint32_t n = 0;
        if (ahal_runtime_create(&o, &rt) || ahal_runtime_device_count(rt, &n) || n != 4) ++failures;
        if (rt && ahal_runtime_destroy(rt)) ++failures;
      }
    });
  for (auto& th : threads) th.join();
  CHECK(failures == 0);
}
