// libFuzzer target for ahal_module_create and what a module's metadata
// reaches (docs/bundle.md): the input is a bundle, or a raw hostmem program
// with kernel infos. Whatever loads, each kernel is fetched, its attributes
// read and a launch shaped by its metadata tried on the hostmem device.
// Every refusal must carry a message naming the function.
#include <vector>

#include "bundle_format.hpp"
#include "fuzz_support.hpp"

namespace {

void try_kernels(ahal_device_t d, ahal_module_t m, const std::vector<std::string>& names) {
  ahal_stream_t s = nullptr;
  fuzz::check(ahal_stream_create(d, nullptr, &s), "ahal_stream_create");
  ahal_buffer_args_t ba = {sizeof(ba), 256, 0};
  ahal_buffer_t b = nullptr;
  fuzz::check(ahal_buffer_create(d, &ba, &b), "ahal_buffer_create");
  for (const std::string& name : names) {
    ahal_kernel_t k = nullptr;
    ahal_status_t st = ahal_kernel_get(m, name.c_str(), &k);
    fuzz::check(st, "ahal_kernel_get");
    if (st != AHAL_SUCCESS) continue;
    ahal_kernel_attributes_t a = {};
    a.struct_size = sizeof(a);
    fuzz::check(ahal_kernel_get_attributes(k, &a), "ahal_kernel_get_attributes");
    ahal_binding_t binds[AHAL_MAX_BINDINGS];
    for (auto& x : binds) x = {b, 0, 0};
    uint32_t constants[AHAL_MAX_CONSTANTS_SIZE / 4] = {16};
    ahal_launch_args_t l = {};
    l.struct_size = sizeof(l);
    l.grid[0] = l.grid[1] = l.grid[2] = 1;
    l.workgroup_size[0] = 16;
    l.workgroup_size[1] = l.workgroup_size[2] = 1;
    l.binding_count = a.binding_count < AHAL_MAX_BINDINGS ? a.binding_count : AHAL_MAX_BINDINGS;
    l.bindings = binds;
    l.constants_size = a.constants_size <= sizeof(constants) ? a.constants_size : 0;
    l.constants = constants;
    fuzz::check(ahal_stream_launch(s, k, &l), "ahal_stream_launch");
  }
  if (s) fuzz::check(ahal_stream_synchronize(s), "ahal_stream_synchronize");
  if (b && ahal_buffer_destroy(b) != AHAL_SUCCESS) std::abort();
  if (s && ahal_stream_destroy(s) != AHAL_SUCCESS) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ahal_device_t d = fuzz::hostmem_device();
  if (size == 0) return 0;
  fuzz::Input in{data + 1, size - 1};
  ahal_module_args_t a = {};
  a.struct_size = sizeof(a);
  std::vector<std::string> names;
  names.reserve(8);  // infos point into it
  std::vector<ahal_kernel_info_t> infos;
  if (data[0] & 1) {
    // Raw program: [count] then count x (name, bindings, constants, flags), then the text.
    const uint32_t count = in.u8() % 5;
    for (uint32_t i = 0; i < count; ++i) names.push_back(in.text(32));
    for (uint32_t i = 0; i < count; ++i) {
      const uint32_t bindings = in.u8(), constants = in.u8() * 4u, flags = in.u8();
      infos.push_back({names[i].c_str(), bindings, constants, flags});
    }
    a.format = AHAL_MODULE_FORMAT_OPENCL_C;
    a.kernel_info_count = count;
    a.kernel_infos = infos.empty() ? nullptr : infos.data();
    if (data[0] & 2) names.push_back(in.text(32));  // a name the infos do not give
  } else {
    a.format = AHAL_MODULE_FORMAT_BUNDLE;
    ahal::bundle::Bundle b;
    std::string error;
    if (ahal::bundle::parse(in.here(), in.left(), &b, &error))
      for (const auto& k : b.kernels) names.push_back(k.name);
  }
  a.data = in.here();
  a.data_size = in.left();
  ahal_module_t m = nullptr;
  const ahal_status_t st = ahal_module_create(d, &a, &m);
  fuzz::check(st, "ahal_module_create");
  if (st != AHAL_SUCCESS) return 0;
  try_kernels(d, m, names);
  if (ahal_module_destroy(m) != AHAL_SUCCESS) std::abort();
  return 0;
}
