// The HTML report: the page a buyer reads. From the top: the verdict with a
// plain-language summary, what was not tested and why, every device with
// what it claims and why tests were skipped, the devices side by side on
// one scale, then each device in full and a glossary.
#include "harness.hpp"
#include "html_common.hpp"
#include "plots.hpp"
#include "reports.hpp"
#include "workload.hpp"

#include <algorithm>
#include <cstdio>

namespace conform {

namespace {

std::string number_text(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.0f", v);
  return buf;
}

std::string plural(int n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

// "hardware" or "software" with the reason on hover and beside it.
std::string kind_badge(const Json& identity, bool with_note) {
  const std::string note = software_note(identity);
  if (note.empty()) return "<span class=\"badge hardware\">hardware</span>";
  return "<span class=\"badge software\" title=\"" + h(note) + "\">software</span>" +
         (with_note ? " <span class=\"small\">" + h(note) + "</span>" : "");
}

std::string join(const std::vector<std::string>& v, const char* sep) {
  std::string out;
  for (const std::string& s : v) out += (out.empty() ? "" : sep) + s;
  return out;
}

// Skip reasons as "5 × reason" lines.
std::string skip_list(const DeviceReport& d, size_t at_most) {
  const auto reasons = skip_reasons(d);
  if (reasons.empty()) return "<span class=\"small\">none</span>";
  std::string out;
  for (size_t i = 0; i < reasons.size() && i < at_most; ++i)
    out += "<div class=\"small\">" + std::to_string(reasons[i].second) + " \u00d7 " +
           h(reasons[i].first) + "</div>";
  if (reasons.size() > at_most)
    out += "<div class=\"small\">and " +
           plural(static_cast<int>(reasons.size() - at_most), "more reason", "more reasons") +
           " (see the device below)</div>";
  return out;
}

// A figure's spread: "12.1 to 13.0 GB/s, 5 runs".
std::string spread_text(const Figure& f) {
  if (f.runs <= 1) return "one reading";
  return format_figure(f.min, f.unit) + " to " + format_figure(f.max, f.unit) + ", " +
         std::to_string(f.runs) + " runs";
}

std::string busy_note(const DeviceReport& d, const Report& r) {
  if (d.other_cpu_share < 0) return "";
  const int cpus = static_cast<int>(r.host["cpu_count"].num());
  char buf[320];
  if (d.other_cpu_share >= 0.1) {
    std::snprintf(buf, sizeof(buf),
                  "The machine was busy while this device was measured: other processes used "
                  "%.0f%% of its %d CPUs' time (load average %.1f). These figures may be lower "
                  "and more spread than on an idle machine.",
                  100 * d.other_cpu_share, cpus, d.load_average);
    return "<p class=\"note busy\">" + h(buf) + "</p>";
  }
  std::snprintf(buf, sizeof(buf),
                "The machine was otherwise idle while this device was measured (other processes: "
                "%.0f%% of its CPU time).",
                100 * d.other_cpu_share);
  return "<p class=\"small\">" + h(buf) + "</p>";
}

std::string run_meta(const Report& r) {
  std::string vector_unit = r.host["vector_unit"].str();
  return "<p class=\"meta\">ahal-conform " + h(r.tool_version) + " \u00b7 libahal " +
         h(r.ahal_version) + " \u00b7 profile " + h(r.profile) + (r.quick ? " (quick)" : "") +
         (r.filter.empty() ? "" : " \u00b7 filter " + h(r.filter)) + " \u00b7 " + h(r.started) +
         "<br>host: " + h(r.host["cpu"].str()) + " (" + number_text(r.host["cpu_count"].num()) +
         " CPUs" + (vector_unit.empty() ? "" : ", " + h(vector_unit)) + ") \u00b7 " +
         h(r.host["os"].str()) + " \u00b7 " + h(r.host["kernel"].str()) + "</p>";
}

// ------------------------------------------------------------ top of the page

std::string summary_html(const Report& r) {
  const bool pass = r.passed();
  const int n = static_cast<int>(r.devices.size());
  std::vector<std::string> failed, software;
  bool measured = false;
  double busiest = -1;
  for (const DeviceReport& d : r.devices) {
    if (!d.passed()) failed.push_back(d.selector());
    if (!software_note(d.identity).empty()) software.push_back(d.selector());
    measured |= !d.figures.empty();
    busiest = std::max(busiest, d.other_cpu_share);
  }
  const std::vector<Untested> untested = untested_plugins(r);

  std::string text = "ahal-conform tested " + plural(n, "device", "devices") + " with the " +
                     h(r.profile) + " profile" +
                     (r.profile == "core" ? " (what every plugin must pass)" : "") +
                     (r.quick ? ", in quick mode (smaller sizes and counts)" : "") + ". ";
  if (failed.empty())
    text += n == 1 ? "Every test that ran passed on it. "
                   : "Every test that ran passed on each of them. ";
  else
    text += plural(static_cast<int>(failed.size()), "device", "devices") +
            " failed at least one test: " + h(join(failed, ", ")) + ". ";
  if (!software.empty())
    text += h(join(software, ", ")) + (software.size() == 1 ? " is" : " are") +
            " software running on this machine's CPU (marked <em>software</em>): " +
            (software.size() == 1 ? "its" : "their") + " results say the driver works, and " +
            (software.size() == 1 ? "its" : "their") +
            " figures describe the host CPU, not an accelerator. ";
  text +=
      "A test a device cannot run, because it does not claim a feature or reports a limit, is "
      "skipped with its reason; a pass with many skips covers less, so the counts and reasons "
      "stand beside each verdict. ";
  if (untested.empty())
    text += "Every plugin the runtime found had devices, and every device found was tested. ";
  else
    text += "<strong>" + plural(static_cast<int>(untested.size()), "plugin", "plugins") +
            " gave no device to test</strong>; the verdict does not cover " +
            (untested.size() == 1 ? "it" : "them") +
            " (see <a href=\"#not-tested\">Not tested, and why</a>). ";
  if (measured) {
    text += "Measured figures are the median of repeated runs, with their spread (min to max). ";
    if (busiest >= 0.1)
      text +=
          "<strong>The machine was busy while measuring</strong>: figures may be lower than "
          "on an idle machine. ";
  }
  text += "Terms are explained in the <a href=\"#glossary\">glossary</a>.";

  std::string verdict_text = pass ? "PASS" : "FAIL";
  return "<section class=\"box\" id=\"summary\"><div id=\"verdict\" class=\"verdict " +
         std::string(pass ? "pass" : "fail") + "\" data-verdict=\"" + (pass ? "pass" : "fail") +
         "\">" + verdict_text + "</div><span class=\"meta\">" +
         (untested.empty() ? "for every device found"
                           : "for the " + plural(n, "device", "devices") + " tested only") +
         "</span><p class=\"summary\">" + text + "</p></section>";
}

std::string not_tested_html(const Report& r) {
  const std::vector<Untested> untested = untested_plugins(r);
  std::string out = std::string("<section class=\"box") + (untested.empty() ? "" : " warn") +
                    "\" id=\"not-tested\"><h2>Not tested, and why</h2>";
  if (untested.empty())
    return out +
           "<p class=\"ok\">Nothing: every plugin the runtime found gave at least one device, "
           "and each was tested.</p></section>";
  out +=
      "<p>The runtime found these plugins but had no device from them to test: a driver or "
      "runtime missing or broken, no hardware, or a plugin the loader refused. The verdict above "
      "does not cover them.</p><table class=\"untested\"><tr><th>plugin</th><th>state</th>"
      "<th>why</th><th>file</th></tr>";
  for (const Untested& u : untested)
    out += "<tr class=\"untested-plugin\" data-plugin=\"" + h(u.plugin) + "\"><td>" + h(u.plugin) +
           "</td><td>" + h(u.state) + "</td><td class=\"msg\">" + h(u.reason) +
           "</td><td class=\"small\">" + h(u.path) + "</td></tr>";
  return out + "</table></section>";
}

std::string devices_html(const Report& r) {
  std::string out =
      "<section class=\"box\" id=\"devices\"><h2>Devices tested</h2><table><tr><th>device</th>"
      "<th>name</th><th>kind</th><th>claims</th><th>pass</th><th>fail</th><th>skip</th>"
      "<th>crash</th><th>timeout</th><th>verdict</th><th>skipped because</th></tr>";
  for (const DeviceReport& d : r.devices) {
    const std::vector<std::string> features = claimed_features(d.properties);
    out += "<tr class=\"device-row\"><td><a href=\"#device-" + h(d.selector()) + "\">" +
           h(d.selector()) + "</a></td><td>" + h(d.identity["name"].str()) + "</td><td>" +
           kind_badge(d.identity, false) + "</td><td class=\"small claims\">" +
           (features.empty() ? "none" : h(join(features, ", "))) + "</td>" +
           counts_cells(d.counts()) + "<td>" + verdict_badge(d.passed()) + "</td><td>" +
           skip_list(d, 3) + "</td></tr>";
  }
  return out + "</table></section>";
}

// Every figure of every device on one scale per figure.
std::string comparison_html(const Report& r) {
  std::vector<const DeviceReport*> measured;
  for (const DeviceReport& d : r.devices)
    if (!d.figures.empty()) measured.push_back(&d);
  if (measured.size() < 2) return "";
  std::vector<const Figure*> kinds;  // the first figure of each id, in order
  for (const DeviceReport* d : measured)
    for (const Figure& f : d->figures)
      if (std::none_of(kinds.begin(), kinds.end(), [&](const Figure* k) { return k->id == f.id; }))
        kinds.push_back(&f);
  auto find = [](const DeviceReport* d, const std::string& id) -> const Figure* {
    for (const Figure& f : d->figures)
      if (f.id == id) return &f;
    return nullptr;
  };
  std::string out =
      "<section class=\"box\" id=\"comparison\"><h2>Side by side</h2><p class=\"small\">Each "
      "device's median, with the spread of its runs below it; each chart puts the devices on "
      "one scale. Software devices (orange) run on this machine's CPU.</p><table><tr>"
      "<th>figure</th><th>better</th>";
  for (const DeviceReport* d : measured)
    out += "<th>" + h(d->selector()) + (software_note(d->identity).empty() ? "" : " (software)") +
           "</th>";
  out += "</tr>";
  for (const Figure* k : kinds) {
    out += "<tr><td>" + h(k->title) + "</td><td class=\"small\">" +
           (k->higher_is_better ? "higher" : "lower") + "</td>";
    for (const DeviceReport* d : measured) {
      const Figure* f = find(d, k->id);
      out += "<td class=\"num\">" +
             (f ? h(format_figure(f->value, f->unit)) + "<div class=\"small\">" +
                      h(spread_text(*f)) + "</div>"
                : std::string("\u2013")) +
             "</td>";
    }
    out += "</tr>";
  }
  out += "</table><div class=\"plots\">";
  for (const Figure* k : kinds) {
    std::vector<Bar> bars;
    for (const DeviceReport* d : measured)
      if (const Figure* f = find(d, k->id)) {
        const bool soft = !software_note(d->identity).empty();
        bars.push_back({d->selector(), f->value, f->peak, soft ? "soft" : "", f->min, f->max});
      }
    out += "<div class=\"plot\">" +
           bar_plot(k->title + " (" + k->unit + ", " + (k->higher_is_better ? "higher" : "lower") +
                        " is better)",
                    k->unit, bars) +
           "</div>";
  }
  return out + "</div></section>";
}

// ------------------------------------------------------------ one device

std::string kv_table(const Json& obj) {
  std::string out = "<table>";
  for (const auto& [k, v] : obj.members()) {
    std::string text = v.type() == Json::Type::string ? v.str() : v.dump();
    out += "<tr><th>" + h(k) + "</th><td>" + h(text) + "</td></tr>";
  }
  return out + "</table>";
}

std::string characterization_html(const DeviceReport& d, const Report& r) {
  if (d.figures.empty() && d.curves.empty() && d.characterization_info.empty()) return "";
  std::string out = "<h3>Characterization</h3>" + busy_note(d, r);
  if (!d.curves.empty()) {
    std::vector<PlotSeries> series;
    for (size_t i = 0; i < d.curves.size(); ++i)
      series.push_back({d.curves[i].title, d.curves[i].points, false, static_cast<int>(i)});
    out += "<div class=\"plots\"><div class=\"plot\">" +
           line_plot("Copy bandwidth (GB/s, higher is better; best of the runs per size)",
                     "transfer size", "GB/s", series) +
           "</div></div>";
  }
  if (!d.figures.empty()) {
    out += "<div class=\"plots\">";
    // One bar chart per unit.
    std::vector<std::string> units;
    for (const Figure& f : d.figures)
      if (std::find(units.begin(), units.end(), f.unit) == units.end()) units.push_back(f.unit);
    for (const std::string& unit : units) {
      std::vector<Bar> bars;
      bool higher_better = false;
      for (const Figure& f : d.figures)
        if (f.unit == unit) {
          bars.push_back({f.title, f.value, f.peak, "", f.min, f.max});
          higher_better |= f.higher_is_better;
        }
      out += "<div class=\"plot\">" + bar_plot(chart_title(unit, higher_better), unit, bars) +
             "</div>";
    }
    // The peak columns only where some peak is known.
    const bool peaks =
        std::any_of(d.figures.begin(), d.figures.end(), [](const Figure& f) { return f.peak > 0; });
    out +=
        "</div><table class=\"figures\"><tr><th>figure</th><th>better</th><th>median</th>"
        "<th>spread</th>" +
        std::string(peaks ? "<th>theoretical peak</th><th>of peak</th>" : "") + "</tr>";
    for (const Figure& f : d.figures) {
      out += "<tr><td>" + h(f.title) + " <span class=\"meta\">" + h(f.id) + "</span></td><td>" +
             (f.higher_is_better ? "higher" : "lower") + "</td><td class=\"num\">" +
             h(format_figure(f.value, f.unit)) + "</td><td class=\"num small\">" +
             h(spread_text(f)) + "</td>";
      if (peaks)
        out += "<td class=\"num\">" +
               (f.peak > 0 ? h(format_figure(f.peak, f.unit)) + "<div class=\"small basis\">" +
                                 h(f.peak_basis) + "</div>"
                           : std::string("\u2013")) +
               "</td><td class=\"num\">" +
               (f.peak > 0 ? h(format_figure(100 * f.value / f.peak, "%")) : "") + "</td>";
      out += "</tr>";
    }
    out += "</table>";
    if (!peaks)
      out +=
          "<p class=\"small\">No theoretical peak is shown: the device reports none, and it "
          "does not say enough (cores, clock) to compute one.</p>";
  }
  for (const std::string& i : d.characterization_info) out += "<p class=\"meta\">" + h(i) + "</p>";
  return out;
}

std::string device_html(const DeviceReport& d, const Report& r) {
  bool pass = d.passed();
  Counts c = d.counts();
  std::string out = "<section class=\"device\" id=\"device-" + h(d.selector()) + "\">";
  out += "<h2>" + h(d.identity["name"].str()) + " <span class=\"meta\">" + h(d.selector()) +
         "</span> " + verdict_badge(pass) + " " + kind_badge(d.identity, true) + "</h2>";
  const std::vector<std::string> claims = claimed_features(d.properties);
  Json every = Json::object();
  every.set("features", feature_names(~uint64_t{0}));
  std::vector<std::string> lacks;
  for (const std::string& f : claimed_features(every))
    if (std::find(claims.begin(), claims.end(), f) == claims.end()) lacks.push_back(f);
  out += "<p><strong>Claims:</strong> " + h(claims.empty() ? "nothing" : join(claims, ", ")) +
         "<br><strong>Does not claim</strong> (tests that need these are skipped): " +
         h(lacks.empty() ? "nothing" : join(lacks, ", ")) + "</p>";
  out += kv_table(d.identity);
  out +=
      "<h3>Results</h3><table><tr><th>category</th><th>pass</th><th>fail</th><th>skip</th>"
      "<th>crash</th><th>timeout</th></tr>";
  for (const std::string& cat : categories()) {
    Counts cc = d.counts(cat);
    if (cc.total()) out += "<tr><td>" + h(cat) + "</td>" + counts_cells(cc) + "</tr>";
  }
  out += "<tr><th>all</th>" + counts_cells(c) + "</tr></table>";
  if (c.skip) out += "<p><strong>Skipped because</strong></p>" + skip_list(d, 100);

  if (c.failed() || !d.notes.empty()) {
    out +=
        "<h3>Failures</h3><table "
        "class=\"failures\"><tr><th>test</th><th>result</th><th>message</th></tr>";
    for (const TestResult& t : d.tests)
      if (is_failure(t.outcome))
        out += "<tr><td>" + h(t.id) + "</td><td>" + badge(t.outcome) + "</td><td class=\"msg\">" +
               h(t.message) + "</td></tr>";
    for (const std::string& n : d.notes)
      out +=
          "<tr><td>(device)</td><td><span class=\"badge fail\">note</span></td><td class=\"msg\">" +
          h(n) + "</td></tr>";
    out += "</table>";
  } else {
    out += "<p class=\"ok\">Every test that ran passed.</p>";
  }
  out += characterization_html(d, r);
  out += workload_device_html(d);
  out += "<details><summary>All " + std::to_string(d.tests.size()) +
         " tests</summary><label><input type=\"checkbox\" class=\"only-failures\"> only "
         "failures</label>"
         "<table><tr><th>test</th><th>profile</th><th>requires</th><th>result</th><th>seconds</th>"
         "<th>message</th></tr>";
  for (const TestResult& t : d.tests) {
    char secs[32];
    std::snprintf(secs, sizeof(secs), "%.3f", t.seconds);
    out += "<tr class=\"test-" + std::string(outcome_name(t.outcome)) + "\"><td>" + h(t.id) +
           "</td><td>" + h(t.profile) + "</td><td>" + h(t.features) + "</td><td>" +
           badge(t.outcome) + "</td><td class=\"num\">" + secs + "</td><td class=\"msg\">" +
           h(t.message) + "</td></tr>";
  }
  out += "</table></details>";
  out += "<details><summary>Device properties</summary>" + kv_table(d.properties) + "</details>";
  return out + "</section>";
}

std::string glossary_html() {
  static const std::pair<const char*, const char*> kTerms[] = {
      {"pass / fail",
       "A test passed: the device did what the ahal API promises. Failed: it did not; the "
       "message says which call, status and value were wrong."},
      {"skip",
       "The test did not run, with the reason: usually a feature the device does not "
       "claim, or a limit it reports. A skip is neither a pass nor a failure."},
      {"crash / timeout",
       "The plugin crashed the test's process, or a test ran past its time limit. Both count as "
       "failures; the other tests still ran."},
      {"profile",
       "core: the tests every plugin must pass. full: core plus stress tests and the "
       "largest allocations."},
      {"claims",
       "The features a device says it has (fp64: double precision, fp16: half "
       "precision, int64-atomics, timestamps: timed events, host-visible-memory: "
       "buffers the host can map, ...). Each claim is tested; the rest are skipped."},
      {"hardware / software",
       "Software devices (PoCL's OpenCL, lavapipe's Vulkan, simulators) run on the host CPU: "
       "they prove the driver path works, but their figures are the CPU's, not an "
       "accelerator's."},
      {"h2d, d2h, d2d",
       "Copies host to device, device to host, and device to device (within device memory)."},
      {"bandwidth (GB/s)", "Bytes moved per second, in 10^9 bytes per second. Higher is better."},
      {"STREAM Triad",
       "a[i] = b[i] + s \u00b7 c[i] over large arrays of doubles: the standard "
       "measure of memory bandwidth a program can reach (24 bytes per element)."},
      {"FMA throughput (GFLOP/s)",
       "Fused multiply-adds per second, counted as 2 floating-point operations each, in 10^9 "
       "per second: the arithmetic rate a kernel can reach. Higher is better."},
      {"launch latency (\u00b5s)",
       "Time to launch an empty kernel and wait for it (round trip), or per launch when many "
       "are queued back to back. Lower is better."},
      {"timer step (ns)", "The smallest time difference the device's event timer shows."},
      {"workload",
       "A real network run on the device: face-api's trained face recognition network (150x150 "
       "face in, 128 numbers out), every layer a kernel launch, each output checked against "
       "PyTorch's. Throughput is images per second at the median latency of an inference; a "
       "batch is the images one inference takes."},
      {"command buffers / streamed",
       "Two ways to send the network's launches: recorded once into a command buffer and "
       "submitted with one call per inference, or each launch sent on its own. Their ratio shows "
       "what recording saves on this device."},
      {"median, spread",
       "Each figure is measured several times: the median is the middle run, "
       "the spread the lowest and highest."},
      {"theoretical peak",
       "The most the hardware could do on paper: the device's own figure, or computed from its "
       "cores, clock and vector width (an upper bound). \"Of peak\" is the median against it."},
  };
  std::string out =
      "<section class=\"box\" id=\"glossary\"><h2>Glossary</h2><dl class=\"glossary\">";
  for (const auto& [term, text] : kTerms) out += "<dt>" + h(term) + "</dt><dd>" + h(text) + "</dd>";
  return out + "</dl></section>";
}

}  // namespace

std::string html_report(const Report& r) {
  std::string names;
  for (const DeviceReport& d : r.devices)
    names += (names.empty() ? "" : ", ") + d.identity["name"].str();
  std::string body = "<h1>ahal conformance report</h1>" + run_meta(r);
  body += summary_html(r);
  body += not_tested_html(r);
  body += devices_html(r);
  body += comparison_html(r);
  body += workload_comparison_html(r);
  for (const DeviceReport& d : r.devices) body += device_html(d, r);
  body += glossary_html();
  return html_page("ahal conformance: " + names, body);
}

}  // namespace conform
