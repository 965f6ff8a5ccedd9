// Unit tests of the simulator's engines and of ahal_plugin_query, without
// the loader: the arena allocator, the DMA engine and its bandwidth model,
// fences and command processors.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include "command_processor.hpp"
#include "device_memory.hpp"
#include "dma_engine.hpp"
#include "fence.hpp"

#include <ahal/plugin.h>

#include <chrono>
#include <cstddef>
#include <cstring>
#include <dlfcn.h>
#include <string>
#include <thread>
#include <vector>

using asic_sim::DeviceMemory;

TEST_CASE("arena hands out the lowest range that fits, aligned", "[memory]") {
  DeviceMemory memory(4096);
  auto a = memory.allocate(100);  // rounded to 256
  auto b = memory.allocate(256);
  auto c = memory.allocate(1000);  // rounded to 1024
  REQUIRE(a);
  REQUIRE(b);
  REQUIRE(c);
  CHECK(*a == 0);
  CHECK(*b == 256);
  CHECK(*c == 512);
  CHECK(memory.used() == 256 + 256 + 1024);

  // Free the first range: a small request fits there again (first fit),
  // a larger one goes past the allocations.
  memory.release(*a);
  CHECK(memory.allocate(200) == std::optional<uint64_t>(0));
  CHECK(memory.allocate(300) == std::optional<uint64_t>(1536));
}

TEST_CASE("arena merges freed neighbours into one range", "[memory]") {
  DeviceMemory memory(4 * 1024);
  std::vector<uint64_t> blocks;
  for (int i = 0; i < 4; ++i) blocks.push_back(memory.allocate(1024).value());
  CHECK_FALSE(memory.allocate(1));  // full
  CHECK(memory.largest_free_range() == 0);

  // Free 1 and 3, then 2: only merging on both sides gives 3 KiB in one piece.
  memory.release(blocks[1]);
  memory.release(blocks[3]);
  CHECK(memory.largest_free_range() == 1024);
  CHECK_FALSE(memory.allocate(2048));
  memory.release(blocks[2]);
  CHECK(memory.largest_free_range() == 3072);
  CHECK(memory.allocate(3072) == std::optional<uint64_t>(1024));

  // Everything back: the arena is one range again.
  memory.release(blocks[0]);
  memory.release(1024);
  CHECK(memory.used() == 0);
  CHECK(memory.largest_free_range() == 4096);
}

TEST_CASE("arena refuses what does not fit", "[memory]") {
  DeviceMemory memory(1 << 20);
  CHECK_FALSE(memory.allocate((1 << 20) + 1));
  CHECK_FALSE(memory.allocate(0));
  REQUIRE(memory.allocate(1 << 20));
  CHECK_FALSE(memory.allocate(256));
}

TEST_CASE("DMA engine copies and fills bytes", "[dma]") {
  asic_sim::DmaEngine dma(100e9);
  std::vector<uint8_t> src(1000), dst(1000, 0);
  for (size_t i = 0; i < src.size(); ++i) src[i] = static_cast<uint8_t>(i * 7);
  dma.copy(dst.data() + 10, src.data() + 3, 500);
  for (size_t i = 0; i < dst.size(); ++i) {
    uint8_t expected = (i >= 10 && i < 510) ? src[i - 7] : 0;
    REQUIRE(dst[i] == expected);
  }

  std::vector<uint16_t> halves(33, 0);
  dma.fill(halves.data() + 1, 31 * 2, 0xBEEF, 2);
  CHECK(halves[0] == 0);
  CHECK(halves[32] == 0);
  for (int i = 1; i < 32; ++i) REQUIRE(halves[i] == 0xBEEF);

  std::vector<uint32_t> words(7, 0);
  dma.fill(words.data(), 7 * 4, 0xDEADBEEF, 4);
  for (uint32_t w : words) REQUIRE(w == 0xDEADBEEF);

  std::vector<uint8_t> bytes(5, 0);
  dma.fill(bytes.data() + 1, 3, 0x1234AB, 1);  // only the low byte counts
  CHECK(bytes == std::vector<uint8_t>{0, 0xAB, 0xAB, 0xAB, 0});
}

TEST_CASE("DMA engine honours its bandwidth model", "[dma]") {
  // 8 MiB at 2 GB/s: at least 4.19 ms, however fast memcpy is.
  asic_sim::DmaEngine dma(2e9);
  std::vector<std::byte> src(8 << 20), dst(8 << 20);
  auto start = std::chrono::steady_clock::now();
  dma.copy(dst.data(), src.data(), src.size());
  auto elapsed = std::chrono::steady_clock::now() - start;
  CHECK(elapsed >= std::chrono::microseconds(4100));
}

TEST_CASE("fence completes at the last record, in any signal order", "[fence]") {
  asic_sim::Fence fence;
  CHECK(fence.last_armed() == 0);
  CHECK(fence.reached(0));
  CHECK_FALSE(fence.completion_time_ns());  // never recorded

  uint64_t first = fence.arm();
  uint64_t second = fence.arm();
  CHECK(second == first + 1);
  CHECK_FALSE(fence.reached(second));

  fence.signal(second, 200);  // the later record finishes first
  CHECK(fence.reached(second));
  fence.signal(first, 300);  // an older record must not move it back
  CHECK(fence.reached(second));
  CHECK(fence.completion_time_ns() == std::optional<uint64_t>(200));

  uint64_t third = fence.arm();
  CHECK_FALSE(fence.completion_time_ns());
  CHECK_FALSE(fence.wait_for(third, std::chrono::milliseconds(1)));
  std::thread signaller([&] { fence.signal(third, 400); });
  fence.wait(third);
  signaller.join();
  CHECK(fence.completion_time_ns() == std::optional<uint64_t>(400));
}

TEST_CASE("command processor runs commands in order, off the caller's thread", "[stream]") {
  asic_sim::CommandProcessor processor("test-cp");
  std::vector<int> order;
  std::thread::id caller = std::this_thread::get_id();
  bool other_thread = true;
  for (int i = 0; i < 100; ++i) {
    processor.submit([&, i] {
      order.push_back(i);
      other_thread = other_thread && std::this_thread::get_id() != caller;
    });
  }
  processor.synchronize();
  CHECK(processor.idle());
  REQUIRE(order.size() == 100);
  for (int i = 0; i < 100; ++i) REQUIRE(order[i] == i);
  CHECK(other_thread);
}

namespace {

// The plugin's file, opened as the loader does.
class PluginFile {
 public:
  PluginFile() : library_(dlopen(ASIC_SIM_PLUGIN_FILE, RTLD_NOW | RTLD_LOCAL)) {
    REQUIRE(library_ != nullptr);
    query = reinterpret_cast<ahal_plugin_query_fn>(dlsym(library_, AHAL_PLUGIN_QUERY_SYMBOL));
    REQUIRE(query != nullptr);
  }
  ~PluginFile() { dlclose(library_); }

  ahal_plugin_query_fn query;

 private:
  void* library_;
};

thread_local std::string last_message;
void remember_message(const char* message) { last_message = message; }

}  // namespace

// ABI rule 1 seen from the loader's side: the plugin copies no more of its
// table than the loader has room for, and refuses another major version.
TEST_CASE("ahal_plugin_query copies at most the loader's table", "[abi]") {
  PluginFile plugin;
  ahal_plugin_query_fn query = plugin.query;

  ahal_plugin_api_t full{};
  full.struct_size = sizeof(full);
  REQUIRE(query(AHAL_PLUGIN_ABI_VERSION, &full) == AHAL_SUCCESS);
  CHECK(full.struct_size == sizeof(full));
  CHECK(std::strcmp(full.name, "asic_sim") == 0);
  CHECK(full.module_create == nullptr);
  CHECK(full.kernel_get_builtin != nullptr);
  CHECK(full.device_memory_usage != nullptr);

  // A 1.0 loader's table ends before device_memory_usage; the bytes
  // after it must stay as the loader left them.
  ahal_plugin_api_t old_table;
  std::memset(&old_table, 0xAA, sizeof(old_table));
  size_t old_size = offsetof(ahal_plugin_api_t, device_memory_usage);
  old_table.struct_size = old_size;
  REQUIRE(query(uint32_t{AHAL_PLUGIN_ABI_MAJOR} << 16, &old_table) == AHAL_SUCCESS);
  CHECK(old_table.struct_size == old_size);
  CHECK(old_table.plugin_init == full.plugin_init);
  const auto* bytes = reinterpret_cast<const unsigned char*>(&old_table);
  for (size_t i = old_size; i < sizeof(old_table); ++i) REQUIRE(bytes[i] == 0xAA);

  ahal_plugin_api_t other_major{};
  other_major.struct_size = sizeof(other_major);
  CHECK(query((AHAL_PLUGIN_ABI_MAJOR + 1u) << 16, &other_major) == AHAL_ERROR_INCOMPATIBLE);

  // A table too small for a single entry is refused and left alone.
  ahal_plugin_api_t tiny{};
  tiny.struct_size = offsetof(ahal_plugin_api_t, plugin_init) - 1;
  CHECK(query(AHAL_PLUGIN_ABI_VERSION, &tiny) == AHAL_ERROR_INCOMPATIBLE);
  CHECK(tiny.name == nullptr);
}

// What only the dispatch table shows: the loader never passes these calls on.
TEST_CASE("buffer_map answers UNSUPPORTED with a message", "[abi]") {
  PluginFile plugin;
  ahal_plugin_api_t api{};
  api.struct_size = sizeof(api);
  REQUIRE(plugin.query(AHAL_PLUGIN_ABI_VERSION, &api) == AHAL_SUCCESS);

  ahal_plugin_host_t host{};
  host.struct_size = sizeof(host);
  host.loader_abi_version = AHAL_PLUGIN_ABI_VERSION;
  host.set_error_message = remember_message;
  ahal_plugin_init_args_t init{};
  init.struct_size = sizeof(init);
  init.plugin_path = ASIC_SIM_PLUGIN_FILE;
  init.cache_dir = "";
  ahal_plugin_instance_t* instance = nullptr;
  REQUIRE(api.plugin_init(&host, &init, &instance) == AHAL_SUCCESS);
  ahal_plugin_device_t* device = nullptr;
  REQUIRE(api.device_open(instance, 0, &device) == AHAL_SUCCESS);
  ahal_buffer_args_t args{};
  args.struct_size = sizeof(args);
  args.size = 4096;
  ahal_plugin_buffer_t* buffer = nullptr;
  REQUIRE(api.buffer_create(device, &args, &buffer) == AHAL_SUCCESS);

  void* pointer = nullptr;
  last_message.clear();
  CHECK(api.buffer_map(device, buffer, 0, 4096, &pointer) == AHAL_ERROR_UNSUPPORTED);
  CHECK(pointer == nullptr);
  CHECK(last_message.find("cannot be mapped") != std::string::npos);

  api.buffer_destroy(device, buffer);
  api.device_close(device);
  api.plugin_shutdown(instance);
}
