// Communicators and their operations (docs/collectives.md): shared by the
// API calls (collectives.cpp), the plugin libraries' path (ccl_native.cpp)
// and the staged MPI path (ccl_staged.cpp).
#pragma once

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <string>
#include <vector>

#include "ccl_engine.h"
#include "internal.hpp"

namespace ahal {

struct CclComm {
  uint64_t handle = 0;
  Device* device = nullptr;
  uint32_t rank = 0;
  uint32_t nranks = 1;
  ahal_ccl_engine_t engine = AHAL_CCL_ENGINE_SELF;
  std::string library;
  // AHAL_CCL_ENGINE_NATIVE
  const ahal_plugin_ccl_t* table = nullptr;
  ahal_plugin_ccl_comm_t* native = nullptr;
  // AHAL_CCL_ENGINE_MPI
  const ahal_ccl_host_engine_t* host_engine = nullptr;
  void* engine_comm = nullptr;

  // Staged operations not yet complete; the first failure after enqueue.
  std::mutex mutex;
  std::condition_variable idle;
  uint32_t in_flight = 0;
  ahal_status_t async_status = AHAL_SUCCESS;
  std::string async_message;

  // Records a failure after enqueue (the first one is kept).
  void fail_async(ahal_status_t status, const std::string& message);
};

// One checked operation. For the engines a send/recv keeps its buffer in
// `send` (send) or `recv` (recv). count is as the API call gave it.
struct CclOp {
  CclComm* comm = nullptr;
  Stream* stream = nullptr;
  uint32_t kind = 0;  // ahal_ccl_engine_kind_t
  ahal_ccl_datatype_t datatype = AHAL_CCL_UINT8;
  ahal_ccl_op_t op = AHAL_CCL_SUM;
  uint32_t peer = 0;  // root or peer
  Buffer* send = nullptr;
  uint64_t send_offset = 0;
  Buffer* recv = nullptr;
  uint64_t recv_offset = 0;
  uint64_t count = 0;
};

// Bytes of one element; 0 for a value outside ahal_ccl_datatype_t.
uint32_t ccl_datatype_size(uint32_t datatype);
const char* ccl_kind_name(uint32_t kind);

// ------------------------------------------------------------ ccl_native.cpp

// The collectives table of `plugin`, asked once. *out is nullptr when it
// has none (*why says why: "" without ccl_query, the plugin's message for
// NOT_FOUND); a plugin that fails otherwise is an error, every time.
ahal_status_t native_table(const char* fn, Plugin& plugin, const ahal_plugin_ccl_t** out,
                           std::string* why);
// The plugin's communicator id into id[AHAL_PLUGIN_CCL_ID_BYTES].
ahal_status_t native_unique_id(const char* fn, Device* d, const ahal_plugin_ccl_t* t, void* id);
ahal_status_t native_init(const char* fn, CclComm* c, const void* id);
ahal_status_t native_enqueue(const char* fn, const CclOp& op);
// Per thread: group_start of the plugin before its first operation inside
// an API group, group_end of every plugin started when the group ends.
ahal_status_t native_group_join(const char* fn, CclComm* c);
ahal_status_t native_group_end(const char* fn);

// ------------------------------------------------------------ ccl_staged.cpp

// The MPI engine (libahal_ccl_mpi.so), opened on first use; nullptr with
// the reason as the message of `fn` when it cannot be.
const ahal_ccl_host_engine_t* mpi_engine(const char* fn, ahal_status_t* status);
// Creates and destroys engine communicators on the collectives thread.
ahal_status_t staged_init(const char* fn, CclComm* c, const void* id);
void staged_destroy(CclComm* c);
// Enqueues operations staged through pinned host memory: one alone is
// chunked and pipelined; several (a group) are started together.
ahal_status_t staged_enqueue(const char* fn, const CclOp* ops, size_t count);

}  // namespace ahal
