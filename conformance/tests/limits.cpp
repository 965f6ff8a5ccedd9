// limits: every limit a device advertises is true (docs/conformance.md).
// For each one a launch exactly at the limit must run, and one past it must
// be refused with a message (and the device must work afterwards): grid and
// workgroup size per dimension, work-items per workgroup, shared memory,
// bindings and constants.
//
// The cheapest launch that reaches a limit is used: workgroups of one item
// for grid limits, one workgroup for workgroup limits. Where even that is
// too slow here (a CPU-emulated device advertising 2^31 workgroups), the
// at-limit test measures the device's rate of empty workgroups, runs the
// launch when it fits the time budget (5 s with --quick, 20 s without) and
// otherwise skips, saying how long it would take.
#include "harness.hpp"

#include "bundle_format.hpp"

#include <chrono>
#include <functional>

namespace {

using namespace conform;

constexpr uint64_t kNeeds = AHAL_FEATURE_GENERAL_KERNELS;
const char kAxis[] = "xyz";

uint32_t& axis(Dim3& d, int i) { return i == 0 ? d.x : i == 1 ? d.y : d.z; }

ahal_kernel_attributes_t attributes(ahal_kernel_t k) {
  ahal_kernel_attributes_t a{};
  a.struct_size = sizeof(a);
  CHECK_OK(ahal_kernel_get_attributes(k, &a));
  return a;
}

// The launch must be refused with OUT_OF_RANGE or INVALID_ARGUMENT and a
// message from ahal_stream_launch that mentions `what`.
void expect_refused(ahal_status_t status, const std::string& what, const std::string& launch) {
  const std::string message = ahal_last_error_message();
  REQUIRE(status == AHAL_ERROR_OUT_OF_RANGE || status == AHAL_ERROR_INVALID_ARGUMENT,
          "%s past the limit returned %s, expected a refusal: %s", launch.c_str(),
          ahal_status_string(status), message.c_str());
  REQUIRE(message.rfind("ahal_stream_launch: ", 0) == 0 && message.find(what) != std::string::npos,
          "%s: the message does not name %s: \"%s\"", launch.c_str(), what.c_str(),
          message.c_str());
}

// atomic_count over the whole launch: every work-item ran once with its id.
void expect_counted(Context& ctx, ahal_buffer_t counter, uint64_t items, const std::string& what) {
  std::vector<uint32_t> c = ctx.read_as<uint32_t>(counter, 2);
  const uint32_t want_sum = uint32_t(items * (items - 1) / 2);  // sum of lin, mod 2^32
  REQUIRE(c[0] == uint32_t(items) && c[1] == want_sum,
          "%s: %u work-items ran with id sum %u, expected %llu and %u", what.c_str(), c[0], c[1],
          (unsigned long long)items, want_sum);
}

// Runs atomic_count on `grid` x `wg` and checks every work-item counted.
void run_counted(Context& ctx, Dim3 grid, Dim3 wg, const std::string& what) {
  ahal_kernel_t k = ctx.kernel("atomic_count");
  Buffer counter = ctx.buffer(64);
  ctx.fill_bytes(counter, 0, 64, 0);
  Stream s = ctx.stream();
  ahal_status_t st = launch(s, k, grid, wg, {bind(counter)}, nullptr, 0);
  if (st != AHAL_SUCCESS)
    fail("%s at the limit returned %s: %s", what.c_str(), ahal_status_string(st),
         ahal_last_error_message());
  CHECK_OK(ahal_stream_synchronize(s));
  expect_counted(ctx, counter, uint64_t(grid.x) * grid.y * grid.z * wg.x * wg.y * wg.z, what);
}

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

// ------------------------------------------------------------ grid

void grid_at(Context& ctx, int i) {
  const uint32_t limit = ctx.props().max_grid_dims[i];
  if (limit == 0) skip("max_grid_dims.%c is 0 (no limit given): nothing to reach", kAxis[i]);
  Dim3 grid, one;
  axis(grid, i) = limit;
  const std::string what = format("grid.%c = max_grid_dims.%c = %u", kAxis[i], kAxis[i], limit);
  if (limit <= (1u << 22)) return run_counted(ctx, grid, one, what);
  // Too many workgroups to count atomically: time empty ones first.
  ahal_kernel_t empty = ctx.kernel("empty");
  Stream s = ctx.stream();
  Dim3 sample;
  axis(sample, i) = 1u << 20;
  CHECK_OK(launch(s, empty, sample, one, {}, nullptr, 0));  // warm-up
  CHECK_OK(ahal_stream_synchronize(s));
  auto start = std::chrono::steady_clock::now();
  CHECK_OK(launch(s, empty, sample, one, {}, nullptr, 0));
  CHECK_OK(ahal_stream_synchronize(s));
  const double rate = double(1u << 20) / std::max(seconds_since(start), 1e-6);
  const double estimate = double(limit) / rate, budget = ctx.quick() ? 5 : 20;
  if (estimate > budget)
    skip(
        "%s: %u empty workgroups would take about %.0f s at the measured %.1f M/s, over the "
        "%.0f s budget%s",
        what.c_str(), limit, estimate, rate / 1e6, budget, ctx.quick() ? " of --quick" : "");
  start = std::chrono::steady_clock::now();
  ahal_status_t st = launch(s, empty, grid, one, {}, nullptr, 0);
  if (st != AHAL_SUCCESS)
    fail("%s (empty kernel) returned %s: %s", what.c_str(), ahal_status_string(st),
         ahal_last_error_message());
  CHECK_OK(ahal_stream_synchronize(s));
  ctx.check_device_usable(what.c_str());
}

void grid_past(Context& ctx, int i) {
  const uint32_t limit = ctx.props().max_grid_dims[i];
  ahal_kernel_t empty = ctx.kernel("empty");
  Stream s = ctx.stream();
  Dim3 grid, one;
  if (limit != 0 && limit != UINT32_MAX) {
    axis(grid, i) = limit + 1;
    expect_refused(launch(s, empty, grid, one, {}, nullptr, 0), format("max_grid_dims %u", limit),
                   format("grid.%c = %u", kAxis[i], limit + 1));
  } else {
    // No uint32 is past it; what a backend cannot count still is: the
    // grid {2^32-1, 1, 2^32-1} that once aborted PoCL.
    axis(grid, i) = UINT32_MAX;
    axis(grid, (i + 2) % 3) = UINT32_MAX;
    expect_refused(launch(s, empty, grid, one, {}, nullptr, 0), "work-items in all",
                   format("grid.%c and grid.%c = 2^32-1", kAxis[i], kAxis[(i + 2) % 3]));
  }
  ctx.check_device_usable("a grid past the limit");
}

CONFORM_TEST(grid_x_at, "limits.grid_x_at", core, kNeeds) { grid_at(ctx, 0); }
CONFORM_TEST(grid_y_at, "limits.grid_y_at", core, kNeeds) { grid_at(ctx, 1); }
CONFORM_TEST(grid_z_at, "limits.grid_z_at", core, kNeeds) { grid_at(ctx, 2); }
CONFORM_TEST(grid_x_past, "limits.grid_x_past", core, kNeeds) { grid_past(ctx, 0); }
CONFORM_TEST(grid_y_past, "limits.grid_y_past", core, kNeeds) { grid_past(ctx, 1); }
CONFORM_TEST(grid_z_past, "limits.grid_z_past", core, kNeeds) { grid_past(ctx, 2); }

// ------------------------------------------------------------ workgroups

// The largest workgroup the kernel takes: the device's limit, or the
// kernel's own max_workgroup_size where that is lower.
uint32_t workgroup_limit(Context& ctx, ahal_kernel_t k) {
  const uint32_t device = ctx.props().max_workgroup_size;
  const uint32_t kernel = attributes(k).max_workgroup_size;
  return kernel && kernel < device ? kernel : device;
}

void workgroup_dim(Context& ctx, int i) {
  ahal_kernel_t k = ctx.kernel("atomic_count");
  const uint32_t dim = ctx.props().max_workgroup_dims[i];
  const uint32_t total = workgroup_limit(ctx, k);
  Dim3 wg;
  axis(wg, i) = std::min(dim, total);
  run_counted(ctx, Dim3{}, wg,
              format("workgroup_size.%c = %u (max_workgroup_dims.%c %u, max_workgroup_size %u)",
                     kAxis[i], axis(wg, i), kAxis[i], dim, total));
  Stream s = ctx.stream();
  Buffer counter = ctx.buffer(64);
  Dim3 past;
  axis(past, i) = dim + 1;
  expect_refused(launch(s, k, Dim3{}, past, {bind(counter)}, nullptr, 0), "workgroup",
                 format("workgroup_size.%c = %u", kAxis[i], dim + 1));
  ctx.check_device_usable("a workgroup past the limit");
}

CONFORM_TEST(workgroup_x, "limits.workgroup_x", core, kNeeds) { workgroup_dim(ctx, 0); }
CONFORM_TEST(workgroup_y, "limits.workgroup_y", core, kNeeds) { workgroup_dim(ctx, 1); }
CONFORM_TEST(workgroup_z, "limits.workgroup_z", core, kNeeds) { workgroup_dim(ctx, 2); }

CONFORM_TEST(workgroup_size, "limits.workgroup_size", core, kNeeds) {
  // max_workgroup_size work-items spread over the dimensions, then one more.
  ahal_kernel_t k = ctx.kernel("atomic_count");
  const auto& p = ctx.props();
  const uint32_t total = workgroup_limit(ctx, k);
  Dim3 wg;
  wg.x = std::min(total, p.max_workgroup_dims[0]);
  while (total % wg.x) --wg.x;  // a divisor, so the product is exact
  wg.y = std::min(total / wg.x, p.max_workgroup_dims[1]);
  while ((total / wg.x) % wg.y) --wg.y;
  wg.z = total / wg.x / wg.y;
  if (wg.z > p.max_workgroup_dims[2])
    skip("max_workgroup_size %u cannot be split over max_workgroup_dims %u x %u x %u", total,
         p.max_workgroup_dims[0], p.max_workgroup_dims[1], p.max_workgroup_dims[2]);
  run_counted(ctx, Dim3{}, wg,
              format("workgroup %u x %u x %u = max_workgroup_size %u", wg.x, wg.y, wg.z, total));
  // One more work-item: x + 1 if that dimension has room, else doubled y.
  Dim3 past = wg;
  if (wg.x < p.max_workgroup_dims[0])
    past.x = wg.x + 1;
  else
    past.y = wg.y * 2;
  Stream s = ctx.stream();
  Buffer counter = ctx.buffer(64);
  expect_refused(launch(s, k, Dim3{}, past, {bind(counter)}, nullptr, 0), "max_workgroup_size",
                 format("workgroup %u x %u x %u", past.x, past.y, past.z));
  ctx.check_device_usable("a workgroup past max_workgroup_size");
}

// ------------------------------------------------------------ shared memory

CONFORM_TEST(shared_memory, "limits.shared_memory", core,
             kNeeds | AHAL_FEATURE_DYNAMIC_SHARED_MEMORY) {
  // reverse_dynamic uses W*4 bytes of its dynamic tile; the rest of a tile
  // of exactly the limit must be there all the same.
  ahal_kernel_t k = ctx.kernel("reverse_dynamic");
  const uint32_t limit = ctx.props().shared_memory_per_workgroup;
  const uint32_t dynamic = limit - attributes(k).static_shared_bytes;
  const uint32_t w = std::min({64u, workgroup_limit(ctx, k), dynamic / 4});
  if (w == 0) skip("shared_memory_per_workgroup %u leaves no room for a tile", limit);
  const uint32_t groups = 8, n = groups * w;
  std::vector<uint32_t> in(n);
  for (uint32_t i = 0; i < n; ++i) in[i] = i * 7 + 1;
  Buffer bi = ctx.buffer(n * 4), bo = ctx.buffer(n * 4);
  ctx.write(bi, in);
  Stream s = ctx.stream();
  ahal_status_t st = launch(s, k, {groups}, {w}, {bind(bi), bind(bo)}, nullptr, 0, dynamic);
  if (st != AHAL_SUCCESS)
    fail(
        "reverse_dynamic with %u dynamic shared bytes (static + dynamic = the limit %u) "
        "returned %s: %s",
        dynamic, limit, ahal_status_string(st), ahal_last_error_message());
  CHECK_OK(ahal_stream_synchronize(s));
  std::vector<uint32_t> out = ctx.read_as<uint32_t>(bo, n);
  for (uint32_t g = 0; g < groups; ++g)
    for (uint32_t l = 0; l < w; ++l)
      REQUIRE(out[g * w + l] == in[g * w + w - 1 - l], "out[%u] = %u, expected %u", g * w + l,
              out[g * w + l], in[g * w + w - 1 - l]);
  expect_refused(launch(s, k, {1}, {w}, {bind(bi), bind(bo)}, nullptr, 0, dynamic + 1), "shared",
                 format("%u dynamic shared bytes", dynamic + 1));
  ctx.check_device_usable("a launch past the shared memory limit");
}

// ------------------------------------------------------------ bindings, constants

// A kernel that takes `bindings` buffers and `constants` bytes and writes
// binding i's word 0 = i + 1 + the first constant word, where the device
// takes OpenCL C (checked exactly); elsewhere the standard bundle's empty
// kernel loaded raw, without metadata, so the launch may pass it anything
// (the path to the backend is exercised; nothing is there to check).
struct WideKernel {
  Module module;
  ahal_kernel_t kernel = nullptr;
  bool checks = false;
};

WideKernel wide_kernel(Context& ctx, uint32_t bindings, uint32_t constants) {
  WideKernel w;
  ahal_module_args_t a{};
  a.struct_size = sizeof(a);
  std::string source;
  std::vector<uint8_t> image;
  std::string entry = "empty";
  if (ctx.props().module_formats & (1ull << AHAL_MODULE_FORMAT_OPENCL_C)) {
    source = "typedef struct { uint v[" + std::to_string(std::max(constants / 4, 1u)) +
             "]; } C;\n__kernel void wide(";
    for (uint32_t i = 0; i < bindings; ++i) source += format("__global uint* b%u, ", i);
    source += constants ? "C c) {\n  uint k = c.v[0];\n" : "int unused) {\n  uint k = 0;\n";
    if (!constants) source = source.replace(source.find(", int unused"), 12, "");
    for (uint32_t i = 0; i < bindings; ++i) source += format("  b%u[0] = %uu + k;\n", i, i + 1);
    source += "}\n";
    a.format = AHAL_MODULE_FORMAT_OPENCL_C;
    a.data = source.data();
    a.data_size = source.size();
    entry = "wide";
    w.checks = true;
  } else {
    ahal_module_format_t chosen = AHAL_MODULE_FORMAT_UNKNOWN;
    CHECK_OK(ahal_module_format(ctx.kernels_module(), &chosen));
    ahal::bundle::Bundle b;
    std::string error;
    if (!ahal::bundle::read_file(ctx.bundle_path(), &b, &error))
      skip("cannot read the standard bundle: %s", error.c_str());
    const ahal::bundle::Image* img = ahal::bundle::find_image(b, chosen, "empty");
    if (!img)
      skip("the bundle has no %s image of the empty kernel", ahal_module_format_name(chosen));
    for (const auto& e : img->entries)
      if (b.kernels[e.kernel_index].name == "empty") entry = e.symbol;
    image = img->data;
    a.format = chosen;
    a.data = image.data();
    a.data_size = image.size();
  }
  ahal_status_t st = ahal_module_create(ctx.device(), &a, w.module.out());
  if (st != AHAL_SUCCESS)
    fail("a kernel taking %u bindings and %u constant bytes did not load: %s: %s", bindings,
         constants, ahal_status_string(st), ahal_last_error_message());
  CHECK_OK(ahal_kernel_get(w.module, entry.c_str(), &w.kernel));
  return w;
}

CONFORM_TEST(bindings, "limits.bindings", core, kNeeds) {
  const uint32_t limit = ctx.props().max_bindings;
  if (limit == 0) skip("max_bindings is 0");
  WideKernel w = wide_kernel(ctx, limit, 0);
  std::vector<Buffer> buffers;
  std::vector<ahal_binding_t> binds;
  for (uint32_t i = 0; i <= limit; ++i) {
    buffers.push_back(ctx.buffer(256));
    ctx.fill_bytes(buffers.back(), 0, 256, 0);
    binds.push_back(bind(buffers.back()));
  }
  ahal_launch_args_t args{};
  args.struct_size = sizeof(args);
  args.grid[0] = args.grid[1] = args.grid[2] = 1;
  args.workgroup_size[0] = args.workgroup_size[1] = args.workgroup_size[2] = 1;
  args.binding_count = limit;
  args.bindings = binds.data();
  Stream s = ctx.stream();
  args.binding_count = limit + 1;
  expect_refused(ahal_stream_launch(s, w.kernel, &args), "bindings",
                 format("%u bindings", limit + 1));
  args.binding_count = limit;
  ahal_status_t st = ahal_stream_launch(s, w.kernel, &args);
  if (st == AHAL_ERROR_INVALID_ARGUMENT && !w.checks)
    skip(
        "launch at the limit not tried: the device takes no OpenCL C to build a kernel of %u "
        "bindings, and its plugin refuses the raw empty kernel's wrong parameters (%s)",
        limit, ahal_last_error_message());
  if (st != AHAL_SUCCESS)
    fail("a launch with max_bindings = %u bindings returned %s: %s", limit, ahal_status_string(st),
         ahal_last_error_message());
  CHECK_OK(ahal_stream_synchronize(s));
  if (w.checks)
    for (uint32_t i = 0; i < limit; ++i) {
      const uint32_t got = ctx.read_as<uint32_t>(buffers[i], 1)[0];
      REQUIRE(got == i + 1, "binding %u of %u holds %u, expected %u", i, limit, got, i + 1);
    }
  ctx.check_device_usable("a launch past max_bindings");
}

CONFORM_TEST(constants, "limits.constants", core, kNeeds) {
  const uint32_t limit = ctx.props().max_constants_size / 4 * 4;
  if (limit == 0) skip("max_constants_size is below 4");
  WideKernel w = wide_kernel(ctx, 1, limit);
  Buffer out = ctx.buffer(256);
  ctx.fill_bytes(out, 0, 256, 0);
  std::vector<uint32_t> constants(limit / 4 + 1, 0);
  constants[0] = 1000;
  ahal_binding_t b = bind(out);
  ahal_launch_args_t args{};
  args.struct_size = sizeof(args);
  args.grid[0] = args.grid[1] = args.grid[2] = 1;
  args.workgroup_size[0] = args.workgroup_size[1] = args.workgroup_size[2] = 1;
  args.binding_count = 1;
  args.bindings = &b;
  args.constants = constants.data();
  args.constants_size = limit;
  Stream s = ctx.stream();
  args.constants_size = limit + 4;
  expect_refused(ahal_stream_launch(s, w.kernel, &args), "constants",
                 format("%u bytes of constants", limit + 4));
  args.constants_size = limit;
  ahal_status_t st = ahal_stream_launch(s, w.kernel, &args);
  if (st == AHAL_ERROR_INVALID_ARGUMENT && !w.checks)
    skip(
        "launch at the limit not tried: the device takes no OpenCL C to build a kernel of %u "
        "constant bytes, and its plugin refuses the raw empty kernel's wrong parameters (%s)",
        limit, ahal_last_error_message());
  if (st != AHAL_SUCCESS)
    fail("a launch with max_constants_size = %u bytes of constants returned %s: %s", limit,
         ahal_status_string(st), ahal_last_error_message());
  CHECK_OK(ahal_stream_synchronize(s));
  if (w.checks) {
    const uint32_t got = ctx.read_as<uint32_t>(out, 1)[0];
    REQUIRE(got == 1001, "the kernel saw constant word 0 as %u, expected 1000", got - 1);
  }
  ctx.check_device_usable("a launch past max_constants_size");
}

}  // namespace
