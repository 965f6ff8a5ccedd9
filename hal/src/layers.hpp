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

#include "generated/api_impl.hpp"
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
ahal_status_t guard(const char* fn, F&& f) noexcept {
  try {
    return f();
  } catch (const std::bad_alloc&) {
    return fail(AHAL_ERROR_OUT_OF_HOST_MEMORY, fn, "out of host memory (validation/tracing layer)");
  } catch (...) {
    return entry_exception(fn);
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
ahal_status_t call(Layers* layers, const char* fn, void* caller, Body body) noexcept;
// Calls that create an object: traced, and the object remembered with
// where it was made (leak report, stale handles). `*out` holds its handle
// once `body` succeeded.
ahal_status_t create(Layers* layers, const char* fn, void* caller, HandleType type,
                     const void* const* out, const Device* device, Body body) noexcept;

// The hooks of the calls with their own checks (kind "layer" in
// spec/ahal.toml) are declared in generated/api_impl.hpp.

}  // namespace layers
}  // namespace ahal
