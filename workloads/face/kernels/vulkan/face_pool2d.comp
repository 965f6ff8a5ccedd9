#version 450
#extension GL_GOOGLE_include_directive : require
#include "face_layers.glsl"

// face.cl's face_pool2d. Global id x: channel, y: output column,
// z: batch * ext_h + row.
layout(set = 0, binding = 0) readonly buffer In { float x[]; };
layout(set = 0, binding = 1) writeonly buffer Out { float y[]; };
layout(push_constant) uniform Constants {
  uint batch, in_h, in_w, in_c, in_border, out_h, out_w, out_c, out_border;
  uint ext_h, ext_w, window, stride, mode;
} k;

void main() {
  uint c = gl_GlobalInvocationID.x;
  uint q = gl_GlobalInvocationID.y;
  uint np = gl_GlobalInvocationID.z;
  if (c >= k.in_c || q >= k.ext_w || np >= k.batch * k.ext_h) return;
  uint n = np / k.ext_h;
  uint p = np - n * k.ext_h;
  uint y0 = p * k.stride;
  uint x0 = q * k.stride;
  uint rows = min(k.window, k.in_h - y0);
  uint cols = min(k.window, k.in_w - x0);
  uint origin = face_at(n, y0, x0, k.in_h, k.in_w, k.in_c, k.in_border) + c;
  uint pitch = (k.in_w + 2u * k.in_border) * k.in_c;
  float acc;
  if (k.mode == 0u) {
    acc = uintBitsToFloat(0xff800000u);  // -inf
    for (uint r = 0u; r < rows; ++r) {
      for (uint s = 0u; s < cols; ++s) acc = max(acc, x[origin + r * pitch + s * k.in_c]);
    }
  } else {
    acc = 0.0;
    for (uint r = 0u; r < rows; ++r) {
      for (uint s = 0u; s < cols; ++s) acc += x[origin + r * pitch + s * k.in_c];
    }
    acc /= float(rows * cols);
  }
  y[face_at(n, p, q, k.out_h, k.out_w, k.out_c, k.out_border) + c] = acc;
}
