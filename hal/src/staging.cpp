// Pools of pinned host chunks and loader-made streams, per device.
#include "staging.hpp"

#include <algorithm>
#include <cstdlib>

#include "host_services.hpp"

namespace ahal {
namespace {

DeviceStaging* staging_of(Device* d) {
  std::lock_guard<std::mutex> lock(d->mutex);
  if (!d->staging) d->staging = new DeviceStaging;
  return d->staging;
}

}  // namespace

uint64_t staging_chunk_bytes() {
  static const uint64_t bytes = [] {
    const char* env = std::getenv("AHAL_STAGING_CHUNK_BYTES");
    const unsigned long long v = env ? std::strtoull(env, nullptr, 10) : 0;
    // Multiples of 64 KiB, from 64 KiB to 256 MiB.
    if (v < (64u << 10) || v > (256u << 20)) return uint64_t(4) << 20;
    return uint64_t(v) & ~uint64_t((64u << 10) - 1);
  }();
  return bytes;
}

ahal_status_t take_pinned(const char* fn, Device* d, uint64_t size, PinnedChunk* out) {
  DeviceStaging* st = staging_of(d);
  {
    std::lock_guard<std::mutex> lock(st->mutex);
    // The smallest idle chunk that is large enough.
    auto best = st->chunks.end();
    for (auto it = st->chunks.begin(); it != st->chunks.end(); ++it)
      if (it->size >= size && (best == st->chunks.end() || it->size < best->size)) best = it;
    ++st->lent;
    if (best != st->chunks.end()) {
      *out = *best;
      st->chunks.erase(best);
      return AHAL_SUCCESS;
    }
  }
  auto unlend = [&] {
    std::lock_guard<std::mutex> lock(st->mutex);
    --st->lent;
  };
  PinnedChunk c;
  c.device = d;
  c.size = size;
  void* pointer = nullptr;
  if (ahal_status_t s =
          entry::host_alloc(fn, *d->plugin, d->object, size, 0, &pointer, &c.object)) {
    unlend();
    return s;
  }
  if (!pointer || !c.object) {
    if (c.object) entry::host_free(fn, *d->plugin, d->object, c.object);
    unlend();
    return fail(AHAL_ERROR_PLUGIN, fn, "%s returned success without pinned memory",
                d->plugin->name.c_str());
  }
  c.pointer = static_cast<unsigned char*>(pointer);
  *out = c;
  return AHAL_SUCCESS;
}

void give_pinned(const PinnedChunk& chunk) noexcept {
  if (!chunk.object) return;
  DeviceStaging* st = chunk.device->staging;
  std::lock_guard<std::mutex> lock(st->mutex);
  try {
    st->chunks.push_back(chunk);
  } catch (...) {
    entry::host_free("ahal staging", *chunk.device->plugin, chunk.device->object, chunk.object);
  }
  --st->lent;
  st->returned.notify_all();
}

ahal_status_t take_stream(const char* fn, Device* d, ahal_plugin_stream_t** out) {
  DeviceStaging* st = staging_of(d);
  {
    std::lock_guard<std::mutex> lock(st->mutex);
    ++st->lent;
    if (!st->streams.empty()) {
      *out = st->streams.back();
      st->streams.pop_back();
      return AHAL_SUCCESS;
    }
  }
  auto unlend = [&] {
    std::lock_guard<std::mutex> lock(st->mutex);
    --st->lent;
  };
  ahal_stream_args_t args = {};
  args.struct_size = sizeof(args);
  ahal_plugin_stream_t* s = nullptr;
  if (ahal_status_t status = entry::stream_create(fn, *d->plugin, d->object, &args, &s)) {
    unlend();
    return status;
  }
  if (!s) {
    unlend();
    return fail(AHAL_ERROR_PLUGIN, fn, "%s returned success without a stream",
                d->plugin->name.c_str());
  }
  *out = s;
  return AHAL_SUCCESS;
}

void give_stream(Device* d, ahal_plugin_stream_t* stream) noexcept {
  DeviceStaging* st = d->staging;
  std::lock_guard<std::mutex> lock(st->mutex);
  try {
    st->streams.push_back(stream);
  } catch (...) {
    // Out of memory: the stream is leaked rather than destroyed from what
    // may be its own callback.
  }
  --st->lent;
  st->returned.notify_all();
}

void release_staging(Device* d) {
  DeviceStaging* st = d->staging;
  if (!st) return;
  const char* fn = "ahal_runtime_destroy";
  {
    std::unique_lock<std::mutex> lock(st->mutex);
    st->returned.wait(lock, [&] { return st->lent == 0; });
  }
  for (ahal_plugin_stream_t* s : st->streams) {
    entry::stream_synchronize(fn, *d->plugin, s);
    entry::stream_destroy(fn, *d->plugin, s);
  }
  for (const PinnedChunk& c : st->chunks) entry::host_free(fn, *d->plugin, d->object, c.object);
  delete st;
  d->staging = nullptr;
}

}  // namespace ahal
