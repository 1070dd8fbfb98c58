/*
 * poolcheck plug-in ABI, version 1.
 *
 * The one public header an implementation under test needs. A plug-in is a
 * shared library that exports
 *
 *     const pc_plugin* poolcheck_plugin(void);
 *
 * returning a pointer to a static pc_plugin table. poolcheck loads it with
 * dlopen, checks abi_version, reads what the plug-in claims (profile, dtypes,
 * layouts, ranks, capabilities) and calls forward/backward on problems within
 * that claim. Plain C so that any language with a C FFI can provide one.
 *
 * Conventions of the ABI (independent of the pooling profile):
 *  - Tensors are dense, in the problem's layout: channels-last (N, spatial..., C)
 *    or channels-first (N, C, spatial...). Spatial axes are outermost first
 *    (d, h, w); only the first `rank` entries of each per-axis array are used.
 *  - Padding is always explicit: poolcheck resolves SAME/VALID into pad_begin
 *    and pad_end, and gives the output sizes it expects in `output`.
 *  - Element types are the pc_dtype values; f16 is IEEE binary16, bf16 is
 *    bfloat16, both as 16-bit patterns.
 *  - argmax, when the caller passes a non-NULL buffer, receives one int64 per
 *    output element in the profile's index format, -1 for "none".
 *  - backward: dx arrives filled with zeros; the plug-in adds dy into it at
 *    each window's argmax. `argmax` is the forward's argmax, or NULL, in which
 *    case the plug-in recomputes it from x.
 *  - A call returns PC_OK, or PC_UNSUPPORTED to refuse a problem it does not
 *    handle (not a failure), or PC_ERROR; for the latter two it writes a
 *    NUL-terminated message of at most message_size bytes into `message`.
 *  - Calls may come from any thread, one at a time per plug-in instance.
 */
#ifndef POOLCHECK_PLUGIN_H_
#define POOLCHECK_PLUGIN_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define POOLCHECK_PLUGIN_ABI_VERSION 1u
#define POOLCHECK_PLUGIN_ENTRY "poolcheck_plugin"

typedef enum pc_dtype {
  PC_DTYPE_F32 = 0,
  PC_DTYPE_F64 = 1,
  PC_DTYPE_F16 = 2,
  PC_DTYPE_BF16 = 3,
  PC_DTYPE_S8 = 4,
  PC_DTYPE_U8 = 5
} pc_dtype;

typedef enum pc_layout { PC_LAYOUT_CHANNELS_LAST = 0, PC_LAYOUT_CHANNELS_FIRST = 1 } pc_layout;

typedef enum pc_status { PC_OK = 0, PC_UNSUPPORTED = 1, PC_ERROR = 2 } pc_status;

/* Capability bits of pc_plugin.capabilities. */
#define PC_CAP_FORWARD 0x1u
#define PC_CAP_ARGMAX 0x2u            /* forward can write argmax */
#define PC_CAP_BACKWARD 0x4u          /* backward from a stored argmax */
#define PC_CAP_BACKWARD_FROM_X 0x8u   /* backward with argmax == NULL */

typedef struct pc_problem {
  uint32_t struct_size; /* sizeof(pc_problem) of the caller, for future growth */
  int32_t rank;         /* 1, 2 or 3 spatial axes */
  int32_t layout;       /* pc_layout */
  int32_t dtype;        /* pc_dtype */
  int64_t batch;
  int64_t channels;
  int64_t input[3];
  int64_t output[3];
  int64_t kernel[3];
  int64_t stride[3];
  int64_t dilation[3]; /* 1 = dense */
  int64_t pad_begin[3];
  int64_t pad_end[3];
  int32_t ceil_mode;     /* informational: output[] already reflects it */
  int32_t reserved;
  const char* profile;   /* profile the problem is posed under, e.g. "pytorch" */
  const char* descriptor;/* poolcheck's canonical one-line text of the problem */
} pc_problem;

typedef struct pc_plugin {
  uint32_t abi_version; /* POOLCHECK_PLUGIN_ABI_VERSION */
  const char* name;     /* e.g. "onednn-2.6" */
  const char* profile;  /* the profile whose conventions it claims, e.g. "onednn" */
  uint32_t dtypes;      /* bit (1u << pc_dtype) per supported dtype */
  uint32_t layouts;     /* bit (1u << pc_layout) per supported layout */
  uint32_t ranks;       /* bit (1u << rank) per supported rank */
  uint32_t capabilities;/* PC_CAP_* bits */

  pc_status (*forward)(const pc_problem* problem, const void* x, void* y, int64_t* argmax,
                       char* message, size_t message_size);
  pc_status (*backward)(const pc_problem* problem, const void* x, const int64_t* argmax,
                        const void* dy, void* dx, char* message, size_t message_size);
} pc_plugin;

typedef const pc_plugin* (*pc_plugin_entry)(void);

#ifdef __cplusplus
}
#endif

#endif /* POOLCHECK_PLUGIN_H_ */
