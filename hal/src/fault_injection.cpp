#include "fault_injection.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <vector>

#include "environment.hpp"
#include "host_services.hpp"
#include "objects.hpp"
#include "status.hpp"

namespace ahal {

namespace faults {
std::atomic<bool> g_on{false};
}  // namespace faults

namespace {

std::mutex g_mutex;  // guards g_spec and g_text while configuring
FaultSpec g_spec;
std::string g_text;
std::atomic<uint64_t> g_calls{0};
std::atomic<uint64_t> g_injected{0};

uint64_t mix(uint64_t x) {  // splitmix64
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

bool parse_u64(const std::string& text, uint64_t* out) {
  if (text.empty() || text.size() > 20) return false;
  uint64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    const uint64_t next = v * 10 + uint64_t(c - '0');
    if (next / 10 != v) return false;
    v = next;
  }
  *out = v;
  return true;
}

bool parse_rate(const std::string& text, double* out) {
  if (text.empty() || text.size() > 32) return false;
  char* end = nullptr;
  errno = 0;
  const double v = std::strtod(text.c_str(), &end);
  if (errno || end != text.c_str() + text.size() || !(v >= 0 && v <= 1)) return false;
  *out = v;
  return true;
}

bool matches(const std::string& only, const char* function) {
  if (std::strncmp(function, "ahal_", 5) != 0) return false;  // loading, not an API call
  // Teardown (a destroy's synchronize or unmap) must happen: never faulted.
  const size_t length = std::strlen(function);
  const auto ends_with = [&](const char* tail) {
    const size_t n = std::strlen(tail);
    return length >= n && std::strcmp(function + length - n, tail) == 0;
  };
  if (ends_with("_destroy") || ends_with("_free")) return false;
  if (only.empty()) return true;
  size_t start = 0;
  while (start <= only.size()) {
    size_t end = only.find(',', start);
    if (end == std::string::npos) end = only.size();
    const size_t n = end - start;
    if (n && std::strncmp(function, only.data() + start, n) == 0) return true;
    start = end + 1;
  }
  return false;
}

}  // namespace

bool parse_fault_spec(const char* text, FaultSpec* spec, std::string* error) {
  std::vector<std::string> fields;
  const std::string all = text ? text : "";
  size_t start = 0;
  while (start <= all.size()) {
    size_t end = all.find(':', start);
    if (end == std::string::npos) end = all.size();
    fields.push_back(all.substr(start, end - start));
    start = end + 1;
  }
  FaultSpec s;
  if (fields.size() < 2) {
    *error = "expected <seed>:<rate>[:kinds=...][:only=...][:after=N][:max=N]";
    return false;
  }
  if (!parse_u64(fields[0], &s.seed)) {
    *error = "seed \"" + fields[0] + "\" is not an unsigned integer";
    return false;
  }
  if (!parse_rate(fields[1], &s.rate)) {
    *error = "rate \"" + fields[1] + "\" is not a number from 0 to 1";
    return false;
  }
  for (size_t i = 2; i < fields.size(); ++i) {
    const std::string& f = fields[i];
    const size_t eq = f.find('=');
    const std::string key = f.substr(0, eq),
                      value = eq == std::string::npos ? "" : f.substr(eq + 1);
    if (eq == std::string::npos) {
      *error = "option \"" + f + "\" is not key=value";
      return false;
    }
    if (key == "kinds") {
      for (bool& k : s.kinds) k = false;
      size_t at = 0;
      while (at <= value.size()) {
        size_t end = value.find(',', at);
        if (end == std::string::npos) end = value.size();
        const std::string kind = value.substr(at, end - at);
        if (kind == "early")
          s.kinds[size_t(Fault::kEarly)] = true;
        else if (kind == "late")
          s.kinds[size_t(Fault::kLate)] = true;
        else if (kind == "lost")
          s.kinds[size_t(Fault::kLost)] = true;
        else {
          *error = "kind \"" + kind + "\" is not early, late or lost";
          return false;
        }
        at = end + 1;
      }
    } else if (key == "only") {
      s.only = value;
    } else if (key == "after" || key == "max") {
      if (!parse_u64(value, key == "after" ? &s.after : &s.max)) {
        *error = key + " \"" + value + "\" is not an unsigned integer";
        return false;
      }
    } else {
      *error = "unknown option \"" + key + "\" (kinds, only, after, max)";
      return false;
    }
  }
  *spec = s;
  return true;
}

namespace faults {

void configure() {
  std::lock_guard<std::mutex> lock(g_mutex);
  const char* text = environment("AHAL_FAULT_INJECT");
  if (!text) {
    g_on.store(false, std::memory_order_relaxed);
    return;
  }
  FaultSpec spec;
  std::string error;
  if (!parse_fault_spec(text, &spec, &error)) {
    log(AHAL_LOG_ERROR, "loader", "AHAL_FAULT_INJECT=%s ignored: %s", text, error.c_str());
    g_on.store(false, std::memory_order_relaxed);
    return;
  }
  g_spec = spec;
  g_text = text;
  g_calls.store(0);
  g_injected.store(0);
  log(AHAL_LOG_WARNING, "loader", "fault injection on (AHAL_FAULT_INJECT=%s)", text);
  g_on.store(true, std::memory_order_release);
}

Fault next(const char* function) {
  const FaultSpec& s = g_spec;
  if (!matches(s.only, function)) return Fault::kNone;
  const uint64_t call = g_calls.fetch_add(1, std::memory_order_relaxed);
  if (call < s.after) return Fault::kNone;
  const uint64_t r = mix(s.seed ^ mix(call));
  if (double(r >> 11) * 0x1.0p-53 >= s.rate) return Fault::kNone;
  Fault kinds[3];
  int n = 0;
  for (Fault f : {Fault::kEarly, Fault::kLate, Fault::kLost})
    if (s.kinds[size_t(f)]) kinds[n++] = f;
  if (n == 0) return Fault::kNone;
  if (g_injected.fetch_add(1, std::memory_order_relaxed) >= s.max) return Fault::kNone;
  return kinds[(r & 0xff) % uint64_t(n)];
}

ahal_status_t report(const char* function, const Plugin& plugin, Fault fault) {
  const uint64_t number = g_injected.load(std::memory_order_relaxed);
  switch (fault) {
    case Fault::kLost:
      return fail(AHAL_ERROR_DEVICE_LOST, function,
                  "%s: injected fault #%llu (AHAL_FAULT_INJECT): device lost", plugin.name.c_str(),
                  (unsigned long long)number);
    case Fault::kLate:
      return fail(AHAL_ERROR_PLUGIN, function,
                  "%s: injected fault #%llu (AHAL_FAULT_INJECT): failed after the plugin ran",
                  plugin.name.c_str(), (unsigned long long)number);
    default: {
      static const ahal_status_t kStatuses[] = {AHAL_ERROR_PLUGIN, AHAL_ERROR_OUT_OF_DEVICE_MEMORY,
                                                AHAL_ERROR_OUT_OF_HOST_MEMORY};
      return fail(kStatuses[(number - 1) % 3], function,
                  "%s: injected fault #%llu (AHAL_FAULT_INJECT): failed before the plugin ran",
                  plugin.name.c_str(), (unsigned long long)number);
    }
  }
}

}  // namespace faults
}  // namespace ahal
