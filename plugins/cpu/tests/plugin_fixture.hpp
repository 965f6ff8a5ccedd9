// Opens the CPU plugin the way the loader does (dlopen + ahal_plugin_query)
// and calls its dispatch table directly, with checked arguments.
#pragma once

#include <ahal/plugin.h>

#include <catch2/catch.hpp>

#include "plugin_test_support.hpp"
#include <dlfcn.h>

#include <array>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace cpu_test {

// Messages the plugin hands to set_error_message, per thread.
inline std::string& last_message() {
  thread_local std::string message;
  return message;
}
inline void record_message(const char* message) { last_message() = message ? message : ""; }

inline std::vector<unsigned char> read_file(const char* path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in.good());
  return std::vector<unsigned char>(std::istreambuf_iterator<char>(in), {});
}

inline ahal_plugin_binding_t bind(ahal_plugin_buffer_t* buffer, uint64_t size,
                                  uint64_t offset = 0) {
  return ahal_plugin_binding_t{buffer, offset, size};
}

class Plugin {
 public:
  Plugin() {
    so_ = dlopen(CPU_PLUGIN_FILE, RTLD_NOW | RTLD_LOCAL);
    INFO((so_ ? "" : dlerror()));
    REQUIRE(so_);
    query_ = reinterpret_cast<ahal_plugin_query_fn>(dlsym(so_, AHAL_PLUGIN_QUERY_SYMBOL));
    REQUIRE(query_);
    api_.struct_size = sizeof(api_);
    REQUIRE(query_(AHAL_PLUGIN_ABI_VERSION, &api_) == AHAL_SUCCESS);
    host_.struct_size = sizeof(host_);
    host_.loader_abi_version = AHAL_PLUGIN_ABI_VERSION;
    host_.api_version = AHAL_API_VERSION;
    host_.set_error_message = &record_message;
    ahal_plugin_init_args_t init{};
    init.struct_size = sizeof(init);
    init.plugin_path = CPU_PLUGIN_FILE;
    init.cache_dir = "";
    REQUIRE(api_.plugin_init(&host_, &init, &instance_) == AHAL_SUCCESS);
    REQUIRE(api_.device_open(instance_, 0, &device_) == AHAL_SUCCESS);
  }

  ~Plugin() {
    for (ahal_plugin_stream_t* s : streams_) {
      api_.stream_synchronize(s);
      api_.stream_destroy(s);
    }
    for (ahal_plugin_event_t* e : events_) api_.event_destroy(e);
    for (ahal_plugin_module_t* m : modules_) api_.module_destroy(m);
    for (ahal_plugin_buffer_t* b : buffers_) api_.buffer_destroy(device_, b);
    for (ahal_plugin_host_alloc_t* h : host_allocs_) api_.host_free(device_, h);
    api_.device_close(device_);
    api_.plugin_shutdown(instance_);
    dlclose(so_);
  }

  Plugin(const Plugin&) = delete;
  Plugin& operator=(const Plugin&) = delete;

  const ahal_plugin_api_t& api() const { return api_; }
  ahal_plugin_query_fn query() const { return query_; }
  ahal_plugin_instance_t* instance() const { return instance_; }
  ahal_plugin_device_t* device() const { return device_; }

  ahal_device_properties_t properties() {
    ahal_device_properties_t p{};
    p.struct_size = sizeof(p);
    REQUIRE(api_.device_get_properties(device_, &p) == AHAL_SUCCESS);
    return p;
  }

  ahal_plugin_buffer_t* buffer(uint64_t size) {
    ahal_buffer_args_t args{};
    args.struct_size = sizeof(args);
    args.size = size;
    ahal_plugin_buffer_t* b = nullptr;
    REQUIRE(api_.buffer_create(device_, &args, &b) == AHAL_SUCCESS);
    buffers_.push_back(b);
    return b;
  }

  // The buffer's memory (CPU buffers stay valid while mapped; tests unmap
  // right away and keep using the pointer only where the plugin allows it).
  void* map(ahal_plugin_buffer_t* b, uint64_t size) {
    void* p = nullptr;
    REQUIRE(api_.buffer_map(device_, b, 0, size, &p) == AHAL_SUCCESS);
    REQUIRE(api_.buffer_unmap(device_, b) == AHAL_SUCCESS);
    return p;
  }

  template <class T>
  ahal_plugin_buffer_t* upload(ahal_plugin_stream_t* s, const std::vector<T>& data) {
    ahal_plugin_buffer_t* b = buffer(data.size() * sizeof(T));
    REQUIRE(api_.stream_copy_h2d(s, data.data(), b, 0, data.size() * sizeof(T)) == AHAL_SUCCESS);
    return b;
  }

  template <class T>
  std::vector<T> download(ahal_plugin_stream_t* s, ahal_plugin_buffer_t* b, size_t count) {
    std::vector<T> out(count);
    REQUIRE(api_.stream_copy_d2h(s, b, 0, out.data(), count * sizeof(T)) == AHAL_SUCCESS);
    REQUIRE(api_.stream_synchronize(s) == AHAL_SUCCESS);
    return out;
  }

  void* host_alloc(uint64_t size) {
    void* p = nullptr;
    ahal_plugin_host_alloc_t* h = nullptr;
    REQUIRE(api_.host_alloc(device_, size, 0, &p, &h) == AHAL_SUCCESS);
    host_allocs_.push_back(h);
    return p;
  }

  ahal_plugin_stream_t* stream() {
    ahal_stream_args_t args{};
    args.struct_size = sizeof(args);
    ahal_plugin_stream_t* s = nullptr;
    REQUIRE(api_.stream_create(device_, &args, &s) == AHAL_SUCCESS);
    streams_.push_back(s);
    return s;
  }

  ahal_plugin_event_t* event(uint32_t flags) {
    ahal_plugin_event_t* e = nullptr;
    REQUIRE(api_.event_create(device_, flags, &e) == AHAL_SUCCESS);
    events_.push_back(e);
    return e;
  }

  // Loads a cpu-so file; returns the status (module in *out on success).
  ahal_status_t load_module(const std::vector<unsigned char>& image, const char* target,
                            ahal_plugin_module_t** out,
                            const std::vector<ahal_kernel_info_t>& infos = {}) {
    ahal_plugin_module_args_t args = ahal_test::plugin_module_args(
        AHAL_MODULE_FORMAT_CPU_SO, image.data(), image.size(), "", target);
    args.kernel_info_count = static_cast<uint32_t>(infos.size());
    args.kernel_infos = infos.data();
    const ahal_status_t status = api_.module_create(device_, &args, out);
    if (status == AHAL_SUCCESS) modules_.push_back(*out);
    return status;
  }

  ahal_plugin_module_t* module(const char* file) {
    ahal_plugin_module_t* m = nullptr;
    REQUIRE(load_module(read_file(file), "", &m) == AHAL_SUCCESS);
    return m;
  }

  ahal_plugin_kernel_t* kernel(ahal_plugin_module_t* m, const char* name) {
    ahal_plugin_kernel_t* k = nullptr;
    INFO(name);
    REQUIRE(api_.kernel_get(m, name, &k) == AHAL_SUCCESS);
    return k;
  }

  void launch(ahal_plugin_stream_t* s, ahal_plugin_kernel_t* k, std::array<uint32_t, 3> grid,
              std::array<uint32_t, 3> wg, const std::vector<ahal_plugin_binding_t>& bindings,
              const void* constants = nullptr, uint32_t constants_size = 0,
              uint32_t dynamic_shared = 0) {
    ahal_plugin_launch_t l{};
    l.struct_size = sizeof(l);
    std::memcpy(l.grid, grid.data(), sizeof(l.grid));
    std::memcpy(l.workgroup_size, wg.data(), sizeof(l.workgroup_size));
    l.dynamic_shared_bytes = dynamic_shared;
    l.binding_count = static_cast<uint32_t>(bindings.size());
    l.bindings = bindings.data();
    l.constants = constants;
    l.constants_size = constants_size;
    INFO(last_message());
    REQUIRE(api_.stream_launch(s, k, &l) == AHAL_SUCCESS);
  }

 private:
  void* so_ = nullptr;
  ahal_plugin_query_fn query_ = nullptr;
  ahal_plugin_api_t api_{};
  ahal_plugin_host_t host_{};
  ahal_plugin_instance_t* instance_ = nullptr;
  ahal_plugin_device_t* device_ = nullptr;
  std::vector<ahal_plugin_stream_t*> streams_;
  std::vector<ahal_plugin_event_t*> events_;
  std::vector<ahal_plugin_module_t*> modules_;
  std::vector<ahal_plugin_buffer_t*> buffers_;
  std::vector<ahal_plugin_host_alloc_t*> host_allocs_;
};

}  // namespace cpu_test
