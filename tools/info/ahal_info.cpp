// ahal-info: what the loader found (plugins, why any were refused) and every
// device's properties, as text or --json.
#include <ahal/ahal.h>

#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "ahal_tool_support.hpp"

namespace {

using ahal_tools::json_quote;

std::string version_text(uint32_t v) {
  return std::to_string(AHAL_VERSION_MAJOR(v)) + "." + std::to_string(AHAL_VERSION_MINOR(v)) + "." +
         std::to_string(AHAL_VERSION_PATCH(v));
}

std::string abi_text(uint32_t abi) {
  if (abi == 0) return "?";
  return std::to_string(abi >> 16) + "." + std::to_string(abi & 0xffffu);
}

const char* type_name(ahal_device_type_t t) {
  switch (t) {
    case AHAL_DEVICE_TYPE_CPU:
      return "cpu";
    case AHAL_DEVICE_TYPE_GPU:
      return "gpu";
    case AHAL_DEVICE_TYPE_ASIC:
      return "asic";
    default:
      return "other";
  }
}

std::vector<std::string> format_names(uint64_t bits) {
  std::vector<std::string> names;
  for (uint32_t f = 0; f < 64; ++f)
    if (bits & (1ull << f))
      names.push_back(ahal_module_format_name(static_cast<ahal_module_format_t>(f)));
  return names;
}

std::vector<std::string> feature_names(uint64_t bits) {
  static const std::pair<uint64_t, const char*> kNames[] = {
      {AHAL_FEATURE_FP64, "fp64"},
      {AHAL_FEATURE_FP16, "fp16"},
      {AHAL_FEATURE_INT64_ATOMICS, "int64_atomics"},
      {AHAL_FEATURE_HOST_VISIBLE_MEMORY, "host_visible_memory"},
      {AHAL_FEATURE_UNIFIED_MEMORY, "unified_memory"},
      {AHAL_FEATURE_TIMESTAMPS, "timestamps"},
      {AHAL_FEATURE_HOST_CALLBACKS, "host_callbacks"},
      {AHAL_FEATURE_BUILTIN_KERNELS, "builtin_kernels"},
      {AHAL_FEATURE_DYNAMIC_SHARED_MEMORY, "dynamic_shared_memory"},
      {AHAL_FEATURE_GENERAL_KERNELS, "general_kernels"},
  };
  std::vector<std::string> names;
  for (const auto& [bit, name] : kNames)
    if (bits & bit) names.push_back(name);
  return names;
}

std::string json_list(const std::vector<std::string>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) out += (i ? ", " : "") + json_quote(items[i]);
  return out + "]";
}

std::string uuid_text(const ahal_device_properties_t& p) {
  if (!p.has_uuid) return "";
  char buf[40];
  char* o = buf;
  for (int i = 0; i < 16; ++i) {
    o += std::snprintf(o, 3, "%02x", p.uuid[i]);
    if (i == 3 || i == 5 || i == 7 || i == 9) *o++ = '-';
  }
  *o = 0;
  return buf;
}

// One device's properties as (key, value-as-JSON) pairs, in display order.
std::vector<std::pair<std::string, std::string>> device_fields(const ahal_device_properties_t& p) {
  auto num = [](auto v) { return std::to_string(v); };
  auto dims = [](const uint32_t* d) {
    return "[" + std::to_string(d[0]) + ", " + std::to_string(d[1]) + ", " + std::to_string(d[2]) +
           "]";
  };
  return {
      {"selector", json_quote(p.selector)},
      {"name", json_quote(p.name)},
      {"vendor", json_quote(p.vendor)},
      {"plugin", json_quote(p.plugin)},
      {"type", json_quote(type_name(p.type))},
      {"driver_version", json_quote(p.driver_version)},
      {"arch", json_quote(p.arch)},
      {"compute_units", num(p.compute_units)},
      {"global_memory_bytes", num(p.global_memory_bytes)},
      {"max_allocation_bytes", num(p.max_allocation_bytes)},
      {"max_workgroup_size", num(p.max_workgroup_size)},
      {"max_workgroup_dims", dims(p.max_workgroup_dims)},
      {"max_grid_dims", dims(p.max_grid_dims)},
      {"shared_memory_per_workgroup", num(p.shared_memory_per_workgroup)},
      {"subgroup_size_min", num(p.subgroup_size_min)},
      {"subgroup_size_max", num(p.subgroup_size_max)},
      {"clock_mhz", num(p.clock_mhz)},
      {"max_bindings", num(p.max_bindings)},
      {"max_constants_size", num(p.max_constants_size)},
      {"binding_offset_alignment", num(p.binding_offset_alignment)},
      {"module_formats", json_list(format_names(p.module_formats))},
      {"features", json_list(feature_names(p.features))},
      {"timestamp_resolution_ps", num(p.timestamp_resolution_ps)},
      {"uuid", json_quote(uuid_text(p))},
      {"peak_memory_bandwidth_gbps", num(p.peak_memory_bandwidth_gbps)},
      {"peak_fp32_gflops", num(p.peak_fp32_gflops)},
      {"peak_fp64_gflops", num(p.peak_fp64_gflops)},
  };
}

// JSON value shown as text: strings unquoted, lists comma-separated.
std::string plain(const std::string& json) {
  if (json.size() >= 2 && json.front() == '"') return json.substr(1, json.size() - 2);
  if (json.size() >= 2 && json.front() == '[') {
    std::string s = json.substr(1, json.size() - 2), out;
    for (char c : s)
      if (c != '"') out += c;
    return out;
  }
  return json;
}

}  // namespace

int main(int argc, char** argv) {
  const char* usage =
      "usage: ahal-info [--json]\n"
      "  Lists the plugins found (loaded or refused, and why) and every device's\n"
      "  properties; sizes are in bytes, clocks in MHz, bandwidths in GB/s.\n";
  bool json = false;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--json") == 0) {
      json = true;
    } else if (std::strcmp(argv[i], "--help") == 0 || std::strcmp(argv[i], "-h") == 0) {
      std::fputs(usage, stdout);
      return ahal_tools::kExitOk;
    } else {
      return ahal_tools::usage_error("ahal-info", std::string("unknown argument ") + argv[i],
                                     usage);
    }
  }
  ahal_runtime_t rt;
  ahal_tools::check(ahal_runtime_create(nullptr, &rt), "ahal_runtime_create");
  const char* search = "";
  ahal_tools::check(ahal_runtime_search_path(rt, &search), "ahal_runtime_search_path");
  uint32_t plugin_count = 0, device_count = 0;
  ahal_tools::check(ahal_runtime_plugin_count(rt, &plugin_count), "ahal_runtime_plugin_count");
  ahal_tools::check(ahal_runtime_device_count(rt, &device_count), "ahal_runtime_device_count");
  std::vector<ahal_plugin_info_t> plugins(plugin_count);
  for (uint32_t i = 0; i < plugin_count; ++i) {
    plugins[i].struct_size = sizeof(ahal_plugin_info_t);
    ahal_tools::check(ahal_runtime_plugin_info(rt, i, &plugins[i]), "ahal_runtime_plugin_info");
  }
  std::vector<ahal_device_properties_t> devices(device_count);
  for (uint32_t i = 0; i < device_count; ++i) {
    ahal_device_t d;
    ahal_tools::check(ahal_runtime_device_get(rt, i, &d), "ahal_runtime_device_get");
    devices[i].struct_size = sizeof(ahal_device_properties_t);
    ahal_tools::check(ahal_device_get_properties(d, &devices[i]), "ahal_device_get_properties");
  }
  const std::string version = version_text(ahal_get_version());

  if (json) {
    std::printf("{\n  \"version\": %s,\n  \"search_path\": %s,\n  \"plugins\": [",
                json_quote(version).c_str(), json_quote(search).c_str());
    for (uint32_t i = 0; i < plugin_count; ++i) {
      const ahal_plugin_info_t& p = plugins[i];
      std::printf(
          "%s\n    {\"name\": %s, \"state\": %s, \"reason\": %s, \"abi\": %s, \"path\": %s, "
          "\"description\": %s, \"device_count\": %u}",
          i ? "," : "", json_quote(p.name).c_str(),
          json_quote(p.state == AHAL_PLUGIN_STATE_LOADED ? "loaded" : "refused").c_str(),
          json_quote(p.reason).c_str(), json_quote(abi_text(p.abi_version)).c_str(),
          json_quote(p.path).c_str(), json_quote(p.description).c_str(), p.device_count);
    }
    std::printf("\n  ],\n  \"devices\": [");
    for (uint32_t i = 0; i < device_count; ++i) {
      std::printf("%s\n    {", i ? "," : "");
      bool first = true;
      for (const auto& [key, value] : device_fields(devices[i])) {
        std::printf("%s%s: %s", first ? "" : ", ", json_quote(key).c_str(), value.c_str());
        first = false;
      }
      std::printf("}");
    }
    std::printf("\n  ]\n}\n");
  } else {
    std::printf("ahal %s\nsearch path: %s\n\nplugins (%u):\n", version.c_str(), search,
                plugin_count);
    for (const ahal_plugin_info_t& p : plugins) {
      const bool loaded = p.state == AHAL_PLUGIN_STATE_LOADED;
      std::printf("  %-12s %-8s ABI %-5s %u device%s  %s\n", p.name, loaded ? "loaded" : "REFUSED",
                  abi_text(p.abi_version).c_str(), p.device_count, p.device_count == 1 ? " " : "s",
                  p.path);
      if (*p.description) std::printf("               %s\n", p.description);
      if (*p.reason) std::printf("               %s: %s\n", loaded ? "note" : "reason", p.reason);
    }
    std::printf("\ndevices (%u):\n", device_count);
    for (uint32_t i = 0; i < device_count; ++i) {
      std::printf("  [%u] %s  %s\n", i, devices[i].selector, devices[i].name);
      for (const auto& [key, value] : device_fields(devices[i]))
        std::printf("      %-28s %s\n", key.c_str(), plain(value).c_str());
    }
  }
  ahal_tools::check(ahal_runtime_destroy(rt), "ahal_runtime_destroy");
  return 0;
}
