// The layers' own hooks for the calls with checks of their own (kind
// "layer" in spec/ahal.toml): memory and modules still in use, enqueues
// remembered until they complete, event ordering, waits that retire work.
#include <algorithm>

#include "host_services.hpp"
#include "internal.hpp"
#include "layers.hpp"
#include "layers_core.hpp"
#include "layers_state.hpp"
#include "tracing.hpp"
#include "validation.hpp"

namespace ahal {
namespace layers {

using validation::refuse;

// ------------------------------------------------------------- memory

ahal_status_t buffer_destroy(const char* fn, Buffer* b, void* caller) noexcept {
  return guard(fn, [&]() -> ahal_status_t {
    Layers& L = *b->device->layers;
    Call call(L, fn, caller);
    const uint64_t h = b->handle;
    if (L.validation) {
      std::lock_guard<std::mutex> lock(L.mutex);
      const StreamLayer* sl = nullptr;
      // Any device's stream may hold it (ahal_stream_copy_peer).
      if (const Command* c = in_flight(
              L, nullptr, [&](const Command& x) { return holds(x, h); }, &sl))
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
                         void** out_pointer, void* caller) noexcept {
  return guard(fn, [&]() -> ahal_status_t {
    Layers& L = *b->device->layers;
    Call call(L, fn, caller);
    const uint64_t h = b->handle;
    if (L.validation) {
      std::lock_guard<std::mutex> lock(L.mutex);
      const StreamLayer* sl = nullptr;
      // Any device's stream may hold it (ahal_stream_copy_peer).
      if (const Command* c = in_flight(
              L, nullptr, [&](const Command& x) { return holds(x, h); }, &sl))
        return call.done(still_in_use(fn, caller, "buffer " + hex(h), *sl, *c));
    }
    return call.done(base::buffer_map(fn, b, offset, size, out_pointer));
  });
}

ahal_status_t host_free(const char* fn, HostAlloc* a, void* caller) noexcept {
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
                            ahal_stream_t* out_stream, void* caller) noexcept {
  return guard(fn, [&]() -> ahal_status_t {
    Layers& L = *d->layers;
    Call call(L, fn, caller);
    const ahal_status_t status = base::stream_create(fn, d, args, out_stream);
    if (status == AHAL_SUCCESS)
      if (Stream* s = get(*out_stream)) add_stream(L, s, fn, caller);
    return call.done(status);
  });
}

ahal_status_t stream_destroy(const char* fn, Stream* s, void* caller) noexcept {
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
                              uint64_t dst_offset, uint64_t size, void* caller) noexcept {
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
                              void* dst, uint64_t size, void* caller) noexcept {
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
                              ahal_buffer_t dst, uint64_t dst_offset, uint64_t size,
                              void* caller) noexcept {
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
                          uint64_t size, const void* pattern, uint32_t pattern_size,
                          void* caller) noexcept {
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
                            const ahal_launch_args_t* args, void* caller) noexcept {
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
                                   void* user_data, void* caller) noexcept {
  return guard(fn, [&]() -> ahal_status_t {
    Plan p;
    p.label = "host callback";
    return enqueue(fn, s, caller, p,
                   Body([&] { return base::stream_host_callback(fn, s, callback, user_data); }));
  });
}

namespace {

// An event of another device: a stream may wait for one of its own
// runtime (API 1.4) but record only its own device's events.
ahal_status_t check_event_device(const char* fn, void* caller, const Stream* s, const Event* e,
                                 bool record) {
  return guard(fn, [&]() -> ahal_status_t {
    if (e->device == s->device) return AHAL_SUCCESS;
    if (e->device->runtime != s->device->runtime)
      return refuse(AHAL_ERROR_INVALID_ARGUMENT, fn, caller,
                    format("event %s belongs to device %s of another runtime",
                           hex(e->handle).c_str(), e->device->properties.selector));
    if (!record) return AHAL_SUCCESS;
    return refuse(AHAL_ERROR_INVALID_ARGUMENT, fn, caller,
                  format("event %s belongs to device %s, the stream to %s: a stream records "
                         "only its own device's events (it may wait for another device's: "
                         "ahal_stream_wait_event)",
                         hex(e->handle).c_str(), e->device->properties.selector,
                         s->device->properties.selector));
  });
}

}  // namespace

ahal_status_t stream_record_event(const char* fn, Stream* s, ahal_event_t event,
                                  void* caller) noexcept {
  return guard(fn, [&]() -> ahal_status_t {
    Layers& L = *s->device->layers;
    Call call(L, fn, caller);
    const Event* e = get(event);
    if (L.validation && e) {
      if (ahal_status_t st = check_event_device(fn, caller, s, e, true)) return call.done(st);
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

ahal_status_t stream_wait_event(const char* fn, Stream* s, ahal_event_t event,
                                void* caller) noexcept {
  return guard(fn, [&]() -> ahal_status_t {
    Layers& L = *s->device->layers;
    Call call(L, fn, caller);
    const Event* e = get(event);
    if (L.validation && e) {
      if (ahal_status_t st = check_event_device(fn, caller, s, e, false)) return call.done(st);
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

ahal_status_t stream_synchronize(const char* fn, Stream* s, void* caller) noexcept {
  return retire_after(fn, s, caller, [&] { return base::stream_synchronize(fn, s); });
}

ahal_status_t stream_query(const char* fn, Stream* s, void* caller) noexcept {
  return retire_after(fn, s, caller, [&] { return base::stream_query(fn, s); });
}

ahal_status_t device_synchronize(const char* fn, Device* d, void* caller) noexcept {
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

ahal_status_t event_destroy(const char* fn, Event* e, void* caller) noexcept {
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

ahal_status_t event_query(const char* fn, Event* e, void* caller) noexcept {
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

ahal_status_t event_wait(const char* fn, Event* e, uint64_t timeout_ns, void* caller) noexcept {
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

ahal_status_t module_destroy(const char* fn, Module* m, void* caller) noexcept {
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
