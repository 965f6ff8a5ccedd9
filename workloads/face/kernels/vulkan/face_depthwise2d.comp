#version 450
#extension GL_GOOGLE_include_directive : require
#include "face_layers.glsl"

// face.cl's face_depthwise2d, 4 channels per invocation. Global id x:
// channel quad, y: pixel over batch * ext_h * ext_w.
layout(set = 0, binding = 0) readonly buffer In { vec4 x[]; };
layout(set = 0, binding = 1) readonly buffer Filter { vec4 w[]; };
layout(set = 0, binding = 2) readonly buffer Bias { vec4 b[]; };
layout(set = 0, binding = 3) readonly buffer Residual { vec4 res[]; };
layout(set = 0, binding = 4) writeonly buffer Out { vec4 y[]; };
layout(push_constant) uniform Constants {
  uint batch, in_h, in_w, in_c, in_border, out_h, out_w, out_c, out_border, res_border;
  uint ext_h, ext_w, filter_h, filter_w, stride, pad, flags, reserved;
} k;

void main() {
  uint cq = gl_GlobalInvocationID.x;
  uint m = gl_GlobalInvocationID.y;
  uint C4 = k.in_c / 4u;
  uint extent = k.ext_h * k.ext_w;
  if (cq >= C4 || m >= k.batch * extent) return;
  uint n = m / extent;
  uint pq = m - n * extent;
  uint p = pq / k.ext_w;
  uint q = pq - p * k.ext_w;
  uint in_pitch = k.in_w + 2u * k.in_border;
  uint in_rows = k.in_h + 2u * k.in_border;
  uint origin = k.in_border - k.pad;
  uint corner = ((n * in_rows + p * k.stride + origin) * in_pitch + q * k.stride + origin) * C4 + cq;
  vec4 acc = vec4(0.0);
  for (uint r = 0u; r < k.filter_h; ++r) {
    for (uint s = 0u; s < k.filter_w; ++s) {
      acc = fma(x[corner + (r * in_pitch + s) * C4], w[(r * k.filter_w + s) * C4 + cq], acc);
    }
  }
  vec4 v = acc + b[cq];
  if ((k.flags & FACE_RESIDUAL) != 0u) v += res[face_at(n, p, q, k.out_h, k.out_w, C4, k.res_border) + cq];
  if ((k.flags & FACE_RELU) != 0u) v = max(v, vec4(0.0));
  if ((k.flags & FACE_LEAKY) != 0u) {
    vec4 t = v * 0.1;
    v = max(v - t, vec4(0.0)) + t;
  }
  y[face_at(n, p, q, k.out_h, k.out_w, C4, k.out_border) + cq] = v;
}
