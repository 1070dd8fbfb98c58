/*
 * A test fixture plug-in: 2-D max pooling of f32 in NHWC or NCHW, under the
 * numpynet profile (PROFILE_NUMPYNET) or the pytorch one, written only against
 * plugin.h. Built once per deliberate bug (one BUG_* macro per module, see
 * CMakeLists.txt) and once without any, so that a test can show that what it
 * detects is the bug and not the fixture.
 */
#include <math.h>
#include <stdio.h>

#include "poolcheck/plugin.h"

#ifdef PROFILE_NUMPYNET
#define FIXTURE_PROFILE "numpynet"
#else
#define FIXTURE_PROFILE "pytorch"
#endif

static int64_t input_offset(const pc_problem* p, int64_t n, int64_t c, int64_t h, int64_t w) {
  const int64_t H = p->input[0], W = p->input[1], C = p->channels;
  return p->layout == PC_LAYOUT_CHANNELS_LAST ? ((n * H + h) * W + w) * C + c
                                              : ((n * C + c) * H + h) * W + w;
}

static int64_t output_offset(const pc_problem* p, int64_t n, int64_t c, int64_t h, int64_t w) {
  const int64_t H = p->output[0], W = p->output[1], C = p->channels;
  return p->layout == PC_LAYOUT_CHANNELS_LAST ? ((n * H + h) * W + w) * C + c
                                              : ((n * C + c) * H + h) * W + w;
}

/* The padding in front of `axis`. */
static int64_t pad_before(const pc_problem* p, int axis) {
#ifdef BUG_SAME_SPLIT
  /* Ignores the explicit pads and re-derives SAME, putting the odd cell at
   * the begin: NumPyNet (and TensorFlow) put it at the end. */
  const int64_t in = p->input[axis], k = p->kernel[axis], s = p->stride[axis];
  const int64_t out = (in + s - 1) / s;
  int64_t total = (out - 1) * s + k - in;
  if (total < 0) total = 0;
  return total - total / 2;
#else
  return p->pad_begin[axis];
#endif
}

static int better(float v, float best) {
#ifdef BUG_LAST_MAX_TIES
  return v >= best; /* a later equal value wins: the last maximum */
#else
  return v > best;
#endif
}

/* The window's maximum into *value; returns its row-major tap, or -1. */
static int64_t choose(const pc_problem* p, const float* x, int64_t n, int64_t c, int64_t oh,
                      int64_t ow, float* value) {
  int have = 0, saw_number = 0;
  float best = -INFINITY;
  int64_t best_tap = -1;
  for (int64_t kh = 0; kh < p->kernel[0]; ++kh)
    for (int64_t kw = 0; kw < p->kernel[1]; ++kw) {
      const int64_t ih = oh * p->stride[0] - pad_before(p, 0) + kh * p->dilation[0];
      const int64_t iw = ow * p->stride[1] - pad_before(p, 1) + kw * p->dilation[1];
      const int inside = ih >= 0 && ih < p->input[0] && iw >= 0 && iw < p->input[1];
      float v;
#ifdef PROFILE_NUMPYNET
      v = inside ? x[input_offset(p, n, c, ih, iw)] : NAN; /* pad cells hold NaN */
      if (!isnan(v)) saw_number = 1;
      if (isnan(v)) v = -INFINITY; /* np.nanargmax ranks NaN as -inf */
      const int take = !have || better(v, best);
#else
      if (!inside) continue; /* pytorch: pad cells are no candidates */
      v = x[input_offset(p, n, c, ih, iw)];
      saw_number = 1;
#ifdef BUG_NAN
      const int take = !have || better(v, best); /* NaN never taken: PyTorch #7645 */
#else
      const int take = !have || better(v, best) || isnan(v);
#endif
#endif
      if (take) {
        have = 1;
        best = v;
        best_tap = kh * p->kernel[1] + kw;
      }
    }
  if (!saw_number) {
    *value = NAN;
    return -1;
  }
  *value = best;
  return best_tap;
}

/* The argmax as the profile writes it, from a row-major tap. */
static int64_t encode(const pc_problem* p, int64_t oh, int64_t ow, int64_t tap) {
#ifdef PROFILE_NUMPYNET
  (void)p, (void)oh, (void)ow;
  return tap;
#else
  if (tap < 0) return -1;
  const int64_t ih = oh * p->stride[0] - p->pad_begin[0] + (tap / p->kernel[1]) * p->dilation[0];
  const int64_t iw = ow * p->stride[1] - p->pad_begin[1] + (tap % p->kernel[1]) * p->dilation[1];
  return ih * p->input[1] + iw;
#endif
}

/* The input offset an argmax names, or -1 (none, or a pad cell). */
static int64_t decode(const pc_problem* p, int64_t n, int64_t c, int64_t oh, int64_t ow,
                      int64_t index) {
  if (index < 0) return -1;
#ifdef PROFILE_NUMPYNET
  const int64_t ih = oh * p->stride[0] - pad_before(p, 0) + (index / p->kernel[1]) * p->dilation[0];
  const int64_t iw = ow * p->stride[1] - pad_before(p, 1) + (index % p->kernel[1]) * p->dilation[1];
  if (ih < 0 || ih >= p->input[0] || iw < 0 || iw >= p->input[1]) return -1;
  return input_offset(p, n, c, ih, iw);
#else
  (void)oh, (void)ow;
  return input_offset(p, n, c, index / p->input[1], index % p->input[1]);
#endif
}

static int supported(const pc_problem* p, char* message, size_t message_size) {
  if (p->rank != 2 || p->dtype != PC_DTYPE_F32) {
    snprintf(message, message_size, "only f32 2-D, got rank %d dtype %d", (int)p->rank,
             (int)p->dtype);
    return 0;
  }
  return 1;
}

static pc_status fixture_forward(const pc_problem* p, const void* x_bytes, void* y_bytes,
                                 int64_t* argmax, char* message, size_t message_size) {
  if (!supported(p, message, message_size)) return PC_UNSUPPORTED;
#ifdef REFUSE_ALL
  snprintf(message, message_size, "this fixture refuses %s", p->descriptor);
  return PC_UNSUPPORTED;
#endif
#ifdef ERROR_UNTERMINATED
  /* Fills the whole message buffer, without the terminating NUL. */
  for (size_t i = 0; i < message_size; ++i) message[i] = 'e';
  return PC_ERROR;
#endif
#ifdef BAD_STATUS
  return (pc_status)7;
#endif
  const float* x = (const float*)x_bytes;
  float* y = (float*)y_bytes;
  for (int64_t n = 0; n < p->batch; ++n)
    for (int64_t c = 0; c < p->channels; ++c)
      for (int64_t oh = 0; oh < p->output[0]; ++oh)
        for (int64_t ow = 0; ow < p->output[1]; ++ow) {
          float value;
          const int64_t tap = choose(p, x, n, c, oh, ow, &value);
          const int64_t at = output_offset(p, n, c, oh, ow);
          y[at] = value;
          if (argmax) argmax[at] = encode(p, oh, ow, tap);
        }
#ifdef BUG_WRITE_PAST_END
  y[p->batch * p->channels * p->output[0] * p->output[1]] = 0.0f; /* one past the end */
#endif
#ifdef BUG_SEGFAULT
  /* A null write; the volatile pointer keeps the compiler from turning it
   * into a trap instruction (SIGILL) at compile time. */
  volatile float* volatile null_pointer = NULL;
  *null_pointer = 1.0f;
#endif
#ifdef BUG_HANG
  for (volatile int spin = 1; spin;) {
  }
#endif
  return PC_OK;
}

static pc_status fixture_backward(const pc_problem* p, const void* x_bytes, const int64_t* argmax,
                                  const void* dy_bytes, void* dx_bytes, char* message,
                                  size_t message_size) {
  if (!supported(p, message, message_size)) return PC_UNSUPPORTED;
  const float* x = (const float*)x_bytes;
  const float* dy = (const float*)dy_bytes;
  float* dx = (float*)dx_bytes;
  for (int64_t n = 0; n < p->batch; ++n)
    for (int64_t c = 0; c < p->channels; ++c)
      for (int64_t oh = 0; oh < p->output[0]; ++oh)
        for (int64_t ow = 0; ow < p->output[1]; ++ow) {
          const int64_t at = output_offset(p, n, c, oh, ow);
          int64_t index;
          if (argmax) {
            index = argmax[at];
          } else {
            float ignored;
            index = encode(p, oh, ow, choose(p, x, n, c, oh, ow, &ignored));
          }
          const int64_t to = decode(p, n, c, oh, ow, index);
          if (to < 0) continue;
#ifdef BUG_ASSIGN_GRADIENT
          dx[to] = dy[at]; /* overlapping windows overwrite instead of adding */
#else
          dx[to] += dy[at];
#endif
        }
  return PC_OK;
}

#ifdef BAD_ABI_VERSION
#define FIXTURE_ABI 99u
#else
#define FIXTURE_ABI POOLCHECK_PLUGIN_ABI_VERSION
#endif

static const pc_plugin fixture = {
    .abi_version = FIXTURE_ABI,
    .name = FIXTURE_NAME,
    .profile = FIXTURE_PROFILE,
    .dtypes = 1u << PC_DTYPE_F32,
    .layouts = (1u << PC_LAYOUT_CHANNELS_LAST) | (1u << PC_LAYOUT_CHANNELS_FIRST),
    .ranks = 1u << 2,
    .capabilities = PC_CAP_FORWARD | PC_CAP_ARGMAX | PC_CAP_BACKWARD | PC_CAP_BACKWARD_FROM_X,
    .forward = fixture_forward,
    .backward = fixture_backward,
};

#ifdef NO_ENTRY
#define ENTRY_NAME not_the_poolcheck_entry
#else
#define ENTRY_NAME poolcheck_plugin
#endif

__attribute__((visibility("default"))) const pc_plugin* ENTRY_NAME(void) { return &fixture; }
