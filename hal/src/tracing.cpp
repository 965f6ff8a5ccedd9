#include "tracing.hpp"

#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <vector>

#include "host_services.hpp"
#include "status.hpp"

namespace ahal {
namespace trace {
namespace {

// Device pids start above any Linux pid (pid_max is at most 2^22), so they
// never collide with the process's own.
constexpr uint32_t kFirstDevicePid = 1u << 24;

struct State {
  std::mutex mutex;
  std::string path;
  std::vector<std::string> events;  // JSON objects
  bool dirty = false;
  uint32_t next_pid = kFirstDevicePid;
  std::atomic<uint64_t> next_flow{1};
  uint64_t origin_ns = 0;  // ts 0 of the file
  uint32_t pid = 0;
};

// Never destroyed: the exit handler and late threads may still use it.
State* g_state = nullptr;
std::atomic<bool> g_on{false};
std::once_flag g_once;

// Microseconds since the file's origin, as Chrome's "ts" and "dur" want.
std::string micros(int64_t ns) { return format("%.3f", double(ns) / 1000.0); }

std::string ts(uint64_t ns) { return micros(int64_t(ns) - int64_t(g_state->origin_ns)); }

uint64_t thread_id() {
  thread_local const uint64_t tid = uint64_t(syscall(SYS_gettid));
  return tid;
}

void add(std::string event) {
  std::lock_guard<std::mutex> lock(g_state->mutex);
  g_state->events.push_back(std::move(event));
  g_state->dirty = true;
}

std::string process_name() {
  std::FILE* f = std::fopen("/proc/self/comm", "r");
  char name[64] = "";
  if (f) {
    if (!std::fgets(name, sizeof(name), f)) name[0] = '\0';
    std::fclose(f);
  }
  std::string text = name;
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return text.empty() ? "process" : text;
}

// The first API call on a thread names its track.
void name_this_thread() {
  thread_local bool named = false;
  if (named) return;
  named = true;
  char name[32] = "";
  pthread_getname_np(pthread_self(), name, sizeof(name));
  const uint64_t tid = thread_id();
  std::string label = format("thread %llu", (unsigned long long)tid);
  if (name[0]) label += std::string(" (") + name + ")";
  add(
      format("{\"name\": \"thread_name\", \"ph\": \"M\", \"pid\": %u, \"tid\": %llu, "
             "\"args\": {\"name\": %s}}",
             g_state->pid, (unsigned long long)tid, quote(label).c_str()));
}

void write_at_exit() {
  if (!g_on.load()) return;
  bool dirty;
  {
    std::lock_guard<std::mutex> lock(g_state->mutex);
    dirty = g_state->dirty;
  }
  if (dirty) write();
}

}  // namespace

std::string quote(const std::string& text) {
  std::string out = "\"";
  for (const char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20)
          out += format("\\u%04x", unsigned(static_cast<unsigned char>(c)));
        else
          out += c;
    }
  }
  return out + "\"";
}

bool start(const char* path, uint64_t origin_ns) {
  bool ok = true;
  std::call_once(g_once, [&] {
    // Fail early, and visibly, when the file cannot be written.
    std::FILE* f = std::fopen(path, "w");
    if (!f) {
      log(AHAL_LOG_WARNING, "trace", "AHAL_TRACE=%s: cannot write the file; tracing is off", path);
      ok = false;
      return;
    }
    std::fclose(f);
    g_state = new State;
    g_state->path = path;
    g_state->origin_ns = origin_ns;
    g_state->pid = uint32_t(getpid());
    g_state->events.push_back(
        format("{\"name\": \"process_name\", \"ph\": \"M\", \"pid\": %u, \"args\": {\"name\": %s}}",
               g_state->pid, quote(process_name() + " (host API calls)").c_str()));
    g_on.store(true);
    std::atexit(write_at_exit);
  });
  return ok && g_on.load();
}

bool on() { return g_on.load(std::memory_order_relaxed); }

uint32_t add_device(const std::string& name) {
  uint32_t pid;
  {
    std::lock_guard<std::mutex> lock(g_state->mutex);
    pid = g_state->next_pid++;
  }
  add(format("{\"name\": \"process_name\", \"ph\": \"M\", \"pid\": %u, \"args\": {\"name\": %s}}",
             pid, quote(name).c_str()));
  // Device tracks below the host's.
  add(
      format("{\"name\": \"process_sort_index\", \"ph\": \"M\", \"pid\": %u, "
             "\"args\": {\"sort_index\": %u}}",
             pid, pid - kFirstDevicePid + 1));
  return pid;
}

void add_stream(uint32_t pid, uint64_t tid, const std::string& name) {
  add(
      format("{\"name\": \"thread_name\", \"ph\": \"M\", \"pid\": %u, \"tid\": %llu, "
             "\"args\": {\"name\": %s}}",
             pid, (unsigned long long)tid, quote(name).c_str()));
}

uint64_t next_flow() { return g_state->next_flow.fetch_add(1, std::memory_order_relaxed); }

void api_call(const char* function, uint64_t start_ns, uint64_t end_ns, ahal_status_t status,
              const std::string& args, uint64_t flow) {
  name_this_thread();
  const unsigned long long tid = thread_id();
  const uint64_t dur = end_ns > start_ns ? end_ns - start_ns : 0;
  add(
      format("{\"name\": \"%s\", \"cat\": \"api\", \"ph\": \"X\", \"ts\": %s, \"dur\": %s, "
             "\"pid\": %u, \"tid\": %llu, \"args\": {\"status\": \"%s\"%s%s}}",
             function, ts(start_ns).c_str(), micros(int64_t(dur)).c_str(), g_state->pid, tid,
             ahal_status_string(status), args.empty() ? "" : ", ", args.c_str()));
  if (flow)
    add(
        format("{\"name\": \"enqueue\", \"cat\": \"flow\", \"ph\": \"s\", \"id\": %llu, "
               "\"ts\": %s, \"pid\": %u, \"tid\": %llu}",
               (unsigned long long)flow, ts(start_ns + dur / 2).c_str(), g_state->pid, tid));
}

void device_command(uint32_t pid, uint64_t tid, const std::string& name, uint64_t start_ns,
                    uint64_t end_ns, const std::string& args, uint64_t flow) {
  const uint64_t dur = end_ns > start_ns ? end_ns - start_ns : 0;
  add(
      format("{\"name\": %s, \"cat\": \"device\", \"ph\": \"X\", \"ts\": %s, \"dur\": %s, "
             "\"pid\": %u, \"tid\": %llu, \"args\": {%s}}",
             quote(name).c_str(), ts(start_ns).c_str(), micros(int64_t(dur)).c_str(), pid,
             (unsigned long long)tid, args.c_str()));
  if (flow)
    add(
        format("{\"name\": \"enqueue\", \"cat\": \"flow\", \"ph\": \"f\", \"bp\": \"e\", "
               "\"id\": %llu, \"ts\": %s, \"pid\": %u, \"tid\": %llu}",
               (unsigned long long)flow, ts(start_ns).c_str(), pid, (unsigned long long)tid));
}

void write() {
  std::lock_guard<std::mutex> lock(g_state->mutex);
  // Written beside the target and renamed, so a reader never sees half a file.
  const std::string temp = g_state->path + ".tmp";
  std::FILE* f = std::fopen(temp.c_str(), "w");
  if (!f) {
    log(AHAL_LOG_WARNING, "trace", "cannot write %s", temp.c_str());
    return;
  }
  std::fputs("{\"displayTimeUnit\": \"ns\", \"traceEvents\": [\n", f);
  for (size_t i = 0; i < g_state->events.size(); ++i) {
    std::fputs(g_state->events[i].c_str(), f);
    std::fputs(i + 1 < g_state->events.size() ? ",\n" : "\n", f);
  }
  std::fputs("]}\n", f);
  const bool ok = std::fclose(f) == 0;
  if (!ok || std::rename(temp.c_str(), g_state->path.c_str()) != 0) {
    log(AHAL_LOG_WARNING, "trace", "cannot write %s", g_state->path.c_str());
    std::remove(temp.c_str());
    return;
  }
  g_state->dirty = false;
}

}  // namespace trace
}  // namespace ahal
