// @generated from spec/ahal.toml by spec/generate.py: do not edit.
// Edit the spec and run the generator; CI fails when this is stale.
//
// The loader's implementation of each C API function (namespace base,
// hand-written beside its object in hal/src) and the layers' own hooks
// (namespace layers, kind "layer" in the spec; noexcept: they catch what
// they raise). The C entry points that call
// them are generated into hal/src/generated/<group>_entries.inc.
#pragma once

#include <ahal/ahal.h>

#include "../objects.hpp"

namespace ahal {
namespace base {
const char* status_string(const char* fn, ahal_status_t status);
const char* last_error_message(const char* fn);
uint32_t get_version(const char* fn);
ahal_status_t runtime_create(const char* fn, const ahal_runtime_options_t* options,
                             ahal_runtime_t* out_runtime, void* caller);
ahal_status_t runtime_destroy(const char* fn, ahal_runtime_t runtime, void* caller);
ahal_status_t runtime_plugin_count(const char* fn, Runtime* rt, uint32_t* out_count);
ahal_status_t runtime_plugin_info(const char* fn, Runtime* rt, uint32_t index,
                                  ahal_plugin_info_t* out_info);
ahal_status_t runtime_search_path(const char* fn, Runtime* rt, const char** out_path);
ahal_status_t runtime_device_count(const char* fn, Runtime* rt, uint32_t* out_count);
ahal_status_t runtime_device_get(const char* fn, Runtime* rt, uint32_t index,
                                 ahal_device_t* out_device);
ahal_status_t device_find(const char* fn, Runtime* rt, const char* selector,
                          ahal_device_t* out_device);
const char* module_format_name(const char* fn, ahal_module_format_t format);
ahal_status_t module_format_parse(const char* fn, const char* name, ahal_module_format_t* out);
ahal_status_t device_get_properties(const char* fn, Device* d,
                                    ahal_device_properties_t* out_properties);
ahal_status_t device_synchronize(const char* fn, Device* d);
ahal_status_t device_memory_usage(const char* fn, Device* d, uint64_t* out_used,
                                  uint64_t* out_total);
ahal_status_t device_memory_peak(const char* fn, Device* d, uint32_t flags, uint64_t* out_peak);
ahal_status_t buffer_create(const char* fn, Device* d, const ahal_buffer_args_t* args,
                            ahal_buffer_t* out_buffer);
ahal_status_t buffer_destroy(const char* fn, Buffer* b);
ahal_status_t buffer_size(const char* fn, Buffer* b, uint64_t* out_size);
ahal_status_t buffer_map(const char* fn, Buffer* b, uint64_t offset, uint64_t size,
                         void** out_pointer);
ahal_status_t buffer_unmap(const char* fn, Buffer* b);
ahal_status_t host_alloc(const char* fn, Device* d, uint64_t size, uint32_t flags,
                         ahal_host_alloc_t* out_alloc);
ahal_status_t host_alloc_pointer(const char* fn, HostAlloc* a, void** out_pointer);
ahal_status_t host_free(const char* fn, HostAlloc* a);
ahal_status_t stream_create(const char* fn, Device* d, const ahal_stream_args_t* args,
                            ahal_stream_t* out_stream);
ahal_status_t stream_destroy(const char* fn, Stream* s);
ahal_status_t stream_copy_h2d(const char* fn, Stream* s, const void* src, ahal_buffer_t dst,
                              uint64_t dst_offset, uint64_t size);
ahal_status_t stream_copy_d2h(const char* fn, Stream* s, ahal_buffer_t src, uint64_t src_offset,
                              void* dst, uint64_t size);
ahal_status_t stream_copy_d2d(const char* fn, Stream* s, ahal_buffer_t src, uint64_t src_offset,
                              ahal_buffer_t dst, uint64_t dst_offset, uint64_t size);
ahal_status_t stream_fill(const char* fn, Stream* s, ahal_buffer_t buffer, uint64_t offset,
                          uint64_t size, const void* pattern, uint32_t pattern_size);
ahal_status_t stream_launch(const char* fn, Stream* s, ahal_kernel_t kernel,
                            const ahal_launch_args_t* args);
ahal_status_t stream_host_callback(const char* fn, Stream* s, ahal_host_fn_t callback,
                                   void* user_data);
ahal_status_t stream_record_event(const char* fn, Stream* s, ahal_event_t event);
ahal_status_t stream_wait_event(const char* fn, Stream* s, ahal_event_t event);
ahal_status_t stream_synchronize(const char* fn, Stream* s);
ahal_status_t stream_query(const char* fn, Stream* s);
ahal_status_t event_create(const char* fn, Device* d, uint32_t flags, ahal_event_t* out_event);
ahal_status_t event_destroy(const char* fn, Event* e);
ahal_status_t event_query(const char* fn, Event* e);
ahal_status_t event_wait(const char* fn, Event* e, uint64_t timeout_ns);
ahal_status_t event_elapsed_ns(const char* fn, Event* e, ahal_event_t end, uint64_t* out_ns);
ahal_status_t module_create(const char* fn, Device* d, const ahal_module_args_t* args,
                            ahal_module_t* out_module);
ahal_status_t module_destroy(const char* fn, Module* m);
ahal_status_t module_format(const char* fn, Module* m, ahal_module_format_t* out);
ahal_status_t kernel_get(const char* fn, Module* m, const char* name, ahal_kernel_t* out_kernel);
ahal_status_t kernel_get_builtin(const char* fn, Device* d, const char* name,
                                 ahal_kernel_t* out_kernel);
ahal_status_t kernel_get_attributes(const char* fn, Kernel* k,
                                    ahal_kernel_attributes_t* out_attributes);
ahal_status_t command_buffer_create(const char* fn, Device* d, uint32_t flags,
                                    ahal_command_buffer_t* out_command_buffer);
ahal_status_t command_buffer_destroy(const char* fn, CommandBuffer* cb);
ahal_status_t command_buffer_copy_h2d(const char* fn, CommandBuffer* cb, const void* src,
                                      ahal_buffer_t dst, uint64_t dst_offset, uint64_t size);
ahal_status_t command_buffer_copy_d2h(const char* fn, CommandBuffer* cb, ahal_buffer_t src,
                                      uint64_t src_offset, void* dst, uint64_t size);
ahal_status_t command_buffer_copy_d2d(const char* fn, CommandBuffer* cb, ahal_buffer_t src,
                                      uint64_t src_offset, ahal_buffer_t dst, uint64_t dst_offset,
                                      uint64_t size);
ahal_status_t command_buffer_fill(const char* fn, CommandBuffer* cb, ahal_buffer_t buffer,
                                  uint64_t offset, uint64_t size, const void* pattern,
                                  uint32_t pattern_size);
ahal_status_t command_buffer_launch(const char* fn, CommandBuffer* cb, ahal_kernel_t kernel,
                                    const ahal_launch_args_t* args, uint32_t* out_index);
ahal_status_t command_buffer_record_event(const char* fn, CommandBuffer* cb, ahal_event_t event);
ahal_status_t command_buffer_wait_event(const char* fn, CommandBuffer* cb, ahal_event_t event);
ahal_status_t command_buffer_barrier(const char* fn, CommandBuffer* cb);
ahal_status_t command_buffer_finalize(const char* fn, CommandBuffer* cb);
ahal_status_t command_buffer_update_launch(const char* fn, CommandBuffer* cb, uint32_t index,
                                           const ahal_launch_update_t* update);
ahal_status_t stream_submit(const char* fn, Stream* s, ahal_command_buffer_t command_buffer);
ahal_status_t buffer_get_native(const char* fn, Buffer* b, ahal_native_buffer_t* out_native);
ahal_status_t buffer_host_address(const char* fn, Buffer* b, void** out_pointer);
ahal_status_t buffer_import_native(const char* fn, Device* d, const ahal_native_buffer_t* native,
                                   ahal_buffer_t* out_buffer);
ahal_status_t device_peer_flags(const char* fn, Device* d, ahal_device_t peer, uint32_t* out_flags);
ahal_status_t stream_copy_peer(const char* fn, Stream* s, ahal_buffer_t src, uint64_t src_offset,
                               ahal_buffer_t dst, uint64_t dst_offset, uint64_t size);
ahal_status_t ccl_get_unique_id(const char* fn, Device* d, ahal_ccl_unique_id_t* out_id);
ahal_status_t ccl_comm_init_rank(const char* fn, Device* d, uint32_t nranks,
                                 const ahal_ccl_unique_id_t* id, uint32_t rank,
                                 ahal_ccl_comm_t* out_comm);
ahal_status_t ccl_comm_destroy(const char* fn, CclComm* c);
ahal_status_t ccl_comm_info(const char* fn, CclComm* c, ahal_ccl_comm_info_t* out_info);
ahal_status_t ccl_comm_get_async_error(const char* fn, CclComm* c);
ahal_status_t ccl_allreduce(const char* fn, CclComm* c, ahal_buffer_t send, uint64_t send_offset,
                            ahal_buffer_t recv, uint64_t recv_offset, uint64_t count,
                            ahal_ccl_datatype_t datatype, ahal_ccl_op_t op, ahal_stream_t stream);
ahal_status_t ccl_allgather(const char* fn, CclComm* c, ahal_buffer_t send, uint64_t send_offset,
                            ahal_buffer_t recv, uint64_t recv_offset, uint64_t send_count,
                            ahal_ccl_datatype_t datatype, ahal_stream_t stream);
ahal_status_t ccl_reduce_scatter(const char* fn, CclComm* c, ahal_buffer_t send,
                                 uint64_t send_offset, ahal_buffer_t recv, uint64_t recv_offset,
                                 uint64_t recv_count, ahal_ccl_datatype_t datatype,
                                 ahal_ccl_op_t op, ahal_stream_t stream);
ahal_status_t ccl_broadcast(const char* fn, CclComm* c, ahal_buffer_t send, uint64_t send_offset,
                            ahal_buffer_t recv, uint64_t recv_offset, uint64_t count,
                            ahal_ccl_datatype_t datatype, uint32_t root, ahal_stream_t stream);
ahal_status_t ccl_reduce(const char* fn, CclComm* c, ahal_buffer_t send, uint64_t send_offset,
                         ahal_buffer_t recv, uint64_t recv_offset, uint64_t count,
                         ahal_ccl_datatype_t datatype, ahal_ccl_op_t op, uint32_t root,
                         ahal_stream_t stream);
ahal_status_t ccl_send(const char* fn, CclComm* c, ahal_buffer_t buffer, uint64_t offset,
                       uint64_t count, ahal_ccl_datatype_t datatype, uint32_t peer,
                       ahal_stream_t stream);
ahal_status_t ccl_recv(const char* fn, CclComm* c, ahal_buffer_t buffer, uint64_t offset,
                       uint64_t count, ahal_ccl_datatype_t datatype, uint32_t peer,
                       ahal_stream_t stream);
ahal_status_t ccl_group_start(const char* fn);
ahal_status_t ccl_group_end(const char* fn);
}  // namespace base

namespace layers {
ahal_status_t device_synchronize(const char* fn, Device* d, void* caller) noexcept;
ahal_status_t buffer_destroy(const char* fn, Buffer* b, void* caller) noexcept;
ahal_status_t buffer_map(const char* fn, Buffer* b, uint64_t offset, uint64_t size,
                         void** out_pointer, void* caller) noexcept;
ahal_status_t host_free(const char* fn, HostAlloc* a, void* caller) noexcept;
ahal_status_t stream_create(const char* fn, Device* d, const ahal_stream_args_t* args,
                            ahal_stream_t* out_stream, void* caller) noexcept;
ahal_status_t stream_destroy(const char* fn, Stream* s, void* caller) noexcept;
ahal_status_t stream_copy_h2d(const char* fn, Stream* s, const void* src, ahal_buffer_t dst,
                              uint64_t dst_offset, uint64_t size, void* caller) noexcept;
ahal_status_t stream_copy_d2h(const char* fn, Stream* s, ahal_buffer_t src, uint64_t src_offset,
                              void* dst, uint64_t size, void* caller) noexcept;
ahal_status_t stream_copy_d2d(const char* fn, Stream* s, ahal_buffer_t src, uint64_t src_offset,
                              ahal_buffer_t dst, uint64_t dst_offset, uint64_t size,
                              void* caller) noexcept;
ahal_status_t stream_fill(const char* fn, Stream* s, ahal_buffer_t buffer, uint64_t offset,
                          uint64_t size, const void* pattern, uint32_t pattern_size,
                          void* caller) noexcept;
ahal_status_t stream_launch(const char* fn, Stream* s, ahal_kernel_t kernel,
                            const ahal_launch_args_t* args, void* caller) noexcept;
ahal_status_t stream_host_callback(const char* fn, Stream* s, ahal_host_fn_t callback,
                                   void* user_data, void* caller) noexcept;
ahal_status_t stream_record_event(const char* fn, Stream* s, ahal_event_t event,
                                  void* caller) noexcept;
ahal_status_t stream_wait_event(const char* fn, Stream* s, ahal_event_t event,
                                void* caller) noexcept;
ahal_status_t stream_synchronize(const char* fn, Stream* s, void* caller) noexcept;
ahal_status_t stream_query(const char* fn, Stream* s, void* caller) noexcept;
ahal_status_t event_destroy(const char* fn, Event* e, void* caller) noexcept;
ahal_status_t event_query(const char* fn, Event* e, void* caller) noexcept;
ahal_status_t event_wait(const char* fn, Event* e, uint64_t timeout_ns, void* caller) noexcept;
ahal_status_t module_destroy(const char* fn, Module* m, void* caller) noexcept;
ahal_status_t command_buffer_destroy(const char* fn, CommandBuffer* cb, void* caller) noexcept;
ahal_status_t stream_submit(const char* fn, Stream* s, ahal_command_buffer_t command_buffer,
                            void* caller) noexcept;
ahal_status_t stream_copy_peer(const char* fn, Stream* s, ahal_buffer_t src, uint64_t src_offset,
                               ahal_buffer_t dst, uint64_t dst_offset, uint64_t size,
                               void* caller) noexcept;
ahal_status_t ccl_comm_destroy(const char* fn, CclComm* c, void* caller) noexcept;
ahal_status_t ccl_allreduce(const char* fn, CclComm* c, ahal_buffer_t send, uint64_t send_offset,
                            ahal_buffer_t recv, uint64_t recv_offset, uint64_t count,
                            ahal_ccl_datatype_t datatype, ahal_ccl_op_t op, ahal_stream_t stream,
                            void* caller) noexcept;
ahal_status_t ccl_allgather(const char* fn, CclComm* c, ahal_buffer_t send, uint64_t send_offset,
                            ahal_buffer_t recv, uint64_t recv_offset, uint64_t send_count,
                            ahal_ccl_datatype_t datatype, ahal_stream_t stream,
                            void* caller) noexcept;
ahal_status_t ccl_reduce_scatter(const char* fn, CclComm* c, ahal_buffer_t send,
                                 uint64_t send_offset, ahal_buffer_t recv, uint64_t recv_offset,
                                 uint64_t recv_count, ahal_ccl_datatype_t datatype,
                                 ahal_ccl_op_t op, ahal_stream_t stream, void* caller) noexcept;
ahal_status_t ccl_broadcast(const char* fn, CclComm* c, ahal_buffer_t send, uint64_t send_offset,
                            ahal_buffer_t recv, uint64_t recv_offset, uint64_t count,
                            ahal_ccl_datatype_t datatype, uint32_t root, ahal_stream_t stream,
                            void* caller) noexcept;
ahal_status_t ccl_reduce(const char* fn, CclComm* c, ahal_buffer_t send, uint64_t send_offset,
                         ahal_buffer_t recv, uint64_t recv_offset, uint64_t count,
                         ahal_ccl_datatype_t datatype, ahal_ccl_op_t op, uint32_t root,
                         ahal_stream_t stream, void* caller) noexcept;
ahal_status_t ccl_send(const char* fn, CclComm* c, ahal_buffer_t buffer, uint64_t offset,
                       uint64_t count, ahal_ccl_datatype_t datatype, uint32_t peer,
                       ahal_stream_t stream, void* caller) noexcept;
ahal_status_t ccl_recv(const char* fn, CclComm* c, ahal_buffer_t buffer, uint64_t offset,
                       uint64_t count, ahal_ccl_datatype_t datatype, uint32_t peer,
                       ahal_stream_t stream, void* caller) noexcept;
}  // namespace layers
}  // namespace ahal
