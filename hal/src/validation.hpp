// The validation layer's findings (docs/validation.md): what it prints,
// where objects came from, and what it remembers of destroyed handles.
#pragma once

#include <string>

#include "layers_state.hpp"

namespace ahal {
namespace validation {

enum class Severity { kError, kWarning, kLeak };

// Reads AHAL_VALIDATION_ABORT once validation is first turned on.
void configure();

// Where `function` was called from (with a backtrace when asked for).
Site site(const Layers& layers, const char* function, void* caller);
// "app(main+0x1a)" for a code address.
std::string where(const void* address);

// Prints "ahal: validation <severity>: <function>: <text> [called from
// ...]" to stderr; an error aborts under AHAL_VALIDATION_ABORT=1.
void report(Severity severity, const char* function, void* caller, const std::string& text);
// An error that makes the call fail: reported, and the call's message.
ahal_status_t refuse(ahal_status_t status, const char* function, void* caller,
                     const std::string& text) AHAL_COLD;

// Live objects (caller holds layers.mutex).
void remember(Layers& layers, uint64_t handle, HandleType type, std::string what, Site created);
// The object is gone: its handle becomes a tombstone that says who
// destroyed it (caller holds layers.mutex).
void bury(Layers& layers, uint64_t handle, const char* function, void* caller);
// A tombstone for an object the layer did not track (kernels, devices).
void bury_untracked(uint64_t handle, std::string what, const char* function, void* caller);
// Where a stale handle was destroyed, or "" (any thread, no lock held).
std::string stale_handle_note(const char* function, uint64_t handle);

// At ahal_runtime_destroy: every object still alive, with where it was
// created; then their handles become tombstones (caller holds layers.mutex).
void leak_report(Layers& layers, void* caller);

}  // namespace validation
}  // namespace ahal
