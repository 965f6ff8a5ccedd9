// Command buffers (docs/command-buffers.md): commands recorded once,
// checked as a stream checks them, then submitted any number of times —
// through the plugin's native form where it has one, else replayed by the
// loader through the plugin's stream entries.
#pragma once

#include <mutex>
#include <string>
#include <vector>

#include "objects.hpp"

namespace ahal {

// One recorded command: what the plugin gets (`cmd`, whose pointers point
// into this object), and what the loader keeps to check, trace and free.
struct RecordedCommand {
  ahal_plugin_command_t cmd = {};
  std::vector<ahal_plugin_binding_t> bindings;
  std::vector<uint8_t> constants;
  std::string label;             // "launch saxpy", "copy h2d"
  Kernel* kernel = nullptr;      // launch
  ahal_launch_args_t args = {};  // launch, as recorded (for updates)
  std::vector<ahal_binding_t> api_bindings;
  Event* event = nullptr;          // record/wait
  std::vector<Buffer*> buffers;    // each counted in Buffer::command_refs
  std::vector<uint64_t> handles;   // of `buffers`, for the validation layer
  const char* function = nullptr;  // the recording call, for messages
};

struct CommandBuffer {
  uint64_t handle = 0;
  Device* device = nullptr;
  uint32_t flags = 0;
  // Guards everything below: recording, finalize, submissions, updates.
  std::mutex mutex;
  bool finalized = false;
  std::vector<RecordedCommand> commands;
  // The events `commands` record, listed at finalize so that a submission
  // marks them recorded without walking every command.
  std::vector<Event*> recorded_events;
  ahal_plugin_command_buffer_t* native = nullptr;  // null: the loader replays
  // Recorded after every submission: orders the next one after it, and
  // says whether one is still in flight.
  ahal_plugin_event_t* done = nullptr;
  bool submitted = false;
  Stream* last_stream = nullptr;
  uint64_t submissions = 0;
};

// Sees each command of an emulated submission (the tracing layer times them).
class ReplayObserver {
 public:
  virtual ~ReplayObserver() = default;
  virtual void before(const RecordedCommand& c, uint32_t index) = 0;
  virtual void after(const RecordedCommand& c, uint32_t index) = 0;
};

// ahal_stream_submit's work; `observer` may be null. Caller checked that
// `cb` belongs to the stream's device.
ahal_status_t submit_command_buffer(const char* fn, Stream* s, CommandBuffer* cb,
                                    ReplayObserver* observer);
// True while a submission of `cb` has not completed. Caller holds cb->mutex.
bool command_buffer_in_flight(CommandBuffer* cb);
// Frees a command buffer whose handle is gone (after its work completed).
void release_command_buffer(CommandBuffer* cb);

}  // namespace ahal
