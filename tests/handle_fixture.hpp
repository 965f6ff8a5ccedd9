// Live and dead handles of every API handle type, on the hostmem test
// plugin, for the generated bad-handle tests (tests/generated/).
#pragma once

#include <ahal/ahal.h>

#include <cstdint>
#include <string>

#include "test_support.hpp"

namespace test {

class Handles {
 public:
  Handles() : rt_(plugin_dir("good"), "hostmem_next") {
    device_ = rt_.device("hostmem_next:0");
    buffer_ = make_buffer(device_, 256);
    REQUIRE_OK(ahal_host_alloc(device_, 256, 0, &host_alloc_));
    stream_ = make_stream(device_);
    REQUIRE_OK(ahal_event_create(device_, 0, &event_));
    REQUIRE_OK(make_program(device_, "kernel k write_index\n", &module_));
    REQUIRE_OK(ahal_kernel_get(module_, "k", &kernel_));
    REQUIRE_OK(ahal_command_buffer_create(device_, 0, &command_buffer_));
    ahal_ccl_unique_id_t id;
    REQUIRE_OK(ahal_ccl_get_unique_id(device_, &id));
    REQUIRE_OK(ahal_ccl_comm_init_rank(device_, 1, &id, 0, &ccl_comm_));

    // Dead ones: made and destroyed, the device and runtime of a runtime
    // that is gone.
    {
      Runtime other(plugin_dir("good"), "hostmem_next");
      dead_device_ = other.device("hostmem_next:0");
      dead_runtime_ = other.get();
    }
    dead_buffer_ = make_buffer(device_, 256);
    REQUIRE_OK(ahal_buffer_destroy(dead_buffer_));
    REQUIRE_OK(ahal_host_alloc(device_, 256, 0, &dead_host_alloc_));
    REQUIRE_OK(ahal_host_free(dead_host_alloc_));
    dead_stream_ = make_stream(device_);
    REQUIRE_OK(ahal_stream_destroy(dead_stream_));
    REQUIRE_OK(ahal_event_create(device_, 0, &dead_event_));
    REQUIRE_OK(ahal_event_destroy(dead_event_));
    REQUIRE_OK(make_program(device_, "kernel k write_index\n", &dead_module_));
    REQUIRE_OK(ahal_kernel_get(dead_module_, "k", &dead_kernel_));
    REQUIRE_OK(ahal_module_destroy(dead_module_));
    REQUIRE_OK(ahal_command_buffer_create(device_, 0, &dead_command_buffer_));
    REQUIRE_OK(ahal_command_buffer_destroy(dead_command_buffer_));
    REQUIRE_OK(ahal_ccl_get_unique_id(device_, &id));
    REQUIRE_OK(ahal_ccl_comm_init_rank(device_, 1, &id, 0, &dead_ccl_comm_));
    REQUIRE_OK(ahal_ccl_comm_destroy(dead_ccl_comm_));
  }

  template <class H>
  H live() const;
  template <class H>
  H dead() const;

 private:
  Runtime rt_;
  ahal_device_t device_ = nullptr, dead_device_ = nullptr;
  ahal_runtime_t dead_runtime_ = nullptr;
  ahal_buffer_t buffer_ = nullptr, dead_buffer_ = nullptr;
  ahal_host_alloc_t host_alloc_ = nullptr, dead_host_alloc_ = nullptr;
  ahal_stream_t stream_ = nullptr, dead_stream_ = nullptr;
  ahal_event_t event_ = nullptr, dead_event_ = nullptr;
  ahal_module_t module_ = nullptr, dead_module_ = nullptr;
  ahal_kernel_t kernel_ = nullptr, dead_kernel_ = nullptr;
  ahal_command_buffer_t command_buffer_ = nullptr, dead_command_buffer_ = nullptr;
  ahal_ccl_comm_t ccl_comm_ = nullptr, dead_ccl_comm_ = nullptr;
};

#define AHAL_TEST_HANDLES(H, live_member, dead_member) \
  template <>                                          \
  inline H Handles::live<H>() const {                  \
    return live_member;                                \
  }                                                    \
  template <>                                          \
  inline H Handles::dead<H>() const {                  \
    return dead_member;                                \
  }
AHAL_TEST_HANDLES(ahal_runtime_t, rt_.get(), dead_runtime_)
AHAL_TEST_HANDLES(ahal_device_t, device_, dead_device_)
AHAL_TEST_HANDLES(ahal_buffer_t, buffer_, dead_buffer_)
AHAL_TEST_HANDLES(ahal_host_alloc_t, host_alloc_, dead_host_alloc_)
AHAL_TEST_HANDLES(ahal_stream_t, stream_, dead_stream_)
AHAL_TEST_HANDLES(ahal_event_t, event_, dead_event_)
AHAL_TEST_HANDLES(ahal_module_t, module_, dead_module_)
AHAL_TEST_HANDLES(ahal_kernel_t, kernel_, dead_kernel_)
AHAL_TEST_HANDLES(ahal_command_buffer_t, command_buffer_, dead_command_buffer_)
AHAL_TEST_HANDLES(ahal_ccl_comm_t, ccl_comm_, dead_ccl_comm_)
#undef AHAL_TEST_HANDLES

// Calls `call(handles, bad)` with a NULL, a garbage and a destroyed handle
// of type H: each gives AHAL_ERROR_INVALID_HANDLE and a message that starts
// with the function's name (and no crash).
template <class H, class F>
void check_bad_handles(const char* function, F call) {
  Handles h;
  const struct {
    const char* what;
    H handle;
  } cases[] = {
      {"NULL", nullptr},
      {"garbage", reinterpret_cast<H>(uintptr_t(0x5eed00000bad0000ull))},
      {"destroyed", h.dead<H>()},
  };
  for (const auto& c : cases) {
    INFO(function << " with a " << c.what << " handle");
    CHECK_FAILS(call(h, c.handle), AHAL_ERROR_INVALID_HANDLE, function, "");
  }
}

}  // namespace test
