// TEST ONLY: runs CUDA kernels compiled for the host (cuda_host_shim.hpp)
// with CUDA's block semantics, for the fake driver (fake_libcuda.cpp).
//
// One block at a time on the calling OS thread; each CUDA thread of the block
// is a fiber (ucontext) that runs until it ends or reaches __syncthreads(),
// which waits until every live thread of the block got there. A thread that
// ends without waiting hands its fiber to the next thread, so kernels without
// barriers cost no context switch. `__shared__` variables are thread_local:
// one copy per OS thread (stream), shared by that thread's fibers.
//
// A kernel's stray access faults (SIGSEGV) when it hits an inaccessible page:
// memory from guarded_alloc ends at one, as does dynamic shared memory. The
// fault stops the launch and run_grid reports it, as a GPU would report an
// illegal address. Not caught: overruns smaller than an allocation's rounding
// up to 256 bytes, accesses below its start, overruns of static __shared__
// arrays. The SIGSEGV handler is (re)installed at each launch; faults outside
// kernels go on to the handler it replaced.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace ahal_cuda_host {

struct uint3 {
  unsigned x, y, z;
};

struct Grid {
  unsigned grid[3];
  unsigned block[3];
  unsigned dynamic_shared;  // bytes
};

struct RunStats {
  uint64_t threads = 0;   // CUDA threads started
  uint64_t barriers = 0;  // __syncthreads() calls
  bool faulted = false;   // a thread faulted; the launch stopped there
};

// Runs body(arg) once per CUDA thread of `grid` on the calling OS thread.
RunStats run_grid(const Grid& grid, void (*body)(void*), void* arg);

// A kernel of the host build of kernels/cuda/ahal_kernels.cu.
struct Kernel {
  const char* name;
  std::vector<size_t> param_sizes;     // host sizeof of each parameter
  std::vector<bool> param_is_pointer;  // the parameters the fake checks
  // Unpacks the parameters (the driver's layout: bytes at offsets[i]) and
  // runs the grid.
  RunStats (*launch)(const Grid& grid, const unsigned char* params, const size_t* offsets);
};

// The kernel named `name`, or nullptr.
const Kernel* find_kernel(const std::string& name);

// `size` bytes, 256-aligned, whose rounded-up end touches an inaccessible
// page. nullptr when out of memory.
void* guarded_alloc(size_t size);
void guarded_free(void* p, size_t size);

}  // namespace ahal_cuda_host
