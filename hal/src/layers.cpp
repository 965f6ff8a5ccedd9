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
#include "layers_core.hpp"
#include "layers_state.hpp"
#include "tracing.hpp"
#include "validation.hpp"

namespace ahal {
namespace layers {
using validation::refuse;

namespace {

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

// Misuse the loader itself refuses (bad arguments, wrong state): under
// validation a finding too, unless a layer check already reported it.
bool misuse(ahal_status_t status) {
  return status == AHAL_ERROR_INVALID_ARGUMENT || status == AHAL_ERROR_OUT_OF_RANGE ||
         status == AHAL_ERROR_INVALID_STATE;
}

}  // namespace

ahal_status_t Call::done(ahal_status_t status, const std::string& args, uint64_t flow) const {
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

std::string hex(uint64_t handle) { return format("0x%llx", (ull)handle); }

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
  const Device* d = sl.device;
  auto device_time = [&](ahal_plugin_event_t* e, uint64_t* out) {
    uint64_t ns = 0;
    if (!quietly([&] { return d->api->event_elapsed_ns(sl.origin, e, &ns); })) return false;
    *out = sl.origin_ns + ns;
    return true;
  };
  if (c.timing && c.start && c.done && sl.origin)
    timed = device_time(c.start, &start) && device_time(c.done, &end);
  if (!timed) {
    end = clock_ns();
    start = std::min(std::max(c.enqueue_ns, sl.last_end_ns), end);
  }
  sl.last_end_ns = end;
  trace::device_command(sl.trace_pid, sl.id, c.label, start, end, c.trace_args, c.flow);
  // Commands of a replayed command buffer: nested inside its span.
  uint64_t from = start;
  for (const auto& [label, after] : c.children) {
    uint64_t to = 0;
    if (!timed || !after || !device_time(after, &to)) break;
    to = std::min(std::max(to, from), end);
    trace::device_command(sl.trace_pid, sl.id, label, from, to, "", 0);
    from = to;
  }
}

void finish(Layers& L, StreamLayer& sl, Command& c) {
  if (L.tracing) trace_command(sl, c);
  give_event(L, sl.device, c.start, c.timing);
  give_event(L, sl.device, c.done, c.timing);
  for (auto& child : c.children) give_event(L, sl.device, child.second, true);
}

ahal_plugin_event_t* record_timing_event(Layers& L, Device* d, Stream* s) {
  ahal_plugin_event_t* e = nullptr;
  {
    std::lock_guard<std::mutex> lock(L.mutex);
    e = take_event(L, d, true);
  }
  if (e && !record(d, s, e)) {
    std::lock_guard<std::mutex> lock(L.mutex);
    give_event(L, d, e, true);
    return nullptr;
  }
  return e;
}

// Forgets the commands known to have completed: those up to `through`
// (a wait said so), then any whose event says so.
void retire(Layers& L, StreamLayer& sl, uint64_t through) {
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
      if (p.children)
        for (auto& child : *p.children) give_event(L, d, child.second, true);
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
    if (p.children) c.children = std::move(*p.children);
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

namespace {

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

ahal_status_t call(Layers* layers, const char* fn, void* caller, Body body) noexcept {
  return guard(fn, [&]() -> ahal_status_t {
    Call call(*layers, fn, caller);
    return call.done(body());
  });
}

ahal_status_t create(Layers* layers, const char* fn, void* caller, HandleType type,
                     const void* const* out, const Device* device, Body body) noexcept {
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

}  // namespace layers
}  // namespace ahal
