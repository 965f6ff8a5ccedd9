/* The interface between libahal and a collectives engine that works on
 * host memory: libahal_ccl_mpi.so (hal/ccl_mpi/), which libahal opens with
 * dlopen the first time a communicator needs it, so that libahal itself
 * links nothing but libc and libstdc++ (docs/collectives.md). Private to
 * ahal: libahal and the engine are built and installed together, and the
 * version check refuses an engine of another build.
 *
 * libahal calls the engine from one thread, its collectives thread. A
 * communicator id is AHAL_CCL_ENGINE_ID_BYTES random bytes libahal makes. */
#ifndef AHAL_CCL_ENGINE_H_
#define AHAL_CCL_ENGINE_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define AHAL_CCL_ENGINE_VERSION 1u
#define AHAL_CCL_ENGINE_QUERY "ahal_ccl_engine_query"
#define AHAL_CCL_ENGINE_ID_BYTES 64u

typedef enum ahal_ccl_host_kind_t {
  AHAL_CCL_KIND_ALLREDUCE = 1,
  AHAL_CCL_KIND_ALLGATHER = 2,      /* count: elements per rank */
  AHAL_CCL_KIND_REDUCE_SCATTER = 3, /* count: elements each rank receives */
  AHAL_CCL_KIND_BROADCAST = 4,
  AHAL_CCL_KIND_REDUCE = 5,
  AHAL_CCL_KIND_SEND = 6, /* send, count, peer */
  AHAL_CCL_KIND_RECV = 7, /* recv, count, peer */
} ahal_ccl_host_kind_t;

/* One operation on host memory. send == recv means in place (allreduce,
 * reduce, broadcast); datatype and op are ahal_ccl_datatype_t and
 * ahal_ccl_op_t values. */
typedef struct ahal_ccl_host_op_t {
  void* comm;
  uint32_t kind;
  uint32_t datatype;
  uint32_t op;
  uint32_t peer; /* root, or the peer of send/recv */
  const void* send;
  void* recv;
  uint64_t count;
} ahal_ccl_host_op_t;

/* Functions return 0 on success; otherwise an ahal_status_t value with a
 * message in error[error_size]. */
typedef struct ahal_ccl_host_engine_t {
  size_t struct_size;
  uint32_t version;
  const char* name; /* "Open MPI v4.1.4" */
  /* Collective over every process of the engine's job (MPI_Comm_split):
   * the ranks that pass the same id form one communicator. */
  int (*comm_create)(const void* id, uint32_t nranks, uint32_t rank, void** out_comm, char* error,
                     size_t error_size);
  void (*comm_destroy)(void* comm);
  /* Runs `count` operations to completion; more than one are started
   * together (a group) and then waited for. */
  int (*run)(const ahal_ccl_host_op_t* ops, uint32_t count, char* error, size_t error_size);
} ahal_ccl_host_engine_t;

typedef int (*ahal_ccl_host_engine_query_fn)(uint32_t version, ahal_ccl_host_engine_t* out);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* AHAL_CCL_ENGINE_H_ */
