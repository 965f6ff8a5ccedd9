// Secure mode (docs/reliability.md): a setuid copy of this program runs with
// AT_SECURE set, and libahal must then ignore AHAL_PLUGIN_PATH, AHAL_PLUGINS
// and AHAL_TRACE, as a plain copy honours them. Needs root (to give the copy
// to another user); exits 77 (skipped) otherwise.
#include <ahal/ahal.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

namespace fs = std::filesystem;

// LeakSanitizer cannot stop the world of a setuid process (it is not
// dumpable): the sanitizer build's copy runs without leak checking.
#if defined(__SANITIZE_ADDRESS__) || defined(__has_feature)
#if defined(__SANITIZE_ADDRESS__) || __has_feature(address_sanitizer)
extern "C" const char* __asan_default_options() { return "detect_leaks=0"; }
#endif
#endif

namespace {

int child() {
  std::printf("secure=%d\n", getauxval(AT_SECURE) ? 1 : 0);
  ahal_runtime_t rt = nullptr;
  if (ahal_runtime_create(nullptr, &rt) != AHAL_SUCCESS) {
    std::printf("error=%s\n", ahal_last_error_message());
    return 1;
  }
  const char* path = nullptr;
  ahal_runtime_search_path(rt, &path);
  std::printf("search=%s\n", path);
  uint32_t count = 0;
  ahal_runtime_plugin_count(rt, &count);
  for (uint32_t i = 0; i < count; ++i) {
    ahal_plugin_info_t info = {};
    info.struct_size = sizeof(info);
    ahal_runtime_plugin_info(rt, i, &info);
    std::printf("plugin=%s %s\n", info.name,
                info.state == AHAL_PLUGIN_STATE_LOADED ? "loaded" : "refused");
  }
  ahal_runtime_destroy(rt);
  return 0;
}

std::string run(const std::string& program) {
  std::string out;
  FILE* p = popen((program + " --child 2>&1").c_str(), "r");
  if (!p) return out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), p)) > 0) out.append(buf, n);
  pclose(p);
  return out;
}

int failed(const char* what, const std::string& output) {
  std::printf("FAIL: %s\n--- output ---\n%s\n", what, output.c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && std::string(argv[1]) == "--child") return child();
  if (geteuid() != 0) {
    std::printf("skipped: making a setuid copy for another user needs root\n");
    return 77;
  }
  std::string tmpl = (fs::temp_directory_path() / "ahal-secure-XXXXXX").string();
  if (!mkdtemp(tmpl.data())) return failed("mkdtemp", "");
  const fs::path dir = tmpl;
  chmod(dir.c_str(), 0755);
  const fs::path plain = dir / "plain", setuid_copy = dir / "setuid";
  fs::copy_file("/proc/self/exe", plain);
  fs::copy_file("/proc/self/exe", setuid_copy);
  if (chown(setuid_copy.c_str(), 65534, 65534) != 0 || chmod(setuid_copy.c_str(), 04755) != 0)
    return failed("chown/chmod of the setuid copy", "");
  const std::string plugins = AHAL_TEST_PLUGIN_DIR "/good";
  const fs::path trace = dir / "trace.json";
  setenv("AHAL_PLUGIN_PATH", plugins.c_str(), 1);
  setenv("AHAL_PLUGINS", "hostmem_next", 1);
  setenv("AHAL_TRACE", trace.c_str(), 1);

  int result = 0;
  const std::string normal = run(plain.string());
  if (normal.find("secure=0") == std::string::npos)
    result |= failed("plain copy: secure=0", normal);
  if (normal.find("search=" + fs::canonical(plugins).string()) == std::string::npos)
    result |= failed("plain copy: AHAL_PLUGIN_PATH is searched", normal);
  if (normal.find("plugin=hostmem_next loaded") == std::string::npos)
    result |= failed("plain copy: AHAL_PLUGINS=hostmem_next loads it", normal);
  std::error_code ec;
  if (!fs::exists(trace)) result |= failed("plain copy: AHAL_TRACE writes a trace", normal);
  fs::remove(trace, ec);

  const std::string secure = run(setuid_copy.string());
  if (secure.find("secure=0") != std::string::npos) {
    fs::remove_all(dir, ec);
    std::printf("skipped: the setuid copy did not run in secure mode (nosuid mount?)\n%s",
                secure.c_str());
    return 77;
  }
  if (secure.find("secure=1") == std::string::npos) result |= failed("setuid copy ran", secure);
  if (secure.find(fs::canonical(plugins).string()) != std::string::npos)
    result |= failed("setuid copy: AHAL_PLUGIN_PATH is ignored", secure);
  if (secure.find("plugin=hostmem_next") != std::string::npos)
    result |= failed("setuid copy: AHAL_PLUGINS is ignored", secure);
  if (fs::exists(trace)) result |= failed("setuid copy: AHAL_TRACE is ignored", secure);
  fs::remove_all(dir, ec);
  if (result == 0) std::printf("secure mode ignores the environment:\n%s", secure.c_str());
  return result;
}
