// Collectives in one process: through hostmem_next's collectives table (a
// TEST DOUBLE of a vendor library, tests/plugins/hostmem_peer_ccl.inc;
// ranks are its two devices), a table of an older version, a plugin
// without one, one-rank communicators, and the loader's argument checks.
// The MPI engine runs under mpirun in the tests of tools/ccl_perf and the
// conformance category "collectives".
#include <cstdlib>
#include <cstring>

#include "test_support.hpp"

namespace {

struct Pair {
  ahal_device_t dev[2] = {};
  ahal_ccl_comm_t comm[2] = {};
  ahal_stream_t stream[2] = {};
};

// Two ranks on hostmem_next:0 and :1, made in one group.
Pair make_pair(const test::Runtime& rt) {
  Pair p;
  p.dev[0] = rt.device("hostmem_next:0");
  p.dev[1] = rt.device("hostmem_next:1");
  ahal_ccl_unique_id_t id;
  REQUIRE_OK(ahal_ccl_get_unique_id(p.dev[0], &id));
  REQUIRE_OK(ahal_ccl_group_start());
  for (uint32_t r = 0; r < 2; ++r)
    REQUIRE_OK(ahal_ccl_comm_init_rank(p.dev[r], 2, &id, r, &p.comm[r]));
  REQUIRE_OK(ahal_ccl_group_end());
  for (uint32_t r = 0; r < 2; ++r) p.stream[r] = test::make_stream(p.dev[r]);
  return p;
}

template <class T>
ahal_buffer_t upload(ahal_device_t d, ahal_stream_t s, const std::vector<T>& v) {
  ahal_buffer_t b = test::make_buffer(d, v.size() * sizeof(T));
  REQUIRE_OK(ahal_stream_copy_h2d(s, v.data(), b, 0, v.size() * sizeof(T)));
  return b;
}

template <class T>
std::vector<T> download(ahal_stream_t s, ahal_buffer_t b, size_t n) {
  std::vector<T> v(n);
  REQUIRE_OK(ahal_stream_copy_d2h(s, b, 0, v.data(), n * sizeof(T)));
  REQUIRE_OK(ahal_stream_synchronize(s));
  return v;
}

}  // namespace

TEST_CASE("a plugin's collectives library: two ranks on two devices of one process") {
  test::Runtime rt(test::plugin_dir("good"), "hostmem_next");
  Pair p = make_pair(rt);
  ahal_ccl_comm_info_t info = {};
  info.struct_size = sizeof(info);
  REQUIRE_OK(ahal_ccl_comm_info(p.comm[1], &info));
  CHECK(info.rank == 1);
  CHECK(info.nranks == 2);
  CHECK(info.engine == AHAL_CCL_ENGINE_NATIVE);
  CHECK(std::string(info.library) == "hostmem-ccl 1 (test double)");
  const size_t n = 1000;
  std::vector<float> in[2];
  ahal_buffer_t send[2], recv[2];
  for (int r = 0; r < 2; ++r) {
    in[r].resize(2 * n);
    for (size_t i = 0; i < 2 * n; ++i) in[r][i] = float((r + 1) * (i % 9));
    send[r] = upload(p.dev[r], p.stream[r], in[r]);
    recv[r] = test::make_buffer(p.dev[r], 4 * n * sizeof(float));
  }
  auto both = [&](auto op) {
    REQUIRE_OK(ahal_ccl_group_start());
    for (uint32_t r = 0; r < 2; ++r) REQUIRE_OK(op(r));
    REQUIRE_OK(ahal_ccl_group_end());
    for (int r = 0; r < 2; ++r) REQUIRE_OK(ahal_stream_synchronize(p.stream[r]));
  };
  SECTION("allreduce, max") {
    both([&](uint32_t r) {
      return ahal_ccl_allreduce(p.comm[r], send[r], 0, recv[r], 0, n, AHAL_CCL_FLOAT32,
                                AHAL_CCL_MAX, p.stream[r]);
    });
    for (int r = 0; r < 2; ++r)
      CHECK(download<float>(p.stream[r], recv[r], n) ==
            std::vector<float>(in[1].begin(), in[1].begin() + n));
  }
  SECTION("allgather at an offset") {
    both([&](uint32_t r) {
      return ahal_ccl_allgather(p.comm[r], send[r], 4, recv[r], 0, n, AHAL_CCL_FLOAT32,
                                p.stream[r]);
    });
    std::vector<float> want(in[0].begin() + 1, in[0].begin() + 1 + n);
    want.insert(want.end(), in[1].begin() + 1, in[1].begin() + 1 + n);
    CHECK(download<float>(p.stream[0], recv[0], 2 * n) == want);
  }
  SECTION("reduce_scatter, sum") {
    both([&](uint32_t r) {
      return ahal_ccl_reduce_scatter(p.comm[r], send[r], 0, recv[r], 0, n, AHAL_CCL_FLOAT32,
                                     AHAL_CCL_SUM, p.stream[r]);
    });
    const std::vector<float> got = download<float>(p.stream[1], recv[1], n);
    for (size_t i = 0; i < n; ++i) CHECK(got[i] == 3.0f * float((n + i) % 9));
  }
  SECTION("broadcast from rank 1; reduce to rank 0") {
    both([&](uint32_t r) {
      return ahal_ccl_broadcast(p.comm[r], r == 1 ? send[r] : nullptr, 0, recv[r], 0, n,
                                AHAL_CCL_FLOAT32, 1, p.stream[r]);
    });
    CHECK(download<float>(p.stream[0], recv[0], n) ==
          std::vector<float>(in[1].begin(), in[1].begin() + n));
    both([&](uint32_t r) {
      return ahal_ccl_reduce(p.comm[r], send[r], 0, r == 0 ? recv[r] : nullptr, 0, n,
                             AHAL_CCL_FLOAT32, AHAL_CCL_SUM, 0, p.stream[r]);
    });
    const std::vector<float> got = download<float>(p.stream[0], recv[0], n);
    for (size_t i = 0; i < n; ++i) CHECK(got[i] == 3.0f * float(i % 9));
  }
  SECTION("send and receive in one group") {
    both([&](uint32_t r) {
      ahal_status_t st =
          ahal_ccl_send(p.comm[r], send[r], 0, n, AHAL_CCL_FLOAT32, 1 - r, p.stream[r]);
      if (st != AHAL_SUCCESS) return st;
      return ahal_ccl_recv(p.comm[r], recv[r], 0, n, AHAL_CCL_FLOAT32, 1 - r, p.stream[r]);
    });
    CHECK(download<float>(p.stream[1], recv[1], n) ==
          std::vector<float>(in[0].begin(), in[0].begin() + n));
  }
  for (uint32_t r = 0; r < 2; ++r) {
    REQUIRE_OK(ahal_ccl_comm_get_async_error(p.comm[r]));
    REQUIRE_OK(ahal_ccl_comm_destroy(p.comm[r]));
  }
}

TEST_CASE("an older collectives table: the operations it lacks are UNSUPPORTED") {
  setenv("HOSTMEM_CCL", "short", 1);
  test::Runtime rt(test::plugin_dir("good"), "hostmem_next");
  Pair p = make_pair(rt);
  unsetenv("HOSTMEM_CCL");
  ahal_buffer_t b = test::make_buffer(p.dev[0], 64);
  CHECK_FAILS(ahal_ccl_send(p.comm[0], b, 0, 4, AHAL_CCL_INT32, 1, p.stream[0]),
              AHAL_ERROR_UNSUPPORTED, "ahal_ccl_send", "has no send");
  REQUIRE_OK(
      ahal_ccl_allreduce(p.comm[0], b, 0, b, 0, 4, AHAL_CCL_INT32, AHAL_CCL_SUM, p.stream[0]));
}

TEST_CASE("without a library, one rank is a device copy; more ranks need MPI") {
  // hostmem10 (plugin ABI 1.0) has no collectives table.
  test::Runtime rt(test::plugin_dir("good"), "hostmem10");
  ahal_device_t d = rt.device("hostmem10:0");
  ahal_ccl_unique_id_t id;
  REQUIRE_OK(ahal_ccl_get_unique_id(d, &id));
  ahal_ccl_comm_t c = nullptr;
  REQUIRE_OK(ahal_ccl_comm_init_rank(d, 1, &id, 0, &c));
  ahal_ccl_comm_info_t info = {};
  info.struct_size = sizeof(info);
  REQUIRE_OK(ahal_ccl_comm_info(c, &info));
  CHECK(info.engine == AHAL_CCL_ENGINE_SELF);
  ahal_stream_t s = test::make_stream(d);
  ahal_buffer_t b = test::make_buffer(d, 64);
  REQUIRE_OK(ahal_ccl_allreduce(c, b, 0, b, 0, 16, AHAL_CCL_FLOAT32, AHAL_CCL_SUM, s));  // in place
  CHECK_FAILS(ahal_ccl_send(c, b, 0, 4, AHAL_CCL_INT32, 0, s), AHAL_ERROR_UNSUPPORTED,
              "ahal_ccl_send", "no peer");
  REQUIRE_OK(ahal_ccl_comm_destroy(c));
}

TEST_CASE("collectives refuse bad arguments with a message") {
  test::Runtime rt(test::plugin_dir("good"), "hostmem_next");
  Pair p = make_pair(rt);
  ahal_ccl_comm_t c = p.comm[0];
  ahal_stream_t s = p.stream[0];
  ahal_buffer_t b = test::make_buffer(p.dev[0], 64), other = test::make_buffer(p.dev[1], 64);
  const char* fn = "ahal_ccl_allreduce";
  CHECK_FAILS(ahal_ccl_allreduce(c, b, 0, b, 0, 4, ahal_ccl_datatype_t(42), AHAL_CCL_SUM, s),
              AHAL_ERROR_INVALID_ARGUMENT, fn, "datatype 42");
  CHECK_FAILS(ahal_ccl_allreduce(c, b, 0, b, 0, 4, AHAL_CCL_FLOAT32, ahal_ccl_op_t(7), s),
              AHAL_ERROR_INVALID_ARGUMENT, fn, "op 7");
  CHECK_FAILS(ahal_ccl_allreduce(c, b, 0, b, 0, 17, AHAL_CCL_FLOAT32, AHAL_CCL_SUM, s),
              AHAL_ERROR_OUT_OF_RANGE, fn, "send_offset 0 + size 68 exceeds buffer size 64");
  CHECK_FAILS(ahal_ccl_allreduce(c, b, 0, other, 0, 4, AHAL_CCL_FLOAT32, AHAL_CCL_SUM, s),
              AHAL_ERROR_INVALID_ARGUMENT, fn, "recv belongs to device hostmem_next:1");
  CHECK_FAILS(ahal_ccl_allreduce(c, b, 0, b, 0, 4, AHAL_CCL_FLOAT32, AHAL_CCL_SUM, p.stream[1]),
              AHAL_ERROR_INVALID_ARGUMENT, fn, "stream belongs to device hostmem_next:1");
  CHECK_FAILS(ahal_ccl_allgather(c, b, 0, b, 0, 9, AHAL_CCL_FLOAT32, s), AHAL_ERROR_OUT_OF_RANGE,
              "ahal_ccl_allgather", "recv_offset 0 + size 72");
  CHECK_FAILS(ahal_ccl_broadcast(c, b, 0, b, 0, 4, AHAL_CCL_UINT8, 2, s), AHAL_ERROR_OUT_OF_RANGE,
              "ahal_ccl_broadcast", "root 2 is not below the communicator's 2 ranks");
  CHECK_FAILS(ahal_ccl_send(c, b, 0, 4, AHAL_CCL_UINT8, 5, s), AHAL_ERROR_OUT_OF_RANGE,
              "ahal_ccl_send", "peer 5");
  CHECK_FAILS(ahal_ccl_group_end(), AHAL_ERROR_INVALID_STATE, "ahal_ccl_group_end",
              "no group is open");
  ahal_ccl_unique_id_t id;
  std::memset(&id, 0x5a, sizeof(id));
  ahal_ccl_comm_t out = nullptr;
  CHECK_FAILS(ahal_ccl_comm_init_rank(p.dev[0], 2, &id, 0, &out), AHAL_ERROR_INVALID_ARGUMENT,
              "ahal_ccl_comm_init_rank", "not made by ahal_ccl_get_unique_id");
  REQUIRE_OK(ahal_ccl_get_unique_id(p.dev[0], &id));
  CHECK_FAILS(ahal_ccl_comm_init_rank(p.dev[0], 2, &id, 2, &out), AHAL_ERROR_OUT_OF_RANGE,
              "ahal_ccl_comm_init_rank", "rank 2 is not below nranks 2");
  CHECK_FAILS(ahal_ccl_comm_init_rank(p.dev[0], 0, &id, 0, &out), AHAL_ERROR_INVALID_ARGUMENT,
              "ahal_ccl_comm_init_rank", "nranks is 0");
  CHECK_FAILS(ahal_ccl_get_unique_id(p.dev[0], nullptr), AHAL_ERROR_INVALID_ARGUMENT,
              "ahal_ccl_get_unique_id", "out_id is NULL");
  // An id of hostmem_next's library does not fit another plugin's device.
  test::Runtime old(test::plugin_dir("good"), "hostmem10");
  CHECK_FAILS(ahal_ccl_comm_init_rank(old.device("hostmem10:0"), 2, &id, 0, &out),
              AHAL_ERROR_INVALID_ARGUMENT, "ahal_ccl_comm_init_rank", "plugin hostmem_next");
  // count 0 is nothing to do, on every rank.
  REQUIRE_OK(ahal_ccl_allreduce(c, b, 0, b, 0, 0, AHAL_CCL_FLOAT32, AHAL_CCL_SUM, s));
}

TEST_CASE("the MPI engine's absence is a clear error", "[.no_engine]") {
  // Hidden: run by ctest as test_collectives.no_engine, with
  // AHAL_CCL_MPI_LIBRARY pointing nowhere.
  const char* lib = std::getenv("AHAL_CCL_MPI_LIBRARY");
  REQUIRE(lib != nullptr);
  REQUIRE(std::string(lib) == "/nonexistent/libahal_ccl_mpi.so");
  test::Runtime rt(test::plugin_dir("good"), "hostmem10");
  ahal_device_t d = rt.device("hostmem10:0");
  ahal_ccl_unique_id_t id;
  REQUIRE_OK(ahal_ccl_get_unique_id(d, &id));
  ahal_ccl_comm_t c = nullptr;
  CHECK_FAILS(ahal_ccl_comm_init_rank(d, 2, &id, 0, &c), AHAL_ERROR_NOT_FOUND,
              "ahal_ccl_comm_init_rank", "need the MPI engine libahal_ccl_mpi.so");
}
