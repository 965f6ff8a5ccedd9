#include "runner.hpp"

#include "harness.hpp"
#include "host_info.hpp"
#include "reports.hpp"
#include "results.hpp"
#include "sha256.hpp"
#include "worker.hpp"

#include "ahal_tool_support.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fcntl.h>
#include <fnmatch.h>
#include <map>
#include <memory>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

namespace conform {

namespace {

double now_s() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

std::string join(const std::vector<std::string>& v, const char* sep) {
  std::string out;
  for (const std::string& s : v) out += (out.empty() ? "" : sep) + s;
  return out;
}

// ------------------------------------------------------------ progress

class Progress {
 public:
  explicit Progress(int total) : total_(total), tty_(isatty(STDOUT_FILENO)) {}

  void started(const std::string& selector, const std::string& id) {
    current_ = selector + " " + id;
    redraw();
  }
  void finished(const std::string& selector, const TestResult& r) {
    ++done_;
    counts_.add(r.outcome);
    char head[32];
    std::snprintf(head, sizeof(head), "[%*d/%d]", width(), done_, total_);
    if (!tty_) {
      std::printf("%s %-7s %s %s (%.2f s)%s%s\n", head, upper(r.outcome).c_str(), selector.c_str(),
                  r.id.c_str(), r.seconds, r.message.empty() ? "" : ": ",
                  is_failure(r.outcome) || r.outcome == Outcome::skip ? r.message.c_str() : "");
    } else if (is_failure(r.outcome)) {
      std::printf("\r\033[K%s \033[31m%s\033[0m %s %s: %s\n", head, upper(r.outcome).c_str(),
                  selector.c_str(), r.id.c_str(), r.message.c_str());
    }
    redraw();
  }
  void note(const std::string& line) {
    std::printf("%s%s\n", tty_ ? "\r\033[K" : "", line.c_str());
    redraw();
  }
  void finish() {
    if (tty_) std::printf("\r\033[K");
    std::fflush(stdout);
  }

 private:
  static std::string upper(Outcome o) {
    std::string s = outcome_name(o);
    for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
  }
  int width() const { return static_cast<int>(std::to_string(total_).size()); }
  void redraw() {
    if (tty_) {
      std::printf("\r\033[K[%*d/%d] %d pass, %d fail, %d skip | %s", width(), done_, total_,
                  counts_.pass, counts_.failed(), counts_.skip, current_.substr(0, 60).c_str());
    }
    std::fflush(stdout);
  }

  int total_, done_ = 0;
  bool tty_;
  Counts counts_;
  std::string current_;
};

// ------------------------------------------------------------ children

// One piece of work done by child processes of ahal-conform; a task may
// need several children when one crashes (the rest of its tests go on).
class Task {
 public:
  virtual ~Task() = default;
  // Arguments for the next child (after the executable); empty = done.
  virtual std::vector<std::string> next_args() = 0;
  virtual void on_message(const std::string& tag, const Json& payload) = 0;
  // The child ended. `how` is "" for a clean exit, else "crashed (signal
  // 11, SIGSEGV)", "exited with status 3" or "timed out after 30 s";
  // `timed_out` tells the last apart. `output` is the tail of its output.
  virtual void on_exit(const std::string& how, bool timed_out, const std::string& output) = 0;
  double timeout_s = 30;
};

struct Child {
  Task* task = nullptr;
  pid_t pid = -1;
  int fd = -1;      // result pipe
  int output = -1;  // captured stdout/stderr (unlinked temp file)
  std::string pending;
  double last_activity = 0;
  bool timed_out = false;
};

bool spawn(Task* task, const std::vector<std::string>& args, Child* c, std::string* error) {
  static const std::string exe = self_exe();
  int p[2];
  if (pipe2(p, O_CLOEXEC) != 0) {
    *error = std::string("pipe: ") + std::strerror(errno);
    return false;
  }
  char tmpl[] = "/tmp/ahal-conform-XXXXXX";
  int out = mkostemp(tmpl, O_CLOEXEC);
  if (out >= 0) unlink(tmpl);
  int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
  std::vector<std::string> argv_s = {exe};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  argv_s.push_back("--result-fd");
  argv_s.push_back("3");
  std::vector<char*> argv;
  for (std::string& s : argv_s) argv.push_back(s.data());
  argv.push_back(nullptr);
  std::fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    // Only async-signal-safe calls until exec.
    if (devnull >= 0) dup2(devnull, 0);
    if (out >= 0) {
      dup2(out, 1);
      dup2(out, 2);
    }
    dup2(p[1], 3);
    execv(exe.c_str(), argv.data());
    _exit(127);
  }
  close(p[1]);
  if (devnull >= 0) close(devnull);
  if (pid < 0) {
    *error = std::string("fork: ") + std::strerror(errno);
    close(p[0]);
    if (out >= 0) close(out);
    return false;
  }
  fcntl(p[0], F_SETFL, O_NONBLOCK);
  *c = Child{task, pid, p[0], out, "", now_s(), false};
  return true;
}

std::string output_tail(int fd) {
  if (fd < 0) return "";
  off_t size = lseek(fd, 0, SEEK_END);
  if (size <= 0) return "";
  off_t from = std::max<off_t>(0, size - 600);
  std::string s(static_cast<size_t>(size - from), '\0');
  ssize_t n = pread(fd, s.data(), s.size(), from);
  s.resize(n > 0 ? static_cast<size_t>(n) : 0);
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  size_t nl = s.rfind('\n', s.size() > 300 ? s.size() - 300 : 0);
  if (from > 0 || nl != std::string::npos)
    s = "..." + s.substr(nl == std::string::npos ? 0 : nl + 1);
  return s;
}

std::string describe_exit(int status) {
  if (WIFSIGNALED(status)) {
    int sig = WTERMSIG(status);
    const char* name = sigabbrev_np(sig);
    return "crashed (signal " + std::to_string(sig) + (name ? std::string(", SIG") + name : "") +
           ")";
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
    return "exited with status " + std::to_string(WEXITSTATUS(status));
  return "";
}

std::string timeout_text(double s) {
  char buf[48];
  std::snprintf(buf, sizeof(buf), "timed out after %g s", s);
  return buf;
}

// Runs tasks, at most `jobs` children at once, until all are done.
void run_tasks(const std::vector<Task*>& tasks, int jobs) {
  std::vector<Task*> queue(tasks.begin(), tasks.end());
  std::vector<Child> running;
  size_t next = 0;
  auto finish_child = [&](Child& c, int status) {
    std::string how = c.timed_out ? timeout_text(c.task->timeout_s) : describe_exit(status);
    std::string tail = how.empty() ? "" : output_tail(c.output);
    close(c.fd);
    if (c.output >= 0) close(c.output);
    c.task->on_exit(how, c.timed_out, tail);
  };
  for (;;) {
    // Start children: first the tasks that need another child, then new ones.
    while (static_cast<int>(running.size()) < jobs && next < queue.size()) {
      Task* t = queue[next];
      std::vector<std::string> args = t->next_args();
      if (args.empty()) {
        ++next;
        continue;
      }
      Child c;
      std::string error;
      if (!spawn(t, args, &c, &error)) {
        t->on_exit("could not start: " + error, false, "");
        continue;
      }
      running.push_back(c);
      ++next;
    }
    if (running.empty()) break;

    std::vector<pollfd> fds;
    for (const Child& c : running) fds.push_back({c.fd, POLLIN, 0});
    poll(fds.data(), fds.size(), 100);
    double now = now_s();
    for (size_t i = 0; i < running.size(); ++i) {
      Child& c = running[i];
      char buf[65536];
      bool eof = false;
      for (;;) {
        ssize_t n = read(c.fd, buf, sizeof(buf));
        if (n > 0) {
          c.pending.append(buf, static_cast<size_t>(n));
          continue;
        }
        if (n == 0) eof = true;
        if (n < 0 && errno == EINTR) continue;
        break;
      }
      size_t nl;
      while ((nl = c.pending.find('\n')) != std::string::npos) {
        std::string line = c.pending.substr(0, nl);
        c.pending.erase(0, nl + 1);
        std::string tag;
        Json payload;
        if (!parse_message(line, &tag, &payload)) continue;
        c.last_activity = now;
        c.task->on_message(tag, payload);
      }
      if (!eof && !c.timed_out && now - c.last_activity > c.task->timeout_s) {
        c.timed_out = true;
        kill(c.pid, SIGKILL);
      }
      if (eof) {
        int status = 0;
        while (waitpid(c.pid, &status, 0) < 0 && errno == EINTR) {
        }
        finish_child(c, status);
        Task* t = c.task;
        running.erase(running.begin() + static_cast<long>(i));
        --i;
        // A task whose child died goes on with a new child, ahead of the queue.
        queue.insert(queue.begin() + static_cast<long>(next), t);
      }
    }
  }
}

// ------------------------------------------------------------ tasks

struct DeviceRun {
  DeviceReport report;
  std::map<std::string, TestResult> results;
  std::vector<std::string> info;  // characterization remarks
};

class GroupTask : public Task {
 public:
  GroupTask(DeviceRun* dev, std::vector<const TestCase*> tests, const Options& o, Progress* p,
            bool mpi = false)
      : dev_(dev), remaining_(std::move(tests)), options_(o), progress_(p), mpi_(mpi) {
    // Under mpirun a test waits for the other rank too.
    timeout_s = mpi ? std::max(o.timeout_s, 120.0) : o.timeout_s;
  }

  std::vector<std::string> next_args() override {
    if (remaining_.empty()) return {};
    std::vector<std::string> ids;
    for (const TestCase* t : remaining_) ids.push_back(t->id);
    started_any_ = false;
    std::vector<std::string> a = {mpi_ ? "--run-mpi-group" : "--run-group", "--device", selector(),
                                  "--tests", join(ids, ",")};
    if (options_.quick) a.push_back("--quick");
    return a;
  }

  void on_message(const std::string& tag, const Json& p) override {
    if (tag == "START") {
      current_ = p["id"].str();
      started_any_ = true;
      current_start_ = now_s();
      progress_->started(selector(), current_);
    } else if (tag == "RESULT") {
      TestResult r;
      if (!from_json(p, &r)) return;
      record(r);
      current_.clear();
    } else if (tag == "SETUP_FAIL") {
      fail_remaining(Outcome::fail, "could not open the device: " + p["message"].str());
    }
  }

  void on_exit(const std::string& how, bool timed_out, const std::string& output) override {
    Outcome o = timed_out ? Outcome::timeout : Outcome::crash;
    const std::string what = how.empty() ? "ended early (exit status 0)" : how;
    const std::string tail = output.empty() ? "" : "; its last output: " + output;
    if (!current_.empty()) {
      TestResult r = make(find(current_), o, what + tail);
      r.seconds = now_s() - current_start_;
      record(r);
      current_.clear();
    } else if (!remaining_.empty()) {
      fail_remaining(o,
                     what + (started_any_ ? " between tests" : " while opening the device") + tail);
    } else if (!how.empty()) {
      // Every test has its result; the process failed tearing down.
      dev_->report.notes.push_back("the test process " + how +
                                   " while shutting down after its last test" + tail);
    }
  }

 private:
  const std::string& selector() const { return dev_->report.identity["selector"].str(); }
  const TestCase* find(const std::string& id) const {
    for (const TestCase* t : remaining_)
      if (t->id == id) return t;
    return find_test(id);
  }
  static TestResult make(const TestCase* t, Outcome o, const std::string& message) {
    TestResult r;
    r.id = t->id;
    r.outcome = o;
    r.message = message;
    return r;
  }
  void record(TestResult r) {
    const TestCase* t = find(r.id);
    if (!t) return;
    r.category = t->category;
    r.profile = profile_name(t->profile);
    r.features = feature_names(t->features);
    remaining_.erase(std::remove(remaining_.begin(), remaining_.end(), t), remaining_.end());
    progress_->finished(selector(), r);
    dev_->results[r.id] = r;
  }
  void fail_remaining(Outcome o, const std::string& message) {
    std::vector<const TestCase*> left = remaining_;
    for (const TestCase* t : left) record(make(t, o, message));
  }

  DeviceRun* dev_;
  std::vector<const TestCase*> remaining_;
  const Options& options_;
  Progress* progress_;
  std::string current_;
  double current_start_ = 0;
  bool started_any_ = false;
  bool mpi_ = false;  // the collectives category: under mpirun (ccl_launch.cpp)
};

class CharacterizeTask : public Task {
 public:
  CharacterizeTask(DeviceRun* dev, const Options& o, Progress* p)
      : dev_(dev), options_(o), progress_(p) {
    timeout_s = std::max(o.timeout_s, 300.0);
  }
  std::vector<std::string> next_args() override {
    if (spawned_) return {};
    spawned_ = true;
    std::vector<std::string> a = {"--run-characterize", "--device",
                                  dev_->report.identity["selector"].str(), "--max-size",
                                  std::to_string(options_.max_size)};
    if (options_.quick) a.push_back("--quick");
    if (!options_.characterize_steps.empty()) {
      a.push_back("--steps");
      a.push_back(join(options_.characterize_steps, ","));
    }
    return a;
  }
  void on_message(const std::string& tag, const Json& p) override {
    const std::string sel = dev_->report.identity["selector"].str();
    if (tag == "START") {
      step_ = p["id"].str();
      progress_->note("characterizing " + sel + ": " + step_.substr(step_.find('.') + 1));
    } else if (tag == "FIGURE") {
      Figure f = figure_from_json(p);
      progress_->note(
          "  " + f.title + ": " + format_figure(f.value, f.unit) +
          (f.runs > 1
               ? " (median of " + std::to_string(f.runs) + ", " + format_figure(f.min, f.unit) +
                     " to " + format_figure(f.max, f.unit) + ")"
               : "") +
          (f.peak > 0 ? ", " + format_figure(100 * f.value / f.peak, "% of peak") : ""));
      dev_->report.figures.push_back(f);
    } else if (tag == "CURVE") {
      dev_->report.curves.push_back(curve_from_json(p));
    } else if (tag == "NOTE") {
      progress_->note("  " + p["message"].str());
      dev_->report.notes.push_back(p["message"].str());
    } else if (tag == "INFO") {
      progress_->note("  " + p["message"].str());
      dev_->info.push_back(p["message"].str());
    } else if (tag == "WORKLOAD") {
      dev_->report.workload = p;
      const std::string status = p["status"].str();
      progress_->note("  workload " + p["model"].str() + ": " + status +
                      (p["reason"].str().empty() ? "" : ": " + p["reason"].str()));
      for (const Json& run : p["runs"].items()) {
        char line[256];
        std::snprintf(line, sizeof(line),
                      "    batch %.0f: %.1f images/s (streamed %.1f), p50 %.2f ms, max relative "
                      "error %.2g",
                      run["batch"].num(), run["throughput"].num(),
                      run["streamed"]["throughput"].num(), run["latency_ms"]["p50"].num(),
                      run["max_rel_err"].num(-1));
        progress_->note(line);
      }
      // Wrong outputs, a crash or a hang of a real network fail the device.
      if (status == "fail")
        dev_->report.notes.push_back("workload " + p["model"].str() + ": " + p["reason"].str());
    } else if (tag == "LOAD") {
      dev_->report.other_cpu_share = p["other_cpu_share"].num(-1);
      dev_->report.load_average = p["load_average"].num(-1);
    } else if (tag == "DONE") {
      done_ = true;
    }
  }
  void on_exit(const std::string& how, bool, const std::string& output) override {
    if (how.empty() && done_) return;
    std::string what = how.empty() ? "ended early" : how;
    dev_->report.notes.push_back("characterization " + what + " during " + step_ +
                                 (output.empty() ? "" : "; its last output: " + output));
    progress_->note(dev_->report.notes.back());
  }

 private:
  DeviceRun* dev_;
  const Options& options_;
  Progress* progress_;
  bool spawned_ = false, done_ = false;
  std::string step_ = "start-up";
};

class ProbeTask : public Task {
 public:
  explicit ProbeTask(const std::vector<std::string>& selectors) : selectors_(selectors) {
    timeout_s = 60;
  }
  std::vector<std::string> next_args() override {
    if (spawned_) return {};
    spawned_ = true;
    std::vector<std::string> a = {"--run-probe"};
    for (const std::string& s : selectors_) {
      a.push_back("--device");
      a.push_back(s);
    }
    return a;
  }
  void on_message(const std::string& tag, const Json& p) override {
    if (tag == "PLUGIN") plugins.push(p);
    if (tag == "DEVICE") devices.push_back(p);
    if (tag == "MISSING") missing.push_back(p["message"].str());
    if (tag == "ERROR") errors.push_back(p["message"].str());
    if (tag == "SEARCH_PATH") search_path = p["search_path"].str();
    if (tag == "DONE") done = true;
  }
  void on_exit(const std::string& how, bool, const std::string& output) override {
    if (!how.empty())
      errors.push_back("listing the devices " + how +
                       (output.empty() ? "" : "; its last output: " + output));
  }

  Json plugins = Json::array();
  std::vector<Json> devices;
  std::vector<std::string> missing, errors;
  std::string search_path;
  bool done = false;

 private:
  std::vector<std::string> selectors_;
  bool spawned_ = false;
};

// ------------------------------------------------------------ selection

std::vector<const TestCase*> select_tests(const Options& o) {
  std::vector<const TestCase*> out;
  for (const TestCase& t : all_tests()) {
    if (o.profile == "core" && t.profile != Profile::core) continue;
    bool match = o.filters.empty();
    for (const std::string& f : o.filters) match |= fnmatch(f.c_str(), t.id.c_str(), 0) == 0;
    if (match) out.push_back(&t);
  }
  return out;
}

std::string iso_time_now() {
  std::time_t t = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return buf;
}

std::string version_string(uint32_t v) {
  return std::to_string(AHAL_VERSION_MAJOR(v)) + "." + std::to_string(AHAL_VERSION_MINOR(v)) + "." +
         std::to_string(AHAL_VERSION_PATCH(v));
}

Json identity_of(const Json& device) {
  const Json& p = device["properties"];
  Json id = Json::object();
  for (const char* key :
       {"selector", "name", "vendor", "driver_version", "uuid", "type", "arch", "plugin"})
    id.set(key, p[key]);
  std::string path = device["plugin_path"].str();
  id.set("plugin_file", path);
  id.set("plugin_sha256", path.empty() ? "" : ahal::sha256_file(path));
  return id;
}

void print_summary(const Report& r) {
  std::printf("\n%-16s %-36s %6s %6s %6s %6s %7s  %s\n", "device", "name", "pass", "fail", "skip",
              "crash", "timeout", "verdict");
  for (const DeviceReport& d : r.devices) {
    Counts c = d.counts();
    std::string name = d.identity["name"].str().substr(0, 36);
    std::printf("%-16s %-36s %6d %6d %6d %6d %7d  %s\n", d.selector().c_str(), name.c_str(), c.pass,
                c.fail, c.skip, c.crash, c.timeout, d.passed() ? "PASS" : "FAIL");
  }
  for (const DeviceReport& d : r.devices) {
    for (const TestResult& t : d.tests)
      if (is_failure(t.outcome))
        std::printf("  %s %s %s: %s\n", d.selector().c_str(), outcome_name(t.outcome), t.id.c_str(),
                    t.message.c_str());
    for (const std::string& n : d.notes)
      std::printf("  %s note: %s\n", d.selector().c_str(), n.c_str());
  }
  std::printf("\nverdict: %s (profile %s%s)\n", r.passed() ? "PASS" : "FAIL", r.profile.c_str(),
              r.quick ? ", --quick" : "");
}

}  // namespace

int run(const Options& o) {
  std::vector<const TestCase*> tests = select_tests(o);
  if (o.list) {
    for (const TestCase* t : tests)
      std::printf("%-44s %-5s %s\n", t->id.c_str(), profile_name(t->profile),
                  feature_names(t->features).c_str());
    return kExitPass;
  }
  if (tests.empty() && !o.characterize) {
    std::fprintf(stderr, "ahal-conform: no test matches the filter and profile\n");
    return kExitUsage;
  }

  ProbeTask probe(o.devices);
  run_tasks({&probe}, 1);
  for (const std::string& e : probe.errors) std::fprintf(stderr, "ahal-conform: %s\n", e.c_str());
  if (!probe.done) return kExitUsage;
  for (const std::string& m : probe.missing)
    std::fprintf(stderr, "ahal-conform: %s%s\n", m.c_str(),
                 o.skip_missing ? " (skipped: --skip-missing)" : "");
  if (!probe.missing.empty() && !o.skip_missing) return kExitUsage;
  if (!probe.missing.empty() && probe.devices.empty()) return kExitSkipped;
  if (probe.devices.empty()) {
    std::fprintf(stderr, "ahal-conform: no device to test. Plugins searched in %s:\n",
                 probe.search_path.c_str());
    for (const Json& p : probe.plugins.items())
      std::fprintf(stderr, "  %s (%s): %s, %u device(s)%s%s\n", p["name"].str().c_str(),
                   p["path"].str().c_str(), p["state"].str().c_str(),
                   static_cast<unsigned>(p["device_count"].num()),
                   p["reason"].str().empty() ? "" : ": ", p["reason"].str().c_str());
    return o.skip_missing ? kExitSkipped : kExitUsage;
  }

  Report report;
  report.tool_version = AHAL_CONFORM_VERSION;
  report.ahal_version = version_string(ahal_get_version());
  report.profile = o.profile;
  report.filter = join(o.filters, ",");
  report.quick = o.quick;
  report.started = iso_time_now();
  report.host = host_info();
  report.plugins = probe.plugins;

  std::vector<std::unique_ptr<DeviceRun>> runs;
  for (const Json& d : probe.devices) {
    auto run = std::make_unique<DeviceRun>();
    run->report.identity = identity_of(d);
    run->report.properties = d["properties"];
    runs.push_back(std::move(run));
  }
  std::printf("ahal-conform %s, libahal %s, profile %s%s: %zu tests on %zu device(s)\n",
              report.tool_version.c_str(), report.ahal_version.c_str(), o.profile.c_str(),
              o.quick ? " (--quick)" : "", tests.size(), runs.size());
  for (const auto& r : runs)
    std::printf("  %s: %s (%s, %s)\n", r->report.selector().c_str(),
                r->report.identity["name"].str().c_str(),
                r->report.identity["vendor"].str().c_str(),
                r->report.identity["plugin_file"].str().c_str());

  // Not tested, and why: the report's first section says the same.
  for (const Untested& u : untested_plugins(report))
    std::printf("  not tested: plugin %s (%s) %s: %s\n", u.plugin.c_str(), u.path.c_str(),
                u.state == "refused" ? "was refused" : "gave no device", u.reason.c_str());

  Progress progress(static_cast<int>(tests.size() * runs.size()));
  std::vector<std::unique_ptr<Task>> owned;
  std::vector<Task*> group_tasks;
  for (const auto& r : runs)
    for (const std::string& category : categories()) {
      std::vector<const TestCase*> group;
      for (const TestCase* t : tests)
        if (t->category == category) group.push_back(t);
      if (group.empty()) continue;
      owned.push_back(
          std::make_unique<GroupTask>(r.get(), group, o, &progress, category == "collectives"));
      group_tasks.push_back(owned.back().get());
    }
  run_tasks(group_tasks, std::max(1, o.jobs));
  // Measurements run alone, one device at a time, so nothing disturbs them.
  if (o.characterize)
    for (const auto& r : runs) {
      CharacterizeTask task(r.get(), o, &progress);
      run_tasks({&task}, 1);
    }
  progress.finish();

  for (const auto& r : runs) {
    for (const TestCase* t : tests) {
      auto it = r->results.find(t->id);
      if (it != r->results.end()) r->report.tests.push_back(it->second);
    }
    r->report.characterization_info = r->info;
    report.devices.push_back(r->report);
  }
  print_summary(report);

  bool written = true;
  auto write = [&](const std::string& path, const std::string& text, const char* what) {
    if (path.empty()) return;
    FILE* f = std::fopen(path.c_str(), "w");
    if (!f || std::fwrite(text.data(), 1, text.size(), f) != text.size()) {
      std::fprintf(stderr, "ahal-conform: cannot write the %s report to %s\n", what, path.c_str());
      written = false;
    } else {
      std::printf("%s report: %s\n", what, path.c_str());
    }
    if (f) std::fclose(f);
  };
  write(o.json, to_json(report).dump(2) + "\n", "JSON");
  write(o.junit, junit_report(report), "JUnit");
  write(o.html, html_report(report), "HTML");
  if (!written) return kExitUsage;
  return report.passed() ? kExitPass : kExitFail;
}

}  // namespace conform
