// The bundle reader and writer: round trip, and every field the reader must
// refuse (with a message naming it), plus random corruption that must never
// crash.
#include <random>

#include <catch2/catch.hpp>

#include "bundle_format.hpp"

namespace {

namespace bundle = ahal::bundle;

bundle::Bundle sample() {
  bundle::Bundle b;
  b.kernels = {{"vector_add", 3, 4, 0}, {"reverse_dynamic", 2, 0, AHAL_KERNEL_USES_DYNAMIC_SHARED}};
  bundle::Image cpu;
  cpu.format = AHAL_MODULE_FORMAT_CPU_SO;
  cpu.target = "x86_64";
  cpu.data = {1, 2, 3, 4, 5};
  bundle::Image spv;
  spv.format = AHAL_MODULE_FORMAT_SPIRV_VULKAN;
  spv.data = std::vector<uint8_t>(100, 7);
  spv.entries = {{0, "main"}};
  bundle::Image spv2 = spv;
  spv2.entries = {{1, "main"}};
  b.images = {cpu, spv, spv2};
  return b;
}

void put32(std::vector<uint8_t>& v, size_t at, uint32_t x) {
  for (int i = 0; i < 4; ++i) v[at + i] = uint8_t(x >> (8 * i));
}
void put64(std::vector<uint8_t>& v, size_t at, uint64_t x) {
  put32(v, at, uint32_t(x));
  put32(v, at + 4, uint32_t(x >> 32));
}
uint64_t get64(const std::vector<uint8_t>& v, size_t at) {
  uint64_t x = 0;
  for (int i = 7; i >= 0; --i) x = x << 8 | v[at + i];
  return x;
}

std::string parse_error(const std::vector<uint8_t>& bytes) {
  bundle::Bundle out;
  std::string error;
  const bool ok = bundle::parse(bytes.data(), bytes.size(), &out, &error);
  return ok ? "" : error;
}

}  // namespace

TEST_CASE("serialize and parse round-trip") {
  const bundle::Bundle b = sample();
  const std::vector<uint8_t> bytes = bundle::serialize(b);
  bundle::Bundle back;
  std::string error;
  REQUIRE(bundle::parse(bytes.data(), bytes.size(), &back, &error));
  REQUIRE(back.kernels.size() == 2);
  CHECK(back.kernels[1].name == "reverse_dynamic");
  CHECK(back.kernels[1].flags == AHAL_KERNEL_USES_DYNAMIC_SHARED);
  CHECK(back.kernels[0].binding_count == 3);
  CHECK(back.kernels[0].constants_size == 4);
  REQUIRE(back.images.size() == 3);
  CHECK(back.images[0].target == "x86_64");
  CHECK(back.images[0].data == b.images[0].data);
  CHECK(back.images[1].data == b.images[1].data);
  REQUIRE(back.images[2].entries.size() == 1);
  CHECK(back.images[2].entries[0].kernel_index == 1);
  CHECK(back.images[2].entries[0].symbol == "main");
  CHECK(bundle::serialize(back) == bytes);

  CHECK(bundle::find_image(back, AHAL_MODULE_FORMAT_SPIRV_VULKAN, "reverse_dynamic") ==
        &back.images[2]);
  CHECK(bundle::find_image(back, AHAL_MODULE_FORMAT_SPIRV_VULKAN, "vector_add") == &back.images[1]);
  CHECK(bundle::find_image(back, AHAL_MODULE_FORMAT_CPU_SO, "reverse_dynamic") == &back.images[0]);
  CHECK(bundle::find_image(back, AHAL_MODULE_FORMAT_PTX, "vector_add") == nullptr);
  CHECK(bundle::find_image(back, AHAL_MODULE_FORMAT_CPU_SO, "nope") == nullptr);

  // Image data is 16-byte aligned in the file.
  const size_t images_at = 64 + 16 * 2;
  for (int i = 0; i < 3; ++i) CHECK(get64(bytes, images_at + 32 * i + 8) % 16 == 0);
}

TEST_CASE("an empty bundle is valid") {
  const std::vector<uint8_t> bytes = bundle::serialize({});
  bundle::Bundle back;
  std::string error;
  CHECK(bundle::parse(bytes.data(), bytes.size(), &back, &error));
  CHECK(back.kernels.empty());
  CHECK(back.images.empty());
}

TEST_CASE("each bad field is refused and named") {
  const std::vector<uint8_t> good = bundle::serialize(sample());
  const size_t kernels_at = 64, images_at = kernels_at + 32, entries_at = images_at + 96;
  const uint64_t strings_at = get64(good, 24), strings_size = get64(good, 32);
  struct Case {
    const char* what;
    std::function<void(std::vector<uint8_t>&)> corrupt;
    const char* message;
  };
  const std::vector<Case> cases = {
      {"short file", [](auto& v) { v.resize(10); }, "smaller than the 64-byte header"},
      {"magic", [](auto& v) { v[3] = 'X'; }, "magic"},
      {"version", [](auto& v) { put32(v, 8, 2); }, "version 2"},
      {"file_size", [](auto& v) { put64(v, 40, v.size() + 1); }, "file_size"},
      {"kernel_count", [](auto& v) { put32(v, 12, 0xffffffff); }, "kernel_count"},
      {"image_count", [](auto& v) { put32(v, 16, 0x10000000); }, "image_count"},
      {"entry_count", [](auto& v) { put32(v, 20, 0x40000000); }, "entry_count"},
      {"strings_offset", [](auto& v) { put64(v, 24, 8); }, "strings_offset"},
      {"strings_offset past end", [](auto& v) { put64(v, 24, UINT64_MAX); }, "strings_offset"},
      {"strings_size", [=](auto& v) { put64(v, 32, UINT64_MAX - strings_at + 1); }, "strings_size"},
      {"strings not terminated", [=](auto& v) { v[strings_at + strings_size - 1] = 'x'; },
       "does not end with NUL"},
      {"kernel name", [=](auto& v) { put32(v, kernels_at, uint32_t(strings_size)); },
       "kernel 0: name offset"},
      {"kernel name empty", [=](auto& v) { put32(v, kernels_at, 0); }, "kernel 0: name is empty"},
      {"kernel name twice",
       [=](auto& v) { put32(v, kernels_at + 16, get64(v, kernels_at) & 0xffffffff); },
       "appears twice"},
      {"binding_count", [=](auto& v) { put32(v, kernels_at + 4, 33); }, "binding_count 33"},
      {"constants_size", [=](auto& v) { put32(v, kernels_at + 8, 5000); }, "constants_size 5000"},
      {"kernel flags", [=](auto& v) { put32(v, kernels_at + 12, 0x80); }, "flags 0x80"},
      {"image format", [=](auto& v) { put32(v, images_at, 31); }, "image 0: format 31"},
      {"image format 0", [=](auto& v) { put32(v, images_at + 32, 0); }, "image 1: format 0"},
      {"image target", [=](auto& v) { put32(v, images_at + 4, 0x7fffffff); },
       "image 0: target offset"},
      {"data_offset", [=](auto& v) { put64(v, images_at + 8, UINT64_MAX - 15); },
       "image 0: data_offset"},
      {"data_size", [=](auto& v) { put64(v, images_at + 16, UINT64_MAX); }, "image 0: data_offset"},
      {"data_size 0", [=](auto& v) { put64(v, images_at + 16, 0); }, "image 0: data_size is 0"},
      {"data alignment", [=](auto& v) { put64(v, images_at + 8, get64(v, images_at + 8) + 1); },
       "not 16-byte aligned"},
      {"data in tables", [=](auto& v) { put64(v, images_at + 8, 64); }, "overlaps the tables"},
      {"first_entry", [=](auto& v) { put32(v, images_at + 32 + 24, 5); }, "image 1: first_entry 5"},
      {"image entry_count", [=](auto& v) { put32(v, images_at + 32 + 28, 0xffffffff); },
       "image 1: first_entry"},
      {"entry kernel_index", [=](auto& v) { put32(v, entries_at, 2); }, "entry 0: kernel_index 2"},
      {"entry symbol", [=](auto& v) { put32(v, entries_at + 4, 0xffffff); },
       "entry 0: symbol offset"},
      {"entry symbol empty", [=](auto& v) { put32(v, entries_at + 4, 0); },
       "entry 0: symbol is empty"},
      {"kernel listed twice",
       [=](auto& v) {
         put32(v, images_at + 32 + 28, 2);
         put32(v, entries_at + 8, 0);
       },
       "kernel vector_add is listed twice"},
  };
  for (const Case& c : cases) {
    INFO(c.what);
    std::vector<uint8_t> bytes = good;
    c.corrupt(bytes);
    const std::string error = parse_error(bytes);
    CHECK(error.find(c.message) != std::string::npos);
    CHECK_FALSE(error.empty());
  }
  bundle::Bundle out;
  std::string error;
  CHECK_FALSE(bundle::parse(nullptr, 100, &out, &error));
  CHECK(error == "bundle data is NULL");
  CHECK_FALSE(bundle::read_file("/nonexistent/x.ahalb", &out, &error));
  CHECK(error.find("cannot open /nonexistent/x.ahalb") != std::string::npos);
}

TEST_CASE("random corruption never crashes the reader") {
  const std::vector<uint8_t> good = bundle::serialize(sample());
  std::mt19937 rng(12345);
  int refused = 0;
  for (int round = 0; round < 20000; ++round) {
    std::vector<uint8_t> bytes = good;
    const int flips = 1 + int(rng() % 4);
    for (int f = 0; f < flips; ++f) {
      const size_t at = rng() % std::min<size_t>(bytes.size(), 400);  // headers and tables
      bytes[at] = uint8_t(rng());
    }
    if (rng() % 8 == 0) bytes.resize(rng() % bytes.size());
    bundle::Bundle out;
    std::string error;
    if (!bundle::parse(bytes.data(), bytes.size(), &out, &error)) {
      ++refused;
      REQUIRE_FALSE(error.empty());
    }
  }
  CHECK(refused > 1000);
}
