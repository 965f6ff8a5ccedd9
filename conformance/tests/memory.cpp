// memory: buffers from 1 byte to the maximum allocation, mapping, pinned
// host memory, and out-of-memory as a status.
#include "harness.hpp"

#include <algorithm>

namespace {

using namespace conform;

const uint64_t MiB = 1ull << 20;
const uint64_t GiB = 1ull << 30;

ahal_status_t try_create(Context& ctx, uint64_t size, uint32_t flags, Buffer* out) {
  ahal_buffer_args_t args{};
  args.struct_size = sizeof(args);
  args.size = size;
  args.flags = flags;
  return ahal_buffer_create(ctx.device(), &args, out->out());
}

unsigned long long ull(uint64_t v) { return static_cast<unsigned long long>(v); }

// Every device has some memory: a device that reports none cannot pass a
// memory test, and the failure should say so rather than blame a size.
void require_allocations(Context& ctx) {
  if (ctx.props().max_allocation_bytes == 0)
    fail("the device reports max_allocation_bytes 0: it says no buffer can be created");
}

CONFORM_TEST(alloc_sizes, "memory.alloc_sizes", core, 0) {
  require_allocations(ctx);
  Rng rng(ctx.seed());
  for (uint64_t size : std::initializer_list<uint64_t>{1, 2, 3, 4, 5, 7, 8, 63, 64, 65, 255, 256,
                                                       4095, 4096, 4097, 65537, MiB + 13}) {
    if (size > ctx.props().max_allocation_bytes) break;
    Buffer b = ctx.buffer(size);
    uint64_t got = 0;
    CHECK_OK(ahal_buffer_size(b, &got));
    REQUIRE(got == size, "ahal_buffer_size gave %llu for a buffer of %llu bytes", ull(got),
            ull(size));
    std::vector<uint8_t> data = rng.bytes(size);
    ctx.write(b, 0, data.data(), size);
    std::vector<uint8_t> back = ctx.read(b, 0, size);
    expect_bytes(back.data(), data.data(), size, format("buffer of %llu bytes", ull(size)).c_str());
  }
}

CONFORM_TEST(alloc_large, "memory.alloc_large", core, 0) {
  require_allocations(ctx);
  uint64_t size = std::min(ctx.quick() ? 64 * MiB : 256 * MiB, ctx.props().max_allocation_bytes);
  Buffer b = ctx.buffer(size);
  Rng rng(ctx.seed());
  // The first and last 4 KiB, or halves of a smaller buffer.
  const size_t piece =
      static_cast<size_t>(std::max<uint64_t>(1, std::min<uint64_t>(4096, size / 2)));
  std::vector<uint8_t> head = rng.bytes(piece), tail = rng.bytes(piece);
  uint64_t tail_at = size - tail.size();
  ctx.write(b, 0, head.data(), head.size());
  ctx.write(b, tail_at, tail.data(), tail.size());
  expect_bytes(ctx.read(b, 0, head.size()).data(), head.data(), head.size(),
               size > 1 ? "first bytes" : "the one byte");
  expect_bytes(ctx.read(b, tail_at, tail.size()).data(), tail.data(), tail.size(), "last bytes");
}

CONFORM_TEST(alloc_max, "memory.alloc_max", full, 0) {
  uint64_t max = ctx.props().max_allocation_bytes;
  if (ctx.quick() && max > GiB)
    skip("--quick: max_allocation_bytes %llu is above the 1 GiB quick-mode cap", ull(max));
  Buffer b;
  ahal_status_t s = try_create(ctx, max, 0, &b);
  // Devices that share memory with the host may be out of it right now.
  if (s == AHAL_ERROR_OUT_OF_DEVICE_MEMORY || s == AHAL_ERROR_OUT_OF_HOST_MEMORY)
    skip("a buffer of max_allocation_bytes (%llu) gave %s: %s", ull(max), ahal_status_string(s),
         ahal_last_error_message());
  CHECK_OK(s);
  const uint8_t first = 0x5a, last = 0xa5;
  ctx.write(b, 0, &first, 1);
  ctx.write(b, max - 1, &last, 1);
  REQUIRE(ctx.read(b, 0, 1)[0] == first, "first byte of the largest buffer reads back wrong");
  REQUIRE(ctx.read(b, max - 1, 1)[0] == last, "last byte of the largest buffer reads back wrong");
}

CONFORM_TEST(alloc_bounds, "memory.alloc_bounds", core, 0) {
  Buffer b;
  uint64_t max = ctx.props().max_allocation_bytes;
  CHECK_STATUS(try_create(ctx, 0, 0, &b), AHAL_ERROR_OUT_OF_RANGE);
  REQUIRE(!b, "a refused ahal_buffer_create set the handle");
  CHECK_STATUS(try_create(ctx, max + 1, 0, &b), AHAL_ERROR_OUT_OF_RANGE);
  CHECK_STATUS(try_create(ctx, UINT64_MAX, 0, &b), AHAL_ERROR_OUT_OF_RANGE);
  CHECK_STATUS(try_create(ctx, 64, 1u << 20, &b), AHAL_ERROR_INVALID_ARGUMENT);
  CHECK_STATUS(try_create(ctx, 64, AHAL_MEMORY_HOST_COHERENT, &b), AHAL_ERROR_INVALID_ARGUMENT);
  CHECK_OK(try_create(ctx, 64, AHAL_MEMORY_DEVICE_LOCAL, &b));
  ctx.check_device_usable("refused allocations");
}

CONFORM_TEST(out_of_memory, "memory.out_of_memory", full, 0) {
  const ahal_device_properties_t& p = ctx.props();
  if (ctx.quick()) skip("--quick: this test allocates more than the device's global memory");
  // Allocate max-size chunks past twice the device's memory; somewhere on
  // the way the device must answer with a status instead of crashing.
  std::vector<Buffer> held;
  uint64_t total = 0;
  ahal_status_t s = AHAL_SUCCESS;
  while (total <= 2 * p.global_memory_bytes) {
    Buffer b;
    s = try_create(ctx, p.max_allocation_bytes, 0, &b);
    if (s != AHAL_SUCCESS) break;
    // Touch the buffer so lazily committed memory is really used.
    uint8_t one = 1;
    ctx.write(b, p.max_allocation_bytes - 1, &one, 1);
    total += p.max_allocation_bytes;
    held.push_back(std::move(b));
  }
  if (s == AHAL_SUCCESS)
    fail(
        "allocated %llu bytes, over twice global_memory_bytes (%llu), without an out-of-memory "
        "status",
        ull(total), ull(p.global_memory_bytes));
  CHECK_STATUS(s, AHAL_ERROR_OUT_OF_DEVICE_MEMORY, AHAL_ERROR_OUT_OF_HOST_MEMORY);
  held.clear();
  ctx.check_device_usable("running out of memory");
}

CONFORM_TEST(many_buffers, "memory.many_buffers", core, 0) {
  Rng rng(ctx.seed());
  const int count = 256;
  std::vector<Buffer> buffers;
  std::vector<std::vector<uint8_t>> data;
  for (int i = 0; i < count; ++i) {
    data.push_back(rng.bytes(1 + rng.below(8192)));
    buffers.push_back(ctx.buffer(data.back().size()));
    ctx.write(buffers.back(), 0, data.back().data(), data.back().size());
  }
  for (int i = 0; i < count; ++i) {
    std::vector<uint8_t> back = ctx.read(buffers[i], 0, data[i].size());
    expect_bytes(back.data(), data[i].data(), data[i].size(), format("buffer %d", i).c_str());
  }
}

CONFORM_TEST(map, "memory.map", core, AHAL_FEATURE_HOST_VISIBLE_MEMORY) {
  const uint64_t size = 65536 + 12;
  Buffer b = ctx.buffer(size, AHAL_MEMORY_HOST_VISIBLE | AHAL_MEMORY_HOST_COHERENT);
  Rng rng(ctx.seed());
  // Host writes through the mapping, the device reads them.
  std::vector<uint8_t> data = rng.bytes(size);
  void* p = nullptr;
  CHECK_OK(ahal_buffer_map(b, 0, size, &p));
  REQUIRE(p != nullptr, "ahal_buffer_map gave NULL");
  REQUIRE(reinterpret_cast<uintptr_t>(p) % 16 == 0, "mapped pointer %p is not 16-byte aligned", p);
  std::memcpy(p, data.data(), size);
  CHECK_OK(ahal_buffer_unmap(b));
  expect_bytes(ctx.read(b, 0, size).data(), data.data(), size, "device read of mapped writes");
  // The device writes, the host reads a sub-range through the mapping.
  std::vector<uint8_t> more = rng.bytes(size);
  ctx.write(b, 0, more.data(), size);
  const uint64_t offset = 4096 + 3, length = 1000;
  CHECK_OK(ahal_buffer_map(b, offset, length, &p));
  expect_bytes(p, more.data() + offset, length, "mapped sub-range after a device write");
  // Writes through a sub-range mapping land at that offset.
  std::memset(p, 0xee, length);
  CHECK_OK(ahal_buffer_unmap(b));
  std::fill(more.begin() + offset, more.begin() + offset + length, 0xee);
  expect_bytes(ctx.read(b, 0, size).data(), more.data(), size, "buffer after a sub-range write");
}

CONFORM_TEST(map_states, "memory.map_states", core, AHAL_FEATURE_HOST_VISIBLE_MEMORY) {
  Buffer b = ctx.buffer(4096, AHAL_MEMORY_HOST_VISIBLE | AHAL_MEMORY_HOST_COHERENT);
  void* p = nullptr;
  CHECK_STATUS(ahal_buffer_unmap(b), AHAL_ERROR_INVALID_STATE);
  CHECK_STATUS(ahal_buffer_map(b, 4000, 97, &p), AHAL_ERROR_OUT_OF_RANGE);
  CHECK_STATUS(ahal_buffer_map(b, 0, 0, &p), AHAL_ERROR_OUT_OF_RANGE);
  CHECK_STATUS(ahal_buffer_map(b, UINT64_MAX, 2, &p), AHAL_ERROR_OUT_OF_RANGE);
  CHECK_OK(ahal_buffer_map(b, 0, 4096, &p));
  void* again = nullptr;
  CHECK_STATUS(ahal_buffer_map(b, 0, 16, &again), AHAL_ERROR_INVALID_STATE);
  CHECK_OK(ahal_buffer_unmap(b));
  CHECK_STATUS(ahal_buffer_unmap(b), AHAL_ERROR_INVALID_STATE);
  // A device-local buffer cannot be mapped.
  Buffer local = ctx.buffer(4096, AHAL_MEMORY_DEVICE_LOCAL);
  CHECK_STATUS(ahal_buffer_map(local, 0, 16, &p), AHAL_ERROR_INVALID_ARGUMENT);
  ctx.check_device_usable("refused maps");
}

CONFORM_TEST(map_unsupported, "memory.map_unsupported", core, 0) {
  if (ctx.has(AHAL_FEATURE_HOST_VISIBLE_MEMORY))
    skip("the device claims AHAL_FEATURE_HOST_VISIBLE_MEMORY (memory.map tests it)");
  Buffer b;
  CHECK_STATUS(try_create(ctx, 4096, AHAL_MEMORY_HOST_VISIBLE, &b), AHAL_ERROR_UNSUPPORTED);
}

CONFORM_TEST(host_alloc, "memory.host_alloc", core, 0) {
  Rng rng(ctx.seed());
  Stream s = ctx.stream();
  for (uint64_t size : std::initializer_list<uint64_t>{1, 4096, MiB + 1}) {
    void* p = nullptr;
    HostAlloc h = ctx.host_alloc(size, &p);
    REQUIRE(reinterpret_cast<uintptr_t>(p) % 16 == 0, "pinned pointer %p is not 16-byte aligned",
            p);
    // Pinned memory as both source and destination of asynchronous copies.
    std::vector<uint8_t> data = rng.bytes(size);
    std::memcpy(p, data.data(), size);
    Buffer b = ctx.buffer(size);
    CHECK_OK(ahal_stream_copy_h2d(s, p, b, 0, size));
    CHECK_OK(ahal_stream_synchronize(s));
    std::memset(p, 0, size);
    CHECK_OK(ahal_stream_copy_d2h(s, b, 0, p, size));
    CHECK_OK(ahal_stream_synchronize(s));
    expect_bytes(p, data.data(), size,
                 format("pinned round trip of %llu bytes", ull(size)).c_str());
  }
  HostAlloc h;
  CHECK_STATUS(ahal_host_alloc(ctx.device(), 0, 0, h.out()), AHAL_ERROR_OUT_OF_RANGE);
  CHECK_STATUS(ahal_host_alloc(ctx.device(), 64, 1u << 20, h.out()), AHAL_ERROR_INVALID_ARGUMENT);
}

CONFORM_TEST(churn, "memory.churn", core, 0) {
  // Create and destroy in a loop: freed memory is reused without stale state.
  Rng rng(ctx.seed());
  for (int i = 0; i < 100; ++i) {
    uint64_t size = 1 + rng.below(1 << 16);
    Buffer b = ctx.buffer(size);
    std::vector<uint8_t> data = rng.bytes(size);
    ctx.write(b, 0, data.data(), size);
    expect_bytes(ctx.read(b, 0, size).data(), data.data(), size,
                 format("buffer %d of the churn", i).c_str());
  }
}

}  // namespace
