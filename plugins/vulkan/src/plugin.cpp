// The plugin's C dispatch table: casts handles, keeps C++ exceptions
// inside, and forwards to the objects in objects.hpp.
#include "objects.hpp"

#include <ahal/plugin.hpp>

#include <cstring>
#include <new>

namespace ahal_vulkan {
namespace {

template <typename F>
ahal_status_t guard(const char* what, F&& f) {
  try {
    return f();
  } catch (const std::bad_alloc&) {
    return fail(AHAL_ERROR_OUT_OF_HOST_MEMORY, "%s: out of host memory", what);
  } catch (const std::exception& e) {
    return fail(AHAL_ERROR_PLUGIN, "%s: %s", what, e.what());
  } catch (...) {
    return fail(AHAL_ERROR_PLUGIN, "%s: unknown C++ exception", what);
  }
}

template <typename F>
void guard_void(F&& f) {
  try {
    f();
  } catch (...) {
    // Nothing to report from a void entry; the object is gone either way.
  }
}

Instance* I(ahal_plugin_instance_t* p) { return reinterpret_cast<Instance*>(p); }
Device* D(ahal_plugin_device_t* p) { return reinterpret_cast<Device*>(p); }
Buffer* B(ahal_plugin_buffer_t* p) { return reinterpret_cast<Buffer*>(p); }
HostAlloc* H(ahal_plugin_host_alloc_t* p) { return reinterpret_cast<HostAlloc*>(p); }
StreamHandle* S(ahal_plugin_stream_t* p) { return reinterpret_cast<StreamHandle*>(p); }
Event* E(ahal_plugin_event_t* p) { return reinterpret_cast<Event*>(p); }
Module* M(ahal_plugin_module_t* p) { return reinterpret_cast<Module*>(p); }
Kernel* K(ahal_plugin_kernel_t* p) { return reinterpret_cast<Kernel*>(p); }

// ---------------------------------------------------------- plugin, device

ahal_status_t plugin_init(const ahal_plugin_host_t* host, const ahal_plugin_init_args_t* args,
                          ahal_plugin_instance_t** out) {
  set_host(host);
  return guard("plugin_init", [&] {
    Instance* in = nullptr;
    ahal_status_t s = instance_create(args, &in);
    if (s == AHAL_SUCCESS) *out = reinterpret_cast<ahal_plugin_instance_t*>(in);
    return s;
  });
}

void plugin_shutdown(ahal_plugin_instance_t* in) {
  guard_void([&] { instance_destroy(I(in)); });
}

ahal_status_t device_count(ahal_plugin_instance_t* in, uint32_t* out) {
  *out = static_cast<uint32_t>(I(in)->physical_devices.size());
  return AHAL_SUCCESS;
}

ahal_status_t device_open(ahal_plugin_instance_t* in, uint32_t index, ahal_plugin_device_t** out) {
  return guard("device_open", [&] {
    if (index >= I(in)->physical_devices.size())
      return fail(AHAL_ERROR_OUT_OF_RANGE, "no Vulkan device %u", index);
    auto d = std::make_unique<Device>();
    ahal_status_t s = d->open(I(in), index);
    if (s != AHAL_SUCCESS) return s;
    *out = reinterpret_cast<ahal_plugin_device_t*>(d.release());
    return AHAL_SUCCESS;
  });
}

void device_close(ahal_plugin_device_t* d) {
  guard_void([&] { delete D(d); });
}

ahal_status_t device_get_properties(ahal_plugin_device_t* d, ahal_device_properties_t* props) {
  // Only the fields the caller's struct has; the loader fills plugin/selector.
  const size_t n = std::min(props->struct_size, sizeof(ahal_device_properties_t));
  const size_t caller_size = props->struct_size;
  std::memcpy(props, &D(d)->properties, n);
  props->struct_size = caller_size;
  return AHAL_SUCCESS;
}

ahal_status_t device_memory_usage(ahal_plugin_device_t* d, uint64_t* used, uint64_t* total) {
  *used = D(d)->allocator.device_local_bytes();
  *total = D(d)->properties.global_memory_bytes;
  return AHAL_SUCCESS;
}

// ------------------------------------------------------------------ memory

ahal_status_t buffer_create(ahal_plugin_device_t* dp, const ahal_buffer_args_t* args,
                            ahal_plugin_buffer_t** out) {
  return guard("buffer_create", [&] {
    Device* d = D(dp);
    uint32_t flags = AHAL_PLUGIN_HAS_FIELD(args, ahal_buffer_args_t, flags) ? args->flags : 0;
    if (flags == 0) flags = AHAL_MEMORY_DEVICE_LOCAL;
    const bool visible = flags & AHAL_MEMORY_HOST_VISIBLE;
    VkMemoryPropertyFlags want = 0, prefer = 0, avoid = 0;
    if (visible) {
      want |= VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT;
      if (flags & AHAL_MEMORY_HOST_COHERENT) want |= VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
      // Device-local when asked (e.g. a BAR window), else cached system
      // memory, which the host reads fast.
      prefer = (flags & AHAL_MEMORY_DEVICE_LOCAL)
                   ? VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT
                   : VK_MEMORY_PROPERTY_HOST_CACHED_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
    } else {
      prefer = VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT;
      avoid = VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT;  // keep host-visible heaps for who needs them
    }
    auto b = std::make_unique<Buffer>();
    b->flags = flags;
    ahal_status_t s =
        d->buffer_create(args->size,
                         VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT |
                             VK_BUFFER_USAGE_TRANSFER_DST_BIT,
                         want, prefer, avoid, &b->mem);
    if (s != AHAL_SUCCESS) return s;
    *out = reinterpret_cast<ahal_plugin_buffer_t*>(b.release());
    return AHAL_SUCCESS;
  });
}

void buffer_destroy(ahal_plugin_device_t* d, ahal_plugin_buffer_t* b) {
  guard_void([&] {
    D(d)->buffer_release(&B(b)->mem);
    delete B(b);
  });
}

ahal_status_t buffer_map(ahal_plugin_device_t* d, ahal_plugin_buffer_t* bp, uint64_t offset,
                         uint64_t size, void** out) {
  Buffer* b = B(bp);
  if (!b->mem.mapped())
    return fail(AHAL_ERROR_INVALID_STATE, "the buffer is not in host-visible memory");
  D(d)->invalidate(b->mem, offset, size);
  b->map_offset = offset;
  b->map_size = size;
  *out = b->mem.mapped() + offset;
  return AHAL_SUCCESS;
}

ahal_status_t buffer_unmap(ahal_plugin_device_t* d, ahal_plugin_buffer_t* bp) {
  Buffer* b = B(bp);
  D(d)->flush(b->mem, b->map_offset, b->map_size);  // blocks stay mapped
  b->map_size = 0;
  return AHAL_SUCCESS;
}

ahal_status_t host_alloc(ahal_plugin_device_t* dp, uint64_t size, uint32_t /*flags*/,
                         void** out_ptr, ahal_plugin_host_alloc_t** out) {
  return guard("host_alloc", [&] {
    Device* d = D(dp);
    auto h = std::make_unique<HostAlloc>();
    // Host-cached system memory that copies use directly as source/target.
    ahal_status_t s =
        d->buffer_create(size, VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT,
                         VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT,
                         VK_MEMORY_PROPERTY_HOST_CACHED_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT,
                         VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT, &h->mem);
    if (s != AHAL_SUCCESS) return s;
    d->register_host_alloc(h.get());
    *out_ptr = h->mem.mapped();
    *out = reinterpret_cast<ahal_plugin_host_alloc_t*>(h.release());
    return AHAL_SUCCESS;
  });
}

void host_free(ahal_plugin_device_t* d, ahal_plugin_host_alloc_t* h) {
  guard_void([&] {
    D(d)->unregister_host_alloc(H(h));
    D(d)->buffer_release(&H(h)->mem);
    delete H(h);
  });
}

// ----------------------------------------------------------------- streams

ahal_status_t stream_create(ahal_plugin_device_t* dp, const ahal_stream_args_t* /*args*/,
                            ahal_plugin_stream_t** out) {
  return guard("stream_create", [&] {
    Device* d = D(dp);
    auto h = std::make_unique<StreamHandle>();
    h->stream = std::make_shared<Stream>(d, pick_queue(d));
    ahal_status_t s = h->stream->init();
    if (s != AHAL_SUCCESS) return s;
    d->add_stream(h->stream);
    *out = reinterpret_cast<ahal_plugin_stream_t*>(h.release());
    return AHAL_SUCCESS;
  });
}

void stream_destroy(ahal_plugin_stream_t* s) {
  guard_void([&] { delete S(s); });
}

ahal_status_t stream_copy_h2d(ahal_plugin_stream_t* s, const void* src, ahal_plugin_buffer_t* dst,
                              uint64_t dst_offset, uint64_t size) {
  return guard("stream_copy_h2d",
               [&] { return S(s)->stream->copy_h2d(src, B(dst), dst_offset, size); });
}

ahal_status_t stream_copy_d2h(ahal_plugin_stream_t* s, ahal_plugin_buffer_t* src,
                              uint64_t src_offset, void* dst, uint64_t size) {
  return guard("stream_copy_d2h",
               [&] { return S(s)->stream->copy_d2h(B(src), src_offset, dst, size); });
}

ahal_status_t stream_copy_d2d(ahal_plugin_stream_t* s, ahal_plugin_buffer_t* src,
                              uint64_t src_offset, ahal_plugin_buffer_t* dst, uint64_t dst_offset,
                              uint64_t size) {
  return guard("stream_copy_d2d", [&] {
    return S(s)->stream->copy_d2d(B(src), src_offset, B(dst), dst_offset, size);
  });
}

ahal_status_t stream_fill(ahal_plugin_stream_t* s, ahal_plugin_buffer_t* b, uint64_t offset,
                          uint64_t size, uint32_t pattern, uint32_t pattern_size) {
  return guard("stream_fill",
               [&] { return S(s)->stream->fill(B(b), offset, size, pattern, pattern_size); });
}

ahal_status_t stream_launch(ahal_plugin_stream_t* s, ahal_plugin_kernel_t* k,
                            const ahal_plugin_launch_t* launch) {
  return guard("stream_launch", [&] { return S(s)->stream->launch(K(k), launch); });
}

ahal_status_t stream_host_callback(ahal_plugin_stream_t* s, ahal_host_fn_t fn, void* user_data) {
  return guard("stream_host_callback", [&] { return S(s)->stream->host_callback(fn, user_data); });
}

ahal_status_t stream_record_event(ahal_plugin_stream_t* s, ahal_plugin_event_t* e) {
  return guard("stream_record_event", [&] { return event_record(E(e), S(s)->stream); });
}

ahal_status_t stream_wait_event(ahal_plugin_stream_t* s, ahal_plugin_event_t* e) {
  return guard("stream_wait_event",
               [&] { return ahal_vulkan::stream_wait_event(S(s)->stream, E(e)); });
}

ahal_status_t stream_synchronize(ahal_plugin_stream_t* s) {
  return guard("stream_synchronize", [&] { return S(s)->stream->synchronize(); });
}

ahal_status_t stream_query(ahal_plugin_stream_t* s) {
  return guard("stream_query", [&] { return S(s)->stream->query(); });
}

// ------------------------------------------------------------------ events

ahal_status_t event_create(ahal_plugin_device_t* d, uint32_t flags, ahal_plugin_event_t** out) {
  return guard("event_create", [&] {
    Event* e = nullptr;
    ahal_status_t s = ahal_vulkan::event_create(D(d), flags, &e);
    if (s == AHAL_SUCCESS) *out = reinterpret_cast<ahal_plugin_event_t*>(e);
    return s;
  });
}

void event_destroy(ahal_plugin_event_t* e) {
  guard_void([&] { ahal_vulkan::event_destroy(E(e)); });
}

ahal_status_t event_query(ahal_plugin_event_t* e) {
  return guard("event_query", [&] { return ahal_vulkan::event_query(E(e)); });
}

ahal_status_t event_wait(ahal_plugin_event_t* e, uint64_t timeout_ns) {
  return guard("event_wait", [&] { return ahal_vulkan::event_wait(E(e), timeout_ns); });
}

ahal_status_t event_elapsed_ns(ahal_plugin_event_t* a, ahal_plugin_event_t* b, uint64_t* out) {
  return guard("event_elapsed_ns", [&] { return ahal_vulkan::event_elapsed_ns(E(a), E(b), out); });
}

// ----------------------------------------------------------------- modules

ahal_status_t module_create(ahal_plugin_device_t* d, const ahal_plugin_module_args_t* args,
                            ahal_plugin_module_t** out) {
  return guard("module_create", [&] {
    Module* m = nullptr;
    ahal_status_t s = ahal_vulkan::module_create(D(d), args, &m);
    if (s == AHAL_SUCCESS) *out = reinterpret_cast<ahal_plugin_module_t*>(m);
    return s;
  });
}

void module_destroy(ahal_plugin_module_t* m) {
  guard_void([&] { ahal_vulkan::module_destroy(M(m)); });
}

ahal_status_t kernel_get(ahal_plugin_module_t* m, const char* entry, ahal_plugin_kernel_t** out) {
  return guard("kernel_get", [&] {
    Kernel* k = nullptr;
    ahal_status_t s = ahal_vulkan::kernel_get(M(m), entry, &k);
    if (s == AHAL_SUCCESS) *out = reinterpret_cast<ahal_plugin_kernel_t*>(k);
    return s;
  });
}

ahal_status_t kernel_get_attributes(ahal_plugin_kernel_t* k, ahal_kernel_attributes_t* out) {
  return ahal_vulkan::kernel_get_attributes(K(k), out);
}

// Images for "" (any Vulkan) or "vulkanX.Y" up to the device's version;
// a newer-targeted image scores higher.
ahal_status_t image_score(ahal_plugin_device_t* dp, ahal_module_format_t format, const char* target,
                          int32_t* out) {
  *out = 0;
  if (format != AHAL_MODULE_FORMAT_SPIRV_VULKAN) return AHAL_SUCCESS;
  if (!target || !*target) {
    *out = 1;
    return AHAL_SUCCESS;
  }
  unsigned major = 0, minor = 0;
  char tail = 0;
  if (std::sscanf(target, "vulkan%u.%u%c", &major, &minor, &tail) == 2) {
    uint32_t v = VK_MAKE_API_VERSION(0, major, minor, 0);
    uint32_t have = std::min(D(dp)->props.apiVersion, D(dp)->instance->api_version);
    if (v <= have) *out = 2 + static_cast<int32_t>(major * 100 + minor);
  }
  return AHAL_SUCCESS;
}

ahal_plugin_api_t make_table() {
  ahal_plugin_api_t t{};
  t.struct_size = sizeof(t);
  t.abi_version = AHAL_PLUGIN_ABI_VERSION;
  t.name = "vulkan";
  t.description = "Vulkan compute through the Vulkan loader (libvulkan.so.1)";
  AHAL_PLUGIN_SET_ENTRIES(t);
  AHAL_PLUGIN_SET_MODULE_ENTRIES(t);
  t.kernel_get_builtin = nullptr;  // no built-in kernels
  t.image_score = image_score;
  t.device_memory_usage = device_memory_usage;
  return t;
}

}  // namespace
}  // namespace ahal_vulkan

extern "C" AHAL_PLUGIN_EXPORT ahal_status_t ahal_plugin_query(uint32_t loader_abi_version,
                                                              ahal_plugin_api_t* out) {
  static const ahal_plugin_api_t table = ahal_vulkan::make_table();
  return ahal::plugin::query(loader_abi_version, table, out);
}
