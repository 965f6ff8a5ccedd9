// ahal_ccl_*: communicators and collectives (docs/collectives.md). Every
// argument is checked here; the operation then goes to the plugin's own
// library (ccl_native.cpp), to MPI through pinned host memory
// (ccl_staged.cpp), or, for one rank without a library, to a device copy.
#include <cstdlib>
#include <cstring>
#include <random>

#include "collectives.hpp"
#include "enqueue_checks.hpp"
#include "host_services.hpp"
#include "layers.hpp"

namespace ahal {
namespace {

using ull = unsigned long long;

// ahal_ccl_unique_id_t: a header, then the engine's id at kPayload.
constexpr char kIdMagic[4] = {'A', 'H', 'C', 'C'};
constexpr uint32_t kIdMpi = 1;
constexpr uint32_t kIdNative = 2;
constexpr size_t kPayload = 128;
struct IdHeader {
  char magic[4];
  uint32_t engine;
  char plugin[64];
};
static_assert(sizeof(IdHeader) <= kPayload, "id header overlaps the payload");
static_assert(kPayload + AHAL_PLUGIN_CCL_ID_BYTES <= sizeof(ahal_ccl_unique_id_t), "id too small");

// AHAL_CCL_ENGINE=mpi: ids name MPI communicators even where the plugin has
// a library, and one-rank communicators go through MPI too (tests).
bool force_mpi() {
  static const bool forced = [] {
    const char* e = std::getenv("AHAL_CCL_ENGINE");
    return e && std::strcmp(e, "mpi") == 0;
  }();
  return forced;
}

// The operations one thread has between ahal_ccl_group_start and _end.
struct Group {
  int depth = 0;
  std::vector<CclOp> staged;
};
thread_local Group t_group;

// One rank, no library: each collective is a copy on the device.
ahal_status_t self_enqueue(const char* fn, const CclOp& op) {
  if (op.kind == AHAL_CCL_KIND_SEND || op.kind == AHAL_CCL_KIND_RECV)
    return fail(AHAL_ERROR_UNSUPPORTED, fn,
                "a one-rank communicator without a collectives library has no peer to %s",
                op.kind == AHAL_CCL_KIND_SEND ? "send to" : "receive from");
  const uint64_t bytes = op.count * ccl_datatype_size(op.datatype);
  if (op.send == op.recv && op.send_offset == op.recv_offset) return AHAL_SUCCESS;
  Buffer *from = nullptr, *to = nullptr;
  Device* d = op.comm->device;
  if (ahal_status_t st = check_copy_d2d(
          fn, d, "communicator", to_handle<ahal_buffer_t>(op.send->handle), op.send_offset,
          to_handle<ahal_buffer_t>(op.recv->handle), op.recv_offset, bytes, &from, &to))
    return st;
  return entry::stream_copy_d2d(fn, *d->plugin, op.stream->object, from->object, op.send_offset,
                                to->object, op.recv_offset, bytes);
}

ahal_status_t issue(const char* fn, const CclOp& op) {
  CclComm* c = op.comm;
  {
    std::lock_guard<std::mutex> lock(c->mutex);
    if (c->async_status != AHAL_SUCCESS)
      return fail(c->async_status, fn, "the communicator failed earlier: %s",
                  c->async_message.c_str());
  }
  if (op.count == 0) return AHAL_SUCCESS;
  // A destroy of a buffer waits for the stream that runs the operation.
  if (op.send) op.send->users.note(op.stream);
  if (op.recv) op.recv->users.note(op.stream);
  switch (c->engine) {
    case AHAL_CCL_ENGINE_NATIVE:
      if (t_group.depth > 0)
        if (ahal_status_t st = native_group_join(fn, c)) return st;
      return native_enqueue(fn, op);
    case AHAL_CCL_ENGINE_MPI:
      if (t_group.depth > 0) {
        t_group.staged.push_back(op);
        return AHAL_SUCCESS;
      }
      return staged_enqueue(fn, &op, 1);
    default:
      return self_enqueue(fn, op);
  }
}

// The checks every operation shares: the stream, datatype, reduction, root
// or peer. *size gets the element size.
ahal_status_t check_common(const char* fn, CclComm* c, ahal_stream_t stream,
                           ahal_ccl_datatype_t datatype, const ahal_ccl_op_t* op,
                           const uint32_t* root, const char* root_name, CclOp* out,
                           uint32_t* size) {
  Stream* s = get(stream);
  if (!s) return invalid_handle(fn, stream, HandleType::kStream);
  if (s->device != c->device)
    return other_device(fn, "stream", s->device, c->device, "communicator");
  out->comm = c;
  out->stream = s;
  const uint32_t dt = raw_enum(datatype);
  *size = ccl_datatype_size(dt);
  if (*size == 0)
    return fail(AHAL_ERROR_INVALID_ARGUMENT, fn, "datatype %u is not an ahal_ccl_datatype_t", dt);
  out->datatype = static_cast<ahal_ccl_datatype_t>(dt);
  if (op) {
    const uint32_t o = raw_enum(*op);
    if (o > AHAL_CCL_MIN)
      return fail(AHAL_ERROR_INVALID_ARGUMENT, fn,
                  "op %u is not an ahal_ccl_op_t (SUM, PROD, MAX, MIN)", o);
    out->op = static_cast<ahal_ccl_op_t>(o);
  }
  if (root) {
    if (*root >= c->nranks)
      return fail(AHAL_ERROR_OUT_OF_RANGE, fn, "%s %u is not below the communicator's %u ranks",
                  root_name, *root, c->nranks);
    out->peer = *root;
  }
  return AHAL_SUCCESS;
}

// A buffer of the communicator's device holding `elements` elements of
// `size` bytes from `offset`.
ahal_status_t check_range(const char* fn, const char* what, CclComm* c, ahal_buffer_t handle,
                          uint64_t offset, uint64_t elements, uint32_t size, Buffer** out) {
  if (ahal_status_t st = owned_buffer(fn, what, handle, c->device, "communicator", out)) return st;
  if (elements > UINT64_MAX / size)
    return fail(AHAL_ERROR_OUT_OF_RANGE, fn, "%llu elements of %u bytes overflow", (ull)elements,
                size);
  const uint64_t bytes = elements * size;
  if (!in_range(offset, bytes, (*out)->size)) {
    const std::string prefix = std::string(what) + "_";
    return range_error(fn, prefix.c_str(), offset, bytes, (*out)->size);
  }
  return AHAL_SUCCESS;
}

// One side (send or recv) of an operation: its range, and whether this
// rank uses it (a broadcast's send only at the root, a reduce's recv too).
struct Side {
  ahal_buffer_t buffer;
  uint64_t offset;
  uint64_t elements;
  bool used = true;
};

// Checks the sides this rank uses and puts both into `o`.
ahal_status_t check_sides(const char* fn, CclComm* c, uint32_t size, const Side& send,
                          const Side& recv, CclOp* o) {
  if (send.used) {
    if (ahal_status_t st =
            check_range(fn, "send", c, send.buffer, send.offset, send.elements, size, &o->send))
      return st;
  }
  if (recv.used) {
    if (ahal_status_t st =
            check_range(fn, "recv", c, recv.buffer, recv.offset, recv.elements, size, &o->recv))
      return st;
  }
  o->send_offset = send.offset;
  o->recv_offset = recv.offset;
  return AHAL_SUCCESS;
}

ahal_status_t times_ranks(const char* fn, const CclComm* c, uint64_t count, uint64_t* out) {
  if (count > UINT64_MAX / c->nranks)
    return fail(AHAL_ERROR_OUT_OF_RANGE, fn, "count %llu times %u ranks overflows", (ull)count,
                c->nranks);
  *out = count * c->nranks;
  return AHAL_SUCCESS;
}

}  // namespace

uint32_t ccl_datatype_size(uint32_t datatype) {
  switch (datatype) {
    case AHAL_CCL_INT8:
    case AHAL_CCL_UINT8:
      return 1;
    case AHAL_CCL_FLOAT16:
    case AHAL_CCL_BFLOAT16:
      return 2;
    case AHAL_CCL_INT32:
    case AHAL_CCL_UINT32:
    case AHAL_CCL_FLOAT32:
      return 4;
    case AHAL_CCL_INT64:
    case AHAL_CCL_UINT64:
    case AHAL_CCL_FLOAT64:
      return 8;
    default:
      return 0;
  }
}

const char* ccl_kind_name(uint32_t kind) {
  static const char* const names[] = {"?",         "allreduce", "allgather", "reduce_scatter",
                                      "broadcast", "reduce",    "send",      "recv"};
  return kind < sizeof(names) / sizeof(names[0]) ? names[kind] : "?";
}

void CclComm::fail_async(ahal_status_t status, const std::string& message) {
  std::lock_guard<std::mutex> lock(mutex);
  if (async_status != AHAL_SUCCESS) return;
  async_status = status;
  async_message = message;
  log(AHAL_LOG_ERROR, "collectives", "communicator of %s (rank %u of %u) failed: %s",
      device->properties.selector, rank, nranks, message.c_str());
}

void release_ccl_comm(CclComm* c) {
  {
    std::unique_lock<std::mutex> lock(c->mutex);
    c->idle.wait(lock, [&] { return c->in_flight == 0; });
  }
  if (c->native)
    call_plugin_void("ahal_ccl_comm_destroy", *c->device->plugin,
                     [&] { c->table->comm_destroy(c->native); });
  if (c->engine_comm) staged_destroy(c);
  delete c;
}

namespace base {

ahal_status_t ccl_get_unique_id(const char* fn, Device* d, ahal_ccl_unique_id_t* out_id) {
  if (!out_id) return fail(AHAL_ERROR_INVALID_ARGUMENT, fn, "out_id is NULL");
  ahal_ccl_unique_id_t id;
  std::memset(&id, 0, sizeof(id));
  IdHeader h = {};
  std::memcpy(h.magic, kIdMagic, sizeof(h.magic));
  std::string why;
  const ahal_plugin_ccl_t* table = nullptr;
  if (!force_mpi())
    if (ahal_status_t st = native_table(fn, *d->plugin, &table, &why)) return st;
  if (table) {
    h.engine = kIdNative;
    std::snprintf(h.plugin, sizeof(h.plugin), "%s", d->plugin->name.c_str());
    if (ahal_status_t st = native_unique_id(fn, d, table, id.internal + kPayload)) return st;
  } else {
    h.engine = kIdMpi;
    std::random_device random;
    for (size_t i = 0; i < AHAL_CCL_ENGINE_ID_BYTES; i += 4) {
      const uint32_t v = random();
      std::memcpy(id.internal + kPayload + i, &v, 4);
    }
  }
  std::memcpy(id.internal, &h, sizeof(h));
  *out_id = id;
  return AHAL_SUCCESS;
}

ahal_status_t ccl_comm_init_rank(const char* fn, Device* d, uint32_t nranks,
                                 const ahal_ccl_unique_id_t* id, uint32_t rank,
                                 ahal_ccl_comm_t* out_comm) {
  if (!out_comm) return fail(AHAL_ERROR_INVALID_ARGUMENT, fn, "out_comm is NULL");
  if (!id) return fail(AHAL_ERROR_INVALID_ARGUMENT, fn, "id is NULL");
  if (nranks == 0) return fail(AHAL_ERROR_INVALID_ARGUMENT, fn, "nranks is 0");
  if (rank >= nranks)
    return fail(AHAL_ERROR_OUT_OF_RANGE, fn, "rank %u is not below nranks %u", rank, nranks);
  IdHeader h;
  std::memcpy(&h, id->internal, sizeof(h));
  h.plugin[sizeof(h.plugin) - 1] = 0;
  if (std::memcmp(h.magic, kIdMagic, sizeof(h.magic)) != 0 ||
      (h.engine != kIdMpi && h.engine != kIdNative))
    return fail(AHAL_ERROR_INVALID_ARGUMENT, fn,
                "id was not made by ahal_ccl_get_unique_id (hand the same bytes to every rank)");
  auto c = std::make_unique<CclComm>();
  c->device = d;
  c->rank = rank;
  c->nranks = nranks;
  if (h.engine == kIdNative) {
    if (d->plugin->name != h.plugin)
      return fail(AHAL_ERROR_INVALID_ARGUMENT, fn,
                  "id names a communicator of plugin %s's collectives library; device %s is of "
                  "plugin %s",
                  h.plugin, d->properties.selector, d->plugin->name.c_str());
    std::string why;
    if (ahal_status_t st = native_table(fn, *d->plugin, &c->table, &why)) return st;
    if (!c->table)
      return fail(AHAL_ERROR_UNSUPPORTED, fn, "plugin %s has no collectives library here%s%s",
                  h.plugin, why.empty() ? "" : ": ", why.c_str());
    c->engine = AHAL_CCL_ENGINE_NATIVE;
    if (ahal_status_t st = native_init(fn, c.get(), id->internal + kPayload)) return st;
  } else if (nranks == 1 && !force_mpi()) {
    c->engine = AHAL_CCL_ENGINE_SELF;
    c->library = "self";
  } else {
    if (!(d->properties.features & AHAL_FEATURE_HOST_CALLBACKS))
      return fail(AHAL_ERROR_UNSUPPORTED, fn,
                  "device %s has no host callbacks (AHAL_FEATURE_HOST_CALLBACKS), which staged "
                  "collectives order their work with",
                  d->properties.selector);
    c->engine = AHAL_CCL_ENGINE_MPI;
    if (ahal_status_t st = staged_init(fn, c.get(), id->internal + kPayload)) return st;
  }
  ahal_status_t st = register_handle(fn, c.get(), HandleType::kCclComm);
  if (st == AHAL_SUCCESS) {
    try {
      std::lock_guard<std::mutex> lock(d->mutex);
      d->ccl_comms.insert(c.get());
    } catch (const std::bad_alloc&) {
      st = fail(AHAL_ERROR_OUT_OF_HOST_MEMORY, fn, "out of host memory");
    }
  }
  if (st != AHAL_SUCCESS) {
    if (c->handle) handles().remove(c->handle);
    release_ccl_comm(c.release());
    return st;
  }
  *out_comm = to_handle<ahal_ccl_comm_t>(c->handle);
  c.release();
  return AHAL_SUCCESS;
}

ahal_status_t ccl_comm_destroy(const char* fn, CclComm* c) {
  if (!unregister(to_handle<ahal_ccl_comm_t>(c->handle)))
    return invalid_handle(fn, to_handle<ahal_ccl_comm_t>(c->handle), HandleType::kCclComm);
  {
    std::lock_guard<std::mutex> lock(c->device->mutex);
    c->device->ccl_comms.erase(c);
  }
  release_ccl_comm(c);
  return AHAL_SUCCESS;
}

ahal_status_t ccl_comm_info(const char* fn, CclComm* c, ahal_ccl_comm_info_t* out_info) {
  if (!out_info) return fail(AHAL_ERROR_INVALID_ARGUMENT, fn, "out_info is NULL");
  if (ahal_status_t s = check_struct_size(fn, "ahal_ccl_comm_info_t", out_info->struct_size,
                                          AHAL_END_OF(ahal_ccl_comm_info_t, library)))
    return s;
  ahal_ccl_comm_info_t info = {};
  info.struct_size = out_info->struct_size;
  info.rank = c->rank;
  info.nranks = c->nranks;
  info.engine = c->engine;
  info.library = c->library.c_str();
  std::memcpy(out_info, &info, std::min(sizeof(info), out_info->struct_size));
  return AHAL_SUCCESS;
}

ahal_status_t ccl_comm_get_async_error(const char* fn, CclComm* c) {
  {
    std::lock_guard<std::mutex> lock(c->mutex);
    if (c->async_status != AHAL_SUCCESS)
      return fail(c->async_status, fn, "%s", c->async_message.c_str());
  }
  if (c->native && c->table->comm_get_async_error) {
    constexpr uint32_t kAllowed = (1u << AHAL_ERROR_DEVICE_LOST) | (1u << AHAL_ERROR_PLUGIN) |
                                  (1u << AHAL_ERROR_INVALID_STATE) |
                                  (1u << AHAL_ERROR_INVALID_ARGUMENT) |
                                  (1u << AHAL_ERROR_OUT_OF_DEVICE_MEMORY);
    return call_plugin(fn, *c->device->plugin, "ccl comm_get_async_error", kAllowed,
                       [&] { return c->table->comm_get_async_error(c->native); });
  }
  return AHAL_SUCCESS;
}

ahal_status_t ccl_allreduce(const char* fn, CclComm* c, ahal_buffer_t send, uint64_t send_offset,
                            ahal_buffer_t recv, uint64_t recv_offset, uint64_t count,
                            ahal_ccl_datatype_t datatype, ahal_ccl_op_t op, ahal_stream_t stream) {
  CclOp o;
  uint32_t size = 0;
  o.kind = AHAL_CCL_KIND_ALLREDUCE;
  if (ahal_status_t st = check_common(fn, c, stream, datatype, &op, nullptr, "", &o, &size))
    return st;
  if (ahal_status_t st =
          check_sides(fn, c, size, {send, send_offset, count}, {recv, recv_offset, count}, &o))
    return st;
  o.count = count;
  return issue(fn, o);
}

ahal_status_t ccl_allgather(const char* fn, CclComm* c, ahal_buffer_t send, uint64_t send_offset,
                            ahal_buffer_t recv, uint64_t recv_offset, uint64_t send_count,
                            ahal_ccl_datatype_t datatype, ahal_stream_t stream) {
  CclOp o;
  uint32_t size = 0;
  uint64_t total = 0;
  o.kind = AHAL_CCL_KIND_ALLGATHER;
  if (ahal_status_t st = check_common(fn, c, stream, datatype, nullptr, nullptr, "", &o, &size))
    return st;
  if (ahal_status_t st = times_ranks(fn, c, send_count, &total)) return st;
  if (ahal_status_t st =
          check_sides(fn, c, size, {send, send_offset, send_count}, {recv, recv_offset, total}, &o))
    return st;
  o.count = send_count;
  return issue(fn, o);
}

ahal_status_t ccl_reduce_scatter(const char* fn, CclComm* c, ahal_buffer_t send,
                                 uint64_t send_offset, ahal_buffer_t recv, uint64_t recv_offset,
                                 uint64_t recv_count, ahal_ccl_datatype_t datatype,
                                 ahal_ccl_op_t op, ahal_stream_t stream) {
  CclOp o;
  uint32_t size = 0;
  uint64_t total = 0;
  o.kind = AHAL_CCL_KIND_REDUCE_SCATTER;
  if (ahal_status_t st = check_common(fn, c, stream, datatype, &op, nullptr, "", &o, &size))
    return st;
  if (ahal_status_t st = times_ranks(fn, c, recv_count, &total)) return st;
  if (ahal_status_t st =
          check_sides(fn, c, size, {send, send_offset, total}, {recv, recv_offset, recv_count}, &o))
    return st;
  o.count = recv_count;
  return issue(fn, o);
}

ahal_status_t ccl_broadcast(const char* fn, CclComm* c, ahal_buffer_t send, uint64_t send_offset,
                            ahal_buffer_t recv, uint64_t recv_offset, uint64_t count,
                            ahal_ccl_datatype_t datatype, uint32_t root, ahal_stream_t stream) {
  CclOp o;
  uint32_t size = 0;
  o.kind = AHAL_CCL_KIND_BROADCAST;
  if (ahal_status_t st = check_common(fn, c, stream, datatype, nullptr, &root, "root", &o, &size))
    return st;
  if (ahal_status_t st = check_sides(fn, c, size, {send, send_offset, count, c->rank == root},
                                     {recv, recv_offset, count}, &o))
    return st;
  o.count = count;
  return issue(fn, o);
}

ahal_status_t ccl_reduce(const char* fn, CclComm* c, ahal_buffer_t send, uint64_t send_offset,
                         ahal_buffer_t recv, uint64_t recv_offset, uint64_t count,
                         ahal_ccl_datatype_t datatype, ahal_ccl_op_t op, uint32_t root,
                         ahal_stream_t stream) {
  CclOp o;
  uint32_t size = 0;
  o.kind = AHAL_CCL_KIND_REDUCE;
  if (ahal_status_t st = check_common(fn, c, stream, datatype, &op, &root, "root", &o, &size))
    return st;
  if (ahal_status_t st = check_sides(fn, c, size, {send, send_offset, count},
                                     {recv, recv_offset, count, c->rank == root}, &o))
    return st;
  o.count = count;
  return issue(fn, o);
}

namespace {

// Send and receive differ only in the kind and the side of the op they fill.
ahal_status_t point_to_point(const char* fn, uint32_t kind, CclComm* c, ahal_buffer_t buffer,
                             uint64_t offset, uint64_t count, ahal_ccl_datatype_t datatype,
                             uint32_t peer, ahal_stream_t stream) {
  CclOp o;
  uint32_t size = 0;
  o.kind = kind;
  if (ahal_status_t st = check_common(fn, c, stream, datatype, nullptr, &peer, "peer", &o, &size))
    return st;
  const bool send = kind == AHAL_CCL_KIND_SEND;
  if (ahal_status_t st =
          check_range(fn, "buffer", c, buffer, offset, count, size, send ? &o.send : &o.recv))
    return st;
  (send ? o.send_offset : o.recv_offset) = offset;
  o.count = count;
  return issue(fn, o);
}

}  // namespace

ahal_status_t ccl_send(const char* fn, CclComm* c, ahal_buffer_t buffer, uint64_t offset,
                       uint64_t count, ahal_ccl_datatype_t datatype, uint32_t peer,
                       ahal_stream_t stream) {
  return point_to_point(fn, AHAL_CCL_KIND_SEND, c, buffer, offset, count, datatype, peer, stream);
}

ahal_status_t ccl_recv(const char* fn, CclComm* c, ahal_buffer_t buffer, uint64_t offset,
                       uint64_t count, ahal_ccl_datatype_t datatype, uint32_t peer,
                       ahal_stream_t stream) {
  return point_to_point(fn, AHAL_CCL_KIND_RECV, c, buffer, offset, count, datatype, peer, stream);
}

ahal_status_t ccl_group_start(const char* fn) {
  static_cast<void>(fn);
  ++t_group.depth;
  return AHAL_SUCCESS;
}

ahal_status_t ccl_group_end(const char* fn) {
  if (t_group.depth == 0)
    return fail(AHAL_ERROR_INVALID_STATE, fn, "no group is open (ahal_ccl_group_start)");
  if (--t_group.depth > 0) return AHAL_SUCCESS;
  std::vector<CclOp> ops;
  ops.swap(t_group.staged);
  ahal_status_t st = AHAL_SUCCESS;
  if (!ops.empty()) st = staged_enqueue(fn, ops.data(), ops.size());
  const ahal_status_t native = native_group_end(fn);
  return st != AHAL_SUCCESS ? st : native;
}

}  // namespace base
}  // namespace ahal

#include "generated/collectives_entries.inc"
