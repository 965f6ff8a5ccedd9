// negative: ahal_stream_launch and ahal_stream_host_callback given one bad
// input each (negative.hpp). Launches use the standard kernels.
#include "negative.hpp"

namespace {

using namespace conform;

constexpr uint64_t kNeeds = AHAL_FEATURE_GENERAL_KERNELS;

// A valid vector_add launch of 64 items to spoil one field of.
struct Launch {
  explicit Launch(Context& ctx)
      : a(ctx.buffer(256)), b(ctx.buffer(256)), c(ctx.buffer(256)), s(ctx.stream()) {
    k = ctx.kernel("vector_add");
    binds[0] = bind(a);
    binds[1] = bind(b);
    binds[2] = bind(c);
    args.struct_size = sizeof(args);
    args.grid[0] = args.grid[1] = args.grid[2] = 1;
    args.workgroup_size[0] = 64;
    args.workgroup_size[1] = args.workgroup_size[2] = 1;
    args.binding_count = 3;
    args.bindings = binds;
    args.constants = &n;
    args.constants_size = 4;
  }
  ahal_status_t run() { return ahal_stream_launch(s, k, &args); }
  Buffer a, b, c;
  Stream s;
  ahal_kernel_t k = nullptr;
  ahal_binding_t binds[4] = {};
  uint32_t n = 64;
  ahal_launch_args_t args{};
};

const char* kFn = "ahal_stream_launch";

NEGATIVE(launch_args_null, "stream_launch.args_null", kNeeds) {
  Launch l(ctx);
  expect_refusal(ctx, ahal_stream_launch(l.s, l.k, nullptr), {AHAL_ERROR_INVALID_ARGUMENT}, kFn,
                 "args is NULL");
}

NEGATIVE(launch_struct_size, "stream_launch.struct_size", kNeeds) {
  Launch l(ctx);
  l.args.struct_size = 3;
  expect_refusal(ctx, l.run(), {AHAL_ERROR_INVALID_ARGUMENT}, kFn,
                 "ahal_launch_args_t.struct_size 3 is smaller");
}

NEGATIVE(launch_grid_x_zero, "stream_launch.grid_x_zero", kNeeds) {
  Launch l(ctx);
  l.args.grid[0] = 0;
  expect_refusal(ctx, l.run(), {AHAL_ERROR_OUT_OF_RANGE}, kFn, "grid[0] is 0");
}

NEGATIVE(launch_grid_z_zero, "stream_launch.grid_z_zero", kNeeds) {
  Launch l(ctx);
  l.args.grid[2] = 0;
  expect_refusal(ctx, l.run(), {AHAL_ERROR_OUT_OF_RANGE}, kFn, "grid[2] is 0");
}

NEGATIVE(launch_wg_y_zero, "stream_launch.workgroup_y_zero", kNeeds) {
  Launch l(ctx);
  l.args.workgroup_size[1] = 0;
  expect_refusal(ctx, l.run(), {AHAL_ERROR_OUT_OF_RANGE}, kFn, "workgroup_size[1] is 0");
}

NEGATIVE(launch_grid_max, "stream_launch.grid_uint32_max_twice", kNeeds) {
  // 2^64 - 2^33 + 1 work-items: refused whatever the per-dimension limits.
  Launch l(ctx);
  l.args.grid[0] = l.args.grid[2] = UINT32_MAX;
  l.args.workgroup_size[0] = 1;
  expect_refusal(ctx, l.run(), {AHAL_ERROR_OUT_OF_RANGE}, kFn, "grid");
}

NEGATIVE(launch_binding_count, "stream_launch.binding_count_for_kernel", kNeeds) {
  Launch l(ctx);
  l.args.binding_count = 2;
  expect_refusal(ctx, l.run(), {AHAL_ERROR_INVALID_ARGUMENT}, kFn,
                 "kernel vector_add takes 3 bindings, got 2");
}

NEGATIVE(launch_bindings_null, "stream_launch.bindings_null", kNeeds) {
  Launch l(ctx);
  l.args.bindings = nullptr;
  expect_refusal(ctx, l.run(), {AHAL_ERROR_INVALID_ARGUMENT}, kFn,
                 "bindings is NULL with binding_count 3");
}

NEGATIVE(launch_binding_unaligned, "stream_launch.binding_offset_unaligned", kNeeds) {
  const uint32_t align = ctx.props().binding_offset_alignment;
  if (align <= 1) skip("binding_offset_alignment is %u: every offset is aligned", align);
  Launch l(ctx);
  l.binds[1].offset = align / 2;
  expect_refusal(ctx, l.run(), {AHAL_ERROR_INVALID_ARGUMENT}, kFn,
                 "binding 1: offset " + std::to_string(align / 2) +
                     " is not a multiple of binding_offset_alignment");
}

NEGATIVE(launch_binding_offset_end, "stream_launch.binding_offset_at_end", kNeeds) {
  Launch l(ctx);
  l.binds[2].offset = 256;
  expect_refusal(ctx, l.run(), {AHAL_ERROR_OUT_OF_RANGE, AHAL_ERROR_INVALID_ARGUMENT}, kFn,
                 "binding 2: offset 256");
}

NEGATIVE(launch_binding_size_end, "stream_launch.binding_range_past_end", kNeeds) {
  Launch l(ctx);
  l.binds[0].size = 257;
  expect_refusal(ctx, l.run(), {AHAL_ERROR_OUT_OF_RANGE}, kFn,
                 "binding 0: offset 0 + size 257 exceeds buffer size 256");
}

NEGATIVE(launch_binding_destroyed, "stream_launch.binding_destroyed_buffer", kNeeds) {
  Launch l(ctx);
  ahal_buffer_t dead = ctx.buffer(256).release();
  CHECK_OK(ahal_buffer_destroy(dead));
  l.binds[1].buffer = dead;
  expect_refusal(ctx, l.run(), {AHAL_ERROR_INVALID_HANDLE}, kFn, "binding 1: buffer handle");
}

NEGATIVE(launch_binding_other_runtime, "stream_launch.binding_of_another_runtime", kNeeds) {
  OtherRuntime other(ctx);
  ahal_buffer_args_t a{};
  a.struct_size = sizeof(a);
  a.size = 256;
  ahal_buffer_t foreign = nullptr;
  CHECK_OK(ahal_buffer_create(other.device(), &a, &foreign));
  Buffer holder(foreign);
  Launch l(ctx);
  l.binds[0].buffer = foreign;
  expect_refusal(ctx, l.run(), {AHAL_ERROR_INVALID_ARGUMENT}, kFn, "(another runtime)");
}

NEGATIVE(launch_constants_size, "stream_launch.constants_size_for_kernel", kNeeds) {
  Launch l(ctx);
  uint32_t more[2] = {64, 0};
  l.args.constants = more;
  l.args.constants_size = 8;
  expect_refusal(ctx, l.run(), {AHAL_ERROR_INVALID_ARGUMENT}, kFn,
                 "kernel vector_add takes 4 bytes of constants, got 8");
}

NEGATIVE(launch_constants_unaligned, "stream_launch.constants_size_not_multiple_of_4", kNeeds) {
  Launch l(ctx);
  l.args.constants_size = 3;
  expect_refusal(ctx, l.run(), {AHAL_ERROR_INVALID_ARGUMENT}, kFn, "constants_size 3");
}

NEGATIVE(launch_constants_null, "stream_launch.constants_null", kNeeds) {
  Launch l(ctx);
  l.args.constants = nullptr;
  expect_refusal(ctx, l.run(), {AHAL_ERROR_INVALID_ARGUMENT}, kFn,
                 "constants is NULL with constants_size 4");
}

NEGATIVE(launch_dynamic_not_taken, "stream_launch.dynamic_shared_not_taken",
         kNeeds | AHAL_FEATURE_DYNAMIC_SHARED_MEMORY) {
  Launch l(ctx);
  l.args.dynamic_shared_bytes = 64;
  expect_refusal(ctx, l.run(), {AHAL_ERROR_INVALID_ARGUMENT}, kFn,
                 "kernel vector_add does not take dynamic shared memory");
}

NEGATIVE(launch_wg_past_kernel, "stream_launch.workgroup_past_device", kNeeds) {
  Launch l(ctx);
  l.args.workgroup_size[0] = ctx.props().max_workgroup_size + 1;
  expect_refusal(ctx, l.run(), {AHAL_ERROR_OUT_OF_RANGE}, kFn, "exceeds the device's max_");
}

NEGATIVE(launch_kernel_other_runtime, "stream_launch.kernel_of_another_runtime", kNeeds) {
  OtherRuntime other(ctx);
  ahal_module_args_t a{};
  a.struct_size = sizeof(a);
  a.format = AHAL_MODULE_FORMAT_BUNDLE;
  a.path = ctx.bundle_path().c_str();
  Module m;
  CHECK_OK(ahal_module_create(other.device(), &a, m.out()));
  ahal_kernel_t foreign = nullptr;
  CHECK_OK(ahal_kernel_get(m, "vector_add", &foreign));
  Launch l(ctx);
  expect_refusal(ctx, ahal_stream_launch(l.s, foreign, &l.args), {AHAL_ERROR_INVALID_ARGUMENT}, kFn,
                 "kernel belongs to device");
}

NEGATIVE(launch_kernel_null, "stream_launch.kernel_null", kNeeds) {
  Launch l(ctx);
  expect_refusal(ctx, ahal_stream_launch(l.s, nullptr, &l.args), {AHAL_ERROR_INVALID_HANDLE}, kFn,
                 "kernel is NULL");
}

NEGATIVE(callback_null, "stream_host_callback.fn_null", 0) {
  Stream s = ctx.stream();
  expect_refusal(ctx, ahal_stream_host_callback(s, nullptr, nullptr), {AHAL_ERROR_INVALID_ARGUMENT},
                 "ahal_stream_host_callback", "fn is NULL");
}

}  // namespace
