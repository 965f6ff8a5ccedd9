// ahal-ccl-perf: collectives bandwidth in the style of nccl-tests, run with
// mpirun (one process per rank, docs/collectives.md). For each size it
// checks the result once, then times the operation on ahal buffers and the
// same operation with plain MPI on host buffers, in the same run, loop by
// loop in turn, and prints algbw, busbw and MPI's busbw (best of --repeat
// timed loops each).
#define OMPI_SKIP_MPICXX 1
#include <ahal/ahal.h>
#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "ahal_tool_support.hpp"

namespace {

const char* const kTool = "ahal-ccl-perf";
const char* const kReduceNames[] = {"sum", "prod", "max", "min"};
const char* const kUsage =
    "usage: mpirun -np N ahal-ccl-perf [options]\n"
    "  --device SEL      device of every rank (default: the first)\n"
    "  --op NAME         allreduce (default), allgather, reduce_scatter, broadcast, reduce,\n"
    "                    sendrecv, or all\n"
    "  --min-bytes N     smallest size (default 8; K, M, G suffixes)\n"
    "  --max-bytes N     largest size (default 256M)\n"
    "  --factor F        size step (default 2)\n"
    "  --datatype T      f32 (default), f16, bf16, f64, i32, i64, u8\n"
    "  --reduce OP       sum (default), prod, min, max\n"
    "  --iters N         most timed iterations per loop (default 20)\n"
    "  --time-ms T       time one loop aims at, fewer iterations above it (default 100)\n"
    "  --repeat N        timed loops per size; the best counts (default 3)\n"
    "  --no-mpi          skip the plain-MPI comparison\n"
    "  --json            print {\"results\": [...]} instead of the table\n"
    "  --skip-missing    exit 77 when the device does not exist\n"
    "Sizes are the bytes nccl-tests counts: allgather the gathered buffer,\n"
    "reduce_scatter the scattered one, the others one rank's buffer.\n";

struct Options {
  const char* device = nullptr;
  std::vector<std::string> ops = {"allreduce"};
  uint64_t min_bytes = 8, max_bytes = 256ull << 20;
  double factor = 2;
  ahal_ccl_datatype_t datatype = AHAL_CCL_FLOAT32;
  ahal_ccl_op_t reduce = AHAL_CCL_SUM;
  int iters = 20, repeat = 3;
  double time_ms = 100;
  bool mpi = true, json = false, skip_missing = false;
};

struct TypeInfo {
  const char* name;
  ahal_ccl_datatype_t type;
  uint32_t size;
  MPI_Datatype mpi;  // null for 2-byte floats: MPI has none
};

const TypeInfo* type_info(ahal_ccl_datatype_t t) {
  static const TypeInfo types[] = {{"f32", AHAL_CCL_FLOAT32, 4, MPI_FLOAT},
                                   {"f16", AHAL_CCL_FLOAT16, 2, MPI_DATATYPE_NULL},
                                   {"bf16", AHAL_CCL_BFLOAT16, 2, MPI_DATATYPE_NULL},
                                   {"f64", AHAL_CCL_FLOAT64, 8, MPI_DOUBLE},
                                   {"i32", AHAL_CCL_INT32, 4, MPI_INT32_T},
                                   {"i64", AHAL_CCL_INT64, 8, MPI_INT64_T},
                                   {"u8", AHAL_CCL_UINT8, 1, MPI_UINT8_T}};
  for (const TypeInfo& i : types)
    if (i.type == t) return &i;
  return nullptr;
}

bool parse_bytes(const char* text, uint64_t* out) {
  char* end = nullptr;
  const double v = std::strtod(text, &end);
  if (end == text || v < 0) return false;
  double scale = 1;
  if (*end == 'K' || *end == 'k')
    scale = 1024, ++end;
  else if (*end == 'M' || *end == 'm')
    scale = 1024.0 * 1024, ++end;
  else if (*end == 'G' || *end == 'g')
    scale = 1024.0 * 1024 * 1024, ++end;
  if (*end == 'B' || *end == 'b') ++end;
  if (*end) return false;
  *out = uint64_t(v * scale);
  return true;
}

int parse(int argc, char** argv, Options* o) {
  const char* kOps[] = {"allreduce", "allgather", "reduce_scatter",
                        "broadcast", "reduce",    "sendrecv"};
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
    if (a == "--help" || a == "-h") {
      std::fputs(kUsage, stdout);
      return -1;
    } else if (a == "--json") {
      o->json = true;
    } else if (a == "--no-mpi") {
      o->mpi = false;
    } else if (a == "--skip-missing") {
      o->skip_missing = true;
    } else if (a == "--device" || a == "--op" || a == "--min-bytes" || a == "--max-bytes" ||
               a == "--factor" || a == "--datatype" || a == "--reduce" || a == "--iters" ||
               a == "--repeat" || a == "--time-ms") {
      const char* v = value();
      if (!v) return ahal_tools::usage_error(kTool, a + " needs a value", kUsage);
      bool ok = true;
      if (a == "--device") {
        o->device = v;
      } else if (a == "--op") {
        o->ops.clear();
        for (const char* name : kOps)
          if (std::strcmp(v, "all") == 0 || std::strcmp(v, name) == 0) o->ops.push_back(name);
        ok = !o->ops.empty();
      } else if (a == "--min-bytes") {
        ok = parse_bytes(v, &o->min_bytes);
      } else if (a == "--max-bytes") {
        ok = parse_bytes(v, &o->max_bytes);
      } else if (a == "--factor") {
        o->factor = std::atof(v);
        ok = o->factor > 1;
      } else if (a == "--datatype") {
        ok = false;
        for (ahal_ccl_datatype_t t :
             {AHAL_CCL_FLOAT32, AHAL_CCL_FLOAT16, AHAL_CCL_BFLOAT16, AHAL_CCL_FLOAT64,
              AHAL_CCL_INT32, AHAL_CCL_INT64, AHAL_CCL_UINT8})
          if (std::strcmp(v, type_info(t)->name) == 0) o->datatype = t, ok = true;
      } else if (a == "--reduce") {
        ok = false;
        for (int k = 0; k < 4; ++k)
          if (std::strcmp(v, kReduceNames[k]) == 0) o->reduce = ahal_ccl_op_t(k), ok = true;
      } else if (a == "--iters") {
        o->iters = std::atoi(v);
        ok = o->iters > 0;
      } else if (a == "--repeat") {
        o->repeat = std::atoi(v);
        ok = o->repeat > 0;
      } else {
        o->time_ms = std::atof(v);
        ok = o->time_ms > 0;
      }
      if (!ok) return ahal_tools::usage_error(kTool, a + ": bad value '" + v + "'", kUsage);
    } else {
      return ahal_tools::usage_error(kTool, "unknown argument " + a, kUsage);
    }
  }
  if (o->min_bytes == 0 || o->min_bytes > o->max_bytes)
    return ahal_tools::usage_error(kTool, "--min-bytes must be 1 .. --max-bytes", kUsage);
  return 0;
}

double now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// ---------------------------------------------------------- element values

// Small integers, exact in every type (bf16 too) after a sum over <= 16 ranks.
double value(int rank, uint64_t i) { return double((rank + 1) * int(i % 5 + 1) % 7 + 1); }

double reduce_values(ahal_ccl_op_t op, int ranks, uint64_t i) {
  double r = value(0, i);
  for (int k = 1; k < ranks; ++k) {
    const double v = value(k, i);
    r = op == AHAL_CCL_SUM    ? r + v
        : op == AHAL_CCL_PROD ? r * v
        : op == AHAL_CCL_MAX  ? std::max(r, v)
                              : std::min(r, v);
  }
  return r;
}

uint16_t f16_bits(float f) {  // exact for the small integers above
  if (f == 0) return 0;
  int e = 0;
  const float m = std::frexp(f, &e);  // f = m * 2^e, m in [0.5, 1)
  return uint16_t(((e - 1 + 15) << 10) | (uint32_t(m * 2048) & 0x3ff));
}

void store(const TypeInfo& t, void* p, uint64_t i, double v) {
  switch (t.type) {
    case AHAL_CCL_FLOAT32:
      static_cast<float*>(p)[i] = float(v);
      break;
    case AHAL_CCL_FLOAT64:
      static_cast<double*>(p)[i] = v;
      break;
    case AHAL_CCL_INT32:
      static_cast<int32_t*>(p)[i] = int32_t(v);
      break;
    case AHAL_CCL_INT64:
      static_cast<int64_t*>(p)[i] = int64_t(v);
      break;
    case AHAL_CCL_UINT8:
      static_cast<uint8_t*>(p)[i] = uint8_t(v);
      break;
    case AHAL_CCL_FLOAT16:
      static_cast<uint16_t*>(p)[i] = f16_bits(float(v));
      break;
    default: {  // bf16
      const float f = float(v);
      uint32_t bits;
      std::memcpy(&bits, &f, 4);
      static_cast<uint16_t*>(p)[i] = uint16_t(bits >> 16);
    }
  }
}

// The expected value as the type holds it (products wrap in u8 and overflow
// floats alike on every rank, so compare the stored bits).
bool equal(const TypeInfo& t, const void* got, uint64_t i, double want) {
  std::vector<unsigned char> w(t.size);
  store(t, w.data(), 0, want);
  return std::memcmp(static_cast<const unsigned char*>(got) + i * t.size, w.data(), t.size) == 0;
}

// ------------------------------------------------------------------ runs

struct Setup {
  Options opt;
  int rank = 0, ranks = 1;
  ahal_device_t device = nullptr;
  ahal_ccl_comm_t comm = nullptr;
  ahal_stream_t stream = nullptr;
  const TypeInfo* type = nullptr;
  MPI_Op mpi_op = MPI_SUM;
};

// Elements per rank's send buffer and receive buffer, and the busbw factor,
// for `bytes` as nccl-tests counts them.
struct Shape {
  uint64_t send = 0, recv = 0, count = 0;
  double bus = 1;
};

Shape shape(const std::string& op, uint64_t bytes, const Setup& s) {
  const uint64_t n = s.ranks, b = s.type->size;
  Shape sh;
  if (op == "allgather" || op == "reduce_scatter") {
    sh.count = std::max<uint64_t>(1, bytes / b / n);  // per rank
    const uint64_t total = sh.count * n;
    sh.send = op == "allgather" ? sh.count : total;
    sh.recv = op == "allgather" ? total : sh.count;
    sh.bus = double(n - 1) / n;
  } else {
    sh.count = std::max<uint64_t>(1, bytes / b);
    sh.send = sh.recv = sh.count;
    sh.bus = op == "allreduce" ? 2.0 * (n - 1) / n : 1.0;
  }
  return sh;
}

ahal_status_t run_ahal(const std::string& op, const Setup& s, const Shape& sh, ahal_buffer_t send,
                       ahal_buffer_t recv) {
  const ahal_ccl_datatype_t t = s.type->type;
  if (op == "allreduce")
    return ahal_ccl_allreduce(s.comm, send, 0, recv, 0, sh.count, t, s.opt.reduce, s.stream);
  if (op == "allgather") return ahal_ccl_allgather(s.comm, send, 0, recv, 0, sh.count, t, s.stream);
  if (op == "reduce_scatter")
    return ahal_ccl_reduce_scatter(s.comm, send, 0, recv, 0, sh.count, t, s.opt.reduce, s.stream);
  if (op == "broadcast")
    return ahal_ccl_broadcast(s.comm, send, 0, recv, 0, sh.count, t, 0, s.stream);
  if (op == "reduce")
    return ahal_ccl_reduce(s.comm, send, 0, recv, 0, sh.count, t, s.opt.reduce, 0, s.stream);
  // sendrecv: a ring, one group.
  ahal_ccl_group_start();
  const uint32_t next = uint32_t((s.rank + 1) % s.ranks),
                 prev = uint32_t((s.rank + s.ranks - 1) % s.ranks);
  ahal_status_t st = ahal_ccl_send(s.comm, send, 0, sh.count, t, next, s.stream);
  if (st == AHAL_SUCCESS) st = ahal_ccl_recv(s.comm, recv, 0, sh.count, t, prev, s.stream);
  const ahal_status_t end = ahal_ccl_group_end();
  return st != AHAL_SUCCESS ? st : end;
}

int run_mpi(const std::string& op, const Setup& s, const Shape& sh, void* send, void* recv) {
  const int n = int(sh.count);
  const MPI_Datatype t = s.type->mpi;
  if (op == "allreduce") return MPI_Allreduce(send, recv, n, t, s.mpi_op, MPI_COMM_WORLD);
  if (op == "allgather") return MPI_Allgather(send, n, t, recv, n, t, MPI_COMM_WORLD);
  if (op == "reduce_scatter")
    return MPI_Reduce_scatter_block(send, recv, n, t, s.mpi_op, MPI_COMM_WORLD);
  if (op == "broadcast") return MPI_Bcast(s.rank == 0 ? send : recv, n, t, 0, MPI_COMM_WORLD);
  if (op == "reduce") return MPI_Reduce(send, recv, n, t, s.mpi_op, 0, MPI_COMM_WORLD);
  const int next = (s.rank + 1) % s.ranks, prev = (s.rank + s.ranks - 1) % s.ranks;
  return MPI_Sendrecv(send, n, t, next, 0, recv, n, t, prev, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
}

// Fills send, runs the operation once and checks what this rank received.
bool check(const std::string& op, const Setup& s, const Shape& sh, ahal_buffer_t send,
           ahal_buffer_t recv) {
  const TypeInfo& t = *s.type;
  std::vector<unsigned char> host(std::max(sh.send, sh.recv) * t.size);
  for (uint64_t i = 0; i < sh.send; ++i) store(t, host.data(), i, value(s.rank, i));
  ahal_tools::check(ahal_stream_copy_h2d(s.stream, host.data(), send, 0, sh.send * t.size),
                    "ahal_stream_copy_h2d");
  ahal_tools::check(ahal_stream_fill(s.stream, recv, 0, sh.recv * t.size, "\0", 1),
                    "ahal_stream_fill");
  ahal_tools::check(run_ahal(op, s, sh, send, recv), op.c_str());
  ahal_tools::check(ahal_stream_copy_d2h(s.stream, recv, 0, host.data(), sh.recv * t.size),
                    "ahal_stream_copy_d2h");
  ahal_tools::check(ahal_stream_synchronize(s.stream), "ahal_stream_synchronize");
  const int n = s.ranks;
  const uint64_t c = sh.count;
  bool ok = true;
  for (uint64_t i = 0; i < sh.recv && ok; ++i) {
    double want;
    if (op == "allreduce")
      want = reduce_values(s.opt.reduce, n, i);
    else if (op == "allgather")
      want = value(int(i / c), i % c);
    else if (op == "reduce_scatter")
      want = reduce_values(s.opt.reduce, n, s.rank * c + i);
    else if (op == "broadcast")
      want = value(0, i);
    else if (op == "reduce")
      want = s.rank == 0 ? reduce_values(s.opt.reduce, n, i) : 0;
    else
      want = value((s.rank + n - 1) % n, i);
    if (op == "reduce" && s.rank != 0) break;  // recv is not written there
    ok = equal(t, host.data(), i, want);
  }
  int mine = ok, all = 0;
  MPI_Allreduce(&mine, &all, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
  return all != 0;
}

// A way of running the operation: one call, and the wait after a loop.
struct Way {
  std::function<void()> once;
  std::function<void()> finish;
};

// Seconds per operation of each way, the slowest rank's, best of --repeat
// loops each. The ways take turns loop by loop, so that both meet the same
// moments of a busy machine; rank 0 sets each way's iteration count so that
// a loop takes about --time-ms.
std::vector<double> timed(const Setup& s, const std::vector<Way>& ways) {
  std::vector<int> iters;
  for (const Way& w : ways) {
    w.once();
    w.finish();
    double t = now();
    w.once();
    w.finish();
    double one = now() - t;
    MPI_Allreduce(MPI_IN_PLACE, &one, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
    int n = int(std::clamp(s.opt.time_ms / 1e3 / std::max(one, 1e-9), 1.0, double(s.opt.iters)));
    MPI_Bcast(&n, 1, MPI_INT, 0, MPI_COMM_WORLD);
    iters.push_back(n);
  }
  std::vector<double> best(ways.size(), 1e30);
  for (int r = 0; r < s.opt.repeat; ++r) {
    for (size_t k = 0; k < ways.size(); ++k) {
      MPI_Barrier(MPI_COMM_WORLD);
      const double t = now();
      for (int i = 0; i < iters[k]; ++i) ways[k].once();
      ways[k].finish();
      double per = (now() - t) / iters[k];
      MPI_Allreduce(MPI_IN_PLACE, &per, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
      best[k] = std::min(best[k], per);
    }
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  Setup s;
  if (int rc = parse(argc, argv, &s.opt)) return rc < 0 ? 0 : rc;
  int provided = 0;
  MPI_Init_thread(&argc, &argv, MPI_THREAD_MULTIPLE, &provided);
  MPI_Comm_rank(MPI_COMM_WORLD, &s.rank);
  MPI_Comm_size(MPI_COMM_WORLD, &s.ranks);
  s.type = type_info(s.opt.datatype);
  const MPI_Op mpi_ops[] = {MPI_SUM, MPI_PROD, MPI_MAX, MPI_MIN};
  s.mpi_op = mpi_ops[s.opt.reduce];
  // MPI has no 2-byte floats: the comparison moves them as words and skips reductions.
  if (!s.type->mpi) s.opt.mpi = false;

  ahal_runtime_t rt = nullptr;
  ahal_tools::check(ahal_runtime_create(nullptr, &rt), "ahal_runtime_create");
  int found = ahal_tools::find_device(kTool, rt, s.opt.device, &s.device) ? 1 : 0, all = 0;
  MPI_Allreduce(&found, &all, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
  if (!all) {
    ahal_runtime_destroy(rt);
    MPI_Finalize();
    return s.opt.skip_missing ? ahal_tools::kExitSkipped : ahal_tools::kExitUsage;
  }
  ahal_ccl_unique_id_t id;
  if (s.rank == 0)
    ahal_tools::check(ahal_ccl_get_unique_id(s.device, &id), "ahal_ccl_get_unique_id");
  MPI_Bcast(&id, sizeof(id), MPI_BYTE, 0, MPI_COMM_WORLD);
  ahal_tools::check(
      ahal_ccl_comm_init_rank(s.device, uint32_t(s.ranks), &id, uint32_t(s.rank), &s.comm),
      "ahal_ccl_comm_init_rank");
  ahal_tools::check(ahal_stream_create(s.device, nullptr, &s.stream), "ahal_stream_create");
  ahal_ccl_comm_info_t info = {};
  info.struct_size = sizeof(info);
  ahal_tools::check(ahal_ccl_comm_info(s.comm, &info), "ahal_ccl_comm_info");
  ahal_device_properties_t props = {};
  props.struct_size = sizeof(props);
  ahal_device_get_properties(s.device, &props);
  const char* engines[] = {"self", "mpi", "native"};
  const char* engine = engines[std::min<int>(info.engine, 2)];

  const uint64_t max_elems = s.opt.max_bytes / s.type->size + s.ranks;
  ahal_buffer_t send = nullptr, recv = nullptr;
  ahal_buffer_args_t args = {};
  args.struct_size = sizeof(args);
  args.size = max_elems * s.type->size;
  ahal_tools::check(ahal_buffer_create(s.device, &args, &send), "ahal_buffer_create");
  ahal_tools::check(ahal_buffer_create(s.device, &args, &recv), "ahal_buffer_create");
  std::vector<unsigned char> host_send, host_recv;
  if (s.opt.mpi) {
    host_send.assign(args.size, 1);
    host_recv.assign(args.size, 0);
  }

  if (s.rank == 0 && !s.opt.json) {
    std::printf("# %s: %d ranks, device %s (%s), engine %s (%s), %s, reduce %s\n", kTool, s.ranks,
                props.selector, props.name, engine, info.library, s.type->name,
                kReduceNames[s.opt.reduce]);
    std::printf("# %-14s %12s %12s %10s %11s %11s %15s %6s %7s\n", "op", "bytes", "count",
                "time(us)", "algbw(GB/s)", "busbw(GB/s)", "mpi_busbw(GB/s)", "ratio", "correct");
  }
  std::string json;
  bool all_correct = true;
  for (const std::string& op : s.opt.ops) {
    for (double b = double(s.opt.min_bytes); b <= double(s.opt.max_bytes) * 1.0000001;
         b *= s.opt.factor) {
      const uint64_t bytes = uint64_t(b);
      const Shape sh = shape(op, bytes, s);
      const uint64_t counted = (op == "allgather" ? sh.recv : sh.send) * s.type->size;
      const bool correct = check(op, s, sh, send, recv);
      all_correct = all_correct && correct;
      std::vector<Way> ways = {
          {[&] { ahal_tools::check(run_ahal(op, s, sh, send, recv), op.c_str()); },
           [&] {
             ahal_tools::check(ahal_stream_synchronize(s.stream), "ahal_stream_synchronize");
           }}};
      if (s.opt.mpi)
        ways.push_back({[&] { run_mpi(op, s, sh, host_send.data(), host_recv.data()); }, [] {}});
      const std::vector<double> times = timed(s, ways);
      const double t = times[0];
      const double algbw = counted / t / 1e9, busbw = algbw * sh.bus;
      const double mpi_busbw = s.opt.mpi ? counted / times[1] / 1e9 * sh.bus : 0;
      if (s.rank != 0) continue;
      if (s.opt.json) {
        char line[512];
        std::snprintf(line, sizeof(line),
                      "%s\n    {\"op\": \"%s\", \"bytes\": %llu, \"count\": %llu, \"datatype\": "
                      "\"%s\", \"ranks\": %d, \"device\": \"%s\", \"engine\": \"%s\", "
                      "\"time_us\": %.3f, \"algbw_gbps\": %.6f, \"busbw_gbps\": %.6f, "
                      "\"mpi_busbw_gbps\": %s, \"correct\": %s}",
                      json.empty() ? "" : ",", op.c_str(), (unsigned long long)counted,
                      (unsigned long long)sh.count, s.type->name, s.ranks, props.selector, engine,
                      t * 1e6, algbw, busbw, s.opt.mpi ? std::to_string(mpi_busbw).c_str() : "null",
                      correct ? "true" : "false");
        json += line;
      } else {
        std::printf("  %-14s %12llu %12llu %10.1f %11.3f %11.3f %15.3f %6.2f %7s\n", op.c_str(),
                    (unsigned long long)counted, (unsigned long long)sh.count, t * 1e6, algbw,
                    busbw, mpi_busbw, mpi_busbw > 0 ? busbw / mpi_busbw : 0.0,
                    correct ? "yes" : "NO");
      }
      std::fflush(stdout);
    }
  }
  if (s.rank == 0 && s.opt.json) std::printf("{\"results\": [%s\n]}\n", json.c_str());
  ahal_buffer_destroy(send);
  ahal_buffer_destroy(recv);
  ahal_stream_destroy(s.stream);
  ahal_tools::check(ahal_ccl_comm_destroy(s.comm), "ahal_ccl_comm_destroy");
  ahal_runtime_destroy(rt);
  MPI_Finalize();
  return all_correct ? ahal_tools::kExitOk : ahal_tools::kExitFailed;
}
