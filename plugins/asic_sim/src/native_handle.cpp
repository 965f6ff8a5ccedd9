// Native-handle interop (docs/interop.md): asic_sim has none. Its buffers
// are ranges of the simulator's memory arena, which no other runtime (or
// DLPack consumer) can address, so both entries answer
// AHAL_ERROR_UNSUPPORTED with the reason and the way to move data instead.
#include "objects.hpp"

namespace asic_sim {

ahal_status_t buffer_get_native(ahal_plugin_device_t*, ahal_plugin_buffer_t*,
                                ahal_native_buffer_t*) {
  throw Failure(AHAL_ERROR_UNSUPPORTED,
                "asic_sim buffers have no native handle (kind AHAL_NATIVE_HANDLE_NONE): they live "
                "in the simulator's device memory arena, which only its DMA engine reaches; copy "
                "the data out with ahal_stream_copy_d2h");
}

ahal_status_t buffer_import_native(ahal_plugin_device_t*, const ahal_native_buffer_t*,
                                   ahal_plugin_buffer_t**) {
  throw Failure(AHAL_ERROR_UNSUPPORTED,
                "asic_sim cannot import native memory: its kernels reach only the simulator's "
                "device memory arena; create a buffer and copy the data in with "
                "ahal_stream_copy_h2d");
}

}  // namespace asic_sim
