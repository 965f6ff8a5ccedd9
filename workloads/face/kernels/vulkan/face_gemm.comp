#version 450
#extension GL_GOOGLE_include_directive : require
#include "face_layers.glsl"

// face.cl's face_gemm: C[m][n] = sum_k A[m][k] * B[k][n]. Global id x:
// column, y: row.
layout(set = 0, binding = 0) readonly buffer A { float a[]; };
layout(set = 0, binding = 1) readonly buffer B { float b[]; };
layout(set = 0, binding = 2) writeonly buffer C { float c[]; };
layout(push_constant) uniform Constants { uint m, n, k; } k;

void main() {
  uint col = gl_GlobalInvocationID.x;
  uint row = gl_GlobalInvocationID.y;
  if (col >= k.n || row >= k.m) return;
  float acc = 0.0;
  for (uint i = 0u; i < k.k; ++i) acc = fma(a[row * k.k + i], b[i * k.n + col], acc);
  c[row * k.n + col] = acc;
}
