// Collectives through a plugin's own library (NCCL, RCCL, ...): the
// plugin's NCCL-shaped table (plugin.h, ahal_plugin_ccl_t), asked for once
// per plugin with the entry ccl_query, and calls into it with the loader's
// rules (status checks, exceptions caught, absent operations UNSUPPORTED).
#include <cstring>
#include <functional>
#include <type_traits>
#include <vector>

#include "collectives.hpp"
#include "host_services.hpp"

namespace ahal {

struct PluginCcl {
  bool usable = false;
  ahal_status_t status = AHAL_SUCCESS;  // of ccl_query, unless NOT_FOUND
  std::string why;                      // when not usable
  ahal_plugin_ccl_t table = {};
};

namespace {

std::mutex g_tables_mutex;

// What any operation may return besides the default list.
constexpr uint32_t kAllowed =
    (1u << AHAL_ERROR_INVALID_ARGUMENT) | (1u << AHAL_ERROR_OUT_OF_RANGE) |
    (1u << AHAL_ERROR_OUT_OF_HOST_MEMORY) | (1u << AHAL_ERROR_OUT_OF_DEVICE_MEMORY) |
    (1u << AHAL_ERROR_UNSUPPORTED) | (1u << AHAL_ERROR_DEVICE_LOST) | (1u << AHAL_ERROR_PLUGIN) |
    (1u << AHAL_ERROR_INVALID_STATE) | (1u << AHAL_ERROR_NOT_FOUND) | (1u << AHAL_ERROR_TIMEOUT);

// Per thread: plugins whose group_start was called in the current group.
thread_local std::vector<std::pair<const Plugin*, const ahal_plugin_ccl_t*>> t_started;

// The operation's entry in the table, or nullptr when the plugin's table
// version does not have it.
template <class F>
ahal_status_t call_op(const char* fn, const CclComm* c, const char* name, F* entry,
                      const std::function<ahal_status_t(F*)>& call) {
  if (!entry)
    return fail(AHAL_ERROR_UNSUPPORTED, fn, "%s's collectives library (%s) has no %s",
                c->device->plugin->name.c_str(), c->library.c_str(), name);
  return call_plugin(fn, *c->device->plugin, name, kAllowed, [&] { return call(entry); });
}

}  // namespace

ahal_status_t native_table(const char* fn, Plugin& p, const ahal_plugin_ccl_t** out,
                           std::string* why) {
  std::lock_guard<std::mutex> lock(g_tables_mutex);
  if (!p.ccl) {
    auto* pc = new PluginCcl;
    p.ccl = pc;
    if (p.api.ccl_query) {
      pc->table.struct_size = sizeof(pc->table);
      const ahal_status_t st =
          entry::ccl_query(fn, p, p.instance, AHAL_PLUGIN_CCL_VERSION, &pc->table);
      const ahal_plugin_ccl_t& t = pc->table;
      if (st != AHAL_SUCCESS) {
        // NOT_FOUND: the library is not installed; UNSUPPORTED: the plugin
        // has none (the SDK's default). MPI takes over. Any other failure
        // is the plugin's, and stays an error.
        const bool none = st == AHAL_ERROR_NOT_FOUND || st == AHAL_ERROR_UNSUPPORTED;
        pc->status = none ? AHAL_SUCCESS : st;
        pc->why = ahal_last_error_message();
        const size_t colon = pc->why.find(": ");
        if (colon != std::string::npos) pc->why.erase(0, colon + 2);  // the function's name
      } else if (t.struct_size < offsetof(ahal_plugin_ccl_t, comm_get_async_error) ||
                 !t.get_unique_id || !t.comm_init_rank || !t.comm_destroy) {
        pc->status = AHAL_ERROR_PLUGIN;
        pc->why = format(
            "%s's collectives table lacks get_unique_id, comm_init_rank or "
            "comm_destroy",
            p.name.c_str());
      } else {
        // Entries past what the plugin wrote stay NULL.
        if (t.struct_size < sizeof(pc->table))
          std::memset(reinterpret_cast<char*>(&pc->table) + t.struct_size, 0,
                      sizeof(pc->table) - t.struct_size);
        pc->usable = true;
      }
    }
  }
  *out = p.ccl->usable ? &p.ccl->table : nullptr;
  *why = p.ccl->why;
  if (p.ccl->status != AHAL_SUCCESS) return fail(p.ccl->status, fn, "%s", p.ccl->why.c_str());
  return AHAL_SUCCESS;
}

void release_plugin_ccl(Plugin& p) {
  delete p.ccl;
  p.ccl = nullptr;
}

ahal_status_t native_unique_id(const char* fn, Device* d, const ahal_plugin_ccl_t* t, void* id) {
  return call_plugin(fn, *d->plugin, "ccl get_unique_id", kAllowed,
                     [&] { return t->get_unique_id(d->plugin->instance, id); });
}

ahal_status_t native_init(const char* fn, CclComm* c, const void* id) {
  const ahal_plugin_ccl_t* t = c->table;
  c->library = t->library ? t->library : c->device->plugin->name + " collectives";
  ahal_status_t st = call_plugin(fn, *c->device->plugin, "ccl comm_init_rank", kAllowed, [&] {
    return t->comm_init_rank(c->device->object, c->nranks, id, c->rank, &c->native);
  });
  if (st == AHAL_SUCCESS && !c->native)
    st = fail(AHAL_ERROR_PLUGIN, fn, "%s returned success without a communicator",
              c->device->plugin->name.c_str());
  return st;
}

ahal_status_t native_group_join(const char* fn, CclComm* c) {
  const Plugin* p = c->device->plugin;
  for (const auto& started : t_started)
    if (started.first == p) return AHAL_SUCCESS;
  if (!c->table->group_start) return AHAL_SUCCESS;
  if (ahal_status_t st =
          call_plugin(fn, *p, "ccl group_start", kAllowed, [&] { return c->table->group_start(); }))
    return st;
  t_started.emplace_back(p, c->table);
  return AHAL_SUCCESS;
}

ahal_status_t native_group_end(const char* fn) {
  ahal_status_t first = AHAL_SUCCESS;
  for (const auto& started : t_started) {
    // Not a structured binding: C++17 lambdas cannot capture one (clang refuses).
    const ahal_plugin_ccl_t* t = started.second;
    if (!t->group_end) continue;
    const ahal_status_t st =
        call_plugin(fn, *started.first, "ccl group_end", kAllowed, [&] { return t->group_end(); });
    if (first == AHAL_SUCCESS) first = st;
  }
  t_started.clear();
  return first;
}

ahal_status_t native_enqueue(const char* fn, const CclOp& o) {
  const CclComm* c = o.comm;
  const ahal_plugin_ccl_t* t = c->table;
  ahal_plugin_buffer_t* send = o.send ? o.send->object : nullptr;
  ahal_plugin_buffer_t* recv = o.recv ? o.recv->object : nullptr;
  ahal_plugin_stream_t* s = o.stream->object;
  ahal_plugin_ccl_comm_t* n = c->native;
  switch (o.kind) {
    case AHAL_CCL_KIND_ALLREDUCE:
      return call_op<std::remove_pointer_t<decltype(t->allreduce)>>(
          fn, c, "allreduce", t->allreduce, [&](auto* f) {
            return f(n, send, o.send_offset, recv, o.recv_offset, o.count, o.datatype, o.op, s);
          });
    case AHAL_CCL_KIND_ALLGATHER:
      return call_op<std::remove_pointer_t<decltype(t->allgather)>>(
          fn, c, "allgather", t->allgather, [&](auto* f) {
            return f(n, send, o.send_offset, recv, o.recv_offset, o.count, o.datatype, s);
          });
    case AHAL_CCL_KIND_REDUCE_SCATTER:
      return call_op<std::remove_pointer_t<decltype(t->reduce_scatter)>>(
          fn, c, "reduce_scatter", t->reduce_scatter, [&](auto* f) {
            return f(n, send, o.send_offset, recv, o.recv_offset, o.count, o.datatype, o.op, s);
          });
    case AHAL_CCL_KIND_BROADCAST:
      return call_op<std::remove_pointer_t<decltype(t->broadcast)>>(
          fn, c, "broadcast", t->broadcast, [&](auto* f) {
            return f(n, send, o.send_offset, recv, o.recv_offset, o.count, o.datatype, o.peer, s);
          });
    case AHAL_CCL_KIND_REDUCE:
      return call_op<std::remove_pointer_t<decltype(t->reduce)>>(
          fn, c, "reduce", t->reduce, [&](auto* f) {
            return f(n, send, o.send_offset, recv, o.recv_offset, o.count, o.datatype, o.op, o.peer,
                     s);
          });
    case AHAL_CCL_KIND_SEND:
      return call_op<std::remove_pointer_t<decltype(t->send)>>(
          fn, c, "send", t->send,
          [&](auto* f) { return f(n, send, o.send_offset, o.count, o.datatype, o.peer, s); });
    case AHAL_CCL_KIND_RECV:
      return call_op<std::remove_pointer_t<decltype(t->recv)>>(
          fn, c, "recv", t->recv,
          [&](auto* f) { return f(n, recv, o.recv_offset, o.count, o.datatype, o.peer, s); });
    default:
      return fail(AHAL_ERROR_INTERNAL, fn, "unknown collective %u", o.kind);
  }
}

}  // namespace ahal
