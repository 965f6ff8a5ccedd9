// The workload step of --characterize: ahal-infer runs face-api's face
// recognition network on the device, checks every output against the
// PyTorch reference and times it, with and without command buffers. It runs
// as its own process (the face workload needs libjpeg and the weights, which
// ahal-conform does not), so here it is started, watched and read.
#include "workload.hpp"

#include "ahal_tool_support.hpp"
#include "harness.hpp"
#include "worker.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace conform {

namespace {

struct ToolRun {
  int status = -1;  // exit status; -1 killed or not started
  bool timed_out = false;
  std::string out, err, error;  // error: could not start
};

// Runs `argv` with stdout and stderr captured; kills it after `limit_s`.
ToolRun run_tool(const std::vector<std::string>& argv, double limit_s) {
  ToolRun r;
  int out_pipe[2], err_pipe[2];
  if (pipe(out_pipe) != 0) {
    r.error = "pipe failed";
    return r;
  }
  if (pipe(err_pipe) != 0) {
    close(out_pipe[0]);
    close(out_pipe[1]);
    r.error = "pipe failed";
    return r;
  }
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const pid_t pid = fork();
  if (pid == 0) {
    // Dies with this process: a characterization killed for its time limit
    // leaves no network running.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    dup2(out_pipe[1], 1);
    dup2(err_pipe[1], 2);
    close(out_pipe[0]);
    close(out_pipe[1]);
    close(err_pipe[0]);
    close(err_pipe[1]);
    execv(args[0], args.data());
    std::fprintf(stderr, "cannot run %s\n", args[0]);
    _exit(127);
  }
  close(out_pipe[1]);
  close(err_pipe[1]);
  if (pid < 0) {
    close(out_pipe[0]);
    close(err_pipe[0]);
    r.error = "fork failed";
    return r;
  }
  const uint64_t deadline = now_ns() + static_cast<uint64_t>(limit_s * 1e9);
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  std::string* sinks[2] = {&r.out, &r.err};
  int open_fds = 2;
  while (open_fds > 0) {
    const uint64_t now = now_ns();
    if (now >= deadline) {
      r.timed_out = true;
      kill(pid, SIGKILL);
      break;
    }
    const int wait_ms = static_cast<int>(std::min<uint64_t>((deadline - now) / 1000000 + 1, 1000));
    if (poll(fds, 2, wait_ms) < 0 && errno != EINTR) break;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      char buf[4096];
      const ssize_t n = read(fds[i].fd, buf, sizeof(buf));
      if (n > 0) {
        sinks[i]->append(buf, static_cast<size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      }
    }
  }
  for (pollfd& f : fds)
    if (f.fd >= 0) close(f.fd);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

// The last line of `text` that holds something, at most 400 characters.
std::string last_line(const std::string& text) {
  std::string s = text;
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  const size_t nl = s.rfind('\n');
  if (nl != std::string::npos) s = s.substr(nl + 1);
  return s.size() > 400 ? s.substr(0, 400) + "..." : s;
}

std::string seconds_text(double s) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.0f s", s);
  return buf;
}

}  // namespace

void run_workload(const std::string& selector, bool quick, Channel& out) {
  Json w = Json::object();
  w.set("model", "face_recognition");
  const char* env = std::getenv("AHAL_INFER");
  const std::string tool = env && *env ? env : ahal_tools::executable_dir() + "/ahal-infer";
  w.set("tool", tool);
  Json runs = Json::array(), info = Json::array();
  auto finish = [&](const std::string& status, const std::string& reason) {
    w.set("status", status);
    w.set("reason", reason);
    w.set("runs", runs);
    w.set("info", info);
    out.send("WORKLOAD", w);
  };
  if (access(tool.c_str(), X_OK) != 0) {
    finish("skip", tool +
                       " is not there: the face workload is built only with nlohmann-json3-dev "
                       "and libjpeg62-turbo-dev (scripts/setup.sh), and installed beside "
                       "ahal-conform");
    return;
  }
  // Quick (CI): 2 reference faces checked and 3 timed inferences; else all
  // 20 faces and at least 20 inferences and 2 s of timing. Each run checks
  // and times both ways of submitting (command buffer, streamed).
  const int faces = quick ? 2 : 20;
  const int iterations = quick ? 3 : 20;
  const double limit_s = quick ? 120 : 300;
  auto run_batch = [&](int batch, int iters, double min_seconds, Json* result) -> bool {
    std::vector<std::string> argv = {tool,
                                     "--device",
                                     selector,
                                     "--batch",
                                     std::to_string(batch),
                                     "--faces",
                                     std::to_string(faces),
                                     "--warmup",
                                     "1",
                                     "--iterations",
                                     std::to_string(iters),
                                     "--min-seconds",
                                     std::to_string(min_seconds),
                                     "--json"};
    const uint64_t t0 = now_ns();
    const ToolRun r = run_tool(argv, limit_s);
    const std::string batch_text = "batch " + std::to_string(batch) + ": ";
    if (!r.error.empty()) {
      finish("fail", batch_text + "cannot run " + tool + ": " + r.error);
      return false;
    }
    if (r.timed_out) {
      finish("fail",
             batch_text + "ahal-infer ran past " + seconds_text(limit_s) + " and was killed");
      return false;
    }
    if (r.status == 77) {
      std::string reason = last_line(r.err);
      const size_t at = reason.find("skip: ");
      if (at != std::string::npos) reason = reason.substr(at + 6);
      finish("skip", reason.empty() ? "ahal-infer skipped without a reason" : reason);
      return false;
    }
    std::string error;
    const bool parsed = Json::parse(r.out, result, &error) && result->type() == Json::Type::object;
    if (parsed) {
      Json run = *result;
      run.set("seconds", static_cast<double>(now_ns() - t0) / 1e9);
      runs.push(run);
    }
    if (r.status != 0 || !parsed) {
      std::string why = r.status == 1 && parsed && !(*result)["accurate"].boolean(true)
                            ? "the outputs differ from the PyTorch reference (max relative "
                              "error " +
                                  (*result)["max_rel_err"].dump() + ", tolerance " +
                                  (*result)["tolerance"].dump() + ")"
                            : "ahal-infer exited " + std::to_string(r.status) +
                                  (parsed ? "" : " without a JSON result");
      const std::string said = last_line(r.err);
      finish("fail", batch_text + why + (said.empty() ? "" : ": " + said));
      return false;
    }
    return true;
  };

  Json one;
  if (!run_batch(1, iterations, quick ? 0 : 2, &one)) return;
  // Batch 16 where it stays cheap: its cost estimated from batch 1's
  // latency (check, warm-up and timed inferences, both ways).
  const int big = 16, big_iters = quick ? 3 : 10;
  const double budget_s = quick ? 5 : 60;
  const double p50_s = one["latency_ms"]["p50"].num() / 1e3;
  const double estimate_s = p50_s * big * ((faces + big - 1) / big + 1 + big_iters) * 2;
  if (estimate_s > budget_s) {
    info.push("batch " + std::to_string(big) + " not measured: at batch 1's latency (" +
              format_figure(p50_s * 1e3, "ms") + " per image) it would take about " +
              seconds_text(estimate_s) + ", over the " + seconds_text(budget_s) + " allowed" +
              (quick ? " in quick mode" : ""));
  } else {
    Json sixteen;
    if (!run_batch(big, big_iters, quick ? 0 : 2, &sixteen)) return;
  }
  finish("measured", "");
}

}  // namespace conform
