// The OpenCL headers as this plugin uses them: written against OpenCL 3.0,
// with the 1.2 entry points kept for devices older than 2.0 (the plugin
// checks each device's version before it calls a 2.x function).
#pragma once

#define CL_TARGET_OPENCL_VERSION 300
#define CL_USE_DEPRECATED_OPENCL_1_2_APIS
#include <CL/cl.h>
#include <CL/cl_ext.h>
