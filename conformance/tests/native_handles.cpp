// memory.native_*: native-handle interop (docs/interop.md). A buffer's
// handle is what its plugin's row says it is, and imported back it is the
// same memory. Devices without native handles (asic_sim) skip with the
// plugin's reason.
#include "harness.hpp"

#include <cstring>

namespace {

using namespace conform;

// What a plugin's buffers are natively (docs/interop.md); NONE when the
// plugin is not one of ahal's own.
ahal_native_handle_kind_t expected_kind(const char* plugin) {
  struct Row {
    const char* plugin;
    ahal_native_handle_kind_t kind;
  };
  static const Row rows[] = {
      {"cpu", AHAL_NATIVE_HANDLE_HOST_POINTER},
      {"cuda", AHAL_NATIVE_HANDLE_CUDA_DEVICE_POINTER},
      {"hip", AHAL_NATIVE_HANDLE_HIP_DEVICE_POINTER},
      {"level_zero", AHAL_NATIVE_HANDLE_LEVEL_ZERO_POINTER},
      {"opencl", AHAL_NATIVE_HANDLE_OPENCL_MEM},
      {"vulkan", AHAL_NATIVE_HANDLE_VULKAN_BUFFER},
  };
  for (const Row& r : rows)
    if (std::strcmp(r.plugin, plugin) == 0) return r.kind;
  return AHAL_NATIVE_HANDLE_NONE;
}

// The buffer's native view, or a skip with the plugin's reason.
ahal_native_buffer_t native_or_skip(ahal_buffer_t b) {
  ahal_native_buffer_t n{};
  n.struct_size = sizeof(n);
  const ahal_status_t s = ahal_buffer_get_native(b, &n);
  if (s == AHAL_ERROR_UNSUPPORTED) {
    REQUIRE(n.kind == AHAL_NATIVE_HANDLE_NONE,
            "ahal_buffer_get_native answered UNSUPPORTED but left kind %u, not NONE",
            static_cast<unsigned>(n.kind));
    skip("the device has no native handles: %s", ahal_last_error_message());
  }
  CHECK_OK(s);
  return n;
}

CONFORM_TEST(native_handle, "memory.native_handle", core, 0) {
  const uint64_t size = 4096;
  Buffer b = ctx.buffer(size);
  const ahal_native_buffer_t n = native_or_skip(b);
  REQUIRE(n.kind != AHAL_NATIVE_HANDLE_NONE && n.handle != 0,
          "a native handle of kind %u and value 0x%llx", static_cast<unsigned>(n.kind),
          static_cast<unsigned long long>(n.handle));
  REQUIRE(n.size == size, "native size %llu for a buffer of %llu bytes",
          static_cast<unsigned long long>(n.size), static_cast<unsigned long long>(size));
  REQUIRE((n.kind == AHAL_NATIVE_HANDLE_VULKAN_BUFFER) == (n.memory != 0),
          "kind %u with memory 0x%llx: only a Vulkan buffer names its VkDeviceMemory",
          static_cast<unsigned>(n.kind), static_cast<unsigned long long>(n.memory));
  const ahal_native_handle_kind_t want = expected_kind(ctx.props().plugin);
  if (want != AHAL_NATIVE_HANDLE_NONE)
    REQUIRE(n.kind == want, "plugin %s reports kind %u; docs/interop.md says %u",
            ctx.props().plugin, static_cast<unsigned>(n.kind), static_cast<unsigned>(want));
  // The handle stays the same while the buffer lives.
  ahal_native_buffer_t again{};
  again.struct_size = sizeof(again);
  CHECK_OK(ahal_buffer_get_native(b, &again));
  REQUIRE(again.handle == n.handle && again.memory == n.memory &&
              again.memory_offset == n.memory_offset && again.context == n.context,
          "a second ahal_buffer_get_native gave another handle");
}

CONFORM_TEST(native_import, "memory.native_import", core, 0) {
  const uint64_t size = 64 * 1024;
  Buffer b = ctx.buffer(size);
  const ahal_native_buffer_t n = native_or_skip(b);
  Buffer alias;
  const ahal_status_t s = ahal_buffer_import_native(ctx.device(), &n, alias.out());
  if (s == AHAL_ERROR_UNSUPPORTED)
    skip("the device does not import its own native handles: %s", ahal_last_error_message());
  CHECK_OK(s);
  // One memory: what one writes the other reads, both ways.
  Rng rng(ctx.seed());
  std::vector<uint8_t> first = rng.bytes(size), second = rng.bytes(size);
  ctx.write(b, 0, first.data(), size);
  expect_bytes(ctx.read(alias, 0, size).data(), first.data(), size, "read through the import");
  ctx.write(alias, 0, second.data(), size);
  expect_bytes(ctx.read(b, 0, size).data(), second.data(), size,
               "read through the buffer after a write through the import");
  // Destroying the import frees nothing: the buffer still holds its data.
  alias.reset();
  expect_bytes(ctx.read(b, 0, size).data(), second.data(), size,
               "read after the import was destroyed");
}

}  // namespace
