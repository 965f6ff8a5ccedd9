// Header-only C++ RAII wrappers over the ahal C API. Each failing call
// throws ahal::error with the status and the library's message.
#pragma once

#include <ahal/ahal.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace ahal {

class error : public std::runtime_error {
 public:
  error(ahal_status_t status, const std::string& message)
      : std::runtime_error(std::string(ahal_status_string(status)) + ": " + message),
        status_(status) {}
  ahal_status_t status() const noexcept { return status_; }

 private:
  ahal_status_t status_;
};

inline void check(ahal_status_t status) {
  if (status != AHAL_SUCCESS) throw error(status, ahal_last_error_message());
}

namespace detail {
// Move-only owner of a handle with its destroy function.
template <class H, ahal_status_t (*Destroy)(H)>
class Owned {
 public:
  Owned() = default;
  explicit Owned(H h) : h_(h) {}
  Owned(Owned&& o) noexcept : h_(std::exchange(o.h_, nullptr)) {}
  Owned& operator=(Owned&& o) noexcept {
    if (this != &o) {
      reset();
      h_ = std::exchange(o.h_, nullptr);
    }
    return *this;
  }
  Owned(const Owned&) = delete;
  Owned& operator=(const Owned&) = delete;
  ~Owned() { reset(); }
  void reset() noexcept {
    if (h_) Destroy(h_);
    h_ = nullptr;
  }
  H get() const noexcept { return h_; }
  H release() noexcept { return std::exchange(h_, nullptr); }
  explicit operator bool() const noexcept { return h_ != nullptr; }

 protected:
  H h_ = nullptr;
};
}  // namespace detail

// Devices belong to their runtime: this is a plain, copyable reference.
class Device {
 public:
  Device() = default;
  explicit Device(ahal_device_t h) : h_(h) {}
  ahal_device_t get() const noexcept { return h_; }
  ahal_device_properties_t properties() const {
    ahal_device_properties_t p = {};
    p.struct_size = sizeof(p);
    check(ahal_device_get_properties(h_, &p));
    return p;
  }
  void synchronize() const { check(ahal_device_synchronize(h_)); }

 private:
  ahal_device_t h_ = nullptr;
};

class Runtime : public detail::Owned<ahal_runtime_t, ahal_runtime_destroy> {
 public:
  explicit Runtime(const ahal_runtime_options_t* options = nullptr) {
    check(ahal_runtime_create(options, &h_));
  }
  std::vector<Device> devices() const {
    uint32_t n = 0;
    check(ahal_runtime_device_count(h_, &n));
    std::vector<Device> out;
    for (uint32_t i = 0; i < n; ++i) {
      ahal_device_t d;
      check(ahal_runtime_device_get(h_, i, &d));
      out.emplace_back(d);
    }
    return out;
  }
  Device find(const std::string& selector) const {
    ahal_device_t d;
    check(ahal_device_find(h_, selector.c_str(), &d));
    return Device(d);
  }
  std::vector<ahal_plugin_info_t> plugins() const {
    uint32_t n = 0;
    check(ahal_runtime_plugin_count(h_, &n));
    std::vector<ahal_plugin_info_t> out(n);
    for (uint32_t i = 0; i < n; ++i) {
      out[i].struct_size = sizeof(ahal_plugin_info_t);
      check(ahal_runtime_plugin_info(h_, i, &out[i]));
    }
    return out;
  }
};

class Buffer : public detail::Owned<ahal_buffer_t, ahal_buffer_destroy> {
 public:
  Buffer() = default;
  Buffer(Device device, uint64_t size, uint32_t flags = 0) {
    ahal_buffer_args_t a = {};
    a.struct_size = sizeof(a);
    a.size = size;
    a.flags = flags;
    check(ahal_buffer_create(device.get(), &a, &h_));
  }
  uint64_t size() const {
    uint64_t s = 0;
    check(ahal_buffer_size(h_, &s));
    return s;
  }
  void* map(uint64_t offset, uint64_t size) {
    void* p = nullptr;
    check(ahal_buffer_map(h_, offset, size, &p));
    return p;
  }
  void unmap() { check(ahal_buffer_unmap(h_)); }
};

class HostAlloc : public detail::Owned<ahal_host_alloc_t, ahal_host_free> {
 public:
  HostAlloc() = default;
  HostAlloc(Device device, uint64_t size) { check(ahal_host_alloc(device.get(), size, 0, &h_)); }
  void* data() const {
    void* p = nullptr;
    check(ahal_host_alloc_pointer(h_, &p));
    return p;
  }
};

class Event : public detail::Owned<ahal_event_t, ahal_event_destroy> {
 public:
  Event() = default;
  explicit Event(Device device, uint32_t flags = 0) {
    check(ahal_event_create(device.get(), flags, &h_));
  }
  // True once complete.
  bool query() const {
    const ahal_status_t s = ahal_event_query(h_);
    if (s == AHAL_NOT_READY) return false;
    check(s);
    return true;
  }
  void wait(uint64_t timeout_ns = UINT64_MAX) const { check(ahal_event_wait(h_, timeout_ns)); }
  // Nanoseconds from `start` to this event.
  uint64_t elapsed_since(const Event& start) const {
    uint64_t ns = 0;
    check(ahal_event_elapsed_ns(start.get(), h_, &ns));
    return ns;
  }
};

// Kernels belong to their module (or device): a plain reference.
class Kernel {
 public:
  Kernel() = default;
  explicit Kernel(ahal_kernel_t h) : h_(h) {}
  ahal_kernel_t get() const noexcept { return h_; }
  ahal_kernel_attributes_t attributes() const {
    ahal_kernel_attributes_t a = {};
    a.struct_size = sizeof(a);
    check(ahal_kernel_get_attributes(h_, &a));
    return a;
  }
  static Kernel builtin(Device device, const std::string& name) {
    ahal_kernel_t k;
    check(ahal_kernel_get_builtin(device.get(), name.c_str(), &k));
    return Kernel(k);
  }

 private:
  ahal_kernel_t h_ = nullptr;
};

class Module : public detail::Owned<ahal_module_t, ahal_module_destroy> {
 public:
  Module() = default;
  Module(Device device, const ahal_module_args_t& args) {
    check(ahal_module_create(device.get(), &args, &h_));
  }
  // A bundle (or other image, with `format`) read from a file.
  static Module from_file(Device device, const std::string& path,
                          ahal_module_format_t format = AHAL_MODULE_FORMAT_BUNDLE) {
    ahal_module_args_t a = {};
    a.struct_size = sizeof(a);
    a.format = format;
    a.path = path.c_str();
    return Module(device, a);
  }
  Kernel kernel(const std::string& name) const {
    ahal_kernel_t k;
    check(ahal_kernel_get(h_, name.c_str(), &k));
    return Kernel(k);
  }
  ahal_module_format_t format() const {
    ahal_module_format_t f;
    check(ahal_module_format(h_, &f));
    return f;
  }
};

class Stream : public detail::Owned<ahal_stream_t, ahal_stream_destroy> {
 public:
  Stream() = default;
  explicit Stream(Device device, const ahal_stream_args_t* args = nullptr) {
    check(ahal_stream_create(device.get(), args, &h_));
  }
  void copy_h2d(const void* src, const Buffer& dst, uint64_t dst_offset, uint64_t size) {
    check(ahal_stream_copy_h2d(h_, src, dst.get(), dst_offset, size));
  }
  void copy_d2h(const Buffer& src, uint64_t src_offset, void* dst, uint64_t size) {
    check(ahal_stream_copy_d2h(h_, src.get(), src_offset, dst, size));
  }
  void copy_d2d(const Buffer& src, uint64_t src_offset, const Buffer& dst, uint64_t dst_offset,
                uint64_t size) {
    check(ahal_stream_copy_d2d(h_, src.get(), src_offset, dst.get(), dst_offset, size));
  }
  template <class T>
  void fill(const Buffer& buffer, uint64_t offset, uint64_t size, T pattern) {
    static_assert(sizeof(T) == 1 || sizeof(T) == 2 || sizeof(T) == 4, "pattern is 1, 2 or 4 bytes");
    check(ahal_stream_fill(h_, buffer.get(), offset, size, &pattern, sizeof(T)));
  }
  void launch(Kernel kernel, const ahal_launch_args_t& args) {
    check(ahal_stream_launch(h_, kernel.get(), &args));
  }
  void host_callback(ahal_host_fn_t fn, void* user_data) {
    check(ahal_stream_host_callback(h_, fn, user_data));
  }
  void record(const Event& event) { check(ahal_stream_record_event(h_, event.get())); }
  void wait(const Event& event) { check(ahal_stream_wait_event(h_, event.get())); }
  void synchronize() { check(ahal_stream_synchronize(h_)); }
  // True when idle.
  bool query() const {
    const ahal_status_t s = ahal_stream_query(h_);
    if (s == AHAL_NOT_READY) return false;
    check(s);
    return true;
  }
};

}  // namespace ahal
