// The collectives category runs under MPI: the runner starts
// `mpirun -np 2 ahal-conform --run-group ...` (ccl_launch.cpp), and each
// process is one rank. ahal-conform links no MPI: a rank learns its number
// from the launcher's environment, and ranks exchange the communicator id
// and their test results through files in a folder the runner made
// (AHAL_CONFORM_CCL_DIR).
#pragma once

#include <ahal/ahal.h>

#include <string>
#include <vector>

#include "harness.hpp"
#include "results.hpp"

namespace conform::ccl {

struct World {
  int rank = 0;
  int size = 0;     // 0: not launched by the runner under MPI
  std::string dir;  // where ranks exchange files
};

// This process's place in the launch (size 0 outside one).
const World& world();

// Every rank's `mine` under `key`, in rank order, or false with *error when
// a rank gave nothing within timeout_s.
bool allgather(const std::string& key, const std::string& mine, std::vector<std::string>* out,
               double timeout_s, std::string* error);

// The communicator of all ranks on the test's device, made on first use
// (later tests of the process share it). Skips the test outside an MPI
// launch, and where the device cannot have one (no host callbacks).
ahal_ccl_comm_t comm(Context& ctx);

// Rank 0's view of a test all ranks ran: failed if any rank failed.
TestResult merge(const TestResult& mine);

}  // namespace conform::ccl
