// Kernels: the device's built-in operators (builtin_ops.cpp); asic_sim
// takes no modules.
#include "objects.hpp"

#include <cstring>
#include <string>

namespace asic_sim {

ahal_status_t kernel_get_builtin(ahal_plugin_device_t* device, const char* name,
                                 ahal_plugin_kernel_t** out_kernel) {
  std::string names;
  for (ahal_plugin_kernel_s& kernel : device->builtins) {
    if (std::strcmp(kernel.op->name, name) == 0) {
      *out_kernel = &kernel;
      return AHAL_SUCCESS;
    }
    names += names.empty() ? "" : ", ";
    names += kernel.op->name;
  }
  throw Failure(AHAL_ERROR_NOT_FOUND,
                std::string("no built-in kernel '") + name + "' on asic_sim; it has " + names);
}

ahal_status_t kernel_get_attributes(ahal_plugin_kernel_t* kernel,
                                    ahal_kernel_attributes_t* out_attributes) {
  ahal_kernel_attributes_t a = ahal::plugin::read_struct(out_attributes);
  a.max_workgroup_size = 1;
  a.static_shared_bytes = 0;
  a.preferred_workgroup_multiple = 1;
  a.has_metadata = 1;
  a.binding_count = kernel->op->binding_count;
  a.constants_size = kernel->op->constants_size;
  a.flags = 0;
  ahal::plugin::write_struct(out_attributes, a);
  return AHAL_SUCCESS;
}

}  // namespace asic_sim
