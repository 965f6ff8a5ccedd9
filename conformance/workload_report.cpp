// How the reports show the workload step (workload.hpp): per device a table
// of the network's throughput, latency and accuracy against the reference,
// with and without command buffers, or why it was not measured; the devices
// side by side; and two devices in `ahal-conform compare`.
#include "html_common.hpp"
#include "plots.hpp"
#include "workload.hpp"

#include <algorithm>
#include <cstdio>

namespace conform {

namespace {

const char* kModelTitle = "face recognition network (face-api, 0.54 GFLOP per 150x150 image)";

std::string fixed(double v, int digits) {
  char buf[48];
  std::snprintf(buf, sizeof(buf), "%.*f", digits, v);
  return buf;
}

std::string error_text(const Json& v) {
  if (v.type() != Json::Type::number) return "\u2013";
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.2g", v.num());
  return buf;
}

// "12.3 / 15.0" milliseconds p50 / p99 of a figures object.
std::string latency_text(const Json& figures) {
  const Json& l = figures["latency_ms"];
  if (l.is_null()) return "\u2013";
  return fixed(l["p50"].num(), 2) + " / " + fixed(l["p99"].num(), 2);
}

std::string throughput_text(const Json& figures) {
  if (figures["throughput"].type() != Json::Type::number) return "\u2013";
  return fixed(figures["throughput"].num(), figures["throughput"].num() < 10 ? 2 : 1);
}

// The run of `batch` in a workload, or null.
const Json* run_of(const Json& workload, double batch) {
  for (const Json& r : workload["runs"].items())
    if (r["batch"].num() == batch) return &r;
  return nullptr;
}

// The batch sizes measured on any of `devices`, ascending.
std::vector<double> batches(const std::vector<const DeviceReport*>& devices) {
  std::vector<double> out;
  for (const DeviceReport* d : devices)
    for (const Json& r : d->workload["runs"].items())
      if (std::find(out.begin(), out.end(), r["batch"].num()) == out.end())
        out.push_back(r["batch"].num());
  std::sort(out.begin(), out.end());
  return out;
}

std::string status_badge(const std::string& status) {
  if (status == "measured") return "<span class=\"badge pass\">measured</span>";
  if (status == "skip") return "<span class=\"badge skip\">skipped</span>";
  return "<span class=\"badge fail\">failed</span>";
}

// One device's workload in a cell of the side-by-side table.
std::string cell(const DeviceReport& d, double batch, const char* what) {
  if (d.workload.is_null()) return "not run";
  const Json* r = run_of(d.workload, batch);
  if (!r) {
    const std::string status = d.workload["status"].str();
    return status == "measured" ? "<span class=\"small\">not measured</span>"
                                : status_badge(status);
  }
  const std::string w = what;
  if (w == "throughput") return throughput_text(*r);
  if (w == "streamed") return throughput_text((*r)["streamed"]);
  if (w == "latency") return latency_text(*r);
  return error_text((*r)["max_rel_err"]);
}

struct Row {
  const char* id;
  const char* title;
  const char* better;
};
const Row kRows[] = {
    {"throughput", "throughput, images/s (command buffers)", "higher"},
    {"streamed", "throughput, images/s (streamed launches)", "higher"},
    {"latency", "latency per inference p50 / p99, ms", "lower"},
    {"error", "max relative error against PyTorch", "lower"},
};

}  // namespace

std::string workload_device_html(const DeviceReport& d) {
  if (d.workload.is_null()) return "";
  const Json& w = d.workload;
  const std::string status = w["status"].str();
  std::string out = "<div class=\"workload\" id=\"workload-" + h(d.selector()) +
                    "\" data-workload=\"" + h(status) + "\"><h3>Workload: " + h(kModelTitle) + " " +
                    status_badge(status) + "</h3>";
  out +=
      "<p class=\"small\">A real network: trained weights, every layer a kernel launch, each "
      "inference's 128 outputs checked against PyTorch's (tolerance: relative error "
      "1e-4). Timed as one command buffer submitted per inference, and streamed launch by "
      "launch, alternating; throughput is images per second at the median latency.</p>";
  if (status != "measured")
    out += "<p class=\"" + std::string(status == "skip" ? "note" : "note busy") +
           " workload-reason\">" + (status == "skip" ? "Not measured: " : "Failed: ") +
           h(w["reason"].str()) + "</p>";
  if (!w["runs"].items().empty()) {
    out +=
        "<table class=\"workload-runs\"><tr><th>batch</th><th>layers as</th>"
        "<th>throughput (images/s)</th><th>latency p50 / p99 (ms)</th>"
        "<th>streamed: throughput</th><th>streamed: p50 / p99 (ms)</th>"
        "<th>command buffers / streamed</th><th>max relative error</th><th>faces checked</th>"
        "<th>accurate</th></tr>";
    for (const Json& r : w["runs"].items()) {
      const Json& s = r["streamed"];
      const bool accurate = r["accurate"].boolean();
      out += "<tr><td class=\"num\">" + h(r["batch"].dump()) + "</td><td>" +
             h(r["layer_path"].str()) + "</td><td class=\"num\">" + throughput_text(r) +
             "</td><td class=\"num\">" + latency_text(r) + "</td><td class=\"num\">" +
             throughput_text(s) + "</td><td class=\"num\">" + latency_text(s) +
             "</td><td class=\"num\">" +
             (r["command_buffer_speedup"].type() == Json::Type::number
                  ? fixed(r["command_buffer_speedup"].num(), 2) + "x"
                  : std::string("not used")) +
             "</td><td class=\"num\">" + error_text(r["max_rel_err"]) +
             "<div class=\"small\">command buffers " +
             error_text(r["command_buffers"]["max_rel_err"]) + ", streamed " +
             error_text(s["max_rel_err"]) + "</div></td><td class=\"num\">" +
             h(r["faces_checked"].dump()) + "</td><td>" + verdict_badge(accurate) + "</td></tr>";
    }
    out += "</table>";
  }
  for (const Json& i : w["info"].items()) out += "<p class=\"meta\">" + h(i.str()) + "</p>";
  return out + "</div>";
}

std::string workload_comparison_html(const Report& r) {
  std::vector<const DeviceReport*> devices;
  for (const DeviceReport& d : r.devices)
    if (!d.workload.is_null()) devices.push_back(&d);
  if (devices.empty()) return "";
  std::string out =
      "<section class=\"box\" id=\"workload\"><h2>Workload: a real network</h2><p "
      "class=\"small\">" +
      h(kModelTitle) +
      " on each device, checked against PyTorch and timed with and without command buffers "
      "(each device's details below). Software devices run on this machine's "
      "CPU.</p><table><tr><th>batch</th><th>figure</th><th>better</th>";
  for (const DeviceReport* d : devices)
    out += "<th>" + h(d->selector()) + (software_note(d->identity).empty() ? "" : " (software)") +
           "</th>";
  out += "</tr>";
  const std::vector<double> sizes = batches(devices);
  for (double b : sizes)
    for (const Row& row : kRows) {
      out += "<tr><td class=\"num\">" + fixed(b, 0) + "</td><td>" + h(row.title) +
             "</td><td class=\"small\">" + row.better + "</td>";
      for (const DeviceReport* d : devices)
        out += "<td class=\"num\">" + cell(*d, b, row.id) + "</td>";
      out += "</tr>";
    }
  std::string reasons;
  for (const DeviceReport* d : devices)
    if (d->workload["status"].str() != "measured")
      reasons += "<p class=\"small workload-reason\">" + h(d->selector()) + ": " +
                 (d->workload["status"].str() == "skip" ? "not measured: " : "failed: ") +
                 h(d->workload["reason"].str()) + "</p>";
  out += "</table>" + reasons;
  if (sizes.empty()) return out + "</section>";
  std::vector<Bar> bars;
  for (const DeviceReport* d : devices)
    if (const Json* run = run_of(d->workload, sizes.front()))
      bars.push_back({d->selector(), (*run)["throughput"].num(), 0,
                      software_note(d->identity).empty() ? "" : "soft"});
  if (!bars.empty())
    out +=
        "<div class=\"plots\"><div class=\"plot\">" +
        bar_plot("Face network, batch " + fixed(sizes.front(), 0) + " (images/s, higher is better)",
                 "images/s", bars) +
        "</div></div>";
  return out + "</section>";
}

std::string workload_compare_text(const DeviceReport& a, const DeviceReport& b) {
  if (a.workload.is_null() && b.workload.is_null()) return "";
  std::string out = "\nworkload: " + std::string(kModelTitle) + " (ratio = B / A):\n";
  for (const auto& [side, d] : {std::pair<const char*, const DeviceReport*>{"A", &a}, {"B", &b}})
    if (d->workload["status"].str() != "measured")
      out += std::string("  ") + side + ": " +
             (d->workload.is_null() ? "not run" : d->workload["status"].str()) +
             (d->workload["reason"].str().empty() ? "" : ": " + d->workload["reason"].str()) + "\n";
  char line[512];
  for (double batch : batches({&a, &b})) {
    const Json* ra = run_of(a.workload, batch);
    const Json* rb = run_of(b.workload, batch);
    std::string ratio;
    if (ra && rb && (*ra)["throughput"].num() > 0)
      ratio = fixed((*rb)["throughput"].num() / (*ra)["throughput"].num(), 2) + "x";
    std::snprintf(line, sizeof(line), "  batch %-3.0f %-40s A %-14s B %-14s %s\n", batch,
                  "throughput (images/s)", ra ? throughput_text(*ra).c_str() : "-",
                  rb ? throughput_text(*rb).c_str() : "-", ratio.c_str());
    out += line;
    std::snprintf(line, sizeof(line), "  batch %-3.0f %-40s A %-14s B %-14s\n", batch,
                  "streamed throughput (images/s)",
                  ra ? throughput_text((*ra)["streamed"]).c_str() : "-",
                  rb ? throughput_text((*rb)["streamed"]).c_str() : "-");
    out += line;
    std::snprintf(line, sizeof(line), "  batch %-3.0f %-40s A %-14s B %-14s\n", batch,
                  "latency p50 / p99 (ms)", ra ? latency_text(*ra).c_str() : "-",
                  rb ? latency_text(*rb).c_str() : "-");
    out += line;
    std::snprintf(line, sizeof(line), "  batch %-3.0f %-40s A %-14s B %-14s\n", batch,
                  "max relative error", ra ? error_text((*ra)["max_rel_err"]).c_str() : "-",
                  rb ? error_text((*rb)["max_rel_err"]).c_str() : "-");
    out += line;
  }
  return out;
}

std::string workload_compare_html(const DeviceReport& a, const DeviceReport& b) {
  if (a.workload.is_null() && b.workload.is_null()) return "";
  std::string out = "<h2 id=\"workload\">Workload: " + h(kModelTitle) +
                    "</h2><table><tr><th>batch</th><th>figure</th><th>A</th><th>B</th>"
                    "<th>B / A</th></tr>";
  for (double batch : batches({&a, &b}))
    for (const Row& row : kRows) {
      std::string ratio, cls;
      const Json* ra = run_of(a.workload, batch);
      const Json* rb = run_of(b.workload, batch);
      const std::string id = row.id;
      if (ra && rb && (id == "throughput" || id == "streamed")) {
        const Json& fa = id == "streamed" ? (*ra)["streamed"] : *ra;
        const Json& fb = id == "streamed" ? (*rb)["streamed"] : *rb;
        if (fa["throughput"].num() > 0) {
          const double q = fb["throughput"].num() / fa["throughput"].num();
          ratio = fixed(q, 2) + "x";
          cls = q >= 1 ? " class=\"ok\"" : " class=\"bad\"";
        }
      }
      out += "<tr><td class=\"num\">" + fixed(batch, 0) + "</td><td>" + h(row.title) +
             "</td><td class=\"num\">" + cell(a, batch, row.id) + "</td><td class=\"num\">" +
             cell(b, batch, row.id) + "</td><td" + cls + ">" + ratio + "</td></tr>";
    }
  out += "</table>";
  for (const auto& [side, d] : {std::pair<const char*, const DeviceReport*>{"A", &a}, {"B", &b}})
    if (!d->workload.is_null() && d->workload["status"].str() != "measured")
      out += "<p class=\"small workload-reason\">" + std::string(side) + ": " +
             (d->workload["status"].str() == "skip" ? "not measured: " : "failed: ") +
             h(d->workload["reason"].str()) + "</p>";
  return out;
}

}  // namespace conform
