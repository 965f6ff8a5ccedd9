#version 450
#extension GL_GOOGLE_include_directive : require
#include "ahal_kernel.glsl"

layout(set = 0, binding = 0) writeonly buffer Out { double result[]; };
layout(push_constant) uniform Constants { double a; double b; uint iters; uint pad; } k;

void main() {
  uint i = ahal_linear_id();
  double start = double(i % 1024u) * 1e-3LF;
  double x[8];
  for (int j = 0; j < 8; ++j) x[j] = start + double(j);
  for (uint it = 0u; it < k.iters; ++it)
    for (int j = 0; j < 8; ++j) x[j] = x[j] * k.a + k.b;
  double sum = 0.0LF;
  for (int j = 0; j < 8; ++j) sum += x[j];
  result[i] = sum;
}
