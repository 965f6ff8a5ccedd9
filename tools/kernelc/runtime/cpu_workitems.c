/* cpu-so runtime, part 1: work-item state, the OpenCL C work-item and
 * synchronization built-ins, and fibers for kernels that call barrier().
 *
 * ahal-kernelc compiles this file once per CPU variant and links it, as
 * LLVM IR, with the kernels' OpenCL C and their wrappers; everything is
 * then internalized and inlined, so in a kernel without barriers the
 * work-item state folds into the wrapper's loop counters and the loop over
 * x vectorizes. Built-in names are the Itanium-mangled names clang gives
 * OpenCL C's overloaded functions.
 *
 * A kernel that calls barrier() runs each work-item of a workgroup as a
 * fiber on the worker thread's stack pool: barrier() switches to the next
 * fiber, so every work-item reaches the barrier before any passes it.
 * __local variables are thread-local (ahal-kernelc marks them so): one
 * workgroup runs on a worker thread at a time.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* ahal_cpu_dispatch_t of sdk/include/ahal/cpu_kernel.h. */
typedef struct ahal_dispatch {
  uint32_t workgroup_id[3];
  uint32_t grid[3];
  uint32_t workgroup_size[3];
  uint32_t binding_count;
  void* const* bindings;
  const uint64_t* binding_sizes;
  const void* constants;
  uint32_t constants_size;
  uint32_t shared_memory_size;
  void* shared_memory;
  uint32_t worker_index;
  uint32_t worker_count;
} ahal_dispatch;

typedef struct ahal_workitem_state {
  size_t local_id[3];
  size_t group_id[3];
  size_t local_size[3];
  size_t num_groups[3];
  size_t group_base[3]; /* group_id * local_size */
  uint32_t work_dim;
  int in_fiber; /* barrier() is legal only while fibers run */
} ahal_workitem_state;

static _Thread_local ahal_workitem_state wi;

#define AHAL_BUILTIN(ret, name, mangled, args) \
  ret name args __asm__(mangled);              \
  ret name args

AHAL_BUILTIN(uint32_t, ahal_get_work_dim, "_Z12get_work_dimv", (void)) { return wi.work_dim; }
AHAL_BUILTIN(size_t, ahal_get_local_id, "_Z12get_local_idj", (uint32_t d)) {
  return d < 3 ? wi.local_id[d] : 0;
}
AHAL_BUILTIN(size_t, ahal_get_group_id, "_Z12get_group_idj", (uint32_t d)) {
  return d < 3 ? wi.group_id[d] : 0;
}
AHAL_BUILTIN(size_t, ahal_get_local_size, "_Z14get_local_sizej", (uint32_t d)) {
  return d < 3 ? wi.local_size[d] : 1;
}
AHAL_BUILTIN(size_t, ahal_get_enqueued_local_size, "_Z23get_enqueued_local_sizej", (uint32_t d)) {
  return d < 3 ? wi.local_size[d] : 1;
}
AHAL_BUILTIN(size_t, ahal_get_num_groups, "_Z14get_num_groupsj", (uint32_t d)) {
  return d < 3 ? wi.num_groups[d] : 1;
}
AHAL_BUILTIN(size_t, ahal_get_global_size, "_Z15get_global_sizej", (uint32_t d)) {
  return d < 3 ? wi.num_groups[d] * wi.local_size[d] : 1;
}
AHAL_BUILTIN(size_t, ahal_get_global_id, "_Z13get_global_idj", (uint32_t d)) {
  return d < 3 ? wi.group_base[d] + wi.local_id[d] : 0;
}
/* ahal launches have no global offset. */
AHAL_BUILTIN(size_t, ahal_get_global_offset, "_Z17get_global_offsetj", (uint32_t d)) { return 0; }
AHAL_BUILTIN(size_t, ahal_get_global_linear_id, "_Z20get_global_linear_idv", (void)) {
  const size_t gx = wi.num_groups[0] * wi.local_size[0];
  const size_t gy = wi.num_groups[1] * wi.local_size[1];
  return (wi.group_base[0] + wi.local_id[0]) +
         gx * ((wi.group_base[1] + wi.local_id[1]) + gy * (wi.group_base[2] + wi.local_id[2]));
}
AHAL_BUILTIN(size_t, ahal_get_local_linear_id, "_Z19get_local_linear_idv", (void)) {
  return wi.local_id[0] + wi.local_size[0] * (wi.local_id[1] + wi.local_size[1] * wi.local_id[2]);
}

/* Called by the wrappers (ahal-kernelc's generated OpenCL C). */
void __ahal_workgroup_begin(const ahal_dispatch* d) {
  for (int i = 0; i < 3; ++i) {
    wi.local_id[i] = 0;
    wi.group_id[i] = d->workgroup_id[i];
    wi.local_size[i] = d->workgroup_size[i];
    wi.num_groups[i] = d->grid[i];
    wi.group_base[i] = (size_t)d->workgroup_id[i] * d->workgroup_size[i];
  }
  wi.work_dim = d->grid[2] * d->workgroup_size[2] > 1   ? 3
                : d->grid[1] * d->workgroup_size[1] > 1 ? 2
                                                        : 1;
}
void __ahal_set_local_id(size_t x, size_t y, size_t z) {
  wi.local_id[0] = x;
  wi.local_id[1] = y;
  wi.local_id[2] = z;
}

/* ---------------------------------------------------------------- fibers */

/* One work-item of the current workgroup, by the wrapper's kernel index. */
void __ahal_run_item(uint32_t kernel, const ahal_dispatch* d);

typedef struct ahal_fiber {
  void* sp; /* saved stack pointer while switched out */
  size_t local_id[3];
  int done;
} ahal_fiber;

/* Per worker thread: the stacks, reused by every workgroup it runs. */
typedef struct ahal_fiber_pool {
  ahal_fiber* fibers;    /* in the same mapping, after the stacks */
  unsigned char* stacks; /* count * stride bytes, a guard page below each */
  size_t bytes;          /* the whole mapping: stacks and fibers */
  size_t count;
  size_t stride;
  size_t current;
  size_t running; /* fibers not yet done */
  void* main_sp;
  uint32_t kernel;
  const ahal_dispatch* dispatch;
} ahal_fiber_pool;

static _Thread_local ahal_fiber_pool pool;

/* Stack per work-item: private arrays live there. */
#define AHAL_FIBER_STACK (128 * 1024)

static void ahal_die(const char* what) {
  fprintf(stderr, "ahal cpu-so kernel runtime: %s\n", what);
  abort();
}

#if defined(__x86_64__)
/* ahal_fiber_switch(&save_sp, next_sp): saves the callee-saved registers
 * on this stack, stores the stack pointer, and resumes the other stack.
 * The floating-point control words are the worker thread's, shared by
 * all its fibers, so they are not switched. ahal_fiber_entry starts a new
 * fiber: its first switch "returns" there with the pool in r12 and the
 * fiber's main function in r13 (a pointer, so LLVM sees the function used;
 * these assembly symbols stay local to each variant's object). */
void ahal_fiber_switch(void** save_sp, void* next_sp);
void ahal_fiber_entry(void);
__asm__(
    ".text\n"
    ".p2align 4\n"
    ".type ahal_fiber_switch,@function\n"
    "ahal_fiber_switch:\n"
    "  pushq %rbp\n"
    "  pushq %rbx\n"
    "  pushq %r12\n"
    "  pushq %r13\n"
    "  pushq %r14\n"
    "  pushq %r15\n"
    "  movq %rsp, (%rdi)\n"
    "  movq %rsi, %rsp\n"
    "  popq %r15\n"
    "  popq %r14\n"
    "  popq %r13\n"
    "  popq %r12\n"
    "  popq %rbx\n"
    "  popq %rbp\n"
    "  ret\n"
    ".size ahal_fiber_switch, .-ahal_fiber_switch\n"
    ".p2align 4\n"
    ".type ahal_fiber_entry,@function\n"
    "ahal_fiber_entry:\n"
    "  movq %r12, %rdi\n"
    "  andq $-16, %rsp\n"
    "  call *%r13\n"
    "  ud2\n"
    ".size ahal_fiber_entry, .-ahal_fiber_entry\n");

/* A fresh stack whose first switch enters ahal_fiber_entry, which calls
 * fn(arg). */
static void* ahal_fiber_prepare(unsigned char* top, void (*fn)(void*), void* arg) {
  uint64_t* sp = (uint64_t*)top;
  *--sp = 0;                           /* alignment */
  *--sp = (uint64_t)&ahal_fiber_entry; /* return address of the switch */
  *--sp = 0;                           /* rbp */
  *--sp = 0;                           /* rbx */
  *--sp = (uint64_t)arg;               /* r12 */
  *--sp = (uint64_t)fn;                /* r13 */
  *--sp = 0;                           /* r14 */
  *--sp = 0;                           /* r15 */
  return sp;
}
#define AHAL_HAVE_FIBERS 1
#else
#define AHAL_HAVE_FIBERS 0
#endif

#if AHAL_HAVE_FIBERS
static void ahal_fiber_main(void* arg) {
  ahal_fiber_pool* p = (ahal_fiber_pool*)arg;
  ahal_fiber* self = &p->fibers[p->current];
  __ahal_run_item(p->kernel, p->dispatch);
  self->done = 1;
  --p->running;
  /* Next unfinished fiber, or back to the workgroup's caller. */
  for (;;) {
    if (p->running == 0) {
      void* dummy;
      ahal_fiber_switch(&dummy, p->main_sp);
    }
    size_t next = p->current;
    do {
      next = (next + 1) % p->count;
    } while (p->fibers[next].done);
    p->current = next;
    wi.local_id[0] = p->fibers[next].local_id[0];
    wi.local_id[1] = p->fibers[next].local_id[1];
    wi.local_id[2] = p->fibers[next].local_id[2];
    void* dummy;
    ahal_fiber_switch(&dummy, p->fibers[next].sp);
  }
}

/* Every pool's stacks, so that unloading the module (dlclose) frees those
 * of all worker threads. */
typedef struct ahal_stack_block {
  void* base;
  size_t size;
  struct ahal_stack_block* next;
} ahal_stack_block;
static ahal_stack_block* ahal_blocks;
static int ahal_blocks_lock;

static void ahal_blocks_update(void* old_base, void* new_base, size_t new_size) {
  while (__atomic_exchange_n(&ahal_blocks_lock, 1, __ATOMIC_ACQUIRE)) {
  }
  for (ahal_stack_block** b = &ahal_blocks; *b; b = &(*b)->next) {
    if ((*b)->base == old_base) {
      ahal_stack_block* gone = *b;
      *b = gone->next;
      free(gone);
      break;
    }
  }
  ahal_stack_block* block = new_base ? malloc(sizeof(ahal_stack_block)) : NULL;
  if (block) {
    block->base = new_base;
    block->size = new_size;
    block->next = ahal_blocks;
    ahal_blocks = block;
  }
  __atomic_store_n(&ahal_blocks_lock, 0, __ATOMIC_RELEASE);
}

__attribute__((destructor)) static void ahal_free_stacks(void) {
  while (ahal_blocks) {
    ahal_stack_block* b = ahal_blocks;
    ahal_blocks = b->next;
    munmap(b->base, b->size);
    free(b);
  }
}

static void ahal_pool_reserve(size_t count) {
  if (pool.count >= count && pool.stacks) return;
  if (pool.stacks) {
    ahal_blocks_update(pool.stacks, NULL, 0);
    munmap(pool.stacks, pool.bytes);
  }
  const size_t page = (size_t)sysconf(_SC_PAGESIZE);
  pool.stride = AHAL_FIBER_STACK + page;
  /* The fibers share the stacks' mapping, so that unloading the module
   * frees them with it (a thread's pool outlives its last workgroup). */
  const size_t fiber_bytes = (count * sizeof(ahal_fiber) + page - 1) / page * page;
  pool.bytes = count * pool.stride + fiber_bytes;
  pool.stacks = mmap(NULL, pool.bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (pool.stacks == MAP_FAILED) ahal_die("out of memory for work-item stacks");
  pool.fibers = (ahal_fiber*)(pool.stacks + count * pool.stride); /* zeroed by mmap */
  ahal_blocks_update(NULL, pool.stacks, pool.bytes);
  for (size_t i = 0; i < count; ++i) mprotect(pool.stacks + i * pool.stride, page, PROT_NONE);
  pool.count = count;
}
#endif

void __ahal_run_fibers(uint32_t kernel, const ahal_dispatch* d) {
#if AHAL_HAVE_FIBERS
  const size_t wx = d->workgroup_size[0], wy = d->workgroup_size[1], wz = d->workgroup_size[2];
  const size_t n = wx * wy * wz;
  ahal_pool_reserve(n);
  const size_t reserved = pool.count;
  pool.count = n;
  pool.kernel = kernel;
  pool.dispatch = d;
  pool.running = n;
  size_t i = 0;
  for (size_t z = 0; z < wz; ++z)
    for (size_t y = 0; y < wy; ++y)
      for (size_t x = 0; x < wx; ++x, ++i) {
        ahal_fiber* f = &pool.fibers[i];
        f->local_id[0] = x;
        f->local_id[1] = y;
        f->local_id[2] = z;
        f->done = 0;
        /* Stack tops a cache line apart modulo 4 KiB, so that switching
         * between them does not thrash one cache set. */
        unsigned char* top = pool.stacks + (i + 1) * pool.stride - (i % 64) * 64;
        f->sp = ahal_fiber_prepare(top, ahal_fiber_main, &pool);
      }
  pool.current = 0;
  wi.local_id[0] = wi.local_id[1] = wi.local_id[2] = 0;
  wi.in_fiber = 1;
  ahal_fiber_switch(&pool.main_sp, pool.fibers[0].sp);
  wi.in_fiber = 0;
  pool.count = reserved;
#else
  (void)kernel;
  (void)d;
  ahal_die("barrier() needs fibers, which this cpu-so runtime lacks on this architecture");
#endif
}

/* barrier(flags): every work-item of the group gets here before any goes on. */
AHAL_BUILTIN(void, ahal_barrier, "_Z7barrierj", (uint32_t flags)) {
#if AHAL_HAVE_FIBERS
  ahal_fiber_pool* p = &pool;
  if (!wi.in_fiber) ahal_die("barrier() in a kernel built without fibers");
  /* The group's work-items all run on this thread: ordering the compiler's
   * view of memory is enough. */
  __atomic_signal_fence(__ATOMIC_SEQ_CST);
  const size_t current = p->current;
  size_t next = current;
  do {
    next = next + 1 == p->count ? 0 : next + 1;
  } while (p->fibers[next].done);
  if (next == current) return; /* the only work-item left */
  p->current = next;
  wi.local_id[0] = p->fibers[next].local_id[0];
  wi.local_id[1] = p->fibers[next].local_id[1];
  wi.local_id[2] = p->fibers[next].local_id[2];
  ahal_fiber_switch(&p->fibers[current].sp, p->fibers[next].sp);
#else
  (void)flags;
  ahal_die("barrier() is not supported by this cpu-so runtime on this architecture");
#endif
}
/* A work-group's work-items share one thread, and OpenCL 1.x fences order
 * only what one work-group sees. */
AHAL_BUILTIN(void, ahal_mem_fence, "_Z9mem_fencej", (uint32_t flags)) {
  __atomic_signal_fence(__ATOMIC_SEQ_CST);
}
AHAL_BUILTIN(void, ahal_read_mem_fence, "_Z14read_mem_fencej", (uint32_t flags)) {
  __atomic_signal_fence(__ATOMIC_SEQ_CST);
}
AHAL_BUILTIN(void, ahal_write_mem_fence, "_Z15write_mem_fencej", (uint32_t flags)) {
  __atomic_signal_fence(__ATOMIC_SEQ_CST);
}
