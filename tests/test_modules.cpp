// Modules from raw images and from bundles: choosing the image group,
// lazy loading of images that list their kernels, metadata, errors.
#include <filesystem>
#include <fstream>

#include "bundle_format.hpp"
#include "test_support.hpp"

namespace {

namespace bundle = ahal::bundle;

bundle::Image image(ahal_module_format_t format, const std::string& target, const std::string& text,
                    std::vector<bundle::Entry> entries = {}) {
  bundle::Image img;
  img.format = format;
  img.target = target;
  img.data.assign(text.begin(), text.end());
  img.entries = std::move(entries);
  return img;
}

// Kernels: 0 add (3 bindings, 4 bytes), 1 index (1, 4), 2 fp64 (1, 4).
bundle::Bundle base_bundle() {
  bundle::Bundle b;
  b.kernels = {{"add", 3, 4, 0}, {"index", 1, 4, 0}, {"fp64", 1, 4, 0}};
  return b;
}

ahal_status_t create(ahal_device_t d, const bundle::Bundle& b, ahal_module_t* out) {
  const std::vector<uint8_t> bytes = bundle::serialize(b);
  ahal_module_args_t a = {};
  a.struct_size = sizeof(a);
  a.format = AHAL_MODULE_FORMAT_BUNDLE;
  a.data = bytes.data();
  a.data_size = bytes.size();
  return ahal_module_create(d, &a, out);
}

std::vector<uint32_t> run_index(ahal_device_t d, ahal_kernel_t k, uint32_t base) {
  ahal_buffer_t out = test::make_buffer(d, 64);
  ahal_stream_t s = test::make_stream(d);
  ahal_binding_t bind = {out, 0, 0};
  ahal_launch_args_t l = {};
  l.struct_size = sizeof(l);
  l.grid[0] = l.grid[1] = l.grid[2] = 1;
  l.workgroup_size[0] = 16;
  l.workgroup_size[1] = l.workgroup_size[2] = 1;
  l.binding_count = 1;
  l.bindings = &bind;
  l.constants = &base;
  l.constants_size = 4;
  REQUIRE_OK(ahal_stream_launch(s, k, &l));
  std::vector<uint32_t> result(16);
  REQUIRE_OK(ahal_stream_copy_d2h(s, out, 0, result.data(), 64));
  REQUIRE_OK(ahal_stream_synchronize(s));
  REQUIRE_OK(ahal_stream_destroy(s));
  REQUIRE_OK(ahal_buffer_destroy(out));
  return result;
}

}  // namespace

TEST_CASE("raw modules") {
  test::Runtime rt(test::plugin_dir("good"), "hostmem_next");
  ahal_device_t d = rt.device("hostmem_next:0");
  const char* fn = "ahal_module_create";
  ahal_module_t m = nullptr;
  REQUIRE_OK(test::make_program(d, "kernel k write_index\n", &m));
  ahal_module_format_t format;
  REQUIRE_OK(ahal_module_format(m, &format));
  CHECK(format == AHAL_MODULE_FORMAT_OPENCL_C);
  ahal_kernel_t k1 = nullptr, k2 = nullptr;
  REQUIRE_OK(ahal_kernel_get(m, "k", &k1));
  REQUIRE_OK(ahal_kernel_get(m, "k", &k2));
  CHECK(k1 == k2);
  CHECK(run_index(d, k1, 10)[5] == 15);
  CHECK_FAILS(ahal_kernel_get(m, "nope", &k2), AHAL_ERROR_NOT_FOUND, "ahal_kernel_get",
              "hostmem_next: no entry point nope");
  CHECK_FAILS(ahal_kernel_get(m, nullptr, &k2), AHAL_ERROR_INVALID_ARGUMENT, "ahal_kernel_get",
              "name is NULL");
  CHECK_FAILS(ahal_kernel_get(m, "k", nullptr), AHAL_ERROR_INVALID_ARGUMENT, "ahal_kernel_get",
              "out_kernel is NULL");
  CHECK_FAILS(ahal_module_format(m, nullptr), AHAL_ERROR_INVALID_ARGUMENT, "ahal_module_format",
              "out is NULL");
  REQUIRE_OK(ahal_module_destroy(m));
  CHECK_FAILS(ahal_module_destroy(m), AHAL_ERROR_INVALID_HANDLE, "ahal_module_destroy",
              "destroyed");

  CHECK_FAILS(test::make_program(d, "kernel k write_index\n#error no fp64 here\n", &m),
              AHAL_ERROR_BUILD_FAILED, fn,
              "ahal_module_create: hostmem_next: build failed: no fp64 here");

  ahal_module_args_t a = {};
  a.struct_size = sizeof(a);
  a.format = AHAL_MODULE_FORMAT_CPU_SO;
  a.data = "x";
  a.data_size = 1;
  CHECK_FAILS(ahal_module_create(d, &a, &m), AHAL_ERROR_UNSUPPORTED, fn,
              "device hostmem_next:0 does not take cpu-so modules (it takes opencl-c)");
  const uint32_t not_a_format = 99;  // as a C caller may pass it
  std::memcpy(&a.format, &not_a_format, sizeof(a.format));
  CHECK_FAILS(ahal_module_create(d, &a, &m), AHAL_ERROR_INVALID_ARGUMENT, fn,
              "format 99 is not a module format");
  a.format = AHAL_MODULE_FORMAT_UNKNOWN;
  CHECK_FAILS(ahal_module_create(d, &a, &m), AHAL_ERROR_INVALID_ARGUMENT, fn, "format 0");
  a.format = AHAL_MODULE_FORMAT_OPENCL_C;
  a.data_size = 0;
  CHECK_FAILS(ahal_module_create(d, &a, &m), AHAL_ERROR_INVALID_ARGUMENT, fn, "data_size is 0");
  a.data = nullptr;
  CHECK_FAILS(ahal_module_create(d, &a, &m), AHAL_ERROR_INVALID_ARGUMENT, fn,
              "data and path are both NULL");
  a.path = "/nonexistent/ahal/kernels.cl";
  CHECK_FAILS(ahal_module_create(d, &a, &m), AHAL_ERROR_NOT_FOUND, fn,
              "cannot open /nonexistent/ahal/kernels.cl");
  a.struct_size = offsetof(ahal_module_args_t, kernel_infos);
  CHECK_FAILS(ahal_module_create(d, &a, &m), AHAL_ERROR_INVALID_ARGUMENT, fn,
              "ahal_module_args_t.struct_size");
  a.struct_size = sizeof(a);
  CHECK_FAILS(ahal_module_create(d, nullptr, &m), AHAL_ERROR_INVALID_ARGUMENT, fn, "args is NULL");
  CHECK_FAILS(ahal_module_create(d, &a, nullptr), AHAL_ERROR_INVALID_ARGUMENT, fn,
              "out_module is NULL");
  a.path = nullptr;
  a.data = "kernel k write_index\n";
  a.data_size = 21;
  a.kernel_info_count = 1;
  CHECK_FAILS(ahal_module_create(d, &a, &m), AHAL_ERROR_INVALID_ARGUMENT, fn,
              "kernel_infos is NULL");
  ahal_kernel_info_t info = {"k", 33, 4, 0};
  a.kernel_infos = &info;
  CHECK_FAILS(ahal_module_create(d, &a, &m), AHAL_ERROR_OUT_OF_RANGE, fn,
              "kernel_infos[0].binding_count 33");
  info = {"k", 1, 4, 0x10};
  CHECK_FAILS(ahal_module_create(d, &a, &m), AHAL_ERROR_INVALID_ARGUMENT, fn,
              "kernel_infos[0].flags 0x10");
  info = {nullptr, 1, 4, 0};
  CHECK_FAILS(ahal_module_create(d, &a, &m), AHAL_ERROR_INVALID_ARGUMENT, fn,
              "kernel_infos[0].name is empty");

  SECTION("from a file") {
    const auto path = std::filesystem::temp_directory_path() / "ahal-test-program.cl";
    std::ofstream(path) << "kernel from_file write_index\n";
    ahal_module_args_t f = {};
    f.struct_size = sizeof(f);
    f.format = AHAL_MODULE_FORMAT_OPENCL_C;
    f.path = path.c_str();
    REQUIRE_OK(ahal_module_create(d, &f, &m));
    REQUIRE_OK(ahal_kernel_get(m, "from_file", &k1));
    REQUIRE_OK(ahal_module_destroy(m));
    std::filesystem::remove(path);
  }
}

TEST_CASE("bundles: the best group is chosen and images load lazily") {
  bundle::Bundle b = base_bundle();
  b.images.push_back(image(AHAL_MODULE_FORMAT_CPU_SO, "x86_64", "ELF?"));
  b.images.push_back(
      image(AHAL_MODULE_FORMAT_OPENCL_C, "other", "#error the wrong target was chosen\n"));
  b.images.push_back(
      image(AHAL_MODULE_FORMAT_OPENCL_C, "", "#error the generic image was chosen\n"));
  // The exact-target group: two images, each listing its kernels.
  b.images.push_back(
      image(AHAL_MODULE_FORMAT_OPENCL_C, "hm1", "kernel main write_index\n", {{1, "main"}}));
  b.images.push_back(image(AHAL_MODULE_FORMAT_OPENCL_C, "hm1", "#error no fp64 on this device\n",
                           {{2, "fp64_main"}}));

  // hostmem10 has no image_score: the default rule prefers the exact arch.
  test::Runtime rt(test::plugin_dir("good"), "hostmem10");
  ahal_device_t d = rt.device("hostmem10:0");
  ahal_module_t m = nullptr;
  REQUIRE_OK(create(d, b, &m));
  ahal_module_format_t format;
  REQUIRE_OK(ahal_module_format(m, &format));
  CHECK(format == AHAL_MODULE_FORMAT_OPENCL_C);

  ahal_kernel_t index = nullptr, again = nullptr;
  REQUIRE_OK(ahal_kernel_get(m, "index", &index));
  REQUIRE_OK(ahal_kernel_get(m, "index", &again));
  CHECK(index == again);
  CHECK(run_index(d, index, 100)[3] == 103);
  ahal_kernel_attributes_t attr = {};
  attr.struct_size = sizeof(attr);
  REQUIRE_OK(ahal_kernel_get_attributes(index, &attr));
  CHECK(attr.has_metadata == 1);
  CHECK(attr.binding_count == 1);
  CHECK(attr.constants_size == 4);

  // The fp64 image fails to build: only its kernel is broken, every time.
  ahal_kernel_t fp64 = nullptr;
  for (int i = 0; i < 2; ++i)
    CHECK_FAILS(ahal_kernel_get(m, "fp64", &fp64), AHAL_ERROR_BUILD_FAILED, "ahal_kernel_get",
                "kernel \"fp64\": its opencl-c@hm1 image did not load: hostmem10: build failed: no "
                "fp64 on this device");
  CHECK(run_index(d, index, 1)[0] == 1);
  CHECK_FAILS(ahal_kernel_get(m, "add", &fp64), AHAL_ERROR_NOT_FOUND, "ahal_kernel_get",
              "kernel \"add\" is in the bundle but in no opencl-c@hm1 image");
  CHECK_FAILS(ahal_kernel_get(m, "gemm", &fp64), AHAL_ERROR_NOT_FOUND, "ahal_kernel_get",
              "kernel \"gemm\" is not in the bundle (it has: add, index, fp64)");
  REQUIRE_OK(ahal_module_destroy(m));
}

TEST_CASE("bundles: a plugin's image_score decides") {
  bundle::Bundle b = base_bundle();
  b.images.push_back(image(AHAL_MODULE_FORMAT_OPENCL_C, "hm1", "#error hm1 was chosen\n"));
  b.images.push_back(image(AHAL_MODULE_FORMAT_OPENCL_C, "hm1-fast", "kernel index write_index\n"));
  test::Runtime rt(test::plugin_dir("good"));
  ahal_module_t m = nullptr;
  // hostmem_next scores hm1-fast highest.
  REQUIRE_OK(create(rt.device("hostmem_next:0"), b, &m));
  ahal_kernel_t k = nullptr;
  REQUIRE_OK(ahal_kernel_get(m, "index", &k));
  REQUIRE_OK(ahal_module_destroy(m));
  // hostmem10 uses the default rule: hm1 equals its arch; hm1-fast does not.
  CHECK_FAILS(create(rt.device("hostmem10:0"), b, &m), AHAL_ERROR_BUILD_FAILED,
              "ahal_module_create", "hostmem10: build failed: hm1 was chosen");
}

TEST_CASE("bundles: images without a kernel list load at create") {
  test::Runtime rt(test::plugin_dir("good"), "hostmem_next");
  ahal_device_t d = rt.device("hostmem_next:0");
  bundle::Bundle b = base_bundle();
  b.images.push_back(
      image(AHAL_MODULE_FORMAT_OPENCL_C, "", "kernel index write_index\n#error generic broken\n"));
  ahal_module_t m = nullptr;
  CHECK_FAILS(create(d, b, &m), AHAL_ERROR_BUILD_FAILED, "ahal_module_create",
              "ahal_module_create: hostmem_next: build failed: generic broken");
  b.images[0] =
      image(AHAL_MODULE_FORMAT_OPENCL_C, "", "kernel index write_index\nkernel add add_u32\n");
  REQUIRE_OK(create(d, b, &m));
  ahal_kernel_t k = nullptr;
  REQUIRE_OK(ahal_kernel_get(m, "index", &k));
  REQUIRE_OK(ahal_kernel_get(m, "add", &k));
  // In the bundle, but the image lacks it: the plugin says so.
  CHECK_FAILS(ahal_kernel_get(m, "fp64", &k), AHAL_ERROR_NOT_FOUND, "ahal_kernel_get",
              "no entry point fp64");
  REQUIRE_OK(ahal_module_destroy(m));
}

TEST_CASE("bundles: no fitting image, bad bundles") {
  test::Runtime rt(test::plugin_dir("good"), "hostmem_next");
  ahal_device_t d = rt.device("hostmem_next:0");
  bundle::Bundle b = base_bundle();
  b.images.push_back(image(AHAL_MODULE_FORMAT_CPU_SO, "x86_64", "ELF"));
  b.images.push_back(image(AHAL_MODULE_FORMAT_PTX, "", "ptx"));
  b.images.push_back(image(AHAL_MODULE_FORMAT_PTX, "", "ptx"));
  b.images.push_back(image(AHAL_MODULE_FORMAT_OPENCL_C, "gfx90a", "x"));
  ahal_module_t m = nullptr;
  CHECK_FAILS(create(d, b, &m), AHAL_ERROR_UNSUPPORTED, "ahal_module_create",
              "no image in the bundle fits device hostmem_next:0 (arch \"hm1\"): the bundle has "
              "cpu-so@x86_64, ptx, "
              "opencl-c@gfx90a; the device takes opencl-c");
  b.images.clear();
  CHECK_FAILS(create(d, b, &m), AHAL_ERROR_UNSUPPORTED, "ahal_module_create",
              "the bundle has no images");

  std::vector<uint8_t> bytes = bundle::serialize(base_bundle());
  bytes[0] = 'X';
  ahal_module_args_t a = {};
  a.struct_size = sizeof(a);
  a.format = AHAL_MODULE_FORMAT_BUNDLE;
  a.data = bytes.data();
  a.data_size = bytes.size();
  CHECK_FAILS(ahal_module_create(d, &a, &m), AHAL_ERROR_INVALID_ARGUMENT, "ahal_module_create",
              "bad bundle: magic is not \"AHALBNDL\"");
  bytes[0] = 'A';
  a.data_size = bytes.size() - 1;
  CHECK_FAILS(ahal_module_create(d, &a, &m), AHAL_ERROR_INVALID_ARGUMENT, "ahal_module_create",
              "file_size");
}
