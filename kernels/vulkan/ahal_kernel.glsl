// Shared by the standard kernels (docs/kernel-abi.md, Vulkan row):
// workgroup size from specialization constants 0, 1, 2.
layout(local_size_x_id = 0, local_size_y_id = 1, local_size_z_id = 2) in;

// Linear global id: x.x + G.x * (x.y + G.y * x.z), G = grid * workgroup.
uint ahal_linear_id() {
  uvec3 g = gl_NumWorkGroups * gl_WorkGroupSize;
  uvec3 x = gl_GlobalInvocationID;
  return x.x + g.x * (x.y + g.y * x.z);
}
