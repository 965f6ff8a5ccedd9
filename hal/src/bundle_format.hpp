// Reader and writer of the ahal bundle format (docs/bundle.md). Shared by
// libahal, ahal-bundle, the tests and the fuzzer; not part of the public API.
#pragma once

#include <ahal/ahal.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace ahal::bundle {

struct Kernel {
  std::string name;
  uint32_t binding_count = 0;
  uint32_t constants_size = 0;
  uint32_t flags = 0;  // ahal_kernel_flags_t
};

struct Entry {
  uint32_t kernel_index = 0;
  std::string symbol;
};

struct Image {
  ahal_module_format_t format = AHAL_MODULE_FORMAT_UNKNOWN;
  std::string target;  // "" = any
  std::vector<uint8_t> data;
  std::vector<Entry> entries;  // empty = all kernels, symbol = name
};

struct Bundle {
  std::vector<Kernel> kernels;
  std::vector<Image> images;
};

// Checks every field against the data; on failure returns false and sets
// *error to a message naming the bad field ("image 2: data_offset ...").
bool parse(const void* data, size_t size, Bundle* out, std::string* error);
bool read_file(const std::string& path, Bundle* out, std::string* error);
std::vector<uint8_t> serialize(const Bundle& b);
// The first image of `format` that holds `kernel` (by listing it, or by
// having no list while the bundle has the kernel); nullptr if none.
const Image* find_image(const Bundle& b, ahal_module_format_t format, const std::string& kernel);

// Index of the kernel named `name`, or -1.
int find_kernel(const Bundle& b, const std::string& name);
// True if `format` is a real image format (not UNKNOWN or BUNDLE).
bool is_image_format(uint32_t format);
// Canonical names ("cpu-so", "spirv-vulkan", "bundle"); nullptr if unknown.
// libahal's ahal_module_format_name/parse use the same table.
const char* format_name(uint32_t format);
// Inverse of format_name; AHAL_MODULE_FORMAT_UNKNOWN if unknown.
ahal_module_format_t parse_format(const std::string& name);

}  // namespace ahal::bundle
