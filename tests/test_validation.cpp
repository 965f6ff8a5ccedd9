// The validation layer (docs/validation.md): each check fires, says which
// call caused it, and makes a wrong call fail. hostmem runs with
// HOSTMEM_DEFERRED=1 here, so work stays in flight until a synchronize or
// an event wait needs it.
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <regex>

#include "test_support.hpp"

namespace {

struct EnvVar {
  std::string name;
  EnvVar(const char* n, const char* value) : name(n) { setenv(n, value, 1); }
  ~EnvVar() { unsetenv(name.c_str()); }
};

// Collects what goes to stderr (where findings are printed) while alive.
class Stderr {
 public:
  Stderr() {
    char path[] = "/tmp/ahal-stderr-XXXXXX";
    fd_ = mkstemp(path);
    REQUIRE(fd_ >= 0);
    path_ = path;
    std::fflush(stderr);
    saved_ = dup(2);
    dup2(fd_, 2);
  }
  ~Stderr() {
    restore();
    close(fd_);
    std::remove(path_.c_str());
  }
  // Everything printed so far.
  std::string text() {
    std::fflush(stderr);
    std::ifstream in(path_);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  size_t count(const std::string& needle) {
    const std::string all = text();
    size_t n = 0;
    for (size_t at = all.find(needle); at != std::string::npos; at = all.find(needle, at + 1)) ++n;
    return n;
  }

 private:
  void restore() {
    if (saved_ < 0) return;
    std::fflush(stderr);
    dup2(saved_, 2);
    close(saved_);
    saved_ = -1;
  }
  int fd_ = -1;
  int saved_ = -1;
  std::string path_;
};

#define CHECK_PRINTED(capture, needle)                 \
  do {                                                 \
    const std::string printed_ = (capture).text();     \
    INFO("stderr:\n" << printed_);                     \
    CHECK(printed_.find(needle) != std::string::npos); \
  } while (0)

// A validated runtime on the deferred hostmem device.
struct Validated {
  EnvVar deferred{"HOSTMEM_DEFERRED", "1"};
  test::Runtime rt{test::plugin_dir("hostmem"), nullptr, AHAL_RUNTIME_VALIDATION};
  ahal_device_t dev = rt.device("hostmem:0");
  ahal_device_t other = rt.device("hostmem:1");
};

ahal_event_t make_event(ahal_device_t d) {
  ahal_event_t e = nullptr;
  REQUIRE_OK(ahal_event_create(d, 0, &e));
  return e;
}

ahal_launch_args_t launch_of(const ahal_binding_t* bindings, uint32_t count, const uint32_t* base,
                             uint32_t items = 64) {
  ahal_launch_args_t l = {};
  l.struct_size = sizeof(l);
  l.grid[0] = 1;
  l.grid[1] = l.grid[2] = 1;
  l.workgroup_size[0] = items;
  l.workgroup_size[1] = l.workgroup_size[2] = 1;
  l.binding_count = count;
  l.bindings = bindings;
  l.constants = base;
  l.constants_size = 4;
  return l;
}

}  // namespace

TEST_CASE("validation is off unless asked for, by flag or AHAL_VALIDATION=1") {
  unsetenv("AHAL_VALIDATION");
  Stderr err;
  {
    test::Runtime rt(test::plugin_dir("hostmem"));
    ahal_device_t dev = rt.device("hostmem:0");
    ahal_stream_t s = test::make_stream(dev);
    ahal_event_t e = make_event(dev);
    // An unrecorded event counts as complete: fine for the base loader.
    REQUIRE_OK(ahal_stream_wait_event(s, e));
  }
  CHECK(err.text().find("validation") == std::string::npos);
  {
    EnvVar on("AHAL_VALIDATION", "1");
    test::Runtime rt(test::plugin_dir("hostmem"));
    ahal_device_t dev = rt.device("hostmem:0");
    ahal_stream_t s = test::make_stream(dev);
    ahal_event_t e = make_event(dev);
    CHECK_FAILS(ahal_stream_wait_event(s, e), AHAL_ERROR_INVALID_STATE, "ahal_stream_wait_event",
                "was never recorded");
  }
  CHECK_PRINTED(err, "ahal: validation error: ahal_stream_wait_event: event 0x");
}

TEST_CASE_METHOD(Validated, "use after destroy says who destroyed the object and who made it") {
  Stderr err;
  ahal_buffer_t b = test::make_buffer(dev, 64);
  REQUIRE_OK(ahal_buffer_destroy(b));
  uint64_t size = 0;
  CHECK_FAILS(ahal_buffer_size(b, &size), AHAL_ERROR_INVALID_HANDLE, "ahal_buffer_size",
              "was destroyed (validation: buffer 0x");
  CHECK_FAILS(ahal_buffer_size(b, &size), AHAL_ERROR_INVALID_HANDLE, "ahal_buffer_size",
              "(64 bytes on hostmem:0), created by ahal_buffer_create from test_validation");
  CHECK_PRINTED(err, "ahal: validation error: ahal_buffer_size: use after destroy: buffer 0x");
  CHECK_PRINTED(err, "was destroyed by ahal_buffer_destroy from test_validation");

  // Through a stream call too, and for host allocations.
  ahal_stream_t s = test::make_stream(dev);
  const uint32_t word = 7;
  CHECK_FAILS(ahal_stream_copy_h2d(s, &word, b, 0, 4), AHAL_ERROR_INVALID_HANDLE,
              "ahal_stream_copy_h2d", "validation: buffer 0x");
  CHECK_PRINTED(err, "ahal: validation error: ahal_stream_copy_h2d: use after destroy: buffer");
  ahal_host_alloc_t h = nullptr;
  REQUIRE_OK(ahal_host_alloc(dev, 256, 0, &h));
  REQUIRE_OK(ahal_host_free(h));
  void* p = nullptr;
  CHECK_FAILS(ahal_host_alloc_pointer(h, &p), AHAL_ERROR_INVALID_HANDLE, "ahal_host_alloc_pointer",
              "validation: host allocation 0x");
  CHECK_PRINTED(err, "was destroyed by ahal_host_free");
}

TEST_CASE_METHOD(Validated, "a buffer still used by queued work cannot be destroyed or mapped") {
  Stderr err;
  ahal_buffer_t b = test::make_buffer(dev, 256, AHAL_MEMORY_HOST_VISIBLE);
  ahal_stream_t s = test::make_stream(dev);
  std::vector<uint32_t> data(64, 5);
  REQUIRE_OK(ahal_stream_copy_h2d(s, data.data(), b, 0, 256));
  CHECK(ahal_stream_query(s) == AHAL_NOT_READY);

  CHECK_FAILS(ahal_buffer_destroy(b), AHAL_ERROR_INVALID_STATE, "ahal_buffer_destroy",
              "is still in use by ahal_stream_copy_h2d #1 on stream 0x");
  CHECK_PRINTED(err, "ahal: validation error: ahal_buffer_destroy: buffer 0x");
  CHECK_PRINTED(err, "(copy h2d, called from test_validation");
  void* mapped = nullptr;
  CHECK_FAILS(ahal_buffer_map(b, 0, 256, &mapped), AHAL_ERROR_INVALID_STATE, "ahal_buffer_map",
              "is still in use by ahal_stream_copy_h2d #1");
  CHECK(mapped == nullptr);

  REQUIRE_OK(ahal_stream_synchronize(s));
  REQUIRE_OK(ahal_buffer_map(b, 0, 256, &mapped));
  CHECK(static_cast<uint32_t*>(mapped)[63] == 5);
  REQUIRE_OK(ahal_buffer_unmap(b));
  REQUIRE_OK(ahal_buffer_destroy(b));
}

TEST_CASE_METHOD(Validated, "a launch holds its bindings and module until an event shows it done") {
  ahal_module_t m = nullptr;
  REQUIRE_OK(test::make_program(dev, "kernel k write_index\n", &m, {{"k", 1, 4, 0}}));
  ahal_kernel_t k = nullptr;
  REQUIRE_OK(ahal_kernel_get(m, "k", &k));
  ahal_buffer_t out = test::make_buffer(dev, 256);
  ahal_stream_t s = test::make_stream(dev);
  const uint32_t base = 100;
  const ahal_binding_t bind[1] = {{out, 0, 0}};
  const ahal_launch_args_t l = launch_of(bind, 1, &base);
  REQUIRE_OK(ahal_stream_launch(s, k, &l));
  ahal_event_t e = make_event(dev);
  REQUIRE_OK(ahal_stream_record_event(s, e));

  Stderr err;
  CHECK_FAILS(ahal_buffer_destroy(out), AHAL_ERROR_INVALID_STATE, "ahal_buffer_destroy",
              "is still in use by ahal_stream_launch #1");
  CHECK_PRINTED(err, "(launch k, called from test_validation");
  CHECK_FAILS(ahal_module_destroy(m), AHAL_ERROR_INVALID_STATE, "ahal_module_destroy", "module 0x");
  CHECK(ahal_event_query(e) == AHAL_NOT_READY);
  // The wait shows the launch completed: both may go now.
  REQUIRE_OK(ahal_event_wait(e, UINT64_MAX));
  std::vector<uint32_t> back(64);
  REQUIRE_OK(ahal_stream_copy_d2h(s, out, 0, back.data(), 256));
  REQUIRE_OK(ahal_stream_synchronize(s));
  CHECK(back[63] == 163);
  REQUIRE_OK(ahal_module_destroy(m));
  REQUIRE_OK(ahal_buffer_destroy(out));
}

TEST_CASE_METHOD(Validated, "host memory freed while a copy still uses it") {
  Stderr err;
  ahal_buffer_t b = test::make_buffer(dev, 4096);
  ahal_stream_t s = test::make_stream(dev);
  ahal_host_alloc_t in = nullptr, out = nullptr;
  REQUIRE_OK(ahal_host_alloc(dev, 4096, 0, &in));
  REQUIRE_OK(ahal_host_alloc(dev, 4096, 0, &out));
  void *pin = nullptr, *pout = nullptr;
  REQUIRE_OK(ahal_host_alloc_pointer(in, &pin));
  REQUIRE_OK(ahal_host_alloc_pointer(out, &pout));
  std::memset(pin, 0x5a, 4096);
  // The copies read from the middle of `in` and write into the end of `out`.
  REQUIRE_OK(ahal_stream_copy_h2d(s, static_cast<char*>(pin) + 1024, b, 0, 1024));
  REQUIRE_OK(ahal_stream_copy_d2h(s, b, 0, static_cast<char*>(pout) + 3072, 1024));

  CHECK_FAILS(ahal_host_free(in), AHAL_ERROR_INVALID_STATE, "ahal_host_free",
              "is still in use by ahal_stream_copy_h2d #1");
  CHECK_FAILS(ahal_host_free(out), AHAL_ERROR_INVALID_STATE, "ahal_host_free",
              "is still in use by ahal_stream_copy_d2h #2");
  CHECK_PRINTED(err, "ahal: validation error: ahal_host_free: host allocation 0x");
  REQUIRE_OK(ahal_stream_synchronize(s));
  CHECK(static_cast<unsigned char*>(pout)[4095] == 0x5a);
  REQUIRE_OK(ahal_host_free(in));
  REQUIRE_OK(ahal_host_free(out));
}

TEST_CASE_METHOD(Validated, "host memory reused by another stream before the first is done") {
  ahal_buffer_t b1 = test::make_buffer(dev, 1024), b2 = test::make_buffer(dev, 1024);
  ahal_stream_t s1 = test::make_stream(dev), s2 = test::make_stream(dev);
  std::vector<uint8_t> host(1024, 1);
  REQUIRE_OK(ahal_stream_copy_h2d(s1, host.data(), b1, 0, 1024));

  SECTION("a write into memory a pending copy reads is refused") {
    Stderr err;
    CHECK_FAILS(ahal_stream_copy_d2h(s2, b2, 0, host.data() + 512, 16), AHAL_ERROR_INVALID_STATE,
                "ahal_stream_copy_d2h",
                "that this call writes is still read by ahal_stream_copy_h2d #1 on stream");
    CHECK_PRINTED(err, "ahal: validation error: ahal_stream_copy_d2h: host memory");
    // The same stream may: its commands run in order.
    REQUIRE_OK(ahal_stream_copy_d2h(s1, b1, 0, host.data(), 16));
    CHECK_FAILS(ahal_stream_copy_h2d(s2, host.data(), b2, 0, 16), AHAL_ERROR_INVALID_STATE,
                "ahal_stream_copy_h2d",
                "that this call reads is still written by ahal_stream_copy_d2h #2");
    // Reading what the others only read is fine.
    REQUIRE_OK(ahal_stream_copy_h2d(s2, host.data() + 512, b2, 0, 512));
  }
  SECTION("an event wait orders the streams") {
    ahal_event_t e = make_event(dev);
    REQUIRE_OK(ahal_stream_record_event(s1, e));
    REQUIRE_OK(ahal_stream_wait_event(s2, e));
    REQUIRE_OK(ahal_stream_copy_d2h(s2, b2, 0, host.data() + 512, 16));
  }
  SECTION("so does waiting on the host") {
    REQUIRE_OK(ahal_stream_synchronize(s1));
    REQUIRE_OK(ahal_stream_copy_d2h(s2, b2, 0, host.data() + 512, 16));
  }
  REQUIRE_OK(ahal_device_synchronize(dev));
}

TEST_CASE_METHOD(Validated,
                 "a command buffer destroyed or updated while a submission is in flight") {
  ahal_stream_t s = test::make_stream(dev);
  ahal_buffer_t a = test::make_buffer(dev, 256);
  ahal_command_buffer_t cb = nullptr;
  REQUIRE_OK(ahal_command_buffer_create(dev, 0, &cb));
  const uint32_t zero = 0;
  REQUIRE_OK(ahal_command_buffer_fill(cb, a, 0, 256, &zero, 4));
  REQUIRE_OK(ahal_command_buffer_finalize(cb));
  Stderr err;
  REQUIRE_OK(ahal_stream_submit(s, cb));  // deferred: stays in flight
  // Its buffer is in use by the submission, as by any queued command.
  CHECK_FAILS(ahal_buffer_destroy(a), AHAL_ERROR_INVALID_STATE, "ahal_buffer_destroy",
              "still in use by ahal_stream_submit");
  ahal_launch_update_t u = {};
  u.struct_size = sizeof(u);
  CHECK_FAILS(ahal_command_buffer_update_launch(cb, 0, &u), AHAL_ERROR_INVALID_ARGUMENT,
              "ahal_command_buffer_update_launch", "command 0 is a fill, not a launch");
  REQUIRE_OK(ahal_command_buffer_destroy(cb));  // waits, but is a finding
  CHECK_PRINTED(err, "ahal: validation error: ahal_command_buffer_destroy: command buffer 0x");
  CHECK_PRINTED(err, "while a submission is still in flight");
  REQUIRE_OK(ahal_buffer_destroy(a));
}

TEST_CASE("bindings and launches that the kernel metadata rules out") {
  EnvVar align("HOSTMEM_BINDING_ALIGNMENT", "1");
  test::Runtime rt(test::plugin_dir("hostmem"), nullptr, AHAL_RUNTIME_VALIDATION);
  ahal_device_t dev = rt.device("hostmem:0");
  ahal_module_t m = nullptr;
  REQUIRE_OK(
      test::make_program(dev, "kernel k write_index\nkernel add add_u32\nkernel raw write_index\n",
                         &m, {{"k", 1, 4, 0}, {"add", 3, 4, 0}}));
  ahal_kernel_t k = nullptr, add = nullptr, raw = nullptr;
  REQUIRE_OK(ahal_kernel_get(m, "k", &k));
  REQUIRE_OK(ahal_kernel_get(m, "add", &add));
  REQUIRE_OK(ahal_kernel_get(m, "raw", &raw));
  ahal_buffer_t b = test::make_buffer(dev, 1002);
  ahal_stream_t s = test::make_stream(dev);
  const uint32_t base = 0;
  const char* fn = "ahal_stream_launch";
  Stderr err;

  ahal_binding_t bind = {b, 2, 64};
  ahal_launch_args_t l = launch_of(&bind, 1, &base, 16);
  CHECK_FAILS(ahal_stream_launch(s, k, &l), AHAL_ERROR_INVALID_ARGUMENT, fn,
              "kernel \"k\" binding 0: offset 2 is not a multiple of 4");
  bind = {b, 4, 6};
  CHECK_FAILS(ahal_stream_launch(s, k, &l), AHAL_ERROR_INVALID_ARGUMENT, fn,
              "binding 0: size 6 is not a multiple of 4");
  bind = {b, 0, 0};
  CHECK_FAILS(ahal_stream_launch(s, k, &l), AHAL_ERROR_INVALID_ARGUMENT, fn,
              "binding 0: size 1002 (to the buffer's end) is not a multiple of 4");
  CHECK(err.count("ahal: validation error: ahal_stream_launch: kernel \"k\" binding 0") == 3);
  bind = {b, 4, 64};
  REQUIRE_OK(ahal_stream_launch(s, k, &l));

  // What the loader itself refuses (count, kernel limits) is a finding too.
  const ahal_binding_t two[2] = {{b, 0, 64}, {b, 64, 64}};
  ahal_launch_args_t x = launch_of(two, 2, &base, 16);
  CHECK_FAILS(ahal_stream_launch(s, k, &x), AHAL_ERROR_INVALID_ARGUMENT, fn,
              "kernel k takes 1 bindings, got 2");
  CHECK_PRINTED(err,
                "ahal: validation error: ahal_stream_launch: kernel k takes 1 bindings, got 2");
  const uint32_t n = 16;
  const ahal_binding_t three[3] = {{b, 0, 64}, {b, 64, 64}, {b, 128, 64}};
  x = launch_of(three, 3, &n, 256);
  CHECK_FAILS(ahal_stream_launch(s, add, &x), AHAL_ERROR_OUT_OF_RANGE, fn,
              "exceeds kernel add's max_workgroup_size 128");
  CHECK_PRINTED(err, "ahal: validation error: ahal_stream_launch: workgroup of 256 work-items");

  // A kernel without metadata: one warning, not one per launch; it runs.
  REQUIRE_OK(ahal_stream_launch(s, raw, &l));
  REQUIRE_OK(ahal_stream_launch(s, raw, &l));
  CHECK(err.count("ahal: validation warning: ahal_stream_launch: kernel \"raw\" has no metadata") ==
        1);
  REQUIRE_OK(ahal_stream_synchronize(s));
}

TEST_CASE_METHOD(Validated, "waits on events that were never recorded") {
  Stderr err;
  ahal_stream_t s = test::make_stream(dev);
  ahal_event_t e = make_event(dev);
  CHECK_FAILS(ahal_stream_wait_event(s, e), AHAL_ERROR_INVALID_STATE, "ahal_stream_wait_event",
              "was never recorded, so this wait waits for nothing");
  CHECK_FAILS(ahal_event_wait(e, UINT64_MAX), AHAL_ERROR_INVALID_STATE, "ahal_event_wait",
              "was never recorded");
  CHECK_PRINTED(err, "ahal: validation error: ahal_event_wait: event 0x");
  // Querying one is no wait: fine.
  REQUIRE_OK(ahal_event_query(e));
  REQUIRE_OK(ahal_stream_record_event(s, e));
  REQUIRE_OK(ahal_stream_wait_event(s, e));
  REQUIRE_OK(ahal_event_wait(e, UINT64_MAX));
}

TEST_CASE_METHOD(Validated, "events used with another device's stream") {
  Stderr err;
  ahal_stream_t s = test::make_stream(dev), so = test::make_stream(other);
  ahal_event_t foreign = make_event(other);
  CHECK_FAILS(ahal_stream_record_event(s, foreign), AHAL_ERROR_INVALID_ARGUMENT,
              "ahal_stream_record_event", "a stream records only its own device's events");
  CHECK_PRINTED(err, "ahal: validation error: ahal_stream_record_event: event 0x");
  // Waiting for another device's event (API 1.4): never recorded is still
  // a finding; recorded, it is fine.
  CHECK_FAILS(ahal_stream_wait_event(s, foreign), AHAL_ERROR_INVALID_STATE,
              "ahal_stream_wait_event", "was never recorded");
  REQUIRE_OK(ahal_stream_record_event(so, foreign));
  REQUIRE_OK(ahal_stream_synchronize(so));
  REQUIRE_OK(ahal_stream_wait_event(s, foreign));
  REQUIRE_OK(ahal_stream_synchronize(s));
  // An event of another runtime is refused.
  test::Runtime rt2{test::plugin_dir("hostmem"), nullptr, AHAL_RUNTIME_VALIDATION};
  ahal_event_t alien = make_event(rt2.device("hostmem:0"));
  CHECK_FAILS(ahal_stream_wait_event(s, alien), AHAL_ERROR_INVALID_ARGUMENT,
              "ahal_stream_wait_event", "of another runtime");
}

TEST_CASE_METHOD(Validated, "a peer copy keeps both buffers in flight, on either device") {
  Stderr err;
  ahal_stream_t s = test::make_stream(dev);
  ahal_buffer_t src = test::make_buffer(dev, 64), dst = test::make_buffer(other, 64);
  REQUIRE_OK(ahal_stream_copy_peer(s, src, 0, dst, 0, 64));
  // Deferred: the copy waits for a synchronize, so both buffers are in use.
  CHECK_FAILS(ahal_buffer_destroy(dst), AHAL_ERROR_INVALID_STATE, "ahal_buffer_destroy",
              "still in use");
  CHECK_PRINTED(err, "ahal: validation error: ahal_buffer_destroy: buffer 0x");
  CHECK_FAILS(ahal_buffer_destroy(src), AHAL_ERROR_INVALID_STATE, "ahal_buffer_destroy",
              "still in use");
  REQUIRE_OK(ahal_stream_synchronize(s));
  REQUIRE_OK(ahal_buffer_destroy(dst));
  REQUIRE_OK(ahal_buffer_destroy(src));
}

TEST_CASE("the leak report names what was never destroyed and where it was made") {
  EnvVar deferred("HOSTMEM_DEFERRED", "1");
  Stderr err;
  ahal_buffer_t leaked = nullptr;
  const uint32_t word = 1;  // the deferred copy reads it at ahal_runtime_destroy
  {
    test::Runtime rt(test::plugin_dir("hostmem"), nullptr, AHAL_RUNTIME_VALIDATION);
    ahal_device_t dev = rt.device("hostmem:0");
    leaked = test::make_buffer(dev, 48);
    ahal_host_alloc_t h = nullptr;
    REQUIRE_OK(ahal_host_alloc(dev, 32, 0, &h));
    ahal_stream_t s = test::make_stream(dev);
    make_event(dev);
    ahal_module_t m = nullptr;
    REQUIRE_OK(test::make_program(dev, "kernel k write_index\n", &m));
    ahal_buffer_t freed = test::make_buffer(dev, 16);
    REQUIRE_OK(ahal_buffer_destroy(freed));
    // Queued work the runtime still finishes first.
    REQUIRE_OK(ahal_stream_copy_h2d(s, &word, leaked, 0, 4));
  }
  const std::string text = err.text();
  INFO(text);
  const std::regex line(
      "ahal: validation leak: ahal_runtime_destroy: buffer 0x[0-9a-f]+ \\(48 bytes on "
      "hostmem:0\\), "
      "created by ahal_buffer_create from test_validation\\(\\+0x[0-9a-f]+\\), was never "
      "destroyed");
  CHECK(std::regex_search(text, line));
  for (const char* what :
       {"leak: ahal_runtime_destroy: host allocation 0x", "leak: ahal_runtime_destroy: stream 0x",
        "leak: ahal_runtime_destroy: event 0x", "leak: ahal_runtime_destroy: module 0x",
        "5 object(s) were never destroyed"})
    CHECK(text.find(what) != std::string::npos);
  CHECK(text.find("(16 bytes") == std::string::npos);
  // Their handles now say where they went.
  uint64_t size = 0;
  CHECK_FAILS(ahal_buffer_size(leaked, &size), AHAL_ERROR_INVALID_HANDLE, "ahal_buffer_size",
              "was destroyed by ahal_runtime_destroy");
}

TEST_CASE("AHAL_VALIDATION_BACKTRACE=1 adds where each leaked object was made") {
  EnvVar backtraces("AHAL_VALIDATION_BACKTRACE", "1");
  Stderr err;
  {
    test::Runtime rt(test::plugin_dir("hostmem"), nullptr, AHAL_RUNTIME_VALIDATION);
    test::make_buffer(rt.device("hostmem:0"), 48);
  }
  // The frames below libahal, as glibc's backtrace_symbols() prints them.
  const std::regex frame("\n    #0 [^\n]*test_validation\\(\\+0x[0-9a-f]+\\) \\[0x[0-9a-f]+\\]\n");
  const std::string text = err.text();
  INFO(text);
  CHECK(std::regex_search(text, frame));
  CHECK(text.find("    #1 ") != std::string::npos);
}

TEST_CASE("AHAL_VALIDATION_ABORT=1 aborts at the first error") {
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    signal(SIGABRT, SIG_DFL);  // not Catch's handler
    setenv("AHAL_VALIDATION_ABORT", "1", 1);
    std::freopen("/dev/null", "w", stderr);
    ahal_runtime_options_t o = {};
    o.struct_size = sizeof(o);
    o.flags =
        AHAL_RUNTIME_NO_DEFAULT_PATHS | AHAL_RUNTIME_IGNORE_ENVIRONMENT | AHAL_RUNTIME_VALIDATION;
    const std::string path = test::plugin_dir("hostmem");
    o.plugin_path = path.c_str();
    ahal_runtime_t rt = nullptr;
    ahal_device_t dev = nullptr;
    ahal_event_t e = nullptr;
    if (ahal_runtime_create(&o, &rt) || ahal_device_find(rt, "hostmem:0", &dev) ||
        ahal_event_create(dev, 0, &e))
      _exit(2);
    ahal_event_wait(e, 0);  // never recorded: an error
    _exit(0);
  }
  int status = 0;
  REQUIRE(waitpid(child, &status, 0) == child);
  CHECK(WIFSIGNALED(status));
  CHECK(WTERMSIG(status) == SIGABRT);
}
