// Command buffers: recording (checked by enqueue_checks.hpp, as a stream
// checks the same commands), finalize (the plugin's native form, or
// replay), submission, updates of recorded launches, destruction.
#include "command_buffer.hpp"

#include <cstring>

#include "enqueue_checks.hpp"
#include "host_services.hpp"
#include "internal.hpp"
#include "layers.hpp"

namespace ahal {
namespace {

constexpr const char* kOwner = "command buffer";

std::string hex(uint64_t handle) { return format("0x%llx", (unsigned long long)handle); }

// One recording call: refuses a finalized command buffer, names the index
// the new command gets in every message ("<fn>: command 3: ...").
class Recorder {
 public:
  Recorder(const char* fn, CommandBuffer* cb) : fn_(fn), cb_(cb), lock_(cb->mutex) {
    where_ = format("%s: command %zu", fn, cb->commands.size());
  }
  ahal_status_t open() const {
    if (cb_->finalized)
      return fail(AHAL_ERROR_INVALID_STATE, fn_,
                  "command buffer %s is finalized: nothing can be recorded after "
                  "ahal_command_buffer_finalize (record into a new command buffer)",
                  hex(cb_->handle).c_str());
    return AHAL_SUCCESS;
  }
  const char* where() const { return where_.c_str(); }
  Device* device() const { return cb_->device; }
  RecordedCommand& add(ahal_plugin_command_type_t type, std::string label) {
    cb_->commands.emplace_back();
    RecordedCommand& c = cb_->commands.back();
    c.cmd.struct_size = sizeof(c.cmd);
    c.cmd.type = type;
    c.label = std::move(label);
    c.function = fn_;
    return c;
  }
  uint32_t index_of_last() const { return uint32_t(cb_->commands.size() - 1); }

 private:
  const char* fn_;
  CommandBuffer* cb_;
  std::lock_guard<std::mutex> lock_;
  std::string where_;
};

void use(RecordedCommand& c, Buffer* b) {
  b->command_refs.fetch_add(1, std::memory_order_relaxed);
  c.buffers.push_back(b);
  c.handles.push_back(b->handle);
}

void drop_refs(RecordedCommand& c) {
  for (Buffer* b : c.buffers) b->command_refs.fetch_sub(1, std::memory_order_relaxed);
  c.buffers.clear();
  c.handles.clear();
  if (c.kernel) c.kernel->command_refs.fetch_sub(1, std::memory_order_relaxed);
  if (c.event) c.event->command_refs.fetch_sub(1, std::memory_order_relaxed);
  c.kernel = nullptr;
  c.event = nullptr;
}

// Fills the launch of `c` from checked arguments: bindings and constants
// are copied into `c`, so the command lives as long as the command buffer.
void keep_launch(RecordedCommand& c, const ahal_launch_args_t& args,
                 const ahal_plugin_launch_t& launch) {
  c.bindings.assign(launch.bindings, launch.bindings + launch.binding_count);
  c.constants.assign(static_cast<const uint8_t*>(launch.constants),
                     static_cast<const uint8_t*>(launch.constants) + launch.constants_size);
  c.api_bindings.assign(args.bindings, args.bindings + args.binding_count);
  c.args = args;
  c.args.struct_size = sizeof(c.args);
  c.args.bindings = c.api_bindings.data();
  c.args.constants = c.constants.data();
  c.cmd.launch = launch;
  c.cmd.launch.bindings = c.bindings.data();
  c.cmd.launch.constants = c.constants.data();
}

std::vector<ahal_plugin_command_t> plugin_commands(const CommandBuffer* cb) {
  std::vector<ahal_plugin_command_t> out;
  out.reserve(cb->commands.size());
  for (const RecordedCommand& c : cb->commands) out.push_back(c.cmd);
  return out;
}

// The plugin's native form of `cb`, or null (replay) where it has none.
ahal_status_t make_native(const char* fn, CommandBuffer* cb) {
  Device* d = cb->device;
  cb->native = nullptr;
  // The native path needs create, submit and destroy; update is optional.
  const ahal_plugin_api_t& api = d->plugin->api;
  if (!api.command_buffer_create || !api.command_buffer_submit || !api.command_buffer_destroy)
    return AHAL_SUCCESS;
  const std::vector<ahal_plugin_command_t> cmds = plugin_commands(cb);
  ahal_plugin_command_buffer_t* native = nullptr;
  const ahal_status_t st = entry::command_buffer_create(fn, *d->plugin, d->object, cmds.data(),
                                                        uint32_t(cmds.size()), cb->flags, &native);
  if (st == AHAL_ERROR_UNSUPPORTED) return AHAL_SUCCESS;  // the loader replays it
  if (st != AHAL_SUCCESS) return st;
  if (!native)
    return fail(AHAL_ERROR_PLUGIN, fn, "%s: command_buffer_create returned success without one",
                d->plugin->name.c_str());
  cb->native = native;
  return AHAL_SUCCESS;
}

void drop_native(const char* fn, CommandBuffer* cb) {
  if (cb->native) entry::command_buffer_destroy(fn, *cb->device->plugin, cb->native);
  cb->native = nullptr;
}

// One command of an emulated submission, through the stream entries.
ahal_status_t replay(const char* fn, const Plugin& p, Stream* s, const RecordedCommand& rc) {
  const ahal_plugin_command_t& c = rc.cmd;
  ahal_plugin_stream_t* const so = s->object;
  switch (c.type) {
    case AHAL_PLUGIN_COMMAND_COPY_H2D:
      return entry::stream_copy_h2d(fn, p, so, c.host_src, c.dst, c.dst_offset, c.size);
    case AHAL_PLUGIN_COMMAND_COPY_D2H:
      return entry::stream_copy_d2h(fn, p, so, c.src, c.src_offset, c.host_dst, c.size);
    case AHAL_PLUGIN_COMMAND_COPY_D2D:
      return entry::stream_copy_d2d(fn, p, so, c.src, c.src_offset, c.dst, c.dst_offset, c.size);
    case AHAL_PLUGIN_COMMAND_FILL:
      return entry::stream_fill(fn, p, so, c.dst, c.dst_offset, c.size, c.pattern, c.pattern_size);
    case AHAL_PLUGIN_COMMAND_LAUNCH:
      return entry::stream_launch(fn, p, so, c.kernel, &c.launch);
    case AHAL_PLUGIN_COMMAND_RECORD_EVENT:
      return entry::stream_record_event(fn, p, so, c.event);
    case AHAL_PLUGIN_COMMAND_WAIT_EVENT:
      return entry::stream_wait_event(fn, p, so, c.event);
    case AHAL_PLUGIN_COMMAND_BARRIER:
      return AHAL_SUCCESS;  // commands already run in order
    case AHAL_PLUGIN_COMMAND_MAX_ENUM:
      break;
  }
  return fail(AHAL_ERROR_INTERNAL, fn, "unknown recorded command type %d", int(c.type));
}

// "<fn>: <message>" becomes "<fn>: command 3 (launch saxpy): <message>".
ahal_status_t name_command(ahal_status_t st, const char* fn, uint32_t index,
                           const RecordedCommand& c) {
  const std::string message = ahal_last_error_message();
  const std::string prefix = std::string(fn) + ": ";
  const std::string rest = message.rfind(prefix, 0) == 0 ? message.substr(prefix.size()) : message;
  return fail(st, fn, "command %u (%s): %s", index, c.label.c_str(), rest.c_str());
}

}  // namespace

bool command_buffer_in_flight(CommandBuffer* cb) {
  if (!cb->submitted || !cb->done) return false;
  const Device* d = cb->device;
  return entry::event_query("ahal_command_buffer", *d->plugin, cb->done) == AHAL_NOT_READY;
}

ahal_status_t submit_command_buffer(const char* fn, Stream* s, CommandBuffer* cb,
                                    ReplayObserver* observer) {
  Device* const d = s->device;
  const Plugin& p = *d->plugin;
  std::lock_guard<std::mutex> lock(cb->mutex);
  if (AHAL_UNLIKELY(!cb->finalized))
    return fail(AHAL_ERROR_INVALID_STATE, fn,
                "command buffer %s is still recording; call ahal_command_buffer_finalize first",
                hex(cb->handle).c_str());
  // Submissions of one command buffer run one after another.
  if (cb->submitted && cb->last_stream != s)
    if (ahal_status_t st = entry::stream_wait_event(fn, p, s->object, cb->done)) return st;
  if (cb->native) {
    if (ahal_status_t st = entry::command_buffer_submit(fn, p, s->object, cb->native)) return st;
  } else {
    for (uint32_t i = 0; i < cb->commands.size(); ++i) {
      const RecordedCommand& c = cb->commands[i];
      if (observer) observer->before(c, i);
      if (ahal_status_t st = replay(fn, p, s, c)) return name_command(st, fn, i, c);
      if (observer) observer->after(c, i);
    }
  }
  for (Event* e : cb->recorded_events)
    if (!e->recorded.load()) e->recorded.store(true, std::memory_order_release);
  if (ahal_status_t st = entry::stream_record_event(fn, p, s->object, cb->done)) return st;
  cb->submitted = true;
  cb->last_stream = s;
  ++cb->submissions;
  return AHAL_SUCCESS;
}

void release_command_buffer(CommandBuffer* cb) {
  static const char* fn = "ahal_command_buffer_destroy";
  const Plugin& p = *cb->device->plugin;
  {
    std::lock_guard<std::mutex> lock(cb->mutex);
    if (cb->submitted && cb->done) entry::event_wait(fn, p, cb->done, UINT64_MAX);
    drop_native(fn, cb);
    if (cb->done) entry::event_destroy(fn, p, cb->done);
    cb->done = nullptr;
    for (RecordedCommand& c : cb->commands) drop_refs(c);
  }
  handles().remove(cb->handle);
  delete cb;
}

namespace base {

ahal_status_t command_buffer_create(const char* fn, Device* d, uint32_t flags,
                                    ahal_command_buffer_t* out_command_buffer) {
  if (!out_command_buffer)
    return fail(AHAL_ERROR_INVALID_ARGUMENT, fn, "out_command_buffer is NULL");
  if (flags)
    return fail(AHAL_ERROR_INVALID_ARGUMENT, fn, "flags 0x%x: no flags are defined, pass 0", flags);
  auto cb = std::make_unique<CommandBuffer>();
  cb->device = d;
  cb->flags = flags;
  if (ahal_status_t st = register_handle(fn, cb.get(), HandleType::kCommandBuffer)) return st;
  {
    std::lock_guard<std::mutex> lock(d->mutex);
    d->command_buffers.insert(cb.get());
  }
  *out_command_buffer = to_handle<ahal_command_buffer_t>(cb->handle);
  cb.release();
  return AHAL_SUCCESS;
}

ahal_status_t command_buffer_destroy(const char* fn, CommandBuffer* cb) {
  if (!unregister(to_handle<ahal_command_buffer_t>(cb->handle)))
    return invalid_handle(fn, to_handle<ahal_command_buffer_t>(cb->handle),
                          HandleType::kCommandBuffer);
  {
    std::lock_guard<std::mutex> lock(cb->device->mutex);
    cb->device->command_buffers.erase(cb);
  }
  release_command_buffer(cb);
  return AHAL_SUCCESS;
}

ahal_status_t command_buffer_copy_h2d(const char* fn, CommandBuffer* cb, const void* src,
                                      ahal_buffer_t dst, uint64_t dst_offset, uint64_t size) {
  Recorder r(fn, cb);
  if (ahal_status_t st = r.open()) return st;
  Buffer* b = nullptr;
  if (ahal_status_t st =
          check_copy_h2d(r.where(), r.device(), kOwner, src, dst, dst_offset, size, &b))
    return st;
  if (size == 0) return AHAL_SUCCESS;
  RecordedCommand& c = r.add(AHAL_PLUGIN_COMMAND_COPY_H2D, "copy h2d");
  c.cmd.host_src = src;
  c.cmd.dst = b->object;
  c.cmd.dst_offset = dst_offset;
  c.cmd.size = size;
  use(c, b);
  return AHAL_SUCCESS;
}

ahal_status_t command_buffer_copy_d2h(const char* fn, CommandBuffer* cb, ahal_buffer_t src,
                                      uint64_t src_offset, void* dst, uint64_t size) {
  Recorder r(fn, cb);
  if (ahal_status_t st = r.open()) return st;
  Buffer* b = nullptr;
  if (ahal_status_t st =
          check_copy_d2h(r.where(), r.device(), kOwner, src, src_offset, dst, size, &b))
    return st;
  if (size == 0) return AHAL_SUCCESS;
  RecordedCommand& c = r.add(AHAL_PLUGIN_COMMAND_COPY_D2H, "copy d2h");
  c.cmd.src = b->object;
  c.cmd.src_offset = src_offset;
  c.cmd.host_dst = dst;
  c.cmd.size = size;
  use(c, b);
  return AHAL_SUCCESS;
}

ahal_status_t command_buffer_copy_d2d(const char* fn, CommandBuffer* cb, ahal_buffer_t src,
                                      uint64_t src_offset, ahal_buffer_t dst, uint64_t dst_offset,
                                      uint64_t size) {
  Recorder r(fn, cb);
  if (ahal_status_t st = r.open()) return st;
  Buffer *from = nullptr, *to = nullptr;
  if (ahal_status_t st = check_copy_d2d(r.where(), r.device(), kOwner, src, src_offset, dst,
                                        dst_offset, size, &from, &to))
    return st;
  if (size == 0) return AHAL_SUCCESS;
  RecordedCommand& c = r.add(AHAL_PLUGIN_COMMAND_COPY_D2D, "copy d2d");
  c.cmd.src = from->object;
  c.cmd.src_offset = src_offset;
  c.cmd.dst = to->object;
  c.cmd.dst_offset = dst_offset;
  c.cmd.size = size;
  use(c, from);
  use(c, to);
  return AHAL_SUCCESS;
}

ahal_status_t command_buffer_fill(const char* fn, CommandBuffer* cb, ahal_buffer_t buffer,
                                  uint64_t offset, uint64_t size, const void* pattern,
                                  uint32_t pattern_size) {
  Recorder r(fn, cb);
  if (ahal_status_t st = r.open()) return st;
  Buffer* b = nullptr;
  uint32_t value = 0;
  if (ahal_status_t st = check_fill(r.where(), r.device(), kOwner, buffer, offset, size, pattern,
                                    pattern_size, &b, &value))
    return st;
  if (size == 0) return AHAL_SUCCESS;
  RecordedCommand& c = r.add(AHAL_PLUGIN_COMMAND_FILL, "fill");
  c.cmd.dst = b->object;
  c.cmd.dst_offset = offset;
  c.cmd.size = size;
  c.cmd.pattern = value;
  c.cmd.pattern_size = pattern_size;
  use(c, b);
  return AHAL_SUCCESS;
}

ahal_status_t command_buffer_launch(const char* fn, CommandBuffer* cb, ahal_kernel_t kernel,
                                    const ahal_launch_args_t* args, uint32_t* out_index) {
  Recorder r(fn, cb);
  if (ahal_status_t st = r.open()) return st;
  const Kernel* k = nullptr;
  ahal_plugin_binding_t bindings[AHAL_MAX_BINDINGS];
  ahal_plugin_launch_t launch;
  if (ahal_status_t st =
          check_launch(r.where(), r.device(), kOwner, kernel, args, &k, bindings, &launch, nullptr))
    return st;
  RecordedCommand& c = r.add(AHAL_PLUGIN_COMMAND_LAUNCH, "launch " + k->name);
  keep_launch(c, *args, launch);
  c.cmd.kernel = k->object;
  c.kernel = const_cast<Kernel*>(k);
  c.kernel->command_refs.fetch_add(1, std::memory_order_relaxed);
  for (uint32_t i = 0; i < args->binding_count; ++i) use(c, get(args->bindings[i].buffer));
  if (out_index) *out_index = r.index_of_last();
  return AHAL_SUCCESS;
}

ahal_status_t command_buffer_record_event(const char* fn, CommandBuffer* cb, ahal_event_t event) {
  Recorder r(fn, cb);
  if (ahal_status_t st = r.open()) return st;
  Event* e = nullptr;
  if (ahal_status_t st = check_event(r.where(), r.device(), kOwner, event, &e)) return st;
  RecordedCommand& c = r.add(AHAL_PLUGIN_COMMAND_RECORD_EVENT, "record event");
  c.cmd.event = e->object;
  c.event = e;
  e->command_refs.fetch_add(1, std::memory_order_relaxed);
  return AHAL_SUCCESS;
}

ahal_status_t command_buffer_wait_event(const char* fn, CommandBuffer* cb, ahal_event_t event) {
  Recorder r(fn, cb);
  if (ahal_status_t st = r.open()) return st;
  Event* e = nullptr;
  if (ahal_status_t st = check_event(r.where(), r.device(), kOwner, event, &e)) return st;
  RecordedCommand& c = r.add(AHAL_PLUGIN_COMMAND_WAIT_EVENT, "wait event");
  c.cmd.event = e->object;
  c.event = e;
  e->command_refs.fetch_add(1, std::memory_order_relaxed);
  return AHAL_SUCCESS;
}

ahal_status_t command_buffer_barrier(const char* fn, CommandBuffer* cb) {
  Recorder r(fn, cb);
  if (ahal_status_t st = r.open()) return st;
  r.add(AHAL_PLUGIN_COMMAND_BARRIER, "barrier");
  return AHAL_SUCCESS;
}

ahal_status_t command_buffer_finalize(const char* fn, CommandBuffer* cb) {
  std::lock_guard<std::mutex> lock(cb->mutex);
  if (cb->finalized)
    return fail(AHAL_ERROR_INVALID_STATE, fn, "command buffer %s is already finalized",
                hex(cb->handle).c_str());
  Device* d = cb->device;
  if (ahal_status_t st = entry::event_create(fn, *d->plugin, d->object, 0, &cb->done)) return st;
  if (ahal_status_t st = make_native(fn, cb)) {
    entry::event_destroy(fn, *d->plugin, cb->done);
    cb->done = nullptr;
    return st;
  }
  for (const RecordedCommand& c : cb->commands)
    if (c.cmd.type == AHAL_PLUGIN_COMMAND_RECORD_EVENT) cb->recorded_events.push_back(c.event);
  cb->finalized = true;
  return AHAL_SUCCESS;
}

ahal_status_t command_buffer_update_launch(const char* fn, CommandBuffer* cb, uint32_t index,
                                           const ahal_launch_update_t* update) {
  if (!update) return fail(AHAL_ERROR_INVALID_ARGUMENT, fn, "update is NULL");
  if (ahal_status_t st = check_struct_size(fn, "ahal_launch_update_t", update->struct_size,
                                           AHAL_END_OF(ahal_launch_update_t, constants_size)))
    return st;
  std::lock_guard<std::mutex> lock(cb->mutex);
  if (index >= cb->commands.size())
    return fail(AHAL_ERROR_OUT_OF_RANGE, fn, "index %u is not below the command count %zu", index,
                cb->commands.size());
  RecordedCommand& c = cb->commands[index];
  if (c.cmd.type != AHAL_PLUGIN_COMMAND_LAUNCH)
    return fail(AHAL_ERROR_INVALID_ARGUMENT, fn, "command %u is a %s, not a launch", index,
                c.label.c_str());
  if (command_buffer_in_flight(cb))
    return fail(AHAL_ERROR_INVALID_STATE, fn,
                "command buffer %s has a submission still in flight; wait for it "
                "(ahal_stream_synchronize) before updating command %u",
                hex(cb->handle).c_str(), index);
  const std::string where = format("%s: command %u (%s)", fn, index, c.label.c_str());
  ahal_launch_args_t args = c.args;
  if (update->binding_count) {
    if (update->binding_count != c.args.binding_count)
      return fail(AHAL_ERROR_INVALID_ARGUMENT, where.c_str(),
                  "binding_count %u differs from the %u bindings recorded", update->binding_count,
                  c.args.binding_count);
    args.bindings = update->bindings;
  }
  if (update->constants) {
    if (update->constants_size != c.args.constants_size)
      return fail(AHAL_ERROR_INVALID_ARGUMENT, where.c_str(),
                  "constants_size %u differs from the %u bytes recorded", update->constants_size,
                  c.args.constants_size);
    args.constants = update->constants;
  }
  const Kernel* k = nullptr;
  ahal_plugin_binding_t bindings[AHAL_MAX_BINDINGS];
  ahal_plugin_launch_t launch;
  if (ahal_status_t st = check_launch(where.c_str(), cb->device, kOwner,
                                      to_handle<ahal_kernel_t>(c.kernel->handle), &args, &k,
                                      bindings, &launch, nullptr))
    return st;
  // Swap in the new arguments and their buffer references.
  RecordedCommand next;
  next.cmd = c.cmd;
  next.label = c.label;
  next.function = c.function;
  keep_launch(next, args, launch);
  for (uint32_t i = 0; i < args.binding_count; ++i) use(next, get(args.bindings[i].buffer));
  next.kernel = c.kernel;
  c.kernel = nullptr;  // the reference moves to `next`
  drop_refs(c);
  c = std::move(next);
  if (!cb->native) return AHAL_SUCCESS;
  const Plugin& p = *cb->device->plugin;
  ahal_status_t st = entry::command_buffer_update(fn, p, cb->native, index, &c.cmd);
  if (st != AHAL_ERROR_UNSUPPORTED) return st;
  // No update in place: build the native form again (nothing is in flight).
  drop_native(fn, cb);
  return make_native(fn, cb);
}

ahal_status_t stream_submit(const char* fn, Stream* s, ahal_command_buffer_t command_buffer) {
  CommandBuffer* cb = get(command_buffer);
  if (AHAL_UNLIKELY(!cb)) return invalid_handle(fn, command_buffer, HandleType::kCommandBuffer);
  if (AHAL_UNLIKELY(cb->device != s->device))
    return other_device(fn, "command buffer", cb->device, s->device, "stream");
  return submit_command_buffer(fn, s, cb, nullptr);
}

}  // namespace base
}  // namespace ahal

#include "generated/command_buffer_entries.inc"
