// A deliberately broken CPU plugin, for the conformance self-test only.
// It opens the real CPU plugin (AHAL_REAL_PLUGIN), takes its dispatch
// table and replaces one entry, chosen by BROKEN_MODE_*, with a wrapper
// that breaks it. The self-test checks that ahal-conform reports each.
#include <ahal/plugin.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstring>
#include <dlfcn.h>
#include <thread>
#include <vector>

namespace {

ahal_plugin_api_t real;  // the real plugin's table

#if defined(BROKEN_MODE_COPY)
// Device-to-host copies leave out their last byte.
ahal_status_t broken_copy_d2h(ahal_plugin_stream_t* s, ahal_plugin_buffer_t* src, uint64_t offset,
                              void* dst, uint64_t size) {
  return real.stream_copy_d2h(s, src, offset, dst, size > 1 ? size - 1 : size);
}
#elif defined(BROKEN_MODE_EARLY_EVENT)
// Events say they are complete before their work is.
ahal_status_t broken_event_query(ahal_plugin_event_t*) { return AHAL_SUCCESS; }
ahal_status_t broken_event_wait(ahal_plugin_event_t*, uint64_t) { return AHAL_SUCCESS; }
#elif defined(BROKEN_MODE_BINDING_OFFSET)
// Launches bind every buffer from its start, ignoring the binding offset.
ahal_status_t broken_launch(ahal_plugin_stream_t* s, ahal_plugin_kernel_t* k,
                            const ahal_plugin_launch_t* launch) {
  std::vector<ahal_plugin_binding_t> bindings(launch->bindings,
                                              launch->bindings + launch->binding_count);
  for (ahal_plugin_binding_t& b : bindings) b.offset = 0;
  ahal_plugin_launch_t copy = *launch;
  copy.bindings = bindings.data();
  return real.stream_launch(s, k, &copy);
}
#elif defined(BROKEN_MODE_CRASH)
// Fills crash the process.
ahal_status_t broken_fill(ahal_plugin_stream_t*, ahal_plugin_buffer_t*, uint64_t, uint64_t,
                          uint32_t, uint32_t) {
  std::raise(SIGSEGV);
  return AHAL_ERROR_INTERNAL;
}
#elif defined(BROKEN_MODE_HANG)
// Stream queries never return.
ahal_status_t broken_stream_query(ahal_plugin_stream_t*) {
  for (;;) std::this_thread::sleep_for(std::chrono::hours(1));
}
#else
#error "define one BROKEN_MODE_*"
#endif

}  // namespace

extern "C" AHAL_PLUGIN_EXPORT ahal_status_t ahal_plugin_query(uint32_t loader_abi_version,
                                                              ahal_plugin_api_t* out) {
  static void* handle = dlopen(AHAL_REAL_PLUGIN, RTLD_NOW | RTLD_LOCAL);
  if (!handle) return AHAL_ERROR_NOT_FOUND;
  auto query = reinterpret_cast<ahal_plugin_query_fn>(dlsym(handle, AHAL_PLUGIN_QUERY_SYMBOL));
  if (!query) return AHAL_ERROR_INCOMPATIBLE;
  ahal_status_t s = query(loader_abi_version, out);
  if (s != AHAL_SUCCESS) return s;
  std::memcpy(&real, out, std::min(out->struct_size, sizeof(real)));
  out->name = BROKEN_NAME;
  out->description = "CPU plugin broken on purpose (conformance self-test)";
#if defined(BROKEN_MODE_COPY)
  out->stream_copy_d2h = broken_copy_d2h;
#elif defined(BROKEN_MODE_EARLY_EVENT)
  out->event_query = broken_event_query;
  out->event_wait = broken_event_wait;
#elif defined(BROKEN_MODE_BINDING_OFFSET)
  out->stream_launch = broken_launch;
#elif defined(BROKEN_MODE_CRASH)
  out->stream_fill = broken_fill;
#elif defined(BROKEN_MODE_HANG)
  out->stream_query = broken_stream_query;
#endif
  return AHAL_SUCCESS;
}
