/* The public headers compile as C99, and C callers may pass any integer
 * where an enum goes; test_status.cpp calls these. */
#include <ahal/ahal.h>
#include <ahal/plugin.h>

const char* c_status_string(int value);
const char* c_format_name(int value);

const char* c_status_string(int value) { return ahal_status_string((ahal_status_t)value); }
const char* c_format_name(int value) {
  return ahal_module_format_name((ahal_module_format_t)value);
}
