// asic_sim has no native handles (docs/interop.md): both interop calls
// answer AHAL_ERROR_UNSUPPORTED with the reason, and the buffer is intact.
#include "sim_fixture.hpp"

#include <cstdint>
#include <string>

TEST_CASE("asic_sim buffers have no native handle and nothing imports") {
  Sim sim;
  ahal_buffer_t b = sim.upload({1.0f, 2.0f, 3.0f, 4.0f});
  ahal_native_buffer_t n{};
  n.struct_size = sizeof(n);
  n.kind = AHAL_NATIVE_HANDLE_OPENCL_MEM;  // overwritten with NONE on failure
  CHECK(ahal_buffer_get_native(b, &n) == AHAL_ERROR_UNSUPPORTED);
  std::string message = ahal_last_error_message();
  CHECK(message.find("asic_sim buffers have no native handle") != std::string::npos);
  CHECK(message.find("ahal_stream_copy_d2h") != std::string::npos);
  CHECK(n.kind == AHAL_NATIVE_HANDLE_NONE);
  CHECK(n.handle == 0);

  static float host[4] = {};
  const ahal_native_buffer_t in = ahal_test::host_memory_native(host, sizeof(host));
  ahal_buffer_t imported = nullptr;
  CHECK(ahal_buffer_import_native(sim.device, &in, &imported) == AHAL_ERROR_UNSUPPORTED);
  message = ahal_last_error_message();
  CHECK(message.find("asic_sim cannot import native memory") != std::string::npos);
  CHECK(imported == nullptr);

  CHECK(sim.download(b, 4) == std::vector<float>{1.0f, 2.0f, 3.0f, 4.0f});
  AHAL_TEST_OK(ahal_buffer_destroy(b));
}
