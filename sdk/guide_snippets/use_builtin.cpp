// docs/plugin-guide.md, "Built-in kernels": an application runs a built-in
// operator on a device without general kernels. Built and run as the ctest
// guide_use_builtin when libahal is built.
#include <ahal/ahal.h>

#include <cstdio>
#include <vector>

namespace {

bool ok(ahal_status_t status, const char* what) {
  if (status == AHAL_SUCCESS) return true;
  std::fprintf(stderr, "%s: %s: %s\n", what, ahal_status_string(status), ahal_last_error_message());
  return false;
}

ahal_status_t make_buffer(ahal_device_t device, const std::vector<float>& like,
                          ahal_buffer_t* out) {
  ahal_buffer_args_t args = {sizeof(args), like.size() * sizeof(float), 0};
  return ahal_buffer_create(device, &args, out);
}

// guide-snippet: run-gemm
// C = A·B with A 2x3 and B 3x2, on the simulated ASIC.
bool run_gemm(ahal_runtime_t runtime) {
  struct {
    uint32_t M, N, K;
    float alpha, beta;
  } constants = {2, 2, 3, 1.0f, 0.0f};  // layout from docs/builtins.md
  std::vector<float> a = {1, 2, 3, 4, 5, 6}, b = {7, 8, 9, 10, 11, 12}, c(4);

  ahal_device_t device;
  ahal_kernel_t gemm;
  ahal_stream_t stream;
  ahal_buffer_t A, B, C;
  if (!ok(ahal_device_find(runtime, "asic_sim:0", &device), "find device") ||
      !ok(ahal_kernel_get_builtin(device, "ahal.builtin.gemm_f32", &gemm), "get gemm") ||
      !ok(ahal_stream_create(device, nullptr, &stream), "create stream") ||
      !ok(make_buffer(device, a, &A), "buffer A") || !ok(make_buffer(device, b, &B), "buffer B") ||
      !ok(make_buffer(device, c, &C), "buffer C")) {
    return false;
  }
  ahal_binding_t bindings[3] = {{A, 0, 0}, {B, 0, 0}, {C, 0, 0}};  // size 0: to the end
  ahal_launch_args_t launch = {};
  launch.struct_size = sizeof(launch);
  for (int d = 0; d < 3; ++d) launch.grid[d] = launch.workgroup_size[d] = 1;
  launch.binding_count = 3;
  launch.bindings = bindings;
  launch.constants = &constants;
  launch.constants_size = sizeof(constants);

  // No mapping on this device: data moves by stream copies, in stream order.
  if (!ok(ahal_stream_copy_h2d(stream, a.data(), A, 0, a.size() * 4), "copy A") ||
      !ok(ahal_stream_copy_h2d(stream, b.data(), B, 0, b.size() * 4), "copy B") ||
      !ok(ahal_stream_launch(stream, gemm, &launch), "launch gemm") ||
      !ok(ahal_stream_copy_d2h(stream, C, 0, c.data(), c.size() * 4), "copy C") ||
      !ok(ahal_stream_synchronize(stream), "synchronize")) {
    return false;
  }
  std::printf("C = [%g %g; %g %g]\n", c[0], c[1], c[2], c[3]);  // [58 64; 139 154]
  return c == std::vector<float>{58, 64, 139, 154};
}
// guide-snippet-end

}  // namespace

int main() {
  ahal_runtime_t runtime;
  if (!ok(ahal_runtime_create(nullptr, &runtime), "create runtime")) return 1;
  bool right = run_gemm(runtime);
  ahal_runtime_destroy(runtime);  // also frees the buffers and the stream
  return right ? 0 : 1;
}
