/* ahal plugin ABI: what a device plugin exports and what the loader gives it.
 *
 * A plugin is a shared object named libahal_plugin_<name>.so that exports
 * one C function, ahal_plugin_query (AHAL_PLUGIN_QUERY_SYMBOL). It links no
 * part of libahal. docs/plugin-guide.md walks through writing one; the rules
 * that keep old and new plugins loading (docs/abi.md) are:
 *
 * 1. Same major, any minor, both ways. The loader zeroes a table of its own
 *    size and sets struct_size; the plugin copies at most that many bytes of
 *    its table and sets struct_size to what it wrote. Entries past the end,
 *    or NULL optional entries, make the loader answer AHAL_ERROR_UNSUPPORTED.
 * 2. Minor versions only append entries and struct fields.
 * 3. A plugin must read an args struct's field only if struct_size covers it
 *    (AHAL_PLUGIN_HAS_FIELD); a plugin must write a properties struct's
 *    field only if struct_size covers it.
 * 4. The loader validates every argument (handle types, ranges, sizes,
 *    dimensions against the device properties and kernel metadata) before
 *    a call reaches the plugin, so plugins see only checked arguments.
 * 5. On failure a plugin returns a status and should call
 *    host->set_error_message() first; the loader prefixes the API function
 *    and plugin name. No C++ exception may leave a plugin (the loader
 *    catches them anyway and reports AHAL_ERROR_PLUGIN).
 * 6. Every entry may be called from many threads at once, including
 *    enqueues to one stream; a plugin serializes what it must.
 *
 * The ABI version, the dispatch table and the entry lists below, between
 * "@generated begin" and "@generated end" lines, are generated from
 * spec/ahal.toml by spec/generate.py; docs/entries.md lists every entry.
 */
#ifndef AHAL_PLUGIN_H_
#define AHAL_PLUGIN_H_

#include <ahal/ahal.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef AHAL_PLUGIN_ABI_MAJOR
/* @generated begin abi_version */
#define AHAL_PLUGIN_ABI_MAJOR 1
#define AHAL_PLUGIN_ABI_MINOR 6
/* @generated end abi_version */
#endif
#define AHAL_PLUGIN_ABI_VERSION \
  ((((uint32_t)AHAL_PLUGIN_ABI_MAJOR) << 16) | (uint32_t)AHAL_PLUGIN_ABI_MINOR)
#define AHAL_PLUGIN_ABI_VERSION_MAJOR_OF(v) (((uint32_t)(v)) >> 16)
#define AHAL_PLUGIN_ABI_VERSION_MINOR_OF(v) (((uint32_t)(v)) & 0xffffu)

#define AHAL_PLUGIN_QUERY_SYMBOL "ahal_plugin_query"

/* True when a struct whose struct_size is `s->struct_size` holds `field`. */
#define AHAL_PLUGIN_HAS_FIELD(s, type, field) \
  ((s)->struct_size >= offsetof(type, field) + sizeof(((type*)0)->field))

#if defined(__GNUC__)
#define AHAL_PLUGIN_EXPORT __attribute__((visibility("default")))
#else
#define AHAL_PLUGIN_EXPORT
#endif

/* Plugin-side objects: each plugin defines these structs as it likes. */
typedef struct ahal_plugin_instance_s ahal_plugin_instance_t;
typedef struct ahal_plugin_device_s ahal_plugin_device_t;
typedef struct ahal_plugin_buffer_s ahal_plugin_buffer_t;
typedef struct ahal_plugin_host_alloc_s ahal_plugin_host_alloc_t;
typedef struct ahal_plugin_stream_s ahal_plugin_stream_t;
typedef struct ahal_plugin_event_s ahal_plugin_event_t;
typedef struct ahal_plugin_module_s ahal_plugin_module_t;
typedef struct ahal_plugin_kernel_s ahal_plugin_kernel_t;
typedef struct ahal_plugin_command_buffer_s ahal_plugin_command_buffer_t; /* ABI 1.2 */
typedef struct ahal_plugin_ccl_comm_s ahal_plugin_ccl_comm_t;             /* ABI 1.4 */

/* ------------------------------------------------- what the loader offers */

typedef enum ahal_log_level_t {
  AHAL_LOG_DEBUG = 0,
  AHAL_LOG_INFO = 1,
  AHAL_LOG_WARNING = 2,
  AHAL_LOG_ERROR = 3,
  AHAL_LOG_MAX_ENUM = 0x7fffffff /* not a level (as AHAL_STATUS_MAX_ENUM) */
} ahal_log_level_t;

typedef struct ahal_plugin_host_t {
  size_t struct_size;
  uint32_t loader_abi_version; /* AHAL_PLUGIN_ABI_VERSION of the loader */
  uint32_t api_version;        /* AHAL_API_VERSION of libahal */
  /* Message for the failure status the current entry is about to return
   * (thread-local, copied). */
  void (*set_error_message)(const char* message);
  /* Diagnostics; shown when AHAL_LOG_LEVEL allows. */
  void (*log)(ahal_log_level_t level, const char* plugin_name, const char* message);
} ahal_plugin_host_t;

typedef struct ahal_plugin_init_args_t {
  size_t struct_size;
  const char* plugin_path; /* where this plugin's file is */
  const char* cache_dir;   /* writable folder for compiled-module caches ("" if none) */
  uint32_t runtime_flags;  /* ahal_runtime_flags_t of the runtime */
} ahal_plugin_init_args_t;

/* ----------------------------------------------- arguments, as validated */

typedef struct ahal_plugin_binding_t {
  ahal_plugin_buffer_t* buffer;
  uint64_t offset;
  uint64_t size; /* resolved: never 0 */
} ahal_plugin_binding_t;

typedef struct ahal_plugin_launch_t {
  size_t struct_size;
  uint32_t grid[3];
  uint32_t workgroup_size[3];
  uint32_t dynamic_shared_bytes;
  uint32_t binding_count;
  const ahal_plugin_binding_t* bindings;
  const void* constants; /* valid only during the call: copy it */
  uint32_t constants_size;
} ahal_plugin_launch_t;

typedef struct ahal_plugin_module_args_t {
  size_t struct_size;
  ahal_module_format_t format; /* never BUNDLE: the loader unpacks bundles */
  const void* data;            /* valid only during the call */
  uint64_t data_size;
  const char* build_options;  /* never NULL ("" for none) */
  const char* target;         /* bundle image target or "" */
  uint32_t kernel_info_count; /* metadata the loader knows, may be 0 */
  const ahal_kernel_info_t* kernel_infos;
} ahal_plugin_module_args_t;

/* One command of a command buffer, as validated (ABI 1.2,
 * docs/command-buffers.md). Copies use host_src (h2d), host_dst (d2h),
 * src/src_offset (d2h, d2d), dst/dst_offset (h2d, d2d, fill) and size; fill
 * takes pattern and pattern_size as stream_fill does; launch takes kernel
 * and launch; record/wait take event. Pointers inside are valid only during
 * the call that passes the command: copy what you keep. */
typedef enum ahal_plugin_command_type_t {
  AHAL_PLUGIN_COMMAND_COPY_H2D = 1,
  AHAL_PLUGIN_COMMAND_COPY_D2H = 2,
  AHAL_PLUGIN_COMMAND_COPY_D2D = 3,
  AHAL_PLUGIN_COMMAND_FILL = 4,
  AHAL_PLUGIN_COMMAND_LAUNCH = 5,
  AHAL_PLUGIN_COMMAND_RECORD_EVENT = 6,
  AHAL_PLUGIN_COMMAND_WAIT_EVENT = 7,
  AHAL_PLUGIN_COMMAND_BARRIER = 8,
  AHAL_PLUGIN_COMMAND_MAX_ENUM = 0x7fffffff /* not a command (as AHAL_STATUS_MAX_ENUM) */
} ahal_plugin_command_type_t;

typedef struct ahal_plugin_command_t {
  size_t struct_size;
  ahal_plugin_command_type_t type;
  const void* host_src;
  void* host_dst;
  ahal_plugin_buffer_t* src;
  uint64_t src_offset;
  ahal_plugin_buffer_t* dst;
  uint64_t dst_offset;
  uint64_t size;
  uint32_t pattern;
  uint32_t pattern_size;
  ahal_plugin_kernel_t* kernel;
  ahal_plugin_launch_t launch;
  ahal_plugin_event_t* event;
} ahal_plugin_command_t;

/* ------------------------------------------- collectives table (ABI 1.4) */

/* A plugin's collectives library (NCCL, RCCL, oneCCL, HCCL, CNCL, ...),
 * NCCL-shaped, returned by the entry ccl_query (docs/collectives.md). It is
 * versioned like the dispatch table: the loader zeroes a table of its own
 * size and sets struct_size; the plugin copies at most that much and sets
 * struct_size to what it wrote. A later version only appends entries, so a
 * plugin built for an older one keeps loading (its missing operations
 * answer AHAL_ERROR_UNSUPPORTED). The loader checks every argument first:
 * handles, ranges against the buffers, datatype, op, root and peer; counts
 * are elements. Operations are enqueued on `stream` (a stream of the
 * communicator's device) and return without waiting. */
#define AHAL_PLUGIN_CCL_VERSION 1u
#define AHAL_PLUGIN_CCL_ID_BYTES 128u /* the library's unique id (NCCL's size) */

typedef struct ahal_plugin_ccl_t {
  size_t struct_size;
  uint32_t version;    /* AHAL_PLUGIN_CCL_VERSION the plugin was built with */
  const char* library; /* "NCCL 2.19.3": name and version, shown by tools */

  /* ---- version 1 ---- */
  /* AHAL_PLUGIN_CCL_ID_BYTES bytes naming a new communicator (ncclGetUniqueId). */
  ahal_status_t (*get_unique_id)(ahal_plugin_instance_t* instance, void* out_id);
  /* Blocks until all ranks joined (ncclCommInitRank); the device is the
   * rank's. Called between group_start and group_end when one thread makes
   * several ranks. */
  ahal_status_t (*comm_init_rank)(ahal_plugin_device_t* device, uint32_t nranks, const void* id,
                                  uint32_t rank, ahal_plugin_ccl_comm_t** out_comm);
  /* After the communicator's operations completed. */
  void (*comm_destroy)(ahal_plugin_ccl_comm_t* comm);
  /* AHAL_SUCCESS, or the failure of an operation after it was enqueued. */
  ahal_status_t (*comm_get_async_error)(ahal_plugin_ccl_comm_t* comm);
  ahal_status_t (*allreduce)(ahal_plugin_ccl_comm_t* comm, ahal_plugin_buffer_t* send,
                             uint64_t send_offset, ahal_plugin_buffer_t* recv, uint64_t recv_offset,
                             uint64_t count, ahal_ccl_datatype_t datatype, ahal_ccl_op_t op,
                             ahal_plugin_stream_t* stream);
  ahal_status_t (*allgather)(ahal_plugin_ccl_comm_t* comm, ahal_plugin_buffer_t* send,
                             uint64_t send_offset, ahal_plugin_buffer_t* recv, uint64_t recv_offset,
                             uint64_t send_count, ahal_ccl_datatype_t datatype,
                             ahal_plugin_stream_t* stream);
  ahal_status_t (*reduce_scatter)(ahal_plugin_ccl_comm_t* comm, ahal_plugin_buffer_t* send,
                                  uint64_t send_offset, ahal_plugin_buffer_t* recv,
                                  uint64_t recv_offset, uint64_t recv_count,
                                  ahal_ccl_datatype_t datatype, ahal_ccl_op_t op,
                                  ahal_plugin_stream_t* stream);
  /* send is NULL on ranks other than root. */
  ahal_status_t (*broadcast)(ahal_plugin_ccl_comm_t* comm, ahal_plugin_buffer_t* send,
                             uint64_t send_offset, ahal_plugin_buffer_t* recv, uint64_t recv_offset,
                             uint64_t count, ahal_ccl_datatype_t datatype, uint32_t root,
                             ahal_plugin_stream_t* stream);
  /* recv is NULL on ranks other than root. */
  ahal_status_t (*reduce)(ahal_plugin_ccl_comm_t* comm, ahal_plugin_buffer_t* send,
                          uint64_t send_offset, ahal_plugin_buffer_t* recv, uint64_t recv_offset,
                          uint64_t count, ahal_ccl_datatype_t datatype, ahal_ccl_op_t op,
                          uint32_t root, ahal_plugin_stream_t* stream);
  ahal_status_t (*send)(ahal_plugin_ccl_comm_t* comm, ahal_plugin_buffer_t* buffer, uint64_t offset,
                        uint64_t count, ahal_ccl_datatype_t datatype, uint32_t peer,
                        ahal_plugin_stream_t* stream);
  ahal_status_t (*recv)(ahal_plugin_ccl_comm_t* comm, ahal_plugin_buffer_t* buffer, uint64_t offset,
                        uint64_t count, ahal_ccl_datatype_t datatype, uint32_t peer,
                        ahal_plugin_stream_t* stream);
  /* ncclGroupStart/End, per thread; the loader calls group_start before the
   * first operation of an API group that reaches this plugin. */
  ahal_status_t (*group_start)(void);
  ahal_status_t (*group_end)(void);
} ahal_plugin_ccl_t;

/* ------------------------------------------------------- dispatch table */

/* @generated begin table */
typedef struct ahal_plugin_api_t {
  size_t struct_size;
  uint32_t abi_version;    /* the plugin's AHAL_PLUGIN_ABI_VERSION */
  const char* name;        /* "cpu": device names become "<name>:<n>" */
  const char* description; /* one line, shown by ahal-info */

  /* ---- ABI 1.0 ---- */
  /* Returning AHAL_ERROR_NOT_FOUND with a message ("CUDA driver not found")
   * lists the plugin as loaded with zero devices and that reason. Any other
   * failure refuses the plugin. */
  ahal_status_t (*plugin_init)(const ahal_plugin_host_t* host, const ahal_plugin_init_args_t* args,
                               ahal_plugin_instance_t** out_instance);
  void (*plugin_shutdown)(ahal_plugin_instance_t* instance);
  ahal_status_t (*device_count)(ahal_plugin_instance_t* instance, uint32_t* out_count);
  ahal_status_t (*device_open)(ahal_plugin_instance_t* instance, uint32_t index,
                               ahal_plugin_device_t** out_device);
  /* Called after every object of the device was destroyed. */
  void (*device_close)(ahal_plugin_device_t* device);
  /* props->struct_size is set; the loader fills plugin and selector. */
  ahal_status_t (*device_get_properties)(ahal_plugin_device_t* device,
                                         ahal_device_properties_t* props);
  ahal_status_t (*buffer_create)(ahal_plugin_device_t* device, const ahal_buffer_args_t* args,
                                 ahal_plugin_buffer_t** out_buffer);
  void (*buffer_destroy)(ahal_plugin_device_t* device, ahal_plugin_buffer_t* buffer);
  ahal_status_t (*buffer_map)(ahal_plugin_device_t* device, ahal_plugin_buffer_t* buffer,
                              uint64_t offset, uint64_t size, void** out_pointer);
  ahal_status_t (*buffer_unmap)(ahal_plugin_device_t* device, ahal_plugin_buffer_t* buffer);
  ahal_status_t (*host_alloc)(ahal_plugin_device_t* device, uint64_t size, uint32_t flags,
                              void** out_pointer, ahal_plugin_host_alloc_t** out_alloc);
  void (*host_free)(ahal_plugin_device_t* device, ahal_plugin_host_alloc_t* alloc);
  ahal_status_t (*stream_create)(ahal_plugin_device_t* device, const ahal_stream_args_t* args,
                                 ahal_plugin_stream_t** out_stream);
  /* The loader synchronizes the stream first. */
  void (*stream_destroy)(ahal_plugin_stream_t* stream);
  ahal_status_t (*stream_copy_h2d)(ahal_plugin_stream_t* stream, const void* src,
                                   ahal_plugin_buffer_t* dst, uint64_t dst_offset, uint64_t size);
  ahal_status_t (*stream_copy_d2h)(ahal_plugin_stream_t* stream, ahal_plugin_buffer_t* src,
                                   uint64_t src_offset, void* dst, uint64_t size);
  ahal_status_t (*stream_copy_d2d)(ahal_plugin_stream_t* stream, ahal_plugin_buffer_t* src,
                                   uint64_t src_offset, ahal_plugin_buffer_t* dst,
                                   uint64_t dst_offset, uint64_t size);
  /* pattern holds pattern_size (1, 2 or 4) bytes in its low bytes, in host
   * byte order as the caller's pattern memory had them. */
  ahal_status_t (*stream_fill)(ahal_plugin_stream_t* stream, ahal_plugin_buffer_t* buffer,
                               uint64_t offset, uint64_t size, uint32_t pattern,
                               uint32_t pattern_size);
  ahal_status_t (*stream_launch)(ahal_plugin_stream_t* stream, ahal_plugin_kernel_t* kernel,
                                 const ahal_plugin_launch_t* launch);
  ahal_status_t (*stream_host_callback)(ahal_plugin_stream_t* stream, ahal_host_fn_t fn,
                                        void* user_data);
  ahal_status_t (*stream_record_event)(ahal_plugin_stream_t* stream, ahal_plugin_event_t* event);
  ahal_status_t (*stream_wait_event)(ahal_plugin_stream_t* stream, ahal_plugin_event_t* event);
  ahal_status_t (*stream_synchronize)(ahal_plugin_stream_t* stream);
  ahal_status_t (*stream_query)(ahal_plugin_stream_t* stream);
  ahal_status_t (*event_create)(ahal_plugin_device_t* device, uint32_t flags,
                                ahal_plugin_event_t** out_event);
  void (*event_destroy)(ahal_plugin_event_t* event);
  ahal_status_t (*event_query)(ahal_plugin_event_t* event);
  ahal_status_t (*event_wait)(ahal_plugin_event_t* event, uint64_t timeout_ns);
  ahal_status_t (*event_elapsed_ns)(ahal_plugin_event_t* start, ahal_plugin_event_t* end,
                                    uint64_t* out_ns);
  /* (module) NULL (with module_destroy and kernel_get) for devices without general kernels. */
  ahal_status_t (*module_create)(ahal_plugin_device_t* device,
                                 const ahal_plugin_module_args_t* args,
                                 ahal_plugin_module_t** out_module);
  /* (module) */
  void (*module_destroy)(ahal_plugin_module_t* module);
  /* (module) `entry` is the symbol in the image (the bundle maps names to it). The
   * module owns the kernel. */
  ahal_status_t (*kernel_get)(ahal_plugin_module_t* module, const char* entry,
                              ahal_plugin_kernel_t** out_kernel);
  ahal_status_t (*kernel_get_attributes)(ahal_plugin_kernel_t* kernel,
                                         ahal_kernel_attributes_t* out_attributes);
  /* (optional) The device owns built-in kernels. */
  ahal_status_t (*kernel_get_builtin)(ahal_plugin_device_t* device, const char* name,
                                      ahal_plugin_kernel_t** out_kernel);
  /* (optional) How well an image fits, for choosing among a bundle's images.
   * *out_score <= 0 means "cannot load"; higher is better. NULL = the loader
   * takes any image whose format the device lists and whose target is ""
   * or equals the device's arch. */
  ahal_status_t (*image_score)(ahal_plugin_device_t* device, ahal_module_format_t format,
                               const char* target, int32_t* out_score);

  /* ---- ABI 1.1, all optional ---- */
  /* (optional) */
  ahal_status_t (*device_memory_usage)(ahal_plugin_device_t* device, uint64_t* out_used,
                                       uint64_t* out_total);

  /* ---- ABI 1.2, all optional ---- */
  /* (optional) The native form of a finalized command buffer. `commands` (validated, in
   * order) is valid only during the call. AHAL_ERROR_UNSUPPORTED (for all, or
   * for a command it cannot take) makes the loader replay it instead. */
  ahal_status_t (*command_buffer_create)(ahal_plugin_device_t* device,
                                         const ahal_plugin_command_t* commands,
                                         uint32_t command_count, uint32_t flags,
                                         ahal_plugin_command_buffer_t** out_command_buffer);
  /* (optional) Called once no submission is in flight. */
  void (*command_buffer_destroy)(ahal_plugin_command_buffer_t* command_buffer);
  /* (optional) Enqueues the command buffer on the stream. The loader orders it after the
   * command buffer's previous submission. */
  ahal_status_t (*command_buffer_submit)(ahal_plugin_stream_t* stream,
                                         ahal_plugin_command_buffer_t* command_buffer);
  /* (optional) Replaces launch command `index` (same kernel; new bindings or constants) for
   * later submissions; none is in flight. AHAL_ERROR_UNSUPPORTED makes the
   * loader rebuild the command buffer with command_buffer_create. */
  ahal_status_t (*command_buffer_update)(ahal_plugin_command_buffer_t* command_buffer,
                                         uint32_t index, const ahal_plugin_command_t* command);

  /* ---- ABI 1.3, all optional ---- */
  /* (optional) Fills kind, handle, memory, memory_offset, context and device_ordinal of
   * a zeroed full-size struct; the loader fills flags and size. */
  ahal_status_t (*buffer_get_native)(ahal_plugin_device_t* device, ahal_plugin_buffer_t* buffer,
                                     ahal_native_buffer_t* out_native);
  /* (optional) Wraps the native allocation (checked by the loader: known kind, handle not
   * 0, size in the device's limits) as a buffer whose buffer_destroy does not
   * free the memory. */
  ahal_status_t (*buffer_import_native)(ahal_plugin_device_t* device,
                                        const ahal_native_buffer_t* native,
                                        ahal_plugin_buffer_t** out_buffer);

  /* ---- ABI 1.4, all optional ---- */
  /* (optional) AHAL_PEER_* bits for two devices of this plugin: which of stream_copy_peer
   * and stream_wait_event_peer the plugin does between them. NULL = 0. */
  ahal_status_t (*device_peer_flags)(ahal_plugin_device_t* device, ahal_plugin_device_t* peer,
                                     uint32_t* out_flags);
  /* (optional) A copy between buffers of two devices of this plugin, one of them the
   * stream's. Called only where device_peer_flags has AHAL_PEER_COPY_NATIVE. */
  ahal_status_t (*stream_copy_peer)(ahal_plugin_stream_t* stream, ahal_plugin_buffer_t* src,
                                    uint64_t src_offset, ahal_plugin_buffer_t* dst,
                                    uint64_t dst_offset, uint64_t size);
  /* (optional) stream_wait_event for an event of another device of this plugin. Called
   * only where device_peer_flags has AHAL_PEER_WAIT_NATIVE. */
  ahal_status_t (*stream_wait_event_peer)(ahal_plugin_stream_t* stream, ahal_plugin_event_t* event);
  /* (optional) The plugin's collectives library as an NCCL-shaped table (plugin.h,
   * docs/collectives.md). `version` is the loader's AHAL_PLUGIN_CCL_VERSION;
   * table->struct_size is set, and the plugin copies at most that much, as
   * ahal_plugin_query does. AHAL_ERROR_NOT_FOUND with a message when the
   * library is not installed. NULL = none: the loader uses MPI. */
  ahal_status_t (*ccl_query)(ahal_plugin_instance_t* instance, uint32_t version,
                             ahal_plugin_ccl_t* table);

  /* ---- ABI 1.5, all optional ---- */
  /* (optional) The most bytes in use at once since the device was opened or the last
   * AHAL_MEMORY_PEAK_RESET (which resets it after reading). */
  ahal_status_t (*device_memory_peak)(ahal_plugin_device_t* device, uint32_t flags,
                                      uint64_t* out_peak);

  /* ---- ABI 1.6, all optional ---- */
  /* (optional) The buffer's first byte as a host pointer, valid while the buffer lives,
   * where the host may read and write it between the stream's commands with
   * no map, flush or copy. UNSUPPORTED otherwise. */
  ahal_status_t (*buffer_host_address)(ahal_plugin_device_t* device, ahal_plugin_buffer_t* buffer,
                                       void** out_pointer);
} ahal_plugin_api_t;
/* @generated end table */

/* @generated begin entry_lists */
/* clang-format off */
/* Entries no plugin may leave NULL. */
#define AHAL_PLUGIN_REQUIRED_ENTRIES(X, arg) \
  X(arg, plugin_init) \
  X(arg, plugin_shutdown) \
  X(arg, device_count) \
  X(arg, device_open) \
  X(arg, device_close) \
  X(arg, device_get_properties) \
  X(arg, buffer_create) \
  X(arg, buffer_destroy) \
  X(arg, buffer_map) \
  X(arg, buffer_unmap) \
  X(arg, host_alloc) \
  X(arg, host_free) \
  X(arg, stream_create) \
  X(arg, stream_destroy) \
  X(arg, stream_copy_h2d) \
  X(arg, stream_copy_d2h) \
  X(arg, stream_copy_d2d) \
  X(arg, stream_fill) \
  X(arg, stream_launch) \
  X(arg, stream_host_callback) \
  X(arg, stream_record_event) \
  X(arg, stream_wait_event) \
  X(arg, stream_synchronize) \
  X(arg, stream_query) \
  X(arg, event_create) \
  X(arg, event_destroy) \
  X(arg, event_query) \
  X(arg, event_wait) \
  X(arg, event_elapsed_ns) \
  X(arg, kernel_get_attributes)
/* General-kernel entries: all set, or all NULL without AHAL_FEATURE_GENERAL_KERNELS. */
#define AHAL_PLUGIN_MODULE_ENTRIES(X, arg) \
  X(arg, module_create) \
  X(arg, module_destroy) \
  X(arg, kernel_get)
/* Entries a plugin may leave NULL (the API call answers UNSUPPORTED). */
#define AHAL_PLUGIN_OPTIONAL_ENTRIES(X, arg) \
  X(arg, kernel_get_builtin) \
  X(arg, image_score) \
  X(arg, device_memory_usage) \
  X(arg, command_buffer_create) \
  X(arg, command_buffer_destroy) \
  X(arg, command_buffer_submit) \
  X(arg, command_buffer_update) \
  X(arg, buffer_get_native) \
  X(arg, buffer_import_native) \
  X(arg, device_peer_flags) \
  X(arg, stream_copy_peer) \
  X(arg, stream_wait_event_peer) \
  X(arg, ccl_query) \
  X(arg, device_memory_peak) \
  X(arg, buffer_host_address)
/* clang-format on */
/* @generated end entry_lists */

/* The one symbol a plugin exports. Fills `out` (see rule 1) and returns
 * AHAL_SUCCESS, or AHAL_ERROR_INCOMPATIBLE if it cannot serve a loader of
 * `loader_abi_version`. */
typedef ahal_status_t (*ahal_plugin_query_fn)(uint32_t loader_abi_version, ahal_plugin_api_t* out);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* AHAL_PLUGIN_H_ */
