#include "metadata.hpp"

#include <cctype>
#include <cstdlib>
#include <map>
#include <set>
#include <sstream>

namespace kernelc {

std::vector<std::string> language_flags(const Source& s) {
  std::vector<std::string> flags = {"-x", "cl", "-cl-std=" + s.cl_std, "-Xclang",
                                    "-finclude-default-header"};
  for (const std::string& dir : s.includes) flags.push_back("-I" + dir);
  for (const std::string& d : s.defines) flags.push_back("-D" + d);
  return flags;
}

namespace {

// One metadata node of textual LLVM IR: `!7 = !{!"float*", i32 1}`.
struct Node {
  std::vector<std::string> strings;
  std::vector<long> ints;
};

// Parses the items of `!{...}`: string items `!"..."` (with \XX escapes)
// and integer items `i32 N`.
Node parse_node(const std::string& body) {
  Node n;
  for (size_t i = 0; i < body.size(); ++i) {
    if (body.compare(i, 2, "!\"") == 0) {
      std::string value;
      size_t j = i + 2;
      for (; j < body.size() && body[j] != '"'; ++j) {
        if (body[j] == '\\' && j + 2 < body.size()) {
          value += static_cast<char>(std::strtol(body.substr(j + 1, 2).c_str(), nullptr, 16));
          j += 2;
        } else {
          value += body[j];
        }
      }
      n.strings.push_back(value);
      i = j;
    } else if (body.compare(i, 4, "i32 ") == 0) {
      n.ints.push_back(std::strtol(body.c_str() + i + 4, nullptr, 10));
      i += 4;
    }
  }
  return n;
}

struct Function {
  std::string name;
  bool kernel = false;
  std::map<std::string, std::string> metadata;  // "kernel_arg_type" -> "!7"
  std::set<std::string> callees;
};

// The name after '@' at `at` (plain or quoted).
std::string symbol_at(const std::string& line, size_t at) {
  if (at < line.size() && line[at] == '"') {
    size_t end = line.find('"', at + 1);
    return line.substr(at + 1, end - at - 1);
  }
  size_t end = at;
  while (end < line.size() && (std::isalnum(static_cast<unsigned char>(line[end])) ||
                               line[end] == '_' || line[end] == '.' || line[end] == '$'))
    ++end;
  return line.substr(at, end - at);
}

struct Module {
  std::vector<Function> functions;
  std::map<std::string, Node> nodes;
  std::map<std::string, long> constants;  // @global = ... constant i64 N
};

Module parse_module(const std::string& ir) {
  Module m;
  std::istringstream in(ir);
  std::string line;
  Function* current = nullptr;
  while (std::getline(in, line)) {
    if (line.compare(0, 7, "define ") == 0) {
      const size_t at = line.find(" @");
      if (at == std::string::npos) continue;
      Function f;
      f.name = symbol_at(line, at + 2);
      f.kernel = line.find(" spir_kernel ") != std::string::npos;
      // Trailing "!kernel_arg_xxx !N" attachments.
      for (size_t p = line.find(" !kernel_arg_"); p != std::string::npos;
           p = line.find(" !kernel_arg_", p + 1)) {
        const size_t key_end = line.find(' ', p + 2);
        const size_t value_end = line.find_first_of(" {", key_end + 1);
        f.metadata[line.substr(p + 2, key_end - p - 2)] =
            line.substr(key_end + 1, value_end - key_end - 1);
      }
      m.functions.push_back(f);
      current = &m.functions.back();
    } else if (line == "}") {
      current = nullptr;
    } else if (current && line.find("call ") != std::string::npos) {
      for (size_t p = line.find(" @"); p != std::string::npos; p = line.find(" @", p + 1))
        current->callees.insert(symbol_at(line, p + 2));
    } else if (line.compare(0, 1, "!") == 0 && line.find(" = !{") != std::string::npos) {
      const size_t eq = line.find(" = ");
      m.nodes[line.substr(0, eq)] = parse_node(line.substr(eq + 3));
    } else if (line.compare(0, 1, "@") == 0 && line.find(" constant i64 ") != std::string::npos) {
      const size_t c = line.find(" constant i64 ");
      m.constants[symbol_at(line, 1)] = std::strtol(line.c_str() + c + 14, nullptr, 10);
    }
  }
  return m;
}

bool reaches_barrier(const Module& m, const std::string& start) {
  static const std::set<std::string> kBarriers = {"_Z7barrierj", "_Z18work_group_barrierj",
                                                  "_Z18work_group_barrierj12memory_scope"};
  std::map<std::string, const Function*> by_name;
  for (const Function& f : m.functions) by_name[f.name] = &f;
  std::set<std::string> seen;
  std::vector<std::string> todo = {start};
  while (!todo.empty()) {
    const std::string name = todo.back();
    todo.pop_back();
    if (!seen.insert(name).second) continue;
    auto it = by_name.find(name);
    if (it == by_name.end()) continue;
    for (const std::string& callee : it->second->callees) {
      if (kBarriers.count(callee)) return true;
      todo.push_back(callee);
    }
  }
  return false;
}

const char* space_name(unsigned as) {
  switch (as) {
    case 1:
      return "__global";
    case 2:
      return "__constant";
    case 3:
      return "__local";
    default:
      return "private";
  }
}

std::string compile_ir(const Source& s, const std::string& file, const Tools& tools,
                       const ScratchDir& dir, const std::string& what) {
  const std::string out = dir.fresh("meta.ll");
  std::vector<std::string> argv = {tools.need("clang", "reading kernel signatures")};
  for (const std::string& f : language_flags(s)) argv.push_back(f);
  for (const char* f : {"-target", "spir64", "-cl-kernel-arg-info", "-O0", "-S", "-emit-llvm"})
    argv.push_back(f);
  argv.insert(argv.end(), {file, "-o", out});
  run_or_fail(argv, tools.verbose, what);
  return read_file(out);
}

}  // namespace

std::vector<KernelInfo> read_kernels(const Source& s, const Tools& tools, const ScratchDir& dir) {
  const Module m = parse_module(compile_ir(s, s.path, tools, dir, "clang (" + s.path + ")"));
  std::vector<KernelInfo> kernels;
  for (const Function& f : m.functions) {
    if (!f.kernel) continue;
    KernelInfo k;
    k.name = f.name;
    auto node = [&](const char* key) -> Node {
      auto it = f.metadata.find(key);
      if (it == f.metadata.end()) return {};
      auto n = m.nodes.find(it->second);
      return n == m.nodes.end() ? Node{} : n->second;
    };
    const Node spaces = node("kernel_arg_addr_space"), types = node("kernel_arg_type"),
               names = node("kernel_arg_name");
    if (spaces.ints.size() != types.strings.size())
      throw Error(s.path + ": kernel " + k.name + ": clang gave no argument metadata");
    const std::string where = s.path + ": kernel " + k.name + ": ";
    for (size_t i = 0; i < spaces.ints.size(); ++i) {
      KernelArg a;
      a.address_space = static_cast<unsigned>(spaces.ints[i]);
      a.type = types.strings[i];
      a.name = i < names.strings.size() ? names.strings[i] : "arg" + std::to_string(i);
      const bool pointer = !a.type.empty() && a.type.back() == '*';
      const std::string arg =
          "argument " + std::to_string(i) + " '" + a.name + "' (" + a.type + ")";
      const char* order =
          "; ahal passes the __global/__constant buffers first, then at most one by-value "
          "argument (the constants), then at most one __local pointer (docs/kernels.md)";
      if ((a.address_space == 1 || a.address_space == 2) && pointer) {
        if (k.constants_size || k.dynamic_shared || !k.constants_type.empty())
          throw Error(where + arg + " is a buffer after the constants or the __local pointer" +
                      order);
        a.kind = ArgKind::kBinding;
        ++k.bindings;
      } else if (a.address_space == 3 && pointer) {
        if (k.dynamic_shared) throw Error(where + arg + " is a second __local pointer" + order);
        a.kind = ArgKind::kDynamicShared;
        k.dynamic_shared = true;
      } else if (a.address_space == 0 && !pointer) {
        if (!k.constants_type.empty())
          throw Error(where + arg + " is a second by-value argument" + order +
                      "; put the values in one struct");
        if (k.dynamic_shared) throw Error(where + arg + " comes after the __local pointer" + order);
        if (a.type.find("image") != std::string::npos || a.type == "sampler_t")
          throw Error(where + arg + ": images and samplers are not supported by ahal");
        a.kind = ArgKind::kConstants;
        k.constants_type = a.type;
      } else {
        throw Error(where + arg + " in " + space_name(a.address_space) +
                    " memory is not an ahal kernel argument" + order);
      }
      k.args.push_back(a);
    }
    k.uses_barrier = reaches_barrier(m, k.name);
    kernels.push_back(k);
  }

  // sizeof the constants types, as the device compilers see them.
  std::string probe = "#include \"" + s.path + "\"\n";
  bool any = false;
  for (size_t i = 0; i < kernels.size(); ++i) {
    if (kernels[i].constants_type.empty()) continue;
    any = true;
    probe += "__constant ulong __ahal_probe_size_" + std::to_string(i) + " = sizeof(" +
             kernels[i].constants_type + ");\n";
  }
  if (any) {
    const std::string file = dir.fresh("probe.cl");
    write_file(file, probe);
    const Module sizes =
        parse_module(compile_ir(s, file, tools, dir, "clang (sizes of " + s.path + ")"));
    for (size_t i = 0; i < kernels.size(); ++i) {
      KernelInfo& k = kernels[i];
      if (k.constants_type.empty()) continue;
      auto it = sizes.constants.find("__ahal_probe_size_" + std::to_string(i));
      if (it == sizes.constants.end() || it->second <= 0)
        throw Error(s.path + ": kernel " + k.name + ": cannot tell the size of " +
                    k.constants_type);
      if (it->second % 4 != 0)
        throw Error(s.path + ": kernel " + k.name + ": the constants (" + k.constants_type +
                    ") are " + std::to_string(it->second) +
                    " bytes; ahal needs a multiple of 4 (docs/kernel-abi.md)");
      k.constants_size = static_cast<uint32_t>(it->second);
    }
  }
  return kernels;
}

std::string manifest_line(const KernelInfo& k) {
  std::string line = "kernel " + k.name + " bindings=" + std::to_string(k.bindings) +
                     " constants=" + std::to_string(k.constants_size);
  if (k.dynamic_shared) line += " dynamic_shared";
  return line;
}

}  // namespace kernelc
