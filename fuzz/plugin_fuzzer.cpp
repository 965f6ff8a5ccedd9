// libFuzzer target for what a plugin tells the loader: the scripted hostile
// plugin (tests/plugins/hostile_plugin.cpp, KIND_SCRIPTED) takes its
// dispatch table (struct_size, ABI version, NULL entries, name), the
// statuses of plugin_init, device_count and device_open, the device count
// and any bytes of the device properties from the input. The loader must
// refuse the plugin with a reason, or open devices whose limits it then
// enforces on a small workload; nothing may crash or leak.
#include <dlfcn.h>

#include <string>

#include "fuzz_support.hpp"

namespace {

using SetScript = void (*)(const uint8_t*, size_t);

SetScript script_setter() {
  static SetScript set = [] {
    // The same object libahal will open (dlopen shares it), so the script
    // set here is the one the plugin reads.
    void* so = dlopen(AHAL_FUZZ_SCRIPTED_PLUGIN, RTLD_NOW | RTLD_LOCAL);
    if (!so) std::abort();
    auto f = reinterpret_cast<SetScript>(dlsym(so, "hostile_set_script"));
    if (!f) std::abort();
    return f;
  }();
  return set;
}

void workload(ahal_device_t d) {
  ahal_device_properties_t p = {};
  p.struct_size = sizeof(p);
  fuzz::check(ahal_device_get_properties(d, &p), "ahal_device_get_properties");
  ahal_buffer_args_t ba = {sizeof(ba), 1024, 0};
  ahal_buffer_t b = nullptr;
  ahal_stream_t s = nullptr;
  if (ahal_status_t st = ahal_buffer_create(d, &ba, &b))
    return fuzz::check(st, "ahal_buffer_create");
  fuzz::check(ahal_stream_create(d, nullptr, &s), "ahal_stream_create");
  if (s) {
    const uint32_t pattern = 0x01020304;
    uint32_t back[4] = {};
    fuzz::check(ahal_stream_fill(s, b, 0, 1024, &pattern, 4), "ahal_stream_fill");
    fuzz::check(ahal_stream_copy_d2h(s, b, 16, back, sizeof(back)), "ahal_stream_copy_d2h");
    ahal_kernel_t k = nullptr;
    if (ahal_kernel_get_builtin(d, "hostmem.add_u32", &k) == AHAL_SUCCESS) {
      ahal_binding_t binds[3] = {{b, 0, 256}, {b, 256, 256}, {b, 512, 256}};
      const uint32_t n = 64;
      ahal_launch_args_t l = {};
      l.struct_size = sizeof(l);
      // At the limits the (lying) properties give, clamped to the buffers.
      l.grid[0] = l.grid[1] = l.grid[2] = 1;
      l.workgroup_size[0] = p.max_workgroup_dims[0] < 64 ? p.max_workgroup_dims[0] : 64;
      l.workgroup_size[1] = l.workgroup_size[2] = 1;
      l.binding_count = 3;
      l.bindings = binds;
      l.constants = &n;
      l.constants_size = 4;
      fuzz::check(ahal_stream_launch(s, k, &l), "ahal_stream_launch");
    }
    fuzz::check(ahal_stream_synchronize(s), "ahal_stream_synchronize");
    if (ahal_stream_destroy(s) != AHAL_SUCCESS) std::abort();
  }
  if (ahal_buffer_destroy(b) != AHAL_SUCCESS) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  script_setter()(data, size);
  ahal_runtime_options_t o = {};
  o.struct_size = sizeof(o);
  o.flags = AHAL_RUNTIME_IGNORE_ENVIRONMENT | AHAL_RUNTIME_NO_DEFAULT_PATHS;
  o.plugins = AHAL_FUZZ_SCRIPTED_PLUGIN;
  ahal_runtime_t rt = nullptr;
  fuzz::check(ahal_runtime_create(&o, &rt), "ahal_runtime_create");
  if (!rt) std::abort();
  uint32_t plugins = 0, devices = 0;
  if (ahal_runtime_plugin_count(rt, &plugins) || plugins != 1) std::abort();
  ahal_plugin_info_t info = {};
  info.struct_size = sizeof(info);
  if (ahal_runtime_plugin_info(rt, 0, &info)) std::abort();
  // Refused, or loaded without devices: always with a reason.
  if ((info.state == AHAL_PLUGIN_STATE_REFUSED || info.device_count == 0) && !*info.reason)
    std::abort();
  if (ahal_runtime_device_count(rt, &devices) || devices != info.device_count) std::abort();
  for (uint32_t i = 0; i < devices; ++i) {
    ahal_device_t d = nullptr;
    if (ahal_runtime_device_get(rt, i, &d)) std::abort();
    workload(d);
  }
  if (ahal_runtime_destroy(rt) != AHAL_SUCCESS) std::abort();
  return 0;
}
