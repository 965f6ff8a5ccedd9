// Launches: decoded once (checked against the device's limits, buffer
// pointers resolved, constants copied) by a stream launch or a recorded one,
// then run over the thread pool.
#include "objects.hpp"

#include <algorithm>
#include <cstring>

namespace ahal_cpu {
namespace {

// Runs workgroups [begin, end) in linear order (x fastest), like one
// thread's share of an OpenMP static schedule.
void run_workgroups(const Launch& l, uint64_t begin, uint64_t end, unsigned part, unsigned parts,
                    Scratch& scratch) {
  ahal_cpu_dispatch_t d{};
  std::memcpy(d.grid, l.grid, sizeof(d.grid));
  std::memcpy(d.workgroup_size, l.workgroup_size, sizeof(d.workgroup_size));
  d.binding_count = l.binding_count;
  d.bindings = l.bindings;
  d.binding_sizes = l.binding_sizes;
  d.constants = l.constants.empty() ? nullptr : l.constants.data();
  d.constants_size = static_cast<uint32_t>(l.constants.size());
  d.shared_memory_size = l.shared_bytes;
  d.shared_memory = l.shared_bytes ? scratch.data() : nullptr;
  d.worker_index = part;
  d.worker_count = parts;

  const uint32_t gx = l.grid[0], gy = l.grid[1];
  uint32_t x = static_cast<uint32_t>(begin % gx);
  uint32_t y = static_cast<uint32_t>(begin / gx % gy);
  uint32_t z = static_cast<uint32_t>(begin / gx / gy);
  for (uint64_t i = begin; i < end; ++i) {
    d.workgroup_id[0] = x;
    d.workgroup_id[1] = y;
    d.workgroup_id[2] = z;
    l.fn(&d);
    if (++x == gx) {
      x = 0;
      if (++y == gy) {
        y = 0;
        ++z;
      }
    }
  }
}

}  // namespace

void check_range(const CpuBuffer& buffer, uint64_t offset, uint64_t size, const char* what) {
  if (offset > buffer.size() || size > buffer.size() - offset) {
    plugin::raise(AHAL_ERROR_OUT_OF_RANGE, "%s range [%llu, +%llu) exceeds the buffer's %llu bytes",
                  what, static_cast<unsigned long long>(offset),
                  static_cast<unsigned long long>(size),
                  static_cast<unsigned long long>(buffer.size()));
  }
}

void run_launch(const Launch& l, ThreadPool& pool, Scratch& scratch) {
  const uint64_t total = uint64_t(l.grid[0]) * l.grid[1] * l.grid[2];
  const unsigned parts = static_cast<unsigned>(std::min<uint64_t>(total, pool.threads()));
  // Contiguous, near-equal ranges of workgroups, one per part.
  auto body = [&](unsigned part, unsigned n, Scratch& s) {
    const uint64_t base = total / n, extra = total % n;
    const uint64_t begin = part * base + std::min<uint64_t>(part, extra);
    const uint64_t end = begin + base + (part < extra ? 1 : 0);
    run_workgroups(l, begin, end, part, n, s);
  };
  pool.run(parts, scratch, body);
}

void decode_launch(plugin::Kernel& kernel, const ahal_plugin_launch_t& args, Launch& out) {
  uint64_t items = 1;
  for (int i = 0; i < 3; ++i) {
    if (args.grid[i] == 0 || args.workgroup_size[i] == 0) {
      plugin::raise(AHAL_ERROR_INVALID_ARGUMENT, "grid and workgroup sizes must be >= 1");
    }
    items *= args.workgroup_size[i];
  }
  if (items > kMaxWorkgroupSize) {
    plugin::raise(AHAL_ERROR_OUT_OF_RANGE, "workgroup of %llu items exceeds the maximum of %u",
                  static_cast<unsigned long long>(items), kMaxWorkgroupSize);
  }
  if (args.dynamic_shared_bytes > kSharedMemoryBytes) {
    plugin::raise(AHAL_ERROR_OUT_OF_RANGE, "%u bytes of dynamic shared memory exceed the %u bytes",
                  args.dynamic_shared_bytes, kSharedMemoryBytes);
  }
  if (args.binding_count > AHAL_MAX_BINDINGS || args.constants_size > AHAL_MAX_CONSTANTS_SIZE) {
    plugin::raise(AHAL_ERROR_OUT_OF_RANGE, "%u bindings / %u constant bytes exceed %u / %u",
                  args.binding_count, args.constants_size, AHAL_MAX_BINDINGS,
                  AHAL_MAX_CONSTANTS_SIZE);
  }

  out.fn = static_cast<CpuKernel&>(kernel).function();
  std::memcpy(out.grid, args.grid, sizeof(out.grid));
  std::memcpy(out.workgroup_size, args.workgroup_size, sizeof(out.workgroup_size));
  out.shared_bytes = args.dynamic_shared_bytes;
  out.binding_count = args.binding_count;
  for (uint32_t i = 0; i < args.binding_count; ++i) {
    const ahal_plugin_binding_t& b = args.bindings[i];
    auto& buffer = static_cast<CpuBuffer&>(*plugin::object<plugin::Buffer>(b.buffer));
    check_range(buffer, b.offset, b.size, "binding");
    out.bindings[i] = buffer.data() + b.offset;
    out.binding_sizes[i] = b.size;
  }
  if (args.constants_size) {
    const auto* c = static_cast<const unsigned char*>(args.constants);
    out.constants.assign(c, c + args.constants_size);
  } else {
    out.constants.clear();
  }
}

}  // namespace ahal_cpu
