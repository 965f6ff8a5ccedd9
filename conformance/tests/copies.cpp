// copies: every direction, offsets, unaligned sizes, refused overlaps.
#include "harness.hpp"

#include <algorithm>

namespace {

using namespace conform;

unsigned long long ull(uint64_t v) { return static_cast<unsigned long long>(v); }

const uint64_t kSizes[] = {1, 2, 3, 4, 5, 7, 16, 255, 256, 4097, 65536 + 3, (1 << 20) + 5};

CONFORM_TEST(round_trip, "copies.round_trip", core, 0) {
  Rng rng(ctx.seed());
  Stream s = ctx.stream();
  for (uint64_t size : kSizes) {
    std::vector<uint8_t> data = rng.bytes(size), back(size, 0);
    Buffer b = ctx.buffer(size);
    CHECK_OK(ahal_stream_copy_h2d(s, data.data(), b, 0, size));
    CHECK_OK(ahal_stream_copy_d2h(s, b, 0, back.data(), size));
    CHECK_OK(ahal_stream_synchronize(s));
    expect_bytes(back.data(), data.data(), size, format("%llu-byte round trip", ull(size)).c_str());
  }
}

CONFORM_TEST(h2d_offset, "copies.h2d_offset", core, 0) {
  Rng rng(ctx.seed());
  const uint64_t size = 8192;
  Buffer b = ctx.buffer(size);
  std::vector<uint8_t> want = rng.bytes(size);
  ctx.write(b, 0, want.data(), size);
  Stream s = ctx.stream();
  // Unaligned offsets and sizes; the bytes around each range stay as they were.
  const std::pair<uint64_t, uint64_t> ranges[] = {{1, 1},    {3, 5},    {17, 255}, {1000, 3001},
                                                  {4095, 2}, {8191, 1}, {0, 8192}, {8192, 0}};
  for (auto [offset, length] : ranges) {
    std::vector<uint8_t> part = rng.bytes(length);
    CHECK_OK(ahal_stream_copy_h2d(s, part.data(), b, offset, length));
    CHECK_OK(ahal_stream_synchronize(s));
    std::copy(part.begin(), part.end(), want.begin() + offset);
    expect_bytes(
        ctx.read(b, 0, size).data(), want.data(), size,
        format("buffer after h2d of %llu bytes at offset %llu", ull(length), ull(offset)).c_str());
  }
}

CONFORM_TEST(d2h_offset, "copies.d2h_offset", core, 0) {
  Rng rng(ctx.seed());
  const uint64_t size = 8192;
  Buffer b = ctx.buffer(size);
  std::vector<uint8_t> data = rng.bytes(size);
  ctx.write(b, 0, data.data(), size);
  Stream s = ctx.stream();
  const std::pair<uint64_t, uint64_t> ranges[] = {{1, 1},    {3, 5},    {17, 255}, {1000, 3001},
                                                  {4095, 2}, {8191, 1}, {0, 8192}};
  for (auto [offset, length] : ranges) {
    // Guard bytes around the destination catch writes past the range.
    std::vector<uint8_t> host(length + 32, 0xcd);
    CHECK_OK(ahal_stream_copy_d2h(s, b, offset, host.data() + 16, length));
    CHECK_OK(ahal_stream_synchronize(s));
    std::string what = format("d2h of %llu bytes at offset %llu", ull(length), ull(offset));
    expect_bytes(host.data() + 16, data.data() + offset, length, what.c_str());
    std::vector<uint8_t> guard(16, 0xcd);
    expect_bytes(host.data(), guard.data(), 16, (what + ": guard before").c_str());
    expect_bytes(host.data() + 16 + length, guard.data(), 16, (what + ": guard after").c_str());
  }
}

CONFORM_TEST(d2d, "copies.d2d", core, 0) {
  Rng rng(ctx.seed());
  Stream s = ctx.stream();
  for (uint64_t size : kSizes) {
    std::vector<uint8_t> data = rng.bytes(size);
    Buffer a = ctx.buffer(size), b = ctx.buffer(size);
    ctx.write(a, 0, data.data(), size);
    CHECK_OK(ahal_stream_copy_d2d(s, a, 0, b, 0, size));
    CHECK_OK(ahal_stream_synchronize(s));
    expect_bytes(ctx.read(b, 0, size).data(), data.data(), size,
                 format("%llu-byte d2d copy", ull(size)).c_str());
  }
}

CONFORM_TEST(d2d_offset, "copies.d2d_offset", core, 0) {
  Rng rng(ctx.seed());
  const uint64_t size = 8192;
  Buffer a = ctx.buffer(size), b = ctx.buffer(size);
  std::vector<uint8_t> src = rng.bytes(size), want = rng.bytes(size);
  ctx.write(a, 0, src.data(), size);
  ctx.write(b, 0, want.data(), size);
  Stream s = ctx.stream();
  struct Case {
    uint64_t src_offset, dst_offset, length;
  };
  for (Case c : {Case{1, 3, 7}, Case{0, 4095, 4097}, Case{8191, 0, 1}, Case{13, 13, 1000},
                 Case{4096, 1, 333}}) {
    CHECK_OK(ahal_stream_copy_d2d(s, a, c.src_offset, b, c.dst_offset, c.length));
    CHECK_OK(ahal_stream_synchronize(s));
    std::copy(src.begin() + c.src_offset, src.begin() + c.src_offset + c.length,
              want.begin() + c.dst_offset);
    expect_bytes(ctx.read(b, 0, size).data(), want.data(), size,
                 format("d2d of %llu bytes from offset %llu to %llu", ull(c.length),
                        ull(c.src_offset), ull(c.dst_offset))
                     .c_str());
  }
}

CONFORM_TEST(d2d_same_buffer, "copies.d2d_same_buffer", core, 0) {
  Rng rng(ctx.seed());
  const uint64_t size = 4096;
  Buffer a = ctx.buffer(size);
  std::vector<uint8_t> want = rng.bytes(size);
  ctx.write(a, 0, want.data(), size);
  Stream s = ctx.stream();
  // Adjacent but disjoint ranges of one buffer are allowed.
  CHECK_OK(ahal_stream_copy_d2d(s, a, 0, a, 1000, 1000));
  CHECK_OK(ahal_stream_copy_d2d(s, a, 3000, a, 2999, 1));
  CHECK_OK(ahal_stream_synchronize(s));
  std::copy(want.begin(), want.begin() + 1000, want.begin() + 1000);
  want[2999] = want[3000];
  expect_bytes(ctx.read(a, 0, size).data(), want.data(), size, "buffer after d2d within itself");
}

CONFORM_TEST(d2d_overlap_refused, "copies.d2d_overlap_refused", core, 0) {
  Rng rng(ctx.seed());
  const uint64_t size = 4096;
  Buffer a = ctx.buffer(size);
  std::vector<uint8_t> data = rng.bytes(size);
  ctx.write(a, 0, data.data(), size);
  Stream s = ctx.stream();
  CHECK_STATUS(ahal_stream_copy_d2d(s, a, 0, a, 1, 100), AHAL_ERROR_INVALID_ARGUMENT);
  CHECK_STATUS(ahal_stream_copy_d2d(s, a, 100, a, 0, 101), AHAL_ERROR_INVALID_ARGUMENT);
  CHECK_STATUS(ahal_stream_copy_d2d(s, a, 10, a, 10, 1), AHAL_ERROR_INVALID_ARGUMENT);
  CHECK_STATUS(ahal_stream_copy_d2d(s, a, 0, a, 0, size), AHAL_ERROR_INVALID_ARGUMENT);
  CHECK_OK(ahal_stream_synchronize(s));
  expect_bytes(ctx.read(a, 0, size).data(), data.data(), size,
               "buffer after refused overlapping copies (nothing may run)");
}

CONFORM_TEST(out_of_range, "copies.out_of_range", core, 0) {
  const uint64_t size = 4096;
  Buffer a = ctx.buffer(size), b = ctx.buffer(size);
  std::vector<uint8_t> host(2 * size, 0);
  Stream s = ctx.stream();
  CHECK_STATUS(ahal_stream_copy_h2d(s, host.data(), a, 1, size), AHAL_ERROR_OUT_OF_RANGE);
  CHECK_STATUS(ahal_stream_copy_h2d(s, host.data(), a, UINT64_MAX, 2), AHAL_ERROR_OUT_OF_RANGE);
  // An offset past the end is refused even for size 0 (docs/memory.md).
  CHECK_STATUS(ahal_stream_copy_h2d(s, host.data(), a, size + 1, 0), AHAL_ERROR_OUT_OF_RANGE);
  CHECK_STATUS(ahal_stream_copy_d2h(s, a, size, host.data(), 1), AHAL_ERROR_OUT_OF_RANGE);
  CHECK_STATUS(ahal_stream_copy_d2h(s, a, 2, host.data(), UINT64_MAX), AHAL_ERROR_OUT_OF_RANGE);
  CHECK_STATUS(ahal_stream_copy_d2d(s, a, 0, b, 1, size), AHAL_ERROR_OUT_OF_RANGE);
  CHECK_STATUS(ahal_stream_copy_d2d(s, a, 1, b, 0, size), AHAL_ERROR_OUT_OF_RANGE);
  CHECK_STATUS(ahal_stream_copy_d2d(s, a, UINT64_MAX - 10, b, 0, 20), AHAL_ERROR_OUT_OF_RANGE);
  ctx.check_device_usable("out-of-range copies");
}

CONFORM_TEST(zero_size, "copies.zero_size", core, 0) {
  Buffer a = ctx.buffer(64), b = ctx.buffer(64);
  std::vector<uint8_t> data(64, 7);
  ctx.write(a, 0, data.data(), 64);
  Stream s = ctx.stream();
  uint8_t host = 0x11;
  CHECK_OK(ahal_stream_copy_h2d(s, &host, a, 0, 0));
  CHECK_OK(ahal_stream_copy_h2d(s, &host, a, 64, 0));
  CHECK_OK(ahal_stream_copy_d2h(s, a, 64, &host, 0));
  CHECK_OK(ahal_stream_copy_d2d(s, a, 0, b, 64, 0));
  CHECK_OK(ahal_stream_synchronize(s));
  REQUIRE(host == 0x11, "a zero-size d2h wrote to host memory");
  expect_bytes(ctx.read(a, 0, 64).data(), data.data(), 64, "buffer after zero-size copies");
}

CONFORM_TEST(pinned, "copies.pinned", core, 0) {
  Rng rng(ctx.seed());
  const uint64_t size = (4 << 20) + 7;
  void* src = nullptr;
  void* dst = nullptr;
  HostAlloc hs = ctx.host_alloc(size, &src), hd = ctx.host_alloc(size, &dst);
  std::vector<uint8_t> data = rng.bytes(size);
  std::memcpy(src, data.data(), size);
  std::memset(dst, 0, size);
  Buffer a = ctx.buffer(size), b = ctx.buffer(size);
  Stream s = ctx.stream();
  // Unsynchronized chain: each copy must see the previous one's result.
  CHECK_OK(ahal_stream_copy_h2d(s, src, a, 0, size));
  CHECK_OK(ahal_stream_copy_d2d(s, a, 0, b, 0, size));
  CHECK_OK(ahal_stream_copy_d2h(s, b, 0, dst, size));
  CHECK_OK(ahal_stream_synchronize(s));
  expect_bytes(dst, data.data(), size, "pinned h2d -> d2d -> d2h chain");
}

CONFORM_TEST(large, "copies.large", core, 0) {
  const uint64_t max = ctx.props().max_allocation_bytes;
  if (max < 4)
    fail("the device reports max_allocation_bytes %llu: no buffer large enough to copy", ull(max));
  uint64_t size = std::min<uint64_t>(ctx.quick() ? (32 << 20) : (256 << 20), max);
  size -= 3;  // not a multiple of anything
  Rng rng(ctx.seed());
  std::vector<uint8_t> data = rng.bytes(size), back(size, 0);
  Buffer a = ctx.buffer(size), b = ctx.buffer(size);
  Stream s = ctx.stream();
  CHECK_OK(ahal_stream_copy_h2d(s, data.data(), a, 0, size));
  CHECK_OK(ahal_stream_copy_d2d(s, a, 0, b, 0, size));
  CHECK_OK(ahal_stream_copy_d2h(s, b, 0, back.data(), size));
  CHECK_OK(ahal_stream_synchronize(s));
  expect_bytes(back.data(), data.data(), size,
               format("%llu-byte h2d -> d2d -> d2h", ull(size)).c_str());
}

}  // namespace
