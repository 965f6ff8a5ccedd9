// The machine a report was made on: CPU model, OS, kernel.
#pragma once

#include "json.hpp"

#include <string>

namespace conform {

Json host_info();

// Width in bits of the host CPU's widest vector unit, from /proc/cpuinfo
// (512 with AVX-512, 256 with AVX2, 128 with SSE2 or NEON), and its name;
// 0 when unknown.
int host_vector_bits(std::string* isa);

}  // namespace conform
