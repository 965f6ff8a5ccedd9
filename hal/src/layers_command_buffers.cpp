// The layers' hooks for command buffers: a submission is one command on
// its stream (in-flight checks see every buffer it uses; the trace shows
// one span with the commands inside), and destroying one that is still in
// flight is a validation finding.
#include "command_buffer.hpp"
#include "host_services.hpp"
#include "internal.hpp"
#include "layers.hpp"
#include "layers_core.hpp"
#include "layers_state.hpp"
#include "tracing.hpp"
#include "validation.hpp"

namespace ahal {
namespace layers {
namespace {

// Records a timing event after each replayed command (tracing only).
class TimingObserver : public ReplayObserver {
 public:
  TimingObserver(Layers& L, Stream* s,
                 std::vector<std::pair<std::string, ahal_plugin_event_t*>>* out)
      : L_(L), s_(s), out_(out) {}
  void before(const RecordedCommand&, uint32_t) override {}
  void after(const RecordedCommand& c, uint32_t) override {
    out_->emplace_back(c.label, record_timing_event(L_, s_->device, s_));
  }

 private:
  Layers& L_;
  Stream* s_;
  std::vector<std::pair<std::string, ahal_plugin_event_t*>>* out_;
};

}  // namespace

ahal_status_t stream_submit(const char* fn, Stream* s, ahal_command_buffer_t command_buffer,
                            void* caller) noexcept {
  return guard(fn, [&]() -> ahal_status_t {
    Layers& L = *s->device->layers;
    CommandBuffer* cb = get(command_buffer);
    if (!cb || cb->device != s->device)
      return enqueue(fn, s, caller, Plan{},
                     Body([&] { return base::stream_submit(fn, s, command_buffer); }));
    Plan p;
    std::vector<std::pair<std::string, ahal_plugin_event_t*>> children;
    std::string list;
    {
      std::lock_guard<std::mutex> lock(cb->mutex);
      p.label =
          format("command buffer %s (%zu commands)", hex(cb->handle).c_str(), cb->commands.size());
      for (const RecordedCommand& c : cb->commands) {
        p.buffers.insert(p.buffers.end(), c.handles.begin(), c.handles.end());
        if (c.kernel && c.kernel->module) p.module = c.kernel->module->handle;
        if (L.tracing && list.size() < 4000)
          list += (list.empty() ? "" : ", ") + trace::quote(c.label);
      }
      if (L.tracing)
        p.args = format("\"commands\": [%s], \"native\": %s", list.c_str(),
                        cb->native ? "true" : "false");
    }
    const bool time_children = L.tracing && s->layer && s->layer->origin;
    if (time_children) p.children = &children;
    TimingObserver observer(L, s, &children);
    return enqueue(fn, s, caller, p, Body([&] {
                     CommandBuffer* again = get(command_buffer);
                     if (!again) return base::stream_submit(fn, s, command_buffer);
                     return submit_command_buffer(fn, s, again,
                                                  time_children ? &observer : nullptr);
                   }));
  });
}

ahal_status_t command_buffer_destroy(const char* fn, CommandBuffer* cb, void* caller) noexcept {
  return guard(fn, [&]() -> ahal_status_t {
    Layers& L = *cb->device->layers;
    Call call(L, fn, caller);
    const uint64_t h = cb->handle;
    if (L.validation) {
      bool in_flight = false;
      {
        std::lock_guard<std::mutex> lock(cb->mutex);
        in_flight = command_buffer_in_flight(cb);
      }
      if (in_flight)
        validation::report(validation::Severity::kError, fn, caller,
                           format("command buffer %s is destroyed while a submission is still in "
                                  "flight; ahal waits for it, but wait for it first "
                                  "(ahal_stream_synchronize) so the destroy does not block",
                                  hex(h).c_str()));
    }
    const ahal_status_t status = base::command_buffer_destroy(fn, cb);
    if (status == AHAL_SUCCESS && L.validation) {
      std::lock_guard<std::mutex> lock(L.mutex);
      validation::bury(L, h, fn, caller);
    }
    return call.done(status);
  });
}

}  // namespace layers
}  // namespace ahal
