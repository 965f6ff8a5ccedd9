#include "tfjs_weights.hpp"

#include <nlohmann/json.hpp>

#include <cstring>
#include <fstream>
#include <iterator>
#include <limits>

namespace ahal_face {
namespace {

using nlohmann::json;

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw WeightError(path + ": cannot open");
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::string folder_of(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? "." : path.substr(0, slash);
}

// Bytes per stored element of a TF.js dtype; 0 if unknown.
uint32_t dtype_bytes(const std::string& dtype) {
  if (dtype == "float32" || dtype == "int32") return 4;
  if (dtype == "uint16" || dtype == "float16") return 2;
  if (dtype == "uint8") return 1;
  return 0;
}

template <class T>
T load_le(const unsigned char* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));  // x86_64 and aarch64 are little-endian, as TF.js files
  return v;
}

// Decodes one manifest entry from `blob` at `offset`; advances offset.
Tensor decode(const json& entry, const std::string& blob, uint64_t& offset,
              const std::string& where) {
  Tensor t;
  uint64_t count = 1;
  for (const json& d : entry.at("shape")) {
    int64_t v = d.get<int64_t>();
    if (v < 0 || v > std::numeric_limits<uint32_t>::max()) {
      throw WeightError(where + ": bad dimension " + std::to_string(v));
    }
    t.shape.push_back(static_cast<uint32_t>(v));
    count *= static_cast<uint64_t>(v);
  }
  const std::string dtype = entry.at("dtype").get<std::string>();
  const bool quantized = entry.contains("quantization");
  const std::string stored =
      quantized ? entry["quantization"].at("dtype").get<std::string>() : dtype;
  const uint32_t bytes = dtype_bytes(stored);
  if (dtype != "float32" || bytes == 0 || stored == "float16" ||
      (!quantized && stored != "float32")) {
    throw WeightError(where + ": dtype " + dtype + " stored as " + stored +
                      " is not supported (float32, or float32 quantized to uint8/uint16)");
  }
  if (offset + count * bytes > blob.size()) {
    throw WeightError(where + ": needs bytes " + std::to_string(offset) + ".." +
                      std::to_string(offset + count * bytes) + " but the shards hold " +
                      std::to_string(blob.size()));
  }
  const auto* p = reinterpret_cast<const unsigned char*>(blob.data()) + offset;
  t.values.resize(count);
  if (!quantized) {
    for (uint64_t i = 0; i < count; ++i) t.values[i] = load_le<float>(p + 4 * i);
  } else {
    const double scale = entry["quantization"].at("scale").get<double>();
    const double min = entry["quantization"].at("min").get<double>();
    for (uint64_t i = 0; i < count; ++i) {
      const double q = bytes == 1 ? p[i] : load_le<uint16_t>(p + 2 * i);
      t.values[i] = static_cast<float>(q * scale + min);
    }
  }
  offset += count * bytes;
  return t;
}

}  // namespace

std::string shape_string(const std::vector<uint32_t>& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? "," : "") + std::to_string(shape[i]);
  return s + "]";
}

WeightMap WeightMap::load(const std::string& manifest_path) {
  WeightMap map;
  map.path_ = manifest_path;
  json manifest;
  try {
    manifest = json::parse(read_file(manifest_path));
  } catch (const json::exception& e) {
    throw WeightError(manifest_path + ": not a TF.js weights manifest: " + e.what());
  }
  // A model.json keeps the manifest under "weightsManifest".
  if (manifest.is_object() && manifest.contains("weightsManifest")) {
    manifest = manifest["weightsManifest"];
  }
  if (!manifest.is_array()) throw WeightError(manifest_path + ": expected an array of groups");
  const std::string folder = folder_of(manifest_path);
  try {
    for (size_t g = 0; g < manifest.size(); ++g) {
      const json& group = manifest[g];
      std::string blob;
      for (const json& p : group.at("paths")) {
        const std::string shard = p.get<std::string>();
        if (shard.find("..") != std::string::npos || (!shard.empty() && shard[0] == '/')) {
          throw WeightError(manifest_path + ": shard path '" + shard + "' leaves the folder");
        }
        blob += read_file(folder + "/" + shard);
      }
      uint64_t offset = 0;
      for (const json& entry : group.at("weights")) {
        const std::string name = entry.at("name").get<std::string>();
        const std::string where = manifest_path + ": weight '" + name + "'";
        if (map.tensors_.count(name)) throw WeightError(where + " appears twice");
        map.tensors_[name] = decode(entry, blob, offset, where);
      }
      if (offset != blob.size()) {
        throw WeightError(manifest_path + ": group " + std::to_string(g) + " uses " +
                          std::to_string(offset) + " bytes of " + std::to_string(blob.size()));
      }
      map.stored_bytes_ += blob.size();
    }
  } catch (const json::exception& e) {
    throw WeightError(manifest_path + ": malformed manifest: " + e.what());
  }
  return map;
}

const Tensor& WeightMap::at(const std::string& name) const {
  auto it = tensors_.find(name);
  if (it == tensors_.end()) throw WeightError(path_ + ": no weight named '" + name + "'");
  return it->second;
}

const Tensor& WeightMap::get(const std::string& name, const std::vector<uint32_t>& shape) const {
  auto it = tensors_.find(name);
  if (it == tensors_.end()) throw WeightError(path_ + ": no weight named '" + name + "'");
  if (it->second.shape != shape) {
    throw WeightError(path_ + ": weight '" + name + "' has shape " +
                      shape_string(it->second.shape) + ", the network needs " +
                      shape_string(shape));
  }
  return it->second;
}

}  // namespace ahal_face
