// The SIMD kernels, compiled once per Highway target (foreach_target.h).
//
// NHWC: lanes are consecutive channels of one output position; every lane
// sees the same taps, so pad and scan decisions are per tap, not per lane.
// NCHW: lanes are consecutive outputs along w; only the w-range whose windows
// lie inside the image along w is vectorised (the rest goes to the portable
// chooser), so again every lane agrees on whether a tap is a pad cell.
// The per-lane update is the definition's `better` rule written with masks;
// blends move whole bit patterns, so NaN payloads and signed zeros survive.

// Re-included by foreach_target.h once per target. A patched copy (mutation
// testing) is compiled with POOLCHECK_FAST_SELF naming itself, so that it
// re-includes itself and not the original.
#ifndef POOLCHECK_FAST_SELF
#define POOLCHECK_FAST_SELF "simd_kernels.cpp"
#endif
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE POOLCHECK_FAST_SELF
#include <algorithm>
#include <cstdint>
#include <limits>

#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"
#include "kernels.hpp"
#include "poolcheck/argmax_index.hpp"

HWY_BEFORE_NAMESPACE();
namespace poolcheck::fast::detail {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// The running maximum of one vector of windows under one NaN rule. kFirst:
// Initial::first_candidate (else the maximum starts at lowest()).
template <class D, NanRule kRule, bool kFirst>
struct Chooser {
  using T = hn::TFromD<D>;
  using DI = hn::RebindToSigned<D>;
  using V = hn::Vec<D>;
  using VI = hn::Vec<DI>;
  using M = hn::Mask<D>;

  D d;
  DI di;
  V minus_inf = hn::Set(d, -std::numeric_limits<T>::infinity());
  V best;
  VI tap;
  M have;  // per lane, only for skip with first_candidate (NaN lanes stay unset)
  M saw_number = hn::FirstN(d, 0);
  bool started = !kFirst;  // for the rules under which every lane takes the same first tap

  Chooser() : Chooser(D(), -1) {}
  Chooser(D tag, std::int64_t initial_tap)
      : d(tag),
        best(kFirst ? minus_inf : hn::Set(d, std::numeric_limits<T>::lowest())),
        tap(hn::Set(di, static_cast<hn::TFromD<DI>>(initial_tap))),
        have(hn::FirstN(d, kFirst ? 0 : hn::Lanes(d))) {}

  HWY_INLINE void take(M better, V v, VI t) {
    best = hn::IfThenElse(better, v, best);
    tap = hn::IfThenElse(hn::RebindMask(di, better), t, tap);
  }

  HWY_INLINE void update(V v, VI t) {
    if constexpr (kRule == NanRule::ignore) {
      const M is_nan = hn::IsNaN(v);
      if constexpr (kFirst) saw_number = hn::Or(saw_number, hn::Not(is_nan));
      v = hn::IfThenElse(is_nan, minus_inf, v);  // np.nanargmax ranks NaN as -inf
      if (kFirst && !started) {
        started = true;
        best = v;
        tap = t;
        return;
      }
      take(v > best, v, t);
    } else if constexpr (kRule == NanRule::propagate) {
      if (kFirst && !started) {
        started = true;
        best = v;
        tap = t;
        return;
      }
      take(hn::Or(v > best, hn::IsNaN(v)), v, t);
    } else {  // skip: a NaN lane ignores this tap
      if constexpr (kFirst) {
        const M number = hn::Not(hn::IsNaN(v));
        take(hn::And(number, hn::Or(hn::Not(have), v > best)), v, t);
        have = hn::Or(have, number);
      } else {
        take(v > best, v, t);  // false for NaN
      }
    }
  }

  HWY_INLINE void finish(V& value, VI& index) const {
    const VI none = hn::Set(di, -1);
    value = best;
    index = tap;
    if constexpr (kRule == NanRule::ignore && kFirst) {
      // All-NaN window (including one with no candidate at all): NaN, no argmax.
      const V nan = hn::Set(d, std::numeric_limits<T>::quiet_NaN());
      value = hn::IfThenElse(saw_number, best, nan);
      index = hn::IfThenElse(hn::RebindMask(di, saw_number), tap, none);
    } else if constexpr (kRule == NanRule::skip && kFirst) {
      value = hn::IfThenElse(have, best, minus_inf);
      index = hn::IfThenElse(hn::RebindMask(di, have), tap, none);
    } else if constexpr (kFirst) {
      if (!started) {
        value = minus_inf;
        index = none;
      }
    }
  }
};

template <class D>
HWY_INLINE void store_taps(D d, hn::Vec<hn::RebindToSigned<D>> index, std::int64_t* out) {
  const hn::RebindToSigned<D> di;
  if constexpr (sizeof(hn::TFromD<D>) == 8) {
    hn::StoreU(index, di, reinterpret_cast<hn::TFromD<decltype(di)>*>(out));
  } else {
    hn::TFromD<decltype(di)> lanes[64];
    hn::StoreU(index, di, lanes);
    for (std::size_t i = 0; i < hn::Lanes(d); ++i) out[i] = lanes[i];
  }
}

struct TapOrder {
  int outer;
  int inner;
  explicit TapOrder(ScanOrder order)
      : outer(order == ScanOrder::row_major ? 0 : 2),
        inner(order == ScanOrder::row_major ? 2 : 0) {}
};

// ---------------------------------------------------------------- NHWC ----
// One vector of channels [c0, c0 + Lanes(d)) of the window whose first tap is
// at `origin`. kInterior: every tap is inside the image (no checks at all).
template <NanRule kRule, bool kFirst, bool kInterior, class D>
HWY_INLINE void nhwc_block(D d, const Plan& plan, const hn::TFromD<D>* x_image, const Dims& origin,
                           hn::TFromD<D>* y_out, std::int64_t* taps_out) {
  using T = hn::TFromD<D>;
  const Geometry& g = plan.g;
  const hn::RebindToSigned<D> di;
  using TI = hn::TFromD<decltype(di)>;
  Chooser<D, kRule, kFirst> chooser(d, plan.cv.initial == Initial::lowest_at_first_tap ? 0 : -1);
  const TapOrder order(plan.cv.order);
  const PadCells pad = plan.cv.pad;
  Dims tap{};
  for (tap[order.outer] = 0; tap[order.outer] < g.kernel[order.outer]; ++tap[order.outer]) {
    for (tap[1] = 0; tap[1] < g.kernel[1]; ++tap[1]) {
      for (tap[order.inner] = 0; tap[order.inner] < g.kernel[order.inner]; ++tap[order.inner]) {
        const auto tap_index =
            static_cast<TI>((tap[0] * g.kernel[1] + tap[1]) * g.kernel[2] + tap[2]);
        std::int64_t offset = 0;
        bool inside = true;
        for (int a = 0; a < kMaxRank; ++a) {
          std::int64_t p = origin[a] + tap[a] * g.dilation[a];
          if constexpr (!kInterior) {
            if (p < 0 || p >= g.in[a]) {
              inside = false;
              p = p < 0 ? 0 : g.in[a] - 1;
            }
          }
          offset += p * g.in_spatial_stride[a];
        }
        hn::Vec<D> v;
        if (kInterior || inside || pad == PadCells::border) {
          v = hn::LoadU(d, x_image + offset);
        } else if (pad == PadCells::excluded) {
          continue;
        } else {
          v = hn::Set(d, std::numeric_limits<T>::quiet_NaN());
        }
        chooser.update(v, hn::Set(di, tap_index));
      }
    }
  }
  hn::Vec<D> value;
  hn::Vec<decltype(di)> index;
  chooser.finish(value, index);
  hn::StoreU(value, d, y_out);
  if (taps_out != nullptr) store_taps(d, index, taps_out);
}

template <NanRule kRule, bool kFirst, bool kInterior, class T>
HWY_INLINE void nhwc_window(const Plan& plan, const T* x_image, const Dims& origin, T* y_out,
                            std::int64_t* taps_out) {
  const std::int64_t channels = plan.g.channels;
  const hn::ScalableTag<T> d;
  std::int64_t c0 = 0;
  const auto lanes = static_cast<std::int64_t>(hn::Lanes(d));
  for (; c0 + lanes <= channels; c0 += lanes)
    nhwc_block<kRule, kFirst, kInterior>(d, plan, x_image + c0, origin, y_out + c0,
                                         taps_out ? taps_out + c0 : nullptr);
  // The channel tail in ever narrower vectors: no masked loads (which some
  // targets emulate with full-width reads past the end).
  const auto tail = [&](auto narrow) {
    const auto n = static_cast<std::int64_t>(hn::Lanes(narrow));
    for (; c0 + n <= channels; c0 += n)
      nhwc_block<kRule, kFirst, kInterior>(narrow, plan, x_image + c0, origin, y_out + c0,
                                           taps_out ? taps_out + c0 : nullptr);
  };
  tail(hn::CappedTag<T, 8>());
  tail(hn::CappedTag<T, 4>());
  tail(hn::CappedTag<T, 2>());
  tail(hn::CappedTag<T, 1>());
}

// f(offset, id) for every tap of an interior window in the convention's scan
// order: offset from the window's first tap in elements, id as Plan::tap_id.
template <class F>
HWY_INLINE void for_each_interior_tap(const Plan& plan, const F& f) {
  const Geometry& g = plan.g;
  const Dims step{g.dilation[0] * g.in_spatial_stride[0], g.dilation[1] * g.in_spatial_stride[1],
                  g.dilation[2] * g.in_spatial_stride[2]};
  const Dims& id = plan.tap_id;
  if (plan.cv.order == ScanOrder::row_major) {
    for (std::int64_t t0 = 0; t0 < g.kernel[0]; ++t0)
      for (std::int64_t t1 = 0; t1 < g.kernel[1]; ++t1)
        for (std::int64_t t2 = 0; t2 < g.kernel[2]; ++t2)
          f(t0 * step[0] + t1 * step[1] + t2 * step[2], t0 * id[0] + t1 * id[1] + t2 * id[2]);
  } else {
    for (std::int64_t t2 = 0; t2 < g.kernel[2]; ++t2)
      for (std::int64_t t1 = 0; t1 < g.kernel[1]; ++t1)
        for (std::int64_t t0 = 0; t0 < g.kernel[0]; ++t0)
          f(t0 * step[0] + t1 * step[1] + t2 * step[2], t0 * id[0] + t1 * id[1] + t2 * id[2]);
  }
}

// Where vector u of an interior block reads and writes: x_window + u * x and
// y_out + u * y, either consecutive channel vectors of one window or one
// channel vector of consecutive windows along w.
struct BlockStep {
  std::int64_t x, y, index;  // index: how the argmax base moves per vector
};

// Interior windows (every tap inside the image): kVectors vectors at once, so
// that each tap's address arithmetic and loop control serve several loads.
// `x_window` points at the first tap of vector 0's window, channel c0. The
// lanes track the argmax as Plan::tap_id numbers; the caller's base is added
// on the way out.
//
// This is Chooser's rule specialised to windows without pad cells: the first
// candidate is always tap 0, so it initialises the lanes (no per-tap "started"
// test), and the ids are tracked only when the argmax is wanted. Under the
// ignore rule the running maximum is never NaN (NaN ranks as -inf, and -inf
// never beats it with a strict >), so a NaN tap can simply lose the compare;
// whether a lane saw any number only matters where the maximum ends at -inf,
// which is rare, so it is worked out afterwards for those blocks only.
//
// With kGather, vector u instead gathers lane i at x_window + gather[u][i]
// (+ the tap's offset), and the argmax base of its lane i is
// index_base + lane_base[u * Lanes(d) + i].
template <NanRule kRule, bool kFirst, bool kTaps, int kVectors, bool kGather = false, class D>
HWY_INLINE void interior_block(D d, const Plan& plan, const hn::TFromD<D>* x_window,
                               hn::TFromD<D>* y_out, std::int64_t* taps_out,
                               std::int64_t index_base, std::int64_t index_c, const BlockStep& step,
                               const hn::Vec<hn::RebindToSigned<D>>* gather = nullptr,
                               const std::int64_t* lane_base = nullptr) {
  using T = hn::TFromD<D>;
  const hn::RebindToSigned<D> di;
  using TI = hn::TFromD<decltype(di)>;
  using V = hn::Vec<D>;
  using VI = hn::Vec<decltype(di)>;
  using M = hn::Mask<D>;
  const auto lanes = static_cast<std::int64_t>(hn::Lanes(d));
  const V minus_inf = hn::Set(d, -std::numeric_limits<T>::infinity());
  const VI none = hn::Set(di, -1);
  const auto load = [&](std::int64_t offset, int u) HWY_ATTR {
    if constexpr (kGather)
      return hn::GatherIndex(d, x_window + offset, gather[u]);
    else
      return hn::LoadU(d, x_window + offset + u * step.x);
  };
  V best[kVectors];
  VI tap[kVectors];
  M have[kVectors];                     // skip with first_candidate: the lane has a number
  for (int u = 0; u < kVectors; ++u) {  // all set by tap 0; this keeps -Wmaybe-uninitialized quiet
    best[u] = minus_inf;
    tap[u] = none;
    have[u] = hn::FirstN(d, 0);
  }
  bool first = true;
  for_each_interior_tap(plan, [&](std::int64_t offset, std::int64_t id) HWY_ATTR {
    const VI ids = hn::Set(di, static_cast<TI>(id));
    if (first) {
      first = false;
#pragma GCC unroll 4
      for (int u = 0; u < kVectors; ++u) {
        const V v = load(offset, u);
        if constexpr (kFirst) {
          // Tap 0 is the first candidate.
          if constexpr (kRule == NanRule::ignore) {
            best[u] = hn::IfThenElse(hn::IsNaN(v), minus_inf, v);
          } else {
            best[u] = v;
          }
          if constexpr (kRule == NanRule::skip) {
            have[u] = hn::Not(hn::IsNaN(v));
            if constexpr (kTaps) tap[u] = hn::IfThenElse(hn::RebindMask(di, have[u]), ids, none);
          } else if constexpr (kTaps) {
            tap[u] = ids;
          }
        } else {
          // The maximum starts at lowest() (index 0 or none), then tap 0.
          const V lowest = hn::Set(d, std::numeric_limits<T>::lowest());
          M take = v > lowest;
          if constexpr (kRule == NanRule::propagate) take = hn::Or(take, hn::IsNaN(v));
          best[u] = hn::IfThenElse(take, v, lowest);
          if constexpr (kTaps) {
            const VI initial =
                plan.cv.initial == Initial::lowest_at_first_tap ? hn::Set(di, 0) : none;
            tap[u] = hn::IfThenElse(hn::RebindMask(di, take), ids, initial);
          }
        }
      }
      return;
    }
#pragma GCC unroll 4
    for (int u = 0; u < kVectors; ++u) {
      const V v = load(offset, u);
      M take = v > best[u];
      if constexpr (kRule == NanRule::propagate) {
        take = hn::Or(take, hn::IsNaN(v));
      } else if constexpr (kRule == NanRule::skip && kFirst) {
        const M number = hn::Not(hn::IsNaN(v));
        take = hn::And(number, hn::Or(hn::Not(have[u]), take));
        have[u] = hn::Or(have[u], number);
      }
      best[u] = hn::IfThenElse(take, v, best[u]);
      if constexpr (kTaps) tap[u] = hn::IfThenElse(hn::RebindMask(di, take), ids, tap[u]);
    }
  });
#pragma GCC unroll 4
  for (int u = 0; u < kVectors; ++u) {
    V value = best[u];
    VI index = kTaps ? tap[u] : none;
    if constexpr (kRule == NanRule::ignore && kFirst) {
      // All-NaN lanes: NaN, no argmax. Only a lane whose maximum is -inf can be one.
      const M at_minus_inf = hn::Eq(value, minus_inf);
      if (!hn::AllFalse(d, at_minus_inf)) {
        M saw_number = hn::FirstN(d, 0);
        for_each_interior_tap(plan, [&](std::int64_t offset, std::int64_t) HWY_ATTR {
          const V v = load(offset, u);
          saw_number = hn::Or(saw_number, hn::Not(hn::IsNaN(v)));
        });
        value = hn::IfThenElse(saw_number, value, hn::Set(d, std::numeric_limits<T>::quiet_NaN()));
        index = hn::IfThenElse(hn::RebindMask(di, saw_number), index, none);
      }
    } else if constexpr (kRule == NanRule::skip && kFirst) {
      value = hn::IfThenElse(have[u], value, minus_inf);
      index = hn::IfThenElse(hn::RebindMask(di, have[u]), index, none);
    }
    hn::StoreU(value, d, y_out + u * step.y);
    if constexpr (kTaps) {
      TI ids[64];
      hn::StoreU(index, di, ids);
      std::int64_t* out = taps_out + u * step.y;
      const std::int64_t base = index_base + u * step.index;
      if constexpr (kGather) {
        const std::int64_t* lane = lane_base + u * lanes;
        for (std::int64_t i = 0; i < lanes; ++i)
          out[i] = ids[i] < 0 ? kNoArgmax : index_base + lane[i] + ids[i];
      } else {
        for (std::int64_t i = 0; i < lanes; ++i)
          out[i] = ids[i] < 0 ? kNoArgmax : base + i * index_c + ids[i];
      }
    }
  }
}

// The interior windows [ow_begin, ow_end) of one row, all channels.
// `x_window` is the first window's first tap and index_base its argmax base
// for channel 0 (Plan::index_*). With few channel vectors per window, vectors
// of neighbouring windows are processed together instead.
template <NanRule kRule, bool kFirst, bool kTaps, class T>
HWY_INLINE void nhwc_interior_run(const Plan& plan, const T* x_window, T* y_out,
                                  std::int64_t* taps_out, std::int64_t index_base,
                                  std::int64_t windows) {
  const Geometry& g = plan.g;
  const std::int64_t channels = g.channels;
  const std::int64_t index_c = plan.index_c;
  const std::int64_t x_pixel = g.stride[2] * g.in_spatial_stride[2];
  const std::int64_t index_pixel = g.stride[2] * plan.index_pos[2];
  const hn::ScalableTag<T> d;
  const auto lanes = static_cast<std::int64_t>(hn::Lanes(d));
  const auto block = [&](auto tag, auto vectors, std::int64_t w, std::int64_t c0,
                         const BlockStep& step) HWY_ATTR {
    constexpr int kVectors = decltype(vectors)::value;
    interior_block<kRule, kFirst, kTaps, kVectors>(
        tag, plan, x_window + w * x_pixel + c0, y_out + w * channels + c0,
        kTaps ? taps_out + w * channels + c0 : nullptr, index_base + w * index_pixel + c0 * index_c,
        index_c, step);
  };
  const std::integral_constant<int, 4> four;
  const std::integral_constant<int, 1> one;
  // Fewer channels than lanes (RGB images): the lanes run along the row's
  // outputs in memory order, (window, channel) pairs, each lane gathering its
  // own window's taps. `P` windows take exactly `C` vectors; a last partial
  // group is shifted back to end at the run's end (recomputing some outputs,
  // with the same bits).
  const auto gathered = [&](auto tag, auto vectors) HWY_ATTR {
    constexpr int kC = decltype(vectors)::value;
    const hn::RebindToSigned<decltype(tag)> di;
    using TI = hn::TFromD<decltype(di)>;
    const auto p = static_cast<std::int64_t>(hn::Lanes(tag));
    if (windows < p) return false;
    TI index[kC * 64];
    std::int64_t lane_base[kC * 64];
    for (std::int64_t f = 0, w = 0, c = 0; f < kC * p; ++f) {  // w, c = f / kC, f % kC
      index[f] = static_cast<TI>(w * x_pixel + c);
      lane_base[f] = w * index_pixel + c * index_c;
      if (++c == kC) {
        c = 0;
        ++w;
      }
    }
    hn::Vec<decltype(di)> gather[kC];
    for (int u = 0; u < kC; ++u) gather[u] = hn::LoadU(di, index + u * p);
    const BlockStep step{0, p, 0};
    for (std::int64_t w0 = 0; w0 < windows; w0 += p) {
      const std::int64_t w = std::min(w0, windows - p);
      interior_block<kRule, kFirst, kTaps, kC, true>(
          tag, plan, x_window + w * x_pixel, y_out + w * kC, kTaps ? taps_out + w * kC : nullptr,
          index_base + w * index_pixel, index_c, step, gather, lane_base);
    }
    return true;
  };
  const auto gathered_any_width = [&](auto vectors) HWY_ATTR {
    return gathered(d, vectors) || gathered(hn::CappedTag<T, 8>(), vectors) ||
           gathered(hn::CappedTag<T, 4>(), vectors);
  };
  if (channels < lanes && lanes >= 4) {
    if (channels == 1 && gathered_any_width(std::integral_constant<int, 1>())) return;
    if (channels == 2 && gathered_any_width(std::integral_constant<int, 2>())) return;
    if (channels == 3 && gathered_any_width(std::integral_constant<int, 3>())) return;
    if (channels == 4 && gathered_any_width(std::integral_constant<int, 4>())) return;
  }
  const BlockStep across_channels{lanes, lanes, lanes * index_c};
  const BlockStep across_windows{x_pixel, channels, index_pixel};
  // With one to three full channel vectors per window: four windows at a time
  // for each of them.
  std::int64_t grouped = 0;
  if (channels >= lanes && channels < 4 * lanes) {
    grouped = windows - windows % 4;
    for (std::int64_t c0 = 0; c0 + lanes <= channels; c0 += lanes)
      for (std::int64_t w = 0; w < grouped; w += 4) block(d, four, w, c0, across_windows);
  }
  for (std::int64_t w = 0; w < windows; ++w) {
    std::int64_t c0 = 0;
    if (w < grouped) {
      c0 = channels - channels % lanes;
    } else {
      for (; c0 + 4 * lanes <= channels; c0 += 4 * lanes) block(d, four, w, c0, across_channels);
      for (; c0 + lanes <= channels; c0 += lanes) block(d, one, w, c0, across_channels);
    }
    // The channel tail in ever narrower vectors, as in nhwc_window.
    const auto tail = [&](auto narrow) HWY_ATTR {
      const auto n = static_cast<std::int64_t>(hn::Lanes(narrow));
      for (; c0 + n <= channels; c0 += n) block(narrow, one, w, c0, across_channels);
    };
    tail(hn::CappedTag<T, 8>());
    tail(hn::CappedTag<T, 4>());
    tail(hn::CappedTag<T, 2>());
    tail(hn::CappedTag<T, 1>());
  }
}

// Rows of NHWC outputs. Interior windows go to nhwc_interior_run, which writes
// the argmax in the profile's format directly (when the ids fit its lanes);
// the windows at the border go through the general nhwc_window and
// encode_argmax.
template <class T, NanRule kRule, bool kFirst, bool kTaps>
void nhwc_rows_impl(const Plan& plan, const T* x, T* y, std::int64_t* taps, std::int64_t row_begin,
                    std::int64_t row_end) {
  const Geometry& g = plan.g;
  const bool affine = plan.tap_id_fits;
  // Windows whose every w tap is inside: lo <= ow < hi.
  const OutputRange w = interior_along_w(g);
  const std::int64_t lo = w.lo, hi = w.hi;
  for (std::int64_t row = row_begin; row < row_end; ++row) {
    Dims o{};
    o[1] = row % g.out[1];
    o[0] = (row / g.out[1]) % g.out[0];
    const std::int64_t n = row / (g.out[1] * g.out[0]);
    const T* x_image = x + n * g.in_batch_stride;
    bool row_inside = true;  // along d and h
    for (int a = 0; a < 2; ++a) {
      const std::int64_t origin = o[a] * g.stride[a] - g.pad_begin[a];
      row_inside =
          row_inside && origin >= 0 && origin + (g.kernel[a] - 1) * g.dilation[a] < g.in[a];
    }
    const auto general = [&](std::int64_t ow) {
      o[2] = ow;
      Dims origin{};
      bool interior = true;
      for (int a = 0; a < kMaxRank; ++a) {
        origin[a] = o[a] * g.stride[a] - g.pad_begin[a];
        interior =
            interior && origin[a] >= 0 && origin[a] + (g.kernel[a] - 1) * g.dilation[a] < g.in[a];
      }
      const std::int64_t at = g.output_offset(n, 0, o);
      std::int64_t* taps_out = kTaps ? taps + at : nullptr;
      if (interior)
        nhwc_window<kRule, kFirst, true>(plan, x_image, origin, y + at, taps_out);
      else
        nhwc_window<kRule, kFirst, false>(plan, x_image, origin, y + at, taps_out);
      if (kTaps && plan.cv.index != IndexFormat::window)
        for (std::int64_t c = 0; c < g.channels; ++c)
          taps_out[c] = encode_argmax(g, plan.cv, n, c, o, taps_out[c]);
    };
    if (!row_inside || !affine || lo >= hi) {
      for (std::int64_t ow = 0; ow < g.out[2]; ++ow) general(ow);
      continue;
    }
    for (std::int64_t ow = 0; ow < lo; ++ow) general(ow);
    std::int64_t offset = 0;
    std::int64_t index_base = n * plan.index_n;
    o[2] = lo;
    for (int a = 0; a < kMaxRank; ++a) {
      const std::int64_t origin = o[a] * g.stride[a] - g.pad_begin[a];
      offset += origin * g.in_spatial_stride[a];
      index_base += origin * plan.index_pos[a];
    }
    const std::int64_t at = g.output_offset(n, 0, o);
    nhwc_interior_run<kRule, kFirst, kTaps>(plan, x_image + offset, y + at,
                                            kTaps ? taps + at : nullptr, index_base, hi - lo);
    for (std::int64_t ow = hi; ow < g.out[2]; ++ow) general(ow);
  }
}

template <class T, NanRule kRule, bool kFirst>
void nhwc_rows(const Plan& plan, const T* x, T* y, std::int64_t* taps, std::int64_t row_begin,
               std::int64_t row_end) {
  if (taps != nullptr)
    nhwc_rows_impl<T, kRule, kFirst, true>(plan, x, y, taps, row_begin, row_end);
  else
    nhwc_rows_impl<T, kRule, kFirst, false>(plan, x, y, taps, row_begin, row_end);
}

// ---------------------------------------------------------------- NCHW ----
// Outputs [ow0, ow0 + Lanes(d)) of one row; all their taps are inside along w.
template <NanRule kRule, bool kFirst, class D>
HWY_INLINE void nchw_block(D d, const Plan& plan, const hn::TFromD<D>* x_plane, const Dims& o,
                           std::int64_t ow0, hn::TFromD<D>* y_out, std::int64_t* taps_out) {
  using T = hn::TFromD<D>;
  const Geometry& g = plan.g;
  const hn::RebindToSigned<D> di;
  using TI = hn::TFromD<decltype(di)>;
  Chooser<D, kRule, kFirst> chooser(d, plan.cv.initial == Initial::lowest_at_first_tap ? 0 : -1);
  const TapOrder order(plan.cv.order);
  const PadCells pad = plan.cv.pad;
  const std::int64_t w_origin = ow0 * g.stride[2] - g.pad_begin[2];
  // Lane i reads w_origin + i * stride_w (+ the tap's offset).
  const auto lane_step = hn::Mul(hn::Iota(di, 0), hn::Set(di, static_cast<TI>(g.stride[2])));
  Dims tap{};
  for (tap[order.outer] = 0; tap[order.outer] < g.kernel[order.outer]; ++tap[order.outer]) {
    for (tap[1] = 0; tap[1] < g.kernel[1]; ++tap[1]) {
      for (tap[order.inner] = 0; tap[order.inner] < g.kernel[order.inner]; ++tap[order.inner]) {
        const auto tap_index =
            static_cast<TI>((tap[0] * g.kernel[1] + tap[1]) * g.kernel[2] + tap[2]);
        bool inside = true;
        std::int64_t offset = (w_origin + tap[2] * g.dilation[2]) * g.in_spatial_stride[2];
        for (int a = 0; a < 2; ++a) {
          std::int64_t p = o[a] * g.stride[a] - g.pad_begin[a] + tap[a] * g.dilation[a];
          if (p < 0 || p >= g.in[a]) {
            inside = false;
            p = p < 0 ? 0 : g.in[a] - 1;
          }
          offset += p * g.in_spatial_stride[a];
        }
        hn::Vec<D> v;
        if (inside || pad == PadCells::border) {
          if (g.stride[2] == 1)
            v = hn::LoadU(d, x_plane + offset);
          else
            v = hn::GatherIndex(d, x_plane + offset, lane_step);
        } else if (pad == PadCells::excluded) {
          continue;
        } else {
          v = hn::Set(d, std::numeric_limits<T>::quiet_NaN());
        }
        chooser.update(v, hn::Set(di, tap_index));
      }
    }
  }
  hn::Vec<D> value;
  hn::Vec<decltype(di)> index;
  chooser.finish(value, index);
  hn::StoreU(value, d, y_out);
  if (taps_out != nullptr) store_taps(d, index, taps_out);
}

template <class T, NanRule kRule, bool kFirst>
void nchw_rows(const Plan& plan, const T* x, T* y, std::int64_t* taps, std::int64_t row_begin,
               std::int64_t row_end) {
  const Geometry& g = plan.g;
  // Outputs whose every w tap is inside: lo <= ow < hi.
  const OutputRange w = interior_along_w(g);
  const std::int64_t lo = w.lo, hi = w.hi;
  const hn::ScalableTag<T> d;
  for (std::int64_t row = row_begin; row < row_end; ++row) {
    Dims o{};
    o[1] = row % g.out[1];
    o[0] = (row / g.out[1]) % g.out[0];
    const std::int64_t plane = row / (g.out[1] * g.out[0]);  // n * C + c
    const std::int64_t n = plane / g.channels;
    const std::int64_t c = plane % g.channels;
    const T* x_plane = x + n * g.in_batch_stride + c * g.in_channel_stride;
    const std::int64_t at = g.output_offset(n, c, o);
    const auto scalar = [&](std::int64_t ow) {
      Dims p = o;
      p[2] = ow;
      portable_forward_one(plan, x, y, taps, n, c, p);
    };
    for (std::int64_t ow = 0; ow < lo; ++ow) scalar(ow);
    std::int64_t ow = lo;
    const auto run = [&](auto dk) {
      const auto n_lanes = static_cast<std::int64_t>(hn::Lanes(dk));
      for (; ow + n_lanes <= hi; ow += n_lanes)
        nchw_block<kRule, kFirst>(dk, plan, x_plane, o, ow, y + at + ow,
                                  taps ? taps + at + ow : nullptr);
    };
    run(d);
    run(hn::CappedTag<T, 8>());
    run(hn::CappedTag<T, 4>());
    run(hn::CappedTag<T, 2>());
    run(hn::CappedTag<T, 1>());
    for (ow = hi; ow < g.out[2]; ++ow) scalar(ow);
  }
}

// ------------------------------------------------------------ dispatch ----
template <class T, template <class, NanRule, bool> class Rows>
struct ByRule {
  static void call(const Plan& plan, const T* x, T* y, std::int64_t* taps, std::int64_t begin,
                   std::int64_t end) {
    const bool first = plan.cv.initial == Initial::first_candidate;
    switch (plan.cv.nan) {
      case NanRule::ignore:
        return first ? nhwc_or_nchw<NanRule::ignore, true>(plan, x, y, taps, begin, end)
                     : nhwc_or_nchw<NanRule::ignore, false>(plan, x, y, taps, begin, end);
      case NanRule::skip:
        return first ? nhwc_or_nchw<NanRule::skip, true>(plan, x, y, taps, begin, end)
                     : nhwc_or_nchw<NanRule::skip, false>(plan, x, y, taps, begin, end);
      case NanRule::propagate:
      case NanRule::unspecified:
        return first ? nhwc_or_nchw<NanRule::propagate, true>(plan, x, y, taps, begin, end)
                     : nhwc_or_nchw<NanRule::propagate, false>(plan, x, y, taps, begin, end);
    }
  }
  template <NanRule kRule, bool kFirst>
  static void nhwc_or_nchw(const Plan& plan, const T* x, T* y, std::int64_t* taps,
                           std::int64_t begin, std::int64_t end) {
    Rows<T, kRule, kFirst>::run(plan, x, y, taps, begin, end);
  }
};

template <class T, NanRule kRule, bool kFirst>
struct NhwcRows {
  static void run(const Plan& plan, const T* x, T* y, std::int64_t* taps, std::int64_t begin,
                  std::int64_t end) {
    nhwc_rows<T, kRule, kFirst>(plan, x, y, taps, begin, end);
  }
};
template <class T, NanRule kRule, bool kFirst>
struct NchwRows {
  static void run(const Plan& plan, const T* x, T* y, std::int64_t* taps, std::int64_t begin,
                  std::int64_t end) {
    nchw_rows<T, kRule, kFirst>(plan, x, y, taps, begin, end);
  }
};

// simd_backward.cpp, compiled for the same targets.
void add_scatter_kernels(SimdKernels& k);

SimdKernels kernels_for_this_target() {
  SimdKernels k;
  add_scatter_kernels(k);
  k.highway_target = HWY_TARGET;
  k.f32_nhwc = &ByRule<float, NhwcRows>::call;
  k.f64_nhwc = &ByRule<double, NhwcRows>::call;
  k.f32_nchw = &ByRule<float, NchwRows>::call;
  k.f64_nchw = &ByRule<double, NchwRows>::call;
  return k;
}

}  // namespace HWY_NAMESPACE
}  // namespace poolcheck::fast::detail
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
#include <cctype>
#include <mutex>
#include <string>

namespace poolcheck::fast::detail {

HWY_EXPORT(kernels_for_this_target);

namespace {

std::string user_facing_name(std::int64_t target) {
  if (target == HWY_AVX3) return "avx512";
  if (target == HWY_AVX3_DL) return "avx512_dl";
  std::string name = hwy::TargetName(target);
  for (char& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return name;
}

}  // namespace

const std::vector<SimdKernels>& simd_targets() {
  static const std::vector<SimdKernels> targets = [] {
    std::vector<SimdKernels> found;
    // SupportedAndGeneratedTargets lists single target bits, lowest bit
    // (best target) first; the dispatch table holds one entry per bit.
    for (const std::int64_t target : hwy::SupportedAndGeneratedTargets()) {
#if (HWY_TARGETS & (HWY_TARGETS - 1)) == 0
      if (target != HWY_STATIC_TARGET) continue;
      SimdKernels k = HWY_STATIC_DISPATCH(kernels_for_this_target)();
#else
      const bool fallback = (target & (HWY_EMU128 | HWY_SCALAR)) != 0;
      const std::size_t index =
          fallback ? HWY_MAX_DYNAMIC_TARGETS + 1
                   : hwy::Num0BitsBelowLS1Bit_Nonzero64(
                         static_cast<std::uint64_t>(HWY_CHOSEN_TARGET_SHIFT(target)));
      const auto entry = HWY_DISPATCH_TABLE(kernels_for_this_target)[index];
      if (entry == nullptr) continue;
      SimdKernels k = entry();
#endif
      if (k.highway_target != target) continue;  // the table disagrees: never guess
      k.name = user_facing_name(target);
      found.push_back(std::move(k));
    }
    return found;
  }();
  return targets;
}

}  // namespace poolcheck::fast::detail
#endif  // HWY_ONCE
