// The spirv-opencl images of the standard-kernels bundle (built from
// kernels/opencl/*.cl by kernels/level_zero/images.cmake), checked without
// a device: every manifest kernel is a Kernel entry point of exactly one
// image that lists it, with the parameters of the OpenCL column of
// docs/kernel-abi.md: a CrossWorkgroup pointer per binding, the constants
// struct by value (a ByVal Function pointer to a struct of the manifest's
// size), then a Workgroup pointer for dynamic shared memory.
// Exits 77 (skipped) when the bundle has no spirv-opencl images.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include "bundle_format.hpp"

#include <cstdio>
#include <cstring>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

// SPIR-V opcodes, enumerants and decorations used here (SPIR-V spec 1.0).
constexpr uint32_t kMagic = 0x07230203;
constexpr uint32_t kOpCapability = 17, kOpEntryPoint = 15, kOpTypeInt = 21, kOpTypeFloat = 22,
                   kOpTypeStruct = 30, kOpTypePointer = 32, kOpFunction = 54,
                   kOpFunctionParameter = 55, kOpDecorate = 71;
constexpr uint32_t kExecutionModelKernel = 6;
constexpr uint32_t kCapabilityFloat64 = 10;
constexpr uint32_t kStorageWorkgroup = 4, kStorageCrossWorkgroup = 5, kStorageFunction = 7;
constexpr uint32_t kDecorationFuncParamAttr = 38, kParamAttrByVal = 2;

struct Module {
  std::set<uint32_t> capabilities;
  std::map<std::string, uint32_t> entry_points;                // Kernel entry name -> function id
  std::map<uint32_t, std::vector<uint32_t>> params;            // function id -> parameter ids
  std::map<uint32_t, uint32_t> type_of;                        // parameter id -> type id
  std::map<uint32_t, std::pair<uint32_t, uint32_t>> pointers;  // id -> (storage, pointee)
  std::map<uint32_t, uint32_t> scalar_bytes;                   // int/float type id -> bytes
  std::map<uint32_t, std::vector<uint32_t>> structs;           // id -> member types
  std::set<uint32_t> byval;                                    // ids decorated ByVal
};

// The (string) literal starting at words[i]; advances i past it.
std::string literal_string(const std::vector<uint32_t>& words, size_t* i, size_t end) {
  std::string s;
  for (; *i < end; ++*i) {
    for (int b = 0; b < 4; ++b) {
      char c = static_cast<char>((words[*i] >> (8 * b)) & 0xff);
      if (c == '\0') {
        ++*i;
        return s;
      }
      s += c;
    }
  }
  throw std::runtime_error("unterminated string literal");
}

Module parse(const std::vector<uint8_t>& bytes) {
  if (bytes.size() % 4 != 0 || bytes.size() < 20) throw std::runtime_error("not SPIR-V words");
  std::vector<uint32_t> w(bytes.size() / 4);
  std::memcpy(w.data(), bytes.data(), bytes.size());
  if (w[0] != kMagic) throw std::runtime_error("bad SPIR-V magic");
  Module m;
  uint32_t current_function = 0;
  for (size_t at = 5; at < w.size();) {
    const uint32_t count = w[at] >> 16, op = w[at] & 0xffff;
    if (count == 0 || at + count > w.size()) throw std::runtime_error("bad instruction length");
    const size_t end = at + count;
    switch (op) {
      case kOpCapability:
        m.capabilities.insert(w[at + 1]);
        break;
      case kOpEntryPoint:
        if (w[at + 1] == kExecutionModelKernel) {
          size_t i = at + 3;
          m.entry_points[literal_string(w, &i, end)] = w[at + 2];
        }
        break;
      case kOpTypeInt:
      case kOpTypeFloat:
        m.scalar_bytes[w[at + 1]] = w[at + 2] / 8;
        break;
      case kOpTypeStruct:
        m.structs[w[at + 1]].assign(w.begin() + at + 2, w.begin() + end);
        break;
      case kOpTypePointer:
        m.pointers[w[at + 1]] = {w[at + 2], w[at + 3]};
        break;
      case kOpFunction:
        current_function = w[at + 2];
        m.params[current_function];
        break;
      case kOpFunctionParameter:
        m.params[current_function].push_back(w[at + 2]);
        m.type_of[w[at + 2]] = w[at + 1];
        break;
      case kOpDecorate:
        if (count >= 4 && w[at + 2] == kDecorationFuncParamAttr && w[at + 3] == kParamAttrByVal)
          m.byval.insert(w[at + 1]);
        break;
      default:
        break;
    }
    at = end;
  }
  return m;
}

// C layout size of a struct of scalars (natural alignment, padded to the
// largest member), as docs/kernel-abi.md defines constants.
uint32_t struct_bytes(const Module& m, uint32_t type) {
  uint32_t size = 0, align = 1;
  for (uint32_t member : m.structs.at(type)) {
    uint32_t bytes = m.scalar_bytes.at(member);
    size = (size + bytes - 1) / bytes * bytes + bytes;
    align = std::max(align, bytes);
  }
  return (size + align - 1) / align * align;
}

ahal::bundle::Bundle g_bundle;

std::vector<const ahal::bundle::Image*> spirv_images() {
  std::vector<const ahal::bundle::Image*> out;
  for (const auto& img : g_bundle.images)
    if (img.format == AHAL_MODULE_FORMAT_SPIRV_OPENCL) out.push_back(&img);
  return out;
}

}  // namespace

TEST_CASE("every manifest kernel is in exactly one spirv-opencl image that lists it") {
  for (const auto& k : g_bundle.kernels) {
    INFO(k.name);
    int listed = 0;
    for (const auto* img : spirv_images()) {
      for (const auto& e : img->entries) {
        if (g_bundle.kernels.at(e.kernel_index).name != k.name) continue;
        ++listed;
        REQUIRE(e.symbol == k.name);
        REQUIRE(parse(img->data).entry_points.count(k.name) == 1);
      }
    }
    REQUIRE(listed == 1);
  }
}

TEST_CASE("spirv-opencl kernels take the kernel-abi arguments") {
  for (const auto* img : spirv_images()) {
    Module m = parse(img->data);
    for (const auto& e : img->entries) {
      const auto& k = g_bundle.kernels.at(e.kernel_index);
      INFO(k.name);
      const std::vector<uint32_t>& params = m.params.at(m.entry_points.at(e.symbol));
      const bool dynamic = (k.flags & AHAL_KERNEL_USES_DYNAMIC_SHARED) != 0;
      REQUIRE(params.size() == k.binding_count + (k.constants_size > 0) + (dynamic ? 1 : 0));
      size_t i = 0;
      for (; i < k.binding_count; ++i)
        REQUIRE(m.pointers.at(m.type_of.at(params[i])).first == kStorageCrossWorkgroup);
      if (k.constants_size > 0) {
        auto [storage, pointee] = m.pointers.at(m.type_of.at(params[i]));
        REQUIRE(storage == kStorageFunction);
        REQUIRE(m.byval.count(params[i]) == 1);
        REQUIRE(struct_bytes(m, pointee) == k.constants_size);
        ++i;
      }
      if (dynamic) REQUIRE(m.pointers.at(m.type_of.at(params[i])).first == kStorageWorkgroup);
    }
  }
}

TEST_CASE("only the image with fp64 kernels needs Float64") {
  for (const auto* img : spirv_images()) {
    bool has_fp64_kernel = false;
    for (const auto& e : img->entries) {
      const std::string& name = g_bundle.kernels.at(e.kernel_index).name;
      has_fp64_kernel |= name == "fma_f64" || name.rfind("stream_", 0) == 0;
    }
    INFO("image with " << img->entries.size() << " kernels");
    REQUIRE(parse(img->data).capabilities.count(kCapabilityFloat64) == (has_fp64_kernel ? 1u : 0u));
  }
}

int main(int argc, char** argv) {
  std::string error;
  if (!ahal::bundle::read_file(AHAL_TEST_BUNDLE_FILE, &g_bundle, &error)) {
    std::printf("cannot read %s: %s\n", AHAL_TEST_BUNDLE_FILE, error.c_str());
    return 1;
  }
  if (spirv_images().empty()) {
    std::printf(
        "SKIP: the bundle has no spirv-opencl images (clang-14, llvm-spirv-14 or "
        "spirv-val missing at configure time)\n");
    return 77;
  }
  return Catch::Session().run(argc, argv);
}
