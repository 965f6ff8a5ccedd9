// Compute pipelines: one per kernel and launch shape (workgroup size,
// dynamic shared bytes, argument layout), the pipeline layouts they share,
// and the device's on-disk pipeline cache.
#include "objects.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>

namespace ahal_vulkan {

// --------------------------------------------------------- pipeline cache

namespace {

std::string hex(const uint8_t* p, size_t n) {
  static const char digits[] = "0123456789abcdef";
  std::string s;
  for (size_t i = 0; i < n; ++i) {
    s += digits[p[i] >> 4];
    s += digits[p[i] & 15];
  }
  return s;
}

}  // namespace

void Device::load_pipeline_cache() {
  std::vector<char> data;
  if (!instance->cache_dir.empty()) {
    char name[64];
    std::snprintf(name, sizeof(name), "/vulkan-%04x-%04x-", props.vendorID, props.deviceID);
    cache_path_ =
        instance->cache_dir + name + hex(props.pipelineCacheUUID, VK_UUID_SIZE) + ".pipelinecache";
    std::ifstream in(cache_path_, std::ios::binary);
    if (in) data.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  // The header (VkPipelineCacheHeaderVersionOne) must name this exact device
  // and driver build; anything else is ignored and overwritten on save.
  bool valid = false;
  if (data.size() >= 32) {
    uint32_t header_size, version, vendor, device_id;
    std::memcpy(&header_size, &data[0], 4);
    std::memcpy(&version, &data[4], 4);
    std::memcpy(&vendor, &data[8], 4);
    std::memcpy(&device_id, &data[12], 4);
    valid = header_size >= 32 && header_size <= data.size() &&
            version == VK_PIPELINE_CACHE_HEADER_VERSION_ONE && vendor == props.vendorID &&
            device_id == props.deviceID &&
            std::memcmp(&data[16], props.pipelineCacheUUID, VK_UUID_SIZE) == 0;
    if (!valid)
      log(AHAL_LOG_INFO,
          "ignoring pipeline cache " + cache_path_ + " (header does not match this device)");
  }
  auto ci = vk_struct<VkPipelineCacheCreateInfo>();
  if (valid) {
    ci.initialDataSize = data.size();
    ci.pInitialData = data.data();
  }
  VkResult r = fn.vkCreatePipelineCache(device, &ci, nullptr, &pipeline_cache);
  if (r != VK_SUCCESS && valid) {
    ci.initialDataSize = 0;
    ci.pInitialData = nullptr;
    r = fn.vkCreatePipelineCache(device, &ci, nullptr, &pipeline_cache);
  }
  if (r != VK_SUCCESS) pipeline_cache = VK_NULL_HANDLE;  // pipelines still build without one
  if (valid && pipeline_cache)
    log(AHAL_LOG_DEBUG,
        "loaded pipeline cache " + cache_path_ + " (" + std::to_string(data.size()) + " bytes)");
}

void Device::save_pipeline_cache() {
  if (cache_path_.empty() || !pipeline_cache || !pipeline_cache_dirty.exchange(false)) return;
  size_t size = 0;
  if (fn.vkGetPipelineCacheData(device, pipeline_cache, &size, nullptr) != VK_SUCCESS) return;
  std::vector<char> data(size);
  if (size && fn.vkGetPipelineCacheData(device, pipeline_cache, &size, data.data()) != VK_SUCCESS)
    return;
  data.resize(size);
  ::mkdir(instance->cache_dir.c_str(), 0755);  // the loader may not have made it
  // Write then rename, so a concurrent reader never sees half a file.
  std::string tmp = cache_path_ + ".tmp" + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) {
      log(AHAL_LOG_WARNING, "cannot write pipeline cache " + tmp);
      return;
    }
    out.write(data.data(), static_cast<std::streamsize>(data.size()));
    if (!out) {
      ::unlink(tmp.c_str());
      return;
    }
  }
  if (std::rename(tmp.c_str(), cache_path_.c_str()) != 0) ::unlink(tmp.c_str());
}

// -------------------------------------------------------- pipeline layouts

ahal_status_t Device::layout(uint32_t binding_count, uint32_t constants_size,
                             const PipelineLayout** out) {
  std::lock_guard<std::mutex> lock(layouts_mutex_);
  for (const auto& l : layouts_) {
    if (l->binding_count == binding_count && l->constants_size == constants_size) {
      *out = l.get();
      return AHAL_SUCCESS;
    }
  }
  auto l = std::make_unique<PipelineLayout>();
  l->binding_count = binding_count;
  l->constants_size = constants_size;
  VkDescriptorSetLayoutBinding bindings[AHAL_MAX_BINDINGS];
  for (uint32_t i = 0; i < binding_count; ++i) {
    bindings[i] = VkDescriptorSetLayoutBinding{};
    bindings[i].binding = i;
    bindings[i].descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
    bindings[i].descriptorCount = 1;
    bindings[i].stageFlags = VK_SHADER_STAGE_COMPUTE_BIT;
  }
  auto sci = vk_struct<VkDescriptorSetLayoutCreateInfo>();
  if (push_descriptors) sci.flags = VK_DESCRIPTOR_SET_LAYOUT_CREATE_PUSH_DESCRIPTOR_BIT_KHR;
  sci.bindingCount = binding_count;
  sci.pBindings = bindings;
  AHAL_VK_CHECK(fn.vkCreateDescriptorSetLayout(device, &sci, nullptr, &l->set_layout),
                "vkCreateDescriptorSetLayout");
  VkPushConstantRange range{VK_SHADER_STAGE_COMPUTE_BIT, 0, constants_size};
  auto pci = vk_struct<VkPipelineLayoutCreateInfo>();
  pci.setLayoutCount = 1;
  pci.pSetLayouts = &l->set_layout;
  pci.pushConstantRangeCount = constants_size ? 1 : 0;
  pci.pPushConstantRanges = &range;
  VkResult r = fn.vkCreatePipelineLayout(device, &pci, nullptr, &l->layout);
  if (r != VK_SUCCESS) {
    fn.vkDestroyDescriptorSetLayout(device, l->set_layout, nullptr);
    return vk_fail(r, "vkCreatePipelineLayout");
  }
  *out = l.get();
  layouts_.push_back(std::move(l));
  return AHAL_SUCCESS;
}

ahal_status_t kernel_pipeline(Kernel* k, const ahal_plugin_launch_t* l, Pipeline** out) {
  PipelineKey key{{l->workgroup_size[0], l->workgroup_size[1], l->workgroup_size[2]},
                  l->dynamic_shared_bytes,
                  l->binding_count,
                  (l->constants_size + 3u) & ~3u};
  Pipeline* last = k->last.load(std::memory_order_acquire);
  if (last && last->key == key) {
    *out = last;
    return AHAL_SUCCESS;
  }
  std::lock_guard<std::mutex> lock(k->mutex);
  for (auto& p : k->pipelines) {
    if (p->key == key) {
      k->last.store(p.get(), std::memory_order_release);
      *out = p.get();
      return AHAL_SUCCESS;
    }
  }
  Module* m = k->module;
  Device* d = m->device;
  auto p = std::make_unique<Pipeline>();
  p->key = key;
  ahal_status_t s = d->layout(key.binding_count, key.constants_size, &p->layout);
  if (s != AHAL_SUCCESS) return s;
  {
    std::lock_guard<std::mutex> mlock(m->mutex);
    if (!m->shader) {
      auto ci = vk_struct<VkShaderModuleCreateInfo>();
      ci.codeSize = m->code.size() * 4;
      ci.pCode = m->code.data();
      VkResult r = d->fn.vkCreateShaderModule(d->device, &ci, nullptr, &m->shader);
      if (r != VK_SUCCESS) {
        d->check(r, "vkCreateShaderModule");
        return fail(r == VK_ERROR_DEVICE_LOST ? AHAL_ERROR_DEVICE_LOST : AHAL_ERROR_BUILD_FAILED,
                    "vkCreateShaderModule failed: %s", ahal_vk::result_name(r));
      }
    }
  }
  // Specialization constants 0-2: workgroup size; 3: dynamic shared bytes.
  const uint32_t spec[4] = {key.wg[0], key.wg[1], key.wg[2], key.dynamic_shared};
  VkSpecializationMapEntry entries[4];
  for (uint32_t i = 0; i < 4; ++i) entries[i] = {i, i * 4, 4};
  VkSpecializationInfo si{4, entries, sizeof(spec), spec};
  auto ci = vk_struct<VkComputePipelineCreateInfo>();
  ci.stage.sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO;
  ci.stage.stage = VK_SHADER_STAGE_COMPUTE_BIT;
  ci.stage.module = m->shader;
  ci.stage.pName = k->entry.c_str();
  ci.stage.pSpecializationInfo = &si;
  ci.layout = p->layout->layout;
  VkResult r =
      d->fn.vkCreateComputePipelines(d->device, d->pipeline_cache, 1, &ci, nullptr, &p->pipeline);
  if (r != VK_SUCCESS) {
    d->check(r, "vkCreateComputePipelines");
    return fail(r == VK_ERROR_DEVICE_LOST ? AHAL_ERROR_DEVICE_LOST : AHAL_ERROR_BUILD_FAILED,
                "vkCreateComputePipelines for '%s' (workgroup %ux%ux%u, %u dynamic shared "
                "bytes) failed: %s",
                k->entry.c_str(), key.wg[0], key.wg[1], key.wg[2], key.dynamic_shared,
                ahal_vk::result_name(r));
  }
  d->pipeline_cache_dirty.store(true);
  *out = p.get();
  k->last.store(p.get(), std::memory_order_release);
  k->pipelines.push_back(std::move(p));
  return AHAL_SUCCESS;
}

}  // namespace ahal_vulkan
