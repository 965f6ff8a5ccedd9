// Report writers: JUnit XML for CI, one self-contained HTML file (inline
// SVG plots, no external resources), and the side-by-side comparison.
#pragma once

#include "results.hpp"

#include <string>

namespace conform {

std::string junit_report(const Report& r);
// The page a buyer reads (html_report.cpp).
std::string html_report(const Report& r);

// Two devices side by side: `a` and `b` name them in the output.
struct CompareSide {
  const Report* report;
  const DeviceReport* device;
  std::string label;  // "A.json cpu:0"
};
std::string compare_text(const CompareSide& a, const CompareSide& b);
std::string compare_html(const CompareSide& a, const CompareSide& b);

// `ahal-conform compare A.json[#SEL] B.json[#SEL] [--html F]`.
int compare_main(int argc, char** argv);

}  // namespace conform
