// ahal-kernelc: running the toolchain (clang, llvm-link, opt, llc, ...),
// finding it, and the scratch folder the steps write into.
#pragma once

#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace kernelc {

// A failure the user should read: ahal-kernelc prints it and exits 1.
struct Error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Every external program ahal-kernelc may run, by role.
struct Tools {
  std::map<std::string, std::string> paths;  // role -> absolute path ("" = not found)
  std::string libclc_dir;                    // holds nvptx64--nvidiacl.bc, amdgcn--amdhsa.bc
  bool verbose = false;

  // Fills unset roles from PATH and the usual LLVM 14 / CUDA folders.
  void discover();
  // The path of `role`, or an Error naming the program and what needs it.
  const std::string& need(const std::string& role, const std::string& why) const;
  bool has(const std::string& role) const;
};

// The programs a role is looked for by, in order.
const std::map<std::string, std::vector<std::string>>& tool_candidates();

struct RunResult {
  int status = 0;
  std::string output;  // stdout and stderr together
};

// Runs argv[0] with the arguments; never throws for a non-zero exit.
RunResult run(const std::vector<std::string>& argv, bool verbose);
// Runs and throws an Error with `what`, the command and its output unless
// it exits 0. Returns the output.
std::string run_or_fail(const std::vector<std::string>& argv, bool verbose,
                        const std::string& what);

// A private folder removed at destruction unless kept.
class ScratchDir {
 public:
  explicit ScratchDir(const std::string& keep_in);
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }
  // A path no other step uses: "<n>-<name>".
  std::string fresh(const std::string& name) const {
    return path_ + "/" + std::to_string(++count_) + "-" + name;
  }

 private:
  std::string path_;
  bool keep_ = false;
  mutable unsigned count_ = 0;
};

std::string read_file(const std::string& path);
void write_file(const std::string& path, const std::string& text);
std::string absolute_path(const std::string& path);
std::string directory_of(const std::string& path);

}  // namespace kernelc
