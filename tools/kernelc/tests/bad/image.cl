__kernel void k(read_only image2d_t img, __global float* a) { a[0] = 1.0f; }
