// Destroying objects that queued work still uses (docs/memory.md): the
// destroy waits for that work, so no plugin frees a buffer, host
// allocation, event or module that a queued copy, fill, launch, record or
// wait will still touch. Each test queues work behind a gate (a host
// callback that blocks the stream until another thread opens it 50 ms
// later), destroys the object while the work waits, and then checks what
// the work wrote: it must have run, in full, on the live object.
#include "harness.hpp"

#include <chrono>
#include <thread>

namespace {

using namespace conform;

// Opens the gate from another thread after 50 ms.
class DelayedOpen {
 public:
  explicit DelayedOpen(Gate& gate)
      : thread_([&gate] {
          std::this_thread::sleep_for(std::chrono::milliseconds(50));
          gate.open();
        }) {}
  ~DelayedOpen() { thread_.join(); }
  DelayedOpen(const DelayedOpen&) = delete;
  DelayedOpen& operator=(const DelayedOpen&) = delete;

 private:
  std::thread thread_;
};

CONFORM_TEST(destroy_buffer_in_flight, "memory.destroy_buffer_in_flight", core,
             AHAL_FEATURE_HOST_CALLBACKS) {
  const uint64_t size = 1 << 20;
  Rng rng(ctx.seed());
  std::vector<uint8_t> data = rng.bytes(size), back(size, 0);
  Stream s = ctx.stream();
  Buffer b = ctx.buffer(size);
  Gate gate;
  gate.block(s);
  CHECK_OK(ahal_stream_copy_h2d(s, data.data(), b, 0, size));
  CHECK_OK(ahal_stream_copy_d2h(s, b, 0, back.data(), size));
  {
    DelayedOpen opener(gate);
    // Waits for the copies: they must not touch freed memory.
    CHECK_OK(ahal_buffer_destroy(b.release()));
  }
  // No synchronize: the destroy already waited for the d2h.
  expect_bytes(back.data(), data.data(), size, "d2h of a buffer destroyed while queued");
  CHECK_OK(ahal_stream_synchronize(s));
  ctx.check_device_usable("destroying a buffer in flight");
}

CONFORM_TEST(destroy_buffer_busy, "memory.destroy_buffer_busy", core, 0) {
  // Without gates (any device): much work queued, the buffer destroyed at once.
  const uint64_t size = ctx.quick() ? (8 << 20) : (64 << 20);
  Stream s = ctx.stream();
  std::vector<uint32_t> back(size / 4, 0);
  Buffer b = ctx.buffer(size);
  const uint32_t pattern = 0x5a5aa5a5;
  for (int i = 0; i < 4; ++i) CHECK_OK(ahal_stream_fill(s, b, 0, size, &pattern, 4));
  CHECK_OK(ahal_stream_copy_d2h(s, b, 0, back.data(), size));
  CHECK_OK(ahal_buffer_destroy(b.release()));
  for (size_t i = 0; i < back.size(); i += 4097)
    REQUIRE(back[i] == pattern, "word %zu is 0x%x after the destroy returned, expected 0x%x", i,
            back[i], pattern);
  REQUIRE(back.back() == pattern, "last word is 0x%x, expected 0x%x", back.back(), pattern);
  CHECK_OK(ahal_stream_synchronize(s));
}

CONFORM_TEST(destroy_buffer_two_streams, "memory.destroy_buffer_two_streams", core,
             AHAL_FEATURE_HOST_CALLBACKS) {
  // Used by two streams: both are waited for.
  const uint64_t size = 1 << 16;
  Rng rng(ctx.seed());
  std::vector<uint8_t> data = rng.bytes(size), back1(size, 0), back2(size, 0);
  Stream s1 = ctx.stream(), s2 = ctx.stream();
  Buffer b = ctx.buffer(size);
  ctx.write(b, 0, data.data(), size);
  Gate g1, g2;
  g1.block(s1);
  g2.block(s2);
  CHECK_OK(ahal_stream_copy_d2h(s1, b, 0, back1.data(), size));
  CHECK_OK(ahal_stream_copy_d2h(s2, b, 0, back2.data(), size));
  {
    DelayedOpen o1(g1), o2(g2);
    CHECK_OK(ahal_buffer_destroy(b.release()));
  }
  expect_bytes(back1.data(), data.data(), size, "first stream's d2h");
  expect_bytes(back2.data(), data.data(), size, "second stream's d2h");
}

CONFORM_TEST(free_host_alloc_in_flight, "memory.free_host_alloc_in_flight", core,
             AHAL_FEATURE_HOST_CALLBACKS) {
  const uint64_t size = 1 << 20;
  Rng rng(ctx.seed());
  std::vector<uint8_t> data = rng.bytes(size);
  void* pinned = nullptr;
  HostAlloc h = ctx.host_alloc(size, &pinned);
  std::memcpy(pinned, data.data(), size);
  Stream s = ctx.stream();
  Buffer b = ctx.buffer(size);
  Gate gate;
  gate.block(s);
  CHECK_OK(ahal_stream_copy_h2d(s, pinned, b, 0, size));
  {
    DelayedOpen opener(gate);
    CHECK_OK(ahal_host_free(h.release()));
  }
  std::vector<uint8_t> back = ctx.read(b, 0, size);
  expect_bytes(back.data(), data.data(), size, "h2d from pinned memory freed while queued");
}

CONFORM_TEST(destroy_event_in_flight, "events.destroy_in_flight", core,
             AHAL_FEATURE_HOST_CALLBACKS) {
  // A record and a wait of the event are queued; the destroy waits for both.
  Stream s1 = ctx.stream(), s2 = ctx.stream();
  ahal_event_t e = nullptr;
  CHECK_OK(ahal_event_create(ctx.device(), 0, &e));
  Gate gate;
  gate.block(s1);
  CHECK_OK(ahal_stream_record_event(s1, e));
  CHECK_OK(ahal_stream_wait_event(s2, e));
  {
    DelayedOpen opener(gate);
    CHECK_OK(ahal_event_destroy(e));
  }
  CHECK_OK(ahal_stream_synchronize(s2));
  CHECK_OK(ahal_stream_synchronize(s1));
  ctx.check_device_usable("destroying an event in flight");
}

CONFORM_TEST(destroy_module_in_flight, "kernels.destroy_module_in_flight", core,
             AHAL_FEATURE_HOST_CALLBACKS | AHAL_FEATURE_GENERAL_KERNELS) {
  ctx.kernels_module();  // skips where the standard bundle has nothing for the device
  ahal_module_args_t args = {};
  args.struct_size = sizeof(args);
  args.format = AHAL_MODULE_FORMAT_BUNDLE;
  args.path = ctx.bundle_path().c_str();
  ahal_module_t m = nullptr;
  CHECK_OK(ahal_module_create(ctx.device(), &args, &m));
  ahal_kernel_t k = nullptr;
  CHECK_OK(ahal_kernel_get(m, "write_index", &k));
  const uint32_t n = 4096, base = 7;
  Buffer out = ctx.buffer(n * 4);
  Stream s = ctx.stream();
  Gate gate;
  gate.block(s);
  CHECK_OK(launch(s, k, {n / 64}, {64}, {bind(out)}, base));
  {
    DelayedOpen opener(gate);
    CHECK_OK(ahal_module_destroy(m));
  }
  CHECK_OK(ahal_stream_synchronize(s));
  std::vector<uint32_t> got = ctx.read_as<uint32_t>(out, n);
  for (uint32_t i = 0; i < n; ++i)
    REQUIRE(got[i] == i + base, "out[%u] = %u after its module was destroyed in flight, want %u", i,
            got[i], i + base);
}

}  // namespace
