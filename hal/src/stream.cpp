// Streams and everything enqueued on them. The enqueue paths are hot: a few
// handle lookups and range checks, no locks, no heap allocation; messages
// are only built on failure.
#include <cstring>
#include <thread>

#include "host_services.hpp"
#include "internal.hpp"
#include "layers.hpp"

namespace ahal {
namespace {

using ull = unsigned long long;

// offset + size <= limit, without overflow.
inline bool in_range(uint64_t offset, uint64_t size, uint64_t limit) {
  return offset <= limit && size <= limit - offset;
}

AHAL_COLD ahal_status_t range_error(const char* fn, const char* what, uint64_t offset,
                                    uint64_t size, uint64_t limit) {
  return fail(AHAL_ERROR_OUT_OF_RANGE, fn, "%soffset %llu + size %llu exceeds buffer size %llu",
              what, (ull)offset, (ull)size, (ull)limit);
}

AHAL_COLD ahal_status_t other_device(const char* fn, const char* what, const Device* object,
                                     const Device* stream) {
  const DevicePair names = device_names(object, stream);
  return fail(AHAL_ERROR_INVALID_ARGUMENT, fn, "%s belongs to device %s, the stream to %s", what,
              names.first.c_str(), names.second.c_str());
}

// Finds the buffer and checks it belongs to the stream's device.
inline ahal_status_t stream_buffer(const char* fn, const char* what, ahal_buffer_t handle,
                                   const Stream* s, Buffer** out) {
  Buffer* b = get(handle);
  if (AHAL_UNLIKELY(!b)) return invalid_handle(fn, handle, HandleType::kBuffer);
  if (AHAL_UNLIKELY(b->device != s->device)) return other_device(fn, what, b->device, s->device);
  *out = b;
  return AHAL_SUCCESS;
}

// A launch of more than 2^63-1 work-items in all: whatever each dimension's
// limit, no backend counts that far (PoCL aborted on 2^64 - 2^33 + 1).
// `items` (work-items per workgroup) is below 2^32 whenever the other
// checks pass, so one 128-bit product is exact where it matters.
inline bool too_many_items(const uint32_t* grid, uint64_t items) {
  const unsigned __int128 total =
      (unsigned __int128)(uint64_t(grid[0]) * grid[1]) * (uint64_t(grid[2]) * items);
  return (total >> 63) != 0;
}

AHAL_COLD ahal_status_t launch_error(const char* fn, const Stream* s, const Kernel* k,
                                     const ahal_launch_args_t* a) {
  // Slow path: find what was wrong and say so.
  const Limits& L = s->device->limits;
  const ahal_kernel_attributes_t& attr = k->attributes;
  const char* dims = "xyz";
  for (int i = 0; i < 3; ++i) {
    if (a->grid[i] == 0) return fail(AHAL_ERROR_OUT_OF_RANGE, fn, "grid[%d] is 0", i);
    if (a->workgroup_size[i] == 0)
      return fail(AHAL_ERROR_OUT_OF_RANGE, fn, "workgroup_size[%d] is 0", i);
    if (a->grid[i] > L.max_grid_dims[i])
      return fail(AHAL_ERROR_OUT_OF_RANGE, fn, "grid.%c %u exceeds the device's max_grid_dims %u",
                  dims[i], a->grid[i], L.max_grid_dims[i]);
    if (a->workgroup_size[i] > L.max_workgroup_dims[i])
      return fail(AHAL_ERROR_OUT_OF_RANGE, fn,
                  "workgroup_size.%c %u exceeds the device's max_workgroup_dims %u", dims[i],
                  a->workgroup_size[i], L.max_workgroup_dims[i]);
  }
  const uint64_t items =
      uint64_t(a->workgroup_size[0]) * a->workgroup_size[1] * a->workgroup_size[2];
  if (items > L.max_workgroup_size)
    return fail(AHAL_ERROR_OUT_OF_RANGE, fn,
                "workgroup of %llu work-items exceeds the device's max_workgroup_size %u",
                (ull)items, L.max_workgroup_size);
  if (k->max_workgroup_size && items > k->max_workgroup_size)
    return fail(AHAL_ERROR_OUT_OF_RANGE, fn,
                "workgroup of %llu work-items exceeds kernel %s's max_workgroup_size %u",
                (ull)items, k->name.c_str(), k->max_workgroup_size);
  if (too_many_items(a->grid, items))
    return fail(AHAL_ERROR_OUT_OF_RANGE, fn,
                "grid %u x %u x %u of %llu work-items each has more than 2^63-1 work-items in all",
                a->grid[0], a->grid[1], a->grid[2], (ull)items);
  if (a->dynamic_shared_bytes) {
    if (!(s->device->properties.features & AHAL_FEATURE_DYNAMIC_SHARED_MEMORY))
      return fail(AHAL_ERROR_UNSUPPORTED, fn, "device %s has no dynamic shared memory",
                  s->device->properties.selector);
    if (attr.has_metadata && !(attr.flags & AHAL_KERNEL_USES_DYNAMIC_SHARED))
      return fail(AHAL_ERROR_INVALID_ARGUMENT, fn,
                  "dynamic_shared_bytes %u given but kernel %s does not take dynamic shared memory",
                  a->dynamic_shared_bytes, k->name.c_str());
  }
  if (uint64_t(attr.static_shared_bytes) + a->dynamic_shared_bytes > L.shared_memory)
    return fail(AHAL_ERROR_OUT_OF_RANGE, fn,
                "shared memory %u static + %u dynamic exceeds the device's %u bytes per workgroup",
                attr.static_shared_bytes, a->dynamic_shared_bytes, L.shared_memory);
  if (a->binding_count > L.max_bindings)
    return fail(AHAL_ERROR_OUT_OF_RANGE, fn,
                "binding_count %u exceeds the device's max_bindings %u", a->binding_count,
                L.max_bindings);
  if (a->binding_count && !a->bindings)
    return fail(AHAL_ERROR_INVALID_ARGUMENT, fn, "bindings is NULL with binding_count %u",
                a->binding_count);
  if (attr.has_metadata && a->binding_count != attr.binding_count)
    return fail(AHAL_ERROR_INVALID_ARGUMENT, fn, "kernel %s takes %u bindings, got %u",
                k->name.c_str(), attr.binding_count, a->binding_count);
  if (a->constants_size > L.max_constants_size)
    return fail(AHAL_ERROR_OUT_OF_RANGE, fn,
                "constants_size %u exceeds the device's max_constants_size %u", a->constants_size,
                L.max_constants_size);
  if (a->constants_size % 4)
    return fail(AHAL_ERROR_INVALID_ARGUMENT, fn, "constants_size %u is not a multiple of 4",
                a->constants_size);
  if (a->constants_size && !a->constants)
    return fail(AHAL_ERROR_INVALID_ARGUMENT, fn, "constants is NULL with constants_size %u",
                a->constants_size);
  if (attr.has_metadata && a->constants_size != attr.constants_size)
    return fail(AHAL_ERROR_INVALID_ARGUMENT, fn, "kernel %s takes %u bytes of constants, got %u",
                k->name.c_str(), attr.constants_size, a->constants_size);
  return fail(AHAL_ERROR_INTERNAL, fn, "launch refused for no reason the loader can name");
}

AHAL_COLD ahal_status_t binding_error(const char* fn, const Stream* s, uint32_t i,
                                      const ahal_binding_t& bind) {
  Buffer* b = get(bind.buffer);
  if (!b) {
    std::string why =
        handles().describe_invalid(reinterpret_cast<uintptr_t>(bind.buffer), HandleType::kBuffer);
    return fail(AHAL_ERROR_INVALID_HANDLE, fn, "binding %u: %s", i, why.c_str());
  }
  if (b->device != s->device) {
    const DevicePair names = device_names(b->device, s->device);
    return fail(AHAL_ERROR_INVALID_ARGUMENT, fn,
                "binding %u: buffer belongs to device %s, the stream to %s", i, names.first.c_str(),
                names.second.c_str());
  }
  const uint32_t align = s->device->limits.binding_offset_alignment;
  if (bind.offset % align)
    return fail(AHAL_ERROR_INVALID_ARGUMENT, fn,
                "binding %u: offset %llu is not a multiple of binding_offset_alignment %u", i,
                (ull)bind.offset, align);
  if (bind.offset >= b->size)
    return fail(AHAL_ERROR_OUT_OF_RANGE, fn,
                "binding %u: offset %llu is not below buffer size %llu", i, (ull)bind.offset,
                (ull)b->size);
  return fail(AHAL_ERROR_OUT_OF_RANGE, fn,
              "binding %u: offset %llu + size %llu exceeds buffer size %llu", i, (ull)bind.offset,
              (ull)bind.size, (ull)b->size);
}

}  // namespace

ahal_status_t release_stream(Stream* s, const char* fn) {
  Device* d = s->device;
  handles().remove(s->handle);
  while (s->pins.load(std::memory_order_acquire) != 0) std::this_thread::yield();
  // The plugin destroys only a stream with no work left: no injected fault here.
  ahal_status_t status =
      call_plugin_no_faults(fn, *d->plugin, [&] { return d->api->stream_synchronize(s->object); });
  call_plugin_void(fn, *d->plugin, [&] { d->api->stream_destroy(s->object); });
  delete s;
  return status;
}

namespace {

ahal_status_t stream_create(const char* fn, Device* d, const ahal_stream_args_t* args,
                            ahal_stream_t* out_stream) {
  if (!out_stream) return fail(AHAL_ERROR_INVALID_ARGUMENT, fn, "out_stream is NULL");
  ahal_stream_args_t a = {};
  a.struct_size = sizeof(a);
  if (args) {
    if (ahal_status_t s = check_struct_size(fn, "ahal_stream_args_t", args->struct_size,
                                            AHAL_END_OF(ahal_stream_args_t, priority)))
      return s;
    a.flags = args->flags;
    a.priority = args->priority;
  }
  if (a.flags)
    return fail(AHAL_ERROR_INVALID_ARGUMENT, fn, "args->flags 0x%x: no flags are defined, pass 0",
                a.flags);
  auto* s = new (std::nothrow) Stream;
  if (!s) return fail(AHAL_ERROR_OUT_OF_HOST_MEMORY, fn, "out of host memory");
  s->device = d;
  ahal_status_t st =
      call_plugin(fn, *d->plugin, [&] { return d->api->stream_create(d->object, &a, &s->object); });
  if (st == AHAL_SUCCESS && !s->object)
    st = fail(AHAL_ERROR_PLUGIN, fn, "%s returned success without a stream",
              d->plugin->name.c_str());
  if (st == AHAL_SUCCESS) st = register_handle(fn, s, HandleType::kStream);
  if (st == AHAL_SUCCESS) {
    try {
      std::lock_guard<std::mutex> lock(d->mutex);
      d->streams.insert(s);
    } catch (const std::bad_alloc&) {
      st = fail(AHAL_ERROR_OUT_OF_HOST_MEMORY, fn, "out of host memory");
    }
  }
  if (st != AHAL_SUCCESS) {
    if (s->handle) handles().remove(s->handle);
    if (s->object) call_plugin_void(fn, *d->plugin, [&] { d->api->stream_destroy(s->object); });
    delete s;
    return st;
  }
  *out_stream = to_handle<ahal_stream_t>(s->handle);
  return AHAL_SUCCESS;
}

}  // namespace

// The loader's own work for each call that takes a stream: checks, then
// the plugin. Hot: a few handle lookups and range checks, no locks, no
// heap allocation; messages are only built on failure.
namespace base {

ahal_status_t stream_destroy(const char* fn, Stream* s) {
  if (!unregister(to_handle<ahal_stream_t>(s->handle)))
    return invalid_handle(fn, to_handle<ahal_stream_t>(s->handle), HandleType::kStream);
  {
    std::lock_guard<std::mutex> lock(s->device->mutex);
    s->device->streams.erase(s);
  }
  return release_stream(s, fn);
}

ahal_status_t stream_copy_h2d(const char* fn, Stream* s, const void* src, ahal_buffer_t dst,
                              uint64_t dst_offset, uint64_t size) {
  Device* const d = s->device;
  Buffer* b = nullptr;
  if (ahal_status_t st = stream_buffer(fn, "dst", dst, s, &b)) return st;
  if (AHAL_UNLIKELY(!in_range(dst_offset, size, b->size)))
    return range_error(fn, "dst_", dst_offset, size, b->size);
  if (AHAL_UNLIKELY(!src && size)) return fail(AHAL_ERROR_INVALID_ARGUMENT, fn, "src is NULL");
  if (size == 0) return AHAL_SUCCESS;
  b->users.note(s);
  return call_plugin(fn, *d->plugin, [&] {
    return d->api->stream_copy_h2d(s->object, src, b->object, dst_offset, size);
  });
}

ahal_status_t stream_copy_d2h(const char* fn, Stream* s, ahal_buffer_t src, uint64_t src_offset,
                              void* dst, uint64_t size) {
  Device* const d = s->device;
  Buffer* b = nullptr;
  if (ahal_status_t st = stream_buffer(fn, "src", src, s, &b)) return st;
  if (AHAL_UNLIKELY(!in_range(src_offset, size, b->size)))
    return range_error(fn, "src_", src_offset, size, b->size);
  if (AHAL_UNLIKELY(!dst && size)) return fail(AHAL_ERROR_INVALID_ARGUMENT, fn, "dst is NULL");
  if (size == 0) return AHAL_SUCCESS;
  b->users.note(s);
  return call_plugin(fn, *d->plugin, [&] {
    return d->api->stream_copy_d2h(s->object, b->object, src_offset, dst, size);
  });
}

ahal_status_t stream_copy_d2d(const char* fn, Stream* s, ahal_buffer_t src, uint64_t src_offset,
                              ahal_buffer_t dst, uint64_t dst_offset, uint64_t size) {
  Device* const d = s->device;
  Buffer *from = nullptr, *to = nullptr;
  if (ahal_status_t st = stream_buffer(fn, "src", src, s, &from)) return st;
  if (ahal_status_t st = stream_buffer(fn, "dst", dst, s, &to)) return st;
  if (AHAL_UNLIKELY(!in_range(src_offset, size, from->size)))
    return range_error(fn, "src_", src_offset, size, from->size);
  if (AHAL_UNLIKELY(!in_range(dst_offset, size, to->size)))
    return range_error(fn, "dst_", dst_offset, size, to->size);
  if (size == 0) return AHAL_SUCCESS;
  if (AHAL_UNLIKELY(from == to && src_offset < dst_offset + size && dst_offset < src_offset + size))
    return fail(AHAL_ERROR_INVALID_ARGUMENT, fn,
                "source %llu..%llu and destination %llu..%llu overlap in one buffer",
                (ull)src_offset, (ull)(src_offset + size), (ull)dst_offset,
                (ull)(dst_offset + size));
  from->users.note(s);
  to->users.note(s);
  return call_plugin(fn, *d->plugin, [&] {
    return d->api->stream_copy_d2d(s->object, from->object, src_offset, to->object, dst_offset,
                                   size);
  });
}

ahal_status_t stream_fill(const char* fn, Stream* s, ahal_buffer_t buffer, uint64_t offset,
                          uint64_t size, const void* pattern, uint32_t pattern_size) {
  Device* const d = s->device;
  Buffer* b = nullptr;
  if (ahal_status_t st = stream_buffer(fn, "buffer", buffer, s, &b)) return st;
  if (AHAL_UNLIKELY(!pattern)) return fail(AHAL_ERROR_INVALID_ARGUMENT, fn, "pattern is NULL");
  uint32_t value;
  switch (pattern_size) {
    case 1:
      value = *static_cast<const uint8_t*>(pattern);
      break;
    case 2: {
      uint16_t v;
      std::memcpy(&v, pattern, 2);
      value = v;
      break;
    }
    case 4:
      std::memcpy(&value, pattern, 4);
      break;
    default:
      return fail(AHAL_ERROR_INVALID_ARGUMENT, fn, "pattern_size %u is not 1, 2 or 4",
                  pattern_size);
  }
  if (AHAL_UNLIKELY(offset % pattern_size || size % pattern_size))
    return fail(AHAL_ERROR_INVALID_ARGUMENT, fn,
                "offset %llu and size %llu must be multiples of pattern_size %u", (ull)offset,
                (ull)size, pattern_size);
  if (AHAL_UNLIKELY(!in_range(offset, size, b->size)))
    return range_error(fn, "", offset, size, b->size);
  if (size == 0) return AHAL_SUCCESS;
  b->users.note(s);
  return call_plugin(fn, *d->plugin, [&] {
    return d->api->stream_fill(s->object, b->object, offset, size, value, pattern_size);
  });
}

ahal_status_t stream_launch(const char* fn, Stream* s, ahal_kernel_t kernel,
                            const ahal_launch_args_t* args) {
  Device* const d = s->device;
  const Kernel* k = get(kernel);
  if (AHAL_UNLIKELY(!k)) return invalid_handle(fn, kernel, HandleType::kKernel);
  if (AHAL_UNLIKELY(k->device != d)) return other_device(fn, "kernel", k->device, d);
  if (AHAL_UNLIKELY(!args)) return fail(AHAL_ERROR_INVALID_ARGUMENT, fn, "args is NULL");
  if (ahal_status_t st = check_struct_size(fn, "ahal_launch_args_t", args->struct_size,
                                           AHAL_END_OF(ahal_launch_args_t, constants_size)))
    return st;

  // All checks in one expression; launch_error() names the one that failed.
  const Limits& L = d->limits;
  const ahal_kernel_attributes_t& attr = k->attributes;
  const uint32_t* g = args->grid;
  const uint32_t* w = args->workgroup_size;
  const uint64_t items = uint64_t(w[0]) * w[1] * w[2];
  const uint64_t shared = uint64_t(attr.static_shared_bytes) + args->dynamic_shared_bytes;
  bool bad = (g[0] - 1u >= L.max_grid_dims[0]) | (g[1] - 1u >= L.max_grid_dims[1]) |
             (g[2] - 1u >= L.max_grid_dims[2]) | (w[0] - 1u >= L.max_workgroup_dims[0]) |
             (w[1] - 1u >= L.max_workgroup_dims[1]) | (w[2] - 1u >= L.max_workgroup_dims[2]) |
             (items > L.max_workgroup_size) |
             (k->max_workgroup_size && items > k->max_workgroup_size) | (shared > L.shared_memory) |
             (args->binding_count > L.max_bindings) | (args->binding_count && !args->bindings) |
             (args->constants_size > L.max_constants_size) | (args->constants_size % 4 != 0) |
             (args->constants_size && !args->constants) | too_many_items(g, items);
  if (args->dynamic_shared_bytes)
    bad |= !(d->properties.features & AHAL_FEATURE_DYNAMIC_SHARED_MEMORY) ||
           (attr.has_metadata && !(attr.flags & AHAL_KERNEL_USES_DYNAMIC_SHARED));
  if (attr.has_metadata)
    bad |=
        (args->binding_count != attr.binding_count) | (args->constants_size != attr.constants_size);
  if (AHAL_UNLIKELY(bad)) return launch_error(fn, s, k, args);

  ahal_plugin_binding_t bindings[AHAL_MAX_BINDINGS];
  const uint32_t align = L.binding_offset_alignment;
  for (uint32_t i = 0; i < args->binding_count; ++i) {
    const ahal_binding_t& in = args->bindings[i];
    Buffer* b = get(in.buffer);
    if (AHAL_UNLIKELY(!b || b->device != d || in.offset % align || in.offset >= b->size ||
                      in.size > b->size - in.offset))
      return binding_error(fn, s, i, in);
    b->users.note(s);
    bindings[i].buffer = b->object;
    bindings[i].offset = in.offset;
    bindings[i].size = in.size ? in.size : b->size - in.offset;
  }
  ahal_plugin_launch_t launch;
  launch.struct_size = sizeof(launch);
  for (int i = 0; i < 3; ++i) {
    launch.grid[i] = g[i];
    launch.workgroup_size[i] = w[i];
  }
  launch.dynamic_shared_bytes = args->dynamic_shared_bytes;
  launch.binding_count = args->binding_count;
  launch.bindings = bindings;
  launch.constants = args->constants;
  launch.constants_size = args->constants_size;
  k->users.note(s);
  return call_plugin(fn, *d->plugin,
                     [&] { return d->api->stream_launch(s->object, k->object, &launch); });
}

ahal_status_t stream_host_callback(const char* fn, Stream* s, ahal_host_fn_t callback,
                                   void* user_data) {
  Device* const d = s->device;
  if (!callback) return fail(AHAL_ERROR_INVALID_ARGUMENT, fn, "fn is NULL");
  return call_plugin(fn, *d->plugin,
                     [&] { return d->api->stream_host_callback(s->object, callback, user_data); });
}

ahal_status_t stream_record_event(const char* fn, Stream* s, ahal_event_t event) {
  Device* const d = s->device;
  Event* e = get(event);
  if (AHAL_UNLIKELY(!e)) return invalid_handle(fn, event, HandleType::kEvent);
  if (AHAL_UNLIKELY(e->device != d)) return other_device(fn, "event", e->device, d);
  e->users.note(s);
  ahal_status_t st = call_plugin(fn, *d->plugin,
                                 [&] { return d->api->stream_record_event(s->object, e->object); });
  if (st == AHAL_SUCCESS && !e->recorded.load(std::memory_order_relaxed))
    e->recorded.store(true, std::memory_order_release);
  return st;
}

ahal_status_t stream_wait_event(const char* fn, Stream* s, ahal_event_t event) {
  Device* const d = s->device;
  Event* e = get(event);
  if (AHAL_UNLIKELY(!e)) return invalid_handle(fn, event, HandleType::kEvent);
  if (AHAL_UNLIKELY(e->device != d)) return other_device(fn, "event", e->device, d);
  e->users.note(s);
  return call_plugin(fn, *d->plugin,
                     [&] { return d->api->stream_wait_event(s->object, e->object); });
}

ahal_status_t stream_synchronize(const char* fn, Stream* s) {
  Device* const d = s->device;
  return call_plugin(fn, *d->plugin, [&] { return d->api->stream_synchronize(s->object); });
}

ahal_status_t stream_query(const char* fn, Stream* s) {
  Device* const d = s->device;
  return call_plugin(fn, *d->plugin, [&] { return d->api->stream_query(s->object); });
}

}  // namespace base
}  // namespace ahal

using namespace ahal;

// The enqueue entries get the loader's own work inlined, as if it were
// written in them; the layers call the same work out of line.
#if defined(__GNUC__)
#define AHAL_HOT __attribute__((flatten))
#else
#define AHAL_HOT
#endif

// Every call that takes a stream starts here. The layers hook in at this one
// point: a per-device pointer tested once, so calls without layers pay a
// single predictable branch.
#define AHAL_GET_STREAM(fn, handle, s)                                           \
  Stream* s = get(handle);                                                       \
  if (AHAL_UNLIKELY(!s)) return invalid_handle(fn, handle, HandleType::kStream); \
  Device* const d = s->device

extern "C" {

AHAL_API ahal_status_t ahal_stream_create(ahal_device_t device, const ahal_stream_args_t* args,
                                          ahal_stream_t* out_stream) {
  static const char* fn = "ahal_stream_create";
  Device* d = get(device);
  if (!d) return invalid_handle(fn, device, HandleType::kDevice);
  AHAL_LAYERED(d, layers::stream_create(fn, d, args, out_stream, caller, layers::Body([&] {
                                          return stream_create(fn, d, args, out_stream);
                                        })));
  return stream_create(fn, d, args, out_stream);
}

AHAL_API ahal_status_t ahal_stream_destroy(ahal_stream_t stream) {
  static const char* fn = "ahal_stream_destroy";
  AHAL_GET_STREAM(fn, stream, s);
  AHAL_LAYERED(d, layers::stream_destroy(fn, s, caller));
  return base::stream_destroy(fn, s);
}

AHAL_HOT AHAL_API ahal_status_t ahal_stream_copy_h2d(ahal_stream_t stream, const void* src,
                                                     ahal_buffer_t dst, uint64_t dst_offset,
                                                     uint64_t size) {
  static const char* fn = "ahal_stream_copy_h2d";
  AHAL_GET_STREAM(fn, stream, s);
  AHAL_LAYERED(d, layers::stream_copy_h2d(fn, s, src, dst, dst_offset, size, caller));
  return base::stream_copy_h2d(fn, s, src, dst, dst_offset, size);
}

AHAL_HOT AHAL_API ahal_status_t ahal_stream_copy_d2h(ahal_stream_t stream, ahal_buffer_t src,
                                                     uint64_t src_offset, void* dst,
                                                     uint64_t size) {
  static const char* fn = "ahal_stream_copy_d2h";
  AHAL_GET_STREAM(fn, stream, s);
  AHAL_LAYERED(d, layers::stream_copy_d2h(fn, s, src, src_offset, dst, size, caller));
  return base::stream_copy_d2h(fn, s, src, src_offset, dst, size);
}

AHAL_HOT AHAL_API ahal_status_t ahal_stream_copy_d2d(ahal_stream_t stream, ahal_buffer_t src,
                                                     uint64_t src_offset, ahal_buffer_t dst,
                                                     uint64_t dst_offset, uint64_t size) {
  static const char* fn = "ahal_stream_copy_d2d";
  AHAL_GET_STREAM(fn, stream, s);
  AHAL_LAYERED(d, layers::stream_copy_d2d(fn, s, src, src_offset, dst, dst_offset, size, caller));
  return base::stream_copy_d2d(fn, s, src, src_offset, dst, dst_offset, size);
}

AHAL_HOT AHAL_API ahal_status_t ahal_stream_fill(ahal_stream_t stream, ahal_buffer_t buffer,
                                                 uint64_t offset, uint64_t size,
                                                 const void* pattern, uint32_t pattern_size) {
  static const char* fn = "ahal_stream_fill";
  AHAL_GET_STREAM(fn, stream, s);
  AHAL_LAYERED(d, layers::stream_fill(fn, s, buffer, offset, size, pattern, pattern_size, caller));
  return base::stream_fill(fn, s, buffer, offset, size, pattern, pattern_size);
}

AHAL_HOT AHAL_API ahal_status_t ahal_stream_launch(ahal_stream_t stream, ahal_kernel_t kernel,
                                                   const ahal_launch_args_t* args) {
  static const char* fn = "ahal_stream_launch";
  AHAL_GET_STREAM(fn, stream, s);
  AHAL_LAYERED(d, layers::stream_launch(fn, s, kernel, args, caller));
  return base::stream_launch(fn, s, kernel, args);
}

AHAL_API ahal_status_t ahal_stream_host_callback(ahal_stream_t stream, ahal_host_fn_t callback,
                                                 void* user_data) {
  static const char* fn = "ahal_stream_host_callback";
  AHAL_GET_STREAM(fn, stream, s);
  AHAL_LAYERED(d, layers::stream_host_callback(fn, s, callback, user_data, caller));
  return base::stream_host_callback(fn, s, callback, user_data);
}

AHAL_HOT AHAL_API ahal_status_t ahal_stream_record_event(ahal_stream_t stream, ahal_event_t event) {
  static const char* fn = "ahal_stream_record_event";
  AHAL_GET_STREAM(fn, stream, s);
  AHAL_LAYERED(d, layers::stream_record_event(fn, s, event, caller));
  return base::stream_record_event(fn, s, event);
}

AHAL_HOT AHAL_API ahal_status_t ahal_stream_wait_event(ahal_stream_t stream, ahal_event_t event) {
  static const char* fn = "ahal_stream_wait_event";
  AHAL_GET_STREAM(fn, stream, s);
  AHAL_LAYERED(d, layers::stream_wait_event(fn, s, event, caller));
  return base::stream_wait_event(fn, s, event);
}

AHAL_API ahal_status_t ahal_stream_synchronize(ahal_stream_t stream) {
  static const char* fn = "ahal_stream_synchronize";
  AHAL_GET_STREAM(fn, stream, s);
  AHAL_LAYERED(d, layers::stream_synchronize(fn, s, caller));
  return base::stream_synchronize(fn, s);
}

AHAL_API ahal_status_t ahal_stream_query(ahal_stream_t stream) {
  static const char* fn = "ahal_stream_query";
  AHAL_GET_STREAM(fn, stream, s);
  AHAL_LAYERED(d, layers::stream_query(fn, s, caller));
  return base::stream_query(fn, s);
}

}  // extern "C"
