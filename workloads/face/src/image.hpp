// Images for the face networks: JPEG decoding (libjpeg-turbo) and the
// preprocessing of face-api's NetInput.toBatchTensor: crop, pad to a square
// with zeros, bilinear resize (TF.js, no corner alignment, no half-pixel
// centres), subtract the mean colour, divide by 255.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace ahal_face {

struct RgbImage {
  uint32_t width = 0, height = 0;
  std::vector<uint8_t> pixels;  // height x width x 3, row-major
};

struct Box {
  int32_t x = 0, y = 0, width = 0, height = 0;  // pixels
};

class ImageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Decodes a JPEG file to RGB with libjpeg's defaults (as PIL does); throws ImageError.
RgbImage read_jpeg(const std::string& path);

// The part of `image` inside `box`; throws ImageError if the box leaves the image.
RgbImage crop(const RgbImage& image, const Box& box);

// size x size x 3 floats: (resize(pad_to_square(image)) - mean_rgb) / 255.
// `centered` pads both sides of the short axis (recognition) instead of
// only after the image (detector).
std::vector<float> network_input(const RgbImage& image, uint32_t size, const float mean_rgb[3],
                                 bool centered);

}  // namespace ahal_face
