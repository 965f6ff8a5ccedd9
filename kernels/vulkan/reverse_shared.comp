#version 450
#extension GL_GOOGLE_include_directive : require
#include "ahal_kernel.glsl"

// 1D, workgroup size <= 256, static shared tile.
layout(set = 0, binding = 0) readonly buffer Src { uint src[]; };
layout(set = 0, binding = 1) writeonly buffer Dst { uint dst[]; };

shared uint tile[256];

void main() {
  uint w = gl_WorkGroupSize.x;
  uint l = gl_LocalInvocationID.x;
  uint base = gl_WorkGroupID.x * w;
  tile[l] = src[base + l];
  barrier();
  dst[base + l] = tile[w - 1u - l];
}
