typedef struct { uint n; } c_t; __kernel void k(__global float* a, c_t c, __global float* b) { b[0] = a[c.n]; }
