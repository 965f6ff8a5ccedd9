// Every plugin ABI entry, made to misbehave one at a time by the generated
// "fault" plugin (tests/plugins/generated/fault_plugin.cpp, forwarding to
// hostmem_next): throwing, returning a value that is no ahal_status_t,
// returning AHAL_NOT_READY where the entry may not, and missing from the
// table. The application always gets a status and a message, never an
// exception or a crash, and the loader refuses a plugin that lacks a
// required entry. The list of entries comes from plugin.h (spec/ahal.toml),
// so a new entry fails this test until it has a scenario: written here, or
// generated from the spec where its function says fault_scenario = "auto".
#include <ahal/plugin.h>

#include <cstdlib>
#include <functional>
#include <map>
#include <set>
#include <string>

#include "bundle_format.hpp"
#include "test_support.hpp"

namespace {

struct Env {
  Env(const std::string& entry, const std::string& kind) {
    setenv("AHAL_TEST_FAULT_TARGET",
           (test::plugin_dir("good") + "/libahal_plugin_hostmem_next.so").c_str(), 1);
    setenv("AHAL_TEST_FAULT_ENTRY", entry.c_str(), 1);
    setenv("AHAL_TEST_FAULT_KIND", kind.c_str(), 1);
  }
  ~Env() {
    unsetenv("AHAL_TEST_FAULT_ENTRY");
    unsetenv("AHAL_TEST_FAULT_KIND");
  }
};

// What a scenario leaves to check: the status of the API call that reached
// the entry, and that call's name.
struct Outcome {
  ahal_status_t status;
  const char* function;
};

// A device of the fault plugin with the objects the scenarios use.
struct Fixture {
  ahal_device_t d = nullptr;
  ahal_device_t peer = nullptr;  // fault:1
  ahal_buffer_t buffer(uint32_t flags = 0) { return test::make_buffer(d, 256, flags); }
  ahal_stream_t stream() { return test::make_stream(d); }
  ahal_event_t event(uint32_t flags = 0) {
    ahal_event_t e = nullptr;
    REQUIRE_OK(ahal_event_create(d, flags, &e));
    return e;
  }
  ahal_kernel_t kernel() {
    ahal_module_t m = nullptr;
    REQUIRE_OK(test::make_program(d, "kernel k write_index\n", &m, {{"k", 1, 4, 0}}));
    ahal_kernel_t k = nullptr;
    REQUIRE_OK(ahal_kernel_get(m, "k", &k));
    return k;
  }
};

using Scenario = std::function<Outcome(Fixture&)>;

ahal_launch_args_t launch_of(const ahal_binding_t* binding, const uint32_t* constant) {
  ahal_launch_args_t l = {};
  l.struct_size = sizeof(l);
  l.grid[0] = l.grid[1] = l.grid[2] = 1;
  l.workgroup_size[0] = 4;
  l.workgroup_size[1] = l.workgroup_size[2] = 1;
  l.binding_count = 1;
  l.bindings = binding;
  l.constants = constant;
  l.constants_size = 4;
  return l;
}

// Entries reached while the runtime loads the plugin: their failure shows
// in the plugin's state and reason.
const std::set<std::string> kAtLoad = {"plugin_init", "device_count", "device_open",
                                       "device_get_properties"};
// Void entries (destroy, close): a failure is logged, the call succeeds.
const std::set<std::string> kVoid = {"plugin_shutdown", "device_close",          "buffer_destroy",
                                     "host_free",       "stream_destroy",        "event_destroy",
                                     "module_destroy",  "command_buffer_destroy"};
// Entries whose failure the loader reports through another message (the
// bundle's image is then "not taken").
const std::set<std::string> kIndirect = {"image_score"};
// Optional entries the loader does without when they are missing: its own
// choice of image, its own replay of command buffers.
const std::set<std::string> kNullFallsBack = {
    "image_score",           "command_buffer_create",  "command_buffer_destroy",
    "command_buffer_submit", "command_buffer_update",  "device_peer_flags",
    "stream_copy_peer",      "stream_wait_event_peer", "ccl_query"};

std::map<std::string, Scenario> scenarios() {
  std::map<std::string, Scenario> s;
  auto runtime_end = [](Fixture&) { return Outcome{AHAL_SUCCESS, "ahal_runtime_destroy"}; };
  s["plugin_shutdown"] = runtime_end;
  s["device_close"] = runtime_end;
  s["buffer_create"] = [](Fixture& f) {
    ahal_buffer_args_t a = {sizeof(a), 64, 0};
    ahal_buffer_t b = nullptr;
    return Outcome{ahal_buffer_create(f.d, &a, &b), "ahal_buffer_create"};
  };
  s["buffer_destroy"] = [](Fixture& f) {
    return Outcome{ahal_buffer_destroy(f.buffer()), "ahal_buffer_destroy"};
  };
  s["buffer_map"] = [](Fixture& f) {
    void* p = nullptr;
    return Outcome{ahal_buffer_map(f.buffer(AHAL_MEMORY_HOST_VISIBLE), 0, 16, &p),
                   "ahal_buffer_map"};
  };
  s["buffer_unmap"] = [](Fixture& f) {
    ahal_buffer_t b = f.buffer(AHAL_MEMORY_HOST_VISIBLE);
    void* p = nullptr;
    REQUIRE_OK(ahal_buffer_map(b, 0, 16, &p));
    return Outcome{ahal_buffer_unmap(b), "ahal_buffer_unmap"};
  };
  s["host_alloc"] = [](Fixture& f) {
    ahal_host_alloc_t a = nullptr;
    return Outcome{ahal_host_alloc(f.d, 64, 0, &a), "ahal_host_alloc"};
  };
  s["host_free"] = [](Fixture& f) {
    ahal_host_alloc_t a = nullptr;
    REQUIRE_OK(ahal_host_alloc(f.d, 64, 0, &a));
    return Outcome{ahal_host_free(a), "ahal_host_free"};
  };
  s["stream_create"] = [](Fixture& f) {
    ahal_stream_t st = nullptr;
    return Outcome{ahal_stream_create(f.d, nullptr, &st), "ahal_stream_create"};
  };
  s["stream_destroy"] = [](Fixture& f) {
    return Outcome{ahal_stream_destroy(f.stream()), "ahal_stream_destroy"};
  };
  s["stream_copy_h2d"] = [](Fixture& f) {
    static char host[16];
    return Outcome{ahal_stream_copy_h2d(f.stream(), host, f.buffer(), 0, 16),
                   "ahal_stream_copy_h2d"};
  };
  s["stream_copy_d2h"] = [](Fixture& f) {
    static char host[16];
    return Outcome{ahal_stream_copy_d2h(f.stream(), f.buffer(), 0, host, 16),
                   "ahal_stream_copy_d2h"};
  };
  s["stream_copy_d2d"] = [](Fixture& f) {
    return Outcome{ahal_stream_copy_d2d(f.stream(), f.buffer(), 0, f.buffer(), 0, 16),
                   "ahal_stream_copy_d2d"};
  };
  s["stream_fill"] = [](Fixture& f) {
    const uint32_t pattern = 7;
    return Outcome{ahal_stream_fill(f.stream(), f.buffer(), 0, 16, &pattern, 4),
                   "ahal_stream_fill"};
  };
  s["stream_launch"] = [](Fixture& f) {
    ahal_binding_t bind = {f.buffer(), 0, 0};
    const uint32_t base = 0;
    const ahal_launch_args_t l = launch_of(&bind, &base);
    return Outcome{ahal_stream_launch(f.stream(), f.kernel(), &l), "ahal_stream_launch"};
  };
  s["stream_host_callback"] = [](Fixture& f) {
    return Outcome{ahal_stream_host_callback(
                       f.stream(), [](void*) {}, nullptr),
                   "ahal_stream_host_callback"};
  };
  s["stream_record_event"] = [](Fixture& f) {
    return Outcome{ahal_stream_record_event(f.stream(), f.event()), "ahal_stream_record_event"};
  };
  s["stream_wait_event"] = [](Fixture& f) {
    ahal_stream_t st = f.stream();
    ahal_event_t e = f.event();
    REQUIRE_OK(ahal_stream_record_event(st, e));
    return Outcome{ahal_stream_wait_event(f.stream(), e), "ahal_stream_wait_event"};
  };
  s["stream_synchronize"] = [](Fixture& f) {
    return Outcome{ahal_stream_synchronize(f.stream()), "ahal_stream_synchronize"};
  };
  s["stream_query"] = [](Fixture& f) {
    return Outcome{ahal_stream_query(f.stream()), "ahal_stream_query"};
  };
  s["event_create"] = [](Fixture& f) {
    ahal_event_t e = nullptr;
    return Outcome{ahal_event_create(f.d, 0, &e), "ahal_event_create"};
  };
  s["event_destroy"] = [](Fixture& f) {
    return Outcome{ahal_event_destroy(f.event()), "ahal_event_destroy"};
  };
  s["event_query"] = [](Fixture& f) {
    ahal_event_t e = f.event();
    REQUIRE_OK(ahal_stream_record_event(f.stream(), e));
    return Outcome{ahal_event_query(e), "ahal_event_query"};
  };
  s["event_wait"] = [](Fixture& f) {
    ahal_event_t e = f.event();
    REQUIRE_OK(ahal_stream_record_event(f.stream(), e));
    return Outcome{ahal_event_wait(e, UINT64_MAX), "ahal_event_wait"};
  };
  s["event_elapsed_ns"] = [](Fixture& f) {
    ahal_stream_t st = f.stream();
    ahal_event_t a = f.event(AHAL_EVENT_TIMING), b = f.event(AHAL_EVENT_TIMING);
    REQUIRE_OK(ahal_stream_record_event(st, a));
    REQUIRE_OK(ahal_stream_record_event(st, b));
    REQUIRE_OK(ahal_stream_synchronize(st));
    uint64_t ns = 0;
    return Outcome{ahal_event_elapsed_ns(a, b, &ns), "ahal_event_elapsed_ns"};
  };
  s["module_create"] = [](Fixture& f) {
    ahal_module_t m = nullptr;
    return Outcome{test::make_program(f.d, "kernel k write_index\n", &m), "ahal_module_create"};
  };
  s["module_destroy"] = [](Fixture& f) {
    ahal_module_t m = nullptr;
    REQUIRE_OK(test::make_program(f.d, "kernel k write_index\n", &m));
    return Outcome{ahal_module_destroy(m), "ahal_module_destroy"};
  };
  s["kernel_get"] = [](Fixture& f) {
    ahal_module_t m = nullptr;
    REQUIRE_OK(test::make_program(f.d, "kernel k write_index\n", &m));
    ahal_kernel_t k = nullptr;
    return Outcome{ahal_kernel_get(m, "k", &k), "ahal_kernel_get"};
  };
  s["kernel_get_attributes"] = s["kernel_get"];
  s["kernel_get_builtin"] = [](Fixture& f) {
    ahal_kernel_t k = nullptr;
    return Outcome{ahal_kernel_get_builtin(f.d, "hostmem.add_u32", &k), "ahal_kernel_get_builtin"};
  };
  s["image_score"] = [](Fixture& f) {
    ahal::bundle::Bundle b;
    b.kernels = {{"k", 1, 4, 0}};
    ahal::bundle::Image img;
    img.format = AHAL_MODULE_FORMAT_OPENCL_C;
    const std::string text = "kernel k write_index\n";
    img.data.assign(text.begin(), text.end());
    b.images.push_back(img);
    const std::vector<uint8_t> bytes = ahal::bundle::serialize(b);
    ahal_module_args_t a = {};
    a.struct_size = sizeof(a);
    a.format = AHAL_MODULE_FORMAT_BUNDLE;
    a.data = bytes.data();
    a.data_size = bytes.size();
    ahal_module_t m = nullptr;
    return Outcome{ahal_module_create(f.d, &a, &m), "ahal_module_create"};
  };
  // Command buffers: finalize makes the native one, submit and update use it.
  auto cb_with_launch = [](Fixture& f, ahal_command_buffer_t* cb, uint32_t* index) {
    REQUIRE_OK(ahal_command_buffer_create(f.d, 0, cb));
    static ahal_binding_t bind;
    bind = {f.buffer(), 0, 0};
    static const uint32_t base = 0;
    const ahal_launch_args_t l = launch_of(&bind, &base);
    REQUIRE_OK(ahal_command_buffer_launch(*cb, f.kernel(), &l, index));
  };
  s["command_buffer_create"] = [=](Fixture& f) {
    ahal_command_buffer_t cb = nullptr;
    uint32_t index = 0;
    cb_with_launch(f, &cb, &index);
    return Outcome{ahal_command_buffer_finalize(cb), "ahal_command_buffer_finalize"};
  };
  s["command_buffer_destroy"] = [=](Fixture& f) {
    ahal_command_buffer_t cb = nullptr;
    uint32_t index = 0;
    cb_with_launch(f, &cb, &index);
    REQUIRE_OK(ahal_command_buffer_finalize(cb));
    return Outcome{ahal_command_buffer_destroy(cb), "ahal_command_buffer_destroy"};
  };
  s["command_buffer_submit"] = [=](Fixture& f) {
    ahal_command_buffer_t cb = nullptr;
    uint32_t index = 0;
    cb_with_launch(f, &cb, &index);
    REQUIRE_OK(ahal_command_buffer_finalize(cb));
    return Outcome{ahal_stream_submit(f.stream(), cb), "ahal_stream_submit"};
  };
  s["command_buffer_update"] = [=](Fixture& f) {
    ahal_command_buffer_t cb = nullptr;
    uint32_t index = 0;
    cb_with_launch(f, &cb, &index);
    REQUIRE_OK(ahal_command_buffer_finalize(cb));
    ahal_launch_update_t u = {};
    u.struct_size = sizeof(u);
    const uint32_t other = 5;
    u.constants = &other;
    u.constants_size = 4;
    return Outcome{ahal_command_buffer_update_launch(cb, index, &u),
                   "ahal_command_buffer_update_launch"};
  };
  s["device_memory_usage"] = [](Fixture& f) {
    uint64_t used = 0, total = 0;
    return Outcome{ahal_device_memory_usage(f.d, &used, &total), "ahal_device_memory_usage"};
  };
  // Native-handle interop (ABI 1.3).
  s["buffer_get_native"] = [](Fixture& f) {
    ahal_native_buffer_t n = {};
    n.struct_size = sizeof(n);
    return Outcome{ahal_buffer_get_native(f.buffer(), &n), "ahal_buffer_get_native"};
  };
  s["buffer_import_native"] = [](Fixture& f) {
    alignas(64) static unsigned char memory[256];
    ahal_native_buffer_t n = {};
    n.struct_size = sizeof(n);
    n.kind = AHAL_NATIVE_HANDLE_HOST_POINTER;
    n.handle = reinterpret_cast<uintptr_t>(memory);
    n.size = sizeof(memory);
    ahal_buffer_t b = nullptr;
    return Outcome{ahal_buffer_import_native(f.d, &n, &b), "ahal_buffer_import_native"};
  };
  // ABI 1.4: without the peer entries the loader stages; without ccl_query
  // it makes an MPI communicator id.
  s["device_peer_flags"] = [](Fixture& f) {
    uint32_t flags = 0;
    return Outcome{ahal_device_peer_flags(f.d, f.peer, &flags), "ahal_device_peer_flags"};
  };
  s["stream_copy_peer"] = [](Fixture& f) {
    ahal_buffer_t src = f.buffer(), dst = test::make_buffer(f.peer, 256);
    return Outcome{ahal_stream_copy_peer(f.stream(), src, 0, dst, 0, 64), "ahal_stream_copy_peer"};
  };
  s["stream_wait_event_peer"] = [](Fixture& f) {
    ahal_event_t e = f.event();
    REQUIRE_OK(ahal_stream_record_event(f.stream(), e));
    return Outcome{ahal_stream_wait_event(test::make_stream(f.peer), e), "ahal_stream_wait_event"};
  };
  s["ccl_query"] = [](Fixture& f) {
    ahal_ccl_unique_id_t id;
    return Outcome{ahal_ccl_get_unique_id(f.d, &id), "ahal_ccl_get_unique_id"};
  };
  // Functions whose spec says fault_scenario = "auto" (spec/ahal.toml).
#include "generated/fault_scenarios.inc"
  return s;
}

std::vector<std::pair<std::string, std::string>> entries() {
  std::vector<std::pair<std::string, std::string>> out;
#define AHAL_TEST_ENTRY(need, name) out.emplace_back(#name, need);
  AHAL_PLUGIN_REQUIRED_ENTRIES(AHAL_TEST_ENTRY, "required")
  AHAL_PLUGIN_MODULE_ENTRIES(AHAL_TEST_ENTRY, "module")
  AHAL_PLUGIN_OPTIONAL_ENTRIES(AHAL_TEST_ENTRY, "optional")
#undef AHAL_TEST_ENTRY
  return out;
}

ahal_runtime_t fault_runtime() {
  ahal_runtime_options_t o = {};
  o.struct_size = sizeof(o);
  o.flags = AHAL_RUNTIME_NO_DEFAULT_PATHS | AHAL_RUNTIME_IGNORE_ENVIRONMENT;
  const std::string path = test::plugin_dir("fault");
  o.plugin_path = path.c_str();
  ahal_runtime_t rt = nullptr;
  REQUIRE_OK(ahal_runtime_create(&o, &rt));
  return rt;
}

ahal_plugin_info_t fault_info(ahal_runtime_t rt) {
  ahal_plugin_info_t info = {};
  info.struct_size = sizeof(info);
  REQUIRE_OK(ahal_runtime_plugin_info(rt, 0, &info));
  return info;
}

// Runs `entry`'s scenario with the fault `kind` and checks the outcome.
void run(const std::string& entry, const std::string& need, const std::string& kind) {
  INFO("entry " << entry << " (" << need << "), fault " << kind);
  const Env env(entry, kind);
  ahal_runtime_t rt = fault_runtime();
  const ahal_plugin_info_t info = fault_info(rt);
  const bool not_ready = kind == "status:1";
  const bool query =
      entry == "stream_query" || entry == "event_query" || entry == "event_elapsed_ns";
  if (kind == "null" && need != "optional") {
    // A plugin without a required (or half its module) entries is refused.
    CHECK(info.state == AHAL_PLUGIN_STATE_REFUSED);
    CHECK(std::string(info.reason).find(entry) != std::string::npos);
    REQUIRE_OK(ahal_runtime_destroy(rt));
    return;
  }
  if (kAtLoad.count(entry)) {
    INFO("reason: " << info.reason);
    CHECK(info.device_count == 0);
    CHECK(std::string(info.reason).size() > 0);
    if (entry == "plugin_init") CHECK(info.state == AHAL_PLUGIN_STATE_REFUSED);
    REQUIRE_OK(ahal_runtime_destroy(rt));
    return;
  }
  REQUIRE(info.state == AHAL_PLUGIN_STATE_LOADED);
  Fixture f;
  REQUIRE_OK(ahal_device_find(rt, "fault:0", &f.d));
  REQUIRE_OK(ahal_device_find(rt, "fault:1", &f.peer));
  const Outcome o = scenarios().at(entry)(f);
  const std::string message = ahal_last_error_message();
  INFO(o.function << " -> " << ahal_status_string(o.status) << ": " << message);
  if (kVoid.count(entry)) {
    CHECK(o.status == AHAL_SUCCESS);
  } else if (kind == "null" && kNullFallsBack.count(entry)) {
    CHECK(o.status == AHAL_SUCCESS);
  } else if (kind == "null") {
    CHECK(o.status == AHAL_ERROR_UNSUPPORTED);
    CHECK(message.find("does not implement " + entry) != std::string::npos);
  } else if (not_ready && query) {
    CHECK(o.status == AHAL_NOT_READY);
  } else {
    CHECK(o.status != AHAL_SUCCESS);
    CHECK(message.rfind(std::string(o.function) + ": ", 0) == 0);
    if (!kIndirect.count(entry)) {
      CHECK(o.status == AHAL_ERROR_PLUGIN);
      const char* expected = kind == "throw"          ? "fault injected in "
                             : kind == "status:12345" ? "which is not an ahal_status_t"
                                                      : "which it may not return";
      CHECK(message.find(expected) != std::string::npos);
    }
  }
  REQUIRE_OK(ahal_runtime_destroy(rt));
}

}  // namespace

TEST_CASE("every plugin entry has a fault scenario", "[faults]") {
  const auto s = scenarios();
  for (const auto& [name, need] : entries()) {
    INFO(name);
    CHECK((s.count(name) || kAtLoad.count(name)));
  }
}

TEST_CASE("a throwing plugin entry becomes AHAL_ERROR_PLUGIN with a message", "[faults]") {
  for (const auto& [name, need] : entries()) run(name, need, "throw");
}

TEST_CASE("a status outside ahal_status_t becomes AHAL_ERROR_PLUGIN", "[faults]") {
  for (const auto& [name, need] : entries())
    if (!kVoid.count(name)) run(name, need, "status:12345");
}

TEST_CASE("AHAL_NOT_READY passes only where the entry may return it", "[faults]") {
  for (const auto& [name, need] : entries())
    if (!kVoid.count(name)) run(name, need, "status:1");
}

TEST_CASE("an entry missing from the table: refused if required, UNSUPPORTED if optional",
          "[faults]") {
  for (const auto& [name, need] : entries()) run(name, need, "null");
}
