// The trace file AHAL_TRACE names (docs/tracing.md): Chrome trace event
// JSON, which Perfetto and chrome://tracing open. One per process: API calls
// go on a track per host thread, device commands on a track per stream
// under a "process" per device. Events are kept in memory and the whole file
// is rewritten at each ahal_runtime_destroy and at exit.
#pragma once

#include <ahal/ahal.h>

#include <cstdint>
#include <string>

namespace ahal {
namespace trace {

// Starts tracing to `path` (the first path asked for wins), with time 0 at
// `origin_ns`; false, with a warning logged, if the file cannot be written.
bool start(const char* path, uint64_t origin_ns);
// True once start() succeeded.
bool on();

// A new "process" track group for a device; returns its pid.
uint32_t add_device(const std::string& name);
// Names the track of stream `tid` under device `pid`.
void add_stream(uint32_t pid, uint64_t tid, const std::string& name);
// An id that ties an API call to the device command it enqueued.
uint64_t next_flow();

// `args` is the inside of a JSON object ("\"bytes\": 64") or "".
void api_call(const char* function, uint64_t start_ns, uint64_t end_ns, ahal_status_t status,
              const std::string& args, uint64_t flow);
void device_command(uint32_t pid, uint64_t tid, const std::string& name, uint64_t start_ns,
                    uint64_t end_ns, const std::string& args, uint64_t flow);

// Rewrites the file with every event so far.
void write();

// JSON string literal of `text`, quotes included.
std::string quote(const std::string& text);

}  // namespace trace
}  // namespace ahal
