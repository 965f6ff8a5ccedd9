#include "program_cache.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>

namespace ahal_opencl {
namespace {

constexpr char kMagic[8] = {'A', 'H', 'A', 'L', 'C', 'L', 'B', '1'};

uint64_t fnv1a(uint64_t hash, const void* data, size_t size) {
  const unsigned char* p = static_cast<const unsigned char*>(data);
  for (size_t i = 0; i < size; ++i) {
    hash ^= p[i];
    hash *= 0x100000001b3ull;
  }
  return hash;
}

void append_u64(std::vector<unsigned char>* out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out->push_back(static_cast<unsigned char>(v >> (8 * i)));
}

void append_block(std::vector<unsigned char>* out, const void* data, size_t size) {
  append_u64(out, size);
  const unsigned char* p = static_cast<const unsigned char*>(data);
  out->insert(out->end(), p, p + size);
}

// Reads a length-prefixed block at *pos; false if the file is too short.
bool read_block(const std::vector<unsigned char>& file, size_t* pos, const unsigned char** data,
                size_t* size) {
  if (file.size() - *pos < 8) return false;
  uint64_t n = 0;
  for (int i = 0; i < 8; ++i) n |= static_cast<uint64_t>(file[*pos + i]) << (8 * i);
  *pos += 8;
  if (n > file.size() - *pos) return false;
  *data = file.data() + *pos;
  *size = static_cast<size_t>(n);
  *pos += *size;
  return true;
}

bool read_file(const std::string& path, std::vector<unsigned char>* out) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  struct stat st;
  bool ok = fstat(fd, &st) == 0;
  if (ok) {
    out->resize(static_cast<size_t>(st.st_size));
    size_t done = 0;
    while (ok && done < out->size()) {
      ssize_t n = read(fd, out->data() + done, out->size() - done);
      if (n < 0 && errno == EINTR) continue;
      ok = n > 0;
      if (ok) done += static_cast<size_t>(n);
    }
  }
  close(fd);
  return ok;
}

// mkdir -p
bool make_dirs(const std::string& dir) {
  for (size_t pos = 1; pos <= dir.size(); ++pos) {
    if (pos == dir.size() || dir[pos] == '/') {
      std::string part = dir.substr(0, pos);
      if (mkdir(part.c_str(), 0755) != 0 && errno != EEXIST) return false;
    }
  }
  return true;
}

}  // namespace

ProgramCache::ProgramCache(std::string dir, std::string key, const void* source, size_t source_size)
    : dir_(std::move(dir)),
      key_(std::move(key)),
      source_(static_cast<const unsigned char*>(source)),
      source_size_(source_size) {
  if (dir_.empty()) return;
  uint64_t hash = fnv1a(0xcbf29ce484222325ull, key_.data(), key_.size());
  hash = fnv1a(hash, source_, source_size_);
  char name[40];
  std::snprintf(name, sizeof(name), "program-%016llx.clbin", static_cast<unsigned long long>(hash));
  path_ = dir_ + "/" + name;
}

bool ProgramCache::load(std::vector<unsigned char>* binary) const {
  std::vector<unsigned char> file;
  if (!enabled() || !read_file(path_, &file)) return false;
  if (file.size() < sizeof(kMagic) || std::memcmp(file.data(), kMagic, sizeof(kMagic)) != 0) {
    return false;
  }
  size_t pos = sizeof(kMagic);
  const unsigned char* data;
  size_t size;
  if (!read_block(file, &pos, &data, &size) || size != key_.size() ||
      std::memcmp(data, key_.data(), size) != 0) {
    return false;
  }
  if (!read_block(file, &pos, &data, &size) || size != source_size_ ||
      std::memcmp(data, source_, size) != 0) {
    return false;
  }
  if (!read_block(file, &pos, &data, &size) || size == 0) return false;
  binary->assign(data, data + size);
  utimensat(AT_FDCWD, path_.c_str(), nullptr, 0);  // mark as recently used
  return true;
}

bool ProgramCache::store(const std::vector<unsigned char>& binary, std::string* error) const {
  std::vector<unsigned char> file(kMagic, kMagic + sizeof(kMagic));
  append_block(&file, key_.data(), key_.size());
  append_block(&file, source_, source_size_);
  append_block(&file, binary.data(), binary.size());
  if (!make_dirs(dir_)) {
    *error = "cannot create " + dir_ + ": " + std::strerror(errno);
    return false;
  }
  static std::atomic<unsigned> counter{0};
  std::string tmp = path_ + ".tmp." + std::to_string(getpid()) + "." + std::to_string(counter++);
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    *error = "cannot write " + tmp + ": " + std::strerror(errno);
    return false;
  }
  size_t done = 0;
  bool ok = true;
  while (ok && done < file.size()) {
    ssize_t n = write(fd, file.data() + done, file.size() - done);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) done += static_cast<size_t>(n);
  }
  if (!ok) *error = "cannot write " + tmp + ": " + std::strerror(errno);
  if (close(fd) != 0 && ok) {
    ok = false;
    *error = "cannot write " + tmp + ": " + std::strerror(errno);
  }
  if (ok && rename(tmp.c_str(), path_.c_str()) != 0) {
    ok = false;
    *error = "cannot rename " + tmp + " to " + path_ + ": " + std::strerror(errno);
  }
  if (!ok) unlink(tmp.c_str());
  return ok;
}

}  // namespace ahal_opencl
