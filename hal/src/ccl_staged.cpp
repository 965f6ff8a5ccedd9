// Collectives through MPI on pinned host memory (docs/collectives.md).
//
// The engine (libahal_ccl_mpi.so) is opened with dlopen on first use, so
// libahal links no MPI. All engine calls run on one thread, the
// collectives thread, in the order operations were issued. An operation is
// cut into chunks that move through a few pinned slots:
//
//   stream:  d2h c0, staged | d2h c1, staged | ... | done? h2d c0, d2h cK, staged | ...
//   thread:  wait staged c0, MPI c0, done | wait staged c1, MPI c1, done | ...
//
// so the device copies of some chunks overlap MPI on others, and the
// stream's later work waits for the last chunk. The host callbacks only
// advance and wait for gates; the stream itself carries every copy. Where
// the buffers are host memory already (ahal_buffer_host_address: cpu,
// lavapipe, PoCL), MPI works on them in place, in the same chunks, and
// nothing is staged (AHAL_CCL_STAGED=1 stages all the same); such a job on
// one stream runs inside that stream's host callback, with no hand-off to
// the collectives thread and back.
//
// Engine calls run one job at a time, in issue order, whichever thread
// makes them: each job takes a turn when it is enqueued (Proxy::post,
// Proxy::take_turn).
#include <dlfcn.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <functional>
#include <memory>
#include <set>
#include <thread>

#include "collectives.hpp"
#include "generated/api_impl.hpp"
#include "host_services.hpp"
#include "staging.hpp"

namespace ahal {
namespace {

// ---------------------------------------------------------------- engine

struct EngineLibrary {
  ahal_ccl_host_engine_t table = {};
  ahal_status_t status = AHAL_SUCCESS;
  std::string error;
};

std::string libahal_folder() {
  Dl_info info;
  if (dladdr(reinterpret_cast<void*>(&libahal_folder), &info) == 0 || !info.dli_fname) return "";
  std::string path = info.dli_fname;
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? "." : path.substr(0, slash);
}

bool exists(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0;
}

EngineLibrary open_engine() {
  EngineLibrary lib;
  std::vector<std::string> candidates;
  if (const char* env = std::getenv("AHAL_CCL_MPI_LIBRARY"); env && *env) {
    candidates.push_back(env);
  } else {
    const std::string dir = libahal_folder();
    candidates.push_back(dir + "/libahal_ccl_mpi.so");       // build tree
    candidates.push_back(dir + "/ahal/libahal_ccl_mpi.so");  // installed, beside the plugins
  }
  std::string tried;
  for (const std::string& path : candidates) {
    tried += (tried.empty() ? "" : ", ") + path;
    if (!exists(path)) continue;
    // RTLD_GLOBAL: Open MPI's own components resolve libmpi's symbols.
    void* so = dlopen(path.c_str(), RTLD_NOW | RTLD_GLOBAL | RTLD_NODELETE);
    if (!so) {
      lib.status = AHAL_ERROR_NOT_FOUND;
      lib.error = format(
          "the MPI collectives engine %s cannot be loaded: %s (install Open MPI: apt-get install "
          "openmpi-bin)",
          path.c_str(), dlerror());
      return lib;
    }
    auto query = reinterpret_cast<ahal_ccl_host_engine_query_fn>(dlsym(so, AHAL_CCL_ENGINE_QUERY));
    lib.table.struct_size = sizeof(lib.table);
    if (!query || query(AHAL_CCL_ENGINE_VERSION, &lib.table) != 0 ||
        lib.table.version != AHAL_CCL_ENGINE_VERSION || !lib.table.comm_create ||
        !lib.table.comm_destroy || !lib.table.run) {
      lib.status = AHAL_ERROR_INCOMPATIBLE;
      lib.error = format("%s is not an engine of this libahal (engine version %u, want %u)",
                         path.c_str(), lib.table.version, AHAL_CCL_ENGINE_VERSION);
      return lib;
    }
    return lib;
  }
  lib.status = AHAL_ERROR_NOT_FOUND;
  lib.error = format(
      "collectives across processes need the MPI engine libahal_ccl_mpi.so, which is not "
      "installed (this ahal was built without libopenmpi-dev); looked for %s",
      tried.c_str());
  return lib;
}

// ---------------------------------------------------- collectives thread

// Runs engine work in issue order. Never destroyed and never joined: a
// process may exit with it waiting. A forked child makes its own.
class Proxy {
 public:
  static Proxy& get() {
    static std::mutex m;
    static Proxy* proxy = nullptr;
    std::lock_guard<std::mutex> lock(m);
    if (!proxy || proxy->pid_ != getpid()) proxy = new Proxy;
    return *proxy;
  }

  // Runs `task` on the thread, in its turn.
  void post(std::function<void()> task) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      const uint64_t turn = issued_++;
      tasks_.push_back([this, turn, task = std::move(task)] {
        wait_turn(turn);
        task();
        end_turn(turn);
      });
    }
    cv_.notify_one();
  }

  // A turn for engine calls made elsewhere (a stream's host callback): wait
  // for it before the first call, end it after the last.
  uint64_t take_turn() {
    std::lock_guard<std::mutex> lock(mutex_);
    return issued_++;
  }
  void wait_turn(uint64_t turn) {
    std::unique_lock<std::mutex> lock(turn_mutex_);
    turn_cv_.wait(lock, [&] { return current_ == turn; });
  }
  void end_turn(uint64_t turn) {
    {
      std::lock_guard<std::mutex> lock(turn_mutex_);
      current_ = turn + 1;
      while (abandoned_.erase(current_)) ++current_;
    }
    turn_cv_.notify_all();
  }
  // A turn whose work never runs (its callback could not be enqueued):
  // skipped when it comes, without waiting for it here.
  void abandon_turn(uint64_t turn) {
    {
      std::lock_guard<std::mutex> lock(turn_mutex_);
      if (current_ != turn) {
        abandoned_.insert(turn);
        return;
      }
    }
    end_turn(turn);
  }

  // Runs `f` on the thread, after what was posted before, and waits.
  template <class F>
  void call(F f) {
    HostGate finished;
    post([&] {
      f();
      finished.advance(1);
    });
    finished.wait(1);
  }

 private:
  Proxy() : pid_(getpid()) {
    std::thread([this] { run(); }).detach();
  }

  void run() {
    for (;;) {
      std::function<void()> task;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        cv_.wait(lock, [&] { return !tasks_.empty(); });
        task = std::move(tasks_.front());
        tasks_.pop_front();
      }
      task();
    }
  }

  pid_t pid_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> tasks_;
  uint64_t issued_ = 0;  // turns taken (mutex_): posting order is turn order
  std::mutex turn_mutex_;
  std::condition_variable turn_cv_;
  uint64_t current_ = 0;  // the turn whose engine calls may run now
  std::set<uint64_t> abandoned_;
};

// ------------------------------------------------------------ pipelines

constexpr uint64_t kSlots = 4;  // chunks of one operation in flight

// One operation of a job, cut into `steps` chunks of `chunk` elements.
struct Part {
  CclOp op;
  uint32_t size = 0;        // bytes per element
  uint32_t in_factor = 1;   // slot = (in_factor + out_factor) * chunk elements
  uint32_t out_factor = 0;  // 0: in place
  uint64_t chunk = 0;
  uint64_t steps = 0;
  std::vector<PinnedChunk> slots;
  HostGate staged;  // chunks in pinned memory
  // Direct: the buffers are host memory (cpu, lavapipe, PoCL), MPI works on
  // them in place, chunk by chunk, nothing is staged.
  bool direct = false;
  unsigned char* direct_send = nullptr;
  unsigned char* direct_recv = nullptr;

  uint64_t elements(uint64_t i) const { return std::min(chunk, op.count - i * chunk); }
  // Chunks staged ahead of the engine.
  uint64_t window() const { return slots.size(); }
  unsigned char* in(uint64_t i) const {
    if (direct) return direct_send ? direct_send + i * chunk * size : nullptr;
    return slots[i % slots.size()].pointer;
  }
  unsigned char* out(uint64_t i) const {
    if (direct) return direct_recv ? direct_recv + i * chunk * size : nullptr;
    return out_factor ? in(i) + in_factor * elements(i) * size : in(i);
  }
};

// AHAL_CCL_STAGED=1: stage through pinned memory even where the buffers are
// host memory (tests of the staged path on cpu).
bool always_staged() {
  static const bool on = [] {
    const char* e = std::getenv("AHAL_CCL_STAGED");
    return e && std::strcmp(e, "1") == 0;
  }();
  return on;
}

// The buffer's memory as a host pointer, where the device's memory is the
// host's (ahal_buffer_host_address; before ABI 1.6, a native handle of kind
// HOST_POINTER says the same); nullptr otherwise.
unsigned char* host_pointer(Buffer* b, uint64_t offset) {
  if (!b) return nullptr;
  Device* d = b->device;
  void* p = nullptr;
  if (d->plugin->api.buffer_host_address) {
    if (base::buffer_host_address("ahal collectives", b, &p) != AHAL_SUCCESS) return nullptr;
  } else if (d->plugin->api.buffer_get_native) {
    ahal_native_buffer_t n = {};
    n.struct_size = sizeof(n);
    if (entry::buffer_get_native("ahal collectives", *d->plugin, d->object, b->object, &n) !=
            AHAL_SUCCESS ||
        n.kind != AHAL_NATIVE_HANDLE_HOST_POINTER)
      return nullptr;
    p = reinterpret_cast<void*>(uintptr_t(n.handle));
  }
  return p ? static_cast<unsigned char*>(p) + offset : nullptr;
}

// Direct when every buffer the operation touches on this rank is host memory
// and its chunks are contiguous in the buffers: an element-wise operation, or
// one in one step (an allgather's chunk is strided in its output).
void try_direct(Part& p) {
  if (always_staged()) return;
  if (p.steps > 1 && (p.in_factor != 1 || p.out_factor != 0)) return;
  const CclOp& o = p.op;
  const bool root = o.comm->rank == o.peer;
  const bool needs_send =
      o.kind != AHAL_CCL_KIND_RECV && (o.kind != AHAL_CCL_KIND_BROADCAST || root);
  const bool needs_recv = o.kind != AHAL_CCL_KIND_SEND && (o.kind != AHAL_CCL_KIND_REDUCE || root);
  unsigned char* send = needs_send ? host_pointer(o.send, o.send_offset) : nullptr;
  unsigned char* recv = needs_recv ? host_pointer(o.recv, o.recv_offset) : nullptr;
  if ((needs_send && !send) || (needs_recv && !recv)) return;
  p.direct = true;
  p.direct_send = send;
  p.direct_recv = recv;
}

struct Job {
  std::vector<std::unique_ptr<Part>> parts;
  HostGate done;  // steps the engine finished
  uint64_t steps = 0;
  // Run in a stream's host callback (every part direct, on one stream),
  // in turn `turn`; the turn is ended once, when it ran or, should its
  // callback never be enqueued, when the job goes.
  Proxy* on_stream = nullptr;
  uint64_t turn = 0;
  bool turn_ended = false;

  ~Job() {
    if (on_stream && !turn_ended) on_stream->abandon_turn(turn);
    for (auto& p : parts) {
      for (const PinnedChunk& c : p->slots) give_pinned(c);
      CclComm* c = p->op.comm;
      std::lock_guard<std::mutex> lock(c->mutex);
      if (--c->in_flight == 0) c->idle.notify_all();
    }
  }
  void open() {
    for (auto& p : parts) p->staged.open();
    done.open();
  }
};

// Slot layout per kind: what moves to the host before the engine runs
// ("in") and what moves back after ("out").
void layout(Part& p) {
  const uint32_t n = p.op.comm->nranks;
  switch (p.op.kind) {
    case AHAL_CCL_KIND_ALLGATHER:
      p.in_factor = 1;
      p.out_factor = n;
      break;
    case AHAL_CCL_KIND_REDUCE_SCATTER:
      p.in_factor = n;
      p.out_factor = 1;
      break;
    default:
      p.in_factor = 1;
      p.out_factor = 0;
  }
}

// Enqueues what moves chunk i to the host (d2h on the op's stream).
ahal_status_t pre(const char* fn, Part& p, uint64_t i) {
  const CclOp& o = p.op;
  Device* d = o.comm->device;
  if (p.direct) return AHAL_SUCCESS;
  const uint64_t e = p.elements(i), first = i * p.chunk, bytes = e * p.size;
  auto d2h = [&](uint64_t elem, unsigned char* to) {
    return entry::stream_copy_d2h(fn, *d->plugin, o.stream->object, o.send->object,
                                  o.send_offset + elem * p.size, to, bytes);
  };
  switch (o.kind) {
    case AHAL_CCL_KIND_RECV:
      return AHAL_SUCCESS;
    case AHAL_CCL_KIND_BROADCAST:
      return o.comm->rank == o.peer ? d2h(first, p.in(i)) : AHAL_SUCCESS;
    case AHAL_CCL_KIND_REDUCE_SCATTER:
      for (uint32_t r = 0; r < o.comm->nranks; ++r)
        if (ahal_status_t st = d2h(r * o.count + first, p.in(i) + r * bytes)) return st;
      return AHAL_SUCCESS;
    default:
      return d2h(first, p.in(i));
  }
}

// Enqueues what moves chunk i's result back (h2d on the op's stream).
ahal_status_t post(const char* fn, Part& p, uint64_t i) {
  const CclOp& o = p.op;
  Device* d = o.comm->device;
  if (p.direct) return AHAL_SUCCESS;
  const uint64_t e = p.elements(i), first = i * p.chunk, bytes = e * p.size;
  auto h2d = [&](const unsigned char* from, uint64_t elem) {
    return entry::stream_copy_h2d(fn, *d->plugin, o.stream->object, from, o.recv->object,
                                  o.recv_offset + elem * p.size, bytes);
  };
  switch (o.kind) {
    case AHAL_CCL_KIND_SEND:
      return AHAL_SUCCESS;
    case AHAL_CCL_KIND_REDUCE:
      return o.comm->rank == o.peer ? h2d(p.out(i), first) : AHAL_SUCCESS;
    case AHAL_CCL_KIND_ALLGATHER:
      for (uint32_t r = 0; r < o.comm->nranks; ++r)
        if (ahal_status_t st = h2d(p.out(i) + r * bytes, r * o.count + first)) return st;
      return AHAL_SUCCESS;
    default:
      return h2d(p.out(i), first);
  }
}

ahal_ccl_host_op_t engine_op(const Part& p, uint64_t i) {
  ahal_ccl_host_op_t e = {};
  e.comm = p.op.comm->engine_comm;
  e.kind = p.op.kind;
  e.datatype = p.op.datatype;
  e.op = p.op.op;
  e.peer = p.op.peer;
  e.send = p.in(i);
  e.recv = p.out(i);
  e.count = p.elements(i);
  return e;
}

// The engine's part of a job, in its turn: each step once every part
// staged it (on the collectives thread, or in the stream's callback).
void run_job(const std::shared_ptr<Job>& job) {
  const ahal_ccl_host_engine_t* engine = job->parts.front()->op.comm->host_engine;
  std::vector<ahal_ccl_host_op_t> ops;
  for (uint64_t i = 0; i < job->steps; ++i) {
    ops.clear();
    for (auto& p : job->parts) {
      if (i >= p->steps) continue;
      if (!job->on_stream) p->staged.wait(i + 1);
      ops.push_back(engine_op(*p, i));
    }
    char error[512] = "";
    const int rc = engine->run(ops.data(), uint32_t(ops.size()), error, sizeof(error));
    if (rc != 0) {
      const ahal_status_t st =
          rc > 0 && rc <= AHAL_ERROR_INTERNAL ? ahal_status_t(rc) : AHAL_ERROR_PLUGIN;
      for (auto& p : job->parts)
        p->op.comm->fail_async(st, format("%s: %s", ccl_kind_name(p->op.kind), error));
      job->open();
      return;
    }
    job->done.advance(i + 1);
  }
}

ahal_status_t enqueue_job(const char* fn, const std::shared_ptr<Job>& job) {
  Job* j = job.get();
  ahal_status_t st = AHAL_SUCCESS;
  auto host = [&](Part& p, auto f) {
    if (st == AHAL_SUCCESS) st = enqueue_host(fn, p.op.comm->device, p.op.stream->object, f);
  };
  if (j->on_stream) {
    host(*j->parts.front(), [job] {
      job->on_stream->wait_turn(job->turn);
      run_job(job);
      job->turn_ended = true;
      job->on_stream->end_turn(job->turn);
    });
    return st;
  }
  auto stage = [&](Part& p, uint64_t i) {
    if (st == AHAL_SUCCESS) st = pre(fn, p, i);
    Part* pp = &p;
    host(p, [pp, i] { pp->staged.advance(i + 1); });
  };
  // Every part's first chunks, then the rest in step with the engine: a
  // stream that carries several parts of a group stages all of them before
  // it waits for any.
  // A direct part is ready at once and done when its last chunk is.
  for (auto& p : j->parts) {
    Part* pp = p.get();
    if (p->direct)
      host(*p, [pp] { pp->staged.advance(pp->steps); });
    else
      for (uint64_t i = 0; i < std::min<uint64_t>(p->steps, p->window()); ++i) stage(*p, i);
  }
  for (auto& p : j->parts) {
    if (p->direct) {
      const uint64_t steps = p->steps;
      host(*p, [j, steps] { j->done.wait(steps); });
      continue;
    }
    for (uint64_t i = 0; i < p->steps; ++i) {
      host(*p, [j, i] { j->done.wait(i + 1); });
      if (st == AHAL_SUCCESS) st = post(fn, *p, i);
      if (i + p->window() < p->steps) stage(*p, i + p->window());
    }
  }
  // Each stream keeps the job alive until its last command ran.
  for (auto& p : j->parts) host(*p, [job] { static_cast<void>(job); });
  return st;
}

}  // namespace

const ahal_ccl_host_engine_t* mpi_engine(const char* fn, ahal_status_t* status) {
  static const EngineLibrary lib = open_engine();
  if (lib.status != AHAL_SUCCESS) {
    *status = fail(lib.status, fn, "%s", lib.error.c_str());
    return nullptr;
  }
  return &lib.table;
}

ahal_status_t staged_init(const char* fn, CclComm* c, const void* id) {
  ahal_status_t st = AHAL_SUCCESS;
  const ahal_ccl_host_engine_t* engine = mpi_engine(fn, &st);
  if (!engine) return st;
  c->host_engine = engine;
  c->library = engine->name ? engine->name : "MPI";
  int rc = 0;
  char error[512] = "";
  Proxy::get().call([&] {
    rc = engine->comm_create(id, c->nranks, c->rank, &c->engine_comm, error, sizeof(error));
  });
  if (rc != 0) {
    c->engine_comm = nullptr;
    return fail(rc > 0 && rc <= AHAL_ERROR_INTERNAL ? ahal_status_t(rc) : AHAL_ERROR_PLUGIN, fn,
                "%s", error);
  }
  return AHAL_SUCCESS;
}

void staged_destroy(CclComm* c) {
  const ahal_ccl_host_engine_t* engine = c->host_engine;
  void* comm = c->engine_comm;
  Proxy::get().call([&] { engine->comm_destroy(comm); });
  c->engine_comm = nullptr;
}

ahal_status_t staged_enqueue(const char* fn, const CclOp* ops, size_t count) {
  auto job = std::make_shared<Job>();
  const uint64_t chunk_bytes = staging_chunk_bytes();
  for (size_t k = 0; k < count; ++k) {
    auto p = std::make_unique<Part>();
    p->op = ops[k];
    p->size = ccl_datatype_size(p->op.datatype);
    layout(*p);
    const uint64_t per_element = uint64_t(p->size) * (p->in_factor + p->out_factor);
    // One operation alone is cut into chunks (MPI on 32 MiB and more is
    // slow here, docs/collectives.md); a group moves each whole. The cut is
    // the same on every rank, direct or staged, so the ranks' MPI calls
    // match: a rank of host memory may meet a rank of a GPU.
    p->chunk = count == 1 ? std::max<uint64_t>(1, chunk_bytes / per_element) : p->op.count;
    p->chunk = std::min(p->chunk, p->op.count);
    p->steps = (p->op.count + p->chunk - 1) / p->chunk;
    try_direct(*p);
    {
      CclComm* c = p->op.comm;
      std::lock_guard<std::mutex> lock(c->mutex);
      ++c->in_flight;
    }
    Part* raw = p.get();
    job->parts.push_back(std::move(p));
    const uint64_t slots = raw->direct ? 0 : std::min(raw->steps, kSlots);
    for (uint64_t i = 0; i < slots; ++i) {
      PinnedChunk slot;
      if (ahal_status_t st = take_pinned(fn, raw->op.comm->device, raw->chunk * per_element, &slot))
        return st;
      raw->slots.push_back(slot);
    }
    job->steps = std::max(job->steps, raw->steps);
  }
  // One stream and no staging: the stream's callback makes the engine
  // calls. Otherwise the engine's part goes first: a stream may run its
  // commands while they are enqueued (synchronous devices), and then waits
  // for the engine at once.
  Proxy& proxy = Proxy::get();
  if (std::all_of(job->parts.begin(), job->parts.end(), [&](const auto& p) {
        return p->direct && p->op.stream == job->parts.front()->op.stream;
      })) {
    job->turn = proxy.take_turn();
    job->on_stream = &proxy;
  } else {
    proxy.post([job] { run_job(job); });
  }
  const ahal_status_t st = enqueue_job(fn, job);
  if (st != AHAL_SUCCESS) {
    // Part of it is on the streams: let that run through, and say the
    // communicator is broken (the other ranks wait for this one).
    const std::string why = ahal_last_error_message();
    job->open();
    for (auto& p : job->parts)
      p->op.comm->fail_async(st,
                             format("an operation could not be enqueued whole: %s", why.c_str()));
    return st;
  }
  return AHAL_SUCCESS;
}

}  // namespace ahal
