// Kernels: the loader's view (attributes + metadata) of a plugin kernel,
// and built-in kernels owned by devices.
#include <cstring>

#include "host_services.hpp"
#include "internal.hpp"
#include "layers.hpp"

namespace ahal {

ahal_status_t make_kernel(const char* fn, Device* d, Module* module, ahal_plugin_kernel_t* object,
                          const std::string& name, const ahal_kernel_info_t* info,
                          std::unique_ptr<Kernel>* out) {
  auto k = std::make_unique<Kernel>();
  k->device = d;
  k->module = module;
  k->object = object;
  k->name = name;
  ahal_kernel_attributes_t& attr = k->attributes;
  attr.struct_size = sizeof(attr);
  if (ahal_status_t s = entry::kernel_get_attributes(fn, *d->plugin, object, &attr)) return s;
  attr.struct_size = sizeof(attr);
  if (info) {
    attr.has_metadata = 1;
    attr.binding_count = info->binding_count;
    attr.constants_size = info->constants_size;
    attr.flags = info->flags;
  } else {
    attr.has_metadata = attr.has_metadata ? 1 : 0;
  }
  k->max_workgroup_size = attr.max_workgroup_size;
  if (ahal_status_t s = register_handle(fn, k.get(), HandleType::kKernel)) return s;
  *out = std::move(k);
  return AHAL_SUCCESS;
}

void release_kernel(Kernel* k) { handles().remove(k->handle); }

namespace base {

ahal_status_t kernel_get_builtin(const char* fn, Device* d, const char* name,
                                 ahal_kernel_t* out_kernel) {
  if (!name) return fail(AHAL_ERROR_INVALID_ARGUMENT, fn, "name is NULL");
  if (!out_kernel) return fail(AHAL_ERROR_INVALID_ARGUMENT, fn, "out_kernel is NULL");
  try {
    std::lock_guard<std::mutex> lock(d->mutex);
    auto it = d->builtins.find(name);
    if (it == d->builtins.end()) {
      ahal_plugin_kernel_t* object = nullptr;
      if (ahal_status_t s = entry::kernel_get_builtin(fn, *d->plugin, d->object, name, &object))
        return s;
      if (!object)
        return fail(AHAL_ERROR_PLUGIN, fn, "%s returned success without a kernel",
                    d->plugin->name.c_str());
      std::unique_ptr<Kernel> k;
      if (ahal_status_t s = make_kernel(fn, d, nullptr, object, name, nullptr, &k)) return s;
      it = d->builtins.emplace(name, std::move(k)).first;
    }
    *out_kernel = to_handle<ahal_kernel_t>(it->second->handle);
    return AHAL_SUCCESS;
  } catch (const std::bad_alloc&) {
    return fail(AHAL_ERROR_OUT_OF_HOST_MEMORY, fn, "out of host memory");
  }
}

ahal_status_t kernel_get_attributes(const char* fn, Kernel* k,
                                    ahal_kernel_attributes_t* out_attributes) {
  if (!out_attributes) return fail(AHAL_ERROR_INVALID_ARGUMENT, fn, "out_attributes is NULL");
  const size_t size = out_attributes->struct_size;
  if (ahal_status_t s = check_struct_size(fn, "ahal_kernel_attributes_t", size,
                                          AHAL_END_OF(ahal_kernel_attributes_t, flags)))
    return s;
  std::memcpy(out_attributes, &k->attributes,
              size < sizeof(k->attributes) ? size : sizeof(k->attributes));
  out_attributes->struct_size = size;
  return AHAL_SUCCESS;
}

}  // namespace base
}  // namespace ahal

#include "generated/kernel_entries.inc"
