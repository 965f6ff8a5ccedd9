#include "image.hpp"

#include <jpeglib.h>

#include <algorithm>
#include <cmath>
#include <csetjmp>
#include <cstdio>
#include <memory>

namespace ahal_face {
namespace {

// libjpeg reports errors through a callback that must not return.
struct JpegError {
  jpeg_error_mgr mgr;
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
};

void on_jpeg_error(j_common_ptr cinfo) {
  auto* err = reinterpret_cast<JpegError*>(cinfo->err);
  cinfo->err->format_message(cinfo, err->message);
  std::longjmp(err->jump, 1);
}

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

// Decodes into `out`; returns false with err.message set on failure. Kept
// free of C++ objects with destructors, as longjmp skips them.
bool decode(std::FILE* file, RgbImage& out, JpegError& err) {
  jpeg_decompress_struct cinfo;
  cinfo.err = jpeg_std_error(&err.mgr);
  err.mgr.error_exit = on_jpeg_error;
  if (setjmp(err.jump)) {
    jpeg_destroy_decompress(&cinfo);
    return false;
  }
  jpeg_create_decompress(&cinfo);
  jpeg_stdio_src(&cinfo, file);
  jpeg_read_header(&cinfo, TRUE);
  cinfo.out_color_space = JCS_RGB;
  jpeg_start_decompress(&cinfo);
  out.width = cinfo.output_width;
  out.height = cinfo.output_height;
  out.pixels.resize(size_t{out.width} * out.height * 3);
  while (cinfo.output_scanline < cinfo.output_height) {
    JSAMPROW row = out.pixels.data() + size_t{cinfo.output_scanline} * out.width * 3;
    jpeg_read_scanlines(&cinfo, &row, 1);
  }
  jpeg_finish_decompress(&cinfo);
  jpeg_destroy_decompress(&cinfo);
  return true;
}

}  // namespace

RgbImage read_jpeg(const std::string& path) {
  std::unique_ptr<std::FILE, FileCloser> file(std::fopen(path.c_str(), "rb"));
  if (!file) throw ImageError(path + ": cannot open");
  RgbImage image;
  JpegError err{};
  if (!decode(file.get(), image, err)) {
    throw ImageError(path + ": not a JPEG libjpeg can decode: " + err.message);
  }
  return image;
}

RgbImage crop(const RgbImage& image, const Box& box) {
  if (box.x < 0 || box.y < 0 || box.width <= 0 || box.height <= 0 ||
      int64_t{box.x} + box.width > image.width || int64_t{box.y} + box.height > image.height) {
    throw ImageError("crop: box " + std::to_string(box.x) + "," + std::to_string(box.y) + " " +
                     std::to_string(box.width) + "x" + std::to_string(box.height) +
                     " is not inside the " + std::to_string(image.width) + "x" +
                     std::to_string(image.height) + " image");
  }
  RgbImage out;
  out.width = static_cast<uint32_t>(box.width);
  out.height = static_cast<uint32_t>(box.height);
  out.pixels.resize(size_t{out.width} * out.height * 3);
  for (uint32_t y = 0; y < out.height; ++y) {
    const uint8_t* src = image.pixels.data() + ((size_t{y} + box.y) * image.width + box.x) * 3;
    std::copy(src, src + size_t{out.width} * 3, out.pixels.data() + size_t{y} * out.width * 3);
  }
  return out;
}

std::vector<float> network_input(const RgbImage& image, uint32_t size, const float mean_rgb[3],
                                 bool centered) {
  if (image.width == 0 || image.height == 0 || size == 0) {
    throw ImageError("network_input: empty image or size");
  }
  // padToSquare: the short axis gets zeros, Math.round(diff / 2) after the
  // image when centered (the rest before), all of diff after otherwise.
  const int64_t w = image.width, h = image.height;
  const int64_t side = std::max(w, h);
  const int64_t diff = side - std::min(w, h);
  const int64_t after = centered ? static_cast<int64_t>(std::floor(diff * 0.5 + 0.5)) : diff;
  const int64_t before = centered ? diff - after : 0;
  const int64_t off_x = w < h ? before : 0;
  const int64_t off_y = h < w ? before : 0;
  // Channel c of the padded square at (y, x).
  auto at = [&](int64_t y, int64_t x, int c) -> double {
    y -= off_y;
    x -= off_x;
    if (y < 0 || y >= h || x < 0 || x >= w) return 0.0;
    return image.pixels[(size_t(y) * size_t(w) + size_t(x)) * 3 + c];
  };
  // resizeBilinear(alignCorners=false, halfPixelCenters=false) in double, as
  // the TF.js CPU backend computes it; skipped when the size already fits.
  const double ratio = static_cast<double>(side) / size;
  std::vector<float> out(size_t{size} * size * 3);
  for (uint32_t r = 0; r < size; ++r) {
    const double sy = side == size ? r : r * ratio;
    const int64_t y0 = std::max<int64_t>(0, static_cast<int64_t>(std::floor(sy)));
    const int64_t y1 = std::min<int64_t>(side - 1, static_cast<int64_t>(std::ceil(sy)));
    const double fy = sy - y0;
    for (uint32_t q = 0; q < size; ++q) {
      const double sx = side == size ? q : q * ratio;
      const int64_t x0 = std::max<int64_t>(0, static_cast<int64_t>(std::floor(sx)));
      const int64_t x1 = std::min<int64_t>(side - 1, static_cast<int64_t>(std::ceil(sx)));
      const double fx = sx - x0;
      for (int c = 0; c < 3; ++c) {
        const double tl = at(y0, x0, c), tr = at(y0, x1, c);
        const double bl = at(y1, x0, c), br = at(y1, x1, c);
        const double top = tl + (tr - tl) * fx;
        const double bottom = bl + (br - bl) * fx;
        const float v = static_cast<float>(top + (bottom - top) * fy);
        out[(size_t{r} * size + q) * 3 + c] = (v - mean_rgb[c]) / 255.0f;
      }
    }
  }
  return out;
}

}  // namespace ahal_face
