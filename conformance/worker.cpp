#include "worker.hpp"

#include "harness.hpp"
#include "ccl_world.hpp"
#include "results.hpp"

#include <cerrno>
#include <chrono>
#include <exception>
#include <functional>
#include <unistd.h>

namespace conform {

void Channel::send(const std::string& tag, const Json& payload) {
  std::string line = tag + " " + payload.dump() + "\n";
  const char* p = line.data();
  size_t left = line.size();
  while (left > 0) {
    ssize_t n = ::write(fd_, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // the runner went away; nothing to tell
    p += n;
    left -= static_cast<size_t>(n);
  }
}

bool parse_message(const std::string& line, std::string* tag, Json* payload) {
  size_t space = line.find(' ');
  if (space == std::string::npos) return false;
  *tag = line.substr(0, space);
  std::string error;
  return Json::parse(line.substr(space + 1), payload, &error);
}

static std::string uuid_string(const ahal_device_properties_t& p) {
  if (!p.has_uuid) return "";
  std::string s;
  char hex[3];
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) s += '-';
    std::snprintf(hex, sizeof(hex), "%02x", p.uuid[i]);
    s += hex;
  }
  return s;
}

static const char* type_name(ahal_device_type_t t) {
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

static std::string format_names(uint64_t formats) {
  std::string out;
  for (uint32_t f = 1; f < 64; ++f) {
    if (!(formats & (1ull << f))) continue;
    if (!out.empty()) out += ",";
    out += ahal_module_format_name(static_cast<ahal_module_format_t>(f));
  }
  return out;
}

Json properties_json(const ahal_device_properties_t& p) {
  auto dims = [](const uint32_t* d) {
    Json a = Json::array();
    for (int i = 0; i < 3; ++i) a.push(d[i]);
    return a;
  };
  Json j = Json::object();
  j.set("name", p.name);
  j.set("vendor", p.vendor);
  j.set("plugin", p.plugin);
  j.set("selector", p.selector);
  j.set("driver_version", p.driver_version);
  j.set("arch", p.arch);
  j.set("type", type_name(p.type));
  j.set("compute_units", p.compute_units);
  j.set("global_memory_bytes", p.global_memory_bytes);
  j.set("max_allocation_bytes", p.max_allocation_bytes);
  j.set("max_workgroup_size", p.max_workgroup_size);
  j.set("max_workgroup_dims", dims(p.max_workgroup_dims));
  j.set("max_grid_dims", dims(p.max_grid_dims));
  j.set("shared_memory_per_workgroup", p.shared_memory_per_workgroup);
  j.set("subgroup_size_min", p.subgroup_size_min);
  j.set("subgroup_size_max", p.subgroup_size_max);
  j.set("clock_mhz", p.clock_mhz);
  j.set("max_bindings", p.max_bindings);
  j.set("max_constants_size", p.max_constants_size);
  j.set("binding_offset_alignment", p.binding_offset_alignment);
  j.set("module_formats", format_names(p.module_formats));
  j.set("features", feature_names(p.features));
  j.set("timestamp_resolution_ps", p.timestamp_resolution_ps);
  j.set("uuid", uuid_string(p));
  j.set("peak_memory_bandwidth_gbps", p.peak_memory_bandwidth_gbps);
  j.set("peak_fp32_gflops", p.peak_fp32_gflops);
  j.set("peak_fp64_gflops", p.peak_fp64_gflops);
  return j;
}

static Json error_json(const std::string& message) {
  Json j = Json::object();
  j.set("message", message);
  return j;
}

static std::string failure(const char* what, ahal_status_t s) {
  return std::string(what) + " returned " + ahal_status_string(s) + ": " +
         ahal_last_error_message();
}

int run_probe(const std::vector<std::string>& selectors, Channel& out) {
  Runtime rt;
  ahal_status_t s = ahal_runtime_create(nullptr, rt.out());
  if (s != AHAL_SUCCESS) {
    out.send("ERROR", error_json(failure("ahal_runtime_create", s)));
    return 2;
  }
  uint32_t plugin_count = 0;
  ahal_runtime_plugin_count(rt, &plugin_count);
  Json plugins = Json::array();
  for (uint32_t i = 0; i < plugin_count; ++i) {
    ahal_plugin_info_t info{};
    info.struct_size = sizeof(info);
    if (ahal_runtime_plugin_info(rt, i, &info) != AHAL_SUCCESS) continue;
    Json j = Json::object();
    j.set("name", info.name);
    j.set("path", info.path);
    j.set("description", info.description);
    j.set("state", info.state == AHAL_PLUGIN_STATE_LOADED ? "loaded" : "refused");
    j.set("reason", info.reason);
    j.set("abi_version",
          std::to_string(info.abi_version >> 16) + "." + std::to_string(info.abi_version & 0xffff));
    j.set("device_count", info.device_count);
    out.send("PLUGIN", j);
    plugins.push(std::move(j));
  }
  const char* search = nullptr;
  if (ahal_runtime_search_path(rt, &search) == AHAL_SUCCESS && search) {
    Json j = Json::object();
    j.set("search_path", search);
    out.send("SEARCH_PATH", j);
  }

  std::vector<ahal_device_t> devices;
  if (selectors.empty()) {
    uint32_t count = 0;
    ahal_runtime_device_count(rt, &count);
    for (uint32_t i = 0; i < count; ++i) {
      ahal_device_t d = nullptr;
      if (ahal_runtime_device_get(rt, i, &d) == AHAL_SUCCESS) devices.push_back(d);
    }
  }
  for (const std::string& sel : selectors) {
    ahal_device_t d = nullptr;
    s = ahal_device_find(rt, sel.c_str(), &d);
    if (s != AHAL_SUCCESS) {
      // The library's message names the selector and lists the devices;
      // every ahal tool prints it the same way.
      Json j = error_json(ahal_last_error_message());
      j.set("selector", sel);
      out.send("MISSING", j);
      continue;
    }
    bool seen = false;
    for (ahal_device_t e : devices) seen |= e == d;
    if (!seen) devices.push_back(d);
  }
  for (ahal_device_t d : devices) {
    ahal_device_properties_t p{};
    p.struct_size = sizeof(p);
    s = ahal_device_get_properties(d, &p);
    if (s != AHAL_SUCCESS) {
      out.send("ERROR", error_json(failure("ahal_device_get_properties", s)));
      continue;
    }
    Json j = Json::object();
    j.set("properties", properties_json(p));
    for (const Json& pl : plugins.items())
      if (pl["name"].str() == p.plugin) j.set("plugin_path", pl["path"]);
    out.send("DEVICE", j);
  }
  out.send("DONE", Json::object());
  return 0;
}

// FNV-1a of the test id: each test gets its own reproducible data.
static uint64_t seed_of(const std::string& id) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : id) h = (h ^ c) * 1099511628211ull;
  return h;
}

static TestResult run_one(Context& ctx, const TestCase& t) {
  TestResult r;
  r.id = t.id;
  uint64_t missing = t.features & ~ctx.props().features;
  if (missing) {
    r.outcome = Outcome::skip;
    r.message = "the device does not claim " + feature_names(missing);
    return r;
  }
  ctx.set_seed(seed_of(t.id));
  set_current_device(ctx.device());
  auto start = std::chrono::steady_clock::now();
  const uint64_t checks_before = checks_made();
  try {
    t.fn(ctx);
    r.outcome = Outcome::pass;
    if (checks_made() == checks_before) {
      r.outcome = Outcome::skip;
      r.message = kCheckedNothing;
    }
  } catch (const TestFailure& f) {
    r.outcome = Outcome::fail;
    r.message = f.message;
  } catch (const TestSkip& s) {
    r.outcome = Outcome::skip;
    r.message = s.message;
  } catch (const std::exception& e) {
    r.outcome = Outcome::fail;
    r.message = std::string("unexpected exception: ") + e.what();
  }
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return r;
}

bool open_device(const std::string& selector, Runtime* rt, ahal_device_t* device,
                 std::string* error) {
  ahal_status_t s = ahal_runtime_create(nullptr, rt->out());
  if (s != AHAL_SUCCESS) {
    *error = failure("ahal_runtime_create", s);
    return false;
  }
  s = ahal_device_find(*rt, selector.c_str(), device);
  if (s != AHAL_SUCCESS) {
    *error = failure(("ahal_device_find(\"" + selector + "\")").c_str(), s);
    return false;
  }
  return true;
}

int run_group(const std::string& selector, const std::vector<std::string>& ids, bool quick,
              Channel& out) {
  Runtime rt;
  ahal_device_t device = nullptr;
  std::string error;
  if (!open_device(selector, &rt, &device, &error)) {
    out.send("SETUP_FAIL", error_json(error));
    return 0;
  }
  try {
    Context ctx(rt, device, quick);
    for (const std::string& id : ids) {
      const TestCase* t = find_test(id);
      Json start = Json::object();
      start.set("id", id);
      out.send("START", start);
      TestResult r;
      if (t) {
        r = run_one(ctx, *t);
        // Under mpirun every rank ran it: one failing rank fails it.
        if (t->category == "collectives") r = ccl::merge(r);
      } else {
        r.id = id;
        r.outcome = Outcome::fail;
        r.message = "no such test";
      }
      out.send("RESULT", to_json(r));
    }
  } catch (const TestFailure& f) {
    out.send("SETUP_FAIL", error_json(f.message));
    return 0;
  }
  out.send("DONE", Json::object());
  return 0;
}

}  // namespace conform
