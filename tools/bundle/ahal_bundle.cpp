// ahal-bundle: packs kernel images into an ahal bundle and lists bundles
// (docs/bundle.md).
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "bundle_format.hpp"

namespace {

using ahal::bundle::Bundle;

const char kUsage[] =
    "usage: ahal-bundle pack -o OUT.ahalb --manifest FILE [--image SPEC]...\n"
    "       ahal-bundle list FILE.ahalb\n"
    "SPEC is FORMAT[@TARGET]:FILE[:KERNEL=ENTRY,...]; a KERNEL without =ENTRY\n"
    "uses its own name. Manifest lines: kernel <name> bindings=<n> constants=<bytes> "
    "[dynamic_shared]\n";

[[noreturn]] void die(const std::string& message, int status = 1) {
  std::fprintf(stderr, "ahal-bundle: %s\n", message.c_str());
  std::exit(status);
}

bool parse_u32(const std::string& text, uint32_t* out) {
  if (text.empty() || text.size() > 10) return false;
  uint64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + uint64_t(c - '0');
  }
  if (v > UINT32_MAX) return false;
  *out = uint32_t(v);
  return true;
}

std::vector<uint8_t> read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) die("cannot open " + path + ": " + std::strerror(errno));
  return std::vector<uint8_t>((std::istreambuf_iterator<char>(in)),
                              std::istreambuf_iterator<char>());
}

void read_manifest(const std::string& path, Bundle* b) {
  std::ifstream in(path);
  if (!in) die("cannot open manifest " + path + ": " + std::strerror(errno));
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    const std::string where = path + ":" + std::to_string(number) + ": ";
    if (const size_t hash = line.find('#'); hash != std::string::npos) line.erase(hash);
    std::istringstream words(line);
    std::string word;
    if (!(words >> word)) continue;
    if (word != "kernel") die(where + "expected \"kernel\", got \"" + word + "\"");
    ahal::bundle::Kernel k;
    if (!(words >> k.name)) die(where + "kernel has no name");
    if (ahal::bundle::find_kernel(*b, k.name) >= 0)
      die(where + "kernel " + k.name + " appears twice");
    bool bindings = false, constants = false;
    while (words >> word) {
      if (word.rfind("bindings=", 0) == 0 && parse_u32(word.substr(9), &k.binding_count)) {
        bindings = true;
      } else if (word.rfind("constants=", 0) == 0 &&
                 parse_u32(word.substr(10), &k.constants_size)) {
        constants = true;
      } else if (word == "dynamic_shared") {
        k.flags |= AHAL_KERNEL_USES_DYNAMIC_SHARED;
      } else {
        die(where + "unknown or malformed attribute \"" + word + "\"");
      }
    }
    if (!bindings || !constants)
      die(where + "kernel " + k.name + " needs bindings= and constants=");
    if (k.binding_count > AHAL_MAX_BINDINGS)
      die(where + "bindings exceeds " + std::to_string(AHAL_MAX_BINDINGS));
    if (k.constants_size > AHAL_MAX_CONSTANTS_SIZE)
      die(where + "constants exceeds " + std::to_string(AHAL_MAX_CONSTANTS_SIZE));
    b->kernels.push_back(k);
  }
}

// FORMAT[@TARGET]:FILE[:KERNEL=ENTRY,...]
void add_image(const std::string& spec, Bundle* b) {
  const size_t colon = spec.find(':');
  if (colon == std::string::npos) die("--image " + spec + ": expected FORMAT[@TARGET]:FILE");
  std::string head = spec.substr(0, colon), rest = spec.substr(colon + 1);
  ahal::bundle::Image img;
  if (const size_t at = head.find('@'); at != std::string::npos) {
    img.target = head.substr(at + 1);
    head.erase(at);
  }
  img.format = ahal::bundle::parse_format(head);
  if (!ahal::bundle::is_image_format(img.format))
    die("--image " + spec + ": unknown format \"" + head + "\"");
  std::string file = rest, map;
  // The last ":" starts a kernel map, unless the whole rest names a file.
  std::error_code ec;
  if (const size_t last = rest.rfind(':'); last != std::string::npos &&
                                           rest.find('/', last) == std::string::npos &&
                                           !std::filesystem::exists(rest, ec)) {
    file = rest.substr(0, last);
    map = rest.substr(last + 1);
  }
  if (file.empty()) die("--image " + spec + ": no file");
  std::istringstream items(map);
  std::string item;
  while (std::getline(items, item, ',')) {
    if (item.empty()) continue;
    const size_t eq = item.find('=');
    const std::string kernel = item.substr(0, eq);
    const std::string entry = eq == std::string::npos ? kernel : item.substr(eq + 1);
    const int index = ahal::bundle::find_kernel(*b, kernel);
    if (index < 0) die("--image " + spec + ": kernel \"" + kernel + "\" is not in the manifest");
    if (entry.empty()) die("--image " + spec + ": kernel \"" + kernel + "\" has an empty entry");
    for (const auto& e : img.entries)
      if (e.kernel_index == uint32_t(index))
        die("--image " + spec + ": kernel \"" + kernel + "\" twice");
    img.entries.push_back({uint32_t(index), entry});
  }
  img.data = read_bytes(file);
  if (img.data.empty()) die("--image " + spec + ": " + file + " is empty");
  b->images.push_back(std::move(img));
}

int pack(int argc, char** argv) {
  std::string out, manifest;
  std::vector<std::string> specs;
  for (int i = 2; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) die(arg + " needs a value\n" + kUsage, 2);
      return argv[++i];
    };
    if (arg == "-o" || arg == "--output")
      out = value();
    else if (arg == "--manifest")
      manifest = value();
    else if (arg == "--image")
      specs.push_back(value());
    else
      die("unknown argument " + arg + "\n" + kUsage, 2);
  }
  if (out.empty() || manifest.empty())
    die(std::string("pack needs -o and --manifest\n") + kUsage, 2);
  Bundle b;
  read_manifest(manifest, &b);
  for (const std::string& spec : specs) add_image(spec, &b);
  const std::vector<uint8_t> bytes = ahal::bundle::serialize(b);
  std::string error;
  Bundle check;
  if (!ahal::bundle::parse(bytes.data(), bytes.size(), &check, &error))
    die("internal error: " + error);
  const std::string tmp = out + ".tmp";
  std::error_code ec;
  const std::filesystem::path parent = std::filesystem::path(out).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  {
    std::ofstream file(tmp, std::ios::binary | std::ios::trunc);
    file.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
    if (!file) die("cannot write " + tmp + ": " + std::strerror(errno));
  }
  if (std::rename(tmp.c_str(), out.c_str()) != 0) die("cannot rename " + tmp + " to " + out);
  return 0;
}

int list(const std::string& path) {
  Bundle b;
  std::string error;
  if (!ahal::bundle::read_file(path, &b, &error)) die(error);
  std::printf("%zu kernels:\n", b.kernels.size());
  for (const auto& k : b.kernels)
    std::printf("  %-20s bindings=%u constants=%u%s\n", k.name.c_str(), k.binding_count,
                k.constants_size,
                (k.flags & AHAL_KERNEL_USES_DYNAMIC_SHARED) ? " dynamic_shared" : "");
  std::printf("%zu images:\n", b.images.size());
  for (const auto& img : b.images) {
    std::printf("  %s%s%s  %zu bytes", ahal::bundle::format_name(img.format),
                img.target.empty() ? "" : "@", img.target.c_str(), img.data.size());
    if (img.entries.empty()) {
      std::printf("  all kernels\n");
      continue;
    }
    std::printf("  kernels:");
    for (const auto& e : img.entries) {
      const std::string& name = b.kernels[e.kernel_index].name;
      std::printf(" %s", name.c_str());
      if (e.symbol != name) std::printf("=%s", e.symbol.c_str());
    }
    std::printf("\n");
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 2 && std::strcmp(argv[1], "pack") == 0) return pack(argc, argv);
  if (argc == 3 && std::strcmp(argv[1], "list") == 0) return list(argv[2]);
  if (argc >= 2 && (std::strcmp(argv[1], "-h") == 0 || std::strcmp(argv[1], "--help") == 0)) {
    std::fputs(kUsage, stdout);
    return 0;
  }
  if (argc >= 2 && std::strcmp(argv[1], "list") != 0)
    std::fprintf(stderr, "ahal-bundle: unknown command %s\n", argv[1]);
  else if (argc >= 2)
    std::fprintf(stderr, "ahal-bundle: list takes one bundle file\n");
  std::fputs(kUsage, stderr);
  return 2;
}
