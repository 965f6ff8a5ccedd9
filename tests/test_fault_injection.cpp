// Fault injection (AHAL_FAULT_INJECT, docs/reliability.md): a workload that
// touches every kind of object runs while plugin calls fail at random
// (early, late, device lost). Every failure must come back as a status with
// a message naming the function and the injected fault, nothing may leak
// (ASan's leak check in CI), and once the fault budget is spent the same
// device must work again with correct data.
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "test_support.hpp"

namespace {

struct EnvVar {
  std::string name;
  EnvVar(const char* n, const std::string& value) : name(n) { setenv(n, value.c_str(), 1); }
  ~EnvVar() { unsetenv(name.c_str()); }
};

// Calls that may fail under injection: a failure must carry the injected
// fault's message; a success is used as usual.
struct Faults {
  std::map<std::string, int> kinds;
  int failures = 0;
  bool ok(ahal_status_t status, const char* function) {
    if (status == AHAL_SUCCESS) return true;
    const std::string message = ahal_last_error_message();
    INFO(function << " -> " << ahal_status_string(status) << ": " << message);
    CHECK(message.rfind(std::string(function) + ": ", 0) == 0);
    CHECK(message.find("injected fault") != std::string::npos);
    for (const char* kind : {"before the plugin ran", "after the plugin ran", "device lost"})
      if (message.find(kind) != std::string::npos) ++kinds[kind];
    ++failures;
    return false;
  }
};

// One round of every kind of call; frees what it made whatever failed.
void round(ahal_device_t d, Faults& f, uint32_t seed) {
  const uint64_t bytes = 4096;
  std::vector<uint32_t> data(bytes / 4, seed), back(bytes / 4);
  ahal_buffer_args_t args = {sizeof(args), bytes, AHAL_MEMORY_HOST_VISIBLE};
  ahal_buffer_t b = nullptr, b2 = nullptr;
  ahal_stream_t s = nullptr;
  ahal_event_t e = nullptr;
  ahal_module_t m = nullptr;
  ahal_host_alloc_t h = nullptr;
  if (f.ok(ahal_buffer_create(d, &args, &b), "ahal_buffer_create") &&
      f.ok(ahal_buffer_create(d, &args, &b2), "ahal_buffer_create") &&
      f.ok(ahal_stream_create(d, nullptr, &s), "ahal_stream_create")) {
    const uint32_t pattern = seed;
    f.ok(ahal_stream_copy_h2d(s, data.data(), b, 0, bytes), "ahal_stream_copy_h2d");
    f.ok(ahal_stream_fill(s, b2, 0, bytes, &pattern, 4), "ahal_stream_fill");
    f.ok(ahal_stream_copy_d2d(s, b, 0, b2, 0, bytes), "ahal_stream_copy_d2d");
    f.ok(ahal_stream_copy_d2h(s, b2, 0, back.data(), bytes), "ahal_stream_copy_d2h");
    if (f.ok(ahal_event_create(d, AHAL_EVENT_TIMING, &e), "ahal_event_create")) {
      f.ok(ahal_stream_record_event(s, e), "ahal_stream_record_event");
      f.ok(ahal_stream_wait_event(s, e), "ahal_stream_wait_event");
      f.ok(ahal_event_wait(e, UINT64_MAX), "ahal_event_wait");
      f.ok(ahal_event_query(e), "ahal_event_query");
    }
    if (f.ok(test::make_program(d, "kernel k write_index\n", &m), "ahal_module_create")) {
      ahal_kernel_t k = nullptr;
      if (f.ok(ahal_kernel_get(m, "k", &k), "ahal_kernel_get")) {
        ahal_binding_t binding = {b, 0, 0};
        ahal_launch_args_t la = {};
        la.struct_size = sizeof(la);
        la.grid[0] = 16;
        la.grid[1] = la.grid[2] = 1;
        la.workgroup_size[0] = 64;
        la.workgroup_size[1] = la.workgroup_size[2] = 1;
        la.binding_count = 1;
        la.bindings = &binding;
        la.constants = &seed;
        la.constants_size = 4;
        f.ok(ahal_stream_launch(s, k, &la), "ahal_stream_launch");
      }
    }
    f.ok(ahal_stream_synchronize(s), "ahal_stream_synchronize");
    f.ok(ahal_stream_query(s), "ahal_stream_query");
    void* p = nullptr;
    if (f.ok(ahal_buffer_map(b, 0, bytes, &p), "ahal_buffer_map"))
      f.ok(ahal_buffer_unmap(b), "ahal_buffer_unmap");
    if (f.ok(ahal_host_alloc(d, bytes, 0, &h), "ahal_host_alloc"))
      f.ok(ahal_stream_copy_d2h(
               s, b, 0,
               [&] {
                 void* q = nullptr;
                 ahal_host_alloc_pointer(h, &q);
                 return q;
               }(),
               bytes),
           "ahal_stream_copy_d2h");
    uint64_t used = 0, total = 0;
    f.ok(ahal_device_memory_usage(d, &used, &total), "ahal_device_memory_usage");
  }
  // Destroys always succeed: they free whatever exists.
  if (h) REQUIRE_OK(ahal_host_free(h));
  if (m) REQUIRE_OK(ahal_module_destroy(m));
  if (e) REQUIRE_OK(ahal_event_destroy(e));
  if (s) REQUIRE_OK(ahal_stream_destroy(s));
  if (b2) REQUIRE_OK(ahal_buffer_destroy(b2));
  if (b) REQUIRE_OK(ahal_buffer_destroy(b));
}

// With no faults left: the device gives back what it was given.
void check_usable(ahal_device_t d) {
  const uint64_t bytes = 1 << 16;
  std::vector<uint8_t> data(bytes), back(bytes, 0);
  for (size_t i = 0; i < bytes; ++i) data[i] = uint8_t(i * 31 + 7);
  ahal_buffer_t b = test::make_buffer(d, bytes);
  ahal_stream_t s = test::make_stream(d);
  REQUIRE_OK(ahal_stream_copy_h2d(s, data.data(), b, 0, bytes));
  REQUIRE_OK(ahal_stream_copy_d2h(s, b, 0, back.data(), bytes));
  REQUIRE_OK(ahal_stream_synchronize(s));
  CHECK(back == data);
  REQUIRE_OK(ahal_stream_destroy(s));
  REQUIRE_OK(ahal_buffer_destroy(b));
}

}  // namespace

TEST_CASE("injected faults are reported, leak nothing and leave the device usable") {
  const int max_faults = 60;
  EnvVar inject("AHAL_FAULT_INJECT", "20261205:0.2:max=" + std::to_string(max_faults));
  test::Runtime rt(test::plugin_dir("good"), "hostmem_next");
  ahal_device_t d = rt.device("hostmem_next:0");
  Faults f;
  for (uint32_t i = 0; i < 200 && f.failures < max_faults; ++i) round(d, f, i);
  CHECK(f.failures == max_faults);
  CHECK(f.kinds["before the plugin ran"] > 0);
  CHECK(f.kinds["after the plugin ran"] > 0);
  CHECK(f.kinds["device lost"] > 0);
  check_usable(d);
  Faults none;
  round(d, none, 99);
  CHECK(none.failures == 0);
}

TEST_CASE("fault injection chooses calls by prefix and skips the first ones") {
  EnvVar inject("AHAL_FAULT_INJECT", "1:1:kinds=early:only=ahal_stream_fill:after=2");
  test::Runtime rt(test::plugin_dir("good"), "hostmem_next");
  ahal_device_t d = rt.device("hostmem_next:0");
  ahal_buffer_t b = test::make_buffer(d, 64);
  ahal_stream_t s = test::make_stream(d);
  const uint8_t pattern = 1;
  REQUIRE_OK(ahal_stream_fill(s, b, 0, 64, &pattern, 1));
  REQUIRE_OK(ahal_stream_fill(s, b, 0, 64, &pattern, 1));
  CHECK_FAILS(ahal_stream_fill(s, b, 0, 64, &pattern, 1), AHAL_ERROR_PLUGIN, "ahal_stream_fill",
              "hostmem_next: injected fault #1 (AHAL_FAULT_INJECT): failed before the plugin ran");
  REQUIRE_OK(ahal_stream_synchronize(s));  // other calls are not chosen
  REQUIRE_OK(ahal_stream_destroy(s));
  REQUIRE_OK(ahal_buffer_destroy(b));
}

TEST_CASE("a malformed AHAL_FAULT_INJECT injects nothing") {
  for (const char* bad : {"", "1", "x:0.5", "1:2", "1:0.5:kinds=odd", "1:0.5:what=1",
                          "1:0.5:max=-1", "99999999999999999999999:0.5"}) {
    INFO(bad);
    EnvVar inject("AHAL_FAULT_INJECT", bad);
    test::Runtime rt(test::plugin_dir("good"), "hostmem_next");
    Faults f;
    round(rt.device("hostmem_next:0"), f, 1);
    CHECK(f.failures == 0);
  }
}
