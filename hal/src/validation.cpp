#include "validation.hpp"

#include <cxxabi.h>
#include <dlfcn.h>
#include <execinfo.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "environment.hpp"
#include "host_services.hpp"

namespace ahal {
namespace validation {
namespace {

constexpr int kMaxFrames = 32;
// Destroyed handles remembered, oldest forgotten first.
constexpr size_t kMaxTombstones = 1u << 16;

std::atomic<bool> g_abort{false};

struct Tombstone {
  std::string what;
  Site created;  // function is null when unknown
  const char* destroyed_by = nullptr;
  void* destroyed_from = nullptr;
};

// Process-wide: a stale handle may reach any runtime's calls, or none.
struct Graveyard {
  std::mutex mutex;
  std::unordered_map<uint64_t, Tombstone> tombs;
  std::deque<uint64_t> order;
  std::atomic<bool> any{false};
};

Graveyard& graveyard() {
  static Graveyard* g = new Graveyard;  // never destroyed: used until exit
  return *g;
}

const void* own_base() {
  static const void* base = [] {
    Dl_info info;
    return dladdr(reinterpret_cast<void*>(&own_base), &info) ? info.dli_fbase : nullptr;
  }();
  return base;
}

bool inside_libahal(void* address) {
  Dl_info info;
  return dladdr(address, &info) && info.dli_fbase == own_base();
}

// The stack below libahal's own frames (and below whatever called into
// backtrace() for it, such as a sanitizer's interceptor).
std::vector<void*> outside_frames() {
  void* frames[kMaxFrames];
  const int n = backtrace(frames, kMaxFrames);
  int i = 0;
  while (i < n && !inside_libahal(frames[i])) ++i;
  if (i == n) i = 0;
  while (i < n && inside_libahal(frames[i])) ++i;
  return std::vector<void*>(frames + i, frames + n);
}

const char* severity_name(Severity s) {
  switch (s) {
    case Severity::kError:
      return "error";
    case Severity::kWarning:
      return "warning";
    case Severity::kLeak:
      return "leak";
  }
  return "finding";
}

void print_frames(const std::vector<void*>& frames) {
  if (frames.empty()) return;
  char** symbols = backtrace_symbols(frames.data(), int(frames.size()));
  for (size_t i = 0; i < frames.size(); ++i)
    std::fprintf(stderr, "    #%zu %s\n", i, symbols ? symbols[i] : where(frames[i]).c_str());
  std::free(symbols);
}

// "ahal_buffer_create from app(main+0x1a)"
std::string site_text(const char* function, const void* caller) {
  if (!caller) return function;
  return format("%s from %s", function, where(caller).c_str());
}

}  // namespace

void configure() { g_abort.store(environment_flag("AHAL_VALIDATION_ABORT")); }

std::string where(const void* address) {
  Dl_info info;
  if (!address || !dladdr(address, &info) || !info.dli_fname)
    return format("%p", const_cast<void*>(address));
  const char* file = std::strrchr(info.dli_fname, '/');
  file = file ? file + 1 : info.dli_fname;
  const uintptr_t a = reinterpret_cast<uintptr_t>(address);
  if (info.dli_sname && info.dli_saddr) {
    int status = 0;
    char* name = abi::__cxa_demangle(info.dli_sname, nullptr, nullptr, &status);
    std::string text = format("%s(%s+0x%lx)", file, name ? name : info.dli_sname,
                              (unsigned long)(a - reinterpret_cast<uintptr_t>(info.dli_saddr)));
    std::free(name);
    return text;
  }
  // No symbol (a stripped or non-exported function): the offset in the
  // file, for addr2line -e <file>.
  return format("%s(+0x%lx)", file,
                (unsigned long)(a - reinterpret_cast<uintptr_t>(info.dli_fbase)));
}

Site site(const Layers& layers, const char* function, void* caller) {
  Site s;
  s.function = function;
  s.caller = caller;
  if (layers.backtraces) s.frames = outside_frames();
  return s;
}

void report(Severity severity, const char* function, void* caller, const std::string& text) {
  std::fprintf(stderr, "ahal: validation %s: %s: %s%s%s\n", severity_name(severity), function,
               text.c_str(), caller ? " [called from " : "",
               caller ? (where(caller) + "]").c_str() : "");
  if (severity == Severity::kError && g_abort.load()) {
    std::fprintf(stderr, "ahal: validation: aborting (AHAL_VALIDATION_ABORT=1)\n");
    std::fflush(stderr);
    std::abort();
  }
}

ahal_status_t refuse(ahal_status_t status, const char* function, void* caller,
                     const std::string& text) {
  report(Severity::kError, function, caller, text);
  return fail(status, function, "validation: %s", text.c_str());
}

void remember(Layers& layers, uint64_t handle, HandleType type, std::string what, Site created) {
  Live& l = layers.live[handle];
  l.type = type;
  l.what = std::move(what);
  l.created = std::move(created);
  l.order = layers.next_order++;
}

namespace {

void add_tomb(uint64_t handle, Tombstone t) {
  Graveyard& g = graveyard();
  std::lock_guard<std::mutex> lock(g.mutex);
  if (g.tombs.insert_or_assign(handle, std::move(t)).second) g.order.push_back(handle);
  while (g.order.size() > kMaxTombstones) {
    g.tombs.erase(g.order.front());
    g.order.pop_front();
  }
  g.any.store(true, std::memory_order_release);
}

}  // namespace

void bury(Layers& layers, uint64_t handle, const char* function, void* caller) {
  auto it = layers.live.find(handle);
  if (it == layers.live.end()) return;
  Tombstone t;
  t.what = std::move(it->second.what);
  t.created = std::move(it->second.created);
  t.destroyed_by = function;
  t.destroyed_from = caller;
  layers.live.erase(it);
  add_tomb(handle, std::move(t));
}

void bury_untracked(uint64_t handle, std::string what, const char* function, void* caller) {
  Tombstone t;
  t.what = std::move(what);
  t.destroyed_by = function;
  t.destroyed_from = caller;
  add_tomb(handle, std::move(t));
}

std::string stale_handle_note(const char* function, uint64_t handle) {
  Graveyard& g = graveyard();
  if (!g.any.load(std::memory_order_acquire)) return "";
  std::string text;
  {
    std::lock_guard<std::mutex> lock(g.mutex);
    auto it = g.tombs.find(handle);
    if (it == g.tombs.end()) return "";
    const Tombstone& t = it->second;
    text = t.what;
    if (t.created.function)
      text += format(", created by %s,", site_text(t.created.function, t.created.caller).c_str());
    text += format(" was destroyed by %s", site_text(t.destroyed_by, t.destroyed_from).c_str());
  }
  const std::vector<void*> stack = outside_frames();
  report(Severity::kError, function, stack.empty() ? nullptr : stack.front(),
         "use after destroy: " + text);
  return " (validation: " + text + ")";
}

void leak_report(Layers& layers, void* caller) {
  std::vector<std::pair<uint64_t, const Live*>> leaks;
  for (const auto& [handle, l] : layers.live) leaks.emplace_back(handle, &l);
  std::sort(leaks.begin(), leaks.end(),
            [](const auto& a, const auto& b) { return a.second->order < b.second->order; });
  for (const auto& [handle, l] : leaks) {
    report(Severity::kLeak, "ahal_runtime_destroy", nullptr,
           format("%s, created by %s, was never destroyed", l->what.c_str(),
                  site_text(l->created.function, l->created.caller).c_str()));
    print_frames(l->created.frames);
  }
  if (!leaks.empty())
    std::fprintf(
        stderr,
        "ahal: validation leak: ahal_runtime_destroy: %zu object(s) were never "
        "destroyed; the runtime frees them now%s\n",
        leaks.size(),
        layers.backtraces ? "" : " (AHAL_VALIDATION_BACKTRACE=1 shows where each was made)");
  std::vector<uint64_t> handles;
  for (const auto& [handle, l] : leaks) handles.push_back(handle);
  for (uint64_t h : handles) bury(layers, h, "ahal_runtime_destroy", caller);
}

}  // namespace validation
}  // namespace ahal
