#version 450
#extension GL_GOOGLE_include_directive : require
#include "ahal_kernel.glsl"

layout(set = 0, binding = 0) buffer Counter { uint counter[]; };

void main() {
  atomicAdd(counter[0], 1u);
  atomicAdd(counter[1], ahal_linear_id());
}
