// The OpenCL plugin called straight through its dispatch table, with a host
// that records the plugin's log: device properties against clGetDeviceInfo,
// image scores, the module cache, build failures and the sub-buffer cache
// (the test sees the plugin's own structs for that one).
// Exits 77 (skipped) when there is no OpenCL device.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include "objects.hpp"  // white-box: the buffer's sub-buffer cache
#include "plugin_test_support.hpp"

#include <dirent.h>
#include <dlfcn.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>

namespace {

std::mutex g_log_mutex;
std::vector<std::string> g_log;
thread_local std::string g_error;

void record_error(const char* message) { g_error = message; }
void record_log(ahal_log_level_t, const char*, const char* message) {
  std::lock_guard<std::mutex> lock(g_log_mutex);
  g_log.push_back(message);
}
size_t count_log(const std::string& needle) {
  std::lock_guard<std::mutex> lock(g_log_mutex);
  size_t n = 0;
  for (const auto& line : g_log) n += line.find(needle) != std::string::npos;
  return n;
}

const ahal_plugin_host_t kHost = {sizeof(ahal_plugin_host_t), AHAL_PLUGIN_ABI_VERSION,
                                  AHAL_API_VERSION, record_error, record_log};

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string make_temp_dir() {
  char tmpl[] = "/tmp/ahal-opencl-test-XXXXXX";
  REQUIRE(mkdtemp(tmpl) != nullptr);
  return tmpl;
}

std::vector<std::string> list_dir(const std::string& dir) {
  std::vector<std::string> names;
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* e = readdir(d)) {
      if (e->d_name[0] != '.') names.push_back(e->d_name);
    }
    closedir(d);
  }
  return names;
}

void remove_dir(const std::string& dir) {
  for (const auto& name : list_dir(dir)) unlink((dir + "/" + name).c_str());
  rmdir(dir.c_str());
}

// The plugin, initialized and with device 0 open.
struct Plugin {
  void* handle = nullptr;
  ahal_plugin_api_t api{};
  ahal_plugin_instance_t* instance = nullptr;
  ahal_plugin_device_t* device = nullptr;
  ahal_status_t init_status = AHAL_ERROR_INTERNAL;

  explicit Plugin(const std::string& cache_dir = "") {
    handle = dlopen(AHAL_OPENCL_PLUGIN_FILE, RTLD_NOW | RTLD_LOCAL);
    REQUIRE(handle != nullptr);
    auto query = reinterpret_cast<ahal_plugin_query_fn>(dlsym(handle, AHAL_PLUGIN_QUERY_SYMBOL));
    REQUIRE(query != nullptr);
    api.struct_size = sizeof(api);
    REQUIRE(query(AHAL_PLUGIN_ABI_VERSION, &api) == AHAL_SUCCESS);
    ahal_plugin_init_args_t args = {sizeof(args), AHAL_OPENCL_PLUGIN_FILE, cache_dir.c_str(), 0};
    init_status = api.plugin_init(&kHost, &args, &instance);
    if (init_status == AHAL_SUCCESS) REQUIRE(api.device_open(instance, 0, &device) == AHAL_SUCCESS);
  }
  ~Plugin() {
    if (device) api.device_close(device);
    if (instance) api.plugin_shutdown(instance);
    dlclose(handle);
  }

  ahal_status_t create_module(const std::string& source, const char* options,
                              ahal_plugin_module_t** out) {
    const ahal_plugin_module_args_t args = ahal_test::plugin_module_args(
        AHAL_MODULE_FORMAT_OPENCL_C, source.data(), source.size(), options);
    return api.module_create(device, &args, out);
  }
};

std::string cl_device_string(cl_device_id id, cl_device_info param) {
  size_t size = 0;
  clGetDeviceInfo(id, param, 0, nullptr, &size);
  std::string s(size, '\0');
  clGetDeviceInfo(id, param, size, s.data(), nullptr);
  s.resize(std::strlen(s.c_str()));
  return s;
}

cl_device_id first_cl_device() {
  cl_platform_id platform = nullptr;
  REQUIRE(clGetPlatformIDs(1, &platform, nullptr) == CL_SUCCESS);
  cl_device_id id = nullptr;
  REQUIRE(clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, 1, &id, nullptr) == CL_SUCCESS);
  return id;
}

const std::string kSmallSource =
    "__kernel void fill7(__global int* p) { p[get_global_id(0)] = 7; }\n";

// The plugin with fill7 built, a stream and a buffer of `slots` binding
// offset alignments, zeroed.
struct Fill7 {
  Plugin plugin;
  ahal_plugin_module_t* module = nullptr;
  ahal_plugin_kernel_t* kernel = nullptr;
  ahal_plugin_buffer_t* buffer = nullptr;
  ahal_plugin_stream_t* stream = nullptr;
  uint64_t align = 0;
  uint64_t size = 0;

  explicit Fill7(uint64_t slots) {
    REQUIRE(plugin.create_module(kSmallSource, "", &module) == AHAL_SUCCESS);
    REQUIRE(plugin.api.kernel_get(module, "fill7", &kernel) == AHAL_SUCCESS);
    ahal_device_properties_t p{};
    p.struct_size = sizeof(p);
    plugin.api.device_get_properties(plugin.device, &p);
    align = p.binding_offset_alignment;
    size = align * slots;
    ahal_buffer_args_t bargs = {sizeof(bargs), size, 0};
    REQUIRE(plugin.api.buffer_create(plugin.device, &bargs, &buffer) == AHAL_SUCCESS);
    REQUIRE(plugin.api.stream_create(plugin.device, nullptr, &stream) == AHAL_SUCCESS);
    REQUIRE(plugin.api.stream_fill(stream, buffer, 0, size, 0, 4) == AHAL_SUCCESS);
  }
  ~Fill7() {
    plugin.api.stream_destroy(stream);
    plugin.api.buffer_destroy(plugin.device, buffer);
    plugin.api.module_destroy(module);
  }
  Fill7(const Fill7&) = delete;
  Fill7& operator=(const Fill7&) = delete;

  // One work-item of fill7 on the word at `offset`.
  void launch_at(uint64_t offset) {
    ahal_plugin_binding_t binding = {buffer, offset, 4};
    ahal_plugin_launch_t launch{};
    launch.struct_size = sizeof(launch);
    for (int d = 0; d < 3; ++d) launch.grid[d] = launch.workgroup_size[d] = 1;
    launch.binding_count = 1;
    launch.bindings = &binding;
    REQUIRE(plugin.api.stream_launch(stream, kernel, &launch) == AHAL_SUCCESS);
  }
  // The buffer's words, once the stream ran.
  std::vector<int32_t> read() {
    std::vector<int32_t> host(size / 4, -1);
    REQUIRE(plugin.api.stream_copy_d2h(stream, buffer, 0, host.data(), size) == AHAL_SUCCESS);
    REQUIRE(plugin.api.stream_synchronize(stream) == AHAL_SUCCESS);
    return host;
  }
};

}  // namespace

TEST_CASE("properties are those clGetDeviceInfo reports") {
  Plugin plugin;
  ahal_device_properties_t p{};
  p.struct_size = sizeof(p);
  REQUIRE(plugin.api.device_get_properties(plugin.device, &p) == AHAL_SUCCESS);
  cl_device_id id = first_cl_device();
  CHECK(std::string(p.name) == cl_device_string(id, CL_DEVICE_NAME));
  CHECK(std::string(p.vendor) == cl_device_string(id, CL_DEVICE_VENDOR));
  CHECK(std::string(p.driver_version) == cl_device_string(id, CL_DRIVER_VERSION));
  cl_uint units = 0, align_bits = 0;
  cl_ulong global = 0, max_alloc = 0, local = 0;
  size_t wg = 0, timer = 0;
  cl_device_fp_config fp64 = 0;
  clGetDeviceInfo(id, CL_DEVICE_MAX_COMPUTE_UNITS, sizeof(units), &units, nullptr);
  clGetDeviceInfo(id, CL_DEVICE_MEM_BASE_ADDR_ALIGN, sizeof(align_bits), &align_bits, nullptr);
  clGetDeviceInfo(id, CL_DEVICE_GLOBAL_MEM_SIZE, sizeof(global), &global, nullptr);
  clGetDeviceInfo(id, CL_DEVICE_MAX_MEM_ALLOC_SIZE, sizeof(max_alloc), &max_alloc, nullptr);
  clGetDeviceInfo(id, CL_DEVICE_LOCAL_MEM_SIZE, sizeof(local), &local, nullptr);
  clGetDeviceInfo(id, CL_DEVICE_MAX_WORK_GROUP_SIZE, sizeof(wg), &wg, nullptr);
  clGetDeviceInfo(id, CL_DEVICE_PROFILING_TIMER_RESOLUTION, sizeof(timer), &timer, nullptr);
  clGetDeviceInfo(id, CL_DEVICE_DOUBLE_FP_CONFIG, sizeof(fp64), &fp64, nullptr);
  CHECK(p.compute_units == units);
  CHECK(p.global_memory_bytes == global);
  CHECK(p.max_allocation_bytes == max_alloc);
  CHECK(p.shared_memory_per_workgroup == local);
  CHECK(p.max_workgroup_size == wg);
  CHECK(p.binding_offset_alignment == align_bits / 8);
  CHECK(p.timestamp_resolution_ps == timer * 1000);
  CHECK(((p.features & AHAL_FEATURE_FP64) != 0) == (fp64 != 0));
  CHECK((p.features & AHAL_FEATURE_TIMESTAMPS) != 0);
  CHECK((p.features & AHAL_FEATURE_GENERAL_KERNELS) != 0);
  CHECK((p.module_formats & (1ull << AHAL_MODULE_FORMAT_OPENCL_C)) != 0);
  for (int i = 0; i < 3; ++i) {
    CHECK(p.max_workgroup_dims[i] >= 1);
    CHECK(p.max_workgroup_dims[i] <= p.max_workgroup_size);
    CHECK(p.max_grid_dims[i] >= 1);
  }
  CHECK(p.max_bindings >= 8);
  CHECK(p.max_constants_size >= 24);  // the largest standard kernel's constants
  CHECK(p.subgroup_size_min <= p.subgroup_size_max);
}

TEST_CASE("a small properties struct gets only the fields it has") {
  Plugin plugin;
  std::vector<unsigned char> raw(sizeof(ahal_device_properties_t) + 16, 0xab);
  auto* p = reinterpret_cast<ahal_device_properties_t*>(raw.data());
  p->struct_size = offsetof(ahal_device_properties_t, vendor);
  REQUIRE(plugin.api.device_get_properties(plugin.device, p) == AHAL_SUCCESS);
  CHECK(std::strlen(p->name) > 0);
  CHECK(raw[offsetof(ahal_device_properties_t, vendor)] == 0xab);
}

TEST_CASE("image scores prefer OpenCL C and refuse other formats") {
  Plugin plugin;
  int32_t cl_c = 0, spirv = 0, ptx = 1, foreign = 1;
  REQUIRE(plugin.api.image_score(plugin.device, AHAL_MODULE_FORMAT_OPENCL_C, "", &cl_c) ==
          AHAL_SUCCESS);
  REQUIRE(plugin.api.image_score(plugin.device, AHAL_MODULE_FORMAT_SPIRV_OPENCL, "", &spirv) ==
          AHAL_SUCCESS);
  REQUIRE(plugin.api.image_score(plugin.device, AHAL_MODULE_FORMAT_PTX, "", &ptx) == AHAL_SUCCESS);
  REQUIRE(plugin.api.image_score(plugin.device, AHAL_MODULE_FORMAT_OPENCL_C, "no-such-arch",
                                 &foreign) == AHAL_SUCCESS);
  CHECK(cl_c > 0);
  CHECK(cl_c > spirv);
  CHECK(ptx <= 0);
  CHECK(foreign <= 0);
  ahal_device_properties_t p{};
  p.struct_size = sizeof(p);
  plugin.api.device_get_properties(plugin.device, &p);
  bool takes_spirv = (p.module_formats & (1ull << AHAL_MODULE_FORMAT_SPIRV_OPENCL)) != 0;
  CHECK((spirv > 0) == takes_spirv);
}

TEST_CASE("a second module create loads the cached binary") {
  const std::string dir = make_temp_dir();
  {
    Plugin plugin(dir);
    const std::string source = read_text(AHAL_OPENCL_KERNELS_DIR "/standard.cl");
    REQUIRE(!source.empty());
    size_t stored = count_log("module cached:"), hits = count_log("module cache hit:");
    ahal_plugin_module_t* first = nullptr;
    REQUIRE(plugin.create_module(source, "", &first) == AHAL_SUCCESS);
    CHECK(count_log("module cached:") == stored + 1);
    CHECK(count_log("module cache hit:") == hits);
    CHECK(list_dir(dir).size() == 1);

    ahal_plugin_module_t* second = nullptr;
    REQUIRE(plugin.create_module(source, "", &second) == AHAL_SUCCESS);
    CHECK(count_log("module cache hit:") == hits + 1);
    CHECK(count_log("module cached:") == stored + 1);
    CHECK(list_dir(dir).size() == 1);
    // A kernel from the cached program works like one from source.
    ahal_plugin_kernel_t* kernel = nullptr;
    CHECK(plugin.api.kernel_get(second, "vector_add", &kernel) == AHAL_SUCCESS);

    // Other options are another program.
    ahal_plugin_module_t* third = nullptr;
    REQUIRE(plugin.create_module(source, "-cl-fast-relaxed-math", &third) == AHAL_SUCCESS);
    CHECK(list_dir(dir).size() == 2);
    plugin.api.module_destroy(first);
    plugin.api.module_destroy(second);
    plugin.api.module_destroy(third);
  }
  {
    // A new instance (as in a second run) hits the cache too.
    Plugin plugin(dir);
    size_t hits = count_log("module cache hit:");
    ahal_plugin_module_t* module = nullptr;
    REQUIRE(plugin.create_module(read_text(AHAL_OPENCL_KERNELS_DIR "/standard.cl"), "", &module) ==
            AHAL_SUCCESS);
    CHECK(count_log("module cache hit:") == hits + 1);
    plugin.api.module_destroy(module);
  }
  remove_dir(dir);
}

TEST_CASE("a corrupt cache entry is rebuilt, not loaded") {
  const std::string dir = make_temp_dir();
  Plugin plugin(dir);
  ahal_plugin_module_t* module = nullptr;
  REQUIRE(plugin.create_module(kSmallSource, "", &module) == AHAL_SUCCESS);
  plugin.api.module_destroy(module);
  auto files = list_dir(dir);
  REQUIRE(files.size() == 1);
  {
    std::ofstream out(dir + "/" + files[0], std::ios::binary | std::ios::trunc);
    out << "AHALCLB1 truncated";
  }
  size_t hits = count_log("module cache hit:"), stored = count_log("module cached:");
  REQUIRE(plugin.create_module(kSmallSource, "", &module) == AHAL_SUCCESS);
  CHECK(count_log("module cache hit:") == hits);
  CHECK(count_log("module cached:") == stored + 1);
  plugin.api.module_destroy(module);
  remove_dir(dir);
}

TEST_CASE("a build failure is BUILD_FAILED with the build log") {
  Plugin plugin;
  ahal_plugin_module_t* module = nullptr;
  const std::string bad = "__kernel void broken(__global int* p) { p[0] = no_such_symbol; }\n";
  CHECK(plugin.create_module(bad, "", &module) == AHAL_ERROR_BUILD_FAILED);
  CHECK(g_error.find("CL_BUILD_PROGRAM_FAILURE") != std::string::npos);
  CHECK(g_error.find("build log") != std::string::npos);
  CHECK(g_error.find("no_such_symbol") != std::string::npos);
}

TEST_CASE("an unknown kernel name is NOT_FOUND and names the kernel") {
  Plugin plugin;
  ahal_plugin_module_t* module = nullptr;
  REQUIRE(plugin.create_module(kSmallSource, "", &module) == AHAL_SUCCESS);
  ahal_plugin_kernel_t* kernel = nullptr;
  CHECK(plugin.api.kernel_get(module, "no_such_kernel", &kernel) == AHAL_ERROR_NOT_FOUND);
  CHECK(g_error.find("no_such_kernel") != std::string::npos);
  ahal_plugin_kernel_t* a = nullptr;
  ahal_plugin_kernel_t* b = nullptr;
  REQUIRE(plugin.api.kernel_get(module, "fill7", &a) == AHAL_SUCCESS);
  REQUIRE(plugin.api.kernel_get(module, "fill7", &b) == AHAL_SUCCESS);
  CHECK(a == b);
  plugin.api.module_destroy(module);
}

TEST_CASE("launches with binding offsets reuse one sub-buffer per offset") {
  Fill7 f(8);
  for (int round = 0; round < 3; ++round) {
    for (uint64_t offset : {uint64_t{0}, f.align, 3 * f.align}) f.launch_at(offset);
    // Offset 0 binds the buffer itself; each other offset made one
    // sub-buffer, in the first round only.
    CHECK(f.buffer->views.size() == 2);
  }
  const std::vector<int32_t> host = f.read();
  for (size_t i = 0; i < host.size(); ++i) {
    int32_t expected = (i == 0 || i * 4 == f.align || i * 4 == 3 * f.align) ? 7 : 0;
    CHECK(host[i] == expected);
  }
}

TEST_CASE("offsets beyond the sub-buffer cache get one sub-buffer per launch") {
  const uint64_t slots = ahal_plugin_buffer_s::kMaxViews + 20;
  Fill7 f(slots + 1);
  for (uint64_t slot = 1; slot <= slots; ++slot) f.launch_at(slot * f.align);
  CHECK(f.buffer->views.size() == ahal_plugin_buffer_s::kMaxViews);
  const std::vector<int32_t> host = f.read();
  for (uint64_t slot = 0; slot <= slots; ++slot) CHECK(host[slot * f.align / 4] == (slot ? 7 : 0));
}

namespace {

// Commands for a Fill7 of `slots` words-at-alignment: zero all, fill7 at
// slots 1..launches, copy slot 1's word to slot 0, a barrier.
struct Fill7Commands {
  std::vector<ahal_plugin_binding_t> bindings;
  std::vector<ahal_plugin_command_t> c;

  Fill7Commands(Fill7& f, uint32_t launches) : bindings(launches) {
    ahal_plugin_command_t fill{};
    fill.struct_size = sizeof(fill);
    fill.type = AHAL_PLUGIN_COMMAND_FILL;
    fill.dst = f.buffer;
    fill.size = f.size;
    fill.pattern_size = 4;
    c.push_back(fill);
    for (uint32_t i = 0; i < launches; ++i) {
      bindings[i] = {f.buffer, (i + 1) * f.align, 4};
      c.push_back(launch(f, &bindings[i]));
    }
    ahal_plugin_command_t copy{};
    copy.struct_size = sizeof(copy);
    copy.type = AHAL_PLUGIN_COMMAND_COPY_D2D;
    copy.src = f.buffer;
    copy.src_offset = f.align;
    copy.dst = f.buffer;
    copy.size = 4;
    c.push_back(copy);
    ahal_plugin_command_t barrier{};
    barrier.struct_size = sizeof(barrier);
    barrier.type = AHAL_PLUGIN_COMMAND_BARRIER;
    c.push_back(barrier);
  }
  static ahal_plugin_command_t launch(Fill7& f, const ahal_plugin_binding_t* binding) {
    ahal_plugin_command_t l{};
    l.struct_size = sizeof(l);
    l.type = AHAL_PLUGIN_COMMAND_LAUNCH;
    l.kernel = f.kernel;
    l.launch.struct_size = sizeof(l.launch);
    for (int d = 0; d < 3; ++d) l.launch.grid[d] = l.launch.workgroup_size[d] = 1;
    l.launch.binding_count = 1;
    l.launch.bindings = binding;
    return l;
  }
};

// The words a Fill7Commands run leaves: 7 at slots 0..launches, else 0.
void check_fill7(Fill7& f, uint32_t launches) {
  const std::vector<int32_t> host = f.read();
  for (size_t i = 0; i < host.size(); ++i) {
    INFO("word " << i);
    const bool slot = i * 4 % f.align == 0 && i * 4 / f.align <= launches;
    CHECK(host[i] == (slot ? 7 : 0));
  }
}

}  // namespace

// Short buffers are enqueued by the submitting thread, long ones (8
// commands and more) by the stream's ReplayThread; both are run here.
TEST_CASE("command buffers: prepared by default, cl_khr_command_buffer with =1, none with =0") {
  {
    setenv("AHAL_OPENCL_COMMAND_BUFFERS", "0", 1);
    Fill7 f(4);
    unsetenv("AHAL_OPENCL_COMMAND_BUFFERS");
    Fill7Commands cmds(f, 1);
    ahal_plugin_command_buffer_t* cb = nullptr;
    CHECK(f.plugin.api.command_buffer_create(f.plugin.device, cmds.c.data(),
                                             uint32_t(cmds.c.size()), 0,
                                             &cb) == AHAL_ERROR_UNSUPPORTED);
  }
  for (const char* mode : {"", "1"}) {
    for (uint32_t launches : {1u, 12u}) {
      INFO("AHAL_OPENCL_COMMAND_BUFFERS=" << mode << ", " << launches << " launches");
      setenv("AHAL_OPENCL_COMMAND_BUFFERS", mode, 1);
      Fill7 f(launches + 3);
      unsetenv("AHAL_OPENCL_COMMAND_BUFFERS");
      Plugin& plugin = f.plugin;
      Fill7Commands cmds(f, launches);
      ahal_plugin_command_buffer_t* cb = nullptr;
      REQUIRE(plugin.api.command_buffer_create(plugin.device, cmds.c.data(),
                                               uint32_t(cmds.c.size()), 0, &cb) == AHAL_SUCCESS);
      for (int round = 0; round < 3; ++round) {
        REQUIRE(plugin.api.stream_fill(f.stream, f.buffer, 0, f.size, 0x55, 4) == AHAL_SUCCESS);
        REQUIRE(plugin.api.command_buffer_submit(f.stream, cb) == AHAL_SUCCESS);
        REQUIRE(plugin.api.command_buffer_submit(f.stream, cb) == AHAL_SUCCESS);
        check_fill7(f, launches);
      }
      plugin.api.command_buffer_destroy(cb);
      // Host copies (and events) are not taken: the loader replays those.
      std::vector<int32_t> host(1);
      ahal_plugin_command_t h2d{};
      h2d.struct_size = sizeof(h2d);
      h2d.type = AHAL_PLUGIN_COMMAND_COPY_H2D;
      h2d.host_src = host.data();
      h2d.dst = f.buffer;
      h2d.size = 4;
      CHECK(plugin.api.command_buffer_create(plugin.device, &h2d, 1, 0, &cb) ==
            AHAL_ERROR_UNSUPPORTED);
    }
  }
}

TEST_CASE("prepared command buffers: submissions in flight, stream work between, updates") {
  for (uint32_t launches : {2u, 12u}) {
    INFO(launches << " launches");
    Fill7 f(launches + 3);
    Plugin& plugin = f.plugin;
    Fill7Commands cmds(f, launches);
    ahal_plugin_command_buffer_t* cb = nullptr;
    REQUIRE(plugin.api.command_buffer_create(plugin.device, cmds.c.data(), uint32_t(cmds.c.size()),
                                             0, &cb) == AHAL_SUCCESS);
    // Stream work between submissions runs in its place: each fill undoes
    // the submission before, the last submission leaves its words.
    for (int i = 0; i < 20; ++i) {
      REQUIRE(plugin.api.stream_fill(f.stream, f.buffer, 0, f.size, 0x55, 4) == AHAL_SUCCESS);
      REQUIRE(plugin.api.command_buffer_submit(f.stream, cb) == AHAL_SUCCESS);
    }
    check_fill7(f, launches);
    // Move the last launch one slot on. Its arguments are its own (the
    // launches' offsets differ), so the update sets them again in place.
    const uint32_t last = launches;  // command index of the last launch
    ahal_plugin_binding_t moved = {f.buffer, (launches + 1) * f.align, 4};
    const ahal_plugin_command_t update = Fill7Commands::launch(f, &moved);
    REQUIRE(plugin.api.command_buffer_update(cb, last, &update) == AHAL_SUCCESS);
    REQUIRE(plugin.api.stream_fill(f.stream, f.buffer, 0, f.size, 0, 4) == AHAL_SUCCESS);
    REQUIRE(plugin.api.command_buffer_submit(f.stream, cb) == AHAL_SUCCESS);
    const std::vector<int32_t> host = f.read();
    for (uint32_t slot = 0; slot <= launches + 1; ++slot) {
      INFO("slot " << slot);
      CHECK(host[slot * f.align / 4] == (slot == launches ? 0 : 7));
    }
    plugin.api.command_buffer_destroy(cb);
  }
}

TEST_CASE("prepared command buffers: equal launches share a kernel, an update parts them") {
  Fill7 f(3);
  Plugin& plugin = f.plugin;
  ahal_plugin_binding_t at1 = {f.buffer, f.align, 4};
  std::vector<ahal_plugin_command_t> c(10, Fill7Commands::launch(f, &at1));
  ahal_plugin_command_buffer_t* cb = nullptr;
  REQUIRE(plugin.api.command_buffer_create(plugin.device, c.data(), uint32_t(c.size()), 0, &cb) ==
          AHAL_SUCCESS);
  ahal_plugin_binding_t at2 = {f.buffer, 2 * f.align, 4};
  const ahal_plugin_command_t update = Fill7Commands::launch(f, &at2);
  REQUIRE(plugin.api.command_buffer_update(cb, 9, &update) == AHAL_SUCCESS);
  REQUIRE(plugin.api.command_buffer_submit(f.stream, cb) == AHAL_SUCCESS);
  const std::vector<int32_t> host = f.read();
  CHECK(host[0] == 0);
  CHECK(host[f.align / 4] == 7);
  CHECK(host[2 * f.align / 4] == 7);
  // Only command 9 moved: after a second update of command 0 alone, slot 1
  // still gets its 7 from commands 1-8.
  REQUIRE(plugin.api.stream_fill(f.stream, f.buffer, 0, f.size, 0, 4) == AHAL_SUCCESS);
  ahal_plugin_binding_t at0 = {f.buffer, 0, 4};
  const ahal_plugin_command_t update0 = Fill7Commands::launch(f, &at0);
  REQUIRE(plugin.api.command_buffer_update(cb, 0, &update0) == AHAL_SUCCESS);
  REQUIRE(plugin.api.command_buffer_submit(f.stream, cb) == AHAL_SUCCESS);
  const std::vector<int32_t> again = f.read();
  CHECK(again[0] == 7);
  CHECK(again[f.align / 4] == 7);
  CHECK(again[2 * f.align / 4] == 7);
  plugin.api.command_buffer_destroy(cb);
}

TEST_CASE("without OpenCL platforms there are no devices and a reason", "[.no-platforms]") {
  Plugin plugin;
  CHECK(plugin.init_status == AHAL_ERROR_NOT_FOUND);
  CHECK(g_error == "no OpenCL platforms");
  CHECK(plugin.instance == nullptr);
}

// Whether the plugin finds a device (no Catch2 assertions: runs before the session).
bool device_present(std::string* reason) {
  void* handle = dlopen(AHAL_OPENCL_PLUGIN_FILE, RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    *reason = dlerror();
    return false;
  }
  auto query = reinterpret_cast<ahal_plugin_query_fn>(dlsym(handle, AHAL_PLUGIN_QUERY_SYMBOL));
  ahal_plugin_api_t api{};
  api.struct_size = sizeof(api);
  ahal_plugin_instance_t* instance = nullptr;
  ahal_plugin_init_args_t args = {sizeof(args), AHAL_OPENCL_PLUGIN_FILE, "", 0};
  bool found = query && query(AHAL_PLUGIN_ABI_VERSION, &api) == AHAL_SUCCESS &&
               api.plugin_init(&kHost, &args, &instance) == AHAL_SUCCESS;
  if (instance) api.plugin_shutdown(instance);
  *reason = g_error;
  dlclose(handle);
  return found;
}

int main(int argc, char** argv) {
  std::string reason;
  if (!std::getenv("AHAL_OPENCL_TEST_NO_PLATFORMS") && !device_present(&reason)) {
    std::printf("SKIP: no OpenCL device: %s\n", reason.c_str());
    return 77;
  }
  return Catch::Session().run(argc, argv);
}
