/* TEST ONLY: a file named libcuda.so.1 (with that SONAME) that is not a
 * CUDA driver: it has neither cuGetProcAddress nor cuInit. The plugin must
 * refuse it with a message, not crash. */
__attribute__((visibility("default"))) int cuDriverGetVersion(int* version) {
  *version = 12040;
  return 0;
}
