// The environment as the loader reads it. In secure mode (a setuid or
// setgid program, or one with file capabilities: the kernel sets AT_SECURE,
// as ld.so's secure mode does) every AHAL_* variable and the cache folders
// derived from HOME/XDG_CACHE_HOME are ignored: a user must not choose what
// a privileged program loads, writes or logs.
#pragma once

namespace ahal {

// True when the process runs in secure mode (getauxval(AT_SECURE)).
bool secure_mode();
// The variable's value, or nullptr when unset, empty or in secure mode.
const char* environment(const char* name);
// True when the variable is set and not "0" (never in secure mode).
bool environment_flag(const char* name);

}  // namespace ahal
