// properties: the device describes itself consistently.
#include "harness.hpp"

#include <cmath>
#include <string>

namespace {

using namespace conform;

bool is_power_of_two(uint64_t v) { return v && !(v & (v - 1)); }

const uint64_t kKnownFeatures = AHAL_FEATURE_FP64 | AHAL_FEATURE_FP16 | AHAL_FEATURE_INT64_ATOMICS |
                                AHAL_FEATURE_HOST_VISIBLE_MEMORY | AHAL_FEATURE_UNIFIED_MEMORY |
                                AHAL_FEATURE_TIMESTAMPS | AHAL_FEATURE_HOST_CALLBACKS |
                                AHAL_FEATURE_BUILTIN_KERNELS | AHAL_FEATURE_DYNAMIC_SHARED_MEMORY |
                                AHAL_FEATURE_GENERAL_KERNELS;

size_t bounded_strlen(const char* s, size_t cap) {
  size_t n = 0;
  while (n < cap && s[n]) ++n;
  return n;
}

CONFORM_TEST(identity, "properties.identity", core, 0) {
  const ahal_device_properties_t& p = ctx.props();
  REQUIRE(bounded_strlen(p.name, sizeof(p.name)) < sizeof(p.name), "name is not NUL-terminated");
  REQUIRE(p.name[0] != '\0', "name is empty");
  REQUIRE(bounded_strlen(p.vendor, sizeof(p.vendor)) < sizeof(p.vendor),
          "vendor is not NUL-terminated");
  REQUIRE(p.vendor[0] != '\0', "vendor is empty");
  REQUIRE(bounded_strlen(p.driver_version, sizeof(p.driver_version)) < sizeof(p.driver_version),
          "driver_version is not NUL-terminated");
  REQUIRE(bounded_strlen(p.arch, sizeof(p.arch)) < sizeof(p.arch), "arch is not NUL-terminated");
  REQUIRE(p.plugin[0] != '\0', "plugin name is empty");
  std::string prefix = std::string(p.plugin) + ":";
  REQUIRE(std::string(p.selector).rfind(prefix, 0) == 0,
          "selector \"%s\" does not start with \"%s\"", p.selector, prefix.c_str());
  REQUIRE(p.type >= AHAL_DEVICE_TYPE_OTHER && p.type <= AHAL_DEVICE_TYPE_ASIC,
          "type %d is not an ahal_device_type_t", static_cast<int>(p.type));
  REQUIRE(p.has_uuid == 0 || p.has_uuid == 1, "has_uuid is %u, expected 0 or 1", p.has_uuid);
  if (p.has_uuid) {
    bool any = false;
    for (uint8_t b : p.uuid) any |= b != 0;
    REQUIRE(any, "has_uuid is 1 but the UUID is all zero");
  }
}

CONFORM_TEST(limits, "properties.limits", core, 0) {
  const ahal_device_properties_t& p = ctx.props();
  REQUIRE(p.compute_units > 0, "compute_units is 0");
  REQUIRE(p.global_memory_bytes > 0, "global_memory_bytes is 0");
  REQUIRE(p.max_allocation_bytes > 0, "max_allocation_bytes is 0");
  REQUIRE(p.max_allocation_bytes <= p.global_memory_bytes,
          "max_allocation_bytes %llu exceeds global_memory_bytes %llu",
          static_cast<unsigned long long>(p.max_allocation_bytes),
          static_cast<unsigned long long>(p.global_memory_bytes));
  REQUIRE(p.max_constants_size <= AHAL_MAX_CONSTANTS_SIZE, "max_constants_size %u > %u",
          p.max_constants_size, AHAL_MAX_CONSTANTS_SIZE);
  REQUIRE(p.max_bindings <= AHAL_MAX_BINDINGS, "max_bindings %u > %u", p.max_bindings,
          AHAL_MAX_BINDINGS);
  REQUIRE(is_power_of_two(p.binding_offset_alignment),
          "binding_offset_alignment %u is not a power of two", p.binding_offset_alignment);
  REQUIRE((p.features & ~kKnownFeatures) == 0, "unknown feature bits 0x%llx",
          static_cast<unsigned long long>(p.features & ~kKnownFeatures));
  REQUIRE(!(p.module_formats & 1ull), "module_formats lists AHAL_MODULE_FORMAT_UNKNOWN");
  REQUIRE(!(p.module_formats & (1ull << AHAL_MODULE_FORMAT_BUNDLE)),
          "module_formats lists AHAL_MODULE_FORMAT_BUNDLE (the loader unpacks bundles)");
  for (double peak : {p.peak_memory_bandwidth_gbps, p.peak_fp32_gflops, p.peak_fp64_gflops})
    REQUIRE(std::isfinite(peak) && peak >= 0, "a peak_* figure is %g", peak);
  if (!(p.features & AHAL_FEATURE_FP64))
    REQUIRE(p.peak_fp64_gflops == 0, "peak_fp64_gflops %g without AHAL_FEATURE_FP64",
            p.peak_fp64_gflops);
  REQUIRE(((p.features & AHAL_FEATURE_TIMESTAMPS) != 0) == (p.timestamp_resolution_ps != 0),
          "AHAL_FEATURE_TIMESTAMPS is %s but timestamp_resolution_ps is %llu",
          (p.features & AHAL_FEATURE_TIMESTAMPS) ? "claimed" : "not claimed",
          static_cast<unsigned long long>(p.timestamp_resolution_ps));
}

CONFORM_TEST(kernel_limits, "properties.kernel_limits", core, 0) {
  const ahal_device_properties_t& p = ctx.props();
  if (!ctx.has(AHAL_FEATURE_GENERAL_KERNELS) && !ctx.has(AHAL_FEATURE_BUILTIN_KERNELS))
    skip("the device claims neither general nor built-in kernels");
  if (ctx.has(AHAL_FEATURE_GENERAL_KERNELS)) {
    REQUIRE(p.module_formats != 0, "AHAL_FEATURE_GENERAL_KERNELS without any module format");
  } else {
    REQUIRE(p.module_formats == 0, "module formats 0x%llx without AHAL_FEATURE_GENERAL_KERNELS",
            static_cast<unsigned long long>(p.module_formats));
  }
  REQUIRE(p.max_bindings >= 3, "max_bindings %u: the standard kernels need 3", p.max_bindings);
  REQUIRE(p.max_workgroup_size >= 1, "max_workgroup_size is 0");
  uint64_t product = 1;
  for (int d = 0; d < 3; ++d) {
    REQUIRE(p.max_workgroup_dims[d] >= 1, "max_workgroup_dims[%d] is 0", d);
    REQUIRE(p.max_workgroup_dims[d] <= p.max_workgroup_size,
            "max_workgroup_dims[%d] = %u exceeds max_workgroup_size %u", d, p.max_workgroup_dims[d],
            p.max_workgroup_size);
    REQUIRE(p.max_grid_dims[d] >= 1, "max_grid_dims[%d] is 0", d);
    product *= p.max_workgroup_dims[d];
  }
  REQUIRE(p.max_workgroup_size <= product,
          "max_workgroup_size %u exceeds the product of max_workgroup_dims (%llu)",
          p.max_workgroup_size, static_cast<unsigned long long>(product));
  if (ctx.has(AHAL_FEATURE_GENERAL_KERNELS)) {
    REQUIRE(p.max_constants_size >= 24, "max_constants_size %u: the standard kernels need 24",
            p.max_constants_size);
    REQUIRE(p.shared_memory_per_workgroup >= 1024,
            "shared_memory_per_workgroup %u: reverse_shared needs 1024",
            p.shared_memory_per_workgroup);
  }
  if (ctx.has(AHAL_FEATURE_DYNAMIC_SHARED_MEMORY))
    REQUIRE(p.shared_memory_per_workgroup > 0,
            "AHAL_FEATURE_DYNAMIC_SHARED_MEMORY with shared_memory_per_workgroup 0");
  REQUIRE(p.subgroup_size_min <= p.subgroup_size_max, "subgroup_size_min %u > subgroup_size_max %u",
          p.subgroup_size_min, p.subgroup_size_max);
}

CONFORM_TEST(stable, "properties.stable", core, 0) {
  ahal_device_properties_t a{}, b{};
  a.struct_size = b.struct_size = sizeof(a);
  CHECK_OK(ahal_device_get_properties(ctx.device(), &a));
  CHECK_OK(ahal_device_get_properties(ctx.device(), &b));
  REQUIRE(std::memcmp(&a, &b, sizeof(a)) == 0, "two queries gave different properties");
}

CONFORM_TEST(enumeration, "properties.enumeration", core, 0) {
  const ahal_device_properties_t& p = ctx.props();
  uint32_t count = 0;
  CHECK_OK(ahal_runtime_device_count(ctx.runtime(), &count));
  REQUIRE(count >= 1, "the runtime lists no devices although one is open");
  bool listed = false;
  for (uint32_t i = 0; i < count; ++i) {
    ahal_device_t d = nullptr;
    CHECK_OK(ahal_runtime_device_get(ctx.runtime(), i, &d));
    REQUIRE(d != nullptr, "ahal_runtime_device_get(%u) gave NULL", i);
    listed |= d == ctx.device();
  }
  REQUIRE(listed, "the device is not among the runtime's %u devices", count);
  ahal_device_t found = nullptr;
  CHECK_OK(ahal_device_find(ctx.runtime(), p.selector, &found));
  REQUIRE(found == ctx.device(), "ahal_device_find(\"%s\") gave another device", p.selector);
  // "<plugin>" means its first device.
  std::string first = std::string(p.plugin) + ":0";
  ahal_device_t by_plugin = nullptr, by_first = nullptr;
  CHECK_OK(ahal_device_find(ctx.runtime(), p.plugin, &by_plugin));
  CHECK_OK(ahal_device_find(ctx.runtime(), first.c_str(), &by_first));
  REQUIRE(by_plugin == by_first, "\"%s\" and \"%s\" are different devices", p.plugin,
          first.c_str());
}

CONFORM_TEST(plugin_info, "properties.plugin_info", core, 0) {
  const ahal_device_properties_t& p = ctx.props();
  uint32_t count = 0;
  CHECK_OK(ahal_runtime_plugin_count(ctx.runtime(), &count));
  bool found = false;
  for (uint32_t i = 0; i < count; ++i) {
    ahal_plugin_info_t info{};
    info.struct_size = sizeof(info);
    CHECK_OK(ahal_runtime_plugin_info(ctx.runtime(), i, &info));
    REQUIRE(info.name && info.path && info.description && info.reason,
            "plugin %u info has NULL strings", i);
    if (std::string(info.name) != p.plugin) continue;
    found = true;
    REQUIRE(info.state == AHAL_PLUGIN_STATE_LOADED, "plugin %s is not LOADED", info.name);
    REQUIRE(info.device_count >= 1, "plugin %s lists %u devices", info.name, info.device_count);
    REQUIRE(info.path[0] == '/', "plugin path \"%s\" is not absolute", info.path);
    REQUIRE((info.abi_version >> 16) == 1, "plugin ABI version 0x%x is not major 1",
            info.abi_version);
  }
  REQUIRE(found, "no plugin named \"%s\" among %u plugins", p.plugin, count);
  const char* path = nullptr;
  CHECK_OK(ahal_runtime_search_path(ctx.runtime(), &path));
  REQUIRE(path != nullptr, "ahal_runtime_search_path gave NULL");
}

CONFORM_TEST(version, "properties.version", core, 0) {
  uint32_t v = ahal_get_version();
  REQUIRE(AHAL_VERSION_MAJOR(v) == AHAL_API_VERSION_MAJOR, "library version %u.%u.%u, header %d.x",
          AHAL_VERSION_MAJOR(v), AHAL_VERSION_MINOR(v), AHAL_VERSION_PATCH(v),
          AHAL_API_VERSION_MAJOR);
}

CONFORM_TEST(format_names, "properties.format_names", core, 0) {
  uint64_t formats = ctx.props().module_formats;
  if (formats == 0) skip("the device lists no module formats (module_formats is 0)");
  for (uint32_t f = 1; f < 64; ++f) {
    if (!(formats & (1ull << f))) continue;
    const char* name = ahal_module_format_name(static_cast<ahal_module_format_t>(f));
    REQUIRE(name && std::string(name) != "unknown", "listed module format %u has no name", f);
    ahal_module_format_t back = AHAL_MODULE_FORMAT_UNKNOWN;
    CHECK_OK(ahal_module_format_parse(name, &back));
    REQUIRE(back == static_cast<ahal_module_format_t>(f), "\"%s\" parses to %d, expected %u", name,
            static_cast<int>(back), f);
  }
}

CONFORM_TEST(memory_usage, "properties.memory_usage", core, 0) {
  uint64_t used = 0, total = 0;
  ahal_status_t s = ahal_device_memory_usage(ctx.device(), &used, &total);
  if (s == AHAL_ERROR_UNSUPPORTED) skip("the device does not report memory usage");
  CHECK_OK(s);
  REQUIRE(total > 0, "total is 0");
  REQUIRE(used <= total, "used %llu > total %llu", static_cast<unsigned long long>(used),
          static_cast<unsigned long long>(total));
}

}  // namespace
