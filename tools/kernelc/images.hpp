// ahal-kernelc: one OpenCL C source made into each image format
// (docs/kernels.md). Each builder validates what it made and returns the
// image file's path, or throws an Error.
#pragma once

#include "metadata.hpp"
#include "process.hpp"

#include <memory>
#include <string>
#include <vector>

namespace kernelc {

// opencl-c: the source with its local #includes inlined (#line keeps the
// device compiler's messages pointing at the real files) and the -D
// definitions in front.
std::string opencl_c_text(const Source& s);

// spirv-opencl: clang for spir64, llvm-spirv, checked by spirv-val.
std::string build_spirv(const Source& s, const Tools& tools, const ScratchDir& dir);

// ptx for one sm_XX: clang for nvptx64 with libclc's nvptx64--nvidiacl.bc,
// llc at the lowest PTX ISA the arch allows; every kernel must be an
// .entry with the ahal parameters, and ptxas (when installed) must take it.
std::string build_ptx(const Source& s, const std::vector<KernelInfo>& kernels,
                      const std::string& arch, const Tools& tools, const ScratchDir& dir);

// hsaco for one gfx target: clang for amdgcn-amd-amdhsa with libclc's
// amdgcn--amdhsa.bc, linked by ld.lld; llvm-readelf must show each kernel
// with the ahal arguments.
std::string build_hsaco(const Source& s, const std::vector<KernelInfo>& kernels,
                        const std::string& arch, const Tools& tools, const ScratchDir& dir);

// cpu-so: the OpenCL C compiled for this host (cpu_so.cpp).
struct CpuVariant {
  std::string name;  // "x86-64-v3", given to -march (empty: the compiler's default)
  std::vector<std::string> cpu_features;  // __builtin_cpu_supports names it needs
};
std::vector<CpuVariant> default_cpu_variants();
CpuVariant parse_cpu_variant(const std::string& name);
class CpuBuild;
// Builds cpu-so images; the runtime is compiled once per variant and
// shared by every source of the run.
class CpuSoBuilder {
 public:
  CpuSoBuilder(const Tools& tools, const ScratchDir& dir, std::vector<CpuVariant> variants);
  ~CpuSoBuilder();
  CpuSoBuilder(const CpuSoBuilder&) = delete;
  CpuSoBuilder& operator=(const CpuSoBuilder&) = delete;
  std::string build(const Source& s, const std::vector<KernelInfo>& kernels);

 private:
  const Tools& tools_;
  const ScratchDir& dir_;
  std::vector<CpuVariant> variants_;
  std::unique_ptr<CpuBuild> impl_;
};

// The device wrappers: for each kernel that takes dynamic shared memory
// as a __local pointer, an entry of the same name without that argument
// that hands the launch's dynamic shared memory to the user's kernel
// (CUDA and HIP pass it as extern shared memory). Empty when no kernel
// needs one.
std::string dynamic_shared_wrappers(const Source& s, const std::vector<KernelInfo>& kernels);

}  // namespace kernelc
