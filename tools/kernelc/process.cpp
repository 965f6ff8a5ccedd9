#include "process.hpp"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace kernelc {

namespace fs = std::filesystem;

const std::map<std::string, std::vector<std::string>>& tool_candidates() {
  static const std::map<std::string, std::vector<std::string>> kTools = {
      {"clang", {"clang-14"}},      {"llvm-link", {"llvm-link-14"}},
      {"opt", {"opt-14"}},          {"llc", {"llc-14"}},
      {"ld.lld", {"ld.lld-14"}},    {"llvm-readelf", {"llvm-readelf-14"}},
      {"llvm-nm", {"llvm-nm-14"}},  {"llvm-spirv", {"llvm-spirv-14"}},
      {"spirv-val", {"spirv-val"}}, {"ptxas", {"ptxas"}},
  };
  return kTools;
}

namespace {

std::string find_in(const std::string& name, const std::vector<std::string>& dirs) {
  for (const std::string& dir : dirs) {
    const std::string path = dir + "/" + name;
    if (::access(path.c_str(), X_OK) == 0) return path;
  }
  return "";
}

std::vector<std::string> search_dirs() {
  std::vector<std::string> dirs;
  if (const char* path = std::getenv("PATH")) {
    std::stringstream in(path);
    std::string dir;
    while (std::getline(in, dir, ':'))
      if (!dir.empty()) dirs.push_back(dir);
  }
  // Debian's LLVM 14 and the CUDA toolkit's usual homes.
  dirs.push_back("/usr/lib/llvm-14/bin");
  dirs.push_back("/usr/local/cuda/bin");
  return dirs;
}

}  // namespace

void Tools::discover() {
  const std::vector<std::string> dirs = search_dirs();
  for (const auto& [role, names] : tool_candidates()) {
    if (paths.count(role)) continue;
    std::string found;
    for (const std::string& name : names) {
      found = find_in(name, dirs);
      if (!found.empty()) break;
    }
    paths[role] = found;
  }
  if (libclc_dir.empty()) libclc_dir = "/usr/lib/clc";
}

bool Tools::has(const std::string& role) const {
  auto it = paths.find(role);
  return it != paths.end() && !it->second.empty();
}

const std::string& Tools::need(const std::string& role, const std::string& why) const {
  auto it = paths.find(role);
  if (it == paths.end() || it->second.empty()) {
    std::string names;
    auto c = tool_candidates().find(role);
    if (c != tool_candidates().end())
      for (const std::string& n : c->second) names += (names.empty() ? "" : " or ") + n;
    throw Error(why + " needs " + (names.empty() ? role : names) +
                ", which is not installed (or pass --tool " + role + "=PATH)");
  }
  return it->second;
}

RunResult run(const std::vector<std::string>& argv, bool verbose) {
  if (verbose) {
    std::string line;
    for (const std::string& a : argv) line += (line.empty() ? "" : " ") + a;
    std::fprintf(stderr, "ahal-kernelc: %s\n", line.c_str());
  }
  char tmpl[] = "/tmp/ahal-kernelc-out-XXXXXX";
  const int out_fd = ::mkstemp(tmpl);
  if (out_fd < 0)
    throw Error(std::string("cannot create a temporary file: ") + std::strerror(errno));
  ::unlink(tmpl);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out_fd, 1);
  posix_spawn_file_actions_adddup2(&actions, out_fd, 2);
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  RunResult result;
  if (rc != 0) {
    ::close(out_fd);
    result.status = 127;
    result.output = "cannot run " + argv[0] + ": " + std::strerror(rc);
    return result;
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  result.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  ::lseek(out_fd, 0, SEEK_SET);
  char buf[4096];
  ssize_t n;
  while ((n = ::read(out_fd, buf, sizeof(buf))) > 0) result.output.append(buf, size_t(n));
  ::close(out_fd);
  return result;
}

std::string run_or_fail(const std::vector<std::string>& argv, bool verbose,
                        const std::string& what) {
  RunResult r = run(argv, verbose);
  if (r.status != 0) {
    std::string line;
    for (const std::string& a : argv) line += (line.empty() ? "" : " ") + a;
    std::string output = r.output;
    while (!output.empty() && output.back() == '\n') output.pop_back();
    throw Error(what + " failed (exit " + std::to_string(r.status) + "):\n" + output +
                "\ncommand: " + line);
  }
  return r.output;
}

ScratchDir::ScratchDir(const std::string& keep_in) {
  if (!keep_in.empty()) {
    fs::create_directories(keep_in);
    path_ = absolute_path(keep_in);
    keep_ = true;
    return;
  }
  const char* tmp = std::getenv("TMPDIR");
  std::string tmpl = std::string(tmp && *tmp ? tmp : "/tmp") + "/ahal-kernelc-XXXXXX";
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  if (!::mkdtemp(buf.data()))
    throw Error("cannot create a scratch folder " + tmpl + ": " + std::strerror(errno));
  path_ = buf.data();
}

ScratchDir::~ScratchDir() {
  if (keep_) return;
  std::error_code ec;
  fs::remove_all(path_, ec);
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error("cannot read " + path + ": " + std::strerror(errno));
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out) throw Error("cannot write " + path + ": " + std::strerror(errno));
}

std::string absolute_path(const std::string& path) {
  std::error_code ec;
  fs::path p = fs::absolute(path, ec);
  return ec ? path : p.lexically_normal().string();
}

std::string directory_of(const std::string& path) {
  fs::path p(absolute_path(path));
  return p.parent_path().string();
}

}  // namespace kernelc
