// Renders ahal-conform's HTML report and comparison in headless Chromium
// and checks that they show the verdict and the plots without script or
// console errors. Exits 77 (skipped) when Chromium is not installed.
//
// usage: ahal_conform_html_check AHAL_CONFORM SELECTOR WORK_DIR [--screenshot OUT.png]
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

// Loads `page` headless: dumps its DOM and takes a screenshot.
void render(const std::string& chromium, const std::string& work, const std::string& page,
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
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4 && !(argc == 6 && std::string(argv[4]) == "--screenshot")) {
    std::fprintf(stderr, "usage: %s AHAL_CONFORM SELECTOR WORK_DIR [--screenshot OUT.png]\n",
                 argv[0]);
    return 2;
  }
  const std::string conform = argv[1], selector = argv[2], work = argv[3];
  const std::string screenshot = argc == 6 ? argv[5] : "";
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
  render(chromium, dir, html, "report", 2, true, screenshot);

  const std::string compare = dir + "/compare.html";
  code = shell(quote(conform) + " compare " + quote(json) + " " + quote(json) + " --html " +
               quote(compare) + " > " + quote(dir + "/compare.log") + " 2>&1");
  check(code == 0, "ahal-conform compare exits 0 (got " + std::to_string(code) + ")");
  render(chromium, dir, compare, "compare", 2, false, "");

  std::printf("%s\n", failures ? "HTML check FAILED" : "HTML check passed");
  return failures ? 1 : 0;
}
