// fast/'s internal seams: the resolved plan of one call, and the kernel
// tables that runtime dispatch chooses between.
//
// A "row" is the unit of forward work: one line of outputs along the last
// spatial axis (w). In NHWC a row covers every channel of (n, od, oh); in NCHW
// it is one (n, c, od, oh). Threads take contiguous ranges of rows, so every
// output is written by exactly one thread.
#pragma once

#include <algorithm>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "poolcheck/conventions.hpp"
#include "poolcheck/problem.hpp"

namespace poolcheck::fast::detail {

struct Plan {
  Geometry g;
  // The problem's conventions with NanRule::unspecified already read as
  // propagate (what the definition computes for it).
  Conventions cv;

  // The argmax of a window that lies wholly inside the image is an affine
  // function of where the window is and which tap won (argmax_index.hpp, for
  // every format): index = base(n, c, origin) + id(tap), with
  //   base = n * index_n + c * index_c + sum_a origin[a] * index_pos[a],
  //   id   = sum_a tap[a] * tap_id[a].
  // The SIMD kernels track id per lane, so interior windows need no
  // encode_argmax call. tap_id_fits: every id fits the kernels' 32-bit lanes.
  std::int64_t index_n = 0;
  std::int64_t index_c = 0;
  Dims index_pos{};
  Dims tap_id{};
  bool tap_id_fits = false;

  std::int64_t rows() const noexcept {
    const std::int64_t per_image = g.out[0] * g.out[1];
    return g.layout == Layout::channels_last ? g.batch * per_image
                                             : g.batch * g.channels * per_image;
  }
};

Plan make_plan(const Problem& problem);

// The outputs along w whose every w tap is inside the image: lo <= ow < hi,
// that is ceil(pad / stride) <= ow and ow * s - pad + (k - 1) * dil < in.
struct OutputRange {
  std::int64_t lo = 0;
  std::int64_t hi = 0;
};

inline OutputRange interior_along_w(const Geometry& g) {
  const std::int64_t reach = (g.kernel[2] - 1) * g.dilation[2];
  const std::int64_t lo = std::min(g.out[2], (g.pad_begin[2] + g.stride[2] - 1) / g.stride[2]);
  const std::int64_t last_fit = g.in[2] - 1 - reach + g.pad_begin[2];  // ow * s <= last_fit
  return {lo,
          std::clamp<std::int64_t>(last_fit < 0 ? 0 : last_fit / g.stride[2] + 1, lo, g.out[2])};
}

// What one work row covers: image n, channels [c_begin, c_end) (all of them in
// NHWC, one in NCHW) and the outputs at out_pos[0], out_pos[1] along every w.
struct RowWork {
  std::int64_t n = 0;
  std::int64_t c_begin = 0;
  std::int64_t c_end = 0;
  Dims out_pos{};
};

inline RowWork row_work(const Geometry& g, std::int64_t row) {
  RowWork work;
  std::int64_t rest = row;
  work.out_pos[1] = rest % g.out[1];
  rest /= g.out[1];
  work.out_pos[0] = rest % g.out[0];
  rest /= g.out[0];
  work.c_end = g.channels;
  if (g.layout == Layout::channels_first) {
    work.c_begin = rest % g.channels;
    work.c_end = work.c_begin + 1;
    rest /= g.channels;
  }
  work.n = rest;
  return work;
}

// The taps of one window, for backward: tap i has the argmax id `id[i]`
// (index = base + id) and its cell lies `offset[i]` elements after the
// caller's dx pointer, or nowhere (-1: a pad cell, which receives nothing).
// Kernels larger than kMaxScatterTaps are scattered by the scalar code.
inline constexpr std::int64_t kMaxScatterTaps = 64;
inline constexpr std::int64_t kScatterChunk = 256;
struct ScatterTaps {
  std::int64_t count = 0;
  std::int64_t largest_id = 0;
  std::int64_t id[kMaxScatterTaps] = {};
  std::int64_t offset[kMaxScatterTaps] = {};
};

// Backward at one NHWC window, channels [0, channels) of the caller's range
// (at most kScatterChunk of them): for each channel c whose index argmax[c]
// is index_base + c * index_c + id[i], dx[offset[i] + c] += dy[c] (nothing
// for a pad cell); an index of kNoArgmax adds nothing. Returns how many
// leading channels it covered (whole vectors); the channels among those whose
// index named no tap are listed in `leftover` (capacity: kScatterChunk) and
// counted in *leftover_count, for the caller to decode in order. Each dx cell
// receives exactly the additions the scalar loop would make, in the same
// order. Lanes are distinct channels, so taps that share a cell (border
// clamping) still update disjoint lanes of it.
template <class T>
using ScatterKernel = std::int64_t (*)(const ScatterTaps& taps, const std::int64_t* argmax,
                                       const T* dy, T* dx_window, std::int64_t index_base,
                                       std::int64_t index_c, std::int64_t channels,
                                       std::int64_t* leftover, std::int64_t* leftover_count);

// Forward over rows [row_begin, row_end). `taps` is either empty or the
// argmax buffer, which receives the row-major window-local tap (or -1); the
// caller converts taps to the profile's index format afterwards, except
// after the NHWC SIMD kernels, which write the profile's format themselves.
template <class T>
using RowsKernel = void (*)(const Plan& plan, const T* x, T* y, std::int64_t* taps,
                            std::int64_t row_begin, std::int64_t row_end);

// One dispatch target's kernels. A null entry means "not vectorised here": the
// portable kernel runs instead.
struct SimdKernels {
  std::string name;  // "avx512", "avx2", "sse4", ...
  std::int64_t highway_target = 0;
  RowsKernel<float> f32_nhwc = nullptr;
  RowsKernel<double> f64_nhwc = nullptr;
  RowsKernel<float> f32_nchw = nullptr;
  RowsKernel<double> f64_nchw = nullptr;
  ScatterKernel<float> f32_scatter = nullptr;
  ScatterKernel<double> f64_scatter = nullptr;
  // The scatter kernels pay per tap; beyond this many taps the scalar loop wins.
  std::int64_t scatter_max_taps = 0;
};

// The Highway targets this CPU runs and this build compiled, best first.
const std::vector<SimdKernels>& simd_targets();

// The portable (plain C++) kernel for any element type and any conventions.
template <class T>
void portable_forward_rows(const Plan& plan, const T* x, T* y, std::int64_t* taps,
                           std::int64_t row_begin, std::int64_t row_end);

// One output (n, c, out_pos) by the portable kernel (the SIMD kernels use it
// for the windows they do not vectorise).
template <class T>
void portable_forward_one(const Plan& plan, const T* x, T* y, std::int64_t* taps, std::int64_t n,
                          std::int64_t c, const Dims& out_pos);

// The tap that the window at (n, c, out_pos) chooses (or -1), for backward
// from the input.
template <class T>
std::int64_t portable_choose_tap(const Plan& plan, const T* x, std::int64_t n, std::int64_t c,
                                 const Dims& out_pos);

}  // namespace poolcheck::fast::detail
