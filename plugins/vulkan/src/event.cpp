// Events: the (stream, timeline value) of their last record, and a
// timestamp query for TIMING events.
#include "objects.hpp"

#include <utility>

namespace ahal_vulkan {
namespace {

std::pair<std::shared_ptr<Stream>, uint64_t> last_record(Event* e) {
  std::lock_guard<std::mutex> lock(e->mutex);
  return {e->stream, e->value};
}

}  // namespace

ahal_status_t event_create(ahal_plugin_device_t* dp, uint32_t flags, ahal_plugin_event_t** out) {
  Device* device = object<Device>(dp);
  auto e = std::make_unique<Event>();
  e->device = device;
  e->flags = flags;
  if (flags & AHAL_EVENT_TIMING) {
    if (!(device->properties.features & AHAL_FEATURE_TIMESTAMPS))
      return fail(AHAL_ERROR_UNSUPPORTED, "%s has no timestamp queries on its compute queue",
                  device->props.deviceName);
    auto ci = vk_struct<VkQueryPoolCreateInfo>();
    ci.queryType = VK_QUERY_TYPE_TIMESTAMP;
    ci.queryCount = 1;
    ahal_status_t s =
        device->check(device->fn.vkCreateQueryPool(device->device, &ci, nullptr, &e->query_pool),
                      "vkCreateQueryPool");
    if (s != AHAL_SUCCESS) return s;
  }
  *out = handle<ahal_plugin_event_t>(e.release());
  return AHAL_SUCCESS;
}

void event_destroy(ahal_plugin_event_t* ep) {
  Event* e = object<Event>(ep);
  // A pending record may still write the query: let it finish first.
  if (e->stream) e->stream->wait_value(e->value, UINT64_MAX);
  if (e->query_pool) e->device->fn.vkDestroyQueryPool(e->device->device, e->query_pool, nullptr);
  delete e;
}

ahal_status_t stream_record_event(ahal_plugin_stream_t* sp, ahal_plugin_event_t* ep) {
  const std::shared_ptr<Stream>& stream = object<StreamHandle>(sp)->stream;
  Event* e = object<Event>(ep);
  uint64_t value = 0;
  ahal_status_t s = stream->record(e->query_pool, &value);
  if (s != AHAL_SUCCESS) return s;
  std::lock_guard<std::mutex> lock(e->mutex);
  e->stream = stream;
  e->value = value;
  return AHAL_SUCCESS;
}

ahal_status_t stream_wait_event(ahal_plugin_stream_t* sp, ahal_plugin_event_t* ep) {
  auto [other, value] = last_record(object<Event>(ep));
  return other ? object<StreamHandle>(sp)->stream->wait_for(other, value) : AHAL_SUCCESS;
}

ahal_status_t event_query(ahal_plugin_event_t* ep) {
  auto [stream, value] = last_record(object<Event>(ep));
  return stream ? stream->query_value(value) : AHAL_SUCCESS;
}

ahal_status_t event_wait(ahal_plugin_event_t* ep, uint64_t timeout_ns) {
  auto [stream, value] = last_record(object<Event>(ep));
  return stream ? stream->wait_value(value, timeout_ns) : AHAL_SUCCESS;
}

ahal_status_t event_elapsed_ns(ahal_plugin_event_t* start, ahal_plugin_event_t* end,
                               uint64_t* out_ns) {
  Device* d = object<Event>(start)->device;
  uint64_t ticks[2];
  Event* events[2] = {object<Event>(start), object<Event>(end)};
  for (int i = 0; i < 2; ++i) {
    auto [stream, value] = last_record(events[i]);
    if (!stream)
      return fail(AHAL_ERROR_INVALID_STATE, "the %s event was never recorded", i ? "end" : "start");
    ahal_status_t s = stream->query_value(value);
    if (s == AHAL_NOT_READY)
      return fail(AHAL_NOT_READY, "the %s event has not completed", i ? "end" : "start");
    if (s != AHAL_SUCCESS) return s;
    VkResult r =
        d->fn.vkGetQueryPoolResults(d->device, events[i]->query_pool, 0, 1, sizeof(uint64_t),
                                    &ticks[i], sizeof(uint64_t), VK_QUERY_RESULT_64_BIT);
    if (r != VK_SUCCESS) return d->check(r, "vkGetQueryPoolResults");
  }
  const uint32_t bits = d->timestamp_valid_bits;
  const uint64_t mask = bits >= 64 ? ~uint64_t{0} : (uint64_t{1} << bits) - 1;
  if (bits >= 64 && ticks[1] < ticks[0])
    return fail(AHAL_ERROR_INVALID_ARGUMENT, "the end event completed before the start event");
  const uint64_t delta = (ticks[1] - ticks[0]) & mask;
  *out_ns = static_cast<uint64_t>(static_cast<double>(delta) * d->props.limits.timestampPeriod);
  return AHAL_SUCCESS;
}

}  // namespace ahal_vulkan
