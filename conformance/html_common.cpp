#include "html_common.hpp"

#include "plots.hpp"

namespace conform {

namespace {

const char* kStyle = R"(
body{font-family:-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;margin:0;color:#1d2430;background:#f5f6f8}
main{max-width:1200px;margin:0 auto;padding:24px}
h1{font-size:24px;margin:0 0 4px}h2{font-size:20px;margin:4px 0 8px}h3{font-size:16px;margin:20px 0 8px}
.meta{color:#5b6472;font-size:13px}
.verdict{display:inline-block;font-weight:700;font-size:20px;padding:6px 18px;border-radius:6px;color:#fff;margin:12px 12px 12px 0;vertical-align:middle}
.verdict.pass,.badge.pass{background:#1f8a4c}.verdict.fail,.badge.fail{background:#c62f2f}
.badge{color:#fff;border-radius:4px;padding:1px 8px;font-size:12px;font-weight:600;white-space:nowrap}
.badge.skip{background:#8a94a3}.badge.crash{background:#7b1fa2}.badge.timeout{background:#d9822b}
.badge.software{background:#b45309}.badge.hardware{background:#475569}
section.device,section.box{background:#fff;border:1px solid #dde1e7;border-radius:8px;padding:16px 20px;margin:20px 0}
section.warn{border-left:5px solid #d9822b}
table{border-collapse:collapse;font-size:13px;margin:6px 0}
th,td{border-bottom:1px solid #e6e9ee;padding:4px 10px;text-align:left;vertical-align:top}
th{background:#f0f2f5;font-weight:600}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.bad{color:#c62f2f;font-weight:600}
.msg{white-space:pre-wrap;font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px}
.small{font-size:12px;color:#5b6472}
.basis{white-space:normal;text-align:left;max-width:300px}
.plots{display:flex;flex-wrap:wrap;gap:16px;align-items:flex-start;margin:8px 0}
.plot{background:#fff;border:1px solid #e6e9ee;border-radius:6px;padding:6px}
details{margin:8px 0}summary{cursor:pointer;font-weight:600}
dl.glossary{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px;font-size:13px;margin:8px 0}
dl.glossary dt{font-weight:600}dl.glossary dd{margin:0}
p.summary{font-size:15px;line-height:1.5;max-width:900px}
.ok{color:#1f8a4c}.note{color:#9a3412}
)";

// Records script errors in the page itself so a headless browser can see
// them, counts the plots, lists the sections that rendered, and counts the
// chart labels that do not fit inside their chart (clipped text).
const char* kScript = R"(
window.ahalErrors=[];
window.addEventListener('error',function(e){window.ahalErrors.push(String(e.message));
document.documentElement.setAttribute('data-js-errors',String(window.ahalErrors.length));});
document.addEventListener('DOMContentLoaded',function(){
var root=document.documentElement;
root.setAttribute('data-plots',String(document.querySelectorAll('svg.plot-svg').length));
var ids=[];document.querySelectorAll('section[id]').forEach(function(s){
if(s.offsetHeight>0)ids.push(s.id);});
root.setAttribute('data-sections',ids.join(' '));
var clipped=[];document.querySelectorAll('svg.plot-svg').forEach(function(svg){
var s=svg.getBoundingClientRect();
svg.querySelectorAll('text').forEach(function(t){var b=t.getBoundingClientRect();
if(b.left<s.left-0.5||b.top<s.top-0.5||b.right>s.right+0.5||b.bottom>s.bottom+0.5)
clipped.push(t.textContent);});});
root.setAttribute('data-clipped-labels',String(clipped.length));
root.setAttribute('data-clipped-text',clipped.slice(0,5).join(' | '));
if(!root.hasAttribute('data-js-errors'))root.setAttribute('data-js-errors','0');
document.querySelectorAll('input.only-failures').forEach(function(box){
box.addEventListener('change',function(){
box.closest('details').querySelectorAll('tr.test-pass,tr.test-skip').forEach(function(r){
r.style.display=box.checked?'none':'';});});});
});
)";

}  // namespace

std::string h(const std::string& s) { return xml_escape(s); }

std::string html_page(const std::string& title, const std::string& body) {
  return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
         "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>" +
         h(title) + "</title><style>" + kStyle + "</style><script>" + kScript +
         "</script></head><body><main>" + body + "</main></body></html>\n";
}

std::string badge(Outcome o) {
  return "<span class=\"badge " + std::string(outcome_name(o)) + "\">" + outcome_name(o) +
         "</span>";
}

std::string verdict_badge(bool pass) {
  return pass ? "<span class=\"badge pass\">PASS</span>" : "<span class=\"badge fail\">FAIL</span>";
}

std::string chart_title(const std::string& unit, bool higher_is_better) {
  std::string what = unit == "GB/s"      ? "Bandwidth"
                     : unit == "GFLOP/s" ? "Compute throughput"
                     : unit == "ns"      ? "Timer"
                     : unit == "\u00b5s" ? "Latency"
                                         : "Measured";
  return what + " (" + unit + ", " + (higher_is_better ? "higher" : "lower") + " is better)";
}

std::string counts_cells(const Counts& c) {
  auto cell = [](int v, bool bad) {
    return std::string("<td class=\"num") + (bad && v ? " bad" : "") + "\">" + std::to_string(v) +
           "</td>";
  };
  return cell(c.pass, false) + cell(c.fail, true) + cell(c.skip, false) + cell(c.crash, true) +
         cell(c.timeout, true);
}

}  // namespace conform
