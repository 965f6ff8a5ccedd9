#include "reports.hpp"

#include "harness.hpp"
#include "html_common.hpp"
#include "plots.hpp"
#include "workload.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace conform {

// ------------------------------------------------------------ JUnit

std::string junit_report(const Report& r) {
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  Counts all;
  double total_time = 0;
  for (const DeviceReport& d : r.devices)
    for (const TestResult& t : d.tests) {
      all.add(t.outcome);
      total_time += t.seconds;
    }
  char head[256];
  std::snprintf(head, sizeof(head),
                "<testsuites name=\"ahal-conform\" tests=\"%d\" failures=\"%d\" errors=\"%d\" "
                "skipped=\"%d\" time=\"%.3f\">\n",
                all.total(), all.fail, all.crash + all.timeout, all.skip, total_time);
  out += head;
  for (const DeviceReport& d : r.devices) {
    Counts c = d.counts();
    double time = 0;
    for (const TestResult& t : d.tests) time += t.seconds;
    std::snprintf(head, sizeof(head),
                  " tests=\"%d\" failures=\"%d\" errors=\"%d\" skipped=\"%d\" time=\"%.3f\"",
                  c.total(), c.fail, c.crash + c.timeout, c.skip, time);
    out += "  <testsuite name=\"" + xml_escape(d.selector()) + "\"" + head + ">\n";
    out += "    <properties>\n";
    for (const char* key :
         {"name", "vendor", "driver_version", "uuid", "plugin_file", "plugin_sha256"})
      out += "      <property name=\"" + std::string(key) + "\" value=\"" +
             xml_escape(d.identity[key].str()) + "\"/>\n";
    out += "    </properties>\n";
    for (const TestResult& t : d.tests) {
      std::snprintf(head, sizeof(head), "%.3f", t.seconds);
      out += "    <testcase classname=\"" + xml_escape(d.selector() + "." + t.category) +
             "\" name=\"" + xml_escape(t.id) + "\" time=\"" + head + "\"";
      std::string msg = xml_escape(t.message);
      switch (t.outcome) {
        case Outcome::pass:
          out += "/>\n";
          break;
        case Outcome::skip:
          out += ">\n      <skipped message=\"" + msg + "\"/>\n    </testcase>\n";
          break;
        case Outcome::fail:
          out +=
              ">\n      <failure message=\"" + msg + "\">" + msg + "</failure>\n    </testcase>\n";
          break;
        case Outcome::crash:
        case Outcome::timeout:
          out += ">\n      <error type=\"" + std::string(outcome_name(t.outcome)) +
                 "\" message=\"" + msg + "\">" + msg + "</error>\n    </testcase>\n";
          break;
      }
    }
    for (const std::string& n : d.notes)
      out += "    <testcase classname=\"" + xml_escape(d.selector()) +
             "\" name=\"notes\"><error type=\"note\" message=\"" + xml_escape(n) +
             "\"/></testcase>\n";
    out += "  </testsuite>\n";
  }
  out += "</testsuites>\n";
  return out;
}

// ------------------------------------------------------------ compare

namespace {

const Figure* find_figure(const DeviceReport& d, const std::string& id) {
  for (const Figure& f : d.figures)
    if (f.id == id) return &f;
  return nullptr;
}

struct Diff {
  std::string id;
  const TestResult* a;
  const TestResult* b;
};

std::vector<Diff> test_differences(const DeviceReport& a, const DeviceReport& b) {
  std::vector<Diff> out;
  auto find = [](const DeviceReport& d, const std::string& id) -> const TestResult* {
    for (const TestResult& t : d.tests)
      if (t.id == id) return &t;
    return nullptr;
  };
  for (const TestResult& t : a.tests) {
    const TestResult* o = find(b, t.id);
    if (!o || o->outcome != t.outcome) out.push_back({t.id, &t, o});
  }
  for (const TestResult& t : b.tests)
    if (!find(a, t.id)) out.push_back({t.id, nullptr, &t});
  return out;
}

std::vector<std::string> figure_ids(const DeviceReport& a, const DeviceReport& b) {
  std::vector<std::string> ids;
  for (const DeviceReport* d : {&a, &b})
    for (const Figure& f : d->figures)
      if (std::find(ids.begin(), ids.end(), f.id) == ids.end()) ids.push_back(f.id);
  return ids;
}

std::string ratio_text(const Figure* fa, const Figure* fb) {
  if (!fa || !fb || fa->value == 0) return "";
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.2fx", fb->value / fa->value);
  return buf;
}

}  // namespace

std::string compare_text(const CompareSide& a, const CompareSide& b) {
  const DeviceReport& da = *a.device;
  const DeviceReport& db = *b.device;
  std::string out = "A: " + a.label + ": " + da.identity["name"].str() + " (" +
                    da.identity["driver_version"].str() + ")\nB: " + b.label + ": " +
                    db.identity["name"].str() + " (" + db.identity["driver_version"].str() + ")\n";
  char line[512];
  Counts ca = da.counts(), cb = db.counts();
  std::snprintf(line, sizeof(line),
                "verdict: A %s (%d pass, %d failed), B %s (%d pass, %d failed)\n",
                da.passed() ? "PASS" : "FAIL", ca.pass, ca.failed(), db.passed() ? "PASS" : "FAIL",
                cb.pass, cb.failed());
  out += line;
  std::vector<Diff> diffs = test_differences(da, db);
  out += "\ntests that differ: " + std::to_string(diffs.size()) + "\n";
  for (const Diff& d : diffs) {
    std::snprintf(line, sizeof(line), "  %-44s A %-8s B %-8s\n", d.id.c_str(),
                  d.a ? outcome_name(d.a->outcome) : "-", d.b ? outcome_name(d.b->outcome) : "-");
    out += line;
  }
  std::vector<std::string> ids = figure_ids(da, db);
  if (!ids.empty()) {
    out += "\nmeasured figures (ratio = B / A):\n";
    for (const std::string& id : ids) {
      const Figure* fa = find_figure(da, id);
      const Figure* fb = find_figure(db, id);
      const Figure* any = fa ? fa : fb;
      std::string better;
      if (fa && fb && fa->value != fb->value)
        better = (fb->value > fa->value) == any->higher_is_better ? "  B better" : "  A better";
      std::snprintf(line, sizeof(line), "  %-44s A %-16s B %-16s %s%s\n", any->title.c_str(),
                    fa ? format_figure(fa->value, fa->unit).c_str() : "-",
                    fb ? format_figure(fb->value, fb->unit).c_str() : "-",
                    ratio_text(fa, fb).c_str(), better.c_str());
      out += line;
    }
  }
  out += workload_compare_text(da, db);
  return out;
}

std::string compare_html(const CompareSide& a, const CompareSide& b) {
  const DeviceReport& da = *a.device;
  const DeviceReport& db = *b.device;
  std::string body = "<h1>ahal conformance: comparison</h1>";
  body += "<table><tr><th></th><th>A: " + h(a.label) + "</th><th>B: " + h(b.label) + "</th></tr>";
  body += "<tr><th>verdict</th><td>" +
          std::string(da.passed() ? "<span class=\"badge pass\">PASS</span>"
                                  : "<span class=\"badge fail\">FAIL</span>") +
          "</td><td>" +
          (db.passed() ? "<span class=\"badge pass\">PASS</span>"
                       : "<span class=\"badge fail\">FAIL</span>") +
          "</td></tr>";
  for (const auto& [key, v] : da.identity.members())
    body += "<tr><th>" + h(key) + "</th><td>" + h(v.str()) + "</td><td>" +
            h(db.identity[key].str()) + "</td></tr>";
  body += "<tr><th>host</th><td>" + h(a.report->host["cpu"].str()) + "</td><td>" +
          h(b.report->host["cpu"].str()) + "</td></tr>";
  body += "<tr><th>results</th><td>" + std::to_string(da.counts().pass) + " pass, " +
          std::to_string(da.counts().failed()) + " failed, " + std::to_string(da.counts().skip) +
          " skipped</td><td>" + std::to_string(db.counts().pass) + " pass, " +
          std::to_string(db.counts().failed()) + " failed, " + std::to_string(db.counts().skip) +
          " skipped</td></tr></table>";

  std::vector<Diff> diffs = test_differences(da, db);
  body += "<h2>Tests that differ (" + std::to_string(diffs.size()) + ")</h2>";
  if (!diffs.empty()) {
    body += "<table><tr><th>test</th><th>A</th><th>B</th><th>message</th></tr>";
    for (const Diff& d : diffs) {
      const TestResult* bad = d.a && is_failure(d.a->outcome) ? d.a : d.b;
      body += "<tr><td>" + h(d.id) + "</td><td>" + (d.a ? badge(d.a->outcome) : "-") + "</td><td>" +
              (d.b ? badge(d.b->outcome) : "-") + "</td><td class=\"msg\">" +
              h(bad ? bad->message : "") + "</td></tr>";
    }
    body += "</table>";
  }
  std::vector<std::string> ids = figure_ids(da, db);
  if (!ids.empty()) {
    body +=
        "<h2>Measured figures</h2><table><tr><th>figure</th><th>A</th><th>B</th><th>B / "
        "A</th></tr>";
    for (const std::string& id : ids) {
      const Figure* fa = find_figure(da, id);
      const Figure* fb = find_figure(db, id);
      const Figure* any = fa ? fa : fb;
      std::string cls;
      if (fa && fb && fa->value > 0 && fa->value != fb->value) {
        bool better = any->higher_is_better ? fb->value > fa->value : fb->value < fa->value;
        cls = better ? " class=\"ok\"" : " class=\"bad\"";
      }
      body += "<tr><td>" + h(any->title) + "</td><td class=\"num\">" +
              (fa ? h(format_figure(fa->value, fa->unit)) : "-") + "</td><td class=\"num\">" +
              (fb ? h(format_figure(fb->value, fb->unit)) : "-") + "</td><td" + cls + ">" +
              ratio_text(fa, fb) + "</td></tr>";
    }
    body += "</table><div class=\"plots\">";
    std::vector<std::string> units;
    for (const std::string& id : ids) {
      const Figure* f = find_figure(da, id) ? find_figure(da, id) : find_figure(db, id);
      if (std::find(units.begin(), units.end(), f->unit) == units.end()) units.push_back(f->unit);
    }
    for (const std::string& unit : units) {
      std::vector<Bar> bars;
      bool lower_better = true;
      for (const std::string& id : ids) {
        const Figure* fa = find_figure(da, id);
        const Figure* fb = find_figure(db, id);
        if ((fa ? fa : fb)->unit != unit) continue;
        lower_better &= !(fa ? fa : fb)->higher_is_better;
        if (fa) bars.push_back({"A: " + fa->title, fa->value, 0, ""});
        if (fb) bars.push_back({"B: " + fb->title, fb->value, 0, "b"});
      }
      body += "<div class=\"plot\">" + bar_plot(chart_title(unit, !lower_better), unit, bars) +
              "</div>";
    }
    body += "</div>";
  }
  std::vector<PlotSeries> series;
  // The same direction gets the same colour on both sides.
  auto color_of = [&](const std::string& id) {
    for (size_t i = 0; i < da.curves.size(); ++i)
      if (da.curves[i].id == id) return static_cast<int>(i);
    for (size_t i = 0; i < db.curves.size(); ++i)
      if (db.curves[i].id == id) return static_cast<int>(da.curves.size() + i);
    return 0;
  };
  for (const Curve& c : da.curves)
    series.push_back({"A " + c.title, c.points, false, color_of(c.id)});
  for (const Curve& c : db.curves)
    series.push_back({"B " + c.title, c.points, true, color_of(c.id)});
  if (!series.empty())
    body += "<h2>Copy bandwidth</h2><div class=\"plots\"><div class=\"plot\">" +
            line_plot("Copy bandwidth (A solid, B dashed)", "transfer size", "GB/s", series) +
            "</div></div>";
  body += workload_compare_html(da, db);
  return html_page("ahal conformance comparison", body);
}

int compare_main(int argc, char** argv) {
  std::vector<std::string> files;
  std::string html;
  for (int i = 0; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--html" && i + 1 < argc) {
      html = argv[++i];
    } else if (!a.empty() && a[0] == '-') {
      std::fprintf(stderr, "ahal-conform compare: unknown option %s\n", a.c_str());
      return 2;
    } else {
      files.push_back(a);
    }
  }
  if (files.size() != 2) {
    std::fprintf(stderr,
                 "usage: ahal-conform compare A.json[#SELECTOR] B.json[#SELECTOR] [--html F]\n");
    return 2;
  }
  Report reports[2];
  CompareSide sides[2];
  for (int i = 0; i < 2; ++i) {
    std::string path = files[i], selector;
    size_t hash = path.rfind('#');
    if (hash != std::string::npos) {
      selector = path.substr(hash + 1);
      path = path.substr(0, hash);
    }
    FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) {
      std::fprintf(stderr, "ahal-conform compare: cannot open %s\n", path.c_str());
      return 2;
    }
    std::string text;
    char buf[65536];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof(buf), f)) > 0) text.append(buf, n);
    std::fclose(f);
    Json j;
    std::string error;
    if (!Json::parse(text, &j, &error) || !from_json(j, &reports[i], &error)) {
      std::fprintf(stderr, "ahal-conform compare: %s: %s\n", path.c_str(), error.c_str());
      return 2;
    }
    const DeviceReport* dev = nullptr;
    for (const DeviceReport& d : reports[i].devices)
      if (selector.empty() || d.selector() == selector) {
        dev = &d;
        break;
      }
    if (!dev) {
      std::fprintf(stderr, "ahal-conform compare: %s has no device %s\n", path.c_str(),
                   selector.empty() ? "at all" : selector.c_str());
      return 2;
    }
    sides[i] = {&reports[i], dev, path + " " + dev->selector()};
  }
  std::fputs(compare_text(sides[0], sides[1]).c_str(), stdout);
  if (!html.empty()) {
    FILE* f = std::fopen(html.c_str(), "w");
    std::string text = compare_html(sides[0], sides[1]);
    if (!f || std::fwrite(text.data(), 1, text.size(), f) != text.size()) {
      std::fprintf(stderr, "ahal-conform compare: cannot write %s\n", html.c_str());
      if (f) std::fclose(f);
      return 2;
    }
    std::fclose(f);
    std::printf("HTML comparison: %s\n", html.c_str());
  }
  return 0;
}

}  // namespace conform
