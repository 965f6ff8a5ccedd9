__kernel void k(__global float* a, __local float* x, __local float* y) { a[0] = x[0] + y[0]; }
