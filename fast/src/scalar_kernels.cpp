// The portable kernel: plain C++ for every element type and every convention.
//
// It is the "portable" dispatch target, the path for the dtypes and layouts
// that have no SIMD kernel, and the chooser that backward-from-input uses. It
// scans a window's taps in the convention's order exactly as the definition
// does, but walks memory with precomputed strides instead of resolving each
// tap through the generic helpers.
#include <cstdint>

#include "kernels.hpp"
#include "poolcheck/argmax_index.hpp"
#include "poolcheck/half.hpp"
#include "poolcheck/scalar_traits.hpp"

namespace poolcheck::fast::detail {
namespace {

template <class T>
struct Choice {
  T value;
  std::int64_t tap;
};

// The maximum of the window at out_pos of the (n, c) plane starting at `plane`
// (x + n * batch stride + c * channel stride), under plan.cv.
template <class T>
Choice<T> choose(const Plan& plan, const T* plane, const Dims& out_pos) {
  using Traits = ScalarTraits<T>;
  const Geometry& g = plan.g;
  const Conventions& cv = plan.cv;

  bool have = false;
  bool saw_number = false;
  T best = Traits::minus_infinity();
  std::int64_t best_tap = kNoArgmax;
  if (cv.initial != Initial::first_candidate) {
    have = true;
    best = Traits::lowest();
    best_tap = cv.initial == Initial::lowest_at_first_tap ? 0 : kNoArgmax;
  }

  // Row-major scans w innermost; column-major scans d innermost. Each loop
  // level resolves its own axis once: the cell it reads (clamped to the
  // border, used only under PadCells::border) and whether it is inside.
  const int outer = cv.order == ScanOrder::row_major ? 0 : 2;
  const int inner = 2 - outer;
  struct AxisTap {
    std::int64_t offset;
    bool inside;
  };
  const auto resolve = [&](int a, std::int64_t t) {
    const std::int64_t p = out_pos[a] * g.stride[a] - g.pad_begin[a] + t * g.dilation[a];
    const bool inside = p >= 0 && p < g.in[a];
    const std::int64_t clamped = inside ? p : (p < 0 ? 0 : g.in[a] - 1);
    return AxisTap{clamped * g.in_spatial_stride[a], inside};
  };

  Dims tap{};
  for (tap[outer] = 0; tap[outer] < g.kernel[outer]; ++tap[outer]) {
    const AxisTap ao = resolve(outer, tap[outer]);
    for (tap[1] = 0; tap[1] < g.kernel[1]; ++tap[1]) {
      const AxisTap am = resolve(1, tap[1]);
      for (tap[inner] = 0; tap[inner] < g.kernel[inner]; ++tap[inner]) {
        const AxisTap ai = resolve(inner, tap[inner]);
        const bool inside = ao.inside && am.inside && ai.inside;
        T v = Traits::quiet_nan();
        if (inside || cv.pad == PadCells::border) {
          v = plane[ao.offset + am.offset + ai.offset];
        } else if (cv.pad == PadCells::excluded || !Traits::has_nan) {
          continue;
        }
        const bool is_nan = Traits::is_nan(v);
        if (cv.nan == NanRule::skip && is_nan) continue;
        if (cv.nan == NanRule::ignore) {
          saw_number = saw_number || !is_nan;
          if (is_nan) v = Traits::minus_infinity();
        }
        if (!have || Traits::greater(v, best) || (cv.nan == NanRule::propagate && is_nan)) {
          have = true;
          best = v;
          best_tap = (tap[0] * g.kernel[1] + tap[1]) * g.kernel[2] + tap[2];
        }
      }
    }
  }
  if (cv.nan == NanRule::ignore && cv.initial == Initial::first_candidate && !saw_number)
    return {Traits::has_nan ? Traits::quiet_nan() : Traits::minus_infinity(), kNoArgmax};
  if (!have) return {Traits::minus_infinity(), kNoArgmax};
  return {best, best_tap};
}

}  // namespace

template <class T>
void portable_forward_rows(const Plan& plan, const T* x, T* y, std::int64_t* taps,
                           std::int64_t row_begin, std::int64_t row_end) {
  for (std::int64_t row = row_begin; row < row_end; ++row) {
    RowWork work = row_work(plan.g, row);
    Dims& o = work.out_pos;
    for (o[2] = 0; o[2] < plan.g.out[2]; ++o[2])
      for (std::int64_t c = work.c_begin; c < work.c_end; ++c)
        portable_forward_one(plan, x, y, taps, work.n, c, o);
  }
}

template <class T>
void portable_forward_one(const Plan& plan, const T* x, T* y, std::int64_t* taps, std::int64_t n,
                          std::int64_t c, const Dims& out_pos) {
  const Geometry& g = plan.g;
  const Choice<T> w = choose(plan, x + n * g.in_batch_stride + c * g.in_channel_stride, out_pos);
  const std::int64_t at = g.output_offset(n, c, out_pos);
  y[at] = w.value;
  if (taps != nullptr) taps[at] = w.tap;
}

template <class T>
std::int64_t portable_choose_tap(const Plan& plan, const T* x, std::int64_t n, std::int64_t c,
                                 const Dims& out_pos) {
  return choose(plan, x + n * plan.g.in_batch_stride + c * plan.g.in_channel_stride, out_pos).tap;
}

#define POOLCHECK_FAST_INSTANTIATE(T)                                                             \
  template void portable_forward_rows<T>(const Plan&, const T*, T*, std::int64_t*, std::int64_t,  \
                                         std::int64_t);                                           \
  template void portable_forward_one<T>(const Plan&, const T*, T*, std::int64_t*, std::int64_t,   \
                                        std::int64_t, const Dims&);                               \
  template std::int64_t portable_choose_tap<T>(const Plan&, const T*, std::int64_t, std::int64_t, \
                                               const Dims&);
POOLCHECK_FAST_INSTANTIATE(float)
POOLCHECK_FAST_INSTANTIATE(double)
POOLCHECK_FAST_INSTANTIATE(float16)
POOLCHECK_FAST_INSTANTIATE(bfloat16)
POOLCHECK_FAST_INSTANTIATE(std::int8_t)
POOLCHECK_FAST_INSTANTIATE(std::uint8_t)
#undef POOLCHECK_FAST_INSTANTIATE

}  // namespace poolcheck::fast::detail
