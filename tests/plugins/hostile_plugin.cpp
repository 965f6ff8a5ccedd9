// Hostile plugins: each wraps the hostmem test plugin (HOSTILE_REAL_PLUGIN)
// and misbehaves in one way (HOSTILE_KIND), to show the loader refuses it
// with a reason instead of hanging, flooding the log or dying with it:
//   INIT_EXIT        plugin_init calls exit(0)
//   INIT_BAD_STATUS  plugin_init returns 12345, which is no ahal_status_t
//   MANY_DEVICES     device_count reports 2^31 devices, each failing to open
//   BAD_DEVICES      device_count reports 10 devices, each failing to open
//   ODD_SIZE         the table's struct_size ends 5 bytes into kernel_get_builtin
//   SCRIPTED         the dispatch table, statuses and device properties come
//                    from bytes given to hostile_set_script() (the fuzzer's)
#include <ahal/plugin.h>
#include <dlfcn.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <vector>

#define KIND_INIT_EXIT 1
#define KIND_INIT_BAD_STATUS 2
#define KIND_MANY_DEVICES 3
#define KIND_BAD_DEVICES 4
#define KIND_SCRIPTED 5
#define KIND_ODD_SIZE 6

namespace {

ahal_plugin_api_t g_real = {};
const ahal_plugin_host_t* g_host = nullptr;

bool load_real() {
  static const bool loaded = [] {
    void* so = dlopen(HOSTILE_REAL_PLUGIN, RTLD_NOW | RTLD_LOCAL);
    if (!so) return false;
    auto query = reinterpret_cast<ahal_status_t (*)(uint32_t, ahal_plugin_api_t*)>(
        dlsym(so, AHAL_PLUGIN_QUERY_SYMBOL));
    g_real.struct_size = sizeof(g_real);
    return query && query(AHAL_PLUGIN_ABI_VERSION, &g_real) == AHAL_SUCCESS;
  }();
  return loaded;
}

#if HOSTILE_KIND == KIND_SCRIPTED
// The script: a byte reader that gives zeros past its end.
struct Script {
  std::vector<uint8_t> bytes;
  size_t at = 0;
  uint8_t u8() { return at < bytes.size() ? bytes[at++] : 0; }
  uint32_t u32() {
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v |= uint32_t(u8()) << (8 * i);
    return v;
  }
  uint64_t u64() { return uint64_t(u32()) | uint64_t(u32()) << 32; }
};
Script g_script;

// A status the script picks: mostly success, sometimes any value at all.
ahal_status_t scripted_status() {
  const uint8_t pick = g_script.u8();
  if (pick < 200) return AHAL_SUCCESS;
  if (pick < 250) return ahal_status_t(pick - 200 < 16 ? pick - 200 : AHAL_ERROR_PLUGIN);
  // Any value the type holds (0..AHAL_STATUS_MAX_ENUM; docs/abi.md).
  return ahal_status_t(g_script.u32() & 0x7fffffffu);
}
#endif

ahal_status_t plugin_init(const ahal_plugin_host_t* host, const ahal_plugin_init_args_t* args,
                          ahal_plugin_instance_t** out) {
  g_host = host;
#if HOSTILE_KIND == KIND_INIT_EXIT
  std::exit(0);
#elif HOSTILE_KIND == KIND_INIT_BAD_STATUS
  return ahal_status_t(12345);
#elif HOSTILE_KIND == KIND_SCRIPTED
  if (ahal_status_t s = scripted_status()) {
    if (g_script.u8() & 1) host->set_error_message("scripted plugin_init failure");
    *out = nullptr;
    return s;
  }
#endif
  return g_real.plugin_init(host, args, out);
}

ahal_status_t device_count(ahal_plugin_instance_t* instance, uint32_t* out) {
#if HOSTILE_KIND == KIND_MANY_DEVICES
  *out = 1u << 31;
  return AHAL_SUCCESS;
#elif HOSTILE_KIND == KIND_BAD_DEVICES
  *out = 10;
  return AHAL_SUCCESS;
#elif HOSTILE_KIND == KIND_SCRIPTED
  const ahal_status_t s = g_real.device_count(instance, out);
  const uint8_t pick = g_script.u8();
  if (pick >= 240) *out = g_script.u32();  // any count, the loader must cope
  if (pick >= 200 && pick < 240) return scripted_status();
  return s;
#else
  return g_real.device_count(instance, out);
#endif
}

ahal_status_t device_open(ahal_plugin_instance_t* instance, uint32_t index,
                          ahal_plugin_device_t** out) {
#if HOSTILE_KIND == KIND_MANY_DEVICES || HOSTILE_KIND == KIND_BAD_DEVICES
  g_host->set_error_message("this device is not there");
  return AHAL_ERROR_DEVICE_LOST;
#elif HOSTILE_KIND == KIND_SCRIPTED
  if (index >= 2) return AHAL_ERROR_NOT_FOUND;  // hostmem has two devices
  if (ahal_status_t s = scripted_status()) return s;
#endif
  return g_real.device_open(instance, index, out);
}

#if HOSTILE_KIND == KIND_SCRIPTED
// The real properties, then any field the script overwrites.
ahal_status_t device_get_properties(ahal_plugin_device_t* d, ahal_device_properties_t* p) {
  if (ahal_status_t s = g_real.device_get_properties(d, p)) return s;
  if (ahal_status_t s = scripted_status()) return s;
  auto* bytes = reinterpret_cast<uint8_t*>(p);
  const size_t size = std::min(p->struct_size, sizeof(*p));
  for (uint8_t n = g_script.u8() % 32; n > 0; --n) {
    const size_t offset = g_script.u32() % size;
    const uint8_t len = uint8_t(1 + g_script.u8() % 8);
    for (uint8_t i = 0; i < len && offset + i < size; ++i) bytes[offset + i] = g_script.u8();
  }
  return AHAL_SUCCESS;
}
#endif

}  // namespace

#if HOSTILE_KIND == KIND_SCRIPTED
extern "C" AHAL_PLUGIN_EXPORT void hostile_set_script(const uint8_t* data, size_t size) {
  g_script.bytes.assign(data, data + size);
  g_script.at = 0;
}
#endif

extern "C" AHAL_PLUGIN_EXPORT ahal_status_t ahal_plugin_query(uint32_t loader_abi,
                                                              ahal_plugin_api_t* out) {
  if (!load_real()) return AHAL_ERROR_INTERNAL;
  ahal_plugin_api_t t = g_real;
  t.name = HOSTILE_NAME;
  t.description = "hostile test plugin";
  t.plugin_init = plugin_init;
  t.device_count = device_count;
  t.device_open = device_open;
#if HOSTILE_KIND == KIND_SCRIPTED
  t.device_get_properties = device_get_properties;
  if (ahal_status_t s = scripted_status()) return s;
  t.abi_version = g_script.u8() < 240 ? t.abi_version : g_script.u32();
  // Clear some entries: each pointer-sized slot past the header may go.
  const size_t header = offsetof(ahal_plugin_api_t, plugin_init);
  for (uint8_t n = g_script.u8() % 4; n > 0; --n) {
    const size_t slot =
        header + sizeof(void*) * (g_script.u8() % ((sizeof(t) - header) / sizeof(void*)));
    std::memset(reinterpret_cast<char*>(&t) + slot, 0, sizeof(void*));
  }
  if (g_script.u8() >= 240) t.struct_size = g_script.u32() % (2 * sizeof(t));
  if (g_script.u8() >= 250) t.name = "someone_else";
#endif
#if HOSTILE_KIND == KIND_ODD_SIZE
  t.struct_size = offsetof(ahal_plugin_api_t, kernel_get_builtin) + 5;
#endif
  const size_t n = std::min(out->struct_size, sizeof(t));
  const size_t claimed = t.struct_size;
  std::memcpy(out, &t, n);
  out->struct_size = std::min(n, claimed);
  (void)loader_abi;
  return AHAL_SUCCESS;
}
