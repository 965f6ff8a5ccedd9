// kernels: modules (bundle, raw image, bad input), kernel attributes, and
// the standard kernels of docs/kernel-abi.md: bindings with offsets,
// constants, 1D/2D/3D and large grids, atomics, barriers, shared memory.
#include "harness.hpp"

#include "bundle_format.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iterator>

namespace {

using namespace conform;

const uint64_t kNeeds = AHAL_FEATURE_GENERAL_KERNELS;

struct KernelMeta {
  const char* name;
  uint32_t bindings, constants, flags;
};

// kernels/kernels.manifest, as docs/kernel-abi.md fixes it.
const KernelMeta kStandard[] = {
    {"empty", 0, 0, 0},          {"vector_add", 3, 4, 0},
    {"saxpy", 2, 8, 0},          {"stream_copy", 2, 16, 0},
    {"stream_scale", 2, 16, 0},  {"stream_add", 3, 16, 0},
    {"stream_triad", 3, 16, 0},  {"stream_dot", 3, 16, 0},
    {"write_index", 1, 4, 0},    {"atomic_count", 1, 0, 0},
    {"reverse_shared", 2, 0, 0}, {"reverse_dynamic", 2, 0, AHAL_KERNEL_USES_DYNAMIC_SHARED},
    {"fma_f32", 1, 16, 0},       {"fma_f64", 1, 24, 0},
};

struct StreamConstants {
  double s;
  uint32_t n, pad;
};
struct FmaF32Constants {
  uint32_t iters;
  float a, b;
  uint32_t pad;
};
struct FmaF64Constants {
  double a, b;
  uint32_t iters, pad;
};
struct SaxpyConstants {
  float a;
  uint32_t n;
};

std::vector<uint8_t> read_whole(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) skip("cannot read the standard bundle %s", path.c_str());
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(f), {});
}

// Runs vector_add over n elements from `module` and checks c = a + b.
void check_vector_add(Context& ctx, ahal_kernel_t k, uint32_t n, const char* what) {
  Rng rng(ctx.seed());
  std::vector<float> a = rng.floats(n, -10, 10), b = rng.floats(n, -10, 10);
  Buffer ba = ctx.buffer(n * 4), bb = ctx.buffer(n * 4), bc = ctx.buffer(n * 4);
  ctx.write(ba, a);
  ctx.write(bb, b);
  Stream s = ctx.stream();
  CHECK_OK(launch(s, k, {(n + 63) / 64}, {64}, {bind(ba), bind(bb), bind(bc)}, n));
  CHECK_OK(ahal_stream_synchronize(s));
  std::vector<float> c = ctx.read_as<float>(bc, n);
  for (uint32_t i = 0; i < n; ++i) expect_near(c[i], a[i] + b[i], 1e-6, what, i);
}

ahal_status_t create_module(Context& ctx, ahal_module_format_t format, const void* data,
                            uint64_t size, Module* out, uint32_t info_count = 0,
                            const ahal_kernel_info_t* infos = nullptr) {
  ahal_module_args_t args{};
  args.struct_size = sizeof(args);
  args.format = format;
  args.data = data;
  args.data_size = size;
  args.kernel_info_count = info_count;
  args.kernel_infos = infos;
  return ahal_module_create(ctx.device(), &args, out->out());
}

// ------------------------------------------------------------ modules

CONFORM_TEST(module_bundle_file, "kernels.module_bundle_file", core, kNeeds) {
  ahal_module_t m = ctx.kernels_module();
  ahal_module_format_t format = AHAL_MODULE_FORMAT_UNKNOWN;
  CHECK_OK(ahal_module_format(m, &format));
  REQUIRE(format != AHAL_MODULE_FORMAT_BUNDLE && format != AHAL_MODULE_FORMAT_UNKNOWN,
          "ahal_module_format gave %s, not the image's format", ahal_module_format_name(format));
  REQUIRE(ctx.props().module_formats & (1ull << format),
          "the bundle gave a %s image, a format the device does not list",
          ahal_module_format_name(format));
  check_vector_add(ctx, ctx.kernel("vector_add"), 1000, "vector_add from the bundle file");
}

CONFORM_TEST(module_bundle_memory, "kernels.module_bundle_memory", core, kNeeds) {
  ctx.kernels_module();  // skips when the bundle has nothing for the device
  std::vector<uint8_t> bytes = read_whole(ctx.bundle_path());
  Module m;
  CHECK_OK(create_module(ctx, AHAL_MODULE_FORMAT_BUNDLE, bytes.data(), bytes.size(), &m));
  // The bytes may go away right after creation.
  std::fill(bytes.begin(), bytes.end(), 0);
  ahal_kernel_t k = nullptr;
  CHECK_OK(ahal_kernel_get(m, "vector_add", &k));
  check_vector_add(ctx, k, 4097, "vector_add from bundle bytes");
}

CONFORM_TEST(module_raw_image, "kernels.module_raw_image", core, kNeeds) {
  // The image the loader would choose, loaded as a raw module with metadata.
  ahal_module_format_t format = AHAL_MODULE_FORMAT_UNKNOWN;
  CHECK_OK(ahal_module_format(ctx.kernels_module(), &format));
  ahal::bundle::Bundle bundle;
  std::string error;
  if (!ahal::bundle::read_file(ctx.bundle_path(), &bundle, &error))
    fail("cannot parse the standard bundle: %s", error.c_str());
  const ahal::bundle::Image* image = ahal::bundle::find_image(bundle, format, "vector_add");
  REQUIRE(image, "the bundle has no %s image with vector_add", ahal_module_format_name(format));
  int k = ahal::bundle::find_kernel(bundle, "vector_add");
  std::string symbol = "vector_add";
  for (const auto& e : image->entries)
    if (static_cast<int>(e.kernel_index) == k) symbol = e.symbol;
  ahal_kernel_info_t info{symbol.c_str(), 3, 4, 0};
  Module m;
  CHECK_OK(create_module(ctx, format, image->data.data(), image->data.size(), &m, 1, &info));
  ahal_kernel_t kernel = nullptr;
  CHECK_OK(ahal_kernel_get(m, symbol.c_str(), &kernel));
  ahal_kernel_attributes_t attrs{};
  attrs.struct_size = sizeof(attrs);
  CHECK_OK(ahal_kernel_get_attributes(kernel, &attrs));
  REQUIRE(attrs.has_metadata == 1 && attrs.binding_count == 3 && attrs.constants_size == 4,
          "metadata given at creation not reported (has_metadata %u, bindings %u, constants %u)",
          attrs.has_metadata, attrs.binding_count, attrs.constants_size);
  check_vector_add(ctx, kernel, 777, "vector_add from a raw image");
}

CONFORM_TEST(module_bad_image, "kernels.module_bad_image", core, kNeeds) {
  ahal_module_format_t format = AHAL_MODULE_FORMAT_UNKNOWN;
  CHECK_OK(ahal_module_format(ctx.kernels_module(), &format));
  Rng rng(ctx.seed());
  std::vector<uint8_t> garbage = rng.bytes(4096);
  Module m;
  CHECK_STATUS(create_module(ctx, format, garbage.data(), garbage.size(), &m),
               AHAL_ERROR_BUILD_FAILED, AHAL_ERROR_INVALID_ARGUMENT);
  CHECK_STATUS(create_module(ctx, format, garbage.data(), 0, &m), AHAL_ERROR_INVALID_ARGUMENT);
  ctx.check_device_usable("a bad module image");
}

CONFORM_TEST(module_unsupported_format, "kernels.module_unsupported_format", core, kNeeds) {
  uint64_t formats = ctx.props().module_formats;
  ahal_module_format_t other = AHAL_MODULE_FORMAT_UNKNOWN;
  for (uint32_t f = AHAL_MODULE_FORMAT_CPU_SO; f <= AHAL_MODULE_FORMAT_ZE_NATIVE; ++f)
    if (!(formats & (1ull << f))) {
      other = static_cast<ahal_module_format_t>(f);
      break;
    }
  if (other == AHAL_MODULE_FORMAT_UNKNOWN) skip("the device takes every module format");
  const char text[] = "not an image";
  Module m;
  CHECK_STATUS(create_module(ctx, other, text, sizeof(text), &m), AHAL_ERROR_UNSUPPORTED);
}

CONFORM_TEST(module_bundle_no_fit, "kernels.module_bundle_no_fit", core, kNeeds) {
  // A valid bundle whose only image is in a format the device does not take.
  uint64_t formats = ctx.props().module_formats;
  ahal_module_format_t other = AHAL_MODULE_FORMAT_UNKNOWN;
  for (uint32_t f = AHAL_MODULE_FORMAT_CPU_SO; f <= AHAL_MODULE_FORMAT_ZE_NATIVE; ++f)
    if (!(formats & (1ull << f))) {
      other = static_cast<ahal_module_format_t>(f);
      break;
    }
  if (other == AHAL_MODULE_FORMAT_UNKNOWN) skip("the device takes every module format");
  ahal::bundle::Bundle b;
  b.kernels.push_back({"empty", 0, 0, 0});
  ahal::bundle::Image image;
  image.format = other;
  image.data.assign(64, 0);
  b.images.push_back(image);
  std::vector<uint8_t> bytes = ahal::bundle::serialize(b);
  Module m;
  CHECK_STATUS(create_module(ctx, AHAL_MODULE_FORMAT_BUNDLE, bytes.data(), bytes.size(), &m),
               AHAL_ERROR_UNSUPPORTED);
  std::string message = ahal_last_error_message();
  REQUIRE(message.find(ahal_module_format_name(other)) != std::string::npos,
          "the message does not name the bundle's format %s: %s", ahal_module_format_name(other),
          message.c_str());
}

CONFORM_TEST(module_corrupt_bundle, "kernels.module_corrupt_bundle", core, kNeeds) {
  ctx.kernels_module();
  std::vector<uint8_t> bytes = read_whole(ctx.bundle_path());
  Module m;
  // Truncated, and with a wrong magic.
  CHECK_STATUS(create_module(ctx, AHAL_MODULE_FORMAT_BUNDLE, bytes.data(), bytes.size() / 2, &m),
               AHAL_ERROR_INVALID_ARGUMENT);
  bytes[0] ^= 0xff;
  CHECK_STATUS(create_module(ctx, AHAL_MODULE_FORMAT_BUNDLE, bytes.data(), bytes.size(), &m),
               AHAL_ERROR_INVALID_ARGUMENT);
  ahal_module_args_t args{};
  args.struct_size = sizeof(args);
  args.format = AHAL_MODULE_FORMAT_BUNDLE;
  args.path = "/nonexistent/ahal/no_such_bundle.ahalb";
  CHECK_STATUS(ahal_module_create(ctx.device(), &args, m.out()), AHAL_ERROR_NOT_FOUND);
  ctx.check_device_usable("corrupt bundles");
}

CONFORM_TEST(module_lifetime, "kernels.module_lifetime", core, kNeeds) {
  ctx.kernels_module();
  // Several modules at once, created and destroyed repeatedly.
  for (int round = 0; round < 10; ++round) {
    Module m1, m2;
    ahal_module_args_t args{};
    args.struct_size = sizeof(args);
    args.format = AHAL_MODULE_FORMAT_BUNDLE;
    args.path = ctx.bundle_path().c_str();
    CHECK_OK(ahal_module_create(ctx.device(), &args, m1.out()));
    CHECK_OK(ahal_module_create(ctx.device(), &args, m2.out()));
    ahal_kernel_t k1 = nullptr, k2 = nullptr;
    CHECK_OK(ahal_kernel_get(m1, "vector_add", &k1));
    CHECK_OK(ahal_kernel_get(m2, "vector_add", &k2));
    REQUIRE(k1 != k2, "two modules gave the same kernel handle");
    check_vector_add(ctx, k2, 300, "vector_add of the second module");
    m2.reset();
    // A kernel of a destroyed module is an invalid handle.
    ahal_kernel_attributes_t attrs{};
    attrs.struct_size = sizeof(attrs);
    CHECK_STATUS(ahal_kernel_get_attributes(k2, &attrs), AHAL_ERROR_INVALID_HANDLE);
    check_vector_add(ctx, k1, 300, "vector_add of the first module");
  }
}

CONFORM_TEST(kernel_get, "kernels.kernel_get", core, kNeeds) {
  ahal_module_t m = ctx.kernels_module();
  for (const KernelMeta& meta : kStandard) {
    ahal_kernel_t a = nullptr, b = nullptr;
    CHECK_OK(ahal_kernel_get(m, meta.name, &a));
    CHECK_OK(ahal_kernel_get(m, meta.name, &b));
    REQUIRE(a && a == b, "ahal_kernel_get(\"%s\") twice gave different handles", meta.name);
  }
  ahal_kernel_t k = nullptr;
  CHECK_STATUS(ahal_kernel_get(m, "no_such_kernel", &k), AHAL_ERROR_NOT_FOUND);
  CHECK_STATUS(ahal_kernel_get(m, "", &k), AHAL_ERROR_NOT_FOUND, AHAL_ERROR_INVALID_ARGUMENT);
}

CONFORM_TEST(attributes, "kernels.attributes", core, kNeeds) {
  for (const KernelMeta& meta : kStandard) {
    ahal_kernel_attributes_t a{};
    a.struct_size = sizeof(a);
    CHECK_OK(ahal_kernel_get_attributes(ctx.kernel(meta.name), &a));
    REQUIRE(a.has_metadata == 1, "%s: has_metadata %u from a bundle", meta.name, a.has_metadata);
    REQUIRE(a.binding_count == meta.bindings && a.constants_size == meta.constants &&
                a.flags == meta.flags,
            "%s: bindings %u constants %u flags %u, the manifest says %u %u %u", meta.name,
            a.binding_count, a.constants_size, a.flags, meta.bindings, meta.constants, meta.flags);
    REQUIRE(a.max_workgroup_size >= 1 && a.max_workgroup_size <= ctx.props().max_workgroup_size,
            "%s: max_workgroup_size %u (device %u)", meta.name, a.max_workgroup_size,
            ctx.props().max_workgroup_size);
    REQUIRE(a.static_shared_bytes <= ctx.props().shared_memory_per_workgroup,
            "%s: static_shared_bytes %u exceed the device's %u", meta.name, a.static_shared_bytes,
            ctx.props().shared_memory_per_workgroup);
  }
}

// ------------------------------------------------------------ launches

CONFORM_TEST(empty, "kernels.empty", core, kNeeds) {
  ahal_kernel_t k = ctx.kernel("empty");
  Stream s = ctx.stream();
  for (int i = 0; i < 10; ++i) CHECK_OK(launch(s, k, {1}, {1}, {}, nullptr, 0));
  CHECK_OK(launch(s, k, {1000}, {64}, {}, nullptr, 0));
  CHECK_OK(ahal_stream_synchronize(s));
}

CONFORM_TEST(vector_add, "kernels.vector_add", core, kNeeds) {
  // n not a multiple of the workgroup size: the guard must hold.
  for (uint32_t n : {1u, 63u, 1000u, 65537u})
    check_vector_add(ctx, ctx.kernel("vector_add"), n, "c");
}

CONFORM_TEST(constants, "kernels.constants", core, kNeeds) {
  // saxpy: a float and a uint32 in one constant block.
  Rng rng(ctx.seed());
  const uint32_t n = 5000;
  std::vector<float> x = rng.floats(n, -1, 1), y = rng.floats(n, -1, 1);
  Buffer bx = ctx.buffer(n * 4), by = ctx.buffer(n * 4);
  ctx.write(bx, x);
  ctx.write(by, y);
  Stream s = ctx.stream();
  ahal_kernel_t k = ctx.kernel("saxpy");
  SaxpyConstants c{2.5f, n - 100};  // the last 100 stay untouched
  CHECK_OK(launch(s, k, {(n + 127) / 128}, {128}, {bind(bx), bind(by)}, c));
  // Constants are copied at enqueue: changing them now must not matter.
  c.a = -1000.0f;
  c.n = n;
  CHECK_OK(ahal_stream_synchronize(s));
  std::vector<float> out = ctx.read_as<float>(by, n);
  for (uint32_t i = 0; i < n; ++i)
    expect_near(out[i], i < n - 100 ? 2.5f * x[i] + y[i] : y[i], 1e-5, "saxpy y", i);
}

CONFORM_TEST(constants_copied, "kernels.constants_copied", core,
             kNeeds | AHAL_FEATURE_HOST_CALLBACKS) {
  // The launch is held behind a callback while the caller reuses its
  // constant block: the kernel must see the values at enqueue time.
  const uint32_t n = 256;
  Buffer out = ctx.buffer(n * 4);
  Stream s = ctx.stream();
  ahal_kernel_t k = ctx.kernel("write_index");
  {
    Gate gate;
    gate.block(s);
    uint32_t base = 1000;
    CHECK_OK(launch(s, k, {n / 64}, {64}, {bind(out)}, base));
    base = 5;
    gate.open();
    CHECK_OK(ahal_stream_synchronize(s));
  }
  std::vector<uint32_t> v = ctx.read_as<uint32_t>(out, n);
  for (uint32_t i = 0; i < n; ++i)
    REQUIRE(v[i] == i + 1000, "out[%u] = %u, expected %u (constants read after enqueue?)", i, v[i],
            i + 1000);
}

CONFORM_TEST(binding_offsets, "kernels.binding_offsets", core, kNeeds) {
  // vector_add with each binding at a different aligned offset in one or
  // more buffers; bytes outside the bound ranges stay untouched.
  Rng rng(ctx.seed());
  const uint32_t n = 1000;
  const uint64_t align = std::max<uint64_t>(ctx.props().binding_offset_alignment, 4);
  const uint64_t oa = align, ob = 3 * align, oc = 2 * align;
  const uint64_t bytes = n * 4 + 4 * align;
  std::vector<float> a = rng.floats(n, -5, 5), b = rng.floats(n, -5, 5);
  std::vector<uint8_t> guard = rng.bytes(bytes);
  Buffer ba = ctx.buffer(bytes), bb = ctx.buffer(bytes), bc = ctx.buffer(bytes);
  ctx.write(ba, 0, guard.data(), bytes);
  ctx.write(bb, 0, guard.data(), bytes);
  ctx.write(bc, 0, guard.data(), bytes);
  ctx.write(ba, oa, a.data(), n * 4);
  ctx.write(bb, ob, b.data(), n * 4);
  Stream s = ctx.stream();
  ahal_kernel_t k = ctx.kernel("vector_add");
  // Explicit sizes for a and c, "to the end" for b.
  CHECK_OK(launch(s, k, {(n + 31) / 32}, {32},
                  {bind(ba, oa, n * 4), bind(bb, ob, 0), bind(bc, oc, n * 4)}, n));
  CHECK_OK(ahal_stream_synchronize(s));
  std::vector<uint8_t> c_bytes = ctx.read(bc, 0, bytes);
  expect_bytes(c_bytes.data(), guard.data(), oc, "bytes of c before its binding offset");
  expect_bytes(c_bytes.data() + oc + n * 4, guard.data() + oc + n * 4, bytes - oc - n * 4,
               "bytes of c after its bound range");
  std::vector<float> c(n);
  std::memcpy(c.data(), c_bytes.data() + oc, n * 4);
  for (uint32_t i = 0; i < n; ++i) expect_near(c[i], a[i] + b[i], 1e-6, "c (offset bindings)", i);
}

CONFORM_TEST(binding_same_buffer, "kernels.binding_same_buffer", core, kNeeds) {
  // Three bindings into one buffer at different offsets.
  Rng rng(ctx.seed());
  const uint32_t n = 512;
  const uint64_t align = std::max<uint64_t>(ctx.props().binding_offset_alignment, 4);
  const uint64_t slot = (n * 4 + align - 1) / align * align;
  std::vector<float> a = rng.floats(n, -5, 5), b = rng.floats(n, -5, 5);
  Buffer buf = ctx.buffer(3 * slot);
  ctx.write(buf, a, 0);
  ctx.write(buf, b, slot);
  Stream s = ctx.stream();
  CHECK_OK(launch(s, ctx.kernel("vector_add"), {n / 64}, {64},
                  {bind(buf, 0, n * 4), bind(buf, slot, n * 4), bind(buf, 2 * slot, n * 4)}, n));
  CHECK_OK(ahal_stream_synchronize(s));
  std::vector<float> c = ctx.read_as<float>(buf, n, 2 * slot);
  for (uint32_t i = 0; i < n; ++i) expect_near(c[i], a[i] + b[i], 1e-6, "c (one buffer)", i);
}

// write_index over a grid; checks every element is lin + base.
void check_write_index(Context& ctx, Dim3 grid, Dim3 wg) {
  const ahal_device_properties_t& p = ctx.props();
  if (wg.x > p.max_workgroup_dims[0] || wg.y > p.max_workgroup_dims[1] ||
      wg.z > p.max_workgroup_dims[2] || uint64_t{wg.x} * wg.y * wg.z > p.max_workgroup_size)
    skip("workgroup %ux%ux%u exceeds the device's limits", wg.x, wg.y, wg.z);
  if (grid.x > p.max_grid_dims[0] || grid.y > p.max_grid_dims[1] || grid.z > p.max_grid_dims[2])
    skip("grid %ux%ux%u exceeds the device's max_grid_dims", grid.x, grid.y, grid.z);
  uint64_t total = uint64_t{grid.x} * grid.y * grid.z * wg.x * wg.y * wg.z;
  REQUIRE(total * 4 <= p.max_allocation_bytes, "grid too large for one buffer");
  const uint32_t base = 0x100;
  Buffer out = ctx.buffer(total * 4);
  const uint32_t poison = 0xdeadbeef;
  Stream s = ctx.stream();
  CHECK_OK(ahal_stream_fill(s, out, 0, total * 4, &poison, 4));
  CHECK_OK(launch(s, ctx.kernel("write_index"), grid, wg, {bind(out)}, base));
  CHECK_OK(ahal_stream_synchronize(s));
  std::vector<uint32_t> v = ctx.read_as<uint32_t>(out, total);
  for (uint64_t i = 0; i < total; ++i)
    if (v[i] != static_cast<uint32_t>(i + base))
      fail("grid %ux%ux%u, workgroup %ux%ux%u: out[%llu] = 0x%x, expected 0x%x", grid.x, grid.y,
           grid.z, wg.x, wg.y, wg.z, static_cast<unsigned long long>(i), v[i],
           static_cast<uint32_t>(i + base));
}

CONFORM_TEST(grid_1d, "kernels.grid_1d", core, kNeeds) {
  check_write_index(ctx, {7}, {64});
  check_write_index(ctx, {1}, {1});
  check_write_index(ctx, {13}, {13});
  check_write_index(ctx, {3},
                    {std::min(ctx.props().max_workgroup_size, ctx.props().max_workgroup_dims[0])});
}

CONFORM_TEST(grid_2d, "kernels.grid_2d", core, kNeeds) {
  check_write_index(ctx, {5, 3}, {8, 4});
  check_write_index(ctx, {1, 17}, {16, 1});
  check_write_index(ctx, {9, 2}, {1, 8});
}

CONFORM_TEST(grid_3d, "kernels.grid_3d", core, kNeeds) {
  check_write_index(ctx, {3, 2, 4}, {4, 2, 2});
  check_write_index(ctx, {1, 1, 9}, {2, 3, 4});
  check_write_index(ctx, {2, 5, 3}, {1, 1, 1});
}

CONFORM_TEST(grid_large, "kernels.grid_large", core, kNeeds) {
  const ahal_device_properties_t& p = ctx.props();
  // Past 65535 workgroups in x, and the largest y and z up to 65535.
  uint32_t gx = std::min<uint32_t>(p.max_grid_dims[0], ctx.quick() ? 70000 : 1 << 20);
  check_write_index(ctx, {gx}, {2});
  check_write_index(ctx, {1, std::min<uint32_t>(p.max_grid_dims[1], 65535)}, {4});
  check_write_index(ctx, {2, 1, std::min<uint32_t>(p.max_grid_dims[2], 65535)}, {2});
}

CONFORM_TEST(atomics, "kernels.atomics", core, kNeeds) {
  // Every work-item adds 1 and its lin to two counters: lost updates show.
  ahal_kernel_t k = ctx.kernel("atomic_count");
  for (Dim3 grid : {Dim3{1}, Dim3{64}, Dim3{1000}, Dim3{16, 16}}) {
    const uint32_t wg = std::min<uint32_t>(64, ctx.props().max_workgroup_size);
    Buffer counter = ctx.buffer(8);
    const uint32_t zero = 0;
    Stream s = ctx.stream();
    CHECK_OK(ahal_stream_fill(s, counter, 0, 8, &zero, 4));
    CHECK_OK(launch(s, k, grid, {wg}, {bind(counter)}, nullptr, 0));
    CHECK_OK(ahal_stream_synchronize(s));
    std::vector<uint32_t> c = ctx.read_as<uint32_t>(counter, 2);
    uint64_t items = uint64_t{grid.x} * grid.y * wg;
    uint32_t sum = static_cast<uint32_t>(items * (items - 1) / 2);
    REQUIRE(c[0] == items && c[1] == sum,
            "grid %ux%u x %u: count %u (expected %llu), index sum %u (expected %u)", grid.x, grid.y,
            wg, c[0], static_cast<unsigned long long>(items), c[1], sum);
  }
}

void check_reverse(Context& ctx, const char* name, bool dynamic) {
  ahal_kernel_t k = ctx.kernel(name);
  for (uint32_t w : {1u, 32u, 256u}) {
    if (w > ctx.props().max_workgroup_size || w > ctx.props().max_workgroup_dims[0]) continue;
    const uint32_t groups = 37, n = groups * w;
    Rng rng(ctx.seed() + w);
    std::vector<uint32_t> in(n);
    for (uint32_t& v : in) v = static_cast<uint32_t>(rng.next());
    Buffer bi = ctx.buffer(n * 4), bo = ctx.buffer(n * 4);
    ctx.write(bi, in);
    Stream s = ctx.stream();
    CHECK_OK(launch(s, k, {groups}, {w}, {bind(bi), bind(bo)}, nullptr, 0, dynamic ? w * 4 : 0));
    CHECK_OK(ahal_stream_synchronize(s));
    std::vector<uint32_t> out = ctx.read_as<uint32_t>(bo, n);
    for (uint32_t g = 0; g < groups; ++g)
      for (uint32_t l = 0; l < w; ++l)
        if (out[g * w + l] != in[g * w + w - 1 - l])
          fail("%s, workgroup %u: out[%u] = %u, expected in[%u] = %u", name, w, g * w + l,
               out[g * w + l], g * w + w - 1 - l, in[g * w + w - 1 - l]);
  }
}

CONFORM_TEST(barrier_shared, "kernels.barrier_shared", core, kNeeds) {
  check_reverse(ctx, "reverse_shared", false);
}

CONFORM_TEST(dynamic_shared, "kernels.dynamic_shared", core,
             kNeeds | AHAL_FEATURE_DYNAMIC_SHARED_MEMORY) {
  check_reverse(ctx, "reverse_dynamic", true);
}

CONFORM_TEST(dynamic_shared_limit, "kernels.dynamic_shared_limit", core,
             kNeeds | AHAL_FEATURE_DYNAMIC_SHARED_MEMORY) {
  ahal_kernel_t k = ctx.kernel("reverse_dynamic");
  Buffer bi = ctx.buffer(1024), bo = ctx.buffer(1024);
  Stream s = ctx.stream();
  uint32_t too_much = ctx.props().shared_memory_per_workgroup + 1;
  CHECK_STATUS(launch(s, k, {1}, {1}, {bind(bi), bind(bo)}, nullptr, 0, too_much),
               AHAL_ERROR_OUT_OF_RANGE);
  ctx.check_device_usable("a launch with too much shared memory");
}

CONFORM_TEST(stream_kernels, "kernels.stream_kernels", core, kNeeds | AHAL_FEATURE_FP64) {
  Rng rng(ctx.seed());
  const uint32_t n = 10007;
  std::vector<double> a = rng.doubles(n, -1, 1), b = rng.doubles(n, -1, 1),
                      c = rng.doubles(n, -1, 1);
  Buffer ba = ctx.buffer(n * 8), bb = ctx.buffer(n * 8), bc = ctx.buffer(n * 8);
  ctx.write(ba, a);
  ctx.write(bb, b);
  ctx.write(bc, c);
  Stream s = ctx.stream();
  StreamConstants k{3.0, n, 0};
  Dim3 grid{(n + 255) / 256}, wg{256};
  if (wg.x > ctx.props().max_workgroup_size) wg.x = ctx.props().max_workgroup_size;
  grid.x = (n + wg.x - 1) / wg.x;
  // The STREAM sequence: copy, scale, add, triad.
  CHECK_OK(launch(s, ctx.kernel("stream_copy"), grid, wg, {bind(ba), bind(bc)}, k));
  CHECK_OK(launch(s, ctx.kernel("stream_scale"), grid, wg, {bind(bc), bind(bb)}, k));
  CHECK_OK(launch(s, ctx.kernel("stream_add"), grid, wg, {bind(ba), bind(bb), bind(bc)}, k));
  CHECK_OK(launch(s, ctx.kernel("stream_triad"), grid, wg, {bind(ba), bind(bb), bind(bc)}, k));
  CHECK_OK(ahal_stream_synchronize(s));
  for (uint32_t i = 0; i < n; ++i) {
    c[i] = a[i];
    b[i] = 3.0 * c[i];
    c[i] = a[i] + b[i];
    a[i] = b[i] + 3.0 * c[i];
  }
  std::vector<double> ga = ctx.read_as<double>(ba, n), gb = ctx.read_as<double>(bb, n),
                      gc = ctx.read_as<double>(bc, n);
  for (uint32_t i = 0; i < n; ++i) {
    expect_near(gb[i], b[i], 1e-12, "b after scale", i);
    expect_near(gc[i], c[i], 1e-12, "c after add", i);
    expect_near(ga[i], a[i], 1e-12, "a after triad", i);
  }
}

CONFORM_TEST(stream_dot, "kernels.stream_dot", core, kNeeds | AHAL_FEATURE_FP64) {
  // A workgroup reduction with barriers in shared memory.
  Rng rng(ctx.seed());
  const uint32_t n = 100003;
  uint32_t wg = 1;
  while (wg * 2 <= std::min<uint32_t>(256, std::min(ctx.props().max_workgroup_size,
                                                    ctx.props().max_workgroup_dims[0])))
    wg *= 2;
  const uint32_t groups = 40;
  std::vector<double> a = rng.doubles(n, -1, 1), b = rng.doubles(n, -1, 1);
  Buffer ba = ctx.buffer(n * 8), bb = ctx.buffer(n * 8), bp = ctx.buffer(groups * 8);
  ctx.write(ba, a);
  ctx.write(bb, b);
  Stream s = ctx.stream();
  CHECK_OK(launch(s, ctx.kernel("stream_dot"), {groups}, {wg}, {bind(ba), bind(bb), bind(bp)},
                  StreamConstants{0.0, n, 0}));
  CHECK_OK(ahal_stream_synchronize(s));
  std::vector<double> partial = ctx.read_as<double>(bp, groups);
  const uint32_t G = groups * wg;
  for (uint32_t g = 0; g < groups; ++g) {
    double want = 0;
    for (uint32_t l = 0; l < wg; ++l)
      for (uint32_t k = g * wg + l; k < n; k += G) want += a[k] * b[k];
    expect_near(partial[g], want, 1e-10, "partial", g);
  }
}

// Host model of fma_f32/fma_f64 (docs/kernel-abi.md).
template <typename T>
T fma_reference(uint32_t lin, uint32_t iters, T a, T b) {
  T sum = 0;
  for (int j = 0; j < 8; ++j) {
    T x = static_cast<T>(lin % 1024) * static_cast<T>(1e-3) + static_cast<T>(j);
    for (uint32_t i = 0; i < iters; ++i) x = x * a + b;
    sum += x;
  }
  return sum;
}

CONFORM_TEST(fma_f32, "kernels.fma_f32", core, kNeeds) {
  const uint32_t groups = 20, wg = std::min<uint32_t>(64, ctx.props().max_workgroup_size),
                 n = groups * wg;
  Buffer out = ctx.buffer(n * 4);
  Stream s = ctx.stream();
  // |a| < 1 keeps the chains converging, so rounding differences stay small.
  FmaF32Constants c{100, 0.5f, 0.25f, 0};
  CHECK_OK(launch(s, ctx.kernel("fma_f32"), {groups}, {wg}, {bind(out)}, c));
  CHECK_OK(ahal_stream_synchronize(s));
  std::vector<float> v = ctx.read_as<float>(out, n);
  for (uint32_t i = 0; i < n; ++i)
    expect_near(v[i], fma_reference<float>(i, c.iters, c.a, c.b), 1e-5, "fma_f32 out", i);
}

CONFORM_TEST(fma_f64, "kernels.fma_f64", core, kNeeds | AHAL_FEATURE_FP64) {
  const uint32_t groups = 20, wg = std::min<uint32_t>(64, ctx.props().max_workgroup_size),
                 n = groups * wg;
  Buffer out = ctx.buffer(n * 8);
  Stream s = ctx.stream();
  FmaF64Constants c{0.5, 0.25, 100, 0};
  CHECK_OK(launch(s, ctx.kernel("fma_f64"), {groups}, {wg}, {bind(out)}, c));
  CHECK_OK(ahal_stream_synchronize(s));
  std::vector<double> v = ctx.read_as<double>(out, n);
  for (uint32_t i = 0; i < n; ++i)
    expect_near(v[i], fma_reference<double>(i, c.iters, c.a, c.b), 1e-12, "fma_f64 out", i);
}

CONFORM_TEST(launch_refused, "kernels.launch_refused", core, kNeeds) {
  // Bad launches are refused and enqueue nothing: the output stays as filled.
  const ahal_device_properties_t& p = ctx.props();
  ahal_kernel_t k = ctx.kernel("write_index");
  const uint32_t n = 256;
  const uint64_t align = p.binding_offset_alignment;
  const uint64_t size = (n * 4 + align - 1) / align * align + 2 * align;
  Buffer out = ctx.buffer(size);
  const uint32_t poison = 0xdeadbeef;
  Stream s = ctx.stream();
  CHECK_OK(ahal_stream_fill(s, out, 0, n * 4, &poison, 4));
  CHECK_OK(ahal_stream_synchronize(s));
  const uint32_t base = 0;
  auto bad = [&](Dim3 grid, Dim3 wg, std::initializer_list<ahal_binding_t> b, const void* c,
                 uint32_t cs, uint32_t dyn = 0) { return launch(s, k, grid, wg, b, c, cs, dyn); };
  // Dimensions.
  CHECK_STATUS(bad({0}, {1}, {bind(out)}, &base, 4), AHAL_ERROR_OUT_OF_RANGE);
  CHECK_STATUS(bad({1}, {0}, {bind(out)}, &base, 4), AHAL_ERROR_OUT_OF_RANGE);
  CHECK_STATUS(bad({1}, {p.max_workgroup_size + 1}, {bind(out)}, &base, 4),
               AHAL_ERROR_OUT_OF_RANGE);
  if (p.max_grid_dims[0] < UINT32_MAX)
    CHECK_STATUS(bad({p.max_grid_dims[0] + 1}, {1}, {bind(out)}, &base, 4),
                 AHAL_ERROR_OUT_OF_RANGE);
  ahal_kernel_attributes_t attrs{};
  attrs.struct_size = sizeof(attrs);
  CHECK_OK(ahal_kernel_get_attributes(k, &attrs));
  if (attrs.max_workgroup_size < p.max_workgroup_size &&
      attrs.max_workgroup_size < p.max_workgroup_dims[0])
    CHECK_STATUS(bad({1}, {attrs.max_workgroup_size + 1}, {bind(out)}, &base, 4),
                 AHAL_ERROR_OUT_OF_RANGE);
  // Against the metadata: one binding, 4 constant bytes, no dynamic shared memory.
  CHECK_STATUS(bad({1}, {1}, {}, &base, 4), AHAL_ERROR_INVALID_ARGUMENT);
  CHECK_STATUS(bad({1}, {1}, {bind(out), bind(out)}, &base, 4), AHAL_ERROR_INVALID_ARGUMENT);
  CHECK_STATUS(bad({1}, {1}, {bind(out)}, &base, 8), AHAL_ERROR_INVALID_ARGUMENT);
  CHECK_STATUS(bad({1}, {1}, {bind(out)}, &base, 6), AHAL_ERROR_INVALID_ARGUMENT);
  CHECK_STATUS(bad({1}, {1}, {bind(out)}, nullptr, 4), AHAL_ERROR_INVALID_ARGUMENT);
  CHECK_STATUS(bad({1}, {1}, {bind(out)}, &base, 4, 64), ctx.has(AHAL_FEATURE_DYNAMIC_SHARED_MEMORY)
                                                             ? AHAL_ERROR_INVALID_ARGUMENT
                                                             : AHAL_ERROR_UNSUPPORTED);
  CHECK_STATUS(bad({1}, {1}, {bind(nullptr)}, &base, 4), AHAL_ERROR_INVALID_HANDLE);
  // Bindings outside the buffer, or at an unaligned offset.
  CHECK_STATUS(bad({1}, {1}, {bind(out, size, 0)}, &base, 4), AHAL_ERROR_OUT_OF_RANGE);
  CHECK_STATUS(bad({1}, {1}, {bind(out, 0, size + 4)}, &base, 4), AHAL_ERROR_OUT_OF_RANGE);
  CHECK_STATUS(bad({1}, {1}, {bind(out, align, size)}, &base, 4), AHAL_ERROR_OUT_OF_RANGE);
  if (align > 1)
    CHECK_STATUS(bad({1}, {1}, {bind(out, align / 2, 64)}, &base, 4), AHAL_ERROR_INVALID_ARGUMENT);
  CHECK_OK(ahal_stream_synchronize(s));
  std::vector<uint32_t> v = ctx.read_as<uint32_t>(out, n);
  for (uint32_t i = 0; i < n; ++i)
    REQUIRE(v[i] == poison, "out[%u] = 0x%x after refused launches: one of them ran", i, v[i]);
  ctx.check_device_usable("refused launches");
}

}  // namespace
