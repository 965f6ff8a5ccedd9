// Test helpers for a plugin that opens its vendor library (runtime, loader)
// at run time, driven through its dispatch table without the loader: the
// plugin opened as the loader opens it, the four ways its library can be
// there or not, the DT_NEEDED list of a shared object, module arguments.
// Used by the plugins' dispatch-table tests; include after <catch2/catch.hpp>.
#pragma once

#include <ahal/plugin.h>

#include <catch2/catch.hpp>

#include <dlfcn.h>
#include <elf.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <vector>

namespace ahal_test {

// The message the plugin set for its last failure on this thread.
inline std::string& last_plugin_message() {
  thread_local std::string message;
  return message;
}

inline const ahal_plugin_host_t* test_host() {
  static const ahal_plugin_host_t host = {
      sizeof(ahal_plugin_host_t), AHAL_PLUGIN_ABI_VERSION, AHAL_API_VERSION,
      [](const char* message) { last_plugin_message() = message ? message : ""; },
      [](ahal_log_level_t, const char*, const char*) {}};
  return &host;
}

// module_create arguments for `size` bytes of `format` at `data` (kept by
// the caller), with its build options and target.
inline ahal_plugin_module_args_t plugin_module_args(ahal_module_format_t format, const void* data,
                                                    size_t size, const char* build_options = "",
                                                    const char* target = "") {
  ahal_plugin_module_args_t args{};
  args.struct_size = sizeof(args);
  args.format = format;
  args.data = data;
  args.data_size = size;
  args.build_options = build_options;
  args.target = target;
  return args;
}

// A plugin file opened with dlopen and queried, as the loader does.
struct DirectPlugin {
  void* handle = nullptr;
  ahal_plugin_api_t api{};

  explicit DirectPlugin(const char* path) {
    handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!handle) throw std::runtime_error(std::string("dlopen: ") + dlerror());
    auto query = reinterpret_cast<ahal_plugin_query_fn>(dlsym(handle, AHAL_PLUGIN_QUERY_SYMBOL));
    if (!query) throw std::runtime_error("no ahal_plugin_query");
    api.struct_size = sizeof(api);
    if (query(AHAL_PLUGIN_ABI_VERSION, &api) != AHAL_SUCCESS)
      throw std::runtime_error("ahal_plugin_query failed");
  }
  ~DirectPlugin() { dlclose(handle); }
  DirectPlugin(const DirectPlugin&) = delete;
  DirectPlugin& operator=(const DirectPlugin&) = delete;

  // plugin_init with the test host; *message gets the failure message.
  ahal_status_t init(ahal_plugin_instance_t** instance, std::string* message) {
    ahal_plugin_init_args_t args{};
    args.struct_size = sizeof(args);
    args.plugin_path = "";
    args.cache_dir = "";
    last_plugin_message().clear();
    ahal_status_t status = api.plugin_init(test_host(), &args, instance);
    *message = last_plugin_message();
    return status;
  }
};

// CHECKs that the plugin file offers the native command buffer entries
// (docs/command-buffers.md).
inline void check_command_buffer_entries(const char* plugin_file) {
  DirectPlugin plugin(plugin_file);
  CHECK(plugin.api.command_buffer_create);
  CHECK(plugin.api.command_buffer_submit);
  CHECK(plugin.api.command_buffer_destroy);
  CHECK(plugin.api.command_buffer_update);
}

// Sets or unsets an environment variable for one scope.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) {
      had_ = true;
      old_ = old;
    }
    if (value)
      setenv(name, value, 1);
    else
      unsetenv(name);
  }
  ~ScopedEnv() {
    if (had_)
      setenv(name_.c_str(), old_.c_str(), 1);
    else
      unsetenv(name_.c_str());
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  std::string name_;
  std::string old_;
  bool had_ = false;
};

// The DT_NEEDED entries of a 64-bit ELF shared object.
inline std::vector<std::string> elf_needed(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<char> file((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto read = [&](uint64_t offset, void* out, size_t size) {
    if (offset + size > file.size()) throw std::runtime_error(path + ": truncated ELF file");
    std::memcpy(out, file.data() + offset, size);
  };
  Elf64_Ehdr eh;
  read(0, &eh, sizeof(eh));
  if (std::memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 || eh.e_ident[EI_CLASS] != ELFCLASS64)
    throw std::runtime_error(path + ": not a 64-bit ELF file");
  std::vector<Elf64_Phdr> phdrs(eh.e_phnum);
  for (size_t i = 0; i < phdrs.size(); ++i)
    read(eh.e_phoff + i * eh.e_phentsize, &phdrs[i], sizeof(Elf64_Phdr));
  // Virtual address -> file offset through the PT_LOAD segments.
  auto file_offset = [&](uint64_t vaddr) -> uint64_t {
    for (const Elf64_Phdr& p : phdrs)
      if (p.p_type == PT_LOAD && vaddr >= p.p_vaddr && vaddr < p.p_vaddr + p.p_filesz)
        return vaddr - p.p_vaddr + p.p_offset;
    throw std::runtime_error(path + ": address outside the loaded segments");
  };
  std::vector<uint64_t> needed_offsets;
  uint64_t strtab = 0;
  for (const Elf64_Phdr& p : phdrs) {
    if (p.p_type != PT_DYNAMIC) continue;
    for (uint64_t off = p.p_offset; off + sizeof(Elf64_Dyn) <= p.p_offset + p.p_filesz;
         off += sizeof(Elf64_Dyn)) {
      Elf64_Dyn d;
      read(off, &d, sizeof(d));
      if (d.d_tag == DT_NULL) break;
      if (d.d_tag == DT_NEEDED) needed_offsets.push_back(d.d_un.d_val);
      if (d.d_tag == DT_STRTAB) strtab = d.d_un.d_ptr;
    }
  }
  std::vector<std::string> needed;
  if (needed_offsets.empty()) return needed;
  const uint64_t base = file_offset(strtab);
  for (uint64_t off : needed_offsets) {
    if (base + off >= file.size()) throw std::runtime_error(path + ": bad DT_NEEDED offset");
    needed.emplace_back(file.data() + base + off);
  }
  return needed;
}

// Libraries a plugin may need: the C and C++ runtimes only (and, in a
// sanitizer build, the sanitizers' own runtimes).
inline bool is_c_or_cxx_runtime(const std::string& soname) {
  for (const char* allowed : {"libc.so.6", "libstdc++.so.6", "libm.so.6", "libgcc_s.so.1",
                              "ld-linux-x86-64.so.2", "libpthread.so.0", "libdl.so.2"})
    if (soname == allowed) return true;
  for (const char* sanitizer : {"libasan.so.", "libubsan.so.", "libtsan.so.", "liblsan.so."})
    if (soname.rfind(sanitizer, 0) == 0) return true;
  return false;
}

// Whether the ordinary search finds the vendor library `soname` on this
// machine; then a case that needs it absent cannot be shown here, and a
// warning says so.
inline bool system_has_library(const char* soname) {
  void* library = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
  if (!library) return false;
  dlclose(library);
  WARN("SKIPPED: this machine has a " << soname << "; the case without it cannot be shown here");
  return true;
}

// A plugin's vendor library and what the plugin says about it.
struct VendorLibrary {
  const char* plugin_name;    // "hip": the plugin's api.name
  const char* path_variable;  // names the library's file, "AHAL_HIP_RUNTIME_PATH"
  const char* missing_path;   // a file that is not there
  const char* not_found;      // the reason when the library is not found
  // The sonames the plugin opens by default.
  std::vector<const char*> sonames;
  // Reasons, besides not_found, for a library that is there but gives no devices.
  std::vector<const char*> no_device_reasons;
  // Entry points the test's broken library lacks (the refusal names them),
  // and one it has (the refusal does not).
  std::vector<const char*> broken_lacks;
  const char* broken_has;
};

inline bool contains(const std::string& text, const char* part) {
  return text.find(part) != std::string::npos;
}

// Without the library the plugin initializes to NOT_FOUND, naming the file.
inline void check_init_without_library(const char* plugin_file, const VendorLibrary& lib) {
  ScopedEnv env(lib.path_variable, lib.missing_path);
  DirectPlugin plugin(plugin_file);
  REQUIRE(std::string(plugin.api.name) == lib.plugin_name);
  ahal_plugin_instance_t* instance = nullptr;
  std::string message;
  REQUIRE(plugin.init(&instance, &message) == AHAL_ERROR_NOT_FOUND);
  REQUIRE(instance == nullptr);
  INFO(message);
  REQUIRE(contains(message, lib.not_found));
  // dlerror's own text names the file it could not open.
  REQUIRE(contains(message, lib.missing_path));
}

// A library without the entry points is refused as INCOMPATIBLE, named as
// `named`, and the plugin still answers the next init. `library_path`
// names the library; nullptr leaves it to the ordinary search (a test that
// ctest runs with LD_LIBRARY_PATH at a broken library). Returns the
// message, for the caller to look for the missing entry points.
inline std::string init_with_broken_library(const char* plugin_file, const VendorLibrary& lib,
                                            const char* library_path, const char* named) {
  ScopedEnv env(lib.path_variable, library_path);
  DirectPlugin plugin(plugin_file);
  ahal_plugin_instance_t* instance = nullptr;
  std::string message;
  REQUIRE(plugin.init(&instance, &message) == AHAL_ERROR_INCOMPATIBLE);
  REQUIRE(instance == nullptr);
  INFO(message);
  REQUIRE(contains(message, named));
  REQUIRE(contains(message, "lacks required entry points"));
  ScopedEnv absent(lib.path_variable, lib.missing_path);
  std::string next_message;
  REQUIRE(plugin.init(&instance, &next_message) == AHAL_ERROR_NOT_FOUND);
  return message;
}

// The system's library, if any, has every entry point the plugin needs:
// the plugin is never refused for one; it has devices or says why not.
inline void check_init_with_system_library(const char* plugin_file, const VendorLibrary& lib) {
  ScopedEnv env(lib.path_variable, nullptr);
  void* system_library = nullptr;
  for (const char* soname : lib.sonames) {
    if (!system_library) system_library = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
  }
  DirectPlugin plugin(plugin_file);
  ahal_plugin_instance_t* instance = nullptr;
  std::string message;
  ahal_status_t status = plugin.init(&instance, &message);
  INFO(message);
  if (!system_library) {
    REQUIRE(status == AHAL_ERROR_NOT_FOUND);
    REQUIRE(contains(message, lib.not_found));
    return;
  }
  dlclose(system_library);
  REQUIRE(status != AHAL_ERROR_INCOMPATIBLE);
  if (status == AHAL_SUCCESS) {
    uint32_t count = 0;
    REQUIRE(plugin.api.device_count(instance, &count) == AHAL_SUCCESS);
    REQUIRE(count > 0);
    plugin.api.plugin_shutdown(instance);
  } else {
    REQUIRE(status == AHAL_ERROR_NOT_FOUND);
    bool says_why = false;
    for (const char* reason : lib.no_device_reasons) says_why |= contains(message, reason);
    REQUIRE(says_why);
  }
}

// The plugin links only the C and C++ runtimes, so it loads anywhere.
inline void check_links_only_c_and_cxx_runtimes(const char* plugin_file) {
  for (const std::string& lib : elf_needed(plugin_file)) {
    INFO(lib);
    REQUIRE(is_c_or_cxx_runtime(lib));
  }
}

}  // namespace ahal_test
