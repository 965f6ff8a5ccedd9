/* ahal: accelerator-agnostic hardware abstraction layer, public C API.
 *
 * Conventions (docs/abi.md has the full rules):
 * - Every function returns an ahal_status_t. On failure,
 *   ahal_last_error_message() gives a thread-local message that names the
 *   function and what was wrong. A successful call leaves the message alone.
 * - Every args/properties struct starts with `size_t struct_size`, set by the
 *   caller to sizeof(the struct it was compiled with). The library reads only
 *   the fields that fit, so old callers work with a newer library and new
 *   callers with an older one (fields the library does not know must be 0).
 * - Handles are opaque. A destroyed, foreign or garbage handle gives
 *   AHAL_ERROR_INVALID_HANDLE, never a crash.
 * - Ownership: the runtime owns everything created from it; destroying the
 *   runtime destroys what is left. A kernel is owned by its module (or, for
 *   built-ins, by its device) and has no destroy function.
 * - Threads: every function may be called from any thread at once. As in
 *   Vulkan, destroying an object while another thread still uses it is a
 *   caller error (the validation layer reports it).
 *
 * The version numbers and every function prototype below, between
 * "@generated begin" and "@generated end" lines, are generated from
 * spec/ahal.toml by spec/generate.py: edit the spec, not them
 * (docs/adding-an-entry-point.md). The types are written by hand.
 */
#ifndef AHAL_AHAL_H_
#define AHAL_AHAL_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(AHAL_BUILDING_LIBRARY) && defined(__GNUC__)
#define AHAL_API __attribute__((visibility("default")))
#else
#define AHAL_API
#endif

/* No ahal function throws a C++ exception. */
#if defined(__cplusplus)
#define AHAL_NOEXCEPT noexcept
#else
#define AHAL_NOEXCEPT
#endif

/* ---------------------------------------------------------------- version */

/* @generated begin version */
#define AHAL_API_VERSION_MAJOR 1
#define AHAL_API_VERSION_MINOR 6
/* @generated end version */
#define AHAL_API_VERSION_PATCH 0
#define AHAL_MAKE_VERSION(major, minor, patch) \
  ((((uint32_t)(major)) << 22) | (((uint32_t)(minor)) << 12) | ((uint32_t)(patch)))
#define AHAL_VERSION_MAJOR(v) (((uint32_t)(v)) >> 22)
#define AHAL_VERSION_MINOR(v) ((((uint32_t)(v)) >> 12) & 0x3ffu)
#define AHAL_VERSION_PATCH(v) (((uint32_t)(v)) & 0xfffu)
#define AHAL_API_VERSION \
  AHAL_MAKE_VERSION(AHAL_API_VERSION_MAJOR, AHAL_API_VERSION_MINOR, AHAL_API_VERSION_PATCH)

/* ----------------------------------------------------------------- status */

typedef enum ahal_status_t {
  AHAL_SUCCESS = 0,
  /* Not a failure: the stream or event has work still pending. */
  AHAL_NOT_READY = 1,
  /* A pointer was null, a flag unknown, a struct_size too small, ... */
  AHAL_ERROR_INVALID_ARGUMENT = 2,
  /* A handle that is null, destroyed, of the wrong type or garbage. */
  AHAL_ERROR_INVALID_HANDLE = 3,
  /* An offset, size, index or dimension outside its allowed range. */
  AHAL_ERROR_OUT_OF_RANGE = 4,
  AHAL_ERROR_OUT_OF_HOST_MEMORY = 5,
  AHAL_ERROR_OUT_OF_DEVICE_MEMORY = 6,
  /* The device or plugin does not offer this (format, feature, entry). */
  AHAL_ERROR_UNSUPPORTED = 7,
  /* A named thing (device, kernel, plugin, file) does not exist. */
  AHAL_ERROR_NOT_FOUND = 8,
  /* A host wait ran past its timeout. */
  AHAL_ERROR_TIMEOUT = 9,
  /* The device failed (e.g. an illegal address); it must be reopened. */
  AHAL_ERROR_DEVICE_LOST = 10,
  /* The plugin failed in a way ahal cannot classify (message says more). */
  AHAL_ERROR_PLUGIN = 11,
  /* A module failed to compile or link; the message holds the build log. */
  AHAL_ERROR_BUILD_FAILED = 12,
  /* The object is in a state that forbids the call (e.g. unmap of an
   * unmapped buffer, a second map of a mapped one). */
  AHAL_ERROR_INVALID_STATE = 13,
  /* A plugin's ABI version or entry points do not fit this loader. */
  AHAL_ERROR_INCOMPATIBLE = 14,
  /* A bug in ahal itself. */
  AHAL_ERROR_INTERNAL = 15,
  /* Not a status. Makes every 32-bit value one the enum can hold, so a value
   * a plugin returns that is none of the above is refused by name rather than
   * being undefined behaviour in C++ (as Vulkan's VK_RESULT_MAX_ENUM). */
  AHAL_STATUS_MAX_ENUM = 0x7fffffff
} ahal_status_t;

/* @generated begin status */
/* Short constant name of a status ("AHAL_ERROR_OUT_OF_RANGE"); never NULL. */
AHAL_API const char* ahal_status_string(ahal_status_t status) AHAL_NOEXCEPT;
/* Message of the last failed call on this thread ("" if none). Valid until
 * the next ahal call on this thread. */
AHAL_API const char* ahal_last_error_message(void) AHAL_NOEXCEPT;
/* Returns AHAL_API_VERSION of the library actually loaded. */
AHAL_API uint32_t ahal_get_version(void) AHAL_NOEXCEPT;
/* @generated end status */

/* ---------------------------------------------------------------- handles */

typedef struct ahal_runtime_s* ahal_runtime_t;
typedef struct ahal_plugin_s* ahal_plugin_t; /* reserved; plugins are reached by index */
typedef struct ahal_device_s* ahal_device_t;
typedef struct ahal_buffer_s* ahal_buffer_t;
typedef struct ahal_host_alloc_s* ahal_host_alloc_t;
typedef struct ahal_stream_s* ahal_stream_t;
typedef struct ahal_event_s* ahal_event_t;
typedef struct ahal_module_s* ahal_module_t;
typedef struct ahal_kernel_s* ahal_kernel_t;
typedef struct ahal_command_buffer_s* ahal_command_buffer_t; /* API 1.2 */
typedef struct ahal_ccl_comm_s* ahal_ccl_comm_t;             /* API 1.4 */

/* ---------------------------------------------------------------- runtime */

typedef enum ahal_runtime_flags_t {
  /* Ignore AHAL_PLUGIN_PATH and AHAL_PLUGINS from the environment. */
  AHAL_RUNTIME_IGNORE_ENVIRONMENT = 1u << 0,
  /* Do not search beside libahal or in the install folder. */
  AHAL_RUNTIME_NO_DEFAULT_PATHS = 1u << 1,
  /* Turn the validation layer on (as AHAL_VALIDATION=1 does). */
  AHAL_RUNTIME_VALIDATION = 1u << 2,
  /* Load each plugin in a child process first; refuse one that crashes
   * there (as AHAL_PLUGIN_PROBE=1 does). */
  AHAL_RUNTIME_PROBE_PLUGINS = 1u << 3,
} ahal_runtime_flags_t;

typedef struct ahal_runtime_options_t {
  size_t struct_size;
  uint32_t flags; /* ahal_runtime_flags_t bits */
  /* Colon-separated folders searched before AHAL_PLUGIN_PATH; may be NULL. */
  const char* plugin_path;
  /* Comma-separated plugin names or files; NULL = AHAL_PLUGINS or all. */
  const char* plugins;
} ahal_runtime_options_t;

typedef enum ahal_plugin_state_t {
  AHAL_PLUGIN_STATE_LOADED = 0,           /* loaded; may have zero devices */
  AHAL_PLUGIN_STATE_REFUSED = 1,          /* not usable; `reason` says why */
  AHAL_PLUGIN_STATE_MAX_ENUM = 0x7fffffff /* not a state (as AHAL_STATUS_MAX_ENUM) */
} ahal_plugin_state_t;

typedef struct ahal_plugin_info_t {
  size_t struct_size;
  /* Strings are owned by the runtime and live until it is destroyed. */
  const char* name;        /* "cpu"; for a refused file, its file stem */
  const char* path;        /* the shared object's full path */
  const char* description; /* the plugin's own one-line description or "" */
  const char* reason;      /* why refused, or why zero devices; "" if none */
  ahal_plugin_state_t state;
  uint32_t abi_version; /* the plugin's AHAL_PLUGIN_ABI_VERSION, 0 if unknown */
  uint32_t device_count;
} ahal_plugin_info_t;

/* @generated begin runtime */
/* options may be NULL (defaults). Never fails because a plugin is bad: such
 * plugins are listed as refused. */
AHAL_API ahal_status_t ahal_runtime_create(const ahal_runtime_options_t* options,
                                           ahal_runtime_t* out_runtime) AHAL_NOEXCEPT;
/* Waits for all streams, then frees everything the runtime still owns. */
AHAL_API ahal_status_t ahal_runtime_destroy(ahal_runtime_t runtime) AHAL_NOEXCEPT;
AHAL_API ahal_status_t ahal_runtime_plugin_count(ahal_runtime_t runtime,
                                                 uint32_t* out_count) AHAL_NOEXCEPT;
AHAL_API ahal_status_t ahal_runtime_plugin_info(ahal_runtime_t runtime, uint32_t index,
                                                ahal_plugin_info_t* out_info) AHAL_NOEXCEPT;
/* Folders that were searched, colon-separated, in order (runtime-owned). */
AHAL_API ahal_status_t ahal_runtime_search_path(ahal_runtime_t runtime,
                                                const char** out_path) AHAL_NOEXCEPT;
AHAL_API ahal_status_t ahal_runtime_device_count(ahal_runtime_t runtime,
                                                 uint32_t* out_count) AHAL_NOEXCEPT;
AHAL_API ahal_status_t ahal_runtime_device_get(ahal_runtime_t runtime, uint32_t index,
                                               ahal_device_t* out_device) AHAL_NOEXCEPT;
/* Selector syntax (docs/devices.md):
 *   "<plugin>:<n>"  the n-th device of that plugin   ("opencl:1")
 *   "<plugin>"      its first device                 ("cpu")
 *   "<n>"           the n-th device of the runtime   ("0")
 * Gives AHAL_ERROR_NOT_FOUND, listing the devices there are, when none fits. */
AHAL_API ahal_status_t ahal_device_find(ahal_runtime_t runtime, const char* selector,
                                        ahal_device_t* out_device) AHAL_NOEXCEPT;
/* @generated end runtime */

/* ----------------------------------------------------------------- device */

typedef enum ahal_device_type_t {
  AHAL_DEVICE_TYPE_OTHER = 0,
  AHAL_DEVICE_TYPE_CPU = 1,
  AHAL_DEVICE_TYPE_GPU = 2,
  AHAL_DEVICE_TYPE_ASIC = 3,
  AHAL_DEVICE_TYPE_MAX_ENUM = 0x7fffffff /* not a type (as AHAL_STATUS_MAX_ENUM) */
} ahal_device_type_t;

/* Module formats. A device advertises the ones it takes as bits
 * (1ull << format) in ahal_device_properties_t.module_formats. */
typedef enum ahal_module_format_t {
  AHAL_MODULE_FORMAT_UNKNOWN = 0,
  AHAL_MODULE_FORMAT_CPU_SO = 1,       /* ELF shared object per the CPU kernel ABI */
  AHAL_MODULE_FORMAT_OPENCL_C = 2,     /* OpenCL C source text */
  AHAL_MODULE_FORMAT_SPIRV_OPENCL = 3, /* SPIR-V, Kernel execution model */
  AHAL_MODULE_FORMAT_SPIRV_VULKAN = 4, /* SPIR-V, GLCompute execution model */
  AHAL_MODULE_FORMAT_PTX = 5,
  AHAL_MODULE_FORMAT_CUBIN = 6,
  AHAL_MODULE_FORMAT_FATBIN = 7,
  AHAL_MODULE_FORMAT_HSACO = 8,      /* AMD code object */
  AHAL_MODULE_FORMAT_HIP_FATBIN = 9, /* clang offload bundle */
  AHAL_MODULE_FORMAT_ZE_NATIVE = 10, /* Level Zero native device binary */
  AHAL_MODULE_FORMAT_BUNDLE = 31,    /* ahal bundle (docs/bundle.md) */
  /* Not a format: a caller's unknown value is refused by name, not undefined
   * behaviour in C++ (as AHAL_STATUS_MAX_ENUM). */
  AHAL_MODULE_FORMAT_MAX_ENUM = 0x7fffffff
} ahal_module_format_t;

typedef enum ahal_device_feature_t {
  AHAL_FEATURE_FP64 = 1ull << 0,
  AHAL_FEATURE_FP16 = 1ull << 1,
  AHAL_FEATURE_INT64_ATOMICS = 1ull << 2,
  AHAL_FEATURE_HOST_VISIBLE_MEMORY = 1ull << 3, /* buffers can be mapped */
  AHAL_FEATURE_UNIFIED_MEMORY = 1ull << 4,      /* device memory is host memory */
  AHAL_FEATURE_TIMESTAMPS = 1ull << 5,          /* timed events work */
  AHAL_FEATURE_HOST_CALLBACKS = 1ull << 6,
  AHAL_FEATURE_BUILTIN_KERNELS = 1ull << 7,
  AHAL_FEATURE_DYNAMIC_SHARED_MEMORY = 1ull << 8,
  AHAL_FEATURE_GENERAL_KERNELS = 1ull << 9, /* takes compiled/source modules */
} ahal_device_feature_t;

typedef struct ahal_device_properties_t {
  size_t struct_size;
  char name[256];
  char vendor[128];
  char plugin[64];          /* plugin name, filled by the loader */
  char selector[80];        /* "<plugin>:<n>", filled by the loader */
  char driver_version[128]; /* driver / runtime version as the backend says it */
  char arch[64];            /* "sm_90", "gfx90a", "x86_64", ... or "" */
  ahal_device_type_t type;
  uint32_t compute_units;
  uint64_t global_memory_bytes;
  uint64_t max_allocation_bytes;
  uint32_t max_workgroup_size; /* product of the three dimensions */
  uint32_t max_workgroup_dims[3];
  uint32_t max_grid_dims[3];            /* in workgroups */
  uint32_t shared_memory_per_workgroup; /* bytes, static + dynamic */
  uint32_t subgroup_size_min;
  uint32_t subgroup_size_max;
  uint32_t clock_mhz;                /* 0 if unknown */
  uint32_t max_bindings;             /* <= AHAL_MAX_BINDINGS */
  uint32_t max_constants_size;       /* bytes, <= AHAL_MAX_CONSTANTS_SIZE */
  uint32_t binding_offset_alignment; /* binding offsets must be multiples */
  uint64_t module_formats;           /* bits (1ull << ahal_module_format_t) */
  uint64_t features;                 /* ahal_device_feature_t bits */
  uint64_t timestamp_resolution_ps;  /* one timer tick in picoseconds; 0 = none */
  uint8_t uuid[16];
  uint32_t has_uuid;
  /* Theoretical peaks when the backend tells them; 0 = unknown. */
  double peak_memory_bandwidth_gbps;
  double peak_fp32_gflops;
  double peak_fp64_gflops;
} ahal_device_properties_t;

#define AHAL_MAX_BINDINGS 32u
#define AHAL_MAX_CONSTANTS_SIZE 4096u

/* @generated begin device */
/* Flags of ahal_device_memory_peak. */
typedef enum ahal_memory_peak_flags_t {
  /* After reading, the peak starts again from the bytes in use now. */
  AHAL_MEMORY_PEAK_RESET = 1u << 0,
  /* Not a flag (as AHAL_STATUS_MAX_ENUM). */
  AHAL_MEMORY_PEAK_FLAGS_MAX_ENUM = 0x7fffffff,
} ahal_memory_peak_flags_t;

/* Canonical short name ("ptx", "spirv-vulkan") or "unknown". */
AHAL_API const char* ahal_module_format_name(ahal_module_format_t format) AHAL_NOEXCEPT;
/* Inverse of ahal_module_format_name; AHAL_ERROR_NOT_FOUND if unknown. */
AHAL_API ahal_status_t ahal_module_format_parse(const char* name,
                                                ahal_module_format_t* out) AHAL_NOEXCEPT;
AHAL_API ahal_status_t ahal_device_get_properties(
    ahal_device_t device, ahal_device_properties_t* out_properties) AHAL_NOEXCEPT;
/* Waits until every stream of the device is idle. */
AHAL_API ahal_status_t ahal_device_synchronize(ahal_device_t device) AHAL_NOEXCEPT;
/* Bytes of device memory in use / total, where the backend knows (API 1.1). */
AHAL_API ahal_status_t ahal_device_memory_usage(ahal_device_t device, uint64_t* out_used,
                                                uint64_t* out_total) AHAL_NOEXCEPT;
/* The most bytes of device memory in use at once, as ahal_device_memory_usage
 * counts them, since the device was opened or its peak was last reset (API
 * 1.5); flags: AHAL_MEMORY_PEAK_RESET. AHAL_ERROR_UNSUPPORTED where the plugin
 * does not track it. */
AHAL_API ahal_status_t ahal_device_memory_peak(ahal_device_t device, uint32_t flags,
                                               uint64_t* out_peak) AHAL_NOEXCEPT;
/* @generated end device */

/* ----------------------------------------------------------------- memory */

typedef enum ahal_memory_flags_t {
  AHAL_MEMORY_DEVICE_LOCAL = 1u << 0,
  AHAL_MEMORY_HOST_VISIBLE = 1u << 1,  /* can be mapped */
  AHAL_MEMORY_HOST_COHERENT = 1u << 2, /* with HOST_VISIBLE: no flush needed */
} ahal_memory_flags_t;

typedef struct ahal_buffer_args_t {
  size_t struct_size;
  uint64_t size;  /* bytes, 1 .. max_allocation_bytes */
  uint32_t flags; /* ahal_memory_flags_t; 0 = DEVICE_LOCAL */
} ahal_buffer_args_t;

/* @generated begin memory */
AHAL_API ahal_status_t ahal_buffer_create(ahal_device_t device, const ahal_buffer_args_t* args,
                                          ahal_buffer_t* out_buffer) AHAL_NOEXCEPT;
/* Pending work that uses the buffer must have completed (see
 * docs/memory.md); a mapped buffer is unmapped first. */
AHAL_API ahal_status_t ahal_buffer_destroy(ahal_buffer_t buffer) AHAL_NOEXCEPT;
AHAL_API ahal_status_t ahal_buffer_size(ahal_buffer_t buffer, uint64_t* out_size) AHAL_NOEXCEPT;
/* Only for HOST_VISIBLE buffers; one mapping at a time. */
AHAL_API ahal_status_t ahal_buffer_map(ahal_buffer_t buffer, uint64_t offset, uint64_t size,
                                       void** out_pointer) AHAL_NOEXCEPT;
AHAL_API ahal_status_t ahal_buffer_unmap(ahal_buffer_t buffer) AHAL_NOEXCEPT;
/* Pinned (page-locked) host memory for fast asynchronous copies. */
AHAL_API ahal_status_t ahal_host_alloc(ahal_device_t device, uint64_t size, uint32_t flags,
                                       ahal_host_alloc_t* out_alloc) AHAL_NOEXCEPT;
AHAL_API ahal_status_t ahal_host_alloc_pointer(ahal_host_alloc_t alloc,
                                               void** out_pointer) AHAL_NOEXCEPT;
AHAL_API ahal_status_t ahal_host_free(ahal_host_alloc_t alloc) AHAL_NOEXCEPT;
/* @generated end memory */

/* ---------------------------------------------------------------- streams */

typedef struct ahal_stream_args_t {
  size_t struct_size;
  uint32_t flags;   /* reserved, 0 */
  int32_t priority; /* 0 = normal; < 0 higher, > 0 lower, where supported */
} ahal_stream_args_t;

typedef void (*ahal_host_fn_t)(void* user_data);

typedef struct ahal_binding_t {
  ahal_buffer_t buffer;
  uint64_t offset; /* multiple of binding_offset_alignment */
  uint64_t size;   /* 0 = from offset to the end of the buffer */
} ahal_binding_t;  /* array element: fixed for ABI major 1, no struct_size */

typedef struct ahal_launch_args_t {
  size_t struct_size;
  uint32_t grid[3];           /* workgroups per dimension, each >= 1 */
  uint32_t workgroup_size[3]; /* work-items per dimension, each >= 1 */
  uint32_t dynamic_shared_bytes;
  uint32_t binding_count;
  const ahal_binding_t* bindings;
  const void* constants; /* copied at enqueue time */
  uint32_t constants_size;
} ahal_launch_args_t;

/* @generated begin stream */
/* args may be NULL. A stream runs its commands in order, asynchronously to
 * the host; streams of one device may run concurrently. */
AHAL_API ahal_status_t ahal_stream_create(ahal_device_t device, const ahal_stream_args_t* args,
                                          ahal_stream_t* out_stream) AHAL_NOEXCEPT;
/* Waits for the stream's work, then frees it. */
AHAL_API ahal_status_t ahal_stream_destroy(ahal_stream_t stream) AHAL_NOEXCEPT;
/* Copies. Host memory must stay valid until the stream passes the copy.
 * Ranges are checked against the buffers; d2d copies with overlapping
 * ranges of one buffer are refused. size 0 is a valid no-op. */
AHAL_API ahal_status_t ahal_stream_copy_h2d(ahal_stream_t stream, const void* src,
                                            ahal_buffer_t dst, uint64_t dst_offset,
                                            uint64_t size) AHAL_NOEXCEPT;
AHAL_API ahal_status_t ahal_stream_copy_d2h(ahal_stream_t stream, ahal_buffer_t src,
                                            uint64_t src_offset, void* dst,
                                            uint64_t size) AHAL_NOEXCEPT;
AHAL_API ahal_status_t ahal_stream_copy_d2d(ahal_stream_t stream, ahal_buffer_t src,
                                            uint64_t src_offset, ahal_buffer_t dst,
                                            uint64_t dst_offset, uint64_t size) AHAL_NOEXCEPT;
/* pattern_size is 1, 2 or 4; offset and size are multiples of it. */
AHAL_API ahal_status_t ahal_stream_fill(ahal_stream_t stream, ahal_buffer_t buffer, uint64_t offset,
                                        uint64_t size, const void* pattern,
                                        uint32_t pattern_size) AHAL_NOEXCEPT;
/* Kernel launch as docs/kernel-abi.md fixes it. Bad dimensions, bindings
 * or constants are refused and nothing is enqueued. */
AHAL_API ahal_status_t ahal_stream_launch(ahal_stream_t stream, ahal_kernel_t kernel,
                                          const ahal_launch_args_t* args) AHAL_NOEXCEPT;
/* callback runs on a host thread once all earlier work completed; later
 * work waits for it. It must not wait on this stream. */
AHAL_API ahal_status_t ahal_stream_host_callback(ahal_stream_t stream, ahal_host_fn_t callback,
                                                 void* user_data) AHAL_NOEXCEPT;
AHAL_API ahal_status_t ahal_stream_record_event(ahal_stream_t stream,
                                                ahal_event_t event) AHAL_NOEXCEPT;
/* Later work on `stream` waits for the event's last record; the event may
 * come from any stream of the same device or (API 1.4) of another device:
 * waited for on the device where ahal_device_peer_flags has
 * AHAL_PEER_WAIT_NATIVE, else by a host thread, which waits for the record
 * that is the event's last when the stream reaches the wait. */
AHAL_API ahal_status_t ahal_stream_wait_event(ahal_stream_t stream,
                                              ahal_event_t event) AHAL_NOEXCEPT;
AHAL_API ahal_status_t ahal_stream_synchronize(ahal_stream_t stream) AHAL_NOEXCEPT;
/* AHAL_SUCCESS when idle, AHAL_NOT_READY while work is pending. */
AHAL_API ahal_status_t ahal_stream_query(ahal_stream_t stream) AHAL_NOEXCEPT;
/* @generated end stream */

/* ----------------------------------------------------------------- events */

typedef enum ahal_event_flags_t {
  AHAL_EVENT_TIMING = 1u << 0, /* needed for ahal_event_elapsed_ns */
} ahal_event_flags_t;

/* @generated begin event */
AHAL_API ahal_status_t ahal_event_create(ahal_device_t device, uint32_t flags,
                                         ahal_event_t* out_event) AHAL_NOEXCEPT;
AHAL_API ahal_status_t ahal_event_destroy(ahal_event_t event) AHAL_NOEXCEPT;
/* AHAL_SUCCESS once the last record completed (or if never recorded),
 * AHAL_NOT_READY before. */
AHAL_API ahal_status_t ahal_event_query(ahal_event_t event) AHAL_NOEXCEPT;
/* Blocks until complete or timeout_ns passed (AHAL_ERROR_TIMEOUT).
 * UINT64_MAX waits forever. */
AHAL_API ahal_status_t ahal_event_wait(ahal_event_t event, uint64_t timeout_ns) AHAL_NOEXCEPT;
/* Nanoseconds from start to end; both TIMING events, both completed. */
AHAL_API ahal_status_t ahal_event_elapsed_ns(ahal_event_t start, ahal_event_t end,
                                             uint64_t* out_ns) AHAL_NOEXCEPT;
/* @generated end event */

/* -------------------------------------------------------- modules, kernels */

typedef enum ahal_kernel_flags_t {
  /* The kernel takes dynamic shared memory (docs/kernel-abi.md). */
  AHAL_KERNEL_USES_DYNAMIC_SHARED = 1u << 0,
} ahal_kernel_flags_t;

/* Kernel metadata: how the kernel wants its arguments. Bundles carry it;
 * for a raw image it may be given in ahal_module_args_t. */
typedef struct ahal_kernel_info_t {
  const char* name;
  uint32_t binding_count;
  uint32_t constants_size;
  uint32_t flags;     /* ahal_kernel_flags_t */
} ahal_kernel_info_t; /* array element: fixed for ABI major 1 */

typedef struct ahal_module_args_t {
  size_t struct_size;
  ahal_module_format_t format; /* AHAL_MODULE_FORMAT_BUNDLE for a bundle */
  const void* data;            /* image bytes, or NULL to read `path` */
  uint64_t data_size;
  const char* path;           /* file to read when data is NULL */
  const char* build_options;  /* for source/IL formats; may be NULL */
  uint32_t kernel_info_count; /* optional metadata for a raw image */
  const ahal_kernel_info_t* kernel_infos;
} ahal_module_args_t;

typedef struct ahal_kernel_attributes_t {
  size_t struct_size;
  uint32_t max_workgroup_size;
  uint32_t static_shared_bytes;
  uint32_t preferred_workgroup_multiple;
  uint32_t has_metadata; /* 1 if binding_count/constants_size are known */
  uint32_t binding_count;
  uint32_t constants_size;
  uint32_t flags; /* ahal_kernel_flags_t */
} ahal_kernel_attributes_t;

/* @generated begin module */
/* From a bundle, the best image the device takes is chosen; if none fits,
 * AHAL_ERROR_UNSUPPORTED names the bundle's formats and the device's. */
AHAL_API ahal_status_t ahal_module_create(ahal_device_t device, const ahal_module_args_t* args,
                                          ahal_module_t* out_module) AHAL_NOEXCEPT;
/* Also invalidates the module's kernels. */
AHAL_API ahal_status_t ahal_module_destroy(ahal_module_t module) AHAL_NOEXCEPT;
/* Format of the image actually loaded (the chosen one for a bundle). */
AHAL_API ahal_status_t ahal_module_format(ahal_module_t module,
                                          ahal_module_format_t* out) AHAL_NOEXCEPT;
/* The same name gives the same handle; the module owns it. */
AHAL_API ahal_status_t ahal_kernel_get(ahal_module_t module, const char* name,
                                       ahal_kernel_t* out_kernel) AHAL_NOEXCEPT;
/* @generated end module */

/* @generated begin kernel */
/* A built-in (fixed-function) kernel such as "ahal.builtin.gemm_f32";
 * owned by the device. */
AHAL_API ahal_status_t ahal_kernel_get_builtin(ahal_device_t device, const char* name,
                                               ahal_kernel_t* out_kernel) AHAL_NOEXCEPT;
AHAL_API ahal_status_t ahal_kernel_get_attributes(
    ahal_kernel_t kernel, ahal_kernel_attributes_t* out_attributes) AHAL_NOEXCEPT;
/* @generated end kernel */

/* -------------------------------------------- command buffers (API 1.2) */

/* @generated begin command_buffer */
/* Flags of ahal_command_buffer_create. */
typedef enum ahal_command_buffer_flags_t {
  AHAL_COMMAND_BUFFER_DEFAULT = 0,
} ahal_command_buffer_flags_t;

/* New arguments for a recorded launch (ahal_command_buffer_update_launch).
 * A field left NULL/0 keeps what was recorded; a given one must fit the
 * kernel exactly as ahal_stream_launch requires. */
typedef struct ahal_launch_update_t {
  size_t struct_size;
  uint32_t binding_count; /* 0 = keep the recorded bindings */
  const ahal_binding_t* bindings;
  const void* constants; /* NULL = keep the recorded constants; copied */
  uint32_t constants_size;
} ahal_launch_update_t;

/* A command buffer of `device`, recording (docs/command-buffers.md): record
 * commands, ahal_command_buffer_finalize, then ahal_stream_submit it any
 * number of times. flags: 0 (ahal_command_buffer_flags_t). */
AHAL_API ahal_status_t ahal_command_buffer_create(
    ahal_device_t device, uint32_t flags, ahal_command_buffer_t* out_command_buffer) AHAL_NOEXCEPT;
/* Waits for its submissions still in flight, then frees it. */
AHAL_API ahal_status_t ahal_command_buffer_destroy(ahal_command_buffer_t command_buffer)
    AHAL_NOEXCEPT;
/* Recording: the same commands as on a stream, checked the same way; a
 * refusal names the command's index. Host memory must stay valid as long as
 * the command buffer may be submitted. */
AHAL_API ahal_status_t ahal_command_buffer_copy_h2d(ahal_command_buffer_t command_buffer,
                                                    const void* src, ahal_buffer_t dst,
                                                    uint64_t dst_offset,
                                                    uint64_t size) AHAL_NOEXCEPT;
AHAL_API ahal_status_t ahal_command_buffer_copy_d2h(ahal_command_buffer_t command_buffer,
                                                    ahal_buffer_t src, uint64_t src_offset,
                                                    void* dst, uint64_t size) AHAL_NOEXCEPT;
AHAL_API ahal_status_t ahal_command_buffer_copy_d2d(ahal_command_buffer_t command_buffer,
                                                    ahal_buffer_t src, uint64_t src_offset,
                                                    ahal_buffer_t dst, uint64_t dst_offset,
                                                    uint64_t size) AHAL_NOEXCEPT;
AHAL_API ahal_status_t ahal_command_buffer_fill(ahal_command_buffer_t command_buffer,
                                                ahal_buffer_t buffer, uint64_t offset,
                                                uint64_t size, const void* pattern,
                                                uint32_t pattern_size) AHAL_NOEXCEPT;
/* out_index (may be NULL) receives the command's index, for
 * ahal_command_buffer_update_launch. */
AHAL_API ahal_status_t ahal_command_buffer_launch(ahal_command_buffer_t command_buffer,
                                                  ahal_kernel_t kernel,
                                                  const ahal_launch_args_t* args,
                                                  uint32_t* out_index) AHAL_NOEXCEPT;
/* Each submission records `event` at this point. */
AHAL_API ahal_status_t ahal_command_buffer_record_event(ahal_command_buffer_t command_buffer,
                                                        ahal_event_t event) AHAL_NOEXCEPT;
/* Each submission waits here for the last record of `event` made before that
 * submission. */
AHAL_API ahal_status_t ahal_command_buffer_wait_event(ahal_command_buffer_t command_buffer,
                                                      ahal_event_t event) AHAL_NOEXCEPT;
/* Commands run in the order recorded, each after the previous one completed,
 * as on a stream; a barrier states that order explicitly (ported Vulkan or
 * Level Zero code keeps its barriers). */
AHAL_API ahal_status_t ahal_command_buffer_barrier(ahal_command_buffer_t command_buffer)
    AHAL_NOEXCEPT;
/* Ends recording and prepares the device's native form where it has one
 * (CUDA graph, Vulkan command buffer, ...). Nothing can be recorded after. */
AHAL_API ahal_status_t ahal_command_buffer_finalize(ahal_command_buffer_t command_buffer)
    AHAL_NOEXCEPT;
/* Changes the constants and/or bindings of recorded launch `index` for later
 * submissions, without recording again. AHAL_ERROR_INVALID_STATE while a
 * submission is in flight. */
AHAL_API ahal_status_t
ahal_command_buffer_update_launch(ahal_command_buffer_t command_buffer, uint32_t index,
                                  const ahal_launch_update_t* update) AHAL_NOEXCEPT;
/* Runs a finalized command buffer on `stream` (of its device), in order with
 * the stream's other work. It may be submitted again at once, to any stream:
 * submissions of one command buffer run one after another. */
AHAL_API ahal_status_t ahal_stream_submit(ahal_stream_t stream,
                                          ahal_command_buffer_t command_buffer) AHAL_NOEXCEPT;
/* @generated end command_buffer */

/* ------------------------------------ native-handle interop (API 1.3) */

/* @generated begin interop */
/* What ahal_native_buffer_t.handle is (docs/interop.md). */
typedef enum ahal_native_handle_kind_t {
  /* No native handle (asic_sim: memory only its simulator reaches). */
  AHAL_NATIVE_HANDLE_NONE = 0,
  /* A host pointer (void*) of this process (cpu). */
  AHAL_NATIVE_HANDLE_HOST_POINTER = 1,
  /* A CUdeviceptr; context is its CUcontext. */
  AHAL_NATIVE_HANDLE_CUDA_DEVICE_POINTER = 2,
  /* A HIP device pointer (hipMalloc). */
  AHAL_NATIVE_HANDLE_HIP_DEVICE_POINTER = 3,
  /* A Level Zero USM pointer; context is its ze_context_handle_t. */
  AHAL_NATIVE_HANDLE_LEVEL_ZERO_POINTER = 4,
  /* A cl_mem buffer; context is its cl_context. */
  AHAL_NATIVE_HANDLE_OPENCL_MEM = 5,
  /* A VkBuffer bound to the VkDeviceMemory `memory` at `memory_offset`;
   * context is its VkDevice. */
  AHAL_NATIVE_HANDLE_VULKAN_BUFFER = 6,
  /* Not a kind (as AHAL_STATUS_MAX_ENUM). */
  AHAL_NATIVE_HANDLE_KIND_MAX_ENUM = 0x7fffffff,
} ahal_native_handle_kind_t;

/* A buffer as its native runtime sees it: what ahal_buffer_get_native
 * reports. Pointers and handles are stored as integers. */
typedef struct ahal_native_buffer_t {
  size_t struct_size;
  ahal_native_handle_kind_t kind;
  uint32_t flags;          /* AHAL_MEMORY_* flags of the memory */
  uint64_t handle;         /* the pointer or object `kind` names */
  uint64_t memory;         /* VULKAN_BUFFER: its VkDeviceMemory; otherwise 0 */
  uint64_t memory_offset;  /* VULKAN_BUFFER: where it is bound in `memory`; otherwise 0 */
  uint64_t size;           /* bytes */
  uint64_t context;        /* CUcontext, ze_context_handle_t, cl_context, VkDevice; else 0 */
  uint32_t device_ordinal; /* the native runtime's number of the device; 0 on the host */
} ahal_native_buffer_t;

/* The buffer's native handle and its kind, to hand the memory to the
 * native runtime (or DLPack) without a copy. ahal keeps owning it. A device
 * without native handles (asic_sim) answers AHAL_ERROR_UNSUPPORTED with
 * kind AHAL_NATIVE_HANDLE_NONE. */
AHAL_API ahal_status_t ahal_buffer_get_native(ahal_buffer_t buffer,
                                              ahal_native_buffer_t* out_native) AHAL_NOEXCEPT;
/* The buffer's bytes as a pointer of this process, where the device's memory
 * is host memory that the host may read and write without a map or a copy
 * (cpu; Vulkan memory that is host-visible and host-coherent, as lavapipe's
 * and many integrated GPUs'). Valid as long as the buffer lives; host
 * accesses are ordered with the device's work as a host callback's are
 * (events, synchronize). AHAL_ERROR_UNSUPPORTED where the memory is not host
 * memory (API 1.6). ahal's collectives run MPI on such buffers in place. */
AHAL_API ahal_status_t ahal_buffer_host_address(ahal_buffer_t buffer,
                                                void** out_pointer) AHAL_NOEXCEPT;
/* Wraps memory of `device`'s native runtime (kind, handle, size, flags and
 * the kind's memory/context fields of `native`) as an ahal buffer that ahal
 * does not free: destroying it only forgets it. The memory must outlive the
 * buffer. A device that cannot import answers AHAL_ERROR_UNSUPPORTED. */
AHAL_API ahal_status_t ahal_buffer_import_native(ahal_device_t device,
                                                 const ahal_native_buffer_t* native,
                                                 ahal_buffer_t* out_buffer) AHAL_NOEXCEPT;
/* @generated end interop */

/* --------------------------------------- several devices (API 1.4) */

/* @generated begin peer */
/* How work between two devices runs (ahal_device_peer_flags). */
typedef enum ahal_peer_flags_t {
  /* ahal_stream_copy_peer runs on the devices (peer access, DMA); else staged through pinned host
     memory. */
  AHAL_PEER_COPY_NATIVE = 1u << 0,
  /* ahal_stream_wait_event on the other device's event waits on the device; else on a host thread.
   */
  AHAL_PEER_WAIT_NATIVE = 1u << 1,
  /* Not a flag (as AHAL_STATUS_MAX_ENUM). */
  AHAL_PEER_FLAGS_MAX_ENUM = 0x7fffffff,
} ahal_peer_flags_t;

/* How copies and event waits between `device` and `peer` run: AHAL_PEER_*
 * bits (ahal_peer_flags_t). 0 means both are staged by the loader through
 * pinned host memory, which always works, also between two plugins. */
AHAL_API ahal_status_t ahal_device_peer_flags(ahal_device_t device, ahal_device_t peer,
                                              uint32_t* out_flags) AHAL_NOEXCEPT;
/* Copies between buffers of two devices (of one plugin or of two). `stream`
 * belongs to the device of `src` or of `dst`; the copy starts after the
 * stream's earlier work and later work waits for it, as any copy. Work on
 * the other device is ordered with events (ahal_stream_wait_event accepts
 * another device's event). Native where ahal_device_peer_flags says so,
 * otherwise staged through pinned host memory in chunks. */
AHAL_API ahal_status_t ahal_stream_copy_peer(ahal_stream_t stream, ahal_buffer_t src,
                                             uint64_t src_offset, ahal_buffer_t dst,
                                             uint64_t dst_offset, uint64_t size) AHAL_NOEXCEPT;
/* @generated end peer */

/* ------------------------------------------ collectives (API 1.4) */

/* docs/collectives.md */
/* @generated begin collectives */
/* Element types of collectives (the values are NCCL's). */
typedef enum ahal_ccl_datatype_t {
  AHAL_CCL_INT8 = 0,
  AHAL_CCL_UINT8 = 1,
  AHAL_CCL_INT32 = 2,
  AHAL_CCL_UINT32 = 3,
  AHAL_CCL_INT64 = 4,
  AHAL_CCL_UINT64 = 5,
  AHAL_CCL_FLOAT16 = 6,
  AHAL_CCL_FLOAT32 = 7,
  AHAL_CCL_FLOAT64 = 8,
  AHAL_CCL_BFLOAT16 = 9,
  /* Not a type (as AHAL_STATUS_MAX_ENUM). */
  AHAL_CCL_DATATYPE_MAX_ENUM = 0x7fffffff,
} ahal_ccl_datatype_t;

/* Reductions (the values are NCCL's). */
typedef enum ahal_ccl_op_t {
  AHAL_CCL_SUM = 0,
  AHAL_CCL_PROD = 1,
  AHAL_CCL_MAX = 2,
  AHAL_CCL_MIN = 3,
  /* Not an operation (as AHAL_STATUS_MAX_ENUM). */
  AHAL_CCL_OP_MAX_ENUM = 0x7fffffff,
} ahal_ccl_op_t;

/* What runs a communicator's operations (ahal_ccl_comm_info_t.engine). */
typedef enum ahal_ccl_engine_t {
  /* one rank and no library: copies on the device */
  AHAL_CCL_ENGINE_SELF = 0,
  /* MPI on pinned host memory, staged and pipelined by the loader */
  AHAL_CCL_ENGINE_MPI = 1,
  /* the plugin's own library (NCCL, RCCL, ...), on the device */
  AHAL_CCL_ENGINE_NATIVE = 2,
  /* Not an engine (as AHAL_STATUS_MAX_ENUM). */
  AHAL_CCL_ENGINE_MAX_ENUM = 0x7fffffff,
} ahal_ccl_engine_t;

/* Names one communicator to be: made by ahal_ccl_get_unique_id on one rank
 * and handed to every rank (MPI_Bcast, a file, ...). Plain bytes. */
typedef struct ahal_ccl_unique_id_t {
  uint8_t internal[256];
} ahal_ccl_unique_id_t;

/* What ahal_ccl_comm_info tells about a communicator. */
typedef struct ahal_ccl_comm_info_t {
  size_t struct_size;
  uint32_t rank;
  uint32_t nranks;
  ahal_ccl_engine_t engine;
  const char* library; /* "NCCL 2.19.3", "Open MPI v4.1.4", "self"; the communicator owns it */
} ahal_ccl_comm_info_t;

/* A new communicator id, made on one rank (rank 0) for the communicator that
 * ranks on devices of `device`'s plugin will form (docs/collectives.md). */
AHAL_API ahal_status_t ahal_ccl_get_unique_id(ahal_device_t device,
                                              ahal_ccl_unique_id_t* out_id) AHAL_NOEXCEPT;
/* Rank `rank` (0 .. nranks-1) of the communicator `id` names, on `device`.
 * Blocks until all nranks ranks joined. With the plugin's own library the
 * ranks may be devices of one process; through MPI each rank is one MPI
 * process (mpirun), and every process of the MPI job takes part in each
 * communicator creation, as with MPI_Comm_split. */
AHAL_API ahal_status_t ahal_ccl_comm_init_rank(ahal_device_t device, uint32_t nranks,
                                               const ahal_ccl_unique_id_t* id, uint32_t rank,
                                               ahal_ccl_comm_t* out_comm) AHAL_NOEXCEPT;
/* Waits for the communicator's operations in flight, then frees it. */
AHAL_API ahal_status_t ahal_ccl_comm_destroy(ahal_ccl_comm_t comm) AHAL_NOEXCEPT;
AHAL_API ahal_status_t ahal_ccl_comm_info(ahal_ccl_comm_t comm,
                                          ahal_ccl_comm_info_t* out_info) AHAL_NOEXCEPT;
/* AHAL_SUCCESS, or the status of an operation that failed after it was
 * enqueued (a peer that left, MPI failing), with its message. A failed
 * communicator refuses further operations; destroy it. */
AHAL_API ahal_status_t ahal_ccl_comm_get_async_error(ahal_ccl_comm_t comm) AHAL_NOEXCEPT;
/* Collectives, enqueued on `stream` (of the communicator's device): they
 * start after the stream's earlier work, later work waits for them, and an
 * event recorded after one completes with it. Every rank calls the same
 * operations in the same order. Buffers belong to the communicator's device;
 * offsets and counts are checked against them. `count` elements of
 * `datatype`; send and recv may be the same range (in place). */
AHAL_API ahal_status_t ahal_ccl_allreduce(ahal_ccl_comm_t comm, ahal_buffer_t send,
                                          uint64_t send_offset, ahal_buffer_t recv,
                                          uint64_t recv_offset, uint64_t count,
                                          ahal_ccl_datatype_t datatype, ahal_ccl_op_t op,
                                          ahal_stream_t stream) AHAL_NOEXCEPT;
/* recv holds nranks * send_count elements, rank r's at r * send_count. */
AHAL_API ahal_status_t ahal_ccl_allgather(ahal_ccl_comm_t comm, ahal_buffer_t send,
                                          uint64_t send_offset, ahal_buffer_t recv,
                                          uint64_t recv_offset, uint64_t send_count,
                                          ahal_ccl_datatype_t datatype,
                                          ahal_stream_t stream) AHAL_NOEXCEPT;
/* send holds nranks * recv_count elements; rank r receives the reduction of block r. */
AHAL_API ahal_status_t ahal_ccl_reduce_scatter(ahal_ccl_comm_t comm, ahal_buffer_t send,
                                               uint64_t send_offset, ahal_buffer_t recv,
                                               uint64_t recv_offset, uint64_t recv_count,
                                               ahal_ccl_datatype_t datatype, ahal_ccl_op_t op,
                                               ahal_stream_t stream) AHAL_NOEXCEPT;
/* send is read on `root` only (other ranks may pass NULL). */
AHAL_API ahal_status_t ahal_ccl_broadcast(ahal_ccl_comm_t comm, ahal_buffer_t send,
                                          uint64_t send_offset, ahal_buffer_t recv,
                                          uint64_t recv_offset, uint64_t count,
                                          ahal_ccl_datatype_t datatype, uint32_t root,
                                          ahal_stream_t stream) AHAL_NOEXCEPT;
/* recv is written on `root` only (other ranks may pass NULL). */
AHAL_API ahal_status_t ahal_ccl_reduce(ahal_ccl_comm_t comm, ahal_buffer_t send,
                                       uint64_t send_offset, ahal_buffer_t recv,
                                       uint64_t recv_offset, uint64_t count,
                                       ahal_ccl_datatype_t datatype, ahal_ccl_op_t op,
                                       uint32_t root, ahal_stream_t stream) AHAL_NOEXCEPT;
/* Point to point: `peer` calls ahal_ccl_recv with the same count and type.
 * Sends and receives that depend on each other go in one group. */
AHAL_API ahal_status_t ahal_ccl_send(ahal_ccl_comm_t comm, ahal_buffer_t buffer, uint64_t offset,
                                     uint64_t count, ahal_ccl_datatype_t datatype, uint32_t peer,
                                     ahal_stream_t stream) AHAL_NOEXCEPT;
AHAL_API ahal_status_t ahal_ccl_recv(ahal_ccl_comm_t comm, ahal_buffer_t buffer, uint64_t offset,
                                     uint64_t count, ahal_ccl_datatype_t datatype, uint32_t peer,
                                     ahal_stream_t stream) AHAL_NOEXCEPT;
/* Operations this thread issues until the matching ahal_ccl_group_end run
 * as one: their arguments are checked at once, they are enqueued and
 * started together at group_end (as ncclGroupStart/End). Groups nest. */
AHAL_API ahal_status_t ahal_ccl_group_start(void) AHAL_NOEXCEPT;
AHAL_API ahal_status_t ahal_ccl_group_end(void) AHAL_NOEXCEPT;
/* @generated end collectives */

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* AHAL_AHAL_H_ */
