#include "environment.hpp"

#include <sys/auxv.h>

#include <cstdlib>
#include <cstring>

namespace ahal {

bool secure_mode() {
  static const bool secure = getauxval(AT_SECURE) != 0;
  return secure;
}

const char* environment(const char* name) {
  if (secure_mode()) return nullptr;
  const char* value = std::getenv(name);
  return value && *value ? value : nullptr;
}

bool environment_flag(const char* name) {
  const char* value = environment(name);
  return value && std::strcmp(value, "0") != 0;
}

}  // namespace ahal
