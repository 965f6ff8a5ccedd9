// Buffers and pinned host memory (docs/memory.md).
#include "host_services.hpp"
#include "internal.hpp"
#include "layers.hpp"

namespace ahal {

void release_buffer(Buffer* b) {
  Device* d = b->device;
  handles().remove(b->handle);
  if (b->mapped.load(std::memory_order_acquire))
    entry::buffer_unmap("ahal_buffer_destroy", *d->plugin, d->object, b->object);
  entry::buffer_destroy("ahal_buffer_destroy", *d->plugin, d->object, b->object);
  delete b;
}

void release_host_alloc(HostAlloc* a) {
  Device* d = a->device;
  handles().remove(a->handle);
  entry::host_free("ahal_host_free", *d->plugin, d->object, a->object);
  delete a;
}

// The flags and size checks of a new buffer, made or imported; flags 0
// becomes AHAL_MEMORY_DEVICE_LOCAL.
ahal_status_t check_buffer_shape(const char* fn, Device* d, uint64_t size, uint32_t& flags) {
  constexpr uint32_t kKnown =
      AHAL_MEMORY_DEVICE_LOCAL | AHAL_MEMORY_HOST_VISIBLE | AHAL_MEMORY_HOST_COHERENT;
  if (flags & ~kKnown)
    return fail(AHAL_ERROR_INVALID_ARGUMENT, fn, "flags 0x%x has unknown bits 0x%x", flags,
                flags & ~kKnown);
  if ((flags & AHAL_MEMORY_HOST_COHERENT) && !(flags & AHAL_MEMORY_HOST_VISIBLE))
    return fail(AHAL_ERROR_INVALID_ARGUMENT, fn,
                "AHAL_MEMORY_HOST_COHERENT needs AHAL_MEMORY_HOST_VISIBLE");
  if ((flags & AHAL_MEMORY_HOST_VISIBLE) &&
      !(d->properties.features & AHAL_FEATURE_HOST_VISIBLE_MEMORY))
    return fail(AHAL_ERROR_UNSUPPORTED, fn,
                "device %s has no host-visible memory (AHAL_FEATURE_HOST_VISIBLE_MEMORY)",
                d->properties.selector);
  if (flags == 0) flags = AHAL_MEMORY_DEVICE_LOCAL;
  if (size == 0) return fail(AHAL_ERROR_OUT_OF_RANGE, fn, "size is 0");
  if (size > d->limits.max_allocation_bytes)
    return fail(AHAL_ERROR_OUT_OF_RANGE, fn, "size %llu exceeds max_allocation_bytes %llu of %s",
                (unsigned long long)size, (unsigned long long)d->limits.max_allocation_bytes,
                d->properties.selector);
  return AHAL_SUCCESS;
}

// Registers a buffer the plugin made (status s of its call), or undoes it.
ahal_status_t finish_buffer(const char* fn, Buffer* b, ahal_status_t s, ahal_buffer_t* out_buffer) {
  Device* d = b->device;
  if (s == AHAL_SUCCESS && !b->object)
    s = fail(AHAL_ERROR_PLUGIN, fn, "%s returned success without a buffer",
             d->plugin->name.c_str());
  if (s == AHAL_SUCCESS) s = register_handle(fn, b, HandleType::kBuffer);
  if (s == AHAL_SUCCESS) {
    try {
      std::lock_guard<std::mutex> lock(d->mutex);
      d->buffers.insert(b);
    } catch (const std::bad_alloc&) {
      s = fail(AHAL_ERROR_OUT_OF_HOST_MEMORY, fn, "out of host memory");
    }
  }
  if (s != AHAL_SUCCESS) {
    if (b->handle) handles().remove(b->handle);
    if (b->object) entry::buffer_destroy(fn, *d->plugin, d->object, b->object);
    delete b;
    return s;
  }
  *out_buffer = to_handle<ahal_buffer_t>(b->handle);
  return AHAL_SUCCESS;
}

namespace base {

ahal_status_t buffer_create(const char* fn, Device* d, const ahal_buffer_args_t* args,
                            ahal_buffer_t* out_buffer) {
  if (!args) return fail(AHAL_ERROR_INVALID_ARGUMENT, fn, "args is NULL");
  if (!out_buffer) return fail(AHAL_ERROR_INVALID_ARGUMENT, fn, "out_buffer is NULL");
  if (ahal_status_t s = check_struct_size(fn, "ahal_buffer_args_t", args->struct_size,
                                          AHAL_END_OF(ahal_buffer_args_t, flags)))
    return s;
  ahal_buffer_args_t a = {};
  a.struct_size = sizeof(a);
  a.size = args->size;
  a.flags = args->flags;
  if (ahal_status_t s = check_buffer_shape(fn, d, a.size, a.flags)) return s;
  auto* b = new (std::nothrow) Buffer;
  if (!b) return fail(AHAL_ERROR_OUT_OF_HOST_MEMORY, fn, "out of host memory");
  b->device = d;
  b->size = a.size;
  b->flags = a.flags;
  return finish_buffer(fn, b, entry::buffer_create(fn, *d->plugin, d->object, &a, &b->object),
                       out_buffer);
}

ahal_status_t buffer_size(const char* fn, Buffer* b, uint64_t* out_size) {
  if (!out_size) return fail(AHAL_ERROR_INVALID_ARGUMENT, fn, "out_size is NULL");
  *out_size = b->size;
  return AHAL_SUCCESS;
}

ahal_status_t buffer_unmap(const char* fn, Buffer* b) {
  bool expected = true;
  if (!b->mapped.compare_exchange_strong(expected, false, std::memory_order_acq_rel))
    return fail(AHAL_ERROR_INVALID_STATE, fn, "buffer is not mapped");
  Device* d = b->device;
  return entry::buffer_unmap(fn, *d->plugin, d->object, b->object);
}

ahal_status_t host_alloc(const char* fn, Device* d, uint64_t size, uint32_t flags,
                         ahal_host_alloc_t* out_alloc) {
  if (!out_alloc) return fail(AHAL_ERROR_INVALID_ARGUMENT, fn, "out_alloc is NULL");
  if (flags != 0)
    return fail(AHAL_ERROR_INVALID_ARGUMENT, fn, "flags 0x%x: no flags are defined, pass 0", flags);
  if (size == 0) return fail(AHAL_ERROR_OUT_OF_RANGE, fn, "size is 0");
  auto* a = new (std::nothrow) HostAlloc;
  if (!a) return fail(AHAL_ERROR_OUT_OF_HOST_MEMORY, fn, "out of host memory");
  a->device = d;
  a->size = size;
  ahal_status_t s =
      entry::host_alloc(fn, *d->plugin, d->object, size, flags, &a->pointer, &a->object);
  if (s == AHAL_SUCCESS && (!a->pointer || !a->object))
    s = fail(AHAL_ERROR_PLUGIN, fn, "%s returned success without %s", d->plugin->name.c_str(),
             a->pointer ? "an allocation" : "a pointer");
  if (s == AHAL_SUCCESS) s = register_handle(fn, a, HandleType::kHostAlloc);
  if (s == AHAL_SUCCESS) {
    try {
      std::lock_guard<std::mutex> lock(d->mutex);
      d->host_allocs.insert(a);
    } catch (const std::bad_alloc&) {
      s = fail(AHAL_ERROR_OUT_OF_HOST_MEMORY, fn, "out of host memory");
    }
  }
  if (s != AHAL_SUCCESS) {
    if (a->handle) handles().remove(a->handle);
    if (a->object) entry::host_free(fn, *d->plugin, d->object, a->object);
    delete a;
    return s;
  }
  *out_alloc = to_handle<ahal_host_alloc_t>(a->handle);
  return AHAL_SUCCESS;
}

ahal_status_t host_alloc_pointer(const char* fn, HostAlloc* a, void** out_pointer) {
  if (!out_pointer) return fail(AHAL_ERROR_INVALID_ARGUMENT, fn, "out_pointer is NULL");
  *out_pointer = a->pointer;
  return AHAL_SUCCESS;
}

ahal_status_t buffer_destroy(const char* fn, Buffer* b) {
  if (const uint32_t refs = b->command_refs.load(std::memory_order_relaxed))
    return fail(AHAL_ERROR_INVALID_STATE, fn,
                "%s is used by %u command(s) of command buffers; destroy those command buffers "
                "first (docs/command-buffers.md)",
                "the buffer", refs);
  if (!unregister(to_handle<ahal_buffer_t>(b->handle)))
    return invalid_handle(fn, to_handle<ahal_buffer_t>(b->handle), HandleType::kBuffer);
  {
    std::lock_guard<std::mutex> lock(b->device->mutex);
    b->device->buffers.erase(b);
  }
  wait_for_users(fn, b->device, b->users.get());
  release_buffer(b);
  return AHAL_SUCCESS;
}

ahal_status_t buffer_map(const char* fn, Buffer* b, uint64_t offset, uint64_t size,
                         void** out_pointer) {
  if (!out_pointer) return fail(AHAL_ERROR_INVALID_ARGUMENT, fn, "out_pointer is NULL");
  if (!(b->flags & AHAL_MEMORY_HOST_VISIBLE))
    return fail(AHAL_ERROR_INVALID_ARGUMENT, fn, "buffer was not created AHAL_MEMORY_HOST_VISIBLE");
  if (size == 0) return fail(AHAL_ERROR_OUT_OF_RANGE, fn, "size is 0");
  if (offset > b->size || size > b->size - offset)
    return fail(AHAL_ERROR_OUT_OF_RANGE, fn, "offset %llu + size %llu exceeds buffer size %llu",
                (unsigned long long)offset, (unsigned long long)size, (unsigned long long)b->size);
  bool expected = false;
  if (!b->mapped.compare_exchange_strong(expected, true, std::memory_order_acq_rel))
    return fail(AHAL_ERROR_INVALID_STATE, fn, "buffer is already mapped (one mapping at a time)");
  Device* d = b->device;
  void* pointer = nullptr;
  ahal_status_t s = entry::buffer_map(fn, *d->plugin, d->object, b->object, offset, size, &pointer);
  if (s == AHAL_SUCCESS && !pointer)
    s = fail(AHAL_ERROR_PLUGIN, fn, "%s returned success without a pointer",
             d->plugin->name.c_str());
  if (s != AHAL_SUCCESS) {
    b->mapped.store(false, std::memory_order_release);
    return s;
  }
  *out_pointer = pointer;
  return AHAL_SUCCESS;
}

ahal_status_t host_free(const char* fn, HostAlloc* a) {
  if (!unregister(to_handle<ahal_host_alloc_t>(a->handle)))
    return invalid_handle(fn, to_handle<ahal_host_alloc_t>(a->handle), HandleType::kHostAlloc);
  {
    std::lock_guard<std::mutex> lock(a->device->mutex);
    a->device->host_allocs.erase(a);
  }
  // Copies of any device may read or write it: wait for every stream.
  wait_for_all_streams(fn, a->device->runtime);
  release_host_alloc(a);
  return AHAL_SUCCESS;
}

}  // namespace base
}  // namespace ahal

#include "generated/memory_entries.inc"
