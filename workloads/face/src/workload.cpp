#include "workload.hpp"

#include "ahal_tool_support.hpp"
#include "detector.hpp"
#include "device_network.hpp"
#include "graph.hpp"
#include "image.hpp"
#include "reference.hpp"
#include "tfjs_weights.hpp"

#include <ahal/ahal.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <sys/stat.h>
#include <unistd.h>

namespace ahal_face {
namespace {

bool is_file(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

std::string number(double v) {
  if (!std::isfinite(v)) return "null";
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.6g", v);
  return buf;
}

std::string quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) >= 0x20) out += c;
  }
  return out + "\"";
}

double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  const double pos = p / 100.0 * double(v.size() - 1);
  const size_t lo = static_cast<size_t>(pos);
  const size_t hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (v[hi] - v[lo]) * (pos - double(lo));
}

// The network inputs of every reference face, decoding each photo once.
std::vector<std::vector<float>> face_inputs(const Reference& ref, const Graph& g,
                                            const std::string& data_dir) {
  std::map<std::string, RgbImage> photos;
  std::vector<std::vector<float>> inputs;
  for (const ReferenceFace& f : ref.faces) {
    auto it = photos.find(f.image);
    if (it == photos.end()) {
      it = photos.emplace(f.image, read_jpeg(data_dir + "/demo/" + f.image)).first;
    }
    inputs.push_back(network_input(crop(it->second, f.box), g.input_size, g.mean_rgb, true));
  }
  return inputs;
}

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

// Embeds `faces` (network inputs) with `net`, batch by batch (the last one
// padded by repeats); returns out_n floats per face.
std::vector<float> embed(DeviceNetwork& net, ahal::Stream& stream,
                         const std::vector<std::vector<float>>& faces,
                         DeviceNetwork::Submit submit) {
  const uint64_t in_n = net.input_floats(), out_n = net.output_floats();
  std::vector<float> input(in_n * net.batch()), output(out_n * net.batch());
  std::vector<float> all(out_n * faces.size());
  for (size_t first = 0; first < faces.size(); first += net.batch()) {
    for (uint32_t i = 0; i < net.batch(); ++i) {
      const auto& f = faces[std::min(first + i, faces.size() - 1)];
      std::copy(f.begin(), f.end(), input.begin() + i * in_n);
    }
    net.enqueue(stream, input.data(), output.data(), submit);
    stream.synchronize();
    const size_t n = std::min<size_t>(net.batch(), faces.size() - first);
    std::copy(output.begin(), output.begin() + n * out_n, all.begin() + first * out_n);
  }
  return all;
}

// detect -> crop -> embed on every reference photo, checked against the
// reference's boxes, scores and embeddings; `runs` times for the timing.
PipelineResult run_pipeline(ahal::Device device, const std::string& data, const Reference& ref,
                            const Graph& recognition, DeviceNetwork& recognizer,
                            ahal::Stream& stream, const std::string& bundle, uint32_t runs,
                            DeviceNetwork::Submit submit) {
  const WeightMap weights =
      WeightMap::load(data + "/model/tiny_face_detector_model-weights_manifest.json");
  const Graph graph = tiny_face_detector_graph(weights);
  DeviceNetwork detector(device, graph, 1, bundle);
  const TensorInfo& out = graph.tensors[graph.output];
  std::vector<float> grid(detector.output_floats());
  PipelineResult p;
  p.layer_path = detector.path_name();
  p.gflop_per_photo = graph.flops_per_image() * 1e-9;
  p.boxes_match = true;
  p.max_rel_err = 0;
  std::vector<double> detect_ms, photo_ms;
  size_t first_face = 0;
  for (const ReferenceImage& photo : ref.images) {
    const RgbImage img = read_jpeg(data + "/demo/" + photo.image);
    std::vector<Detection> found;
    std::vector<float> embeddings;
    for (uint32_t run = 0; run < std::max(1u, runs); ++run) {
      const auto t0 = Clock::now();
      const std::vector<float> input = network_input(img, graph.input_size, graph.mean_rgb, false);
      detector.enqueue(stream, input.data(), grid.data(), submit);
      stream.synchronize();
      found = decode_detections(grid.data(), out.h, out.c, img.width, img.height);
      detect_ms.push_back(ms_since(t0));
      std::vector<std::vector<float>> crops;
      for (const Detection& d : found) {
        crops.push_back(
            network_input(crop(img, d.box), recognition.input_size, recognition.mean_rgb, true));
      }
      embeddings = crops.empty() ? std::vector<float>{} : embed(recognizer, stream, crops, submit);
      photo_ms.push_back(ms_since(t0));
    }
    ++p.photos;
    p.faces_expected += photo.faces;
    p.faces_found += static_cast<uint32_t>(found.size());
    if (found.size() != photo.faces) p.boxes_match = false;
    const size_t out_n = recognizer.output_floats();
    for (size_t i = 0; i < found.size() && i < photo.faces; ++i) {
      const ReferenceFace& want = ref.faces[first_face + i];
      const Box& a = found[i].box;
      const Box& b = want.box;
      if (want.image != photo.image || a.x != b.x || a.y != b.y || a.width != b.width ||
          a.height != b.height) {
        p.boxes_match = false;
        continue;
      }
      p.max_score_rel_err =
          std::max(p.max_score_rel_err, std::abs(found[i].score - want.score) / want.score);
      p.max_rel_err = std::max(p.max_rel_err, relative_error(embeddings.data() + i * out_n,
                                                             want.embedding.data(), out_n));
    }
    first_face += photo.faces;
  }
  if (!p.boxes_match) p.max_rel_err = -1;
  p.detect_ms_p50 = percentile(detect_ms, 50);
  p.photo_ms_p50 = percentile(photo_ms, 50);
  p.photos_per_s = 1e3 / p.photo_ms_p50;
  return p;
}

// The members of one SubmitFigures object, without the braces.
std::string submit_json(const SubmitFigures& f) {
  return "\"throughput\": " + number(f.throughput) +
         ", \"throughput_best\": " + number(f.throughput_best) +
         ", \"latency_ms\": {\"p50\": " + number(f.latency_p50_ms) +
         ", \"p99\": " + number(f.latency_p99_ms) + ", \"best\": " + number(f.latency_best_ms) +
         "}, \"timed_runs\": " + std::to_string(f.timed_runs) +
         ", \"max_rel_err\": " + (f.max_rel_err < 0 ? std::string("null") : number(f.max_rel_err));
}

void set_timing(SubmitFigures& f, const std::vector<double>& ms, uint32_t batch) {
  f.timed_runs = static_cast<uint32_t>(ms.size());
  f.latency_p50_ms = percentile(ms, 50);
  f.latency_p99_ms = percentile(ms, 99);
  f.latency_best_ms = *std::min_element(ms.begin(), ms.end());
  f.throughput = batch * 1e3 / f.latency_p50_ms;
  f.throughput_best = batch * 1e3 / f.latency_best_ms;
}

}  // namespace

std::string default_data_dir() {
  std::string root;
  if (const char* d = std::getenv("AHAL_DATA_DIR"); d && *d) {
    root = d;
  } else if (const char* h = std::getenv("HOME"); h && *h) {
    root = std::string(h) + "/.cache/ahal";
  } else {
    root = ".cache/ahal";
  }
  return root + "/face-api-1.7.15";
}

std::string default_reference_path() {
  return ahal_tools::executable_dir() + "/../share/ahal/workloads/face_reference.json";
}

std::string default_bundle_path() {
  if (const char* env = std::getenv("AHAL_FACE_KERNELS"); env && *env) return env;
  return ahal_tools::executable_dir() + "/../share/ahal/kernels/face_kernels.ahalb";
}

std::string WorkloadResult::to_json() const {
  std::string j = "{";
  j += "\"device\": " + quote(device) + ", \"device_name\": " + quote(device_name);
  j += ", \"model\": " + quote(model) + ", \"layer_path\": " + quote(layer_path);
  j += ", \"batch\": " + std::to_string(batch) + ", \"launches\": " + std::to_string(launches);
  j += ", \"gflop_per_image\": " + number(gflop_per_image);
  j += ", \"throughput\": " + number(throughput);
  j += ", \"throughput_best\": " + number(throughput_best);
  j += ", \"latency_ms\": {\"p50\": " + number(latency_p50_ms) +
       ", \"p99\": " + number(latency_p99_ms) + ", \"best\": " + number(latency_best_ms) + "}";
  j += ", \"timed_runs\": " + std::to_string(timed_runs);
  j += ", \"faces_checked\": " + std::to_string(faces_checked);
  j += ", \"max_rel_err\": " + (max_rel_err < 0 ? std::string("null") : number(max_rel_err));
  j += ", \"tolerance\": " + number(tolerance);
  j += ", \"accurate\": " + std::string(accurate() ? "true" : "false");
  j += ", \"command_buffers\": {\"used\": " + std::string(command_buffers_used ? "true" : "false");
  if (command_buffers_used) j += ", " + submit_json(with_command_buffers);
  j += "}, \"streamed\": {" + submit_json(streamed) + "}";
  if (command_buffers_used && streamed.throughput > 0) {
    j += ", \"command_buffer_speedup\": " +
         number(with_command_buffers.throughput / streamed.throughput);
  }
  if (has_pipeline) {
    const PipelineResult& p = pipeline;
    j += ", \"pipeline\": {\"layer_path\": " + quote(p.layer_path) +
         ", \"photos\": " + std::to_string(p.photos) +
         ", \"faces_expected\": " + std::to_string(p.faces_expected) +
         ", \"faces_found\": " + std::to_string(p.faces_found) +
         ", \"boxes_match\": " + (p.boxes_match ? "true" : "false") +
         ", \"max_score_rel_err\": " + number(p.max_score_rel_err) +
         ", \"max_rel_err\": " + (p.max_rel_err < 0 ? std::string("null") : number(p.max_rel_err)) +
         ", \"detector_gflop_per_photo\": " + number(p.gflop_per_photo) +
         ", \"detect_ms_p50\": " + number(p.detect_ms_p50) +
         ", \"photo_ms_p50\": " + number(p.photo_ms_p50) +
         ", \"photos_per_s\": " + number(p.photos_per_s) + "}";
  }
  if (!layers.empty()) {
    j += ", \"layers\": [";
    for (size_t i = 0; i < layers.size(); ++i) {
      j += std::string(i ? ", " : "") + "{\"name\": " + quote(layers[i].name) +
           ", \"kind\": " + quote(layers[i].kind) + ", \"ms\": " + number(layers[i].ms) +
           ", \"gflop\": " + number(layers[i].gflop) + "}";
    }
    j += "]";
  }
  j += "}";
  return j;
}

WorkloadResult run_face_workload(ahal_runtime_t runtime, const WorkloadOptions& o) {
  if (o.batch == 0 || o.batch > 1024) {
    throw std::runtime_error("run_face_workload: batch " + std::to_string(o.batch) +
                             " is outside 1..1024");
  }
  const std::string data = o.data_dir.empty() ? default_data_dir() : o.data_dir;
  const std::string manifest = data + "/model/face_recognition_model-weights_manifest.json";
  if (!is_file(manifest)) {
    throw WorkloadSkip(manifest + " is missing (run scripts/fetch-data.sh)");
  }
  const std::string ref_path = o.reference.empty() ? default_reference_path() : o.reference;
  ahal_device_t handle = nullptr;
  if (ahal_device_find(runtime, o.device.c_str(), &handle) == AHAL_ERROR_NOT_FOUND) {
    throw WorkloadSkip("device " + o.device + " is not present: " + ahal_last_error_message());
  }
  ahal::check(ahal_device_find(runtime, o.device.c_str(), &handle));
  ahal::Device device(handle);

  const WeightMap weights = WeightMap::load(manifest);
  const Graph graph = face_recognition_graph(weights);
  const Reference ref = load_reference(ref_path);
  const std::vector<std::vector<float>> faces = face_inputs(ref, graph, data);
  const size_t check_count =
      o.check_faces == 0 ? faces.size() : std::min<size_t>(o.check_faces, faces.size());

  const std::string bundle = o.bundle.empty() ? default_bundle_path() : o.bundle;
  if (!is_file(bundle)) throw std::runtime_error(bundle + ": the face kernels bundle is missing");
  std::unique_ptr<DeviceNetwork> made;
  try {
    made = std::make_unique<DeviceNetwork>(device, graph, o.batch, bundle);
  } catch (const ahal::error& e) {
    // A device that takes none of the bundle's formats cannot run the
    // kernels: nothing is wrong, the workload does not apply.
    if (e.status() == AHAL_ERROR_UNSUPPORTED) throw WorkloadSkip(o.device + ": " + e.what());
    throw;
  }
  DeviceNetwork& net = *made;
  ahal::Stream stream(device);
  const uint64_t in_n = net.input_floats(), out_n = net.output_floats();
  std::vector<float> input(in_n * o.batch), output(out_n * o.batch);

  WorkloadResult r;
  r.device = o.device;
  r.device_name = device.properties().name;
  r.model = graph.model;
  r.layer_path = net.path_name();
  r.batch = o.batch;
  r.launches = static_cast<uint32_t>(net.launches());
  r.gflop_per_image = graph.flops_per_image() * 1e-9;

  // Both ways of submitting, the headline one first: a recorded command
  // buffer per inference, and every layer launched on the stream.
  using Submit = DeviceNetwork::Submit;
  r.command_buffers_used = o.command_buffers;
  std::vector<Submit> submits = {Submit::kStreamed};
  if (o.command_buffers) submits.insert(submits.begin(), Submit::kCommandBuffer);
  auto figures = [&](Submit s) -> SubmitFigures& {
    return s == Submit::kCommandBuffer ? r.with_command_buffers : r.streamed;
  };

  if (o.check) {
    // Each face once per way, in batches (the last one padded by repeats).
    for (Submit s : submits) figures(s).max_rel_err = 0;
    for (size_t first = 0; first < check_count; first += o.batch) {
      for (uint32_t i = 0; i < o.batch; ++i) {
        const auto& f = faces[std::min(first + i, check_count - 1)];
        std::copy(f.begin(), f.end(), input.begin() + i * in_n);
      }
      for (Submit s : submits) {
        std::fill(output.begin(), output.end(), 0.0f);
        net.enqueue(stream, input.data(), output.data(), s);
        stream.synchronize();
        for (uint32_t i = 0; i < o.batch && first + i < check_count; ++i) {
          const std::vector<float>& want = ref.faces[first + i].embedding;
          if (want.size() != out_n) {
            throw std::runtime_error(ref_path + ": embedding of " + std::to_string(want.size()) +
                                     " floats, the network gives " + std::to_string(out_n));
          }
          figures(s).max_rel_err =
              std::max(figures(s).max_rel_err,
                       relative_error(output.data() + i * out_n, want.data(), out_n));
        }
      }
    }
    r.faces_checked = static_cast<uint32_t>(check_count);
    r.max_rel_err = 0;
    for (Submit s : submits) r.max_rel_err = std::max(r.max_rel_err, figures(s).max_rel_err);
  }

  for (uint32_t i = 0; i < o.batch; ++i) {
    const auto& f = faces[i % faces.size()];
    std::copy(f.begin(), f.end(), input.begin() + i * in_n);
  }
  for (uint32_t i = 0; i < o.warmup; ++i) {
    for (Submit s : submits) {
      net.enqueue(stream, input.data(), output.data(), s);
      stream.synchronize();
    }
  }
  // The ways alternate, so a change in the machine's load hits both alike.
  std::vector<double> ms[2];
  const auto start = Clock::now();
  while (ms[0].size() < std::max(1u, o.iterations) || ms_since(start) < o.min_seconds * 1e3) {
    for (size_t k = 0; k < submits.size(); ++k) {
      const auto t0 = Clock::now();
      net.enqueue(stream, input.data(), output.data(), submits[k]);
      stream.synchronize();
      ms[k].push_back(ms_since(t0));
    }
  }
  for (size_t k = 0; k < submits.size(); ++k) set_timing(figures(submits[k]), ms[k], o.batch);
  const SubmitFigures& headline = figures(submits[0]);
  r.timed_runs = headline.timed_runs;
  r.latency_p50_ms = headline.latency_p50_ms;
  r.latency_p99_ms = headline.latency_p99_ms;
  r.latency_best_ms = headline.latency_best_ms;
  r.throughput = headline.throughput;
  r.throughput_best = headline.throughput_best;

  if (o.pipeline) {
    r.has_pipeline = true;
    r.pipeline = run_pipeline(device, data, ref, graph, net, stream, bundle,
                              std::max(1u, std::min(o.iterations, 3u)), submits[0]);
  }

  if (o.profile_runs > 0) {
    const std::vector<double> ms_per_layer = net.profile_layers(stream, o.profile_runs);
    for (size_t i = 0; i < graph.layers.size(); ++i) {
      const Layer& l = graph.layers[i];
      LayerTime t;
      t.name = l.name;
      t.kind = layer_kind_name(l.kind);
      t.ms = ms_per_layer[i];
      if (l.kind == LayerKind::kConv || l.kind == LayerKind::kDepthwise) {
        const ConvWeights& w = graph.convs[l.weights];
        t.gflop = 2e-9 * o.batch * l.ext_h * l.ext_w * w.r * w.s * w.c *
                  (l.kind == LayerKind::kConv ? w.k : 1);
      }
      r.layers.push_back(t);
    }
  }
  return r;
}

}  // namespace ahal_face
