// Plugin discovery and loading (docs/devices.md): which files are looked
// at, in which order, and why one is refused.
#include <dirent.h>
#include <dlfcn.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <set>

#include "environment.hpp"
#include "host_services.hpp"
#include "internal.hpp"
#include "plugin_files.hpp"
#include "plugin_loader.hpp"

namespace ahal {

struct PluginLibrary {
  void* handle = nullptr;
};

void PluginLibraryCloser::operator()(PluginLibrary* library) const {
  if (library->handle) dlclose(library->handle);
  delete library;
}

namespace {

constexpr char kPrefix[] = "libahal_plugin_";
constexpr char kSuffix[] = ".so";
// Devices one plugin may open: a plugin reporting more is refused rather
// than trying (and logging) each one for hours.
constexpr uint32_t kMaxDevicesPerPlugin = 1024;
// Device failures named one by one in the log and the reason.
constexpr uint32_t kDeviceFailuresNamed = 3;

struct Candidate {
  std::string name;
  std::string path;
};

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(separator, start);
    if (end == std::string::npos) end = text.size();
    std::string part = text.substr(start, end - start);
    const size_t first = part.find_first_not_of(" \t");
    const size_t last = part.find_last_not_of(" \t");
    if (first != std::string::npos) parts.push_back(part.substr(first, last - first + 1));
    start = end + 1;
  }
  return parts;
}

const char* env(const char* name, bool use_environment) {
  return use_environment ? environment(name) : nullptr;
}

bool env_flag(const char* name, bool use_environment) {
  return use_environment && environment_flag(name);
}

std::string directory_of(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

std::string clean_folder(std::string folder) {
  while (folder.size() > 1 && folder.back() == '/') folder.pop_back();
  char resolved[PATH_MAX];
  if (realpath(folder.c_str(), resolved)) return resolved;
  return folder;
}

// Folder that holds libahal itself (build tree: build/lib).
std::string library_folder() {
  Dl_info info;
  if (dladdr(reinterpret_cast<void*>(&ahal_runtime_create), &info) == 0 || !info.dli_fname)
    return "";
  return directory_of(clean_folder(info.dli_fname));
}

// "<name>" of libahal_plugin_<name>.so, or "" for other files.
std::string plugin_stem(const std::string& file) {
  const size_t prefix = sizeof(kPrefix) - 1, suffix = sizeof(kSuffix) - 1;
  if (file.size() <= prefix + suffix) return "";
  if (file.compare(0, prefix, kPrefix) != 0) return "";
  if (file.compare(file.size() - suffix, suffix, kSuffix) != 0) return "";
  return file.substr(prefix, file.size() - prefix - suffix);
}

std::vector<std::string> plugin_files(const std::string& folder) {
  std::vector<std::string> files;
  DIR* dir = opendir(folder.c_str());
  if (!dir) return files;
  while (const dirent* e = readdir(dir)) {
    if (!plugin_stem(e->d_name).empty()) files.push_back(e->d_name);
  }
  closedir(dir);
  std::sort(files.begin(), files.end());
  return files;
}

// Simulated devices stay hidden unless asked for.
bool is_simulator(const std::string& name) {
  return name == "asic_sim" || (name.size() > 4 && name.compare(name.size() - 4, 4, "_sim") == 0);
}

bool make_folder(const std::string& path) {
  if (path.empty()) return false;
  struct stat st;
  if (stat(path.c_str(), &st) == 0) return S_ISDIR(st.st_mode);
  const std::string parent = directory_of(path);
  if (parent != path && !make_folder(parent)) return false;
  return mkdir(path.c_str(), 0700) == 0 || errno == EEXIST;
}

// $AHAL_CACHE_DIR, else $XDG_CACHE_HOME/ahal, else ~/.cache/ahal; none in
// secure mode (a privileged program must not write where the user says).
std::string cache_root() {
  if (const char* dir = environment("AHAL_CACHE_DIR")) return dir;
  if (const char* xdg = environment("XDG_CACHE_HOME")) return std::string(xdg) + "/ahal";
  if (const char* home = environment("HOME")) return std::string(home) + "/.cache/ahal";
  return "";
}

// "<entry> failed: AHAL_ERROR_X: <plugin's message>", or, for a value that
// is no status, "<entry> returned 12345, which is not an ahal_status_t".
std::string failure_text(const char* entry, ahal_status_t status) {
  if (!is_status(status))
    return format("%s returned %d, which is not an ahal_status_t", entry, int(status));
  std::string text = std::string(entry) + " failed: " + ahal_status_string(status);
  if (const char* message = plugin_message(); message && *message)
    text += std::string(": ") + message;
  return text;
}

std::string version_text(uint32_t abi) {
  return format("%u.%u", AHAL_PLUGIN_ABI_VERSION_MAJOR_OF(abi),
                AHAL_PLUGIN_ABI_VERSION_MINOR_OF(abi));
}

}  // namespace

// Opens the file and checks its table; on failure returns the reason.
std::string open_and_check(Plugin* p) {
  // RTLD_NODELETE keeps the code mapped after the runtime closes it: a
  // plugin's thread_local destructors, atexit handlers or threads may
  // still run later.
  dlerror();
  void* handle = dlopen(p->path.c_str(), RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
  if (!handle) {
    // dlerror() names the file and the problem in its own words.
    const char* why = dlerror();
    return std::string("cannot open: ") + (why ? why : p->path + ": dlopen failed");
  }
  auto library = std::make_unique<PluginLibrary>();
  library->handle = handle;
  p->library.reset(library.release());
  using Query = ahal_status_t (*)(uint32_t, ahal_plugin_api_t*);
  const auto query = reinterpret_cast<Query>(dlsym(handle, AHAL_PLUGIN_QUERY_SYMBOL));
  if (!query) return "missing " AHAL_PLUGIN_QUERY_SYMBOL " (not an ahal plugin)";

  ahal_plugin_api_t& api = p->api;
  std::memset(&api, 0, sizeof(api));
  api.struct_size = sizeof(api);
  ahal_status_t status;
  begin_plugin_call();
  try {
    status = query(AHAL_PLUGIN_ABI_VERSION, &api);
  } catch (...) {
    return AHAL_PLUGIN_QUERY_SYMBOL " threw " + current_exception_text();
  }
  if (status == AHAL_ERROR_INCOMPATIBLE) {
    const char* message = plugin_message();
    return "plugin cannot serve loader ABI " + version_text(AHAL_PLUGIN_ABI_VERSION) +
           ": AHAL_ERROR_INCOMPATIBLE" + (message && *message ? std::string(": ") + message : "");
  }
  if (status != AHAL_SUCCESS) return failure_text(AHAL_PLUGIN_QUERY_SYMBOL, status);

  constexpr size_t kHeaderEnd = AHAL_END_OF(ahal_plugin_api_t, description);
  const size_t size = std::min(api.struct_size, sizeof(api));
  if (size < kHeaderEnd)
    return format("dispatch table struct_size %zu is smaller than its %zu-byte header",
                  api.struct_size, kHeaderEnd);
  // Anything past what the plugin says it wrote counts as absent, and so
  // does an entry it covers only in part (struct_size 301 would otherwise
  // leave five bytes of a pointer: found by fuzz/plugin_fuzzer).
  const size_t whole = size / sizeof(void*) * sizeof(void*);
  std::memset(reinterpret_cast<char*>(&api) + whole, 0, sizeof(api) - whole);
  api.struct_size = size;
  p->abi_version = api.abi_version;
  if (AHAL_PLUGIN_ABI_VERSION_MAJOR_OF(api.abi_version) != AHAL_PLUGIN_ABI_MAJOR)
    return "plugin ABI " + version_text(api.abi_version) + ", loader " +
           version_text(AHAL_PLUGIN_ABI_VERSION);
  if (!api.name || !*api.name) return "plugin gives no name";
  if (p->name != api.name)
    return format("plugin calls itself \"%s\" but its file is named %s%s%s", api.name, kPrefix,
                  p->name.c_str(), kSuffix);
  p->description = api.description ? api.description : "";
  // The entry lists come from spec/ahal.toml (generated/plugin_calls.hpp).
  std::string module_set, module_unset;
  for (const PluginEntry& e : kPluginEntries) {
    if (e.need == EntryNeed::kOptional) continue;
    if (e.offset + sizeof(void*) > size)
      return format("dispatch table of %zu bytes lacks %s entry %s", size,
                    e.need == EntryNeed::kRequired ? "required" : "module", e.name);
    void* fn;
    std::memcpy(&fn, reinterpret_cast<const char*>(&api) + e.offset, sizeof(fn));
    if (e.need == EntryNeed::kRequired && !fn) return format("required entry %s is NULL", e.name);
    if (e.need == EntryNeed::kModule) (fn ? module_set : module_unset) += std::string(" ") + e.name;
  }
  if (!module_set.empty() && !module_unset.empty())
    return format("module entries must be set together: set%s, NULL%s", module_set.c_str(),
                  module_unset.c_str());
  return "";
}

// Starts the plugin and opens its devices; returns the refusal reason or ""
// (a refused plugin is shut down again).
std::string start_plugin(Runtime* rt, Plugin* p, const std::string& cache,
                         const ProbeProgress& progress) {
  std::string cache_dir = cache.empty() ? "" : cache + "/" + p->name;
  if (!make_folder(cache_dir)) cache_dir.clear();
  ahal_plugin_init_args_t args = {};
  args.struct_size = sizeof(args);
  args.plugin_path = p->path.c_str();
  args.cache_dir = cache_dir.c_str();
  // In secure mode the plugin must not read the environment either.
  args.runtime_flags = rt->flags | (secure_mode() ? uint32_t(AHAL_RUNTIME_IGNORE_ENVIRONMENT) : 0u);
  ahal_status_t status;
  progress.step("plugin_init");
  begin_plugin_call();
  try {
    status = p->api.plugin_init(host_table(), &args, &p->instance);
  } catch (...) {
    return "plugin_init threw " + current_exception_text();
  }
  if (status == AHAL_ERROR_NOT_FOUND) {
    const char* message = plugin_message();
    p->reason =
        message && *message ? message : "plugin_init found no backend (AHAL_ERROR_NOT_FOUND)";
    p->instance = nullptr;
    p->state = AHAL_PLUGIN_STATE_LOADED;
    return "";
  }
  if (status != AHAL_SUCCESS) return failure_text("plugin_init", status);
  p->state = AHAL_PLUGIN_STATE_LOADED;

  uint32_t count = 0;
  progress.step("device_count");
  begin_plugin_call();
  try {
    status = p->api.device_count(p->instance, &count);
  } catch (...) {
    status = AHAL_ERROR_PLUGIN;
    p->reason = "device_count threw " + current_exception_text();
  }
  if (status != AHAL_SUCCESS) {
    if (p->reason.empty()) p->reason = failure_text("device_count", status);
    return "";
  }
  if (count > kMaxDevicesPerPlugin) {
    unload_plugin(p);
    return format("device_count reports %u devices, more than the %u a plugin may have", count,
                  kMaxDevicesPerPlugin);
  }
  uint32_t failed = 0;
  for (uint32_t i = 0; i < count; ++i) {
    std::unique_ptr<Device> device;
    std::string error;
    progress.step("device_open");
    if (open_device(rt, p, i, &device, &error) != AHAL_SUCCESS) {
      // The first few by name; the rest only counted (a plugin with many
      // broken devices must not flood the log).
      if (++failed <= kDeviceFailuresNamed) {
        log(AHAL_LOG_WARNING, p->name.c_str(), "device %u not opened: %s", i, error.c_str());
        if (!p->reason.empty()) p->reason += "; ";
        p->reason += format("device %u: %s", i, error.c_str());
      }
      continue;
    }
    rt->devices.push_back(std::move(device));
    ++p->device_count;
  }
  if (failed > kDeviceFailuresNamed) {
    const uint32_t more = failed - kDeviceFailuresNamed;
    log(AHAL_LOG_WARNING, p->name.c_str(), "%u more devices not opened", more);
    p->reason += format("; %u more devices not opened", more);
  }
  if (p->device_count == 0 && p->reason.empty()) p->reason = "no devices";
  return "";
}

void load_plugins(Runtime* rt, const ahal_runtime_options_t& options) {
  const bool use_env = !(options.flags & AHAL_RUNTIME_IGNORE_ENVIRONMENT) && !secure_mode();
  if (secure_mode())
    log(AHAL_LOG_INFO, "loader", "secure mode (setuid/setgid): the environment is ignored");
  const PluginFilePolicy file_policy = plugin_file_policy();
  std::vector<std::string> folders;
  auto add_folders = [&](const char* list) {
    if (!list) return;
    for (const std::string& f : split(list, ':')) {
      const std::string folder = clean_folder(f);
      if (std::find(folders.begin(), folders.end(), folder) == folders.end())
        folders.push_back(folder);
    }
  };
  add_folders(options.plugin_path);
  add_folders(env("AHAL_PLUGIN_PATH", use_env));
  if (!(options.flags & AHAL_RUNTIME_NO_DEFAULT_PATHS)) {
    // Beside libahal (build tree), <libdir>/ahal relative to it (an
    // installed tree, even when moved), then the configured install folder.
    const std::string own = library_folder();
    if (!own.empty()) {
      add_folders(own.c_str());
      add_folders((own + "/ahal").c_str());
    }
    add_folders(AHAL_INSTALL_PLUGIN_DIR);
  }
  for (const std::string& f : folders) rt->search_path += (rt->search_path.empty() ? "" : ":") + f;

  // AHAL_PLUGINS / options.plugins: names restrict the set, files are added.
  const char* selection = options.plugins ? options.plugins : env("AHAL_PLUGINS", use_env);
  std::set<std::string> wanted_names;
  std::vector<Candidate> candidates;
  bool restricted = false;
  if (selection) {
    for (const std::string& item : split(selection, ',')) {
      restricted = true;
      if (item.find('/') == std::string::npos) {
        wanted_names.insert(item);
        continue;
      }
      const std::string file = item.substr(item.rfind('/') + 1);
      std::string stem = plugin_stem(file);
      if (stem.empty()) stem = file;
      wanted_names.insert(stem);
      candidates.push_back({stem, item});
    }
  }
  for (const std::string& folder : folders)
    for (const std::string& file : plugin_files(folder)) {
      const std::string stem = plugin_stem(file);
      if (!restricted || wanted_names.count(stem))
        candidates.push_back({stem, folder + "/" + file});
    }

  const bool simulators = env_flag("AHAL_ENABLE_SIMULATORS", use_env);
  const bool probing =
      (options.flags & AHAL_RUNTIME_PROBE_PLUGINS) || env_flag("AHAL_PLUGIN_PROBE", use_env);
  const std::string cache = cache_root();
  std::vector<std::pair<std::string, std::string>> seen;  // name, path
  for (const Candidate& c : candidates) {
    auto plugin = std::make_unique<Plugin>();
    Plugin* p = plugin.get();
    p->name = c.name;
    p->path = c.path;
    rt->plugins.push_back(std::move(plugin));
    auto first =
        std::find_if(seen.begin(), seen.end(), [&](const auto& s) { return s.first == c.name; });
    if (first != seen.end()) {
      p->reason = "shadowed by " + first->second;
      continue;
    }
    seen.emplace_back(c.name, c.path);
    if (is_simulator(c.name) && !wanted_names.count(c.name) && !simulators) {
      p->reason = "simulator; set AHAL_ENABLE_SIMULATORS=1";
      continue;
    }
    p->reason = check_plugin_file(file_policy, p->path, &p->sha256);
    if (!p->reason.empty()) continue;
    if (probing) {
      p->reason = probe_plugin(*p, rt->flags);
      if (!p->reason.empty()) continue;
    }
    std::string refusal = open_and_check(p);
    if (refusal.empty()) refusal = start_plugin(rt, p, cache, ProbeProgress());
    if (!refusal.empty()) {
      p->reason = refusal;
      p->state = AHAL_PLUGIN_STATE_REFUSED;
      p->library.reset();
    }
  }
  for (const std::string& name : wanted_names) {
    auto found =
        std::find_if(seen.begin(), seen.end(), [&](const auto& s) { return s.first == name; });
    if (found != seen.end()) continue;
    auto plugin = std::make_unique<Plugin>();
    plugin->name = name;
    plugin->reason = "not found in the search path (" + rt->search_path + ")";
    rt->plugins.push_back(std::move(plugin));
  }
  // Faults are injected into API calls only, counted from here.
  faults::configure();
  for (const auto& p : rt->plugins) {
    if (p->state == AHAL_PLUGIN_STATE_REFUSED)
      log(AHAL_LOG_INFO, "loader", "plugin %s refused: %s",
          p->path.empty() ? p->name.c_str() : p->path.c_str(), p->reason.c_str());
    else
      log(AHAL_LOG_INFO, "loader", "plugin %s loaded, %u device(s)%s%s", p->path.c_str(),
          p->device_count, p->reason.empty() ? "" : ": ", p->reason.c_str());
  }
}

void unload_plugin(Plugin* p) {
  if (p->state == AHAL_PLUGIN_STATE_LOADED && p->instance)
    entry::plugin_shutdown("ahal_runtime_destroy", *p, p->instance);
  p->instance = nullptr;
  release_plugin_ccl(*p);
  p->library.reset();
}

}  // namespace ahal
