#version 450
#extension GL_GOOGLE_include_directive : require
#include "ahal_kernel.glsl"

layout(set = 0, binding = 0) readonly buffer X { float x[]; };
layout(set = 0, binding = 1) buffer Y { float y[]; };
layout(push_constant) uniform Constants { float a; uint n; } k;

void main() {
  uint i = ahal_linear_id();
  if (i < k.n) y[i] = k.a * x[i] + y[i];
}
