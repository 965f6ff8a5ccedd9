#include "plugin_files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <utility>
#include <vector>

#include "environment.hpp"
#include "sha256.hpp"
#include "status.hpp"

namespace ahal {
namespace {

constexpr size_t kMaxAllowlistBytes = 1 << 20;

std::string folder_of(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

bool is_hex_digest(const std::string& word) {
  if (word.size() != 64) return false;
  for (char c : word)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) return false;
  return true;
}

// Reads a small file whole; "" with *error set when it cannot.
std::string read_small_file(const std::string& path, unsigned* mode, unsigned* gid,
                            std::string* error) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    *error = format("cannot open %s: %s", path.c_str(), std::strerror(errno));
    return "";
  }
  struct stat st;
  std::string text;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    *error = format("%s is not a regular file", path.c_str());
  } else if (size_t(st.st_size) > kMaxAllowlistBytes) {
    *error = format("%s is larger than %zu bytes", path.c_str(), kMaxAllowlistBytes);
  } else {
    *mode = st.st_mode;
    *gid = st.st_gid;
    char buf[4096];
    for (;;) {
      const ssize_t n = read(fd, buf, sizeof(buf));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) *error = format("cannot read %s: %s", path.c_str(), std::strerror(errno));
      if (n <= 0 || text.size() + size_t(n) > kMaxAllowlistBytes) break;
      text.append(buf, size_t(n));
    }
  }
  close(fd);
  return text;
}

// SHA-256 of an open file, remembered by (device, inode, size, mtime,
// ctime): a runtime made again need not read every plugin again. The ctime
// changes with any write or chmod and cannot be set back by a user.
std::string cached_digest(int fd, const struct stat& st) {
  struct Key {
    dev_t dev;
    ino_t ino;
    off_t size;
    long mtime_s, mtime_ns, ctime_s, ctime_ns;
    bool operator==(const Key& o) const {
      return dev == o.dev && ino == o.ino && size == o.size && mtime_s == o.mtime_s &&
             mtime_ns == o.mtime_ns && ctime_s == o.ctime_s && ctime_ns == o.ctime_ns;
    }
  };
  static std::mutex mutex;
  static std::vector<std::pair<Key, std::string>> cache;  // a few plugins
  const Key key{st.st_dev,          st.st_ino,         st.st_size,        st.st_mtim.tv_sec,
                st.st_mtim.tv_nsec, st.st_ctim.tv_sec, st.st_ctim.tv_nsec};
  {
    std::lock_guard<std::mutex> lock(mutex);
    for (const auto& [k, digest] : cache)
      if (k == key) return digest;
  }
  std::string digest = sha256_fd(fd);
  if (!digest.empty()) {
    std::lock_guard<std::mutex> lock(mutex);
    if (cache.size() >= 64) cache.erase(cache.begin());
    cache.emplace_back(key, digest);
  }
  return digest;
}

}  // namespace

std::string writable_by_others(const char* what, const std::string& path, unsigned mode,
                               unsigned gid) {
  if (mode & S_IWOTH) return format("%s %s is writable by every user", what, path.c_str());
  if ((mode & S_IWGRP) && gid != 0)
    return format("%s %s is writable by group %u", what, path.c_str(), gid);
  return "";
}

bool parse_allowlist(const std::string& text, std::set<std::string>* digests, std::string* error) {
  size_t start = 0;
  for (unsigned line = 1; start < text.size(); ++line) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string row = text.substr(start, end - start);
    start = end + 1;
    if (!row.empty() && row.back() == '\r') row.pop_back();
    const size_t first = row.find_first_not_of(" \t");
    if (first == std::string::npos || row[first] == '#') continue;
    size_t stop = row.find_first_of(" \t", first);
    if (stop == std::string::npos) stop = row.size();
    std::string word = row.substr(first, stop - first);
    if (!is_hex_digest(word)) {
      *error = format("line %u is not a SHA-256 digest (64 hex digits)", line);
      return false;
    }
    for (char& c : word)
      if (c >= 'A' && c <= 'F') c = char(c - 'A' + 'a');
    digests->insert(word);
  }
  return true;
}

PluginFilePolicy plugin_file_policy() {
  PluginFilePolicy policy;
  policy.allow_writable = environment_flag("AHAL_PLUGIN_ALLOW_WRITABLE");
  const char* list = environment("AHAL_PLUGIN_ALLOWLIST");
  if (!list) return policy;
  policy.use_allowlist = true;
  policy.allowlist_path = list;
  std::string error;
  unsigned mode = 0, gid = 0;
  const std::string text = read_small_file(list, &mode, &gid, &error);
  if (error.empty() && !policy.allow_writable)
    error = writable_by_others("allowlist", list, mode, gid);
  if (error.empty() && !parse_allowlist(text, &policy.digests, &error))
    error = std::string(list) + ": " + error;
  if (!error.empty()) policy.allowlist_error = "AHAL_PLUGIN_ALLOWLIST unusable: " + error;
  return policy;
}

std::string check_plugin_file(const PluginFilePolicy& policy, const std::string& path,
                              std::string* digest) {
  if (!policy.allowlist_error.empty()) return policy.allowlist_error;
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return format("cannot open: %s: %s", path.c_str(), std::strerror(errno));
  struct stat st;
  std::string reason;
  if (fstat(fd, &st) != 0)
    reason = format("cannot stat %s: %s", path.c_str(), std::strerror(errno));
  else if (!S_ISREG(st.st_mode))
    reason = format("%s is not a regular file", path.c_str());
  if (reason.empty() && !policy.allow_writable) {
    reason = writable_by_others("plugin file", path, st.st_mode, st.st_gid);
    // The folder the path names, and the one the file really is in.
    std::string folders[2] = {folder_of(path), ""};
    char resolved[PATH_MAX];
    if (realpath(path.c_str(), resolved)) folders[1] = folder_of(resolved);
    for (const std::string& folder : folders) {
      struct stat fs;
      if (!reason.empty() || folder.empty()) continue;
      if (stat(folder.c_str(), &fs) == 0)
        reason = writable_by_others("plugin folder", folder, fs.st_mode, fs.st_gid);
    }
    if (!reason.empty()) reason += " (AHAL_PLUGIN_ALLOW_WRITABLE=1 allows it for development)";
  }
  if (reason.empty() && policy.use_allowlist) {
    *digest = cached_digest(fd, st);
    if (digest->empty())
      reason = format("cannot read %s to compute its SHA-256", path.c_str());
    else if (!policy.digests.count(*digest))
      reason = format("SHA-256 %s is not in the allowlist %s", digest->c_str(),
                      policy.allowlist_path.c_str());
  }
  close(fd);
  return reason;
}

}  // namespace ahal
