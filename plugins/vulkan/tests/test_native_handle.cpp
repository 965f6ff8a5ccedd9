// Native-handle interop on vulkan:0 (lavapipe here and in CI), checked
// with Vulkan itself: the VkBuffer + VkDeviceMemory ahal reports, and an
// external VkBuffer + VkDeviceMemory, made here on ahal's VkDevice, that
// ahal imports, uses and leaves to its owner. Exits with 77 (ctest:
// skipped) when there is no Vulkan device.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <ahal/ahal.h>

#include "device_test_support.hpp"

#define VK_NO_PROTOTYPES
#include <vulkan/vulkan.h>

#include <dlfcn.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace {

struct Fixture : ahal_test::StreamFixture {
  Fixture()
      : StreamFixture(AHAL_TEST_PLUGIN_DIR, "vulkan", "vulkan:0",
                      AHAL_RUNTIME_NO_DEFAULT_PATHS | AHAL_RUNTIME_IGNORE_ENVIRONMENT) {}

  ahal_native_buffer_t native(ahal_buffer_t b) {
    ahal_native_buffer_t n{};
    n.struct_size = sizeof(n);
    AHAL_TEST_OK(ahal_buffer_get_native(b, &n));
    return n;
  }
  std::vector<uint32_t> read(ahal_buffer_t b, size_t words) {
    std::vector<uint32_t> out(words);
    AHAL_TEST_OK(ahal_stream_copy_d2h(stream, b, 0, out.data(), words * 4));
    AHAL_TEST_OK(ahal_stream_synchronize(stream));
    return out;
  }
};

std::vector<uint32_t> pattern(size_t words, uint32_t seed) {
  std::vector<uint32_t> v(words);
  for (size_t i = 0; i < words; ++i) v[i] = seed * 2654435761u + uint32_t(i);
  return v;
}

// The Vulkan calls the test makes itself, through the system loader: its
// own instance (to read the device's memory types) and ahal's VkDevice.
struct Vulkan {
  void* library = dlopen("libvulkan.so.1", RTLD_NOW | RTLD_LOCAL);
  PFN_vkGetInstanceProcAddr gipa = nullptr;
  VkInstance instance = VK_NULL_HANDLE;
  VkPhysicalDeviceMemoryProperties memory{};
  VkDevice device = VK_NULL_HANDLE;
#define DEVICE_FN(X)               \
  X(vkCreateBuffer)                \
  X(vkDestroyBuffer)               \
  X(vkGetBufferMemoryRequirements) \
  X(vkAllocateMemory) X(vkFreeMemory) X(vkMapMemory) X(vkUnmapMemory) X(vkBindBufferMemory)
#define DECLARE(name) PFN_##name name = nullptr;
  DEVICE_FN(DECLARE)
#undef DECLARE

  // Opens the physical device named `name` and the functions of `dev`.
  Vulkan(const char* name, VkDevice dev) : device(dev) {
    REQUIRE(library);
    gipa = reinterpret_cast<PFN_vkGetInstanceProcAddr>(dlsym(library, "vkGetInstanceProcAddr"));
    REQUIRE(gipa);
    auto create = reinterpret_cast<PFN_vkCreateInstance>(gipa(nullptr, "vkCreateInstance"));
    VkApplicationInfo app{};
    app.sType = VK_STRUCTURE_TYPE_APPLICATION_INFO;
    app.apiVersion = VK_API_VERSION_1_1;
    VkInstanceCreateInfo ci{};
    ci.sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO;
    ci.pApplicationInfo = &app;
    REQUIRE(create(&ci, nullptr, &instance) == VK_SUCCESS);
    auto enumerate = reinterpret_cast<PFN_vkEnumeratePhysicalDevices>(
        gipa(instance, "vkEnumeratePhysicalDevices"));
    auto properties = reinterpret_cast<PFN_vkGetPhysicalDeviceProperties>(
        gipa(instance, "vkGetPhysicalDeviceProperties"));
    auto memory_properties = reinterpret_cast<PFN_vkGetPhysicalDeviceMemoryProperties>(
        gipa(instance, "vkGetPhysicalDeviceMemoryProperties"));
    uint32_t count = 0;
    enumerate(instance, &count, nullptr);
    std::vector<VkPhysicalDevice> physical(count);
    enumerate(instance, &count, physical.data());
    bool found = false;
    for (VkPhysicalDevice p : physical) {
      VkPhysicalDeviceProperties props{};
      properties(p, &props);
      if (std::string(props.deviceName) != name) continue;
      memory_properties(p, &memory);
      found = true;
      break;
    }
    REQUIRE(found);
    auto gdpa = reinterpret_cast<PFN_vkGetDeviceProcAddr>(gipa(instance, "vkGetDeviceProcAddr"));
#define LOAD(fn_name)                                                \
  fn_name = reinterpret_cast<PFN_##fn_name>(gdpa(device, #fn_name)); \
  REQUIRE(fn_name);
    DEVICE_FN(LOAD)
#undef LOAD
  }
  ~Vulkan() {
    if (instance) {
      auto destroy = reinterpret_cast<PFN_vkDestroyInstance>(gipa(instance, "vkDestroyInstance"));
      destroy(instance, nullptr);
    }
    if (library) dlclose(library);
  }
  Vulkan(const Vulkan&) = delete;
  Vulkan& operator=(const Vulkan&) = delete;

  // A memory type allowed by `bits` with all of `want`, or -1.
  int memory_type(uint32_t bits, VkMemoryPropertyFlags want) const {
    for (uint32_t i = 0; i < memory.memoryTypeCount; ++i)
      if ((bits & (1u << i)) && (memory.memoryTypes[i].propertyFlags & want) == want) return int(i);
    return -1;
  }
};

// A VkBuffer of `size` bytes bound at a nonzero offset of host-visible,
// coherent memory of its own, mapped: what another Vulkan user would own.
struct ExternalBuffer {
  Vulkan& vk;
  VkBuffer buffer = VK_NULL_HANDLE;
  VkDeviceMemory memory = VK_NULL_HANDLE;
  VkDeviceSize offset = 0;
  uint8_t* mapped = nullptr;

  ExternalBuffer(Vulkan& v, uint64_t size) : vk(v) {
    VkBufferCreateInfo bi{};
    bi.sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO;
    bi.size = size;
    bi.usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT |
               VK_BUFFER_USAGE_TRANSFER_DST_BIT;
    bi.sharingMode = VK_SHARING_MODE_EXCLUSIVE;
    REQUIRE(vk.vkCreateBuffer(vk.device, &bi, nullptr, &buffer) == VK_SUCCESS);
    VkMemoryRequirements req{};
    vk.vkGetBufferMemoryRequirements(vk.device, buffer, &req);
    const int type = vk.memory_type(req.memoryTypeBits, VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT |
                                                            VK_MEMORY_PROPERTY_HOST_COHERENT_BIT);
    REQUIRE(type >= 0);
    offset = (4096 + req.alignment - 1) / req.alignment * req.alignment;
    VkMemoryAllocateInfo ai{};
    ai.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO;
    ai.allocationSize = offset + req.size;
    ai.memoryTypeIndex = uint32_t(type);
    REQUIRE(vk.vkAllocateMemory(vk.device, &ai, nullptr, &memory) == VK_SUCCESS);
    REQUIRE(vk.vkBindBufferMemory(vk.device, buffer, memory, offset) == VK_SUCCESS);
    void* p = nullptr;
    REQUIRE(vk.vkMapMemory(vk.device, memory, 0, VK_WHOLE_SIZE, 0, &p) == VK_SUCCESS);
    mapped = static_cast<uint8_t*>(p);
  }
  ~ExternalBuffer() {
    vk.vkUnmapMemory(vk.device, memory);
    vk.vkDestroyBuffer(vk.device, buffer, nullptr);
    vk.vkFreeMemory(vk.device, memory, nullptr);
  }
  ExternalBuffer(const ExternalBuffer&) = delete;
  ExternalBuffer& operator=(const ExternalBuffer&) = delete;

  ahal_native_buffer_t native(uint64_t size, VkDevice device) const {
    ahal_native_buffer_t n{};
    n.struct_size = sizeof(n);
    n.kind = AHAL_NATIVE_HANDLE_VULKAN_BUFFER;
    n.handle = reinterpret_cast<uint64_t>(buffer);
    n.memory = reinterpret_cast<uint64_t>(memory);
    n.memory_offset = offset;
    n.size = size;
    n.context = reinterpret_cast<uint64_t>(device);
    return n;
  }
};

VkDevice vk_device(const ahal_native_buffer_t& n) { return reinterpret_cast<VkDevice>(n.context); }

}  // namespace

TEST_CASE("a buffer's native handle is its VkBuffer, bound to its VkDeviceMemory") {
  Fixture f;
  const size_t words = 1024;
  const auto data = pattern(words, 1);
  ahal_buffer_t b = f.upload(data);
  const ahal_native_buffer_t n = f.native(b);
  CHECK(n.kind == AHAL_NATIVE_HANDLE_VULKAN_BUFFER);
  CHECK(n.handle != 0);
  CHECK(n.memory != 0);
  CHECK(n.context != 0);
  CHECK(n.size == words * 4);
  CHECK((n.flags & AHAL_MEMORY_HOST_VISIBLE) == 0);
  CHECK(n.device_ordinal == 0);

  // Vulkan knows the buffer: its memory requirements cover the size, and
  // the reported offset honours its alignment.
  Vulkan vk(f.props.name, vk_device(n));
  VkMemoryRequirements req{};
  vk.vkGetBufferMemoryRequirements(vk.device, reinterpret_cast<VkBuffer>(n.handle), &req);
  CHECK(req.size >= n.size);
  REQUIRE(req.alignment > 0);
  CHECK(n.memory_offset % req.alignment == 0);

  // The handle names the real memory: imported as a second ahal buffer, it
  // reads what was written through the first, and writes land there.
  ahal_buffer_t alias = nullptr;
  AHAL_TEST_OK(ahal_buffer_import_native(f.device, &n, &alias));
  CHECK(f.read(alias, words) == data);
  const auto other = pattern(words, 2);
  AHAL_TEST_OK(ahal_stream_copy_h2d(f.stream, other.data(), alias, 0, words * 4));
  CHECK(f.read(b, words) == other);
  AHAL_TEST_OK(ahal_buffer_destroy(alias));
  // Destroying the alias left the original alone.
  CHECK(f.read(b, words) == other);
  AHAL_TEST_OK(ahal_buffer_destroy(b));
}

TEST_CASE("ahal_buffer_host_address: the mapped memory where it is host memory") {
  Fixture f;
  const size_t words = 1024;
  ahal_buffer_t b = f.upload(pattern(words, 5));
  const ahal_native_buffer_t n = f.native(b);
  Vulkan vk(f.props.name, vk_device(n));
  void* p = nullptr;
  const ahal_status_t s = ahal_buffer_host_address(b, &p);
  // Memory type of the buffer's VkDeviceMemory: lavapipe has one type,
  // host-visible, coherent and cached.
  constexpr VkMemoryPropertyFlags kHostMemory = VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT |
                                                VK_MEMORY_PROPERTY_HOST_COHERENT_BIT |
                                                VK_MEMORY_PROPERTY_HOST_CACHED_BIT;
  bool every_type_is_host_memory = vk.memory.memoryTypeCount > 0;
  for (uint32_t i = 0; i < vk.memory.memoryTypeCount; ++i)
    if ((vk.memory.memoryTypes[i].propertyFlags & kHostMemory) != kHostMemory)
      every_type_is_host_memory = false;
  if (!every_type_is_host_memory && s == AHAL_ERROR_UNSUPPORTED) {
    CHECK(std::string(ahal_last_error_message()).find("host-cached") != std::string::npos);
    AHAL_TEST_OK(ahal_buffer_destroy(b));
    return;
  }
  AHAL_TEST_OK(s);
  REQUIRE(p != nullptr);
  // The pointer reads what the stream wrote, and the stream sees what the
  // host wrote, ordered by synchronize.
  auto* words_p = static_cast<uint32_t*>(p);
  CHECK(std::vector<uint32_t>(words_p, words_p + words) == pattern(words, 5));
  words_p[9] = 0xfeedbeef;
  CHECK(f.read(b, words)[9] == 0xfeedbeef);
  const uint32_t fill = 0x01020304u;
  AHAL_TEST_OK(ahal_stream_fill(f.stream, b, 0, 64, &fill, 4));
  AHAL_TEST_OK(ahal_stream_synchronize(f.stream));
  CHECK(words_p[15] == fill);
  AHAL_TEST_OK(ahal_buffer_destroy(b));

  // An imported buffer is its owner's memory, which ahal never maps.
  ExternalBuffer ext(vk, 4096);
  ahal_buffer_t imported = nullptr;
  const ahal_native_buffer_t en = ext.native(4096, vk_device(n));
  AHAL_TEST_OK(ahal_buffer_import_native(f.device, &en, &imported));
  CHECK(ahal_buffer_host_address(imported, &p) == AHAL_ERROR_UNSUPPORTED);
  CHECK(p == nullptr);
  AHAL_TEST_OK(ahal_buffer_destroy(imported));
}

TEST_CASE("an external VkBuffer is imported, used and left to its owner") {
  Fixture f;
  ahal_buffer_t probe = f.buffer(256);
  const VkDevice device = vk_device(f.native(probe));
  AHAL_TEST_OK(ahal_buffer_destroy(probe));
  Vulkan vk(f.props.name, device);
  const size_t words = 4096;
  const uint64_t bytes = words * 4;
  ExternalBuffer ext(vk, bytes);
  const auto mine = pattern(words, 3);
  std::memcpy(ext.mapped + ext.offset, mine.data(), bytes);

  const ahal_native_buffer_t n = ext.native(bytes, device);
  ahal_buffer_t b = nullptr;
  AHAL_TEST_OK(ahal_buffer_import_native(f.device, &n, &b));
  uint64_t size = 0;
  AHAL_TEST_OK(ahal_buffer_size(b, &size));
  CHECK(size == bytes);
  // ahal reads what the owner wrote through its own mapping ...
  CHECK(f.read(b, words) == mine);
  // ... and the owner sees what ahal's stream wrote: a copy from an ahal
  // buffer, then a fill of the first 64 bytes.
  const auto theirs = pattern(words, 4);
  ahal_buffer_t src = f.upload(theirs);
  AHAL_TEST_OK(ahal_stream_copy_d2d(f.stream, src, 0, b, 0, bytes));
  const uint32_t fill = 0xa5a5a5a5u;
  AHAL_TEST_OK(ahal_stream_fill(f.stream, b, 0, 64, &fill, 4));
  AHAL_TEST_OK(ahal_stream_synchronize(f.stream));
  std::vector<uint32_t> seen(words);
  std::memcpy(seen.data(), ext.mapped + ext.offset, bytes);
  auto expected = theirs;
  for (size_t i = 0; i < 16; ++i) expected[i] = fill;
  CHECK(seen == expected);
  // Its native handle is the one imported.
  const ahal_native_buffer_t back = f.native(b);
  CHECK(back.handle == n.handle);
  CHECK(back.memory == n.memory);
  CHECK(back.memory_offset == n.memory_offset);
  // Destroying the ahal buffer frees nothing: the owner's mapping still
  // reads the data, and its own vkDestroyBuffer/vkFreeMemory (in ~ExternalBuffer) follow.
  AHAL_TEST_OK(ahal_buffer_destroy(b));
  AHAL_TEST_OK(ahal_buffer_destroy(src));
  std::memcpy(seen.data(), ext.mapped + ext.offset, bytes);
  CHECK(seen == expected);
}

TEST_CASE("bad Vulkan imports are refused with a message") {
  Fixture f;
  ahal_buffer_t probe = f.buffer(256);
  const ahal_native_buffer_t good = f.native(probe);
  auto refused = [&](ahal_native_buffer_t n, ahal_status_t expected, const char* words) {
    ahal_buffer_t b = nullptr;
    const ahal_status_t status = ahal_buffer_import_native(f.device, &n, &b);
    const std::string message = ahal_last_error_message();
    INFO(message);
    CHECK(status == expected);
    CHECK(b == nullptr);
    CHECK(message.find(words) != std::string::npos);
  };
  ahal_native_buffer_t n = good;
  n.kind = AHAL_NATIVE_HANDLE_CUDA_DEVICE_POINTER;
  n.memory = 0;
  refused(n, AHAL_ERROR_UNSUPPORTED, "imports only AHAL_NATIVE_HANDLE_VULKAN_BUFFER");
  n = good;
  n.context = 0;
  refused(n, AHAL_ERROR_INVALID_ARGUMENT, "is not the VkDevice");
  n = good;
  n.size = 1 << 20;
  refused(n, AHAL_ERROR_INVALID_ARGUMENT, "larger than the VkBuffer");
  n = good;
  n.flags = AHAL_MEMORY_HOST_VISIBLE;
  refused(n, AHAL_ERROR_UNSUPPORTED, "HOST_VISIBLE");
  n = good;
  n.memory = 0;
  refused(n, AHAL_ERROR_INVALID_ARGUMENT, "native->memory is 0");
  AHAL_TEST_OK(ahal_buffer_destroy(probe));
}

int main(int argc, char** argv) {
  if (!ahal_test::find_device(AHAL_TEST_PLUGIN_DIR, "vulkan", "vulkan:0", nullptr,
                              AHAL_RUNTIME_NO_DEFAULT_PATHS | AHAL_RUNTIME_IGNORE_ENVIRONMENT))
    return 77;
  return Catch::Session().run(argc, argv);
}
