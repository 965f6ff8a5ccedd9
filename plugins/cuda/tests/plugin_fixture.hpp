// Opens the built CUDA plugin and (optionally) the test-only fake driver,
// and drives the plugin's dispatch table directly, as the loader would.
#pragma once

#include <ahal/plugin.h>

#include <dlfcn.h>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace cuda_test {

inline thread_local std::string t_message;
inline void set_message(const char* message) { t_message = message ? message : ""; }
inline void log_message(ahal_log_level_t, const char*, const char*) {}

inline const ahal_plugin_host_t* host() {
  static const ahal_plugin_host_t host = {sizeof(ahal_plugin_host_t), AHAL_PLUGIN_ABI_VERSION,
                                          AHAL_API_VERSION, set_message, log_message};
  return &host;
}

// The plugin's dispatch table, from the real shared object.
struct Plugin {
  void* library = nullptr;
  ahal_plugin_api_t api{};

  Plugin() {
    library = dlopen(AHAL_CUDA_PLUGIN_FILE, RTLD_NOW | RTLD_LOCAL);
    if (!library) return;
    auto query = reinterpret_cast<ahal_plugin_query_fn>(dlsym(library, AHAL_PLUGIN_QUERY_SYMBOL));
    api.struct_size = sizeof(api);
    if (!query || query(AHAL_PLUGIN_ABI_VERSION, &api) != AHAL_SUCCESS) api.plugin_init = nullptr;
  }
  bool ok() const { return library && api.plugin_init; }

  ahal_status_t init(ahal_plugin_instance_t** out) const {
    ahal_plugin_init_args_t args{sizeof(args), AHAL_CUDA_PLUGIN_FILE, "", 0};
    t_message.clear();
    return api.plugin_init(host(), &args, out);
  }
};

// Controls of the fake driver (fake_libcuda.cpp); the plugin dlopens the
// same file through AHAL_CUDA_DRIVER_PATH, so both see one instance.
struct FakeDriver {
  void* library = nullptr;
  long (*calls)(const char*) = nullptr;
  void (*force_error)(const char*, int) = nullptr;
  void (*hold)(int) = nullptr;
  long (*live_allocations)() = nullptr;
  int (*context_refs)(int) = nullptr;

  FakeDriver() {
    setenv("AHAL_CUDA_DRIVER_PATH", AHAL_FAKE_CUDA_DRIVER, 1);
    library = dlopen(AHAL_FAKE_CUDA_DRIVER, RTLD_NOW | RTLD_LOCAL);
    if (!library) return;
    calls = reinterpret_cast<long (*)(const char*)>(dlsym(library, "fake_cuda_calls"));
    force_error =
        reinterpret_cast<void (*)(const char*, int)>(dlsym(library, "fake_cuda_force_error"));
    hold = reinterpret_cast<void (*)(int)>(dlsym(library, "fake_cuda_hold"));
    live_allocations = reinterpret_cast<long (*)()>(dlsym(library, "fake_cuda_live_allocations"));
    context_refs = reinterpret_cast<int (*)(int)>(dlsym(library, "fake_cuda_context_refs"));
  }
  bool ok() const {
    return library && calls && force_error && hold && live_allocations && context_refs;
  }
};

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The build's PTX image of the standard kernels for sm_<arch>.
inline std::string standard_ptx(int arch) {
  return read_file(std::string(AHAL_CUDA_PTX_DIR) + "/ahal_kernels.sm_" + std::to_string(arch) +
                   ".ptx");
}

}  // namespace cuda_test
