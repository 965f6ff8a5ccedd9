#version 450
#extension GL_GOOGLE_include_directive : require
#include "ahal_kernel.glsl"

// Does nothing: measures launch latency.
void main() {}
