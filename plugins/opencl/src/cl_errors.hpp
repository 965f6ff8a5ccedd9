// OpenCL error codes: their names and the ahal status each one maps to.
#pragma once

#include "cl_api.hpp"

#include <ahal/ahal.h>

namespace ahal_opencl {

// "CL_INVALID_WORK_GROUP_SIZE"; "CL_UNKNOWN_ERROR" for a code no header names.
const char* cl_error_name(cl_int error);
// The ahal status that says the same thing as `error` (CL_SUCCESS -> AHAL_SUCCESS).
ahal_status_t cl_error_status(cl_int error);

}  // namespace ahal_opencl
