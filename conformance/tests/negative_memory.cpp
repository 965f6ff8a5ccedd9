// negative: runtime, device, buffer, host memory, stream, copy and fill
// entries given one bad input each (negative.hpp).
#include "negative.hpp"

namespace {

using namespace conform;

ahal_buffer_args_t buffer_args(uint64_t size, uint32_t flags = 0) {
  ahal_buffer_args_t a{};
  a.struct_size = sizeof(a);
  a.size = size;
  a.flags = flags;
  return a;
}

// ------------------------------------------------------------ runtime, device

NEGATIVE(runtime_options_size, "runtime_create.options_struct_size", 0) {
  ahal_runtime_options_t o{};
  o.struct_size = 1;
  ahal_runtime_t rt = nullptr;
  expect_refusal(ctx, ahal_runtime_create(&o, &rt), {AHAL_ERROR_INVALID_ARGUMENT},
                 "ahal_runtime_create", "struct_size 1 is smaller");
}

NEGATIVE(runtime_unknown_flag, "runtime_create.unknown_flag", 0) {
  ahal_runtime_options_t o{};
  o.struct_size = sizeof(o);
  o.flags = 1u << 31;
  ahal_runtime_t rt = nullptr;
  expect_refusal(ctx, ahal_runtime_create(&o, &rt), {AHAL_ERROR_INVALID_ARGUMENT},
                 "ahal_runtime_create", "unknown bits 0x80000000");
}

NEGATIVE(plugin_info_index, "runtime_plugin_info.index_max", 0) {
  ahal_plugin_info_t info{};
  info.struct_size = sizeof(info);
  expect_refusal(ctx, ahal_runtime_plugin_info(ctx.runtime(), UINT32_MAX, &info),
                 {AHAL_ERROR_OUT_OF_RANGE}, "ahal_runtime_plugin_info",
                 "index 4294967295 is not below the plugin count");
}

NEGATIVE(plugin_info_size, "runtime_plugin_info.struct_size", 0) {
  ahal_plugin_info_t info{};
  info.struct_size = 4;
  expect_refusal(ctx, ahal_runtime_plugin_info(ctx.runtime(), 0, &info),
                 {AHAL_ERROR_INVALID_ARGUMENT}, "ahal_runtime_plugin_info",
                 "struct_size 4 is smaller");
}

NEGATIVE(device_get_index, "runtime_device_get.index_max", 0) {
  ahal_device_t d = nullptr;
  expect_refusal(ctx, ahal_runtime_device_get(ctx.runtime(), UINT32_MAX, &d),
                 {AHAL_ERROR_OUT_OF_RANGE}, "ahal_runtime_device_get",
                 "is not below the device count");
}

NEGATIVE(device_find_bad_index, "device_find.bad_index_text", 0) {
  ahal_device_t d = nullptr;
  const std::string selector = std::string(ctx.props().plugin) + ":x1";
  expect_refusal(ctx, ahal_device_find(ctx.runtime(), selector.c_str(), &d),
                 {AHAL_ERROR_INVALID_ARGUMENT}, "ahal_device_find",
                 "is not \"<plugin>:<n>\", \"<plugin>\" or \"<n>\"");
}

NEGATIVE(device_find_overflow, "device_find.index_overflow", 0) {
  ahal_device_t d = nullptr;
  const std::string selector = std::string(ctx.props().plugin) + ":99999999999";
  expect_refusal(ctx, ahal_device_find(ctx.runtime(), selector.c_str(), &d),
                 {AHAL_ERROR_INVALID_ARGUMENT}, "ahal_device_find", "is not \"<plugin>:<n>\"");
}

NEGATIVE(device_find_empty, "device_find.empty_selector", 0) {
  ahal_device_t d = nullptr;
  expect_refusal(ctx, ahal_device_find(ctx.runtime(), "", &d), {AHAL_ERROR_NOT_FOUND},
                 "ahal_device_find", "no device matches \"\"");
}

NEGATIVE(properties_size, "device_get_properties.struct_size", 0) {
  ahal_device_properties_t p{};
  p.struct_size = 8;
  expect_refusal(ctx, ahal_device_get_properties(ctx.device(), &p), {AHAL_ERROR_INVALID_ARGUMENT},
                 "ahal_device_get_properties", "struct_size 8 is smaller");
}

// ------------------------------------------------------------ buffers

NEGATIVE(buffer_size_zero, "buffer_create.size_zero", 0) {
  ahal_buffer_args_t a = buffer_args(0);
  ahal_buffer_t b = nullptr;
  expect_refusal(ctx, ahal_buffer_create(ctx.device(), &a, &b), {AHAL_ERROR_OUT_OF_RANGE},
                 "ahal_buffer_create", "size is 0");
}

NEGATIVE(buffer_too_big, "buffer_create.past_max_allocation", 0) {
  const uint64_t max = ctx.props().max_allocation_bytes;
  if (max == 0 || max == UINT64_MAX)
    skip("max_allocation_bytes %llu: nothing is past it", (unsigned long long)max);
  ahal_buffer_args_t a = buffer_args(max + 1);
  ahal_buffer_t b = nullptr;
  expect_refusal(ctx, ahal_buffer_create(ctx.device(), &a, &b), {AHAL_ERROR_OUT_OF_RANGE},
                 "ahal_buffer_create", "exceeds max_allocation_bytes");
}

NEGATIVE(buffer_size_max, "buffer_create.size_uint64_max", 0) {
  ahal_buffer_args_t a = buffer_args(UINT64_MAX);
  ahal_buffer_t b = nullptr;
  expect_refusal(ctx, ahal_buffer_create(ctx.device(), &a, &b),
                 {AHAL_ERROR_OUT_OF_RANGE, AHAL_ERROR_OUT_OF_DEVICE_MEMORY}, "ahal_buffer_create",
                 "18446744073709551615");
}

NEGATIVE(buffer_unknown_flag, "buffer_create.unknown_flag", 0) {
  ahal_buffer_args_t a = buffer_args(64, 1u << 20);
  ahal_buffer_t b = nullptr;
  expect_refusal(ctx, ahal_buffer_create(ctx.device(), &a, &b), {AHAL_ERROR_INVALID_ARGUMENT},
                 "ahal_buffer_create", "unknown bits 0x100000");
}

NEGATIVE(buffer_coherent_alone, "buffer_create.coherent_without_visible", 0) {
  ahal_buffer_args_t a = buffer_args(64, AHAL_MEMORY_HOST_COHERENT);
  ahal_buffer_t b = nullptr;
  expect_refusal(ctx, ahal_buffer_create(ctx.device(), &a, &b), {AHAL_ERROR_INVALID_ARGUMENT},
                 "ahal_buffer_create", "AHAL_MEMORY_HOST_COHERENT needs AHAL_MEMORY_HOST_VISIBLE");
}

NEGATIVE(buffer_args_size, "buffer_create.struct_size", 0) {
  ahal_buffer_args_t a = buffer_args(64);
  a.struct_size = 2;
  ahal_buffer_t b = nullptr;
  expect_refusal(ctx, ahal_buffer_create(ctx.device(), &a, &b), {AHAL_ERROR_INVALID_ARGUMENT},
                 "ahal_buffer_create", "ahal_buffer_args_t.struct_size 2 is smaller");
}

NEGATIVE(buffer_map_device_local, "buffer_map.not_host_visible", 0) {
  Buffer b = ctx.buffer(64);
  void* p = nullptr;
  expect_refusal(ctx, ahal_buffer_map(b, 0, 64, &p), {AHAL_ERROR_INVALID_ARGUMENT},
                 "ahal_buffer_map", "was not created AHAL_MEMORY_HOST_VISIBLE");
}

NEGATIVE(buffer_map_size_zero, "buffer_map.size_zero", AHAL_FEATURE_HOST_VISIBLE_MEMORY) {
  Buffer b = ctx.buffer(64, AHAL_MEMORY_HOST_VISIBLE);
  void* p = nullptr;
  expect_refusal(ctx, ahal_buffer_map(b, 0, 0, &p), {AHAL_ERROR_OUT_OF_RANGE}, "ahal_buffer_map",
                 "size is 0");
}

NEGATIVE(buffer_map_past_end, "buffer_map.past_end", AHAL_FEATURE_HOST_VISIBLE_MEMORY) {
  Buffer b = ctx.buffer(64, AHAL_MEMORY_HOST_VISIBLE);
  void* p = nullptr;
  expect_refusal(ctx, ahal_buffer_map(b, 32, 33, &p), {AHAL_ERROR_OUT_OF_RANGE}, "ahal_buffer_map",
                 "offset 32 + size 33 exceeds buffer size 64");
}

NEGATIVE(buffer_map_offset_overflow, "buffer_map.offset_overflow",
         AHAL_FEATURE_HOST_VISIBLE_MEMORY) {
  Buffer b = ctx.buffer(64, AHAL_MEMORY_HOST_VISIBLE);
  void* p = nullptr;
  expect_refusal(ctx, ahal_buffer_map(b, UINT64_MAX, 2, &p), {AHAL_ERROR_OUT_OF_RANGE},
                 "ahal_buffer_map", "exceeds buffer size 64");
}

NEGATIVE(buffer_map_twice, "buffer_map.twice", AHAL_FEATURE_HOST_VISIBLE_MEMORY) {
  Buffer b = ctx.buffer(64, AHAL_MEMORY_HOST_VISIBLE);
  void* p = nullptr;
  CHECK_OK(ahal_buffer_map(b, 0, 64, &p));
  expect_refusal(ctx, ahal_buffer_map(b, 0, 64, &p), {AHAL_ERROR_INVALID_STATE}, "ahal_buffer_map",
                 "already mapped");
  CHECK_OK(ahal_buffer_unmap(b));
}

NEGATIVE(buffer_unmap_unmapped, "buffer_unmap.not_mapped", 0) {
  Buffer b = ctx.buffer(64);
  expect_refusal(ctx, ahal_buffer_unmap(b), {AHAL_ERROR_INVALID_STATE}, "ahal_buffer_unmap",
                 "buffer is not mapped");
}

// ------------------------------------------------------------ host memory

NEGATIVE(host_alloc_zero, "host_alloc.size_zero", 0) {
  ahal_host_alloc_t h = nullptr;
  expect_refusal(ctx, ahal_host_alloc(ctx.device(), 0, 0, &h), {AHAL_ERROR_OUT_OF_RANGE},
                 "ahal_host_alloc", "size is 0");
}

NEGATIVE(host_alloc_flags, "host_alloc.flags", 0) {
  ahal_host_alloc_t h = nullptr;
  expect_refusal(ctx, ahal_host_alloc(ctx.device(), 64, 4, &h), {AHAL_ERROR_INVALID_ARGUMENT},
                 "ahal_host_alloc", "flags 0x4: no flags are defined");
}

NEGATIVE(host_alloc_pointer_null, "host_alloc_pointer.null_out", 0) {
  void* p = nullptr;
  HostAlloc h = ctx.host_alloc(64, &p);
  expect_refusal(ctx, ahal_host_alloc_pointer(h, nullptr), {AHAL_ERROR_INVALID_ARGUMENT},
                 "ahal_host_alloc_pointer", "out_pointer is NULL");
}

// ------------------------------------------------------------ streams

NEGATIVE(stream_flags, "stream_create.flags", 0) {
  ahal_stream_args_t a{};
  a.struct_size = sizeof(a);
  a.flags = 2;
  ahal_stream_t s = nullptr;
  expect_refusal(ctx, ahal_stream_create(ctx.device(), &a, &s), {AHAL_ERROR_INVALID_ARGUMENT},
                 "ahal_stream_create", "no flags are defined");
}

NEGATIVE(stream_args_size, "stream_create.struct_size", 0) {
  ahal_stream_args_t a{};
  a.struct_size = 1;
  ahal_stream_t s = nullptr;
  expect_refusal(ctx, ahal_stream_create(ctx.device(), &a, &s), {AHAL_ERROR_INVALID_ARGUMENT},
                 "ahal_stream_create", "ahal_stream_args_t.struct_size 1 is smaller");
}

// ------------------------------------------------------------ copies

NEGATIVE(h2d_offset_past_end, "stream_copy_h2d.offset_past_end", 0) {
  Buffer b = ctx.buffer(64);
  Stream s = ctx.stream();
  uint8_t src[1] = {};
  expect_refusal(ctx, ahal_stream_copy_h2d(s, src, b, 65, 0), {AHAL_ERROR_OUT_OF_RANGE},
                 "ahal_stream_copy_h2d", "dst_offset 65 + size 0 exceeds buffer size 64");
}

NEGATIVE(h2d_overflow, "stream_copy_h2d.offset_overflow", 0) {
  Buffer b = ctx.buffer(64);
  Stream s = ctx.stream();
  uint8_t src[8] = {};
  expect_refusal(ctx, ahal_stream_copy_h2d(s, src, b, UINT64_MAX - 2, 8), {AHAL_ERROR_OUT_OF_RANGE},
                 "ahal_stream_copy_h2d", "exceeds buffer size 64");
}

NEGATIVE(h2d_null_src, "stream_copy_h2d.null_src", 0) {
  Buffer b = ctx.buffer(64);
  Stream s = ctx.stream();
  expect_refusal(ctx, ahal_stream_copy_h2d(s, nullptr, b, 0, 8), {AHAL_ERROR_INVALID_ARGUMENT},
                 "ahal_stream_copy_h2d", "src is NULL");
}

NEGATIVE(d2h_too_long, "stream_copy_d2h.size_past_end", 0) {
  Buffer b = ctx.buffer(64);
  Stream s = ctx.stream();
  std::vector<uint8_t> dst(128);
  expect_refusal(ctx, ahal_stream_copy_d2h(s, b, 0, dst.data(), 65), {AHAL_ERROR_OUT_OF_RANGE},
                 "ahal_stream_copy_d2h", "src_offset 0 + size 65 exceeds buffer size 64");
}

NEGATIVE(d2h_null_dst, "stream_copy_d2h.null_dst", 0) {
  Buffer b = ctx.buffer(64);
  Stream s = ctx.stream();
  expect_refusal(ctx, ahal_stream_copy_d2h(s, b, 0, nullptr, 8), {AHAL_ERROR_INVALID_ARGUMENT},
                 "ahal_stream_copy_d2h", "dst is NULL");
}

NEGATIVE(d2d_overlap, "stream_copy_d2d.overlap", 0) {
  Buffer b = ctx.buffer(256);
  Stream s = ctx.stream();
  expect_refusal(ctx, ahal_stream_copy_d2d(s, b, 0, b, 64, 128), {AHAL_ERROR_INVALID_ARGUMENT},
                 "ahal_stream_copy_d2d", "overlap in one buffer");
}

NEGATIVE(d2d_dst_past_end, "stream_copy_d2d.dst_past_end", 0) {
  Buffer a = ctx.buffer(256), b = ctx.buffer(64);
  Stream s = ctx.stream();
  expect_refusal(ctx, ahal_stream_copy_d2d(s, a, 0, b, 0, 128), {AHAL_ERROR_OUT_OF_RANGE},
                 "ahal_stream_copy_d2d", "dst_offset 0 + size 128 exceeds buffer size 64");
}

NEGATIVE(d2d_src_past_end, "stream_copy_d2d.src_past_end", 0) {
  Buffer a = ctx.buffer(64), b = ctx.buffer(256);
  Stream s = ctx.stream();
  expect_refusal(ctx, ahal_stream_copy_d2d(s, a, 32, b, 0, 64), {AHAL_ERROR_OUT_OF_RANGE},
                 "ahal_stream_copy_d2d", "src_offset 32 + size 64 exceeds buffer size 64");
}

NEGATIVE(copy_other_runtime, "stream_copy_d2d.buffer_of_another_runtime", 0) {
  OtherRuntime other(ctx);
  ahal_buffer_args_t a = buffer_args(64);
  ahal_buffer_t foreign = nullptr;
  CHECK_OK(ahal_buffer_create(other.device(), &a, &foreign));
  Buffer own = ctx.buffer(64), holder(foreign);
  Stream s = ctx.stream();
  expect_refusal(ctx, ahal_stream_copy_d2d(s, foreign, 0, own, 0, 64),
                 {AHAL_ERROR_INVALID_ARGUMENT}, "ahal_stream_copy_d2d", "(another runtime)");
}

// ------------------------------------------------------------ fills

NEGATIVE(fill_null_pattern, "stream_fill.null_pattern", 0) {
  Buffer b = ctx.buffer(64);
  Stream s = ctx.stream();
  expect_refusal(ctx, ahal_stream_fill(s, b, 0, 64, nullptr, 4), {AHAL_ERROR_INVALID_ARGUMENT},
                 "ahal_stream_fill", "pattern is NULL");
}

NEGATIVE(fill_pattern_3, "stream_fill.pattern_size_3", 0) {
  Buffer b = ctx.buffer(64);
  Stream s = ctx.stream();
  const uint32_t p = 0;
  expect_refusal(ctx, ahal_stream_fill(s, b, 0, 63, &p, 3), {AHAL_ERROR_INVALID_ARGUMENT},
                 "ahal_stream_fill", "pattern_size 3 is not 1, 2 or 4");
}

NEGATIVE(fill_pattern_0, "stream_fill.pattern_size_0", 0) {
  Buffer b = ctx.buffer(64);
  Stream s = ctx.stream();
  const uint32_t p = 0;
  expect_refusal(ctx, ahal_stream_fill(s, b, 0, 64, &p, 0), {AHAL_ERROR_INVALID_ARGUMENT},
                 "ahal_stream_fill", "pattern_size 0 is not 1, 2 or 4");
}

NEGATIVE(fill_unaligned_offset, "stream_fill.unaligned_offset", 0) {
  Buffer b = ctx.buffer(64);
  Stream s = ctx.stream();
  const uint32_t p = 0;
  expect_refusal(ctx, ahal_stream_fill(s, b, 2, 32, &p, 4), {AHAL_ERROR_INVALID_ARGUMENT},
                 "ahal_stream_fill", "must be multiples of pattern_size 4");
}

NEGATIVE(fill_unaligned_size, "stream_fill.unaligned_size", 0) {
  Buffer b = ctx.buffer(64);
  Stream s = ctx.stream();
  const uint16_t p = 0;
  expect_refusal(ctx, ahal_stream_fill(s, b, 0, 33, &p, 2), {AHAL_ERROR_INVALID_ARGUMENT},
                 "ahal_stream_fill", "must be multiples of pattern_size 2");
}

NEGATIVE(fill_past_end, "stream_fill.past_end", 0) {
  Buffer b = ctx.buffer(64);
  Stream s = ctx.stream();
  const uint8_t p = 0;
  expect_refusal(ctx, ahal_stream_fill(s, b, 60, 8, &p, 1), {AHAL_ERROR_OUT_OF_RANGE},
                 "ahal_stream_fill", "offset 60 + size 8 exceeds buffer size 64");
}

}  // namespace
