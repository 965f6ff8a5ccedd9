/* A stand-in for libze_loader.so.1 that exports only zeInit and zeDriverGet:
 * the plugin must refuse it and name what is missing. Test only. */
#include <stdint.h>

int zeInit(uint32_t flags) {
  (void)flags;
  return 0;
}

int zeDriverGet(uint32_t* count, void** drivers) {
  (void)drivers;
  *count = 0;
  return 0;
}
