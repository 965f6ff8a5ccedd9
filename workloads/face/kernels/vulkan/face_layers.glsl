// Shared by the face layers' shaders (the GLSL twins of ../face.cl, same
// bindings, constants and results): workgroup size from specialization
// constants 0, 1, 2 (docs/kernel-abi.md, Vulkan row).
layout(local_size_x_id = 0, local_size_y_id = 1, local_size_z_id = 2) in;

#define FACE_RELU 1u
#define FACE_RESIDUAL 2u
#define FACE_LEAKY 4u

// Offset (in elements of c channels) of interior pixel (n, y, x) of a
// tensor with a zero frame of `border` pixels.
uint face_at(uint n, uint y, uint x, uint h, uint w, uint c, uint border) {
  return ((n * (h + 2u * border) + y + border) * (w + 2u * border) + x + border) * c;
}
