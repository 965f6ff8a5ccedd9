/* CPU kernel ABI (module format AHAL_MODULE_FORMAT_CPU_SO).
 *
 * A cpu-so module is an ELF shared object that exports one C function per
 * kernel, named as the kernel (or as the bundle's entry for it). The CPU
 * plugin calls it once per workgroup, with workgroups spread over its worker
 * threads; the function runs the whole workgroup (all work-items) itself, so
 * a "barrier" is simply the end of one loop over the work-items and the
 * start of the next. Workgroups of one launch may run concurrently: use
 * atomics (__atomic builtins) for data they share.
 */
#ifndef AHAL_CPU_KERNEL_H_
#define AHAL_CPU_KERNEL_H_

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ahal_cpu_dispatch_t {
  uint32_t workgroup_id[3];   /* this workgroup */
  uint32_t grid[3];           /* workgroups per dimension */
  uint32_t workgroup_size[3]; /* work-items per dimension */
  uint32_t binding_count;
  void* const* bindings;         /* buffer base + binding offset */
  const uint64_t* binding_sizes; /* bytes from that pointer */
  const void* constants;         /* the launch's constant bytes */
  uint32_t constants_size;
  uint32_t shared_memory_size; /* dynamic shared bytes asked for */
  void* shared_memory;         /* private to this workgroup, 64-byte aligned */
  uint32_t worker_index;       /* 0 .. worker_count-1 */
  uint32_t worker_count;
} ahal_cpu_dispatch_t;

typedef void (*ahal_cpu_kernel_fn)(const ahal_cpu_dispatch_t* dispatch);

#if defined(__GNUC__)
#define AHAL_CPU_KERNEL_EXPORT __attribute__((visibility("default")))
#else
#define AHAL_CPU_KERNEL_EXPORT
#endif

/* Declares an exported kernel: AHAL_CPU_KERNEL(vector_add) { ... d->... } */
#ifdef __cplusplus
#define AHAL_CPU_KERNEL(name) \
  extern "C" AHAL_CPU_KERNEL_EXPORT void name(const ahal_cpu_dispatch_t* d)
#else
#define AHAL_CPU_KERNEL(name) AHAL_CPU_KERNEL_EXPORT void name(const ahal_cpu_dispatch_t* d)
#endif

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* AHAL_CPU_KERNEL_H_ */
