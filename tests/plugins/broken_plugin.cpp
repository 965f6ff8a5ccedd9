// Deliberately broken plugins, one per BROKEN_KIND, to check that the
// loader refuses each with a clear reason and goes on.
#include <ahal/plugin.h>

#include <algorithm>
#include <csignal>
#include <cstring>
#include <stdexcept>
#include <type_traits>

#define KIND_WRONG_ABI 1
#define KIND_NO_QUERY 2
#define KIND_NULL_ENTRY 3
#define KIND_INIT_FAIL 4
#define KIND_INIT_THROW 5
#define KIND_INIT_CRASH 6
#define KIND_NOT_FOUND 7
#define KIND_NO_DEVICES 8
#define KIND_QUERY_FAIL 9

namespace {

template <class R, class... Args>
using Fn = R (*)(Args...);

// Converts to any entry's type: a function that fails with UNSUPPORTED.
struct Stub {
  template <class R, class... Args>
  operator Fn<R, Args...>() const {
    return [](Args...) -> R {
      if constexpr (!std::is_void_v<R>) return R(AHAL_ERROR_UNSUPPORTED);
    };
  }
};

const ahal_plugin_host_t* g_host = nullptr;

ahal_status_t plugin_init(const ahal_plugin_host_t* host, const ahal_plugin_init_args_t*,
                          ahal_plugin_instance_t** out) {
  g_host = host;
  *out = nullptr;
#if BROKEN_KIND == KIND_INIT_FAIL
  host->set_error_message("simulated init failure");
  return AHAL_ERROR_PLUGIN;
#elif BROKEN_KIND == KIND_INIT_THROW
  throw std::runtime_error("init exploded");
#elif BROKEN_KIND == KIND_INIT_CRASH
  std::raise(SIGSEGV);
  return AHAL_ERROR_INTERNAL;
#elif BROKEN_KIND == KIND_NOT_FOUND
  host->set_error_message("no backend driver on this machine");
  return AHAL_ERROR_NOT_FOUND;
#else
  return AHAL_SUCCESS;
#endif
}

ahal_status_t device_count(ahal_plugin_instance_t*, uint32_t* out) {
  *out = 0;
  return AHAL_SUCCESS;
}

[[maybe_unused]] void fill_table(ahal_plugin_api_t* t) {
  const Stub stub;
  // Every required entry (the list in plugin.h, from spec/ahal.toml), then
  // the two this plugin really implements.
#define BROKEN_SET_STUB(table, entry) (table)->entry = stub;
  AHAL_PLUGIN_REQUIRED_ENTRIES(BROKEN_SET_STUB, t)
#undef BROKEN_SET_STUB
  t->plugin_init = plugin_init;
  t->device_count = device_count;
#if BROKEN_KIND == KIND_NULL_ENTRY
  t->stream_query = nullptr;
#endif
}

}  // namespace

#if BROKEN_KIND == KIND_NO_QUERY
// Exports a function, but not ahal_plugin_query.
extern "C" AHAL_PLUGIN_EXPORT int ahal_plugin_quarry(void) { return 0; }
#else
extern "C" AHAL_PLUGIN_EXPORT ahal_status_t ahal_plugin_query(uint32_t, ahal_plugin_api_t* out) {
#if BROKEN_KIND == KIND_QUERY_FAIL
  return AHAL_ERROR_INTERNAL;
#endif
  ahal_plugin_api_t t = {};
  t.struct_size = sizeof(t);
  t.abi_version = AHAL_PLUGIN_ABI_VERSION;
#if BROKEN_KIND == KIND_WRONG_ABI
  t.abi_version = (2u << 16) | 0u;
#endif
  t.name = BROKEN_NAME;
  t.description = "deliberately broken test plugin";
  fill_table(&t);
  const size_t n = std::min(out->struct_size, sizeof(t));
  std::memcpy(out, &t, n);
  out->struct_size = n;
  return AHAL_SUCCESS;
}
#endif
