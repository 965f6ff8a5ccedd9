#include "harness.hpp"

#include "ahal_tool_support.hpp"
#include "bundle_format.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <thread>

namespace conform {

// ------------------------------------------------------------ registry

const std::vector<std::string>& categories() {
  static const std::vector<std::string> order = {
      "properties",      "memory",   "copies", "fills",  "streams",  "events", "kernels",
      "command_buffers", "builtins", "errors", "limits", "negative", "stress", "collectives"};
  return order;
}

static std::vector<TestCase>& registry() {
  static std::vector<TestCase> tests;
  return tests;
}

Registrar::Registrar(const char* id, Profile profile, uint64_t features, TestFn fn) {
  std::string s = id;
  registry().push_back({s, s.substr(0, s.find('.')), profile, features, fn});
}

const std::vector<TestCase>& all_tests() {
  static const std::vector<TestCase> sorted = [] {
    std::vector<TestCase> tests = registry();
    auto rank = [](const std::string& category) {
      const auto& c = categories();
      return std::find(c.begin(), c.end(), category) - c.begin();
    };
    std::stable_sort(tests.begin(), tests.end(), [&](const TestCase& a, const TestCase& b) {
      return rank(a.category) < rank(b.category);
    });
    return tests;
  }();
  return sorted;
}

const TestCase* find_test(const std::string& id) {
  for (const TestCase& t : all_tests())
    if (t.id == id) return &t;
  return nullptr;
}

const char* profile_name(Profile p) { return p == Profile::core ? "core" : "full"; }

std::string self_exe() {
  const std::string path = ahal_tools::executable_path();
  return path.empty() ? "ahal-conform" : path;
}

std::string feature_names(uint64_t features) {
  static const std::pair<uint64_t, const char*> names[] = {
      {AHAL_FEATURE_FP64, "fp64"},
      {AHAL_FEATURE_FP16, "fp16"},
      {AHAL_FEATURE_INT64_ATOMICS, "int64-atomics"},
      {AHAL_FEATURE_HOST_VISIBLE_MEMORY, "host-visible-memory"},
      {AHAL_FEATURE_UNIFIED_MEMORY, "unified-memory"},
      {AHAL_FEATURE_TIMESTAMPS, "timestamps"},
      {AHAL_FEATURE_HOST_CALLBACKS, "host-callbacks"},
      {AHAL_FEATURE_BUILTIN_KERNELS, "builtin-kernels"},
      {AHAL_FEATURE_DYNAMIC_SHARED_MEMORY, "dynamic-shared-memory"},
      {AHAL_FEATURE_GENERAL_KERNELS, "general-kernels"},
  };
  std::string out;
  for (const auto& [bit, name] : names) {
    if (!(features & bit)) continue;
    if (!out.empty()) out += ",";
    out += name;
  }
  return out;
}

// ------------------------------------------------------------ outcomes

namespace {
std::atomic<ahal_device_t> g_device{nullptr};
std::atomic<uint64_t> g_checks{0};
std::mutex g_gates_mutex;
std::vector<Gate*> g_gates;

[[noreturn]] void throw_failure(std::string message) {
  if (ahal_device_t d = g_device.load()) {
    Gate::open_all();
    ahal_device_synchronize(d);
  }
  throw TestFailure{std::move(message)};
}
}  // namespace

void set_current_device(ahal_device_t device) { g_device = device; }

void count_check() { ++g_checks; }
uint64_t checks_made() { return g_checks.load(); }

static std::string vformat(const char* fmt, va_list ap) {
  va_list copy;
  va_copy(copy, ap);
  int n = std::vsnprintf(nullptr, 0, fmt, copy);
  va_end(copy);
  std::string s(n > 0 ? static_cast<size_t>(n) : 0, '\0');
  if (n > 0) std::vsnprintf(s.data(), s.size() + 1, fmt, ap);
  return s;
}

std::string format(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  std::string s = vformat(fmt, ap);
  va_end(ap);
  return s;
}

void fail(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  std::string s = vformat(fmt, ap);
  va_end(ap);
  throw_failure(std::move(s));
}

void skip(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  std::string s = vformat(fmt, ap);
  va_end(ap);
  throw TestSkip{s};
}

static const char* base_name(const char* path) {
  const char* slash = std::strrchr(path, '/');
  return slash ? slash + 1 : path;
}

void check_ok(ahal_status_t status, const char* call, const char* file, int line) {
  count_check();
  if (status == AHAL_SUCCESS) return;
  fail("%s:%d: %s returned %s: %s", base_name(file), line, call, ahal_status_string(status),
       ahal_last_error_message());
}

void check_status(ahal_status_t status, std::initializer_list<ahal_status_t> expected,
                  const char* call, const char* file, int line) {
  count_check();
  std::string message = ahal_last_error_message();
  std::string want;
  for (ahal_status_t e : expected) {
    if (status == e) {
      if (status > AHAL_NOT_READY && message.empty())
        fail("%s:%d: %s returned %s as expected but set no error message", base_name(file), line,
             call, ahal_status_string(status));
      return;
    }
    want += (want.empty() ? "" : " or ") + std::string(ahal_status_string(e));
  }
  fail("%s:%d: %s returned %s, expected %s%s%s", base_name(file), line, call,
       ahal_status_string(status), want.c_str(), status == AHAL_SUCCESS ? "" : ": ",
       status == AHAL_SUCCESS ? "" : message.c_str());
}

void check_true(bool ok, const char* cond, const char* file, int line, const char* fmt, ...) {
  count_check();
  if (ok) return;
  va_list ap;
  va_start(ap, fmt);
  std::string s = vformat(fmt, ap);
  va_end(ap);
  fail("%s:%d: %s (%s)", base_name(file), line, s.c_str(), cond);
}

// ------------------------------------------------------------ context

Context::Context(ahal_runtime_t runtime, ahal_device_t device, bool quick)
    : runtime_(runtime), device_(device), quick_(quick) {
  props_.struct_size = sizeof(props_);
  CHECK_OK(ahal_device_get_properties(device_, &props_));
  bundle_path_ = ahal_tools::kernels_bundle_path();
}

Context::~Context() = default;

Buffer Context::buffer(uint64_t size, uint32_t flags) {
  ahal_buffer_args_t args{};
  args.struct_size = sizeof(args);
  args.size = size;
  args.flags = flags;
  Buffer b;
  ahal_status_t s = ahal_buffer_create(device_, &args, b.out());
  count_check();
  if (s == AHAL_SUCCESS) return b;
  if (props_.max_allocation_bytes == 0)
    fail(
        "ahal_buffer_create(size %llu) returned %s: %s (the device reports "
        "max_allocation_bytes 0: it offers no buffers at all)",
        static_cast<unsigned long long>(size), ahal_status_string(s), ahal_last_error_message());
  fail("ahal_buffer_create(size %llu, flags 0x%x) returned %s: %s",
       static_cast<unsigned long long>(size), flags, ahal_status_string(s),
       ahal_last_error_message());
}

Stream Context::stream() {
  Stream s;
  CHECK_OK(ahal_stream_create(device_, nullptr, s.out()));
  return s;
}

Event Context::event(uint32_t flags) {
  Event e;
  CHECK_OK(ahal_event_create(device_, flags, e.out()));
  return e;
}

HostAlloc Context::host_alloc(uint64_t size, void** pointer) {
  HostAlloc a;
  CHECK_OK(ahal_host_alloc(device_, size, 0, a.out()));
  CHECK_OK(ahal_host_alloc_pointer(a, pointer));
  REQUIRE(*pointer != nullptr, "ahal_host_alloc_pointer gave NULL");
  return a;
}

void Context::write(ahal_buffer_t buffer, uint64_t offset, const void* data, uint64_t size) {
  if (!io_stream_) io_stream_ = stream();
  CHECK_OK(ahal_stream_copy_h2d(io_stream_, data, buffer, offset, size));
  CHECK_OK(ahal_stream_synchronize(io_stream_));
}

std::vector<uint8_t> Context::read(ahal_buffer_t buffer, uint64_t offset, uint64_t size) {
  if (!io_stream_) io_stream_ = stream();
  std::vector<uint8_t> out(size);
  CHECK_OK(ahal_stream_copy_d2h(io_stream_, buffer, offset, out.data(), size));
  CHECK_OK(ahal_stream_synchronize(io_stream_));
  return out;
}

void Context::fill_bytes(ahal_buffer_t buffer, uint64_t offset, uint64_t size, uint8_t value) {
  std::vector<uint8_t> bytes(size, value);
  write(buffer, offset, bytes.data(), size);
}

// The standard bundle with only the images of `format`, for
// AHAL_CONFORM_KERNEL_FORMAT; empty (and *why set) when that cannot be.
static std::vector<uint8_t> bundle_of_format(const std::string& path, const std::string& format,
                                             uint64_t device_formats, const char* selector,
                                             std::string* why) {
  const ahal_module_format_t f = ahal::bundle::parse_format(format);
  if (!ahal::bundle::is_image_format(f)) {
    *why = "AHAL_CONFORM_KERNEL_FORMAT=" + format + " is not an image format";
    return {};
  }
  if (!(device_formats & (1ull << f))) {
    *why = std::string(selector) + " does not take " + format + " modules";
    return {};
  }
  ahal::bundle::Bundle b;
  std::string error;
  if (!ahal::bundle::read_file(path, &b, &error)) {
    *why = "cannot read the standard bundle: " + error;
    return {};
  }
  std::vector<ahal::bundle::Image> kept;
  for (ahal::bundle::Image& img : b.images)
    if (img.format == f) kept.push_back(std::move(img));
  if (kept.empty()) {
    *why = "the standard bundle has no " + format + " images";
    return {};
  }
  b.images = std::move(kept);
  return ahal::bundle::serialize(b);
}

ahal_module_t Context::kernels_module() {
  if (!has(AHAL_FEATURE_GENERAL_KERNELS))
    skip("the device does not claim AHAL_FEATURE_GENERAL_KERNELS");
  if (module_) return module_;
  // AHAL_CONFORM_KERNEL_FORMAT=<format>: the standard kernels from that
  // format's images only (CI runs the kernels category once per format).
  const char* only = std::getenv("AHAL_CONFORM_KERNEL_FORMAT");
  if (only && *only && module_problem_.empty()) {
    std::string why;
    std::vector<uint8_t> bytes =
        bundle_of_format(bundle_path_, only, props_.module_formats, props_.selector, &why);
    if (bytes.empty()) skip("%s", why.c_str());
    ahal_module_args_t args{};
    args.struct_size = sizeof(args);
    args.format = AHAL_MODULE_FORMAT_BUNDLE;
    args.data = bytes.data();
    args.data_size = bytes.size();
    ahal_status_t s = ahal_module_create(device_, &args, module_.out());
    if (s == AHAL_SUCCESS) return module_;
    module_fails_ = true;
    module_problem_ = format("ahal_module_create(the standard bundle's %s images) returned %s: %s",
                             only, ahal_status_string(s), ahal_last_error_message());
  }
  // Loaded once per test process; later tests get the same answer.
  if (module_problem_.empty()) {
    if (FILE* f = std::fopen(bundle_path_.c_str(), "rb")) {
      std::fclose(f);
      ahal_module_args_t args{};
      args.struct_size = sizeof(args);
      args.format = AHAL_MODULE_FORMAT_BUNDLE;
      args.path = bundle_path_.c_str();
      ahal_status_t s = ahal_module_create(device_, &args, module_.out());
      if (s == AHAL_SUCCESS) return module_;
      module_fails_ = s != AHAL_ERROR_UNSUPPORTED;
      module_problem_ =
          module_fails_
              ? format("ahal_module_create(standard bundle %s) returned %s: %s",
                       bundle_path_.c_str(), ahal_status_string(s), ahal_last_error_message())
              : "the standard bundle has no image for this device: " +
                    std::string(ahal_last_error_message());
    } else {
      // A broken installation, not a property of the device: fail loudly.
      module_fails_ = true;
      module_problem_ = "standard kernel bundle not found at " + bundle_path_ +
                        " (build target ahal_kernels, or set AHAL_KERNELS_BUNDLE)";
    }
  }
  if (module_fails_) throw_failure(module_problem_);
  throw TestSkip{module_problem_};
}

ahal_kernel_t Context::kernel(const char* name) {
  ahal_kernel_t k = nullptr;
  ahal_status_t s = ahal_kernel_get(kernels_module(), name, &k);
  if (s != AHAL_SUCCESS)
    fail("ahal_kernel_get(standard module, \"%s\") returned %s: %s", name, ahal_status_string(s),
         ahal_last_error_message());
  return k;
}

void Context::check_device_usable(const char* after) {
  try {
    Rng rng(seed_ ^ 0x5eed);
    std::vector<uint8_t> data = rng.bytes(4099);
    Buffer b = buffer(data.size());
    write(b, 0, data.data(), data.size());
    std::vector<uint8_t> back = read(b, 0, data.size());
    expect_bytes(back.data(), data.data(), data.size(), "round trip");
    if (has(AHAL_FEATURE_GENERAL_KERNELS) && module_) {
      const uint32_t n = 1000;
      std::vector<float> a = rng.floats(n, -1, 1), bv = rng.floats(n, -1, 1);
      Buffer ba = buffer(n * 4), bb = buffer(n * 4), bc = buffer(n * 4);
      write(ba, a);
      write(bb, bv);
      Stream s = stream();
      CHECK_OK(launch(s, kernel("vector_add"), {(n + 63) / 64}, {64},
                      {bind(ba), bind(bb), bind(bc)}, n));
      CHECK_OK(ahal_stream_synchronize(s));
      std::vector<float> c = read_as<float>(bc, n);
      for (uint32_t i = 0; i < n; ++i) expect_near(c[i], a[i] + bv[i], 1e-6, "vector_add c", i);
    }
  } catch (const TestFailure& f) {
    throw TestFailure{"device no longer works after " + std::string(after) + ": " + f.message};
  }
}

ahal_status_t launch(ahal_stream_t stream, ahal_kernel_t kernel, Dim3 grid, Dim3 wg,
                     std::initializer_list<ahal_binding_t> bindings, const void* constants,
                     uint32_t constants_size, uint32_t dynamic_shared_bytes) {
  ahal_launch_args_t args{};
  args.struct_size = sizeof(args);
  args.grid[0] = grid.x;
  args.grid[1] = grid.y;
  args.grid[2] = grid.z;
  args.workgroup_size[0] = wg.x;
  args.workgroup_size[1] = wg.y;
  args.workgroup_size[2] = wg.z;
  args.dynamic_shared_bytes = dynamic_shared_bytes;
  args.binding_count = static_cast<uint32_t>(bindings.size());
  args.bindings = bindings.size() ? bindings.begin() : nullptr;
  args.constants = constants_size ? constants : nullptr;
  args.constants_size = constants_size;
  return ahal_stream_launch(stream, kernel, &args);
}

// ------------------------------------------------------------ data helpers

uint64_t Rng::next() {
  uint64_t z = (s_ += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

std::vector<uint8_t> Rng::bytes(size_t n) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; i += 8) {
    uint64_t r = next();
    std::memcpy(v.data() + i, &r, std::min<size_t>(8, n - i));
  }
  return v;
}

std::vector<float> Rng::floats(size_t n, float lo, float hi) {
  std::vector<float> v(n);
  for (float& x : v) x = lo + (hi - lo) * unit_float();
  return v;
}

std::vector<double> Rng::doubles(size_t n, double lo, double hi) {
  std::vector<double> v(n);
  for (double& x : v) x = lo + (hi - lo) * (static_cast<double>(next() >> 11) / 9007199254740992.0);
  return v;
}

size_t first_difference(const void* a, const void* b, size_t n) {
  if (std::memcmp(a, b, n) == 0) return SIZE_MAX;
  const auto* pa = static_cast<const uint8_t*>(a);
  const auto* pb = static_cast<const uint8_t*>(b);
  for (size_t i = 0; i < n; ++i)
    if (pa[i] != pb[i]) return i;
  return SIZE_MAX;
}

void expect_bytes(const void* got, const void* want, size_t n, const char* what) {
  count_check();
  size_t i = first_difference(got, want, n);
  if (i == SIZE_MAX) return;
  size_t wrong = 0;
  const auto* pg = static_cast<const uint8_t*>(got);
  const auto* pw = static_cast<const uint8_t*>(want);
  for (size_t k = i; k < n; ++k) wrong += pg[k] != pw[k];
  fail("%s: byte %zu of %zu is 0x%02x, expected 0x%02x (%zu bytes wrong)", what, i, n, pg[i], pw[i],
       wrong);
}

void expect_near(double got, double want, double rel_tol, const char* what, size_t index) {
  count_check();
  double scale = std::max(1.0, std::fabs(want));
  if (std::fabs(got - want) <= rel_tol * scale) return;
  fail("%s[%zu] = %.9g, expected %.9g (relative tolerance %g)", what, index, got, want, rel_tol);
}

uint64_t now_ns() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                   std::chrono::steady_clock::now().time_since_epoch())
                                   .count());
}

bool wait_until(const std::atomic<int>& flag, int value, uint64_t timeout_ns) {
  uint64_t end = now_ns() + timeout_ns;
  while (flag.load() != value) {
    if (now_ns() > end) return false;
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  return true;
}

Gate::Gate() {
  std::lock_guard<std::mutex> lock(g_gates_mutex);
  g_gates.push_back(this);
}

Gate::~Gate() {
  open();
  wait_until(pending_, 0, 25'000'000'000ull);
  std::lock_guard<std::mutex> lock(g_gates_mutex);
  g_gates.erase(std::find(g_gates.begin(), g_gates.end(), this));
}

void Gate::open_all() {
  std::lock_guard<std::mutex> lock(g_gates_mutex);
  for (Gate* g : g_gates) g->open();
}

void Gate::block(ahal_stream_t stream) {
  ++pending_;
  ahal_status_t s = ahal_stream_host_callback(stream, &Gate::callback, this);
  if (s != AHAL_SUCCESS) --pending_;
  CHECK_OK(s);
}

void Gate::callback(void* self) {
  auto* g = static_cast<Gate*>(self);
  g->entered_ = 1;
  wait_until(g->open_, 1, 20'000'000'000ull);
  --g->pending_;
}

}  // namespace conform
