// The CPU device: the host itself, its properties, and the objects it makes.
#include "objects.hpp"

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <ctime>

namespace ahal_cpu {

unsigned worker_threads(const MachineInfo& machine) {
  if (const char* env = std::getenv("AHAL_CPU_THREADS"); env && *env) {
    const long n = std::strtol(env, nullptr, 10);
    if (n >= 1 && n <= 4096) return static_cast<unsigned>(n);
  }
  return machine.cores;
}

CpuDevice::CpuDevice(const MachineInfo& machine)
    : machine_(machine), pool_(worker_threads(machine)) {}

void CpuDevice::properties(ahal_device_properties_t& p) {
  plugin::copy_string(p.name, machine_.model);
  plugin::copy_string(p.vendor, machine_.vendor);
  plugin::copy_string(p.driver_version,
                      plugin::format("ahal-cpu %d.%d (Linux %s)", AHAL_API_VERSION_MAJOR,
                                     AHAL_API_VERSION_MINOR, machine_.kernel_release.c_str()));
  plugin::copy_string(p.arch, machine_.arch);
  p.type = AHAL_DEVICE_TYPE_CPU;
  p.compute_units = pool_.threads();
  p.global_memory_bytes = machine_.memory_bytes;
  p.max_allocation_bytes = machine_.memory_bytes;
  p.max_workgroup_size = kMaxWorkgroupSize;
  p.max_workgroup_dims[0] = p.max_workgroup_dims[1] = p.max_workgroup_dims[2] = kMaxWorkgroupSize;
  // Keeps grid[0]*grid[1]*grid[2] well inside 64 bits.
  p.max_grid_dims[0] = 0x7fffffffu;
  p.max_grid_dims[1] = p.max_grid_dims[2] = 65535;
  p.shared_memory_per_workgroup = kSharedMemoryBytes;
  p.subgroup_size_min = p.subgroup_size_max = 1;
  p.clock_mhz = machine_.clock_mhz;
  p.max_bindings = AHAL_MAX_BINDINGS;
  p.max_constants_size = AHAL_MAX_CONSTANTS_SIZE;
  p.binding_offset_alignment = kBindingOffsetAlignment;
  p.module_formats = 1ull << AHAL_MODULE_FORMAT_CPU_SO;
  p.features = AHAL_FEATURE_FP64 | AHAL_FEATURE_INT64_ATOMICS | AHAL_FEATURE_HOST_VISIBLE_MEMORY |
               AHAL_FEATURE_UNIFIED_MEMORY | AHAL_FEATURE_TIMESTAMPS | AHAL_FEATURE_HOST_CALLBACKS |
               AHAL_FEATURE_DYNAMIC_SHARED_MEMORY | AHAL_FEATURE_GENERAL_KERNELS;
  if (machine_.fp16) p.features |= AHAL_FEATURE_FP16;
  // Events are stamped with steady_clock, which is CLOCK_MONOTONIC.
  struct timespec res {};
  const uint64_t res_ns = clock_getres(CLOCK_MONOTONIC, &res) == 0
                              ? uint64_t(res.tv_sec) * 1000000000u + res.tv_nsec
                              : 1;
  p.timestamp_resolution_ps = (res_ns ? res_ns : 1) * 1000;
}

std::unique_ptr<plugin::Buffer> CpuDevice::create_buffer(const ahal_buffer_args_t& args) {
  constexpr uint32_t known =
      AHAL_MEMORY_DEVICE_LOCAL | AHAL_MEMORY_HOST_VISIBLE | AHAL_MEMORY_HOST_COHERENT;
  if (args.flags & ~known) {
    plugin::raise(AHAL_ERROR_INVALID_ARGUMENT, "unknown memory flags 0x%x", args.flags & ~known);
  }
  if (args.size == 0) plugin::raise(AHAL_ERROR_INVALID_ARGUMENT, "buffer size is 0");
  // Host memory is device-local, host-visible and coherent at once.
  return std::make_unique<CpuBuffer>(*this, args.size);
}

std::unique_ptr<plugin::Buffer> CpuDevice::import_buffer(const ahal_native_buffer_t& native) {
  if (native.kind != AHAL_NATIVE_HANDLE_HOST_POINTER)
    plugin::raise(AHAL_ERROR_UNSUPPORTED, "cpu imports host pointers only (kind %u)",
                  static_cast<unsigned>(native.kind));
  // A binding may start at any multiple of kBindingOffsetAlignment, so a base
  // aligned that way is as good as one of our own buffers to the kernels.
  if (native.handle % kBindingOffsetAlignment)
    plugin::raise(AHAL_ERROR_INVALID_ARGUMENT, "host pointer 0x%llx is not %u-byte aligned",
                  static_cast<unsigned long long>(native.handle), kBindingOffsetAlignment);
  auto* data = reinterpret_cast<unsigned char*>(static_cast<uintptr_t>(native.handle));
  return std::make_unique<CpuBuffer>(*this, data, native.size);
}

std::unique_ptr<plugin::HostAlloc> CpuDevice::host_alloc(uint64_t size, uint32_t) {
  if (size == 0) plugin::raise(AHAL_ERROR_INVALID_ARGUMENT, "host allocation size is 0");
  return std::make_unique<CpuHostAlloc>(size);
}

std::unique_ptr<plugin::Stream> CpuDevice::create_stream(const ahal_stream_args_t&) {
  return std::make_unique<CpuStream>(*this);
}

std::unique_ptr<plugin::Event> CpuDevice::create_event(uint32_t flags) {
  if (flags & ~uint32_t(AHAL_EVENT_TIMING)) {
    plugin::raise(AHAL_ERROR_INVALID_ARGUMENT, "unknown event flags 0x%x",
                  flags & ~uint32_t(AHAL_EVENT_TIMING));
  }
  return std::make_unique<CpuEvent>(flags);
}

std::unique_ptr<plugin::Module> CpuDevice::create_module(const ahal_plugin_module_args_t& args) {
  return std::make_unique<CpuModule>(args, machine_.arch);
}

void CpuDevice::memory_usage(uint64_t* used, uint64_t* total) {
  // Bytes held by this device's buffers, out of the machine's memory.
  *used = buffer_bytes_.load();
  *total = machine_.memory_bytes;
}

}  // namespace ahal_cpu
