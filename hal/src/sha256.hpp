// SHA-256 (FIPS 180-4): the digests of plugin files, for the loader's
// allowlist (AHAL_PLUGIN_ALLOWLIST) and the conformance report.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace ahal {

class Sha256 {
 public:
  Sha256();
  void update(const void* data, size_t size);
  // Lowercase hex digest; the object is spent afterwards.
  std::string hex_digest();

 private:
  void block(const uint8_t* p);
  uint32_t h_[8];
  uint8_t buf_[64];
  size_t buf_len_ = 0;
  uint64_t total_ = 0;
};

// Hex SHA-256 of a file's contents, or "" if it cannot be read.
std::string sha256_file(const std::string& path);
// Same for an open file, read from its start; "" on a read error.
std::string sha256_fd(int fd);

}  // namespace ahal
