// ahal-kernelc: an OpenCL C source and the ahal metadata of its kernels,
// read from the source itself (clang's LLVM IR for spir64 with
// -cl-kernel-arg-info, and a sizeof probe for the constants).
#pragma once

#include "process.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace kernelc {

// One .cl file and how to compile it.
struct Source {
  std::string path;                   // absolute
  std::vector<std::string> includes;  // -I folders, the source's own first
  std::vector<std::string> defines;   // NAME or NAME=VALUE
  std::string cl_std = "CL1.2";
};

// clang's language flags for `s` (without target and output).
std::vector<std::string> language_flags(const Source& s);

enum class ArgKind { kBinding, kConstants, kDynamicShared };

struct KernelArg {
  ArgKind kind = ArgKind::kBinding;
  unsigned address_space = 0;  // OpenCL's: 0 private, 1 global, 2 constant, 3 local
  std::string type;            // as clang prints it: "float*", "stream_constants"
  std::string name;
};

struct KernelInfo {
  std::string name;
  std::vector<KernelArg> args;
  uint32_t bindings = 0;
  uint32_t constants_size = 0;  // 0 = no by-value argument
  std::string constants_type;   // the by-value argument's type
  bool dynamic_shared = false;  // ends with a __local pointer
  bool uses_barrier = false;    // barrier() is reachable from it
};

// The kernels `s` defines, in source order. Throws an Error naming the
// kernel and argument when a signature does not fit docs/kernels.md.
std::vector<KernelInfo> read_kernels(const Source& s, const Tools& tools, const ScratchDir& dir);

// "kernel <name> bindings=<n> constants=<bytes> [dynamic_shared]".
std::string manifest_line(const KernelInfo& k);

}  // namespace kernelc
