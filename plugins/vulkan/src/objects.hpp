// Internal objects of the Vulkan plugin. The dispatch table (plugin.cpp)
// casts the ABI's opaque handles to these types.
#pragma once

#include "vk_functions.hpp"

#include <ahal/kernel_cache.hpp>
#include <ahal/plugin.hpp>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace ahal_vulkan {

// The sType of each Vulkan struct the plugin fills, so that vk_struct<T>()
// needs only the type. A struct missing here does not compile: add it.
template <typename T>
struct VkStructType;
#define AHAL_VK_STRUCT_TYPE(T, type)                                   \
  template <>                                                          \
  struct VkStructType<T> {                                             \
    static constexpr VkStructureType value = VK_STRUCTURE_TYPE_##type; \
  };
AHAL_VK_STRUCT_TYPE(VkApplicationInfo, APPLICATION_INFO)
AHAL_VK_STRUCT_TYPE(VkBufferCreateInfo, BUFFER_CREATE_INFO)
AHAL_VK_STRUCT_TYPE(VkCommandBufferAllocateInfo, COMMAND_BUFFER_ALLOCATE_INFO)
AHAL_VK_STRUCT_TYPE(VkCommandBufferBeginInfo, COMMAND_BUFFER_BEGIN_INFO)
AHAL_VK_STRUCT_TYPE(VkCommandPoolCreateInfo, COMMAND_POOL_CREATE_INFO)
AHAL_VK_STRUCT_TYPE(VkComputePipelineCreateInfo, COMPUTE_PIPELINE_CREATE_INFO)
AHAL_VK_STRUCT_TYPE(VkDescriptorPoolCreateInfo, DESCRIPTOR_POOL_CREATE_INFO)
AHAL_VK_STRUCT_TYPE(VkDescriptorSetAllocateInfo, DESCRIPTOR_SET_ALLOCATE_INFO)
AHAL_VK_STRUCT_TYPE(VkDescriptorSetLayoutCreateInfo, DESCRIPTOR_SET_LAYOUT_CREATE_INFO)
AHAL_VK_STRUCT_TYPE(VkDeviceCreateInfo, DEVICE_CREATE_INFO)
AHAL_VK_STRUCT_TYPE(VkDeviceQueueCreateInfo, DEVICE_QUEUE_CREATE_INFO)
AHAL_VK_STRUCT_TYPE(VkInstanceCreateInfo, INSTANCE_CREATE_INFO)
AHAL_VK_STRUCT_TYPE(VkMappedMemoryRange, MAPPED_MEMORY_RANGE)
AHAL_VK_STRUCT_TYPE(VkMemoryAllocateInfo, MEMORY_ALLOCATE_INFO)
AHAL_VK_STRUCT_TYPE(VkMemoryBarrier, MEMORY_BARRIER)
AHAL_VK_STRUCT_TYPE(VkMemoryDedicatedAllocateInfo, MEMORY_DEDICATED_ALLOCATE_INFO)
AHAL_VK_STRUCT_TYPE(VkPhysicalDevice16BitStorageFeatures, PHYSICAL_DEVICE_16BIT_STORAGE_FEATURES)
AHAL_VK_STRUCT_TYPE(VkPhysicalDeviceDriverProperties, PHYSICAL_DEVICE_DRIVER_PROPERTIES)
AHAL_VK_STRUCT_TYPE(VkPhysicalDeviceFeatures2, PHYSICAL_DEVICE_FEATURES_2)
AHAL_VK_STRUCT_TYPE(VkPhysicalDeviceIDProperties, PHYSICAL_DEVICE_ID_PROPERTIES)
AHAL_VK_STRUCT_TYPE(VkPhysicalDeviceMaintenance3Properties,
                    PHYSICAL_DEVICE_MAINTENANCE_3_PROPERTIES)
AHAL_VK_STRUCT_TYPE(VkPhysicalDeviceProperties2, PHYSICAL_DEVICE_PROPERTIES_2)
AHAL_VK_STRUCT_TYPE(VkPhysicalDevicePushDescriptorPropertiesKHR,
                    PHYSICAL_DEVICE_PUSH_DESCRIPTOR_PROPERTIES_KHR)
AHAL_VK_STRUCT_TYPE(VkPhysicalDeviceShaderCorePropertiesAMD,
                    PHYSICAL_DEVICE_SHADER_CORE_PROPERTIES_AMD)
AHAL_VK_STRUCT_TYPE(VkPhysicalDeviceShaderSMBuiltinsPropertiesNV,
                    PHYSICAL_DEVICE_SHADER_SM_BUILTINS_PROPERTIES_NV)
AHAL_VK_STRUCT_TYPE(VkPhysicalDeviceSubgroupProperties, PHYSICAL_DEVICE_SUBGROUP_PROPERTIES)
AHAL_VK_STRUCT_TYPE(VkPhysicalDeviceSubgroupSizeControlProperties,
                    PHYSICAL_DEVICE_SUBGROUP_SIZE_CONTROL_PROPERTIES)
AHAL_VK_STRUCT_TYPE(VkPhysicalDeviceTimelineSemaphoreFeatures,
                    PHYSICAL_DEVICE_TIMELINE_SEMAPHORE_FEATURES)
AHAL_VK_STRUCT_TYPE(VkPhysicalDeviceVulkan11Features, PHYSICAL_DEVICE_VULKAN_1_1_FEATURES)
AHAL_VK_STRUCT_TYPE(VkPhysicalDeviceVulkan12Features, PHYSICAL_DEVICE_VULKAN_1_2_FEATURES)
AHAL_VK_STRUCT_TYPE(VkPipelineCacheCreateInfo, PIPELINE_CACHE_CREATE_INFO)
AHAL_VK_STRUCT_TYPE(VkPipelineLayoutCreateInfo, PIPELINE_LAYOUT_CREATE_INFO)
AHAL_VK_STRUCT_TYPE(VkQueryPoolCreateInfo, QUERY_POOL_CREATE_INFO)
AHAL_VK_STRUCT_TYPE(VkSemaphoreCreateInfo, SEMAPHORE_CREATE_INFO)
AHAL_VK_STRUCT_TYPE(VkSemaphoreSignalInfo, SEMAPHORE_SIGNAL_INFO)
AHAL_VK_STRUCT_TYPE(VkSemaphoreTypeCreateInfo, SEMAPHORE_TYPE_CREATE_INFO)
AHAL_VK_STRUCT_TYPE(VkSemaphoreWaitInfo, SEMAPHORE_WAIT_INFO)
AHAL_VK_STRUCT_TYPE(VkShaderModuleCreateInfo, SHADER_MODULE_CREATE_INFO)
AHAL_VK_STRUCT_TYPE(VkSubmitInfo, SUBMIT_INFO)
AHAL_VK_STRUCT_TYPE(VkTimelineSemaphoreSubmitInfo, TIMELINE_SEMAPHORE_SUBMIT_INFO)
AHAL_VK_STRUCT_TYPE(VkWriteDescriptorSet, WRITE_DESCRIPTOR_SET)
#undef AHAL_VK_STRUCT_TYPE

// A zeroed Vulkan struct with its sType (and pNext) set.
template <typename T>
T vk_struct(void* next = nullptr) {
  T v{};
  v.sType = VkStructType<T>::value;
  v.pNext = next;
  return v;
}

// ------------------------------------------------------------ diagnostics

using ahal::plugin::fail;
using ahal::plugin::handle;
using ahal::plugin::log;
using ahal::plugin::object;
// Maps a VkResult to a status; the message names `what` and the VkResult.
ahal_status_t vk_fail(VkResult result, const char* what);

#define AHAL_VK_CHECK(call, what)                                   \
  do {                                                              \
    VkResult ahal_vk_r_ = (call);                                   \
    if (ahal_vk_r_ != VK_SUCCESS) return vk_fail(ahal_vk_r_, what); \
  } while (0)

// --------------------------------------------------------------- instance

struct Instance {
  ahal_vk::GlobalFunctions global;
  ahal_vk::InstanceFunctions fn;
  VkInstance instance = VK_NULL_HANDLE;
  uint32_t api_version = 0;
  std::vector<VkPhysicalDevice> physical_devices;  // usable ones, in vulkan:N order
  std::string cache_dir;
  bool validation = false;
};

ahal_status_t instance_create(const ahal_plugin_init_args_t* args, Instance** out);
void instance_destroy(Instance* instance);

// ----------------------------------------------------------------- memory

// `v` rounded up to a multiple of `a` (a == 0 leaves it).
inline uint64_t align_up(uint64_t v, uint64_t a) { return a ? (v + a - 1) / a * a : v; }

class Device;

// One VkDeviceMemory; small buffers share it through a free list.
struct MemoryBlock {
  VkDeviceMemory memory = VK_NULL_HANDLE;
  uint64_t size = 0;
  uint32_t type = 0;
  bool dedicated = false;
  uint8_t* mapped = nullptr;                 // persistently mapped when host-visible
  std::map<uint64_t, uint64_t> free_ranges;  // offset -> size, coalesced
};

struct Allocation {
  MemoryBlock* block = nullptr;
  uint64_t offset = 0;
  uint64_t size = 0;
  uint8_t* mapped() const { return block->mapped ? block->mapped + offset : nullptr; }
};

// Sub-allocates VkDeviceMemory: 64 MiB blocks per memory type (less on small
// heaps), and a dedicated allocation for buffers larger than half a block.
class MemoryAllocator {
 public:
  void init(Device* device);
  void shutdown();
  // `want` are VkMemoryPropertyFlags the type must have, `prefer` scores
  // types (see choose_types).
  ahal_status_t allocate(const VkMemoryRequirements& req, VkMemoryPropertyFlags want,
                         VkMemoryPropertyFlags prefer, VkMemoryPropertyFlags avoid,
                         VkBuffer dedicated_buffer, Allocation* out);
  void free(const Allocation& a);
  uint64_t device_local_bytes() const { return device_local_bytes_.load(); }

 private:
  ahal_status_t allocate_in(uint32_t type, const VkMemoryRequirements& req,
                            VkBuffer dedicated_buffer, Allocation* out);
  ahal_status_t new_block(uint32_t type, uint64_t size, VkBuffer dedicated_buffer,
                          MemoryBlock** out);
  void release_block(MemoryBlock* block);

  Device* device_ = nullptr;
  uint64_t block_size_[VK_MAX_MEMORY_TYPES] = {};
  std::mutex mutex_;
  std::vector<std::unique_ptr<MemoryBlock>> blocks_[VK_MAX_MEMORY_TYPES];
  std::atomic<uint64_t> device_local_bytes_{0};
};

// A VkBuffer bound to memory from the allocator.
struct DeviceBuffer {
  VkBuffer buffer = VK_NULL_HANDLE;
  Allocation alloc;
  uint64_t size = 0;
  bool host_visible = false;
  bool coherent = true;
  bool cached = false;
  uint8_t* mapped() const { return alloc.mapped(); }
};

struct Buffer {  // ahal_plugin_buffer_t
  DeviceBuffer mem;
  uint32_t flags = 0;
  uint64_t map_offset = 0, map_size = 0;  // the current mapping, for flushes
  // Set for a VkBuffer imported from its owner (native_handle.cpp): it
  // describes the owner's memory, which the plugin never frees.
  std::unique_ptr<MemoryBlock> imported;
};

struct HostAlloc {  // ahal_plugin_host_alloc_t: host-visible, host-cached
  DeviceBuffer mem;
};

// ---------------------------------------------------------------- modules

struct PipelineLayout {
  VkDescriptorSetLayout set_layout = VK_NULL_HANDLE;
  VkPipelineLayout layout = VK_NULL_HANDLE;
  uint32_t binding_count = 0;
  uint32_t constants_size = 0;
};

// What a pipeline is specialized for: workgroup size, dynamic shared bytes
// and the argument layout (binding count, constants size).
struct PipelineKey {
  uint32_t wg[3];
  uint32_t dynamic_shared;
  uint32_t binding_count;
  uint32_t constants_size;
  bool operator==(const PipelineKey& o) const {
    return wg[0] == o.wg[0] && wg[1] == o.wg[1] && wg[2] == o.wg[2] &&
           dynamic_shared == o.dynamic_shared && binding_count == o.binding_count &&
           constants_size == o.constants_size;
  }
};

struct Pipeline {
  PipelineKey key;
  const PipelineLayout* layout = nullptr;
  VkPipeline pipeline = VK_NULL_HANDLE;
};

class Module;

struct Kernel {  // ahal_plugin_kernel_t
  Module* module = nullptr;
  std::string entry;
  const ahal_kernel_info_t* info = nullptr;  // the module's metadata for it, if any
  uint32_t static_shared_bytes = 0;
  std::mutex mutex;
  std::vector<std::unique_ptr<Pipeline>> pipelines;
  std::atomic<Pipeline*> last{nullptr};  // fast path for repeated launches
};

class Module {  // ahal_plugin_module_t
 public:
  Device* device = nullptr;
  std::vector<uint32_t> code;
  std::vector<std::string> entries;  // GLCompute entry points
  ahal::plugin::KernelInfos infos;
  uint32_t static_shared_bytes = 0;
  std::string missing_feature;
  std::mutex mutex;                        // guards shader
  VkShaderModule shader = VK_NULL_HANDLE;  // created on first pipeline
  ahal::plugin::KernelCache<Kernel> kernels;
};

// AHAL_SUCCESS if the device runs `launch` in one dispatch (grid and
// binding sizes); else a status and a message starting with `where`.
ahal_status_t check_dispatch(const Device* device, const ahal_plugin_launch_t& launch,
                             const char* where);

// The pipeline for a launch's workgroup size, dynamic shared bytes and
// argument layout; compiled once, then cached.
ahal_status_t kernel_pipeline(Kernel* kernel, const ahal_plugin_launch_t* launch, Pipeline** out);

// ---------------------------------------------------------------- streams

struct Queue {
  VkQueue queue = VK_NULL_HANDLE;
  std::mutex mutex;  // vkQueueSubmit needs external synchronization
};

class Stream;

// Upload memory for a stream's small staged copies and fill patterns:
// host-visible chunks, bump-allocated, reused once the batches that used
// them completed.
struct UploadChunk {
  DeviceBuffer mem;
  uint64_t used = 0;
  uint64_t last_value = 0;  // timeline value of the last batch using it
};

struct SemaphoreWait {
  std::shared_ptr<Stream> stream;  // keeps the semaphore alive
  uint64_t value = 0;
};

// Commands recorded into one command buffer, submitted together.
struct Batch {
  VkCommandBuffer cmd = VK_NULL_HANDLE;
  bool borrowed = false;  // cmd belongs to a command buffer (command_buffer.cpp): not recycled
  uint64_t value = 0;     // the stream's timeline value signaled when it completes
  uint32_t commands = 0;
  bool touched_memory = false;  // some command read or wrote a buffer
  VkPipeline bound_pipeline = VK_NULL_HANDLE;
  std::vector<SemaphoreWait> waits;        // other streams' values to wait for
  std::vector<DeviceBuffer> staging;       // large staging buffers to free
  std::vector<VkDescriptorPool> pools;     // when push descriptors are absent
  VkDescriptorPool pool = VK_NULL_HANDLE;  // current pool of `pools`
  uint32_t pool_sets_left = 0;
};

// Work the stream's worker thread does in order: submit a deferred batch
// (once the host work before it ran) or run a host step.
struct PendingStep {
  std::unique_ptr<Batch> batch;   // or:
  std::function<void()> host_fn;  // callback or staged read-back
  uint64_t value = 0;             // for a host step: its timeline value
};

class Stream {
 public:
  static constexpr uint32_t kMaxBatchCommands = 256;  // submit at least this often
  static constexpr size_t kMaxInFlight = 64;          // batches queued before enqueues block
  static constexpr uint64_t kChunkSize = 1ull << 20;  // upload chunk for small staged data
  static constexpr uint32_t kPoolSets = 64;  // descriptor sets per pool (no push descriptors)
  static constexpr VkPipelineStageFlags kWorkStages =
      VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT;
  static constexpr VkAccessFlags kWorkWrites =
      VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_WRITE_BIT;
  static constexpr VkAccessFlags kWorkAccess =
      VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_READ_BIT |
      VK_ACCESS_TRANSFER_WRITE_BIT;

  Stream(Device* d, Queue* q) : device(d), queue(q) {}
  ~Stream();
  ahal_status_t init();

  ahal_status_t copy_h2d(const void* src, Buffer* dst, uint64_t offset, uint64_t size);
  ahal_status_t copy_d2h(Buffer* src, uint64_t offset, void* dst, uint64_t size);
  ahal_status_t copy_d2d(Buffer* src, uint64_t src_offset, Buffer* dst, uint64_t dst_offset,
                         uint64_t size);
  ahal_status_t fill(Buffer* buffer, uint64_t offset, uint64_t size, uint32_t pattern,
                     uint32_t pattern_size);
  ahal_status_t launch(Kernel* kernel, const ahal_plugin_launch_t* launch);
  ahal_status_t host_callback(ahal_host_fn_t fn, void* user_data);
  // Submits a recorded VkCommandBuffer of a command buffer as the stream's
  // next batch, in order with its other work (command_buffer_submit.cpp).
  ahal_status_t submit_recorded(VkCommandBuffer cmd);
  // The timeline value an event recorded now completes at; writes a
  // timestamp into `query_pool` when given.
  ahal_status_t record(VkQueryPool query_pool, uint64_t* out_value);
  // Later work waits until `other` reached `value`.
  ahal_status_t wait_for(const std::shared_ptr<Stream>& other, uint64_t value);
  ahal_status_t synchronize();
  ahal_status_t query();

  // Submits the step that signals `value` if it is still being recorded.
  void flush_through(uint64_t value);
  // Waits up to timeout_ns until `value` completed.
  ahal_status_t wait_value(uint64_t value, uint64_t timeout_ns);
  // AHAL_SUCCESS if `value` completed, else AHAL_NOT_READY.
  ahal_status_t query_value(uint64_t value);

  Device* const device;
  Queue* const queue;
  VkSemaphore timeline = VK_NULL_HANDLE;

 private:
  // Host-visible bytes a command can copy from or to.
  struct Staging {
    DeviceBuffer* mem = nullptr;  // a chunk's buffer or `owned`
    uint64_t offset = 0;
    uint8_t* data = nullptr;
    UploadChunk* chunk = nullptr;
    DeviceBuffer owned;  // large requests get their own buffer
  };
  ahal_status_t open_batch_locked();
  // Called before each command that touches buffers: a compute/transfer
  // memory barrier orders it after every earlier command of the stream
  // (the batch's first one covers earlier batches in submission order).
  void memory_command_locked();
  ahal_status_t after_command_locked();
  ahal_status_t flush_locked();
  ahal_status_t submit_locked(std::unique_ptr<Batch> batch);
  ahal_status_t submit_now(Batch* batch);
  // Host-visible memory for `size` bytes, reusable once `last_use` completed.
  ahal_status_t stage_locked(uint64_t size, uint64_t last_use, Staging* out);
  uint64_t completed_value();
  void retire_locked();
  void enqueue_host_step_locked(std::function<void()> fn);
  bool idle_locked();
  void wait_submitted(uint64_t value);
  void worker_main();
  ahal_status_t take_async_error_locked();

  std::mutex mutex_;
  VkCommandPool command_pool_ = VK_NULL_HANDLE;
  std::vector<VkCommandBuffer> free_cmds_;
  std::vector<VkDescriptorPool> free_pools_;
  std::unique_ptr<Batch> open_;
  std::deque<std::unique_ptr<Batch>> in_flight_;
  std::vector<std::unique_ptr<UploadChunk>> chunks_;
  size_t chunk_index_ = 0;
  uint64_t last_value_ = 0;                    // last timeline value handed out
  std::atomic<uint64_t> submitted_value_{0};   // highest value whose signal is submitted
  std::atomic<uint64_t> completed_cache_{0};   // last value seen completed
  std::vector<SemaphoreWait> next_waits_;      // for the next batch
  ahal_status_t async_status_ = AHAL_SUCCESS;  // a failure off the calling thread
  std::string async_message_;

  // Worker thread, started on the first host step or deferred batch: runs
  // host steps and submits batches that must wait for them.
  std::thread worker_;
  std::condition_variable worker_cv_;
  std::condition_variable submitted_cv_;
  std::deque<PendingStep> pending_;
  bool stopping_ = false;
};

struct StreamHandle {  // ahal_plugin_stream_t
  std::shared_ptr<Stream> stream;
};

struct Event {  // ahal_plugin_event_t
  Device* device = nullptr;
  uint32_t flags = 0;
  VkQueryPool query_pool = VK_NULL_HANDLE;  // TIMING events
  std::mutex mutex;
  std::shared_ptr<Stream> stream;  // of the last record; null if never recorded
  uint64_t value = 0;
};

// ----------------------------------------------------------------- device

class Device {  // ahal_plugin_device_t
 public:
  ~Device();
  ahal_status_t open(Instance* instance, uint32_t index);

  Instance* instance = nullptr;
  uint32_t index = 0;
  VkPhysicalDevice physical = VK_NULL_HANDLE;
  VkDevice device = VK_NULL_HANDLE;
  ahal_vk::DeviceFunctions fn;
  uint32_t queue_family = 0;
  std::vector<std::unique_ptr<Queue>> queues;
  std::atomic<uint32_t> next_queue{0};

  VkPhysicalDeviceProperties props{};
  VkPhysicalDeviceMemoryProperties memory_props{};
  uint32_t timestamp_valid_bits = 0;
  bool push_descriptors = false;
  bool has_fp64 = false, has_int64 = false, has_int16 = false, has_fp16 = false;
  bool has_int8 = false, has_int64_atomics = false, has_storage16 = false;
  bool has_storage8 = false;
  ahal_device_properties_t properties{};  // what device_get_properties copies
  // Work-groups one dispatch may have in all, where the driver bounds it.
  uint64_t max_groups_per_launch = UINT64_MAX;

  MemoryAllocator allocator;

  // Pipeline layouts, shared by all kernels with the same argument shape.
  ahal_status_t layout(uint32_t binding_count, uint32_t constants_size, const PipelineLayout** out);
  VkPipelineCache pipeline_cache = VK_NULL_HANDLE;
  std::atomic<bool> pipeline_cache_dirty{false};
  // Writes the pipeline cache to cache_dir if pipelines were added.
  void save_pipeline_cache();

  // Streams, so that destroying a module can wait for work using it.
  void add_stream(const std::shared_ptr<Stream>& stream);
  ahal_status_t synchronize_streams();

  // Pinned allocations, by address, so copies can use them directly.
  void register_host_alloc(HostAlloc* alloc);
  void unregister_host_alloc(HostAlloc* alloc);
  // The pinned allocation holding [p, p + size), or nullptr.
  HostAlloc* find_host_alloc(const void* p, uint64_t size);

  ahal_status_t buffer_create(uint64_t size, VkBufferUsageFlags usage, VkMemoryPropertyFlags want,
                              VkMemoryPropertyFlags prefer, VkMemoryPropertyFlags avoid,
                              DeviceBuffer* out);
  void buffer_release(DeviceBuffer* buffer);
  // Makes host writes visible (non-coherent memory only).
  void flush(const DeviceBuffer& b, uint64_t offset, uint64_t size);
  void invalidate(const DeviceBuffer& b, uint64_t offset, uint64_t size);

  // Records that the device was lost; later calls report it.
  ahal_status_t check(VkResult result, const char* what);
  std::atomic<bool> lost{false};

 private:
  void fill_properties(const std::vector<VkExtensionProperties>& extensions);
  void load_pipeline_cache();
  std::mutex streams_mutex_;
  std::vector<std::weak_ptr<Stream>> streams_;
  std::string cache_path_;
  std::mutex layouts_mutex_;
  std::vector<std::unique_ptr<PipelineLayout>> layouts_;
  std::shared_mutex host_allocs_mutex_;
  std::map<uintptr_t, HostAlloc*> host_allocs_;
};

Queue* pick_queue(Device* device);

// ---------------------------------------------------------------- entries
//
// The optional command buffer entries (command_buffer.cpp).
#define AHAL_VULKAN_COMMAND_BUFFER_ENTRIES(X, api) \
  X(api, command_buffer_create)                    \
  X(api, command_buffer_destroy) X(api, command_buffer_submit) X(api, command_buffer_update)
//
// One source file per object (plugin, device, buffer, host_alloc, stream,
// event, module); handles are pointers to the objects above (Instance,
// Device, Buffer, HostAlloc, StreamHandle, Event, Module, Kernel), cast with
// object<T>() and handle<H>(). Each entry may throw; the table installs
// each behind ahal::plugin::entry.

AHAL_PLUGIN_REQUIRED_ENTRIES(AHAL_PLUGIN_DECLARE_ENTRY, _)
AHAL_PLUGIN_MODULE_ENTRIES(AHAL_PLUGIN_DECLARE_ENTRY, _)
AHAL_PLUGIN_DECLARE_ENTRY(_, image_score)
AHAL_PLUGIN_DECLARE_ENTRY(_, device_memory_usage)
AHAL_VULKAN_COMMAND_BUFFER_ENTRIES(AHAL_PLUGIN_DECLARE_ENTRY, _)
AHAL_PLUGIN_DECLARE_ENTRY(_, buffer_get_native)
AHAL_PLUGIN_DECLARE_ENTRY(_, buffer_import_native)
AHAL_PLUGIN_DECLARE_ENTRY(_, buffer_host_address)

}  // namespace ahal_vulkan
