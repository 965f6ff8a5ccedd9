// A small workload for the tracing test (tests/trace_check.py): on the
// hostmem test device, two streams each fill, launch and copy back, ordered
// by an event; run with AHAL_TRACE set.
//
//   trace_workload [--no-destroy]
//
// --no-destroy exits without ahal_runtime_destroy: the trace is then
// written at exit.
#include <ahal/ahal.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

namespace {

bool ok(ahal_status_t status, const char* what) {
  if (status == AHAL_SUCCESS) return true;
  std::fprintf(stderr, "trace_workload: %s: %s\n", what, ahal_last_error_message());
  return false;
}

#define TRY(call) \
  if (!ok((call), #call)) return 1

}  // namespace

int main(int argc, char** argv) {
  const bool destroy = !(argc > 1 && std::strcmp(argv[1], "--no-destroy") == 0);
  ahal_runtime_options_t o = {};
  o.struct_size = sizeof(o);
  o.flags = AHAL_RUNTIME_NO_DEFAULT_PATHS | AHAL_RUNTIME_IGNORE_ENVIRONMENT;
  o.plugin_path = AHAL_TEST_PLUGIN_DIR "/hostmem";
  ahal_runtime_t rt = nullptr;
  TRY(ahal_runtime_create(&o, &rt));
  ahal_device_t dev = nullptr;
  TRY(ahal_device_find(rt, "hostmem:0", &dev));

  const std::string program = "kernel fill_index write_index\n";
  const ahal_kernel_info_t info = {"fill_index", 1, 4, 0};
  ahal_module_args_t m = {};
  m.struct_size = sizeof(m);
  m.format = AHAL_MODULE_FORMAT_OPENCL_C;
  m.data = program.data();
  m.data_size = program.size();
  m.kernel_info_count = 1;
  m.kernel_infos = &info;
  ahal_module_t module = nullptr;
  TRY(ahal_module_create(dev, &m, &module));
  ahal_kernel_t kernel = nullptr;
  TRY(ahal_kernel_get(module, "fill_index", &kernel));

  const uint32_t n = 1 << 16;
  ahal_buffer_args_t b = {};
  b.struct_size = sizeof(b);
  b.size = n * 4;
  ahal_buffer_t buffers[2] = {};
  ahal_stream_t streams[2] = {};
  std::vector<uint32_t> host[2] = {std::vector<uint32_t>(n), std::vector<uint32_t>(n)};
  ahal_event_t first_done = nullptr;
  TRY(ahal_event_create(dev, 0, &first_done));
  for (int i = 0; i < 2; ++i) {
    TRY(ahal_buffer_create(dev, &b, &buffers[i]));
    TRY(ahal_stream_create(dev, nullptr, &streams[i]));
  }
  for (int i = 0; i < 2; ++i) {
    ahal_stream_t s = streams[i];
    if (i == 1) TRY(ahal_stream_wait_event(s, first_done));
    const uint32_t zero = 0;
    TRY(ahal_stream_fill(s, buffers[i], 0, n * 4, &zero, 4));
    const ahal_binding_t binding = {buffers[i], 0, 0};
    const uint32_t base = 1000u * uint32_t(i);
    ahal_launch_args_t l = {};
    l.struct_size = sizeof(l);
    l.grid[0] = n / 256;
    l.grid[1] = l.grid[2] = 1;
    l.workgroup_size[0] = 256;
    l.workgroup_size[1] = l.workgroup_size[2] = 1;
    l.binding_count = 1;
    l.bindings = &binding;
    l.constants = &base;
    l.constants_size = 4;
    TRY(ahal_stream_launch(s, kernel, &l));
    TRY(ahal_stream_copy_d2h(s, buffers[i], 0, host[i].data(), n * 4));
    if (i == 0) TRY(ahal_stream_record_event(s, first_done));
  }
  TRY(ahal_device_synchronize(dev));
  for (int i = 0; i < 2; ++i)
    if (host[i][n - 1] != n - 1 + 1000u * uint32_t(i)) {
      std::fprintf(stderr, "trace_workload: stream %d computed %u\n", i, host[i][n - 1]);
      return 1;
    }
  if (!destroy) return 0;
  for (int i = 0; i < 2; ++i) {
    TRY(ahal_stream_destroy(streams[i]));
    TRY(ahal_buffer_destroy(buffers[i]));
  }
  TRY(ahal_event_destroy(first_done));
  TRY(ahal_module_destroy(module));
  TRY(ahal_runtime_destroy(rt));
  return 0;
}
