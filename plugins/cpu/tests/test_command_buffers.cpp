// The CPU plugin's native command buffers, through its dispatch table: a
// submission gives the results of the same commands enqueued one by one,
// updates take effect, events inside behave as on a stream.
#include "plugin_fixture.hpp"

#include <deque>

using cpu_test::bind;
using cpu_test::last_message;
using cpu_test::Plugin;

namespace {

// Builds a command list; the bindings and constants it points to live as
// long as the recorder.
class Recorder {
 public:
  ahal_plugin_command_t& add(ahal_plugin_command_type_t type) {
    ahal_plugin_command_t c{};
    c.struct_size = sizeof(c);
    c.type = type;
    commands.push_back(c);
    return commands.back();
  }
  void h2d(const void* src, ahal_plugin_buffer_t* dst, uint64_t size) {
    auto& c = add(AHAL_PLUGIN_COMMAND_COPY_H2D);
    c.host_src = src;
    c.dst = dst;
    c.size = size;
  }
  void d2h(ahal_plugin_buffer_t* src, void* dst, uint64_t size) {
    auto& c = add(AHAL_PLUGIN_COMMAND_COPY_D2H);
    c.src = src;
    c.host_dst = dst;
    c.size = size;
  }
  void d2d(ahal_plugin_buffer_t* src, uint64_t src_offset, ahal_plugin_buffer_t* dst,
           uint64_t size) {
    auto& c = add(AHAL_PLUGIN_COMMAND_COPY_D2D);
    c.src = src;
    c.src_offset = src_offset;
    c.dst = dst;
    c.size = size;
  }
  void fill(ahal_plugin_buffer_t* dst, uint64_t size, uint32_t pattern, uint32_t pattern_size) {
    auto& c = add(AHAL_PLUGIN_COMMAND_FILL);
    c.dst = dst;
    c.size = size;
    c.pattern = pattern;
    c.pattern_size = pattern_size;
  }
  void event(ahal_plugin_command_type_t type, ahal_plugin_event_t* e) { add(type).event = e; }
  ahal_plugin_command_t launch_command(ahal_plugin_kernel_t* k, uint32_t groups, uint32_t wg,
                                       std::vector<ahal_plugin_binding_t> b, const void* constants,
                                       uint32_t constants_size) {
    bindings.push_back(std::move(b));
    ahal_plugin_command_t c{};
    c.struct_size = sizeof(c);
    c.type = AHAL_PLUGIN_COMMAND_LAUNCH;
    c.kernel = k;
    c.launch.struct_size = sizeof(c.launch);
    c.launch.grid[0] = groups;
    c.launch.grid[1] = c.launch.grid[2] = 1;
    c.launch.workgroup_size[0] = wg;
    c.launch.workgroup_size[1] = c.launch.workgroup_size[2] = 1;
    c.launch.binding_count = static_cast<uint32_t>(bindings.back().size());
    c.launch.bindings = bindings.back().data();
    c.launch.constants = constants;
    c.launch.constants_size = constants_size;
    return c;
  }
  void launch(ahal_plugin_kernel_t* k, uint32_t groups, uint32_t wg,
              std::vector<ahal_plugin_binding_t> b, const void* constants,
              uint32_t constants_size) {
    commands.push_back(launch_command(k, groups, wg, std::move(b), constants, constants_size));
  }

  // The same commands through the stream entries.
  void enqueue(const ahal_plugin_api_t& api, ahal_plugin_stream_t* s) const {
    for (const ahal_plugin_command_t& c : commands) {
      ahal_status_t st = AHAL_SUCCESS;
      switch (c.type) {
        case AHAL_PLUGIN_COMMAND_COPY_H2D:
          st = api.stream_copy_h2d(s, c.host_src, c.dst, c.dst_offset, c.size);
          break;
        case AHAL_PLUGIN_COMMAND_COPY_D2H:
          st = api.stream_copy_d2h(s, c.src, c.src_offset, c.host_dst, c.size);
          break;
        case AHAL_PLUGIN_COMMAND_COPY_D2D:
          st = api.stream_copy_d2d(s, c.src, c.src_offset, c.dst, c.dst_offset, c.size);
          break;
        case AHAL_PLUGIN_COMMAND_FILL:
          st = api.stream_fill(s, c.dst, c.dst_offset, c.size, c.pattern, c.pattern_size);
          break;
        case AHAL_PLUGIN_COMMAND_LAUNCH:
          st = api.stream_launch(s, c.kernel, &c.launch);
          break;
        default:
          FAIL("not used here");
      }
      REQUIRE(st == AHAL_SUCCESS);
    }
  }

  ahal_plugin_command_buffer_t* create(const ahal_plugin_api_t& api, ahal_plugin_device_t* d) {
    REQUIRE(api.command_buffer_create);
    ahal_plugin_command_buffer_t* cb = nullptr;
    INFO(last_message());
    REQUIRE(api.command_buffer_create(d, commands.data(), static_cast<uint32_t>(commands.size()), 0,
                                      &cb) == AHAL_SUCCESS);
    REQUIRE(cb);
    return cb;
  }

  std::vector<ahal_plugin_command_t> commands;
  std::deque<std::vector<ahal_plugin_binding_t>> bindings;
};

// Destroys the command buffer at the end of the scope.
struct Owned {
  const ahal_plugin_api_t& api;
  ahal_plugin_command_buffer_t* cb;
  ~Owned() { api.command_buffer_destroy(cb); }
};

struct Fixture {
  Fixture() : api(plugin.api()), stream(plugin.stream()), module(plugin.module(CPU_KERNELS_FILE)) {}
  ahal_plugin_kernel_t* kernel(const char* name) { return plugin.kernel(module, name); }
  void submit(ahal_plugin_command_buffer_t* cb, ahal_plugin_stream_t* s = nullptr) {
    INFO(last_message());
    REQUIRE(api.command_buffer_submit(s ? s : stream, cb) == AHAL_SUCCESS);
  }
  Plugin plugin;
  const ahal_plugin_api_t& api;
  ahal_plugin_stream_t* stream;
  ahal_plugin_module_t* module;
};

std::vector<float> ramp(uint32_t n, float scale) {
  std::vector<float> v(n);
  for (uint32_t i = 0; i < n; ++i) v[i] = scale * float(i % 1000);
  return v;
}

}  // namespace

TEST_CASE("a submitted command buffer gives the results of the same commands streamed",
          "[command_buffer]") {
  Fixture f;
  const uint32_t n = 5000, wg = 64, groups = (n + wg - 1) / wg;
  const std::vector<float> a = ramp(n, 0.5f), b = ramp(n, 0.25f);
  struct {
    float a;
    uint32_t n;
  } sc{1.5f, n};

  // Both runs use their own buffers and host results.
  auto run = [&](bool native) {
    ahal_plugin_buffer_t* ba = f.plugin.buffer(n * 4);
    ahal_plugin_buffer_t* bb = f.plugin.buffer(n * 4);
    ahal_plugin_buffer_t* bc = f.plugin.buffer(n * 4 + 64);
    std::vector<float> out(n + 16, -7.0f);
    Recorder r;
    r.h2d(a.data(), ba, n * 4);
    r.h2d(b.data(), bb, n * 4);
    r.fill(bc, n * 4 + 64, 0x3f800000u, 4);  // 1.0f everywhere, past n too
    r.launch(f.kernel("vector_add"), groups, wg,
             {bind(ba, n * 4), bind(bb, n * 4), bind(bc, n * 4)}, &n, 4);
    r.launch(f.kernel("saxpy"), groups, wg, {bind(ba, n * 4), bind(bc, n * 4)}, &sc, sizeof(sc));
    r.d2d(bc, 0, bb, n * 4);
    r.d2h(bc, out.data(), n * 4 + 64);
    if (native) {
      Owned cb{f.api, r.create(f.api, f.plugin.device())};
      f.submit(cb.cb);
      REQUIRE(f.api.stream_synchronize(f.stream) == AHAL_SUCCESS);
    } else {
      r.enqueue(f.api, f.stream);
      REQUIRE(f.api.stream_synchronize(f.stream) == AHAL_SUCCESS);
    }
    return out;
  };
  const std::vector<float> streamed = run(false), replayed = run(true);
  CHECK(streamed[7] == 1.5f * a[7] + (a[7] + b[7]));
  CHECK(streamed[n] == 1.0f);
  CHECK(replayed == streamed);
}

TEST_CASE("updates of a recorded launch take effect at the next submission", "[command_buffer]") {
  Fixture f;
  const uint32_t n = 1000, wg = 32, groups = (n + wg - 1) / wg;
  const std::vector<float> x = ramp(n, 1.0f);
  ahal_plugin_buffer_t* bx = f.plugin.upload(f.stream, x);
  ahal_plugin_buffer_t* y1 = f.plugin.buffer(n * 4);
  ahal_plugin_buffer_t* y2 = f.plugin.buffer(n * 4);
  struct Saxpy {
    float a;
    uint32_t n;
  } sc{2.0f, n};
  Recorder r;
  r.fill(y1, n * 4, 0, 4);
  r.fill(y2, n * 4, 0, 4);
  r.launch(f.kernel("saxpy"), groups, wg, {bind(bx, n * 4), bind(y1, n * 4)}, &sc, sizeof(sc));
  Owned cb{f.api, r.create(f.api, f.plugin.device())};
  sc.a = 100.0f;  // the recorded constants were copied
  f.submit(cb.cb);
  auto got = f.plugin.download<float>(f.stream, y1, n);
  CHECK(got[3] == 6.0f);

  // New constants and a new output binding.
  const Saxpy updated{3.0f, n};
  ahal_plugin_command_t u = r.launch_command(
      f.kernel("saxpy"), groups, wg, {bind(bx, n * 4), bind(y2, n * 4)}, &updated, sizeof(updated));
  REQUIRE(f.api.command_buffer_update);
  REQUIRE(f.api.command_buffer_update(cb.cb, 2, &u) == AHAL_SUCCESS);
  f.submit(cb.cb);
  got = f.plugin.download<float>(f.stream, y2, n);
  CHECK(got[3] == 9.0f);
  CHECK(f.plugin.download<float>(f.stream, y1, n)[3] == 0.0f);  // refilled, not written

  // A refused update (binding past the buffer, a fill's index) keeps the launch as it was.
  ahal_plugin_command_t bad =
      r.launch_command(f.kernel("saxpy"), groups, wg, {bind(bx, n * 4), bind(y2, n * 4, 64)},
                       &updated, sizeof(updated));
  CHECK(f.api.command_buffer_update(cb.cb, 2, &bad) == AHAL_ERROR_OUT_OF_RANGE);
  CHECK(last_message().find("binding") != std::string::npos);
  CHECK(f.api.command_buffer_update(cb.cb, 0, &u) == AHAL_ERROR_INVALID_ARGUMENT);
  f.submit(cb.cb);
  CHECK(f.plugin.download<float>(f.stream, y2, n)[3] == 9.0f);
}

TEST_CASE("many submissions in flight run one after another", "[command_buffer]") {
  Fixture f;
  const uint32_t n = 256;
  const std::vector<float> one(n, 1.0f), zero(n, 0.0f);
  ahal_plugin_buffer_t* bone = f.plugin.upload(f.stream, one);
  ahal_plugin_buffer_t* acc = f.plugin.upload(f.stream, zero);
  Recorder r;  // acc += 1
  r.launch(f.kernel("vector_add"), 4, 64, {bind(bone, n * 4), bind(acc, n * 4), bind(acc, n * 4)},
           &n, 4);
  Owned cb{f.api, r.create(f.api, f.plugin.device())};
  ahal_plugin_stream_t* other = f.plugin.stream();
  for (int i = 0; i < 500; ++i) f.submit(cb.cb);
  REQUIRE(f.api.stream_synchronize(f.stream) == AHAL_SUCCESS);
  for (int i = 0; i < 300; ++i) f.submit(cb.cb, other);
  const auto got = f.plugin.download<float>(other, acc, n);
  CHECK(got[0] == 800.0f);
  CHECK(got[n - 1] == 800.0f);
}

TEST_CASE("a command buffer of 10,000 commands", "[command_buffer]") {
  Fixture f;
  const uint32_t n = 64;
  const std::vector<float> one(n, 1.0f);
  ahal_plugin_buffer_t* bone = f.plugin.upload(f.stream, one);
  ahal_plugin_buffer_t* acc = f.plugin.buffer(n * 4);
  Recorder r;
  r.fill(acc, n * 4, 0, 4);
  for (int i = 0; i < 9998; ++i) {
    r.launch(f.kernel("vector_add"), 1, 64, {bind(bone, n * 4), bind(acc, n * 4), bind(acc, n * 4)},
             &n, 4);
  }
  std::vector<float> out(n);
  r.d2h(acc, out.data(), n * 4);
  REQUIRE(r.commands.size() == 10000);
  Owned cb{f.api, r.create(f.api, f.plugin.device())};
  for (int i = 0; i < 3; ++i) {
    out.assign(n, -1.0f);
    f.submit(cb.cb);
    REQUIRE(f.api.stream_synchronize(f.stream) == AHAL_SUCCESS);
    CHECK(out[0] == 9998.0f);
    CHECK(out[n - 1] == 9998.0f);
  }
}

TEST_CASE("events recorded and waited inside a command buffer behave as on a stream",
          "[command_buffer][event]") {
  Fixture f;
  ahal_plugin_module_t* probes = f.plugin.module(CPU_TEST_KERNELS_FILE);
  ahal_plugin_stream_t* waiter = f.stream;
  ahal_plugin_stream_t* follower = f.plugin.stream();
  ahal_plugin_stream_t* setter = f.plugin.stream();
  ahal_plugin_event_t* e = f.plugin.event(0);
  ahal_plugin_event_t* inner = f.plugin.event(0);
  ahal_plugin_buffer_t* flag = f.plugin.buffer(8);
  REQUIRE(f.api.stream_fill(waiter, flag, 0, 8, 0, 4) == AHAL_SUCCESS);
  REQUIRE(f.api.stream_synchronize(waiter) == AHAL_SUCCESS);

  // waiter: blocks until set_flag runs, then records e (and records and
  // waits `inner` itself: a wait after a record in the list waits for it).
  Recorder first;
  first.launch(f.plugin.kernel(probes, "wait_flag"), 1, 1, {bind(flag, 8)}, nullptr, 0);
  first.event(AHAL_PLUGIN_COMMAND_RECORD_EVENT, inner);
  first.event(AHAL_PLUGIN_COMMAND_WAIT_EVENT, inner);
  first.event(AHAL_PLUGIN_COMMAND_RECORD_EVENT, e);
  Owned cb1{f.api, first.create(f.api, f.plugin.device())};
  // follower: waits for e, then reads the flag.
  uint32_t words[2] = {7, 7};
  Recorder second;
  second.event(AHAL_PLUGIN_COMMAND_WAIT_EVENT, e);
  second.d2h(flag, words, 8);
  Owned cb2{f.api, second.create(f.api, f.plugin.device())};

  f.submit(cb1.cb, waiter);
  f.submit(cb2.cb, follower);
  CHECK(f.api.event_query(e) == AHAL_NOT_READY);
  CHECK(f.api.stream_query(follower) == AHAL_NOT_READY);
  f.plugin.launch(setter, f.plugin.kernel(probes, "set_flag"), {1, 1, 1}, {1, 1, 1},
                  {bind(flag, 8)});
  REQUIRE(f.api.stream_synchronize(follower) == AHAL_SUCCESS);
  CHECK(words[1] == 1u);
  CHECK(f.api.event_query(e) == AHAL_SUCCESS);
  CHECK(f.api.event_query(inner) == AHAL_SUCCESS);
  REQUIRE(f.api.stream_synchronize(waiter) == AHAL_SUCCESS);

  // A wait for an event never recorded waits for nothing.
  ahal_plugin_event_t* never = f.plugin.event(0);
  Recorder third;
  third.event(AHAL_PLUGIN_COMMAND_WAIT_EVENT, never);
  third.fill(flag, 8, 5, 4);
  Owned cb3{f.api, third.create(f.api, f.plugin.device())};
  f.submit(cb3.cb, waiter);
  CHECK(f.plugin.download<uint32_t>(waiter, flag, 2)[0] == 5u);
}

TEST_CASE("an empty command buffer and refused commands", "[command_buffer]") {
  Fixture f;
  ahal_plugin_command_buffer_t* cb = nullptr;
  REQUIRE(f.api.command_buffer_create(f.plugin.device(), nullptr, 0, 0, &cb) == AHAL_SUCCESS);
  Owned owned{f.api, cb};
  f.submit(cb);
  REQUIRE(f.api.stream_synchronize(f.stream) == AHAL_SUCCESS);

  // A command the plugin does not know: UNSUPPORTED, so the loader replays it.
  ahal_plugin_buffer_t* b = f.plugin.buffer(64);
  Recorder r;
  r.fill(b, 64, 0, 4);
  r.add(static_cast<ahal_plugin_command_type_t>(99));
  ahal_plugin_command_buffer_t* refused = nullptr;
  CHECK(f.api.command_buffer_create(f.plugin.device(), r.commands.data(), 2, 0, &refused) ==
        AHAL_ERROR_UNSUPPORTED);
  CHECK(last_message().find("99") != std::string::npos);
}
