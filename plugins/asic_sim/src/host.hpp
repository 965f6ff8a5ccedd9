// What the loader offers the plugin (messages, logging), and the one place
// where C++ failures become an ahal status with a message.
#pragma once

#include <ahal/plugin.h>

#include <cstring>
#include <new>
#include <stdexcept>
#include <string>

namespace asic_sim {

// Thrown anywhere inside the plugin; an entry point turns it into its
// status and message (see guarded()). Exceptions never cross the ABI.
class Failure : public std::runtime_error {
 public:
  Failure(ahal_status_t status, const std::string& message)
      : std::runtime_error(message), status_(status) {}
  ahal_status_t status() const { return status_; }

 private:
  ahal_status_t status_;
};

// guide-snippet: versioned
// Copies the fields of a versioned struct that the caller's struct_size
// covers; the rest stay zero (plugin ABI rules 1 and 3). A newer caller's
// extra fields are ignored, an older caller's missing ones read as 0.
template <class T>
T read_versioned(const T* in) {
  T out{};
  size_t n = in->struct_size < sizeof(T) ? in->struct_size : sizeof(T);
  std::memcpy(&out, in, n);
  out.struct_size = sizeof(T);
  return out;
}

// Writes `full` into `out`, but only as many bytes as out->struct_size
// says the caller has room for; out->struct_size is kept.
template <class T>
void write_versioned(const T& full, T* out) {
  size_t caller_size = out->struct_size;
  std::memcpy(out, &full, caller_size < sizeof(T) ? caller_size : sizeof(T));
  out->struct_size = caller_size;
}
// guide-snippet-end

class Host {
 public:
  explicit Host(const ahal_plugin_host_t* host) : host_(read_versioned(host)) {}

  void set_error_message(const std::string& message) const {
    if (host_.set_error_message) host_.set_error_message(message.c_str());
  }
  void log(ahal_log_level_t level, const std::string& message) const {
    if (host_.log) host_.log(level, "asic_sim", message.c_str());
  }

 private:
  ahal_plugin_host_t host_;
};

// guide-snippet: guarded
// Runs `body` (which returns a status) so that nothing escapes: a Failure
// becomes its status and message, anything else a status that says what.
template <class Body>
ahal_status_t guarded(const Host& host, Body&& body) noexcept {
  try {
    return body();
  } catch (const Failure& failure) {
    host.set_error_message(failure.what());
    return failure.status();
  } catch (const std::bad_alloc&) {
    host.set_error_message("out of host memory");
    return AHAL_ERROR_OUT_OF_HOST_MEMORY;
  } catch (const std::exception& e) {
    host.set_error_message(std::string("internal error: ") + e.what());
    return AHAL_ERROR_PLUGIN;
  } catch (...) {
    host.set_error_message("internal error: unknown exception");
    return AHAL_ERROR_PLUGIN;
  }
}
// guide-snippet-end

}  // namespace asic_sim
