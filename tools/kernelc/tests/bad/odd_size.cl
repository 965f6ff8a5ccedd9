__kernel void k(__global uchar* a, uchar v) { a[0] = v; }
