// What layers.cpp offers layers_hooks.cpp: one traced call, the in-flight
// command tracking and the enqueue path.
#pragma once

#include <string>
#include <vector>

#include "layers.hpp"
#include "layers_state.hpp"
#include "validation.hpp"

namespace ahal {
namespace layers {

using ull = unsigned long long;

std::string hex(uint64_t handle);

// One API call through the layers: ended by done(), which traces it (and,
// under validation, reports misuse the loader refused as a finding).
class Call {
 public:
  Call(const Layers& layers, const char* fn, void* caller, uint64_t start_ns = clock_ns())
      : L_(layers), fn_(fn), caller_(caller), start_ns_(start_ns) {}

  ahal_status_t done(ahal_status_t status, const std::string& args = "", uint64_t flow = 0) const;
  uint64_t start_ns() const { return start_ns_; }

 private:
  const Layers& L_;
  const char* fn_;
  void* caller_;
  uint64_t start_ns_;
};

// What one enqueue will touch, as the layers remember it.
struct Plan {
  // Filled while the body runs: commands inside it with their end events.
  std::vector<std::pair<std::string, ahal_plugin_event_t*>>* children = nullptr;
  bool enqueues = true;  // false for no-op calls (size 0)
  std::string label;
  std::vector<uint64_t> buffers;
  uint64_t module = 0;
  const void* host = nullptr;
  uint64_t host_size = 0;
  bool host_write = false;
  std::string args;  // trace args
};

// Forgets the commands known to have completed: those up to `through`
// (a wait said so), then any whose event says so. Caller holds L.mutex.
void retire(Layers& L, StreamLayer& sl, uint64_t through = 0);
// A completed wait on an event: what its record ordered after is done.
void retire_event(Layers& L, uint64_t event);
StreamLayer* stream_by_id(Layers& L, uint64_t id);
bool holds(const Command& c, uint64_t buffer);
std::string describe(const StreamLayer& sl, const Command& c);
ahal_status_t still_in_use(const char* fn, void* caller, const std::string& what,
                           const StreamLayer& sl, const Command& c);

// The first command still in flight for which `uses` holds, on streams of
// `device` (all streams when null). Caller holds L.mutex.
template <class Pred>
const Command* in_flight(Layers& L, const Device* device, Pred uses, const StreamLayer** on) {
  for (auto& [id, sl] : L.streams) {
    if (device && sl->device != device) continue;
    retire(L, *sl);
    for (const Command& c : sl->pending)
      if (uses(c)) {
        *on = sl;
        return &c;
      }
  }
  return nullptr;
}

// A timing event of the layers' pool (tracing), recorded on `s`; null when
// none could be made or recorded.
ahal_plugin_event_t* record_timing_event(Layers& L, Device* d, Stream* s);

// Runs one enqueue: checks, the loader's own work between the layers'
// events, and the command remembered until it completes.
ahal_status_t enqueue(const char* fn, Stream* s, void* caller, const Plan& p, Body body);
std::string bytes_args(uint64_t size);
// Handle of a buffer the base will accept, or 0 (the base then refuses).
uint64_t buffer_handle(ahal_buffer_t h);
// Binding checks the base does not make: element alignment and sizes.
ahal_status_t check_launch(Layers& L, const char* fn, void* caller, const Stream* s,
                           const Kernel* k, const ahal_launch_args_t* a);
// Registers a new stream with the layers; its trace track, and the clock
// offset that turns its device timestamps into host time.
void add_stream(Layers& L, Stream* s, const char* fn, void* caller);
// The stream is gone (its work completed): its commands and events too.
void drop_stream(Layers& L, StreamLayer* sl);

}  // namespace layers
}  // namespace ahal
