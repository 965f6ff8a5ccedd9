// asic_sim: a simulated inference ASIC behind the ahal plugin ABI.
//
// This file is the plugin's face: ahal_plugin_query and one function per
// dispatch-table entry. Each entry turns handles into the objects of
// objects.hpp, runs inside guarded() so that no exception leaves the
// plugin, and leaves the real work to the device's engines:
//   DeviceMemory     the arena buffers live in (no host pointer to it)
//   DmaEngine        every copy and fill, at a modelled bandwidth
//   CommandProcessor one thread per stream, commands in order
//   Fence            what an event is
//   WorkerPool       the compute engines that run the built-in operators
// docs/plugin-guide.md explains the rules this follows.
#include "objects.hpp"

#include <ahal/plugin.hpp>

#include <cstdio>
#include <cstring>
#include <new>
#include <optional>
#include <string>
#include <vector>

namespace {

using asic_sim::Failure;
using asic_sim::guarded;

std::string mib(uint64_t bytes) { return std::to_string(bytes >> 20) + " MiB"; }

// ------------------------------------------------------------ plugin, device

ahal_status_t plugin_init(const ahal_plugin_host_t* host, const ahal_plugin_init_args_t* args,
                          ahal_plugin_instance_t** out_instance) {
  asic_sim::Host checked_host(host);
  return guarded(checked_host, [&] {
    *out_instance = new ahal_plugin_instance_s{checked_host, asic_sim::Config::from_environment()};
    return AHAL_SUCCESS;
  });
}

void plugin_shutdown(ahal_plugin_instance_t* instance) { delete instance; }

ahal_status_t device_count(ahal_plugin_instance_t* instance, uint32_t* out_count) {
  *out_count = 1;
  return AHAL_SUCCESS;
}

ahal_status_t device_open(ahal_plugin_instance_t* instance, uint32_t index,
                          ahal_plugin_device_t** out_device) {
  return guarded(instance->host, [&] {
    *out_device = new ahal_plugin_device_s(*instance);
    char line[160];
    std::snprintf(line, sizeof(line), "device %u: %s arena, DMA at %.3g GB/s, %u compute threads",
                  index, mib(instance->config.memory_bytes).c_str(), instance->config.dma_gbps,
                  instance->config.compute_threads);
    instance->host.log(AHAL_LOG_INFO, line);
    return AHAL_SUCCESS;
  });
}

void device_close(ahal_plugin_device_t* device) { delete device; }

// guide-snippet: properties
ahal_status_t device_get_properties(ahal_plugin_device_t* device, ahal_device_properties_t* props) {
  // Start from what the loader passed, so the fields it fills survive, and
  // write back only what its struct_size covers.
  ahal_device_properties_t p = asic_sim::read_versioned(props);
  std::snprintf(p.name, sizeof(p.name), "ahal ASIC simulator");
  std::snprintf(p.vendor, sizeof(p.vendor), "ahal project");
  std::snprintf(p.driver_version, sizeof(p.driver_version), "asic_sim plugin ABI %u.%u",
                AHAL_PLUGIN_ABI_MAJOR, AHAL_PLUGIN_ABI_MINOR);
  std::snprintf(p.arch, sizeof(p.arch), "asic-sim");
  p.type = AHAL_DEVICE_TYPE_ASIC;
  p.compute_units = device->compute.size();
  p.global_memory_bytes = device->memory.size();
  p.max_allocation_bytes = device->memory.size();
  // No workgroups: built-ins take a {1,1,1} grid and workgroup.
  p.max_workgroup_size = 1;
  for (int d = 0; d < 3; ++d) p.max_workgroup_dims[d] = p.max_grid_dims[d] = 1;
  p.shared_memory_per_workgroup = 0;
  p.subgroup_size_min = p.subgroup_size_max = 1;
  p.clock_mhz = 0;
  p.max_bindings = 8;
  p.max_constants_size = 256;
  p.binding_offset_alignment = 64;  // the DMA engine's burst size
  p.module_formats = 0;             // no general kernels
  p.features = AHAL_FEATURE_BUILTIN_KERNELS | AHAL_FEATURE_TIMESTAMPS | AHAL_FEATURE_HOST_CALLBACKS;
  p.timestamp_resolution_ps = 1000;  // the device clock counts nanoseconds
  p.has_uuid = 0;
  p.peak_memory_bandwidth_gbps = 0;  // unknown: only the DMA link is modelled
  p.peak_fp32_gflops = 0;
  p.peak_fp64_gflops = 0;
  asic_sim::write_versioned(p, props);
  return AHAL_SUCCESS;
}
// guide-snippet-end

ahal_status_t device_memory_usage(ahal_plugin_device_t* device, uint64_t* out_used,
                                  uint64_t* out_total) {
  *out_used = device->memory.used();
  *out_total = device->memory.size();
  return AHAL_SUCCESS;
}

// -------------------------------------------------------------------- memory

ahal_status_t buffer_create(ahal_plugin_device_t* device, const ahal_buffer_args_t* in_args,
                            ahal_plugin_buffer_t** out_buffer) {
  return guarded(device->host, [&] {
    ahal_buffer_args_t args = asic_sim::read_versioned(in_args);
    if (args.flags & (AHAL_MEMORY_HOST_VISIBLE | AHAL_MEMORY_HOST_COHERENT)) {
      throw Failure(AHAL_ERROR_UNSUPPORTED,
                    "asic_sim has no host-visible memory: create a device-local buffer and move "
                    "data with ahal_stream_copy_h2d/d2h");
    }
    std::optional<uint64_t> offset = device->memory.allocate(args.size);
    if (!offset) {
      throw Failure(AHAL_ERROR_OUT_OF_DEVICE_MEMORY,
                    "device memory exhausted: " + std::to_string(args.size) + " bytes requested, " +
                        std::to_string(device->memory.used()) + " of " +
                        std::to_string(device->memory.size()) +
                        " bytes in use, largest free range " +
                        std::to_string(device->memory.largest_free_range()) +
                        " bytes (AHAL_ASIC_SIM_MEMORY_MB sets the arena size)");
    }
    *out_buffer = new ahal_plugin_buffer_s{*offset, args.size};
    return AHAL_SUCCESS;
  });
}

void buffer_destroy(ahal_plugin_device_t* device, ahal_plugin_buffer_t* buffer) {
  device->memory.release(buffer->offset);
  delete buffer;
}

ahal_status_t buffer_map(ahal_plugin_device_t* device, ahal_plugin_buffer_t* buffer,
                         uint64_t offset, uint64_t size, void** out_pointer) {
  device->host.set_error_message(
      "asic_sim device memory cannot be mapped (no AHAL_FEATURE_HOST_VISIBLE_MEMORY): use "
      "ahal_stream_copy_h2d/d2h");
  return AHAL_ERROR_UNSUPPORTED;
}

ahal_status_t buffer_unmap(ahal_plugin_device_t* device, ahal_plugin_buffer_t* buffer) {
  device->host.set_error_message("asic_sim device memory cannot be mapped");
  return AHAL_ERROR_UNSUPPORTED;
}

// Pinned host memory: plain page-aligned host memory, since the simulated
// DMA engine reaches all of host memory.
constexpr std::align_val_t kHostAllocAlignment{4096};

ahal_status_t host_alloc(ahal_plugin_device_t* device, uint64_t size, uint32_t flags,
                         void** out_pointer, ahal_plugin_host_alloc_t** out_alloc) {
  return guarded(device->host, [&] {
    void* pointer = ::operator new(size, kHostAllocAlignment, std::nothrow);
    if (!pointer) {
      throw Failure(AHAL_ERROR_OUT_OF_HOST_MEMORY,
                    "cannot allocate " + std::to_string(size) + " bytes of host memory");
    }
    *out_alloc = new ahal_plugin_host_alloc_s{pointer};
    *out_pointer = pointer;
    return AHAL_SUCCESS;
  });
}

void host_free(ahal_plugin_device_t* device, ahal_plugin_host_alloc_t* alloc) {
  ::operator delete(alloc->pointer, kHostAllocAlignment);
  delete alloc;
}

// ------------------------------------------------------------------- streams
//
// Enqueue entries check what they must, then submit a closure to the
// stream's command processor and return at once; the closure runs later,
// in order, on the processor thread.

ahal_status_t stream_create(ahal_plugin_device_t* device, const ahal_stream_args_t* args,
                            ahal_plugin_stream_t** out_stream) {
  return guarded(device->host, [&] {
    *out_stream = new ahal_plugin_stream_s(device, device->streams_created++);
    return AHAL_SUCCESS;
  });
}

void stream_destroy(ahal_plugin_stream_t* stream) { delete stream; }

// guide-snippet: copy-h2d
ahal_status_t stream_copy_h2d(ahal_plugin_stream_t* stream, const void* src,
                              ahal_plugin_buffer_t* dst, uint64_t dst_offset, uint64_t size) {
  ahal_plugin_device_s* device = stream->device;
  return guarded(device->host, [&] {
    std::byte* target = device->memory.at(dst->offset + dst_offset);
    stream->processor.submit([device, src, target, size] { device->dma.copy(target, src, size); });
    return AHAL_SUCCESS;
  });
}
// guide-snippet-end

ahal_status_t stream_copy_d2h(ahal_plugin_stream_t* stream, ahal_plugin_buffer_t* src,
                              uint64_t src_offset, void* dst, uint64_t size) {
  ahal_plugin_device_s* device = stream->device;
  return guarded(device->host, [&] {
    const std::byte* source = device->memory.at(src->offset + src_offset);
    stream->processor.submit([device, source, dst, size] { device->dma.copy(dst, source, size); });
    return AHAL_SUCCESS;
  });
}

ahal_status_t stream_copy_d2d(ahal_plugin_stream_t* stream, ahal_plugin_buffer_t* src,
                              uint64_t src_offset, ahal_plugin_buffer_t* dst, uint64_t dst_offset,
                              uint64_t size) {
  ahal_plugin_device_s* device = stream->device;
  return guarded(device->host, [&] {
    const std::byte* source = device->memory.at(src->offset + src_offset);
    std::byte* target = device->memory.at(dst->offset + dst_offset);
    stream->processor.submit(
        [device, source, target, size] { device->dma.copy(target, source, size); });
    return AHAL_SUCCESS;
  });
}

ahal_status_t stream_fill(ahal_plugin_stream_t* stream, ahal_plugin_buffer_t* buffer,
                          uint64_t offset, uint64_t size, uint32_t pattern, uint32_t pattern_size) {
  ahal_plugin_device_s* device = stream->device;
  return guarded(device->host, [&] {
    std::byte* target = device->memory.at(buffer->offset + offset);
    stream->processor.submit([device, target, size, pattern, pattern_size] {
      device->dma.fill(target, size, pattern, pattern_size);
    });
    return AHAL_SUCCESS;
  });
}

// guide-snippet: launch
ahal_status_t stream_launch(ahal_plugin_stream_t* stream, ahal_plugin_kernel_t* kernel,
                            const ahal_plugin_launch_t* in_launch) {
  ahal_plugin_device_s* device = stream->device;
  return guarded(device->host, [&] {
    const asic_sim::BuiltinOperator* op = kernel->op;
    ahal_plugin_launch_t launch = asic_sim::read_versioned(in_launch);
    // The loader checked both against kernel_get_attributes; the operator
    // reads exactly this many of each.
    if (launch.binding_count != op->binding_count || launch.constants_size != op->constants_size) {
      throw Failure(AHAL_ERROR_INVALID_ARGUMENT,
                    std::string(op->name) + " takes " + std::to_string(op->binding_count) +
                        " bindings and " + std::to_string(op->constants_size) +
                        " bytes of constants");
    }
    std::vector<uint64_t> sizes(op->binding_count);
    std::vector<float*> tensors(op->binding_count);
    for (uint32_t i = 0; i < op->binding_count; ++i) {
      const ahal_plugin_binding_t& binding = launch.bindings[i];
      sizes[i] = binding.size;
      tensors[i] =
          reinterpret_cast<float*>(device->memory.at(binding.buffer->offset + binding.offset));
    }
    // Refuse before queueing: a launch either runs whole or not at all.
    op->check(launch.constants, sizes.data());
    const auto* bytes = static_cast<const uint8_t*>(launch.constants);
    std::vector<uint8_t> constants(bytes, bytes + launch.constants_size);
    stream->processor.submit([device, op, constants = std::move(constants), tensors] {
      op->run(constants.data(), tensors.data(), device->compute);
    });
    return AHAL_SUCCESS;
  });
}
// guide-snippet-end

ahal_status_t stream_host_callback(ahal_plugin_stream_t* stream, ahal_host_fn_t fn,
                                   void* user_data) {
  return guarded(stream->device->host, [&] {
    stream->processor.submit([fn, user_data] { fn(user_data); });
    return AHAL_SUCCESS;
  });
}

// guide-snippet: record-event
ahal_status_t stream_record_event(ahal_plugin_stream_t* stream, ahal_plugin_event_t* event) {
  ahal_plugin_device_s* device = stream->device;
  return guarded(device->host, [&] {
    uint64_t sequence = event->fence->arm();
    stream->processor.submit([device, fence = event->fence, sequence] {
      fence->signal(sequence, device->clock.now_ns());
    });
    return AHAL_SUCCESS;
  });
}
// guide-snippet-end

// guide-snippet: wait-event
ahal_status_t stream_wait_event(ahal_plugin_stream_t* stream, ahal_plugin_event_t* event) {
  return guarded(stream->device->host, [&] {
    // Wait for the record that was last enqueued when this wait was; an
    // event never recorded is complete already.
    uint64_t sequence = event->fence->last_armed();
    if (sequence != 0) {
      stream->processor.submit([fence = event->fence, sequence] { fence->wait(sequence); });
    }
    return AHAL_SUCCESS;
  });
}
// guide-snippet-end

ahal_status_t stream_synchronize(ahal_plugin_stream_t* stream) {
  stream->processor.synchronize();
  return AHAL_SUCCESS;
}

ahal_status_t stream_query(ahal_plugin_stream_t* stream) {
  return stream->processor.idle() ? AHAL_SUCCESS : AHAL_NOT_READY;
}

// -------------------------------------------------------------------- events

ahal_status_t event_create(ahal_plugin_device_t* device, uint32_t flags,
                           ahal_plugin_event_t** out_event) {
  return guarded(device->host, [&] {
    *out_event = new ahal_plugin_event_s{device, (flags & AHAL_EVENT_TIMING) != 0,
                                         std::make_shared<asic_sim::Fence>()};
    return AHAL_SUCCESS;
  });
}

void event_destroy(ahal_plugin_event_t* event) { delete event; }

ahal_status_t event_query(ahal_plugin_event_t* event) {
  return event->fence->reached(event->fence->last_armed()) ? AHAL_SUCCESS : AHAL_NOT_READY;
}

ahal_status_t event_wait(ahal_plugin_event_t* event, uint64_t timeout_ns) {
  return guarded(event->device->host, [&] {
    uint64_t sequence = event->fence->last_armed();
    // Beyond a century counts as forever (and keeps the clock math in range).
    constexpr uint64_t kForever = uint64_t{1} << 62;
    if (timeout_ns >= kForever) {
      event->fence->wait(sequence);
    } else if (!event->fence->wait_for(sequence, std::chrono::nanoseconds(timeout_ns))) {
      throw Failure(AHAL_ERROR_TIMEOUT,
                    "event not complete after " + std::to_string(timeout_ns) + " ns");
    }
    return AHAL_SUCCESS;
  });
}

ahal_status_t event_elapsed_ns(ahal_plugin_event_t* start, ahal_plugin_event_t* end,
                               uint64_t* out_ns) {
  return guarded(start->device->host, [&] {
    if (!start->timing || !end->timing) {
      throw Failure(AHAL_ERROR_INVALID_ARGUMENT,
                    std::string(!start->timing ? "start" : "end") +
                        " event was created without AHAL_EVENT_TIMING");
    }
    if (start->fence->last_armed() == 0 || end->fence->last_armed() == 0) {
      throw Failure(AHAL_ERROR_INVALID_STATE,
                    std::string(start->fence->last_armed() == 0 ? "start" : "end") +
                        " event was never recorded");
    }
    std::optional<uint64_t> t0 = start->fence->completion_time_ns();
    std::optional<uint64_t> t1 = end->fence->completion_time_ns();
    if (!t0 || !t1) return AHAL_NOT_READY;  // as event_query: still pending
    if (*t1 < *t0) {
      throw Failure(AHAL_ERROR_INVALID_STATE, "end event completed before start event");
    }
    *out_ns = *t1 - *t0;
    return AHAL_SUCCESS;
  });
}

// ------------------------------------------------------------------- kernels

ahal_status_t kernel_get_builtin(ahal_plugin_device_t* device, const char* name,
                                 ahal_plugin_kernel_t** out_kernel) {
  return guarded(device->host, [&] {
    std::string names;
    for (ahal_plugin_kernel_s& kernel : device->builtins) {
      if (std::strcmp(kernel.op->name, name) == 0) {
        *out_kernel = &kernel;
        return AHAL_SUCCESS;
      }
      names += names.empty() ? "" : ", ";
      names += kernel.op->name;
    }
    throw Failure(AHAL_ERROR_NOT_FOUND,
                  std::string("no built-in kernel '") + name + "' on asic_sim; it has " + names);
  });
}

ahal_status_t kernel_get_attributes(ahal_plugin_kernel_t* kernel,
                                    ahal_kernel_attributes_t* out_attributes) {
  ahal_kernel_attributes_t a = asic_sim::read_versioned(out_attributes);
  a.max_workgroup_size = 1;
  a.static_shared_bytes = 0;
  a.preferred_workgroup_multiple = 1;
  a.has_metadata = 1;
  a.binding_count = kernel->op->binding_count;
  a.constants_size = kernel->op->constants_size;
  a.flags = 0;
  asic_sim::write_versioned(a, out_attributes);
  return AHAL_SUCCESS;
}

// ------------------------------------------------------------ dispatch table

ahal_plugin_api_t make_api() {
  ahal_plugin_api_t api{};
  api.struct_size = sizeof(api);
  api.abi_version = AHAL_PLUGIN_ABI_VERSION;
  api.name = "asic_sim";
  api.description = "simulated inference ASIC: device memory arena, DMA engine, built-in operators";
  AHAL_PLUGIN_SET_ENTRIES(api);
  // No general kernels: module_create, module_destroy, kernel_get and
  // image_score stay NULL, and the loader answers AHAL_ERROR_UNSUPPORTED.
  api.kernel_get_builtin = kernel_get_builtin;
  api.device_memory_usage = device_memory_usage;  // ABI 1.1
  return api;
}

}  // namespace

extern "C" AHAL_PLUGIN_EXPORT ahal_status_t ahal_plugin_query(uint32_t loader_abi_version,
                                                              ahal_plugin_api_t* out) {
  static const ahal_plugin_api_t api = make_api();
  // Copies only what the loader's table holds; an older loader simply does
  // not see the newer entries.
  return ahal::plugin::query(loader_abi_version, api, out);
}
