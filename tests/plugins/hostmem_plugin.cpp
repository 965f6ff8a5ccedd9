// hostmem: a small host-memory device for the loader's tests. Every command
// runs at once on the calling thread, or, with HOSTMEM_DEFERRED=1, waits in
// its stream's queue until a synchronize, an event wait or a stream wait
// needs it (so tests can hold work in flight). It is built against several
// plugin ABI headers (tests/abi/) to check old and new plugins load.
//
// Modules use format opencl-c with a tiny "program" text:
//   kernel <entry> [<impl>]   an entry point running one of the impls below
//   #error <text>             the build fails with <text> as its log
// impls: add_u32 (a, b, c; {n}), write_index (out; {base}), throws, fail_silent.
// Built-in kernels: hostmem.add_u32. With HOSTMEM_IMAGE_SCORE it scores
// bundle images itself ("hm1-fast" > "hm1" > any). Environment: HOSTMEM_DEVICES (default 2),
// HOSTMEM_NOT_FOUND=1 (plugin_init answers AHAL_ERROR_NOT_FOUND), HOSTMEM_DEFERRED=1,
// HOSTMEM_BINDING_ALIGNMENT (default 16), HOSTMEM_NO_TIMESTAMPS=1.
//
// It refuses, with AHAL_ERROR_INTERNAL, any argument the loader should
// have refused, so a test sees a loader check that is missing.
#include <ahal/plugin.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#ifndef HOSTMEM_NAME
#define HOSTMEM_NAME "hostmem"
#endif

namespace {

// Runtimes may start this plugin from several threads at once.
std::atomic<const ahal_plugin_host_t*> g_host{nullptr};

ahal_status_t error(ahal_status_t status, const std::string& message) {
  g_host.load()->set_error_message(message.c_str());
  return status;
}

ahal_status_t unchecked(const char* what) {
  return error(AHAL_ERROR_INTERNAL, std::string("the loader let through ") + what);
}

uint64_t now_ns() {
  return uint64_t(std::chrono::duration_cast<std::chrono::nanoseconds>(
                      std::chrono::steady_clock::now().time_since_epoch())
                      .count());
}

enum class Impl { kAddU32, kWriteIndex, kThrows, kFailSilent };

}  // namespace

struct ahal_plugin_kernel_s {
  Impl impl;
  uint32_t max_workgroup_size;
  uint32_t static_shared_bytes;
  bool builtin;
};

struct ahal_plugin_device_s {
  uint32_t index;
  bool deferred = false;
  uint32_t binding_alignment = 16;
  bool timestamps = true;
  std::atomic<uint64_t> used{0};
  ahal_plugin_kernel_s builtin_add{Impl::kAddU32, 0, 0, true};
};

struct ahal_plugin_instance_s {
  std::vector<std::unique_ptr<ahal_plugin_device_s>> devices;
};

struct ahal_plugin_buffer_s {
  std::unique_ptr<uint8_t[]> data;
  bool imported = false;  // data is the caller's (buffer_import_native): not freed
  uint64_t size;
  bool mapped = false;
};

struct ahal_plugin_host_alloc_s {
  void* pointer;
};

struct ahal_plugin_stream_s {
  ahal_plugin_device_s* device;
  std::mutex mutex;
  std::deque<std::function<void()>> queue;  // deferred commands, in order
};

struct ahal_plugin_event_s {
  std::atomic<uint64_t> time_ns{0};
  std::atomic<bool> done{true};
  std::atomic<ahal_plugin_stream_s*> stream{nullptr};  // of the last record
};

struct ahal_plugin_module_s {
  std::map<std::string, ahal_plugin_kernel_s> kernels;
};

#if AHAL_PLUGIN_ABI_MINOR >= 2
struct ahal_plugin_command_buffer_s {
  struct Held {
    ahal_plugin_command_t cmd;
    std::vector<ahal_plugin_binding_t> bindings;
    std::vector<uint8_t> constants;
  };
  std::vector<Held> commands;
};
#endif

namespace {

constexpr uint64_t kMemory = 1ull << 30;
constexpr uint64_t kMaxAllocation = 256ull << 20;

ahal_status_t plugin_init(const ahal_plugin_host_t* host, const ahal_plugin_init_args_t* args,
                          ahal_plugin_instance_t** out) {
  g_host = host;
  if (!args || !AHAL_PLUGIN_HAS_FIELD(args, ahal_plugin_init_args_t, runtime_flags))
    return error(AHAL_ERROR_INTERNAL, "init args too small");
  if (const char* nf = std::getenv("HOSTMEM_NOT_FOUND"); nf && std::strcmp(nf, "1") == 0)
    return error(AHAL_ERROR_NOT_FOUND, "hostmem backend switched off by HOSTMEM_NOT_FOUND");
  auto instance = std::make_unique<ahal_plugin_instance_s>();
  uint32_t count = 2;
  if (const char* n = std::getenv("HOSTMEM_DEVICES")) count = uint32_t(std::atoi(n));
  auto flag = [](const char* name) {
    const char* value = std::getenv(name);
    return value && std::strcmp(value, "1") == 0;
  };
  const char* alignment = std::getenv("HOSTMEM_BINDING_ALIGNMENT");
  for (uint32_t i = 0; i < count; ++i) {
    auto d = std::make_unique<ahal_plugin_device_s>();
    d->index = i;
    d->deferred = flag("HOSTMEM_DEFERRED");
    if (alignment) d->binding_alignment = uint32_t(std::atoi(alignment));
    d->timestamps = !flag("HOSTMEM_NO_TIMESTAMPS");
    instance->devices.push_back(std::move(d));
  }
  *out = instance.release();
  return AHAL_SUCCESS;
}

void plugin_shutdown(ahal_plugin_instance_t* instance) { delete instance; }

ahal_status_t device_count(ahal_plugin_instance_t* instance, uint32_t* out) {
  *out = uint32_t(instance->devices.size());
  return AHAL_SUCCESS;
}

ahal_status_t device_open(ahal_plugin_instance_t* instance, uint32_t index,
                          ahal_plugin_device_t** out) {
  if (index >= instance->devices.size()) return unchecked("a device index out of range");
  *out = instance->devices[index].get();
  return AHAL_SUCCESS;
}

void device_close(ahal_plugin_device_t*) {}

ahal_status_t device_get_properties(ahal_plugin_device_t* d, ahal_device_properties_t* p) {
  if (!AHAL_PLUGIN_HAS_FIELD(p, ahal_device_properties_t, peak_fp64_gflops))
    return error(AHAL_ERROR_INTERNAL, "properties struct too small");
  std::snprintf(p->name, sizeof(p->name), "hostmem device %u", d->index);
  std::snprintf(p->vendor, sizeof(p->vendor), "ahal tests");
  std::snprintf(p->driver_version, sizeof(p->driver_version), "%s", HOSTMEM_NAME);
  std::snprintf(p->arch, sizeof(p->arch), "hm1");
  p->type = AHAL_DEVICE_TYPE_OTHER;
  p->compute_units = 1;
  p->global_memory_bytes = kMemory;
  p->max_allocation_bytes = kMaxAllocation;
  p->max_workgroup_size = 256;
  p->max_workgroup_dims[0] = 256;
  p->max_workgroup_dims[1] = 256;
  p->max_workgroup_dims[2] = 64;
  p->max_grid_dims[0] = 65535;
  p->max_grid_dims[1] = 65535;
  p->max_grid_dims[2] = 65535;
  p->shared_memory_per_workgroup = 16384;
  p->subgroup_size_min = p->subgroup_size_max = 1;
  p->max_bindings = 8;
  p->max_constants_size = 256;
  p->binding_offset_alignment = d->binding_alignment;
  p->module_formats = 1ull << AHAL_MODULE_FORMAT_OPENCL_C;
  p->features = AHAL_FEATURE_HOST_VISIBLE_MEMORY | AHAL_FEATURE_UNIFIED_MEMORY |
                AHAL_FEATURE_HOST_CALLBACKS | AHAL_FEATURE_BUILTIN_KERNELS |
                AHAL_FEATURE_DYNAMIC_SHARED_MEMORY | AHAL_FEATURE_GENERAL_KERNELS;
  if (d->timestamps) {
    p->features |= AHAL_FEATURE_TIMESTAMPS;
    p->timestamp_resolution_ps = 1000;
  }
  return AHAL_SUCCESS;
}

ahal_status_t buffer_create(ahal_plugin_device_t* d, const ahal_buffer_args_t* args,
                            ahal_plugin_buffer_t** out) {
  if (args->size == 0 || args->size > kMaxAllocation) return unchecked("a bad buffer size");
  auto b = std::make_unique<ahal_plugin_buffer_s>();
  b->data.reset(new (std::nothrow) uint8_t[args->size]);
  if (!b->data) return error(AHAL_ERROR_OUT_OF_DEVICE_MEMORY, "hostmem: out of memory");
  std::memset(b->data.get(), 0, args->size);
  b->size = args->size;
  d->used += args->size;
  *out = b.release();
  return AHAL_SUCCESS;
}

void buffer_destroy(ahal_plugin_device_t* d, ahal_plugin_buffer_t* b) {
  if (b->imported) {
    (void)b->data.release();
    delete b;
    return;
  }
  d->used -= b->size;
  delete b;
}

ahal_status_t buffer_map(ahal_plugin_device_t*, ahal_plugin_buffer_t* b, uint64_t offset,
                         uint64_t size, void** out) {
  if (b->mapped) return unchecked("a second map");
  if (size == 0 || offset + size > b->size) return unchecked("a map range outside the buffer");
  b->mapped = true;
  *out = b->data.get() + offset;
  return AHAL_SUCCESS;
}

ahal_status_t buffer_unmap(ahal_plugin_device_t*, ahal_plugin_buffer_t* b) {
  if (!b->mapped) return unchecked("an unmap of an unmapped buffer");
  b->mapped = false;
  return AHAL_SUCCESS;
}

ahal_status_t host_alloc(ahal_plugin_device_t*, uint64_t size, uint32_t flags, void** out_pointer,
                         ahal_plugin_host_alloc_t** out) {
  if (size == 0 || flags != 0) return unchecked("a bad host_alloc");
  void* p = std::aligned_alloc(64, (size + 63) / 64 * 64);
  if (!p) return error(AHAL_ERROR_OUT_OF_HOST_MEMORY, "hostmem: out of host memory");
  *out = new ahal_plugin_host_alloc_s{p};
  *out_pointer = p;
  return AHAL_SUCCESS;
}

void host_free(ahal_plugin_device_t*, ahal_plugin_host_alloc_t* a) {
  std::free(a->pointer);
  delete a;
}

ahal_status_t stream_create(ahal_plugin_device_t* d, const ahal_stream_args_t* args,
                            ahal_plugin_stream_t** out) {
  if (args->flags) return unchecked("stream flags");
  *out = new ahal_plugin_stream_s;
  (*out)->device = d;
  return AHAL_SUCCESS;
}

void stream_destroy(ahal_plugin_stream_t* s) { delete s; }

// Runs `work` now, or queues it on a deferred device.
void submit(ahal_plugin_stream_t* s, std::function<void()> work) {
  if (!s->device->deferred) return work();
  std::lock_guard<std::mutex> lock(s->mutex);
  s->queue.push_back(std::move(work));
}

// Runs everything queued on the stream.
void flush(ahal_plugin_stream_t* s) {
  for (;;) {
    std::function<void()> work;
    {
      std::lock_guard<std::mutex> lock(s->mutex);
      if (s->queue.empty()) return;
      work = std::move(s->queue.front());
      s->queue.pop_front();
    }
    work();
  }
}

bool in_buffer(const ahal_plugin_buffer_t* b, uint64_t offset, uint64_t size) {
  return size > 0 && offset <= b->size && size <= b->size - offset;
}

ahal_status_t copy_h2d(ahal_plugin_stream_t* s, const void* src, ahal_plugin_buffer_t* dst,
                       uint64_t off, uint64_t size) {
  if (!src || !in_buffer(dst, off, size)) return unchecked("a bad h2d copy");
  submit(s, [=] { std::memcpy(dst->data.get() + off, src, size); });
  return AHAL_SUCCESS;
}

ahal_status_t copy_d2h(ahal_plugin_stream_t* s, ahal_plugin_buffer_t* src, uint64_t off, void* dst,
                       uint64_t size) {
  if (!dst || !in_buffer(src, off, size)) return unchecked("a bad d2h copy");
  submit(s, [=] { std::memcpy(dst, src->data.get() + off, size); });
  return AHAL_SUCCESS;
}

ahal_status_t copy_d2d(ahal_plugin_stream_t* s, ahal_plugin_buffer_t* src, uint64_t so,
                       ahal_plugin_buffer_t* dst, uint64_t dof, uint64_t size) {
  if (!in_buffer(src, so, size) || !in_buffer(dst, dof, size)) return unchecked("a bad d2d copy");
  if (src == dst && so < dof + size && dof < so + size) return unchecked("an overlapping d2d copy");
  submit(s, [=] { std::memcpy(dst->data.get() + dof, src->data.get() + so, size); });
  return AHAL_SUCCESS;
}

ahal_status_t fill(ahal_plugin_stream_t* s, ahal_plugin_buffer_t* b, uint64_t off, uint64_t size,
                   uint32_t pattern, uint32_t pattern_size) {
  if (!in_buffer(b, off, size) || (pattern_size != 1 && pattern_size != 2 && pattern_size != 4) ||
      off % pattern_size || size % pattern_size)
    return unchecked("a bad fill");
  submit(s, [=] {
    for (uint64_t i = 0; i < size; i += pattern_size)
      std::memcpy(b->data.get() + off + i, &pattern, pattern_size);
  });
  return AHAL_SUCCESS;
}

ahal_status_t launch(ahal_plugin_stream_t* s, ahal_plugin_kernel_t* k,
                     const ahal_plugin_launch_t* l) {
  if (!AHAL_PLUGIN_HAS_FIELD(l, ahal_plugin_launch_t, constants_size))
    return unchecked("a short launch struct");
  for (uint32_t i = 0; i < l->binding_count; ++i)
    if (!in_buffer(l->bindings[i].buffer, l->bindings[i].offset, l->bindings[i].size) ||
        l->bindings[i].offset % s->device->binding_alignment)
      return unchecked("a bad binding");
  const uint64_t gx = uint64_t(l->grid[0]) * l->workgroup_size[0];
  const uint64_t gy = uint64_t(l->grid[1]) * l->workgroup_size[1];
  const uint64_t gz = uint64_t(l->grid[2]) * l->workgroup_size[2];
  const uint64_t items = gx * gy * gz;
  // Copied now: the launch struct lives only during the call.
  std::vector<ahal_plugin_binding_t> binds(l->bindings, l->bindings + l->binding_count);
  auto words = [binds](uint32_t i) {
    return reinterpret_cast<uint32_t*>(binds[i].buffer->data.get() + binds[i].offset);
  };
  auto count = [binds](uint32_t i) { return binds[i].size / 4; };
  switch (k->impl) {
    case Impl::kAddU32: {
      if (l->binding_count != 3 || l->constants_size != 4)
        return unchecked("add_u32 without its arguments");
      uint32_t n;
      std::memcpy(&n, l->constants, 4);
      submit(s, [=] {
        const uint64_t limit = std::min({uint64_t(n), items, count(0), count(1), count(2)});
        for (uint64_t i = 0; i < limit; ++i) words(2)[i] = words(0)[i] + words(1)[i];
      });
      return AHAL_SUCCESS;
    }
    case Impl::kWriteIndex: {
      if (l->binding_count != 1 || l->constants_size != 4)
        return unchecked("write_index without its arguments");
      uint32_t base;
      std::memcpy(&base, l->constants, 4);
      submit(s, [=] {
        const uint64_t limit = std::min(items, count(0));
        for (uint64_t i = 0; i < limit; ++i) words(0)[i] = uint32_t(i) + base;
      });
      return AHAL_SUCCESS;
    }
    case Impl::kThrows:
      throw std::runtime_error("hostmem kernel threw on purpose");
    case Impl::kFailSilent:
      return AHAL_ERROR_DEVICE_LOST;
  }
  return unchecked("an unknown kernel");
}

ahal_status_t host_callback(ahal_plugin_stream_t* s, ahal_host_fn_t fn, void* user_data) {
  if (!fn) return unchecked("a NULL host callback");
  submit(s, [=] { fn(user_data); });
  return AHAL_SUCCESS;
}

ahal_status_t record_event(ahal_plugin_stream_t* s, ahal_plugin_event_t* e) {
  e->done = false;
  e->stream = s;
  submit(s, [e] {
    e->time_ns = now_ns();
    e->done = true;
  });
  return AHAL_SUCCESS;
}

// Runs the recording stream until the event is done.
void complete(ahal_plugin_event_t* e) {
  if (!e->done) flush(e->stream);
}

ahal_status_t wait_event(ahal_plugin_stream_t* s, ahal_plugin_event_t* e) {
  submit(s, [e] { complete(e); });
  return AHAL_SUCCESS;
}

ahal_status_t stream_synchronize(ahal_plugin_stream_t* s) {
  flush(s);
  return AHAL_SUCCESS;
}

ahal_status_t stream_query(ahal_plugin_stream_t* s) {
  std::lock_guard<std::mutex> lock(s->mutex);
  return s->queue.empty() ? AHAL_SUCCESS : AHAL_NOT_READY;
}

ahal_status_t event_create(ahal_plugin_device_t*, uint32_t flags, ahal_plugin_event_t** out) {
  if (flags & ~uint32_t(AHAL_EVENT_TIMING)) return unchecked("event flags");
  *out = new ahal_plugin_event_s;
  return AHAL_SUCCESS;
}

void event_destroy(ahal_plugin_event_t* e) { delete e; }
ahal_status_t event_query(ahal_plugin_event_t* e) {
  return e->done ? AHAL_SUCCESS : AHAL_NOT_READY;
}

ahal_status_t event_wait(ahal_plugin_event_t* e, uint64_t) {
  complete(e);
  return AHAL_SUCCESS;
}

ahal_status_t event_elapsed(ahal_plugin_event_t* a, ahal_plugin_event_t* b, uint64_t* out) {
  if (a->time_ns == 0 || b->time_ns == 0) return unchecked("elapsed of an unrecorded event");
  *out = b->time_ns >= a->time_ns ? b->time_ns - a->time_ns : 0;
  return AHAL_SUCCESS;
}

bool parse_impl(const std::string& name, Impl* out) {
  static const std::map<std::string, Impl> kImpls = {{"add_u32", Impl::kAddU32},
                                                     {"write_index", Impl::kWriteIndex},
                                                     {"throws", Impl::kThrows},
                                                     {"fail_silent", Impl::kFailSilent}};
  auto it = kImpls.find(name);
  if (it == kImpls.end()) return false;
  *out = it->second;
  return true;
}

ahal_status_t module_create(ahal_plugin_device_t*, const ahal_plugin_module_args_t* args,
                            ahal_plugin_module_t** out) {
  if (args->format != AHAL_MODULE_FORMAT_OPENCL_C || !args->build_options || !args->target)
    return unchecked("bad module args");
  auto m = std::make_unique<ahal_plugin_module_s>();
  std::istringstream text(std::string(static_cast<const char*>(args->data), args->data_size));
  std::string line;
  while (std::getline(text, line)) {
    if (line.rfind("#error ", 0) == 0)
      return error(AHAL_ERROR_BUILD_FAILED, "build failed: " + line.substr(7));
    std::istringstream words(line);
    std::string word, entry, impl;
    if (!(words >> word) || word != "kernel") continue;
    if (!(words >> entry))
      return error(AHAL_ERROR_BUILD_FAILED, "build failed: kernel without a name");
    if (!(words >> impl)) impl = entry;
    ahal_plugin_kernel_s k{};
    if (!parse_impl(impl, &k.impl))
      return error(AHAL_ERROR_BUILD_FAILED, "build failed: no kernel impl " + impl);
    if (k.impl == Impl::kAddU32) {
      k.max_workgroup_size = 128;
      k.static_shared_bytes = 1024;
    }
    m->kernels[entry] = k;
  }
  *out = m.release();
  return AHAL_SUCCESS;
}

void module_destroy(ahal_plugin_module_t* m) { delete m; }

ahal_status_t kernel_get(ahal_plugin_module_t* m, const char* entry, ahal_plugin_kernel_t** out) {
  auto it = m->kernels.find(entry);
  if (it == m->kernels.end())
    return error(AHAL_ERROR_NOT_FOUND, std::string("no entry point ") + entry);
  *out = &it->second;
  return AHAL_SUCCESS;
}

ahal_status_t kernel_get_attributes(ahal_plugin_kernel_t* k, ahal_kernel_attributes_t* a) {
  a->max_workgroup_size = k->max_workgroup_size;
  a->static_shared_bytes = k->static_shared_bytes;
  a->preferred_workgroup_multiple = 1;
  if (k->builtin) {
    a->has_metadata = 1;
    a->binding_count = 3;
    a->constants_size = 4;
  }
  return AHAL_SUCCESS;
}

ahal_status_t kernel_get_builtin(ahal_plugin_device_t* d, const char* name,
                                 ahal_plugin_kernel_t** out) {
  if (std::strcmp(name, "hostmem.add_u32") != 0)
    return error(AHAL_ERROR_NOT_FOUND, std::string("no built-in kernel ") + name);
  *out = &d->builtin_add;
  return AHAL_SUCCESS;
}

#ifdef HOSTMEM_IMAGE_SCORE
// Prefers target "hm1-fast" over "hm1" over any-target images.
ahal_status_t image_score(ahal_plugin_device_t*, ahal_module_format_t format, const char* target,
                          int32_t* out) {
  if (format != AHAL_MODULE_FORMAT_OPENCL_C) return unchecked("a format the device does not list");
  const std::string t = target;
  *out = t == "hm1-fast" ? 10 : t == "hm1" ? 5 : t.empty() ? 1 : 0;
  return AHAL_SUCCESS;
}
#endif

#if AHAL_PLUGIN_ABI_MINOR >= 1
ahal_status_t memory_usage(ahal_plugin_device_t* d, uint64_t* used, uint64_t* total) {
  *used = d->used;
  *total = kMemory;
  return AHAL_SUCCESS;
}
#endif

#if AHAL_PLUGIN_ABI_MINOR >= 2
// Command buffers (ABI 1.2): copies of the commands, replayed through the
// stream entries at submit, so the loader's native path runs without a
// GPU. HOSTMEM_NO_COMMAND_BUFFERS=1 answers UNSUPPORTED (the loader then
// replays them itself).

void hold(ahal_plugin_command_buffer_s::Held& h, const ahal_plugin_command_t& c) {
  h.cmd = c;
  if (c.type != AHAL_PLUGIN_COMMAND_LAUNCH) return;
  h.bindings.assign(c.launch.bindings, c.launch.bindings + c.launch.binding_count);
  const auto* k = static_cast<const uint8_t*>(c.launch.constants);
  h.constants.assign(k, k + c.launch.constants_size);
  h.cmd.launch.bindings = h.bindings.data();
  h.cmd.launch.constants = h.constants.data();
}

ahal_status_t command_buffer_create(ahal_plugin_device_t*, const ahal_plugin_command_t* commands,
                                    uint32_t count, uint32_t, ahal_plugin_command_buffer_t** out) {
  const char* off = std::getenv("HOSTMEM_NO_COMMAND_BUFFERS");
  if (off && std::strcmp(off, "1") == 0)
    return error(AHAL_ERROR_UNSUPPORTED, "no native command buffers (HOSTMEM_NO_COMMAND_BUFFERS)");
  auto cb = std::make_unique<ahal_plugin_command_buffer_s>();
  cb->commands.resize(count);
  for (uint32_t i = 0; i < count; ++i) hold(cb->commands[i], commands[i]);
  *out = cb.release();
  return AHAL_SUCCESS;
}

void command_buffer_destroy(ahal_plugin_command_buffer_t* cb) { delete cb; }

ahal_status_t command_buffer_submit(ahal_plugin_stream_t* s, ahal_plugin_command_buffer_t* cb) {
  for (const auto& h : cb->commands) {
    const ahal_plugin_command_t& c = h.cmd;
    ahal_status_t st = AHAL_SUCCESS;
    switch (c.type) {
      case AHAL_PLUGIN_COMMAND_COPY_H2D:
        st = copy_h2d(s, c.host_src, c.dst, c.dst_offset, c.size);
        break;
      case AHAL_PLUGIN_COMMAND_COPY_D2H:
        st = copy_d2h(s, c.src, c.src_offset, c.host_dst, c.size);
        break;
      case AHAL_PLUGIN_COMMAND_COPY_D2D:
        st = copy_d2d(s, c.src, c.src_offset, c.dst, c.dst_offset, c.size);
        break;
      case AHAL_PLUGIN_COMMAND_FILL:
        st = fill(s, c.dst, c.dst_offset, c.size, c.pattern, c.pattern_size);
        break;
      case AHAL_PLUGIN_COMMAND_LAUNCH:
        st = launch(s, c.kernel, &c.launch);
        break;
      case AHAL_PLUGIN_COMMAND_RECORD_EVENT:
        st = record_event(s, c.event);
        break;
      case AHAL_PLUGIN_COMMAND_WAIT_EVENT:
        st = wait_event(s, c.event);
        break;
      case AHAL_PLUGIN_COMMAND_BARRIER:
        break;
      default:
        return error(AHAL_ERROR_INTERNAL,
                     "the loader let through command type " + std::to_string(int(c.type)));
    }
    if (st != AHAL_SUCCESS) return st;
  }
  return AHAL_SUCCESS;
}

ahal_status_t command_buffer_update(ahal_plugin_command_buffer_t* cb, uint32_t index,
                                    const ahal_plugin_command_t* command) {
  if (index >= cb->commands.size()) return unchecked("an update of a command that is not there");
  hold(cb->commands[index], *command);
  return AHAL_SUCCESS;
}
#endif

#if AHAL_PLUGIN_ABI_MINOR >= 3
// Native-handle interop (ABI 1.3): the buffer's bytes are its host pointer.
ahal_status_t buffer_get_native(ahal_plugin_device_t*, ahal_plugin_buffer_t* b,
                                ahal_native_buffer_t* out) {
  if (!AHAL_PLUGIN_HAS_FIELD(out, ahal_native_buffer_t, device_ordinal))
    return unchecked("a short ahal_native_buffer_t");
  out->kind = AHAL_NATIVE_HANDLE_HOST_POINTER;
  out->handle = reinterpret_cast<uintptr_t>(b->data.get());
  return AHAL_SUCCESS;
}

ahal_status_t buffer_import_native(ahal_plugin_device_t*, const ahal_native_buffer_t* n,
                                   ahal_plugin_buffer_t** out) {
  if (n->kind != AHAL_NATIVE_HANDLE_HOST_POINTER)
    return error(AHAL_ERROR_UNSUPPORTED, "hostmem imports host pointers only");
  auto b = std::make_unique<ahal_plugin_buffer_s>();
  b->data.reset(reinterpret_cast<uint8_t*>(static_cast<uintptr_t>(n->handle)));
  b->imported = true;
  b->size = n->size;
  *out = b.release();
  return AHAL_SUCCESS;
}
#endif

#ifdef AHAL_PLUGIN_SIMULATED_NEXT_MINOR
ahal_status_t device_reset(ahal_plugin_device_t*) { return AHAL_SUCCESS; }
#endif

}  // namespace

#if AHAL_PLUGIN_ABI_MINOR >= 4
#include "hostmem_peer_ccl.inc"
#endif

extern "C" AHAL_PLUGIN_EXPORT ahal_status_t ahal_plugin_query(uint32_t loader_abi_version,
                                                              ahal_plugin_api_t* out) {
  if (AHAL_PLUGIN_ABI_VERSION_MAJOR_OF(loader_abi_version) != AHAL_PLUGIN_ABI_MAJOR)
    return AHAL_ERROR_INCOMPATIBLE;
  ahal_plugin_api_t t = {};
  t.struct_size = sizeof(t);
  t.abi_version = AHAL_PLUGIN_ABI_VERSION;
  t.name = HOSTMEM_NAME;
  t.description = "synchronous host-memory test device";
  t.plugin_init = plugin_init;
  t.plugin_shutdown = plugin_shutdown;
  t.device_count = device_count;
  t.device_open = device_open;
  t.device_close = device_close;
  t.device_get_properties = device_get_properties;
  t.buffer_create = buffer_create;
  t.buffer_destroy = buffer_destroy;
  t.buffer_map = buffer_map;
  t.buffer_unmap = buffer_unmap;
  t.host_alloc = host_alloc;
  t.host_free = host_free;
  t.stream_create = stream_create;
  t.stream_destroy = stream_destroy;
  t.stream_copy_h2d = copy_h2d;
  t.stream_copy_d2h = copy_d2h;
  t.stream_copy_d2d = copy_d2d;
  t.stream_fill = fill;
  t.stream_launch = launch;
  t.stream_host_callback = host_callback;
  t.stream_record_event = record_event;
  t.stream_wait_event = wait_event;
  t.stream_synchronize = stream_synchronize;
  t.stream_query = stream_query;
  t.event_create = event_create;
  t.event_destroy = event_destroy;
  t.event_query = event_query;
  t.event_wait = event_wait;
  t.event_elapsed_ns = event_elapsed;
  t.module_create = module_create;
  t.module_destroy = module_destroy;
  t.kernel_get = kernel_get;
  t.kernel_get_attributes = kernel_get_attributes;
  t.kernel_get_builtin = kernel_get_builtin;
#ifdef HOSTMEM_IMAGE_SCORE
  t.image_score = image_score;
#endif
#if AHAL_PLUGIN_ABI_MINOR >= 1
  t.device_memory_usage = memory_usage;
#endif
#if AHAL_PLUGIN_ABI_MINOR >= 2
  t.command_buffer_create = command_buffer_create;
  t.command_buffer_destroy = command_buffer_destroy;
  t.command_buffer_submit = command_buffer_submit;
  t.command_buffer_update = command_buffer_update;
#endif
#if AHAL_PLUGIN_ABI_MINOR >= 3
  t.buffer_get_native = buffer_get_native;
  t.buffer_import_native = buffer_import_native;
#endif
#if AHAL_PLUGIN_ABI_MINOR >= 4
  t.device_peer_flags = peer_flags;
  t.stream_copy_peer = copy_peer;
  t.stream_wait_event_peer = wait_event_peer;
  t.ccl_query = ccl_query;
#endif
#ifdef AHAL_PLUGIN_SIMULATED_NEXT_MINOR
  t.device_reset = device_reset;
#endif
  // Rule 1: copy at most what the loader has room for.
  const size_t n = std::min(out->struct_size, sizeof(t));
  std::memcpy(out, &t, n);
  out->struct_size = n;
  return AHAL_SUCCESS;
}
