#version 450
#extension GL_GOOGLE_include_directive : require
#include "ahal_kernel.glsl"

layout(set = 0, binding = 0) writeonly buffer Out { float result[]; };
layout(push_constant) uniform Constants { uint iters; float a; float b; uint pad; } k;

void main() {
  uint i = ahal_linear_id();
  float start = float(i % 1024u) * 1e-3;
  float x[8];
  for (int j = 0; j < 8; ++j) x[j] = start + float(j);
  for (uint it = 0u; it < k.iters; ++it)
    for (int j = 0; j < 8; ++j) x[j] = x[j] * k.a + k.b;
  float sum = 0.0;
  for (int j = 0; j < 8; ++j) sum += x[j];
  result[i] = sum;
}
