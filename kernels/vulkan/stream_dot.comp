#version 450
#extension GL_GOOGLE_include_directive : require
#include "ahal_kernel.glsl"

// 1D; the workgroup size is a power of two <= 256.
layout(set = 0, binding = 0) readonly buffer A { double a[]; };
layout(set = 0, binding = 1) readonly buffer B { double b[]; };
layout(set = 0, binding = 2) writeonly buffer Partial { double partial[]; };
layout(push_constant) uniform Constants { double s; uint n; uint pad; } k;

shared double sums[256];

void main() {
  uint l = gl_LocalInvocationID.x;
  uint stride = gl_NumWorkGroups.x * gl_WorkGroupSize.x;
  double sum = 0.0;
  for (uint i = gl_GlobalInvocationID.x; i < k.n; i += stride) sum += a[i] * b[i];
  sums[l] = sum;
  barrier();
  for (uint s = gl_WorkGroupSize.x / 2u; s > 0u; s >>= 1u) {
    if (l < s) sums[l] += sums[l + s];
    barrier();
  }
  if (l == 0u) partial[gl_WorkGroupID.x] = sums[0];
}
