// Devices: opening, properties, selectors, synchronization, teardown.
#include <cstdlib>
#include <cstring>

#include "command_buffer.hpp"
#include "host_services.hpp"
#include "internal.hpp"
#include "staging.hpp"
#include "layers.hpp"

namespace ahal {
namespace {

template <size_t N>
void terminate_string(char (&text)[N]) {
  text[N - 1] = '\0';
}

template <size_t N>
void copy_string(char (&text)[N], const std::string& value) {
  std::strncpy(text, value.c_str(), N - 1);
  text[N - 1] = '\0';
}

uint32_t or_unlimited(uint32_t value) { return value ? value : UINT32_MAX; }

Limits limits_of(const ahal_device_properties_t& p) {
  Limits l;
  l.max_workgroup_size = or_unlimited(p.max_workgroup_size);
  for (int i = 0; i < 3; ++i) {
    l.max_workgroup_dims[i] = or_unlimited(p.max_workgroup_dims[i]);
    l.max_grid_dims[i] = or_unlimited(p.max_grid_dims[i]);
  }
  l.shared_memory = p.shared_memory_per_workgroup;
  l.max_bindings =
      p.max_bindings && p.max_bindings < AHAL_MAX_BINDINGS ? p.max_bindings : AHAL_MAX_BINDINGS;
  l.max_constants_size = p.max_constants_size && p.max_constants_size < AHAL_MAX_CONSTANTS_SIZE
                             ? p.max_constants_size
                             : AHAL_MAX_CONSTANTS_SIZE;
  l.binding_offset_alignment = p.binding_offset_alignment ? p.binding_offset_alignment : 1;
  l.max_allocation_bytes = p.max_allocation_bytes ? p.max_allocation_bytes : UINT64_MAX;
  return l;
}

std::string device_list(const Runtime& rt) {
  if (rt.devices.empty()) return "there are no devices";
  std::string list = "the devices are:";
  for (size_t i = 0; i < rt.devices.size(); ++i)
    list += format(" %zu=%s (%s)", i, rt.devices[i]->properties.selector,
                   rt.devices[i]->properties.name);
  return list;
}

bool parse_index(const char* text, uint32_t* out) {
  if (!*text) return false;
  uint64_t value = 0;
  for (const char* c = text; *c; ++c) {
    if (*c < '0' || *c > '9') return false;
    value = value * 10 + uint64_t(*c - '0');
    if (value > UINT32_MAX) return false;
  }
  *out = uint32_t(value);
  return true;
}

}  // namespace

ahal_status_t open_device(Runtime* rt, Plugin* plugin, uint32_t index, std::unique_ptr<Device>* out,
                          std::string* error) {
  static const char* fn = "device_open";
  auto device = std::make_unique<Device>();
  device->runtime = rt;
  device->plugin = plugin;
  device->api = &plugin->api;
  device->index = index;
  ahal_status_t s = entry::device_open(fn, *plugin, plugin->instance, index, &device->object);
  if (s == AHAL_SUCCESS && !device->object)
    s = fail(AHAL_ERROR_PLUGIN, fn, "%s: device_open returned success without a device",
             plugin->name.c_str());
  if (s != AHAL_SUCCESS) {
    *error = ahal_last_error_message();
    return s;
  }
  ahal_device_properties_t& props = device->properties;
  props.struct_size = sizeof(props);
  s = entry::device_get_properties(fn, *plugin, device->object, &props);
  if (s != AHAL_SUCCESS) {
    *error = ahal_last_error_message();
    entry::device_close(fn, *plugin, device->object);
    return s;
  }
  props.struct_size = sizeof(props);
  terminate_string(props.name);
  terminate_string(props.vendor);
  terminate_string(props.driver_version);
  terminate_string(props.arch);
  copy_string(props.plugin, plugin->name);
  copy_string(props.selector, format("%s:%u", plugin->name.c_str(), index));
  if (props.max_bindings > AHAL_MAX_BINDINGS) props.max_bindings = AHAL_MAX_BINDINGS;
  if (props.max_constants_size > AHAL_MAX_CONSTANTS_SIZE)
    props.max_constants_size = AHAL_MAX_CONSTANTS_SIZE;
  device->limits = limits_of(props);
  s = register_handle(fn, device.get(), HandleType::kDevice);
  if (s != AHAL_SUCCESS) {
    *error = ahal_last_error_message();
    entry::device_close(fn, *plugin, device->object);
    return s;
  }
  *out = std::move(device);
  return AHAL_SUCCESS;
}

DevicePair device_names(const Device* a, const Device* b) {
  if (a->runtime == b->runtime) return {a->properties.selector, b->properties.selector};
  auto named = [](const Device* d) {
    return format("%s of runtime 0x%llx", d->properties.selector,
                  (unsigned long long)d->runtime->handle);
  };
  return {named(a) + " (another runtime)", named(b)};
}

void quiesce_device(Device* d) {
  // Nothing else may use the device now; no lock needed.
  for (Stream* s : d->streams) {
    const Plugin& p = *d->plugin;
    entry::stream_synchronize("ahal_runtime_destroy", p, s->object);
  }
  for (CclComm* c : d->ccl_comms) release_ccl_comm(c);
  d->ccl_comms.clear();
}

void close_device(Device* d) {
  handles().remove(d->handle);
  quiesce_device(d);
  for (CommandBuffer* cb : d->command_buffers) release_command_buffer(cb);
  d->command_buffers.clear();
  for (Module* m : d->modules) release_module(m);
  for (auto& [name, k] : d->builtins) handles().remove(k->handle);
  d->builtins.clear();
  for (Stream* s : d->streams) release_stream(s, "ahal_runtime_destroy");
  for (Event* e : d->events) release_event(e);
  for (Buffer* b : d->buffers) release_buffer(b);
  for (HostAlloc* a : d->host_allocs) release_host_alloc(a);
  d->modules.clear();
  d->streams.clear();
  d->events.clear();
  d->buffers.clear();
  d->host_allocs.clear();
  release_staging(d);
  entry::device_close("ahal_runtime_destroy", *d->plugin, d->object);
}

namespace base {

ahal_status_t device_find(const char* fn, Runtime* rt, const char* selector,
                          ahal_device_t* out_device) {
  if (!selector) return fail(AHAL_ERROR_INVALID_ARGUMENT, fn, "selector is NULL");
  if (!out_device) return fail(AHAL_ERROR_INVALID_ARGUMENT, fn, "out_device is NULL");
  uint32_t index = 0;
  if (parse_index(selector, &index)) {
    if (index < rt->devices.size()) {
      *out_device = to_handle<ahal_device_t>(rt->devices[index]->handle);
      return AHAL_SUCCESS;
    }
  } else {
    const char* colon = std::strchr(selector, ':');
    const std::string plugin = colon ? std::string(selector, colon) : std::string(selector);
    uint32_t n = 0;
    if (!colon || parse_index(colon + 1, &n)) {
      // "<plugin>" is its first device; "<plugin>:<n>" the n-th one.
      for (auto& d : rt->devices) {
        if (d->plugin->name == plugin && (!colon || d->index == n)) {
          *out_device = to_handle<ahal_device_t>(d->handle);
          return AHAL_SUCCESS;
        }
      }
    } else {
      return fail(AHAL_ERROR_INVALID_ARGUMENT, fn,
                  "selector \"%s\" is not \"<plugin>:<n>\", \"<plugin>\" or \"<n>\"", selector);
    }
  }
  return fail(AHAL_ERROR_NOT_FOUND, fn, "no device matches \"%s\"; %s", selector,
              device_list(*rt).c_str());
}

ahal_status_t device_get_properties(const char* fn, Device* d,
                                    ahal_device_properties_t* out_properties) {
  if (!out_properties) return fail(AHAL_ERROR_INVALID_ARGUMENT, fn, "out_properties is NULL");
  const size_t size = out_properties->struct_size;
  if (ahal_status_t s = check_struct_size(fn, "ahal_device_properties_t", size,
                                          AHAL_END_OF(ahal_device_properties_t, peak_fp64_gflops)))
    return s;
  std::memcpy(out_properties, &d->properties,
              size < sizeof(d->properties) ? size : sizeof(d->properties));
  out_properties->struct_size = size;
  return AHAL_SUCCESS;
}

ahal_status_t device_memory_usage(const char* fn, Device* d, uint64_t* out_used,
                                  uint64_t* out_total) {
  if (!out_used || !out_total)
    return fail(AHAL_ERROR_INVALID_ARGUMENT, fn, "%s is NULL", out_used ? "out_total" : "out_used");
  uint64_t used = 0, total = 0;
  if (ahal_status_t s = entry::device_memory_usage(fn, *d->plugin, d->object, &used, &total))
    return s;
  *out_used = used;
  *out_total = total;
  return AHAL_SUCCESS;
}

ahal_status_t device_memory_peak(const char* fn, Device* d, uint32_t flags, uint64_t* out_peak) {
  if (!out_peak) return fail(AHAL_ERROR_INVALID_ARGUMENT, fn, "out_peak is NULL");
  if (flags & ~uint32_t(AHAL_MEMORY_PEAK_RESET))
    return fail(AHAL_ERROR_INVALID_ARGUMENT, fn,
                "unknown flags 0x%x (AHAL_MEMORY_PEAK_RESET is 0x1)",
                flags & ~uint32_t(AHAL_MEMORY_PEAK_RESET));
  uint64_t peak = 0;
  if (ahal_status_t s = entry::device_memory_peak(fn, *d->plugin, d->object, flags, &peak))
    return s;
  *out_peak = peak;
  return AHAL_SUCCESS;
}

ahal_status_t device_synchronize(const char* fn, Device* d) {
  std::vector<Stream*> streams;
  {
    std::lock_guard<std::mutex> lock(d->mutex);
    streams.assign(d->streams.begin(), d->streams.end());
    for (Stream* s : streams) s->pins.fetch_add(1, std::memory_order_relaxed);
  }
  ahal_status_t status = AHAL_SUCCESS;
  for (Stream* s : streams) {
    if (status == AHAL_SUCCESS) status = entry::stream_synchronize(fn, *d->plugin, s->object);
    s->pins.fetch_sub(1, std::memory_order_release);
  }
  return status;
}

}  // namespace base
}  // namespace ahal

#include "generated/device_entries.inc"
