// What the validation and tracing layers keep per runtime (layers.cpp,
// validation.cpp). Everything here is guarded by Layers::mutex unless
// marked otherwise.
#pragma once

#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "objects.hpp"

namespace ahal {

// Where an API call came from: the application's return address and, with
// AHAL_VALIDATION_BACKTRACE=1, the whole stack outside libahal.
struct Site {
  const char* function = nullptr;
  void* caller = nullptr;
  std::vector<void*> frames;
};

// One command enqueued on a stream, until it is known to have completed.
struct Command {
  uint64_t seq = 0;  // 1, 2, ... per stream
  const char* function = nullptr;
  void* caller = nullptr;
  std::string label;                       // "launch saxpy", "copy h2d"
  std::vector<uint64_t> buffers;           // handles it reads or writes
  uint64_t module = 0;                     // handle of a launched kernel's module
  uintptr_t host_begin = 0, host_end = 0;  // host memory a copy reads or writes
  bool host_write = false;
  ahal_plugin_event_t* start = nullptr;  // tracing with device timestamps
  ahal_plugin_event_t* done = nullptr;   // recorded right after the command
  bool timing = false;                   // start and done are TIMING events
  uint64_t enqueue_ns = 0;
  uint64_t flow = 0;       // trace id that ties it to its API call
  std::string trace_args;  // inside of a JSON object
  // The commands inside a submitted command buffer, each with a timing
  // event recorded after it (replayed submissions while tracing).
  std::vector<std::pair<std::string, ahal_plugin_event_t*>> children;
};

struct StreamLayer {
  uint64_t id = 0;  // 1, 2, ... per runtime; the stream's trace track
  uint64_t handle = 0;
  Stream* stream = nullptr;
  Device* device = nullptr;
  // Keeps [start event, command, done event] of one enqueue together (not
  // under Layers::mutex; taken before it). Recursive: a plugin may run a
  // host callback, which may enqueue, inside the enqueue call.
  std::recursive_mutex order;
  uint64_t seq = 0;  // of the last command
  std::deque<Command> pending;
  // For another stream's id, the last of its commands that this stream
  // waited for (through events): later commands here come after it.
  std::unordered_map<uint64_t, uint64_t> waited;
  // Tracing: device time = origin_ns + elapsed(origin, event).
  ahal_plugin_event_t* origin = nullptr;
  uint64_t origin_ns = 0;
  uint64_t last_end_ns = 0;
  uint32_t trace_pid = 0;
};

// The last record of an event: what a wait on it orders after.
struct EventRecord {
  uint64_t stream = 0;  // stream id
  uint64_t seq = 0;
  std::vector<std::pair<uint64_t, uint64_t>> waited;
};

// An object the application created and has not destroyed.
struct Live {
  HandleType type;
  std::string what;  // "buffer 0x... (4096 bytes on cpu:0)"
  Site created;
  uint64_t order = 0;
};

// The layers' own plugin events, per device, for reuse.
struct EventPool {
  std::vector<ahal_plugin_event_t*> plain, timing;
  uint32_t trace_pid = 0;
};

struct Layers {
  Runtime* runtime = nullptr;
  bool validation = false;
  bool tracing = false;
  bool backtraces = false;  // AHAL_VALIDATION_BACKTRACE=1

  std::mutex mutex;
  std::unordered_map<uint64_t, Live> live;  // by handle
  uint64_t next_order = 0;
  std::unordered_map<uint64_t, EventRecord> events;  // by event handle
  std::unordered_set<uint64_t> warned_kernels;       // no metadata
  std::unordered_set<uint64_t> warned_dynamic;       // dynamic shared memory not given
  std::map<uint64_t, StreamLayer*> streams;          // by id
  uint64_t next_stream_id = 1;
  std::unordered_map<const Device*, EventPool> pools;
};

}  // namespace ahal
