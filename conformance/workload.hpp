// --characterize's workload step: a real network (face-api's face
// recognition network, workloads/face) run on the device by `ahal-infer`,
// and how the reports show it (docs/conformance.md, "Workload").
#pragma once

#include "json.hpp"
#include "results.hpp"

#include <string>

namespace conform {

class Channel;  // worker.hpp

// In the characterization child: runs ahal-infer ($AHAL_INFER, else the one
// beside this executable) on `selector` at batch 1, and at batch 16 where
// batch 1 says it takes little time, then sends one WORKLOAD message:
//   {"model", "tool", "status": "measured" | "skip" | "fail", "reason",
//    "runs": [ahal-infer's --json object per batch], "info": [...]}
// A skip (no weights, no tool, the device takes none of the kernels) says
// why; a failure (wrong outputs, crash, time limit) fails the device.
void run_workload(const std::string& selector, bool quick, Channel& out);

// The report's pieces (workload_report.cpp); each is "" when no device has
// a workload result.
// The device section's part: a table of the runs, or the skip/failure reason.
std::string workload_device_html(const DeviceReport& d);
// Every device's workload figures side by side (section id="workload").
std::string workload_comparison_html(const Report& r);
// Two devices of `ahal-conform compare`.
std::string workload_compare_text(const DeviceReport& a, const DeviceReport& b);
std::string workload_compare_html(const DeviceReport& a, const DeviceReport& b);

}  // namespace conform
