// events: query, wait, timeout, cross-stream dependencies, timing.
#include "harness.hpp"

#include <chrono>
#include <thread>

namespace {

using namespace conform;

unsigned long long ull(uint64_t v) { return static_cast<unsigned long long>(v); }

CONFORM_TEST(unrecorded, "events.unrecorded", core, 0) {
  Event e = ctx.event();
  CHECK_STATUS(ahal_event_query(e), AHAL_SUCCESS);
  CHECK_STATUS(ahal_event_wait(e, 0), AHAL_SUCCESS);
  CHECK_STATUS(ahal_event_wait(e, UINT64_MAX), AHAL_SUCCESS);
}

CONFORM_TEST(wait_completes_work, "events.wait_completes_work", core, 0) {
  // When an event's wait returns, the work recorded before it is done: a
  // large copy must have landed. Without a blocked stream this is a race a
  // broken event may win by luck, so it runs several rounds;
  // events.not_ready_and_timeout checks it deterministically.
  Rng rng(ctx.seed());
  const uint64_t size = ctx.quick() ? (32 << 20) : (64 << 20);
  Buffer b = ctx.buffer(size);
  std::vector<uint8_t> data = rng.bytes(size);
  ctx.write(b, 0, data.data(), size);
  std::vector<uint8_t> back(size);
  Stream s = ctx.stream();
  Event e = ctx.event();
  for (int round = 0; round < 8; ++round) {
    std::fill(back.begin(), back.end(), 0);
    CHECK_OK(ahal_stream_copy_d2h(s, b, 0, back.data(), size));
    CHECK_OK(ahal_stream_record_event(s, e));
    if (round % 2) {
      // Poll with query instead of wait.
      uint64_t end = now_ns() + 20'000'000'000ull;
      ahal_status_t q;
      while ((q = ahal_event_query(e)) == AHAL_NOT_READY)
        REQUIRE(now_ns() < end, "query never SUCCESS");
      CHECK_STATUS(q, AHAL_SUCCESS);
    } else {
      CHECK_OK(ahal_event_wait(e, UINT64_MAX));
    }
    // A quick sweep over the last byte of every page first: a copy that is
    // still running (in parallel pieces) shows before a full compare could.
    for (uint64_t at = 4095; at < size; at += 4096)
      if (back[at] != data[at])
        fail("round %d: byte %llu of the copy is not there when the event completed", round,
             ull(at));
    expect_bytes(back.data(), data.data(), size,
                 format("round %d: copy when the event completed", round).c_str());
    CHECK_OK(ahal_stream_synchronize(s));
  }
}

CONFORM_TEST(not_ready_and_timeout, "events.not_ready_and_timeout", core,
             AHAL_FEATURE_HOST_CALLBACKS) {
  Stream s = ctx.stream();
  Event e = ctx.event();
  Gate gate;
  gate.block(s);
  CHECK_OK(ahal_stream_record_event(s, e));
  CHECK_STATUS(ahal_event_query(e), AHAL_NOT_READY);
  uint64_t t0 = now_ns();
  CHECK_STATUS(ahal_event_wait(e, 20'000'000), AHAL_ERROR_TIMEOUT);
  uint64_t waited = now_ns() - t0;
  REQUIRE(waited >= 15'000'000, "a 20 ms wait returned TIMEOUT after %.1f ms", waited / 1e6);
  REQUIRE(waited < 5'000'000'000ull, "a 20 ms wait took %.1f ms", waited / 1e6);
  CHECK_STATUS(ahal_event_wait(e, 0), AHAL_ERROR_TIMEOUT);
  CHECK_STATUS(ahal_event_query(e), AHAL_NOT_READY);
  gate.open();
  CHECK_STATUS(ahal_event_wait(e, 10'000'000'000ull), AHAL_SUCCESS);
  CHECK_STATUS(ahal_event_query(e), AHAL_SUCCESS);
}

CONFORM_TEST(rerecord, "events.rerecord", core, AHAL_FEATURE_HOST_CALLBACKS) {
  // An event stands for its last record only.
  Stream s = ctx.stream();
  Event e = ctx.event();
  CHECK_OK(ahal_stream_record_event(s, e));
  CHECK_OK(ahal_event_wait(e, 10'000'000'000ull));
  Gate gate;
  gate.block(s);
  CHECK_OK(ahal_stream_record_event(s, e));
  CHECK_STATUS(ahal_event_query(e), AHAL_NOT_READY);
  gate.open();
  CHECK_OK(ahal_event_wait(e, 10'000'000'000ull));
}

CONFORM_TEST(cross_stream, "events.cross_stream", core, 0) {
  // Stream B waits for an event of stream A and then reads what A wrote.
  Rng rng(ctx.seed());
  const uint64_t size = ctx.quick() ? (16 << 20) : (64 << 20);
  Buffer a = ctx.buffer(size), b = ctx.buffer(size);
  ctx.fill_bytes(b, 0, size, 0);
  std::vector<uint8_t> data = rng.bytes(size), back(size, 0);
  Stream sa = ctx.stream(), sb = ctx.stream();
  Event e = ctx.event();
  for (int round = 0; round < 3; ++round) {
    data[0] = static_cast<uint8_t>(round);
    data[size - 1] = static_cast<uint8_t>(round + 100);
    CHECK_OK(ahal_stream_copy_h2d(sa, data.data(), a, 0, size));
    CHECK_OK(ahal_stream_copy_d2d(sa, a, 0, b, 0, size));
    CHECK_OK(ahal_stream_record_event(sa, e));
    CHECK_OK(ahal_stream_wait_event(sb, e));
    CHECK_OK(ahal_stream_copy_d2h(sb, b, 0, back.data(), size));
    CHECK_OK(ahal_stream_synchronize(sb));
    expect_bytes(back.data() + size - 1, data.data() + size - 1, 1,
                 format("round %d: last byte B read after waiting for A", round).c_str());
    expect_bytes(back.data(), data.data(), size,
                 format("round %d: what B read after waiting for A", round).c_str());
    CHECK_OK(ahal_stream_synchronize(sa));
  }
}

CONFORM_TEST(cross_stream_blocked, "events.cross_stream_blocked", core,
             AHAL_FEATURE_HOST_CALLBACKS) {
  // B's work must not start while A (which B waits for) is blocked.
  Stream sa = ctx.stream(), sb = ctx.stream();
  Event e = ctx.event();
  std::atomic<int> ran{0};
  Gate gate;
  gate.block(sa);
  CHECK_OK(ahal_stream_record_event(sa, e));
  CHECK_OK(ahal_stream_wait_event(sb, e));
  CHECK_OK(ahal_stream_host_callback(
      sb, [](void* p) { ++*static_cast<std::atomic<int>*>(p); }, &ran));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  REQUIRE(ran == 0, "stream B ran past its wait on an event of a blocked stream");
  CHECK_STATUS(ahal_stream_query(sb), AHAL_NOT_READY);
  gate.open();
  CHECK_OK(ahal_stream_synchronize(sb));
  REQUIRE(ran == 1, "stream B's callback ran %d times after the wait", ran.load());
}

CONFORM_TEST(wait_unrecorded, "events.wait_unrecorded", core, 0) {
  // Waiting on a never-recorded event does not block the stream.
  Stream s = ctx.stream();
  Event e = ctx.event();
  CHECK_OK(ahal_stream_wait_event(s, e));
  Buffer b = ctx.buffer(64);
  uint8_t v = 9, back = 0;
  CHECK_OK(ahal_stream_copy_h2d(s, &v, b, 0, 1));
  CHECK_OK(ahal_stream_copy_d2h(s, b, 0, &back, 1));
  CHECK_OK(ahal_stream_synchronize(s));
  REQUIRE(back == 9, "copy after waiting on an unrecorded event read %u", back);
}

CONFORM_TEST(elapsed, "events.elapsed", core, AHAL_FEATURE_TIMESTAMPS) {
  // e0, work, e1, work, e2: t(0,2) = t(0,1) + t(1,2), all within host time.
  Stream s = ctx.stream();
  Event e0 = ctx.event(AHAL_EVENT_TIMING), e1 = ctx.event(AHAL_EVENT_TIMING),
        e2 = ctx.event(AHAL_EVENT_TIMING);
  const uint64_t size = 16 << 20;
  Buffer a = ctx.buffer(size), b = ctx.buffer(size);
  ctx.fill_bytes(a, 0, size, 1);
  uint64_t h0 = now_ns();
  CHECK_OK(ahal_stream_record_event(s, e0));
  CHECK_OK(ahal_stream_copy_d2d(s, a, 0, b, 0, size));
  CHECK_OK(ahal_stream_record_event(s, e1));
  CHECK_OK(ahal_stream_copy_d2d(s, b, 0, a, 0, size));
  CHECK_OK(ahal_stream_copy_d2d(s, a, 0, b, 0, size));
  CHECK_OK(ahal_stream_record_event(s, e2));
  CHECK_OK(ahal_event_wait(e2, UINT64_MAX));
  uint64_t host = now_ns() - h0;
  uint64_t t01 = 0, t12 = 0, t02 = 0;
  CHECK_OK(ahal_event_elapsed_ns(e0, e1, &t01));
  CHECK_OK(ahal_event_elapsed_ns(e1, e2, &t12));
  CHECK_OK(ahal_event_elapsed_ns(e0, e2, &t02));
  REQUIRE(t01 > 0 && t12 > 0, "a 16 MiB copy took 0 ns (t01 %llu, t12 %llu)", ull(t01), ull(t12));
  REQUIRE(t02 >= t01 && t02 >= t12, "elapsed times are not monotonic: t01 %llu t12 %llu t02 %llu",
          ull(t01), ull(t12), ull(t02));
  uint64_t sum = t01 + t12, tick = ctx.props().timestamp_resolution_ps / 1000 + 1;
  uint64_t diff = sum > t02 ? sum - t02 : t02 - sum;
  REQUIRE(diff <= 4 * tick + t02 / 100, "t01 + t12 = %llu ns but t02 = %llu ns", ull(sum),
          ull(t02));
  REQUIRE(t02 <= host + host / 10 + 4 * tick,
          "the device measured %llu ns for work the host saw finish in %llu ns", ull(t02),
          ull(host));
}

CONFORM_TEST(elapsed_real_time, "events.elapsed_real_time", core,
             AHAL_FEATURE_TIMESTAMPS | AHAL_FEATURE_HOST_CALLBACKS) {
  // Timed events around a 100 ms stall measure about 100 ms.
  Stream s = ctx.stream();
  Event e0 = ctx.event(AHAL_EVENT_TIMING), e1 = ctx.event(AHAL_EVENT_TIMING);
  CHECK_OK(ahal_stream_record_event(s, e0));
  CHECK_OK(ahal_stream_host_callback(
      s, [](void*) { std::this_thread::sleep_for(std::chrono::milliseconds(100)); }, nullptr));
  CHECK_OK(ahal_stream_record_event(s, e1));
  CHECK_OK(ahal_stream_synchronize(s));
  uint64_t t = 0;
  CHECK_OK(ahal_event_elapsed_ns(e0, e1, &t));
  REQUIRE(t >= 95'000'000 && t < 5'000'000'000ull,
          "events around a 100 ms host callback measured %.3f ms", t / 1e6);
}

CONFORM_TEST(elapsed_refused, "events.elapsed_refused", core, AHAL_FEATURE_TIMESTAMPS) {
  Stream s = ctx.stream();
  Event plain = ctx.event(), timed = ctx.event(AHAL_EVENT_TIMING);
  CHECK_OK(ahal_stream_record_event(s, plain));
  CHECK_OK(ahal_stream_record_event(s, timed));
  CHECK_OK(ahal_stream_synchronize(s));
  uint64_t t = 0;
  CHECK_STATUS(ahal_event_elapsed_ns(plain, timed, &t), AHAL_ERROR_INVALID_ARGUMENT);
  CHECK_STATUS(ahal_event_elapsed_ns(timed, timed, nullptr), AHAL_ERROR_INVALID_ARGUMENT);
  Event never = ctx.event(AHAL_EVENT_TIMING);
  CHECK_STATUS(ahal_event_elapsed_ns(timed, never, &t), AHAL_ERROR_INVALID_STATE);
}

CONFORM_TEST(many, "events.many", core, 0) {
  // Many events on many streams; each completes.
  const int n = 200;
  Stream s1 = ctx.stream(), s2 = ctx.stream();
  std::vector<Event> events;
  for (int i = 0; i < n; ++i) {
    events.push_back(ctx.event());
    CHECK_OK(ahal_stream_record_event(i % 2 ? s1 : s2, events.back()));
    if (i % 10 == 9) CHECK_OK(ahal_stream_wait_event(i % 2 ? s2 : s1, events.back()));
  }
  for (int i = 0; i < n; ++i)
    CHECK_STATUS(ahal_event_wait(events[i], 10'000'000'000ull), AHAL_SUCCESS);
}

}  // namespace
