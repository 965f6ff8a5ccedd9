// Several devices in one process: ahal_device_peer_flags,
// ahal_stream_copy_peer (native on hostmem_next, staged between plugins,
// within the 1.0 plugin hostmem10 and where HOSTMEM_PEER=0), and waits on
// another device's events. The same copies between the real devices of
// the default runtime (cpu:0, opencl:0, vulkan:0 as built) run in the last
// test case, where streams really run asynchronously.
#include <cstdlib>
#include <numeric>
#include <string>
#include <vector>

#include "test_support.hpp"

namespace {

std::vector<uint8_t> pattern(size_t n, uint8_t seed) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = uint8_t(i * 7 + seed + i / 251);
  return v;
}

// Copies `n` bytes from a (at offset 3) to b (at offset 5), with the
// stream on `on`, and checks b. Several chunks with AHAL_STAGING_CHUNK_BYTES.
void copy_and_check(ahal_device_t a, ahal_device_t b, ahal_device_t on, size_t n) {
  const std::vector<uint8_t> data = pattern(n, 11);
  ahal_buffer_t src = test::make_buffer(a, n + 8), dst = test::make_buffer(b, n + 8);
  ahal_stream_t sa = test::make_stream(a), sb = test::make_stream(b);
  ahal_stream_t s = on == a ? sa : sb;
  ahal_event_t uploaded = nullptr, copied = nullptr;
  REQUIRE_OK(ahal_event_create(a, 0, &uploaded));
  REQUIRE_OK(ahal_event_create(on, 0, &copied));
  REQUIRE_OK(ahal_stream_copy_h2d(sa, data.data(), src, 3, n));
  REQUIRE_OK(ahal_stream_record_event(sa, uploaded));
  // The copy's stream waits for the upload (on a's stream: maybe another device).
  REQUIRE_OK(ahal_stream_wait_event(s, uploaded));
  REQUIRE_OK(ahal_stream_copy_peer(s, src, 3, dst, 5, n));
  REQUIRE_OK(ahal_stream_record_event(s, copied));
  // b's stream waits for the copy, then reads dst back.
  REQUIRE_OK(ahal_stream_wait_event(sb, copied));
  std::vector<uint8_t> back(n, 0);
  REQUIRE_OK(ahal_stream_copy_d2h(sb, dst, 5, back.data(), n));
  REQUIRE_OK(ahal_stream_synchronize(sb));
  REQUIRE_OK(ahal_stream_synchronize(sa));
  CHECK(back == data);
  REQUIRE_OK(ahal_event_destroy(uploaded));
  REQUIRE_OK(ahal_event_destroy(copied));
  REQUIRE_OK(ahal_stream_destroy(sa));
  REQUIRE_OK(ahal_stream_destroy(sb));
  REQUIRE_OK(ahal_buffer_destroy(src));
  REQUIRE_OK(ahal_buffer_destroy(dst));
}

uint32_t flags_of(ahal_device_t a, ahal_device_t b) {
  uint32_t f = 0xdead;
  REQUIRE_OK(ahal_device_peer_flags(a, b, &f));
  return f;
}

}  // namespace

TEST_CASE("peer flags: native within hostmem_next, staged across plugins and in 1.0 plugins") {
  test::Runtime rt(test::plugin_dir("good"));
  ahal_device_t n0 = rt.device("hostmem_next:0"), n1 = rt.device("hostmem_next:1");
  ahal_device_t o0 = rt.device("hostmem10:0"), o1 = rt.device("hostmem10:1");
  CHECK(flags_of(n0, n1) == (AHAL_PEER_COPY_NATIVE | AHAL_PEER_WAIT_NATIVE));
  CHECK(flags_of(n0, n0) == (AHAL_PEER_COPY_NATIVE | AHAL_PEER_WAIT_NATIVE));
  CHECK(flags_of(n0, o0) == 0);
  CHECK(flags_of(o0, o1) == 0);  // ABI 1.0: no device_peer_flags entry
  uint32_t f = 0;
  CHECK_FAILS(ahal_device_peer_flags(n0, n1, nullptr), AHAL_ERROR_INVALID_ARGUMENT,
              "ahal_device_peer_flags", "out_flags is NULL");
  test::Runtime other(test::plugin_dir("good"));
  CHECK_FAILS(ahal_device_peer_flags(n0, other.device("hostmem_next:1"), &f),
              AHAL_ERROR_INVALID_ARGUMENT, "ahal_device_peer_flags", "another runtime");
}

TEST_CASE("peer copies and cross-device waits on hostmem, native and staged") {
  const size_t n = GENERATE(size_t(1), size_t(4096), size_t(300000));
  test::Runtime rt(test::plugin_dir("good"));
  ahal_device_t n0 = rt.device("hostmem_next:0"), n1 = rt.device("hostmem_next:1");
  ahal_device_t o0 = rt.device("hostmem10:0"), o1 = rt.device("hostmem10:1");
  SECTION("native, within hostmem_next") {
    copy_and_check(n0, n1, n0, n);
    copy_and_check(n1, n0, n0, n);
  }
  SECTION("staged, between two plugins, either stream") {
    copy_and_check(n0, o0, n0, n);
    copy_and_check(n0, o0, o0, n);
    copy_and_check(o1, n1, n1, n);
  }
  SECTION("staged, within a 1.0 plugin") { copy_and_check(o0, o1, o1, n); }
}

TEST_CASE("a plugin of ABI 1.3 (frozen header) loads: copies staged, collectives through MPI") {
  test::Runtime rt(test::plugin_dir("abi13"), "hostmem13");
  ahal_device_t a = rt.device("hostmem13:0"), b = rt.device("hostmem13:1");
  CHECK(flags_of(a, b) == 0);  // no device_peer_flags entry
  copy_and_check(a, b, a, 300000);
  copy_and_check(b, a, a, 4099);
  // No ccl_query entry: the id names an MPI communicator, one rank is a copy.
  ahal_ccl_unique_id_t id;
  REQUIRE_OK(ahal_ccl_get_unique_id(a, &id));
  ahal_ccl_comm_t c = nullptr;
  REQUIRE_OK(ahal_ccl_comm_init_rank(a, 1, &id, 0, &c));
  ahal_ccl_comm_info_t info = {};
  info.struct_size = sizeof(info);
  REQUIRE_OK(ahal_ccl_comm_info(c, &info));
  CHECK(info.engine == AHAL_CCL_ENGINE_SELF);
  REQUIRE_OK(ahal_ccl_comm_destroy(c));
}

TEST_CASE("peer copies are checked like every copy") {
  test::Runtime rt(test::plugin_dir("good"));
  ahal_device_t a = rt.device("hostmem_next:0"), b = rt.device("hostmem_next:1");
  ahal_device_t c = rt.device("hostmem10:0");
  ahal_buffer_t src = test::make_buffer(a, 64), dst = test::make_buffer(b, 64);
  ahal_stream_t sc = test::make_stream(c), sa = test::make_stream(a);
  const char* fn = "ahal_stream_copy_peer";
  CHECK_FAILS(ahal_stream_copy_peer(sc, src, 0, dst, 0, 8), AHAL_ERROR_INVALID_ARGUMENT, fn,
              "must be of the device of src or of dst");
  CHECK_FAILS(ahal_stream_copy_peer(sa, src, 60, dst, 0, 8), AHAL_ERROR_OUT_OF_RANGE, fn,
              "src_offset 60 + size 8 exceeds buffer size 64");
  CHECK_FAILS(ahal_stream_copy_peer(sa, src, 0, dst, 57, 8), AHAL_ERROR_OUT_OF_RANGE, fn,
              "dst_offset 57 + size 8 exceeds buffer size 64");
  CHECK_FAILS(ahal_stream_copy_peer(sa, src, 0, src, 4, 8), AHAL_ERROR_INVALID_ARGUMENT, fn,
              "overlap");
  REQUIRE_OK(ahal_stream_copy_peer(sa, src, 0, dst, 0, 0));  // size 0: nothing to do
  test::Runtime other(test::plugin_dir("good"));
  ahal_buffer_t foreign = test::make_buffer(other.device("hostmem_next:1"), 64);
  CHECK_FAILS(ahal_stream_copy_peer(sa, src, 0, foreign, 0, 8), AHAL_ERROR_INVALID_ARGUMENT, fn,
              "another runtime");
  // A stream records only its own device's events.
  ahal_event_t eb = nullptr;
  REQUIRE_OK(ahal_event_create(b, 0, &eb));
  CHECK_FAILS(ahal_stream_record_event(sa, eb), AHAL_ERROR_INVALID_ARGUMENT,
              "ahal_stream_record_event", "belongs to device hostmem_next:1");
  // Waiting for a never-recorded event of another device waits for nothing.
  REQUIRE_OK(ahal_stream_wait_event(sc, eb));
  REQUIRE_OK(ahal_stream_synchronize(sc));
}

TEST_CASE("an event a staged wait still waits for cannot be destroyed") {
  // hostmem runs a stream's commands when it is synchronized
  // (HOSTMEM_DEFERRED=1), so the staged wait stays pending here.
  setenv("HOSTMEM_DEFERRED", "1", 1);
  test::Runtime rt(test::plugin_dir("good"));
  unsetenv("HOSTMEM_DEFERRED");
  ahal_device_t a = rt.device("hostmem_next:0"), o = rt.device("hostmem10:0");
  ahal_stream_t sa = test::make_stream(a), so = test::make_stream(o);
  ahal_event_t e = nullptr;
  REQUIRE_OK(ahal_event_create(a, 0, &e));
  REQUIRE_OK(ahal_stream_record_event(sa, e));
  REQUIRE_OK(ahal_stream_wait_event(so, e));  // across plugins: staged
  CHECK_FAILS(ahal_event_destroy(e), AHAL_ERROR_INVALID_STATE, "ahal_event_destroy", "staged wait");
  REQUIRE_OK(ahal_stream_synchronize(so));  // the wait ran, and with it sa's record
  REQUIRE_OK(ahal_event_destroy(e));
}

TEST_CASE("peer copies and waits between the default runtime's devices", "[.devices]") {
  // AHAL_TEST_PEER_DEVICES (tests/CMakeLists.txt) names the real devices
  // this build has: cpu:0 and cpu:1 (AHAL_CPU_DEVICES=2), opencl:0 (PoCL),
  // vulkan:0 (lavapipe). Each must be there; every ordered pair copies.
  const char* list = std::getenv("AHAL_TEST_PEER_DEVICES");
  REQUIRE(list != nullptr);
  std::vector<std::string> names;
  for (std::string rest = list; !rest.empty();) {
    const size_t comma = rest.find(',');
    names.push_back(rest.substr(0, comma));
    rest = comma == std::string::npos ? "" : rest.substr(comma + 1);
  }
  REQUIRE(names.size() >= 2);
  ahal_runtime_t rt = nullptr;
  REQUIRE_OK(ahal_runtime_create(nullptr, &rt));
  std::vector<ahal_device_t> devices;
  for (const std::string& name : names) {
    ahal_device_t d = nullptr;
    INFO("device " << name);
    REQUIRE_OK(ahal_device_find(rt, name.c_str(), &d));
    devices.push_back(d);
  }
  // Two cpu devices copy natively, everything else is staged.
  if (names[0] == "cpu:0" && names[1] == "cpu:1") {
    CHECK(flags_of(devices[0], devices[1]) == (AHAL_PEER_COPY_NATIVE | AHAL_PEER_WAIT_NATIVE));
    for (size_t i = 2; i < devices.size(); ++i) CHECK(flags_of(devices[0], devices[i]) == 0);
  }
  for (size_t i = 0; i < devices.size(); ++i)
    for (size_t j = 0; j < devices.size(); ++j) {
      if (i == j) continue;
      INFO(names[i] << " -> " << names[j]);
      copy_and_check(devices[i], devices[j], devices[i], 300000);
      copy_and_check(devices[i], devices[j], devices[j], 4099);
    }
  REQUIRE_OK(ahal_runtime_destroy(rt));
}
