// On-disk cache of compiled OpenCL programs, so a second run skips the
// device compiler.
//
// One file per program: <cache_dir>/program-<hash>.clbin, where the hash covers
// the key (device name, driver, device and platform versions, format, build
// options) and the source or IL bytes. The file repeats the key and the
// source, and a lookup compares both byte for byte, so a hash collision can
// only cost a rebuild, never load the wrong program. Files are written to a
// temporary name and renamed, so concurrent processes never read half a file.
// A hit sets the file's modification time, so old entries can be pruned by age.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace ahal_opencl {

class ProgramCache {
 public:
  // dir "" disables the cache.
  ProgramCache(std::string dir, std::string key, const void* source, size_t source_size);

  bool enabled() const { return !dir_.empty(); }
  const std::string& path() const { return path_; }
  // The cached binary, or false when there is none (or it does not match).
  bool load(std::vector<unsigned char>* binary) const;
  // Stores the binary; false with *error set when the file cannot be written.
  bool store(const std::vector<unsigned char>& binary, std::string* error) const;

 private:
  std::string dir_;
  std::string key_;
  const unsigned char* source_;
  size_t source_size_;
  std::string path_;
};

}  // namespace ahal_opencl
