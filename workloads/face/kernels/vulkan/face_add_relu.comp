#version 450
#extension GL_GOOGLE_include_directive : require
#include "face_layers.glsl"

// face.cl's face_add_relu: c = max(a + b, 0) over n floats. Global id x.
layout(set = 0, binding = 0) readonly buffer A { float a[]; };
layout(set = 0, binding = 1) readonly buffer B { float b[]; };
layout(set = 0, binding = 2) writeonly buffer C { float c[]; };
layout(push_constant) uniform Constants { uint n; } k;

void main() {
  uint i = gl_GlobalInvocationID.x;
  if (i < k.n) c[i] = max(a[i] + b[i], 0.0);
}
