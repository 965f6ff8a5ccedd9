#include "plots.hpp"

#include "results.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace conform {

namespace {

const char* kPalette[] = {"#2563eb", "#dc2626", "#16a34a", "#9333ea", "#ea580c", "#0891b2"};

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.1f", v);
  return buf;
}

// A "nice" tick step (1, 2 or 5 times a power of ten) for about n ticks.
double nice_step(double range, int n) {
  double raw = range / n;
  double p = std::pow(10, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (raw <= m * p) return m * p;
  return 10 * p;
}

std::string tick_label(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), v >= 100 || v == std::floor(v) ? "%.0f" : "%.2g", v);
  return buf;
}

std::string svg_open(int w, int h, const std::string& title) {
  return "<svg class=\"plot-svg\" xmlns=\"http://www.w3.org/2000/svg\" width=\"" +
         std::to_string(w) + "\" height=\"" + std::to_string(h) + "\" viewBox=\"0 0 " +
         std::to_string(w) + " " + std::to_string(h) + "\" role=\"img\" aria-label=\"" +
         xml_escape(title) + "\" font-family=\"sans-serif\" font-size=\"11\"><title>" +
         xml_escape(title) + "</title>";
}

}  // namespace

std::string xml_escape(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        // XML 1.0 allows no other control characters.
        if (c < 0x20 && c != '\n' && c != '\t' && c != '\r')
          out += '?';
        else
          out += static_cast<char>(c);
    }
  }
  return out;
}

std::string line_plot(const std::string& title, const std::string& x_label,
                      const std::string& y_label, const std::vector<PlotSeries>& series) {
  // R leaves room for half of the last size label ("256 MiB"), centred on the edge.
  const int W = 680, L = 64, R = 36, T = 34, PH = 240;
  const int legend_rows = (static_cast<int>(series.size()) + 2) / 3;
  const int H = T + PH + 48 + 18 * legend_rows;
  const int PW = W - L - R;
  double xmin = 1e300, xmax = 0, ymax = 0;
  for (const PlotSeries& s : series)
    for (const auto& [x, y] : s.points) {
      xmin = std::min(xmin, x);
      xmax = std::max(xmax, x);
      ymax = std::max(ymax, y);
    }
  if (xmax <= 0) return "";
  double lx0 = std::log2(xmin), lx1 = std::log2(xmax);
  if (lx1 - lx0 < 1) {
    lx0 -= 1;
    lx1 += 1;
  }
  if (ymax <= 0) ymax = 1;
  double ystep = nice_step(ymax, 5);
  double ytop = std::ceil(ymax * 1.05 / ystep) * ystep;
  auto px = [&](double x) { return L + (std::log2(x) - lx0) / (lx1 - lx0) * PW; };
  auto py = [&](double y) { return T + PH - y / ytop * PH; };

  std::string out = svg_open(W, H, title);
  out += "<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>";
  out += "<text x=\"" + std::to_string(W / 2) +
         "\" y=\"18\" text-anchor=\"middle\" font-size=\"14\" font-weight=\"600\">" +
         xml_escape(title) + "</text>";
  for (double y = 0; y <= ytop + ystep / 2; y += ystep) {
    out += "<line x1=\"" + std::to_string(L) + "\" x2=\"" + std::to_string(L + PW) + "\" y1=\"" +
           num(py(y)) + "\" y2=\"" + num(py(y)) + "\" stroke=\"#e5e7eb\"/>";
    out += "<text x=\"" + std::to_string(L - 6) + "\" y=\"" + num(py(y) + 4) +
           "\" text-anchor=\"end\">" + tick_label(y) + "</text>";
  }
  int every = lx1 - lx0 > 12 ? 2 : 1;
  for (int e = static_cast<int>(std::ceil(lx0)); e <= static_cast<int>(std::floor(lx1)); ++e) {
    if (e % every) continue;
    double x = px(std::ldexp(1.0, e));
    out += "<line x1=\"" + num(x) + "\" x2=\"" + num(x) + "\" y1=\"" + std::to_string(T) +
           "\" y2=\"" + std::to_string(T + PH) + "\" stroke=\"#f1f2f4\"/>";
    out += "<text x=\"" + num(x) + "\" y=\"" + std::to_string(T + PH + 16) +
           "\" text-anchor=\"middle\">" + xml_escape(format_bytes(std::ldexp(1.0, e))) + "</text>";
  }
  out += "<rect x=\"" + std::to_string(L) + "\" y=\"" + std::to_string(T) + "\" width=\"" +
         std::to_string(PW) + "\" height=\"" + std::to_string(PH) +
         "\" fill=\"none\" stroke=\"#9ca3af\"/>";
  out += "<text x=\"" + std::to_string(L + PW / 2) + "\" y=\"" + std::to_string(T + PH + 34) +
         "\" text-anchor=\"middle\">" + xml_escape(x_label) + " (log scale)</text>";
  out += "<text transform=\"translate(16," + std::to_string(T + PH / 2) +
         ") rotate(-90)\" text-anchor=\"middle\">" + xml_escape(y_label) + "</text>";
  for (size_t i = 0; i < series.size(); ++i) {
    const PlotSeries& s = series[i];
    const char* color = kPalette[s.color % 6];
    std::string pts;
    for (const auto& [x, y] : s.points) pts += num(px(x)) + "," + num(py(y)) + " ";
    out += "<polyline fill=\"none\" stroke=\"" + std::string(color) + "\" stroke-width=\"2\"" +
           (s.dashed ? " stroke-dasharray=\"6 4\"" : "") + " points=\"" + pts + "\"/>";
    for (const auto& [x, y] : s.points)
      out += "<circle cx=\"" + num(px(x)) + "\" cy=\"" + num(py(y)) + "\" r=\"2.5\" fill=\"" +
             color + "\"><title>" +
             xml_escape(s.label + ", " + format_bytes(x) + ": " + format_figure(y, y_label)) +
             "</title></circle>";
    int lx = L + static_cast<int>(i % 3) * (PW / 3);
    int ly = T + PH + 52 + static_cast<int>(i / 3) * 18;
    out += "<line x1=\"" + std::to_string(lx) + "\" x2=\"" + std::to_string(lx + 22) + "\" y1=\"" +
           std::to_string(ly - 4) + "\" y2=\"" + std::to_string(ly - 4) + "\" stroke=\"" + color +
           "\" stroke-width=\"2\"" + (s.dashed ? " stroke-dasharray=\"6 4\"" : "") + "/>";
    out += "<text x=\"" + std::to_string(lx + 28) + "\" y=\"" + std::to_string(ly) + "\">" +
           xml_escape(s.label) + "</text>";
  }
  return out + "</svg>";
}

std::string bar_plot(const std::string& title, const std::string& unit,
                     const std::vector<Bar>& bars) {
  // The label column fits the longest label (about 6.3 px a character at 11 px).
  size_t chars = 0;
  for (const Bar& b : bars) chars = std::max(chars, b.label.size());
  const int LABEL = std::clamp(static_cast<int>(chars * 6.3) + 14, 120, 300);
  double vmax = 0;
  bool any_peak = false;
  bool any_spread = false;
  for (const Bar& b : bars) {
    vmax = std::max({vmax, b.value, b.peak});  // a long whisker is clipped, not scaled to
    any_peak |= b.peak > 0;
    any_spread |= b.hi > b.lo;
  }
  std::string legend;
  if (any_peak) legend += "grey: theoretical peak";
  if (any_spread)
    legend += std::string(legend.empty() ? "" : "; ") + "whisker: min to max of the runs";
  // The value labels right of the bars ("60000 GFLOP/s") must fit too.
  size_t value_chars = 0;
  for (const Bar& b : bars)
    value_chars = std::max(value_chars, format_figure(b.value, unit).size());
  const int RIGHT = std::max(90, static_cast<int>(value_chars * 6.5) + 20), T = 30, ROW = 26;
  // Wide enough for the title and the legend too.
  const int text_width = static_cast<int>(std::max(title.size() * 7.5, legend.size() * 6.3)) + 16;
  const int W = std::max(LABEL + 170 + RIGHT, text_width);
  const int H = T + ROW * static_cast<int>(bars.size()) + (legend.empty() ? 8 : 24);
  const int BW = W - LABEL - RIGHT;
  if (vmax <= 0) vmax = 1;
  std::string out = svg_open(W, H, title);
  out += "<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>";
  out += "<text x=\"8\" y=\"18\" font-size=\"13\" font-weight=\"600\">" + xml_escape(title) +
         "</text>";
  for (size_t i = 0; i < bars.size(); ++i) {
    const Bar& b = bars[i];
    int y = T + static_cast<int>(i) * ROW;
    const char* color = b.variant == "b" ? "#dc2626" : b.variant == "soft" ? "#b45309" : "#2563eb";
    out += "<text x=\"" + std::to_string(LABEL - 8) + "\" y=\"" + std::to_string(y + 14) +
           "\" text-anchor=\"end\">" + xml_escape(b.label) + "</text>";
    if (b.peak > 0)
      out += "<rect x=\"" + std::to_string(LABEL) + "\" y=\"" + std::to_string(y + 2) +
             "\" width=\"" + num(b.peak / vmax * BW) +
             "\" height=\"16\" fill=\"#e5e7eb\"><title>theoretical peak " +
             xml_escape(format_figure(b.peak, unit)) + "</title></rect>";
    double w = std::max(1.0, b.value / vmax * BW);
    out += "<rect x=\"" + std::to_string(LABEL) + "\" y=\"" + std::to_string(y + 5) +
           "\" width=\"" + num(w) + "\" height=\"10\" fill=\"" + color + "\"><title>" +
           xml_escape(b.label + ": " + format_figure(b.value, unit)) + "</title></rect>";
    double right = std::max(w, b.peak / vmax * BW);
    if (b.hi > b.lo) {
      // The spread over repeated runs: a whisker from min to max.
      const bool clipped = b.hi > vmax;
      const double x0 = LABEL + b.lo / vmax * BW, x1 = LABEL + std::min(b.hi, vmax) / vmax * BW;
      out += "<line x1=\"" + num(x0) + "\" x2=\"" + num(x1) + "\" y1=\"" + std::to_string(y + 10) +
             "\" y2=\"" + std::to_string(y + 10) + "\" stroke=\"#111827\" stroke-width=\"1\"/>";
      for (double x : {x0, x1})
        out += "<line x1=\"" + num(x) + "\" x2=\"" + num(x) + "\" y1=\"" + std::to_string(y + 6) +
               "\" y2=\"" + std::to_string(y + 14) + "\" stroke=\"#111827\" stroke-width=\"1\"/>";
      if (clipped)  // the maximum lies off the scale: an arrowhead says so
        out += "<path d=\"M" + num(x1) + " " + std::to_string(y + 6) +
               " l5 4 l-5 4z\" fill=\"#111827\">"
               "<title>max " +
               xml_escape(format_figure(b.hi, unit)) + "</title></path>";
      right = std::max(right, x1 - LABEL + (clipped ? 6 : 0));
    }
    out += "<text x=\"" + num(LABEL + right + 6) + "\" y=\"" + std::to_string(y + 14) + "\">" +
           xml_escape(format_figure(b.value, unit)) + "</text>";
  }
  if (!legend.empty())
    out +=
        "<text x=\"8\" y=\"" + std::to_string(H - 8) + "\" fill=\"#6b7280\">" + legend + "</text>";
  return out + "</svg>";
}

}  // namespace conform
