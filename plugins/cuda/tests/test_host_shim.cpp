// The host emulation of CUDA device code (cuda_host_runtime.hpp) on its own:
// kernels written here, right and subtly wrong, show that it keeps the
// semantics the fake driver relies on and that it catches the wrong ones.
#include "cuda_host_shim.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

using ahal_cuda_host::Grid;
using ahal_cuda_host::RunStats;

namespace {

template <typename T>
struct Id {
  using type = T;
};

// Runs kernel(args...) over the grid, as the fake driver does.
template <typename... A>
RunStats run(const Grid& grid, void (*kernel)(A...), typename Id<A>::type... args) {
  struct Call {
    void (*kernel)(A...);
    std::tuple<A...> args;
  } call{kernel, {args...}};
  return ahal_cuda_host::run_grid(
      grid, [](void* p) { std::apply(static_cast<Call*>(p)->kernel, static_cast<Call*>(p)->args); },
      &call);
}

Grid grid_1d(unsigned blocks, unsigned threads, unsigned dynamic_shared = 0) {
  return Grid{{blocks, 1, 1}, {threads, 1, 1}, dynamic_shared};
}

std::vector<uint32_t> distinct_values(size_t n) {
  std::vector<uint32_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint32_t>(i * 2654435761u + 12345u);
  return v;
}

// ------------------------------------------------------------ kernels

__global__ void reverse_tile(const uint32_t* in, uint32_t* out) {
  __shared__ uint32_t tile[256];
  const uint32_t l = threadIdx.x, w = blockDim.x;
  const uint64_t base = static_cast<uint64_t>(blockIdx.x) * w;
  tile[l] = in[base + l];
  __syncthreads();
  out[base + l] = tile[w - 1 - l];
}

// The same without the barrier: right only if every thread wrote first.
__global__ void reverse_tile_no_barrier(const uint32_t* in, uint32_t* out) {
  __shared__ uint32_t tile[256];
  const uint32_t l = threadIdx.x, w = blockDim.x;
  const uint64_t base = static_cast<uint64_t>(blockIdx.x) * w;
  tile[l] = in[base + l];
  out[base + l] = tile[w - 1 - l];
}

// A tree sum; `last_barrier` false drops the barrier after each step.
template <bool last_barrier>
__global__ void block_sum(const uint32_t* in, uint32_t* out) {
  __shared__ uint32_t sums[256];
  const uint32_t l = threadIdx.x;
  sums[l] = in[blockIdx.x * blockDim.x + l];
  __syncthreads();
  for (uint32_t half = blockDim.x / 2; half > 0; half /= 2) {
    if (l < half) sums[l] += sums[l + half];
    if (last_barrier) __syncthreads();
  }
  if (l == 0) out[blockIdx.x] = sums[0];
}

// Threads leave early; the rest pass barriers and must still see their ids.
__global__ void ids_after_barriers(uint32_t* out) {
  const uint32_t t = threadIdx.x + blockDim.x * (threadIdx.y + blockDim.y * threadIdx.z);
  const uint32_t per_block = blockDim.x * blockDim.y * blockDim.z;
  const uint32_t b = blockIdx.x + gridDim.x * (blockIdx.y + gridDim.y * blockIdx.z);
  if (t % 3 == 0) return;
  for (int i = 0; i < 4; ++i) __syncthreads();
  out[b * per_block + t] = threadIdx.x | threadIdx.y << 10 | threadIdx.z << 20 | (b << 26);
}

__global__ void block_tag(uint32_t tag, uint32_t* out) {
  __shared__ uint32_t shared_tag;
  if (threadIdx.x == 0) shared_tag = tag + blockIdx.x;
  __syncthreads();
  out[blockIdx.x * blockDim.x + threadIdx.x] = shared_tag;
  __syncthreads();  // nobody may overwrite it before all have read
}

__global__ void write_linear(uint32_t* out) { out[blockIdx.x * blockDim.x + threadIdx.x] = 1; }

__global__ void read_dynamic(uint32_t* out, uint32_t count) {
  uint32_t* tile = dynamic_shared<uint32_t>();
  if (threadIdx.x == 0)
    for (uint32_t i = 0; i < count; ++i) out[i] = tile[i];
}

__global__ void add_float(float* sum) { atomicAdd(sum, 0.5f); }

}  // namespace

TEST_CASE("a barrier makes the block's writes visible; without one the result is wrong") {
  const unsigned blocks = 5, w = 64;
  const std::vector<uint32_t> in = distinct_values(blocks * w);
  std::vector<uint32_t> out(in.size(), 0);
  const RunStats stats = run(grid_1d(blocks, w), reverse_tile, in.data(), out.data());
  CHECK(!stats.faulted);
  CHECK(stats.threads == blocks * w);
  CHECK(stats.barriers == blocks * w);
  for (unsigned g = 0; g < blocks; ++g)
    for (unsigned i = 0; i < w; ++i) REQUIRE(out[g * w + i] == in[g * w + w - 1 - i]);

  std::vector<uint32_t> wrong(in.size(), 0);
  run(grid_1d(blocks, w), reverse_tile_no_barrier, in.data(), wrong.data());
  CHECK(wrong != out);
}

TEST_CASE("a reduction needs its barrier at every step") {
  const unsigned blocks = 3, w = 128;
  const std::vector<uint32_t> in = distinct_values(blocks * w);
  std::vector<uint32_t> want(blocks, 0);
  for (unsigned g = 0; g < blocks; ++g)
    for (unsigned i = 0; i < w; ++i) want[g] += in[g * w + i];
  std::vector<uint32_t> out(blocks, 0);
  const RunStats stats = run(grid_1d(blocks, w), block_sum<true>, in.data(), out.data());
  CHECK(out == want);
  CHECK(stats.barriers == blocks * w * 8);  // once, then after each of 7 steps
  run(grid_1d(blocks, w), block_sum<false>, in.data(), out.data());
  CHECK(out != want);
}

TEST_CASE("threads keep their own ids across barriers; exited ones do not block them") {
  const Grid grid{{2, 3, 1}, {4, 3, 2}, 0};
  const uint32_t per_block = 4 * 3 * 2, blocks = 6;
  std::vector<uint32_t> out(per_block * blocks, 0xffffffffu);
  const RunStats stats = run(grid, ids_after_barriers, out.data());
  CHECK(stats.threads == per_block * blocks);
  uint64_t waiting = 0;
  for (uint32_t b = 0; b < blocks; ++b)
    for (uint32_t t = 0; t < per_block; ++t) {
      INFO("block " << b << " thread " << t);
      if (t % 3 == 0) {
        REQUIRE(out[b * per_block + t] == 0xffffffffu);
        continue;
      }
      ++waiting;
      const uint32_t x = t % 4, y = t / 4 % 3, z = t / 12;
      REQUIRE(out[b * per_block + t] == (x | y << 10 | z << 20 | b << 26));
    }
  CHECK(stats.barriers == waiting * 4);
}

TEST_CASE("__shared__ is per block, and OS threads running kernels do not share it") {
  const unsigned blocks = 200, w = 32;
  std::vector<uint32_t> a(blocks * w), b(blocks * w);
  std::thread other([&] { run(grid_1d(blocks, w), block_tag, 1000000u, b.data()); });
  run(grid_1d(blocks, w), block_tag, 0u, a.data());
  other.join();
  for (unsigned i = 0; i < blocks * w; ++i) {
    REQUIRE(a[i] == i / w);
    REQUIRE(b[i] == 1000000u + i / w);
  }
}

TEST_CASE("an access past the end of guarded memory faults the launch; the next one runs") {
  const size_t bytes = 64;
  auto* small = static_cast<uint32_t*>(ahal_cuda_host::guarded_alloc(bytes));
  REQUIRE(small != nullptr);
  CHECK(reinterpret_cast<uintptr_t>(small) % 256 == 0);
  // 1024 threads write 4 KiB into 64 bytes.
  CHECK(run(grid_1d(4, 256), write_linear, small).faulted);
  CHECK(small[0] == 1);  // what ran before the fault stays done

  // Fibers left at a barrier by a fault are not reused as they were.
  std::vector<uint32_t> in(4 * 256, 7);
  CHECK(run(grid_1d(4, 256), reverse_tile, in.data(), small).faulted);
  std::vector<uint32_t> out(in.size(), 0);
  const RunStats after = run(grid_1d(4, 256), reverse_tile, in.data(), out.data());
  CHECK(!after.faulted);
  CHECK(out == in);
  ahal_cuda_host::guarded_free(small, bytes);
}

TEST_CASE("dynamic shared memory has the launch's size and starts uninitialized") {
  std::vector<uint32_t> out(16, 0);
  CHECK(!run(grid_1d(1, 1, 64), read_dynamic, out.data(), 16u).faulted);
  for (uint32_t v : out) CHECK(v == 0xa5a5a5a5u);
  // Reading one word past the launch's 64 bytes faults.
  CHECK(run(grid_1d(1, 1, 64), read_dynamic, out.data(), 17u).faulted);
}

TEST_CASE("atomics of many threads add up") {
  float sum = 0.0f;
  run(grid_1d(10, 100), add_float, &sum);
  CHECK(sum == 500.0f);
}

TEST_CASE("every kernel of the manifest has a host build with its parameters") {
  std::ifstream manifest(AHAL_KERNEL_MANIFEST);
  REQUIRE(manifest);
  std::string line;
  int kernels = 0;
  while (std::getline(manifest, line)) {
    if (line.rfind("kernel ", 0) != 0) continue;
    std::istringstream words(line.substr(7));
    std::string name, bindings, constants;
    words >> name >> bindings >> constants;
    INFO(line);
    const ahal_cuda_host::Kernel* k = ahal_cuda_host::find_kernel(name);
    REQUIRE(k != nullptr);
    const size_t pointers = std::stoul(bindings.substr(bindings.find('=') + 1));
    const size_t constant_bytes = std::stoul(constants.substr(constants.find('=') + 1));
    REQUIRE(k->param_sizes.size() == pointers + (constant_bytes ? 1 : 0));
    for (size_t i = 0; i < pointers; ++i) CHECK(k->param_is_pointer[i]);
    if (constant_bytes) {
      CHECK(!k->param_is_pointer.back());
      CHECK(k->param_sizes.back() == constant_bytes);
    }
    ++kernels;
  }
  CHECK(kernels > 0);
  CHECK(ahal_cuda_host::find_kernel("no_such_kernel") == nullptr);
}
