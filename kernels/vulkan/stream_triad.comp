#version 450
#extension GL_GOOGLE_include_directive : require
#include "ahal_kernel.glsl"

layout(set = 0, binding = 0) writeonly buffer A { double a[]; };
layout(set = 0, binding = 1) readonly buffer B { double b[]; };
layout(set = 0, binding = 2) readonly buffer C { double c[]; };
layout(push_constant) uniform Constants { double s; uint n; uint pad; } k;

void main() {
  uint i = ahal_linear_id();
  if (i < k.n) a[i] = b[i] + k.s * c[i];
}
