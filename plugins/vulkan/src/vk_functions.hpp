// The Vulkan entry points ahal uses, opened from libvulkan.so.1 at run time
// so that a machine without the loader still runs ahal (the plugin then
// reports "Vulkan loader not found"). Header-only: ahal-bench's native
// Vulkan side uses the same tables.
#pragma once

#ifndef VK_NO_PROTOTYPES
#define VK_NO_PROTOTYPES
#endif
#include <vulkan/vulkan.h>

#include <ahal/vendor_library.hpp>

#include <string>

namespace ahal_vk {

#define AHAL_VK_GLOBAL_FUNCTIONS(X)     \
  X(vkCreateInstance)                   \
  X(vkEnumerateInstanceVersion)         \
  X(vkEnumerateInstanceLayerProperties) \
  X(vkEnumerateInstanceExtensionProperties)

#define AHAL_VK_INSTANCE_FUNCTIONS(X)         \
  X(vkDestroyInstance)                        \
  X(vkEnumeratePhysicalDevices)               \
  X(vkGetPhysicalDeviceProperties)            \
  X(vkGetPhysicalDeviceProperties2)           \
  X(vkGetPhysicalDeviceFeatures2)             \
  X(vkGetPhysicalDeviceMemoryProperties)      \
  X(vkGetPhysicalDeviceMemoryProperties2)     \
  X(vkGetPhysicalDeviceQueueFamilyProperties) \
  X(vkEnumerateDeviceExtensionProperties)     \
  X(vkCreateDevice)                           \
  X(vkGetDeviceProcAddr)

#define AHAL_VK_DEVICE_FUNCTIONS(X) \
  X(vkDestroyDevice)                \
  X(vkGetDeviceQueue)               \
  X(vkDeviceWaitIdle)               \
  X(vkQueueSubmit)                  \
  X(vkQueueWaitIdle)                \
  X(vkCreateBuffer)                 \
  X(vkDestroyBuffer)                \
  X(vkGetBufferMemoryRequirements)  \
  X(vkAllocateMemory)               \
  X(vkFreeMemory)                   \
  X(vkMapMemory)                    \
  X(vkUnmapMemory)                  \
  X(vkFlushMappedMemoryRanges)      \
  X(vkInvalidateMappedMemoryRanges) \
  X(vkBindBufferMemory)             \
  X(vkCreateCommandPool)            \
  X(vkDestroyCommandPool)           \
  X(vkAllocateCommandBuffers)       \
  X(vkFreeCommandBuffers)           \
  X(vkResetCommandBuffer)           \
  X(vkBeginCommandBuffer)           \
  X(vkEndCommandBuffer)             \
  X(vkCmdPipelineBarrier)           \
  X(vkCmdCopyBuffer)                \
  X(vkCmdFillBuffer)                \
  X(vkCmdBindPipeline)              \
  X(vkCmdBindDescriptorSets)        \
  X(vkCmdPushConstants)             \
  X(vkCmdDispatch)                  \
  X(vkCmdWriteTimestamp)            \
  X(vkCmdResetQueryPool)            \
  X(vkCreateQueryPool)              \
  X(vkDestroyQueryPool)             \
  X(vkGetQueryPoolResults)          \
  X(vkCreateFence)                  \
  X(vkDestroyFence)                 \
  X(vkWaitForFences)                \
  X(vkResetFences)                  \
  X(vkCreateSemaphore)              \
  X(vkDestroySemaphore)             \
  X(vkCreateShaderModule)           \
  X(vkDestroyShaderModule)          \
  X(vkCreateDescriptorSetLayout)    \
  X(vkDestroyDescriptorSetLayout)   \
  X(vkCreatePipelineLayout)         \
  X(vkDestroyPipelineLayout)        \
  X(vkCreateComputePipelines)       \
  X(vkDestroyPipeline)              \
  X(vkCreatePipelineCache)          \
  X(vkDestroyPipelineCache)         \
  X(vkGetPipelineCacheData)         \
  X(vkCreateDescriptorPool)         \
  X(vkDestroyDescriptorPool)        \
  X(vkResetDescriptorPool)          \
  X(vkAllocateDescriptorSets)       \
  X(vkUpdateDescriptorSets)

// Vulkan 1.2 core names, with the VK_KHR_timeline_semaphore fallback.
#define AHAL_VK_TIMELINE_FUNCTIONS(X) \
  X(vkWaitSemaphores)                 \
  X(vkSignalSemaphore)                \
  X(vkGetSemaphoreCounterValue)

#define AHAL_VK_DECLARE(name) PFN_##name name = nullptr;

struct GlobalFunctions {
  void* library = nullptr;
  PFN_vkGetInstanceProcAddr vkGetInstanceProcAddr = nullptr;
  AHAL_VK_GLOBAL_FUNCTIONS(AHAL_VK_DECLARE)
};

struct InstanceFunctions {
  AHAL_VK_INSTANCE_FUNCTIONS(AHAL_VK_DECLARE)
};

struct DeviceFunctions {
  AHAL_VK_DEVICE_FUNCTIONS(AHAL_VK_DECLARE)
  AHAL_VK_TIMELINE_FUNCTIONS(AHAL_VK_DECLARE)
  PFN_vkCmdPushDescriptorSetKHR vkCmdPushDescriptorSetKHR = nullptr;  // optional
};

// Opens libvulkan.so.1. The library stays loaded for the process's life:
// unloading ICDs (LLVM in lavapipe) at exit is a known source of crashes.
inline bool load_global(GlobalFunctions* g, std::string* error) {
  ahal::plugin::VendorLibrary library;
  if (library.load("Vulkan loader", {"libvulkan.so.1"}, [g](ahal::plugin::SymbolTable& symbols) {
        symbols.require(g->vkGetInstanceProcAddr, "vkGetInstanceProcAddr");
      }) != AHAL_SUCCESS) {
    *error = library.error();
    return false;
  }
  const PFN_vkGetInstanceProcAddr gipa = g->vkGetInstanceProcAddr;
  ahal::plugin::SymbolTable globals(
      library.what() + " " + library.path(),
      [gipa](const char* name) { return reinterpret_cast<void*>(gipa(VK_NULL_HANDLE, name)); });
  globals.require(g->vkCreateInstance, "vkCreateInstance");
  globals.require(g->vkEnumerateInstanceExtensionProperties,
                  "vkEnumerateInstanceExtensionProperties");
  globals.require(g->vkEnumerateInstanceLayerProperties, "vkEnumerateInstanceLayerProperties");
  globals.optional(g->vkEnumerateInstanceVersion, "vkEnumerateInstanceVersion");  // Vulkan 1.1
  if (!globals.complete()) {
    *error = globals.error();
    return false;
  }
  g->library = library.handle();
  return true;
}

// Fails naming the entry points missing (the instance must be 1.1+).
inline bool load_instance(const GlobalFunctions& g, VkInstance instance, InstanceFunctions* f,
                          std::string* error) {
  const PFN_vkGetInstanceProcAddr gipa = g.vkGetInstanceProcAddr;
  ahal::plugin::SymbolTable symbols("the Vulkan loader", [gipa, instance](const char* name) {
    return reinterpret_cast<void*>(gipa(instance, name));
  });
#define AHAL_VK_LOAD(name) symbols.require(f->name, #name);
  AHAL_VK_INSTANCE_FUNCTIONS(AHAL_VK_LOAD)
  if (!symbols.complete()) *error = symbols.error();
  return symbols.complete();
}

inline bool load_device(const InstanceFunctions& in, VkDevice device, DeviceFunctions* f,
                        std::string* error) {
  const PFN_vkGetDeviceProcAddr gdpa = in.vkGetDeviceProcAddr;
  ahal::plugin::SymbolTable symbols("the Vulkan driver", [gdpa, device](const char* name) {
    return reinterpret_cast<void*>(gdpa(device, name));
  });
  AHAL_VK_DEVICE_FUNCTIONS(AHAL_VK_LOAD)
#undef AHAL_VK_LOAD
  // Vulkan 1.2 core names, else the VK_KHR_timeline_semaphore ones.
#define AHAL_VK_LOAD_TIMELINE(name) \
  if (!symbols.optional(f->name, #name)) symbols.require(f->name, #name "KHR");
  AHAL_VK_TIMELINE_FUNCTIONS(AHAL_VK_LOAD_TIMELINE)
#undef AHAL_VK_LOAD_TIMELINE
  symbols.optional(f->vkCmdPushDescriptorSetKHR, "vkCmdPushDescriptorSetKHR");
  if (!symbols.complete()) *error = symbols.error();
  return symbols.complete();
}

#undef AHAL_VK_DECLARE

// "VK_ERROR_DEVICE_LOST" for a VkResult.
inline const char* result_name(VkResult r) {
  switch (r) {
#define AHAL_VK_RESULT(name) \
  case name:                 \
    return #name;
    AHAL_VK_RESULT(VK_SUCCESS)
    AHAL_VK_RESULT(VK_NOT_READY)
    AHAL_VK_RESULT(VK_TIMEOUT)
    AHAL_VK_RESULT(VK_EVENT_SET)
    AHAL_VK_RESULT(VK_EVENT_RESET)
    AHAL_VK_RESULT(VK_INCOMPLETE)
    AHAL_VK_RESULT(VK_ERROR_OUT_OF_HOST_MEMORY)
    AHAL_VK_RESULT(VK_ERROR_OUT_OF_DEVICE_MEMORY)
    AHAL_VK_RESULT(VK_ERROR_INITIALIZATION_FAILED)
    AHAL_VK_RESULT(VK_ERROR_DEVICE_LOST)
    AHAL_VK_RESULT(VK_ERROR_MEMORY_MAP_FAILED)
    AHAL_VK_RESULT(VK_ERROR_LAYER_NOT_PRESENT)
    AHAL_VK_RESULT(VK_ERROR_EXTENSION_NOT_PRESENT)
    AHAL_VK_RESULT(VK_ERROR_FEATURE_NOT_PRESENT)
    AHAL_VK_RESULT(VK_ERROR_INCOMPATIBLE_DRIVER)
    AHAL_VK_RESULT(VK_ERROR_TOO_MANY_OBJECTS)
    AHAL_VK_RESULT(VK_ERROR_FORMAT_NOT_SUPPORTED)
    AHAL_VK_RESULT(VK_ERROR_FRAGMENTED_POOL)
    AHAL_VK_RESULT(VK_ERROR_UNKNOWN)
    AHAL_VK_RESULT(VK_ERROR_OUT_OF_POOL_MEMORY)
    AHAL_VK_RESULT(VK_ERROR_INVALID_EXTERNAL_HANDLE)
    AHAL_VK_RESULT(VK_ERROR_FRAGMENTATION)
    AHAL_VK_RESULT(VK_ERROR_INVALID_OPAQUE_CAPTURE_ADDRESS)
    AHAL_VK_RESULT(VK_PIPELINE_COMPILE_REQUIRED)
    AHAL_VK_RESULT(VK_ERROR_INVALID_SHADER_NV)
#undef AHAL_VK_RESULT
    default:
      return "VK_ERROR_(unknown)";
  }
}

}  // namespace ahal_vk
