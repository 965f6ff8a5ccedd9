// Kernels that report how the CPU plugin called them (tests only).
#include <ahal/cpu_kernel.h>

#include <chrono>
#include <cstdint>
#include <cstring>
#include <thread>

namespace {
struct Probe {
  uint32_t workgroup_id[3];
  uint32_t worker_index;
  uint32_t worker_count;
  uint32_t shared_aligned;  // 1 if shared_memory is 64-byte aligned (or absent)
  uint32_t shared_size;
  uint32_t binding_count;
  uint32_t constants_size;
  uint32_t constants_first;  // first 4 constant bytes
  uint32_t pad[2];
};
}  // namespace

// out: Probe per workgroup, at the workgroup's linear index. Also writes a
// marker through the whole shared memory and checks it is still there after
// a pause, which fails if two workgroups got the same memory at once.
AHAL_CPU_KERNEL(probe) {
  const uint64_t index =
      d->workgroup_id[0] +
      uint64_t(d->grid[0]) * (d->workgroup_id[1] + uint64_t(d->grid[1]) * d->workgroup_id[2]);
  Probe p{};
  std::memcpy(p.workgroup_id, d->workgroup_id, sizeof(p.workgroup_id));
  p.worker_index = d->worker_index;
  p.worker_count = d->worker_count;
  p.shared_aligned = (reinterpret_cast<uintptr_t>(d->shared_memory) % 64) == 0;
  p.shared_size = d->shared_memory_size;
  p.binding_count = d->binding_count;
  p.constants_size = d->constants_size;
  if (d->constants_size >= 4) std::memcpy(&p.constants_first, d->constants, 4);
  if (d->shared_memory_size >= 8) {
    auto* shared = static_cast<uint64_t*>(d->shared_memory);
    const size_t words = d->shared_memory_size / 8;
    for (size_t i = 0; i < words; ++i) shared[i] = index;
    std::this_thread::yield();
    for (size_t i = 0; i < words; ++i) {
      if (shared[i] != index) p.shared_aligned = 2;  // clobbered by another workgroup
    }
  }
  static_cast<Probe*>(d->bindings[0])[index] = p;
}

// flag[0]: waits (up to 10 s) until it is nonzero, then sets flag[1] = 1 if
// it saw it (2 if it gave up).
AHAL_CPU_KERNEL(wait_flag) {
  auto* flag = static_cast<uint32_t*>(d->bindings[0]);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (__atomic_load_n(&flag[0], __ATOMIC_ACQUIRE) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      __atomic_store_n(&flag[1], 2u, __ATOMIC_RELEASE);
      return;
    }
    std::this_thread::yield();
  }
  __atomic_store_n(&flag[1], 1u, __ATOMIC_RELEASE);
}

// flag[0] = 1.
AHAL_CPU_KERNEL(set_flag) {
  __atomic_store_n(static_cast<uint32_t*>(d->bindings[0]), 1u, __ATOMIC_RELEASE);
}
