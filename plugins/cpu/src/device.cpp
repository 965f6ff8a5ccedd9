#include "objects.hpp"

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <ctime>

namespace ahal_cpu {

// ---------------------------------------------------------------- memory

namespace {
void* aligned_allocation(uint64_t size) {
  const uint64_t rounded = (size + kBufferAlignment - 1) / kBufferAlignment * kBufferAlignment;
  if (rounded < size || rounded > SIZE_MAX) return nullptr;
  return std::aligned_alloc(kBufferAlignment, static_cast<size_t>(rounded));
}
}  // namespace

CpuBuffer::CpuBuffer(CpuDevice& device, uint64_t size) : device_(device), size_(size) {
  if (!device_.reserve_buffer_bytes(size)) {
    uint64_t used = 0, total = 0;
    device_.memory_usage(&used, &total);
    plugin::raise(AHAL_ERROR_OUT_OF_DEVICE_MEMORY,
                  "%llu bytes do not fit: buffers already hold %llu of the machine's %llu bytes",
                  static_cast<unsigned long long>(size), static_cast<unsigned long long>(used),
                  static_cast<unsigned long long>(total));
  }
  data_ = static_cast<unsigned char*>(aligned_allocation(size));
  if (!data_) {
    device_.release_buffer_bytes(size);
    plugin::raise(AHAL_ERROR_OUT_OF_DEVICE_MEMORY,
                  "could not allocate %llu bytes of host memory for the buffer",
                  static_cast<unsigned long long>(size));
  }
}

CpuBuffer::~CpuBuffer() {
  device_.release_buffer_bytes(size_);
  std::free(data_);
}

void* CpuBuffer::map(uint64_t offset, uint64_t size) {
  if (offset > size_ || size > size_ - offset) {
    plugin::raise(AHAL_ERROR_OUT_OF_RANGE,
                  "map range [%llu, +%llu) exceeds the buffer's %llu bytes",
                  static_cast<unsigned long long>(offset), static_cast<unsigned long long>(size),
                  static_cast<unsigned long long>(size_));
  }
  if (mapped_.exchange(true))
    plugin::raise(AHAL_ERROR_INVALID_STATE, "the buffer is already mapped");
  return data_ + offset;
}

void CpuBuffer::unmap() {
  if (!mapped_.exchange(false)) plugin::raise(AHAL_ERROR_INVALID_STATE, "the buffer is not mapped");
}

CpuHostAlloc::CpuHostAlloc(uint64_t size) : data_(aligned_allocation(size)) {
  if (!data_) {
    plugin::raise(AHAL_ERROR_OUT_OF_HOST_MEMORY, "could not allocate %llu bytes of host memory",
                  static_cast<unsigned long long>(size));
  }
}

CpuHostAlloc::~CpuHostAlloc() { std::free(data_); }

// ---------------------------------------------------------------- events

bool CpuEvent::query() {
  std::lock_guard<std::mutex> lock(state_->mutex);
  return state_->completed >= state_->recorded;
}

bool CpuEvent::wait(uint64_t timeout_ns) {
  EventState& s = *state_;
  std::unique_lock<std::mutex> lock(s.mutex);
  const uint64_t target = s.recorded;
  auto done = [&] { return s.completed >= target; };
  // Timeouts beyond ~146 years are forever (and would overflow time_point).
  if (timeout_ns >= (uint64_t(1) << 62)) {
    s.cv.wait(lock, done);
    return true;
  }
  return s.cv.wait_for(lock, std::chrono::nanoseconds(timeout_ns), done);
}

uint64_t CpuEvent::elapsed_ns(plugin::Event& end_event) {
  auto& end = static_cast<CpuEvent&>(end_event);
  if (!timing_ || !end.timing_) {
    plugin::raise(AHAL_ERROR_INVALID_STATE, "the %s event was created without AHAL_EVENT_TIMING",
                  timing_ ? "end" : "start");
  }
  auto stamp = [](EventState& s, const char* which) {
    std::lock_guard<std::mutex> lock(s.mutex);
    if (s.recorded == 0)
      plugin::raise(AHAL_ERROR_INVALID_STATE, "the %s event was never recorded", which);
    if (s.completed < s.recorded)
      plugin::raise(AHAL_ERROR_INVALID_STATE, "the %s event has not completed", which);
    return s.timestamp_ns;
  };
  const uint64_t t0 = stamp(*state_, "start");
  const uint64_t t1 = stamp(*end.state_, "end");
  if (t1 < t0) {
    plugin::raise(AHAL_ERROR_INVALID_STATE,
                  "the end event completed %llu ns before the start event",
                  static_cast<unsigned long long>(t0 - t1));
  }
  return t1 - t0;
}

// --------------------------------------------------------------- kernels

CpuKernel::CpuKernel(ahal_cpu_kernel_fn fn, const ahal_kernel_info_t* info)
    : fn_(fn), has_metadata_(info != nullptr) {
  if (info) info_ = *info;
}

void CpuKernel::attributes(ahal_kernel_attributes_t& out) {
  out.max_workgroup_size = kMaxWorkgroupSize;
  out.static_shared_bytes = 0;  // kernels keep their tiles on the stack
  out.preferred_workgroup_multiple = 1;
  out.has_metadata = has_metadata_ ? 1 : 0;
  out.binding_count = info_.binding_count;
  out.constants_size = info_.constants_size;
  out.flags = info_.flags;
}

// ---------------------------------------------------------------- device

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
