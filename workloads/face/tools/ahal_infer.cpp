// ahal-infer: runs the face recognition network (face-api's, trained weights)
// on one ahal device, checks every output against the PyTorch reference and
// prints throughput and latency (workloads/face/README.md).
//
// Exit status: 0 ran and matched the reference; 1 failed or did not match;
// 2 bad usage; 77 the data or the device is absent (a skip).
#include "workload.hpp"

#include <ahal/ahal.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <string>

namespace {

void usage(std::FILE* out) {
  std::fprintf(
      out,
      "usage: ahal-infer [--device SEL] [--batch N] [--iterations N] [--min-seconds S]\n"
      "                  [--warmup N] [--faces N] [--no-check] [--data DIR]\n"
      "                  [--reference FILE] [--kernels FILE] [--profile RUNS] [--pipeline]\n"
      "                  [--no-command-buffers] [--json]\n"
      "Runs face-api's face recognition network (150x150 RGB -> 128 floats) on one\n"
      "device, compares every reference face's embedding with the PyTorch reference\n"
      "(relative error <= 1e-4) and times inferences of N images: each submitted as\n"
      "one recorded command buffer, and streamed launch by launch for comparison\n"
      "(both checked).\n"
      "  --device SEL      device selector (default cpu:0)\n"
      "  --batch N         images per inference (default 1)\n"
      "  --iterations N    timed inferences, at least (default 10)\n"
      "  --min-seconds S   time for at least S seconds (default 0)\n"
      "  --faces N         check only the first N reference faces (default all 20)\n"
      "  --data DIR        the face-api package (default $AHAL_DATA_DIR/face-api-1.7.15)\n"
      "  --profile RUNS    also time each layer alone (best of RUNS)\n"
      "  --pipeline        also run detect -> crop -> embed on the six demo photos\n"
      "                    (tiny face detector on the device) and check the boxes\n"
      "  --no-command-buffers  only streamed launches (the headline figures then)\n"
      "  --json            one JSON object on stdout\n"
      "Exit 77 (skip) when the data (scripts/fetch-data.sh) or the device is absent.\n");
}

bool parse_uint(const char* s, uint32_t& out) {
  char* end = nullptr;
  unsigned long v = std::strtoul(s, &end, 10);
  if (!*s || *end || v > 1000000) return false;
  out = static_cast<uint32_t>(v);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  ahal_face::WorkloadOptions o;
  bool json = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const bool has_value = i + 1 < argc;
    if (a == "--help" || a == "-h") {
      usage(stdout);
      return 0;
    } else if (a == "--json") {
      json = true;
    } else if (a == "--pipeline") {
      o.pipeline = true;
    } else if (a == "--no-command-buffers") {
      o.command_buffers = false;
    } else if (a == "--no-check") {
      o.check = false;
    } else if (a == "--device" && has_value) {
      o.device = argv[++i];
    } else if (a == "--data" && has_value) {
      o.data_dir = argv[++i];
    } else if (a == "--reference" && has_value) {
      o.reference = argv[++i];
    } else if (a == "--kernels" && has_value) {
      o.bundle = argv[++i];
    } else if (a == "--batch" && has_value) {
      if (!parse_uint(argv[++i], o.batch) || o.batch == 0 || o.batch > 1024) {
        std::fprintf(stderr, "ahal-infer: --batch takes 1..1024, not '%s'\n", argv[i]);
        return 2;
      }
    } else if (a == "--iterations" && has_value) {
      if (!parse_uint(argv[++i], o.iterations) || o.iterations == 0) {
        std::fprintf(stderr, "ahal-infer: --iterations takes a positive count, not '%s'\n",
                     argv[i]);
        return 2;
      }
    } else if (a == "--profile" && has_value) {
      if (!parse_uint(argv[++i], o.profile_runs)) {
        std::fprintf(stderr, "ahal-infer: --profile takes a count, not '%s'\n", argv[i]);
        return 2;
      }
    } else if (a == "--faces" && has_value) {
      if (!parse_uint(argv[++i], o.check_faces) || o.check_faces == 0) {
        std::fprintf(stderr, "ahal-infer: --faces takes a positive count, not '%s'\n", argv[i]);
        return 2;
      }
    } else if (a == "--warmup" && has_value) {
      if (!parse_uint(argv[++i], o.warmup)) {
        std::fprintf(stderr, "ahal-infer: --warmup takes a count, not '%s'\n", argv[i]);
        return 2;
      }
    } else if (a == "--min-seconds" && has_value) {
      char* end = nullptr;
      o.min_seconds = std::strtod(argv[++i], &end);
      if (*end || !(o.min_seconds >= 0 && o.min_seconds <= 3600)) {
        std::fprintf(stderr, "ahal-infer: --min-seconds takes 0..3600, not '%s'\n", argv[i]);
        return 2;
      }
    } else {
      std::fprintf(stderr, "ahal-infer: unknown or incomplete argument '%s'\n", a.c_str());
      usage(stderr);
      return 2;
    }
  }

  ahal_runtime_t runtime = nullptr;
  if (ahal_runtime_create(nullptr, &runtime) != AHAL_SUCCESS) {
    std::fprintf(stderr, "ahal-infer: %s\n", ahal_last_error_message());
    return 1;
  }
  int status = 0;
  try {
    const ahal_face::WorkloadResult r = ahal_face::run_face_workload(runtime, o);
    if (json) {
      std::printf("%s\n", r.to_json().c_str());
    } else {
      std::printf("device      %s (%s), layers as %s, %u launches per inference\n",
                  r.device.c_str(), r.device_name.c_str(), r.layer_path.c_str(), r.launches);
      std::printf("model       %s, %.3f GFLOP per image, batch %u\n", r.model.c_str(),
                  r.gflop_per_image, r.batch);
      std::printf("submitted   %s\n", r.command_buffers_used
                                          ? "as one command buffer per inference (headline), "
                                            "and streamed launch by launch"
                                          : "streamed launch by launch (--no-command-buffers)");
      std::printf("throughput  %.2f images/s (median), %.2f (best) over %u runs\n", r.throughput,
                  r.throughput_best, r.timed_runs);
      std::printf("latency     p50 %.3f ms, p99 %.3f ms, best %.3f ms per inference\n",
                  r.latency_p50_ms, r.latency_p99_ms, r.latency_best_ms);
      if (r.command_buffers_used) {
        std::printf(
            "streamed    %.2f images/s (median), p50 %.3f ms, p99 %.3f ms; "
            "command buffers %.2fx\n",
            r.streamed.throughput, r.streamed.latency_p50_ms, r.streamed.latency_p99_ms,
            r.streamed.throughput > 0 ? r.throughput / r.streamed.throughput : 0.0);
      }
      for (const ahal_face::LayerTime& l : r.layers) {
        std::printf("  %-28s %-8s %8.3f ms %7.3f GFLOP %7.1f GFLOP/s\n", l.name.c_str(),
                    l.kind.c_str(), l.ms, l.gflop, l.ms > 0 ? l.gflop / l.ms * 1e3 : 0.0);
      }
      if (r.has_pipeline) {
        const ahal_face::PipelineResult& p = r.pipeline;
        std::printf(
            "pipeline    %u photos: %u faces found, %u expected, boxes %s, score error "
            "%.3g, embedding error %.3g\n",
            p.photos, p.faces_found, p.faces_expected, p.boxes_match ? "match" : "DIFFER",
            p.max_score_rel_err, p.max_rel_err);
        std::printf(
            "            detector %.3f GFLOP as %s: %.1f ms per photo; detect+embed "
            "%.1f ms per photo, %.2f photos/s\n",
            p.gflop_per_photo, p.layer_path.c_str(), p.detect_ms_p50, p.photo_ms_p50,
            p.photos_per_s);
      }
      if (r.max_rel_err >= 0) {
        std::printf("accuracy    %u faces, max relative error %.3g (tolerance %.0e): %s\n",
                    r.faces_checked, r.max_rel_err, r.tolerance, r.accurate() ? "ok" : "FAILED");
        if (r.command_buffers_used) {
          std::printf("            command buffers %.3g, streamed %.3g\n",
                      r.with_command_buffers.max_rel_err, r.streamed.max_rel_err);
        }
      }
    }
    if (r.max_rel_err >= 0 && !r.accurate()) {
      std::fprintf(stderr, "ahal-infer: %s: max relative error %.3g exceeds %.0e\n",
                   r.device.c_str(), r.max_rel_err, r.tolerance);
      status = 1;
    }
    if (r.has_pipeline && !r.pipeline.ok(r.tolerance)) {
      std::fprintf(stderr,
                   "ahal-infer: %s: the pipeline's boxes, scores or embeddings differ from "
                   "the reference\n",
                   r.device.c_str());
      status = 1;
    }
  } catch (const ahal_face::WorkloadSkip& e) {
    std::fprintf(stderr, "ahal-infer: skip: %s\n", e.what());
    status = 77;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ahal-infer: %s: %s\n", o.device.c_str(), e.what());
    status = 1;
  }
  ahal_runtime_destroy(runtime);
  return status;
}
