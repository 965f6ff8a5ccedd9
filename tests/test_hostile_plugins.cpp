// Hostile plugins and hostile files (docs/reliability.md): a plugin that
// ends the probing child, lies about its device count or returns values
// that are no status is refused with its reason; plugin files others can
// write, or missing from an allowlist, are not opened; module files that
// are folders or devices are refused by name; messages say what is wrong.
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "sha256.hpp"
#include "test_support.hpp"

namespace fs = std::filesystem;

namespace {

struct TempDir {
  fs::path path;
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "ahal-hostile-XXXXXX").string();
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

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

std::string good_file(const char* name) {
  return test::plugin_dir("good") + "/libahal_plugin_" + name + ".so";
}

}  // namespace

TEST_CASE("a plugin that calls exit(0) in plugin_init is refused by the probe") {
  test::Runtime rt(test::plugin_dir("hostile"), "init_exit,hostmem", AHAL_RUNTIME_PROBE_PLUGINS);
  const ahal_plugin_info_t p = rt.plugin("init_exit");
  INFO(p.reason);
  CHECK(p.state == AHAL_PLUGIN_STATE_REFUSED);
  CHECK(contains(p.reason,
                 "ended the probing child process with exit status 0, in plugin_init, before "
                 "the probe finished"));
  // We are still here, and so is this process's ability to load others.
  test::Runtime good(test::plugin_dir("good"), "hostmem_next", AHAL_RUNTIME_PROBE_PLUGINS);
  CHECK(good.plugin("hostmem_next").state == AHAL_PLUGIN_STATE_LOADED);
  CHECK(good.device_count() == 2);
}

TEST_CASE("plugin_init returning a value that is no status says so") {
  test::Runtime rt(test::plugin_dir("hostile"), "init_bad_status");
  const ahal_plugin_info_t p = rt.plugin("init_bad_status");
  CHECK(p.state == AHAL_PLUGIN_STATE_REFUSED);
  CHECK(std::string(p.reason) == "plugin_init returned 12345, which is not an ahal_status_t");
}

TEST_CASE("a plugin reporting 2^31 devices is refused at once") {
  const auto start = std::chrono::steady_clock::now();
  test::Runtime rt(test::plugin_dir("hostile"), "many_devices");
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const ahal_plugin_info_t p = rt.plugin("many_devices");
  CHECK(p.state == AHAL_PLUGIN_STATE_REFUSED);
  CHECK(std::string(p.reason) ==
        "device_count reports 2147483648 devices, more than the 1024 a plugin may have");
  CHECK(rt.device_count() == 0);
  CHECK(seconds < 30);  // not a timing goal: hours without the cap
}

TEST_CASE("devices that fail to open are named three at a time, the rest counted") {
  test::Runtime rt(test::plugin_dir("hostile"), "bad_devices");
  const ahal_plugin_info_t p = rt.plugin("bad_devices");
  INFO(p.reason);
  CHECK(p.state == AHAL_PLUGIN_STATE_LOADED);
  CHECK(p.device_count == 0);
  CHECK(contains(p.reason, "device 0: device_open: bad_devices: this device is not there"));
  CHECK(contains(p.reason, "device 2: "));
  CHECK(!contains(p.reason, "device 3: "));
  CHECK(contains(p.reason, "; 7 more devices not opened"));
}

TEST_CASE("an entry the table's struct_size covers only in part counts as absent") {
  // struct_size ends 5 bytes into kernel_get_builtin: no half pointer is called.
  test::Runtime rt(test::plugin_dir("hostile"), "odd_size");
  REQUIRE(rt.plugin("odd_size").state == AHAL_PLUGIN_STATE_LOADED);
  ahal_kernel_t k = nullptr;
  CHECK_FAILS(ahal_kernel_get_builtin(rt.device("odd_size:0"), "hostmem.add_u32", &k),
              AHAL_ERROR_UNSUPPORTED, "ahal_kernel_get_builtin",
              "odd_size does not implement kernel_get_builtin");
}

TEST_CASE("a file that cannot be opened says why, without a misleading errno") {
  TempDir dir;
  const fs::path garbage = dir.path / "libahal_plugin_garbage.so";
  std::ofstream(garbage) << "not an ELF file";
  test::Runtime rt(dir.path.string());
  const std::string reason = rt.plugin("garbage").reason;
  INFO(reason);
  CHECK(contains(reason, "cannot open: "));
  CHECK(contains(reason, "file too short"));
  CHECK(!contains(reason, "Bad file descriptor"));
  CHECK(!contains(reason, "boost"));
}

TEST_CASE("plugin files and folders others can write are refused") {
  TempDir dir;
  const fs::path copy = dir.path / "libahal_plugin_hostmem_next.so";
  fs::copy_file(good_file("hostmem_next"), copy);
  SECTION("a world-writable file") {
    chmod(copy.c_str(), 0757);
    test::Runtime rt(dir.path.string());
    const ahal_plugin_info_t p = rt.plugin("hostmem_next");
    CHECK(p.state == AHAL_PLUGIN_STATE_REFUSED);
    CHECK(contains(p.reason, "plugin file " + copy.string() + " is writable by every user"));
    CHECK(contains(p.reason, "AHAL_PLUGIN_ALLOW_WRITABLE=1"));
    SECTION("unless the development switch allows it") {
      EnvVar allow("AHAL_PLUGIN_ALLOW_WRITABLE", "1");
      test::Runtime dev(dir.path.string());
      CHECK(dev.plugin("hostmem_next").state == AHAL_PLUGIN_STATE_LOADED);
    }
  }
  SECTION("a group-writable file (group not root)") {
    REQUIRE(chown(copy.c_str(), uid_t(-1), 65534) == 0);
    chmod(copy.c_str(), 0775);
    test::Runtime rt(dir.path.string());
    CHECK(contains(rt.plugin("hostmem_next").reason, "is writable by group 65534"));
  }
  SECTION("a group-writable file of group root is fine") {
    REQUIRE(chown(copy.c_str(), uid_t(-1), 0) == 0);
    chmod(copy.c_str(), 0775);
    test::Runtime rt(dir.path.string());
    CHECK(rt.plugin("hostmem_next").state == AHAL_PLUGIN_STATE_LOADED);
  }
  SECTION("a world-writable folder, even when named in AHAL_PLUGINS") {
    chmod(dir.path.c_str(), 01777);
    test::Runtime rt(dir.path.string(), copy.c_str());
    const ahal_plugin_info_t p = rt.plugin("hostmem_next");
    CHECK(p.state == AHAL_PLUGIN_STATE_REFUSED);
    CHECK(contains(p.reason, "plugin folder " + dir.path.string() + " is writable by every user"));
  }
}

TEST_CASE("with AHAL_PLUGIN_ALLOWLIST only listed plugins load") {
  TempDir dir;
  const std::string digest = ahal::sha256_file(good_file("hostmem_next"));
  REQUIRE(digest.size() == 64);
  const fs::path list = dir.path / "allow.txt";
  SECTION("a listed plugin loads, an unlisted one is refused with its digest") {
    std::ofstream(list) << "# plugins this site allows\n\n"
                        << digest << "  libahal_plugin_hostmem_next.so\n";
    EnvVar allow("AHAL_PLUGIN_ALLOWLIST", list.string());
    test::Runtime rt(test::plugin_dir("good"));
    CHECK(rt.plugin("hostmem_next").state == AHAL_PLUGIN_STATE_LOADED);
    const ahal_plugin_info_t other = rt.plugin("hostmem10");
    CHECK(other.state == AHAL_PLUGIN_STATE_REFUSED);
    CHECK(contains(other.reason, "SHA-256 " + ahal::sha256_file(good_file("hostmem10")) +
                                     " is not in the allowlist " + list.string()));
  }
  SECTION("an unreadable or malformed allowlist refuses every plugin") {
    std::ofstream(list) << digest << "\nnot-a-digest\n";
    EnvVar allow("AHAL_PLUGIN_ALLOWLIST", list.string());
    test::Runtime rt(test::plugin_dir("good"));
    const ahal_plugin_info_t p = rt.plugin("hostmem_next");
    CHECK(p.state == AHAL_PLUGIN_STATE_REFUSED);
    CHECK(contains(p.reason, "AHAL_PLUGIN_ALLOWLIST unusable: " + list.string() +
                                 ": line 2 is not a SHA-256 digest"));
    EnvVar missing("AHAL_PLUGIN_ALLOWLIST", (dir.path / "none.txt").string());
    test::Runtime rt2(test::plugin_dir("good"));
    CHECK(contains(rt2.plugin("hostmem_next").reason, "No such file or directory"));
  }
  SECTION("an allowlist others can write is not trusted") {
    std::ofstream(list) << digest << "\n";
    chmod(list.c_str(), 0666);
    EnvVar allow("AHAL_PLUGIN_ALLOWLIST", list.string());
    test::Runtime rt(test::plugin_dir("good"));
    CHECK(contains(rt.plugin("hostmem_next").reason,
                   "allowlist " + list.string() + " is writable by every user"));
  }
}

TEST_CASE("a module path that is a folder or a device is refused by name") {
  test::Runtime rt(test::plugin_dir("good"), "hostmem_next");
  ahal_device_t d = rt.device("hostmem_next:0");
  TempDir dir;
  ahal_module_args_t a = {};
  a.struct_size = sizeof(a);
  a.format = AHAL_MODULE_FORMAT_BUNDLE;
  a.path = dir.path.c_str();
  ahal_module_t m = nullptr;
  CHECK_FAILS(ahal_module_create(d, &a, &m), AHAL_ERROR_INVALID_ARGUMENT, "ahal_module_create",
              dir.path.string() + " is a folder, not a module file");
  a.path = "/dev/zero";
  CHECK_FAILS(ahal_module_create(d, &a, &m), AHAL_ERROR_INVALID_ARGUMENT, "ahal_module_create",
              "/dev/zero is not a regular file");
  a.path = "/nonexistent/k.bundle";
  CHECK_FAILS(ahal_module_create(d, &a, &m), AHAL_ERROR_NOT_FOUND, "ahal_module_create",
              "cannot open /nonexistent/k.bundle: No such file or directory");
  a.format = AHAL_MODULE_FORMAT_OPENCL_C;
  a.path = dir.path.c_str();
  CHECK_FAILS(ahal_module_create(d, &a, &m), AHAL_ERROR_INVALID_ARGUMENT, "ahal_module_create",
              "is a folder, not a module file");
  CHECK(m == nullptr);
}

TEST_CASE("a handle that never existed is not called destroyed") {
  test::Runtime rt(test::plugin_dir("good"), "hostmem_next");
  ahal_buffer_t b = test::make_buffer(rt.device("hostmem_next:0"), 64);
  // The same slot and type, a generation far ahead of any handed out.
  const uintptr_t real = reinterpret_cast<uintptr_t>(b);
  const auto fake = reinterpret_cast<ahal_buffer_t>(real + (uintptr_t(1000000) << 32));
  uint64_t size = 0;
  CHECK_FAILS(ahal_buffer_size(fake, &size), AHAL_ERROR_INVALID_HANDLE, "ahal_buffer_size",
              "is not an ahal handle (no object ever had it)");
  REQUIRE_OK(ahal_buffer_destroy(b));
  CHECK_FAILS(ahal_buffer_size(b, &size), AHAL_ERROR_INVALID_HANDLE, "ahal_buffer_size",
              "was destroyed");
}

TEST_CASE("objects of two runtimes' devices of one name are told apart") {
  test::Runtime one(test::plugin_dir("good"), "hostmem_next");
  test::Runtime two(test::plugin_dir("good"), "hostmem_next");
  ahal_buffer_t b = test::make_buffer(one.device("hostmem_next:0"), 64);
  ahal_stream_t s = test::make_stream(two.device("hostmem_next:0"));
  const char pattern = 1;
  CHECK_FAILS(ahal_stream_fill(s, b, 0, 64, &pattern, 1), AHAL_ERROR_INVALID_ARGUMENT,
              "ahal_stream_fill", "buffer belongs to device hostmem_next:0 of runtime 0x");
  CHECK(contains(ahal_last_error_message(),
                 "(another runtime), the stream to hostmem_next:0 of runtime 0x"));
  REQUIRE_OK(ahal_stream_destroy(s));
  REQUIRE_OK(ahal_buffer_destroy(b));
}
