// The SIMD backward scatter for NHWC windows,
// compiled once per Highway target (foreach_target.h).
//
// Lanes are consecutive channels of one window. Every lane's argmax names one
// of the window's taps, so instead of a gather and a scatter per lane (which
// most targets lack) the kernel visits the window's taps: for tap i, the lanes
// whose index is tap i add dy into the cells at offset[i]; the other lanes
// store their cell's bits back unchanged (a blend moves bits, so -0.0 and NaN
// payloads survive), and a NaN meeting a NaN keeps the cell's payload, as in
// ScalarTraits::add. Lanes are distinct channels, hence distinct cells, and
// windows are visited in the caller's (the definition's) order, so every cell
// receives the same additions in the same order as in the scalar loop.
//
// Indices are first turned into window-relative ids in integers as wide as
// the element (so the compare masks apply to the element lanes directly):
// id = index - (base + c * index_c), or -1 for "no argmax", or -2 for an index
// that names no tap of this window (a leftover for the caller's decoder).

#ifndef POOLCHECK_FAST_SELF
#define POOLCHECK_FAST_SELF "simd_backward.cpp"
#endif
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE POOLCHECK_FAST_SELF
#include <algorithm>
#include <cstdint>

#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"
#include "kernels.hpp"
#include "poolcheck/argmax_index.hpp"

HWY_BEFORE_NAMESPACE();
namespace poolcheck::fast::detail {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

template <class T>
std::int64_t nhwc_scatter(const ScatterTaps& taps, const std::int64_t* argmax, const T* dy,
                          T* dx_window, std::int64_t index_base, std::int64_t index_c,
                          std::int64_t channels, std::int64_t* leftover,
                          std::int64_t* leftover_count) {
  using TI = hwy::MakeSigned<T>;  // an id lane as wide as an element lane
  const hn::ScalableTag<T> d;
  const hn::RebindToSigned<decltype(d)> di;
  const auto lanes = static_cast<std::int64_t>(hn::Lanes(d));
  const std::int64_t covered = std::min(channels, kScatterChunk) / lanes * lanes;
  alignas(64) TI ids[kScatterChunk];
  // Plain loop: the compiler vectorises it for this target.
  for (std::int64_t c = 0; c < covered; ++c) {
    const std::int64_t index = argmax[c];
    // Range test before subtracting: a hostile index near INT64_MIN must not
    // overflow (the base is at most the input's size).
    const std::int64_t base = index_base + c * index_c;
    TI id = -2;
    if (index == kNoArgmax)
      id = -1;
    else if (index >= base && index - base <= taps.largest_id)
      id = static_cast<TI>(index - base);
    ids[c] = id;
  }
  std::int64_t found = 0;
  for (std::int64_t c = 0; c < covered; c += lanes) {
    const auto id = hn::LoadU(di, ids + c);
    const auto gradient = hn::LoadU(d, dy + c);
    // ScalarTraits::add's NaN rule: where the cell and the gradient are both
    // NaN the cell's payload wins, so such lanes add zero instead (Add itself
    // may take either operand's). Only a NaN gradient can make a difference.
    const bool nan_gradient = !hn::AllFalse(d, hn::IsNaN(gradient));
    auto handled = hn::RebindMask(d, hn::Eq(id, hn::Set(di, TI{-1})));
    for (std::int64_t i = 0; i < taps.count; ++i) {
      const auto hit = hn::RebindMask(d, hn::Eq(id, hn::Set(di, static_cast<TI>(taps.id[i]))));
      handled = hn::Or(handled, hit);
      if (taps.offset[i] < 0) continue;  // a pad cell: nothing receives the gradient
      T* cell = dx_window + taps.offset[i] + c;
      const auto old = hn::LoadU(d, cell);
      const auto addend = nan_gradient ? hn::IfThenZeroElse(hn::IsNaN(old), gradient) : gradient;
      hn::StoreU(hn::IfThenElse(hit, hn::Add(old, addend), old), d, cell);
    }
    if (!hn::AllTrue(d, handled)) {
      // Rare (a flat-format index naming a cell outside the window, or a bad
      // index): the caller decodes these lanes, as the scalar loop would.
      for (std::int64_t lane = 0; lane < lanes; ++lane) {
        const TI lane_id = ids[c + lane];
        bool hit = lane_id == -1;
        for (std::int64_t i = 0; i < taps.count && !hit; ++i) hit = lane_id == taps.id[i];
        if (!hit) leftover[found++] = c + lane;
      }
    }
  }
  *leftover_count = found;
  return covered;
}

void add_scatter_kernels(SimdKernels& k) {
  k.f32_scatter = &nhwc_scatter<float>;
  k.f64_scatter = &nhwc_scatter<double>;
  // A tap costs a load, a blend and a store per vector; the scalar loop costs
  // about as much per element. Past two taps per lane the scalar loop wins.
  k.scatter_max_taps = 2 * static_cast<std::int64_t>(hn::Lanes(hn::ScalableTag<float>()));
}

}  // namespace HWY_NAMESPACE
}  // namespace poolcheck::fast::detail
HWY_AFTER_NAMESPACE();
