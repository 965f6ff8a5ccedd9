// ahal/kernel_cache.hpp: a module's kernels by name (header only).
//
// kernel_get must give the same kernel for the same name, from any thread,
// and the module owns its kernels (plugin.h). KernelCache<K> is that map;
// KernelInfos keeps the metadata module_create received (the caller's
// strings live only during the call), for kernel_get_attributes.
//
//   struct MyModule {
//     ahal::plugin::KernelInfos infos;
//     ahal::plugin::KernelCache<MyKernel> kernels;
//   };
//   MyKernel& k = module.kernels.get(entry, [&] { return load(module, entry); });
#pragma once

#include <ahal/plugin.h>

#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace ahal::plugin {

// The kernel metadata of one module, by kernel name.
class KernelInfos {
 public:
  KernelInfos() = default;
  // Copies args.kernel_infos (entries without a name are skipped).
  explicit KernelInfos(const ahal_plugin_module_args_t& args) {
    const bool has_infos = AHAL_PLUGIN_HAS_FIELD(&args, ahal_plugin_module_args_t, kernel_infos);
    const uint32_t count = has_infos && args.kernel_infos ? args.kernel_info_count : 0;
    for (uint32_t i = 0; i < count; ++i) {
      const ahal_kernel_info_t& info = args.kernel_infos[i];
      if (!info.name) continue;
      auto it = infos_.emplace(info.name, info).first;
      it->second.name = it->first.c_str();  // points at our own copy
    }
  }
  KernelInfos(const KernelInfos&) = delete;
  KernelInfos& operator=(const KernelInfos&) = delete;
  KernelInfos(KernelInfos&&) = default;
  KernelInfos& operator=(KernelInfos&&) = default;

  // The metadata of kernel `name`, or nullptr when the loader gave none.
  const ahal_kernel_info_t* find(const std::string& name) const {
    auto it = infos_.find(name);
    return it == infos_.end() ? nullptr : &it->second;
  }

  // The metadata when the module has exactly one kernel's, else nullptr
  // (a SPIR-V module for Vulkan names its one kernel "main").
  const ahal_kernel_info_t* only() const {
    return infos_.size() == 1 ? &infos_.begin()->second : nullptr;
  }

  // Fills has_metadata, binding_count, constants_size and flags of `out`
  // from `info` (find() or only()); leaves them as they are without one.
  static void describe(const ahal_kernel_info_t* info, ahal_kernel_attributes_t& out) {
    if (!info) return;
    out.has_metadata = 1;
    out.binding_count = info->binding_count;
    out.constants_size = info->constants_size;
    out.flags = info->flags;
  }
  // The same from kernel `name`'s metadata.
  void describe(const std::string& name, ahal_kernel_attributes_t& out) const {
    describe(find(name), out);
  }

 private:
  std::unordered_map<std::string, ahal_kernel_info_t> infos_;
};

// A module's kernels, made once per name and owned until the module goes.
template <class K>
class KernelCache {
 public:
  // The kernel named `name`. The first call for a name runs make(), which
  // returns std::unique_ptr<K> (or a pointer convertible to it) and may
  // throw; then nothing is cached and the exception propagates. make() runs
  // under the cache's lock, so two threads never make the same kernel.
  template <class Make>
  K& get(const std::string& name, Make&& make) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = kernels_.find(name);
    if (it != kernels_.end()) return *it->second;
    std::unique_ptr<K> kernel(make());
    K& out = *kernel;
    kernels_.emplace(name, std::move(kernel));
    return out;
  }

  // Calls f(K&) on every kernel made so far, e.g. to release backend
  // objects before the module's own.
  template <class F>
  void for_each(F&& f) {
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto& entry : kernels_) f(*entry.second);
  }

  // Destroys every kernel (a module does this before unloading its code).
  void clear() {
    std::lock_guard<std::mutex> lock(mutex_);
    kernels_.clear();
  }

 private:
  std::mutex mutex_;
  std::unordered_map<std::string, std::unique_ptr<K>> kernels_;
};

}  // namespace ahal::plugin
