#version 450
#extension GL_GOOGLE_include_directive : require
#include "ahal_kernel.glsl"

layout(set = 0, binding = 0) readonly buffer A { float a[]; };
layout(set = 0, binding = 1) readonly buffer B { float b[]; };
layout(set = 0, binding = 2) writeonly buffer C { float c[]; };
layout(push_constant) uniform Constants { uint n; } k;

void main() {
  uint i = ahal_linear_id();
  if (i < k.n) c[i] = a[i] + b[i];
}
