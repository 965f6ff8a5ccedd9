// fills: each pattern size, offsets, the bytes around a fill untouched.
#include "harness.hpp"

#include <algorithm>

namespace {

using namespace conform;

unsigned long long ull(uint64_t v) { return static_cast<unsigned long long>(v); }

// Fills ranges of a random buffer with a pattern of `pattern_size` bytes
// and checks the whole buffer against a host model.
void fill_ranges(Context& ctx, uint32_t pattern_size) {
  Rng rng(ctx.seed());
  const uint64_t size = 16384;
  Buffer b = ctx.buffer(size);
  std::vector<uint8_t> want = rng.bytes(size);
  ctx.write(b, 0, want.data(), size);
  Stream s = ctx.stream();
  const uint64_t p = pattern_size;
  const std::pair<uint64_t, uint64_t> ranges[] = {
      {0, p}, {p, p}, {3 * p, 5 * p}, {100 * p, 999 * p}, {size - p, p}, {0, size}, {64, 0}};
  for (auto [offset, length] : ranges) {
    uint8_t pattern[4];
    for (uint8_t& x : pattern) x = static_cast<uint8_t>(rng.next() | 1);
    CHECK_OK(ahal_stream_fill(s, b, offset, length, pattern, pattern_size));
    CHECK_OK(ahal_stream_synchronize(s));
    for (uint64_t i = 0; i < length; ++i) want[offset + i] = pattern[i % p];
    expect_bytes(ctx.read(b, 0, size).data(), want.data(), size,
                 format("buffer after a %u-byte pattern fill of %llu bytes at offset %llu",
                        pattern_size, ull(length), ull(offset))
                     .c_str());
  }
}

CONFORM_TEST(pattern1, "fills.pattern1", core, 0) { fill_ranges(ctx, 1); }
CONFORM_TEST(pattern2, "fills.pattern2", core, 0) { fill_ranges(ctx, 2); }
CONFORM_TEST(pattern4, "fills.pattern4", core, 0) { fill_ranges(ctx, 4); }

CONFORM_TEST(odd_sizes, "fills.odd_sizes", core, 0) {
  // 1-byte patterns at odd offsets and sizes.
  Rng rng(ctx.seed());
  const uint64_t size = 4099;
  Buffer b = ctx.buffer(size);
  std::vector<uint8_t> want(size, 0);
  ctx.write(b, 0, want.data(), size);
  Stream s = ctx.stream();
  for (int i = 0; i < 20; ++i) {
    uint64_t offset = rng.below(size), length = rng.below(static_cast<uint32_t>(size - offset));
    uint8_t value = static_cast<uint8_t>(i + 1);
    CHECK_OK(ahal_stream_fill(s, b, offset, length, &value, 1));
    std::fill(want.begin() + offset, want.begin() + offset + length, value);
  }
  CHECK_OK(ahal_stream_synchronize(s));
  expect_bytes(ctx.read(b, 0, size).data(), want.data(), size, "buffer after 20 queued fills");
}

CONFORM_TEST(large, "fills.large", core, 0) {
  uint64_t size = std::min<uint64_t>(ctx.quick() ? (16 << 20) : (128 << 20),
                                     ctx.props().max_allocation_bytes & ~uint64_t{3});
  Buffer b = ctx.buffer(size);
  Stream s = ctx.stream();
  const uint32_t pattern = 0xa1b2c3d4;
  CHECK_OK(ahal_stream_fill(s, b, 0, size, &pattern, 4));
  std::vector<uint8_t> back(size);
  CHECK_OK(ahal_stream_copy_d2h(s, b, 0, back.data(), size));
  CHECK_OK(ahal_stream_synchronize(s));
  std::vector<uint8_t> want(size);
  for (uint64_t i = 0; i < size; i += 4) std::memcpy(want.data() + i, &pattern, 4);
  expect_bytes(back.data(), want.data(), size, format("%llu-byte fill", ull(size)).c_str());
}

CONFORM_TEST(refused, "fills.refused", core, 0) {
  const uint64_t size = 4096;
  Buffer b = ctx.buffer(size);
  std::vector<uint8_t> zero(size, 0);
  ctx.write(b, 0, zero.data(), size);
  Stream s = ctx.stream();
  const uint32_t pattern = 0xffffffff;
  for (uint32_t bad_size : {0u, 3u, 8u})
    CHECK_STATUS(ahal_stream_fill(s, b, 0, 64, &pattern, bad_size), AHAL_ERROR_INVALID_ARGUMENT);
  CHECK_STATUS(ahal_stream_fill(s, b, 2, 64, &pattern, 4), AHAL_ERROR_INVALID_ARGUMENT);
  CHECK_STATUS(ahal_stream_fill(s, b, 0, 6, &pattern, 4), AHAL_ERROR_INVALID_ARGUMENT);
  CHECK_STATUS(ahal_stream_fill(s, b, 1, 2, &pattern, 2), AHAL_ERROR_INVALID_ARGUMENT);
  CHECK_STATUS(ahal_stream_fill(s, b, 0, 64, nullptr, 4), AHAL_ERROR_INVALID_ARGUMENT);
  CHECK_STATUS(ahal_stream_fill(s, b, 4092, 8, &pattern, 4), AHAL_ERROR_OUT_OF_RANGE);
  CHECK_STATUS(ahal_stream_fill(s, b, UINT64_MAX - 3, 8, &pattern, 4), AHAL_ERROR_OUT_OF_RANGE);
  CHECK_OK(ahal_stream_synchronize(s));
  expect_bytes(ctx.read(b, 0, size).data(), zero.data(), size, "buffer after refused fills");
  ctx.check_device_usable("refused fills");
}

}  // namespace
