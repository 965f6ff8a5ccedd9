// negative: one bad call per test (docs/conformance.md). Each test gives one
// entry one bad input and checks the status, that the message names the
// function and says what is wrong, and that the device works afterwards.
// The loader refuses most of them before the plugin sees anything; the rest
// (bad module images) reach the plugin, which must answer with a status and
// a message and stay usable.
#pragma once

#include "harness.hpp"

#include <initializer_list>
#include <string>

namespace conform {

inline void expect_refusal(Context& ctx, ahal_status_t got,
                           std::initializer_list<ahal_status_t> want, const char* fn,
                           const std::string& words) {
  const std::string message = ahal_last_error_message();
  bool expected = false;
  for (ahal_status_t w : want) expected |= got == w;
  if (!expected)
    fail("%s returned %s (%s), expected %s", fn, ahal_status_string(got), message.c_str(),
         ahal_status_string(*want.begin()));
  if (message.rfind(std::string(fn) + ": ", 0) != 0)
    fail("%s: the message does not start with \"%s: \": \"%s\"", fn, fn, message.c_str());
  if (message.find(words) == std::string::npos)
    fail("%s: the message does not say \"%s\": \"%s\"", fn, words.c_str(), message.c_str());
  ctx.check_device_usable(fn);
}

#define NEGATIVE(fn_name, id, features) CONFORM_TEST(fn_name, "negative." id, core, features)

// A second runtime's device with the same selector as ctx's, for "another
// runtime" cases; skips when the device cannot be opened twice.
class OtherRuntime {
 public:
  explicit OtherRuntime(Context& ctx) {
    if (ahal_runtime_create(nullptr, rt_.out()) != AHAL_SUCCESS ||
        ahal_device_find(rt_, ctx.props().selector, &device_) != AHAL_SUCCESS)
      skip("a second runtime does not find %s: %s", ctx.props().selector,
           ahal_last_error_message());
  }
  ahal_device_t device() const { return device_; }

 private:
  Runtime rt_;
  ahal_device_t device_ = nullptr;
};

}  // namespace conform
