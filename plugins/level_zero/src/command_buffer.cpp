// Command buffers as Level Zero regular command lists: at finalize the
// launches, device copies, fills and barriers are recorded into a regular
// list, run on the command buffer's own command queue. Host copies and
// events answer UNSUPPORTED and the loader replays the buffer through the
// stream, as does a loader without the command list and queue entries.
//
// Order with the stream (an immediate list): the regular list begins with a
// barrier that waits on its `start` event and ends with one that signals
// its `done` event; a submission appends to the stream a barrier that
// signals `start` after the stream's previous command, executes the list,
// and appends a barrier waiting on `done` that becomes the stream's last
// command. No host wait. Within the list a barrier separates each command
// from the next, since Level Zero runs a list's commands in no set order.
//
// The spec forbids executing a list the device still references, and a
// command buffer may be submitted again while in flight, so the buffer
// keeps copies of the list ("instances"), each with its own events: a
// submission takes one whose last submission completed (its events are
// then reset on the host) or records another, up to kMaxInstances, past
// which it waits for the oldest.
#include "objects.hpp"

#include <memory>
#include <string>
#include <vector>

namespace ahal_ze {
namespace {

constexpr size_t kMaxInstances = 8;

// One recorded command, kept to record instances again (and for updates).
struct Command {
  ahal_plugin_command_t c{};  // its pointers are not kept
  std::vector<ahal_plugin_binding_t> bindings;
  std::vector<uint8_t> constants;
  bool dynamic = false;
  uint32_t pattern = 0;  // a fill's bytes: the device reads them at execution

  ahal_plugin_launch_t launch() const {
    ahal_plugin_launch_t l = c.launch;
    l.bindings = bindings.data();
    l.constants = constants.empty() ? nullptr : constants.data();
    return l;
  }
};

Command keep(const ahal_plugin_command_t& c, bool dynamic) {
  Command k;
  k.c = c;
  k.c.host_src = nullptr;
  k.c.host_dst = nullptr;
  k.dynamic = dynamic;
  k.pattern = c.pattern;
  if (c.type == AHAL_PLUGIN_COMMAND_LAUNCH) {
    k.bindings.assign(c.launch.bindings, c.launch.bindings + c.launch.binding_count);
    const auto* bytes = static_cast<const uint8_t*>(c.launch.constants);
    if (c.launch.constants_size > 0) k.constants.assign(bytes, bytes + c.launch.constants_size);
  }
  k.c.launch.bindings = nullptr;
  k.c.launch.constants = nullptr;
  return k;
}

struct Instance {
  ze_command_list_handle_t list = nullptr;
  SignalRef start;     // the list waits on it first
  SignalRef done;      // the list signals it last
  SignalRef last_use;  // the stream's signal after its last submission
  uint64_t submitted = 0;
};

bool has_command_lists(const Loader& ze) {
  return ze.zeCommandListCreate && ze.zeCommandListClose && ze.zeCommandListReset &&
         ze.zeCommandQueueCreate && ze.zeCommandQueueDestroy &&
         ze.zeCommandQueueExecuteCommandLists;
}

void* address(ahal_plugin_buffer_t* buffer, uint64_t offset) {
  return static_cast<uint8_t*>(buffer->pointer) + offset;
}

}  // namespace
}  // namespace ahal_ze

struct ahal_plugin_command_buffer_s {
  ahal_plugin_device_t* device = nullptr;
  ze_command_queue_handle_t queue = nullptr;
  // Reserved at create and never resized: fills point at their pattern.
  std::vector<ahal_ze::Command> commands;
  std::mutex mutex;  // instances, submissions
  std::vector<std::unique_ptr<ahal_ze::Instance>> instances;
  uint64_t submissions = 0;

  ~ahal_plugin_command_buffer_s() {
    const ahal_ze::Loader& ze = *device->ze;
    for (auto& i : instances)
      ahal_ze::log_failure(device, ze.zeCommandListDestroy(i->list), "zeCommandListDestroy");
    if (queue)
      ahal_ze::log_failure(device, ze.zeCommandQueueDestroy(queue), "zeCommandQueueDestroy");
  }
};

namespace ahal_ze {
namespace {

// Appends the commands to the open list `list` and closes it.
ahal_status_t record(ahal_plugin_command_buffer_t* cb, ze_command_list_handle_t list,
                     const Instance& inst) {
  ahal_plugin_device_t* dev = cb->device;
  const Loader& ze = *dev->ze;
  ze_event_handle_t start = inst.start->event;
  AHAL_ZE_CALL(dev, ze.zeCommandListAppendBarrier(list, nullptr, 1, &start));
  bool first = true;
  for (size_t i = 0; i < cb->commands.size(); ++i) {
    Command& k = cb->commands[i];
    if (k.c.type == AHAL_PLUGIN_COMMAND_BARRIER) continue;  // each command has one before it
    if (!first) AHAL_ZE_CALL(dev, ze.zeCommandListAppendBarrier(list, nullptr, 0, nullptr));
    first = false;
    ze_result_t r = ZE_RESULT_SUCCESS;
    const char* call = "zeCommandListAppendMemoryCopy";
    if (k.c.type == AHAL_PLUGIN_COMMAND_LAUNCH) {
      const ahal_plugin_launch_t l = k.launch();
      // Arguments live in the kernel object until the append captures
      // them, so each launch sets its own under the kernel's lock.
      std::lock_guard<std::mutex> lock(k.c.kernel->launch_mutex);
      if (ahal_status_t st = set_launch_arguments(k.c.kernel, &l, k.dynamic)) return st;
      const ze_group_count_t groups{l.grid[0], l.grid[1], l.grid[2]};
      call = "zeCommandListAppendLaunchKernel";
      r = ze.zeCommandListAppendLaunchKernel(list, k.c.kernel->kernel, &groups, nullptr, 0,
                                             nullptr);
    } else if (k.c.type == AHAL_PLUGIN_COMMAND_COPY_D2D) {
      r = ze.zeCommandListAppendMemoryCopy(list, address(k.c.dst, k.c.dst_offset),
                                           address(k.c.src, k.c.src_offset), k.c.size, nullptr, 0,
                                           nullptr);
    } else {  // fill
      call = "zeCommandListAppendMemoryFill";
      r = ze.zeCommandListAppendMemoryFill(list, address(k.c.dst, k.c.dst_offset), &k.pattern,
                                           k.c.pattern_size, k.c.size, nullptr, 0, nullptr);
    }
    if (r != ZE_RESULT_SUCCESS) return ze_fail(dev, r, call, "command " + std::to_string(i));
  }
  AHAL_ZE_CALL(dev, ze.zeCommandListAppendBarrier(list, inst.done->event, 0, nullptr));
  AHAL_ZE_CALL(dev, ze.zeCommandListClose(list));
  return AHAL_SUCCESS;
}

ahal_status_t add_instance(ahal_plugin_command_buffer_t* cb, Instance** out) {
  ahal_plugin_device_t* dev = cb->device;
  auto inst = std::make_unique<Instance>();
  if (ahal_status_t st = acquire_signal(dev, &inst->start)) return st;
  if (ahal_status_t st = acquire_signal(dev, &inst->done)) return st;
  ze_command_list_desc_t desc{};
  desc.stype = ZE_STRUCTURE_TYPE_COMMAND_LIST_DESC;
  desc.commandQueueGroupOrdinal = dev->compute_ordinal;
  AHAL_ZE_CALL(dev, dev->ze->zeCommandListCreate(dev->context, dev->device, &desc, &inst->list));
  if (ahal_status_t st = record(cb, inst->list, *inst)) {
    log_failure(dev, dev->ze->zeCommandListDestroy(inst->list), "zeCommandListDestroy");
    return st;
  }
  cb->instances.push_back(std::move(inst));
  *out = cb->instances.back().get();
  return AHAL_SUCCESS;
}

// An instance the device no longer references, with its events reset.
ahal_status_t take_instance(ahal_plugin_command_buffer_t* cb, Instance** out) {
  ahal_plugin_device_t* dev = cb->device;
  Instance* free = nullptr;
  Instance* oldest = nullptr;
  for (auto& i : cb->instances) {
    if (!i->last_use || is_complete(dev, i->last_use)) {
      free = i.get();
      break;
    }
    if (!oldest || i->submitted < oldest->submitted) oldest = i.get();
  }
  if (!free && (!oldest || cb->instances.size() < kMaxInstances)) return add_instance(cb, out);
  if (!free) {
    // Back-pressure, as a stream's kMaxPending: too many in flight.
    AHAL_ZE_CALL(dev, dev->ze->zeEventHostSynchronize(oldest->last_use->event, UINT64_MAX));
    free = oldest;
  }
  if (free->last_use) {
    AHAL_ZE_CALL(dev, dev->ze->zeEventHostReset(free->start->event));
    AHAL_ZE_CALL(dev, dev->ze->zeEventHostReset(free->done->event));
    free->last_use.reset();
  }
  *out = free;
  return AHAL_SUCCESS;
}

}  // namespace

ahal_status_t command_buffer_create(ahal_plugin_device_t* device,
                                    const ahal_plugin_command_t* commands, uint32_t command_count,
                                    uint32_t /*flags*/,
                                    ahal_plugin_command_buffer_t** out_command_buffer) {
  if (!has_command_lists(*device->ze))
    return fail(AHAL_ERROR_UNSUPPORTED,
                "the Level Zero loader has no regular command list or command queue entries");
  if (ahal_status_t st = ahal::plugin::refuse_commands_outside(
          commands, command_count, ahal::plugin::kDeviceCommands,
          "the Level Zero command list form", "launches, device copies, fills and barriers"))
    return st;
  auto cb = std::make_unique<ahal_plugin_command_buffer_t>();
  cb->device = device;
  cb->commands.reserve(command_count);
  for (uint32_t i = 0; i < command_count; ++i) {
    const ahal_plugin_command_t& c = commands[i];
    bool dynamic = false;
    if (c.type == AHAL_PLUGIN_COMMAND_LAUNCH) {
      if (ahal_status_t st = check_launch_arguments(c.kernel, &c.launch, &dynamic)) return st;
    }
    cb->commands.push_back(keep(c, dynamic));
  }
  ze_command_queue_desc_t desc{};
  desc.stype = ZE_STRUCTURE_TYPE_COMMAND_QUEUE_DESC;
  desc.ordinal = device->compute_ordinal;
  desc.mode = ZE_COMMAND_QUEUE_MODE_ASYNCHRONOUS;
  desc.priority = ZE_COMMAND_QUEUE_PRIORITY_NORMAL;
  AHAL_ZE_CALL(
      device, device->ze->zeCommandQueueCreate(device->context, device->device, &desc, &cb->queue));
  Instance* first = nullptr;
  if (ahal_status_t st = add_instance(cb.get(), &first)) return st;
  *out_command_buffer = cb.release();
  return AHAL_SUCCESS;
}

void command_buffer_destroy(ahal_plugin_command_buffer_t* command_buffer) {
  delete command_buffer;  // the loader waited for its submissions
}

ahal_status_t command_buffer_submit(ahal_plugin_stream_t* stream,
                                    ahal_plugin_command_buffer_t* cb) {
  ahal_plugin_device_t* dev = cb->device;
  const Loader& ze = *dev->ze;
  std::lock_guard<std::mutex> lock(cb->mutex);
  Instance* inst = nullptr;
  if (ahal_status_t st = take_instance(cb, &inst)) return st;
  bool started = false, executed = false;
  auto body = [&](const SignalRef& previous, const SignalRef& signal) {
    ze_event_handle_t before = previous ? previous->event : nullptr;
    AHAL_ZE_CALL(dev, ze.zeCommandListAppendBarrier(stream->list, inst->start->event,
                                                    before ? 1 : 0, before ? &before : nullptr));
    started = true;
    AHAL_ZE_CALL(dev, ze.zeCommandQueueExecuteCommandLists(cb->queue, 1, &inst->list, nullptr));
    executed = true;
    ze_event_handle_t done = inst->done->event;
    AHAL_ZE_CALL(dev, ze.zeCommandListAppendBarrier(stream->list, signal->event, 1, &done));
    inst->last_use = signal;
    return AHAL_SUCCESS;
  };
  ahal_status_t st = append_sequence(stream, body, {inst->start, inst->done});
  // Stopped half-way: the instance is free again once what did reach the
  // device is done, the list (executed) or the start barrier.
  if (st != AHAL_SUCCESS && started) inst->last_use = executed ? inst->done : inst->start;
  inst->submitted = ++cb->submissions;
  return st;
}

ahal_status_t command_buffer_update(ahal_plugin_command_buffer_t* cb, uint32_t index,
                                    const ahal_plugin_command_t* command) {
  ahal_plugin_device_t* dev = cb->device;
  if (index >= cb->commands.size() || cb->commands[index].c.type != AHAL_PLUGIN_COMMAND_LAUNCH ||
      command->type != AHAL_PLUGIN_COMMAND_LAUNCH)
    return fail(AHAL_ERROR_INVALID_ARGUMENT,
                "command " + std::to_string(index) + " is not a recorded launch");
  bool dynamic = false;
  if (ahal_status_t st = check_launch_arguments(command->kernel, &command->launch, &dynamic))
    return st;
  // Nothing is in flight: record every instance again; one that fails is
  // dropped (the next submission records another).
  std::lock_guard<std::mutex> lock(cb->mutex);
  cb->commands[index] = keep(*command, dynamic);
  ahal_status_t result = AHAL_SUCCESS;
  for (size_t i = 0; i < cb->instances.size();) {
    Instance& inst = *cb->instances[i];
    const ze_result_t r = dev->ze->zeCommandListReset(inst.list);
    ahal_status_t st = r == ZE_RESULT_SUCCESS ? record(cb, inst.list, inst)
                                              : ze_fail(dev, r, "zeCommandListReset");
    if (st == AHAL_SUCCESS) {
      ++i;
      continue;
    }
    if (result == AHAL_SUCCESS) result = st;
    log_failure(dev, dev->ze->zeCommandListDestroy(inst.list), "zeCommandListDestroy");
    cb->instances.erase(cb->instances.begin() + static_cast<std::ptrdiff_t>(i));
  }
  return result;
}

}  // namespace ahal_ze
