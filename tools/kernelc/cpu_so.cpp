// cpu-so: OpenCL C compiled for the host to the ABI of
// sdk/include/ahal/cpu_kernel.h (docs/kernels.md, "cpu-so").
//
// Per CPU variant (x86-64, x86-64-v3, x86-64-v4 on x86_64): the source and
// generated OpenCL C wrappers, the runtime (runtime/*.c, *.cl) and the
// conversions it uses are linked as LLVM IR, internalized and optimized
// together, so the work-item built-ins inline into each wrapper's loop over
// the workgroup. A kernel that reaches barrier() runs its work-items as
// fibers instead. A small dispatcher exports each kernel under its own
// name and calls the best variant this CPU runs.
#include "images.hpp"

#include <cxxabi.h>

#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <sstream>

namespace kernelc {

namespace {

struct EmbeddedFile {
  const char* name;
  const char* text;
};
const EmbeddedFile kRuntime[] = {
#include "kernelc_runtime.inc"
};

std::string conversions_library(const std::set<std::string>& names);

std::string host_triple() {
#if defined(__x86_64__)
  return "x86_64-pc-linux-gnu";
#elif defined(__aarch64__)
  return "aarch64-unknown-linux-gnu";
#else
  return "";
#endif
}

// The OpenCL C view of ahal_cpu_dispatch_t (64-bit hosts).
const char kPrelude[] =
    "typedef struct {\n"
    "  uint workgroup_id[3];\n"
    "  uint grid[3];\n"
    "  uint workgroup_size[3];\n"
    "  uint binding_count;\n"
    "  ulong bindings;\n"
    "  ulong binding_sizes;\n"
    "  ulong constants;\n"
    "  uint constants_size;\n"
    "  uint shared_memory_size;\n"
    "  ulong shared_memory;\n"
    "  uint worker_index;\n"
    "  uint worker_count;\n"
    "} __ahal_dispatch;\n"
    "void __ahal_workgroup_begin(const __ahal_dispatch* d);\n"
    "void __ahal_set_local_id(size_t x, size_t y, size_t z);\n"
    "void __ahal_run_fibers(uint index, const __ahal_dispatch* d);\n";

std::string quoted(const std::string& p) {
  std::string out;
  for (char c : p) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

// Locals a0.. holding the kernel's arguments, read from the dispatch `d`.
std::string unpack_arguments(const KernelInfo& k, std::string* call) {
  std::string out = "  const ulong* b = (const ulong*)d->bindings;\n";
  uint32_t binding = 0;
  for (size_t i = 0; i < k.args.size(); ++i) {
    const KernelArg& a = k.args[i];
    const std::string name = "a" + std::to_string(i);
    switch (a.kind) {
      case ArgKind::kBinding: {
        const char* space = a.address_space == 2 ? "__constant" : "__global";
        out += "  " + std::string(space) + " void* " + name + " = (" + space + " void*)b[" +
               std::to_string(binding++) + "];\n";
        break;
      }
      case ArgKind::kConstants:
        out += "  " + a.type + " " + name + ";\n  __builtin_memcpy(&" + name +
               ", (const void*)d->constants, sizeof(" + name + "));\n";
        break;
      case ArgKind::kDynamicShared:
        out += "  __local void* " + name + " = (__local void*)d->shared_memory;\n";
        break;
    }
    *call += (call->empty() ? "" : ", ") + name;
  }
  return out;
}

// The OpenCL C translation unit of one variant: the source with its
// kernels renamed, then one entry per kernel named `symbol_prefix + name`.
std::string wrapper_source(const Source& s, const std::vector<KernelInfo>& kernels,
                           const std::string& symbol_prefix) {
  std::string out = kPrelude;
  for (const KernelInfo& k : kernels) out += "#define " + k.name + " __ahal_k_" + k.name + "\n";
  out += "#include \"" + quoted(s.path) + "\"\n";
  for (const KernelInfo& k : kernels) out += "#undef " + k.name + "\n";

  std::string items = "void __ahal_run_item(uint index, const __ahal_dispatch* d) {\n";
  for (size_t index = 0; index < kernels.size(); ++index) {
    const KernelInfo& k = kernels[index];
    std::string call;
    const std::string unpack = unpack_arguments(k, &call);
    const std::string entry = "__ahal_entry_" + k.name;
    out += "void " + entry + "(const __ahal_dispatch* d) __asm__(\"" + symbol_prefix + k.name +
           "\");\n";
    out += "void " + entry + "(const __ahal_dispatch* d) {\n  __ahal_workgroup_begin(d);\n";
    if (k.uses_barrier) {
      // Work-items as fibers; __ahal_run_item runs one.
      out += "  __ahal_run_fibers(" + std::to_string(index) + "u, d);\n}\n";
      items += "  if (index == " + std::to_string(index) + "u) {\n" + unpack + "    __ahal_k_" +
               k.name + "(" + call + ");\n  }\n";
    } else {
      // Arguments first, so the loop sees them as invariant; x innermost.
      out += unpack +
             "  const uint wx = d->workgroup_size[0], wy = d->workgroup_size[1], "
             "wz = d->workgroup_size[2];\n"
             "  for (uint z = 0; z < wz; ++z)\n"
             "    for (uint y = 0; y < wy; ++y)\n"
             "      for (uint x = 0; x < wx; ++x) {\n"
             "        __ahal_set_local_id(x, y, z);\n"
             "        __ahal_k_" +
             k.name + "(" + call + ");\n      }\n}\n";
    }
  }
  return out + items + "}\n";
}

// Base names ("convert_int4_sat") of the mangled built-ins a module
// declares but does not define.
std::set<std::string> declared_builtins(const std::string& ir) {
  std::set<std::string> names;
  std::istringstream in(ir);
  std::string line;
  while (std::getline(in, line)) {
    if (line.compare(0, 8, "declare ") != 0) continue;
    const size_t at = line.find("@_Z");
    if (at == std::string::npos) continue;
    char* end = nullptr;
    const long len = std::strtol(line.c_str() + at + 3, &end, 10);
    if (len > 0) names.insert(std::string(end, static_cast<size_t>(len)));
  }
  return names;
}

std::string demangle(const std::string& name) {
  int status = 0;
  std::unique_ptr<char, void (*)(void*)> out(
      abi::__cxa_demangle(name.c_str(), nullptr, nullptr, &status), std::free);
  return status == 0 && out ? std::string(out.get()) : name;
}

// __local variables of kernels are per workgroup: thread-local, since a
// worker thread runs one workgroup at a time. In OpenCL C 1.2 they are the
// module's only writable internal globals.
std::string localize(const std::string& ir) {
  std::istringstream in(ir);
  std::string line, out;
  while (std::getline(in, line)) {
    if (line.compare(0, 1, "@") == 0) {
      const size_t internal = line.find(" = internal ");
      const size_t global = line.find(" global ");
      if (internal != std::string::npos && global != std::string::npos &&
          line.find(" constant ") == std::string::npos &&
          line.find("thread_local") == std::string::npos)
        line.insert(internal + 12, "thread_local ");
    }
    out += line + "\n";
  }
  return out;
}

}  // namespace

class CpuBuild {
 public:
  CpuBuild(const Tools& tools, const ScratchDir& dir, const std::string& what)
      : tools_(tools), dir_(dir), what_(what) {}

  // The variant's object file.
  std::string variant_object(const Source& s, const std::vector<KernelInfo>& kernels,
                             const CpuVariant& v, size_t index) {
    const std::string prefix = "__ahal_v" + std::to_string(index) + "_";
    const std::string cl = dir_.fresh("cpu.cl");
    write_file(cl, wrapper_source(s, kernels, prefix));
    std::vector<std::string> argv = {clang()};
    for (const std::string& f : language_flags(s)) argv.push_back(f);
    append_target(&argv, v);
    const std::string ll = dir_.fresh("cpu.ll");
    argv.insert(argv.end(), {"-S", "-emit-llvm", cl, "-o", ll});
    run_or_fail(argv, tools_.verbose, what_ + ": clang (" + variant_name(v) + ")");
    const std::string ir = localize(read_file(ll));
    write_file(ll, ir);

    std::vector<std::string> libraries = runtime_bitcode(v);
    const std::set<std::string> used = declared_builtins(ir);
    std::set<std::string> conversions;
    for (const std::string& n : used)
      if (n.compare(0, 8, "convert_") == 0) conversions.insert(n);
    if (!conversions.empty()) {
      const std::string conv = dir_.fresh("conversions.cl");
      write_file(conv, conversions_library(conversions));
      libraries.push_back(compile_library(conv, v, "conversions"));
    }
    const std::string core = dir_.fresh("core.bc");
    run_or_fail(
        {tools_.need("llvm-link", what_), ll, library_path(v, "cpu_workitems.c"), "-o", core},
        tools_.verbose, what_ + ": llvm-link");
    const std::string linked = dir_.fresh("linked.bc");
    std::vector<std::string> link = {tools_.need("llvm-link", what_), core, "--only-needed"};
    link.insert(link.end(), libraries.begin(), libraries.end());
    link.insert(link.end(), {"-o", linked});
    run_or_fail(link, tools_.verbose, what_ + ": llvm-link");
    check_defined(linked, "cpu-so image of " + s.path);

    std::string exports;
    for (const KernelInfo& k : kernels) exports += (exports.empty() ? "" : ",") + prefix + k.name;
    const std::string optimized = dir_.fresh("optimized.bc");
    run_or_fail({tools_.need("opt", what_), "-passes=internalize,default<O3>",
                 "-internalize-public-api-list=" + exports, linked, "-o", optimized},
                tools_.verbose, what_ + ": opt");
    const std::string obj = dir_.fresh("variant.o");
    run_or_fail({tools_.need("llc", what_), "-O3", "-relocation-model=pic", "-filetype=obj",
                 optimized, "-o", obj},
                tools_.verbose, what_ + ": llc");
    return obj;
  }

  std::string clang() const { return tools_.need("clang", what_); }

 private:
  static std::string variant_name(const CpuVariant& v) {
    return v.name.empty() ? "default" : v.name;
  }

  void append_target(std::vector<std::string>* argv, const CpuVariant& v) const {
    argv->insert(argv->end(), {"-target", host_triple(), "-fPIC", "-Wno-psabi", "-O2", "-Xclang",
                               "-disable-llvm-passes"});
    if (!v.name.empty()) argv->push_back("-march=" + v.name);
    // Wide vectors where the CPU has them (x86-64-v4 would prefer 256 bits).
    if (v.name == "x86-64-v4") argv->push_back("-mprefer-vector-width=512");
  }

  std::string compile_library(const std::string& file, const CpuVariant& v,
                              const std::string& what) {
    const bool is_c = file.size() > 2 && file.compare(file.size() - 2, 2, ".c") == 0;
    std::vector<std::string> argv = {clang()};
    if (is_c) {
      argv.insert(argv.end(), {"-x", "c", "-std=gnu11"});
    } else {
      argv.insert(argv.end(), {"-x", "cl", "-cl-std=CL1.2", "-Xclang", "-finclude-default-header"});
    }
    append_target(&argv, v);
    const std::string bc = dir_.fresh(what + ".bc");
    argv.insert(argv.end(), {"-emit-llvm", "-c", file, "-o", bc});
    run_or_fail(argv, tools_.verbose, what_ + ": clang (runtime " + what + ")");
    return bc;
  }

  // The runtime files, written out and compiled once per variant.
  std::vector<std::string> runtime_bitcode(const CpuVariant& v) {
    if (runtime_dir_.empty()) {
      runtime_dir_ = dir_.fresh("runtime");
      std::filesystem::create_directories(runtime_dir_);
      for (const EmbeddedFile& f : kRuntime) write_file(runtime_dir_ + "/" + f.name, f.text);
    }
    std::vector<std::string> libs;
    for (const EmbeddedFile& f : kRuntime) {
      const std::string name = f.name;
      if (name.find('.') == std::string::npos || name.compare(name.size() - 2, 2, ".h") == 0)
        continue;
      const std::string bc = library_path(v, name);
      if (name != "cpu_workitems.c") libs.push_back(bc);
    }
    return libs;
  }

  std::string library_path(const CpuVariant& v, const std::string& name) {
    const std::string key = variant_name(v) + "/" + name;
    auto it = compiled_.find(key);
    if (it != compiled_.end()) return it->second;
    if (runtime_dir_.empty()) runtime_bitcode(v);
    const std::string stem = name.substr(0, name.find('.'));
    return compiled_[key] = compile_library(runtime_dir_ + "/" + name, v, stem);
  }

  void check_defined(const std::string& bc, const std::string& what) {
    const std::string undefined = run_or_fail(
        {tools_.need("llvm-nm", what_), "--undefined-only", "--format=just-symbols", bc},
        tools_.verbose, what_ + ": llvm-nm");
    std::istringstream in(undefined);
    std::string sym, missing;
    while (in >> sym)
      if (sym.compare(0, 2, "_Z") == 0) missing += "\n  " + demangle(sym);
    if (!missing.empty())
      throw Error(what + ": the cpu-so runtime has no definition of these OpenCL C built-ins" +
                  missing + "\n(docs/kernels.md lists the built-ins cpu-so images support)");
  }

  const Tools& tools_;
  const ScratchDir& dir_;
  std::string what_;
  std::string runtime_dir_;
  std::map<std::string, std::string> compiled_;
};

namespace {

std::string dispatcher_source(const std::vector<KernelInfo>& kernels,
                              const std::vector<CpuVariant>& variants) {
  std::string out =
      "struct ahal_dispatch;\n"
      "static int ahal_variant;\n"
      "__attribute__((constructor)) static void ahal_pick_variant(void) {\n";
#if defined(__x86_64__)
  out += "  __builtin_cpu_init();\n";
#endif
  for (size_t i = variants.size(); i-- > 1;) {
    std::string test;
    for (const std::string& f : variants[i].cpu_features)
      test += (test.empty() ? "" : " && ") + std::string("__builtin_cpu_supports(\"") + f + "\")";
    out += "  if (" + (test.empty() ? std::string("1") : test) +
           ") {\n    ahal_variant = " + std::to_string(i) + ";\n    return;\n  }\n";
  }
  out += "  ahal_variant = 0;\n}\n";
  for (const KernelInfo& k : kernels) {
    for (size_t i = 0; i < variants.size(); ++i)
      out +=
          "void __ahal_v" + std::to_string(i) + "_" + k.name + "(const struct ahal_dispatch*);\n";
    out += "__attribute__((visibility(\"default\"))) void " + k.name +
           "(const struct ahal_dispatch* d) {\n  switch (ahal_variant) {\n";
    for (size_t i = variants.size(); i-- > 1;)
      out += "    case " + std::to_string(i) + ":\n      __ahal_v" + std::to_string(i) + "_" +
             k.name + "(d);\n      return;\n";
    out += "    default:\n      __ahal_v0_" + k.name + "(d);\n  }\n}\n";
  }
  return out;
}

}  // namespace

std::vector<CpuVariant> default_cpu_variants() {
#if defined(__x86_64__)
  return {parse_cpu_variant("x86-64"), parse_cpu_variant("x86-64-v3"),
          parse_cpu_variant("x86-64-v4")};
#else
  return {CpuVariant{}};
#endif
}

CpuVariant parse_cpu_variant(const std::string& name) {
  static const std::map<std::string, std::vector<std::string>> kFeatures = {
      {"x86-64", {}},
      {"x86-64-v2", {"sse4.2", "popcnt", "ssse3"}},
      {"x86-64-v3", {"avx2", "fma", "bmi2", "sse4.2", "popcnt"}},
      {"x86-64-v4",
       {"avx512f", "avx512bw", "avx512dq", "avx512vl", "avx512cd", "avx2", "fma", "bmi2"}},
  };
  if (name.empty() || name == "default") return CpuVariant{};
  auto it = kFeatures.find(name);
  if (it == kFeatures.end()) {
    std::string known;
    for (const auto& [n, f] : kFeatures) known += " " + n;
    throw Error("unknown CPU variant '" + name + "'; known:" + known + " default");
  }
  return CpuVariant{name, it->second};
}

CpuSoBuilder::CpuSoBuilder(const Tools& tools, const ScratchDir& dir,
                           std::vector<CpuVariant> variants)
    : tools_(tools),
      dir_(dir),
      variants_(std::move(variants)),
      impl_(std::make_unique<CpuBuild>(tools, dir, "cpu-so images")) {}

CpuSoBuilder::~CpuSoBuilder() = default;

std::string CpuSoBuilder::build(const Source& s, const std::vector<KernelInfo>& kernels) {
  const std::string what = "cpu-so image of " + s.path;
  if (host_triple().empty()) throw Error(what + ": this host architecture is not supported");
  if (variants_.empty()) throw Error(what + ": no CPU variants");
  std::vector<std::string> objects;
  for (size_t i = 0; i < variants_.size(); ++i)
    objects.push_back(impl_->variant_object(s, kernels, variants_[i], i));

  const std::string dispatch = dir_.fresh("dispatch.c");
  write_file(dispatch, dispatcher_source(kernels, variants_));
  const std::string dispatch_obj = dir_.fresh("dispatch.o");
  run_or_fail({impl_->clang(), "-x", "c", "-target", host_triple(), "-O2", "-fPIC", "-c", dispatch,
               "-o", dispatch_obj},
              tools_.verbose, what + ": clang (dispatcher)");
  std::string script = "{\n  global:\n";
  for (const KernelInfo& k : kernels) script += "    " + k.name + ";\n";
  script += "  local: *;\n};\n";
  const std::string map = dir_.fresh("exports.map");
  write_file(map, script);
  const std::string so = dir_.fresh("kernels.so");
  std::vector<std::string> argv = {impl_->clang(), "-target", host_triple(), "-shared", "-fPIC"};
  argv.insert(argv.end(), objects.begin(), objects.end());
  argv.insert(argv.end(), {dispatch_obj, "-o", so, "-Wl,--no-undefined",
                           "-Wl,--version-script=" + map, "-Wl,-z,noexecstack", "-lm"});
  run_or_fail(argv, tools_.verbose, what + ": link");
  // Each kernel must be exported under its name.
  const std::string symbols = run_or_fail(
      {tools_.need("llvm-nm", what), "-D", "--defined-only", "--format=just-symbols", so},
      tools_.verbose, what + ": llvm-nm");
  std::set<std::string> exported;
  std::istringstream in(symbols);
  for (std::string sym; in >> sym;) exported.insert(sym);
  for (const KernelInfo& k : kernels)
    if (!exported.count(k.name))
      throw Error(what + ": the shared object does not export " + k.name);
  return so;
}

// ------------------------------------------------------------ conversions

namespace {

struct ScalarType {
  const char* name;
  bool is_float;
  bool is_signed;
  const char* min;
  const char* max;
};
const ScalarType kTypes[] = {
    {"char", false, true, "CHAR_MIN", "CHAR_MAX"},  {"uchar", false, false, "0", "UCHAR_MAX"},
    {"short", false, true, "SHRT_MIN", "SHRT_MAX"}, {"ushort", false, false, "0", "USHRT_MAX"},
    {"int", false, true, "INT_MIN", "INT_MAX"},     {"uint", false, false, "0", "UINT_MAX"},
    {"long", false, true, "LONG_MIN", "LONG_MAX"},  {"ulong", false, false, "0", "ULONG_MAX"},
    {"float", true, true, "-FLT_MAX", "FLT_MAX"},   {"double", true, true, "-DBL_MAX", "DBL_MAX"},
};

// Scalar body converting `x` of `src` to `dst` with saturation and rounding.
std::string scalar_conversion(const ScalarType& dst, const ScalarType& src, bool sat,
                              const std::string& rounding) {
  std::string x = "x";
  if (src.is_float && !dst.is_float) {
    const std::string f = std::string(src.name) == "float" ? "f" : "";
    if (rounding == "_rte") x = "__builtin_rint" + f + "(x)";
    if (rounding == "_rtp") x = "__builtin_ceil" + f + "(x)";
    if (rounding == "_rtn") x = "__builtin_floor" + f + "(x)";
  }
  const std::string d = dst.name;
  if (!sat || dst.is_float) return "return (" + d + ")(" + x + ");";
  if (src.is_float)
    return "const " + std::string(src.name) + " v = " + x + "; return v != v ? (" + d +
           ")0 : v <= (" + src.name + ")" + dst.min + " ? (" + d + ")" + dst.min + " : v >= (" +
           src.name + ")" + dst.max + " ? (" + d + ")" + dst.max + " : (" + d + ")v;";
  if (src.is_signed && !dst.is_signed)
    return "return x < 0 ? (" + d + ")0 : (ulong)x > (ulong)" + dst.max + " ? (" + d + ")" +
           dst.max + " : (" + d + ")x;";
  if (!src.is_signed)
    return "return (ulong)x > (ulong)" + std::string(dst.max) + " ? (" + d + ")" + dst.max +
           " : (" + d + ")x;";
  return "return (long)x < (long)" + std::string(dst.min) + " ? (" + d + ")" + dst.min +
         " : (long)x > (long)" + dst.max + " ? (" + d + ")" + dst.max + " : (" + d + ")x;";
}

std::string conversions_library(const std::set<std::string>& names) {
  std::string out =
      "#pragma OPENCL EXTENSION cl_khr_fp64 : enable\n"
      "#define AHAL_OVLD __attribute__((overloadable))\n";
  std::set<std::string> done;
  for (const std::string& name : names) {
    // convert_<dst><width>[_sat][_rte|_rtz|_rtp|_rtn]
    std::string rest = name.substr(8);
    const ScalarType* dst = nullptr;
    for (const ScalarType& t : kTypes) {
      const size_t n = std::string(t.name).size();
      if (rest.compare(0, n, t.name) == 0 &&
          (rest.size() == n || std::isdigit(static_cast<unsigned char>(rest[n])) ||
           rest[n] == '_') &&
          (!dst || n > std::string(dst->name).size()))
        dst = &t;
    }
    if (!dst) continue;
    rest = rest.substr(std::string(dst->name).size());
    size_t digits = 0;
    while (digits < rest.size() && std::isdigit(static_cast<unsigned char>(rest[digits]))) ++digits;
    const std::string suffix = rest.substr(digits);
    const bool sat = suffix.compare(0, 4, "_sat") == 0;
    const std::string rounding = sat ? suffix.substr(4) : suffix;
    const std::string key = std::string(dst->name) + suffix;
    if (!done.insert(key).second) continue;
    const std::string base = "convert_" + std::string(dst->name);
    for (const ScalarType& src : kTypes) {
      const std::string d = dst->name, s = src.name;
      out += d + " AHAL_OVLD " + base + suffix + "(" + s + " x) { " +
             scalar_conversion(*dst, src, sat, rounding) + " }\n";
      const bool plain = !sat && (rounding.empty() || !(src.is_float && !dst->is_float));
      for (const char* w : {"2", "3", "4", "8", "16"}) {
        const std::string dv = d + w, sv = s + w, fn = base + w + suffix;
        out += dv + " AHAL_OVLD " + fn + "(" + sv + " x) { ";
        if (plain) {
          out += "return __builtin_convertvector(x, " + dv + "); }\n";
        } else if (std::string(w) == "2") {
          out +=
              "return (" + dv + ")(" + base + suffix + "(x.s0), " + base + suffix + "(x.s1)); }\n";
        } else if (std::string(w) == "3") {
          out += "return (" + dv + ")(" + base + suffix + "(x.s0), " + base + suffix + "(x.s1), " +
                 base + suffix + "(x.s2)); }\n";
        } else {
          const std::string half = std::to_string(std::atoi(w) / 2);
          const std::string hf = base + half + suffix;
          out += "return (" + dv + ")(" + hf + "(x.lo), " + hf + "(x.hi)); }\n";
        }
      }
    }
  }
  return out;
}

}  // namespace

}  // namespace kernelc
