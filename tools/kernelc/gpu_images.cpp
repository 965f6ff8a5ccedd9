// opencl-c, spirv-opencl, ptx and hsaco images.
#include "images.hpp"

#include <filesystem>
#include <map>
#include <set>
#include <sstream>

namespace kernelc {

namespace {

std::string quote_path(const std::string& p) {
  std::string out;
  for (char c : p) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

void inline_file(const std::string& path, const std::vector<std::string>& dirs, int depth,
                 std::set<std::string>* once, std::string* out) {
  if (depth > 32) throw Error(path + ": #include nested too deep");
  const std::string text = read_file(path);
  if (text.find("#pragma once") != std::string::npos && !once->insert(path).second) return;
  std::istringstream in(text);
  std::string line;
  int number = 0;
  *out += "#line 1 \"" + quote_path(path) + "\"\n";
  while (std::getline(in, line)) {
    ++number;
    size_t p = line.find_first_not_of(" \t");
    if (p != std::string::npos && line[p] == '#') {
      size_t q = line.find_first_not_of(" \t", p + 1);
      if (q != std::string::npos && line.compare(q, 7, "include") == 0) {
        size_t open = line.find_first_of("\"<", q + 7);
        size_t close = open == std::string::npos
                           ? std::string::npos
                           : line.find(line[open] == '"' ? '"' : '>', open + 1);
        if (open == std::string::npos || close == std::string::npos)
          throw Error(path + ":" + std::to_string(number) + ": cannot read this #include");
        const std::string name = line.substr(open + 1, close - open - 1);
        std::vector<std::string> search;
        if (line[open] == '"') search.push_back(directory_of(path));
        search.insert(search.end(), dirs.begin(), dirs.end());
        std::string found;
        for (const std::string& d : search) {
          if (std::filesystem::exists(d + "/" + name)) {
            found = absolute_path(d + "/" + name);
            break;
          }
        }
        if (found.empty())
          throw Error(path + ":" + std::to_string(number) + ": #include \"" + name +
                      "\" not found (the opencl-c image must be self-contained; give -I)");
        inline_file(found, dirs, depth + 1, once, out);
        *out += "#line " + std::to_string(number + 1) + " \"" + quote_path(path) + "\"\n";
        continue;
      }
    }
    *out += line + "\n";
  }
}

// Lowest PTX ISA each target allows (PTX ISA release notes), as the
// hand-written images use (kernels/cuda/build_ptx.cmake).
const std::map<std::string, std::string>& ptx_isa() {
  static const std::map<std::string, std::string> kIsa = {
      {"sm_70", "ptx60"}, {"sm_72", "ptx61"}, {"sm_75", "ptx63"},
      {"sm_80", "ptx70"}, {"sm_86", "ptx71"}, {"sm_87", "ptx74"},
  };
  return kIsa;
}

// Bitcode of `s` (plus the wrappers) for a GPU target, linked with libclc
// and the dynamic-shared helper, optimized with only the kernels exported.
std::string gpu_bitcode(const Source& s, const std::vector<KernelInfo>& kernels,
                        const std::string& triple, const std::string& cpu,
                        const std::string& libclc, const std::string& helper_ir, const Tools& tools,
                        const ScratchDir& dir, const std::string& what) {
  std::string input = s.path;
  const std::string wrappers = dynamic_shared_wrappers(s, kernels);
  if (!wrappers.empty()) {
    input = dir.fresh("wrapped.cl");
    write_file(input, wrappers);
  }
  const std::string clang = tools.need("clang", what);
  const std::string bc = dir.fresh("device.bc");
  std::vector<std::string> argv = {clang};
  for (const std::string& f : language_flags(s)) argv.push_back(f);
  argv.insert(argv.end(), {"-target", triple, "-mcpu=" + cpu, "-nogpulib", "-O2", "-Xclang",
                           "-disable-llvm-passes", "-emit-llvm", "-c", input, "-o", bc});
  run_or_fail(argv, tools.verbose, what + ": clang");
  const std::string helper = dir.fresh("helper.ll");
  write_file(helper, helper_ir);
  const std::string linked = dir.fresh("linked.bc");
  if (!std::filesystem::exists(libclc))
    throw Error(what + " needs libclc's " + libclc + " (Debian package libclc-14)");
  run_or_fail({tools.need("llvm-link", what), bc, helper, "--only-needed", libclc, "-o", linked},
              tools.verbose, what + ": llvm-link");
  std::string exports;
  for (const KernelInfo& k : kernels) exports += (exports.empty() ? "" : ",") + k.name;
  const std::string optimized = dir.fresh("optimized.bc");
  run_or_fail({tools.need("opt", what), "-passes=internalize,default<O3>",
               "-internalize-public-api-list=" + exports, linked, "-o", optimized},
              tools.verbose, what + ": opt");
  return optimized;
}

// Counts the comma-separated parameters of ".entry name(...)" in PTX; -1
// when there is no such entry.
int ptx_entry_params(const std::string& ptx, const std::string& name) {
  const std::string key = ".entry " + name + "(";
  size_t at = ptx.find(key);
  if (at == std::string::npos) return -1;
  const size_t close = ptx.find(')', at);
  int params = 0;
  for (size_t p = ptx.find(".param", at); p != std::string::npos && p < close;
       p = ptx.find(".param", p + 1))
    ++params;
  return params;
}

}  // namespace

std::string opencl_c_text(const Source& s) {
  std::string out;
  for (const std::string& d : s.defines) {
    const size_t eq = d.find('=');
    out += "#define " +
           (eq == std::string::npos ? d + " 1" : d.substr(0, eq) + " " + d.substr(eq + 1)) + "\n";
  }
  std::set<std::string> once;
  inline_file(s.path, s.includes, 0, &once, &out);
  return out;
}

std::string dynamic_shared_wrappers(const Source& s, const std::vector<KernelInfo>& kernels) {
  std::string head, tail;
  for (const KernelInfo& k : kernels) {
    if (!k.dynamic_shared) continue;
    head += "#define " + k.name + " __ahal_user_" + k.name + "\n";
    tail += "#undef " + k.name + "\n";
  }
  if (head.empty()) return "";
  std::string out = head + "#include \"" + quote_path(s.path) + "\"\n" + tail;
  out += "__local uchar* __ahal_dynamic_shared(void);\n";
  for (const KernelInfo& k : kernels) {
    if (!k.dynamic_shared) continue;
    std::string params, call;
    for (size_t i = 0; i < k.args.size(); ++i) {
      const KernelArg& a = k.args[i];
      const std::string name = "a" + std::to_string(i);
      if (!call.empty()) call += ", ";
      if (a.kind == ArgKind::kDynamicShared) {
        call += "(__local void*)__ahal_dynamic_shared()";
        continue;
      }
      if (!params.empty()) params += ", ";
      if (a.kind == ArgKind::kBinding)
        params += std::string(a.address_space == 2 ? "__constant" : "__global") + " void* " + name;
      else
        params += a.type + " " + name;
      call += name;
    }
    out += "__kernel void " + k.name + "(" + params + ") { __ahal_user_" + k.name + "(" + call +
           "); }\n";
  }
  return out;
}

std::string build_spirv(const Source& s, const Tools& tools, const ScratchDir& dir) {
  const std::string what = "spirv-opencl image of " + s.path;
  const std::string bc = dir.fresh("spirv.bc");
  std::vector<std::string> argv = {tools.need("clang", what)};
  for (const std::string& f : language_flags(s)) argv.push_back(f);
  argv.insert(argv.end(), {"-target", "spir64", "-O2", "-emit-llvm", "-c", s.path, "-o", bc});
  run_or_fail(argv, tools.verbose, what + ": clang");
  const std::string spv = dir.fresh("image.spv");
  // SPIR-V 1.0: every OpenCL 2.1+/3.0 driver and Level Zero take it.
  run_or_fail({tools.need("llvm-spirv", what), "--spirv-max-version=1.0", bc, "-o", spv},
              tools.verbose, what + ": llvm-spirv");
  run_or_fail({tools.need("spirv-val", what), "--target-env", "opencl1.2", spv}, tools.verbose,
              what + ": spirv-val");
  return spv;
}

std::string build_ptx(const Source& s, const std::vector<KernelInfo>& kernels,
                      const std::string& arch, const Tools& tools, const ScratchDir& dir) {
  const std::string what = "ptx image (" + arch + ") of " + s.path;
  auto isa = ptx_isa().find(arch);
  if (isa == ptx_isa().end()) {
    std::string known;
    for (const auto& [a, v] : ptx_isa()) known += " " + a;
    throw Error(what + ": LLVM 14 cannot target " + arch + "; use one of" + known);
  }
  static const char kHelper[] =
      "target triple = \"nvptx64-nvidia-cuda\"\n"
      "@__ahal_dynamic_shared_bytes = external addrspace(3) global [0 x i8], align 16\n"
      "define i8 addrspace(3)* @__ahal_dynamic_shared() alwaysinline {\n"
      "  ret i8 addrspace(3)* getelementptr ([0 x i8], [0 x i8] addrspace(3)* "
      "@__ahal_dynamic_shared_bytes, i64 0, i64 0)\n"
      "}\n";
  const std::string bc =
      gpu_bitcode(s, kernels, "nvptx64-nvidia-cuda", arch,
                  tools.libclc_dir + "/nvptx64--nvidiacl.bc", kHelper, tools, dir, what);
  const std::string ptx = dir.fresh(arch + ".ptx");
  run_or_fail(
      {tools.need("llc", what), "-O3", "-mcpu=" + arch, "-mattr=+" + isa->second, bc, "-o", ptx},
      tools.verbose, what + ": llc");
  const std::string text = read_file(ptx);
  for (const KernelInfo& k : kernels) {
    const int want = static_cast<int>(k.bindings) + (k.constants_size ? 1 : 0);
    const int got = ptx_entry_params(text, k.name);
    if (got != want)
      throw Error(what + ": kernel " + k.name +
                  (got < 0 ? " has no .entry" : " takes " + std::to_string(got) + " parameters") +
                  ", ahal passes " + std::to_string(want));
  }
  if (tools.has("ptxas"))
    run_or_fail({tools.need("ptxas", what), "--gpu-name", arch, "-o", "/dev/null", ptx},
                tools.verbose, what + ": ptxas");
  return ptx;
}

std::string build_hsaco(const Source& s, const std::vector<KernelInfo>& kernels,
                        const std::string& arch, const Tools& tools, const ScratchDir& dir) {
  const std::string what = "hsaco image (" + arch + ") of " + s.path;
  static const char kHelper[] =
      "target triple = \"amdgcn-amd-amdhsa\"\n"
      "@__ahal_dynamic_shared_bytes = external addrspace(3) global [0 x i8], align 16\n"
      "define i8 addrspace(3)* @__ahal_dynamic_shared() alwaysinline {\n"
      "  ret i8 addrspace(3)* getelementptr ([0 x i8], [0 x i8] addrspace(3)* "
      "@__ahal_dynamic_shared_bytes, i32 0, i32 0)\n"
      "}\n";
  const std::string bc =
      gpu_bitcode(s, kernels, "amdgcn-amd-amdhsa", arch, tools.libclc_dir + "/amdgcn--amdhsa.bc",
                  kHelper, tools, dir, what);
  const std::string obj = dir.fresh(arch + ".o");
  run_or_fail({tools.need("llc", what), "-O3", "-mtriple=amdgcn-amd-amdhsa", "-mcpu=" + arch,
               "-filetype=obj", bc, "-o", obj},
              tools.verbose, what + ": llc");
  const std::string hsaco = dir.fresh(arch + ".hsaco");
  run_or_fail({tools.need("ld.lld", what), "-shared", obj, "-o", hsaco}, tools.verbose,
              what + ": ld.lld");
  // The code object's metadata: each kernel, its explicit arguments.
  const std::string notes = run_or_fail({tools.need("llvm-readelf", what), "--notes", hsaco},
                                        tools.verbose, what + ": llvm-readelf");
  std::map<std::string, std::vector<std::string>> args;  // kernel -> explicit value kinds
  std::istringstream in(notes);
  std::string line, name;
  std::vector<std::string> kinds;
  auto flush = [&] {
    if (!name.empty()) args[name] = kinds;
    name.clear();
    kinds.clear();
  };
  while (std::getline(in, line)) {
    if (line.compare(0, 4, "  - ") == 0) flush();
    if (line.compare(0, 10, "    .name:") == 0) {
      std::istringstream words(line.substr(10));
      words >> name;
    }
    const size_t v = line.find(".value_kind:");
    if (v != std::string::npos) {
      std::istringstream words(line.substr(v + 12));
      std::string kind;
      words >> kind;
      if (kind.compare(0, 7, "hidden_") != 0) kinds.push_back(kind);
    }
  }
  flush();
  for (const KernelInfo& k : kernels) {
    auto it = args.find(k.name);
    if (it == args.end()) throw Error(what + ": the code object has no kernel " + k.name);
    const size_t want = k.bindings + (k.constants_size ? 1 : 0);
    if (it->second.size() != want)
      throw Error(what + ": kernel " + k.name + " takes " + std::to_string(it->second.size()) +
                  " arguments, ahal passes " + std::to_string(want));
  }
  return hsaco;
}

}  // namespace kernelc
