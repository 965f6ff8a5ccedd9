// TF.js weight manifests (model.json "weightsManifest" / *-weights_manifest.json):
// groups of shard files whose concatenated bytes hold the tensors in order,
// each float32 or quantized to uint8/uint16 with a per-tensor scale and min.
#pragma once

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace ahal_face {

struct Tensor {
  std::vector<uint32_t> shape;
  std::vector<float> values;  // row-major, as TF.js stores it
};

class WeightError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Name -> dequantized tensor. Quantized values become float(q * scale + min),
// computed in double as TF.js does, so every reader gets the same floats.
class WeightMap {
 public:
  // Reads the manifest and its shards (paths relative to the manifest's folder).
  // Throws WeightError naming the file and the problem.
  static WeightMap load(const std::string& manifest_path);

  // The tensor `name`; throws WeightError if there is none.
  const Tensor& at(const std::string& name) const;
  // The tensor `name`, whose shape must equal `shape`; throws WeightError.
  const Tensor& get(const std::string& name, const std::vector<uint32_t>& shape) const;
  bool contains(const std::string& name) const { return tensors_.count(name) != 0; }
  size_t size() const { return tensors_.size(); }
  // Bytes the shards hold (the quantized size on disk).
  uint64_t stored_bytes() const { return stored_bytes_; }
  const std::string& path() const { return path_; }

 private:
  std::map<std::string, Tensor> tensors_;
  uint64_t stored_bytes_ = 0;
  std::string path_;
};

std::string shape_string(const std::vector<uint32_t>& shape);

}  // namespace ahal_face
