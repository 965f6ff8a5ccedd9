// The collectives category's child: starts the tests under mpirun with two
// ranks and relays rank 0's messages to the runner (mpirun passes no file
// descriptor but the standard ones to its ranks, so rank 0 writes to a FIFO
// this process reads). Without mpirun every test is skipped, saying so.
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "harness.hpp"
#include "results.hpp"
#include "worker.hpp"

namespace conform {
namespace {

constexpr int kRanks = 2;

std::string find_in_path(const char* name) {
  const char* path = std::getenv("PATH");
  std::string all = path ? path : "/usr/bin:/bin";
  size_t start = 0;
  while (start <= all.size()) {
    size_t end = all.find(':', start);
    if (end == std::string::npos) end = all.size();
    const std::string candidate = all.substr(start, end - start) + "/" + name;
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
    start = end + 1;
  }
  return "";
}

void skip_all(const std::vector<std::string>& ids, const std::string& why, Channel& out) {
  for (const std::string& id : ids) {
    Json start = Json::object();
    start.set("id", id);
    out.send("START", start);
    TestResult r;
    r.id = id;
    r.outcome = Outcome::skip;
    r.message = why;
    out.send("RESULT", to_json(r));
  }
  out.send("DONE", Json::object());
}

// The folder and the files the ranks made in it (one level deep).
void remove_tree(const std::string& dir) {
  if (DIR* d = opendir(dir.c_str())) {
    while (const dirent* e = readdir(d))
      if (std::strcmp(e->d_name, ".") && std::strcmp(e->d_name, ".."))
        unlink((dir + "/" + e->d_name).c_str());
    closedir(d);
  }
  rmdir(dir.c_str());
}

}  // namespace

int run_mpi_group(const std::string& selector, const std::vector<std::string>& ids, bool quick,
                  Channel& out) {
  const std::string mpirun = find_in_path("mpirun");
  if (mpirun.empty()) {
    skip_all(ids,
             "mpirun was not found: the collectives category runs under MPI with 2 ranks "
             "(Debian: apt-get install openmpi-bin)",
             out);
    return 0;
  }
  char tmpl[] = "/tmp/ahal-conform-ccl-XXXXXX";
  if (!mkdtemp(tmpl)) {
    skip_all(ids, std::string("cannot make a folder for the ranks: ") + std::strerror(errno), out);
    return 1;
  }
  const std::string dir = tmpl, fifo = dir + "/results";
  if (mkfifo(fifo.c_str(), 0600) != 0) {
    remove_tree(dir);
    return 1;
  }
  // Open before the ranks start: their open for writing then never blocks.
  const int fd = open(fifo.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  std::string tests;
  for (const std::string& id : ids) tests += (tests.empty() ? "" : ",") + id;
  std::vector<std::string> args = {mpirun, "-np", std::to_string(kRanks), "--oversubscribe"};
  if (geteuid() == 0) args.push_back("--allow-run-as-root");
  // Small staging chunks: a few-MiB operation then crosses every pipeline stage.
  args.insert(args.end(),
              {"-x", "AHAL_CONFORM_CCL_DIR=" + dir, "-x", "AHAL_STAGING_CHUNK_BYTES=262144"});
  args.insert(args.end(), {self_exe(), "--run-group", "--device", selector, "--tests", tests,
                           "--result-path", fifo});
  if (quick) args.push_back("--quick");
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const pid_t pid = fork();
  if (pid == 0) {
    // If the runner kills this process (a timeout), mpirun and the ranks go too.
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    execv(mpirun.c_str(), argv.data());
    _exit(127);
  }
  // Relay rank 0's lines as they come, until mpirun ends.
  std::string pending;
  auto relay = [&] {
    size_t nl;
    while ((nl = pending.find('\n')) != std::string::npos) {
      std::string tag;
      Json payload;
      if (parse_message(pending.substr(0, nl), &tag, &payload)) out.send(tag, payload);
      pending.erase(0, nl + 1);
    }
  };
  int status = 0;
  bool running = pid > 0;
  while (running) {
    pollfd p = {fd, POLLIN, 0};
    poll(&p, 1, 100);
    char buf[65536];
    ssize_t n;
    while ((n = read(fd, buf, sizeof(buf))) > 0) pending.append(buf, size_t(n));
    relay();
    if (waitpid(pid, &status, WNOHANG) == pid) running = false;
    // A FIFO without a writer polls as hung up: do not spin on it.
    if (running && (p.revents & POLLHUP) && !(p.revents & POLLIN)) usleep(50000);
  }
  ssize_t n;
  char buf[65536];
  while ((n = read(fd, buf, sizeof(buf))) > 0) pending.append(buf, size_t(n));
  relay();
  if (fd >= 0) close(fd);
  remove_tree(dir);
  if (pid < 0) return 1;
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

}  // namespace conform
