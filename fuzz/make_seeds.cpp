// Writes the fuzzers' seed corpora (fuzz/corpus/<fuzzer>/): small valid
// inputs of each kind, so a fixed-time CI run starts deep in the parsers.
// Rebuild them with: build-fuzz/fuzz/fuzz_make_seeds fuzz/corpus
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "bundle_format.hpp"

namespace {

using Bytes = std::vector<uint8_t>;

void write(const std::string& dir, const std::string& name, const Bytes& bytes) {
  const std::string path = dir + "/" + name;
  FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) {
    std::perror(path.c_str());
    return;
  }
  std::fwrite(bytes.data(), 1, bytes.size(), f);
  std::fclose(f);
}

Bytes text(const std::string& s) { return Bytes(s.begin(), s.end()); }

Bytes with_prefix(uint8_t first, const Bytes& rest) {
  Bytes b{first};
  b.insert(b.end(), rest.begin(), rest.end());
  return b;
}

ahal::bundle::Image image(ahal_module_format_t format, const std::string& target,
                          const std::string& data, std::vector<ahal::bundle::Entry> entries = {}) {
  ahal::bundle::Image img;
  img.format = format;
  img.target = target;
  img.data.assign(data.begin(), data.end());
  img.entries = std::move(entries);
  return img;
}

std::vector<Bytes> bundles() {
  using ahal::bundle::Bundle;
  std::vector<Bytes> out;
  Bundle one;
  one.kernels = {{"k", 1, 4, 0}};
  one.images = {image(AHAL_MODULE_FORMAT_OPENCL_C, "", "kernel k write_index\n")};
  out.push_back(ahal::bundle::serialize(one));
  Bundle two;
  two.kernels = {{"add", 3, 4, 0}, {"index", 1, 4, 0}};
  two.images = {
      image(AHAL_MODULE_FORMAT_OPENCL_C, "hm1", "kernel add add_u32\n", {{0, "add"}}),
      image(AHAL_MODULE_FORMAT_OPENCL_C, "hm1", "kernel main write_index\n", {{1, "main"}}),
      image(AHAL_MODULE_FORMAT_CPU_SO, "x86_64",
            "\x7f"
            "ELF not really")};
  out.push_back(ahal::bundle::serialize(two));
  Bundle broken;
  broken.kernels = {{"bad", 0, 0, AHAL_KERNEL_USES_DYNAMIC_SHARED}};
  broken.images = {image(AHAL_MODULE_FORMAT_OPENCL_C, "", "#error no such thing\n")};
  out.push_back(ahal::bundle::serialize(broken));
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s CORPUS_ROOT\n", argv[0]);
    return 2;
  }
  const std::string root = argv[1];
  const std::vector<Bytes> b = bundles();
  for (size_t i = 0; i < b.size(); ++i) {
    write(root + "/bundle_fuzzer", "bundle" + std::to_string(i), b[i]);
    write(root + "/module_fuzzer", "bundle" + std::to_string(i), with_prefix(0, b[i]));
  }
  // Raw programs: [mode][count] names, (bindings, constants/4, flags) each, text.
  Bytes raw = {1, 2};
  for (const char* s : {"k", "j"}) {
    Bytes t = text(s);
    raw.insert(raw.end(), t.begin(), t.end());
    raw.push_back(0);
  }
  for (uint8_t v : {1, 1, 0, 3, 1, 0}) raw.push_back(v);
  Bytes program = text("kernel k write_index\nkernel j add_u32\n");
  raw.insert(raw.end(), program.begin(), program.end());
  write(root + "/module_fuzzer", "raw", raw);
  write(root + "/module_fuzzer", "raw_extra_name",
        with_prefix(3,
                    Bytes{1,   'k', 0,   1,   1,   0,   'z', 0,   'k', 'e', 'r', 'n', 'e', 'l', ' ',
                          'k', ' ', 'w', 'r', 'i', 't', 'e', '_', 'i', 'n', 'd', 'e', 'x', '\n'}));
  // Scripts for the scripted plugin: all zeros is a healthy plugin.
  write(root + "/plugin_fuzzer", "healthy", Bytes(64, 0));
  Bytes init_fails(64, 0);
  init_fails[1] = 210;  // plugin_init's status pick
  write(root + "/plugin_fuzzer", "init_fails", init_fails);
  Bytes lies(96, 0);
  lies[8] = 12;  // properties: 12 overwrites of random fields
  for (size_t i = 9; i < lies.size(); ++i) lies[i] = uint8_t(i * 37);
  write(root + "/plugin_fuzzer", "properties_lie", lies);
  Bytes many(64, 0);
  many[3] = 245;  // device_count: any count
  many[4] = 0xff;
  many[5] = 0x03;
  write(root + "/plugin_fuzzer", "many_devices", many);
  // Settings: fault spec, allowlist, AHAL_PLUGINS, selector, format name.
  const std::string digest(64, 'a');
  auto settings = [](std::vector<std::string> fields) {
    Bytes b = {0};  // with the hostmem plugin
    for (const std::string& f : fields) {
      b.insert(b.end(), f.begin(), f.end());
      b.push_back(0);
    }
    return b;
  };
  write(root + "/config_fuzzer", "plain", settings({"", "", "hostmem", "hostmem:0", "cpu-so"}));
  write(root + "/config_fuzzer", "faults",
        settings({"7:0.5:kinds=early,late,lost:only=ahal_stream_:after=0:max=3", "", "hostmem,x",
                  "0", "spirv-vulkan"}));
  write(root + "/config_fuzzer", "allowlist",
        settings({"", "# allowed\n" + digest + "  libahal_plugin_hostmem.so\n\n", "", "hostmem",
                  "bundle"}));
  write(root + "/config_fuzzer", "bad",
        settings({"x:2", "not a digest", ",,", "hostmem:x1", "nope"}));
  std::printf("seeds written under %s\n", root.c_str());
  return 0;
}
