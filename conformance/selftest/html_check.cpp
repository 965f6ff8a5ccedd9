// Renders ahal-conform's HTML report and comparison in headless Chromium
// and checks that they show the verdict and the plots without script or
// console errors, with every chart label inside its chart, and that the
// report has the sections a buyer reads first: the summary, "not tested,
// and why" (naming the plugins given with --untested), the devices with
// their claims and skip reasons, the side-by-side comparison (when the
// selector names several devices), software devices marked, figures with
// their spread, and the glossary. Exits 77 (skipped) when Chromium is not
// installed.
//
// usage: ahal_conform_html_check AHAL_CONFORM SELECTOR[,SELECTOR...] WORK_DIR
//          [--untested PLUGIN[,PLUGIN...]] [--software SELECTOR] [--screenshot OUT.png]
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace {

int failures = 0;

void check(bool ok, const std::string& what) {
  std::printf("%s %s\n", ok ? "ok:  " : "FAIL:", what.c_str());
  if (!ok) ++failures;
}

std::string quote(const std::string& s) { return "'" + s + "'"; }

int shell(const std::string& command) {
  int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

std::string find_chromium() {
  if (const char* env = std::getenv("CHROMIUM"); env && *env) return env;
  for (const char* p : {"/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"})
    if (access(p, X_OK) == 0) return p;
  return "";
}

// The number in attr="N" of the <html> element of a dumped DOM, or -1.
int attribute_number(const std::string& dom, const std::string& attr) {
  size_t at = dom.find(attr + "=\"");
  if (at == std::string::npos) return -1;
  return std::atoi(dom.c_str() + at + attr.size() + 2);
}

// The value of attr="..." of a dumped DOM, or "".
std::string attribute_text(const std::string& dom, const std::string& attr) {
  size_t at = dom.find(attr + "=\"");
  if (at == std::string::npos) return "";
  at += attr.size() + 2;
  return dom.substr(at, dom.find('"', at) - at);
}

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < s.size()) {
    size_t comma = s.find(',', start);
    if (comma == std::string::npos) comma = s.size();
    if (comma > start) out.push_back(s.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

// Loads `page` headless: dumps its DOM and takes a screenshot. Returns the DOM.
std::string render(const std::string& chromium, const std::string& work, const std::string& page,
                   const std::string& name, int min_plots, bool has_verdict,
                   const std::string& screenshot_copy) {
  const std::string url = "file://" + page;
  const std::string flags =
      " --headless --no-sandbox --disable-gpu --disable-quic --no-first-run"
      " --disable-background-networking --disable-component-update --disable-sync"
      " --disable-dev-shm-usage --enable-logging=stderr --v=0 --user-data-dir=";
  const std::string dom_path = work + "/" + name + ".dom.html";
  const std::string log_path = work + "/" + name + ".chromium.log";
  std::string profile = work + "/" + name + ".profile";
  shell("rm -rf " + quote(profile));
  int code = shell("timeout 120 " + quote(chromium) + flags + quote(profile) + " --dump-dom " +
                   quote(url) + " > " + quote(dom_path) + " 2> " + quote(log_path));
  check(code == 0, name + ": chromium --dump-dom exits 0 (got " + std::to_string(code) + ", log " +
                       log_path + ")");
  std::string dom = slurp(dom_path);
  check(attribute_number(dom, "data-js-errors") == 0,
        name + ": the page ran its script without errors (data-js-errors=" +
            std::to_string(attribute_number(dom, "data-js-errors")) + ")");
  int plots = attribute_number(dom, "data-plots");
  check(plots >= min_plots, name + ": " + std::to_string(plots) + " SVG plots, expected at least " +
                                std::to_string(min_plots));
  if (has_verdict)
    check(dom.find("id=\"verdict\"") != std::string::npos &&
              (dom.find("data-verdict=\"pass\"") != std::string::npos ||
               dom.find("data-verdict=\"fail\"") != std::string::npos),
          name + ": the verdict is shown");
  std::string log = slurp(log_path);
  bool console =
      log.find(":CONSOLE") != std::string::npos || log.find("Uncaught") != std::string::npos;
  check(!console, name + ": no console messages (see " + log_path + ")");
  check(attribute_number(dom, "data-clipped-labels") == 0,
        name + ": every chart label fits inside its chart (data-clipped-labels=" +
            attribute_text(dom, "data-clipped-labels") + ": " +
            attribute_text(dom, "data-clipped-text") + ")");

  const std::string png = work + "/" + name + ".png";
  std::remove(png.c_str());
  shell("rm -rf " + quote(profile));
  code = shell("timeout 120 " + quote(chromium) + flags + quote(profile) +
               " --hide-scrollbars --window-size=1200,2000 --screenshot=" + quote(png) + " " +
               quote(url) + " > /dev/null 2>&1");
  std::string image = slurp(png);
  check(code == 0 && image.size() > 10000 && image.compare(0, 8, "\x89PNG\r\n\x1a\n") == 0,
        name + ": screenshot " + png + " (" + std::to_string(image.size()) + " bytes)");
  if (!screenshot_copy.empty() && !image.empty()) {
    std::ofstream(screenshot_copy, std::ios::binary) << image;
    std::printf("screenshot copied to %s\n", screenshot_copy.c_str());
  }
  return dom;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  std::string screenshot, untested, software;
  for (size_t i = 3; i < args.size(); ++i) {
    if (i + 1 < args.size() && args[i] == "--screenshot") {
      screenshot = args[++i];
    } else if (i + 1 < args.size() && args[i] == "--untested") {
      untested = args[++i];
    } else if (i + 1 < args.size() && args[i] == "--software") {
      software = args[++i];
    } else {
      args.clear();
    }
  }
  if (args.size() < 3) {
    std::fprintf(stderr,
                 "usage: %s AHAL_CONFORM SELECTOR[,SELECTOR...] WORK_DIR [--untested P,...] "
                 "[--software SELECTOR] [--screenshot OUT.png]\n",
                 argv[0]);
    return 2;
  }
  const std::string conform = args[0], selector = args[1], work = args[2];
  const bool several = selector.find(',') != std::string::npos;
  std::string chromium = find_chromium();
  if (chromium.empty()) {
    std::printf("chromium not found (set CHROMIUM or install Debian's chromium): skipped\n");
    return 77;
  }
  mkdir(work.c_str(), 0755);
  char abs[4096];
  std::string dir = realpath(work.c_str(), abs) ? abs : work;

  const std::string json = dir + "/report.json", html = dir + "/report.html";
  std::remove(html.c_str());
  int code =
      shell(quote(conform) + " --device " + quote(selector) +
            " --quick --filter 'properties.*,copies.*,kernels.*' --characterize"
            " --max-size 16M --json " +
            quote(json) + " --html " + quote(html) + " > " + quote(dir + "/run.log") + " 2>&1");
  check(code == 0 || code == 1,
        "ahal-conform wrote a report (exit " + std::to_string(code) + ", log " + dir + "/run.log)");
  // Bandwidth curves plus at least one bar chart.
  const std::string dom = render(chromium, dir, html, "report", 2, true, screenshot);
  const std::string sections = " " + attribute_text(dom, "data-sections") + " ";
  std::vector<std::string> want = {"summary", "not-tested", "devices", "glossary"};
  if (several) want.push_back("comparison");
  for (const std::string& id : want)
    check(sections.find(" " + id + " ") != std::string::npos,
          "report: section #" + id + " is shown (sections:" + sections + ")");
  // With ahal-infer built, --characterize ran the workload step: its section shows.
  if (dom.find("data-workload=\"") != std::string::npos)
    check(sections.find(" workload ") != std::string::npos,
          "report: the workload section is shown (sections:" + sections + ")");
  for (const std::string& plugin : split(untested))
    check(dom.find("data-plugin=\"" + plugin + "\"") != std::string::npos,
          "report: \"not tested, and why\" names plugin " + plugin);
  if (!software.empty())
    check(dom.find("class=\"badge software\" title=") != std::string::npos &&
              dom.find(">" + software + "</a></td><td>") != std::string::npos,
          "report: " + software + " is marked as a software device");
  check(dom.find("<th>claims</th>") != std::string::npos &&
            dom.find("<th>skipped because</th>") != std::string::npos,
        "report: the claimed features and skip reasons stand beside each verdict");
  check(
      dom.find("class=\"figures\"") != std::string::npos && dom.find(" runs<") != std::string::npos,
      "report: measured figures show their spread over repeated runs");
  for (const char* term : {"h2d, d2h, d2d", "STREAM Triad", "FMA throughput", "profile"})
    check(dom.find("<dt>" + std::string(term)) != std::string::npos,
          std::string("report: the glossary explains ") + term);

  const std::string compare = dir + "/compare.html";
  code = shell(quote(conform) + " compare " + quote(json) + " " + quote(json) + " --html " +
               quote(compare) + " > " + quote(dir + "/compare.log") + " 2>&1");
  check(code == 0, "ahal-conform compare exits 0 (got " + std::to_string(code) + ")");
  render(chromium, dir, compare, "compare", 2, false, "");

  // Charts at the sizes the main job measures (to 256 MiB, whose label
  // sits on the right edge) and with long titles: every label must fit.
  const std::string synthetic = dir + "/synthetic.json", synthetic_html = dir + "/synthetic.html";
  std::ofstream(synthetic) << R"({"tool": "ahal-conform", "tool_version": "0", "ahal_version": "0",
    "started": "", "profile": "core", "quick": false, "filter": "", "host": {"cpu": "none"},
    "plugins": [], "devices": [{"identity": {"selector": "synthetic:0", "name": "synthetic"},
    "properties": {}, "notes": [], "tests": [], "characterization": {"figures": [
      {"id": "bandwidth.h2d.largest", "title": "Host to device bandwidth, 256 MiB",
       "unit": "GB/s", "value": 25.5, "min": 12.25, "max": 99.5, "runs": 5},
      {"id": "launch.round_trip", "title": "Launch + synchronize", "unit": "\u00b5s",
       "value": 25849.5, "min": 20000, "max": 31000, "runs": 300, "higher_is_better": false},
      {"id": "fma.fp32", "title": "FMA throughput fp32", "unit": "GFLOP/s", "value": 61234.5,
       "min": 60000, "max": 99999, "runs": 5, "peak": 67000}],
    "curves": [{"id": "bandwidth.h2d", "title": "Host to device", "unit": "GB/s",
      "points": [[4096, 1.5], [1048576, 12.5], [268435456, 25.5]]}]}}]})";
  code =
      shell(quote(conform) + " compare " + quote(synthetic) + " " + quote(synthetic) + " --html " +
            quote(synthetic_html) + " > " + quote(dir + "/synthetic.log") + " 2>&1");
  check(code == 0,
        "ahal-conform compare of the synthetic report exits 0 (got " + std::to_string(code) + ")");
  const std::string synthetic_dom =
      render(chromium, dir, synthetic_html, "synthetic", 2, false, "");
  check(synthetic_dom.find("25.8 ms") != std::string::npos,
        "synthetic: 25849.5 \u00b5s is shown as 25.8 ms (units scaled)");

  std::printf("%s\n", failures ? "HTML check FAILED" : "HTML check passed");
  return failures ? 1 : 0;
}
