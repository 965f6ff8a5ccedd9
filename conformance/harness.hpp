// The conformance harness: test registry, the context a test runs in, and
// the checks a test uses. Tests use only the public C API (ahal.h).
#pragma once

#include <ahal/ahal.h>

#include <atomic>
#include <cstdarg>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

namespace conform {

enum class Profile { core, full };
const char* profile_name(Profile p);

class Context;
using TestFn = void (*)(Context&);

struct TestCase {
  std::string id;        // "copies.d2h_offset"; the first part is the category
  std::string category;  // "copies"
  Profile profile;
  uint64_t features;  // AHAL_FEATURE_* bits the device must claim, else skipped
  TestFn fn;
};

// Every registered test, categories in report order, then as registered.
const std::vector<TestCase>& all_tests();
const TestCase* find_test(const std::string& id);
// Category names in report order.
const std::vector<std::string>& categories();

struct Registrar {
  Registrar(const char* id, Profile profile, uint64_t features, TestFn fn);
};

#define CONFORM_TEST(fn_name, id, profile, features)                                           \
  static void fn_name(conform::Context& ctx);                                                  \
  static const conform::Registrar fn_name##_registrar(id, conform::Profile::profile, features, \
                                                      fn_name);                                \
  static void fn_name([[maybe_unused]] conform::Context& ctx)

// Names of feature bits ("fp64,timestamps").
std::string feature_names(uint64_t features);

// This executable's path, to start children of it ("ahal-conform" if unknown).
std::string self_exe();

// ------------------------------------------------------------ outcomes

struct TestFailure {
  std::string message;
};
struct TestSkip {
  std::string message;
};

std::string format(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
// The device whose test is running. Before a failure unwinds the test, the
// device is brought to rest (gates opened, work finished), so the objects
// the test frees are no longer in use even when the device misbehaves.
void set_current_device(ahal_device_t device);
[[noreturn]] void fail(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
[[noreturn]] void skip(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

// Every check below counts once it has looked at something. A test that
// returns having counted none is reported skipped (worker.cpp): a test
// with nothing to check must say why with skip(), never pass.
void count_check();
uint64_t checks_made();
// The reason such a test is skipped with.
inline constexpr const char* kCheckedNothing =
    "checked nothing on this device: the test should have skipped with its reason (a gap in the "
    "suite; please report it)";

// Fails unless `status` is AHAL_SUCCESS; the message holds the call, the
// status and the library's message.
void check_ok(ahal_status_t status, const char* call, const char* file, int line);
// Fails unless `status` is one of `expected`. For a failure status the
// library must also have set a non-empty message.
void check_status(ahal_status_t status, std::initializer_list<ahal_status_t> expected,
                  const char* call, const char* file, int line);
void check_true(bool ok, const char* cond, const char* file, int line, const char* fmt, ...)
    __attribute__((format(printf, 5, 6)));

#define CHECK_OK(call) conform::check_ok((call), #call, __FILE__, __LINE__)
#define CHECK_STATUS(call, ...) \
  conform::check_status((call), {__VA_ARGS__}, #call, __FILE__, __LINE__)
#define REQUIRE(cond, ...)         \
  ((cond) ? conform::count_check() \
          : conform::check_true(false, #cond, __FILE__, __LINE__, __VA_ARGS__))

// ------------------------------------------------------------ handles

template <typename H, ahal_status_t (*Destroy)(H)>
class Handle {
 public:
  Handle() = default;
  explicit Handle(H h) : h_(h) {}
  ~Handle() { reset(); }
  Handle(Handle&& o) noexcept : h_(std::exchange(o.h_, nullptr)) {}
  Handle& operator=(Handle&& o) noexcept {
    if (this != &o) {
      reset();
      h_ = std::exchange(o.h_, nullptr);
    }
    return *this;
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;

  H get() const { return h_; }
  operator H() const { return h_; }
  // For out-parameters: drops the current handle first.
  H* out() {
    reset();
    return &h_;
  }
  H release() { return std::exchange(h_, nullptr); }
  void reset() {
    if (h_) Destroy(std::exchange(h_, nullptr));
  }

 private:
  H h_ = nullptr;
};

using Runtime = Handle<ahal_runtime_t, ahal_runtime_destroy>;
using Buffer = Handle<ahal_buffer_t, ahal_buffer_destroy>;
using Stream = Handle<ahal_stream_t, ahal_stream_destroy>;
using Event = Handle<ahal_event_t, ahal_event_destroy>;
using Module = Handle<ahal_module_t, ahal_module_destroy>;
using HostAlloc = Handle<ahal_host_alloc_t, ahal_host_free>;

struct Dim3 {
  uint32_t x = 1, y = 1, z = 1;
};

// ------------------------------------------------------------ context

// What a test runs against: one device of a runtime made for this test
// group, plus helpers. Objects a test makes are its own to destroy (the
// Handle types do it).
class Context {
 public:
  Context(ahal_runtime_t runtime, ahal_device_t device, bool quick);
  ~Context();
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;

  ahal_runtime_t runtime() const { return runtime_; }
  ahal_device_t device() const { return device_; }
  const ahal_device_properties_t& props() const { return props_; }
  bool quick() const { return quick_; }
  bool has(uint64_t features) const { return (props_.features & features) == features; }
  // Deterministic per test.
  uint64_t seed() const { return seed_; }
  void set_seed(uint64_t seed) { seed_ = seed; }

  Buffer buffer(uint64_t size, uint32_t flags = 0);
  Stream stream();
  Event event(uint32_t flags = 0);
  HostAlloc host_alloc(uint64_t size, void** pointer);

  // Synchronous helpers on a private stream.
  void write(ahal_buffer_t buffer, uint64_t offset, const void* data, uint64_t size);
  std::vector<uint8_t> read(ahal_buffer_t buffer, uint64_t offset, uint64_t size);
  template <typename T>
  void write(ahal_buffer_t buffer, const std::vector<T>& v, uint64_t offset = 0) {
    write(buffer, offset, v.data(), v.size() * sizeof(T));
  }
  template <typename T>
  std::vector<T> read_as(ahal_buffer_t buffer, size_t count, uint64_t offset = 0) {
    std::vector<T> out(count);
    std::vector<uint8_t> bytes = read(buffer, offset, count * sizeof(T));
    std::memcpy(out.data(), bytes.data(), bytes.size());
    return out;
  }
  void fill_bytes(ahal_buffer_t buffer, uint64_t offset, uint64_t size, uint8_t value);

  // The standard kernels (docs/kernel-abi.md) from the standard bundle.
  // Skips the test when the device takes no modules or the bundle has no
  // image for it; fails when the image the device chose does not load.
  ahal_module_t kernels_module();
  ahal_kernel_t kernel(const char* name);
  const std::string& bundle_path() const { return bundle_path_; }

  // Round trip of data and, where the device runs kernels, a vector_add:
  // proves the device still works after bad calls.
  void check_device_usable(const char* after);

 private:
  ahal_runtime_t runtime_;
  ahal_device_t device_;
  ahal_device_properties_t props_{};
  bool quick_;
  uint64_t seed_ = 1;
  Stream io_stream_;
  Module module_;
  std::string module_problem_;  // why the standard module did not load
  bool module_fails_ = false;   // ... and whether that fails the test (else it skips)
  std::string bundle_path_;
};

// Launches `kernel` on `stream`; returns the status of ahal_stream_launch.
ahal_status_t launch(ahal_stream_t stream, ahal_kernel_t kernel, Dim3 grid, Dim3 wg,
                     std::initializer_list<ahal_binding_t> bindings, const void* constants,
                     uint32_t constants_size, uint32_t dynamic_shared_bytes = 0);
template <typename C>
ahal_status_t launch(ahal_stream_t stream, ahal_kernel_t kernel, Dim3 grid, Dim3 wg,
                     std::initializer_list<ahal_binding_t> bindings, const C& constants) {
  return launch(stream, kernel, grid, wg, bindings, &constants, sizeof(C));
}
inline ahal_binding_t bind(ahal_buffer_t buffer, uint64_t offset = 0, uint64_t size = 0) {
  return ahal_binding_t{buffer, offset, size};
}

// ------------------------------------------------------------ data helpers

// splitmix64: reproducible test data.
class Rng {
 public:
  explicit Rng(uint64_t seed) : s_(seed) {}
  uint64_t next();
  uint32_t below(uint32_t n) { return static_cast<uint32_t>(next() % n); }
  float unit_float() { return static_cast<float>(next() >> 40) / static_cast<float>(1 << 24); }
  std::vector<uint8_t> bytes(size_t n);
  std::vector<float> floats(size_t n, float lo, float hi);
  std::vector<double> doubles(size_t n, double lo, double hi);

 private:
  uint64_t s_;
};

// Index of the first differing byte, or SIZE_MAX when equal.
size_t first_difference(const void* a, const void* b, size_t n);
// Fails with a message naming the first differing byte.
void expect_bytes(const void* got, const void* want, size_t n, const char* what);
void expect_near(double got, double want, double rel_tol, const char* what, size_t index);

uint64_t now_ns();
// Polls until flag == value or timeout_ns passed; returns whether it got there.
bool wait_until(const std::atomic<int>& flag, int value, uint64_t timeout_ns);

// A host callback that blocks its stream until opened; makes "work is
// still pending" deterministic on devices with AHAL_FEATURE_HOST_CALLBACKS.
// Destroying the gate opens it and waits for its callbacks to finish; a
// callback gives up after 20 s, so a failed test cannot hang its stream.
class Gate {
 public:
  Gate();
  Gate(const Gate&) = delete;
  Gate& operator=(const Gate&) = delete;
  ~Gate();
  // Opens every gate that exists (before a failing test settles its device).
  static void open_all();
  void block(ahal_stream_t stream);  // enqueues the blocking callback
  void open() { open_ = 1; }
  const std::atomic<int>& entered_flag() const { return entered_; }

 private:
  static void callback(void* self);
  std::atomic<int> open_{0};
  std::atomic<int> entered_{0};
  std::atomic<int> pending_{0};
};

}  // namespace conform
