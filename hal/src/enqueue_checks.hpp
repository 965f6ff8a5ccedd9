// The checks of every command a stream or a command buffer takes, in one
// place so both refuse the same input with the same message. Each check
// resolves the handles and leaves what the plugin gets. Hot (inlined into
// the enqueue entries): a few handle lookups and range checks, no locks,
// no heap allocation; messages are built only on failure
// (enqueue_checks.cpp). `owner` is "stream" or "command buffer".
#pragma once

#include <cstring>

#include "internal.hpp"

namespace ahal {

// offset + size <= limit, without overflow.
inline bool in_range(uint64_t offset, uint64_t size, uint64_t limit) noexcept {
  return offset <= limit && size <= limit - offset;
}

ahal_status_t range_error(const char* fn, const char* what, uint64_t offset, uint64_t size,
                          uint64_t limit) noexcept AHAL_COLD;
ahal_status_t other_device(const char* fn, const char* what, const Device* object,
                           const Device* target, const char* owner) noexcept AHAL_COLD;
ahal_status_t launch_error(const char* fn, const Device* d, const Kernel* k,
                           const ahal_launch_args_t* a) noexcept AHAL_COLD;
ahal_status_t binding_error(const char* fn, const Device* d, const char* owner, uint32_t i,
                            const ahal_binding_t& bind) noexcept AHAL_COLD;

// The buffer behind `handle`, which must belong to device `d`.
inline ahal_status_t owned_buffer(const char* fn, const char* what, ahal_buffer_t handle,
                                  const Device* d, const char* owner, Buffer** out) noexcept {
  Buffer* b = get(handle);
  if (AHAL_UNLIKELY(!b)) return invalid_handle(fn, handle, HandleType::kBuffer);
  if (AHAL_UNLIKELY(b->device != d)) return other_device(fn, what, b->device, d, owner);
  *out = b;
  return AHAL_SUCCESS;
}

inline ahal_status_t check_copy_h2d(const char* fn, const Device* d, const char* owner,
                                    const void* src, ahal_buffer_t dst, uint64_t dst_offset,
                                    uint64_t size, Buffer** out_dst) noexcept {
  if (ahal_status_t st = owned_buffer(fn, "dst", dst, d, owner, out_dst)) return st;
  if (AHAL_UNLIKELY(!in_range(dst_offset, size, (*out_dst)->size)))
    return range_error(fn, "dst_", dst_offset, size, (*out_dst)->size);
  if (AHAL_UNLIKELY(!src && size)) return fail(AHAL_ERROR_INVALID_ARGUMENT, fn, "src is NULL");
  return AHAL_SUCCESS;
}

inline ahal_status_t check_copy_d2h(const char* fn, const Device* d, const char* owner,
                                    ahal_buffer_t src, uint64_t src_offset, const void* dst,
                                    uint64_t size, Buffer** out_src) noexcept {
  if (ahal_status_t st = owned_buffer(fn, "src", src, d, owner, out_src)) return st;
  if (AHAL_UNLIKELY(!in_range(src_offset, size, (*out_src)->size)))
    return range_error(fn, "src_", src_offset, size, (*out_src)->size);
  if (AHAL_UNLIKELY(!dst && size)) return fail(AHAL_ERROR_INVALID_ARGUMENT, fn, "dst is NULL");
  return AHAL_SUCCESS;
}

inline ahal_status_t check_copy_d2d(const char* fn, const Device* d, const char* owner,
                                    ahal_buffer_t src, uint64_t src_offset, ahal_buffer_t dst,
                                    uint64_t dst_offset, uint64_t size, Buffer** out_src,
                                    Buffer** out_dst) noexcept {
  if (ahal_status_t st = owned_buffer(fn, "src", src, d, owner, out_src)) return st;
  if (ahal_status_t st = owned_buffer(fn, "dst", dst, d, owner, out_dst)) return st;
  const Buffer* from = *out_src;
  const Buffer* to = *out_dst;
  if (AHAL_UNLIKELY(!in_range(src_offset, size, from->size)))
    return range_error(fn, "src_", src_offset, size, from->size);
  if (AHAL_UNLIKELY(!in_range(dst_offset, size, to->size)))
    return range_error(fn, "dst_", dst_offset, size, to->size);
  if (AHAL_UNLIKELY(size && from == to && src_offset < dst_offset + size &&
                    dst_offset < src_offset + size))
    return fail(AHAL_ERROR_INVALID_ARGUMENT, fn,
                "source %llu..%llu and destination %llu..%llu overlap in one buffer",
                (unsigned long long)src_offset, (unsigned long long)(src_offset + size),
                (unsigned long long)dst_offset, (unsigned long long)(dst_offset + size));
  return AHAL_SUCCESS;
}

// *out_value: the pattern as plugins take it (plugin.h, stream_fill).
inline ahal_status_t check_fill(const char* fn, const Device* d, const char* owner,
                                ahal_buffer_t buffer, uint64_t offset, uint64_t size,
                                const void* pattern, uint32_t pattern_size, Buffer** out_buffer,
                                uint32_t* out_value) noexcept {
  if (ahal_status_t st = owned_buffer(fn, "buffer", buffer, d, owner, out_buffer)) return st;
  if (AHAL_UNLIKELY(!pattern)) return fail(AHAL_ERROR_INVALID_ARGUMENT, fn, "pattern is NULL");
  switch (pattern_size) {
    case 1:
      *out_value = *static_cast<const uint8_t*>(pattern);
      break;
    case 2: {
      uint16_t v;
      std::memcpy(&v, pattern, 2);
      *out_value = v;
      break;
    }
    case 4:
      std::memcpy(out_value, pattern, 4);
      break;
    default:
      return fail(AHAL_ERROR_INVALID_ARGUMENT, fn, "pattern_size %u is not 1, 2 or 4",
                  pattern_size);
  }
  if (AHAL_UNLIKELY(offset % pattern_size || size % pattern_size))
    return fail(AHAL_ERROR_INVALID_ARGUMENT, fn,
                "offset %llu and size %llu must be multiples of pattern_size %u",
                (unsigned long long)offset, (unsigned long long)size, pattern_size);
  if (AHAL_UNLIKELY(!in_range(offset, size, (*out_buffer)->size)))
    return range_error(fn, "", offset, size, (*out_buffer)->size);
  return AHAL_SUCCESS;
}

// A launch of more than 2^63-1 work-items in all: whatever each dimension's
// limit, no backend counts that far (PoCL aborted on 2^64 - 2^33 + 1).
// `items` (work-items per workgroup) is below 2^32 whenever the other
// checks pass, so one 128-bit product is exact where it matters.
inline bool too_many_items(const uint32_t* grid, uint64_t items) noexcept {
  const unsigned __int128 total =
      (unsigned __int128)(uint64_t(grid[0]) * grid[1]) * (uint64_t(grid[2]) * items);
  return (total >> 63) != 0;
}

// Checks a launch against the device, the kernel's attributes and metadata,
// and resolves the bindings into `bindings` (AHAL_MAX_BINDINGS entries).
// `launch` then points at `bindings` and at the caller's constants. A
// non-null `user` is the stream the launch is queued on: each bound buffer
// notes it (a destroy then waits for that stream, in_use.cpp).
inline ahal_status_t check_launch(const char* fn, const Device* d, const char* owner,
                                  ahal_kernel_t kernel, const ahal_launch_args_t* args,
                                  const Kernel** out_kernel, ahal_plugin_binding_t* bindings,
                                  ahal_plugin_launch_t* launch, Stream* user) noexcept {
  const Kernel* k = get(kernel);
  if (AHAL_UNLIKELY(!k)) return invalid_handle(fn, kernel, HandleType::kKernel);
  if (AHAL_UNLIKELY(k->device != d)) return other_device(fn, "kernel", k->device, d, owner);
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
  if (AHAL_UNLIKELY(bad)) return launch_error(fn, d, k, args);

  const uint32_t align = L.binding_offset_alignment;
  for (uint32_t i = 0; i < args->binding_count; ++i) {
    const ahal_binding_t& in = args->bindings[i];
    const Buffer* b = get(in.buffer);
    if (AHAL_UNLIKELY(!b || b->device != d || in.offset % align || in.offset >= b->size ||
                      in.size > b->size - in.offset))
      return binding_error(fn, d, owner, i, in);
    if (user) b->users.note(user);
    bindings[i].buffer = b->object;
    bindings[i].offset = in.offset;
    bindings[i].size = in.size ? in.size : b->size - in.offset;
  }
  launch->struct_size = sizeof(*launch);
  for (int i = 0; i < 3; ++i) {
    launch->grid[i] = g[i];
    launch->workgroup_size[i] = w[i];
  }
  launch->dynamic_shared_bytes = args->dynamic_shared_bytes;
  launch->binding_count = args->binding_count;
  launch->bindings = bindings;
  launch->constants = args->constants;
  launch->constants_size = args->constants_size;
  *out_kernel = k;
  return AHAL_SUCCESS;
}

// An event of device `d`.
inline ahal_status_t check_event(const char* fn, const Device* d, const char* owner,
                                 ahal_event_t event, Event** out) noexcept {
  Event* e = get(event);
  if (AHAL_UNLIKELY(!e)) return invalid_handle(fn, event, HandleType::kEvent);
  if (AHAL_UNLIKELY(e->device != d)) return other_device(fn, "event", e->device, d, owner);
  *out = e;
  return AHAL_SUCCESS;
}

}  // namespace ahal
