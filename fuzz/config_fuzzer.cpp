// libFuzzer target for the loader's text parsers: AHAL_FAULT_INJECT,
// the AHAL_PLUGIN_ALLOWLIST file, the AHAL_PLUGINS list (names only: no
// input may choose a file to load), device selectors and module format
// names. Each input runs one ahal_runtime_create with those settings (on
// the hostmem folder for one input in four), then looks the selector and
// the format name up.
#include <unistd.h>

#include <cstdio>
#include <string>

#include "fuzz_support.hpp"

namespace {

void set(const char* name, const std::string& value) {
  if (value.empty())
    unsetenv(name);
  else
    setenv(name, value.c_str(), 1);
}

std::string allowlist_file() {
  static const std::string path = [] {
    char tmpl[] = "/tmp/ahal-config-fuzzer-XXXXXX";
    const int fd = mkstemp(tmpl);
    if (fd < 0) std::abort();
    close(fd);
    return std::string(tmpl);
  }();
  return path;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::Input in{data, size};
  // One input in four loads hostmem (the allowlist and AHAL_PLUGINS then
  // decide about a real file); the rest parse everything without a plugin.
  const bool with_plugin = (in.u8() & 3) == 0;
  const std::string fault = in.text(128), allow = in.text(512), plugins = in.text(128);
  const std::string selector = in.text(64), format = in.text(64);
  set("AHAL_FAULT_INJECT", fault);
  if (allow.empty()) {
    unsetenv("AHAL_PLUGIN_ALLOWLIST");
  } else {
    FILE* f = std::fopen(allowlist_file().c_str(), "w");
    if (!f) std::abort();
    std::fwrite(allow.data(), 1, allow.size(), f);
    std::fclose(f);
    setenv("AHAL_PLUGIN_ALLOWLIST", allowlist_file().c_str(), 1);
  }
  std::string names;
  for (char c : plugins) names += c == '/' ? '_' : c;
  set("AHAL_PLUGINS", names);
  set("AHAL_PLUGIN_PATH", with_plugin ? AHAL_FUZZ_HOSTMEM_DIR : "");
  setenv("AHAL_LOG_LEVEL", "none", 1);

  ahal_runtime_options_t o = {};
  o.struct_size = sizeof(o);
  o.flags = AHAL_RUNTIME_NO_DEFAULT_PATHS;
  ahal_runtime_t rt = nullptr;
  fuzz::check(ahal_runtime_create(&o, &rt), "ahal_runtime_create");
  if (!rt) std::abort();
  ahal_device_t d = nullptr;
  fuzz::check(ahal_device_find(rt, selector.c_str(), &d), "ahal_device_find");
  if (d) {
    // One call into the plugin, which the fault spec may fail.
    ahal_stream_t s = nullptr;
    fuzz::check(ahal_stream_create(d, nullptr, &s), "ahal_stream_create");
    if (s) {
      fuzz::check(ahal_stream_synchronize(s), "ahal_stream_synchronize");
      if (ahal_stream_destroy(s) != AHAL_SUCCESS) std::abort();
    }
  }
  ahal_module_format_t f = AHAL_MODULE_FORMAT_UNKNOWN;
  fuzz::check(ahal_module_format_parse(format.c_str(), &f), "ahal_module_format_parse");
  if (ahal_runtime_destroy(rt) != AHAL_SUCCESS) std::abort();
  return 0;
}
