// Fault injection (docs/reliability.md): AHAL_FAULT_INJECT makes the calls
// the loader makes into plugins on behalf of the API fail at chosen points,
// so tests can show every failure path reports a message, leaks nothing
// and leaves the device usable. Off by default: one relaxed load per call.
//
//   AHAL_FAULT_INJECT=<seed>:<rate>[:kinds=early,late,lost][:only=<prefix>,...]
//                     [:after=<calls>][:max=<faults>]
//
// Each call into a plugin whose API function starts with one of the `only`
// prefixes (default: every ahal_* call) fails with probability <rate>
// (0..1), after the first <after> calls and at most <max> times. Kinds:
//   early  the call fails before the plugin runs (AHAL_ERROR_PLUGIN or an
//          out-of-memory status);
//   late   the plugin runs, then the call fails anyway (a plugin failing
//          half-way: whatever it created must still be freed);
//   lost   AHAL_ERROR_DEVICE_LOST before the plugin runs.
// Teardown calls (API functions ending in _destroy or _free) are never
// faulted: a plugin's contract needs them to happen.
// The choice is a hash of <seed> and the call's number, so a single-threaded
// program fails the same calls each run.
#pragma once

#include <ahal/ahal.h>

#include <atomic>
#include <cstdint>
#include <string>

namespace ahal {

struct Plugin;

enum class Fault : uint8_t { kNone, kEarly, kLate, kLost };

struct FaultSpec {
  uint64_t seed = 0;
  double rate = 0;
  bool kinds[4] = {false, true, true, true};  // indexed by Fault
  std::string only;                           // comma-separated prefixes; "" = every ahal_ call
  uint64_t after = 0;
  uint64_t max = UINT64_MAX;
};

// Parses the variable's value; false with *error naming the problem.
bool parse_fault_spec(const char* text, FaultSpec* spec, std::string* error);

namespace faults {
extern std::atomic<bool> g_on;
inline bool on() { return g_on.load(std::memory_order_relaxed); }
// Reads AHAL_FAULT_INJECT (at each ahal_runtime_create).
void configure();
// The fault, if any, for this call of `function`.
Fault next(const char* function);
// The status and message of an injected fault.
ahal_status_t report(const char* function, const Plugin& plugin, Fault fault);
}  // namespace faults

}  // namespace ahal
