// Test helpers for one device seen through libahal: its properties, modules
// from a bundle or from an image's bytes, one-dimensional launch arguments,
// and buffers moved to and from the host. Shared by the plugins' API tests;
// include after <catch2/catch.hpp>.
#pragma once

#include <ahal/ahal.h>

#include <catch2/catch.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

// REQUIREs that an ahal call succeeded; a failure shows the call, its
// status and the thread's last error message.
#define AHAL_TEST_OK(call)                                             \
  do {                                                                 \
    ahal_status_t ahal_test_status = (call);                           \
    INFO(#call << ": " << ahal_status_string(ahal_test_status) << ": " \
               << ahal_last_error_message());                          \
    REQUIRE(ahal_test_status == AHAL_SUCCESS);                         \
  } while (0)

namespace ahal_test {

// The device's properties (REQUIREs that the call works).
inline ahal_device_properties_t properties(ahal_device_t device) {
  ahal_device_properties_t p{};
  p.struct_size = sizeof(p);
  ahal_status_t status = ahal_device_get_properties(device, &p);
  INFO(ahal_last_error_message());
  REQUIRE(status == AHAL_SUCCESS);
  return p;
}

// Whether a runtime that loads `plugins` from `plugin_dir` has the device
// `selector`, and its properties; where not it prints why, and a device
// test's main() exits 77 (ctest: skipped).
inline bool find_device(const char* plugin_dir, const char* plugins, const char* selector,
                        ahal_device_properties_t* props = nullptr, uint32_t flags = 0) {
  ahal_runtime_options_t options{};
  options.struct_size = sizeof(options);
  options.flags = flags;
  options.plugin_path = plugin_dir;
  options.plugins = plugins;
  ahal_runtime_t runtime = nullptr;
  ahal_device_t device = nullptr;
  bool found = ahal_runtime_create(&options, &runtime) == AHAL_SUCCESS &&
               ahal_device_find(runtime, selector, &device) == AHAL_SUCCESS;
  if (!found) std::printf("SKIP: no device %s: %s\n", selector, ahal_last_error_message());
  if (found && props) {
    props->struct_size = sizeof(*props);
    found = ahal_device_get_properties(device, props) == AHAL_SUCCESS;
  }
  ahal_runtime_destroy(runtime);
  return found;
}

// The native description of `size` bytes of this process's memory at
// `memory`, for ahal_buffer_import_native.
inline ahal_native_buffer_t host_memory_native(const void* memory, uint64_t size) {
  ahal_native_buffer_t n{};
  n.struct_size = sizeof(n);
  n.kind = AHAL_NATIVE_HANDLE_HOST_POINTER;
  n.handle = reinterpret_cast<uintptr_t>(memory);
  n.size = size;
  return n;
}

// What every device's properties must say: its plugin and selector, a
// name, memory and limits that agree with each other.
inline void check_properties_consistent(const ahal_device_properties_t& p, const char* plugin,
                                        const char* selector) {
  CHECK(std::string(p.plugin) == plugin);
  CHECK(std::string(p.selector) == selector);
  CHECK(p.name[0] != '\0');
  CHECK(p.driver_version[0] != '\0');
  CHECK(p.global_memory_bytes > 0);
  CHECK(p.max_allocation_bytes > 0);
  CHECK(p.max_allocation_bytes <= p.global_memory_bytes);
  CHECK(p.max_workgroup_size >= 1);
  for (int d = 0; d < 3; ++d) {
    CHECK(p.max_workgroup_dims[d] >= 1);
    CHECK(p.max_workgroup_dims[d] <= p.max_workgroup_size);
    CHECK(p.max_grid_dims[d] >= 1);
  }
  CHECK(p.subgroup_size_min <= p.subgroup_size_max);
  CHECK(p.max_bindings <= AHAL_MAX_BINDINGS);
  CHECK(p.max_constants_size <= AHAL_MAX_CONSTANTS_SIZE);
  CHECK(p.binding_offset_alignment >= 1);
  CHECK((p.binding_offset_alignment & (p.binding_offset_alignment - 1)) == 0);
  CHECK(((p.features & AHAL_FEATURE_TIMESTAMPS) != 0) == (p.timestamp_resolution_ps > 0));
}

// A module from `size` bytes of `format`, with build options and kernel
// metadata when given; the status, for tests of refusals too.
inline ahal_status_t image_module(ahal_device_t device, ahal_module_format_t format,
                                  const void* data, size_t size, ahal_module_t* out,
                                  const char* build_options = nullptr,
                                  const std::vector<ahal_kernel_info_t>& infos = {}) {
  ahal_module_args_t args{};
  args.struct_size = sizeof(args);
  args.format = format;
  args.data = data;
  args.data_size = size;
  args.build_options = build_options;
  args.kernel_info_count = static_cast<uint32_t>(infos.size());
  args.kernel_infos = infos.empty() ? nullptr : infos.data();
  return ahal_module_create(device, &args, out);
}

// A module from the kernel bundle at `bundle_path`.
inline ahal_module_t bundle_module(ahal_device_t device, const char* bundle_path) {
  ahal_module_args_t args{};
  args.struct_size = sizeof(args);
  args.format = AHAL_MODULE_FORMAT_BUNDLE;
  args.path = bundle_path;
  ahal_module_t module = nullptr;
  ahal_status_t status = ahal_module_create(device, &args, &module);
  INFO(ahal_last_error_message());
  REQUIRE(status == AHAL_SUCCESS);
  return module;
}

// The format of the image `module` loaded is `expected`.
inline void check_module_format(ahal_module_t module, ahal_module_format_t expected) {
  ahal_module_format_t format = AHAL_MODULE_FORMAT_UNKNOWN;
  AHAL_TEST_OK(ahal_module_format(module, &format));
  CHECK(format == expected);
}

// The attributes of kernel `name` of `module` (REQUIREs that it is there).
inline ahal_kernel_attributes_t kernel_attributes(ahal_module_t module, const char* name) {
  ahal_kernel_t kernel = nullptr;
  AHAL_TEST_OK(ahal_kernel_get(module, name, &kernel));
  ahal_kernel_attributes_t a{};
  a.struct_size = sizeof(a);
  AHAL_TEST_OK(ahal_kernel_get_attributes(kernel, &a));
  return a;
}

// The standard kernel reverse_shared of a bundle `module`, as the bundle's
// metadata (two bindings) and the backend (its 256-word shared tile, the
// given workgroup limit and multiple) describe it.
inline void check_reverse_shared_attributes(ahal_module_t module, uint32_t max_workgroup_size,
                                            uint32_t preferred_multiple) {
  const ahal_kernel_attributes_t a = kernel_attributes(module, "reverse_shared");
  CHECK(a.static_shared_bytes == 1024);
  CHECK(a.max_workgroup_size == max_workgroup_size);
  CHECK(a.preferred_workgroup_multiple == preferred_multiple);
  CHECK(a.has_metadata == 1);
  CHECK(a.binding_count == 2);
}

// An unknown kernel name is NOT_FOUND, and the message names it.
inline void check_unknown_kernel_refused(ahal_module_t module) {
  ahal_kernel_t kernel = nullptr;
  CHECK(ahal_kernel_get(module, "no_such_kernel", &kernel) == AHAL_ERROR_NOT_FOUND);
  CHECK(std::string(ahal_last_error_message()).find("no_such_kernel") != std::string::npos);
}

// A kernel lookup in `module` for check_standard_kernels(): the kernel, or
// nullptr where the module has none of that name.
inline auto kernels_of(ahal_module_t module) {
  return [module](const char* name) -> ahal_kernel_t {
    ahal_kernel_t kernel = nullptr;
    return ahal_kernel_get(module, name, &kernel) == AHAL_SUCCESS ? kernel : nullptr;
  };
}

// Launch arguments for a 1-D grid of `groups` workgroups of `size`, over
// `bindings` (kept by the caller) and `constants_size` bytes at `constants`.
inline ahal_launch_args_t launch_1d(uint32_t groups, uint32_t size,
                                    const std::vector<ahal_binding_t>& bindings,
                                    const void* constants = nullptr, uint32_t constants_size = 0,
                                    uint32_t dynamic_shared = 0) {
  ahal_launch_args_t l{};
  l.struct_size = sizeof(l);
  l.grid[0] = groups;
  l.grid[1] = l.grid[2] = 1;
  l.workgroup_size[0] = size;
  l.workgroup_size[1] = l.workgroup_size[2] = 1;
  l.dynamic_shared_bytes = dynamic_shared;
  l.binding_count = static_cast<uint32_t>(bindings.size());
  l.bindings = bindings.empty() ? nullptr : bindings.data();
  l.constants = constants;
  l.constants_size = constants_size;
  return l;
}

// `count` values of a buffer, read through `stream` once it ran.
template <class T>
std::vector<T> download(ahal_stream_t stream, ahal_buffer_t buffer, size_t count,
                        uint64_t offset = 0) {
  std::vector<T> values(count);
  ahal_status_t status =
      ahal_stream_copy_d2h(stream, buffer, offset, values.data(), count * sizeof(T));
  if (status == AHAL_SUCCESS) status = ahal_stream_synchronize(stream);
  INFO(ahal_last_error_message());
  REQUIRE(status == AHAL_SUCCESS);
  return values;
}

// A runtime that loads `plugins` from `plugin_dir`, its device `selector`
// with its properties, and one stream; buffers to and from the host.
// `flags` are ahal_runtime_flags_t.
struct StreamFixture {
  ahal_runtime_t runtime = nullptr;
  ahal_device_t device = nullptr;
  ahal_device_properties_t props{};
  ahal_stream_t stream = nullptr;

  StreamFixture(const char* plugin_dir, const char* plugins, const char* selector,
                uint32_t flags = 0) {
    ahal_runtime_options_t options{};
    options.struct_size = sizeof(options);
    options.flags = flags;
    options.plugin_path = plugin_dir;
    options.plugins = plugins;
    ahal_status_t status = ahal_runtime_create(&options, &runtime);
    if (status == AHAL_SUCCESS) status = ahal_device_find(runtime, selector, &device);
    if (status == AHAL_SUCCESS) status = ahal_stream_create(device, nullptr, &stream);
    INFO(selector << ": " << ahal_last_error_message());
    REQUIRE(status == AHAL_SUCCESS);
    props = properties(device);
  }
  ~StreamFixture() { ahal_runtime_destroy(runtime); }
  StreamFixture(const StreamFixture&) = delete;
  StreamFixture& operator=(const StreamFixture&) = delete;

  ahal_buffer_t buffer(uint64_t size, uint32_t flags = 0) {
    ahal_buffer_args_t args{};
    args.struct_size = sizeof(args);
    args.size = size;
    args.flags = flags;
    ahal_buffer_t b = nullptr;
    ahal_status_t status = ahal_buffer_create(device, &args, &b);
    INFO(ahal_last_error_message());
    REQUIRE(status == AHAL_SUCCESS);
    return b;
  }
  // A buffer holding `host`; the copy is queued on the stream.
  template <class T>
  ahal_buffer_t upload(const std::vector<T>& host, uint32_t flags = 0) {
    ahal_buffer_t b = buffer(host.size() * sizeof(T), flags);
    ahal_status_t status = ahal_stream_copy_h2d(stream, host.data(), b, 0, host.size() * sizeof(T));
    INFO(ahal_last_error_message());
    REQUIRE(status == AHAL_SUCCESS);
    return b;
  }
  template <class T>
  std::vector<T> download(ahal_buffer_t b, size_t count, uint64_t offset = 0) {
    return ahal_test::download<T>(stream, b, count, offset);
  }
};

}  // namespace ahal_test
