// asic_sim: a simulated inference ASIC behind the ahal plugin ABI.
//
// This file is the plugin's face: ahal_plugin_query, the dispatch table and
// the instance. Each object's entries live in a file of its own (device,
// buffer, host_alloc, stream, event, kernel, command_buffer); they turn handles into the
// objects of objects.hpp and leave the real work to the device's engines:
//   DeviceMemory     the arena buffers live in (no host pointer to it)
//   DmaEngine        every copy and fill, at a modelled bandwidth
//   CommandProcessor one thread per stream, commands in order (a command
//                    buffer's whole list as one command)
//   Fence            what an event is
//   WorkerPool       the compute engines that run the built-in operators
// docs/plugin-guide.md explains the rules this follows.
#include "objects.hpp"

// guide-snippet: table
// The whole dispatch table and ahal_plugin_query: every entry, here and in
// the other files is installed behind the SDK's guard, so an exception
// thrown inside (a Failure, std::bad_alloc) becomes a status and message
// and never crosses the ABI. No general kernels: module_create,
// module_destroy, kernel_get and image_score stay NULL, and the loader
// answers AHAL_ERROR_UNSUPPORTED.
#define ASIC_SIM_TABLE_OPTIONAL_ENTRIES(X, api) \
  X(api, kernel_get_builtin)                    \
  X(api, device_memory_usage)                   \
  X(api, command_buffer_create)                 \
  X(api, command_buffer_destroy)                \
  X(api, command_buffer_submit)                 \
  X(api, command_buffer_update) X(api, buffer_get_native) X(api, buffer_import_native)
AHAL_PLUGIN_GUARDED_QUERY(asic_sim, "asic_sim",
                          "simulated inference ASIC: device memory arena, DMA engine, built-in "
                          "operators",
                          ASIC_SIM_TABLE_OPTIONAL_ENTRIES)
// guide-snippet-end

namespace asic_sim {

void plugin_shutdown(ahal_plugin_instance_t* instance) { delete instance; }

ahal_status_t plugin_init(const ahal_plugin_host_t* host, const ahal_plugin_init_args_t* args,
                          ahal_plugin_instance_t** out_instance) {
  *out_instance = new ahal_plugin_instance_s{Config::from_environment()};
  return AHAL_SUCCESS;
}

}  // namespace asic_sim
