// stress: many streams, many small launches, allocation churn, many
// threads using one device at once. Sizes shrink with --quick.
#include "harness.hpp"

#include <thread>

namespace {

using namespace conform;

// Runs fn(thread_index) on `count` threads; rethrows the first failure.
template <typename F>
void on_threads(int count, F fn) {
  std::vector<std::thread> threads;
  std::vector<std::string> errors(count);
  for (int t = 0; t < count; ++t)
    threads.emplace_back([&, t] {
      try {
        fn(t);
      } catch (const TestFailure& f) {
        errors[t] = f.message;
      } catch (const TestSkip& s) {
        errors[t] = "skipped on a thread: " + s.message;
      }
    });
  for (auto& th : threads) th.join();
  for (int t = 0; t < count; ++t)
    if (!errors[t].empty()) fail("thread %d: %s", t, errors[t].c_str());
}

CONFORM_TEST(many_streams, "stress.many_streams", full, 0) {
  const int count = ctx.quick() ? 32 : 128;
  const uint64_t size = 64 << 10;
  Rng rng(ctx.seed());
  std::vector<std::vector<uint8_t>> data, back;
  std::vector<Buffer> bufs;
  std::vector<Stream> streams;
  for (int i = 0; i < count; ++i) {
    streams.push_back(ctx.stream());
    bufs.push_back(ctx.buffer(size));
    data.push_back(rng.bytes(size));
    back.emplace_back(size, 0);
  }
  for (int round = 0; round < 4; ++round)
    for (int i = 0; i < count; ++i) {
      CHECK_OK(ahal_stream_copy_h2d(streams[i], data[i].data(), bufs[i], 0, size));
      CHECK_OK(ahal_stream_copy_d2h(streams[i], bufs[i], 0, back[i].data(), size));
    }
  CHECK_OK(ahal_device_synchronize(ctx.device()));
  for (int i = 0; i < count; ++i)
    expect_bytes(back[i].data(), data[i].data(), size, format("stream %d", i).c_str());
}

CONFORM_TEST(many_launches, "stress.many_launches", full, AHAL_FEATURE_GENERAL_KERNELS) {
  // Many tiny launches, each adding its index to a different slot.
  ahal_kernel_t k = ctx.kernel("write_index");
  const uint32_t launches = ctx.quick() ? 2000 : 20000;
  Buffer out = ctx.buffer(uint64_t{launches} * 4 + 64);
  Stream s = ctx.stream();
  const uint64_t align = ctx.props().binding_offset_alignment;
  // One element per launch where alignment allows binding each slot.
  if (align > 4) {
    for (uint32_t i = 0; i < launches; ++i) CHECK_OK(launch(s, k, {1}, {1}, {bind(out, 0, 4)}, i));
    CHECK_OK(ahal_stream_synchronize(s));
    uint32_t v = ctx.read_as<uint32_t>(out, 1)[0];
    REQUIRE(v == launches - 1, "after %u ordered launches out[0] = %u, expected %u", launches, v,
            launches - 1);
    return;
  }
  for (uint32_t i = 0; i < launches; ++i)
    CHECK_OK(launch(s, k, {1}, {1}, {bind(out, uint64_t{i} * 4, 4)}, i));
  CHECK_OK(ahal_stream_synchronize(s));
  std::vector<uint32_t> v = ctx.read_as<uint32_t>(out, launches);
  for (uint32_t i = 0; i < launches; ++i) REQUIRE(v[i] == i, "launch %u wrote %u", i, v[i]);
}

CONFORM_TEST(alloc_churn, "stress.alloc_churn", full, 0) {
  Rng rng(ctx.seed());
  const int rounds = ctx.quick() ? 2000 : 20000;
  std::vector<Buffer> live(64);
  Stream s = ctx.stream();
  for (int i = 0; i < rounds; ++i) {
    Buffer& slot = live[rng.below(64)];
    slot = ctx.buffer(1 + rng.below(1 << 18));
    if (i % 64 == 0) {
      uint64_t size = 0;
      CHECK_OK(ahal_buffer_size(slot, &size));
      std::vector<uint8_t> data = rng.bytes(size), back(size);
      CHECK_OK(ahal_stream_copy_h2d(s, data.data(), slot, 0, size));
      CHECK_OK(ahal_stream_copy_d2h(s, slot, 0, back.data(), size));
      CHECK_OK(ahal_stream_synchronize(s));
      expect_bytes(back.data(), data.data(), size, format("round %d", i).c_str());
    }
  }
}

CONFORM_TEST(many_threads, "stress.many_threads", full, 0) {
  // Each thread has its own stream, buffers and events.
  const int threads = 8, rounds = ctx.quick() ? 50 : 500;
  on_threads(threads, [&](int t) {
    Rng rng(ctx.seed() + t);
    Stream s = ctx.stream();
    Event e = ctx.event();
    for (int r = 0; r < rounds; ++r) {
      uint64_t size = 1 + rng.below(1 << 16);
      Buffer a = ctx.buffer(size), b = ctx.buffer(size);
      std::vector<uint8_t> data = rng.bytes(size), back(size);
      CHECK_OK(ahal_stream_copy_h2d(s, data.data(), a, 0, size));
      CHECK_OK(ahal_stream_copy_d2d(s, a, 0, b, 0, size));
      CHECK_OK(ahal_stream_copy_d2h(s, b, 0, back.data(), size));
      CHECK_OK(ahal_stream_record_event(s, e));
      CHECK_OK(ahal_event_wait(e, UINT64_MAX));
      expect_bytes(back.data(), data.data(), size, format("round %d", r).c_str());
    }
  });
}

CONFORM_TEST(shared_stream_threads, "stress.shared_stream_threads", full, 0) {
  // Several threads enqueue to one stream at once, each into its own slice.
  const int threads = 4, rounds = ctx.quick() ? 100 : 1000;
  const uint64_t slice = 4096;
  Buffer b = ctx.buffer(slice * threads);
  Stream s = ctx.stream();
  on_threads(threads, [&](int t) {
    std::vector<uint8_t> data(slice), back(slice);
    for (int r = 0; r < rounds; ++r) {
      std::memset(data.data(), (t * 31 + r) & 0xff, slice);
      CHECK_OK(ahal_stream_copy_h2d(s, data.data(), b, t * slice, slice));
      CHECK_OK(ahal_stream_copy_d2h(s, b, t * slice, back.data(), slice));
      // Other threads' synchronize calls may return this thread's work too.
      CHECK_OK(ahal_stream_synchronize(s));
      expect_bytes(back.data(), data.data(), slice, format("round %d", r).c_str());
    }
  });
}

CONFORM_TEST(kernel_threads, "stress.kernel_threads", full, AHAL_FEATURE_GENERAL_KERNELS) {
  ahal_kernel_t k = ctx.kernel("vector_add");
  const int threads = 4, rounds = ctx.quick() ? 50 : 500;
  on_threads(threads, [&](int t) {
    Rng rng(ctx.seed() + t);
    Stream s = ctx.stream();
    const uint32_t n = 4096;
    Buffer ba = ctx.buffer(n * 4), bb = ctx.buffer(n * 4), bc = ctx.buffer(n * 4);
    for (int r = 0; r < rounds; ++r) {
      std::vector<float> a = rng.floats(n, -1, 1), b = rng.floats(n, -1, 1), c(n);
      CHECK_OK(ahal_stream_copy_h2d(s, a.data(), ba, 0, n * 4));
      CHECK_OK(ahal_stream_copy_h2d(s, b.data(), bb, 0, n * 4));
      CHECK_OK(launch(s, k, {n / 64}, {64}, {bind(ba), bind(bb), bind(bc)}, n));
      CHECK_OK(ahal_stream_copy_d2h(s, bc, 0, c.data(), n * 4));
      CHECK_OK(ahal_stream_synchronize(s));
      for (uint32_t i = 0; i < n; i += 97) expect_near(c[i], a[i] + b[i], 1e-6, "c", i);
    }
  });
}

CONFORM_TEST(event_churn, "stress.event_churn", full, 0) {
  // Events created, used across two streams and destroyed in batches.
  const int batches = ctx.quick() ? 20 : 200;
  Stream s1 = ctx.stream(), s2 = ctx.stream();
  for (int b = 0; b < batches; ++b) {
    std::vector<Event> events;
    for (int i = 0; i < 100; ++i) {
      events.push_back(ctx.event());
      CHECK_OK(ahal_stream_record_event(i % 2 ? s1 : s2, events.back()));
      CHECK_OK(ahal_stream_wait_event(i % 2 ? s2 : s1, events.back()));
    }
    CHECK_OK(ahal_device_synchronize(ctx.device()));
    for (const Event& e : events) CHECK_STATUS(ahal_event_query(e), AHAL_SUCCESS);
  }
}

}  // namespace
