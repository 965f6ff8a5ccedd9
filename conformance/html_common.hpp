// Pieces shared by the HTML pages (the report and the comparison): the
// page frame with its style and script, escaping, badges, chart titles.
#pragma once

#include "results.hpp"

#include <string>

namespace conform {

// A whole self-contained page (inline style and script, no external files).
std::string html_page(const std::string& title, const std::string& body);
// Text escaped for HTML.
std::string h(const std::string& s);
// A pass/fail/skip/crash/timeout badge.
std::string badge(Outcome o);
// PASS or FAIL for a device or a run.
std::string verdict_badge(bool pass);
// "Bandwidth (GB/s, higher is better)" and the like, for a chart of one unit.
std::string chart_title(const std::string& unit, bool higher_is_better);
// Five number cells: pass, fail, skip, crash, timeout (failures in red).
std::string counts_cells(const Counts& c);

}  // namespace conform
