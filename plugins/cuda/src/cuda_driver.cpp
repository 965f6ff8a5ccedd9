#include "cuda_driver.hpp"

namespace ahal_cuda {

namespace {

std::string version_text(int version) {
  return std::to_string(version / 1000) + "." + std::to_string(version % 1000 / 10);
}

}  // namespace

Driver::~Driver() {
  // After cuInit the driver runs threads of its own; unmapping it under them
  // is unsafe, so it stays loaded until the process ends.
  if (!initialized_) library_.close();
}

void* Driver::resolve(const char* name, int cuda_version) const {
  void* fn = nullptr;
  CUresult result;
  if (get_proc_v2_) {
    CUdriverProcAddressQueryResult found = CU_GET_PROC_ADDRESS_SYMBOL_NOT_FOUND;
    result = get_proc_v2_(name, &fn, cuda_version, CU_GET_PROC_ADDRESS_LEGACY_STREAM, &found);
    if (found != CU_GET_PROC_ADDRESS_SUCCESS) return nullptr;
  } else {
    result = get_proc_v1_(name, &fn, cuda_version, CU_GET_PROC_ADDRESS_LEGACY_STREAM);
  }
  // Success with a NULL pointer means "no ABI-compatible entry".
  return result == CUDA_SUCCESS ? fn : nullptr;
}

ahal_status_t Driver::load(std::string* error) {
  if (!library_.open("CUDA driver", ahal::plugin::VendorLibrary::candidates("AHAL_CUDA_DRIVER_PATH",
                                                                            {"libcuda.so.1"}))) {
    *error = library_.error();
    return AHAL_ERROR_NOT_FOUND;
  }
  path_ = library_.path();
  // Every entry comes through cuGetProcAddress, at the ABI version it was
  // written against; only that function is looked up by name.
  ahal::plugin::SymbolTable exports(library_);
  if (!exports.optional(get_proc_v2_, "cuGetProcAddress_v2") &&
      !exports.optional(get_proc_v1_, "cuGetProcAddress")) {
    *error = "CUDA driver " + path_ +
             " is unusable: it exports neither cuGetProcAddress_v2 nor cuGetProcAddress "
             "(not the NVIDIA driver, or one older than CUDA 11.3)";
    return AHAL_ERROR_INCOMPATIBLE;
  }

  auto driver_get_version =
      reinterpret_cast<PFN_cuDriverGetVersion_v2020>(resolve("cuDriverGetVersion", 2020));
  if (!driver_get_version || driver_get_version(&version_) != CUDA_SUCCESS) {
    *error = "CUDA driver " + path_ + " is unusable: cuDriverGetVersion is missing or failed";
    return AHAL_ERROR_INCOMPATIBLE;
  }

  int abi = 0;  // the CUDA version whose ABI the entry being resolved has
  ahal::plugin::SymbolTable symbols(
      "CUDA driver " + path_ + " (CUDA " + version_text(version_) + ")",
      [this, &abi](const char* name) { return resolve(name, abi); });
#define AHAL_CUDA_RESOLVE_REQUIRED(name, type, cuda_version) \
  abi = cuda_version;                                        \
  symbols.require(name, #name, "(CUDA " + version_text(cuda_version) + ")");
  AHAL_CUDA_REQUIRED_ENTRIES(AHAL_CUDA_RESOLVE_REQUIRED)
#undef AHAL_CUDA_RESOLVE_REQUIRED
  if (!symbols.complete()) {
    *error = symbols.error();
    return AHAL_ERROR_INCOMPATIBLE;
  }
#define AHAL_CUDA_RESOLVE_OPTIONAL(name, type, cuda_version) \
  abi = cuda_version;                                        \
  symbols.optional(name, #name);
  AHAL_CUDA_OPTIONAL_ENTRIES(AHAL_CUDA_RESOLVE_OPTIONAL)
#undef AHAL_CUDA_RESOLVE_OPTIONAL
  // cuDeviceGetUuid_v2 (11.4) gives MIG instances their own UUID; take it
  // where the driver has it.
  if (auto uuid_v2 =
          reinterpret_cast<PFN_cuDeviceGetUuid_v11040>(resolve("cuDeviceGetUuid", 11040)))
    cuDeviceGetUuid = uuid_v2;

  initialized_ = true;
  CUresult result = cuInit(0);
  if (result == CUDA_ERROR_NO_DEVICE) {
    *error = "CUDA driver " + path_ + " (CUDA " + version_text(version_) +
             ") found no device: " + message("cuInit", result);
    return AHAL_ERROR_NOT_FOUND;
  }
  if (result == CUDA_ERROR_STUB_LIBRARY) {
    *error = "CUDA driver not found (" + path_ + " is the toolkit's stub library, not a driver)";
    return AHAL_ERROR_NOT_FOUND;
  }
  if (result != CUDA_SUCCESS) {
    *error = "CUDA driver " + path_ + " (CUDA " + version_text(version_) +
             ") failed to start: " + message("cuInit", result);
    return status_of(result);
  }
  return AHAL_SUCCESS;
}

std::string Driver::describe(CUresult result) const {
  const char* name = nullptr;
  const char* text = nullptr;
  if (!cuGetErrorName || cuGetErrorName(result, &name) != CUDA_SUCCESS || !name)
    return "CUresult " + std::to_string(static_cast<int>(result));
  if (!cuGetErrorString || cuGetErrorString(result, &text) != CUDA_SUCCESS || !text) return name;
  return std::string(name) + " (" + text + ")";
}

std::string Driver::message(const char* what, CUresult result) const {
  return std::string(what) + ": " + describe(result);
}

bool is_sticky(CUresult result) {
  switch (result) {
    case CUDA_ERROR_ECC_UNCORRECTABLE:
    case CUDA_ERROR_NVLINK_UNCORRECTABLE:
    case CUDA_ERROR_CONTAINED:
    case CUDA_ERROR_ILLEGAL_ADDRESS:
    case CUDA_ERROR_LAUNCH_TIMEOUT:
    case CUDA_ERROR_ASSERT:
    case CUDA_ERROR_HARDWARE_STACK_ERROR:
    case CUDA_ERROR_ILLEGAL_INSTRUCTION:
    case CUDA_ERROR_MISALIGNED_ADDRESS:
    case CUDA_ERROR_INVALID_ADDRESS_SPACE:
    case CUDA_ERROR_INVALID_PC:
    case CUDA_ERROR_LAUNCH_FAILED:
    case CUDA_ERROR_TENSOR_MEMORY_LEAK:
    case CUDA_ERROR_EXTERNAL_DEVICE:
    case CUDA_ERROR_DEVICE_UNAVAILABLE:
    case CUDA_ERROR_CONTEXT_IS_DESTROYED:
    case CUDA_ERROR_MPS_CLIENT_TERMINATED:
      return true;
    default:
      return false;
  }
}

ahal_status_t status_of(CUresult result) {
  if (is_sticky(result)) return AHAL_ERROR_DEVICE_LOST;
  switch (result) {
    case CUDA_SUCCESS:
      return AHAL_SUCCESS;
    case CUDA_ERROR_NOT_READY:
      return AHAL_NOT_READY;
    case CUDA_ERROR_INVALID_VALUE:
      return AHAL_ERROR_INVALID_ARGUMENT;
    case CUDA_ERROR_OUT_OF_MEMORY:
      return AHAL_ERROR_OUT_OF_DEVICE_MEMORY;
    case CUDA_ERROR_INVALID_HANDLE:
    case CUDA_ERROR_INVALID_CONTEXT:
      return AHAL_ERROR_INVALID_HANDLE;
    case CUDA_ERROR_NO_DEVICE:
    case CUDA_ERROR_INVALID_DEVICE:
    case CUDA_ERROR_NOT_FOUND:
    case CUDA_ERROR_FILE_NOT_FOUND:
      return AHAL_ERROR_NOT_FOUND;
    case CUDA_ERROR_INVALID_IMAGE:
    case CUDA_ERROR_NO_BINARY_FOR_GPU:
    case CUDA_ERROR_INVALID_PTX:
    case CUDA_ERROR_JIT_COMPILER_NOT_FOUND:
    case CUDA_ERROR_UNSUPPORTED_PTX_VERSION:
    case CUDA_ERROR_JIT_COMPILATION_DISABLED:
    case CUDA_ERROR_INVALID_SOURCE:
    case CUDA_ERROR_SHARED_OBJECT_SYMBOL_NOT_FOUND:
    case CUDA_ERROR_SHARED_OBJECT_INIT_FAILED:
      return AHAL_ERROR_BUILD_FAILED;
    case CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES:
    case CUDA_ERROR_COOPERATIVE_LAUNCH_TOO_LARGE:
    case CUDA_ERROR_INVALID_CLUSTER_SIZE:
    case CUDA_ERROR_TOO_MANY_PEERS:
      return AHAL_ERROR_OUT_OF_RANGE;
    case CUDA_ERROR_NOT_SUPPORTED:
    case CUDA_ERROR_NOT_PERMITTED:
    case CUDA_ERROR_PEER_ACCESS_UNSUPPORTED:
    case CUDA_ERROR_UNSUPPORTED_LIMIT:
    case CUDA_ERROR_UNSUPPORTED_EXEC_AFFINITY:
    case CUDA_ERROR_UNSUPPORTED_DEVSIDE_SYNC:
    case CUDA_ERROR_CDP_NOT_SUPPORTED:
    case CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED:
      return AHAL_ERROR_UNSUPPORTED;
    case CUDA_ERROR_TIMEOUT:
      return AHAL_ERROR_TIMEOUT;
    case CUDA_ERROR_ALREADY_MAPPED:
    case CUDA_ERROR_NOT_MAPPED:
    case CUDA_ERROR_ALREADY_ACQUIRED:
    case CUDA_ERROR_CONTEXT_ALREADY_IN_USE:
    case CUDA_ERROR_PEER_ACCESS_ALREADY_ENABLED:
    case CUDA_ERROR_PEER_ACCESS_NOT_ENABLED:
    case CUDA_ERROR_PRIMARY_CONTEXT_ACTIVE:
    case CUDA_ERROR_HOST_MEMORY_ALREADY_REGISTERED:
    case CUDA_ERROR_HOST_MEMORY_NOT_REGISTERED:
    case CUDA_ERROR_ILLEGAL_STATE:
    case CUDA_ERROR_STREAM_CAPTURE_INVALIDATED:
    case CUDA_ERROR_STREAM_CAPTURE_MERGE:
    case CUDA_ERROR_STREAM_CAPTURE_UNMATCHED:
    case CUDA_ERROR_STREAM_CAPTURE_UNJOINED:
    case CUDA_ERROR_STREAM_CAPTURE_ISOLATION:
    case CUDA_ERROR_STREAM_CAPTURE_IMPLICIT:
    case CUDA_ERROR_CAPTURED_EVENT:
    case CUDA_ERROR_STREAM_CAPTURE_WRONG_THREAD:
      return AHAL_ERROR_INVALID_STATE;
    case CUDA_ERROR_CALL_REQUIRES_NEWER_DRIVER:
    case CUDA_ERROR_SYSTEM_DRIVER_MISMATCH:
    case CUDA_ERROR_COMPAT_NOT_SUPPORTED_ON_DEVICE:
    case CUDA_ERROR_CDP_VERSION_MISMATCH:
    case CUDA_ERROR_STUB_LIBRARY:
      return AHAL_ERROR_INCOMPATIBLE;
    default:
      return AHAL_ERROR_PLUGIN;
  }
}

}  // namespace ahal_cuda
