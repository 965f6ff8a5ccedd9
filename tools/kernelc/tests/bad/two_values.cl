typedef struct { uint n; } c_t; __kernel void k(__global float* a, float s, uint n) { a[0] = s; }
