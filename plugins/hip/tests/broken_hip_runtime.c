/* A stand-in for libamdhip64 that exports only a few of the HIP entry
 * points: the plugin must refuse it and name what is missing. Test only. */
int hipInit(unsigned int flags) {
  (void)flags;
  return 0;
}

int hipGetDeviceCount(int* count) {
  *count = 1;
  return 0;
}
