// ahal-kernelc: OpenCL C sources in, one ahal bundle (.ahalb) out, with
// an image per format and target and the kernels' metadata read from the
// sources (docs/kernels.md).
#include "images.hpp"
#include "metadata.hpp"
#include "process.hpp"

#include "bundle_format.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <sys/utsname.h>

namespace {

using namespace kernelc;

const char kUsage[] =
    "usage: ahal-kernelc [options] SOURCE.cl... -o OUT.ahalb\n"
    "       ahal-kernelc --print-metadata [options] SOURCE.cl...\n"
    "Compiles OpenCL C kernels into one ahal bundle (docs/kernels.md).\n"
    "  -o FILE               the bundle to write\n"
    "  --formats LIST        comma-separated formats: opencl-c, spirv-opencl, ptx, hsaco,\n"
    "                        cpu-so, or none (default: each one whose toolchain is installed)\n"
    "  --ptx-archs LIST      ptx targets (default sm_75,sm_80,sm_86)\n"
    "  --hsaco-archs LIST    hsaco targets (default gfx900,gfx906,gfx908,gfx90a,gfx1030)\n"
    "  --cpu-variants LIST   cpu-so code paths, best picked at load (default on x86_64:\n"
    "                        x86-64,x86-64-v3,x86-64-v4)\n"
    "  --cpu-target NAME     bundle target of the cpu-so image (default: uname -m)\n"
    "  -I DIR, -D NAME[=V]   include folder, macro definition (every format)\n"
    "  --cl-std VERSION      OpenCL C version (default CL1.2)\n"
    "  --image SPEC          also pack a prebuilt image, FORMAT[@TARGET]:FILE[:KERNEL=ENTRY,...]\n"
    "  --image-dir DIR       also write each image built to DIR/<stem>[.<target>].<ext>\n"
    "  --tool ROLE=PATH      program for a role: clang llvm-link opt llc ld.lld llvm-readelf\n"
    "                        llvm-nm llvm-spirv spirv-val ptxas (default: LLVM 14's, from PATH)\n"
    "  --libclc DIR          libclc's bitcode (default /usr/lib/clc)\n"
    "  --print-metadata      print the kernels' metadata (manifest lines) and exit\n"
    "  --keep-temps DIR      keep the intermediate files in DIR\n"
    "  -v                    print each command\n";

struct Options {
  std::vector<std::string> sources;
  std::string output;
  std::vector<std::string> formats;
  bool formats_given = false;
  std::string image_dir;
  std::vector<std::string> ptx_archs = {"sm_75", "sm_80", "sm_86"};
  std::vector<std::string> hsaco_archs = {"gfx900", "gfx906", "gfx908", "gfx90a", "gfx1030"};
  std::vector<std::string> cpu_variants;
  std::string cpu_target;
  std::vector<std::string> includes, defines, images;
  std::string cl_std = "CL1.2";
  std::string keep_temps;
  bool print_metadata = false;
  Tools tools;
};

std::vector<std::string> split(const std::string& list) {
  std::vector<std::string> out;
  std::istringstream in(list);
  std::string item;
  while (std::getline(in, item, ','))
    if (!item.empty()) out.push_back(item);
  return out;
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw Error(arg + " needs a value");
      return argv[++i];
    };
    if (arg == "-h" || arg == "--help") {
      std::fputs(kUsage, stdout);
      std::exit(0);
    } else if (arg == "-o") {
      o.output = value();
    } else if (arg == "--formats") {
      const std::string list = value();
      o.formats = list == "none" ? std::vector<std::string>{} : split(list);
      o.formats_given = true;
    } else if (arg == "--image-dir") {
      o.image_dir = value();
    } else if (arg == "--ptx-archs") {
      o.ptx_archs = split(value());
    } else if (arg == "--hsaco-archs") {
      o.hsaco_archs = split(value());
    } else if (arg == "--cpu-variants") {
      o.cpu_variants = split(value());
    } else if (arg == "--cpu-target") {
      o.cpu_target = value();
    } else if (arg == "-I") {
      o.includes.push_back(absolute_path(value()));
    } else if (arg.compare(0, 2, "-I") == 0) {
      o.includes.push_back(absolute_path(arg.substr(2)));
    } else if (arg == "-D") {
      o.defines.push_back(value());
    } else if (arg.compare(0, 2, "-D") == 0) {
      o.defines.push_back(arg.substr(2));
    } else if (arg == "--cl-std") {
      o.cl_std = value();
    } else if (arg == "--image") {
      o.images.push_back(value());
    } else if (arg == "--tool") {
      const std::string v = value();
      const size_t eq = v.find('=');
      if (eq == std::string::npos || !tool_candidates().count(v.substr(0, eq)))
        throw Error("--tool " + v + ": expected ROLE=PATH with a known role (see --help)");
      o.tools.paths[v.substr(0, eq)] = v.substr(eq + 1);
    } else if (arg == "--libclc") {
      o.tools.libclc_dir = value();
    } else if (arg == "--print-metadata") {
      o.print_metadata = true;
    } else if (arg == "--keep-temps") {
      o.keep_temps = value();
    } else if (arg == "-v") {
      o.tools.verbose = true;
    } else if (!arg.empty() && arg[0] == '-') {
      throw Error("unknown option " + arg + "\n" + kUsage);
    } else {
      o.sources.push_back(absolute_path(arg));
    }
  }
  if (o.sources.empty()) throw Error(std::string("no sources\n") + kUsage);
  if (o.output.empty() && !o.print_metadata) throw Error(std::string("no -o\n") + kUsage);
  return o;
}

// What a format needs beyond clang; empty when it can be built.
std::string missing_for(const std::string& format, const Tools& t) {
  std::vector<std::string> roles;
  std::string libclc;
  if (format == "cpu-so") roles = {"clang", "llvm-link", "opt", "llc", "llvm-nm"};
  if (format == "spirv-opencl") roles = {"clang", "llvm-spirv", "spirv-val"};
  if (format == "ptx") {
    roles = {"clang", "llvm-link", "opt", "llc"};
    libclc = t.libclc_dir + "/nvptx64--nvidiacl.bc";
  }
  if (format == "hsaco") {
    roles = {"clang", "llvm-link", "opt", "llc", "ld.lld", "llvm-readelf"};
    libclc = t.libclc_dir + "/amdgcn--amdhsa.bc";
  }
  std::string missing;
  for (const std::string& r : roles)
    if (!t.has(r)) missing += (missing.empty() ? "" : ", ") + r;
  if (!libclc.empty() && !std::filesystem::exists(libclc))
    missing += (missing.empty() ? "" : ", ") + libclc + " (libclc-14)";
  return missing;
}

std::vector<uint8_t> bytes_of(const std::string& path) {
  const std::string text = read_file(path);
  return std::vector<uint8_t>(text.begin(), text.end());
}

void add_prebuilt(const std::string& spec, ahal::bundle::Bundle* b) {
  const size_t colon = spec.find(':');
  if (colon == std::string::npos)
    throw Error("--image " + spec + ": expected FORMAT[@TARGET]:FILE");
  std::string head = spec.substr(0, colon), rest = spec.substr(colon + 1);
  ahal::bundle::Image img;
  if (const size_t at = head.find('@'); at != std::string::npos) {
    img.target = head.substr(at + 1);
    head.erase(at);
  }
  img.format = ahal::bundle::parse_format(head);
  if (!ahal::bundle::is_image_format(img.format))
    throw Error("--image " + spec + ": unknown format \"" + head + "\"");
  std::string file = rest, map;
  std::error_code ec;
  if (const size_t last = rest.rfind(':'); last != std::string::npos &&
                                           rest.find('/', last) == std::string::npos &&
                                           !std::filesystem::exists(rest, ec)) {
    file = rest.substr(0, last);
    map = rest.substr(last + 1);
  }
  for (const std::string& item : split(map)) {
    const size_t eq = item.find('=');
    const std::string kernel = item.substr(0, eq);
    const int index = ahal::bundle::find_kernel(*b, kernel);
    if (index < 0)
      throw Error("--image " + spec + ": no source defines a kernel \"" + kernel + "\"");
    img.entries.push_back(
        {uint32_t(index), eq == std::string::npos ? kernel : item.substr(eq + 1)});
  }
  img.data = bytes_of(file);
  if (img.data.empty()) throw Error("--image " + spec + ": " + file + " is empty");
  b->images.push_back(std::move(img));
}

void write_bundle(const ahal::bundle::Bundle& b, const std::string& out) {
  const std::vector<uint8_t> bytes = ahal::bundle::serialize(b);
  std::string error;
  ahal::bundle::Bundle check;
  if (!ahal::bundle::parse(bytes.data(), bytes.size(), &check, &error))
    throw Error("internal error: the bundle does not parse: " + error);
  const std::filesystem::path parent = std::filesystem::path(out).parent_path();
  std::error_code ec;
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  const std::string tmp = out + ".tmp";
  write_file(tmp, std::string(bytes.begin(), bytes.end()));
  if (std::rename(tmp.c_str(), out.c_str()) != 0)
    throw Error("cannot rename " + tmp + " to " + out + ": " + std::strerror(errno));
}

int compile(Options& o) {
  o.tools.discover();
  static const char* const kAll[] = {"opencl-c", "spirv-opencl", "ptx", "hsaco", "cpu-so"};
  std::vector<std::string> formats = o.formats;
  if (!o.formats_given) {
    for (const char* f : kAll)
      if (missing_for(f, o.tools).empty()) formats.push_back(f);
  }
  for (const std::string& f : formats) {
    if (std::find(std::begin(kAll), std::end(kAll), f) == std::end(kAll))
      throw Error("unknown format '" + f +
                  "'; ahal-kernelc makes opencl-c, spirv-opencl, ptx, "
                  "hsaco and cpu-so");
    const std::string missing = missing_for(f, o.tools);
    if (!missing.empty()) throw Error("format " + f + " needs " + missing);
  }

  ScratchDir dir(o.keep_temps);
  std::vector<Source> sources;
  std::vector<std::vector<KernelInfo>> kernels;
  ahal::bundle::Bundle bundle;
  std::map<std::string, std::string> defined_in;
  for (const std::string& path : o.sources) {
    Source s;
    s.path = path;
    s.includes.push_back(directory_of(path));
    s.includes.insert(s.includes.end(), o.includes.begin(), o.includes.end());
    s.defines = o.defines;
    s.cl_std = o.cl_std;
    std::vector<KernelInfo> ks = read_kernels(s, o.tools, dir);
    if (ks.empty()) throw Error(path + ": defines no __kernel function");
    for (const KernelInfo& k : ks) {
      auto [it, fresh] = defined_in.emplace(k.name, path);
      if (!fresh) throw Error("kernel " + k.name + " is defined in " + it->second + " and " + path);
      bundle.kernels.push_back({k.name, k.bindings, k.constants_size,
                                k.dynamic_shared ? uint32_t(AHAL_KERNEL_USES_DYNAMIC_SHARED) : 0u});
    }
    sources.push_back(s);
    kernels.push_back(ks);
  }
  if (o.print_metadata) {
    for (const auto& ks : kernels)
      for (const KernelInfo& k : ks) std::printf("%s\n", manifest_line(k).c_str());
    return 0;
  }

  std::string cpu_target = o.cpu_target;
  if (cpu_target.empty()) {
    struct utsname u;
    if (uname(&u) == 0) cpu_target = u.machine;
  }
  std::vector<CpuVariant> variants;
  for (const std::string& v : o.cpu_variants) variants.push_back(parse_cpu_variant(v));
  if (variants.empty()) variants = default_cpu_variants();
  CpuSoBuilder cpu(o.tools, dir, variants);

  for (size_t i = 0; i < sources.size(); ++i) {
    const Source& s = sources[i];
    std::vector<ahal::bundle::Entry> entries;
    for (const KernelInfo& k : kernels[i])
      entries.push_back({uint32_t(ahal::bundle::find_kernel(bundle, k.name)), k.name});
    auto add = [&](ahal_module_format_t format, const std::string& target,
                   std::vector<uint8_t> data) {
      if (!o.image_dir.empty()) {
        static const std::map<ahal_module_format_t, std::string> kExtension = {
            {AHAL_MODULE_FORMAT_OPENCL_C, "cl"},
            {AHAL_MODULE_FORMAT_SPIRV_OPENCL, "spv"},
            {AHAL_MODULE_FORMAT_PTX, "ptx"},
            {AHAL_MODULE_FORMAT_HSACO, "hsaco"},
            {AHAL_MODULE_FORMAT_CPU_SO, "so"}};
        std::filesystem::create_directories(o.image_dir);
        const std::string stem = std::filesystem::path(s.path).stem().string();
        write_file(o.image_dir + "/" + stem + (target.empty() ? "" : "." + target) + "." +
                       kExtension.at(format),
                   std::string(data.begin(), data.end()));
      }
      ahal::bundle::Image img;
      img.format = format;
      img.target = target;
      img.data = std::move(data);
      img.entries = entries;
      bundle.images.push_back(std::move(img));
    };
    for (const std::string& f : formats) {
      if (f == "opencl-c") {
        const std::string text = opencl_c_text(s);
        add(AHAL_MODULE_FORMAT_OPENCL_C, "", std::vector<uint8_t>(text.begin(), text.end()));
      } else if (f == "spirv-opencl") {
        add(AHAL_MODULE_FORMAT_SPIRV_OPENCL, "", bytes_of(build_spirv(s, o.tools, dir)));
      } else if (f == "ptx") {
        for (const std::string& arch : o.ptx_archs) {
          add(AHAL_MODULE_FORMAT_PTX, arch, bytes_of(build_ptx(s, kernels[i], arch, o.tools, dir)));
        }
      } else if (f == "hsaco") {
        for (const std::string& arch : o.hsaco_archs)
          add(AHAL_MODULE_FORMAT_HSACO, arch,
              bytes_of(build_hsaco(s, kernels[i], arch, o.tools, dir)));
      } else if (f == "cpu-so") {
        add(AHAL_MODULE_FORMAT_CPU_SO, cpu_target, bytes_of(cpu.build(s, kernels[i])));
      }
    }
  }
  for (const std::string& spec : o.images) add_prebuilt(spec, &bundle);
  write_bundle(bundle, o.output);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    Options o = parse(argc, argv);
    return compile(o);
  } catch (const Error& e) {
    std::fprintf(stderr, "ahal-kernelc: %s\n", e.what());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ahal-kernelc: internal error: %s\n", e.what());
  }
  return 1;
}
