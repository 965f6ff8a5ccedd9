// Plugin discovery and loading: search order, selection, refusals, probing,
// and plugins built against older (1.0) and newer (next minor, tests/abi/next) ABI headers.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>

#include <ahal/plugin.h>

#include "test_support.hpp"

namespace fs = std::filesystem;

namespace {

// A fresh folder under the system temp dir, removed afterwards.
struct TempDir {
  fs::path path;
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "ahal-test-XXXXXX").string();
    REQUIRE(mkdtemp(tmpl.data()) != nullptr);
    path = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

struct EnvVar {
  std::string name;
  EnvVar(const char* n, const std::string& value) : name(n) { setenv(n, value.c_str(), 1); }
  ~EnvVar() { unsetenv(name.c_str()); }
};

std::string good_file(const char* name) {
  return test::plugin_dir("good") + "/libahal_plugin_" + name + ".so";
}

bool contains(const char* haystack, const std::string& needle) {
  return std::string(haystack).find(needle) != std::string::npos;
}

}  // namespace

TEST_CASE("plugins built against ABI 1.0 and the next minor both load and work") {
  test::Runtime rt(test::plugin_dir("good"));
  const char* search = nullptr;
  REQUIRE_OK(ahal_runtime_search_path(rt.get(), &search));
  CHECK(std::string(search) == fs::canonical(test::plugin_dir("good")).string());

  const ahal_plugin_info_t old_one = rt.plugin("hostmem10");
  CHECK(old_one.state == AHAL_PLUGIN_STATE_LOADED);
  CHECK(old_one.abi_version == ((1u << 16) | 0u));
  CHECK(old_one.device_count == 2);
  CHECK(std::string(old_one.reason).empty());
  CHECK(std::string(old_one.description) == "synchronous host-memory test device");
  CHECK(std::string(old_one.path) == fs::canonical(good_file("hostmem10")).string());
  const ahal_plugin_info_t new_one = rt.plugin("hostmem_next");
  CHECK(new_one.state == AHAL_PLUGIN_STATE_LOADED);
  CHECK(new_one.abi_version == AHAL_PLUGIN_ABI_VERSION + 1u);
  CHECK(new_one.device_count == 2);
  CHECK(rt.device_count() == 4);

  for (const char* selector : {"hostmem10:0", "hostmem_next:1"}) {
    INFO(selector);
    ahal_device_t d = rt.device(selector);
    ahal_device_properties_t p = {};
    p.struct_size = sizeof(p);
    REQUIRE_OK(ahal_device_get_properties(d, &p));
    CHECK(std::string(p.selector) == selector);
    ahal_buffer_t b = test::make_buffer(d, 4096);
    ahal_stream_t s = test::make_stream(d);
    const uint32_t pattern = 0xdeadbeef;
    REQUIRE_OK(ahal_stream_fill(s, b, 0, 4096, &pattern, 4));
    uint32_t back[4] = {};
    REQUIRE_OK(ahal_stream_copy_d2h(s, b, 64, back, sizeof(back)));
    REQUIRE_OK(ahal_stream_synchronize(s));
    CHECK(back[3] == pattern);
    REQUIRE_OK(ahal_stream_destroy(s));
    REQUIRE_OK(ahal_buffer_destroy(b));
  }

  SECTION("an ABI 1.0 plugin answers UNSUPPORTED for the 1.1 entry") {
    uint64_t used = 7, total = 7;
    CHECK_FAILS(ahal_device_memory_usage(rt.device("hostmem10"), &used, &total),
                AHAL_ERROR_UNSUPPORTED, "ahal_device_memory_usage",
                "hostmem10 does not implement device_memory_usage (plugin ABI 1.0)");
    CHECK(used == 7);
  }
  SECTION("a next-minor plugin serves the 1.1 entry") {
    ahal_device_t d = rt.device("hostmem_next");
    uint64_t used = 0, total = 0, used_after = 0;
    REQUIRE_OK(ahal_device_memory_usage(d, &used, &total));
    CHECK(total == (1ull << 30));
    ahal_buffer_t b = test::make_buffer(d, 1 << 20);
    REQUIRE_OK(ahal_device_memory_usage(d, &used_after, &total));
    CHECK(used_after == used + (1 << 20));
    REQUIRE_OK(ahal_buffer_destroy(b));
    CHECK_FAILS(ahal_device_memory_usage(d, nullptr, &total), AHAL_ERROR_INVALID_ARGUMENT,
                "ahal_device_memory_usage", "out_used is NULL");
  }
}

TEST_CASE("broken plugins are refused with their reason and the runtime goes on") {
  TempDir extra;
  {
    std::FILE* f = std::fopen((extra.path / "libahal_plugin_garbage.so").c_str(), "w");
    REQUIRE(f);
    std::fputs("this is not an ELF file", f);
    std::fclose(f);
  }
  // Files not named libahal_plugin_<name>.so are not considered.
  fs::copy_file(good_file("hostmem_next"), extra.path / "libhostmem_other.so");
  test::Runtime rt(test::plugin_dir("bad") + ":" + extra.path.string());

  struct Expect {
    const char* name;
    ahal_plugin_state_t state;
    const char* reason;
  };
  const Expect expected[] = {
      {"wrong_abi", AHAL_PLUGIN_STATE_REFUSED, "plugin ABI 2.0, loader 1."},
      {"no_query", AHAL_PLUGIN_STATE_REFUSED, "missing ahal_plugin_query"},
      {"null_entry", AHAL_PLUGIN_STATE_REFUSED, "required entry stream_query is NULL"},
      {"init_fail", AHAL_PLUGIN_STATE_REFUSED,
       "plugin_init failed: AHAL_ERROR_PLUGIN: simulated init failure"},
      {"init_throw", AHAL_PLUGIN_STATE_REFUSED,
       "plugin_init threw std::runtime_error: init exploded"},
      {"query_fail", AHAL_PLUGIN_STATE_REFUSED, "ahal_plugin_query failed: AHAL_ERROR_INTERNAL"},
      {"not_found", AHAL_PLUGIN_STATE_LOADED, "no backend driver on this machine"},
      {"no_devices", AHAL_PLUGIN_STATE_LOADED, "no devices"},
      {"garbage", AHAL_PLUGIN_STATE_REFUSED, "cannot open: "},
  };
  const auto plugins = rt.plugins();
  CHECK(plugins.size() == std::size(expected));
  for (const Expect& e : expected) {
    INFO(e.name);
    const ahal_plugin_info_t p = rt.plugin(e.name);
    CHECK(p.state == e.state);
    CHECK(contains(p.reason, e.reason));
    CHECK(p.device_count == 0);
  }
  CHECK(rt.plugin("wrong_abi").abi_version == (2u << 16));
  // dlerror()'s own words name the file and the problem.
  CHECK(contains(rt.plugin("garbage").reason, "libahal_plugin_garbage.so: file too short"));
  CHECK(rt.device_count() == 0);
  ahal_device_t d = nullptr;
  CHECK_FAILS(ahal_device_find(rt.get(), "0", &d), AHAL_ERROR_NOT_FOUND, "ahal_device_find",
              "there are no devices");
}

TEST_CASE("plugins stay mapped after their runtime is gone (RTLD_NODELETE)") {
  // A plugin's thread_local destructors or atexit handlers may run later.
  { test::Runtime rt(test::plugin_dir("good"), "hostmem10"); }
  std::ifstream maps("/proc/self/maps");
  const std::string text((std::istreambuf_iterator<char>(maps)), std::istreambuf_iterator<char>());
  CHECK(text.find("libahal_plugin_hostmem10.so") != std::string::npos);
}

TEST_CASE("a plugin that crashes in init is refused in probe mode") {
  SECTION("by flag") {
    test::Runtime rt(test::plugin_dir("crash") + ":" + test::plugin_dir("good"), nullptr,
                     AHAL_RUNTIME_PROBE_PLUGINS);
    const ahal_plugin_info_t p = rt.plugin("init_crash");
    CHECK(p.state == AHAL_PLUGIN_STATE_REFUSED);
    CHECK(contains(p.reason, "crashed while probing"));
    CHECK(contains(p.reason, "signal 11"));
    // Healthy plugins pass the probe and load.
    CHECK(rt.plugin("hostmem_next").state == AHAL_PLUGIN_STATE_LOADED);
    CHECK(rt.device_count() == 4);
  }
  SECTION("by AHAL_PLUGIN_PROBE=1") {
    EnvVar probe("AHAL_PLUGIN_PROBE", "1");
    EnvVar path("AHAL_PLUGIN_PATH", test::plugin_dir("crash"));
    ahal_runtime_options_t o = {};
    o.struct_size = sizeof(o);
    o.flags = AHAL_RUNTIME_NO_DEFAULT_PATHS;
    ahal_runtime_t rt = nullptr;
    REQUIRE_OK(ahal_runtime_create(&o, &rt));
    ahal_plugin_info_t p = {};
    p.struct_size = sizeof(p);
    REQUIRE_OK(ahal_runtime_plugin_info(rt, 0, &p));
    CHECK(std::string(p.name) == "init_crash");
    CHECK(contains(p.reason, "crashed while probing"));
    REQUIRE_OK(ahal_runtime_destroy(rt));
  }
}

TEST_CASE("the first plugin of a name wins; later ones are shadowed") {
  TempDir other;
  fs::copy_file(good_file("hostmem10"), other.path / "libahal_plugin_hostmem10.so");
  test::Runtime rt(other.path.string() + ":" + test::plugin_dir("good"));
  const auto plugins = rt.plugins();
  REQUIRE(plugins.size() == 3);
  CHECK(std::string(plugins[0].name) == "hostmem10");
  CHECK(plugins[0].state == AHAL_PLUGIN_STATE_LOADED);
  CHECK(std::string(plugins[0].path) ==
        (fs::canonical(other.path) / "libahal_plugin_hostmem10.so").string());
  const ahal_plugin_info_t& shadowed = plugins[1];
  CHECK(std::string(shadowed.name) == "hostmem10");
  CHECK(shadowed.state == AHAL_PLUGIN_STATE_REFUSED);
  CHECK(contains(shadowed.reason, "shadowed by " + std::string(plugins[0].path)));
  CHECK(std::string(plugins[2].name) == "hostmem_next");
  CHECK(rt.device_count() == 4);
}

TEST_CASE("plugin selection restricts the set") {
  SECTION("by name") {
    test::Runtime rt(test::plugin_dir("good"), "hostmem_next");
    REQUIRE(rt.plugins().size() == 1);
    CHECK(rt.plugin("hostmem_next").state == AHAL_PLUGIN_STATE_LOADED);
    CHECK(rt.device_count() == 2);
  }
  SECTION("a name that is nowhere is listed as refused") {
    test::Runtime rt(test::plugin_dir("good"), "hostmem10, nosuch");
    REQUIRE(rt.plugins().size() == 2);
    CHECK(rt.plugin("hostmem10").state == AHAL_PLUGIN_STATE_LOADED);
    CHECK(rt.plugin("nosuch").state == AHAL_PLUGIN_STATE_REFUSED);
    CHECK(contains(rt.plugin("nosuch").reason, "not found in the search path"));
  }
  SECTION("by file path, outside the search path") {
    test::Runtime rt(test::plugin_dir("bad"), good_file("hostmem_next").c_str());
    REQUIRE(rt.plugins().size() == 1);
    CHECK(rt.plugin("hostmem_next").state == AHAL_PLUGIN_STATE_LOADED);
  }
  SECTION("by AHAL_PLUGINS, unless the environment is ignored") {
    EnvVar plugins("AHAL_PLUGINS", "hostmem10");
    ahal_runtime_options_t o = {};
    o.struct_size = sizeof(o);
    o.flags = AHAL_RUNTIME_NO_DEFAULT_PATHS;
    const std::string path = test::plugin_dir("good");
    o.plugin_path = path.c_str();
    ahal_runtime_t rt = nullptr;
    REQUIRE_OK(ahal_runtime_create(&o, &rt));
    uint32_t n = 0;
    REQUIRE_OK(ahal_runtime_plugin_count(rt, &n));
    CHECK(n == 1);
    REQUIRE_OK(ahal_runtime_destroy(rt));
    o.flags |= AHAL_RUNTIME_IGNORE_ENVIRONMENT;
    REQUIRE_OK(ahal_runtime_create(&o, &rt));
    REQUIRE_OK(ahal_runtime_plugin_count(rt, &n));
    CHECK(n == 2);
    REQUIRE_OK(ahal_runtime_destroy(rt));
  }
}

TEST_CASE("AHAL_PLUGIN_PATH is searched after options->plugin_path") {
  EnvVar path("AHAL_PLUGIN_PATH", test::plugin_dir("bad") + ":" + test::plugin_dir("good"));
  ahal_runtime_options_t o = {};
  o.struct_size = sizeof(o);
  o.flags = AHAL_RUNTIME_NO_DEFAULT_PATHS;
  const std::string first = test::plugin_dir("sim");
  o.plugin_path = first.c_str();
  ahal_runtime_t rt = nullptr;
  REQUIRE_OK(ahal_runtime_create(&o, &rt));
  const char* search = nullptr;
  REQUIRE_OK(ahal_runtime_search_path(rt, &search));
  CHECK(std::string(search) == fs::canonical(test::plugin_dir("sim")).string() + ":" +
                                   fs::canonical(test::plugin_dir("bad")).string() + ":" +
                                   fs::canonical(test::plugin_dir("good")).string());
  uint32_t devices = 0;
  REQUIRE_OK(ahal_runtime_device_count(rt, &devices));
  CHECK(devices == 4);
  REQUIRE_OK(ahal_runtime_destroy(rt));

  o.flags |= AHAL_RUNTIME_IGNORE_ENVIRONMENT;
  REQUIRE_OK(ahal_runtime_create(&o, &rt));
  REQUIRE_OK(ahal_runtime_search_path(rt, &search));
  CHECK(std::string(search) == fs::canonical(test::plugin_dir("sim")).string());
  REQUIRE_OK(ahal_runtime_device_count(rt, &devices));
  CHECK(devices == 0);
  REQUIRE_OK(ahal_runtime_destroy(rt));
}

TEST_CASE("simulators load only when asked for") {
  SECTION("hidden by default") {
    test::Runtime rt(test::plugin_dir("sim"));
    const ahal_plugin_info_t p = rt.plugin("fake_sim");
    CHECK(p.state == AHAL_PLUGIN_STATE_REFUSED);
    CHECK(std::string(p.reason) == "simulator; set AHAL_ENABLE_SIMULATORS=1");
  }
  SECTION("named in the selection") {
    test::Runtime rt(test::plugin_dir("sim"), "fake_sim");
    CHECK(rt.plugin("fake_sim").state == AHAL_PLUGIN_STATE_LOADED);
  }
  SECTION("AHAL_ENABLE_SIMULATORS=1") {
    EnvVar sims("AHAL_ENABLE_SIMULATORS", "1");
    ahal_runtime_options_t o = {};
    o.struct_size = sizeof(o);
    o.flags = AHAL_RUNTIME_NO_DEFAULT_PATHS;
    const std::string path = test::plugin_dir("sim");
    o.plugin_path = path.c_str();
    ahal_runtime_t rt = nullptr;
    REQUIRE_OK(ahal_runtime_create(&o, &rt));
    ahal_plugin_info_t p = {};
    p.struct_size = sizeof(p);
    REQUIRE_OK(ahal_runtime_plugin_info(rt, 0, &p));
    CHECK(p.state == AHAL_PLUGIN_STATE_LOADED);
    CHECK(std::string(p.reason) == "no devices");
    REQUIRE_OK(ahal_runtime_destroy(rt));
  }
}

TEST_CASE("a plugin whose init says NOT_FOUND is loaded with no devices") {
  EnvVar off("HOSTMEM_NOT_FOUND", "1");
  test::Runtime rt(test::plugin_dir("good"));
  const ahal_plugin_info_t p = rt.plugin("hostmem_next");
  CHECK(p.state == AHAL_PLUGIN_STATE_LOADED);
  CHECK(p.device_count == 0);
  CHECK(std::string(p.reason) == "hostmem backend switched off by HOSTMEM_NOT_FOUND");
  CHECK(rt.device_count() == 0);
}

TEST_CASE("plugins get a cache folder") {
  TempDir cache;
  EnvVar dir("AHAL_CACHE_DIR", (cache.path / "nested").string());
  test::Runtime rt(test::plugin_dir("good"));
  CHECK(fs::is_directory(cache.path / "nested" / "hostmem_next"));
}

TEST_CASE("device selectors") {
  test::Runtime rt(test::plugin_dir("good"));
  auto selector_of = [](ahal_device_t d) {
    ahal_device_properties_t p = {};
    p.struct_size = sizeof(p);
    REQUIRE_OK(ahal_device_get_properties(d, &p));
    return std::string(p.selector);
  };
  CHECK(selector_of(rt.device("hostmem_next:1")) == "hostmem_next:1");
  CHECK(selector_of(rt.device("hostmem_next")) == "hostmem_next:0");
  CHECK(selector_of(rt.device("0")) == "hostmem10:0");
  CHECK(selector_of(rt.device("3")) == "hostmem_next:1");
  CHECK(selector_of(rt.device("hostmem_next:01")) == "hostmem_next:1");
  ahal_device_t by_index = nullptr;
  REQUIRE_OK(ahal_runtime_device_get(rt.get(), 2, &by_index));
  CHECK(by_index == rt.device("hostmem_next:0"));

  ahal_device_t d = nullptr;
  CHECK_FAILS(ahal_device_find(rt.get(), "hostmem_next:2", &d), AHAL_ERROR_NOT_FOUND,
              "ahal_device_find", "3=hostmem_next:1 (hostmem device 1)");
  CHECK_FAILS(ahal_device_find(rt.get(), "4", &d), AHAL_ERROR_NOT_FOUND, "ahal_device_find",
              "no device matches \"4\"");
  CHECK_FAILS(ahal_device_find(rt.get(), "cuda", &d), AHAL_ERROR_NOT_FOUND, "ahal_device_find",
              "cuda");
  CHECK_FAILS(ahal_device_find(rt.get(), "hostmem_next:x", &d), AHAL_ERROR_INVALID_ARGUMENT,
              "ahal_device_find", "is not \"<plugin>:<n>\"");
  CHECK_FAILS(ahal_device_find(rt.get(), nullptr, &d), AHAL_ERROR_INVALID_ARGUMENT,
              "ahal_device_find", "selector is NULL");
  CHECK_FAILS(ahal_device_find(rt.get(), "0", nullptr), AHAL_ERROR_INVALID_ARGUMENT,
              "ahal_device_find", "out_device is NULL");
  CHECK_FAILS(ahal_runtime_device_get(rt.get(), 4, &d), AHAL_ERROR_OUT_OF_RANGE,
              "ahal_runtime_device_get", "index 4");
  ahal_plugin_info_t info = {};
  info.struct_size = sizeof(info);
  CHECK_FAILS(ahal_runtime_plugin_info(rt.get(), 2, &info), AHAL_ERROR_OUT_OF_RANGE,
              "ahal_runtime_plugin_info", "index 2");
  CHECK_FAILS(ahal_runtime_plugin_info(rt.get(), 0, nullptr), AHAL_ERROR_INVALID_ARGUMENT,
              "ahal_runtime_plugin_info", "out_info is NULL");
  CHECK_FAILS(ahal_runtime_plugin_count(rt.get(), nullptr), AHAL_ERROR_INVALID_ARGUMENT,
              "ahal_runtime_plugin_count", "out_count is NULL");
  CHECK_FAILS(ahal_runtime_device_count(rt.get(), nullptr), AHAL_ERROR_INVALID_ARGUMENT,
              "ahal_runtime_device_count", "out_count is NULL");
  CHECK_FAILS(ahal_runtime_device_get(rt.get(), 0, nullptr), AHAL_ERROR_INVALID_ARGUMENT,
              "ahal_runtime_device_get", "out_device is NULL");
  CHECK_FAILS(ahal_runtime_search_path(rt.get(), nullptr), AHAL_ERROR_INVALID_ARGUMENT,
              "ahal_runtime_search_path", "out_path is NULL");
  info.struct_size = 8;
  CHECK_FAILS(ahal_runtime_plugin_info(rt.get(), 0, &info), AHAL_ERROR_INVALID_ARGUMENT,
              "ahal_runtime_plugin_info", "struct_size 8");
}

TEST_CASE("runtime options are checked") {
  ahal_runtime_t rt = nullptr;
  ahal_runtime_options_t o = {};
  CHECK_FAILS(ahal_runtime_create(&o, &rt), AHAL_ERROR_INVALID_ARGUMENT, "ahal_runtime_create",
              "ahal_runtime_options_t.struct_size 0");
  o.struct_size = sizeof(o);
  o.flags = 1u << 9;
  CHECK_FAILS(ahal_runtime_create(&o, &rt), AHAL_ERROR_INVALID_ARGUMENT, "ahal_runtime_create",
              "unknown bits");
  CHECK(rt == nullptr);
  CHECK_FAILS(ahal_runtime_create(nullptr, nullptr), AHAL_ERROR_INVALID_ARGUMENT,
              "ahal_runtime_create", "out_runtime is NULL");
  // A newer caller's larger struct is fine.
  struct Bigger {
    ahal_runtime_options_t base;
    uint64_t future_field;
  } big = {};
  big.base.struct_size = sizeof(big);
  big.base.flags = AHAL_RUNTIME_NO_DEFAULT_PATHS | AHAL_RUNTIME_IGNORE_ENVIRONMENT;
  REQUIRE_OK(ahal_runtime_create(&big.base, &rt));
  REQUIRE_OK(ahal_runtime_destroy(rt));
}

TEST_CASE("the default runtime searches beside libahal") {
  ahal_runtime_options_t o = {};
  o.struct_size = sizeof(o);
  o.flags = AHAL_RUNTIME_IGNORE_ENVIRONMENT;
  ahal_runtime_t rt = nullptr;
  REQUIRE_OK(ahal_runtime_create(&o, &rt));
  const char* search = nullptr;
  REQUIRE_OK(ahal_runtime_search_path(rt, &search));
  // The build tree's lib/ folder comes first, then the install folder.
  const std::string lib = fs::canonical(fs::path(AHAL_TEST_PLUGIN_DIR) / ".." / "lib").string();
  CHECK(std::string(search).rfind(lib + ":", 0) == 0);
  CHECK(std::string(search).find("/ahal") != std::string::npos);
  REQUIRE_OK(ahal_runtime_destroy(rt));
}
