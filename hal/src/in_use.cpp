// Destroying objects that queued work still uses (docs/memory.md): the
// destroy waits for the streams that used the object, as cudaFree waits for
// the device, instead of letting a plugin free memory a queued copy, fill or
// launch will still touch. Implemented once here, so every plugin gets it.
#include <vector>

#include "host_services.hpp"
#include "internal.hpp"

namespace ahal {
namespace {

// Synchronizes each stream; a stream that reports an error (a lost device)
// has nothing more to run, so the object is freed all the same.
void synchronize_all(const char* fn, Device* d, const std::vector<Stream*>& streams) {
  for (Stream* s : streams) {
    ahal_status_t status = AHAL_SUCCESS;
    begin_plugin_call();
    try {
      status = d->api->stream_synchronize(s->object);
    } catch (...) {
      status = AHAL_ERROR_PLUGIN;
    }
    if (status != AHAL_SUCCESS)
      log(AHAL_LOG_WARNING, d->plugin->name.c_str(),
          "%s: waiting for queued work before freeing: stream_synchronize returned %d", fn,
          int(status));
    s->pins.fetch_sub(1, std::memory_order_release);
  }
}

// The device's streams among `users`, pinned so none is freed meanwhile.
std::vector<Stream*> pinned_streams(Device* d, Stream* users) {
  std::vector<Stream*> streams;
  std::lock_guard<std::mutex> lock(d->mutex);
  if (users == StreamUsers::many())
    streams.assign(d->streams.begin(), d->streams.end());
  else if (d->streams.count(users))
    streams.push_back(users);
  for (Stream* s : streams) s->pins.fetch_add(1, std::memory_order_relaxed);
  return streams;
}

}  // namespace

void wait_for_users(const char* fn, Device* d, Stream* users) {
  if (!users) return;
  if (users == StreamUsers::everywhere()) {
    for (auto& other : d->runtime->devices) wait_for_users(fn, other.get(), StreamUsers::many());
    return;
  }
  try {
    synchronize_all(fn, d, pinned_streams(d, users));
  } catch (const std::bad_alloc&) {
    // No memory for the list: wait stream by stream instead.
    std::lock_guard<std::mutex> lock(d->mutex);
    for (Stream* s : d->streams)
      if (users == StreamUsers::many() || s == users) try {
          d->api->stream_synchronize(s->object);
        } catch (...) {
        }
  }
}

void wait_for_all_streams(const char* fn, Runtime* rt) {
  for (auto& d : rt->devices) wait_for_users(fn, d.get(), StreamUsers::many());
}

}  // namespace ahal
