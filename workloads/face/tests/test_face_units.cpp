// The face workload's host parts without a device: TF.js manifests and
// dequantization, JPEG decoding, face-api's preprocessing, the graph.
#include "detector.hpp"
#include "graph.hpp"
#include "image.hpp"
#include "layer_constants.h"
#include "tfjs_weights.hpp"
#include "workload.hpp"

#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
#include <jpeglib.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <cstring>
#include <stdexcept>
#include <string>
#include <unistd.h>
#include <vector>

using namespace ahal_face;

namespace {

// A fresh folder under /tmp, removed with its files at the end of the test.
struct TempDir {
  std::string path;
  TempDir() {
    char tmpl[] = "/tmp/ahal_face_XXXXXX";
    path = mkdtemp(tmpl);
  }
  ~TempDir() { std::system(("rm -rf '" + path + "'").c_str()); }
  std::string write(const std::string& name, const std::string& bytes) const {
    std::ofstream(path + "/" + name, std::ios::binary) << bytes;
    return path + "/" + name;
  }
};

std::string bytes_of(const std::vector<uint8_t>& v) { return std::string(v.begin(), v.end()); }

std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

// An RGB JPEG of w x h pixels, each (r, g, b) = (x * 8, y * 8, 100), at quality 100.
void write_jpeg(const std::string& path, int w, int h) {
  jpeg_compress_struct c;
  jpeg_error_mgr err;
  c.err = jpeg_std_error(&err);
  jpeg_create_compress(&c);
  std::FILE* f = std::fopen(path.c_str(), "wb");
  jpeg_stdio_dest(&c, f);
  c.image_width = w;
  c.image_height = h;
  c.input_components = 3;
  c.in_color_space = JCS_RGB;
  jpeg_set_defaults(&c);
  jpeg_set_quality(&c, 100, TRUE);
  jpeg_start_compress(&c, TRUE);
  std::vector<uint8_t> row(w * 3);
  while (c.next_scanline < c.image_height) {
    for (int x = 0; x < w; ++x) {
      row[x * 3] = uint8_t(x * 8);
      row[x * 3 + 1] = uint8_t(c.next_scanline * 8);
      row[x * 3 + 2] = 100;
    }
    JSAMPROW r = row.data();
    jpeg_write_scanlines(&c, &r, 1);
  }
  jpeg_finish_compress(&c);
  jpeg_destroy_compress(&c);
  std::fclose(f);
}

}  // namespace

TEST_CASE("TF.js manifest: uint8 and uint16 dequantization, float32, shard order", "[weights]") {
  TempDir dir;
  // Group 0 in two shards: a [2,2] uint8 tensor then a [3] float32 one.
  dir.write("a.bin", bytes_of({0, 1, 128, 255}));
  std::vector<uint8_t> f32(12);
  const float values[3] = {1.5f, -2.0f, 3.25f};
  std::memcpy(f32.data(), values, 12);
  dir.write("b.bin", bytes_of(f32));
  // Group 1: a uint16 tensor.
  dir.write("c.bin", bytes_of({0x00, 0x00, 0x10, 0x00}));
  const std::string manifest = dir.write("m.json", R"([
    {"paths": ["a.bin", "b.bin"], "weights": [
      {"name": "q", "shape": [2, 2], "dtype": "float32",
       "quantization": {"dtype": "uint8", "scale": 0.5, "min": -1.0}},
      {"name": "f", "shape": [3], "dtype": "float32"}]},
    {"paths": ["c.bin"], "weights": [
      {"name": "h", "shape": [2], "dtype": "float32",
       "quantization": {"dtype": "uint16", "scale": 0.25, "min": 2.0}}]}])");
  const WeightMap w = WeightMap::load(manifest);
  CHECK(w.size() == 3);
  CHECK(w.stored_bytes() == 20);
  CHECK(w.get("q", {2, 2}).values == std::vector<float>{-1.0f, -0.5f, 63.0f, 126.5f});
  CHECK(w.get("f", {3}).values == std::vector<float>{1.5f, -2.0f, 3.25f});
  CHECK(w.get("h", {2}).values == std::vector<float>{2.0f, 6.0f});
  CHECK(message_of([&] { w.get("q", {4}); }).find("has shape [2,2], the network needs [4]") !=
        std::string::npos);
  CHECK(message_of([&] { w.at("nope"); }).find("no weight named 'nope'") != std::string::npos);
}

TEST_CASE("TF.js manifest: bad files are refused with the file and the problem", "[weights]") {
  TempDir dir;
  dir.write("s.bin", bytes_of({1, 2, 3}));
  auto load_error = [&](const std::string& json) {
    const std::string m = dir.write("m.json", json);
    return message_of([&] { WeightMap::load(m); });
  };
  const std::string q8 =
      R"("dtype": "float32", "quantization": {"dtype": "uint8", "scale": 1, "min": 0})";
  CHECK(
      load_error(R"([{"paths": ["s.bin"], "weights": [{"name": "a", "shape": [4], )" + q8 + "}]}]")
          .find("shards hold 3") != std::string::npos);
  CHECK(
      load_error(R"([{"paths": ["s.bin"], "weights": [{"name": "a", "shape": [2], )" + q8 + "}]}]")
          .find("uses 2 bytes of 3") != std::string::npos);
  CHECK(load_error(R"([{"paths": ["missing.bin"], "weights": []}])")
            .find("missing.bin: cannot open") != std::string::npos);
  CHECK(load_error(R"([{"paths": ["../s.bin"], "weights": []}])").find("leaves the folder") !=
        std::string::npos);
  CHECK(load_error(
            R"([{"paths": ["s.bin"], "weights": [{"name": "a", "shape": [3], "dtype": "int32"}]}])")
            .find("not supported") != std::string::npos);
  CHECK(load_error(R"([{"paths": ["s.bin"], "weights": [{"name": "a", "shape": [1], )" + q8 +
                   R"(}, {"name": "a", "shape": [1], )" + q8 + "}]}]")
            .find("appears twice") != std::string::npos);
  CHECK(load_error("{not json").find("not a TF.js weights manifest") != std::string::npos);
  CHECK(load_error(R"({"a": 1})").find("expected an array") != std::string::npos);
}

TEST_CASE("JPEG decoding, crops and the errors of both", "[image]") {
  TempDir dir;
  write_jpeg(dir.path + "/t.jpg", 24, 16);
  const RgbImage img = read_jpeg(dir.path + "/t.jpg");
  REQUIRE(img.width == 24);
  REQUIRE(img.height == 16);
  // Quality 100 keeps smooth gradients within a few levels.
  const uint8_t* px = &img.pixels[(5 * 24 + 10) * 3];
  CHECK(std::abs(px[0] - 80) <= 4);
  CHECK(std::abs(px[1] - 40) <= 4);
  CHECK(std::abs(px[2] - 100) <= 4);
  const RgbImage c = crop(img, {10, 5, 4, 3});
  CHECK(c.width == 4);
  CHECK(c.height == 3);
  CHECK(c.pixels[0] == px[0]);
  CHECK(message_of([&] {
          crop(img, {20, 0, 5, 1});
        }).find("not inside the 24x16 image") != std::string::npos);
  dir.write("bad.jpg", "not a jpeg at all");
  CHECK(message_of([&] { read_jpeg(dir.path + "/bad.jpg"); }).find("not a JPEG") !=
        std::string::npos);
  CHECK(message_of([&] { read_jpeg(dir.path + "/none.jpg"); }).find("cannot open") !=
        std::string::npos);
}

TEST_CASE("network_input pads to a square, resizes as TF.js does, normalizes", "[image]") {
  // 1 row x 2 columns: centered padding puts the row in the middle of a 2x2
  // square? diff 1 -> Math.round(0.5) = 1 row after, 0 before.
  RgbImage img;
  img.width = 2;
  img.height = 1;
  img.pixels = {10, 20, 30, 40, 50, 60};
  const float zero_mean[3] = {0, 0, 0};
  std::vector<float> same = network_input(img, 2, zero_mean, true);
  const std::vector<float> want = {
      10 / 255.f, 20 / 255.f, 30 / 255.f, 40 / 255.f, 50 / 255.f, 60 / 255.f, 0, 0, 0, 0, 0, 0};
  CHECK(same == want);
  // Upscale 2x2 -> 4x4 without corner alignment: source = dst * 0.5.
  const float mean[3] = {1, 2, 3};
  std::vector<float> up = network_input(img, 4, mean, true);
  REQUIRE(up.size() == 4 * 4 * 3);
  // (row 0, col 1) sits halfway between pixel 0 and 1 of the first row.
  CHECK(up[(0 * 4 + 1) * 3 + 0] == (25.0f - 1) / 255.0f);
  // (row 1, col 0) halfway between row 0 (value 10) and the zero row.
  CHECK(up[(1 * 4 + 0) * 3 + 2] == (15.0f - 3) / 255.0f);
  // Last column clamps to the last source column.
  CHECK(up[(0 * 4 + 3) * 3 + 0] == (40.0f - 1) / 255.0f);
  // Not centered (detector): the padding goes after the image too here.
  CHECK(network_input(img, 2, zero_mean, false) == want);
}

TEST_CASE("the recognition graph matches face-api's network", "[graph]") {
  const std::string manifest =
      default_data_dir() + "/model/face_recognition_model-weights_manifest.json";
  if (access(manifest.c_str(), R_OK) != 0) {
    // ctest's face.graph runs this case alone and counts 77 as a skip.
    std::printf("skip: %s is absent (scripts/fetch-data.sh)\n", manifest.c_str());
    std::exit(77);
  }
  const Graph g = face_recognition_graph(WeightMap::load(manifest));
  CHECK(g.layers.size() == 40);  // 29 convs, maxpool, 4 x (shortcut, add), mean, fc
  CHECK(g.convs.size() == 29);
  CHECK(g.flops_per_image() == 541708288);  // summed by hand over the 29 convs and fc
  auto layer = [&](const std::string& name) -> const Layer& {
    for (const Layer& l : g.layers) {
      if (l.name == name) return l;
    }
    FAIL("no layer " << name);
    throw std::logic_error(name);
  };
  const Layer& first = layer("conv32_down");
  CHECK(g.tensors[first.out].h == 72);
  CHECK(g.tensors[first.out].c == 32);
  CHECK(g.tensors[layer("maxpool").out].h == 35);
  // residualDown with a shape adjustment: a 3x3 conv result in a 4x4 tensor.
  const Layer& adjusted = layer("conv256_down/conv2");
  CHECK(adjusted.ext_h == 3);
  CHECK(g.tensors[adjusted.out].h == 4);
  const Layer& shortcut = layer("conv64_down/shortcut");
  CHECK(g.tensors[shortcut.in].c == 32);
  CHECK(g.tensors[shortcut.out].c == 64);
  // Frames where a padded conv reads; none on the input and output.
  CHECK(g.tensors[layer("conv32_1/conv1").in].border == 1);
  CHECK(g.tensors[g.input].border == 0);
  CHECK(g.tensors[g.output].c == 128);
  CHECK(g.tensors[g.output].border == 0);
  CHECK((layer("conv32_1/conv2").flags & FACE_RESIDUAL) != 0);
}

TEST_CASE("detector output decodes to face-api's boxes, suppressed and clipped", "[detector]") {
  // A 2x2 grid, 32 floats per cell (25 used): cell (row 1, col 0), anchor 1
  // scores sigmoid(2) = 0.88; anchor 0 of the same cell overlaps it with a
  // lower score and is suppressed; everything else scores sigmoid(-5).
  std::vector<float> grid(2 * 2 * 32, 0.0f);
  for (int cell = 0; cell < 4; ++cell) {
    for (int a = 0; a < 5; ++a) grid[cell * 32 + a * 5 + 4] = -5.0f;
  }
  float* best = &grid[2 * 32 + 1 * 5];
  best[0] = 0.0f;  // x: sigmoid 0.5 -> centre at (0 + 0.5) / 2
  best[1] = 0.0f;
  best[2] = 0.0f;  // w = exp(0) * 6.041143 / 2 cells
  best[3] = 0.0f;
  best[4] = 2.0f;
  float* weaker = &grid[2 * 32 + 0 * 5];
  weaker[2] = std::log(6.041143f / 1.603231f);  // same width and height as `best`
  weaker[3] = std::log(7.080126f / 2.094468f);
  weaker[4] = 1.0f;
  // A 200 x 100 image: the input scaled it to 416 x 208 and padded below,
  // so y is stretched by 2 back in image coordinates.
  const std::vector<Detection> d = decode_detections(grid.data(), 2, 32, 200, 100);
  REQUIRE(d.size() == 1);
  CHECK(d[0].score == Approx(1.0 / (1.0 + std::exp(-2.0))));
  // Relative box: centre (0.25, 0.75 * 2), size (3.02, 3.54 * 2): clipped
  // to the image and floored.
  CHECK(d[0].box.x == 0);
  CHECK(d[0].box.y == 0);
  CHECK(d[0].box.width == 200);
  CHECK(d[0].box.height == 100);
  DetectorOptions strict;
  strict.score_threshold = 0.9;
  CHECK(decode_detections(grid.data(), 2, 32, 200, 100, strict).empty());
}
