// A Graph on one ahal device: weights and tensors in device buffers, every
// layer a launch of a kernel (face.cl, its GLSL twin on Vulkan) or of a
// built-in operator (asic_sim), recorded once into a command buffer
// (docs/command-buffers.md) and, for comparison, as a list streamed launch
// by launch.
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
  // `batch` images into a command buffer. Throws ahal::error.
  DeviceNetwork(ahal::Device device, const Graph& graph, uint32_t batch,
                const std::string& bundle_path);

  // How enqueue() puts the layers on the stream.
  enum class Submit {
    kCommandBuffer,  // one ahal_stream_submit of the recorded command buffer
    kStreamed,       // one ahal_stream_launch per layer
  };

  // Enqueues one inference on `stream`: `input` (batch x input floats) to
  // the device, the layers, the output back to `output` (batch x output
  // floats). The copies are stream copies (their host pointers change per
  // call). Both must stay valid until the stream is synchronized. Throws
  // ahal::error.
  void enqueue(ahal::Stream& stream, const float* input, float* output,
               Submit submit = Submit::kCommandBuffer);

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
    ahal_launch_args_t args() const;  // pointing into this Command
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
  // Records commands_ into command_buffer_ and finalizes it.
  void record_command_buffer();
  // Launches commands_ one by one onto `stream`.
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
  // Last: destroyed first, as the buffers and kernels it uses may not go
  // before it.
  ahal::detail::Owned<ahal_command_buffer_t, ahal_command_buffer_destroy> command_buffer_;
};

}  // namespace ahal_face
