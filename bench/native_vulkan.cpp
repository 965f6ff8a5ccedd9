// Native Vulkan side of ahal-bench: the same work as the ahal path, written
// as a good plain Vulkan program would: pre-recorded command buffers for
// launch latency, all 10,000 dispatches in one command buffer and one
// submit, descriptor sets written once, the bundle's SPIR-V, and the memory
// kinds the Vulkan plugin uses (device-local buffers; host-visible,
// host-cached memory as the pinned host side). libvulkan.so.1 is opened at
// run time, so ahal-bench runs on machines without Vulkan.
#include "native_backend.hpp"

#include "bundle_format.hpp"
#include "vk_functions.hpp"

#include <algorithm>
#include <bitset>
#include <chrono>
#include <cstring>
#include <string>
#include <vector>

namespace ahal_bench {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t m = v.size() / 2;
  return v.size() % 2 ? v[m] : 0.5 * (v[m - 1] + v[m]);
}

template <typename T>
T vk_struct(VkStructureType type, void* next = nullptr) {
  T v{};
  v.sType = type;
  v.pNext = next;
  return v;
}

struct Buffer {
  VkBuffer buffer = VK_NULL_HANDLE;
  VkDeviceMemory memory = VK_NULL_HANDLE;
  void* mapped = nullptr;
};

class NativeVulkan final : public NativeBackend {
 public:
  ~NativeVulkan() override {
    if (device_) {
      d_.vkDeviceWaitIdle(device_);
      release(&host_);
      for (Buffer& b : dev_) release(&b);
      for (Buffer& b : triad_) release(&b);
      for (VkPipeline p : {empty_pipeline_, triad_pipeline_})
        if (p) d_.vkDestroyPipeline(device_, p, nullptr);
      for (VkPipelineLayout l : {empty_layout_, triad_layout_})
        if (l) d_.vkDestroyPipelineLayout(device_, l, nullptr);
      for (VkDescriptorSetLayout l : {empty_set_layout_, triad_set_layout_})
        if (l) d_.vkDestroyDescriptorSetLayout(device_, l, nullptr);
      if (pool_) d_.vkDestroyDescriptorPool(device_, pool_, nullptr);
      for (VkShaderModule m : {empty_shader_, triad_shader_})
        if (m) d_.vkDestroyShaderModule(device_, m, nullptr);
      if (fence_) d_.vkDestroyFence(device_, fence_, nullptr);
      if (command_pool_) d_.vkDestroyCommandPool(device_, command_pool_, nullptr);
      d_.vkDestroyDevice(device_, nullptr);
    }
    if (instance_) in_.vkDestroyInstance(instance_, nullptr);
  }

  bool open(const ahal_device_properties_t& props, const std::string& bundle_path,
            std::string* error) {
    if (!ahal_vk::load_global(&g_, error)) return false;
    uint32_t version = VK_API_VERSION_1_0;
    if (g_.vkEnumerateInstanceVersion) g_.vkEnumerateInstanceVersion(&version);
    auto app = vk_struct<VkApplicationInfo>(VK_STRUCTURE_TYPE_APPLICATION_INFO);
    app.apiVersion = std::min<uint32_t>(version, VK_API_VERSION_1_3);
    auto ici = vk_struct<VkInstanceCreateInfo>(VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO);
    ici.pApplicationInfo = &app;
    if (!ok(g_.vkCreateInstance(&ici, nullptr, &instance_), "vkCreateInstance", error))
      return false;
    if (!ahal_vk::load_instance(g_, instance_, &in_, error)) return false;

    // The physical device ahal measures: the one with the same UUID.
    uint32_t n = 0;
    in_.vkEnumeratePhysicalDevices(instance_, &n, nullptr);
    std::vector<VkPhysicalDevice> all(n);
    in_.vkEnumeratePhysicalDevices(instance_, &n, all.data());
    for (VkPhysicalDevice pd : all) {
      auto id =
          vk_struct<VkPhysicalDeviceIDProperties>(VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_ID_PROPERTIES);
      auto p2 = vk_struct<VkPhysicalDeviceProperties2>(
          VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2, &id);
      in_.vkGetPhysicalDeviceProperties2(pd, &p2);
      if (std::memcmp(id.deviceUUID, props.uuid, VK_UUID_SIZE) == 0) physical_ = pd;
    }
    if (!physical_) {
      *error = std::string("no Vulkan device with the UUID of ") + props.name;
      return false;
    }
    in_.vkGetPhysicalDeviceMemoryProperties(physical_, &memory_props_);

    uint32_t families = 0;
    in_.vkGetPhysicalDeviceQueueFamilyProperties(physical_, &families, nullptr);
    std::vector<VkQueueFamilyProperties> fam(families);
    in_.vkGetPhysicalDeviceQueueFamilyProperties(physical_, &families, fam.data());
    family_ = UINT32_MAX;
    for (uint32_t i = 0; i < families && family_ == UINT32_MAX; ++i)
      if (fam[i].queueFlags & VK_QUEUE_COMPUTE_BIT) family_ = i;
    if (family_ == UINT32_MAX) {
      *error = "no compute queue";
      return false;
    }
    const float priority = 1.0f;
    auto qci = vk_struct<VkDeviceQueueCreateInfo>(VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO);
    qci.queueFamilyIndex = family_;
    qci.queueCount = 1;
    qci.pQueuePriorities = &priority;
    auto features =
        vk_struct<VkPhysicalDeviceFeatures2>(VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2);
    features.features.shaderFloat64 = (props.features & AHAL_FEATURE_FP64) ? VK_TRUE : VK_FALSE;
    auto dci = vk_struct<VkDeviceCreateInfo>(VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO, &features);
    dci.queueCreateInfoCount = 1;
    dci.pQueueCreateInfos = &qci;
    if (!ok(in_.vkCreateDevice(physical_, &dci, nullptr, &device_), "vkCreateDevice", error))
      return false;
    if (!ahal_vk::load_device(in_, device_, &d_, error)) return false;
    d_.vkGetDeviceQueue(device_, family_, 0, &queue_);

    auto cpci = vk_struct<VkCommandPoolCreateInfo>(VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO);
    cpci.flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT;
    cpci.queueFamilyIndex = family_;
    if (!ok(d_.vkCreateCommandPool(device_, &cpci, nullptr, &command_pool_), "vkCreateCommandPool",
            error))
      return false;
    auto cai =
        vk_struct<VkCommandBufferAllocateInfo>(VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO);
    cai.commandPool = command_pool_;
    cai.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
    cai.commandBufferCount = 3;
    VkCommandBuffer cmds[3];
    if (!ok(d_.vkAllocateCommandBuffers(device_, &cai, cmds), "vkAllocateCommandBuffers", error))
      return false;
    latency_cmd_ = cmds[0];
    cmd_ = cmds[1];
    replay_cmd_ = cmds[2];
    auto fci = vk_struct<VkFenceCreateInfo>(VK_STRUCTURE_TYPE_FENCE_CREATE_INFO);
    if (!ok(d_.vkCreateFence(device_, &fci, nullptr, &fence_), "vkCreateFence", error))
      return false;

    ahal::bundle::Bundle bundle;
    if (!ahal::bundle::read_file(bundle_path, &bundle, error)) return false;
    if (!shader(bundle, "empty", &empty_shader_, &empty_entry_, error)) return false;
    if (!layout(0, 0, &empty_set_layout_, &empty_layout_, error)) return false;
    if (!pipeline(empty_shader_, empty_entry_, empty_layout_, 1, &empty_pipeline_, error))
      return false;
    if (props.features & AHAL_FEATURE_FP64) {
      if (!shader(bundle, "stream_triad", &triad_shader_, &triad_entry_, error)) return false;
      if (!layout(3, 16, &triad_set_layout_, &triad_layout_, error)) return false;
    }

    // Launch latency: one pre-recorded dispatch, submitted again and again.
    begin(latency_cmd_);
    d_.vkCmdBindPipeline(latency_cmd_, VK_PIPELINE_BIND_POINT_COMPUTE, empty_pipeline_);
    d_.vkCmdDispatch(latency_cmd_, 1, 1, 1);
    d_.vkEndCommandBuffer(latency_cmd_);
    return true;
  }

  double launch_latency_us(int iterations) override {
    std::vector<double> us;
    us.reserve(iterations);
    for (int i = 0; i < iterations; ++i) {
      const auto start = Clock::now();
      submit_and_wait(latency_cmd_);
      us.push_back(seconds_since(start) * 1e6);
    }
    return median(us);
  }

  double enqueue_us_per_launch(int count, int repeats) override {
    double best = 1e300;
    for (int r = 0; r < repeats; ++r) {
      const auto start = Clock::now();
      begin(cmd_);
      d_.vkCmdBindPipeline(cmd_, VK_PIPELINE_BIND_POINT_COMPUTE, empty_pipeline_);
      for (int i = 0; i < count; ++i) d_.vkCmdDispatch(cmd_, 1, 1, 1);
      d_.vkEndCommandBuffer(cmd_);
      submit_and_wait(cmd_);
      best = std::min(best, seconds_since(start) * 1e6 / count);
    }
    return best;
  }

  // Plain Vulkan streaming: record the launches into a one-time command
  // buffer and submit it; the host time up to and including the submit.
  double enqueue_host_us_per_launch(int count, int repeats) override {
    double best = 1e300;
    for (int r = 0; r < repeats; ++r) {
      const auto start = Clock::now();
      begin(cmd_);
      d_.vkCmdBindPipeline(cmd_, VK_PIPELINE_BIND_POINT_COMPUTE, empty_pipeline_);
      for (int i = 0; i < count; ++i) d_.vkCmdDispatch(cmd_, 1, 1, 1);
      d_.vkEndCommandBuffer(cmd_);
      submit(cmd_);
      best = std::min(best, seconds_since(start) * 1e6 / count);
      wait();
    }
    return best;
  }

  // A reusable command buffer (no ONE_TIME_SUBMIT) of `count` dispatches,
  // recorded once; the host time inside each vkQueueSubmit of it.
  double replay_us_per_launch(int count, int repeats, bool until_done) override {
    if (replay_count_ != count) {
      auto bi = vk_struct<VkCommandBufferBeginInfo>(VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO);
      d_.vkBeginCommandBuffer(replay_cmd_, &bi);
      d_.vkCmdBindPipeline(replay_cmd_, VK_PIPELINE_BIND_POINT_COMPUTE, empty_pipeline_);
      for (int i = 0; i < count; ++i) d_.vkCmdDispatch(replay_cmd_, 1, 1, 1);
      d_.vkEndCommandBuffer(replay_cmd_);
      replay_count_ = count;
      submit(replay_cmd_);  // the first submission may build what recording left to do
      wait();
    }
    double best = 1e300;
    for (int r = 0; r < repeats; ++r) {
      const auto start = Clock::now();
      submit(replay_cmd_);
      double s = seconds_since(start);
      wait();
      if (until_done) s = seconds_since(start);
      best = std::min(best, s * 1e6 / count);
    }
    return best;
  }

  double copy_gbps(CopyKind kind, size_t bytes, int repeats) override {
    prepare_copy(bytes);
    const VkBufferCopy region{0, 0, bytes};
    double best = 0;
    for (int r = 0; r <= repeats; ++r) {  // round 0 untimed, as on the ahal side
      const auto start = Clock::now();
      begin(cmd_);
      switch (kind) {
        case CopyKind::kHostToDevice:
          d_.vkCmdCopyBuffer(cmd_, host_.buffer, dev_[0].buffer, 1, &region);
          break;
        case CopyKind::kDeviceToHost:
          d_.vkCmdCopyBuffer(cmd_, dev_[0].buffer, host_.buffer, 1, &region);
          break;
        case CopyKind::kDeviceToDevice:
          d_.vkCmdCopyBuffer(cmd_, dev_[0].buffer, dev_[1].buffer, 1, &region);
          break;
      }
      host_barrier(cmd_);
      d_.vkEndCommandBuffer(cmd_);
      submit_and_wait(cmd_);
      const double s = seconds_since(start);
      if (r > 0) best = std::max(best, double(bytes) / s / 1e9);
    }
    return best;
  }

  double triad_gbps(size_t n, unsigned workgroup_size, int repeats) override {
    if (!triad_layout_) return 0;  // no fp64
    prepare_triad(n, workgroup_size);
    struct {
      double s;
      uint32_t n, pad;
    } constants{3.0, static_cast<uint32_t>(n), 0};
    const uint32_t groups = static_cast<uint32_t>((n + workgroup_size - 1) / workgroup_size);
    double best = 0;
    for (int r = 0; r <= repeats; ++r) {
      const auto start = Clock::now();
      begin(cmd_);
      d_.vkCmdBindPipeline(cmd_, VK_PIPELINE_BIND_POINT_COMPUTE, triad_pipeline_);
      d_.vkCmdBindDescriptorSets(cmd_, VK_PIPELINE_BIND_POINT_COMPUTE, triad_layout_, 0, 1,
                                 &triad_set_, 0, nullptr);
      d_.vkCmdPushConstants(cmd_, triad_layout_, VK_SHADER_STAGE_COMPUTE_BIT, 0, sizeof(constants),
                            &constants);
      d_.vkCmdDispatch(cmd_, groups, 1, 1);
      host_barrier(cmd_);
      d_.vkEndCommandBuffer(cmd_);
      submit_and_wait(cmd_);
      const double s = seconds_since(start);
      if (r > 0) best = std::max(best, 24.0 * double(n) / s / 1e9);
    }
    return best;
  }

 private:
  bool ok(VkResult r, const char* what, std::string* error) {
    if (r == VK_SUCCESS) return true;
    *error = std::string(what) + " failed: " + ahal_vk::result_name(r);
    return false;
  }

  void begin(VkCommandBuffer cmd) {
    auto bi = vk_struct<VkCommandBufferBeginInfo>(VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO);
    bi.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
    d_.vkBeginCommandBuffer(cmd, &bi);
  }

  // Results must be visible to the host after the wait.
  void host_barrier(VkCommandBuffer cmd) {
    auto mb = vk_struct<VkMemoryBarrier>(VK_STRUCTURE_TYPE_MEMORY_BARRIER);
    mb.srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_WRITE_BIT;
    mb.dstAccessMask = VK_ACCESS_HOST_READ_BIT;
    d_.vkCmdPipelineBarrier(cmd,
                            VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT,
                            VK_PIPELINE_STAGE_HOST_BIT, 0, 1, &mb, 0, nullptr, 0, nullptr);
  }

  void submit(VkCommandBuffer cmd) {
    auto si = vk_struct<VkSubmitInfo>(VK_STRUCTURE_TYPE_SUBMIT_INFO);
    si.commandBufferCount = 1;
    si.pCommandBuffers = &cmd;
    d_.vkQueueSubmit(queue_, 1, &si, fence_);
  }

  void wait() {
    d_.vkWaitForFences(device_, 1, &fence_, VK_TRUE, UINT64_MAX);
    d_.vkResetFences(device_, 1, &fence_);
  }

  void submit_and_wait(VkCommandBuffer cmd) {
    submit(cmd);
    wait();
  }

  bool shader(const ahal::bundle::Bundle& bundle, const char* kernel, VkShaderModule* out,
              std::string* entry, std::string* error) {
    const ahal::bundle::Image* img =
        ahal::bundle::find_image(bundle, AHAL_MODULE_FORMAT_SPIRV_VULKAN, kernel);
    if (!img) {
      *error = std::string("the bundle has no spirv-vulkan image of ") + kernel;
      return false;
    }
    *entry = kernel;
    for (const auto& e : img->entries)
      if (bundle.kernels[e.kernel_index].name == kernel) *entry = e.symbol;
    std::vector<uint32_t> code(img->data.size() / 4);
    std::memcpy(code.data(), img->data.data(), code.size() * 4);
    auto ci = vk_struct<VkShaderModuleCreateInfo>(VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO);
    ci.codeSize = code.size() * 4;
    ci.pCode = code.data();
    return ok(d_.vkCreateShaderModule(device_, &ci, nullptr, out), "vkCreateShaderModule", error);
  }

  bool layout(uint32_t bindings, uint32_t constants, VkDescriptorSetLayout* set_layout,
              VkPipelineLayout* out, std::string* error) {
    std::vector<VkDescriptorSetLayoutBinding> b(bindings);
    for (uint32_t i = 0; i < bindings; ++i)
      b[i] = {i, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 1, VK_SHADER_STAGE_COMPUTE_BIT, nullptr};
    auto sci = vk_struct<VkDescriptorSetLayoutCreateInfo>(
        VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO);
    sci.bindingCount = bindings;
    sci.pBindings = b.data();
    if (!ok(d_.vkCreateDescriptorSetLayout(device_, &sci, nullptr, set_layout),
            "vkCreateDescriptorSetLayout", error))
      return false;
    const VkPushConstantRange range{VK_SHADER_STAGE_COMPUTE_BIT, 0, constants};
    auto pci = vk_struct<VkPipelineLayoutCreateInfo>(VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO);
    pci.setLayoutCount = 1;
    pci.pSetLayouts = set_layout;
    pci.pushConstantRangeCount = constants ? 1 : 0;
    pci.pPushConstantRanges = &range;
    return ok(d_.vkCreatePipelineLayout(device_, &pci, nullptr, out), "vkCreatePipelineLayout",
              error);
  }

  // Workgroup size through specialization constants 0-2, as the kernel ABI says.
  bool pipeline(VkShaderModule shader, const std::string& entry, VkPipelineLayout layout,
                uint32_t wg_x, VkPipeline* out, std::string* error) {
    const uint32_t spec[4] = {wg_x, 1, 1, 0};
    VkSpecializationMapEntry entries[4];
    for (uint32_t i = 0; i < 4; ++i) entries[i] = {i, i * 4, 4};
    const VkSpecializationInfo si{4, entries, sizeof(spec), spec};
    auto ci =
        vk_struct<VkComputePipelineCreateInfo>(VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO);
    ci.stage.sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO;
    ci.stage.stage = VK_SHADER_STAGE_COMPUTE_BIT;
    ci.stage.module = shader;
    ci.stage.pName = entry.c_str();
    ci.stage.pSpecializationInfo = &si;
    ci.layout = layout;
    return ok(d_.vkCreateComputePipelines(device_, VK_NULL_HANDLE, 1, &ci, nullptr, out),
              "vkCreateComputePipelines", error);
  }

  // The memory type the plugin would pick: all of `want`, then as many of
  // `prefer` as possible, then as few of `avoid`.
  uint32_t memory_type(uint32_t bits, VkMemoryPropertyFlags want, VkMemoryPropertyFlags prefer,
                       VkMemoryPropertyFlags avoid) {
    uint32_t best = UINT32_MAX;
    int best_score = -1000;
    for (uint32_t i = 0; i < memory_props_.memoryTypeCount; ++i) {
      const VkMemoryPropertyFlags f = memory_props_.memoryTypes[i].propertyFlags;
      if (!(bits & (1u << i)) || (f & want) != want) continue;
      const int score = 4 * static_cast<int>(std::bitset<32>(f & prefer).count()) -
                        static_cast<int>(std::bitset<32>(f & avoid).count());
      if (score > best_score) {
        best = i;
        best_score = score;
      }
    }
    return best;
  }

  Buffer make_buffer(uint64_t size, bool host) {
    Buffer b;
    auto ci = vk_struct<VkBufferCreateInfo>(VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO);
    ci.size = size;
    ci.usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT |
               VK_BUFFER_USAGE_TRANSFER_DST_BIT;
    d_.vkCreateBuffer(device_, &ci, nullptr, &b.buffer);
    VkMemoryRequirements req;
    d_.vkGetBufferMemoryRequirements(device_, b.buffer, &req);
    auto ai = vk_struct<VkMemoryAllocateInfo>(VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO);
    ai.allocationSize = req.size;
    ai.memoryTypeIndex =
        host
            ? memory_type(req.memoryTypeBits, VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT,
                          VK_MEMORY_PROPERTY_HOST_CACHED_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT,
                          VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT)
            : memory_type(req.memoryTypeBits, 0, VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT,
                          VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT);
    d_.vkAllocateMemory(device_, &ai, nullptr, &b.memory);
    d_.vkBindBufferMemory(device_, b.buffer, b.memory, 0);
    if (host) d_.vkMapMemory(device_, b.memory, 0, VK_WHOLE_SIZE, 0, &b.mapped);
    return b;
  }

  void release(Buffer* b) {
    if (b->buffer) d_.vkDestroyBuffer(device_, b->buffer, nullptr);
    if (b->memory) d_.vkFreeMemory(device_, b->memory, nullptr);
    *b = Buffer{};
  }

  void fill(const Buffer& b, uint64_t size, uint32_t word) {
    begin(cmd_);
    d_.vkCmdFillBuffer(cmd_, b.buffer, 0, size, word);
    d_.vkEndCommandBuffer(cmd_);
    submit_and_wait(cmd_);
  }

  void prepare_copy(size_t bytes) {
    if (copy_bytes_ == bytes) return;
    release(&host_);
    for (Buffer& b : dev_) release(&b);
    host_ = make_buffer(bytes, true);
    std::memset(host_.mapped, 1, bytes);
    for (Buffer& b : dev_) {
      b = make_buffer(bytes, false);
      fill(b, bytes, 0);
    }
    copy_bytes_ = bytes;
  }

  void prepare_triad(size_t n, unsigned wg) {
    if (triad_n_ != n) {
      for (Buffer& b : triad_) {
        release(&b);
        b = make_buffer(n * sizeof(double), false);
        fill(b, n * sizeof(double), 0x3f800000u);  // as the ahal side: any finite value
      }
      if (!pool_) {
        const VkDescriptorPoolSize size{VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 3};
        auto pci =
            vk_struct<VkDescriptorPoolCreateInfo>(VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO);
        pci.maxSets = 1;
        pci.poolSizeCount = 1;
        pci.pPoolSizes = &size;
        d_.vkCreateDescriptorPool(device_, &pci, nullptr, &pool_);
        auto ai =
            vk_struct<VkDescriptorSetAllocateInfo>(VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO);
        ai.descriptorPool = pool_;
        ai.descriptorSetCount = 1;
        ai.pSetLayouts = &triad_set_layout_;
        d_.vkAllocateDescriptorSets(device_, &ai, &triad_set_);
      }
      VkDescriptorBufferInfo infos[3];
      for (int i = 0; i < 3; ++i) infos[i] = {triad_[i].buffer, 0, VK_WHOLE_SIZE};
      auto w = vk_struct<VkWriteDescriptorSet>(VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET);
      w.dstSet = triad_set_;
      w.descriptorCount = 3;
      w.descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
      w.pBufferInfo = infos;
      d_.vkUpdateDescriptorSets(device_, 1, &w, 0, nullptr);
      triad_n_ = n;
    }
    if (triad_wg_ != wg) {
      if (triad_pipeline_) d_.vkDestroyPipeline(device_, triad_pipeline_, nullptr);
      std::string error;
      pipeline(triad_shader_, triad_entry_, triad_layout_, wg, &triad_pipeline_, &error);
      triad_wg_ = wg;
    }
  }

  ahal_vk::GlobalFunctions g_;
  ahal_vk::InstanceFunctions in_;
  ahal_vk::DeviceFunctions d_;
  VkInstance instance_ = VK_NULL_HANDLE;
  VkPhysicalDevice physical_ = VK_NULL_HANDLE;
  VkPhysicalDeviceMemoryProperties memory_props_{};
  uint32_t family_ = 0;
  VkDevice device_ = VK_NULL_HANDLE;
  VkQueue queue_ = VK_NULL_HANDLE;
  VkCommandPool command_pool_ = VK_NULL_HANDLE;
  VkCommandBuffer latency_cmd_ = VK_NULL_HANDLE, cmd_ = VK_NULL_HANDLE;
  VkCommandBuffer replay_cmd_ = VK_NULL_HANDLE;  // reusable: replay_us_per_launch
  int replay_count_ = 0;
  VkFence fence_ = VK_NULL_HANDLE;
  VkShaderModule empty_shader_ = VK_NULL_HANDLE, triad_shader_ = VK_NULL_HANDLE;
  std::string empty_entry_, triad_entry_;
  VkDescriptorSetLayout empty_set_layout_ = VK_NULL_HANDLE, triad_set_layout_ = VK_NULL_HANDLE;
  VkPipelineLayout empty_layout_ = VK_NULL_HANDLE, triad_layout_ = VK_NULL_HANDLE;
  VkPipeline empty_pipeline_ = VK_NULL_HANDLE, triad_pipeline_ = VK_NULL_HANDLE;
  VkDescriptorPool pool_ = VK_NULL_HANDLE;
  VkDescriptorSet triad_set_ = VK_NULL_HANDLE;
  Buffer host_, dev_[2], triad_[3];
  size_t copy_bytes_ = 0, triad_n_ = 0;
  unsigned triad_wg_ = 0;
};

std::unique_ptr<NativeBackend> make_native_vulkan(const ahal_device_properties_t& props,
                                                  const std::string& bundle_path,
                                                  std::string* error) {
  auto native = std::make_unique<NativeVulkan>();
  if (!native->open(props, bundle_path, error)) return nullptr;
  return native;
}

}  // namespace

AHAL_BENCH_REGISTER_NATIVE("vulkan", make_native_vulkan);

}  // namespace ahal_bench
