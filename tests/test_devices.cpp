// The same checks on every device the default runtime finds (cpu:0,
// opencl:0, vulkan:0, ... as built): buffers, copies, fills, events,
// streams, and the standard vector_add kernel from the standard bundle.
#include <cmath>
#include <fstream>
#include <iterator>

#include "test_support.hpp"

namespace {

std::string bundle_path() {
  if (const char* env = std::getenv("AHAL_KERNELS_BUNDLE"); env && *env) return env;
  return AHAL_TEST_KERNELS_BUNDLE;
}

void exercise(ahal_device_t d, const ahal_device_properties_t& p) {
  constexpr uint32_t n = 4099;  // not a multiple of any workgroup size
  ahal_stream_t s = test::make_stream(d);
  ahal_stream_t s2 = test::make_stream(d);
  ahal_buffer_t a = test::make_buffer(d, n * 4), b = test::make_buffer(d, n * 4),
                c = test::make_buffer(d, n * 4);
  std::vector<float> ha(n), hb(n), hc(n, -1.0f);
  for (uint32_t i = 0; i < n; ++i) {
    ha[i] = float(i) * 0.5f;
    hb[i] = 1000.0f - float(i);
  }
  // Copies with offsets: upload in two pieces, bounce b through c.
  REQUIRE_OK(ahal_stream_copy_h2d(s, ha.data(), a, 0, 2048 * 4));
  REQUIRE_OK(ahal_stream_copy_h2d(s, ha.data() + 2048, a, 2048 * 4, (n - 2048) * 4));
  REQUIRE_OK(ahal_stream_copy_h2d(s, hb.data(), c, 0, n * 4));
  REQUIRE_OK(ahal_stream_copy_d2d(s, c, 16, b, 16, n * 4 - 16));
  REQUIRE_OK(ahal_stream_copy_d2d(s, c, 0, b, 0, 16));
  const float minus_one = -1.0f;
  REQUIRE_OK(ahal_stream_fill(s, c, 0, n * 4, &minus_one, 4));
  std::vector<float> check(n);
  REQUIRE_OK(ahal_stream_copy_d2h(s, b, 0, check.data(), n * 4));
  REQUIRE_OK(ahal_stream_synchronize(s));
  REQUIRE(check == hb);

  // Events order two streams.
  ahal_event_t e = nullptr;
  REQUIRE_OK(ahal_event_create(d, 0, &e));
  REQUIRE_OK(ahal_stream_record_event(s, e));
  REQUIRE_OK(ahal_stream_wait_event(s2, e));
  REQUIRE_OK(ahal_stream_copy_d2h(s2, c, 0, hc.data(), n * 4));
  REQUIRE_OK(ahal_stream_synchronize(s2));
  for (float v : hc) REQUIRE(v == -1.0f);

  std::vector<uint8_t> bytes;
  {
    std::ifstream in(bundle_path(), std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  if (bytes.empty()) {
    WARN("no standard bundle at " << bundle_path() << ": vector_add skipped on " << p.selector);
  } else {
    ahal_module_args_t ma = {};
    ma.struct_size = sizeof(ma);
    ma.format = AHAL_MODULE_FORMAT_BUNDLE;
    ma.data = bytes.data();
    ma.data_size = bytes.size();
    ahal_module_t m = nullptr;
    const ahal_status_t st = ahal_module_create(d, &ma, &m);
    if (st == AHAL_ERROR_UNSUPPORTED) {
      WARN("the standard bundle has no image for " << p.selector << ": "
                                                   << ahal_last_error_message());
    } else {
      REQUIRE_OK(st);
      ahal_kernel_t k = nullptr;
      REQUIRE_OK(ahal_kernel_get(m, "vector_add", &k));
      ahal_kernel_attributes_t attr = {};
      attr.struct_size = sizeof(attr);
      REQUIRE_OK(ahal_kernel_get_attributes(k, &attr));
      CHECK(attr.has_metadata == 1);
      CHECK(attr.binding_count == 3);
      uint32_t wg = 64;
      if (attr.max_workgroup_size && attr.max_workgroup_size < wg) wg = attr.max_workgroup_size;
      ahal_binding_t bind[3] = {{a, 0, 0}, {b, 0, 0}, {c, 0, 0}};
      ahal_launch_args_t l = {};
      l.struct_size = sizeof(l);
      l.grid[0] = (n + wg - 1) / wg;
      l.grid[1] = l.grid[2] = 1;
      l.workgroup_size[0] = wg;
      l.workgroup_size[1] = l.workgroup_size[2] = 1;
      l.binding_count = 3;
      l.bindings = bind;
      l.constants = &n;
      l.constants_size = 4;
      REQUIRE_OK(ahal_stream_launch(s, k, &l));
      REQUIRE_OK(ahal_stream_copy_d2h(s, c, 0, hc.data(), n * 4));
      REQUIRE_OK(ahal_stream_synchronize(s));
      for (uint32_t i = 0; i < n; ++i) {
        INFO("i = " << i);
        REQUIRE(hc[i] == Approx(ha[i] + hb[i]).epsilon(1e-5));
      }
      // A launch missing a binding is refused before the device sees it.
      l.binding_count = 2;
      CHECK(ahal_stream_launch(s, k, &l) == AHAL_ERROR_INVALID_ARGUMENT);
      REQUIRE_OK(ahal_module_destroy(m));
    }
  }
  REQUIRE_OK(ahal_event_destroy(e));
  for (ahal_buffer_t x : {a, b, c}) REQUIRE_OK(ahal_buffer_destroy(x));
  REQUIRE_OK(ahal_stream_destroy(s));
  REQUIRE_OK(ahal_stream_destroy(s2));
}

}  // namespace

TEST_CASE("every device of the default runtime works") {
  ahal_runtime_t rt = nullptr;
  REQUIRE_OK(ahal_runtime_create(nullptr, &rt));
  uint32_t count = 0;
  REQUIRE_OK(ahal_runtime_device_count(rt, &count));
  if (count == 0) WARN("the default runtime found no devices; nothing to test");
  for (uint32_t i = 0; i < count; ++i) {
    ahal_device_t d = nullptr;
    REQUIRE_OK(ahal_runtime_device_get(rt, i, &d));
    ahal_device_properties_t p = {};
    p.struct_size = sizeof(p);
    REQUIRE_OK(ahal_device_get_properties(d, &p));
    DYNAMIC_SECTION(p.selector << " (" << p.name << ")") { exercise(d, p); }
  }
  REQUIRE_OK(ahal_runtime_destroy(rt));
}
