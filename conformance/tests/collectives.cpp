// collectives: every operation, datatype and reduction across the ranks
// of an MPI launch (ccl_world.hpp), in order with the stream's other work,
// pipelined through more staging chunks than there are slots, with offsets
// and in place; groups of sends and receives; bad arguments. Every rank
// checks its own result; rank 0 reports whether all of them passed.
#include <cmath>

#include "ccl_world.hpp"
#include "harness.hpp"

namespace {

using namespace conform;

unsigned long long ull(uint64_t v) { return static_cast<unsigned long long>(v); }

struct Type {
  ahal_ccl_datatype_t type;
  const char* name;
  uint32_t size;
};
const Type kTypes[] = {{AHAL_CCL_FLOAT32, "f32", 4},   {AHAL_CCL_FLOAT16, "f16", 2},
                       {AHAL_CCL_BFLOAT16, "bf16", 2}, {AHAL_CCL_FLOAT64, "f64", 8},
                       {AHAL_CCL_INT32, "i32", 4},     {AHAL_CCL_INT64, "i64", 8},
                       {AHAL_CCL_UINT8, "u8", 1}};
const Type kF32 = kTypes[0];
const char* const kOpNames[] = {"sum", "prod", "max", "min"};

// Small integers: exact in every type after a sum or product over 2 ranks.
double value(int rank, uint64_t i) { return double((rank + 1) * int(i % 5 + 1) % 7 + 1); }

double reduced(ahal_ccl_op_t op, uint64_t i) {
  const int n = ccl::world().size;
  double r = value(0, i);
  for (int k = 1; k < n; ++k) {
    const double v = value(k, i);
    r = op == AHAL_CCL_SUM    ? r + v
        : op == AHAL_CCL_PROD ? r * v
        : op == AHAL_CCL_MAX  ? std::max(r, v)
                              : std::min(r, v);
  }
  return r;
}

void store(const Type& t, uint8_t* p, double v) {
  switch (t.type) {
    case AHAL_CCL_FLOAT32: {
      const float f = float(v);
      std::memcpy(p, &f, 4);
      break;
    }
    case AHAL_CCL_FLOAT64:
      std::memcpy(p, &v, 8);
      break;
    case AHAL_CCL_INT32: {
      const int32_t x = int32_t(v);
      std::memcpy(p, &x, 4);
      break;
    }
    case AHAL_CCL_INT64: {
      const int64_t x = int64_t(v);
      std::memcpy(p, &x, 8);
      break;
    }
    case AHAL_CCL_UINT8:
      *p = uint8_t(v);
      break;
    case AHAL_CCL_FLOAT16: {  // exact for small integers
      int e = 0;
      const double m = std::frexp(v, &e);
      const uint16_t h = v == 0 ? 0 : uint16_t(((e - 1 + 15) << 10) | (uint32_t(m * 2048) & 0x3ff));
      std::memcpy(p, &h, 2);
      break;
    }
    default: {  // bf16: the top half of the float
      const float f = float(v);
      uint32_t bits;
      std::memcpy(&bits, &f, 4);
      const uint16_t h = uint16_t(bits >> 16);
      std::memcpy(p, &h, 2);
    }
  }
}

// `count` elements of this rank's input, from element `first` on.
std::vector<uint8_t> input(const Type& t, uint64_t count, uint64_t first = 0, int rank = -1) {
  std::vector<uint8_t> out(count * t.size);
  const int r = rank < 0 ? ccl::world().rank : rank;
  for (uint64_t i = 0; i < count; ++i) store(t, &out[i * t.size], value(r, first + i));
  return out;
}

// Fails naming the first element that differs from want(i).
template <class Want>
void expect(const Type& t, const std::vector<uint8_t>& got, uint64_t count, Want want,
            const std::string& what) {
  std::vector<uint8_t> w(t.size);
  for (uint64_t i = 0; i < count; ++i) {
    store(t, w.data(), want(i));
    if (std::memcmp(&got[i * t.size], w.data(), t.size) != 0)
      fail("%s: element %llu differs (rank %d of %d, want %g)", what.c_str(), ull(i),
           ccl::world().rank, ccl::world().size, want(i));
  }
  count_check();
}

CONFORM_TEST(comm_info, "collectives.comm_info", core, 0) {
  ahal_ccl_comm_t c = ccl::comm(ctx);
  ahal_ccl_comm_info_t info = {};
  info.struct_size = sizeof(info);
  CHECK_OK(ahal_ccl_comm_info(c, &info));
  REQUIRE(info.rank == uint32_t(ccl::world().rank) && info.nranks == uint32_t(ccl::world().size),
          "rank %u of %u, launched as rank %d of %d", info.rank, info.nranks, ccl::world().rank,
          ccl::world().size);
  REQUIRE(info.engine == AHAL_CCL_ENGINE_MPI || info.engine == AHAL_CCL_ENGINE_NATIVE,
          "engine %d for a communicator of several processes", int(info.engine));
  REQUIRE(info.library && *info.library, "the communicator names no library");
  CHECK_OK(ahal_ccl_comm_get_async_error(c));
}

CONFORM_TEST(allreduce_types, "collectives.allreduce_types", core, 0) {
  ahal_ccl_comm_t c = ccl::comm(ctx);
  Stream s = ctx.stream();
  const uint64_t n = 1031;
  for (const Type& t : kTypes)
    for (int op = 0; op < 4; ++op) {
      Buffer send = ctx.buffer(n * t.size), recv = ctx.buffer(n * t.size);
      const std::vector<uint8_t> in = input(t, n);
      CHECK_OK(ahal_stream_copy_h2d(s, in.data(), send, 0, in.size()));
      CHECK_OK(ahal_ccl_allreduce(c, send, 0, recv, 0, n, t.type, ahal_ccl_op_t(op), s));
      std::vector<uint8_t> got(in.size());
      CHECK_OK(ahal_stream_copy_d2h(s, recv, 0, got.data(), got.size()));
      CHECK_OK(ahal_stream_synchronize(s));
      expect(
          t, got, n, [&](uint64_t i) { return reduced(ahal_ccl_op_t(op), i); },
          format("allreduce %s %s", t.name, kOpNames[op]));
    }
}

// More staging chunks than slots (the runner sets 256 KiB chunks), in and
// out of place, in order with the copies around it on one stream.
CONFORM_TEST(allreduce_pipelined, "collectives.allreduce_pipelined", core, 0) {
  ahal_ccl_comm_t c = ccl::comm(ctx);
  Stream s = ctx.stream();
  const uint64_t n = (2u << 20) / 4 + 3;
  const std::vector<uint8_t> in = input(kF32, n);
  Buffer a = ctx.buffer(n * 4 + 64), b = ctx.buffer(n * 4 + 64);
  for (bool in_place : {false, true}) {
    ahal_buffer_t out = in_place ? a.get() : b.get();
    const uint64_t out_offset = in_place ? 64 : 16;
    CHECK_OK(ahal_stream_copy_h2d(s, in.data(), a, 64, in.size()));
    CHECK_OK(ahal_ccl_allreduce(c, a, 64, out, out_offset, n, AHAL_CCL_FLOAT32, AHAL_CCL_SUM, s));
    std::vector<uint8_t> got(in.size());
    CHECK_OK(ahal_stream_copy_d2h(s, out, out_offset, got.data(), got.size()));
    CHECK_OK(ahal_stream_synchronize(s));
    expect(
        kF32, got, n, [&](uint64_t i) { return reduced(AHAL_CCL_SUM, i); },
        in_place ? "allreduce in place" : "allreduce at offsets");
  }
}

CONFORM_TEST(allgather, "collectives.allgather", core, 0) {
  ahal_ccl_comm_t c = ccl::comm(ctx);
  Stream s = ctx.stream();
  const int ranks = ccl::world().size;
  const Type t = kTypes[4];  // i32
  for (uint64_t n : {uint64_t(1), uint64_t(777), uint64_t(300001)}) {
    Buffer send = ctx.buffer(n * 4 + 4), recv = ctx.buffer(n * 4 * ranks + 8);
    const std::vector<uint8_t> in = input(t, n);
    CHECK_OK(ahal_stream_copy_h2d(s, in.data(), send, 4, in.size()));
    CHECK_OK(ahal_ccl_allgather(c, send, 4, recv, 8, n, t.type, s));
    std::vector<uint8_t> got(n * 4 * ranks);
    CHECK_OK(ahal_stream_copy_d2h(s, recv, 8, got.data(), got.size()));
    CHECK_OK(ahal_stream_synchronize(s));
    expect(
        t, got, n * ranks, [&](uint64_t i) { return value(int(i / n), i % n); },
        format("allgather of %llu elements", ull(n)));
  }
}

CONFORM_TEST(reduce_scatter, "collectives.reduce_scatter", core, 0) {
  ahal_ccl_comm_t c = ccl::comm(ctx);
  Stream s = ctx.stream();
  const int ranks = ccl::world().size, rank = ccl::world().rank;
  for (uint64_t n : {uint64_t(1), uint64_t(1000), uint64_t(300001)}) {
    Buffer send = ctx.buffer(n * 4 * ranks), recv = ctx.buffer(n * 4 + 12);
    const std::vector<uint8_t> in = input(kF32, n * ranks);
    CHECK_OK(ahal_stream_copy_h2d(s, in.data(), send, 0, in.size()));
    CHECK_OK(ahal_ccl_reduce_scatter(c, send, 0, recv, 12, n, AHAL_CCL_FLOAT32, AHAL_CCL_MAX, s));
    std::vector<uint8_t> got(n * 4);
    CHECK_OK(ahal_stream_copy_d2h(s, recv, 12, got.data(), got.size()));
    CHECK_OK(ahal_stream_synchronize(s));
    expect(
        kF32, got, n, [&](uint64_t i) { return reduced(AHAL_CCL_MAX, rank * n + i); },
        format("reduce_scatter of %llu elements per rank", ull(n)));
  }
}

CONFORM_TEST(broadcast, "collectives.broadcast", core, 0) {
  ahal_ccl_comm_t c = ccl::comm(ctx);
  Stream s = ctx.stream();
  const Type t = kTypes[6];  // u8
  const uint64_t n = 100001;
  for (int root = 0; root < ccl::world().size; ++root) {
    Buffer send = ctx.buffer(n), recv = ctx.buffer(n);
    const bool is_root = root == ccl::world().rank;
    // Lives until the synchronize below: the copy reads it when it runs.
    const std::vector<uint8_t> in = input(t, n);
    if (is_root) CHECK_OK(ahal_stream_copy_h2d(s, in.data(), send, 0, n));
    CHECK_OK(ahal_ccl_broadcast(c, is_root ? send.get() : nullptr, 0, recv, 0, n, t.type,
                                uint32_t(root), s));
    std::vector<uint8_t> got(n);
    CHECK_OK(ahal_stream_copy_d2h(s, recv, 0, got.data(), n));
    CHECK_OK(ahal_stream_synchronize(s));
    expect(
        t, got, n, [&](uint64_t i) { return value(root, i); },
        format("broadcast from rank %d", root));
  }
}

CONFORM_TEST(reduce, "collectives.reduce", core, 0) {
  ahal_ccl_comm_t c = ccl::comm(ctx);
  Stream s = ctx.stream();
  const Type t = kTypes[3];  // f64
  const uint64_t n = 4099;
  for (int root = 0; root < ccl::world().size; ++root) {
    const bool is_root = root == ccl::world().rank;
    Buffer send = ctx.buffer(n * 8), recv = ctx.buffer(n * 8);
    const std::vector<uint8_t> in = input(t, n);
    CHECK_OK(ahal_stream_copy_h2d(s, in.data(), send, 0, in.size()));
    CHECK_OK(ahal_ccl_reduce(c, send, 0, is_root ? recv.get() : nullptr, 0, n, t.type,
                             AHAL_CCL_PROD, uint32_t(root), s));
    CHECK_OK(ahal_stream_synchronize(s));
    if (!is_root) {
      count_check();
      continue;
    }
    std::vector<uint8_t> got(n * 8);
    CHECK_OK(ahal_stream_copy_d2h(s, recv, 0, got.data(), got.size()));
    CHECK_OK(ahal_stream_synchronize(s));
    expect(
        t, got, n, [&](uint64_t i) { return reduced(AHAL_CCL_PROD, i); },
        format("reduce to rank %d", root));
  }
}

// A ring of sends and receives in one group, then two messages each way
// between every pair: the n-th send meets the n-th receive.
CONFORM_TEST(send_recv, "collectives.send_recv", core, 0) {
  ahal_ccl_comm_t c = ccl::comm(ctx);
  Stream s = ctx.stream();
  const int ranks = ccl::world().size, rank = ccl::world().rank;
  const uint32_t next = uint32_t((rank + 1) % ranks), prev = uint32_t((rank + ranks - 1) % ranks);
  const uint64_t n = 70001;
  Buffer send = ctx.buffer(2 * n * 4), recv = ctx.buffer(2 * n * 4);
  const std::vector<uint8_t> in = input(kF32, 2 * n);
  CHECK_OK(ahal_stream_copy_h2d(s, in.data(), send, 0, in.size()));
  CHECK_OK(ahal_ccl_group_start());
  CHECK_OK(ahal_ccl_send(c, send, 0, n, AHAL_CCL_FLOAT32, next, s));
  CHECK_OK(ahal_ccl_recv(c, recv, 0, n, AHAL_CCL_FLOAT32, prev, s));
  CHECK_OK(ahal_ccl_group_end());
  std::vector<uint8_t> got(2 * n * 4);
  CHECK_OK(ahal_stream_copy_d2h(s, recv, 0, got.data(), n * 4));
  CHECK_OK(ahal_stream_synchronize(s));
  expect(
      kF32, got, n, [&](uint64_t i) { return value(int(prev), i); }, "ring send/recv");
  // Two messages to and from the next rank, the second from offset n.
  CHECK_OK(ahal_ccl_group_start());
  CHECK_OK(ahal_ccl_send(c, send, 0, n, AHAL_CCL_FLOAT32, next, s));
  CHECK_OK(ahal_ccl_send(c, send, n * 4, n, AHAL_CCL_FLOAT32, next, s));
  CHECK_OK(ahal_ccl_recv(c, recv, 0, n, AHAL_CCL_FLOAT32, prev, s));
  CHECK_OK(ahal_ccl_recv(c, recv, n * 4, n, AHAL_CCL_FLOAT32, prev, s));
  CHECK_OK(ahal_ccl_group_end());
  CHECK_OK(ahal_stream_copy_d2h(s, recv, 0, got.data(), got.size()));
  CHECK_OK(ahal_stream_synchronize(s));
  expect(
      kF32, got, 2 * n, [&](uint64_t i) { return value(int(prev), i); }, "two messages in order");
}

// Completion is observable with events: another stream that waits for an
// event recorded after the collective reads its result.
CONFORM_TEST(event_completion, "collectives.event_completion", core, 0) {
  ahal_ccl_comm_t c = ccl::comm(ctx);
  Stream s = ctx.stream(), reader = ctx.stream();
  Event done = ctx.event();
  const uint64_t n = 200003;
  const std::vector<uint8_t> in = input(kF32, n);
  Buffer a = ctx.buffer(n * 4), b = ctx.buffer(n * 4);
  CHECK_OK(ahal_stream_copy_h2d(s, in.data(), a, 0, in.size()));
  CHECK_OK(ahal_ccl_allreduce(c, a, 0, b, 0, n, AHAL_CCL_FLOAT32, AHAL_CCL_SUM, s));
  CHECK_OK(ahal_stream_record_event(s, done));
  CHECK_OK(ahal_stream_wait_event(reader, done));
  std::vector<uint8_t> got(in.size());
  CHECK_OK(ahal_stream_copy_d2h(reader, b, 0, got.data(), got.size()));
  CHECK_OK(ahal_stream_synchronize(reader));
  expect(
      kF32, got, n, [&](uint64_t i) { return reduced(AHAL_CCL_SUM, i); },
      "read on another stream after the event");
  CHECK_OK(ahal_event_wait(done, UINT64_MAX));
  CHECK_OK(ahal_stream_synchronize(s));
}

// Many operations in flight at once, each reading the previous one's result.
CONFORM_TEST(many_in_flight, "collectives.many_in_flight", full, 0) {
  ahal_ccl_comm_t c = ccl::comm(ctx);
  Stream s = ctx.stream();
  const Type t = kTypes[5];  // i64
  const uint64_t n = 5003;
  const int rounds = ctx.quick() ? 8 : 24;
  Buffer a = ctx.buffer(n * 8), b = ctx.buffer(n * 8);
  const std::vector<uint8_t> in = input(t, n);
  CHECK_OK(ahal_stream_copy_h2d(s, in.data(), a, 0, in.size()));
  for (int k = 0; k < rounds; ++k)
    CHECK_OK(ahal_ccl_allreduce(c, k % 2 ? b : a, 0, k % 2 ? a : b, 0, n, t.type, AHAL_CCL_SUM, s));
  std::vector<uint8_t> got(n * 8);
  CHECK_OK(ahal_stream_copy_d2h(s, rounds % 2 ? b : a, 0, got.data(), got.size()));
  CHECK_OK(ahal_stream_synchronize(s));
  const double scale = std::pow(double(ccl::world().size), rounds - 1);
  expect(
      t, got, n, [&](uint64_t i) { return reduced(AHAL_CCL_SUM, i) * scale; },
      format("%d allreduces in a row", rounds));
}

// Refused before anything is enqueued, alike on every rank.
CONFORM_TEST(bad_arguments, "collectives.bad_arguments", core, 0) {
  ahal_ccl_comm_t c = ccl::comm(ctx);
  Stream s = ctx.stream();
  Buffer b = ctx.buffer(64);
  const uint32_t ranks = uint32_t(ccl::world().size);
  CHECK_STATUS(ahal_ccl_allreduce(c, b, 0, b, 0, 4, ahal_ccl_datatype_t(77), AHAL_CCL_SUM, s),
               AHAL_ERROR_INVALID_ARGUMENT);
  CHECK_STATUS(ahal_ccl_allreduce(c, b, 0, b, 0, 4, AHAL_CCL_FLOAT32, ahal_ccl_op_t(9), s),
               AHAL_ERROR_INVALID_ARGUMENT);
  CHECK_STATUS(ahal_ccl_allreduce(c, b, 0, b, 0, 17, AHAL_CCL_FLOAT32, AHAL_CCL_SUM, s),
               AHAL_ERROR_OUT_OF_RANGE);
  CHECK_STATUS(ahal_ccl_allgather(c, b, 0, b, 0, 64 / ranks + 1, AHAL_CCL_UINT8, s),
               AHAL_ERROR_OUT_OF_RANGE);
  CHECK_STATUS(ahal_ccl_broadcast(c, b, 0, b, 0, 4, AHAL_CCL_UINT8, ranks, s),
               AHAL_ERROR_OUT_OF_RANGE);
  CHECK_STATUS(ahal_ccl_send(c, b, 0, 4, AHAL_CCL_UINT8, ranks + 3, s), AHAL_ERROR_OUT_OF_RANGE);
  CHECK_STATUS(ahal_ccl_allreduce(c, b, 0, b, 0, 4, AHAL_CCL_FLOAT32, AHAL_CCL_SUM, nullptr),
               AHAL_ERROR_INVALID_HANDLE);
  CHECK_STATUS(ahal_ccl_group_end(), AHAL_ERROR_INVALID_STATE);
  // The communicator still works.
  CHECK_OK(ahal_ccl_allreduce(c, b, 0, b, 0, 16, AHAL_CCL_FLOAT32, AHAL_CCL_MAX, s));
  CHECK_OK(ahal_stream_synchronize(s));
  CHECK_OK(ahal_ccl_comm_get_async_error(c));
}

}  // namespace
