#version 450
#extension GL_GOOGLE_include_directive : require
#include "ahal_kernel.glsl"

layout(set = 0, binding = 0) writeonly buffer Out { uint result[]; };
layout(push_constant) uniform Constants { uint base; } k;

void main() {
  uint i = ahal_linear_id();
  result[i] = i + k.base;
}
