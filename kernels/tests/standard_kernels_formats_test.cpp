// The standard kernels from one format's images of the standard bundle, on
// one device: AHAL_TEST_DEVICE (selector), AHAL_TEST_FORMAT (format name).
// Exits 77 (a skip) with the reason when the build made no such images
// (AHAL_TEST_FORMAT_MISSING), the device is absent, or it does not take the
// format.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include "standard_kernels_check.hpp"

#include "bundle_format.hpp"

#include <cstdio>
#include <cstdlib>
#include <string>

namespace {

[[noreturn]] void skip(const std::string& why) {
  std::printf("SKIP: %s\n", why.c_str());
  std::fflush(stdout);
  std::_Exit(77);
}

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

// One runtime and module for the whole run: Catch2 enters the test case
// once per section.
struct Setup {
  ahal_runtime_t runtime = nullptr;
  ahal_device_t device = nullptr;
  ahal_module_t module = nullptr;
};

Setup& setup() {
  static Setup s = [] {
    Setup r;
    const std::string selector = env("AHAL_TEST_DEVICE"), format = env("AHAL_TEST_FORMAT");
    if (selector.empty() || format.empty()) {
      std::fprintf(stderr, "set AHAL_TEST_DEVICE and AHAL_TEST_FORMAT\n");
      std::exit(2);
    }
    if (!env("AHAL_TEST_FORMAT_MISSING").empty()) skip(env("AHAL_TEST_FORMAT_MISSING"));
    const ahal_module_format_t f = ahal::bundle::parse_format(format);
    if (!ahal::bundle::is_image_format(f)) {
      std::fprintf(stderr, "unknown format %s\n", format.c_str());
      std::exit(2);
    }
    if (ahal_runtime_create(nullptr, &r.runtime) != AHAL_SUCCESS ||
        ahal_device_find(r.runtime, selector.c_str(), &r.device) != AHAL_SUCCESS)
      skip(selector + " is not here: " + ahal_last_error_message());
    ahal_device_properties_t props{};
    props.struct_size = sizeof(props);
    if (ahal_device_get_properties(r.device, &props) != AHAL_SUCCESS) std::exit(2);
    if (!(props.module_formats & (1ull << f)))
      skip(selector + " (" + props.name + ") does not take " + format + " modules");

    ahal::bundle::Bundle b;
    std::string error;
    if (!ahal::bundle::read_file(AHAL_TEST_BUNDLE_FILE, &b, &error)) {
      std::fprintf(stderr, "cannot read the standard bundle: %s\n", error.c_str());
      std::exit(1);
    }
    std::vector<ahal::bundle::Image> kept;
    for (ahal::bundle::Image& img : b.images)
      if (img.format == f) kept.push_back(std::move(img));
    if (kept.empty()) {
      std::fprintf(stderr, "the standard bundle %s has no %s images, yet the build made them\n",
                   AHAL_TEST_BUNDLE_FILE, format.c_str());
      std::exit(1);
    }
    b.images = std::move(kept);
    const std::vector<uint8_t> bytes = ahal::bundle::serialize(b);
    ahal_module_args_t args{};
    args.struct_size = sizeof(args);
    args.format = AHAL_MODULE_FORMAT_BUNDLE;
    args.data = bytes.data();
    args.data_size = bytes.size();
    if (ahal_module_create(r.device, &args, &r.module) != AHAL_SUCCESS) {
      std::fprintf(stderr, "%s: the %s images do not load: %s\n", selector.c_str(), format.c_str(),
                   ahal_last_error_message());
      std::exit(1);
    }
    std::printf("%s (%s): the standard kernels from the %s images\n", selector.c_str(), props.name,
                format.c_str());
    return r;
  }();
  return s;
}

}  // namespace

TEST_CASE("the standard kernels from one format's images") {
  Setup& s = setup();
  ahal_module_format_t loaded = AHAL_MODULE_FORMAT_UNKNOWN;
  AHAL_TEST_OK(ahal_module_format(s.module, &loaded));
  REQUIRE(std::string(ahal_module_format_name(loaded)) == env("AHAL_TEST_FORMAT"));
  ahal_test::check_standard_kernels(s.device, [&](const char* name) -> ahal_kernel_t {
    ahal_kernel_t k = nullptr;
    return ahal_kernel_get(s.module, name, &k) == AHAL_SUCCESS ? k : nullptr;
  });
}
