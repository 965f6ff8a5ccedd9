// ahal/vendor_library.hpp: a vendor's runtime library, opened at run time
// (header only).
//
// A plugin for CUDA, HIP, Level Zero, Vulkan or OpenCL links none of them:
// it opens the vendor's library when a runtime starts, so it loads on
// machines without one and says why it has no devices. VendorLibrary opens
// the first of a list of candidate files; SymbolTable fills the plugin's
// table of entry points, the required and the optional ones, and names the
// required ones that are missing:
//
//   ahal::plugin::VendorLibrary lib;
//   ahal_status_t status = lib.load(
//       "Level Zero loader",
//       VendorLibrary::candidates("AHAL_ZE_LOADER_PATH", {"libze_loader.so.1"}),
//       [&](ahal::plugin::SymbolTable& symbols) {
//         symbols.require(ze.zeInit, "zeInit");
//         symbols.optional(ze.zeDriverGetExtensionFunctionAddress, "zeDriver...");
//       });
//   if (status != AHAL_SUCCESS) return fail(status, lib.error());
//   // "Level Zero loader not found (libze_loader.so.1: cannot open ...)", or
//   // "Level Zero loader /usr/lib/libze_loader.so.1 lacks required entry points: zeInit"
//
// A library in use stays loaded for the life of the process: vendor
// runtimes start threads and register exit handlers that must not outlive
// their code. Only a refused library is closed.
#pragma once

#include <ahal/ahal.h>

#include <dlfcn.h>
#include <link.h>

#include <cstdlib>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace ahal::plugin {

class VendorLibrary {
 public:
  // The files to try: $env_var alone when it is set and not empty (the
  // user named the library), else `defaults` in order.
  static std::vector<std::string> candidates(const char* env_var,
                                             std::vector<std::string> defaults) {
    const char* named = env_var ? std::getenv(env_var) : nullptr;
    if (named && *named) return {named};
    return defaults;
  }

  // Opens the first candidate that dlopen accepts (RTLD_NOW | RTLD_LOCAL),
  // as a program linked against the library would get it: a broken one is
  // refused later, not skipped. `what` names the library in messages. On
  // failure error() is "<what> not found (<why each candidate failed>)".
  bool open(const std::string& what, const std::vector<std::string>& candidates) {
    close();
    what_ = what;
    error_.clear();
    std::string reasons;
    for (const std::string& name : candidates) {
      dlerror();
      void* handle = dlopen(name.c_str(), RTLD_NOW | RTLD_LOCAL);
      if (handle) {
        handle_ = handle;
        path_ = loaded_path(handle, name);
        return true;
      }
      const char* why = dlerror();
      std::string reason = why ? why : "cannot open";
      // dlerror() usually starts with the file name; say it once.
      if (reason.compare(0, name.size() + 2, name + ": ") != 0) reason = name + ": " + reason;
      reasons += (reasons.empty() ? "" : "; ") + reason;
    }
    error_ = what_ + " not found (" + (reasons.empty() ? "no file to try" : reasons) + ")";
    return false;
  }

  // open(), then resolve(SymbolTable&) fills the plugin's table from the
  // library. AHAL_ERROR_NOT_FOUND when no candidate opens,
  // AHAL_ERROR_INCOMPATIBLE (and the library closed) when a required entry
  // point is missing; error() says why.
  template <class Resolve>
  ahal_status_t load(const std::string& what, const std::vector<std::string>& candidates,
                     Resolve&& resolve);

  bool is_open() const { return handle_ != nullptr; }
  void* handle() const { return handle_; }
  // "CUDA driver": what the library is, for messages.
  const std::string& what() const { return what_; }
  // The file actually loaded (a bare soname resolved through the search
  // path), or the name opened where the link map does not say.
  const std::string& path() const { return path_; }
  // Why open() failed.
  const std::string& error() const { return error_; }

  // The address of `name` in the library, or nullptr.
  void* symbol(const char* name) const { return handle_ ? dlsym(handle_, name) : nullptr; }

  // Unloads a library the plugin refused (symbols missing, not a driver).
  void close() {
    if (handle_) dlclose(handle_);
    handle_ = nullptr;
    path_.clear();
  }

 private:
  static std::string loaded_path(void* handle, const std::string& fallback) {
    struct link_map* map = nullptr;
    if (dlinfo(handle, RTLD_DI_LINKMAP, &map) == 0 && map && map->l_name && *map->l_name)
      return map->l_name;
    return fallback;
  }

  void* handle_ = nullptr;
  std::string what_;
  std::string path_;
  std::string error_;
};

// Fills a plugin's table of entry points and records which required ones
// are missing. Names are looked up with dlsym in a VendorLibrary, or with a
// lookup of the API's own (cuGetProcAddress, vkGetDeviceProcAddr, ...).
class SymbolTable {
 public:
  using Lookup = std::function<void*(const char* name)>;

  // Looks names up in `library`; messages name it by what() and path().
  explicit SymbolTable(const VendorLibrary& library)
      : provider_(library.what() + " " + library.path()),
        lookup_([&library](const char* name) { return library.symbol(name); }) {}
  // Looks names up with `lookup`; `provider` names what is searched in
  // messages ("the Vulkan driver").
  SymbolTable(std::string provider, Lookup lookup)
      : provider_(std::move(provider)), lookup_(std::move(lookup)) {}

  // Sets `slot` to `name`'s address; a missing one is recorded, with
  // `note` after its name in the message ("(CUDA 11.3)").
  template <class Fn>
  bool require(Fn& slot, const char* name, const std::string& note = "") {
    if (optional(slot, name)) return true;
    missing_.push_back(note.empty() ? std::string(name) : std::string(name) + " " + note);
    return false;
  }

  // Sets `slot` to `name`'s address, or to nullptr where there is none.
  template <class Fn>
  bool optional(Fn& slot, const char* name) {
    slot = reinterpret_cast<Fn>(lookup_(name));
    return slot != nullptr;
  }

  // True when every required entry point was found.
  bool complete() const { return missing_.empty(); }
  const std::vector<std::string>& missing() const { return missing_; }
  // "<provider> lacks required entry points: a, b".
  std::string error() const {
    std::string list;
    for (const std::string& name : missing_) list += (list.empty() ? "" : ", ") + name;
    return provider_ + " lacks required entry points: " + list;
  }

 private:
  std::string provider_;
  Lookup lookup_;
  std::vector<std::string> missing_;
};

template <class Resolve>
ahal_status_t VendorLibrary::load(const std::string& what,
                                  const std::vector<std::string>& candidates, Resolve&& resolve) {
  if (!open(what, candidates)) return AHAL_ERROR_NOT_FOUND;
  SymbolTable symbols(*this);
  resolve(symbols);
  if (symbols.complete()) return AHAL_SUCCESS;
  error_ = symbols.error();
  close();
  return AHAL_ERROR_INCOMPATIBLE;
}

}  // namespace ahal::plugin
