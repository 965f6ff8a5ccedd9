// stress.random_ops: threads x streams x random operations for a fixed time
// (2 s with --quick, 10 s without), destroys racing with queued work among
// them. Each thread keeps a host shadow of every buffer it owns and checks
// the device's bytes against it: after reads, after buffers are handed
// from one stream to another through events, and in the d2h a buffer's
// destroy must wait for. Host callbacks count themselves.
#include "harness.hpp"

#include <chrono>
#include <thread>

namespace {

using namespace conform;

struct Owned {
  Buffer buffer;
  std::vector<uint8_t> shadow;
  int stream = 0;  // the stream all its work goes to (its "home")
};

struct Worker {
  Context& ctx;
  Rng rng;
  std::vector<Stream> streams;
  std::vector<Owned> buffers;
  ahal_kernel_t write_index = nullptr;
  std::atomic<int>* callbacks = nullptr;
  int callbacks_enqueued = 0;
  uint64_t ops = 0;

  Owned& pick() { return buffers[rng.below(uint32_t(buffers.size()))]; }
  ahal_stream_t home(const Owned& o) { return streams[o.stream]; }

  void create() {
    Owned o;
    const uint64_t size = 4 * (1 + rng.below(4096));
    o.buffer = ctx.buffer(size);
    o.shadow = rng.bytes(size);
    o.stream = int(rng.below(uint32_t(streams.size())));
    CHECK_OK(ahal_stream_copy_h2d(home(o), o.shadow.data(), o.buffer, 0, size));
    // The host data must outlive the copy: keep it until the next sync.
    buffers.push_back(std::move(o));
    CHECK_OK(ahal_stream_synchronize(home(buffers.back())));
  }

  void fill(Owned& o) {
    const uint64_t words = o.shadow.size() / 4, first = rng.below(uint32_t(words));
    const uint64_t count = 1 + rng.below(uint32_t(words - first));
    const uint32_t pattern = uint32_t(rng.next());
    CHECK_OK(ahal_stream_fill(home(o), o.buffer, first * 4, count * 4, &pattern, 4));
    for (uint64_t i = first; i < first + count; ++i) std::memcpy(&o.shadow[i * 4], &pattern, 4);
  }

  void copy(Owned& from, Owned& to) {
    if (&from == &to || from.stream != to.stream) return;
    const uint64_t size =
        4 * (1 + rng.below(uint32_t(std::min(from.shadow.size(), to.shadow.size()) / 4)));
    const uint64_t src = 4 * rng.below(uint32_t((from.shadow.size() - size) / 4 + 1));
    const uint64_t dst = 4 * rng.below(uint32_t((to.shadow.size() - size) / 4 + 1));
    CHECK_OK(ahal_stream_copy_d2d(home(from), from.buffer, src, to.buffer, dst, size));
    std::memcpy(&to.shadow[dst], &from.shadow[src], size);
  }

  void launch_index(Owned& o) {
    if (!write_index) return;
    const uint32_t words = uint32_t(o.shadow.size() / 4), base = uint32_t(rng.next());
    const uint32_t wg = 64, groups = words / wg;
    if (groups == 0) return;
    CHECK_OK(launch(home(o), write_index, {groups}, {wg}, {bind(o.buffer)}, base));
    for (uint32_t i = 0; i < groups * wg; ++i) {
      const uint32_t v = i + base;
      std::memcpy(&o.shadow[i * 4], &v, 4);
    }
  }

  void read_check(Owned& o, const char* what) {
    std::vector<uint8_t> back(o.shadow.size());
    CHECK_OK(ahal_stream_copy_d2h(home(o), o.buffer, 0, back.data(), back.size()));
    CHECK_OK(ahal_stream_synchronize(home(o)));
    expect_bytes(back.data(), o.shadow.data(), back.size(), what);
  }

  // Moves the buffer to another stream: that stream waits for its work.
  void hand_over(Owned& o) {
    const int to = int(rng.below(uint32_t(streams.size())));
    if (to == o.stream) return;
    Event e = ctx.event();
    CHECK_OK(ahal_stream_record_event(home(o), e));
    CHECK_OK(ahal_stream_wait_event(streams[to], e));
    o.stream = to;
    // The event may be destroyed at once: the destroy waits for the wait.
  }

  // Queues work on the buffer and its read-back, then destroys it at once.
  void destroy_in_flight(size_t index) {
    Owned& o = buffers[index];
    fill(o);
    std::vector<uint8_t> back(o.shadow.size());
    CHECK_OK(ahal_stream_copy_d2h(home(o), o.buffer, 0, back.data(), back.size()));
    CHECK_OK(ahal_buffer_destroy(o.buffer.release()));
    expect_bytes(back.data(), o.shadow.data(), back.size(), "d2h of a buffer destroyed in flight");
    buffers.erase(buffers.begin() + long(index));
  }

  void callback() {
    if (!ctx.has(AHAL_FEATURE_HOST_CALLBACKS)) return;
    CHECK_OK(ahal_stream_host_callback(
        streams[rng.below(uint32_t(streams.size()))],
        [](void* counter) { static_cast<std::atomic<int>*>(counter)->fetch_add(1); }, callbacks));
    ++callbacks_enqueued;
  }

  void recreate_stream() {
    // Destroying a stream waits for its work; its buffers move to stream 0.
    const int i = int(rng.below(uint32_t(streams.size())));
    if (i == 0) return;
    for (Owned& o : buffers)
      if (o.stream == i) hand_over_to(o, 0);
    streams[i] = ctx.stream();
  }

  void hand_over_to(Owned& o, int to) {
    Event e = ctx.event();
    CHECK_OK(ahal_stream_record_event(home(o), e));
    CHECK_OK(ahal_stream_wait_event(streams[to], e));
    o.stream = to;
  }

  void step() {
    ++ops;
    if (buffers.size() < 2) return create();
    switch (rng.below(12)) {
      case 0:
        return create();
      case 1:
      case 2:
        return fill(pick());
      case 3:
      case 4:
        return copy(pick(), pick());
      case 5:
        return launch_index(pick());
      case 6:
        return read_check(pick(), "read-back");
      case 7:
        return hand_over(pick());
      case 8:
        return destroy_in_flight(rng.below(uint32_t(buffers.size())));
      case 9:
        return callback();
      case 10:
        return recreate_stream();
      default:
        if (buffers.size() > 12) return destroy_in_flight(rng.below(uint32_t(buffers.size())));
        return create();
    }
  }
};

CONFORM_TEST(random_ops, "stress.random_ops", full, 0) {
  const int threads = 3, streams = 2;
  const auto duration = std::chrono::milliseconds(ctx.quick() ? 2000 : 10000);
  ahal_kernel_t k = nullptr;
  if (ctx.has(AHAL_FEATURE_GENERAL_KERNELS)) k = ctx.kernel("write_index");
  std::atomic<int> callbacks{0};
  std::vector<uint64_t> ops(threads, 0);
  std::vector<int> enqueued(threads, 0);
  std::vector<std::thread> pool;
  std::vector<std::string> errors(threads);
  const auto end = std::chrono::steady_clock::now() + duration;
  for (int t = 0; t < threads; ++t)
    pool.emplace_back([&, t] {
      try {
        Worker w{ctx, Rng(ctx.seed() * 31 + uint64_t(t)), {}, {}, k, &callbacks};
        for (int s = 0; s < streams; ++s) w.streams.push_back(ctx.stream());
        while (std::chrono::steady_clock::now() < end) w.step();
        for (Owned& o : w.buffers) w.read_check(o, "final read-back");
        ops[t] = w.ops;
        enqueued[t] = w.callbacks_enqueued;
      } catch (const TestFailure& f) {
        errors[t] = f.message;
      } catch (const TestSkip& s) {
        errors[t] = "skipped on a thread: " + s.message;
      }
    });
  for (auto& th : pool) th.join();
  for (int t = 0; t < threads; ++t)
    if (!errors[t].empty()) fail("thread %d: %s", t, errors[t].c_str());
  CHECK_OK(ahal_device_synchronize(ctx.device()));
  int total = 0;
  for (int e : enqueued) total += e;
  REQUIRE(callbacks.load() == total, "%d host callbacks ran, %d were enqueued", callbacks.load(),
          total);
  uint64_t all = 0;
  for (uint64_t n : ops) all += n;
  REQUIRE(all > 0, "no operation ran in %lld ms", (long long)duration.count());
  ctx.check_device_usable("random operations");
}

}  // namespace
