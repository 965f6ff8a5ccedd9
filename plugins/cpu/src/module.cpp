// cpu-so modules: the image is loaded from memory (a memfd, or a temporary
// file where memfd_create is unavailable) with dlopen, kernels by dlsym.
#include "objects.hpp"

#include <dlfcn.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>

namespace ahal_cpu {
namespace {

std::string dl_error() {
  const char* e = dlerror();
  return e ? e : "unknown dlopen error";
}

bool write_all(int fd, const void* data, uint64_t size) {
  const auto* p = static_cast<const unsigned char*>(data);
  while (size > 0) {
    const ssize_t n = ::write(fd, p, size > (1u << 30) ? (1u << 30) : size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    p += n;
    size -= static_cast<uint64_t>(n);
  }
  return true;
}

// dlopen's name for the image; on success *fd is the memfd to keep open.
std::string image_path(const ahal_plugin_module_args_t& args, int* fd, std::string* temp_file) {
  *fd = static_cast<int>(memfd_create("ahal-cpu-module", MFD_CLOEXEC));
  if (*fd >= 0) {
    if (!write_all(*fd, args.data, args.data_size)) {
      const int err = errno;
      ::close(*fd);
      *fd = -1;
      plugin::raise(AHAL_ERROR_OUT_OF_HOST_MEMORY, "writing the cpu-so image to a memfd failed: %s",
                    std::strerror(err));
    }
    return "/proc/self/fd/" + std::to_string(*fd);
  }
  // No memfd (old kernel, sandbox): a temporary file, removed after dlopen.
  const char* tmp = std::getenv("TMPDIR");
  std::string path = std::string(tmp && *tmp ? tmp : "/tmp") + "/ahal-cpu-module-XXXXXX";
  const int tfd = mkstemp(&path[0]);
  if (tfd < 0) {
    plugin::raise(AHAL_ERROR_PLUGIN, "memfd_create failed and so did creating %s: %s", path.c_str(),
                  std::strerror(errno));
  }
  const bool ok = write_all(tfd, args.data, args.data_size);
  const int err = errno;
  ::close(tfd);
  if (!ok) {
    ::unlink(path.c_str());
    plugin::raise(AHAL_ERROR_PLUGIN, "writing the cpu-so image to %s failed: %s", path.c_str(),
                  std::strerror(err));
  }
  *temp_file = path;
  return path;
}

}  // namespace

CpuKernel::CpuKernel(ahal_cpu_kernel_fn fn, const ahal_kernel_info_t* info)
    : fn_(fn), info_(info) {}

void CpuKernel::attributes(ahal_kernel_attributes_t& out) {
  out.max_workgroup_size = kMaxWorkgroupSize;
  out.static_shared_bytes = 0;  // kernels keep their tiles on the stack
  out.preferred_workgroup_multiple = 1;
  plugin::KernelInfos::describe(info_, out);
}

CpuModule::CpuModule(const ahal_plugin_module_args_t& args, const std::string& arch) {
  if (args.format != AHAL_MODULE_FORMAT_CPU_SO) {
    plugin::raise(AHAL_ERROR_UNSUPPORTED,
                  "module format %d is not cpu-so, the only format it takes",
                  static_cast<int>(args.format));
  }
  if (args.target && *args.target && arch != args.target) {
    plugin::raise(AHAL_ERROR_UNSUPPORTED, "the image is for '%s'; this CPU is '%s'", args.target,
                  arch.c_str());
  }
  static const unsigned char kElfMagic[4] = {0x7f, 'E', 'L', 'F'};
  if (!args.data || args.data_size < sizeof(kElfMagic) ||
      std::memcmp(args.data, kElfMagic, sizeof(kElfMagic)) != 0) {
    plugin::raise(AHAL_ERROR_INVALID_ARGUMENT,
                  "the cpu-so image (%llu bytes) is not an ELF shared object",
                  static_cast<unsigned long long>(args.data_size));
  }

  infos_ = plugin::KernelInfos(args);

  // Nothing may throw after dlopen succeeds: the destructor would not run.
  std::string temp_file;
  const std::string path = image_path(args, &fd_, &temp_file);
  handle_ = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  const std::string error = handle_ ? "" : dl_error();
  if (!temp_file.empty()) ::unlink(temp_file.c_str());
  if (!handle_) {
    if (fd_ >= 0) ::close(fd_);
    plugin::raise(AHAL_ERROR_BUILD_FAILED, "dlopen of the cpu-so image failed: %s", error.c_str());
  }
}

CpuModule::~CpuModule() {
  kernels_.clear();
  dlclose(handle_);
  if (fd_ >= 0) ::close(fd_);
}

plugin::Kernel& CpuModule::kernel(const char* entry) {
  return kernels_.get(entry, [&] {
    dlerror();  // clear a stale error
    void* symbol = dlsym(handle_, entry);
    if (!symbol) {
      plugin::raise(AHAL_ERROR_NOT_FOUND, "the cpu-so module has no kernel '%s': %s", entry,
                    dl_error().c_str());
    }
    return std::make_unique<CpuKernel>(reinterpret_cast<ahal_cpu_kernel_fn>(symbol),
                                       infos_.find(entry));
  });
}

}  // namespace ahal_cpu
