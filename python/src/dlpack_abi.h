// The DLPack data structures, written for ahal from the DLPack specification
// (https://dmlc.github.io/dlpack/latest/, C API of DLPack 1.0 and the
// Python __dlpack__ protocol). Debian 12 ships DLPack 0.6 (libdlpack-dev),
// which has neither the versioned structs of 1.x nor kDLOneAPI, so ahal
// defines both generations here, in its own namespace. The round trips of
// python/tests/test_dlpack.py check the layout against NumPy and PyTorch.
#pragma once

#include <cstdint>

namespace ahal_dlpack {

// DLDeviceType: where the data lives.
enum DeviceType : int32_t {
  kCPU = 1,
  kCUDA = 2,
  kCUDAHost = 3,
  kOpenCL = 4,
  kVulkan = 7,
  kMetal = 8,
  kVPI = 9,
  kROCM = 10,
  kROCMHost = 11,
  kExtDev = 12,
  kCUDAManaged = 13,
  kOneAPI = 14,
};

struct Device {
  int32_t device_type;  // DeviceType (a C enum: int-sized)
  int32_t device_id;
};

// DLDataTypeCode.
enum TypeCode : uint8_t {
  kInt = 0,
  kUInt = 1,
  kFloat = 2,
  kOpaqueHandle = 3,
  kBfloat = 4,
  kComplex = 5,
  kBool = 6,
};

struct DataType {
  uint8_t code;
  uint8_t bits;
  uint16_t lanes;
};

// DLTensor: the same layout in every DLPack version.
struct Tensor {
  void* data;
  Device device;
  int32_t ndim;
  DataType dtype;
  int64_t* shape;
  int64_t* strides;  // in elements; NULL = compact row-major
  uint64_t byte_offset;
};

// DLManagedTensor: the unversioned capsule "dltensor" (DLPack < 1.0).
struct ManagedTensor {
  Tensor dl_tensor;
  void* manager_ctx;
  void (*deleter)(ManagedTensor* self);
};

// DLPack 1.x: DLPackVersion and DLManagedTensorVersioned, capsule
// "dltensor_versioned".
struct PackVersion {
  uint32_t major;
  uint32_t minor;
};

constexpr uint32_t kMajorVersion = 1;
constexpr uint32_t kMinorVersion = 0;
constexpr uint64_t kFlagReadOnly = 1ull << 0;
constexpr uint64_t kFlagIsCopied = 1ull << 1;

struct ManagedTensorVersioned {
  PackVersion version;
  void* manager_ctx;
  void (*deleter)(ManagedTensorVersioned* self);
  uint64_t flags;
  Tensor dl_tensor;
};

// Capsule names of the Python protocol.
constexpr const char* kCapsule = "dltensor";
constexpr const char* kCapsuleVersioned = "dltensor_versioned";
constexpr const char* kCapsuleUsed = "used_dltensor";
constexpr const char* kCapsuleUsedVersioned = "used_dltensor_versioned";

}  // namespace ahal_dlpack
