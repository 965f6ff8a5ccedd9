// Inline SVG charts for the HTML reports (no scripts, no external files).
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace conform {

struct PlotSeries {
  std::string label;
  std::vector<std::pair<double, double>> points;  // x in bytes, y
  bool dashed = false;
  int color = 0;  // index into the palette
};

// A line chart with a log2 size axis.
std::string line_plot(const std::string& title, const std::string& x_label,
                      const std::string& y_label, const std::vector<PlotSeries>& series);

struct Bar {
  std::string label;
  double value = 0;
  double peak = 0;        // drawn behind the bar when known
  std::string variant;    // "" or "b": the second side of a comparison; "soft": a software device
  double lo = 0, hi = 0;  // spread over repeated runs, drawn as a whisker when hi > lo
};

// Horizontal bars of one unit on one scale, each with its theoretical peak
// and its spread if known.
std::string bar_plot(const std::string& title, const std::string& unit,
                     const std::vector<Bar>& bars);

std::string xml_escape(const std::string& s);

}  // namespace conform
