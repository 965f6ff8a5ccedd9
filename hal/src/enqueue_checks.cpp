// The slow paths of enqueue_checks.hpp: find what was wrong and say so.
#include "enqueue_checks.hpp"

#include <cstdio>
#include <string>

namespace ahal {

using ull = unsigned long long;

ahal_status_t range_error(const char* fn, const char* what, uint64_t offset, uint64_t size,
                          uint64_t limit) noexcept {
  return fail(AHAL_ERROR_OUT_OF_RANGE, fn, "%soffset %llu + size %llu exceeds buffer size %llu",
              what, (ull)offset, (ull)size, (ull)limit);
}

ahal_status_t other_device(const char* fn, const char* what, const Device* object,
                           const Device* target, const char* owner) noexcept {
  try {
    // Devices of one name in two runtimes are told apart (device_names).
    const DevicePair names = device_names(object, target);
    return fail(AHAL_ERROR_INVALID_ARGUMENT, fn, "%s belongs to device %s, the %s to %s", what,
                names.first.c_str(), owner, names.second.c_str());
  } catch (...) {
    return fail(AHAL_ERROR_INVALID_ARGUMENT, fn, "%s belongs to device %s, the %s to %s", what,
                object->properties.selector, owner, target->properties.selector);
  }
}

ahal_status_t launch_error(const char* fn, const Device* d, const Kernel* k,
                           const ahal_launch_args_t* a) noexcept {
  // Slow path: find what was wrong and say so.
  const Limits& L = d->limits;
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
    if (!(d->properties.features & AHAL_FEATURE_DYNAMIC_SHARED_MEMORY))
      return fail(AHAL_ERROR_UNSUPPORTED, fn, "device %s has no dynamic shared memory",
                  d->properties.selector);
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

ahal_status_t binding_error(const char* fn, const Device* d, const char* owner, uint32_t i,
                            const ahal_binding_t& bind) noexcept {
  Buffer* b = get(bind.buffer);
  if (!b) {
    std::string why;
    try {
      why =
          handles().describe_invalid(reinterpret_cast<uintptr_t>(bind.buffer), HandleType::kBuffer);
    } catch (...) {
    }
    return fail(AHAL_ERROR_INVALID_HANDLE, fn, "binding %u: %s", i, why.c_str());
  }
  if (b->device != d) {
    char what[40];
    std::snprintf(what, sizeof(what), "binding %u: buffer", i);
    return other_device(fn, what, b->device, d, owner);
  }
  const uint32_t align = d->limits.binding_offset_alignment;
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

}  // namespace ahal
