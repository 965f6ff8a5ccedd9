// The HIP (hsaco) images of the standard-kernels bundle, checked without a
// GPU: each is an AMDGPU code object for its bundle target, and its
// metadata (the NT_AMDGPU_METADATA note, MessagePack) gives every manifest
// kernel the parameters docs/kernel-abi.md fixes: one global pointer per
// binding, then the constants struct by value when there are constants.
// Exits 77 (skipped) when the bundle has no hsaco images (no hipcc).
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include "bundle_format.hpp"

#include <elf.h>

#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

// A MessagePack value: enough of the format for AMDGPU metadata.
struct Value {
  enum Kind { kNil, kBool, kInt, kString, kArray, kMap } kind = kNil;
  int64_t integer = 0;
  std::string text;
  std::vector<Value> items;              // array
  std::map<std::string, Value> entries;  // map (string keys)

  const Value& at(const std::string& key) const {
    auto found = entries.find(key);
    if (kind != kMap || found == entries.end()) throw std::runtime_error("no key " + key);
    return found->second;
  }
  bool has(const std::string& key) const { return kind == kMap && entries.count(key) > 0; }
};

class MsgPackReader {
 public:
  MsgPackReader(const uint8_t* data, size_t size) : p_(data), end_(data + size) {}

  Value read() {
    uint8_t tag = byte();
    Value v;
    if (tag <= 0x7f || tag >= 0xe0) {  // positive / negative fixint
      v.kind = Value::kInt;
      v.integer = static_cast<int8_t>(tag);
      if (tag <= 0x7f) v.integer = tag;
    } else if ((tag & 0xf0) == 0x80) {
      read_map(tag & 0x0f, &v);
    } else if ((tag & 0xf0) == 0x90) {
      read_array(tag & 0x0f, &v);
    } else if ((tag & 0xe0) == 0xa0) {
      read_string(tag & 0x1f, &v);
    } else {
      switch (tag) {
        case 0xc0:
          break;
        case 0xc2:
        case 0xc3:
          v.kind = Value::kBool;
          v.integer = tag == 0xc3;
          break;
        case 0xcc:
          v.kind = Value::kInt;
          v.integer = static_cast<int64_t>(uint_be(1));
          break;
        case 0xcd:
          v.kind = Value::kInt;
          v.integer = static_cast<int64_t>(uint_be(2));
          break;
        case 0xce:
          v.kind = Value::kInt;
          v.integer = static_cast<int64_t>(uint_be(4));
          break;
        case 0xcf:
          v.kind = Value::kInt;
          v.integer = static_cast<int64_t>(uint_be(8));
          break;
        case 0xd0:
          v.kind = Value::kInt;
          v.integer = static_cast<int8_t>(uint_be(1));
          break;
        case 0xd1:
          v.kind = Value::kInt;
          v.integer = static_cast<int16_t>(uint_be(2));
          break;
        case 0xd2:
          v.kind = Value::kInt;
          v.integer = static_cast<int32_t>(uint_be(4));
          break;
        case 0xd3:
          v.kind = Value::kInt;
          v.integer = static_cast<int64_t>(uint_be(8));
          break;
        case 0xd9:
          read_string(uint_be(1), &v);
          break;
        case 0xda:
          read_string(uint_be(2), &v);
          break;
        case 0xdb:
          read_string(uint_be(4), &v);
          break;
        case 0xdc:
          read_array(uint_be(2), &v);
          break;
        case 0xdd:
          read_array(uint_be(4), &v);
          break;
        case 0xde:
          read_map(uint_be(2), &v);
          break;
        case 0xdf:
          read_map(uint_be(4), &v);
          break;
        default: {
          char buf[64];
          std::snprintf(buf, sizeof(buf), "unexpected MessagePack tag 0x%02x", tag);
          throw std::runtime_error(buf);
        }
      }
    }
    return v;
  }

 private:
  uint8_t byte() {
    if (p_ >= end_) throw std::runtime_error("MessagePack data ends early");
    return *p_++;
  }
  uint64_t uint_be(int n) {
    uint64_t v = 0;
    for (int i = 0; i < n; ++i) v = (v << 8) | byte();
    return v;
  }
  void read_string(uint64_t n, Value* v) {
    if (static_cast<uint64_t>(end_ - p_) < n) throw std::runtime_error("string past the end");
    v->kind = Value::kString;
    v->text.assign(reinterpret_cast<const char*>(p_), n);
    p_ += n;
  }
  void read_array(uint64_t n, Value* v) {
    v->kind = Value::kArray;
    for (uint64_t i = 0; i < n; ++i) v->items.push_back(read());
  }
  void read_map(uint64_t n, Value* v) {
    v->kind = Value::kMap;
    for (uint64_t i = 0; i < n; ++i) {
      Value key = read();
      if (key.kind != Value::kString) throw std::runtime_error("non-string map key");
      v->entries[key.text] = read();
    }
  }

  const uint8_t* p_;
  const uint8_t* end_;
};

// The AMDGPU metadata note of a code object.
Value amdgpu_metadata(const std::vector<uint8_t>& elf) {
  auto read = [&](uint64_t offset, void* out, size_t size) {
    if (offset + size > elf.size()) throw std::runtime_error("truncated code object");
    std::memcpy(out, elf.data() + offset, size);
  };
  Elf64_Ehdr eh;
  read(0, &eh, sizeof(eh));
  for (uint16_t i = 0; i < eh.e_phnum; ++i) {
    Elf64_Phdr ph;
    read(eh.e_phoff + uint64_t{i} * eh.e_phentsize, &ph, sizeof(ph));
    if (ph.p_type != PT_NOTE) continue;
    uint64_t off = ph.p_offset, end = ph.p_offset + ph.p_filesz;
    while (off + sizeof(Elf64_Nhdr) <= end) {
      Elf64_Nhdr nh;
      read(off, &nh, sizeof(nh));
      uint64_t name_off = off + sizeof(nh);
      uint64_t desc_off = name_off + ((nh.n_namesz + 3) & ~3u);
      std::string name(reinterpret_cast<const char*>(elf.data() + name_off),
                       nh.n_namesz ? nh.n_namesz - 1 : 0);
      constexpr uint32_t kNtAmdgpuMetadata = 32;
      if (name == "AMDGPU" && nh.n_type == kNtAmdgpuMetadata) {
        if (desc_off + nh.n_descsz > elf.size()) throw std::runtime_error("truncated note");
        return MsgPackReader(elf.data() + desc_off, nh.n_descsz).read();
      }
      off = desc_off + ((nh.n_descsz + 3) & ~3u);
    }
  }
  throw std::runtime_error("no NT_AMDGPU_METADATA note");
}

ahal::bundle::Bundle g_bundle;

std::vector<const ahal::bundle::Image*> hsaco_images() {
  std::vector<const ahal::bundle::Image*> out;
  for (const auto& img : g_bundle.images)
    if (img.format == AHAL_MODULE_FORMAT_HSACO) out.push_back(&img);
  return out;
}

}  // namespace

TEST_CASE("each hsaco image is an AMDGPU code object for its target") {
  for (const auto* img : hsaco_images()) {
    INFO("target " << img->target);
    REQUIRE(img->data.size() > sizeof(Elf64_Ehdr));
    Elf64_Ehdr eh;
    std::memcpy(&eh, img->data.data(), sizeof(eh));
    REQUIRE(std::memcmp(eh.e_ident, ELFMAG, SELFMAG) == 0);
    REQUIRE(eh.e_machine == 224);         // EM_AMDGPU
    REQUIRE(eh.e_ident[EI_OSABI] == 64);  // ELFOSABI_AMDGPU_HSA
    Value meta = amdgpu_metadata(img->data);
    // "amdgcn-amd-amdhsa--gfx90a" (features, if any, follow with ':').
    std::string target = meta.at("amdhsa.target").text;
    REQUIRE(target.rfind("amdgcn-amd-amdhsa--" + img->target, 0) == 0);
  }
}

TEST_CASE("each kernel of an hsaco image has the kernel-abi parameters") {
  for (const auto* img : hsaco_images()) {
    Value meta = amdgpu_metadata(img->data);
    const Value& kernels = meta.at("amdhsa.kernels");
    REQUIRE(kernels.kind == Value::kArray);
    // The kernels the image lists (docs/bundle.md), or all of them.
    std::vector<ahal::bundle::Kernel> listed;
    for (const auto& e : img->entries) listed.push_back(g_bundle.kernels[e.kernel_index]);
    if (img->entries.empty()) listed = g_bundle.kernels;
    for (const auto& k : listed) {
      INFO("target " << img->target << ", kernel " << k.name);
      const Value* found = nullptr;
      for (const Value& v : kernels.items)
        if (v.at(".name").text == k.name) found = &v;
      REQUIRE(found);
      REQUIRE(found->at(".symbol").text == k.name + ".kd");
      // Hidden arguments (value kinds hidden_*) come after the real ones.
      std::vector<const Value*> args;
      if (found->has(".args"))
        for (const Value& a : found->at(".args").items)
          if (a.at(".value_kind").text.rfind("hidden_", 0) != 0) args.push_back(&a);
      const size_t expected = k.binding_count + (k.constants_size > 0 ? 1 : 0);
      REQUIRE(args.size() == expected);
      for (uint32_t i = 0; i < k.binding_count; ++i) {
        REQUIRE(args[i]->at(".value_kind").text == "global_buffer");
        REQUIRE(args[i]->at(".size").integer == 8);
      }
      if (k.constants_size > 0) {
        REQUIRE(args.back()->at(".value_kind").text == "by_value");
        REQUIRE(args.back()->at(".size").integer == k.constants_size);
      }
      if (k.name == "reverse_shared" || k.name == "stream_dot")
        REQUIRE(found->at(".group_segment_fixed_size").integer >= 1024);
      if (k.name == "reverse_dynamic") REQUIRE(found->at(".group_segment_fixed_size").integer == 0);
    }
  }
}

int main(int argc, char** argv) {
  std::string error;
  if (!ahal::bundle::read_file(AHAL_TEST_BUNDLE_FILE, &g_bundle, &error)) {
    std::printf("cannot read %s: %s\n", AHAL_TEST_BUNDLE_FILE, error.c_str());
    return 1;
  }
  if (hsaco_images().empty()) {
    std::printf("SKIP: the bundle has no hsaco images (hipcc was not found at configure time)\n");
    return 77;
  }
  return Catch::Session().run(argc, argv);
}
