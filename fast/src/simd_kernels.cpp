// The SIMD kernels, compiled once per Highway target (foreach_target.h).
//
// NHWC: lanes are consecutive channels of one output position, or with fewer
// channels than lanes, consecutive (pixel, channel) pairs of the windows that
// start at every pixel; every lane sees the same taps, so pad and scan
// decisions are per tap, not per lane.
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
#include <utility>

#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"
#include "kernels.hpp"
#include "poolcheck/argmax_index.hpp"

// The lambdas inside a block's tap loop: forced inline, because where GCC
// outlines one it becomes a call per tap with the block's vectors in memory.
#ifndef POOLCHECK_HOT_LAMBDA
#define POOLCHECK_HOT_LAMBDA HWY_ATTR __attribute__((always_inline))
#endif

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

// f(std::integral_constant<int, u>()) for u in [0, kCount): the vectors of a
// block, with constant indices so that their arrays can live in registers
// (GCC kept them on the stack when a loop, even one unrolled by a pragma,
// indexed them: a store and a reload in every compare chain).
template <int kCount, class F>
HWY_INLINE void for_each_vector(const F& f) {
  [&]<int... kU>(std::integer_sequence<int, kU...>) POOLCHECK_HOT_LAMBDA {
    (f(std::integral_constant<int, kU>()), ...);
  }
  (std::make_integer_sequence<int, kCount>());
}

struct TapOrder {
  int outer;
  int inner;
  explicit TapOrder(ScanOrder order)
      : outer(order == ScanOrder::row_major ? 0 : 2),
        inner(order == ScanOrder::row_major ? 2 : 0) {}
};

// ---------------------------------------------------------------- NHWC ----
// f(offset, id, nan_pad) for every candidate tap of the window at `origin`, in
// the convention's scan order: the offset from the image's first element of
// the cell it reads (PadCells::border: the clamped cell), the window-local
// row-major tap number, and whether it is a pad cell holding NaN
// (PadCells::nan: nothing to read). Excluded pad cells are no candidates.
// kInterior: every tap is inside the image (no checks at all).
template <bool kInterior, class F>
HWY_INLINE void for_each_window_tap(const Plan& plan, const Dims& origin, const F& f) {
  const Geometry& g = plan.g;
  const TapOrder order(plan.cv.order);
  const PadCells pad = plan.cv.pad;
  Dims tap{};
  for (tap[order.outer] = 0; tap[order.outer] < g.kernel[order.outer]; ++tap[order.outer]) {
    for (tap[1] = 0; tap[1] < g.kernel[1]; ++tap[1]) {
      for (tap[order.inner] = 0; tap[order.inner] < g.kernel[order.inner]; ++tap[order.inner]) {
        const std::int64_t tap_index = (tap[0] * g.kernel[1] + tap[1]) * g.kernel[2] + tap[2];
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
        if (kInterior || inside || pad == PadCells::border)
          f(offset, tap_index, false);
        else if (pad == PadCells::nan)
          f(std::int64_t{0}, tap_index, true);
      }
    }
  }
}

// The candidate taps of a window, or of a run of windows that agree on them,
// worked out once for all its channel vectors: for_each_window_tap's list
// with offsets taken from `base` (the caller's window pointer).
struct TapList {
  static constexpr std::int64_t kMax = 64;
  std::int64_t count = 0;
  std::int64_t offset[kMax];
  std::int64_t id[kMax];
  bool nan_pad[kMax];

  template <class F>
  HWY_INLINE void operator()(const F& f) const {
    for (std::int64_t i = 0; i < count; ++i) f(offset[i], id[i], nan_pad[i]);
  }
};

// How far past the window pointer the taps visited by `taps(f)` read (a NaN
// pad cell reads nothing).
template <class Taps>
HWY_INLINE std::int64_t tap_reach(const Taps& taps) {
  std::int64_t reach = 0;
  taps([&](std::int64_t offset, std::int64_t, bool nan_pad) {
    if (!nan_pad) reach = std::max(reach, offset);
  });
  return reach;
}

// False (and no list) for windows of more than TapList::kMax taps.
template <bool kInterior>
HWY_INLINE bool list_window_taps(const Plan& plan, const Dims& origin, std::int64_t base,
                                 TapList& list) {
  if (plan.g.kernel_volume() > TapList::kMax) return false;
  list.count = 0;
  for_each_window_tap<kInterior>(plan, origin,
                                 [&](std::int64_t offset, std::int64_t id, bool nan_pad) {
                                   list.offset[list.count] = offset - base;
                                   list.id[list.count] = id;
                                   list.nan_pad[list.count] = nan_pad;
                                   ++list.count;
                                 });
  return true;
}

// One vector of channels [c0, c0 + Lanes(d)) of one window; `taps(f)` visits
// its taps as for_each_window_tap does, offsets from `x_window` (channel c0).
template <NanRule kRule, bool kFirst, class D, class Taps>
HWY_INLINE void nhwc_block(D d, const Plan& plan, const hn::TFromD<D>* x_window, const Taps& taps,
                           hn::TFromD<D>* y_out, std::int64_t* taps_out) {
  using T = hn::TFromD<D>;
  const hn::RebindToSigned<D> di;
  using TI = hn::TFromD<decltype(di)>;
  Chooser<D, kRule, kFirst> chooser(d, plan.cv.initial == Initial::lowest_at_first_tap ? 0 : -1);
  const hn::Vec<D> nan = hn::Set(d, std::numeric_limits<T>::quiet_NaN());
  taps([&](std::int64_t offset, std::int64_t id, bool nan_pad) POOLCHECK_HOT_LAMBDA {
    chooser.update(nan_pad ? nan : hn::LoadU(d, x_window + offset),
                   hn::Set(di, static_cast<TI>(id)));
  });
  hn::Vec<D> value;
  hn::Vec<decltype(di)> index;
  chooser.finish(value, index);
  hn::StoreU(value, d, y_out);
  if (taps_out != nullptr) store_taps(d, index, taps_out);
}

// Every channel of one window, in full vectors and then ever narrower ones
// (no masked loads, which some targets emulate with full-width reads past the
// end).
template <NanRule kRule, bool kFirst, class T, class Taps>
HWY_INLINE void nhwc_channels(const Plan& plan, const T* x_image, const Taps& taps, T* y_out,
                              std::int64_t* taps_out) {
  const std::int64_t channels = plan.g.channels;
  std::int64_t c0 = 0;
  const auto run = [&](auto narrow) HWY_ATTR {
    const auto n = static_cast<std::int64_t>(hn::Lanes(narrow));
    for (; c0 + n <= channels; c0 += n)
      nhwc_block<kRule, kFirst>(narrow, plan, x_image + c0, taps, y_out + c0,
                                taps_out ? taps_out + c0 : nullptr);
  };
  run(hn::ScalableTag<T>());
  run(hn::CappedTag<T, 8>());
  run(hn::CappedTag<T, 4>());
  run(hn::CappedTag<T, 2>());
  run(hn::CappedTag<T, 1>());
}

// One window, all channels. Its taps are listed once (when they fit a
// TapList), not worked out again for every channel vector.
template <NanRule kRule, bool kFirst, bool kInterior, class T>
HWY_INLINE void nhwc_window(const Plan& plan, const T* x_image, const Dims& origin, T* y_out,
                            std::int64_t* taps_out) {
  TapList list;
  if (list_window_taps<kInterior>(plan, origin, 0, list)) {
    nhwc_channels<kRule, kFirst>(plan, x_image, list, y_out, taps_out);
  } else {
    const auto visit = [&](const auto& f)
                           HWY_ATTR { for_each_window_tap<kInterior>(plan, origin, f); };
    nhwc_channels<kRule, kFirst>(plan, x_image, visit, y_out, taps_out);
  }
}

// The taps of a window wholly inside the image, in the convention's scan
// order, as f(offset, id, false): offset from the window's first tap in
// elements, id as Plan::tap_id (no pad cells).
struct InteriorTaps {
  const Plan& plan;

  template <class F>
  HWY_INLINE void operator()(const F& f) const {
    const Geometry& g = plan.g;
    const Dims step{g.dilation[0] * g.in_spatial_stride[0], g.dilation[1] * g.in_spatial_stride[1],
                    g.dilation[2] * g.in_spatial_stride[2]};
    const Dims& id = plan.tap_id;
    if (plan.cv.order == ScanOrder::row_major) {
      for (std::int64_t t0 = 0; t0 < g.kernel[0]; ++t0)
        for (std::int64_t t1 = 0; t1 < g.kernel[1]; ++t1)
          for (std::int64_t t2 = 0; t2 < g.kernel[2]; ++t2)
            f(t0 * step[0] + t1 * step[1] + t2 * step[2], t0 * id[0] + t1 * id[1] + t2 * id[2],
              false);
    } else {
      for (std::int64_t t2 = 0; t2 < g.kernel[2]; ++t2)
        for (std::int64_t t1 = 0; t1 < g.kernel[1]; ++t1)
          for (std::int64_t t0 = 0; t0 < g.kernel[0]; ++t0)
            f(t0 * step[0] + t1 * step[1] + t2 * step[2], t0 * id[0] + t1 * id[1] + t2 * id[2],
              false);
    }
  }
};

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
// `taps(f)` visits the taps as f(offset, id, nan_pad): the interior taps
// (InteriorTaps), or a TapList shared by windows that agree on which of their
// taps are pad cells (a row at the top or bottom border). A NaN pad cell is a
// NaN candidate like any other, so the rule above still holds.
template <NanRule kRule, bool kFirst, bool kTaps, int kVectors, class D, class Taps>
HWY_INLINE void interior_block(D d, const Plan& plan, const Taps& taps,
                               const hn::TFromD<D>* x_window, hn::TFromD<D>* y_out,
                               std::int64_t* taps_out, std::int64_t index_base,
                               std::int64_t index_c, const BlockStep& step) {
  using T = hn::TFromD<D>;
  const hn::RebindToSigned<D> di;
  using TI = hn::TFromD<decltype(di)>;
  using V = hn::Vec<D>;
  using VI = hn::Vec<decltype(di)>;
  using M = hn::Mask<D>;
  const auto lanes = static_cast<std::int64_t>(hn::Lanes(d));
  const V minus_inf = hn::Set(d, -std::numeric_limits<T>::infinity());
  const VI none = hn::Set(di, -1);
  const V nan = hn::Set(d, std::numeric_limits<T>::quiet_NaN());
  const auto load = [&](std::int64_t offset, bool nan_pad, int u) POOLCHECK_HOT_LAMBDA {
    return nan_pad ? nan : hn::LoadU(d, x_window + offset + u * step.x);
  };
  V best[kVectors];
  VI tap[kVectors];
  M have[kVectors];  // skip with first_candidate: the lane has a number
  // All set by tap 0; this keeps -Wmaybe-uninitialized quiet.
  for_each_vector<kVectors>([&](auto u) POOLCHECK_HOT_LAMBDA {
    best[u] = minus_inf;
    tap[u] = none;
    have[u] = hn::FirstN(d, 0);
  });
  bool first = true;
  taps([&](std::int64_t offset, std::int64_t id, bool nan_pad) POOLCHECK_HOT_LAMBDA {
    const VI ids = hn::Set(di, static_cast<TI>(id));
    if (first) {
      first = false;
      for_each_vector<kVectors>([&](auto u) POOLCHECK_HOT_LAMBDA {
        const V v = load(offset, nan_pad, u);
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
      });
      return;
    }
    for_each_vector<kVectors>([&](auto u) POOLCHECK_HOT_LAMBDA {
      const V v = load(offset, nan_pad, u);
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
    });
  });
  for_each_vector<kVectors>([&](auto u) POOLCHECK_HOT_LAMBDA {
    V value = best[u];
    VI index = kTaps ? tap[u] : none;
    if constexpr (kRule == NanRule::ignore && kFirst) {
      // All-NaN lanes: NaN, no argmax. Only a lane whose maximum is -inf can be one.
      const M at_minus_inf = hn::Eq(value, minus_inf);
      if (!hn::AllFalse(d, at_minus_inf)) {
        M saw_number = hn::FirstN(d, 0);
        taps([&](std::int64_t offset, std::int64_t, bool nan_pad) POOLCHECK_HOT_LAMBDA {
          const V v = load(offset, nan_pad, u);
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
      for (std::int64_t i = 0; i < lanes; ++i)
        out[i] = ids[i] < 0 ? kNoArgmax : base + i * index_c + ids[i];
    }
  });
}

// How a run's argmax ids become indices: base + channel * c + w * pixel + id
// for channel `channel` of the run's w-th window (from Plan::index_* for
// interior windows; all zero where the ids are window tap numbers already).
struct IndexMap {
  std::int64_t base = 0;
  std::int64_t c = 0;
  std::int64_t pixel = 0;
};

// `windows` consecutive windows of one row that are inside along w and agree
// on their taps (`taps`, offsets from each window's pointer; x_window is the
// first window's, and the input has x_room elements from there on), all
// channels. With few channel vectors per window, vectors
// of neighbouring windows are processed together instead.
template <NanRule kRule, bool kFirst, bool kTaps, class T, class Taps>
HWY_INLINE void nhwc_interior_run(const Plan& plan, const Taps& taps, const T* x_window,
                                  std::int64_t x_room, T* y_out, std::int64_t* taps_out,
                                  const IndexMap& map, std::int64_t windows) {
  const Geometry& g = plan.g;
  const std::int64_t channels = g.channels;
  const std::int64_t index_base = map.base;
  const std::int64_t index_c = map.c;
  const std::int64_t x_pixel = g.stride[2] * g.in_spatial_stride[2];
  const std::int64_t index_pixel = map.pixel;
  const hn::ScalableTag<T> d;
  const auto lanes = static_cast<std::int64_t>(hn::Lanes(d));
  const auto block = [&](auto tag, auto vectors, std::int64_t w, std::int64_t c0,
                         const BlockStep& step) HWY_ATTR {
    constexpr int kVectors = decltype(vectors)::value;
    interior_block<kRule, kFirst, kTaps, kVectors>(
        tag, plan, taps, x_window + w * x_pixel + c0, y_out + w * channels + c0,
        kTaps ? taps_out + w * channels + c0 : nullptr, index_base + w * index_pixel + c0 * index_c,
        index_c, step);
  };
  const std::integral_constant<int, 4> four;
  const std::integral_constant<int, 1> one;
  // Fewer channels than lanes (RGB images): the windows that start at every
  // pixel (stride 1 along w) are consecutive in memory, so with lanes over
  // (pixel, channel) each tap is one plain load, where lanes over this row's
  // (window, channel) would need a gather. Those stride-1 windows are pooled
  // into a buffer on the stack, a chunk of the row at a time, and every s-th
  // is kept; the argmax is tracked as ids and given its base on the way out.
  // Each kept window is pooled exactly as the definition says, so the bits do
  // not depend on this.
  if (channels < lanes) {
    const std::int64_t s = g.stride[2];
    const std::int64_t pixel = g.in_spatial_stride[2];  // = channels
    constexpr std::int64_t kBuffer = 2048;
    alignas(64) T pooled_buffer[kBuffer];
    alignas(64) std::int64_t id_buffer[kTaps ? kBuffer : 1];
    // Windows per chunk: (per_chunk - 1) * s + 1 pixels of outputs fit the buffer.
    const std::int64_t per_chunk = (kBuffer / channels - 1) / s + 1;
    const BlockStep along{lanes, lanes, 0};
    const std::int64_t reach = tap_reach(taps);
    for (std::int64_t w0 = 0; w0 < windows; w0 += per_chunk) {
      const std::int64_t count = std::min(per_chunk, windows - w0);
      std::int64_t elements = ((count - 1) * s + 1) * channels;
      const T* const x_chunk = x_window + w0 * x_pixel;
      // With stride 1 and no argmax the pooled windows are the outputs.
      const bool direct = s == 1 && !kTaps;
      T* const pooled = direct ? y_out + w0 * channels : pooled_buffer;
      // Pooling a few windows more than needed (into lanes that are never
      // kept) lets the chunk end on a group of four vectors instead of a
      // string of single narrow ones, whose compares form one long chain of
      // dependencies each; where those windows' reads stay inside the input.
      const std::int64_t whole = (elements + 4 * lanes - 1) / (4 * lanes) * (4 * lanes);
      if (!direct && whole <= kBuffer && w0 * x_pixel + whole + reach <= x_room) elements = whole;
      std::int64_t e = 0;
      const auto run = [&](auto tag, auto vectors) HWY_ATTR {
        constexpr int kVectors = decltype(vectors)::value;
        const auto n = static_cast<std::int64_t>(hn::Lanes(tag)) * kVectors;
        for (; e + n <= elements; e += n)
          interior_block<kRule, kFirst, kTaps, kVectors>(tag, plan, taps, x_chunk + e, pooled + e,
                                                         kTaps ? id_buffer + e : nullptr, 0, 0,
                                                         along);
      };
      run(d, four);
      run(d, one);
      run(hn::CappedTag<T, 8>(), one);
      run(hn::CappedTag<T, 4>(), one);
      run(hn::CappedTag<T, 2>(), one);
      run(hn::CappedTag<T, 1>(), one);
      if (direct) continue;
      // Every s-th pooled window; with the channel count a constant for the
      // common small ones, so that the copy is straight-line code.
      const auto keep = [&](auto kept_channels) {
        const std::int64_t kc = kept_channels;
        for (std::int64_t k = 0; k < count; ++k) {
          const std::int64_t w = w0 + k;
          const std::int64_t from = k * s * pixel;
          for (std::int64_t c = 0; c < kc; ++c) {
            y_out[w * kc + c] = pooled[from + c];
            if constexpr (kTaps) {
              const std::int64_t id = id_buffer[from + c];
              taps_out[w * kc + c] =
                  id < 0 ? kNoArgmax : index_base + w * index_pixel + c * index_c + id;
            }
          }
        }
      };
      switch (channels) {
        case 1:
          keep(std::integral_constant<std::int64_t, 1>());
          break;
        case 2:
          keep(std::integral_constant<std::int64_t, 2>());
          break;
        case 3:
          keep(std::integral_constant<std::int64_t, 3>());
          break;
        case 4:
          keep(std::integral_constant<std::int64_t, 4>());
          break;
        default:
          keep(channels);
      }
    }
    return;
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

// One window of fewer channels than a vector holds, listed in `list`, in one
// vector whose extra lanes read the cells after it (and are never stored):
// one compare chain instead of one per narrower tail vector. False where the
// input has no room for those reads or the list is empty (interior_block
// needs a first candidate).
template <NanRule kRule, bool kFirst, bool kTaps, class T>
HWY_INLINE bool nhwc_window_one_vector(const Plan& plan, const TapList& list, const T* x_window,
                                       std::int64_t x_room, T* y_out, std::int64_t* taps_out) {
  const std::int64_t channels = plan.g.channels;
  if (list.count == 0) return false;
  const std::int64_t reach = tap_reach(list);
  const auto in_one = [&](auto tag) HWY_ATTR {
    const auto lanes = static_cast<std::int64_t>(hn::Lanes(tag));
    if (channels > lanes || reach + lanes > x_room) return false;
    alignas(64) T values[64];
    alignas(64) std::int64_t ids[64];
    interior_block<kRule, kFirst, kTaps, 1>(tag, plan, list, x_window, values,
                                            kTaps ? ids : nullptr, 0, 0, BlockStep{0, 0, 0});
    for (std::int64_t c = 0; c < channels; ++c) {
      y_out[c] = values[c];
      if constexpr (kTaps) taps_out[c] = ids[c];
    }
    return true;
  };
  return channels <= 4 ? in_one(hn::CappedTag<T, 4>())
                       : (channels <= 8 && in_one(hn::CappedTag<T, 8>()));
}

// Rows of NHWC outputs. The windows inside along w go to nhwc_interior_run:
// in rows inside along d and h too, with the interior taps and the argmax
// written in the profile's format directly (when the ids fit its lanes); in
// rows at the top or bottom border, with the row's TapList (they agree on
// which taps are pad cells) and window tap numbers, encoded afterwards. The
// windows at the left and right border go through nhwc_window and
// encode_argmax.
template <class T, NanRule kRule, bool kFirst, bool kTaps>
void nhwc_rows_impl(const Plan& plan, const T* x, T* y, std::int64_t* taps, std::int64_t row_begin,
                    std::int64_t row_end) {
  const Geometry& g = plan.g;
  const bool affine = plan.tap_id_fits;
  // Windows whose every w tap is inside: lo <= ow < hi.
  const OutputRange w = interior_along_w(g);
  const std::int64_t lo = w.lo, hi = w.hi;
  // The first and last kEdge windows of the rows inside along d and h: the
  // same window of every such row has the same taps, so they are listed once,
  // from the row's first cell, instead of once per row.
  constexpr std::int64_t kEdge = 2;
  TapList edge[2 * kEdge];
  const auto edge_slot = [&](std::int64_t ow) -> std::int64_t {
    if (ow < kEdge) return ow;
    if (ow >= g.out[2] - kEdge && ow >= kEdge) return kEdge + ow - (g.out[2] - kEdge);
    return -1;
  };
  const bool edge_listed = g.kernel_volume() <= TapList::kMax;
  for (std::int64_t ow = 0; edge_listed && ow < g.out[2]; ++ow) {
    if (ow == kEdge) ow = std::max(ow, g.out[2] - kEdge);  // skip to the last ones
    const Dims origin{0, 0, ow * g.stride[2] - g.pad_begin[2]};
    list_window_taps<false>(plan, origin, 0, edge[edge_slot(ow)]);
  }
  const T* const x_end = x + g.input_elements();
  // Row = (n, od, oh), counted up rather than divided out for every row.
  std::int64_t oh = row_begin % g.out[1];
  std::int64_t od = (row_begin / g.out[1]) % g.out[0];
  std::int64_t n = row_begin / (g.out[1] * g.out[0]);
  const auto next_row = [&] {
    if (++oh < g.out[1]) return;
    oh = 0;
    if (++od < g.out[0]) return;
    od = 0;
    ++n;
  };
  for (std::int64_t row = row_begin; row < row_end; ++row, next_row()) {
    Dims o{od, oh, 0};
    const T* x_image = x + n * g.in_batch_stride;
    bool row_inside = true;  // along d and h
    for (int a = 0; a < 2; ++a) {
      const std::int64_t origin = o[a] * g.stride[a] - g.pad_begin[a];
      row_inside =
          row_inside && origin >= 0 && origin + (g.kernel[a] - 1) * g.dilation[a] < g.in[a];
    }
    const auto encode = [&](std::int64_t ow) {
      o[2] = ow;
      std::int64_t* const taps_out = taps + g.output_offset(n, 0, o);
      for (std::int64_t c = 0; c < g.channels; ++c)
        taps_out[c] = encode_argmax(g, plan.cv, n, c, o, taps_out[c]);
    };
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
      const std::int64_t slot = edge_listed && row_inside ? edge_slot(ow) : -1;
      if (slot >= 0) {
        const T* const x_row =
            x_image + origin[0] * g.in_spatial_stride[0] + origin[1] * g.in_spatial_stride[1];
        if (!nhwc_window_one_vector<kRule, kFirst, kTaps>(plan, edge[slot], x_row, x_end - x_row,
                                                          y + at, taps_out))
          nhwc_channels<kRule, kFirst>(plan, x_row, edge[slot], y + at, taps_out);
      } else if (interior)
        nhwc_window<kRule, kFirst, true>(plan, x_image, origin, y + at, taps_out);
      else
        nhwc_window<kRule, kFirst, false>(plan, x_image, origin, y + at, taps_out);
      if (kTaps && plan.cv.index != IndexFormat::window) encode(ow);
    };
    // The windows [lo, hi) of a border row, vectorised over its shared taps;
    // false where they cannot be (too many taps, or none is a candidate).
    const auto border_row_run = [&]() {
      Dims origin{};
      for (int a = 0; a < kMaxRank; ++a)
        origin[a] = (a == 2 ? lo : o[a]) * g.stride[a] - g.pad_begin[a];
      const std::int64_t base = origin[2] * g.in_spatial_stride[2];
      TapList list;
      if (!list_window_taps<false>(plan, origin, base, list) || list.count == 0) return false;
      o[2] = lo;
      const std::int64_t at = g.output_offset(n, 0, o);
      nhwc_interior_run<kRule, kFirst, kTaps>(plan, list, x_image + base, x_end - (x_image + base),
                                              y + at, kTaps ? taps + at : nullptr, IndexMap{},
                                              hi - lo);
      if (kTaps && plan.cv.index != IndexFormat::window)
        for (std::int64_t ow = lo; ow < hi; ++ow) encode(ow);
      return true;
    };
    if (lo >= hi || (row_inside && !affine)) {
      for (std::int64_t ow = 0; ow < g.out[2]; ++ow) general(ow);
      continue;
    }
    for (std::int64_t ow = 0; ow < lo; ++ow) general(ow);
    if (row_inside) {
      std::int64_t offset = 0;
      IndexMap index{n * plan.index_n, plan.index_c, g.stride[2] * plan.index_pos[2]};
      o[2] = lo;
      for (int a = 0; a < kMaxRank; ++a) {
        const std::int64_t origin = o[a] * g.stride[a] - g.pad_begin[a];
        offset += origin * g.in_spatial_stride[a];
        index.base += origin * plan.index_pos[a];
      }
      const std::int64_t at = g.output_offset(n, 0, o);
      nhwc_interior_run<kRule, kFirst, kTaps>(plan, InteriorTaps{plan}, x_image + offset,
                                              x_end - (x_image + offset), y + at,
                                              kTaps ? taps + at : nullptr, index, hi - lo);
    } else if (!border_row_run()) {
      for (std::int64_t ow = lo; ow < hi; ++ow) general(ow);
    }
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
