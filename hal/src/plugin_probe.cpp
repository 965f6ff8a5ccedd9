// AHAL_PLUGIN_PROBE / AHAL_RUNTIME_PROBE_PLUGINS: each plugin is loaded,
// started and stopped in a child process first. The child reports every
// step over a pipe and "done" at the end, so a plugin that ends the child
// itself (exit(0) in plugin_init) is caught as surely as one that crashes.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "host_services.hpp"
#include "internal.hpp"
#include "plugin_loader.hpp"

namespace ahal {
namespace {

constexpr auto kProbeTimeout = std::chrono::seconds(60);
constexpr char kDone[] = "done";

void write_all(int fd, const char* data, size_t size) {
  while (size > 0) {
    const ssize_t n = write(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    data += n;
    size -= size_t(n);
  }
}

[[noreturn]] void run_child(const Plugin& candidate, uint32_t flags, int fd) {
  // A crash must kill the child, whatever handlers the application set.
  for (int sig : {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGSYS, SIGTRAP}) signal(sig, SIG_DFL);
  const ProbeProgress progress(fd);
  Plugin p;
  p.name = candidate.name;
  p.path = candidate.path;
  progress.step("dlopen and " AHAL_PLUGIN_QUERY_SYMBOL);
  if (open_and_check(&p).empty()) {
    Runtime rt;
    rt.flags = flags;
    // A refusal is the parent's to find again; the probe is about surviving.
    if (start_plugin(&rt, &p, "", progress).empty()) {
      progress.step("device_close");
      for (auto& d : rt.devices) close_device(d.get());
      rt.devices.clear();
      progress.step("plugin_shutdown");
      unload_plugin(&p);
    }
  }
  progress.step(kDone);
  _exit(0);
}

// The last step the child named; each step ends in a NUL.
std::string last_step(const std::string& text) {
  size_t end = text.size();
  if (end > 0 && text[end - 1] == '\0') --end;
  const size_t nul = end == 0 ? std::string::npos : text.rfind('\0', end - 1);
  const size_t start = nul == std::string::npos ? 0 : nul + 1;
  return text.substr(start, end - start);
}

void drain(int fd, std::string* text) {
  char buf[512];
  for (;;) {
    const ssize_t n = read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    text->append(buf, size_t(n));
    // Only the last step matters; keep the buffer small.
    if (text->size() > 4096) *text = text->substr(text->size() - 1024);
  }
}

}  // namespace

void ProbeProgress::step(const char* name) const {
  if (fd_ >= 0) write_all(fd_, name, std::strlen(name) + 1);
}

std::string probe_plugin(const Plugin& candidate, uint32_t flags) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0)
    return format("cannot probe in a child process: pipe: %s", std::strerror(errno));
  const pid_t pid = fork();
  if (pid < 0) {
    const int error = errno;
    close(fds[0]);
    close(fds[1]);
    return format("cannot probe in a child process: fork: %s", std::strerror(error));
  }
  if (pid == 0) {
    close(fds[0]);
    run_child(candidate, flags, fds[1]);
  }
  close(fds[1]);
  fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK);
  const auto deadline = std::chrono::steady_clock::now() + kProbeTimeout;
  std::string steps;
  int wstatus = 0;
  bool hung = false;
  for (;;) {
    drain(fds[0], &steps);
    const pid_t done = waitpid(pid, &wstatus, WNOHANG);
    if (done == pid) break;
    if (done < 0) {
      close(fds[0]);
      return format("cannot probe in a child process: waitpid: %s", std::strerror(errno));
    }
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, &wstatus, 0);
      hung = true;
      break;
    }
    pollfd pfd = {fds[0], POLLIN, 0};
    poll(&pfd, 1, 5);
  }
  drain(fds[0], &steps);
  close(fds[0]);
  const std::string step = last_step(steps);
  const std::string in_step = step.empty() ? "" : ", in " + step;
  if (hung)
    return format("hung for %lld s while probing in a child process%s",
                  (long long)kProbeTimeout.count(), in_step.c_str());
  if (WIFSIGNALED(wstatus)) {
    const int sig = WTERMSIG(wstatus);
    return format("crashed while probing in a child process (signal %d, %s)%s", sig, strsignal(sig),
                  in_step.c_str());
  }
  // The child exits 0 itself, after "done"; anything else means the plugin ended it.
  const int code = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1;
  if (code != 0)
    return format("ended the probing child process with exit status %d%s", code, in_step.c_str());
  if (step != kDone)
    return format("ended the probing child process with exit status 0%s, before the probe finished",
                  in_step.c_str());
  return "";
}

}  // namespace ahal
