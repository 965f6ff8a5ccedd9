#include "bundle_format.hpp"

#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <set>

namespace ahal::bundle {
namespace {

constexpr char kMagic[8] = {'A', 'H', 'A', 'L', 'B', 'N', 'D', 'L'};
constexpr uint32_t kVersion = 1;
constexpr uint64_t kHeaderSize = 64;
constexpr uint64_t kKernelRecord = 16;
constexpr uint64_t kImageRecord = 32;
constexpr uint64_t kEntryRecord = 8;
constexpr uint64_t kDataAlignment = 16;
constexpr uint32_t kKnownKernelFlags = AHAL_KERNEL_USES_DYNAMIC_SHARED;

struct FormatName {
  ahal_module_format_t format;
  const char* name;
};
constexpr FormatName kFormatNames[] = {
    {AHAL_MODULE_FORMAT_CPU_SO, "cpu-so"},
    {AHAL_MODULE_FORMAT_OPENCL_C, "opencl-c"},
    {AHAL_MODULE_FORMAT_SPIRV_OPENCL, "spirv-opencl"},
    {AHAL_MODULE_FORMAT_SPIRV_VULKAN, "spirv-vulkan"},
    {AHAL_MODULE_FORMAT_PTX, "ptx"},
    {AHAL_MODULE_FORMAT_CUBIN, "cubin"},
    {AHAL_MODULE_FORMAT_FATBIN, "fatbin"},
    {AHAL_MODULE_FORMAT_HSACO, "hsaco"},
    {AHAL_MODULE_FORMAT_HIP_FATBIN, "hip-fatbin"},
    {AHAL_MODULE_FORMAT_ZE_NATIVE, "ze-native"},
    {AHAL_MODULE_FORMAT_BUNDLE, "bundle"},
};

uint32_t load_u32(const uint8_t* p) {
  return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
}
uint64_t load_u64(const uint8_t* p) {
  return uint64_t(load_u32(p)) | uint64_t(load_u32(p + 4)) << 32;
}

void store_u32(std::vector<uint8_t>& out, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) out[at + i] = uint8_t(v >> (8 * i));
}
void store_u64(std::vector<uint8_t>& out, size_t at, uint64_t v) {
  store_u32(out, at, uint32_t(v));
  store_u32(out, at + 4, uint32_t(v >> 32));
}

std::string format_message(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
std::string format_message(const char* fmt, ...) {
  char buf[512];
  va_list ap;
  va_start(ap, fmt);
  std::vsnprintf(buf, sizeof(buf), fmt, ap);
  va_end(ap);
  return buf;
}

// The string table: every string offset must land inside it, and the
// table ends with NUL, so every string found through it is terminated.
class Strings {
 public:
  Strings(const uint8_t* data, uint64_t size) : data_(data), size_(size) {}
  bool get(uint32_t offset, std::string* out) const {
    if (offset >= size_) return false;
    *out = reinterpret_cast<const char*>(data_ + offset);
    return true;
  }

 private:
  const uint8_t* data_;
  uint64_t size_;
};

bool fail(std::string* error, std::string message) {
  if (error) *error = std::move(message);
  return false;
}

}  // namespace

bool is_image_format(uint32_t format) {
  return format >= AHAL_MODULE_FORMAT_CPU_SO && format <= AHAL_MODULE_FORMAT_ZE_NATIVE;
}

const char* format_name(uint32_t format) {
  for (const FormatName& f : kFormatNames)
    if (uint32_t(f.format) == format) return f.name;
  return nullptr;
}

ahal_module_format_t parse_format(const std::string& name) {
  for (const FormatName& f : kFormatNames)
    if (name == f.name) return f.format;
  return AHAL_MODULE_FORMAT_UNKNOWN;
}

bool parse(const void* data, size_t size, Bundle* out, std::string* error) {
  if (!data) return fail(error, "bundle data is NULL");
  const auto* p = static_cast<const uint8_t*>(data);
  const uint64_t file_size = size;
  if (file_size < kHeaderSize)
    return fail(error,
                format_message("file size %llu is smaller than the %llu-byte header",
                               (unsigned long long)file_size, (unsigned long long)kHeaderSize));
  if (std::memcmp(p, kMagic, sizeof(kMagic)) != 0)
    return fail(error, "magic is not \"AHALBNDL\" (not an ahal bundle)");
  const uint32_t version = load_u32(p + 8);
  if (version != kVersion)
    return fail(error, format_message("version %u is not supported (this reader takes %u)", version,
                                      kVersion));
  const uint32_t kernel_count = load_u32(p + 12);
  const uint32_t image_count = load_u32(p + 16);
  const uint32_t entry_count = load_u32(p + 20);
  const uint64_t strings_offset = load_u64(p + 24);
  const uint64_t strings_size = load_u64(p + 32);
  const uint64_t declared_size = load_u64(p + 40);
  if (declared_size != file_size)
    return fail(error,
                format_message("file_size %llu does not match the real size %llu",
                               (unsigned long long)declared_size, (unsigned long long)file_size));
  // Counts are 32-bit, so these sums cannot overflow 64 bits.
  const uint64_t kernels_at = kHeaderSize;
  const uint64_t images_at = kernels_at + kKernelRecord * kernel_count;
  const uint64_t entries_at = images_at + kImageRecord * image_count;
  const uint64_t tables_end = entries_at + kEntryRecord * entry_count;
  if (images_at > file_size)
    return fail(error, format_message("kernel_count %u: kernel table runs past the file end",
                                      kernel_count));
  if (entries_at > file_size)
    return fail(error,
                format_message("image_count %u: image table runs past the file end", image_count));
  if (tables_end > file_size)
    return fail(error,
                format_message("entry_count %u: entry table runs past the file end", entry_count));
  if (strings_offset < tables_end || strings_offset > file_size)
    return fail(error,
                format_message("strings_offset %llu is outside %llu..%llu",
                               (unsigned long long)strings_offset, (unsigned long long)tables_end,
                               (unsigned long long)file_size));
  if (strings_size > file_size - strings_offset)
    return fail(error,
                format_message("strings_offset %llu + strings_size %llu exceeds file size %llu",
                               (unsigned long long)strings_offset, (unsigned long long)strings_size,
                               (unsigned long long)file_size));
  if (strings_size > 0 && p[strings_offset + strings_size - 1] != 0)
    return fail(error, "strings_size: the string table does not end with NUL");
  const Strings strings(p + strings_offset, strings_size);

  Bundle b;
  b.kernels.resize(kernel_count);
  std::set<std::string> names;
  for (uint32_t i = 0; i < kernel_count; ++i) {
    const uint8_t* r = p + kernels_at + kKernelRecord * i;
    Kernel& k = b.kernels[i];
    if (!strings.get(load_u32(r), &k.name))
      return fail(error, format_message("kernel %u: name offset %u is outside the string table", i,
                                        load_u32(r)));
    if (k.name.empty()) return fail(error, format_message("kernel %u: name is empty", i));
    if (!names.insert(k.name).second)
      return fail(error, format_message("kernel %u: name \"%s\" appears twice", i, k.name.c_str()));
    k.binding_count = load_u32(r + 4);
    k.constants_size = load_u32(r + 8);
    k.flags = load_u32(r + 12);
    if (k.binding_count > AHAL_MAX_BINDINGS)
      return fail(error, format_message("kernel %u (%s): binding_count %u exceeds %u", i,
                                        k.name.c_str(), k.binding_count, AHAL_MAX_BINDINGS));
    if (k.constants_size > AHAL_MAX_CONSTANTS_SIZE)
      return fail(error, format_message("kernel %u (%s): constants_size %u exceeds %u", i,
                                        k.name.c_str(), k.constants_size, AHAL_MAX_CONSTANTS_SIZE));
    if (k.flags & ~kKnownKernelFlags)
      return fail(error, format_message("kernel %u (%s): flags 0x%x has unknown bits", i,
                                        k.name.c_str(), k.flags));
  }

  std::vector<Entry> entries(entry_count);
  for (uint32_t i = 0; i < entry_count; ++i) {
    const uint8_t* r = p + entries_at + kEntryRecord * i;
    Entry& e = entries[i];
    e.kernel_index = load_u32(r);
    if (e.kernel_index >= kernel_count)
      return fail(error, format_message("entry %u: kernel_index %u is not below kernel_count %u", i,
                                        e.kernel_index, kernel_count));
    if (!strings.get(load_u32(r + 4), &e.symbol))
      return fail(error, format_message("entry %u: symbol offset %u is outside the string table", i,
                                        load_u32(r + 4)));
    if (e.symbol.empty()) return fail(error, format_message("entry %u: symbol is empty", i));
  }

  b.images.resize(image_count);
  for (uint32_t i = 0; i < image_count; ++i) {
    const uint8_t* r = p + images_at + kImageRecord * i;
    Image& img = b.images[i];
    const uint32_t format = load_u32(r);
    if (!is_image_format(format))
      return fail(error, format_message("image %u: format %u is not an image format", i, format));
    img.format = static_cast<ahal_module_format_t>(format);
    if (!strings.get(load_u32(r + 4), &img.target))
      return fail(error, format_message("image %u: target offset %u is outside the string table", i,
                                        load_u32(r + 4)));
    const uint64_t data_offset = load_u64(r + 8);
    const uint64_t data_size = load_u64(r + 16);
    if (data_size == 0) return fail(error, format_message("image %u: data_size is 0", i));
    if (data_offset > file_size || data_size > file_size - data_offset)
      return fail(error, format_message(
                             "image %u: data_offset %llu + data_size %llu exceeds file size %llu",
                             i, (unsigned long long)data_offset, (unsigned long long)data_size,
                             (unsigned long long)file_size));
    if (data_offset % kDataAlignment != 0)
      return fail(error, format_message("image %u: data_offset %llu is not 16-byte aligned", i,
                                        (unsigned long long)data_offset));
    if (data_offset < tables_end)
      return fail(error, format_message("image %u: data_offset %llu overlaps the tables", i,
                                        (unsigned long long)data_offset));
    const uint32_t first_entry = load_u32(r + 24);
    const uint32_t count = load_u32(r + 28);
    if (uint64_t(first_entry) + count > entry_count)
      return fail(error, format_message("image %u: first_entry %u + entry_count %u exceeds the "
                                        "%u entries",
                                        i, first_entry, count, entry_count));
    std::set<uint32_t> listed;
    for (uint32_t e = 0; e < count; ++e) {
      const Entry& entry = entries[first_entry + e];
      if (!listed.insert(entry.kernel_index).second)
        return fail(error, format_message("image %u: kernel %s is listed twice", i,
                                          b.kernels[entry.kernel_index].name.c_str()));
      img.entries.push_back(entry);
    }
    img.data.assign(p + data_offset, p + data_offset + data_size);
  }
  *out = std::move(b);
  return true;
}

bool read_file(const std::string& path, Bundle* out, std::string* error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(error, "cannot open " + path + ": " + std::strerror(errno));
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                             std::istreambuf_iterator<char>());
  if (in.bad()) return fail(error, "cannot read " + path + ": " + std::strerror(errno));
  std::string why;
  if (!parse(bytes.data(), bytes.size(), out, &why)) return fail(error, path + ": " + why);
  return true;
}

std::vector<uint8_t> serialize(const Bundle& b) {
  // Strings, deduplicated; "" sits at offset 0.
  std::string strings(1, '\0');
  std::map<std::string, uint32_t> string_at{{"", 0}};
  auto intern = [&](const std::string& s) {
    auto it = string_at.find(s);
    if (it != string_at.end()) return it->second;
    const auto at = static_cast<uint32_t>(strings.size());
    strings.append(s).push_back('\0');
    string_at.emplace(s, at);
    return at;
  };
  size_t entry_count = 0;
  for (const Image& img : b.images) entry_count += img.entries.size();

  const uint64_t kernels_at = kHeaderSize;
  const uint64_t images_at = kernels_at + kKernelRecord * b.kernels.size();
  const uint64_t entries_at = images_at + kImageRecord * b.images.size();
  const uint64_t strings_at = entries_at + kEntryRecord * entry_count;
  std::vector<uint32_t> kernel_names, image_targets, entry_symbols;
  for (const Kernel& k : b.kernels) kernel_names.push_back(intern(k.name));
  for (const Image& img : b.images) {
    image_targets.push_back(intern(img.target));
    for (const Entry& e : img.entries) entry_symbols.push_back(intern(e.symbol));
  }
  auto align = [](uint64_t v) {
    return (v + kDataAlignment - 1) / kDataAlignment * kDataAlignment;
  };
  uint64_t end = align(strings_at + strings.size());
  std::vector<uint64_t> data_at;
  for (const Image& img : b.images) {
    data_at.push_back(end);
    end = align(end + img.data.size());
  }

  std::vector<uint8_t> out(end, 0);
  std::memcpy(out.data(), kMagic, sizeof(kMagic));
  store_u32(out, 8, kVersion);
  store_u32(out, 12, static_cast<uint32_t>(b.kernels.size()));
  store_u32(out, 16, static_cast<uint32_t>(b.images.size()));
  store_u32(out, 20, static_cast<uint32_t>(entry_count));
  store_u64(out, 24, strings_at);
  store_u64(out, 32, strings.size());
  store_u64(out, 40, end);
  for (size_t i = 0; i < b.kernels.size(); ++i) {
    const size_t r = kernels_at + kKernelRecord * i;
    store_u32(out, r, kernel_names[i]);
    store_u32(out, r + 4, b.kernels[i].binding_count);
    store_u32(out, r + 8, b.kernels[i].constants_size);
    store_u32(out, r + 12, b.kernels[i].flags);
  }
  uint32_t next_entry = 0;
  for (size_t i = 0; i < b.images.size(); ++i) {
    const Image& img = b.images[i];
    const size_t r = images_at + kImageRecord * i;
    store_u32(out, r, img.format);
    store_u32(out, r + 4, image_targets[i]);
    store_u64(out, r + 8, data_at[i]);
    store_u64(out, r + 16, img.data.size());
    store_u32(out, r + 24, next_entry);
    store_u32(out, r + 28, static_cast<uint32_t>(img.entries.size()));
    for (const Entry& e : img.entries) {
      const size_t er = entries_at + kEntryRecord * next_entry;
      store_u32(out, er, e.kernel_index);
      store_u32(out, er + 4, entry_symbols[next_entry]);
      ++next_entry;
    }
    if (!img.data.empty()) std::memcpy(out.data() + data_at[i], img.data.data(), img.data.size());
  }
  std::memcpy(out.data() + strings_at, strings.data(), strings.size());
  return out;
}

int find_kernel(const Bundle& b, const std::string& name) {
  for (size_t i = 0; i < b.kernels.size(); ++i)
    if (b.kernels[i].name == name) return static_cast<int>(i);
  return -1;
}

const Image* find_image(const Bundle& b, ahal_module_format_t format, const std::string& kernel) {
  const int index = find_kernel(b, kernel);
  if (index < 0) return nullptr;
  for (const Image& img : b.images) {
    if (img.format != format) continue;
    if (img.entries.empty()) return &img;
    for (const Entry& e : img.entries)
      if (e.kernel_index == uint32_t(index)) return &img;
  }
  return nullptr;
}

}  // namespace ahal::bundle
