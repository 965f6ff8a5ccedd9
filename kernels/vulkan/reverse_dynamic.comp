#version 450
#extension GL_GOOGLE_include_directive : require
#include "ahal_kernel.glsl"

// As reverse_shared, but the tile is dynamic shared memory: its size in
// bytes is specialization constant 3 (at least one element, so the array
// stays valid when a launch passes 0).
layout(constant_id = 3) const uint AHAL_DYNAMIC_SHARED_BYTES = 4;
const uint kTileWords = AHAL_DYNAMIC_SHARED_BYTES >= 4u ? AHAL_DYNAMIC_SHARED_BYTES / 4u : 1u;

layout(set = 0, binding = 0) readonly buffer Src { uint src[]; };
layout(set = 0, binding = 1) writeonly buffer Dst { uint dst[]; };

shared uint tile[kTileWords];

void main() {
  uint w = gl_WorkGroupSize.x;
  uint l = gl_LocalInvocationID.x;
  uint base = gl_WorkGroupID.x * w;
  tile[l] = src[base + l];
  barrier();
  dst[base + l] = tile[w - 1u - l];
}
