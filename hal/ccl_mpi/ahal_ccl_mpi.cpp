// libahal_ccl_mpi.so: ahal's collectives engine on host memory, through
// MPI (Open MPI on Debian). libahal opens it with dlopen when a
// communicator needs it (hal/src/ccl_staged.cpp) and calls it from one
// thread; the interface is hal/src/ccl_engine.h. It initializes MPI if
// the program did not (then it also finalizes MPI at exit).
#define OMPI_SKIP_MPICXX 1
#include <mpi.h>

#include <algorithm>
#include <climits>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "ccl_engine.h"

// Values of ahal_status_t and of the ahal_ccl_* enums this engine uses
// (ahal.h is not included: the engine sees only ccl_engine.h).
enum : int {
  kInvalidArgument = 2,
  kOutOfRange = 4,
  kUnsupported = 7,
  kInvalidState = 13,
  kPlugin = 11,
};
enum : uint32_t { kInt8, kUint8, kInt32, kUint32, kInt64, kUint64, kF16, kF32, kF64, kBf16 };
enum : uint32_t { kSum, kProd, kMax, kMin };

namespace {

struct Comm {
  MPI_Comm comm = MPI_COMM_NULL;
  int rank = 0;
  int size = 1;
};

char g_name[MPI_MAX_LIBRARY_VERSION_STRING + 1] = "MPI";
MPI_Op g_half_ops[2][4];  // [bf16][op] for 2-byte floats; MPI has none
bool g_ready = false;

int report(char* error, size_t size, int status, const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  std::vsnprintf(error, size, fmt, ap);
  va_end(ap);
  return status;
}

std::string mpi_text(int code) {
  char text[MPI_MAX_ERROR_STRING] = "";
  int length = 0;
  MPI_Error_string(code, text, &length);
  return text;
}

// ---- 2-byte floats: computed in float, rounded to nearest even.

float from_f16(uint16_t h) {
  const uint32_t sign = uint32_t(h & 0x8000u) << 16;
  uint32_t exp = (h >> 10) & 0x1f, man = h & 0x3ffu, bits;
  if (exp == 0x1f) {
    bits = sign | 0x7f800000u | (man << 13);
  } else if (exp == 0) {
    if (man == 0) {
      bits = sign;
    } else {  // subnormal: normalize
      exp = 127 - 15 + 1;
      while (!(man & 0x400u)) {
        man <<= 1;
        --exp;
      }
      bits = sign | (exp << 23) | ((man & 0x3ffu) << 13);
    }
  } else {
    bits = sign | ((exp + 127 - 15) << 23) | (man << 13);
  }
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

uint16_t to_f16(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  const uint16_t sign = uint16_t((x >> 16) & 0x8000u);
  const uint32_t abs = x & 0x7fffffffu;
  if (abs >= 0x7f800000u) return sign | (abs > 0x7f800000u ? 0x7e00u : 0x7c00u);
  if (abs >= 0x477ff000u) return sign | 0x7c00u;  // rounds to >= 65520: infinity
  if (abs < 0x38800000u) {                        // below the smallest normal: subnormal
    const uint32_t shift = 113 - (abs >> 23);
    if (shift > 24) return sign;
    const uint32_t man = (abs & 0x7fffffu) | 0x800000u;
    uint32_t v = man >> (shift + 13);
    const uint32_t rest = man & ((1u << (shift + 13)) - 1), half = 1u << (shift + 12);
    if (rest > half || (rest == half && (v & 1))) ++v;
    return sign | uint16_t(v);
  }
  uint32_t v = ((abs - 0x38000000u) >> 13);
  const uint32_t rest = abs & 0x1fffu;
  if (rest > 0x1000u || (rest == 0x1000u && (v & 1))) ++v;
  return sign | uint16_t(v);
}

float from_bf16(uint16_t h) {
  const uint32_t bits = uint32_t(h) << 16;
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

uint16_t to_bf16(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  if ((x & 0x7fffffffu) > 0x7f800000u) return uint16_t((x >> 16) | 0x40u);  // NaN stays NaN
  x += 0x7fffu + ((x >> 16) & 1u);
  return uint16_t(x >> 16);
}

template <bool kBf16, int kOp>
void half_op(void* in, void* inout, int* len, MPI_Datatype*) {
  const auto* a = static_cast<const uint16_t*>(in);
  auto* b = static_cast<uint16_t*>(inout);
  for (int i = 0; i < *len; ++i) {
    const float x = kBf16 ? from_bf16(a[i]) : from_f16(a[i]);
    const float y = kBf16 ? from_bf16(b[i]) : from_f16(b[i]);
    float r = kOp == kSum    ? x + y
              : kOp == kProd ? x * y
              : kOp == kMax  ? std::max(x, y)
                             : std::min(x, y);
    b[i] = kBf16 ? to_bf16(r) : to_f16(r);
  }
}

void make_half_ops() {
  MPI_Op_create(&half_op<false, kSum>, 1, &g_half_ops[0][kSum]);
  MPI_Op_create(&half_op<false, kProd>, 1, &g_half_ops[0][kProd]);
  MPI_Op_create(&half_op<false, kMax>, 1, &g_half_ops[0][kMax]);
  MPI_Op_create(&half_op<false, kMin>, 1, &g_half_ops[0][kMin]);
  MPI_Op_create(&half_op<true, kSum>, 1, &g_half_ops[1][kSum]);
  MPI_Op_create(&half_op<true, kProd>, 1, &g_half_ops[1][kProd]);
  MPI_Op_create(&half_op<true, kMax>, 1, &g_half_ops[1][kMax]);
  MPI_Op_create(&half_op<true, kMin>, 1, &g_half_ops[1][kMin]);
}

MPI_Datatype mpi_type(uint32_t t) {
  switch (t) {
    case kInt8:
      return MPI_INT8_T;
    case kUint8:
      return MPI_UINT8_T;
    case kInt32:
      return MPI_INT32_T;
    case kUint32:
      return MPI_UINT32_T;
    case kInt64:
      return MPI_INT64_T;
    case kUint64:
      return MPI_UINT64_T;
    case kF32:
      return MPI_FLOAT;
    case kF64:
      return MPI_DOUBLE;
    default:
      return MPI_UINT16_T;  // f16, bf16: moved as 2-byte words, reduced by g_half_ops
  }
}

MPI_Op mpi_op(uint32_t t, uint32_t op) {
  if (t == kF16 || t == kBf16) return g_half_ops[t == kBf16][op & 3];
  static const MPI_Op ops[4] = {MPI_SUM, MPI_PROD, MPI_MAX, MPI_MIN};
  return ops[op & 3];
}

void finalize_at_exit() {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (!finalized) MPI_Finalize();
}

int ensure_mpi(char* error, size_t size) {
  if (g_ready) return 0;
  int initialized = 0, finalized = 0, provided = 0;
  MPI_Initialized(&initialized);
  MPI_Finalized(&finalized);
  if (finalized)
    return report(error, size, kInvalidState, "MPI was finalized already; it cannot start again");
  if (!initialized) {
    const int rc = MPI_Init_thread(nullptr, nullptr, MPI_THREAD_MULTIPLE, &provided);
    if (rc != MPI_SUCCESS)
      return report(error, size, kPlugin, "MPI_Init_thread failed: %s", mpi_text(rc).c_str());
    std::atexit(finalize_at_exit);
  } else {
    MPI_Query_thread(&provided);
  }
  if (provided < MPI_THREAD_SERIALIZED)
    return report(error, size, kInvalidState,
                  "MPI runs at thread level %d; ahal's collectives call MPI from their own thread "
                  "and need MPI_THREAD_SERIALIZED or more (initialize MPI with MPI_Init_thread and "
                  "MPI_THREAD_MULTIPLE, or let ahal initialize it)",
                  provided);
  make_half_ops();
  g_ready = true;
  return 0;
}

uint64_t id_color(const void* id) {
  // FNV-1a over the id's bytes.
  uint64_t h = 1469598103934665603ull;
  const auto* b = static_cast<const unsigned char*>(id);
  for (unsigned i = 0; i < AHAL_CCL_ENGINE_ID_BYTES; ++i) h = (h ^ b[i]) * 1099511628211ull;
  return h;
}

int comm_create(const void* id, uint32_t nranks, uint32_t rank, void** out, char* error,
                size_t size) {
  if (int rc = ensure_mpi(error, size)) return rc;
  int world = 0;
  MPI_Comm_size(MPI_COMM_WORLD, &world);
  if (uint64_t(world) < nranks)
    return report(error, size, kInvalidArgument,
                  "the communicator has %u ranks but the MPI job has %d process%s: start one "
                  "process per rank, with mpirun -np %u (docs/collectives.md)",
                  nranks, world, world == 1 ? "" : "es", nranks);
  auto* c = new Comm;
  const int color = int(id_color(id) & 0x7fffffff);
  int rc = MPI_Comm_split(MPI_COMM_WORLD, color, int(rank), &c->comm);
  if (rc != MPI_SUCCESS) {
    delete c;
    return report(error, size, kPlugin, "MPI_Comm_split failed: %s", mpi_text(rc).c_str());
  }
  MPI_Comm_set_errhandler(c->comm, MPI_ERRORS_RETURN);
  MPI_Comm_rank(c->comm, &c->rank);
  MPI_Comm_size(c->comm, &c->size);
  // Everyone agrees on the outcome, so no rank waits for one that gave up.
  int ok = c->size == int(nranks) && c->rank == int(rank) ? 1 : 0, all = 0;
  MPI_Allreduce(&ok, &all, 1, MPI_INT, MPI_MIN, c->comm);
  if (!all) {
    const int joined = c->size;
    MPI_Comm_free(&c->comm);
    delete c;
    return report(error, size, kInvalidArgument,
                  "%d process(es) joined this communicator, which has %u ranks (this one rank "
                  "%u): every rank passes the same id and nranks, and each rank 0..%u once",
                  joined, nranks, rank, nranks - 1);
  }
  *out = c;
  return 0;
}

void comm_destroy(void* comm) {
  auto* c = static_cast<Comm*>(comm);
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (!finalized) MPI_Comm_free(&c->comm);
  delete c;
}

// One operation, started (request != null) or run to completion.
int start(const ahal_ccl_host_op_t& o, MPI_Request* request, char* error, size_t size) {
  const Comm* c = static_cast<const Comm*>(o.comm);
  if (o.count > uint64_t(INT_MAX))
    return report(error, size, kUnsupported, "%llu elements exceed MPI's int count",
                  static_cast<unsigned long long>(o.count));
  const int n = int(o.count);
  const MPI_Datatype t = mpi_type(o.datatype);
  const MPI_Op op = mpi_op(o.datatype, o.op);
  const bool in_place = o.send == o.recv;
  const int root = int(o.peer);
  int rc = MPI_SUCCESS;
  switch (o.kind) {
    case AHAL_CCL_KIND_ALLREDUCE: {
      const void* s = in_place ? MPI_IN_PLACE : o.send;
      rc = request ? MPI_Iallreduce(s, o.recv, n, t, op, c->comm, request)
                   : MPI_Allreduce(s, o.recv, n, t, op, c->comm);
      break;
    }
    case AHAL_CCL_KIND_ALLGATHER:
      rc = request ? MPI_Iallgather(o.send, n, t, o.recv, n, t, c->comm, request)
                   : MPI_Allgather(o.send, n, t, o.recv, n, t, c->comm);
      break;
    case AHAL_CCL_KIND_REDUCE_SCATTER:
      rc = request ? MPI_Ireduce_scatter_block(o.send, o.recv, n, t, op, c->comm, request)
                   : MPI_Reduce_scatter_block(o.send, o.recv, n, t, op, c->comm);
      break;
    case AHAL_CCL_KIND_BROADCAST:
      if (c->rank == root && o.send && o.send != o.recv) {  // direct: root's data to recv
        int bytes = 0;
        MPI_Type_size(t, &bytes);
        std::memmove(o.recv, o.send, size_t(bytes) * o.count);
      }
      rc = request ? MPI_Ibcast(o.recv, n, t, root, c->comm, request)
                   : MPI_Bcast(o.recv, n, t, root, c->comm);
      break;
    case AHAL_CCL_KIND_REDUCE: {
      const void* s = in_place && c->rank == root ? MPI_IN_PLACE : o.send;
      rc = request ? MPI_Ireduce(s, o.recv, n, t, op, root, c->comm, request)
                   : MPI_Reduce(s, o.recv, n, t, op, root, c->comm);
      break;
    }
    case AHAL_CCL_KIND_SEND:
      rc = request ? MPI_Isend(o.send, n, t, root, 0, c->comm, request)
                   : MPI_Send(o.send, n, t, root, 0, c->comm);
      break;
    case AHAL_CCL_KIND_RECV:
      rc = request ? MPI_Irecv(o.recv, n, t, root, 0, c->comm, request)
                   : MPI_Recv(o.recv, n, t, root, 0, c->comm, MPI_STATUS_IGNORE);
      break;
    default:
      return report(error, size, kInvalidArgument, "unknown operation %u", o.kind);
  }
  if (rc != MPI_SUCCESS) return report(error, size, kPlugin, "MPI: %s", mpi_text(rc).c_str());
  return 0;
}

int run(const ahal_ccl_host_op_t* ops, uint32_t count, char* error, size_t size) {
  if (count == 1) return start(ops[0], nullptr, error, size);
  std::vector<MPI_Request> requests(count, MPI_REQUEST_NULL);
  int failed = 0;
  for (uint32_t i = 0; i < count && !failed; ++i) failed = start(ops[i], &requests[i], error, size);
  const int rc = MPI_Waitall(int(count), requests.data(), MPI_STATUSES_IGNORE);
  if (failed) return failed;
  if (rc != MPI_SUCCESS)
    return report(error, size, kPlugin, "MPI_Waitall: %s", mpi_text(rc).c_str());
  return 0;
}

}  // namespace

extern "C" __attribute__((visibility("default"))) int ahal_ccl_engine_query(
    uint32_t version, ahal_ccl_host_engine_t* out) {
  if (version != AHAL_CCL_ENGINE_VERSION || !out ||
      out->struct_size < sizeof(ahal_ccl_host_engine_t))
    return kUnsupported;
  int length = 0;
  char text[MPI_MAX_LIBRARY_VERSION_STRING] = "";
  if (MPI_Get_library_version(text, &length) == MPI_SUCCESS) {
    // "Open MPI v4.1.4, package: ..." -> "Open MPI v4.1.4"
    text[std::strcspn(text, ",\n")] = 0;
    std::snprintf(g_name, sizeof(g_name), "%s", text);
  }
  ahal_ccl_host_engine_t t = {};
  t.struct_size = sizeof(t);
  t.version = AHAL_CCL_ENGINE_VERSION;
  t.name = g_name;
  t.comm_create = &comm_create;
  t.comm_destroy = &comm_destroy;
  t.run = &run;
  *out = t;
  return 0;
}
