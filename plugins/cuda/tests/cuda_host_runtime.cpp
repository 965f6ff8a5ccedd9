// TEST ONLY: the scheduler behind cuda_host_shim.hpp (see
// cuda_host_runtime.hpp for the model).
//
// Fibers start with makecontext and then switch with _setjmp/_longjmp:
// swapcontext would make a system call (the signal mask) at every
// __syncthreads(). The fortified _longjmp refuses jumps to another stack.
#undef _FORTIFY_SOURCE
#include "cuda_host_runtime.hpp"

#include "cuda_host_shim.hpp"

#include <pthread.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

#include <csetjmp>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>

#if defined(__SANITIZE_ADDRESS__)
#define AHAL_CUDA_HOST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define AHAL_CUDA_HOST_ASAN 1
#endif
#endif
#ifdef AHAL_CUDA_HOST_ASAN
#include <sanitizer/common_interface_defs.h>
#endif

__thread ahal_cuda_host::uint3 threadIdx;
__thread ahal_cuda_host::uint3 blockIdx;
__thread ahal_cuda_host::uint3 blockDim;
__thread ahal_cuda_host::uint3 gridDim;

namespace ahal_cuda_host {
namespace {

constexpr size_t kStackBytes = 64 * 1024;  // kernels use little; a signal frame needs some

size_t page_size() {
  static const size_t size = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  return size;
}

size_t round_up(size_t n, size_t to) { return (n + to - 1) / to * to; }

// AddressSanitizer must be told about stack switches.
void switching_stack(void** fake_stack, const void* bottom, size_t size) {
#ifdef AHAL_CUDA_HOST_ASAN
  __sanitizer_start_switch_fiber(fake_stack, bottom, size);
#endif
}
void switched_stack(void* fake_stack, const void** old_bottom, size_t* old_size) {
#ifdef AHAL_CUDA_HOST_ASAN
  __sanitizer_finish_switch_fiber(fake_stack, old_bottom, old_size);
#endif
}

// `bytes` of memory (page-rounded) followed by one inaccessible page.
char* map_guarded(size_t bytes) {
  void* p = mmap(nullptr, bytes + page_size(), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                 -1, 0);
  if (p == MAP_FAILED) return nullptr;
  char* start = static_cast<char*>(p);
  if (mprotect(start + bytes, page_size(), PROT_NONE) != 0) {
    munmap(p, bytes + page_size());
    return nullptr;
  }
  return start;
}

struct Fiber {
  ucontext_t start;            // its first entry (makecontext)
  jmp_buf context;             // where it continues
  char* mapping = nullptr;     // guard page, then the stack
  uint3 thread{};              // the CUDA thread it runs
  sigjmp_buf fault;            // where a fault in that thread lands
  bool started = false;        // `context` is live (false: start afresh)
  void* fake_stack = nullptr;  // AddressSanitizer's, while switched away

  Fiber() {
    // The stack grows down: its guard page goes first.
    mapping = static_cast<char*>(mmap(nullptr, kStackBytes + page_size(), PROT_READ | PROT_WRITE,
                                      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    if (mapping == MAP_FAILED || mprotect(mapping, page_size(), PROT_NONE) != 0) {
      std::fprintf(stderr, "cuda host emulation: no memory for a fiber stack\n");
      std::abort();
    }
  }
  ~Fiber() { munmap(mapping, kStackBytes + page_size()); }
  Fiber(const Fiber&) = delete;
  Fiber& operator=(const Fiber&) = delete;
};

// One per OS thread that runs kernels, kept between launches.
struct Scheduler {
  jmp_buf main;  // run_grid, waiting for the running fiber
  void* main_fake_stack = nullptr;
  const void* main_bottom = nullptr;
  size_t main_size = 0;
  std::vector<std::unique_ptr<Fiber>> fibers;
  std::vector<Fiber*> parked;    // no CUDA thread; ready for one
  std::vector<Fiber*> arrived;   // at the barrier of this phase
  std::vector<Fiber*> released;  // past the previous barrier, to resume
  size_t next_released = 0;
  Fiber* current = nullptr;
  volatile sig_atomic_t in_kernel = 0;

  void (*body)(void*) = nullptr;
  void* arg = nullptr;
  unsigned grid[3] = {}, block[3] = {};
  uint64_t blocks = 0, block_index = 0;
  uint32_t per_block = 0, next_thread = 0;
  uint3 next_id{};    // threadIdx of next_thread
  uint32_t live = 0;  // threads of this block started and not finished
  bool faulted = false;
  RunStats stats;

  char* shared_mapping = nullptr;  // dynamic shared memory, its end at a guard page
  size_t shared_capacity = 0;
  void* shared = nullptr;

  ~Scheduler() {
    if (shared_mapping) munmap(shared_mapping, shared_capacity + page_size());
  }

  void start_block(uint64_t b) {
    block_index = b;
    blockIdx = {static_cast<unsigned>(b % grid[0]), static_cast<unsigned>(b / grid[0] % grid[1]),
                static_cast<unsigned>(b / (uint64_t{grid[0]} * grid[1]))};
    next_thread = 0;
    next_id = {0, 0, 0};
  }

  // Gives `self` the next CUDA thread: of this block, or of the next block
  // once this one is done. False when there is none for now.
  bool take_thread(Fiber* self) {
    if (faulted) return false;
    if (next_thread == per_block) {
      if (live != 0 || block_index + 1 >= blocks) return false;
      start_block(block_index + 1);
    }
    ++next_thread;
    ++live;
    ++stats.threads;
    self->thread = next_id;
    threadIdx = next_id;
    if (++next_id.x == block[0]) {
      next_id.x = 0;
      if (++next_id.y == block[1]) {
        next_id.y = 0;
        ++next_id.z;
      }
    }
    return true;
  }

  Fiber* idle_fiber() {
    if (!parked.empty()) {
      Fiber* f = parked.back();
      parked.pop_back();
      return f;
    }
    fibers.push_back(std::make_unique<Fiber>());
    return fibers.back().get();
  }

  void resume(Fiber* f);

  // From the running fiber back to run_grid.
  void yield(Fiber* self) {
    if (_setjmp(self->context) == 0) {
      switching_stack(&self->fake_stack, main_bottom, main_size);
      _longjmp(main, 1);
    }
    switched_stack(self->fake_stack, &main_bottom, &main_size);
  }

  void prepare_shared(size_t bytes) {
    const size_t rounded = round_up(bytes, 16);
    if (rounded > shared_capacity) {
      if (shared_mapping) munmap(shared_mapping, shared_capacity + page_size());
      shared_capacity = round_up(rounded, page_size());
      shared_mapping = map_guarded(shared_capacity);
      if (!shared_mapping) {
        std::fprintf(stderr, "cuda host emulation: no memory for %zu bytes of shared memory\n",
                     bytes);
        std::abort();
      }
    }
    // Uninitialized on a GPU: a pattern, so that kernels relying on zeros show.
    shared = shared_mapping ? shared_mapping + shared_capacity - rounded : nullptr;
    if (shared) std::memset(shared, 0xa5, rounded);
  }
};

thread_local Scheduler* t_scheduler = nullptr;
thread_local std::unique_ptr<Scheduler> t_scheduler_owner;

// The same for the fault handler: thread_local of a dlopened library may
// allocate on first use, a pthread key does not.
pthread_key_t g_scheduler_key;
std::once_flag g_scheduler_key_once;

Scheduler& scheduler() {
  if (!t_scheduler) {
    std::call_once(g_scheduler_key_once, [] { pthread_key_create(&g_scheduler_key, nullptr); });
    t_scheduler_owner = std::make_unique<Scheduler>();
    t_scheduler = t_scheduler_owner.get();
    pthread_setspecific(g_scheduler_key, t_scheduler);
  }
  return *t_scheduler;
}

// Each fiber runs CUDA threads until none is left for it, then parks.
void fiber_main() {
  Scheduler& s = *t_scheduler;
  Fiber* const self = s.current;
  switched_stack(nullptr, &s.main_bottom, &s.main_size);
  if (sigsetjmp(self->fault, 1) != 0) {
    // The thread faulted: the launch stops; this context is abandoned.
    s.faulted = true;
    self->started = false;
    switching_stack(nullptr, s.main_bottom, s.main_size);
    _longjmp(s.main, 1);
  }
  for (;;) {
    while (s.take_thread(self)) {
      s.body(s.arg);
      --s.live;
    }
    s.parked.push_back(self);
    s.yield(self);
  }
}

void Scheduler::resume(Fiber* f) {
  current = f;
  in_kernel = 1;
  if (_setjmp(main) == 0) {
    switching_stack(&main_fake_stack, f->mapping + page_size(), kStackBytes);
    if (f->started) _longjmp(f->context, 1);
    getcontext(&f->start);
    f->start.uc_stack.ss_sp = f->mapping + page_size();
    f->start.uc_stack.ss_size = kStackBytes;
    f->start.uc_link = nullptr;
    makecontext(&f->start, fiber_main, 0);
    f->started = true;
    setcontext(&f->start);
  }
  switched_stack(main_fake_stack, nullptr, nullptr);
  in_kernel = 0;
  current = nullptr;
}

struct sigaction g_previous_segv;
std::mutex g_handler_mutex;

void on_segv(int sig, siginfo_t*, void*) {
  auto* s = static_cast<Scheduler*>(pthread_getspecific(g_scheduler_key));
  if (s && s->in_kernel && s->current) {
    s->in_kernel = 0;
    siglongjmp(s->current->fault, 1);
  }
  // Not a kernel's: give it back to the previous handler, and let the access
  // fault again there.
  sigaction(sig, &g_previous_segv, nullptr);
}

// Test frameworks swap SIGSEGV handlers (Catch2: per test case), so this is
// checked at every launch.
void install_fault_handler() {
  struct sigaction now {};
  sigaction(SIGSEGV, nullptr, &now);
  if ((now.sa_flags & SA_SIGINFO) && now.sa_sigaction == on_segv) return;
  std::lock_guard<std::mutex> lock(g_handler_mutex);
  sigaction(SIGSEGV, nullptr, &now);
  if ((now.sa_flags & SA_SIGINFO) && now.sa_sigaction == on_segv) return;
  struct sigaction ours {};
  ours.sa_sigaction = on_segv;
  ours.sa_flags = SA_SIGINFO;
  sigemptyset(&ours.sa_mask);
  sigaction(SIGSEGV, &ours, &g_previous_segv);
}

}  // namespace

void* dynamic_shared_memory() { return t_scheduler ? t_scheduler->shared : nullptr; }

RunStats run_grid(const Grid& grid, void (*body)(void*), void* arg) {
  Scheduler& s = scheduler();
  install_fault_handler();
  if (s.current) {
    std::fprintf(stderr, "cuda host emulation: a kernel launched a kernel\n");
    std::abort();
  }
  s.body = body;
  s.arg = arg;
  for (int i = 0; i < 3; ++i) {
    s.grid[i] = grid.grid[i];
    s.block[i] = grid.block[i];
  }
  s.blocks = uint64_t{grid.grid[0]} * grid.grid[1] * grid.grid[2];
  s.per_block = grid.block[0] * grid.block[1] * grid.block[2];
  s.live = 0;
  s.faulted = false;
  s.stats = {};
  blockDim = {grid.block[0], grid.block[1], grid.block[2]};
  gridDim = {grid.grid[0], grid.grid[1], grid.grid[2]};
  s.prepare_shared(grid.dynamic_shared);
  if (s.blocks == 0 || s.per_block == 0) return s.stats;
  s.start_block(0);
  for (;;) {
    Fiber* f = nullptr;
    if (s.faulted) {
      break;
    } else if (s.next_released < s.released.size()) {
      f = s.released[s.next_released++];
    } else if (s.next_thread < s.per_block || (s.live == 0 && s.block_index + 1 < s.blocks)) {
      f = s.idle_fiber();
    } else if (!s.arrived.empty()) {
      // Every live thread of the block is at the barrier: release them.
      s.released.swap(s.arrived);
      s.arrived.clear();
      s.next_released = 0;
      continue;
    } else {
      break;
    }
    s.resume(f);
  }
  if (s.faulted) {
    // Threads left mid-kernel are abandoned with their contexts.
    s.parked.clear();
    for (auto& f : s.fibers) {
      f->started = false;
      s.parked.push_back(f.get());
    }
  }
  s.arrived.clear();
  s.released.clear();
  s.next_released = 0;
  s.stats.faulted = s.faulted;
  return s.stats;
}

void* guarded_alloc(size_t size) {
  const size_t rounded = round_up(size == 0 ? 1 : size, 256);
  const size_t pages = round_up(rounded, page_size());
  char* start = map_guarded(pages);
  return start ? start + pages - rounded : nullptr;
}

void guarded_free(void* p, size_t size) {
  const size_t rounded = round_up(size == 0 ? 1 : size, 256);
  const size_t pages = round_up(rounded, page_size());
  munmap(static_cast<char*>(p) - (pages - rounded), pages + page_size());
}

}  // namespace ahal_cuda_host

void __syncthreads() {
  using ahal_cuda_host::t_scheduler;
  ahal_cuda_host::Fiber* const self = t_scheduler ? t_scheduler->current : nullptr;
  if (!self) {
    std::fprintf(stderr, "cuda host emulation: __syncthreads() outside a kernel\n");
    std::abort();
  }
  ++t_scheduler->stats.barriers;
  t_scheduler->arrived.push_back(self);
  t_scheduler->yield(self);
  threadIdx = self->thread;
}
