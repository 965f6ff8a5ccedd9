// ahal_buffer_get_native on opencl:0 (docs/interop.md): the handle is a
// real cl_mem of the reported cl_context, holding what ahal wrote, checked
// with OpenCL itself. Exits 77 (skipped) when there is no OpenCL device.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#define CL_TARGET_OPENCL_VERSION 120
#include <CL/cl.h>
#include <ahal/ahal.h>

#include <cstdint>
#include <vector>

#include "device_test_support.hpp"

TEST_CASE("an opencl:0 buffer's native handle is its cl_mem and cl_context") {
  ahal_test::StreamFixture f(AHAL_TEST_PLUGIN_DIR, "opencl", "opencl:0");
  ahal_buffer_args_t args = {sizeof(args), 4096, 0};
  ahal_buffer_t b = nullptr;
  REQUIRE(ahal_buffer_create(f.device, &args, &b) == AHAL_SUCCESS);
  const uint32_t pattern = 0x0c1a0c1a;
  REQUIRE(ahal_stream_fill(f.stream, b, 0, 4096, &pattern, 4) == AHAL_SUCCESS);
  REQUIRE(ahal_stream_synchronize(f.stream) == AHAL_SUCCESS);

  ahal_native_buffer_t n = {};
  n.struct_size = sizeof(n);
  REQUIRE(ahal_buffer_get_native(b, &n) == AHAL_SUCCESS);
  CHECK(n.kind == AHAL_NATIVE_HANDLE_OPENCL_MEM);
  CHECK(n.size == 4096);
  CHECK(n.memory == 0);
  auto mem = reinterpret_cast<cl_mem>(static_cast<uintptr_t>(n.handle));
  auto context = reinterpret_cast<cl_context>(static_cast<uintptr_t>(n.context));
  size_t size = 0;
  REQUIRE(clGetMemObjectInfo(mem, CL_MEM_SIZE, sizeof(size), &size, nullptr) == CL_SUCCESS);
  CHECK(size == 4096);
  cl_context owner = nullptr;
  REQUIRE(clGetMemObjectInfo(mem, CL_MEM_CONTEXT, sizeof(owner), &owner, nullptr) == CL_SUCCESS);
  CHECK(owner == context);
  // Read it back with a queue of our own on that context.
  cl_device_id device = nullptr;
  REQUIRE(clGetContextInfo(context, CL_CONTEXT_DEVICES, sizeof(device), &device, nullptr) ==
          CL_SUCCESS);
  cl_int err = CL_SUCCESS;
  cl_command_queue q = clCreateCommandQueue(context, device, 0, &err);
  REQUIRE(err == CL_SUCCESS);
  std::vector<uint32_t> back(1024, 0);
  CHECK(clEnqueueReadBuffer(q, mem, CL_TRUE, 0, 4096, back.data(), 0, nullptr, nullptr) ==
        CL_SUCCESS);
  clReleaseCommandQueue(q);
  CHECK(back[0] == pattern);
  CHECK(back[1023] == pattern);
  REQUIRE(ahal_buffer_destroy(b) == AHAL_SUCCESS);
}

int main(int argc, char** argv) {
  if (!ahal_test::find_device(AHAL_TEST_PLUGIN_DIR, "opencl", "opencl:0")) return 77;
  return Catch::Session().run(argc, argv);
}
