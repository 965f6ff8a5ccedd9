#include "ccl_world.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

namespace conform::ccl {
namespace {

int env_int(std::initializer_list<const char*> names) {
  for (const char* n : names)
    if (const char* v = std::getenv(n); v && *v) return std::atoi(v);
  return -1;
}

std::string safe(const std::string& key) {
  std::string out;
  for (char c : key) out += (std::isalnum(static_cast<unsigned char>(c)) || c == '.') ? c : '_';
  return out;
}

std::string hex(const void* data, size_t n) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    const unsigned char b = static_cast<const unsigned char*>(data)[i];
    out += digits[b >> 4];
    out += digits[b & 15];
  }
  return out;
}

bool unhex(const std::string& s, void* data, size_t n) {
  if (s.size() != 2 * n) return false;
  auto* out = static_cast<unsigned char*>(data);
  for (size_t i = 0; i < n; ++i) out[i] = uint8_t(std::stoi(s.substr(2 * i, 2), nullptr, 16));
  return true;
}

}  // namespace

const World& world() {
  static const World w = [] {
    World out;
    const char* dir = std::getenv("AHAL_CONFORM_CCL_DIR");
    // Open MPI, then MPICH / PMI, then PMIx.
    const int rank = env_int({"OMPI_COMM_WORLD_RANK", "PMI_RANK", "PMIX_RANK"});
    const int size = env_int({"OMPI_COMM_WORLD_SIZE", "PMI_SIZE"});
    if (dir && *dir && rank >= 0 && size > 0) {
      out.rank = rank;
      out.size = size;
      out.dir = dir;
    }
    return out;
  }();
  return w;
}

bool allgather(const std::string& key, const std::string& mine, std::vector<std::string>* out,
               double timeout_s, std::string* error) {
  const World& w = world();
  const std::string base = w.dir + "/" + safe(key) + ".";
  {
    // Written whole, then renamed: a reader never sees half of it.
    const std::string tmp = base + std::to_string(w.rank) + ".tmp";
    std::ofstream f(tmp, std::ios::binary);
    f << mine;
    f.close();
    std::rename(tmp.c_str(), (base + std::to_string(w.rank)).c_str());
  }
  out->assign(size_t(w.size), "");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
  for (int r = 0; r < w.size; ++r) {
    const std::string path = base + std::to_string(r);
    for (;;) {
      std::ifstream f(path, std::ios::binary);
      if (f) {
        std::stringstream ss;
        ss << f.rdbuf();
        (*out)[size_t(r)] = ss.str();
        break;
      }
      if (std::chrono::steady_clock::now() > deadline) {
        *error = format("rank %d gave no %s within %g s", r, key.c_str(), timeout_s);
        return false;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
  return true;
}

ahal_ccl_comm_t comm(Context& ctx) {
  const World& w = world();
  if (w.size == 0)
    skip(
        "the collectives category runs under MPI, started by ahal-conform itself with mpirun "
        "-np 2 (this process was not)");
  static std::map<ahal_device_t, ahal_ccl_comm_t> comms;
  auto it = comms.find(ctx.device());
  if (it != comms.end()) return it->second;
  static int made = 0;
  ahal_ccl_unique_id_t id;
  std::string mine;
  if (w.rank == 0) {
    CHECK_OK(ahal_ccl_get_unique_id(ctx.device(), &id));
    mine = hex(&id, sizeof(id));
  }
  std::vector<std::string> all;
  std::string error;
  if (!allgather("ccl-id-" + std::to_string(made++), mine, &all, 60, &error))
    fail("%s", error.c_str());
  if (!unhex(all[0], &id, sizeof(id))) fail("rank 0's communicator id is malformed");
  ahal_ccl_comm_t c = nullptr;
  const ahal_status_t st =
      ahal_ccl_comm_init_rank(ctx.device(), uint32_t(w.size), &id, uint32_t(w.rank), &c);
  // UNSUPPORTED: the device cannot stage; NOT_FOUND: this ahal has no MPI
  // engine (built without libopenmpi-dev, or a sanitizer build).
  if (st == AHAL_ERROR_UNSUPPORTED || st == AHAL_ERROR_NOT_FOUND)
    skip("%s", ahal_last_error_message());
  CHECK_OK(st);
  comms[ctx.device()] = c;  // lives until the process ends (the runtime frees it)
  return c;
}

TestResult merge(const TestResult& mine) {
  const World& w = world();
  if (w.size == 0) return mine;
  std::vector<std::string> all;
  std::string error;
  TestResult out = mine;
  if (!allgather("result-" + mine.id, to_json(mine).dump(), &all, 120, &error)) {
    out.outcome = Outcome::fail;
    out.message = error;
    return out;
  }
  std::string failures;
  for (int r = 1; r < w.size; ++r) {
    Json j;
    TestResult theirs;
    std::string parse_error;
    if (!Json::parse(all[size_t(r)], &j, &parse_error) || !from_json(j, &theirs)) {
      failures += format("%srank %d: unreadable result", failures.empty() ? "" : "; ", r);
      continue;
    }
    if (is_failure(theirs.outcome))
      failures += format("%srank %d: %s", failures.empty() ? "" : "; ", r, theirs.message.c_str());
  }
  if (!failures.empty()) {
    const bool ours = is_failure(out.outcome);
    out.outcome = Outcome::fail;
    out.message = ours ? out.message + "; " + failures : failures;
  }
  return out;
}

}  // namespace conform::ccl
