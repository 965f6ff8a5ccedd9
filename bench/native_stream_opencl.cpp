// native-stream-opencl: McCalpin's STREAM written plainly against OpenCL,
// to compare ahal-stream with (bench/stream_compare.py). One work-item per
// element, no bounds check (the global size is the array size), the
// scalar as a plain kernel argument; each local size in turn (the driver's
// choice, then 64 .. the device's maximum), best rate of each kernel.
//
//   native-stream-opencl [--device N] [--size N] [--repeats K]
//
// N counts the devices of every platform in order, as ahal's opencl:N does.
// Prints "Triad: <GB/s> (local size L)" lines like ahal-stream's table.
#define CL_TARGET_OPENCL_VERSION 120
#include <CL/cl.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

const char kSource[] = R"(
#pragma OPENCL EXTENSION cl_khr_fp64 : enable
__kernel void copy(__global const double* a, __global double* c) {
  const size_t i = get_global_id(0);
  c[i] = a[i];
}
__kernel void scale(__global double* b, __global const double* c, const double s) {
  const size_t i = get_global_id(0);
  b[i] = s * c[i];
}
__kernel void add(__global const double* a, __global const double* b, __global double* c) {
  const size_t i = get_global_id(0);
  c[i] = a[i] + b[i];
}
__kernel void triad(__global double* a, __global const double* b, __global const double* c,
                    const double s) {
  const size_t i = get_global_id(0);
  a[i] = b[i] + s * c[i];
}
)";

void check(cl_int err, const char* what) {
  if (err == CL_SUCCESS) return;
  std::fprintf(stderr, "native-stream-opencl: %s failed: %d\n", what, err);
  std::exit(1);
}

}  // namespace

int main(int argc, char** argv) {
  unsigned device_index = 0;
  size_t n = size_t(1) << 25;
  int repeats = 10;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--device") && i + 1 < argc) {
      device_index = unsigned(std::atoi(argv[++i]));
    } else if (!std::strcmp(argv[i], "--size") && i + 1 < argc) {
      n = std::strtoull(argv[++i], nullptr, 10);
    } else if (!std::strcmp(argv[i], "--repeats") && i + 1 < argc) {
      repeats = std::max(2, std::atoi(argv[++i]));
    } else {
      std::fprintf(stderr, "usage: native-stream-opencl [--device N] [--size N] [--repeats K]\n");
      return 2;
    }
  }

  cl_uint platform_count = 0;
  if (clGetPlatformIDs(0, nullptr, &platform_count) != CL_SUCCESS || platform_count == 0) {
    std::printf("SKIP: no OpenCL platform\n");
    return 77;
  }
  std::vector<cl_platform_id> platforms(platform_count);
  check(clGetPlatformIDs(platform_count, platforms.data(), nullptr), "clGetPlatformIDs");
  std::vector<cl_device_id> devices;
  for (cl_platform_id p : platforms) {
    cl_uint count = 0;
    if (clGetDeviceIDs(p, CL_DEVICE_TYPE_ALL, 0, nullptr, &count) != CL_SUCCESS) continue;
    std::vector<cl_device_id> ids(count);
    clGetDeviceIDs(p, CL_DEVICE_TYPE_ALL, count, ids.data(), nullptr);
    devices.insert(devices.end(), ids.begin(), ids.end());
  }
  if (device_index >= devices.size()) {
    std::printf("SKIP: no OpenCL device %u\n", device_index);
    return 77;
  }
  cl_device_id dev = devices[device_index];
  char name[256] = {};
  clGetDeviceInfo(dev, CL_DEVICE_NAME, sizeof(name), name, nullptr);
  size_t max_wg = 0;
  clGetDeviceInfo(dev, CL_DEVICE_MAX_WORK_GROUP_SIZE, sizeof(max_wg), &max_wg, nullptr);

  cl_int err = CL_SUCCESS;
  cl_context ctx = clCreateContext(nullptr, 1, &dev, nullptr, nullptr, &err);
  check(err, "clCreateContext");
  cl_command_queue q = clCreateCommandQueue(ctx, dev, 0, &err);
  check(err, "clCreateCommandQueue");
  const char* src = kSource;
  cl_program prog = clCreateProgramWithSource(ctx, 1, &src, nullptr, &err);
  check(err, "clCreateProgramWithSource");
  if (clBuildProgram(prog, 1, &dev, "", nullptr, nullptr) != CL_SUCCESS) {
    std::printf("SKIP: %s cannot build the kernels (no fp64?)\n", name);
    return 77;
  }
  const char* names[4] = {"copy", "scale", "add", "triad"};
  cl_kernel k[4];
  for (int i = 0; i < 4; ++i) {
    k[i] = clCreateKernel(prog, names[i], &err);
    check(err, names[i]);
  }
  const size_t bytes = n * sizeof(double);
  cl_mem a = clCreateBuffer(ctx, CL_MEM_READ_WRITE, bytes, nullptr, &err);
  cl_mem b = clCreateBuffer(ctx, CL_MEM_READ_WRITE, bytes, nullptr, &err);
  cl_mem c = clCreateBuffer(ctx, CL_MEM_READ_WRITE, bytes, nullptr, &err);
  check(err, "clCreateBuffer");
  std::vector<double> init(n, 1.0);
  for (cl_mem m : {a, b, c})
    check(clEnqueueWriteBuffer(q, m, CL_TRUE, 0, bytes, init.data(), 0, nullptr, nullptr),
          "clEnqueueWriteBuffer");
  const double s = 3.0;
  clSetKernelArg(k[0], 0, sizeof(cl_mem), &a);
  clSetKernelArg(k[0], 1, sizeof(cl_mem), &c);
  clSetKernelArg(k[1], 0, sizeof(cl_mem), &b);
  clSetKernelArg(k[1], 1, sizeof(cl_mem), &c);
  clSetKernelArg(k[1], 2, sizeof(double), &s);
  clSetKernelArg(k[2], 0, sizeof(cl_mem), &a);
  clSetKernelArg(k[2], 1, sizeof(cl_mem), &b);
  clSetKernelArg(k[2], 2, sizeof(cl_mem), &c);
  clSetKernelArg(k[3], 0, sizeof(cl_mem), &a);
  clSetKernelArg(k[3], 1, sizeof(cl_mem), &b);
  clSetKernelArg(k[3], 2, sizeof(cl_mem), &c);
  clSetKernelArg(k[3], 3, sizeof(double), &s);

  // 0 = the driver picks the local size.
  std::vector<size_t> locals = {0};
  for (size_t l = 64; l <= max_wg && l <= 1024; l *= 2)
    if (n % l == 0) locals.push_back(l);
  const double kBytes[4] = {16, 16, 24, 24};
  double best[4] = {0, 0, 0, 0};
  size_t best_local[4] = {0, 0, 0, 0};
  using Clock = std::chrono::steady_clock;
  for (size_t local : locals) {
    for (int r = 0; r < repeats; ++r) {
      for (int i = 0; i < 4; ++i) {
        const auto start = Clock::now();
        check(clEnqueueNDRangeKernel(q, k[i], 1, nullptr, &n, local ? &local : nullptr, 0, nullptr,
                                     nullptr),
              "clEnqueueNDRangeKernel");
        check(clFinish(q), "clFinish");
        const double secs = std::chrono::duration<double>(Clock::now() - start).count();
        if (r == 0) continue;  // warm-up
        const double gbps = kBytes[i] * double(n) / secs / 1e9;
        if (gbps > best[i]) {
          best[i] = gbps;
          best_local[i] = local;
        }
      }
    }
  }
  std::printf("native OpenCL STREAM on %s, %zu doubles, best of %d repeats per local size\n", name,
              n, repeats - 1);
  const char* labels[4] = {"Copy", "Scale", "Add", "Triad"};
  for (int i = 0; i < 4; ++i) {
    std::printf("%s: %.1f GB/s (local size %s)\n", labels[i], best[i],
                best_local[i] ? std::to_string(best_local[i]).c_str() : "chosen by the driver");
  }
  for (cl_kernel kk : k) clReleaseKernel(kk);
  for (cl_mem m : {a, b, c}) clReleaseMemObject(m);
  clReleaseProgram(prog);
  clReleaseCommandQueue(q);
  clReleaseContext(ctx);
  return 0;
}
