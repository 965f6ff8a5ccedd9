// A Graph on one ahal device: weights and tensors in device buffers, every
// layer a launch of a kernel (face.cl, its GLSL twin on Vulkan) or of a
// built-in operator (asic_sim), recorded once as a command list.
#pragma once

#include "graph.hpp"

#include <ahal/ahal.hpp>

#include <string>
#include <vector>

namespace ahal_face {

// How the layers reach the device.
enum class LayerPath {
  kOpenCLC,   // face.cl, or an image compiled from it (opencl-c, cpu-so, spirv-opencl, ptx, ...)
  kGlsl,      // kernels/*.comp compiled with glslc (spirv-vulkan)
  kBuiltins,  // the device's fixed-function operators (docs/builtins.md)
};

class DeviceNetwork {
 public:
  // Uploads the weights, zeroes every tensor (their frames stay zero), picks
  // the layer path (built-ins when the device takes no general kernels, else
  // the best image of `bundle_path`) and records the layer launches for
  // `batch` images. Throws ahal::error.
  DeviceNetwork(ahal::Device device, const Graph& graph, uint32_t batch,
                const std::string& bundle_path);

  // Enqueues one inference on `stream`: `input` (batch x input floats) to
  // the device, the recorded launches, the output back to `output`
  // (batch x output floats). Both must stay valid until the stream is
  // synchronized. Throws ahal::error.
  void enqueue(ahal::Stream& stream, const float* input, float* output);

  uint32_t batch() const { return batch_; }
  LayerPath path() const { return path_; }
  // "opencl-c", "cpu-so", "spirv-vulkan", ..., or "builtins".
  const std::string& path_name() const { return path_name_; }
  uint64_t input_floats() const;   // per image
  uint64_t output_floats() const;  // per image
  uint64_t device_bytes() const { return device_bytes_; }
  size_t launches() const { return commands_.size(); }

  // Milliseconds of each layer (graph order): every launch run alone and
  // waited for, best of `runs`, with `input` already on the device from a
  // previous enqueue. Host-timed, so it includes one launch + wait each.
  std::vector<double> profile_layers(ahal::Stream& stream, uint32_t runs);

 private:
  // One recorded launch: everything ahal_stream_launch needs, owned here.
  struct Command {
    ahal_kernel_t kernel = nullptr;
    uint32_t grid[3] = {1, 1, 1};
    uint32_t workgroup[3] = {1, 1, 1};
    std::vector<ahal_binding_t> bindings;
    std::vector<uint8_t> constants;
  };

  void choose_path(const std::string& bundle_path);
  void record();
  void record_conv(const Layer& l);
  void record_depthwise(const Layer& l);
  void record_pool(const Layer& l);
  void record_add(const Layer& l);
  void record_gemm(const Layer& l);
  ahal::Buffer upload(const std::vector<float>& values);
  ahal_binding_t bind(int tensor) const;
  template <class T>
  void push(ahal_kernel_t kernel, std::vector<ahal_binding_t> bindings, const T& constants,
            const uint32_t grid[3], const uint32_t workgroup[3]);
  // Replays the recorded launches onto `stream`. The hook for command
  // buffers (issue 14): once they exist, record these launches into one
  // and submit it here instead.
  void replay(ahal::Stream& stream);
  void launch(ahal::Stream& stream, const Command& c);

  ahal::Device device_;
  const Graph& graph_;
  uint32_t batch_;
  LayerPath path_ = LayerPath::kOpenCLC;
  std::string path_name_;
  bool cpu_like_ = false;
  ahal::Module module_;
  ahal_kernel_t conv_ = nullptr, depthwise_ = nullptr, pool_ = nullptr, add_ = nullptr,
                gemm_ = nullptr;
  std::vector<ahal::Buffer> tensors_;
  std::vector<ahal::Buffer> filters_, biases_, matrices_;
  std::vector<Command> commands_;
  uint64_t device_bytes_ = 0;
};

}  // namespace ahal_face
