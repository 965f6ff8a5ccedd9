// Buffers: ranges of the device's memory arena. There is no host pointer
// to them, so they cannot be mapped; copies move the data.
#include "objects.hpp"

#include <optional>
#include <string>

namespace asic_sim {

ahal_status_t buffer_create(ahal_plugin_device_t* device, const ahal_buffer_args_t* in_args,
                            ahal_plugin_buffer_t** out_buffer) {
  ahal_buffer_args_t args = ahal::plugin::read_struct(in_args);
  if (args.flags & (AHAL_MEMORY_HOST_VISIBLE | AHAL_MEMORY_HOST_COHERENT)) {
    throw Failure(AHAL_ERROR_UNSUPPORTED,
                  "asic_sim has no host-visible memory: create a device-local buffer and move "
                  "data with ahal_stream_copy_h2d/d2h");
  }
  std::optional<uint64_t> offset = device->memory.allocate(args.size);
  if (!offset) {
    throw Failure(AHAL_ERROR_OUT_OF_DEVICE_MEMORY,
                  "device memory exhausted: " + std::to_string(args.size) + " bytes requested, " +
                      std::to_string(device->memory.used()) + " of " +
                      std::to_string(device->memory.size()) + " bytes in use, largest free range " +
                      std::to_string(device->memory.largest_free_range()) +
                      " bytes (AHAL_ASIC_SIM_MEMORY_MB sets the arena size)");
  }
  *out_buffer = new ahal_plugin_buffer_s{*offset, args.size};
  return AHAL_SUCCESS;
}

void buffer_destroy(ahal_plugin_device_t* device, ahal_plugin_buffer_t* buffer) {
  device->memory.release(buffer->offset);
  delete buffer;
}

ahal_status_t buffer_map(ahal_plugin_device_t* device, ahal_plugin_buffer_t* buffer,
                         uint64_t offset, uint64_t size, void** out_pointer) {
  return ahal::plugin::fail(
      AHAL_ERROR_UNSUPPORTED,
      "asic_sim device memory cannot be mapped (no AHAL_FEATURE_HOST_VISIBLE_MEMORY): use "
      "ahal_stream_copy_h2d/d2h");
}

ahal_status_t buffer_unmap(ahal_plugin_device_t* device, ahal_plugin_buffer_t* buffer) {
  return ahal::plugin::fail(AHAL_ERROR_UNSUPPORTED, "asic_sim device memory cannot be mapped");
}

}  // namespace asic_sim
