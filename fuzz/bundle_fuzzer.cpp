// libFuzzer target for the bundle reader: any input must be either refused
// with a message or parsed into a bundle that serializes and parses again
// to the same thing.
#include <cstdlib>
#include <string>

#include "bundle_format.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ahal::bundle::Bundle b;
  std::string error;
  if (!ahal::bundle::parse(data, size, &b, &error)) {
    if (error.empty()) std::abort();
    return 0;
  }
  const std::vector<uint8_t> bytes = ahal::bundle::serialize(b);
  ahal::bundle::Bundle again;
  if (!ahal::bundle::parse(bytes.data(), bytes.size(), &again, &error)) std::abort();
  if (ahal::bundle::serialize(again) != bytes) std::abort();
  for (const auto& k : b.kernels)
    for (const auto& img : b.images) (void)ahal::bundle::find_image(b, img.format, k.name);
  return 0;
}
