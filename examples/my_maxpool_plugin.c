/*
 * How to put your own max-pooling kernel under poolcheck: wrap it in a
 * pc_plugin table. Here the "kernel" is a plain 2-D NCHW f32 loop with
 * PyTorch's conventions (pad cells excluded, NaN propagates, first maximum,
 * argmax = h * W + w within the (n, c) plane). See README.md.
 */
#include <math.h>
#include <stdio.h>

#include "poolcheck/plugin.h"

/* ---- your kernel (stand-in) ------------------------------------------- */
static void my_maxpool_nchw(const pc_problem* p, const float* x, float* y, int64_t* argmax) {
  const int64_t H = p->input[0], W = p->input[1], OH = p->output[0], OW = p->output[1];
  for (int64_t plane = 0; plane < p->batch * p->channels; ++plane)
    for (int64_t oh = 0; oh < OH; ++oh)
      for (int64_t ow = 0; ow < OW; ++ow) {
        float best = -INFINITY;
        int64_t best_index = -1;
        for (int64_t kh = 0; kh < p->kernel[0]; ++kh)
          for (int64_t kw = 0; kw < p->kernel[1]; ++kw) {
            const int64_t ih = oh * p->stride[0] - p->pad_begin[0] + kh * p->dilation[0];
            const int64_t iw = ow * p->stride[1] - p->pad_begin[1] + kw * p->dilation[1];
            if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
            const float v = x[plane * H * W + ih * W + iw];
            if (best_index < 0 || v > best || isnan(v)) best = v, best_index = ih * W + iw;
          }
        y[plane * OH * OW + oh * OW + ow] = best;
        if (argmax) argmax[plane * OH * OW + oh * OW + ow] = best_index;
      }
}

/* ---- the glue poolcheck needs ----------------------------------------- */
static pc_status my_forward(const pc_problem* p, const void* x, void* y, int64_t* argmax,
                            char* message, size_t message_size) {
  if (p->rank != 2 || p->dtype != PC_DTYPE_F32 || p->layout != PC_LAYOUT_CHANNELS_FIRST) {
    snprintf(message, message_size, "only 2-D f32 NCHW");
    return PC_UNSUPPORTED; /* a refusal, not a failure */
  }
  my_maxpool_nchw(p, (const float*)x, (float*)y, argmax);
  return PC_OK;
}

static const pc_plugin my_plugin = {
    .abi_version = POOLCHECK_PLUGIN_ABI_VERSION,
    .name = "my-maxpool",
    .profile = "pytorch",
    .dtypes = 1u << PC_DTYPE_F32,
    .layouts = 1u << PC_LAYOUT_CHANNELS_FIRST,
    .ranks = 1u << 2,
    .capabilities = PC_CAP_FORWARD | PC_CAP_ARGMAX,
    .forward = my_forward,
    .backward = NULL,
};

__attribute__((visibility("default"))) const pc_plugin* poolcheck_plugin(void) {
  return &my_plugin;
}
