// negative: events, modules and kernels given one bad input each
// (negative.hpp). The bad module images reach the plugin itself.
#include "negative.hpp"

#include <cstring>
#include <fstream>
#include <iterator>
#include <unistd.h>

namespace {

using namespace conform;

constexpr uint64_t kNeeds = AHAL_FEATURE_GENERAL_KERNELS;

// ------------------------------------------------------------ events

NEGATIVE(event_flags, "event_create.unknown_flag", 0) {
  ahal_event_t e = nullptr;
  expect_refusal(ctx, ahal_event_create(ctx.device(), 1u << 7, &e), {AHAL_ERROR_INVALID_ARGUMENT},
                 "ahal_event_create", "flags 0x80 has unknown bits 0x80");
}

NEGATIVE(event_timing_unsupported, "event_create.timing_without_timestamps", 0) {
  if (ctx.has(AHAL_FEATURE_TIMESTAMPS)) skip("the device has timestamps");
  ahal_event_t e = nullptr;
  expect_refusal(ctx, ahal_event_create(ctx.device(), AHAL_EVENT_TIMING, &e),
                 {AHAL_ERROR_UNSUPPORTED}, "ahal_event_create", "has no timestamps");
}

NEGATIVE(elapsed_not_timing, "event_elapsed_ns.not_timing", AHAL_FEATURE_TIMESTAMPS) {
  Event a = ctx.event(), b = ctx.event(AHAL_EVENT_TIMING);
  Stream s = ctx.stream();
  CHECK_OK(ahal_stream_record_event(s, a));
  CHECK_OK(ahal_stream_record_event(s, b));
  CHECK_OK(ahal_stream_synchronize(s));
  uint64_t ns = 0;
  expect_refusal(ctx, ahal_event_elapsed_ns(a, b, &ns), {AHAL_ERROR_INVALID_ARGUMENT},
                 "ahal_event_elapsed_ns", "start was not created with AHAL_EVENT_TIMING");
}

NEGATIVE(elapsed_never_recorded, "event_elapsed_ns.never_recorded", AHAL_FEATURE_TIMESTAMPS) {
  Event a = ctx.event(AHAL_EVENT_TIMING), b = ctx.event(AHAL_EVENT_TIMING);
  Stream s = ctx.stream();
  CHECK_OK(ahal_stream_record_event(s, a));
  CHECK_OK(ahal_stream_synchronize(s));
  uint64_t ns = 0;
  expect_refusal(ctx, ahal_event_elapsed_ns(a, b, &ns), {AHAL_ERROR_INVALID_STATE},
                 "ahal_event_elapsed_ns", "end was never recorded");
}

NEGATIVE(elapsed_null_out, "event_elapsed_ns.null_out", 0) {
  Event a = ctx.event(), b = ctx.event();
  expect_refusal(ctx, ahal_event_elapsed_ns(a, b, nullptr), {AHAL_ERROR_INVALID_ARGUMENT},
                 "ahal_event_elapsed_ns", "out_ns is NULL");
}

NEGATIVE(elapsed_other_runtime, "event_elapsed_ns.event_of_another_runtime", 0) {
  OtherRuntime other(ctx);
  ahal_event_t foreign = nullptr;
  CHECK_OK(ahal_event_create(other.device(), 0, &foreign));
  Event holder(foreign), own = ctx.event();
  uint64_t ns = 0;
  expect_refusal(ctx, ahal_event_elapsed_ns(own, foreign, &ns), {AHAL_ERROR_INVALID_ARGUMENT},
                 "ahal_event_elapsed_ns", "(another runtime), end to");
}

NEGATIVE(record_other_runtime, "stream_record_event.event_of_another_runtime", 0) {
  OtherRuntime other(ctx);
  ahal_event_t foreign = nullptr;
  CHECK_OK(ahal_event_create(other.device(), 0, &foreign));
  Event holder(foreign);
  Stream s = ctx.stream();
  expect_refusal(ctx, ahal_stream_record_event(s, foreign), {AHAL_ERROR_INVALID_ARGUMENT},
                 "ahal_stream_record_event", "event belongs to device");
}

NEGATIVE(wait_event_destroyed, "stream_wait_event.destroyed_event", 0) {
  ahal_event_t dead = ctx.event().release();
  CHECK_OK(ahal_event_destroy(dead));
  Stream s = ctx.stream();
  expect_refusal(ctx, ahal_stream_wait_event(s, dead), {AHAL_ERROR_INVALID_HANDLE},
                 "ahal_stream_wait_event", "was destroyed");
}

// ------------------------------------------------------------ modules

ahal_module_args_t module_args(ahal_module_format_t format, const void* data, uint64_t size) {
  ahal_module_args_t a{};
  a.struct_size = sizeof(a);
  a.format = format;
  a.data = data;
  a.data_size = size;
  return a;
}

NEGATIVE(module_bad_format, "module_create.format_999", 0) {
  const char data[4] = "abc";
  ahal_module_args_t a = module_args(AHAL_MODULE_FORMAT_BUNDLE, data, 4);
  const uint32_t bad = 999;  // no enumerator: stored as a C caller would
  std::memcpy(&a.format, &bad, sizeof(bad));
  ahal_module_t m = nullptr;
  expect_refusal(ctx, ahal_module_create(ctx.device(), &a, &m), {AHAL_ERROR_INVALID_ARGUMENT},
                 "ahal_module_create", "format 999 is not a module format");
}

NEGATIVE(module_no_data, "module_create.no_data_no_path", 0) {
  ahal_module_args_t a = module_args(AHAL_MODULE_FORMAT_BUNDLE, nullptr, 0);
  ahal_module_t m = nullptr;
  expect_refusal(ctx, ahal_module_create(ctx.device(), &a, &m), {AHAL_ERROR_INVALID_ARGUMENT},
                 "ahal_module_create", "data and path are both NULL");
}

NEGATIVE(module_size_zero, "module_create.data_size_zero", 0) {
  const char data[4] = "abc";
  ahal_module_args_t a = module_args(AHAL_MODULE_FORMAT_BUNDLE, data, 0);
  ahal_module_t m = nullptr;
  expect_refusal(ctx, ahal_module_create(ctx.device(), &a, &m), {AHAL_ERROR_INVALID_ARGUMENT},
                 "ahal_module_create", "data_size is 0");
}

NEGATIVE(module_format_not_taken, "module_create.format_not_taken", kNeeds) {
  // The first image format the device does not take.
  uint32_t format = AHAL_MODULE_FORMAT_CPU_SO;
  while (format <= AHAL_MODULE_FORMAT_ZE_NATIVE && (ctx.props().module_formats >> format & 1))
    ++format;
  if (format > AHAL_MODULE_FORMAT_ZE_NATIVE) skip("the device takes every module format");
  const char data[4] = "abc";
  ahal_module_args_t a = module_args(static_cast<ahal_module_format_t>(format), data, 4);
  ahal_module_t m = nullptr;
  expect_refusal(ctx, ahal_module_create(ctx.device(), &a, &m), {AHAL_ERROR_UNSUPPORTED},
                 "ahal_module_create", "does not take");
}

NEGATIVE(module_garbage_bundle, "module_create.garbage_bundle", kNeeds) {
  const std::string junk(512, '\x5a');
  ahal_module_args_t a = module_args(AHAL_MODULE_FORMAT_BUNDLE, junk.data(), junk.size());
  ahal_module_t m = nullptr;
  expect_refusal(ctx, ahal_module_create(ctx.device(), &a, &m), {AHAL_ERROR_INVALID_ARGUMENT},
                 "ahal_module_create", "bad bundle");
}

NEGATIVE(module_truncated_bundle, "module_create.truncated_bundle", kNeeds) {
  std::ifstream f(ctx.bundle_path(), std::ios::binary);
  std::vector<char> bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  if (bytes.size() < 200) skip("cannot read the standard bundle %s", ctx.bundle_path().c_str());
  ahal_module_args_t a = module_args(AHAL_MODULE_FORMAT_BUNDLE, bytes.data(), bytes.size() / 2);
  ahal_module_t m = nullptr;
  expect_refusal(ctx, ahal_module_create(ctx.device(), &a, &m), {AHAL_ERROR_INVALID_ARGUMENT},
                 "ahal_module_create", "bad bundle");
}

NEGATIVE(module_path_folder, "module_create.path_is_a_folder", kNeeds) {
  ahal_module_args_t a = module_args(AHAL_MODULE_FORMAT_BUNDLE, nullptr, 0);
  a.path = "/";
  ahal_module_t m = nullptr;
  expect_refusal(ctx, ahal_module_create(ctx.device(), &a, &m), {AHAL_ERROR_INVALID_ARGUMENT},
                 "ahal_module_create", "/ is a folder, not a module file");
}

NEGATIVE(module_path_missing, "module_create.path_missing", kNeeds) {
  ahal_module_args_t a = module_args(AHAL_MODULE_FORMAT_BUNDLE, nullptr, 0);
  a.path = "/nonexistent/ahal/kernels.ahalb";
  ahal_module_t m = nullptr;
  expect_refusal(ctx, ahal_module_create(ctx.device(), &a, &m), {AHAL_ERROR_NOT_FOUND},
                 "ahal_module_create", "No such file or directory");
}

NEGATIVE(module_unsupported, "module_create.device_without_modules", 0) {
  if (ctx.has(AHAL_FEATURE_GENERAL_KERNELS)) skip("the device takes modules");
  // The standard bundle: a device without modules has no entry for it, or
  // no format any image is in; either way it says so about itself.
  ahal_module_args_t a = module_args(AHAL_MODULE_FORMAT_BUNDLE, nullptr, 0);
  a.path = ctx.bundle_path().c_str();
  ahal_module_t m = nullptr;
  expect_refusal(ctx, ahal_module_create(ctx.device(), &a, &m), {AHAL_ERROR_UNSUPPORTED},
                 "ahal_module_create", ctx.props().plugin);
}

NEGATIVE(module_infos_null, "module_create.kernel_infos_null", 0) {
  const char data[4] = "abc";
  ahal_module_args_t a = module_args(AHAL_MODULE_FORMAT_BUNDLE, data, 4);
  a.kernel_info_count = 2;
  ahal_module_t m = nullptr;
  expect_refusal(ctx, ahal_module_create(ctx.device(), &a, &m), {AHAL_ERROR_INVALID_ARGUMENT},
                 "ahal_module_create", "kernel_infos is NULL with kernel_info_count 2");
}

NEGATIVE(module_infos_bindings, "module_create.kernel_info_bindings", 0) {
  const char data[4] = "abc";
  const ahal_kernel_info_t info = {"k", 1000, 0, 0};
  ahal_module_args_t a = module_args(AHAL_MODULE_FORMAT_BUNDLE, data, 4);
  a.kernel_info_count = 1;
  a.kernel_infos = &info;
  ahal_module_t m = nullptr;
  expect_refusal(ctx, ahal_module_create(ctx.device(), &a, &m), {AHAL_ERROR_OUT_OF_RANGE},
                 "ahal_module_create", "kernel_infos[0].binding_count 1000 exceeds");
}

NEGATIVE(module_infos_flags, "module_create.kernel_info_flags", 0) {
  const char data[4] = "abc";
  const ahal_kernel_info_t info = {"k", 1, 0, 0x80};
  ahal_module_args_t a = module_args(AHAL_MODULE_FORMAT_BUNDLE, data, 4);
  a.kernel_info_count = 1;
  a.kernel_infos = &info;
  ahal_module_t m = nullptr;
  expect_refusal(ctx, ahal_module_create(ctx.device(), &a, &m), {AHAL_ERROR_INVALID_ARGUMENT},
                 "ahal_module_create", "kernel_infos[0].flags 0x80 has unknown bits");
}

NEGATIVE(module_garbage_image, "module_create.garbage_image", kNeeds) {
  // Bytes in the format the device chose for the standard kernels, but
  // garbage: the plugin itself must refuse them with a message.
  ahal_module_format_t format = AHAL_MODULE_FORMAT_UNKNOWN;
  CHECK_OK(ahal_module_format(ctx.kernels_module(), &format));
  std::string junk =
      "\x7f"
      "ELF garbage that is no module at all";
  junk.resize(4096, '\x11');
  ahal_module_args_t a = module_args(format, junk.data(), junk.size());
  ahal_module_t m = nullptr;
  ahal_status_t st = ahal_module_create(ctx.device(), &a, &m);
  if (st == AHAL_SUCCESS) {
    // Some backends build lazily: the kernel lookup must fail then.
    ahal_kernel_t k = nullptr;
    Module holder(m);
    expect_refusal(ctx, ahal_kernel_get(m, "vector_add", &k),
                   {AHAL_ERROR_BUILD_FAILED, AHAL_ERROR_INVALID_ARGUMENT, AHAL_ERROR_NOT_FOUND},
                   "ahal_kernel_get", ctx.props().plugin);
    return;
  }
  expect_refusal(ctx, st, {AHAL_ERROR_BUILD_FAILED, AHAL_ERROR_INVALID_ARGUMENT},
                 "ahal_module_create", ctx.props().plugin);
}

// ------------------------------------------------------------ kernels

NEGATIVE(kernel_not_in_bundle, "kernel_get.not_in_bundle", kNeeds) {
  ahal_kernel_t k = nullptr;
  expect_refusal(ctx, ahal_kernel_get(ctx.kernels_module(), "no_such_kernel", &k),
                 {AHAL_ERROR_NOT_FOUND}, "ahal_kernel_get",
                 "kernel \"no_such_kernel\" is not in the bundle");
}

NEGATIVE(kernel_name_null, "kernel_get.name_null", kNeeds) {
  ahal_kernel_t k = nullptr;
  expect_refusal(ctx, ahal_kernel_get(ctx.kernels_module(), nullptr, &k),
                 {AHAL_ERROR_INVALID_ARGUMENT}, "ahal_kernel_get", "name is NULL");
}

NEGATIVE(kernel_attributes_size, "kernel_get_attributes.struct_size", kNeeds) {
  ahal_kernel_attributes_t a{};
  a.struct_size = 2;
  expect_refusal(ctx, ahal_kernel_get_attributes(ctx.kernel("empty"), &a),
                 {AHAL_ERROR_INVALID_ARGUMENT}, "ahal_kernel_get_attributes",
                 "struct_size 2 is smaller");
}

NEGATIVE(builtin_unknown, "kernel_get_builtin.unknown_name", AHAL_FEATURE_BUILTIN_KERNELS) {
  ahal_kernel_t k = nullptr;
  expect_refusal(ctx, ahal_kernel_get_builtin(ctx.device(), "no.such.builtin", &k),
                 {AHAL_ERROR_NOT_FOUND, AHAL_ERROR_UNSUPPORTED}, "ahal_kernel_get_builtin",
                 "no.such.builtin");
}

NEGATIVE(format_parse_unknown, "module_format_parse.unknown_name", 0) {
  ahal_module_format_t f = AHAL_MODULE_FORMAT_UNKNOWN;
  expect_refusal(ctx, ahal_module_format_parse("not-a-format", &f), {AHAL_ERROR_NOT_FOUND},
                 "ahal_module_format_parse", "\"not-a-format\" is not a module format name");
}

}  // namespace
