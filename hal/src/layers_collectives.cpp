// The layers' hooks for work that spans devices or ranks: a peer copy or a
// collective is one command on its stream (in-flight checks see its
// buffers, of any device; the trace shows one span per operation).
#include <utility>

#include "collectives.hpp"
#include "host_services.hpp"
#include "internal.hpp"
#include "layers.hpp"
#include "layers_core.hpp"
#include "layers_state.hpp"
#include "validation.hpp"

namespace ahal {
namespace layers {
namespace {

// One collective through the layers: its buffers are in flight until the
// stream passes it. A stream the base will refuse goes untracked (the
// base's refusal is then the finding).
template <class F>
ahal_status_t collective(const char* fn, CclComm* c, ahal_stream_t stream, void* caller,
                         const char* label, std::initializer_list<ahal_buffer_t> buffers,
                         uint64_t count, ahal_ccl_datatype_t datatype, F body) {
  return guard(fn, [&]() -> ahal_status_t {
    Stream* s = get(stream);
    if (!s || s->device != c->device) return Call(*c->device->layers, fn, caller).done(body());
    Plan p;
    p.enqueues = count != 0;
    p.label = format("%s (rank %u of %u)", label, c->rank, c->nranks);
    for (ahal_buffer_t b : buffers)
      if (b) p.buffers.push_back(buffer_handle(b));
    const uint32_t size = ccl_datatype_size(raw_enum(datatype));
    p.args = bytes_args(count * size) + format(", \"ranks\": %u", c->nranks);
    return enqueue(fn, s, caller, p, Body(std::move(body)));
  });
}

}  // namespace

ahal_status_t stream_copy_peer(const char* fn, Stream* s, ahal_buffer_t src, uint64_t src_offset,
                               ahal_buffer_t dst, uint64_t dst_offset, uint64_t size,
                               void* caller) noexcept {
  return guard(fn, [&]() -> ahal_status_t {
    Plan p;
    p.enqueues = size != 0;
    p.label = "copy peer";
    p.buffers = {buffer_handle(src), buffer_handle(dst)};
    p.args = bytes_args(size);
    return enqueue(fn, s, caller, p, Body([&] {
                     return base::stream_copy_peer(fn, s, src, src_offset, dst, dst_offset, size);
                   }));
  });
}

ahal_status_t ccl_comm_destroy(const char* fn, CclComm* c, void* caller) noexcept {
  return guard(fn, [&]() -> ahal_status_t {
    Layers& L = *c->device->layers;
    Call call(L, fn, caller);
    const uint64_t h = c->handle;
    const ahal_status_t status = base::ccl_comm_destroy(fn, c);
    if (status == AHAL_SUCCESS && L.validation) {
      std::lock_guard<std::mutex> lock(L.mutex);
      validation::bury(L, h, fn, caller);
    }
    return call.done(status);
  });
}

ahal_status_t ccl_allreduce(const char* fn, CclComm* c, ahal_buffer_t send, uint64_t send_offset,
                            ahal_buffer_t recv, uint64_t recv_offset, uint64_t count,
                            ahal_ccl_datatype_t datatype, ahal_ccl_op_t op, ahal_stream_t stream,
                            void* caller) noexcept {
  return collective(fn, c, stream, caller, "allreduce", {send, recv}, count, datatype, [&] {
    return base::ccl_allreduce(fn, c, send, send_offset, recv, recv_offset, count, datatype, op,
                               stream);
  });
}

ahal_status_t ccl_allgather(const char* fn, CclComm* c, ahal_buffer_t send, uint64_t send_offset,
                            ahal_buffer_t recv, uint64_t recv_offset, uint64_t send_count,
                            ahal_ccl_datatype_t datatype, ahal_stream_t stream,
                            void* caller) noexcept {
  return collective(fn, c, stream, caller, "allgather", {send, recv}, send_count, datatype, [&] {
    return base::ccl_allgather(fn, c, send, send_offset, recv, recv_offset, send_count, datatype,
                               stream);
  });
}

ahal_status_t ccl_reduce_scatter(const char* fn, CclComm* c, ahal_buffer_t send,
                                 uint64_t send_offset, ahal_buffer_t recv, uint64_t recv_offset,
                                 uint64_t recv_count, ahal_ccl_datatype_t datatype,
                                 ahal_ccl_op_t op, ahal_stream_t stream, void* caller) noexcept {
  return collective(fn, c, stream, caller, "reduce_scatter", {send, recv}, recv_count, datatype,
                    [&] {
                      return base::ccl_reduce_scatter(fn, c, send, send_offset, recv, recv_offset,
                                                      recv_count, datatype, op, stream);
                    });
}

ahal_status_t ccl_broadcast(const char* fn, CclComm* c, ahal_buffer_t send, uint64_t send_offset,
                            ahal_buffer_t recv, uint64_t recv_offset, uint64_t count,
                            ahal_ccl_datatype_t datatype, uint32_t root, ahal_stream_t stream,
                            void* caller) noexcept {
  return collective(fn, c, stream, caller, "broadcast", {send, recv}, count, datatype, [&] {
    return base::ccl_broadcast(fn, c, send, send_offset, recv, recv_offset, count, datatype, root,
                               stream);
  });
}

ahal_status_t ccl_reduce(const char* fn, CclComm* c, ahal_buffer_t send, uint64_t send_offset,
                         ahal_buffer_t recv, uint64_t recv_offset, uint64_t count,
                         ahal_ccl_datatype_t datatype, ahal_ccl_op_t op, uint32_t root,
                         ahal_stream_t stream, void* caller) noexcept {
  return collective(fn, c, stream, caller, "reduce", {send, recv}, count, datatype, [&] {
    return base::ccl_reduce(fn, c, send, send_offset, recv, recv_offset, count, datatype, op, root,
                            stream);
  });
}

ahal_status_t ccl_send(const char* fn, CclComm* c, ahal_buffer_t buffer, uint64_t offset,
                       uint64_t count, ahal_ccl_datatype_t datatype, uint32_t peer,
                       ahal_stream_t stream, void* caller) noexcept {
  return collective(fn, c, stream, caller, "send", {buffer}, count, datatype, [&] {
    return base::ccl_send(fn, c, buffer, offset, count, datatype, peer, stream);
  });
}

ahal_status_t ccl_recv(const char* fn, CclComm* c, ahal_buffer_t buffer, uint64_t offset,
                       uint64_t count, ahal_ccl_datatype_t datatype, uint32_t peer,
                       ahal_stream_t stream, void* caller) noexcept {
  return collective(fn, c, stream, caller, "recv", {buffer}, count, datatype, [&] {
    return base::ccl_recv(fn, c, buffer, offset, count, datatype, peer, stream);
  });
}

}  // namespace layers
}  // namespace ahal
