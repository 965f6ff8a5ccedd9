// streams: in-order execution, independence and concurrency of streams,
// host callbacks, query and synchronize.
#include "harness.hpp"

#include <chrono>
#include <thread>

namespace {

using namespace conform;

CONFORM_TEST(ordering, "streams.ordering", core, 0) {
  // A chain of dependent commands with no host synchronization in between:
  // each must see the result of the one before.
  Rng rng(ctx.seed());
  const uint64_t size = 1 << 20;
  const int hops = 16;
  std::vector<Buffer> bufs;
  for (int i = 0; i < hops; ++i) bufs.push_back(ctx.buffer(size));
  std::vector<uint8_t> data = rng.bytes(size), back(size, 0);
  Stream s = ctx.stream();
  const uint8_t pattern = 0x3c;
  CHECK_OK(ahal_stream_fill(s, bufs[0], 0, size, &pattern, 1));
  CHECK_OK(ahal_stream_copy_h2d(s, data.data(), bufs[0], 0, size / 2));
  for (int i = 1; i < hops; ++i)
    CHECK_OK(ahal_stream_copy_d2d(s, bufs[i - 1], 0, bufs[i], 0, size));
  CHECK_OK(ahal_stream_copy_d2h(s, bufs[hops - 1], 0, back.data(), size));
  CHECK_OK(ahal_stream_synchronize(s));
  std::memset(data.data() + size / 2, pattern, size / 2);
  expect_bytes(back.data(), data.data(), size, "end of a 16-copy chain");
}

CONFORM_TEST(ordering_kernels, "streams.ordering_kernels", core, AHAL_FEATURE_GENERAL_KERNELS) {
  ahal_kernel_t write_index = ctx.kernel("write_index");
  const uint32_t n = 1 << 16;
  Buffer a = ctx.buffer(n * 4), b = ctx.buffer(n * 4);
  Stream s = ctx.stream();
  std::vector<uint32_t> back(n, 0);
  // fill -> kernel -> copy -> kernel over part -> read, all queued at once.
  const uint32_t zero = 0;
  CHECK_OK(ahal_stream_fill(s, a, 0, n * 4, &zero, 4));
  CHECK_OK(launch(s, write_index, {n / 256}, {256}, {bind(a)}, uint32_t{7}));
  CHECK_OK(ahal_stream_copy_d2d(s, a, 0, b, 0, n * 4));
  CHECK_OK(launch(s, write_index, {n / 2 / 256}, {256}, {bind(a)}, uint32_t{1000000}));
  CHECK_OK(ahal_stream_copy_d2d(s, a, 0, b, 0, n * 2));
  CHECK_OK(ahal_stream_copy_d2h(s, b, 0, back.data(), n * 4));
  CHECK_OK(ahal_stream_synchronize(s));
  for (uint32_t i = 0; i < n; ++i) {
    uint32_t want = i < n / 2 ? i + 1000000 : i + 7;
    REQUIRE(back[i] == want, "element %u is %u, expected %u", i, back[i], want);
  }
}

CONFORM_TEST(query_idle, "streams.query_idle", core, 0) {
  Stream s = ctx.stream();
  CHECK_STATUS(ahal_stream_query(s), AHAL_SUCCESS);
  Buffer b = ctx.buffer(1 << 20);
  std::vector<uint8_t> host(1 << 20, 1);
  CHECK_OK(ahal_stream_copy_h2d(s, host.data(), b, 0, host.size()));
  CHECK_OK(ahal_stream_synchronize(s));
  CHECK_STATUS(ahal_stream_query(s), AHAL_SUCCESS);
  // Query until idle works as a polling loop.
  CHECK_OK(ahal_stream_copy_d2h(s, b, 0, host.data(), host.size()));
  uint64_t end = now_ns() + 10'000'000'000ull;
  ahal_status_t q;
  while ((q = ahal_stream_query(s)) == AHAL_NOT_READY) {
    REQUIRE(now_ns() < end, "stream still NOT_READY 10 s after a 1 MiB copy");
    std::this_thread::yield();
  }
  CHECK_STATUS(q, AHAL_SUCCESS);
}

CONFORM_TEST(query_busy, "streams.query_busy", core, AHAL_FEATURE_HOST_CALLBACKS) {
  Stream s = ctx.stream();
  Gate gate;
  gate.block(s);
  CHECK_STATUS(ahal_stream_query(s), AHAL_NOT_READY);
  gate.open();
  CHECK_OK(ahal_stream_synchronize(s));
  CHECK_STATUS(ahal_stream_query(s), AHAL_SUCCESS);
}

CONFORM_TEST(host_callback_order, "streams.host_callback_order", core,
             AHAL_FEATURE_HOST_CALLBACKS) {
  // Callbacks run after the work before them and before the work after
  // them. Pinned memory: its copies read and write it when they run.
  Rng rng(ctx.seed());
  const uint64_t size = 1 << 20;
  void* seen = nullptr;
  void* staged = nullptr;
  void* back = nullptr;
  HostAlloc h1 = ctx.host_alloc(size, &seen), h2 = ctx.host_alloc(size, &staged),
            h3 = ctx.host_alloc(size, &back);
  std::memset(seen, 0, size);
  std::memset(staged, 0, size);
  std::memset(back, 0, size);
  std::vector<uint8_t> data = rng.bytes(size);
  struct State {
    void* seen;
    void* staged;
    uint64_t size;
    std::atomic<int> calls{0};
    std::vector<int> order;
  } st{seen, staged, size, {}, {}};
  auto first = [](void* p) {
    auto* s = static_cast<State*>(p);
    s->order.push_back(1);
    // The d2h before this callback has landed; stage it for the h2d after.
    std::memcpy(s->staged, s->seen, s->size);
    ++s->calls;
  };
  auto second = [](void* p) {
    auto* s = static_cast<State*>(p);
    s->order.push_back(2);
    ++s->calls;
  };
  Buffer b = ctx.buffer(size), c = ctx.buffer(size);
  Stream s = ctx.stream();
  CHECK_OK(ahal_stream_copy_h2d(s, data.data(), b, 0, size));
  CHECK_OK(ahal_stream_copy_d2h(s, b, 0, seen, size));
  CHECK_OK(ahal_stream_host_callback(s, first, &st));
  CHECK_OK(ahal_stream_copy_h2d(s, staged, c, 0, size));
  CHECK_OK(ahal_stream_host_callback(s, second, &st));
  CHECK_OK(ahal_stream_copy_d2h(s, c, 0, back, size));
  CHECK_OK(ahal_stream_synchronize(s));
  REQUIRE(st.calls == 2, "%d of 2 callbacks ran by ahal_stream_synchronize", st.calls.load());
  REQUIRE(st.order == std::vector<int>({1, 2}), "callbacks ran out of order");
  expect_bytes(staged, data.data(), size, "data the callback saw");
  expect_bytes(back, data.data(), size, "h2d of what the callback staged");
}

CONFORM_TEST(host_callback_blocks, "streams.host_callback_blocks", core,
             AHAL_FEATURE_HOST_CALLBACKS) {
  // Work after a callback waits until the callback returns.
  const uint64_t size = 4096;
  Buffer b = ctx.buffer(size);
  ctx.fill_bytes(b, 0, size, 0x77);
  void* back = nullptr;
  HostAlloc h = ctx.host_alloc(size, &back);
  std::memset(back, 0, size);
  Stream s = ctx.stream();
  Gate gate;
  gate.block(s);
  CHECK_OK(ahal_stream_copy_d2h(s, b, 0, back, size));
  REQUIRE(wait_until(gate.entered_flag(), 1, 10'000'000'000ull),
          "the callback did not start within 10 s");
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  REQUIRE(static_cast<uint8_t*>(back)[0] == 0,
          "a copy behind a running host callback completed before the callback returned");
  gate.open();
  CHECK_OK(ahal_stream_synchronize(s));
  std::vector<uint8_t> want(size, 0x77);
  expect_bytes(back, want.data(), size, "copy after the callback");
}

CONFORM_TEST(host_callback_many, "streams.host_callback_many", core, AHAL_FEATURE_HOST_CALLBACKS) {
  struct Counter {
    std::atomic<int> next{0};
    std::atomic<int> wrong{0};
  } counter;
  struct Call {
    Counter* c;
    int index;
  };
  const int n = 500;
  std::vector<Call> calls(n);
  Stream s = ctx.stream();
  for (int i = 0; i < n; ++i) {
    calls[i] = {&counter, i};
    CHECK_OK(ahal_stream_host_callback(
        s,
        [](void* p) {
          auto* call = static_cast<Call*>(p);
          if (call->c->next.fetch_add(1) != call->index) ++call->c->wrong;
        },
        &calls[i]));
  }
  CHECK_OK(ahal_stream_synchronize(s));
  REQUIRE(counter.next == n, "%d of %d callbacks ran", counter.next.load(), n);
  REQUIRE(counter.wrong == 0, "%d callbacks ran out of order", counter.wrong.load());
}

CONFORM_TEST(independent, "streams.independent", core, 0) {
  // Several streams with their own work at once; no stream disturbs another.
  Rng rng(ctx.seed());
  const int count = 8;
  const uint64_t size = 1 << 20;
  // Declared so that streams go first: they wait for the work using the rest.
  std::vector<std::vector<uint8_t>> data, back;
  std::vector<Buffer> a, b;
  std::vector<Stream> streams;
  for (int i = 0; i < count; ++i) {
    streams.push_back(ctx.stream());
    a.push_back(ctx.buffer(size));
    b.push_back(ctx.buffer(size));
    data.push_back(rng.bytes(size));
    back.emplace_back(size, 0);
  }
  for (int i = 0; i < count; ++i) {
    CHECK_OK(ahal_stream_copy_h2d(streams[i], data[i].data(), a[i], 0, size));
    CHECK_OK(ahal_stream_copy_d2d(streams[i], a[i], 0, b[i], 0, size));
    CHECK_OK(ahal_stream_copy_d2h(streams[i], b[i], 0, back[i].data(), size));
  }
  for (int i = 0; i < count; ++i) CHECK_OK(ahal_stream_synchronize(streams[i]));
  for (int i = 0; i < count; ++i)
    expect_bytes(back[i].data(), data[i].data(), size, format("stream %d's result", i).c_str());
}

CONFORM_TEST(blocked_stream_isolated, "streams.blocked_stream_isolated", core,
             AHAL_FEATURE_HOST_CALLBACKS) {
  // A stream blocked in a callback must not stop another stream's work.
  Stream blocked = ctx.stream(), other = ctx.stream();
  Gate gate;
  gate.block(blocked);
  Buffer b = ctx.buffer(4096);
  std::vector<uint8_t> data(4096, 0x42), back(4096, 0);
  CHECK_OK(ahal_stream_copy_h2d(other, data.data(), b, 0, 4096));
  CHECK_OK(ahal_stream_copy_d2h(other, b, 0, back.data(), 4096));
  CHECK_OK(ahal_stream_synchronize(other));
  expect_bytes(back.data(), data.data(), 4096, "work of the other stream");
  CHECK_STATUS(ahal_stream_query(blocked), AHAL_NOT_READY);
  gate.open();
  CHECK_OK(ahal_stream_synchronize(blocked));
}

CONFORM_TEST(device_synchronize, "streams.device_synchronize", core, 0) {
  Rng rng(ctx.seed());
  const uint64_t size = 4 << 20;
  std::vector<std::vector<uint8_t>> data, back;
  std::vector<Buffer> bufs;
  std::vector<Stream> streams;
  for (int i = 0; i < 3; ++i) {
    streams.push_back(ctx.stream());
    bufs.push_back(ctx.buffer(size));
    data.push_back(rng.bytes(size));
    back.emplace_back(size, 0);
    CHECK_OK(ahal_stream_copy_h2d(streams[i], data[i].data(), bufs[i], 0, size));
    CHECK_OK(ahal_stream_copy_d2h(streams[i], bufs[i], 0, back[i].data(), size));
  }
  CHECK_OK(ahal_device_synchronize(ctx.device()));
  for (int i = 0; i < 3; ++i) {
    expect_bytes(back[i].data(), data[i].data(), size,
                 format("stream %d after ahal_device_synchronize", i).c_str());
    CHECK_STATUS(ahal_stream_query(streams[i]), AHAL_SUCCESS);
  }
}

CONFORM_TEST(destroy_waits, "streams.destroy_waits", core, 0) {
  // Destroying a stream waits for its work.
  Rng rng(ctx.seed());
  const uint64_t size = 16 << 20;
  Buffer b = ctx.buffer(size);
  std::vector<uint8_t> data = rng.bytes(size), back(size, 0);
  Stream s = ctx.stream();
  CHECK_OK(ahal_stream_copy_h2d(s, data.data(), b, 0, size));
  CHECK_OK(ahal_stream_copy_d2h(s, b, 0, back.data(), size));
  s.reset();
  expect_bytes(back.data(), data.data(), size, "copy queued before ahal_stream_destroy");
}

CONFORM_TEST(create_args, "streams.create_args", core, 0) {
  for (int32_t priority : {0, -1, 1}) {
    ahal_stream_args_t args{};
    args.struct_size = sizeof(args);
    args.priority = priority;
    Stream s;
    CHECK_OK(ahal_stream_create(ctx.device(), &args, s.out()));
    Buffer b = ctx.buffer(64);
    uint8_t v = static_cast<uint8_t>(priority + 5), back = 0;
    CHECK_OK(ahal_stream_copy_h2d(s, &v, b, 0, 1));
    CHECK_OK(ahal_stream_copy_d2h(s, b, 0, &back, 1));
    CHECK_OK(ahal_stream_synchronize(s));
    REQUIRE(back == v, "stream with priority %d copied wrong data", priority);
  }
  ahal_stream_args_t args{};
  args.struct_size = sizeof(args);
  args.flags = 1u << 30;
  Stream s;
  CHECK_STATUS(ahal_stream_create(ctx.device(), &args, s.out()), AHAL_ERROR_INVALID_ARGUMENT);
}

}  // namespace
