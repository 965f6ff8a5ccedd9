// Where the validation and tracing layers (docs/validation.md,
// docs/tracing.md) hook into the loader.
//
// Every API function resolves its first handle, then, if the runtime has
// layers on, hands the whole call to the layer code, which runs its checks,
// calls the loader's own implementation (namespace base below, or a lambda)
// and records what happened. With layers off that is one load and one
// predictable branch; with the CMake option AHAL_VALIDATION_LAYER=OFF it is
// compiled out (AHAL_WITH_LAYERS 0).
#pragma once

#include <cstdint>
#include <new>

#include "objects.hpp"

#ifndef AHAL_WITH_LAYERS
#define AHAL_WITH_LAYERS 0
#endif

// The application's return address: the layers name it in their findings.
#define AHAL_CALLER __builtin_return_address(0)

#if AHAL_WITH_LAYERS
// `holder` is any loader object with a `layers` member (runtime, device);
// `call` may use `caller`, the application's return address.
#define AHAL_LAYERED(holder, call)                  \
  if (AHAL_UNLIKELY((holder)->layers != nullptr)) { \
    void* const caller = AHAL_CALLER;               \
    return call;                                    \
  }                                                 \
  static_cast<void>(0)
#else
#define AHAL_LAYERED(holder, call) static_cast<void>(holder)
#endif

// Returns `expr` (the loader's own work); with layers on, traced as an API
// call of `holder`'s runtime.
#define AHAL_RETURN_LAYERED(holder, fn, expr)                                               \
  AHAL_LAYERED(holder, ::ahal::layers::call(                                                \
                           (holder)->layers, fn, caller,                                    \
                           ::ahal::layers::Body([&]() -> ahal_status_t { return expr; }))); \
  return expr

namespace ahal {

// The loader's own implementation of the calls the layers check; each
// takes the already resolved first handle.
namespace base {
ahal_status_t buffer_destroy(const char* fn, Buffer* b);
ahal_status_t buffer_map(const char* fn, Buffer* b, uint64_t offset, uint64_t size,
                         void** out_pointer);
ahal_status_t host_free(const char* fn, HostAlloc* a);
ahal_status_t stream_destroy(const char* fn, Stream* s);
ahal_status_t stream_copy_h2d(const char* fn, Stream* s, const void* src, ahal_buffer_t dst,
                              uint64_t dst_offset, uint64_t size);
ahal_status_t stream_copy_d2h(const char* fn, Stream* s, ahal_buffer_t src, uint64_t src_offset,
                              void* dst, uint64_t size);
ahal_status_t stream_copy_d2d(const char* fn, Stream* s, ahal_buffer_t src, uint64_t src_offset,
                              ahal_buffer_t dst, uint64_t dst_offset, uint64_t size);
ahal_status_t stream_fill(const char* fn, Stream* s, ahal_buffer_t buffer, uint64_t offset,
                          uint64_t size, const void* pattern, uint32_t pattern_size);
ahal_status_t stream_launch(const char* fn, Stream* s, ahal_kernel_t kernel,
                            const ahal_launch_args_t* args);
ahal_status_t stream_host_callback(const char* fn, Stream* s, ahal_host_fn_t callback,
                                   void* user_data);
ahal_status_t stream_record_event(const char* fn, Stream* s, ahal_event_t event);
ahal_status_t stream_wait_event(const char* fn, Stream* s, ahal_event_t event);
ahal_status_t stream_synchronize(const char* fn, Stream* s);
ahal_status_t stream_query(const char* fn, Stream* s);
ahal_status_t event_destroy(const char* fn, Event* e);
ahal_status_t event_query(const char* fn, Event* e);
ahal_status_t event_wait(const char* fn, Event* e, uint64_t timeout_ns);
ahal_status_t module_destroy(const char* fn, Module* m);
ahal_status_t device_synchronize(const char* fn, Device* d);
}  // namespace base

namespace layers {

// A non-owning reference to the loader's work for one call (a lambda that
// outlives the call).
class Body {
 public:
  template <class F>
  explicit Body(F&& f)
      : run_([](void* body) -> ahal_status_t { return (*static_cast<F*>(body))(); }),
        f_(const_cast<void*>(static_cast<const void*>(&f))) {}
  ahal_status_t operator()() const { return run_(f_); }

 private:
  ahal_status_t (*run_)(void*);
  void* f_;
};

uint64_t clock_ns();

// Runs a layered call (every entry below does): memory running out inside
// the layers is a status, never an exception through the C API.
template <class F>
ahal_status_t guard(const char* fn, F&& f) {
  try {
    return f();
  } catch (const std::bad_alloc&) {
    return fail(AHAL_ERROR_OUT_OF_HOST_MEMORY, fn, "out of host memory (validation/tracing layer)");
  }
}

// ahal_runtime_create: turns the layers on when the flags or the
// environment ask (AHAL_VALIDATION, AHAL_TRACE); `start_ns` is when the
// call began, for its trace event.
void attach(Runtime* rt, uint32_t flags, const char* fn, void* caller, uint64_t start_ns);
// ahal_runtime_destroy, before the loader frees anything: the leak report,
// the last device commands traced, the layers' own plugin objects freed.
void before_runtime_destroy(Runtime* rt, void* caller);
// ... and after: the trace event of the call, the trace file written.
void after_runtime_destroy(Layers* layers, const char* fn, uint64_t start_ns);

// invalid_handle()'s cold path: traces the failed call (tracing), and says
// where a stale handle was destroyed (validation); "" if nothing is known.
std::string on_invalid_handle(const char* fn, uint64_t handle);

// Calls without their own checks: traced only.
ahal_status_t call(Layers* layers, const char* fn, void* caller, Body body);
// Calls that create an object: traced, and the object remembered with
// where it was made (leak report, stale handles). `*out` holds its handle
// once `body` succeeded.
ahal_status_t create(Layers* layers, const char* fn, void* caller, HandleType type,
                     const void* const* out, const Device* device, Body body);

ahal_status_t buffer_destroy(const char* fn, Buffer* b, void* caller);
ahal_status_t buffer_map(const char* fn, Buffer* b, uint64_t offset, uint64_t size,
                         void** out_pointer, void* caller);
ahal_status_t host_free(const char* fn, HostAlloc* a, void* caller);
ahal_status_t stream_create(const char* fn, Device* d, const ahal_stream_args_t* args,
                            ahal_stream_t* out_stream, void* caller, Body body);
ahal_status_t stream_destroy(const char* fn, Stream* s, void* caller);
ahal_status_t stream_copy_h2d(const char* fn, Stream* s, const void* src, ahal_buffer_t dst,
                              uint64_t dst_offset, uint64_t size, void* caller);
ahal_status_t stream_copy_d2h(const char* fn, Stream* s, ahal_buffer_t src, uint64_t src_offset,
                              void* dst, uint64_t size, void* caller);
ahal_status_t stream_copy_d2d(const char* fn, Stream* s, ahal_buffer_t src, uint64_t src_offset,
                              ahal_buffer_t dst, uint64_t dst_offset, uint64_t size, void* caller);
ahal_status_t stream_fill(const char* fn, Stream* s, ahal_buffer_t buffer, uint64_t offset,
                          uint64_t size, const void* pattern, uint32_t pattern_size, void* caller);
ahal_status_t stream_launch(const char* fn, Stream* s, ahal_kernel_t kernel,
                            const ahal_launch_args_t* args, void* caller);
ahal_status_t stream_host_callback(const char* fn, Stream* s, ahal_host_fn_t callback,
                                   void* user_data, void* caller);
ahal_status_t stream_record_event(const char* fn, Stream* s, ahal_event_t event, void* caller);
ahal_status_t stream_wait_event(const char* fn, Stream* s, ahal_event_t event, void* caller);
ahal_status_t stream_synchronize(const char* fn, Stream* s, void* caller);
ahal_status_t stream_query(const char* fn, Stream* s, void* caller);
ahal_status_t event_destroy(const char* fn, Event* e, void* caller);
ahal_status_t event_query(const char* fn, Event* e, void* caller);
ahal_status_t event_wait(const char* fn, Event* e, uint64_t timeout_ns, void* caller);
ahal_status_t module_destroy(const char* fn, Module* m, void* caller);
ahal_status_t device_synchronize(const char* fn, Device* d, void* caller);

}  // namespace layers
}  // namespace ahal
