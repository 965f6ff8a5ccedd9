// errors: every entry point given bad handles (NULL, garbage, destroyed, of
// another type), NULL pointers, wrong struct_size and out-of-range values
// returns the documented status with a message naming the function, and
// the device keeps working.
#include "harness.hpp"

#include <cstddef>
#include <thread>

namespace {

using namespace conform;

// Readable memory that is no ahal object.
void* garbage() {
  alignas(64) static unsigned char block[1024];
  static bool filled = [] {
    Rng rng(0x9a7ba9e);
    std::vector<uint8_t> bytes = rng.bytes(sizeof(block));
    std::memcpy(block, bytes.data(), sizeof(block));
    return true;
  }();
  (void)filled;
  return block;
}

// Checks the status and, for a failure, that the message starts with `fn`
// (docs/abi.md).
void expect(ahal_status_t got, ahal_status_t want, const char* fn, const std::string& what) {
  std::string message = ahal_last_error_message();
  if (got != want)
    fail("%s with %s returned %s, expected %s%s%s", fn, what.c_str(), ahal_status_string(got),
         ahal_status_string(want), got > AHAL_NOT_READY ? ": " : "",
         got > AHAL_NOT_READY ? message.c_str() : "");
  if (want <= AHAL_NOT_READY) return;
  if (message.empty())
    fail("%s with %s returned %s but set no message", fn, what.c_str(), ahal_status_string(got));
  if (message.rfind(fn, 0) != 0)
    fail("%s with %s: the message does not start with the function's name: \"%s\"", fn,
         what.c_str(), message.c_str());
}

// Live objects a test passes where another handle type is expected.
struct Live {
  explicit Live(Context& ctx)
      : stream(ctx.stream()), buffer(ctx.buffer(4096)), event(ctx.event()) {}
  Stream stream;
  Buffer buffer;
  Event event;
};

template <typename H>
std::vector<std::pair<std::string, H>> bad_handles(H destroyed, void* other_type) {
  std::vector<std::pair<std::string, H>> v = {
      {"a NULL handle", nullptr},
      {"a garbage handle", static_cast<H>(garbage())},
      {"a handle of another type", static_cast<H>(other_type)}};
  if (destroyed) v.push_back({"a destroyed handle", destroyed});
  return v;
}

ahal_buffer_t dead_buffer(Context& ctx) {
  ahal_buffer_t h = ctx.buffer(64).release();
  ahal_buffer_destroy(h);
  return h;
}
ahal_stream_t dead_stream(Context& ctx) {
  ahal_stream_t h = ctx.stream().release();
  ahal_stream_destroy(h);
  return h;
}
ahal_event_t dead_event(Context& ctx) {
  ahal_event_t h = ctx.event().release();
  ahal_event_destroy(h);
  return h;
}
ahal_host_alloc_t dead_host_alloc(Context& ctx) {
  void* p = nullptr;
  ahal_host_alloc_t h = ctx.host_alloc(64, &p).release();
  ahal_host_free(h);
  return h;
}
// A module and one of its kernels, both destroyed (NULL without modules).
std::pair<ahal_module_t, ahal_kernel_t> dead_module(Context& ctx) {
  if (!ctx.has(AHAL_FEATURE_GENERAL_KERNELS)) return {nullptr, nullptr};
  try {
    ctx.kernels_module();
  } catch (const TestSkip&) {
    return {nullptr, nullptr};
  }
  ahal_module_args_t args{};
  args.struct_size = sizeof(args);
  args.format = AHAL_MODULE_FORMAT_BUNDLE;
  args.path = ctx.bundle_path().c_str();
  ahal_module_t m = nullptr;
  ahal_kernel_t k = nullptr;
  CHECK_OK(ahal_module_create(ctx.device(), &args, &m));
  CHECK_OK(ahal_kernel_get(m, "vector_add", &k));
  ahal_module_destroy(m);
  return {m, k};
}
// A runtime and one of its devices, both destroyed with the runtime.
std::pair<ahal_runtime_t, ahal_device_t> dead_runtime() {
  ahal_runtime_t rt = nullptr;
  ahal_device_t d = nullptr;
  CHECK_OK(ahal_runtime_create(nullptr, &rt));
  uint32_t count = 0;
  CHECK_OK(ahal_runtime_device_count(rt, &count));
  if (count) CHECK_OK(ahal_runtime_device_get(rt, 0, &d));
  ahal_runtime_destroy(rt);
  return {rt, d};
}

#define EXPECT(call, want, fn, what) expect((call), want, fn, what)
#define BAD(var, list) for (const auto& [what_##var, var] : list)

// ------------------------------------------------------------ runtime

CONFORM_TEST(runtime, "errors.runtime", core, 0) {
  auto [rt_dead, dev_dead] = dead_runtime();
  (void)dev_dead;
  ahal_runtime_t rt = ctx.runtime();
  auto bad = bad_handles<ahal_runtime_t>(rt_dead, ctx.device());
  uint32_t n = 0;
  const char* path = nullptr;
  ahal_plugin_info_t info{};
  info.struct_size = sizeof(info);
  ahal_device_t d = nullptr;
  BAD(h, bad) {
    EXPECT(ahal_runtime_plugin_count(h, &n), AHAL_ERROR_INVALID_HANDLE, "ahal_runtime_plugin_count",
           what_h);
    EXPECT(ahal_runtime_plugin_info(h, 0, &info), AHAL_ERROR_INVALID_HANDLE,
           "ahal_runtime_plugin_info", what_h);
    EXPECT(ahal_runtime_search_path(h, &path), AHAL_ERROR_INVALID_HANDLE,
           "ahal_runtime_search_path", what_h);
    EXPECT(ahal_runtime_device_count(h, &n), AHAL_ERROR_INVALID_HANDLE, "ahal_runtime_device_count",
           what_h);
    EXPECT(ahal_runtime_device_get(h, 0, &d), AHAL_ERROR_INVALID_HANDLE, "ahal_runtime_device_get",
           what_h);
    EXPECT(ahal_device_find(h, "0", &d), AHAL_ERROR_INVALID_HANDLE, "ahal_device_find", what_h);
    EXPECT(ahal_runtime_destroy(h), AHAL_ERROR_INVALID_HANDLE, "ahal_runtime_destroy", what_h);
  }
  EXPECT(ahal_runtime_create(nullptr, nullptr), AHAL_ERROR_INVALID_ARGUMENT, "ahal_runtime_create",
         "a NULL out pointer");
  ahal_runtime_options_t options{};
  ahal_runtime_t other = nullptr;
  EXPECT(ahal_runtime_create(&options, &other), AHAL_ERROR_INVALID_ARGUMENT, "ahal_runtime_create",
         "struct_size 0");
  options.struct_size = sizeof(options);
  options.flags = 1u << 30;
  EXPECT(ahal_runtime_create(&options, &other), AHAL_ERROR_INVALID_ARGUMENT, "ahal_runtime_create",
         "an unknown flag");
  EXPECT(ahal_runtime_plugin_count(rt, nullptr), AHAL_ERROR_INVALID_ARGUMENT,
         "ahal_runtime_plugin_count", "a NULL out pointer");
  uint32_t plugins = 0, devices = 0;
  CHECK_OK(ahal_runtime_plugin_count(rt, &plugins));
  CHECK_OK(ahal_runtime_device_count(rt, &devices));
  EXPECT(ahal_runtime_plugin_info(rt, plugins, &info), AHAL_ERROR_OUT_OF_RANGE,
         "ahal_runtime_plugin_info", "index = plugin count");
  EXPECT(ahal_runtime_plugin_info(rt, 0, nullptr), AHAL_ERROR_INVALID_ARGUMENT,
         "ahal_runtime_plugin_info", "a NULL out pointer");
  info.struct_size = 0;
  EXPECT(ahal_runtime_plugin_info(rt, 0, &info), AHAL_ERROR_INVALID_ARGUMENT,
         "ahal_runtime_plugin_info", "struct_size 0");
  EXPECT(ahal_runtime_search_path(rt, nullptr), AHAL_ERROR_INVALID_ARGUMENT,
         "ahal_runtime_search_path", "a NULL out pointer");
  EXPECT(ahal_runtime_device_count(rt, nullptr), AHAL_ERROR_INVALID_ARGUMENT,
         "ahal_runtime_device_count", "a NULL out pointer");
  EXPECT(ahal_runtime_device_get(rt, devices, &d), AHAL_ERROR_OUT_OF_RANGE,
         "ahal_runtime_device_get", "index = device count");
  EXPECT(ahal_runtime_device_get(rt, UINT32_MAX, &d), AHAL_ERROR_OUT_OF_RANGE,
         "ahal_runtime_device_get", "index UINT32_MAX");
  EXPECT(ahal_runtime_device_get(rt, 0, nullptr), AHAL_ERROR_INVALID_ARGUMENT,
         "ahal_runtime_device_get", "a NULL out pointer");
  EXPECT(ahal_device_find(rt, nullptr, &d), AHAL_ERROR_INVALID_ARGUMENT, "ahal_device_find",
         "a NULL selector");
  EXPECT(ahal_device_find(rt, "0", nullptr), AHAL_ERROR_INVALID_ARGUMENT, "ahal_device_find",
         "a NULL out pointer");
  EXPECT(ahal_device_find(rt, "no_such_plugin:0", &d), AHAL_ERROR_NOT_FOUND, "ahal_device_find",
         "an unknown plugin");
  std::string far = std::string(ctx.props().plugin) + ":4000000";
  EXPECT(ahal_device_find(rt, far.c_str(), &d), AHAL_ERROR_NOT_FOUND, "ahal_device_find",
         "device index 4000000");
  ctx.check_device_usable("bad runtime calls");
}

// ------------------------------------------------------------ device

CONFORM_TEST(device, "errors.device", core, 0) {
  Live live(ctx);
  auto [rt_dead, dev_dead] = dead_runtime();
  (void)rt_dead;
  ahal_device_properties_t props{};
  props.struct_size = sizeof(props);
  uint64_t used = 0, total = 0;
  BAD(h, bad_handles<ahal_device_t>(dev_dead, live.stream.get())) {
    EXPECT(ahal_device_get_properties(h, &props), AHAL_ERROR_INVALID_HANDLE,
           "ahal_device_get_properties", what_h);
    EXPECT(ahal_device_synchronize(h), AHAL_ERROR_INVALID_HANDLE, "ahal_device_synchronize",
           what_h);
    EXPECT(ahal_device_memory_usage(h, &used, &total), AHAL_ERROR_INVALID_HANDLE,
           "ahal_device_memory_usage", what_h);
  }
  EXPECT(ahal_device_get_properties(ctx.device(), nullptr), AHAL_ERROR_INVALID_ARGUMENT,
         "ahal_device_get_properties", "a NULL pointer");
  props.struct_size = 0;
  EXPECT(ahal_device_get_properties(ctx.device(), &props), AHAL_ERROR_INVALID_ARGUMENT,
         "ahal_device_get_properties", "struct_size 0");
  ahal_status_t s = ahal_device_memory_usage(ctx.device(), nullptr, &total);
  if (s != AHAL_ERROR_UNSUPPORTED)
    EXPECT(s, AHAL_ERROR_INVALID_ARGUMENT, "ahal_device_memory_usage", "a NULL pointer");
  ctx.check_device_usable("bad device calls");
}

// ------------------------------------------------------------ memory

CONFORM_TEST(buffer_create, "errors.buffer_create", core, 0) {
  Live live(ctx);
  auto [rt_dead, dev_dead] = dead_runtime();
  (void)rt_dead;
  ahal_buffer_args_t args{};
  args.struct_size = sizeof(args);
  args.size = 64;
  ahal_buffer_t b = nullptr;
  BAD(h, bad_handles<ahal_device_t>(dev_dead, live.stream.get()))
  EXPECT(ahal_buffer_create(h, &args, &b), AHAL_ERROR_INVALID_HANDLE, "ahal_buffer_create", what_h);
  EXPECT(ahal_buffer_create(ctx.device(), nullptr, &b), AHAL_ERROR_INVALID_ARGUMENT,
         "ahal_buffer_create", "NULL args");
  EXPECT(ahal_buffer_create(ctx.device(), &args, nullptr), AHAL_ERROR_INVALID_ARGUMENT,
         "ahal_buffer_create", "a NULL out pointer");
  args.struct_size = 0;
  EXPECT(ahal_buffer_create(ctx.device(), &args, &b), AHAL_ERROR_INVALID_ARGUMENT,
         "ahal_buffer_create", "struct_size 0");
  args.struct_size = sizeof(args);
  args.size = 0;
  EXPECT(ahal_buffer_create(ctx.device(), &args, &b), AHAL_ERROR_OUT_OF_RANGE, "ahal_buffer_create",
         "size 0");
  args.size = ctx.props().max_allocation_bytes + 1;
  EXPECT(ahal_buffer_create(ctx.device(), &args, &b), AHAL_ERROR_OUT_OF_RANGE, "ahal_buffer_create",
         "size max_allocation_bytes + 1");
  ctx.check_device_usable("bad ahal_buffer_create calls");
}

CONFORM_TEST(buffer_use, "errors.buffer_use", core, 0) {
  Live live(ctx);
  uint64_t size = 0;
  void* p = nullptr;
  BAD(h, bad_handles<ahal_buffer_t>(dead_buffer(ctx), live.stream.get())) {
    EXPECT(ahal_buffer_size(h, &size), AHAL_ERROR_INVALID_HANDLE, "ahal_buffer_size", what_h);
    EXPECT(ahal_buffer_map(h, 0, 1, &p), AHAL_ERROR_INVALID_HANDLE, "ahal_buffer_map", what_h);
    EXPECT(ahal_buffer_unmap(h), AHAL_ERROR_INVALID_HANDLE, "ahal_buffer_unmap", what_h);
    EXPECT(ahal_buffer_destroy(h), AHAL_ERROR_INVALID_HANDLE, "ahal_buffer_destroy", what_h);
  }
  EXPECT(ahal_buffer_size(live.buffer, nullptr), AHAL_ERROR_INVALID_ARGUMENT, "ahal_buffer_size",
         "a NULL out pointer");
  if (ctx.has(AHAL_FEATURE_HOST_VISIBLE_MEMORY)) {
    Buffer mappable = ctx.buffer(64, AHAL_MEMORY_HOST_VISIBLE | AHAL_MEMORY_HOST_COHERENT);
    EXPECT(ahal_buffer_map(mappable, 0, 1, nullptr), AHAL_ERROR_INVALID_ARGUMENT, "ahal_buffer_map",
           "a NULL out pointer");
  }
  ctx.check_device_usable("bad buffer calls");
}

CONFORM_TEST(host_alloc, "errors.host_alloc", core, 0) {
  Live live(ctx);
  auto [rt_dead, dev_dead] = dead_runtime();
  (void)rt_dead;
  ahal_host_alloc_t a = nullptr;
  void* p = nullptr;
  BAD(h, bad_handles<ahal_device_t>(dev_dead, live.stream.get()))
  EXPECT(ahal_host_alloc(h, 64, 0, &a), AHAL_ERROR_INVALID_HANDLE, "ahal_host_alloc", what_h);
  BAD(h, bad_handles<ahal_host_alloc_t>(dead_host_alloc(ctx), live.buffer.get())) {
    EXPECT(ahal_host_alloc_pointer(h, &p), AHAL_ERROR_INVALID_HANDLE, "ahal_host_alloc_pointer",
           what_h);
    EXPECT(ahal_host_free(h), AHAL_ERROR_INVALID_HANDLE, "ahal_host_free", what_h);
  }
  EXPECT(ahal_host_alloc(ctx.device(), 64, 0, nullptr), AHAL_ERROR_INVALID_ARGUMENT,
         "ahal_host_alloc", "a NULL out pointer");
  EXPECT(ahal_host_alloc(ctx.device(), 0, 0, &a), AHAL_ERROR_OUT_OF_RANGE, "ahal_host_alloc",
         "size 0");
  HostAlloc live_alloc = ctx.host_alloc(64, &p);
  EXPECT(ahal_host_alloc_pointer(live_alloc, nullptr), AHAL_ERROR_INVALID_ARGUMENT,
         "ahal_host_alloc_pointer", "a NULL out pointer");
  ctx.check_device_usable("bad pinned-memory calls");
}

// ------------------------------------------------------------ streams

CONFORM_TEST(stream_create, "errors.stream_create", core, 0) {
  Live live(ctx);
  auto [rt_dead, dev_dead] = dead_runtime();
  (void)rt_dead;
  ahal_stream_t s = nullptr;
  BAD(h, bad_handles<ahal_device_t>(dev_dead, live.buffer.get()))
  EXPECT(ahal_stream_create(h, nullptr, &s), AHAL_ERROR_INVALID_HANDLE, "ahal_stream_create",
         what_h);
  EXPECT(ahal_stream_create(ctx.device(), nullptr, nullptr), AHAL_ERROR_INVALID_ARGUMENT,
         "ahal_stream_create", "a NULL out pointer");
  ahal_stream_args_t args{};
  EXPECT(ahal_stream_create(ctx.device(), &args, &s), AHAL_ERROR_INVALID_ARGUMENT,
         "ahal_stream_create", "struct_size 0");
  ctx.check_device_usable("bad ahal_stream_create calls");
}

CONFORM_TEST(stream_use, "errors.stream_use", core, 0) {
  Live live(ctx);
  BAD(h, bad_handles<ahal_stream_t>(dead_stream(ctx), live.buffer.get())) {
    EXPECT(ahal_stream_synchronize(h), AHAL_ERROR_INVALID_HANDLE, "ahal_stream_synchronize",
           what_h);
    EXPECT(ahal_stream_query(h), AHAL_ERROR_INVALID_HANDLE, "ahal_stream_query", what_h);
    EXPECT(ahal_stream_record_event(h, live.event), AHAL_ERROR_INVALID_HANDLE,
           "ahal_stream_record_event", what_h);
    EXPECT(ahal_stream_wait_event(h, live.event), AHAL_ERROR_INVALID_HANDLE,
           "ahal_stream_wait_event", what_h);
    EXPECT(ahal_stream_host_callback(
               h, [](void*) {}, nullptr),
           AHAL_ERROR_INVALID_HANDLE, "ahal_stream_host_callback", what_h);
    EXPECT(ahal_stream_destroy(h), AHAL_ERROR_INVALID_HANDLE, "ahal_stream_destroy", what_h);
  }
  BAD(h, bad_handles<ahal_event_t>(dead_event(ctx), live.buffer.get())) {
    EXPECT(ahal_stream_record_event(live.stream, h), AHAL_ERROR_INVALID_HANDLE,
           "ahal_stream_record_event", what_h);
    EXPECT(ahal_stream_wait_event(live.stream, h), AHAL_ERROR_INVALID_HANDLE,
           "ahal_stream_wait_event", what_h);
  }
  ahal_status_t s = ahal_stream_host_callback(live.stream, nullptr, nullptr);
  if (!(s == AHAL_ERROR_UNSUPPORTED && !ctx.has(AHAL_FEATURE_HOST_CALLBACKS)))
    EXPECT(s, AHAL_ERROR_INVALID_ARGUMENT, "ahal_stream_host_callback", "a NULL function");
  if (!ctx.has(AHAL_FEATURE_HOST_CALLBACKS))
    EXPECT(ahal_stream_host_callback(
               live.stream, [](void*) {}, nullptr),
           AHAL_ERROR_UNSUPPORTED, "ahal_stream_host_callback",
           "a device without AHAL_FEATURE_HOST_CALLBACKS");
  ctx.check_device_usable("bad stream calls");
}

CONFORM_TEST(copies, "errors.copies", core, 0) {
  Live live(ctx);
  std::vector<uint8_t> host(4096);
  ahal_stream_t s = live.stream;
  ahal_buffer_t b = live.buffer;
  BAD(h, bad_handles<ahal_stream_t>(dead_stream(ctx), live.buffer.get())) {
    EXPECT(ahal_stream_copy_h2d(h, host.data(), b, 0, 16), AHAL_ERROR_INVALID_HANDLE,
           "ahal_stream_copy_h2d", what_h);
    EXPECT(ahal_stream_copy_d2h(h, b, 0, host.data(), 16), AHAL_ERROR_INVALID_HANDLE,
           "ahal_stream_copy_d2h", what_h);
    EXPECT(ahal_stream_copy_d2d(h, b, 0, b, 64, 16), AHAL_ERROR_INVALID_HANDLE,
           "ahal_stream_copy_d2d", what_h);
  }
  BAD(h, bad_handles<ahal_buffer_t>(dead_buffer(ctx), live.stream.get())) {
    EXPECT(ahal_stream_copy_h2d(s, host.data(), h, 0, 16), AHAL_ERROR_INVALID_HANDLE,
           "ahal_stream_copy_h2d", what_h);
    EXPECT(ahal_stream_copy_d2h(s, h, 0, host.data(), 16), AHAL_ERROR_INVALID_HANDLE,
           "ahal_stream_copy_d2h", what_h);
    EXPECT(ahal_stream_copy_d2d(s, h, 0, b, 0, 16), AHAL_ERROR_INVALID_HANDLE,
           "ahal_stream_copy_d2d", what_h + " as source");
    EXPECT(ahal_stream_copy_d2d(s, b, 0, h, 0, 16), AHAL_ERROR_INVALID_HANDLE,
           "ahal_stream_copy_d2d", what_h + " as destination");
  }
  EXPECT(ahal_stream_copy_h2d(s, nullptr, b, 0, 16), AHAL_ERROR_INVALID_ARGUMENT,
         "ahal_stream_copy_h2d", "a NULL source");
  EXPECT(ahal_stream_copy_d2h(s, b, 0, nullptr, 16), AHAL_ERROR_INVALID_ARGUMENT,
         "ahal_stream_copy_d2h", "a NULL destination");
  EXPECT(ahal_stream_copy_h2d(s, host.data(), b, 4000, 97), AHAL_ERROR_OUT_OF_RANGE,
         "ahal_stream_copy_h2d", "a range past the end");
  EXPECT(ahal_stream_copy_d2h(s, b, UINT64_MAX, host.data(), 1), AHAL_ERROR_OUT_OF_RANGE,
         "ahal_stream_copy_d2h", "offset UINT64_MAX");
  EXPECT(ahal_stream_copy_d2d(s, b, 0, b, 8, 16), AHAL_ERROR_INVALID_ARGUMENT,
         "ahal_stream_copy_d2d", "overlapping ranges");
  ctx.check_device_usable("bad copies");
}

CONFORM_TEST(fill, "errors.fill", core, 0) {
  Live live(ctx);
  const uint32_t pattern = 0;
  BAD(h, bad_handles<ahal_stream_t>(dead_stream(ctx), live.buffer.get()))
  EXPECT(ahal_stream_fill(h, live.buffer, 0, 16, &pattern, 4), AHAL_ERROR_INVALID_HANDLE,
         "ahal_stream_fill", what_h);
  BAD(h, bad_handles<ahal_buffer_t>(dead_buffer(ctx), live.stream.get()))
  EXPECT(ahal_stream_fill(live.stream, h, 0, 16, &pattern, 4), AHAL_ERROR_INVALID_HANDLE,
         "ahal_stream_fill", what_h);
  EXPECT(ahal_stream_fill(live.stream, live.buffer, 0, 16, nullptr, 4), AHAL_ERROR_INVALID_ARGUMENT,
         "ahal_stream_fill", "a NULL pattern");
  EXPECT(ahal_stream_fill(live.stream, live.buffer, 0, 16, &pattern, 3),
         AHAL_ERROR_INVALID_ARGUMENT, "ahal_stream_fill", "pattern_size 3");
  EXPECT(ahal_stream_fill(live.stream, live.buffer, 4096, 4, &pattern, 4), AHAL_ERROR_OUT_OF_RANGE,
         "ahal_stream_fill", "a range past the end");
  ctx.check_device_usable("bad fills");
}

// ------------------------------------------------------------ events

CONFORM_TEST(events, "errors.events", core, 0) {
  Live live(ctx);
  auto [rt_dead, dev_dead] = dead_runtime();
  (void)rt_dead;
  ahal_event_t e = nullptr;
  BAD(h, bad_handles<ahal_device_t>(dev_dead, live.stream.get()))
  EXPECT(ahal_event_create(h, 0, &e), AHAL_ERROR_INVALID_HANDLE, "ahal_event_create", what_h);
  EXPECT(ahal_event_create(ctx.device(), 0, nullptr), AHAL_ERROR_INVALID_ARGUMENT,
         "ahal_event_create", "a NULL out pointer");
  EXPECT(ahal_event_create(ctx.device(), 1u << 20, &e), AHAL_ERROR_INVALID_ARGUMENT,
         "ahal_event_create", "an unknown flag");
  uint64_t ns = 0;
  BAD(h, bad_handles<ahal_event_t>(dead_event(ctx), live.stream.get())) {
    EXPECT(ahal_event_query(h), AHAL_ERROR_INVALID_HANDLE, "ahal_event_query", what_h);
    EXPECT(ahal_event_wait(h, 0), AHAL_ERROR_INVALID_HANDLE, "ahal_event_wait", what_h);
    EXPECT(ahal_event_elapsed_ns(h, live.event, &ns), AHAL_ERROR_INVALID_HANDLE,
           "ahal_event_elapsed_ns", what_h + " as start");
    EXPECT(ahal_event_elapsed_ns(live.event, h, &ns), AHAL_ERROR_INVALID_HANDLE,
           "ahal_event_elapsed_ns", what_h + " as end");
    EXPECT(ahal_event_destroy(h), AHAL_ERROR_INVALID_HANDLE, "ahal_event_destroy", what_h);
  }
  if (ctx.has(AHAL_FEATURE_TIMESTAMPS)) {
    Event t0 = ctx.event(AHAL_EVENT_TIMING), t1 = ctx.event(AHAL_EVENT_TIMING);
    CHECK_OK(ahal_stream_record_event(live.stream, t0));
    CHECK_OK(ahal_stream_record_event(live.stream, t1));
    CHECK_OK(ahal_stream_synchronize(live.stream));
    EXPECT(ahal_event_elapsed_ns(t0, t1, nullptr), AHAL_ERROR_INVALID_ARGUMENT,
           "ahal_event_elapsed_ns", "a NULL out pointer");
  } else {
    Event timed;
    EXPECT(ahal_event_create(ctx.device(), AHAL_EVENT_TIMING, timed.out()), AHAL_ERROR_UNSUPPORTED,
           "ahal_event_create", "AHAL_EVENT_TIMING without AHAL_FEATURE_TIMESTAMPS");
  }
  ctx.check_device_usable("bad event calls");
}

// ------------------------------------------------------------ modules, kernels

CONFORM_TEST(module_create, "errors.module_create", core, 0) {
  Live live(ctx);
  auto [rt_dead, dev_dead] = dead_runtime();
  (void)rt_dead;
  ahal_module_args_t args{};
  args.struct_size = sizeof(args);
  args.format = AHAL_MODULE_FORMAT_BUNDLE;
  args.path = ctx.bundle_path().c_str();
  ahal_module_t m = nullptr;
  BAD(h, bad_handles<ahal_device_t>(dev_dead, live.stream.get()))
  EXPECT(ahal_module_create(h, &args, &m), AHAL_ERROR_INVALID_HANDLE, "ahal_module_create", what_h);
  EXPECT(ahal_module_create(ctx.device(), nullptr, &m), AHAL_ERROR_INVALID_ARGUMENT,
         "ahal_module_create", "NULL args");
  EXPECT(ahal_module_create(ctx.device(), &args, nullptr), AHAL_ERROR_INVALID_ARGUMENT,
         "ahal_module_create", "a NULL out pointer");
  args.struct_size = 0;
  EXPECT(ahal_module_create(ctx.device(), &args, &m), AHAL_ERROR_INVALID_ARGUMENT,
         "ahal_module_create", "struct_size 0");
  args.struct_size = sizeof(args);
  args.path = nullptr;
  EXPECT(ahal_module_create(ctx.device(), &args, &m), AHAL_ERROR_INVALID_ARGUMENT,
         "ahal_module_create", "neither data nor path");
  const char text[] = "x";
  args.data = text;
  args.data_size = sizeof(text);
  args.format = static_cast<ahal_module_format_t>(25);
  EXPECT(ahal_module_create(ctx.device(), &args, &m), AHAL_ERROR_INVALID_ARGUMENT,
         "ahal_module_create", "an unknown format");
  ctx.check_device_usable("bad ahal_module_create calls");
}

CONFORM_TEST(modules_kernels, "errors.modules_kernels", core, 0) {
  Live live(ctx);
  auto [m_dead, k_dead] = dead_module(ctx);
  ahal_module_format_t f;
  ahal_kernel_t k = nullptr;
  ahal_kernel_attributes_t attrs{};
  attrs.struct_size = sizeof(attrs);
  BAD(h, bad_handles<ahal_module_t>(m_dead, live.stream.get())) {
    EXPECT(ahal_module_format(h, &f), AHAL_ERROR_INVALID_HANDLE, "ahal_module_format", what_h);
    EXPECT(ahal_kernel_get(h, "vector_add", &k), AHAL_ERROR_INVALID_HANDLE, "ahal_kernel_get",
           what_h);
    EXPECT(ahal_module_destroy(h), AHAL_ERROR_INVALID_HANDLE, "ahal_module_destroy", what_h);
  }
  BAD(h, bad_handles<ahal_kernel_t>(k_dead, live.stream.get())) {
    EXPECT(ahal_kernel_get_attributes(h, &attrs), AHAL_ERROR_INVALID_HANDLE,
           "ahal_kernel_get_attributes", what_h);
    ahal_launch_args_t args{};
    args.struct_size = sizeof(args);
    for (int d = 0; d < 3; ++d) args.grid[d] = args.workgroup_size[d] = 1;
    EXPECT(ahal_stream_launch(live.stream, h, &args), AHAL_ERROR_INVALID_HANDLE,
           "ahal_stream_launch", what_h);
  }
  auto [rt_dead, dev_dead] = dead_runtime();
  (void)rt_dead;
  BAD(h, bad_handles<ahal_device_t>(dev_dead, live.stream.get()))
  EXPECT(ahal_kernel_get_builtin(h, "ahal.builtin.gemm_f32", &k), AHAL_ERROR_INVALID_HANDLE,
         "ahal_kernel_get_builtin", what_h);
  EXPECT(ahal_kernel_get_builtin(ctx.device(), nullptr, &k), AHAL_ERROR_INVALID_ARGUMENT,
         "ahal_kernel_get_builtin", "a NULL name");
  if (m_dead) {
    ahal_module_t m = ctx.kernels_module();
    EXPECT(ahal_module_format(m, nullptr), AHAL_ERROR_INVALID_ARGUMENT, "ahal_module_format",
           "a NULL out pointer");
    EXPECT(ahal_kernel_get(m, nullptr, &k), AHAL_ERROR_INVALID_ARGUMENT, "ahal_kernel_get",
           "a NULL name");
    EXPECT(ahal_kernel_get(m, "vector_add", nullptr), AHAL_ERROR_INVALID_ARGUMENT,
           "ahal_kernel_get", "a NULL out pointer");
    ahal_kernel_t good = ctx.kernel("vector_add");
    EXPECT(ahal_kernel_get_attributes(good, nullptr), AHAL_ERROR_INVALID_ARGUMENT,
           "ahal_kernel_get_attributes", "a NULL pointer");
    attrs.struct_size = 0;
    EXPECT(ahal_kernel_get_attributes(good, &attrs), AHAL_ERROR_INVALID_ARGUMENT,
           "ahal_kernel_get_attributes", "struct_size 0");
    EXPECT(ahal_stream_launch(live.stream, good, nullptr), AHAL_ERROR_INVALID_ARGUMENT,
           "ahal_stream_launch", "NULL args");
    ahal_launch_args_t args{};
    EXPECT(ahal_stream_launch(live.stream, good, &args), AHAL_ERROR_INVALID_ARGUMENT,
           "ahal_stream_launch", "struct_size 0");
    // A valid launch but for the stream.
    const uint32_t n = 4;
    ahal_binding_t b[3] = {bind(live.buffer), bind(live.buffer), bind(live.buffer)};
    args.struct_size = sizeof(args);
    for (int d = 0; d < 3; ++d) args.grid[d] = args.workgroup_size[d] = 1;
    args.binding_count = 3;
    args.bindings = b;
    args.constants = &n;
    args.constants_size = sizeof(n);
    BAD(h, bad_handles<ahal_stream_t>(dead_stream(ctx), live.buffer.get()))
    EXPECT(ahal_stream_launch(h, good, &args), AHAL_ERROR_INVALID_HANDLE, "ahal_stream_launch",
           what_h);
  }
  ctx.check_device_usable("bad module and kernel calls");
}

// ------------------------------------------------------------ struct_size

CONFORM_TEST(struct_size, "errors.struct_size", core, 0) {
  // docs/abi.md: a newer caller's larger struct is fine and its bytes past
  // what the library knows stay untouched; a struct_size short of the ABI
  // 1.0 fields is refused.
  struct Padded {
    ahal_device_properties_t props;
    unsigned char tail[64];
  } padded;
  std::memset(&padded, 0xab, sizeof(padded));
  padded.props.struct_size = sizeof(padded);
  CHECK_OK(ahal_device_get_properties(ctx.device(), &padded.props));
  REQUIRE(padded.props.struct_size == sizeof(padded), "struct_size changed from %zu to %zu",
          sizeof(padded), padded.props.struct_size);
  REQUIRE(std::strcmp(padded.props.name, ctx.props().name) == 0,
          "a larger struct_size gave another name: \"%s\"", padded.props.name);
  for (size_t i = 0; i < sizeof(padded.tail); ++i)
    REQUIRE(padded.tail[i] == 0xab, "byte %zu past the known fields was written", i);

  const size_t cut = offsetof(ahal_device_properties_t, peak_memory_bandwidth_gbps);
  std::vector<unsigned char> raw(sizeof(ahal_device_properties_t), 0xab);
  size_t cut_size = cut;
  std::memcpy(raw.data(), &cut_size, sizeof(cut_size));
  EXPECT(ahal_device_get_properties(ctx.device(),
                                    reinterpret_cast<ahal_device_properties_t*>(raw.data())),
         AHAL_ERROR_INVALID_ARGUMENT, "ahal_device_get_properties",
         "a struct_size short of its fields");
  for (size_t i = sizeof(size_t); i < raw.size(); ++i)
    REQUIRE(raw[i] == 0xab, "a refused ahal_device_get_properties wrote byte %zu", i);

  struct PaddedArgs {
    ahal_buffer_args_t args;
    unsigned char tail[32];
  } pa;
  std::memset(&pa, 0, sizeof(pa));
  pa.args.struct_size = sizeof(pa);
  pa.args.size = 64;
  Buffer b;
  CHECK_OK(ahal_buffer_create(ctx.device(), &pa.args, b.out()));
  uint64_t size = 0;
  CHECK_OK(ahal_buffer_size(b, &size));
  REQUIRE(size == 64, "buffer from a larger args struct has size %llu",
          static_cast<unsigned long long>(size));
  pa.args.struct_size = sizeof(size_t);
  Buffer refused;
  EXPECT(ahal_buffer_create(ctx.device(), &pa.args, refused.out()), AHAL_ERROR_INVALID_ARGUMENT,
         "ahal_buffer_create", "struct_size 8");
  ahal_kernel_attributes_t attrs{};
  attrs.struct_size = sizeof(size_t);
  if (ctx.has(AHAL_FEATURE_GENERAL_KERNELS)) {
    try {
      ahal_kernel_t k = ctx.kernel("vector_add");
      EXPECT(ahal_kernel_get_attributes(k, &attrs), AHAL_ERROR_INVALID_ARGUMENT,
             "ahal_kernel_get_attributes", "struct_size 8");
    } catch (const TestSkip&) {
      // no image for the device: nothing to ask
    }
  }
  ctx.check_device_usable("unusual struct sizes");
}

// ------------------------------------------------------------ messages

CONFORM_TEST(messages, "errors.messages", core, 0) {
  // The message is thread-local and a success leaves it alone.
  uint64_t size = 0;
  REQUIRE(ahal_buffer_size(nullptr, &size) == AHAL_ERROR_INVALID_HANDLE, "NULL buffer accepted");
  std::string first = ahal_last_error_message();
  REQUIRE(!first.empty(), "no message after a failure");
  Buffer b = ctx.buffer(16);
  CHECK_OK(ahal_buffer_size(b, &size));
  REQUIRE(first == ahal_last_error_message(), "a successful call changed the message to \"%s\"",
          ahal_last_error_message());
  std::string other = "unset";
  std::thread t([&] { other = ahal_last_error_message(); });
  t.join();
  REQUIRE(other.empty(), "a fresh thread sees another thread's message: \"%s\"", other.c_str());
  for (int s = AHAL_SUCCESS; s <= AHAL_ERROR_INTERNAL; ++s) {
    const char* name = ahal_status_string(static_cast<ahal_status_t>(s));
    REQUIRE(name && std::strncmp(name, "AHAL_", 5) == 0, "status %d has name \"%s\"", s,
            name ? name : "(null)");
  }
  REQUIRE(ahal_status_string(static_cast<ahal_status_t>(999)) != nullptr,
          "ahal_status_string(999) is NULL");
  REQUIRE(
      std::strcmp(ahal_module_format_name(static_cast<ahal_module_format_t>(999)), "unknown") == 0,
      "ahal_module_format_name(999) is not \"unknown\"");
  ahal_module_format_t f;
  EXPECT(ahal_module_format_parse("no-such-format", &f), AHAL_ERROR_NOT_FOUND,
         "ahal_module_format_parse", "an unknown name");
  EXPECT(ahal_module_format_parse(nullptr, &f), AHAL_ERROR_INVALID_ARGUMENT,
         "ahal_module_format_parse", "a NULL name");
}

CONFORM_TEST(cross_device, "errors.cross_device", core, 0) {
  // Objects of two devices do not mix.
  // The other device is only a source of foreign objects: the first one
  // that can make a buffer and an event serves; one that cannot (a plugin
  // in early development) is not this device's fault.
  uint32_t count = 0;
  CHECK_OK(ahal_runtime_device_count(ctx.runtime(), &count));
  ahal_buffer_args_t args{};
  args.struct_size = sizeof(args);
  args.size = 64;
  Buffer foreign;
  Event foreign_event;
  std::string unusable;  // the other devices that could not serve, and why
  bool found = false;
  for (uint32_t i = 0; i < count && !found; ++i) {
    ahal_device_t d = nullptr;
    CHECK_OK(ahal_runtime_device_get(ctx.runtime(), i, &d));
    if (d == ctx.device()) continue;
    ahal_device_properties_t p{};
    p.struct_size = sizeof(p);
    CHECK_OK(ahal_device_get_properties(d, &p));
    ahal_status_t s = ahal_buffer_create(d, &args, foreign.out());
    if (s == AHAL_SUCCESS) s = ahal_event_create(d, 0, foreign_event.out());
    if (s == AHAL_SUCCESS) {
      found = true;
    } else {
      unusable += format("%s%s cannot (%s: %s)", unusable.empty() ? "" : "; ", p.selector,
                         ahal_status_string(s), ahal_last_error_message());
      foreign.reset();
      foreign_event.reset();
    }
  }
  if (!found && unusable.empty()) skip("the runtime has one device");
  if (!found)
    skip("no other device can make a buffer and an event to mix with this one's: %s",
         unusable.c_str());
  Live live(ctx);
  std::vector<uint8_t> host(64);
  EXPECT(ahal_stream_copy_h2d(live.stream, host.data(), foreign, 0, 64),
         AHAL_ERROR_INVALID_ARGUMENT, "ahal_stream_copy_h2d", "a buffer of another device");
  EXPECT(ahal_stream_copy_d2d(live.stream, live.buffer, 0, foreign, 0, 64),
         AHAL_ERROR_INVALID_ARGUMENT, "ahal_stream_copy_d2d", "a buffer of another device");
  EXPECT(ahal_stream_record_event(live.stream, foreign_event), AHAL_ERROR_INVALID_ARGUMENT,
         "ahal_stream_record_event", "an event of another device");
  // Since API 1.4 a stream may wait for another device's event (never
  // recorded here: nothing to wait for), docs/collectives.md.
  CHECK_OK(ahal_stream_wait_event(live.stream, foreign_event));
  CHECK_OK(ahal_stream_synchronize(live.stream));
  ctx.check_device_usable("calls mixing two devices");
}

}  // namespace
