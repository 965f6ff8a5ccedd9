// The machine a report was made on: CPU model, OS, kernel.
#pragma once

#include "json.hpp"

namespace conform {

Json host_info();

}  // namespace conform
