// The validation and tracing layers (docs/validation.md, docs/tracing.md):
// each API call the loader hands over is checked (validation), timed
// (tracing) and passed to the loader's own implementation. Commands on
// streams are remembered, each followed by an event of the layers' own,
// until that event shows they completed: that is what in-flight checks and
// device-side trace events are built on.
#include "layers.hpp"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>

#include "environment.hpp"
#include "host_services.hpp"
#include "internal.hpp"
#include "layers_state.hpp"
#include "tracing.hpp"
#include "validation.hpp"

namespace ahal {
namespace layers {
namespace {

using ull = unsigned long long;
using validation::refuse;

bool env_flag(const char* name) { return environment_flag(name); }

// The layers' own plugin calls never touch the caller's error message.
template <class F>
bool quietly(F&& f) {
  try {
    return f() == AHAL_SUCCESS;
  } catch (...) {
    return false;
  }
}

template <class F>
void quietly_void(F&& f) {
  try {
    f();
  } catch (...) {
  }
}

std::string hex(uint64_t handle) { return format("0x%llx", (ull)handle); }

// Misuse the loader itself refuses (bad arguments, wrong state): under
// validation a finding too, unless a layer check already reported it.
bool misuse(ahal_status_t status) {
  return status == AHAL_ERROR_INVALID_ARGUMENT || status == AHAL_ERROR_OUT_OF_RANGE ||
         status == AHAL_ERROR_INVALID_STATE;
}

// One API call through the layers: ended by done(), which traces it.
class Call {
 public:
  Call(const Layers& layers, const char* fn, void* caller, uint64_t start_ns = clock_ns())
      : L_(layers), fn_(fn), caller_(caller), start_ns_(start_ns) {}

  ahal_status_t done(ahal_status_t status, const std::string& args = "", uint64_t flow = 0) const {
    if (L_.validation && misuse(status)) {
      const char* message = ahal_last_error_message();
      const size_t n = std::strlen(fn_);
      if (std::strncmp(message, fn_, n) == 0 && std::strncmp(message + n, ": ", 2) == 0 &&
          std::strncmp(message + n + 2, "validation: ", 12) != 0)
        validation::report(validation::Severity::kError, fn_, caller_, message + n + 2);
    }
    if (L_.tracing) trace::api_call(fn_, start_ns_, clock_ns(), status, args, flow);
    return status;
  }
  uint64_t start_ns() const { return start_ns_; }

 private:
  const Layers& L_;
  const char* fn_;
  void* caller_;
  uint64_t start_ns_;
};

// ---------------------------------------------------------------- events

ahal_plugin_event_t* take_event(Layers& L, Device* d, bool timing) {
  EventPool& pool = L.pools[d];
  std::vector<ahal_plugin_event_t*>& free = timing ? pool.timing : pool.plain;
  if (!free.empty()) {
    ahal_plugin_event_t* e = free.back();
    free.pop_back();
    return e;
  }
  ahal_plugin_event_t* e = nullptr;
  if (!quietly([&] { return d->api->event_create(d->object, timing ? AHAL_EVENT_TIMING : 0, &e); }))
    return nullptr;
  return e;
}

void give_event(Layers& L, Device* d, ahal_plugin_event_t* e, bool timing) {
  if (!e) return;
  EventPool& pool = L.pools[d];
  (timing ? pool.timing : pool.plain).push_back(e);
}

bool record(Device* d, Stream* s, ahal_plugin_event_t* e) {
  return quietly([&] { return d->api->stream_record_event(s->object, e); });
}

// ------------------------------------------------------ command tracking

bool completed(const StreamLayer& sl, const Command& c) {
  if (!c.done) return false;
  const Device* d = sl.device;
  ahal_status_t status = AHAL_NOT_READY;
  quietly_void([&] { status = d->api->event_query(c.done); });
  // A failed query (a lost device) means nothing more will happen either.
  return status != AHAL_NOT_READY;
}

// Trace event of a completed command: device timestamps where there are
// some, else what the host saw.
void trace_command(StreamLayer& sl, const Command& c) {
  uint64_t start = 0, end = 0;
  bool timed = false;
  if (c.timing && c.start && c.done && sl.origin) {
    const Device* d = sl.device;
    uint64_t a = 0, b = 0;
    timed = quietly([&] { return d->api->event_elapsed_ns(sl.origin, c.start, &a); }) &&
            quietly([&] { return d->api->event_elapsed_ns(sl.origin, c.done, &b); });
    start = sl.origin_ns + a;
    end = sl.origin_ns + b;
  }
  if (!timed) {
    end = clock_ns();
    start = std::min(std::max(c.enqueue_ns, sl.last_end_ns), end);
  }
  sl.last_end_ns = end;
  trace::device_command(sl.trace_pid, sl.id, c.label, start, end, c.trace_args, c.flow);
}

void finish(Layers& L, StreamLayer& sl, Command& c) {
  if (L.tracing) trace_command(sl, c);
  give_event(L, sl.device, c.start, c.timing);
  give_event(L, sl.device, c.done, c.timing);
}

// Forgets the commands known to have completed: those up to `through`
// (a wait said so), then any whose event says so.
void retire(Layers& L, StreamLayer& sl, uint64_t through = 0) {
  while (!sl.pending.empty()) {
    Command& c = sl.pending.front();
    if (c.seq > through && !completed(sl, c)) break;
    finish(L, sl, c);
    sl.pending.pop_front();
  }
}

StreamLayer* stream_by_id(Layers& L, uint64_t id) {
  auto it = L.streams.find(id);
  return it == L.streams.end() ? nullptr : it->second;
}

// A completed wait on an event: what its record ordered after is done.
void retire_event(Layers& L, uint64_t event) {
  auto it = L.events.find(event);
  if (it == L.events.end()) return;
  const EventRecord& r = it->second;
  if (StreamLayer* sl = stream_by_id(L, r.stream)) retire(L, *sl, r.seq);
  for (const auto& [id, seq] : r.waited)
    if (StreamLayer* sl = stream_by_id(L, id)) retire(L, *sl, seq);
}

std::string describe(const StreamLayer& sl, const Command& c) {
  return format("%s #%llu on stream %s (%s, called from %s)", c.function, (ull)c.seq,
                hex(sl.handle).c_str(), c.label.c_str(), validation::where(c.caller).c_str());
}

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

bool holds(const Command& c, uint64_t buffer) {
  return std::find(c.buffers.begin(), c.buffers.end(), buffer) != c.buffers.end();
}

ahal_status_t still_in_use(const char* fn, void* caller, const std::string& what,
                           const StreamLayer& sl, const Command& c) {
  return refuse(AHAL_ERROR_INVALID_STATE, fn, caller,
                format("%s is still in use by %s, which has not completed; wait for it first "
                       "(ahal_stream_synchronize, or ahal_event_wait on an event recorded after "
                       "it)",
                       what.c_str(), describe(sl, c).c_str()));
}

// ------------------------------------------------------------- enqueues

// What one enqueue will touch, as the layers remember it.
struct Plan {
  bool enqueues = true;  // false for no-op calls (size 0)
  std::string label;
  std::vector<uint64_t> buffers;
  uint64_t module = 0;
  const void* host = nullptr;
  uint64_t host_size = 0;
  bool host_write = false;
  std::string args;  // trace args
};

// Host memory that a command on another stream still uses, with a write on
// either side, and no wait that orders this stream after it: a race.
ahal_status_t check_host_race(Layers& L, const char* fn, void* caller, StreamLayer& me,
                              const Plan& p) {
  const uintptr_t begin = reinterpret_cast<uintptr_t>(p.host);
  const uintptr_t end = begin + p.host_size;
  for (auto& [id, other] : L.streams) {
    if (other == &me) continue;
    retire(L, *other);
    auto w = me.waited.find(id);
    const uint64_t ordered = w == me.waited.end() ? 0 : w->second;
    for (const Command& c : other->pending) {
      if (c.seq <= ordered || c.host_end <= begin || end <= c.host_begin) continue;
      if (!c.host_write && !p.host_write) continue;
      return refuse(
          AHAL_ERROR_INVALID_STATE, fn, caller,
          format("host memory [%p, +%llu) that this call %s is still %s by %s, which has not "
                 "completed, and this stream does not wait for it; record an event after it and "
                 "ahal_stream_wait_event (or wait on the host) first",
                 p.host, (ull)p.host_size, p.host_write ? "writes" : "reads",
                 c.host_write ? "written" : "read", describe(*other, c).c_str()));
    }
  }
  return AHAL_SUCCESS;
}

// Runs one enqueue: checks, the loader's own work between the layers'
// events, and the command remembered until it completes.
ahal_status_t enqueue(const char* fn, Stream* s, void* caller, const Plan& p, Body body) {
  Device* d = s->device;
  Layers& L = *d->layers;
  Call call(L, fn, caller);
  StreamLayer* sl = s->layer;
  if (!sl) return call.done(body());
  std::lock_guard<std::recursive_mutex> order(sl->order);
  const bool timing = L.tracing && sl->origin;
  ahal_plugin_event_t* start = nullptr;
  if (p.enqueues && (p.host_size || timing)) {
    std::lock_guard<std::mutex> lock(L.mutex);
    if (L.validation && p.host_size) {
      if (ahal_status_t st = check_host_race(L, fn, caller, *sl, p)) return call.done(st);
    }
    if (timing) {
      start = take_event(L, d, true);
      if (start && !record(d, s, start)) {
        give_event(L, d, start, true);
        start = nullptr;
      }
    }
  }
  const ahal_status_t status = body();
  uint64_t flow = 0;
  {
    std::lock_guard<std::mutex> lock(L.mutex);
    if (status != AHAL_SUCCESS || !p.enqueues) {
      give_event(L, d, start, true);
      return call.done(status);
    }
    Command c;
    c.seq = ++sl->seq;
    c.function = fn;
    c.caller = caller;
    c.label = p.label;
    c.buffers = p.buffers;
    c.module = p.module;
    c.host_begin = reinterpret_cast<uintptr_t>(p.host);
    c.host_end = c.host_begin + p.host_size;
    c.host_write = p.host_write;
    c.timing = timing;
    c.start = start;
    c.done = take_event(L, d, timing);
    if (c.done && !record(d, s, c.done)) {
      give_event(L, d, c.done, timing);
      c.done = nullptr;
    }
    c.enqueue_ns = call.start_ns();
    if (L.tracing) {
      c.flow = flow = trace::next_flow();
      c.trace_args = p.args;
    }
    sl->pending.push_back(std::move(c));
    retire(L, *sl);
  }
  return call.done(status, L.tracing ? format("\"stream\": %llu", (ull)sl->id) : "", flow);
}

std::string bytes_args(uint64_t size) { return format("\"bytes\": %llu", (ull)size); }

// Handle of a buffer the base will accept, or 0 (the base then refuses).
uint64_t buffer_handle(ahal_buffer_t h) {
  const Buffer* b = get(h);
  return b ? b->handle : 0;
}

// Binding checks the base does not make: element alignment and sizes.
ahal_status_t check_launch(Layers& L, const char* fn, void* caller, const Stream* s,
                           const Kernel* k, const ahal_launch_args_t* a) {
  {
    std::lock_guard<std::mutex> lock(L.mutex);
    if (!k->attributes.has_metadata && L.warned_kernels.insert(k->handle).second)
      validation::report(validation::Severity::kWarning, fn, caller,
                         format("kernel \"%s\" has no metadata, so its binding count and "
                                "constants size cannot be checked (load it from a bundle, or give "
                                "kernel_infos in ahal_module_args_t)",
                                k->name.c_str()));
    if (k->attributes.has_metadata && (k->attributes.flags & AHAL_KERNEL_USES_DYNAMIC_SHARED) &&
        a->dynamic_shared_bytes == 0 && L.warned_dynamic.insert(k->handle).second)
      validation::report(validation::Severity::kWarning, fn, caller,
                         format("kernel \"%s\" takes dynamic shared memory but the launch gives "
                                "dynamic_shared_bytes 0",
                                k->name.c_str()));
  }
  for (uint32_t i = 0; i < a->binding_count; ++i) {
    const ahal_binding_t& bind = a->bindings[i];
    const Buffer* b = get(bind.buffer);
    if (!b || b->device != s->device || bind.offset >= b->size || bind.size > b->size - bind.offset)
      continue;
    const uint64_t size = bind.size ? bind.size : b->size - bind.offset;
    if (bind.offset % 4)
      return refuse(AHAL_ERROR_INVALID_ARGUMENT, fn, caller,
                    format("kernel \"%s\" binding %u: offset %llu is not a multiple of 4 (kernels "
                           "address bindings in 4-byte elements)",
                           k->name.c_str(), i, (ull)bind.offset));
    if (size % 4)
      return refuse(
          AHAL_ERROR_INVALID_ARGUMENT, fn, caller,
          format("kernel \"%s\" binding %u: size %llu%s is not a multiple of 4 (kernels "
                 "address bindings in 4-byte elements)",
                 k->name.c_str(), i, (ull)size, bind.size ? "" : " (to the buffer's end)"));
  }
  return AHAL_SUCCESS;
}

// Registers a new stream with the layers; its trace track, and the clock
// offset that turns its device timestamps into host time.
void add_stream(Layers& L, Stream* s, const char* fn, void* caller) {
  Device* d = s->device;
  auto sl = std::make_unique<StreamLayer>();
  sl->handle = s->handle;
  sl->stream = s;
  sl->device = d;
  std::lock_guard<std::mutex> lock(L.mutex);
  sl->id = L.next_stream_id++;
  if (L.tracing) {
    EventPool& pool = L.pools[d];
    if (!pool.trace_pid)
      pool.trace_pid =
          trace::add_device(format("device %s (%s)", d->properties.selector, d->properties.name));
    sl->trace_pid = pool.trace_pid;
    trace::add_stream(sl->trace_pid, sl->id,
                      format("stream %llu (%s)", (ull)sl->id, hex(s->handle).c_str()));
    if (d->properties.features & AHAL_FEATURE_TIMESTAMPS) {
      ahal_plugin_event_t* origin = take_event(L, d, true);
      const uint64_t before = clock_ns();
      if (origin && record(d, s, origin) &&
          quietly([&] { return d->api->event_wait(origin, UINT64_MAX); })) {
        sl->origin = origin;
        sl->origin_ns = before + (clock_ns() - before) / 2;
      } else {
        give_event(L, d, origin, true);
      }
    }
  }
  if (L.validation)
    validation::remember(L, s->handle, HandleType::kStream,
                         format("stream %s on %s", hex(s->handle).c_str(), d->properties.selector),
                         validation::site(L, fn, caller));
  s->layer = sl.get();
  const uint64_t id = sl->id;
  L.streams[id] = sl.release();
}

// The stream is gone (its work completed): its commands and events too.
void drop_stream(Layers& L, StreamLayer* sl) {
  retire(L, *sl, sl->seq);
  give_event(L, sl->device, sl->origin, true);
  L.streams.erase(sl->id);
  delete sl;
}

std::string describe_new(HandleType type, uint64_t handle, const Device* d) {
  const char* on = d->properties.selector;
  switch (type) {
    case HandleType::kBuffer:
      if (const Buffer* b = lookup<Buffer>(to_handle<void*>(handle), type))
        return format("buffer %s (%llu bytes on %s)", hex(handle).c_str(), (ull)b->size, on);
      break;
    case HandleType::kHostAlloc:
      if (const HostAlloc* a = lookup<HostAlloc>(to_handle<void*>(handle), type))
        return format("host allocation %s (%llu bytes at %p, for %s)", hex(handle).c_str(),
                      (ull)a->size, a->pointer, on);
      break;
    case HandleType::kEvent:
      if (const Event* e = lookup<Event>(to_handle<void*>(handle), type))
        return format("event %s (%son %s)", hex(handle).c_str(),
                      (e->flags & AHAL_EVENT_TIMING) ? "timing, " : "", on);
      break;
    case HandleType::kModule:
      if (const Module* m = lookup<Module>(to_handle<void*>(handle), type))
        return format("module %s (%s on %s)", hex(handle).c_str(),
                      ahal_module_format_name(m->format), on);
      break;
    default:
      break;
  }
  return format("%s %s on %s", handle_type_name(type), hex(handle).c_str(), on);
}

}  // namespace

uint64_t clock_ns() {
  return uint64_t(std::chrono::duration_cast<std::chrono::nanoseconds>(
                      std::chrono::steady_clock::now().time_since_epoch())
                      .count());
}

// ------------------------------------------------------------- runtime

void attach(Runtime* rt, uint32_t flags, const char* fn, void* caller, uint64_t start_ns) {
  const bool validation = (flags & AHAL_RUNTIME_VALIDATION) || env_flag("AHAL_VALIDATION");
  const char* path = environment("AHAL_TRACE");
  const bool tracing = path && trace::start(path, start_ns);
  if (!validation && !tracing) return;
  auto* L = new Layers;
  L->runtime = rt;
  L->validation = validation;
  L->tracing = tracing;
  L->backtraces = validation && env_flag("AHAL_VALIDATION_BACKTRACE");
  if (validation) validation::configure();
  rt->layers = L;
  for (auto& d : rt->devices) d->layers = L;
  log(AHAL_LOG_INFO, "loader", "runtime %s:%s%s", hex(rt->handle).c_str(),
      validation ? " validation on" : "", tracing ? " tracing on" : "");
  Call(*L, fn, caller, start_ns).done(AHAL_SUCCESS);
}

void before_runtime_destroy(Runtime* rt, void* caller) {
  Layers& L = *rt->layers;
  try {
    std::lock_guard<std::mutex> lock(L.mutex);
    if (L.validation) validation::leak_report(L, caller);
  } catch (const std::bad_alloc&) {
    log(AHAL_LOG_ERROR, "validation", "out of host memory: no leak report");
  }
  // Every command completes, so its trace event has its times.
  std::vector<StreamLayer*> streams;
  {
    std::lock_guard<std::mutex> lock(L.mutex);
    for (auto& [id, sl] : L.streams) streams.push_back(sl);
  }
  for (StreamLayer* sl : streams)
    quietly([&] { return sl->device->api->stream_synchronize(sl->stream->object); });
  std::lock_guard<std::mutex> lock(L.mutex);
  for (StreamLayer* sl : streams) {
    sl->stream->layer = nullptr;
    drop_stream(L, sl);
  }
  for (auto& [device, pool] : L.pools) {
    for (auto* list : {&pool.plain, &pool.timing})
      for (ahal_plugin_event_t* e : *list)
        quietly_void(
            [&, d = device] { d->api->event_destroy(e); });  // clang 14: no binding captures
    pool.plain.clear();
    pool.timing.clear();
  }
  for (auto& d : rt->devices) {
    d->layers = nullptr;
    if (L.validation)
      validation::bury_untracked(
          d->handle, format("device %s (%s)", hex(d->handle).c_str(), d->properties.selector),
          "ahal_runtime_destroy", caller);
  }
  if (L.validation)
    validation::bury_untracked(rt->handle, "runtime " + hex(rt->handle), "ahal_runtime_destroy",
                               caller);
  rt->layers = nullptr;
}

void after_runtime_destroy(Layers* layers, const char* fn, uint64_t start_ns) {
  try {
    Call(*layers, fn, nullptr, start_ns).done(AHAL_SUCCESS);
    if (layers->tracing) trace::write();
  } catch (const std::bad_alloc&) {
    log(AHAL_LOG_ERROR, "trace", "out of host memory: trace not written");
  }
  delete layers;
}

std::string on_invalid_handle(const char* fn, uint64_t handle) {
  if (trace::on()) {
    const uint64_t now = clock_ns();
    trace::api_call(fn, now, now, AHAL_ERROR_INVALID_HANDLE, "", 0);
  }
  return validation::stale_handle_note(fn, handle);
}

// --------------------------------------------------------- plain calls

ahal_status_t call(Layers* layers, const char* fn, void* caller, Body body) {
  return guard(fn, [&]() -> ahal_status_t {
    Call call(*layers, fn, caller);
    return call.done(body());
  });
}

ahal_status_t create(Layers* layers, const char* fn, void* caller, HandleType type,
                     const void* const* out, const Device* device, Body body) {
  return guard(fn, [&]() -> ahal_status_t {
    Layers& L = *layers;
    Call call(L, fn, caller);
    const ahal_status_t status = body();
    if (status == AHAL_SUCCESS && L.validation) {
      const uint64_t handle = reinterpret_cast<uintptr_t>(*out);
      std::string what = describe_new(type, handle, device);
      std::lock_guard<std::mutex> lock(L.mutex);
      validation::remember(L, handle, type, std::move(what), validation::site(L, fn, caller));
    }
    return call.done(status);
  });
}

// ------------------------------------------------------------- memory

ahal_status_t buffer_destroy(const char* fn, Buffer* b, void* caller) {
  return guard(fn, [&]() -> ahal_status_t {
    Layers& L = *b->device->layers;
    Call call(L, fn, caller);
    const uint64_t h = b->handle;
    if (L.validation) {
      std::lock_guard<std::mutex> lock(L.mutex);
      const StreamLayer* sl = nullptr;
      if (const Command* c = in_flight(
              L, b->device, [&](const Command& x) { return holds(x, h); }, &sl))
        return call.done(still_in_use(fn, caller, "buffer " + hex(h), *sl, *c));
    }
    const ahal_status_t status = base::buffer_destroy(fn, b);
    if (status == AHAL_SUCCESS && L.validation) {
      std::lock_guard<std::mutex> lock(L.mutex);
      validation::bury(L, h, fn, caller);
    }
    return call.done(status);
  });
}

ahal_status_t buffer_map(const char* fn, Buffer* b, uint64_t offset, uint64_t size,
                         void** out_pointer, void* caller) {
  return guard(fn, [&]() -> ahal_status_t {
    Layers& L = *b->device->layers;
    Call call(L, fn, caller);
    const uint64_t h = b->handle;
    if (L.validation) {
      std::lock_guard<std::mutex> lock(L.mutex);
      const StreamLayer* sl = nullptr;
      if (const Command* c = in_flight(
              L, b->device, [&](const Command& x) { return holds(x, h); }, &sl))
        return call.done(still_in_use(fn, caller, "buffer " + hex(h), *sl, *c));
    }
    return call.done(base::buffer_map(fn, b, offset, size, out_pointer));
  });
}

ahal_status_t host_free(const char* fn, HostAlloc* a, void* caller) {
  return guard(fn, [&]() -> ahal_status_t {
    Layers& L = *a->device->layers;
    Call call(L, fn, caller);
    const uint64_t h = a->handle;
    if (L.validation) {
      const uintptr_t begin = reinterpret_cast<uintptr_t>(a->pointer), end = begin + a->size;
      std::lock_guard<std::mutex> lock(L.mutex);
      const StreamLayer* sl = nullptr;
      // Any stream, of any device, may copy from or to it.
      if (const Command* c = in_flight(
              L, nullptr,
              [&](const Command& x) { return x.host_begin < end && begin < x.host_end; }, &sl))
        return call.done(still_in_use(
            fn, caller,
            format("host allocation %s (%p, %llu bytes)", hex(h).c_str(), a->pointer, (ull)a->size),
            *sl, *c));
    }
    const ahal_status_t status = base::host_free(fn, a);
    if (status == AHAL_SUCCESS && L.validation) {
      std::lock_guard<std::mutex> lock(L.mutex);
      validation::bury(L, h, fn, caller);
    }
    return call.done(status);
  });
}

// ------------------------------------------------------------- streams

ahal_status_t stream_create(const char* fn, Device* d, const ahal_stream_args_t* args,
                            ahal_stream_t* out_stream, void* caller, Body body) {
  return guard(fn, [&]() -> ahal_status_t {
    Layers& L = *d->layers;
    Call call(L, fn, caller);
    (void)args;
    const ahal_status_t status = body();
    if (status == AHAL_SUCCESS)
      if (Stream* s = get(*out_stream)) add_stream(L, s, fn, caller);
    return call.done(status);
  });
}

ahal_status_t stream_destroy(const char* fn, Stream* s, void* caller) {
  return guard(fn, [&]() -> ahal_status_t {
    Layers& L = *s->device->layers;
    Call call(L, fn, caller);
    StreamLayer* sl = s->layer;
    const uint64_t h = s->handle;
    const ahal_status_t status = base::stream_destroy(fn, s);
    // Only a lost race to destroy it leaves the stream alive.
    if (status != AHAL_ERROR_INVALID_HANDLE) {
      std::lock_guard<std::mutex> lock(L.mutex);
      if (sl) drop_stream(L, sl);
      if (L.validation) validation::bury(L, h, fn, caller);
    }
    return call.done(status);
  });
}

ahal_status_t stream_copy_h2d(const char* fn, Stream* s, const void* src, ahal_buffer_t dst,
                              uint64_t dst_offset, uint64_t size, void* caller) {
  return guard(fn, [&]() -> ahal_status_t {
    Plan p;
    p.enqueues = size != 0;
    p.label = "copy h2d";
    p.buffers = {buffer_handle(dst)};
    p.host = src;
    p.host_size = size;
    p.args = bytes_args(size);
    return enqueue(fn, s, caller, p,
                   Body([&] { return base::stream_copy_h2d(fn, s, src, dst, dst_offset, size); }));
  });
}

ahal_status_t stream_copy_d2h(const char* fn, Stream* s, ahal_buffer_t src, uint64_t src_offset,
                              void* dst, uint64_t size, void* caller) {
  return guard(fn, [&]() -> ahal_status_t {
    Plan p;
    p.enqueues = size != 0;
    p.label = "copy d2h";
    p.buffers = {buffer_handle(src)};
    p.host = dst;
    p.host_size = size;
    p.host_write = true;
    p.args = bytes_args(size);
    return enqueue(fn, s, caller, p,
                   Body([&] { return base::stream_copy_d2h(fn, s, src, src_offset, dst, size); }));
  });
}

ahal_status_t stream_copy_d2d(const char* fn, Stream* s, ahal_buffer_t src, uint64_t src_offset,
                              ahal_buffer_t dst, uint64_t dst_offset, uint64_t size, void* caller) {
  return guard(fn, [&]() -> ahal_status_t {
    Plan p;
    p.enqueues = size != 0;
    p.label = "copy d2d";
    p.buffers = {buffer_handle(src), buffer_handle(dst)};
    p.args = bytes_args(size);
    return enqueue(fn, s, caller, p, Body([&] {
                     return base::stream_copy_d2d(fn, s, src, src_offset, dst, dst_offset, size);
                   }));
  });
}

ahal_status_t stream_fill(const char* fn, Stream* s, ahal_buffer_t buffer, uint64_t offset,
                          uint64_t size, const void* pattern, uint32_t pattern_size, void* caller) {
  return guard(fn, [&]() -> ahal_status_t {
    Plan p;
    p.enqueues = size != 0;
    p.label = "fill";
    p.buffers = {buffer_handle(buffer)};
    p.args = bytes_args(size);
    return enqueue(fn, s, caller, p, Body([&] {
                     return base::stream_fill(fn, s, buffer, offset, size, pattern, pattern_size);
                   }));
  });
}

ahal_status_t stream_launch(const char* fn, Stream* s, ahal_kernel_t kernel,
                            const ahal_launch_args_t* args, void* caller) {
  return guard(fn, [&]() -> ahal_status_t {
    Layers& L = *s->device->layers;
    const Kernel* k = get(kernel);
    Plan p;
    p.label = k ? "launch " + k->name : "launch";
    // Bindings are read here only when the base would read them too (it
    // checks their count first), so a bad count stays its finding.
    const bool readable =
        k && args && args->struct_size >= AHAL_END_OF(ahal_launch_args_t, constants_size) &&
        args->binding_count <= s->device->limits.max_bindings &&
        (args->bindings || !args->binding_count) &&
        (!k->attributes.has_metadata || args->binding_count == k->attributes.binding_count);
    if (readable) {
      if (L.validation) {
        if (ahal_status_t st = check_launch(L, fn, caller, s, k, args))
          return Call(L, fn, caller).done(st);
      }
      for (uint32_t i = 0; i < args->binding_count; ++i)
        p.buffers.push_back(buffer_handle(args->bindings[i].buffer));
      p.module = k->module ? k->module->handle : 0;
      p.args = format("\"kernel\": %s, \"grid\": \"%ux%ux%u\", \"workgroup\": \"%ux%ux%u\"",
                      trace::quote(k->name).c_str(), args->grid[0], args->grid[1], args->grid[2],
                      args->workgroup_size[0], args->workgroup_size[1], args->workgroup_size[2]);
    }
    return enqueue(fn, s, caller, p,
                   Body([&] { return base::stream_launch(fn, s, kernel, args); }));
  });
}

ahal_status_t stream_host_callback(const char* fn, Stream* s, ahal_host_fn_t callback,
                                   void* user_data, void* caller) {
  return guard(fn, [&]() -> ahal_status_t {
    Plan p;
    p.label = "host callback";
    return enqueue(fn, s, caller, p,
                   Body([&] { return base::stream_host_callback(fn, s, callback, user_data); }));
  });
}

namespace {

// Cross-device use of an event: events order work within one device only.
ahal_status_t check_event_device(const char* fn, void* caller, const Stream* s, const Event* e) {
  return guard(fn, [&]() -> ahal_status_t {
    if (e->device == s->device) return AHAL_SUCCESS;
    return refuse(AHAL_ERROR_INVALID_ARGUMENT, fn, caller,
                  format("event %s belongs to device %s, the stream to %s: events order streams of "
                         "one device only; to order work across devices, wait on the host "
                         "(ahal_event_wait) before enqueueing",
                         hex(e->handle).c_str(), e->device->properties.selector,
                         s->device->properties.selector));
  });
}

}  // namespace

ahal_status_t stream_record_event(const char* fn, Stream* s, ahal_event_t event, void* caller) {
  return guard(fn, [&]() -> ahal_status_t {
    Layers& L = *s->device->layers;
    Call call(L, fn, caller);
    const Event* e = get(event);
    if (L.validation && e) {
      if (ahal_status_t st = check_event_device(fn, caller, s, e)) return call.done(st);
    }
    StreamLayer* sl = s->layer;
    if (!sl) return call.done(base::stream_record_event(fn, s, event));
    std::lock_guard<std::recursive_mutex> order(sl->order);
    const ahal_status_t status = base::stream_record_event(fn, s, event);
    if (status == AHAL_SUCCESS) {
      std::lock_guard<std::mutex> lock(L.mutex);
      EventRecord& r = L.events[e->handle];
      r.stream = sl->id;
      r.seq = sl->seq;
      r.waited.assign(sl->waited.begin(), sl->waited.end());
    }
    return call.done(status);
  });
}

ahal_status_t stream_wait_event(const char* fn, Stream* s, ahal_event_t event, void* caller) {
  return guard(fn, [&]() -> ahal_status_t {
    Layers& L = *s->device->layers;
    Call call(L, fn, caller);
    const Event* e = get(event);
    if (L.validation && e) {
      if (ahal_status_t st = check_event_device(fn, caller, s, e)) return call.done(st);
      if (!e->recorded.load(std::memory_order_acquire))
        return call.done(
            refuse(AHAL_ERROR_INVALID_STATE, fn, caller,
                   format("event %s was never recorded, so this wait waits for nothing "
                          "(ahal counts an unrecorded event as complete); record it with "
                          "ahal_stream_record_event after the work to wait for",
                          hex(e->handle).c_str())));
    }
    StreamLayer* sl = s->layer;
    if (!sl) return call.done(base::stream_wait_event(fn, s, event));
    std::lock_guard<std::recursive_mutex> order(sl->order);
    const ahal_status_t status = base::stream_wait_event(fn, s, event);
    if (status == AHAL_SUCCESS) {
      std::lock_guard<std::mutex> lock(L.mutex);
      auto it = L.events.find(e->handle);
      if (it != L.events.end()) {
        auto later = [&](uint64_t id, uint64_t seq) {
          uint64_t& w = sl->waited[id];
          w = std::max(w, seq);
        };
        later(it->second.stream, it->second.seq);
        for (const auto& [id, seq] : it->second.waited) later(id, seq);
      }
    }
    return call.done(status);
  });
}

// Synchronize and query share this: when `wait` succeeds, every command
// enqueued before it has completed and is retired.
template <class Wait>
ahal_status_t retire_after(const char* fn, Stream* s, void* caller, Wait wait) {
  return guard(fn, [&]() -> ahal_status_t {
    Layers& L = *s->device->layers;
    Call call(L, fn, caller);
    StreamLayer* sl = s->layer;
    uint64_t through = 0;
    if (sl) {
      std::lock_guard<std::mutex> lock(L.mutex);
      through = sl->seq;
    }
    const ahal_status_t status = wait();
    if (status == AHAL_SUCCESS && sl) {
      std::lock_guard<std::mutex> lock(L.mutex);
      retire(L, *sl, through);
    }
    return call.done(status);
  });
}

ahal_status_t stream_synchronize(const char* fn, Stream* s, void* caller) {
  return retire_after(fn, s, caller, [&] { return base::stream_synchronize(fn, s); });
}

ahal_status_t stream_query(const char* fn, Stream* s, void* caller) {
  return retire_after(fn, s, caller, [&] { return base::stream_query(fn, s); });
}

ahal_status_t device_synchronize(const char* fn, Device* d, void* caller) {
  return guard(fn, [&]() -> ahal_status_t {
    Layers& L = *d->layers;
    Call call(L, fn, caller);
    std::vector<std::pair<uint64_t, uint64_t>> through;  // stream id, seq
    {
      std::lock_guard<std::mutex> lock(L.mutex);
      for (auto& [id, sl] : L.streams)
        if (sl->device == d) through.emplace_back(id, sl->seq);
    }
    const ahal_status_t status = base::device_synchronize(fn, d);
    if (status == AHAL_SUCCESS) {
      std::lock_guard<std::mutex> lock(L.mutex);
      for (const auto& [id, seq] : through)
        if (StreamLayer* sl = stream_by_id(L, id)) retire(L, *sl, seq);
    }
    return call.done(status);
  });
}

// ------------------------------------------------------------- events

ahal_status_t event_destroy(const char* fn, Event* e, void* caller) {
  return guard(fn, [&]() -> ahal_status_t {
    Layers& L = *e->device->layers;
    Call call(L, fn, caller);
    const uint64_t h = e->handle;
    const ahal_status_t status = base::event_destroy(fn, e);
    if (status == AHAL_SUCCESS) {
      std::lock_guard<std::mutex> lock(L.mutex);
      L.events.erase(h);
      if (L.validation) validation::bury(L, h, fn, caller);
    }
    return call.done(status);
  });
}

ahal_status_t event_query(const char* fn, Event* e, void* caller) {
  return guard(fn, [&]() -> ahal_status_t {
    Layers& L = *e->device->layers;
    Call call(L, fn, caller);
    const ahal_status_t status = base::event_query(fn, e);
    if (status == AHAL_SUCCESS) {
      std::lock_guard<std::mutex> lock(L.mutex);
      retire_event(L, e->handle);
    }
    return call.done(status);
  });
}

ahal_status_t event_wait(const char* fn, Event* e, uint64_t timeout_ns, void* caller) {
  return guard(fn, [&]() -> ahal_status_t {
    Layers& L = *e->device->layers;
    Call call(L, fn, caller);
    if (L.validation && !e->recorded.load(std::memory_order_acquire))
      return call.done(
          refuse(AHAL_ERROR_INVALID_STATE, fn, caller,
                 format("event %s was never recorded, so this wait can never see the work "
                        "it was meant for (ahal counts an unrecorded event as complete); "
                        "record it with ahal_stream_record_event first",
                        hex(e->handle).c_str())));
    const ahal_status_t status = base::event_wait(fn, e, timeout_ns);
    if (status == AHAL_SUCCESS) {
      std::lock_guard<std::mutex> lock(L.mutex);
      retire_event(L, e->handle);
    }
    return call.done(status);
  });
}

// ------------------------------------------------------------- modules

ahal_status_t module_destroy(const char* fn, Module* m, void* caller) {
  return guard(fn, [&]() -> ahal_status_t {
    Layers& L = *m->device->layers;
    Call call(L, fn, caller);
    const uint64_t h = m->handle;
    std::vector<std::pair<uint64_t, std::string>> kernels;
    if (L.validation) {
      {
        std::lock_guard<std::mutex> lock(L.mutex);
        const StreamLayer* sl = nullptr;
        if (const Command* c = in_flight(
                L, m->device, [&](const Command& x) { return x.module == h; }, &sl))
          return call.done(still_in_use(fn, caller, "module " + hex(h), *sl, *c));
      }
      std::lock_guard<std::mutex> lock(m->mutex);
      for (const auto& [name, k] : m->kernels)
        kernels.emplace_back(k->handle, format("kernel \"%s\" %s of module %s", name.c_str(),
                                               hex(k->handle).c_str(), hex(h).c_str()));
    }
    const ahal_status_t status = base::module_destroy(fn, m);
    if (status == AHAL_SUCCESS && L.validation) {
      std::lock_guard<std::mutex> lock(L.mutex);
      validation::bury(L, h, fn, caller);
      for (auto& [handle, what] : kernels)
        validation::bury_untracked(handle, std::move(what), fn, caller);
    }
    return call.done(status);
  });
}

}  // namespace layers
}  // namespace ahal
