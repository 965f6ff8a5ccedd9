#include "device_network.hpp"

#include "layer_constants.h"

#include <algorithm>
#include <chrono>
#include <cstring>

namespace ahal_face {
namespace {

// Blocking of face_conv2d in face.cl and in face_conv2d.comp (work per
// item); face.cl takes 32 channels per item where out_c allows.
constexpr uint32_t kClConvPixels = 8;
uint32_t cl_conv_channels(uint32_t out_c) { return out_c % 32 == 0 ? 32 : 16; }
constexpr uint32_t kGlslConvPixels = 4, kGlslConvChannels = 4;

uint32_t div_up(uint64_t a, uint64_t b) { return static_cast<uint32_t>((a + b - 1) / b); }

face_conv_constants conv_constants(const Graph& g, const Layer& l, uint32_t batch) {
  const TensorInfo& x = g.tensors[l.in];
  const TensorInfo& y = g.tensors[l.out];
  const ConvWeights& w = g.convs[l.weights];
  face_conv_constants k = {};
  k.batch = batch;
  k.in_h = x.h;
  k.in_w = x.w;
  k.in_c = x.c;
  k.in_border = x.border;
  k.out_h = y.h;
  k.out_w = y.w;
  k.out_c = y.c;
  k.out_border = y.border;
  k.res_border = l.in2 >= 0 ? g.tensors[l.in2].border : 0;
  k.ext_h = l.ext_h;
  k.ext_w = l.ext_w;
  k.filter_h = w.r;
  k.filter_w = w.s;
  k.stride = l.stride;
  k.pad = l.pad;
  k.flags = l.flags;
  return k;
}

}  // namespace

DeviceNetwork::DeviceNetwork(ahal::Device device, const Graph& graph, uint32_t batch,
                             const std::string& bundle_path)
    : device_(device), graph_(graph), batch_(batch) {
  if (batch == 0) throw ahal::error(AHAL_ERROR_INVALID_ARGUMENT, "DeviceNetwork: batch is 0");
  if (graph.tensors[graph.input].border != 0 || graph.tensors[graph.output].border != 0) {
    throw ahal::error(AHAL_ERROR_INVALID_ARGUMENT,
                      "DeviceNetwork: the input and output tensors must have no frame");
  }
  choose_path(bundle_path);
  // Every tensor zeroed once: frames and cells outside a layer's extent are
  // never written again.
  ahal::Stream setup(device_);
  for (const TensorInfo& t : graph_.tensors) {
    const uint64_t bytes = t.floats() * batch_ * sizeof(float);
    tensors_.emplace_back(device_, bytes);
    setup.fill(tensors_.back(), 0, bytes, uint32_t{0});
    device_bytes_ += bytes;
  }
  for (const ConvWeights& w : graph_.convs) {
    filters_.push_back(upload(w.filter));
    biases_.push_back(upload(w.bias));
  }
  for (const Matrix& m : graph_.matrices) matrices_.push_back(upload(m.values));
  setup.synchronize();
  record();
  record_command_buffer();
}

ahal::Buffer DeviceNetwork::upload(const std::vector<float>& values) {
  const uint64_t bytes = values.size() * sizeof(float);
  ahal::Buffer b(device_, bytes);
  ahal::Stream s(device_);
  s.copy_h2d(values.data(), b, 0, bytes);
  s.synchronize();
  device_bytes_ += bytes;
  return b;
}

void DeviceNetwork::choose_path(const std::string& bundle_path) {
  const ahal_device_properties_t p = device_.properties();
  cpu_like_ = p.type == AHAL_DEVICE_TYPE_CPU;
  if (!(p.features & AHAL_FEATURE_GENERAL_KERNELS) && (p.features & AHAL_FEATURE_BUILTIN_KERNELS)) {
    path_ = LayerPath::kBuiltins;
    path_name_ = "builtins";
    conv_ = ahal::Kernel::builtin(device_, "ahal.builtin.conv2d_nhwc_f32").get();
    depthwise_ = ahal::Kernel::builtin(device_, "ahal.builtin.depthwise_conv2d_nhwc_f32").get();
    pool_ = ahal::Kernel::builtin(device_, "ahal.builtin.pool2d_nhwc_f32").get();
    add_ = ahal::Kernel::builtin(device_, "ahal.builtin.add_relu_f32").get();
    gemm_ = ahal::Kernel::builtin(device_, "ahal.builtin.gemm_f32").get();
    return;
  }
  module_ = ahal::Module::from_file(device_, bundle_path);
  const ahal_module_format_t format = module_.format();
  path_name_ = ahal_module_format_name(format);
  path_ = format == AHAL_MODULE_FORMAT_SPIRV_VULKAN ? LayerPath::kGlsl : LayerPath::kOpenCLC;
  conv_ = module_.kernel("face_conv2d").get();
  depthwise_ = module_.kernel("face_depthwise2d").get();
  pool_ = module_.kernel("face_pool2d").get();
  add_ = module_.kernel("face_add_relu").get();
  gemm_ = module_.kernel("face_gemm").get();
}

uint64_t DeviceNetwork::input_floats() const { return graph_.tensors[graph_.input].floats(); }
uint64_t DeviceNetwork::output_floats() const { return graph_.tensors[graph_.output].floats(); }

ahal_binding_t DeviceNetwork::bind(int tensor) const { return {tensors_[tensor].get(), 0, 0}; }

template <class T>
void DeviceNetwork::push(ahal_kernel_t kernel, std::vector<ahal_binding_t> bindings,
                         const T& constants, const uint32_t grid[3], const uint32_t workgroup[3]) {
  Command c;
  c.kernel = kernel;
  c.bindings = std::move(bindings);
  const auto* bytes = reinterpret_cast<const uint8_t*>(&constants);
  c.constants.assign(bytes, bytes + sizeof(T));
  for (int d = 0; d < 3; ++d) {
    // Built-ins ignore the launch shape: {1,1,1} as docs/builtins.md asks.
    c.grid[d] = path_ == LayerPath::kBuiltins ? 1 : std::max(1u, grid[d]);
    c.workgroup[d] = path_ == LayerPath::kBuiltins ? 1 : std::max(1u, workgroup[d]);
  }
  commands_.push_back(std::move(c));
}

void DeviceNetwork::record_conv(const Layer& l) {
  const face_conv_constants k = conv_constants(graph_, l, batch_);
  const uint64_t pixels = uint64_t{batch_} * l.ext_h * l.ext_w;
  uint32_t grid[3] = {1, 1, 1}, wg[3] = {1, 1, 1};
  if (path_ == LayerPath::kGlsl) {
    // x: channel quads (whole workgroups of them), y: pixel blocks.
    wg[0] = std::min<uint32_t>(k.out_c / kGlslConvChannels, 64);
    grid[0] = div_up(k.out_c / kGlslConvChannels, wg[0]);
    grid[1] = div_up(pixels, kGlslConvPixels);
  } else {
    // A CPU runs one workgroup per call: a few blocks each keep calls cheap
    // and leave enough workgroups to spread over the cores.
    wg[0] = cpu_like_ ? 4 : 64;
    grid[0] = div_up(div_up(pixels, kClConvPixels), wg[0]);
    grid[1] = k.out_c / cl_conv_channels(k.out_c);
  }
  const int residual = l.in2 >= 0 ? l.in2 : l.out;  // bound but unread without FACE_RESIDUAL
  push(conv_,
       {bind(l.in),
        {filters_[l.weights].get(), 0, 0},
        {biases_[l.weights].get(), 0, 0},
        bind(residual),
        bind(l.out)},
       k, grid, wg);
}

void DeviceNetwork::record_depthwise(const Layer& l) {
  const face_conv_constants k = conv_constants(graph_, l, batch_);
  const uint64_t pixels = uint64_t{batch_} * l.ext_h * l.ext_w;
  // An item computes one pixel's 16 (face.cl) or 4 (GLSL) channels: x
  // along channels, y along pixels; one workgroup shape for every layer.
  const bool glsl = path_ == LayerPath::kGlsl;
  const uint32_t items_x = div_up(k.out_c, glsl ? 4 : 16);
  const uint32_t wg[3] = {glsl ? 4u : 1u, 16, 1};
  const uint32_t grid[3] = {div_up(items_x, wg[0]), div_up(pixels, wg[1]), 1};
  push(depthwise_,
       {bind(l.in),
        {filters_[l.weights].get(), 0, 0},
        {biases_[l.weights].get(), 0, 0},
        bind(l.out),
        bind(l.out)},
       k, grid, wg);
}

void DeviceNetwork::record_pool(const Layer& l) {
  const TensorInfo& x = graph_.tensors[l.in];
  const TensorInfo& y = graph_.tensors[l.out];
  face_pool_constants k = {};
  k.batch = batch_;
  k.in_h = x.h;
  k.in_w = x.w;
  k.in_c = x.c;
  k.in_border = x.border;
  k.out_h = y.h;
  k.out_w = y.w;
  k.out_c = y.c;
  k.out_border = y.border;
  k.ext_h = l.ext_h;
  k.ext_w = l.ext_w;
  k.window = l.window;
  k.stride = l.stride;
  k.mode = l.mode;
  // face.cl: an item pools 16 channels; GLSL: one channel. One workgroup
  // shape for every layer, as PoCL and lavapipe compile one per shape.
  const bool glsl = path_ == LayerPath::kGlsl;
  const uint32_t items_x = glsl ? x.c : div_up(x.c, 16);
  const uint32_t wg[3] = {glsl ? 16u : 1u, glsl ? 4u : 8u, 1};
  const uint32_t grid[3] = {div_up(items_x, wg[0]), div_up(l.ext_w, wg[1]), batch_ * l.ext_h};
  push(pool_, {bind(l.in), bind(l.out)}, k, grid, wg);
}

void DeviceNetwork::record_add(const Layer& l) {
  face_add_constants k = {};
  k.n = static_cast<uint32_t>(graph_.tensors[l.out].floats() * batch_);
  const uint32_t grid[3] = {div_up(k.n, 256), 1, 1};
  const uint32_t wg[3] = {256, 1, 1};
  push(add_, {bind(l.in), bind(l.in2), bind(l.out)}, k, grid, wg);
}

void DeviceNetwork::record_gemm(const Layer& l) {
  const Matrix& m = graph_.matrices[l.weights];
  std::vector<ahal_binding_t> b = {bind(l.in), {matrices_[l.weights].get(), 0, 0}, bind(l.out)};
  if (path_ == LayerPath::kBuiltins) {
    // ahal.builtin.gemm_f32 takes {M, N, K, alpha, beta}.
    struct {
      uint32_t m, n, k;
      float alpha, beta;
    } k = {batch_, m.cols, m.rows, 1.0f, 0.0f};
    const uint32_t one[3] = {1, 1, 1};
    push(gemm_, b, k, one, one);
    return;
  }
  face_gemm_constants k = {batch_, m.cols, m.rows};
  const uint32_t wg_x = std::min<uint32_t>(m.cols, 64);
  const uint32_t grid[3] = {div_up(m.cols, wg_x), batch_, 1};
  const uint32_t wg[3] = {wg_x, 1, 1};
  push(gemm_, b, k, grid, wg);
}

void DeviceNetwork::record() {
  commands_.clear();
  for (const Layer& l : graph_.layers) {
    switch (l.kind) {
      case LayerKind::kConv:
        record_conv(l);
        break;
      case LayerKind::kDepthwise:
        record_depthwise(l);
        break;
      case LayerKind::kPool:
        record_pool(l);
        break;
      case LayerKind::kAddRelu:
        record_add(l);
        break;
      case LayerKind::kGemm:
        record_gemm(l);
        break;
    }
  }
}

ahal_launch_args_t DeviceNetwork::Command::args() const {
  ahal_launch_args_t a = {};
  a.struct_size = sizeof(a);
  std::copy(grid, grid + 3, a.grid);
  std::copy(workgroup, workgroup + 3, a.workgroup_size);
  a.binding_count = static_cast<uint32_t>(bindings.size());
  a.bindings = bindings.data();
  a.constants = constants.data();
  a.constants_size = static_cast<uint32_t>(constants.size());
  return a;
}

void DeviceNetwork::launch(ahal::Stream& stream, const Command& c) {
  stream.launch(ahal::Kernel(c.kernel), c.args());
}

void DeviceNetwork::record_command_buffer() {
  ahal_command_buffer_t cb = nullptr;
  ahal::check(ahal_command_buffer_create(device_.get(), AHAL_COMMAND_BUFFER_DEFAULT, &cb));
  command_buffer_ = decltype(command_buffer_)(cb);
  for (const Command& c : commands_) {
    const ahal_launch_args_t a = c.args();
    ahal::check(ahal_command_buffer_launch(cb, c.kernel, &a, nullptr));
  }
  ahal::check(ahal_command_buffer_finalize(cb));
}

void DeviceNetwork::replay(ahal::Stream& stream) {
  for (const Command& c : commands_) launch(stream, c);
}

std::vector<double> DeviceNetwork::profile_layers(ahal::Stream& stream, uint32_t runs) {
  using clock = std::chrono::steady_clock;
  std::vector<double> best(commands_.size(), 1e300);
  stream.synchronize();
  for (uint32_t run = 0; run < std::max(1u, runs); ++run) {
    for (size_t i = 0; i < commands_.size(); ++i) {
      const auto t0 = clock::now();
      launch(stream, commands_[i]);
      stream.synchronize();
      best[i] =
          std::min(best[i], std::chrono::duration<double, std::milli>(clock::now() - t0).count());
    }
  }
  return best;
}

void DeviceNetwork::enqueue(ahal::Stream& stream, const float* input, float* output,
                            Submit submit) {
  stream.copy_h2d(input, tensors_[graph_.input], 0, input_floats() * batch_ * sizeof(float));
  if (submit == Submit::kCommandBuffer) {
    ahal::check(ahal_stream_submit(stream.get(), command_buffer_.get()));
  } else {
    replay(stream);
  }
  stream.copy_d2h(tensors_[graph_.output], 0, output, output_floats() * batch_ * sizeof(float));
}

}  // namespace ahal_face
