// spirv-vulkan modules: SPIR-V inspection (entry points, capabilities,
// static shared memory), kernels and their cached compute pipelines.
#include "objects.hpp"

#include <cstring>

namespace ahal_vulkan {

namespace {

// SPIR-V opcodes, capabilities and storage classes used below.
enum : uint32_t {
  kOpEntryPoint = 15,
  kOpCapability = 17,
  kOpTypeBool = 20,
  kOpTypeInt = 21,
  kOpTypeFloat = 22,
  kOpTypeVector = 23,
  kOpTypeMatrix = 24,
  kOpTypeArray = 28,
  kOpTypeStruct = 30,
  kOpTypePointer = 32,
  kOpConstant = 43,
  kOpVariable = 59,
  kModelGLCompute = 5,
  kStorageWorkgroup = 4,
};

struct CapabilityNeed {
  uint32_t capability;
  bool Device::*has;
  const char* feature;
};

const CapabilityNeed kCapabilityNeeds[] = {
    {9, &Device::has_fp16, "shaderFloat16"},
    {10, &Device::has_fp64, "shaderFloat64"},
    {11, &Device::has_int64, "shaderInt64"},
    {12, &Device::has_int64_atomics, "shaderBufferInt64Atomics"},
    {22, &Device::has_int16, "shaderInt16"},
    {39, &Device::has_int8, "shaderInt8"},
    {4433, &Device::has_storage16, "storageBuffer16BitAccess"},
    {4448, &Device::has_storage8, "storageBuffer8BitAccess"},
};

struct TypeInfo {
  uint32_t op = 0;
  std::vector<uint32_t> operands;  // words after the result id
};

// Bytes of a type, or 0 when unknown (e.g. an array sized by a
// specialization constant: that is the dynamic shared memory).
uint64_t type_size(const std::unordered_map<uint32_t, TypeInfo>& types,
                   const std::unordered_map<uint32_t, uint32_t>& constants, uint32_t id,
                   int depth = 0) {
  auto it = types.find(id);
  if (it == types.end() || depth > 16) return 0;
  const TypeInfo& t = it->second;
  switch (t.op) {
    case kOpTypeBool:
      return 4;
    case kOpTypeInt:
    case kOpTypeFloat:
      return t.operands.empty() ? 0 : t.operands[0] / 8;
    case kOpTypeVector:
    case kOpTypeMatrix:
      return t.operands.size() < 2
                 ? 0
                 : type_size(types, constants, t.operands[0], depth + 1) * t.operands[1];
    case kOpTypeArray: {
      if (t.operands.size() < 2) return 0;
      auto n = constants.find(t.operands[1]);
      return n == constants.end()
                 ? 0
                 : type_size(types, constants, t.operands[0], depth + 1) * n->second;
    }
    case kOpTypeStruct: {
      uint64_t sum = 0;
      for (uint32_t m : t.operands) sum += type_size(types, constants, m, depth + 1);
      return sum;
    }
    default:
      return 0;
  }
}

// Reads what ahal needs from a SPIR-V module; false with *error if the
// words are not a well-formed module.
bool inspect_spirv(const std::vector<uint32_t>& code, Module* m, const Device& d,
                   std::string* error) {
  if (code.size() < 5 || code[0] != 0x07230203u) {
    *error = "not a SPIR-V module (bad magic number or too short)";
    return false;
  }
  std::unordered_map<uint32_t, TypeInfo> types;
  std::unordered_map<uint32_t, uint32_t> constants;
  std::unordered_map<uint32_t, uint32_t> pointee;  // pointer type -> pointee, Workgroup only
  std::vector<uint32_t> workgroup_vars;            // their pointer types
  size_t i = 5;
  while (i < code.size()) {
    uint32_t op = code[i] & 0xffffu, wc = code[i] >> 16;
    if (wc == 0 || i + wc > code.size()) {
      *error = "truncated SPIR-V instruction at word " + std::to_string(i);
      return false;
    }
    const uint32_t* w = &code[i];
    switch (op) {
      case kOpEntryPoint:
        if (wc >= 4 && w[1] == kModelGLCompute) {
          const char* name = reinterpret_cast<const char*>(&w[3]);
          m->entries.emplace_back(name, strnlen(name, (wc - 3) * 4));
        }
        break;
      case kOpCapability:
        for (const auto& need : kCapabilityNeeds) {
          if (wc >= 2 && w[1] == need.capability && !(d.*need.has)) {
            if (!m->missing_feature.empty()) m->missing_feature += ", ";
            m->missing_feature += need.feature;
          }
        }
        break;
      case kOpTypeBool:
      case kOpTypeInt:
      case kOpTypeFloat:
      case kOpTypeVector:
      case kOpTypeMatrix:
      case kOpTypeArray:
      case kOpTypeStruct:
        if (wc >= 2) types[w[1]] = TypeInfo{op, std::vector<uint32_t>(w + 2, w + wc)};
        break;
      case kOpTypePointer:
        if (wc >= 4 && w[2] == kStorageWorkgroup) pointee[w[1]] = w[3];
        break;
      case kOpConstant:
        if (wc >= 4) constants[w[2]] = w[3];
        break;
      case kOpVariable:
        if (wc >= 4 && w[3] == kStorageWorkgroup) workgroup_vars.push_back(w[1]);
        break;
      default:
        break;
    }
    i += wc;
  }
  for (uint32_t ptr : workgroup_vars) {
    auto p = pointee.find(ptr);
    if (p != pointee.end()) m->static_shared_bytes += type_size(types, constants, p->second);
  }
  return true;
}

}  // namespace

ahal_status_t module_create(ahal_plugin_device_t* dp, const ahal_plugin_module_args_t* args,
                            ahal_plugin_module_t** out) {
  Device* device = object<Device>(dp);
  if (args->format != AHAL_MODULE_FORMAT_SPIRV_VULKAN)
    return fail(AHAL_ERROR_UNSUPPORTED, "the Vulkan plugin takes spirv-vulkan modules only");
  if (args->data_size % 4 != 0)
    return fail(AHAL_ERROR_BUILD_FAILED, "SPIR-V size %llu is not a multiple of 4 bytes",
                static_cast<unsigned long long>(args->data_size));
  auto m = std::make_unique<Module>();
  m->device = device;
  m->code.resize(args->data_size / 4);
  std::memcpy(m->code.data(), args->data, args->data_size);
  std::string error;
  if (!inspect_spirv(m->code, m.get(), *device, &error))
    return fail(AHAL_ERROR_BUILD_FAILED, "%s", error.c_str());
  if (m->entries.empty())
    return fail(AHAL_ERROR_BUILD_FAILED, "the SPIR-V module has no GLCompute entry point");
  m->infos = ahal::plugin::KernelInfos(*args);
  // The VkShaderModule is made on first use, so that a module the device
  // cannot run (e.g. fp64 on a device without it) costs nothing until then.
  *out = handle<ahal_plugin_module_t>(m.release());
  return AHAL_SUCCESS;
}

void module_destroy(ahal_plugin_module_t* mp) {
  Module* m = object<Module>(mp);
  Device* d = m->device;
  // Batches not yet run may still use the pipelines.
  d->synchronize_streams();
  m->kernels.for_each([d](Kernel& k) {
    for (auto& p : k.pipelines) d->fn.vkDestroyPipeline(d->device, p->pipeline, nullptr);
  });
  if (m->shader) d->fn.vkDestroyShaderModule(d->device, m->shader, nullptr);
  d->save_pipeline_cache();
  delete m;
}

namespace {

std::unique_ptr<Kernel> make_kernel(Module* m, const char* entry) {
  bool found = false;
  std::string names;
  for (const auto& e : m->entries) {
    found = found || e == entry;
    names += (names.empty() ? "" : ", ") + e;
  }
  if (!found)
    ahal::plugin::raise(AHAL_ERROR_NOT_FOUND,
                        "no compute entry point '%s' in the SPIR-V module (it has: %s)", entry,
                        names.c_str());
  if (!m->missing_feature.empty())
    ahal::plugin::raise(AHAL_ERROR_UNSUPPORTED, "kernel '%s' needs %s, which %s does not support",
                        entry, m->missing_feature.c_str(), m->device->props.deviceName);
  auto k = std::make_unique<Kernel>();
  k->module = m;
  k->entry = entry;
  k->static_shared_bytes = m->static_shared_bytes;
  // Metadata: the info named like the entry, or the only one there is.
  k->info = m->infos.find(entry);
  if (!k->info) k->info = m->infos.only();
  return k;
}

}  // namespace

ahal_status_t kernel_get(ahal_plugin_module_t* mp, const char* entry, ahal_plugin_kernel_t** out) {
  Module* m = object<Module>(mp);
  *out =
      handle<ahal_plugin_kernel_t>(&m->kernels.get(entry, [&] { return make_kernel(m, entry); }));
  return AHAL_SUCCESS;
}

ahal_status_t kernel_get_attributes(ahal_plugin_kernel_t* kp, ahal_kernel_attributes_t* out) {
  const Kernel* k = object<Kernel>(kp);
  const Device& d = *k->module->device;
  ahal_kernel_attributes_t a{};
  a.max_workgroup_size = d.props.limits.maxComputeWorkGroupInvocations;
  a.static_shared_bytes = k->static_shared_bytes;
  a.preferred_workgroup_multiple = d.properties.subgroup_size_max;
  ahal::plugin::KernelInfos::describe(k->info, a);
  ahal::plugin::write_struct(out, a);
  return AHAL_SUCCESS;
}

}  // namespace ahal_vulkan
