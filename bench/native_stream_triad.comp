#version 450
// STREAM Triad for native-stream-vulkan: one invocation per element, no
// bounds check; y counts rows of the x extent, for arrays past 65535 groups.
layout(local_size_x_id = 0) in;
layout(set = 0, binding = 0) writeonly buffer A { double a[]; };
layout(set = 0, binding = 1) readonly buffer B { double b[]; };
layout(set = 0, binding = 2) readonly buffer C { double c[]; };
layout(push_constant) uniform Scalar { double s; } p;

void main() {
  uint i = gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * gl_NumWorkGroups.x * gl_WorkGroupSize.x;
  a[i] = b[i] + p.s * c[i];
}
