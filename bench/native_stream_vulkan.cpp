// native-stream-vulkan: STREAM's Triad written plainly against Vulkan, to
// compare ahal-stream with (bench/stream_compare.py). One invocation per
// element, no bounds check, the scalar as a push constant; each workgroup
// size in turn (specialization constant 0, 64 .. 1024), the groups in rows
// of at most maxComputeWorkGroupCount[0]; one dispatch per submit, best
// rate.
//
//   native-stream-vulkan [--device N] [--size N] [--repeats K]
//
// N is the index among vkEnumeratePhysicalDevices' devices (ahal's vulkan:N).
#include <vulkan/vulkan.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace {

// native_stream_triad.comp compiled by glslc -mfmt=num.
const uint32_t kTriadSpirv[] = {
#include "native_stream_triad.inc"
};

// A Vulkan struct, zeroed, with its sType.
template <typename T>
T make(VkStructureType type) {
  T value{};
  value.sType = type;
  return value;
}

void check(VkResult r, const char* what) {
  if (r == VK_SUCCESS) return;
  std::fprintf(stderr, "native-stream-vulkan: %s failed: %d\n", what, int(r));
  std::exit(1);
}

}  // namespace

int main(int argc, char** argv) {
  uint32_t device_index = 0;
  uint64_t n = uint64_t(1) << 25;
  int repeats = 10;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--device") && i + 1 < argc) {
      device_index = uint32_t(std::atoi(argv[++i]));
    } else if (!std::strcmp(argv[i], "--size") && i + 1 < argc) {
      n = std::strtoull(argv[++i], nullptr, 10);
    } else if (!std::strcmp(argv[i], "--repeats") && i + 1 < argc) {
      repeats = std::max(2, std::atoi(argv[++i]));
    } else {
      std::fprintf(stderr, "usage: native-stream-vulkan [--device N] [--size N] [--repeats K]\n");
      return 2;
    }
  }

  VkApplicationInfo app = make<VkApplicationInfo>(VK_STRUCTURE_TYPE_APPLICATION_INFO);
  app.pApplicationName = "native-stream-vulkan";
  app.apiVersion = VK_API_VERSION_1_1;
  VkInstanceCreateInfo ici = make<VkInstanceCreateInfo>(VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO);
  ici.pApplicationInfo = &app;
  VkInstance instance = VK_NULL_HANDLE;
  if (vkCreateInstance(&ici, nullptr, &instance) != VK_SUCCESS) {
    std::printf("SKIP: no Vulkan instance\n");
    return 77;
  }
  uint32_t count = 0;
  vkEnumeratePhysicalDevices(instance, &count, nullptr);
  std::vector<VkPhysicalDevice> physicals(count);
  vkEnumeratePhysicalDevices(instance, &count, physicals.data());
  if (device_index >= count) {
    std::printf("SKIP: no Vulkan device %u\n", device_index);
    return 77;
  }
  VkPhysicalDevice phys = physicals[device_index];
  VkPhysicalDeviceProperties props;
  vkGetPhysicalDeviceProperties(phys, &props);
  VkPhysicalDeviceFeatures features;
  vkGetPhysicalDeviceFeatures(phys, &features);
  if (!features.shaderFloat64) {
    std::printf("SKIP: %s has no shaderFloat64\n", props.deviceName);
    return 77;
  }
  uint32_t family_count = 0;
  vkGetPhysicalDeviceQueueFamilyProperties(phys, &family_count, nullptr);
  std::vector<VkQueueFamilyProperties> families(family_count);
  vkGetPhysicalDeviceQueueFamilyProperties(phys, &family_count, families.data());
  uint32_t family = UINT32_MAX;
  for (uint32_t i = 0; i < family_count && family == UINT32_MAX; ++i)
    if (families[i].queueFlags & VK_QUEUE_COMPUTE_BIT) family = i;

  const float priority = 1.0f;
  VkDeviceQueueCreateInfo qci =
      make<VkDeviceQueueCreateInfo>(VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO);
  qci.queueFamilyIndex = family;
  qci.queueCount = 1;
  qci.pQueuePriorities = &priority;
  VkPhysicalDeviceFeatures enabled{};
  enabled.shaderFloat64 = VK_TRUE;
  VkDeviceCreateInfo dci = make<VkDeviceCreateInfo>(VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO);
  dci.queueCreateInfoCount = 1;
  dci.pQueueCreateInfos = &qci;
  dci.pEnabledFeatures = &enabled;
  VkDevice dev = VK_NULL_HANDLE;
  check(vkCreateDevice(phys, &dci, nullptr, &dev), "vkCreateDevice");
  VkQueue queue;
  vkGetDeviceQueue(dev, family, 0, &queue);

  // Three device-local storage buffers.
  VkPhysicalDeviceMemoryProperties mem;
  vkGetPhysicalDeviceMemoryProperties(phys, &mem);
  const VkDeviceSize bytes = n * sizeof(double);
  VkBuffer buffers[3];
  VkDeviceMemory memory[3];
  for (int i = 0; i < 3; ++i) {
    VkBufferCreateInfo bci = make<VkBufferCreateInfo>(VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO);
    bci.size = bytes;
    bci.usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT;
    check(vkCreateBuffer(dev, &bci, nullptr, &buffers[i]), "vkCreateBuffer");
    VkMemoryRequirements req;
    vkGetBufferMemoryRequirements(dev, buffers[i], &req);
    uint32_t type = UINT32_MAX;
    for (uint32_t t = 0; t < mem.memoryTypeCount && type == UINT32_MAX; ++t)
      if ((req.memoryTypeBits & (1u << t)) &&
          (mem.memoryTypes[t].propertyFlags & VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT))
        type = t;
    for (uint32_t t = 0; t < mem.memoryTypeCount && type == UINT32_MAX; ++t)
      if (req.memoryTypeBits & (1u << t)) type = t;
    VkMemoryAllocateInfo mai = make<VkMemoryAllocateInfo>(VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO);
    mai.allocationSize = req.size;
    mai.memoryTypeIndex = type;
    check(vkAllocateMemory(dev, &mai, nullptr, &memory[i]), "vkAllocateMemory");
    check(vkBindBufferMemory(dev, buffers[i], memory[i], 0), "vkBindBufferMemory");
  }

  VkDescriptorSetLayoutBinding lb[3];
  for (uint32_t i = 0; i < 3; ++i)
    lb[i] = {i, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 1, VK_SHADER_STAGE_COMPUTE_BIT, nullptr};
  VkDescriptorSetLayoutCreateInfo dslci =
      make<VkDescriptorSetLayoutCreateInfo>(VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO);
  dslci.bindingCount = 3;
  dslci.pBindings = lb;
  VkDescriptorSetLayout set_layout;
  check(vkCreateDescriptorSetLayout(dev, &dslci, nullptr, &set_layout), "set layout");
  VkPushConstantRange range{VK_SHADER_STAGE_COMPUTE_BIT, 0, sizeof(double)};
  VkPipelineLayoutCreateInfo plci =
      make<VkPipelineLayoutCreateInfo>(VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO);
  plci.setLayoutCount = 1;
  plci.pSetLayouts = &set_layout;
  plci.pushConstantRangeCount = 1;
  plci.pPushConstantRanges = &range;
  VkPipelineLayout layout;
  check(vkCreatePipelineLayout(dev, &plci, nullptr, &layout), "pipeline layout");
  VkDescriptorPoolSize pool_size{VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 3};
  VkDescriptorPoolCreateInfo dpci =
      make<VkDescriptorPoolCreateInfo>(VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO);
  dpci.maxSets = 1;
  dpci.poolSizeCount = 1;
  dpci.pPoolSizes = &pool_size;
  VkDescriptorPool pool;
  check(vkCreateDescriptorPool(dev, &dpci, nullptr, &pool), "descriptor pool");
  VkDescriptorSetAllocateInfo dsai =
      make<VkDescriptorSetAllocateInfo>(VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO);
  dsai.descriptorPool = pool;
  dsai.descriptorSetCount = 1;
  dsai.pSetLayouts = &set_layout;
  VkDescriptorSet set;
  check(vkAllocateDescriptorSets(dev, &dsai, &set), "descriptor set");
  VkDescriptorBufferInfo infos[3];
  VkWriteDescriptorSet writes[3];
  for (uint32_t i = 0; i < 3; ++i) {
    infos[i] = {buffers[i], 0, VK_WHOLE_SIZE};
    writes[i] = make<VkWriteDescriptorSet>(VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET);
    writes[i].dstSet = set;
    writes[i].dstBinding = i;
    writes[i].descriptorCount = 1;
    writes[i].descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
    writes[i].pBufferInfo = &infos[i];
  }
  vkUpdateDescriptorSets(dev, 3, writes, 0, nullptr);
  VkShaderModuleCreateInfo smci =
      make<VkShaderModuleCreateInfo>(VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO);
  smci.codeSize = sizeof(kTriadSpirv);
  smci.pCode = kTriadSpirv;
  VkShaderModule shader;
  check(vkCreateShaderModule(dev, &smci, nullptr, &shader), "vkCreateShaderModule");

  VkCommandPoolCreateInfo cpci =
      make<VkCommandPoolCreateInfo>(VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO);
  cpci.flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT;
  cpci.queueFamilyIndex = family;
  VkCommandPool cmd_pool;
  check(vkCreateCommandPool(dev, &cpci, nullptr, &cmd_pool), "command pool");
  VkCommandBufferAllocateInfo cbai =
      make<VkCommandBufferAllocateInfo>(VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO);
  cbai.commandPool = cmd_pool;
  cbai.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
  cbai.commandBufferCount = 1;
  VkCommandBuffer cmd;
  check(vkAllocateCommandBuffers(dev, &cbai, &cmd), "command buffer");
  VkFenceCreateInfo fci = make<VkFenceCreateInfo>(VK_STRUCTURE_TYPE_FENCE_CREATE_INFO);
  VkFence fence;
  check(vkCreateFence(dev, &fci, nullptr, &fence), "fence");
  auto submit = [&] {
    VkSubmitInfo si = make<VkSubmitInfo>(VK_STRUCTURE_TYPE_SUBMIT_INFO);
    si.commandBufferCount = 1;
    si.pCommandBuffers = &cmd;
    check(vkQueueSubmit(queue, 1, &si, fence), "vkQueueSubmit");
    check(vkWaitForFences(dev, 1, &fence, VK_TRUE, UINT64_MAX), "vkWaitForFences");
    check(vkResetFences(dev, 1, &fence), "vkResetFences");
  };
  VkCommandBufferBeginInfo begin =
      make<VkCommandBufferBeginInfo>(VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO);
  check(vkBeginCommandBuffer(cmd, &begin), "begin");
  for (VkBuffer b : buffers) vkCmdFillBuffer(cmd, b, 0, VK_WHOLE_SIZE, 0x3ff00000u);
  check(vkEndCommandBuffer(cmd), "end");
  submit();

  const double s = 3.0;
  double best = 0;
  uint32_t best_wg = 0;
  using Clock = std::chrono::steady_clock;
  for (uint32_t wg = 64; wg <= 1024; wg *= 2) {
    if (wg > props.limits.maxComputeWorkGroupInvocations ||
        wg > props.limits.maxComputeWorkGroupSize[0] || n % wg != 0)
      continue;
    // The widest power-of-two row that divides the group count.
    const uint64_t groups = n / wg;
    uint64_t gx = 1;
    while (gx * 2 <= props.limits.maxComputeWorkGroupCount[0] && groups % (gx * 2) == 0) gx *= 2;
    const uint64_t gy = groups / gx;
    if (gy > props.limits.maxComputeWorkGroupCount[1]) continue;
    VkSpecializationMapEntry entry{0, 0, sizeof(uint32_t)};
    VkSpecializationInfo spec{1, &entry, sizeof(wg), &wg};
    VkComputePipelineCreateInfo cci =
        make<VkComputePipelineCreateInfo>(VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO);
    cci.stage =
        make<VkPipelineShaderStageCreateInfo>(VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO);
    cci.stage.stage = VK_SHADER_STAGE_COMPUTE_BIT;
    cci.stage.module = shader;
    cci.stage.pName = "main";
    cci.stage.pSpecializationInfo = &spec;
    cci.layout = layout;
    VkPipeline pipeline;
    check(vkCreateComputePipelines(dev, VK_NULL_HANDLE, 1, &cci, nullptr, &pipeline), "pipeline");
    check(vkBeginCommandBuffer(cmd, &begin), "begin");
    vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, pipeline);
    vkCmdBindDescriptorSets(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, layout, 0, 1, &set, 0, nullptr);
    vkCmdPushConstants(cmd, layout, VK_SHADER_STAGE_COMPUTE_BIT, 0, sizeof(s), &s);
    vkCmdDispatch(cmd, uint32_t(gx), uint32_t(gy), 1);
    check(vkEndCommandBuffer(cmd), "end");
    for (int r = 0; r < repeats; ++r) {
      const auto start = Clock::now();
      submit();
      const double secs = std::chrono::duration<double>(Clock::now() - start).count();
      if (r == 0) continue;  // warm-up
      const double gbps = 24.0 * double(n) / secs / 1e9;
      if (gbps > best) {
        best = gbps;
        best_wg = wg;
      }
    }
    vkDestroyPipeline(dev, pipeline, nullptr);
  }
  if (best_wg == 0) {
    std::fprintf(stderr, "native-stream-vulkan: no workgroup size fits %llu elements\n",
                 static_cast<unsigned long long>(n));
    return 1;
  }
  std::printf("native Vulkan STREAM Triad on %s, %llu doubles, best of %d repeats per size\n",
              props.deviceName, static_cast<unsigned long long>(n), repeats - 1);
  std::printf("Triad: %.1f GB/s (workgroup %u)\n", best, best_wg);

  vkDestroyFence(dev, fence, nullptr);
  vkDestroyCommandPool(dev, cmd_pool, nullptr);
  vkDestroyShaderModule(dev, shader, nullptr);
  vkDestroyDescriptorPool(dev, pool, nullptr);
  vkDestroyPipelineLayout(dev, layout, nullptr);
  vkDestroyDescriptorSetLayout(dev, set_layout, nullptr);
  for (int i = 0; i < 3; ++i) {
    vkDestroyBuffer(dev, buffers[i], nullptr);
    vkFreeMemory(dev, memory[i], nullptr);
  }
  vkDestroyDevice(dev, nullptr);
  vkDestroyInstance(instance, nullptr);
  return 0;
}
