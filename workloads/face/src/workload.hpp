// The face workload as a library call: run the recognition network on one
// device, check it against the PyTorch reference, time it. ahal-infer prints
// what this returns; a report (ahal-conform --characterize) can call it too.
#pragma once

#include <ahal/ahal.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace ahal_face {

struct WorkloadOptions {
  std::string device = "cpu:0";  // selector (docs/devices.md)
  uint32_t batch = 1;            // images per inference
  uint32_t warmup = 1;           // untimed inferences first
  uint32_t iterations = 10;      // timed inferences, at least
  double min_seconds = 0.0;      // and for at least this long
  bool check = true;             // embed reference faces and compare
  uint32_t check_faces = 0;      // how many (the first ones); 0 = all
  uint32_t profile_runs = 0;     // > 0: time each layer alone, best of this many
  bool pipeline = false;         // also detect -> crop -> embed on the six photos
  bool command_buffers = true;   // submit a recorded command buffer per inference;
                                 // the streamed launches are measured beside it
  std::string data_dir;          // "" = default_data_dir()
  std::string reference;         // "" = default_reference_path()
  std::string bundle;            // "" = default_bundle_path()
};

struct LayerTime {
  std::string name;  // face-api's weight prefix ("conv64_down/conv1"), "maxpool", ...
  std::string kind;  // "conv", "pool", "add_relu", "gemm"
  double ms = 0;     // best of the profile runs, launch + wait
  double gflop = 0;  // of the whole batch
};

// detect -> crop -> embed on the device: the tiny face detector on each
// photo, face boxes decoded on the host, each face embedded.
struct PipelineResult {
  std::string layer_path;  // of the detector network
  uint32_t photos = 0;
  uint32_t faces_expected = 0;  // by the reference
  uint32_t faces_found = 0;
  bool boxes_match = false;  // every photo: the same boxes as the reference
  double max_score_rel_err = 0;
  double max_rel_err = -1;     // embeddings of the faces found (when boxes match)
  double detect_ms_p50 = 0;    // one photo: resize on the host + detector on the device
  double photo_ms_p50 = 0;     // one photo: all of detect, crop, embed
  double photos_per_s = 0;     // at photo_ms_p50
  double gflop_per_photo = 0;  // of the detector
  bool ok(double tolerance) const {
    return boxes_match && max_score_rel_err <= tolerance && max_rel_err >= 0 &&
           max_rel_err <= tolerance;
  }
};

// One way of putting the layers on the stream, checked and timed.
struct SubmitFigures {
  double throughput = 0;       // images/s at the median latency
  double throughput_best = 0;  // images/s at the best latency
  double latency_p50_ms = 0, latency_p99_ms = 0, latency_best_ms = 0;  // per inference
  uint32_t timed_runs = 0;
  double max_rel_err = -1;  // < 0 if unchecked
};

struct WorkloadResult {
  std::string device;       // selector
  std::string device_name;  // the device's own name
  std::string model = "face_recognition";
  std::string layer_path;  // "opencl-c", "cpu-so", "spirv-vulkan", "builtins", ...
  uint32_t batch = 0;
  uint32_t launches = 0;  // kernel launches per inference
  uint32_t timed_runs = 0;
  double gflop_per_image = 0;
  // The headline figures: with command buffers where used, else streamed.
  double throughput = 0;       // images/s at the median latency
  double throughput_best = 0;  // images/s at the best latency
  double latency_p50_ms = 0, latency_p99_ms = 0, latency_best_ms = 0;  // per inference
  uint32_t faces_checked = 0;
  // max over faces (and over both ways of submitting) of ||out - ref|| / ||ref||;
  // < 0 if unchecked
  double max_rel_err = -1;
  bool command_buffers_used = false;
  SubmitFigures with_command_buffers;  // with command_buffers_used
  SubmitFigures streamed;              // one launch per layer, always measured
  double tolerance = 1e-4;
  std::vector<LayerTime> layers;  // with profile_runs > 0
  bool has_pipeline = false;
  PipelineResult pipeline;  // with has_pipeline
  bool accurate() const {
    return max_rel_err >= 0 && max_rel_err <= tolerance &&
           (!has_pipeline || pipeline.ok(tolerance));
  }
  std::string to_json() const;  // one line
};

// The workload cannot run here: data or device absent (what() says which).
class WorkloadSkip : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Runs the workload; throws WorkloadSkip, or std::runtime_error (ahal::error
// included) when something fails. Never exits the process.
WorkloadResult run_face_workload(ahal_runtime_t runtime, const WorkloadOptions& options);

// $AHAL_DATA_DIR/face-api-1.7.15, else $HOME/.cache/ahal/face-api-1.7.15
// (what scripts/fetch-data.sh fills).
std::string default_data_dir();
// <exe>/../share/ahal/workloads/face_reference.json (build tree and install).
std::string default_reference_path();
// <exe>/../share/ahal/kernels/face_kernels.ahalb, or $AHAL_FACE_KERNELS.
std::string default_bundle_path();

}  // namespace ahal_face
