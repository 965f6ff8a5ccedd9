// @generated from spec/ahal.toml by spec/generate.py: do not edit.
// Edit the spec and run the generator; CI fails when this is stale.
//
// Every API handle parameter of every function, given a NULL, a garbage and
// a destroyed handle while the others are live: AHAL_ERROR_INVALID_HANDLE and a
// message that starts with the function's name, never a crash. The live and
// dead handles come from tests/handle_fixture.hpp.
#include <ahal/ahal.h>

#include "handle_fixture.hpp"

namespace {

using test::Handles;

ahal_status_t runtime_destroy_runtime(Handles& h, ahal_runtime_t bad) {
  return ahal_runtime_destroy(bad);
}

ahal_status_t runtime_plugin_count_runtime(Handles& h, ahal_runtime_t bad) {
  uint32_t out_count{};
  return ahal_runtime_plugin_count(bad, &out_count);
}

ahal_status_t runtime_plugin_info_runtime(Handles& h, ahal_runtime_t bad) {
  ahal_plugin_info_t out_info{};
  return ahal_runtime_plugin_info(bad, {}, &out_info);
}

ahal_status_t runtime_search_path_runtime(Handles& h, ahal_runtime_t bad) {
  const char* out_path{};
  return ahal_runtime_search_path(bad, &out_path);
}

ahal_status_t runtime_device_count_runtime(Handles& h, ahal_runtime_t bad) {
  uint32_t out_count{};
  return ahal_runtime_device_count(bad, &out_count);
}

ahal_status_t runtime_device_get_runtime(Handles& h, ahal_runtime_t bad) {
  ahal_device_t out_device{};
  return ahal_runtime_device_get(bad, {}, &out_device);
}

ahal_status_t device_find_runtime(Handles& h, ahal_runtime_t bad) {
  ahal_device_t out_device{};
  return ahal_device_find(bad, nullptr, &out_device);
}

ahal_status_t device_get_properties_device(Handles& h, ahal_device_t bad) {
  ahal_device_properties_t out_properties{};
  return ahal_device_get_properties(bad, &out_properties);
}

ahal_status_t device_synchronize_device(Handles& h, ahal_device_t bad) {
  return ahal_device_synchronize(bad);
}

ahal_status_t device_memory_usage_device(Handles& h, ahal_device_t bad) {
  uint64_t out_used{};
  uint64_t out_total{};
  return ahal_device_memory_usage(bad, &out_used, &out_total);
}

ahal_status_t device_memory_peak_device(Handles& h, ahal_device_t bad) {
  uint64_t out_peak{};
  return ahal_device_memory_peak(bad, {}, &out_peak);
}

ahal_status_t buffer_create_device(Handles& h, ahal_device_t bad) {
  ahal_buffer_t out_buffer{};
  return ahal_buffer_create(bad, nullptr, &out_buffer);
}

ahal_status_t buffer_destroy_buffer(Handles& h, ahal_buffer_t bad) {
  return ahal_buffer_destroy(bad);
}

ahal_status_t buffer_size_buffer(Handles& h, ahal_buffer_t bad) {
  uint64_t out_size{};
  return ahal_buffer_size(bad, &out_size);
}

ahal_status_t buffer_map_buffer(Handles& h, ahal_buffer_t bad) {
  void* out_pointer{};
  return ahal_buffer_map(bad, {}, {}, &out_pointer);
}

ahal_status_t buffer_unmap_buffer(Handles& h, ahal_buffer_t bad) { return ahal_buffer_unmap(bad); }

ahal_status_t host_alloc_device(Handles& h, ahal_device_t bad) {
  ahal_host_alloc_t out_alloc{};
  return ahal_host_alloc(bad, {}, {}, &out_alloc);
}

ahal_status_t host_alloc_pointer_alloc(Handles& h, ahal_host_alloc_t bad) {
  void* out_pointer{};
  return ahal_host_alloc_pointer(bad, &out_pointer);
}

ahal_status_t host_free_alloc(Handles& h, ahal_host_alloc_t bad) { return ahal_host_free(bad); }

ahal_status_t stream_create_device(Handles& h, ahal_device_t bad) {
  ahal_stream_t out_stream{};
  return ahal_stream_create(bad, nullptr, &out_stream);
}

ahal_status_t stream_destroy_stream(Handles& h, ahal_stream_t bad) {
  return ahal_stream_destroy(bad);
}

ahal_status_t stream_copy_h2d_stream(Handles& h, ahal_stream_t bad) {
  return ahal_stream_copy_h2d(bad, nullptr, h.live<ahal_buffer_t>(), {}, {});
}

ahal_status_t stream_copy_h2d_dst(Handles& h, ahal_buffer_t bad) {
  return ahal_stream_copy_h2d(h.live<ahal_stream_t>(), nullptr, bad, {}, {});
}

ahal_status_t stream_copy_d2h_stream(Handles& h, ahal_stream_t bad) {
  return ahal_stream_copy_d2h(bad, h.live<ahal_buffer_t>(), {}, nullptr, {});
}

ahal_status_t stream_copy_d2h_src(Handles& h, ahal_buffer_t bad) {
  return ahal_stream_copy_d2h(h.live<ahal_stream_t>(), bad, {}, nullptr, {});
}

ahal_status_t stream_copy_d2d_stream(Handles& h, ahal_stream_t bad) {
  return ahal_stream_copy_d2d(bad, h.live<ahal_buffer_t>(), {}, h.live<ahal_buffer_t>(), {}, {});
}

ahal_status_t stream_copy_d2d_src(Handles& h, ahal_buffer_t bad) {
  return ahal_stream_copy_d2d(h.live<ahal_stream_t>(), bad, {}, h.live<ahal_buffer_t>(), {}, {});
}

ahal_status_t stream_copy_d2d_dst(Handles& h, ahal_buffer_t bad) {
  return ahal_stream_copy_d2d(h.live<ahal_stream_t>(), h.live<ahal_buffer_t>(), {}, bad, {}, {});
}

ahal_status_t stream_fill_stream(Handles& h, ahal_stream_t bad) {
  return ahal_stream_fill(bad, h.live<ahal_buffer_t>(), {}, {}, nullptr, {});
}

ahal_status_t stream_fill_buffer(Handles& h, ahal_buffer_t bad) {
  return ahal_stream_fill(h.live<ahal_stream_t>(), bad, {}, {}, nullptr, {});
}

ahal_status_t stream_launch_stream(Handles& h, ahal_stream_t bad) {
  return ahal_stream_launch(bad, h.live<ahal_kernel_t>(), nullptr);
}

ahal_status_t stream_launch_kernel(Handles& h, ahal_kernel_t bad) {
  return ahal_stream_launch(h.live<ahal_stream_t>(), bad, nullptr);
}

ahal_status_t stream_host_callback_stream(Handles& h, ahal_stream_t bad) {
  return ahal_stream_host_callback(bad, nullptr, nullptr);
}

ahal_status_t stream_record_event_stream(Handles& h, ahal_stream_t bad) {
  return ahal_stream_record_event(bad, h.live<ahal_event_t>());
}

ahal_status_t stream_record_event_event(Handles& h, ahal_event_t bad) {
  return ahal_stream_record_event(h.live<ahal_stream_t>(), bad);
}

ahal_status_t stream_wait_event_stream(Handles& h, ahal_stream_t bad) {
  return ahal_stream_wait_event(bad, h.live<ahal_event_t>());
}

ahal_status_t stream_wait_event_event(Handles& h, ahal_event_t bad) {
  return ahal_stream_wait_event(h.live<ahal_stream_t>(), bad);
}

ahal_status_t stream_synchronize_stream(Handles& h, ahal_stream_t bad) {
  return ahal_stream_synchronize(bad);
}

ahal_status_t stream_query_stream(Handles& h, ahal_stream_t bad) { return ahal_stream_query(bad); }

ahal_status_t event_create_device(Handles& h, ahal_device_t bad) {
  ahal_event_t out_event{};
  return ahal_event_create(bad, {}, &out_event);
}

ahal_status_t event_destroy_event(Handles& h, ahal_event_t bad) { return ahal_event_destroy(bad); }

ahal_status_t event_query_event(Handles& h, ahal_event_t bad) { return ahal_event_query(bad); }

ahal_status_t event_wait_event(Handles& h, ahal_event_t bad) { return ahal_event_wait(bad, {}); }

ahal_status_t event_elapsed_ns_start(Handles& h, ahal_event_t bad) {
  uint64_t out_ns{};
  return ahal_event_elapsed_ns(bad, h.live<ahal_event_t>(), &out_ns);
}

ahal_status_t event_elapsed_ns_end(Handles& h, ahal_event_t bad) {
  uint64_t out_ns{};
  return ahal_event_elapsed_ns(h.live<ahal_event_t>(), bad, &out_ns);
}

ahal_status_t module_create_device(Handles& h, ahal_device_t bad) {
  ahal_module_t out_module{};
  return ahal_module_create(bad, nullptr, &out_module);
}

ahal_status_t module_destroy_module(Handles& h, ahal_module_t bad) {
  return ahal_module_destroy(bad);
}

ahal_status_t module_format_module(Handles& h, ahal_module_t bad) {
  ahal_module_format_t out{};
  return ahal_module_format(bad, &out);
}

ahal_status_t kernel_get_module(Handles& h, ahal_module_t bad) {
  ahal_kernel_t out_kernel{};
  return ahal_kernel_get(bad, nullptr, &out_kernel);
}

ahal_status_t kernel_get_builtin_device(Handles& h, ahal_device_t bad) {
  ahal_kernel_t out_kernel{};
  return ahal_kernel_get_builtin(bad, nullptr, &out_kernel);
}

ahal_status_t kernel_get_attributes_kernel(Handles& h, ahal_kernel_t bad) {
  ahal_kernel_attributes_t out_attributes{};
  return ahal_kernel_get_attributes(bad, &out_attributes);
}

ahal_status_t command_buffer_create_device(Handles& h, ahal_device_t bad) {
  ahal_command_buffer_t out_command_buffer{};
  return ahal_command_buffer_create(bad, {}, &out_command_buffer);
}

ahal_status_t command_buffer_destroy_command_buffer(Handles& h, ahal_command_buffer_t bad) {
  return ahal_command_buffer_destroy(bad);
}

ahal_status_t command_buffer_copy_h2d_command_buffer(Handles& h, ahal_command_buffer_t bad) {
  return ahal_command_buffer_copy_h2d(bad, nullptr, h.live<ahal_buffer_t>(), {}, {});
}

ahal_status_t command_buffer_copy_h2d_dst(Handles& h, ahal_buffer_t bad) {
  return ahal_command_buffer_copy_h2d(h.live<ahal_command_buffer_t>(), nullptr, bad, {}, {});
}

ahal_status_t command_buffer_copy_d2h_command_buffer(Handles& h, ahal_command_buffer_t bad) {
  return ahal_command_buffer_copy_d2h(bad, h.live<ahal_buffer_t>(), {}, nullptr, {});
}

ahal_status_t command_buffer_copy_d2h_src(Handles& h, ahal_buffer_t bad) {
  return ahal_command_buffer_copy_d2h(h.live<ahal_command_buffer_t>(), bad, {}, nullptr, {});
}

ahal_status_t command_buffer_copy_d2d_command_buffer(Handles& h, ahal_command_buffer_t bad) {
  return ahal_command_buffer_copy_d2d(bad, h.live<ahal_buffer_t>(), {}, h.live<ahal_buffer_t>(), {},
                                      {});
}

ahal_status_t command_buffer_copy_d2d_src(Handles& h, ahal_buffer_t bad) {
  return ahal_command_buffer_copy_d2d(h.live<ahal_command_buffer_t>(), bad, {},
                                      h.live<ahal_buffer_t>(), {}, {});
}

ahal_status_t command_buffer_copy_d2d_dst(Handles& h, ahal_buffer_t bad) {
  return ahal_command_buffer_copy_d2d(h.live<ahal_command_buffer_t>(), h.live<ahal_buffer_t>(), {},
                                      bad, {}, {});
}

ahal_status_t command_buffer_fill_command_buffer(Handles& h, ahal_command_buffer_t bad) {
  return ahal_command_buffer_fill(bad, h.live<ahal_buffer_t>(), {}, {}, nullptr, {});
}

ahal_status_t command_buffer_fill_buffer(Handles& h, ahal_buffer_t bad) {
  return ahal_command_buffer_fill(h.live<ahal_command_buffer_t>(), bad, {}, {}, nullptr, {});
}

ahal_status_t command_buffer_launch_command_buffer(Handles& h, ahal_command_buffer_t bad) {
  uint32_t out_index{};
  return ahal_command_buffer_launch(bad, h.live<ahal_kernel_t>(), nullptr, &out_index);
}

ahal_status_t command_buffer_launch_kernel(Handles& h, ahal_kernel_t bad) {
  uint32_t out_index{};
  return ahal_command_buffer_launch(h.live<ahal_command_buffer_t>(), bad, nullptr, &out_index);
}

ahal_status_t command_buffer_record_event_command_buffer(Handles& h, ahal_command_buffer_t bad) {
  return ahal_command_buffer_record_event(bad, h.live<ahal_event_t>());
}

ahal_status_t command_buffer_record_event_event(Handles& h, ahal_event_t bad) {
  return ahal_command_buffer_record_event(h.live<ahal_command_buffer_t>(), bad);
}

ahal_status_t command_buffer_wait_event_command_buffer(Handles& h, ahal_command_buffer_t bad) {
  return ahal_command_buffer_wait_event(bad, h.live<ahal_event_t>());
}

ahal_status_t command_buffer_wait_event_event(Handles& h, ahal_event_t bad) {
  return ahal_command_buffer_wait_event(h.live<ahal_command_buffer_t>(), bad);
}

ahal_status_t command_buffer_barrier_command_buffer(Handles& h, ahal_command_buffer_t bad) {
  return ahal_command_buffer_barrier(bad);
}

ahal_status_t command_buffer_finalize_command_buffer(Handles& h, ahal_command_buffer_t bad) {
  return ahal_command_buffer_finalize(bad);
}

ahal_status_t command_buffer_update_launch_command_buffer(Handles& h, ahal_command_buffer_t bad) {
  return ahal_command_buffer_update_launch(bad, {}, nullptr);
}

ahal_status_t stream_submit_stream(Handles& h, ahal_stream_t bad) {
  return ahal_stream_submit(bad, h.live<ahal_command_buffer_t>());
}

ahal_status_t stream_submit_command_buffer(Handles& h, ahal_command_buffer_t bad) {
  return ahal_stream_submit(h.live<ahal_stream_t>(), bad);
}

ahal_status_t buffer_get_native_buffer(Handles& h, ahal_buffer_t bad) {
  ahal_native_buffer_t out_native{};
  return ahal_buffer_get_native(bad, &out_native);
}

ahal_status_t buffer_host_address_buffer(Handles& h, ahal_buffer_t bad) {
  void* out_pointer{};
  return ahal_buffer_host_address(bad, &out_pointer);
}

ahal_status_t buffer_import_native_device(Handles& h, ahal_device_t bad) {
  ahal_buffer_t out_buffer{};
  return ahal_buffer_import_native(bad, nullptr, &out_buffer);
}

ahal_status_t device_peer_flags_device(Handles& h, ahal_device_t bad) {
  uint32_t out_flags{};
  return ahal_device_peer_flags(bad, h.live<ahal_device_t>(), &out_flags);
}

ahal_status_t device_peer_flags_peer(Handles& h, ahal_device_t bad) {
  uint32_t out_flags{};
  return ahal_device_peer_flags(h.live<ahal_device_t>(), bad, &out_flags);
}

ahal_status_t stream_copy_peer_stream(Handles& h, ahal_stream_t bad) {
  return ahal_stream_copy_peer(bad, h.live<ahal_buffer_t>(), {}, h.live<ahal_buffer_t>(), {}, {});
}

ahal_status_t stream_copy_peer_src(Handles& h, ahal_buffer_t bad) {
  return ahal_stream_copy_peer(h.live<ahal_stream_t>(), bad, {}, h.live<ahal_buffer_t>(), {}, {});
}

ahal_status_t stream_copy_peer_dst(Handles& h, ahal_buffer_t bad) {
  return ahal_stream_copy_peer(h.live<ahal_stream_t>(), h.live<ahal_buffer_t>(), {}, bad, {}, {});
}

ahal_status_t ccl_get_unique_id_device(Handles& h, ahal_device_t bad) {
  ahal_ccl_unique_id_t out_id{};
  return ahal_ccl_get_unique_id(bad, &out_id);
}

ahal_status_t ccl_comm_init_rank_device(Handles& h, ahal_device_t bad) {
  ahal_ccl_comm_t out_comm{};
  return ahal_ccl_comm_init_rank(bad, {}, nullptr, {}, &out_comm);
}

ahal_status_t ccl_comm_destroy_comm(Handles& h, ahal_ccl_comm_t bad) {
  return ahal_ccl_comm_destroy(bad);
}

ahal_status_t ccl_comm_info_comm(Handles& h, ahal_ccl_comm_t bad) {
  ahal_ccl_comm_info_t out_info{};
  return ahal_ccl_comm_info(bad, &out_info);
}

ahal_status_t ccl_comm_get_async_error_comm(Handles& h, ahal_ccl_comm_t bad) {
  return ahal_ccl_comm_get_async_error(bad);
}

ahal_status_t ccl_allreduce_comm(Handles& h, ahal_ccl_comm_t bad) {
  return ahal_ccl_allreduce(bad, h.live<ahal_buffer_t>(), {}, h.live<ahal_buffer_t>(), {}, {}, {},
                            {}, h.live<ahal_stream_t>());
}

ahal_status_t ccl_allreduce_send(Handles& h, ahal_buffer_t bad) {
  return ahal_ccl_allreduce(h.live<ahal_ccl_comm_t>(), bad, {}, h.live<ahal_buffer_t>(), {}, {}, {},
                            {}, h.live<ahal_stream_t>());
}

ahal_status_t ccl_allreduce_recv(Handles& h, ahal_buffer_t bad) {
  return ahal_ccl_allreduce(h.live<ahal_ccl_comm_t>(), h.live<ahal_buffer_t>(), {}, bad, {}, {}, {},
                            {}, h.live<ahal_stream_t>());
}

ahal_status_t ccl_allreduce_stream(Handles& h, ahal_stream_t bad) {
  return ahal_ccl_allreduce(h.live<ahal_ccl_comm_t>(), h.live<ahal_buffer_t>(), {},
                            h.live<ahal_buffer_t>(), {}, {}, {}, {}, bad);
}

ahal_status_t ccl_allgather_comm(Handles& h, ahal_ccl_comm_t bad) {
  return ahal_ccl_allgather(bad, h.live<ahal_buffer_t>(), {}, h.live<ahal_buffer_t>(), {}, {}, {},
                            h.live<ahal_stream_t>());
}

ahal_status_t ccl_allgather_send(Handles& h, ahal_buffer_t bad) {
  return ahal_ccl_allgather(h.live<ahal_ccl_comm_t>(), bad, {}, h.live<ahal_buffer_t>(), {}, {}, {},
                            h.live<ahal_stream_t>());
}

ahal_status_t ccl_allgather_recv(Handles& h, ahal_buffer_t bad) {
  return ahal_ccl_allgather(h.live<ahal_ccl_comm_t>(), h.live<ahal_buffer_t>(), {}, bad, {}, {}, {},
                            h.live<ahal_stream_t>());
}

ahal_status_t ccl_allgather_stream(Handles& h, ahal_stream_t bad) {
  return ahal_ccl_allgather(h.live<ahal_ccl_comm_t>(), h.live<ahal_buffer_t>(), {},
                            h.live<ahal_buffer_t>(), {}, {}, {}, bad);
}

ahal_status_t ccl_reduce_scatter_comm(Handles& h, ahal_ccl_comm_t bad) {
  return ahal_ccl_reduce_scatter(bad, h.live<ahal_buffer_t>(), {}, h.live<ahal_buffer_t>(), {}, {},
                                 {}, {}, h.live<ahal_stream_t>());
}

ahal_status_t ccl_reduce_scatter_send(Handles& h, ahal_buffer_t bad) {
  return ahal_ccl_reduce_scatter(h.live<ahal_ccl_comm_t>(), bad, {}, h.live<ahal_buffer_t>(), {},
                                 {}, {}, {}, h.live<ahal_stream_t>());
}

ahal_status_t ccl_reduce_scatter_recv(Handles& h, ahal_buffer_t bad) {
  return ahal_ccl_reduce_scatter(h.live<ahal_ccl_comm_t>(), h.live<ahal_buffer_t>(), {}, bad, {},
                                 {}, {}, {}, h.live<ahal_stream_t>());
}

ahal_status_t ccl_reduce_scatter_stream(Handles& h, ahal_stream_t bad) {
  return ahal_ccl_reduce_scatter(h.live<ahal_ccl_comm_t>(), h.live<ahal_buffer_t>(), {},
                                 h.live<ahal_buffer_t>(), {}, {}, {}, {}, bad);
}

ahal_status_t ccl_broadcast_comm(Handles& h, ahal_ccl_comm_t bad) {
  return ahal_ccl_broadcast(bad, h.live<ahal_buffer_t>(), {}, h.live<ahal_buffer_t>(), {}, {}, {},
                            {}, h.live<ahal_stream_t>());
}

ahal_status_t ccl_broadcast_send(Handles& h, ahal_buffer_t bad) {
  return ahal_ccl_broadcast(h.live<ahal_ccl_comm_t>(), bad, {}, h.live<ahal_buffer_t>(), {}, {}, {},
                            {}, h.live<ahal_stream_t>());
}

ahal_status_t ccl_broadcast_recv(Handles& h, ahal_buffer_t bad) {
  return ahal_ccl_broadcast(h.live<ahal_ccl_comm_t>(), h.live<ahal_buffer_t>(), {}, bad, {}, {}, {},
                            {}, h.live<ahal_stream_t>());
}

ahal_status_t ccl_broadcast_stream(Handles& h, ahal_stream_t bad) {
  return ahal_ccl_broadcast(h.live<ahal_ccl_comm_t>(), h.live<ahal_buffer_t>(), {},
                            h.live<ahal_buffer_t>(), {}, {}, {}, {}, bad);
}

ahal_status_t ccl_reduce_comm(Handles& h, ahal_ccl_comm_t bad) {
  return ahal_ccl_reduce(bad, h.live<ahal_buffer_t>(), {}, h.live<ahal_buffer_t>(), {}, {}, {}, {},
                         {}, h.live<ahal_stream_t>());
}

ahal_status_t ccl_reduce_send(Handles& h, ahal_buffer_t bad) {
  return ahal_ccl_reduce(h.live<ahal_ccl_comm_t>(), bad, {}, h.live<ahal_buffer_t>(), {}, {}, {},
                         {}, {}, h.live<ahal_stream_t>());
}

ahal_status_t ccl_reduce_recv(Handles& h, ahal_buffer_t bad) {
  return ahal_ccl_reduce(h.live<ahal_ccl_comm_t>(), h.live<ahal_buffer_t>(), {}, bad, {}, {}, {},
                         {}, {}, h.live<ahal_stream_t>());
}

ahal_status_t ccl_reduce_stream(Handles& h, ahal_stream_t bad) {
  return ahal_ccl_reduce(h.live<ahal_ccl_comm_t>(), h.live<ahal_buffer_t>(), {},
                         h.live<ahal_buffer_t>(), {}, {}, {}, {}, {}, bad);
}

ahal_status_t ccl_send_comm(Handles& h, ahal_ccl_comm_t bad) {
  return ahal_ccl_send(bad, h.live<ahal_buffer_t>(), {}, {}, {}, {}, h.live<ahal_stream_t>());
}

ahal_status_t ccl_send_buffer(Handles& h, ahal_buffer_t bad) {
  return ahal_ccl_send(h.live<ahal_ccl_comm_t>(), bad, {}, {}, {}, {}, h.live<ahal_stream_t>());
}

ahal_status_t ccl_send_stream(Handles& h, ahal_stream_t bad) {
  return ahal_ccl_send(h.live<ahal_ccl_comm_t>(), h.live<ahal_buffer_t>(), {}, {}, {}, {}, bad);
}

ahal_status_t ccl_recv_comm(Handles& h, ahal_ccl_comm_t bad) {
  return ahal_ccl_recv(bad, h.live<ahal_buffer_t>(), {}, {}, {}, {}, h.live<ahal_stream_t>());
}

ahal_status_t ccl_recv_buffer(Handles& h, ahal_buffer_t bad) {
  return ahal_ccl_recv(h.live<ahal_ccl_comm_t>(), bad, {}, {}, {}, {}, h.live<ahal_stream_t>());
}

ahal_status_t ccl_recv_stream(Handles& h, ahal_stream_t bad) {
  return ahal_ccl_recv(h.live<ahal_ccl_comm_t>(), h.live<ahal_buffer_t>(), {}, {}, {}, {}, bad);
}

}  // namespace

TEST_CASE("ahal_runtime_destroy: bad runtime", "[handles][generated]") {
  test::check_bad_handles<ahal_runtime_t>("ahal_runtime_destroy", runtime_destroy_runtime);
}

TEST_CASE("ahal_runtime_plugin_count: bad runtime", "[handles][generated]") {
  test::check_bad_handles<ahal_runtime_t>("ahal_runtime_plugin_count",
                                          runtime_plugin_count_runtime);
}

TEST_CASE("ahal_runtime_plugin_info: bad runtime", "[handles][generated]") {
  test::check_bad_handles<ahal_runtime_t>("ahal_runtime_plugin_info", runtime_plugin_info_runtime);
}

TEST_CASE("ahal_runtime_search_path: bad runtime", "[handles][generated]") {
  test::check_bad_handles<ahal_runtime_t>("ahal_runtime_search_path", runtime_search_path_runtime);
}

TEST_CASE("ahal_runtime_device_count: bad runtime", "[handles][generated]") {
  test::check_bad_handles<ahal_runtime_t>("ahal_runtime_device_count",
                                          runtime_device_count_runtime);
}

TEST_CASE("ahal_runtime_device_get: bad runtime", "[handles][generated]") {
  test::check_bad_handles<ahal_runtime_t>("ahal_runtime_device_get", runtime_device_get_runtime);
}

TEST_CASE("ahal_device_find: bad runtime", "[handles][generated]") {
  test::check_bad_handles<ahal_runtime_t>("ahal_device_find", device_find_runtime);
}

TEST_CASE("ahal_device_get_properties: bad device", "[handles][generated]") {
  test::check_bad_handles<ahal_device_t>("ahal_device_get_properties",
                                         device_get_properties_device);
}

TEST_CASE("ahal_device_synchronize: bad device", "[handles][generated]") {
  test::check_bad_handles<ahal_device_t>("ahal_device_synchronize", device_synchronize_device);
}

TEST_CASE("ahal_device_memory_usage: bad device", "[handles][generated]") {
  test::check_bad_handles<ahal_device_t>("ahal_device_memory_usage", device_memory_usage_device);
}

TEST_CASE("ahal_device_memory_peak: bad device", "[handles][generated]") {
  test::check_bad_handles<ahal_device_t>("ahal_device_memory_peak", device_memory_peak_device);
}

TEST_CASE("ahal_buffer_create: bad device", "[handles][generated]") {
  test::check_bad_handles<ahal_device_t>("ahal_buffer_create", buffer_create_device);
}

TEST_CASE("ahal_buffer_destroy: bad buffer", "[handles][generated]") {
  test::check_bad_handles<ahal_buffer_t>("ahal_buffer_destroy", buffer_destroy_buffer);
}

TEST_CASE("ahal_buffer_size: bad buffer", "[handles][generated]") {
  test::check_bad_handles<ahal_buffer_t>("ahal_buffer_size", buffer_size_buffer);
}

TEST_CASE("ahal_buffer_map: bad buffer", "[handles][generated]") {
  test::check_bad_handles<ahal_buffer_t>("ahal_buffer_map", buffer_map_buffer);
}

TEST_CASE("ahal_buffer_unmap: bad buffer", "[handles][generated]") {
  test::check_bad_handles<ahal_buffer_t>("ahal_buffer_unmap", buffer_unmap_buffer);
}

TEST_CASE("ahal_host_alloc: bad device", "[handles][generated]") {
  test::check_bad_handles<ahal_device_t>("ahal_host_alloc", host_alloc_device);
}

TEST_CASE("ahal_host_alloc_pointer: bad alloc", "[handles][generated]") {
  test::check_bad_handles<ahal_host_alloc_t>("ahal_host_alloc_pointer", host_alloc_pointer_alloc);
}

TEST_CASE("ahal_host_free: bad alloc", "[handles][generated]") {
  test::check_bad_handles<ahal_host_alloc_t>("ahal_host_free", host_free_alloc);
}

TEST_CASE("ahal_stream_create: bad device", "[handles][generated]") {
  test::check_bad_handles<ahal_device_t>("ahal_stream_create", stream_create_device);
}

TEST_CASE("ahal_stream_destroy: bad stream", "[handles][generated]") {
  test::check_bad_handles<ahal_stream_t>("ahal_stream_destroy", stream_destroy_stream);
}

TEST_CASE("ahal_stream_copy_h2d: bad stream", "[handles][generated]") {
  test::check_bad_handles<ahal_stream_t>("ahal_stream_copy_h2d", stream_copy_h2d_stream);
}

TEST_CASE("ahal_stream_copy_h2d: bad dst", "[handles][generated]") {
  test::check_bad_handles<ahal_buffer_t>("ahal_stream_copy_h2d", stream_copy_h2d_dst);
}

TEST_CASE("ahal_stream_copy_d2h: bad stream", "[handles][generated]") {
  test::check_bad_handles<ahal_stream_t>("ahal_stream_copy_d2h", stream_copy_d2h_stream);
}

TEST_CASE("ahal_stream_copy_d2h: bad src", "[handles][generated]") {
  test::check_bad_handles<ahal_buffer_t>("ahal_stream_copy_d2h", stream_copy_d2h_src);
}

TEST_CASE("ahal_stream_copy_d2d: bad stream", "[handles][generated]") {
  test::check_bad_handles<ahal_stream_t>("ahal_stream_copy_d2d", stream_copy_d2d_stream);
}

TEST_CASE("ahal_stream_copy_d2d: bad src", "[handles][generated]") {
  test::check_bad_handles<ahal_buffer_t>("ahal_stream_copy_d2d", stream_copy_d2d_src);
}

TEST_CASE("ahal_stream_copy_d2d: bad dst", "[handles][generated]") {
  test::check_bad_handles<ahal_buffer_t>("ahal_stream_copy_d2d", stream_copy_d2d_dst);
}

TEST_CASE("ahal_stream_fill: bad stream", "[handles][generated]") {
  test::check_bad_handles<ahal_stream_t>("ahal_stream_fill", stream_fill_stream);
}

TEST_CASE("ahal_stream_fill: bad buffer", "[handles][generated]") {
  test::check_bad_handles<ahal_buffer_t>("ahal_stream_fill", stream_fill_buffer);
}

TEST_CASE("ahal_stream_launch: bad stream", "[handles][generated]") {
  test::check_bad_handles<ahal_stream_t>("ahal_stream_launch", stream_launch_stream);
}

TEST_CASE("ahal_stream_launch: bad kernel", "[handles][generated]") {
  test::check_bad_handles<ahal_kernel_t>("ahal_stream_launch", stream_launch_kernel);
}

TEST_CASE("ahal_stream_host_callback: bad stream", "[handles][generated]") {
  test::check_bad_handles<ahal_stream_t>("ahal_stream_host_callback", stream_host_callback_stream);
}

TEST_CASE("ahal_stream_record_event: bad stream", "[handles][generated]") {
  test::check_bad_handles<ahal_stream_t>("ahal_stream_record_event", stream_record_event_stream);
}

TEST_CASE("ahal_stream_record_event: bad event", "[handles][generated]") {
  test::check_bad_handles<ahal_event_t>("ahal_stream_record_event", stream_record_event_event);
}

TEST_CASE("ahal_stream_wait_event: bad stream", "[handles][generated]") {
  test::check_bad_handles<ahal_stream_t>("ahal_stream_wait_event", stream_wait_event_stream);
}

TEST_CASE("ahal_stream_wait_event: bad event", "[handles][generated]") {
  test::check_bad_handles<ahal_event_t>("ahal_stream_wait_event", stream_wait_event_event);
}

TEST_CASE("ahal_stream_synchronize: bad stream", "[handles][generated]") {
  test::check_bad_handles<ahal_stream_t>("ahal_stream_synchronize", stream_synchronize_stream);
}

TEST_CASE("ahal_stream_query: bad stream", "[handles][generated]") {
  test::check_bad_handles<ahal_stream_t>("ahal_stream_query", stream_query_stream);
}

TEST_CASE("ahal_event_create: bad device", "[handles][generated]") {
  test::check_bad_handles<ahal_device_t>("ahal_event_create", event_create_device);
}

TEST_CASE("ahal_event_destroy: bad event", "[handles][generated]") {
  test::check_bad_handles<ahal_event_t>("ahal_event_destroy", event_destroy_event);
}

TEST_CASE("ahal_event_query: bad event", "[handles][generated]") {
  test::check_bad_handles<ahal_event_t>("ahal_event_query", event_query_event);
}

TEST_CASE("ahal_event_wait: bad event", "[handles][generated]") {
  test::check_bad_handles<ahal_event_t>("ahal_event_wait", event_wait_event);
}

TEST_CASE("ahal_event_elapsed_ns: bad start", "[handles][generated]") {
  test::check_bad_handles<ahal_event_t>("ahal_event_elapsed_ns", event_elapsed_ns_start);
}

TEST_CASE("ahal_event_elapsed_ns: bad end", "[handles][generated]") {
  test::check_bad_handles<ahal_event_t>("ahal_event_elapsed_ns", event_elapsed_ns_end);
}

TEST_CASE("ahal_module_create: bad device", "[handles][generated]") {
  test::check_bad_handles<ahal_device_t>("ahal_module_create", module_create_device);
}

TEST_CASE("ahal_module_destroy: bad module", "[handles][generated]") {
  test::check_bad_handles<ahal_module_t>("ahal_module_destroy", module_destroy_module);
}

TEST_CASE("ahal_module_format: bad module", "[handles][generated]") {
  test::check_bad_handles<ahal_module_t>("ahal_module_format", module_format_module);
}

TEST_CASE("ahal_kernel_get: bad module", "[handles][generated]") {
  test::check_bad_handles<ahal_module_t>("ahal_kernel_get", kernel_get_module);
}

TEST_CASE("ahal_kernel_get_builtin: bad device", "[handles][generated]") {
  test::check_bad_handles<ahal_device_t>("ahal_kernel_get_builtin", kernel_get_builtin_device);
}

TEST_CASE("ahal_kernel_get_attributes: bad kernel", "[handles][generated]") {
  test::check_bad_handles<ahal_kernel_t>("ahal_kernel_get_attributes",
                                         kernel_get_attributes_kernel);
}

TEST_CASE("ahal_command_buffer_create: bad device", "[handles][generated]") {
  test::check_bad_handles<ahal_device_t>("ahal_command_buffer_create",
                                         command_buffer_create_device);
}

TEST_CASE("ahal_command_buffer_destroy: bad command_buffer", "[handles][generated]") {
  test::check_bad_handles<ahal_command_buffer_t>("ahal_command_buffer_destroy",
                                                 command_buffer_destroy_command_buffer);
}

TEST_CASE("ahal_command_buffer_copy_h2d: bad command_buffer", "[handles][generated]") {
  test::check_bad_handles<ahal_command_buffer_t>("ahal_command_buffer_copy_h2d",
                                                 command_buffer_copy_h2d_command_buffer);
}

TEST_CASE("ahal_command_buffer_copy_h2d: bad dst", "[handles][generated]") {
  test::check_bad_handles<ahal_buffer_t>("ahal_command_buffer_copy_h2d",
                                         command_buffer_copy_h2d_dst);
}

TEST_CASE("ahal_command_buffer_copy_d2h: bad command_buffer", "[handles][generated]") {
  test::check_bad_handles<ahal_command_buffer_t>("ahal_command_buffer_copy_d2h",
                                                 command_buffer_copy_d2h_command_buffer);
}

TEST_CASE("ahal_command_buffer_copy_d2h: bad src", "[handles][generated]") {
  test::check_bad_handles<ahal_buffer_t>("ahal_command_buffer_copy_d2h",
                                         command_buffer_copy_d2h_src);
}

TEST_CASE("ahal_command_buffer_copy_d2d: bad command_buffer", "[handles][generated]") {
  test::check_bad_handles<ahal_command_buffer_t>("ahal_command_buffer_copy_d2d",
                                                 command_buffer_copy_d2d_command_buffer);
}

TEST_CASE("ahal_command_buffer_copy_d2d: bad src", "[handles][generated]") {
  test::check_bad_handles<ahal_buffer_t>("ahal_command_buffer_copy_d2d",
                                         command_buffer_copy_d2d_src);
}

TEST_CASE("ahal_command_buffer_copy_d2d: bad dst", "[handles][generated]") {
  test::check_bad_handles<ahal_buffer_t>("ahal_command_buffer_copy_d2d",
                                         command_buffer_copy_d2d_dst);
}

TEST_CASE("ahal_command_buffer_fill: bad command_buffer", "[handles][generated]") {
  test::check_bad_handles<ahal_command_buffer_t>("ahal_command_buffer_fill",
                                                 command_buffer_fill_command_buffer);
}

TEST_CASE("ahal_command_buffer_fill: bad buffer", "[handles][generated]") {
  test::check_bad_handles<ahal_buffer_t>("ahal_command_buffer_fill", command_buffer_fill_buffer);
}

TEST_CASE("ahal_command_buffer_launch: bad command_buffer", "[handles][generated]") {
  test::check_bad_handles<ahal_command_buffer_t>("ahal_command_buffer_launch",
                                                 command_buffer_launch_command_buffer);
}

TEST_CASE("ahal_command_buffer_launch: bad kernel", "[handles][generated]") {
  test::check_bad_handles<ahal_kernel_t>("ahal_command_buffer_launch",
                                         command_buffer_launch_kernel);
}

TEST_CASE("ahal_command_buffer_record_event: bad command_buffer", "[handles][generated]") {
  test::check_bad_handles<ahal_command_buffer_t>("ahal_command_buffer_record_event",
                                                 command_buffer_record_event_command_buffer);
}

TEST_CASE("ahal_command_buffer_record_event: bad event", "[handles][generated]") {
  test::check_bad_handles<ahal_event_t>("ahal_command_buffer_record_event",
                                        command_buffer_record_event_event);
}

TEST_CASE("ahal_command_buffer_wait_event: bad command_buffer", "[handles][generated]") {
  test::check_bad_handles<ahal_command_buffer_t>("ahal_command_buffer_wait_event",
                                                 command_buffer_wait_event_command_buffer);
}

TEST_CASE("ahal_command_buffer_wait_event: bad event", "[handles][generated]") {
  test::check_bad_handles<ahal_event_t>("ahal_command_buffer_wait_event",
                                        command_buffer_wait_event_event);
}

TEST_CASE("ahal_command_buffer_barrier: bad command_buffer", "[handles][generated]") {
  test::check_bad_handles<ahal_command_buffer_t>("ahal_command_buffer_barrier",
                                                 command_buffer_barrier_command_buffer);
}

TEST_CASE("ahal_command_buffer_finalize: bad command_buffer", "[handles][generated]") {
  test::check_bad_handles<ahal_command_buffer_t>("ahal_command_buffer_finalize",
                                                 command_buffer_finalize_command_buffer);
}

TEST_CASE("ahal_command_buffer_update_launch: bad command_buffer", "[handles][generated]") {
  test::check_bad_handles<ahal_command_buffer_t>("ahal_command_buffer_update_launch",
                                                 command_buffer_update_launch_command_buffer);
}

TEST_CASE("ahal_stream_submit: bad stream", "[handles][generated]") {
  test::check_bad_handles<ahal_stream_t>("ahal_stream_submit", stream_submit_stream);
}

TEST_CASE("ahal_stream_submit: bad command_buffer", "[handles][generated]") {
  test::check_bad_handles<ahal_command_buffer_t>("ahal_stream_submit",
                                                 stream_submit_command_buffer);
}

TEST_CASE("ahal_buffer_get_native: bad buffer", "[handles][generated]") {
  test::check_bad_handles<ahal_buffer_t>("ahal_buffer_get_native", buffer_get_native_buffer);
}

TEST_CASE("ahal_buffer_host_address: bad buffer", "[handles][generated]") {
  test::check_bad_handles<ahal_buffer_t>("ahal_buffer_host_address", buffer_host_address_buffer);
}

TEST_CASE("ahal_buffer_import_native: bad device", "[handles][generated]") {
  test::check_bad_handles<ahal_device_t>("ahal_buffer_import_native", buffer_import_native_device);
}

TEST_CASE("ahal_device_peer_flags: bad device", "[handles][generated]") {
  test::check_bad_handles<ahal_device_t>("ahal_device_peer_flags", device_peer_flags_device);
}

TEST_CASE("ahal_device_peer_flags: bad peer", "[handles][generated]") {
  test::check_bad_handles<ahal_device_t>("ahal_device_peer_flags", device_peer_flags_peer);
}

TEST_CASE("ahal_stream_copy_peer: bad stream", "[handles][generated]") {
  test::check_bad_handles<ahal_stream_t>("ahal_stream_copy_peer", stream_copy_peer_stream);
}

TEST_CASE("ahal_stream_copy_peer: bad src", "[handles][generated]") {
  test::check_bad_handles<ahal_buffer_t>("ahal_stream_copy_peer", stream_copy_peer_src);
}

TEST_CASE("ahal_stream_copy_peer: bad dst", "[handles][generated]") {
  test::check_bad_handles<ahal_buffer_t>("ahal_stream_copy_peer", stream_copy_peer_dst);
}

TEST_CASE("ahal_ccl_get_unique_id: bad device", "[handles][generated]") {
  test::check_bad_handles<ahal_device_t>("ahal_ccl_get_unique_id", ccl_get_unique_id_device);
}

TEST_CASE("ahal_ccl_comm_init_rank: bad device", "[handles][generated]") {
  test::check_bad_handles<ahal_device_t>("ahal_ccl_comm_init_rank", ccl_comm_init_rank_device);
}

TEST_CASE("ahal_ccl_comm_destroy: bad comm", "[handles][generated]") {
  test::check_bad_handles<ahal_ccl_comm_t>("ahal_ccl_comm_destroy", ccl_comm_destroy_comm);
}

TEST_CASE("ahal_ccl_comm_info: bad comm", "[handles][generated]") {
  test::check_bad_handles<ahal_ccl_comm_t>("ahal_ccl_comm_info", ccl_comm_info_comm);
}

TEST_CASE("ahal_ccl_comm_get_async_error: bad comm", "[handles][generated]") {
  test::check_bad_handles<ahal_ccl_comm_t>("ahal_ccl_comm_get_async_error",
                                           ccl_comm_get_async_error_comm);
}

TEST_CASE("ahal_ccl_allreduce: bad comm", "[handles][generated]") {
  test::check_bad_handles<ahal_ccl_comm_t>("ahal_ccl_allreduce", ccl_allreduce_comm);
}

TEST_CASE("ahal_ccl_allreduce: bad send", "[handles][generated]") {
  test::check_bad_handles<ahal_buffer_t>("ahal_ccl_allreduce", ccl_allreduce_send);
}

TEST_CASE("ahal_ccl_allreduce: bad recv", "[handles][generated]") {
  test::check_bad_handles<ahal_buffer_t>("ahal_ccl_allreduce", ccl_allreduce_recv);
}

TEST_CASE("ahal_ccl_allreduce: bad stream", "[handles][generated]") {
  test::check_bad_handles<ahal_stream_t>("ahal_ccl_allreduce", ccl_allreduce_stream);
}

TEST_CASE("ahal_ccl_allgather: bad comm", "[handles][generated]") {
  test::check_bad_handles<ahal_ccl_comm_t>("ahal_ccl_allgather", ccl_allgather_comm);
}

TEST_CASE("ahal_ccl_allgather: bad send", "[handles][generated]") {
  test::check_bad_handles<ahal_buffer_t>("ahal_ccl_allgather", ccl_allgather_send);
}

TEST_CASE("ahal_ccl_allgather: bad recv", "[handles][generated]") {
  test::check_bad_handles<ahal_buffer_t>("ahal_ccl_allgather", ccl_allgather_recv);
}

TEST_CASE("ahal_ccl_allgather: bad stream", "[handles][generated]") {
  test::check_bad_handles<ahal_stream_t>("ahal_ccl_allgather", ccl_allgather_stream);
}

TEST_CASE("ahal_ccl_reduce_scatter: bad comm", "[handles][generated]") {
  test::check_bad_handles<ahal_ccl_comm_t>("ahal_ccl_reduce_scatter", ccl_reduce_scatter_comm);
}

TEST_CASE("ahal_ccl_reduce_scatter: bad send", "[handles][generated]") {
  test::check_bad_handles<ahal_buffer_t>("ahal_ccl_reduce_scatter", ccl_reduce_scatter_send);
}

TEST_CASE("ahal_ccl_reduce_scatter: bad recv", "[handles][generated]") {
  test::check_bad_handles<ahal_buffer_t>("ahal_ccl_reduce_scatter", ccl_reduce_scatter_recv);
}

TEST_CASE("ahal_ccl_reduce_scatter: bad stream", "[handles][generated]") {
  test::check_bad_handles<ahal_stream_t>("ahal_ccl_reduce_scatter", ccl_reduce_scatter_stream);
}

TEST_CASE("ahal_ccl_broadcast: bad comm", "[handles][generated]") {
  test::check_bad_handles<ahal_ccl_comm_t>("ahal_ccl_broadcast", ccl_broadcast_comm);
}

TEST_CASE("ahal_ccl_broadcast: bad send", "[handles][generated]") {
  test::check_bad_handles<ahal_buffer_t>("ahal_ccl_broadcast", ccl_broadcast_send);
}

TEST_CASE("ahal_ccl_broadcast: bad recv", "[handles][generated]") {
  test::check_bad_handles<ahal_buffer_t>("ahal_ccl_broadcast", ccl_broadcast_recv);
}

TEST_CASE("ahal_ccl_broadcast: bad stream", "[handles][generated]") {
  test::check_bad_handles<ahal_stream_t>("ahal_ccl_broadcast", ccl_broadcast_stream);
}

TEST_CASE("ahal_ccl_reduce: bad comm", "[handles][generated]") {
  test::check_bad_handles<ahal_ccl_comm_t>("ahal_ccl_reduce", ccl_reduce_comm);
}

TEST_CASE("ahal_ccl_reduce: bad send", "[handles][generated]") {
  test::check_bad_handles<ahal_buffer_t>("ahal_ccl_reduce", ccl_reduce_send);
}

TEST_CASE("ahal_ccl_reduce: bad recv", "[handles][generated]") {
  test::check_bad_handles<ahal_buffer_t>("ahal_ccl_reduce", ccl_reduce_recv);
}

TEST_CASE("ahal_ccl_reduce: bad stream", "[handles][generated]") {
  test::check_bad_handles<ahal_stream_t>("ahal_ccl_reduce", ccl_reduce_stream);
}

TEST_CASE("ahal_ccl_send: bad comm", "[handles][generated]") {
  test::check_bad_handles<ahal_ccl_comm_t>("ahal_ccl_send", ccl_send_comm);
}

TEST_CASE("ahal_ccl_send: bad buffer", "[handles][generated]") {
  test::check_bad_handles<ahal_buffer_t>("ahal_ccl_send", ccl_send_buffer);
}

TEST_CASE("ahal_ccl_send: bad stream", "[handles][generated]") {
  test::check_bad_handles<ahal_stream_t>("ahal_ccl_send", ccl_send_stream);
}

TEST_CASE("ahal_ccl_recv: bad comm", "[handles][generated]") {
  test::check_bad_handles<ahal_ccl_comm_t>("ahal_ccl_recv", ccl_recv_comm);
}

TEST_CASE("ahal_ccl_recv: bad buffer", "[handles][generated]") {
  test::check_bad_handles<ahal_buffer_t>("ahal_ccl_recv", ccl_recv_buffer);
}

TEST_CASE("ahal_ccl_recv: bad stream", "[handles][generated]") {
  test::check_bad_handles<ahal_stream_t>("ahal_ccl_recv", ccl_recv_stream);
}
