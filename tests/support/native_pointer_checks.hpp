// Native-handle interop (docs/interop.md) of a device whose buffers are
// device pointers of its runtime (CUDA, HIP, Level Zero), for the plugins'
// tests on their test doubles: the handle ahal reports, the same memory
// imported back, memory the runtime allocated for the test imported, used
// and left to the test to free, and the refusals.
#pragma once

#include <ahal/ahal.h>

#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "test_double.hpp"

namespace ahal_test {

// What a test knows of the runtime underneath, given the native view of
// one of the device's buffers (for its context and ordinal).
struct NativeRuntime {
  ahal_native_handle_kind_t kind;
  bool has_context;  // the kind names a context (CUDA, Level Zero)
  // Device memory of `bytes` allocated by the runtime itself; 0 on failure.
  uint64_t (*allocate)(const ahal_native_buffer_t& probe, uint64_t bytes);
  // Frees it through the runtime: false when the runtime does not know the
  // pointer any more (someone freed it already).
  bool (*release)(const ahal_native_buffer_t& probe, uint64_t handle);
};

namespace native_detail {

inline void ok(ahal_status_t status, const char* what) {
  INFO(what << ": " << ahal_status_string(status) << ": " << ahal_last_error_message());
  REQUIRE(status == AHAL_SUCCESS);
}

inline std::vector<uint32_t> words(size_t n, uint32_t seed) {
  std::vector<uint32_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = seed * 2654435761u + uint32_t(i);
  return v;
}

inline std::vector<uint32_t> read(ahal_stream_t s, ahal_buffer_t b, size_t n) {
  std::vector<uint32_t> out(n);
  ok(ahal_stream_copy_d2h(s, b, 0, out.data(), n * 4), "ahal_stream_copy_d2h");
  ok(ahal_stream_synchronize(s), "ahal_stream_synchronize");
  return out;
}

inline void write(ahal_stream_t s, ahal_buffer_t b, const std::vector<uint32_t>& v) {
  ok(ahal_stream_copy_h2d(s, v.data(), b, 0, v.size() * 4), "ahal_stream_copy_h2d");
  ok(ahal_stream_synchronize(s), "ahal_stream_synchronize");
}

}  // namespace native_detail

inline void check_native_pointers(ahal_device_t device, uint32_t ordinal, const NativeRuntime& rt) {
  using namespace native_detail;
  ahal_stream_t stream = nullptr;
  ok(ahal_stream_create(device, nullptr, &stream), "ahal_stream_create");
  const size_t n = 1024;
  const uint64_t bytes = n * 4;
  ahal_buffer_args_t args{};
  args.struct_size = sizeof(args);
  args.size = bytes;
  ahal_buffer_t b = nullptr;
  ok(ahal_buffer_create(device, &args, &b), "ahal_buffer_create");
  const auto first = words(n, 1);
  write(stream, b, first);

  ahal_native_buffer_t nb{};
  nb.struct_size = sizeof(nb);
  ok(ahal_buffer_get_native(b, &nb), "ahal_buffer_get_native");
  CHECK(nb.kind == rt.kind);
  CHECK(nb.handle != 0);
  CHECK(nb.memory == 0);
  CHECK(nb.memory_offset == 0);
  CHECK((nb.context != 0) == rt.has_context);
  CHECK(nb.device_ordinal == ordinal);
  CHECK(nb.size == bytes);

  // The handle is the buffer's memory: imported back, it reads what was
  // written through the buffer, writes land there, and destroying the
  // import leaves the buffer (and its memory) alone.
  ahal_buffer_t alias = nullptr;
  ok(ahal_buffer_import_native(device, &nb, &alias), "ahal_buffer_import_native (alias)");
  CHECK(read(stream, alias, n) == first);
  const auto second = words(n, 2);
  write(stream, alias, second);
  CHECK(read(stream, b, n) == second);
  ok(ahal_buffer_destroy(alias), "ahal_buffer_destroy (alias)");
  CHECK(read(stream, b, n) == second);

  // Memory the runtime allocated for the test: ahal uses it, and
  // destroying the ahal buffer does not free it (the runtime's own free
  // still finds it).
  const uint64_t mine = rt.allocate(nb, bytes);
  REQUIRE(mine != 0);
  ahal_native_buffer_t ext{};
  ext.struct_size = sizeof(ext);
  ext.kind = rt.kind;
  ext.handle = mine;
  ext.size = bytes;
  ext.context = nb.context;
  ext.device_ordinal = ordinal;
  ahal_buffer_t imported = nullptr;
  ok(ahal_buffer_import_native(device, &ext, &imported), "ahal_buffer_import_native");
  ok(ahal_stream_copy_d2d(stream, b, 0, imported, 0, bytes), "ahal_stream_copy_d2d");
  CHECK(read(stream, imported, n) == second);
  const auto third = words(n, 3);
  write(stream, imported, third);
  CHECK(read(stream, imported, n) == third);
  ahal_native_buffer_t back{};
  back.struct_size = sizeof(back);
  ok(ahal_buffer_get_native(imported, &back), "ahal_buffer_get_native (imported)");
  CHECK(back.handle == mine);
  ok(ahal_buffer_destroy(imported), "ahal_buffer_destroy (imported)");
  CHECK(rt.release(nb, mine));

  // Refusals, each with a message that says what is wrong.
  auto refused = [&](ahal_native_buffer_t bad, ahal_status_t expected, const char* says) {
    ahal_buffer_t out = nullptr;
    const ahal_status_t status = ahal_buffer_import_native(device, &bad, &out);
    const std::string message = ahal_last_error_message();
    INFO(message);
    CHECK(status == expected);
    CHECK(out == nullptr);
    CHECK(message.find(says) != std::string::npos);
  };
  ahal_native_buffer_t bad = nb;
  bad.kind = rt.kind == AHAL_NATIVE_HANDLE_HOST_POINTER ? AHAL_NATIVE_HANDLE_OPENCL_MEM
                                                        : AHAL_NATIVE_HANDLE_HOST_POINTER;
  refused(bad, AHAL_ERROR_UNSUPPORTED, "imports only");
  bad = nb;
  bad.device_ordinal = ordinal + 7;
  refused(bad, AHAL_ERROR_INVALID_ARGUMENT, "device_ordinal");
  bad = nb;
  bad.context = nb.context + 64;
  refused(bad, AHAL_ERROR_INVALID_ARGUMENT, "context");
  bad = nb;
  bad.flags = AHAL_MEMORY_HOST_VISIBLE;
  refused(bad, AHAL_ERROR_UNSUPPORTED, "HOST_VISIBLE");

  ok(ahal_buffer_destroy(b), "ahal_buffer_destroy");
  ok(ahal_stream_destroy(stream), "ahal_stream_destroy");
}

}  // namespace ahal_test
