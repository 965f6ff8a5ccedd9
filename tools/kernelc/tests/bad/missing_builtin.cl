__kernel void k(__global float4* a) { a[0] = shuffle(a[1], (uint4)(3, 2, 1, 0)); }
