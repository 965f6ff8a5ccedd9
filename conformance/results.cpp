#include "results.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

namespace conform {

const char* outcome_name(Outcome o) {
  switch (o) {
    case Outcome::pass:
      return "pass";
    case Outcome::fail:
      return "fail";
    case Outcome::skip:
      return "skip";
    case Outcome::crash:
      return "crash";
    case Outcome::timeout:
      return "timeout";
  }
  return "fail";
}

bool parse_outcome(const std::string& name, Outcome* out) {
  for (Outcome o : {Outcome::pass, Outcome::fail, Outcome::skip, Outcome::crash, Outcome::timeout})
    if (name == outcome_name(o)) {
      *out = o;
      return true;
    }
  return false;
}

void Counts::add(Outcome o) {
  switch (o) {
    case Outcome::pass:
      ++pass;
      break;
    case Outcome::fail:
      ++fail;
      break;
    case Outcome::skip:
      ++skip;
      break;
    case Outcome::crash:
      ++crash;
      break;
    case Outcome::timeout:
      ++timeout;
      break;
  }
}

Counts DeviceReport::counts() const {
  Counts c;
  for (const TestResult& t : tests) c.add(t.outcome);
  return c;
}

Counts DeviceReport::counts(const std::string& category) const {
  Counts c;
  for (const TestResult& t : tests)
    if (t.category == category) c.add(t.outcome);
  return c;
}

bool Report::passed() const {
  for (const DeviceReport& d : devices)
    if (!d.passed()) return false;
  return !devices.empty();
}

Json to_json(const TestResult& t) {
  Json j = Json::object();
  j.set("id", t.id);
  j.set("category", t.category);
  j.set("profile", t.profile);
  j.set("requires", t.features);
  j.set("result", outcome_name(t.outcome));
  j.set("seconds", std::round(t.seconds * 1e6) / 1e6);
  j.set("message", t.message);
  return j;
}

bool from_json(const Json& j, TestResult* t) {
  t->id = j["id"].str();
  t->category = j["category"].str();
  t->profile = j["profile"].str();
  t->features = j["requires"].str();
  t->seconds = j["seconds"].num();
  t->message = j["message"].str();
  return !t->id.empty() && parse_outcome(j["result"].str(), &t->outcome);
}

Json to_json(const Figure& f) {
  Json j = Json::object();
  j.set("id", f.id);
  j.set("title", f.title);
  j.set("unit", f.unit);
  j.set("value", f.value);
  j.set("min", f.min);
  j.set("max", f.max);
  j.set("runs", f.runs);
  if (f.peak > 0) {
    j.set("peak", f.peak);
    j.set("fraction_of_peak", f.value / f.peak);
    j.set("peak_basis", f.peak_basis);
  }
  j.set("higher_is_better", f.higher_is_better);
  return j;
}

Figure figure_from_json(const Json& j) {
  Figure f;
  f.id = j["id"].str();
  f.title = j["title"].str();
  f.unit = j["unit"].str();
  f.value = j["value"].num();
  f.peak = j["peak"].num();
  f.higher_is_better = j["higher_is_better"].boolean(true);
  // Reports from before the spread was recorded hold one value.
  f.min = j["min"].num(f.value);
  f.max = j["max"].num(f.value);
  f.runs = static_cast<int>(j["runs"].num(1));
  f.peak_basis = j["peak_basis"].str();
  return f;
}

Json to_json(const Curve& c) {
  Json j = Json::object();
  j.set("id", c.id);
  j.set("title", c.title);
  j.set("unit", c.unit);
  Json points = Json::array();
  for (const auto& [x, y] : c.points) {
    Json p = Json::array();
    p.push(x);
    p.push(std::round(y * 1e4) / 1e4);
    points.push(std::move(p));
  }
  j.set("points", std::move(points));
  return j;
}

Curve curve_from_json(const Json& j) {
  Curve c;
  c.id = j["id"].str();
  c.title = j["title"].str();
  c.unit = j["unit"].str();
  for (const Json& p : j["points"].items()) c.points.emplace_back(p[0].num(), p[1].num());
  return c;
}

Json to_json(const Report& r) {
  Json j = Json::object();
  j.set("tool", "ahal-conform");
  j.set("tool_version", r.tool_version);
  j.set("ahal_version", r.ahal_version);
  j.set("started", r.started);
  j.set("profile", r.profile);
  j.set("quick", r.quick);
  j.set("filter", r.filter);
  j.set("verdict", r.passed() ? "pass" : "fail");
  j.set("host", r.host);
  j.set("plugins", r.plugins);
  Json devices = Json::array();
  for (const DeviceReport& d : r.devices) {
    Json dj = Json::object();
    dj.set("identity", d.identity);
    Counts c = d.counts();
    Json summary = Json::object();
    summary.set("verdict", d.passed() ? "pass" : "fail");
    summary.set("pass", c.pass);
    summary.set("fail", c.fail);
    summary.set("skip", c.skip);
    summary.set("crash", c.crash);
    summary.set("timeout", c.timeout);
    dj.set("summary", std::move(summary));
    Json notes = Json::array();
    for (const std::string& n : d.notes) notes.push(n);
    dj.set("notes", std::move(notes));
    dj.set("properties", d.properties);
    Json tests = Json::array();
    for (const TestResult& t : d.tests) tests.push(to_json(t));
    dj.set("tests", std::move(tests));
    Json ch = Json::object();
    Json figures = Json::array(), curves = Json::array();
    for (const Figure& f : d.figures) figures.push(to_json(f));
    for (const Curve& cv : d.curves) curves.push(to_json(cv));
    Json info = Json::array();
    for (const std::string& i : d.characterization_info) info.push(i);
    ch.set("figures", std::move(figures));
    ch.set("curves", std::move(curves));
    ch.set("info", std::move(info));
    if (d.other_cpu_share >= 0) ch.set("other_cpu_share", d.other_cpu_share);
    if (d.load_average >= 0) ch.set("load_average", d.load_average);
    if (!d.workload.is_null()) ch.set("workload", d.workload);
    dj.set("characterization", std::move(ch));
    devices.push(std::move(dj));
  }
  j.set("devices", std::move(devices));
  return j;
}

bool from_json(const Json& j, Report* r, std::string* error) {
  if (j["tool"].str() != "ahal-conform") {
    *error = "not an ahal-conform report (no \"tool\": \"ahal-conform\")";
    return false;
  }
  r->tool_version = j["tool_version"].str();
  r->ahal_version = j["ahal_version"].str();
  r->started = j["started"].str();
  r->profile = j["profile"].str();
  r->quick = j["quick"].boolean();
  r->filter = j["filter"].str();
  r->host = j["host"];
  r->plugins = j["plugins"];
  for (const Json& dj : j["devices"].items()) {
    DeviceReport d;
    d.identity = dj["identity"];
    d.properties = dj["properties"];
    for (const Json& n : dj["notes"].items()) d.notes.push_back(n.str());
    for (const Json& tj : dj["tests"].items()) {
      TestResult t;
      if (!from_json(tj, &t)) {
        *error = "a test entry lacks an id or a known result: " + tj.dump();
        return false;
      }
      d.tests.push_back(std::move(t));
    }
    for (const Json& f : dj["characterization"]["figures"].items())
      d.figures.push_back(figure_from_json(f));
    for (const Json& c : dj["characterization"]["curves"].items())
      d.curves.push_back(curve_from_json(c));
    for (const Json& i : dj["characterization"]["info"].items())
      d.characterization_info.push_back(i.str());
    d.other_cpu_share = dj["characterization"]["other_cpu_share"].num(-1);
    d.load_average = dj["characterization"]["load_average"].num(-1);
    d.workload = dj["characterization"]["workload"];
    r->devices.push_back(std::move(d));
  }
  return true;
}

std::string format_figure(double value, const std::string& unit) {
  // Times go to the unit that keeps the number between 1 and 1000.
  static const char* const kTimes[] = {"ns", "\u00b5s", "ms", "s"};
  std::string u = unit;
  for (int i = 0; i < 3; ++i) {
    if (u != kTimes[i]) continue;
    while (i < 3 && std::fabs(value) >= 1000) {
      value /= 1000;
      u = kTimes[++i];
    }
    break;
  }
  for (int i = 3; i > 0; --i) {
    if (u != kTimes[i]) continue;
    while (i > 0 && value != 0 && std::fabs(value) < 1) {
      value *= 1000;
      u = kTimes[--i];
    }
    break;
  }
  char buf[64];
  double a = std::fabs(value);
  const char* fmt = a >= 100 ? "%.0f %s" : a >= 10 ? "%.1f %s" : a >= 1 ? "%.2f %s" : "%.3g %s";
  std::snprintf(buf, sizeof(buf), fmt, value, u.c_str());
  return buf;
}

std::string software_note(const Json& identity) {
  auto has = [](const std::string& s, const char* what) {
    std::string lower = s;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return lower.find(what) != std::string::npos;
  };
  const std::string name = identity["name"].str(), plugin = identity["plugin"].str();
  const std::string all =
      name + " " + identity["vendor"].str() + " " + identity["driver_version"].str();
  if (plugin == "asic_sim" || has(all, "simulat"))
    return "simulated: a software model running on the host CPU, not hardware";
  if (has(all, "llvmpipe") || has(all, "lavapipe"))
    return "software: lavapipe (Mesa's Vulkan on the CPU) runs it on the host CPU";
  if (has(all, "swiftshader")) return "software: SwiftShader runs it on the host CPU";
  if (has(all, "pocl") || (plugin == "opencl" && has(name, "pthread")))
    return "software: PoCL (portable OpenCL) runs it on the host CPU";
  if (identity["type"].str() == "cpu" && plugin != "cpu")
    return "software: a " + plugin + " driver that runs on the host CPU";
  return "";
}

std::vector<std::string> claimed_features(const Json& properties) {
  std::vector<std::string> out;
  const std::string list = properties["features"].str();
  size_t start = 0;
  while (start < list.size()) {
    size_t comma = list.find(',', start);
    if (comma == std::string::npos) comma = list.size();
    if (comma > start) out.push_back(list.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

std::vector<std::pair<std::string, int>> skip_reasons(const DeviceReport& d) {
  std::map<std::string, int> count;
  for (const TestResult& t : d.tests)
    if (t.outcome == Outcome::skip) ++count[t.message.empty() ? "(no reason given)" : t.message];
  std::vector<std::pair<std::string, int>> out(count.begin(), count.end());
  std::stable_sort(out.begin(), out.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  return out;
}

std::vector<Untested> untested_plugins(const Report& r) {
  std::vector<Untested> out;
  for (const Json& p : r.plugins.items()) {
    const bool loaded = p["state"].str() == "loaded";
    if (loaded && p["device_count"].num() > 0) continue;
    std::string reason = p["reason"].str();
    if (reason.empty())
      reason = loaded ? "the plugin loaded but found no device (it gave no reason)" : "no reason";
    out.push_back({p["name"].str(), p["path"].str(), loaded ? "no device" : "refused", reason});
  }
  return out;
}

std::string format_bytes(double bytes) {
  static const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int u = 0;
  while (bytes >= 1024 && u < 4) {
    bytes /= 1024;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof(buf), bytes == std::floor(bytes) ? "%.0f %s" : "%.1f %s", bytes,
                units[u]);
  return buf;
}

}  // namespace conform
