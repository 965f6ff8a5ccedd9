// Every standard kernel (docs/kernel-abi.md) through the CPU plugin, checked
// element by element against a host computation.
#include "plugin_fixture.hpp"

#include <cmath>
#include <numeric>

using cpu_test::bind;
using cpu_test::Plugin;

namespace {

struct StreamConstants {
  double s;
  uint32_t n;
  uint32_t pad;
};

bool close_to(double got, double want, double tolerance) {
  return std::fabs(got - want) <= tolerance * std::max(1.0, std::fabs(want));
}

class Kernels {
 public:
  Kernels() : stream(plugin.stream()), module(plugin.module(CPU_KERNELS_FILE)) {}
  ahal_plugin_kernel_t* operator[](const char* name) { return plugin.kernel(module, name); }
  Plugin plugin;
  ahal_plugin_stream_t* stream;
  ahal_plugin_module_t* module;
};

}  // namespace

TEST_CASE("empty runs", "[kernels]") {
  Kernels k;
  k.plugin.launch(k.stream, k["empty"], {1, 1, 1}, {1, 1, 1}, {});
  k.plugin.launch(k.stream, k["empty"], {1000, 3, 2}, {64, 1, 1}, {});
  CHECK(k.plugin.api().stream_synchronize(k.stream) == AHAL_SUCCESS);
}

TEST_CASE("vector_add and saxpy, n not a multiple of the workgroup", "[kernels]") {
  Kernels k;
  const uint32_t n = 100003;
  std::vector<float> a(n), b(n);
  for (uint32_t i = 0; i < n; ++i) {
    a[i] = 0.5f * float(i);
    b[i] = float(n - i) * 0.25f;
  }
  // One spare element after n must stay untouched.
  std::vector<float> c0(n + 1, -1.0f);
  auto* ba = k.plugin.upload(k.stream, a);
  auto* bb = k.plugin.upload(k.stream, b);
  auto* bc = k.plugin.upload(k.stream, c0);
  const uint32_t wg = 256, groups = (n + wg - 1) / wg;
  k.plugin.launch(k.stream, k["vector_add"], {groups, 1, 1}, {wg, 1, 1},
                  {bind(ba, n * 4), bind(bb, n * 4), bind(bc, (n + 1) * 4)}, &n, 4);
  const auto c = k.plugin.download<float>(k.stream, bc, n + 1);
  for (uint32_t i = 0; i < n; ++i) {
    if (c[i] != a[i] + b[i]) FAIL("c[" << i << "] = " << c[i]);
  }
  CHECK(c[n] == -1.0f);

  struct {
    float a;
    uint32_t n;
  } sc{1.5f, n};
  k.plugin.launch(k.stream, k["saxpy"], {groups, 1, 1}, {wg, 1, 1},
                  {bind(ba, n * 4), bind(bb, n * 4)}, &sc, sizeof(sc));
  const auto y = k.plugin.download<float>(k.stream, bb, n);
  for (uint32_t i = 0; i < n; ++i) {
    if (!close_to(y[i], 1.5f * a[i] + b[i], 1e-5)) FAIL("y[" << i << "] = " << y[i]);
  }
}

TEST_CASE("stream kernels", "[kernels]") {
  Kernels k;
  const uint32_t n = (1u << 20) + 17;
  std::vector<double> a(n), b(n), c(n);
  for (uint32_t i = 0; i < n; ++i) {
    a[i] = 1.0 + i * 1e-6;
    b[i] = 2.0 - i * 1e-6;
    c[i] = 0.0;
  }
  auto* ba = k.plugin.upload(k.stream, a);
  auto* bb = k.plugin.upload(k.stream, b);
  auto* bc = k.plugin.upload(k.stream, c);
  const uint64_t bytes = uint64_t(n) * 8;
  const StreamConstants sc{3.0, n, 0};
  const uint32_t wg = 128, groups = (n + wg - 1) / wg;
  auto run = [&](const char* name, std::vector<ahal_plugin_binding_t> bindings) {
    k.plugin.launch(k.stream, k[name], {groups, 1, 1}, {wg, 1, 1}, bindings, &sc, sizeof(sc));
  };
  run("stream_copy", {bind(ba, bytes), bind(bc, bytes)});                    // c = a
  run("stream_scale", {bind(bc, bytes), bind(bb, bytes)});                   // b = s*c
  run("stream_add", {bind(ba, bytes), bind(bb, bytes), bind(bc, bytes)});    // c = a+b
  run("stream_triad", {bind(ba, bytes), bind(bb, bytes), bind(bc, bytes)});  // a = b+s*c
  const auto ra = k.plugin.download<double>(k.stream, ba, n);
  const auto rb = k.plugin.download<double>(k.stream, bb, n);
  const auto rc = k.plugin.download<double>(k.stream, bc, n);
  for (uint32_t i = 0; i < n; ++i) {
    const double ec = a[i] + 3.0 * a[i];
    const double eb = 3.0 * a[i];
    const double ea = eb + 3.0 * ec;
    if (!close_to(rb[i], eb, 1e-12) || !close_to(rc[i], ec, 1e-12) || !close_to(ra[i], ea, 1e-12)) {
      FAIL("element " << i << ": " << ra[i] << " " << rb[i] << " " << rc[i]);
    }
  }

  // Dot with fewer workgroups than elements / wg: items loop with stride G.
  for (uint32_t dot_wg : {64u, 256u}) {
    const uint32_t dot_groups = 100;
    auto* partial = k.plugin.buffer(dot_groups * 8);
    k.plugin.launch(k.stream, k["stream_dot"], {dot_groups, 1, 1}, {dot_wg, 1, 1},
                    {bind(ba, bytes), bind(bb, bytes), bind(partial, dot_groups * 8)}, &sc,
                    sizeof(sc));
    const auto parts = k.plugin.download<double>(k.stream, partial, dot_groups);
    double want = 0;
    for (uint32_t i = 0; i < n; ++i) want += ra[i] * rb[i];
    const double got = std::accumulate(parts.begin(), parts.end(), 0.0);
    INFO("wg " << dot_wg);
    CHECK(close_to(got, want, 1e-12));
  }
}

TEST_CASE("write_index covers 1D, 2D and 3D grids", "[kernels]") {
  Kernels k;
  struct Shape {
    std::array<uint32_t, 3> grid, wg;
  };
  for (const Shape& shape :
       {Shape{{5, 1, 1}, {64, 1, 1}}, Shape{{3, 4, 1}, {8, 2, 1}}, Shape{{3, 2, 2}, {4, 3, 2}}}) {
    const uint32_t total =
        shape.grid[0] * shape.wg[0] * shape.grid[1] * shape.wg[1] * shape.grid[2] * shape.wg[2];
    auto* out = k.plugin.buffer(total * 4);
    const uint32_t base = 1000;
    k.plugin.launch(k.stream, k["write_index"], shape.grid, shape.wg, {bind(out, total * 4)}, &base,
                    4);
    const auto got = k.plugin.download<uint32_t>(k.stream, out, total);
    for (uint32_t i = 0; i < total; ++i) {
      if (got[i] != i + base) FAIL("out[" << i << "] = " << got[i]);
    }
  }
}

TEST_CASE("atomic_count counts every work-item, sums wrap mod 2^32", "[kernels]") {
  Kernels k;
  auto* counter = k.plugin.buffer(8);
  const std::vector<uint32_t> zero = {0, 0};
  REQUIRE(k.plugin.api().stream_copy_h2d(k.stream, zero.data(), counter, 0, 8) == AHAL_SUCCESS);
  // 100000 * 256 items: the sum of linear ids overflows 32 bits.
  k.plugin.launch(k.stream, k["atomic_count"], {100000, 1, 1}, {256, 1, 1}, {bind(counter, 8)});
  k.plugin.launch(k.stream, k["atomic_count"], {3, 2, 2}, {4, 2, 2}, {bind(counter, 8)});
  const auto got = k.plugin.download<uint32_t>(k.stream, counter, 2);
  uint32_t count = 0, sum = 0;
  for (uint64_t i = 0; i < 100000ull * 256; ++i) ++count, sum += uint32_t(i);
  for (uint32_t i = 0; i < 12 * 16; ++i) ++count, sum += i;
  CHECK(got[0] == count);
  CHECK(got[1] == sum);
}

TEST_CASE("reverse_shared and reverse_dynamic reverse each workgroup's tile", "[kernels]") {
  Kernels k;
  for (const char* name : {"reverse_shared", "reverse_dynamic"}) {
    for (uint32_t w : {1u, 37u, 256u}) {
      const uint32_t groups = 513, n = groups * w;
      std::vector<uint32_t> in(n);
      std::iota(in.begin(), in.end(), 11u);
      auto* bin = k.plugin.upload(k.stream, in);
      auto* bout = k.plugin.buffer(n * 4);
      const bool dynamic = std::string(name) == "reverse_dynamic";
      k.plugin.launch(k.stream, k[name], {groups, 1, 1}, {w, 1, 1},
                      {bind(bin, n * 4), bind(bout, n * 4)}, nullptr, 0, dynamic ? w * 4 : 0);
      const auto out = k.plugin.download<uint32_t>(k.stream, bout, n);
      INFO(name << " w=" << w);
      for (uint32_t g = 0; g < groups; ++g) {
        for (uint32_t l = 0; l < w; ++l) {
          if (out[g * w + l] != in[g * w + w - 1 - l]) FAIL("out[" << g * w + l << "]");
        }
      }
    }
  }
}

TEST_CASE("fma_f32 and fma_f64 follow their chains", "[kernels]") {
  Kernels k;
  const uint32_t groups = 9, w = 100, n = groups * w;
  struct {
    uint32_t iters;
    float a, b;
    uint32_t pad;
  } c32{50, 0.999f, 0.001f, 0};
  struct {
    double a, b;
    uint32_t iters, pad;
  } c64{0.999, 0.001, 50, 0};
  auto* o32 = k.plugin.buffer(n * 4);
  auto* o64 = k.plugin.buffer(n * 8);
  k.plugin.launch(k.stream, k["fma_f32"], {groups, 1, 1}, {w, 1, 1}, {bind(o32, n * 4)}, &c32,
                  sizeof(c32));
  k.plugin.launch(k.stream, k["fma_f64"], {groups, 1, 1}, {w, 1, 1}, {bind(o64, n * 8)}, &c64,
                  sizeof(c64));
  const auto r32 = k.plugin.download<float>(k.stream, o32, n);
  const auto r64 = k.plugin.download<double>(k.stream, o64, n);
  for (uint32_t lin = 0; lin < n; ++lin) {
    float s32 = 0;
    double s64 = 0;
    for (int j = 0; j < 8; ++j) {
      float x = float(lin % 1024) * 1e-3f + float(j);
      double y = double(lin % 1024) * 1e-3 + double(j);
      for (uint32_t i = 0; i < 50; ++i) {
        x = x * c32.a + c32.b;
        y = y * c64.a + c64.b;
      }
      s32 += x;
      s64 += y;
    }
    if (!close_to(r32[lin], s32, 1e-5))
      FAIL("fma_f32[" << lin << "] = " << r32[lin] << " want " << s32);
    if (!close_to(r64[lin], s64, 1e-12))
      FAIL("fma_f64[" << lin << "] = " << r64[lin] << " want " << s64);
  }
}
