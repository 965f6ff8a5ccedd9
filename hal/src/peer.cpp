// Work between two devices: copies (native where the plugin has a peer
// path, else staged through pinned host chunks) and waits on another
// device's events (native, else a host thread waits).
#include <memory>

#include "enqueue_checks.hpp"
#include "host_services.hpp"
#include "internal.hpp"
#include "layers.hpp"
#include "peer.hpp"
#include "staging.hpp"

namespace ahal {
namespace {

constexpr uint32_t kKnownPeerFlags = AHAL_PEER_COPY_NATIVE | AHAL_PEER_WAIT_NATIVE;
// Pinned chunks in flight per staged copy: one filling, one draining, one
// spare, so neither side waits for the other in the steady state.
constexpr uint64_t kSlots = 3;

// A staged copy from `src` (device A) to `dst` (device B). One side's
// commands go on the caller's stream, the other side's on a stream the
// loader lends; they meet at two gates: `staged` (chunks in pinned memory)
// and `drained` (chunks copied out, so their slot may be reused). Each
// side's last callback drops one reference; the last returns the lent
// stream and chunks.
struct PeerCopy {
  Device* lender = nullptr;  // device of `lent`
  ahal_plugin_stream_t* lent = nullptr;
  std::vector<PinnedChunk> slots;
  HostGate start, staged, drained;

  ~PeerCopy() {
    for (const PinnedChunk& c : slots) give_pinned(c);
    if (lent) give_stream(lender, lent);
  }
  void open() {
    start.open();
    staged.open();
    drained.open();
  }
};

ahal_status_t copy_staged(const char* fn, Stream* s, Buffer* from, uint64_t src_offset, Buffer* to,
                          uint64_t dst_offset, uint64_t size) {
  Device* const a = from->device;
  Device* const b = to->device;
  const bool on_source = s->device == a;
  const uint64_t chunk = staging_chunk_bytes();
  const uint64_t n = (size + chunk - 1) / chunk;
  auto job = std::make_shared<PeerCopy>();
  job->lender = on_source ? b : a;
  if (ahal_status_t st = take_stream(fn, job->lender, &job->lent)) {
    job->lender = nullptr;
    return st;
  }
  for (uint64_t i = 0; i < std::min(n, kSlots); ++i) {
    PinnedChunk c;
    if (ahal_status_t st = take_pinned(fn, a, std::min(chunk, size), &c)) return st;
    job->slots.push_back(c);
  }
  // The d2h side runs on A, the h2d side on B: one is the caller's stream.
  ahal_plugin_stream_t* const d2h = on_source ? s->object : job->lent;
  ahal_plugin_stream_t* const h2d = on_source ? job->lent : s->object;
  PeerCopy* const p = job.get();
  ahal_status_t st = AHAL_SUCCESS;
  auto host = [&](Device* d, ahal_plugin_stream_t* stream, auto f) {
    if (st == AHAL_SUCCESS) st = enqueue_host(fn, d, stream, f);
  };
  // Lent on A: it starts when the caller's stream (on B) reaches the copy.
  if (!on_source) {
    host(b, h2d, [p] { p->start.advance(1); });
    host(a, d2h, [p] { p->start.wait(1); });
  }
  for (uint64_t i = 0; i < n && st == AHAL_SUCCESS; ++i) {
    const uint64_t offset = i * chunk;
    const uint64_t bytes = std::min(chunk, size - offset);
    const PinnedChunk& slot = p->slots[i % kSlots];
    if (i >= kSlots) host(a, d2h, [p, i] { p->drained.wait(i - kSlots + 1); });
    if (st == AHAL_SUCCESS)
      st = entry::stream_copy_d2h(fn, *a->plugin, d2h, from->object, src_offset + offset,
                                  slot.pointer, bytes);
    host(a, d2h, [p, i] { p->staged.advance(i + 1); });
    host(b, h2d, [p, i] { p->staged.wait(i + 1); });
    if (st == AHAL_SUCCESS)
      st = entry::stream_copy_h2d(fn, *b->plugin, h2d, slot.pointer, to->object,
                                  dst_offset + offset, bytes);
    host(b, h2d, [p, i] { p->drained.advance(i + 1); });
  }
  // The caller's stream ends when the whole copy landed in dst.
  if (on_source) host(a, d2h, [p, n] { p->drained.wait(n); });
  // Each side keeps the job alive until its last command ran.
  host(a, d2h, [job] { static_cast<void>(job); });
  host(b, h2d, [job] { static_cast<void>(job); });
  if (st != AHAL_SUCCESS) p->open();  // what was enqueued runs through
  return st;
}

}  // namespace

namespace {

// What the plugin says, less what it lacks the entry for.
ahal_status_t ask_peer_flags(const char* fn, Device* d, Device* peer, uint32_t* out) {
  *out = 0;
  if (d == peer) {
    *out = kKnownPeerFlags;
    return AHAL_SUCCESS;
  }
  const ahal_plugin_api_t& api = d->plugin->api;
  if (d->plugin != peer->plugin || !api.device_peer_flags) return AHAL_SUCCESS;
  uint32_t flags = 0;
  if (ahal_status_t st = entry::device_peer_flags(fn, *d->plugin, d->object, peer->object, &flags))
    return st;
  if (!api.stream_copy_peer) flags &= ~uint32_t(AHAL_PEER_COPY_NATIVE);
  if (!api.stream_wait_event_peer) flags &= ~uint32_t(AHAL_PEER_WAIT_NATIVE);
  *out = flags & kKnownPeerFlags;
  return AHAL_SUCCESS;
}

}  // namespace

uint32_t peer_flags(const char* fn, Device* d, Device* peer) {
  uint32_t flags = 0;
  return ask_peer_flags(fn, d, peer, &flags) == AHAL_SUCCESS ? flags : 0;
}

ahal_status_t wait_other_device(const char* fn, Stream* s, Event* e) {
  Device* const d = s->device;
  if (e->device->runtime != d->runtime)
    return fail(AHAL_ERROR_INVALID_ARGUMENT, fn, "event belongs to device %s of another runtime",
                e->device->properties.selector);
  e->users.note_everywhere();
  if (peer_flags(fn, d, e->device) & AHAL_PEER_WAIT_NATIVE)
    return entry::stream_wait_event_peer(fn, *d->plugin, s->object, e->object);
  if (!e->recorded.load(std::memory_order_acquire)) return AHAL_SUCCESS;
  // Staged: a host thread of the stream waits for the event. The event
  // cannot be destroyed before (ahal_event_destroy refuses while host_waits).
  e->host_waits.fetch_add(1, std::memory_order_acq_rel);
  const ahal_status_t st = enqueue_host(fn, d, s->object, [e] {
    const ahal_status_t waited =
        entry::event_wait("ahal_stream_wait_event", *e->device->plugin, e->object, UINT64_MAX);
    if (waited != AHAL_SUCCESS)
      log(AHAL_LOG_ERROR, "loader", "staged wait for an event of %s failed: %s",
          e->device->properties.selector, ahal_last_error_message());
    e->host_waits.fetch_sub(1, std::memory_order_acq_rel);
  });
  if (st != AHAL_SUCCESS) e->host_waits.fetch_sub(1, std::memory_order_acq_rel);
  return st;
}

namespace base {

ahal_status_t device_peer_flags(const char* fn, Device* d, ahal_device_t peer,
                                uint32_t* out_flags) {
  Device* p = get(peer);
  if (!p) return invalid_handle(fn, peer, HandleType::kDevice);
  if (!out_flags) return fail(AHAL_ERROR_INVALID_ARGUMENT, fn, "out_flags is NULL");
  if (p->runtime != d->runtime)
    return fail(AHAL_ERROR_INVALID_ARGUMENT, fn, "peer %s belongs to another runtime",
                p->properties.selector);
  return ask_peer_flags(fn, d, p, out_flags);
}

ahal_status_t stream_copy_peer(const char* fn, Stream* s, ahal_buffer_t src, uint64_t src_offset,
                               ahal_buffer_t dst, uint64_t dst_offset, uint64_t size) {
  Device* const d = s->device;
  Buffer* from = get(src);
  if (!from) return invalid_handle(fn, src, HandleType::kBuffer);
  Buffer* to = get(dst);
  if (!to) return invalid_handle(fn, dst, HandleType::kBuffer);
  if (from->device->runtime != d->runtime || to->device->runtime != d->runtime)
    return fail(AHAL_ERROR_INVALID_ARGUMENT, fn, "%s belongs to another runtime",
                from->device->runtime != d->runtime ? "src" : "dst");
  if (from->device != d && to->device != d)
    return fail(AHAL_ERROR_INVALID_ARGUMENT, fn,
                "the stream belongs to device %s, src to %s and dst to %s: the stream must be "
                "of the device of src or of dst",
                d->properties.selector, from->device->properties.selector,
                to->device->properties.selector);
  if (from->device == to->device) {
    Buffer *a = nullptr, *b = nullptr;
    if (ahal_status_t st =
            check_copy_d2d(fn, d, "stream", src, src_offset, dst, dst_offset, size, &a, &b))
      return st;
    if (size == 0) return AHAL_SUCCESS;
    a->users.note(s);
    b->users.note(s);
    return entry::stream_copy_d2d(fn, *d->plugin, s->object, a->object, src_offset, b->object,
                                  dst_offset, size);
  }
  if (!in_range(src_offset, size, from->size))
    return range_error(fn, "src_", src_offset, size, from->size);
  if (!in_range(dst_offset, size, to->size))
    return range_error(fn, "dst_", dst_offset, size, to->size);
  if (size == 0) return AHAL_SUCCESS;
  // The stream's work ends after the whole copy (staged too): a destroy of
  // either buffer waits for it, the other device's via every stream.
  for (Buffer* b : {from, to}) {
    if (b->device == d)
      b->users.note(s);
    else
      b->users.note_everywhere();
  }
  if (peer_flags(fn, from->device, to->device) & AHAL_PEER_COPY_NATIVE)
    return entry::stream_copy_peer(fn, *d->plugin, s->object, from->object, src_offset, to->object,
                                   dst_offset, size);
  return copy_staged(fn, s, from, src_offset, to, dst_offset, size);
}

}  // namespace base
}  // namespace ahal

#include "generated/peer_entries.inc"
