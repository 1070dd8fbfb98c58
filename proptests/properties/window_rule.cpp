#include "window_rule.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <tuple>

#include "poolcheck/argmax_index.hpp"
#include "property_support.hpp"

namespace poolcheck::properties {
namespace {

// Taps of a window in the convention's scan order (last axis innermost for
// row-major, first axis innermost for column-major).
std::vector<Dims> taps_in_scan_order(const Geometry& g, ScanOrder order) {
  std::vector<Dims> taps;
  for (std::int64_t i = 0; i < g.kernel_volume(); ++i) taps.push_back(g.tap_from_index(i));
  if (order == ScanOrder::column_major)
    std::stable_sort(taps.begin(), taps.end(), [](const Dims& a, const Dims& b) {
      return std::tie(a[2], a[1], a[0]) < std::tie(b[2], b[1], b[0]);
    });
  return taps;
}

}  // namespace

Expected expected_window(const Geometry& g, const Conventions& cv, DType dtype,
                         const std::vector<double>& x, std::int64_t n, std::int64_t c,
                         const Dims& o) {
  struct Candidate {
    double value;
    Dims tap;
  };
  std::vector<Candidate> candidates;
  for (const Dims& tap : taps_in_scan_order(g, cv.order)) {
    if (const auto s = tap_source(g, cv.pad, o, tap))
      candidates.push_back({x[static_cast<std::size_t>(g.input_offset(n, c, *s))], tap});
    else if (cv.pad == PadCells::nan && dtype_is_floating(dtype))
      candidates.push_back({std::numeric_limits<double>::quiet_NaN(), tap});
  }
  const auto source_of = [&](const Dims& tap) -> std::optional<std::int64_t> {
    const auto s = tap_source(g, cv.pad, o, tap);
    if (!s) return std::nullopt;
    return g.input_offset(n, c, *s);
  };
  const bool any_nan = std::any_of(candidates.begin(), candidates.end(),
                                   [](const Candidate& k) { return std::isnan(k.value); });
  Expected e;
  if (cv.nan == NanRule::unspecified && any_nan) {
    e.unspecified = true;
    for (const Candidate& k : candidates) e.allowed.push_back(k.value);
    return e;
  }
  if ((cv.nan == NanRule::propagate || cv.nan == NanRule::unspecified) && any_nan) {
    // The LAST NaN in scan order wins (update on `v > max || isnan(v)`).
    e.must_be_nan = true;
    for (const Candidate& k : candidates)
      if (std::isnan(k.value)) e.source = source_of(k.tap);
    return e;
  }
  // The non-NaN candidates (NumPyNet ranks NaN as -inf; skip drops it).
  const double minus_inf = -std::numeric_limits<double>::infinity();
  const auto rank_value = [&](double v) { return std::isnan(v) ? minus_inf : v; };
  if (cv.nan == NanRule::ignore && cv.initial == Initial::first_candidate &&
      std::all_of(candidates.begin(), candidates.end(),
                  [](const Candidate& k) { return std::isnan(k.value); })) {
    e.must_be_nan = !candidates.empty() && dtype_is_floating(dtype);
    if (!e.must_be_nan) e.value = minus_inf;
    e.source = std::optional<std::int64_t>{};
    return e;
  }
  std::optional<Candidate> best;
  for (const Candidate& k : candidates) {
    if (cv.nan == NanRule::skip && std::isnan(k.value)) continue;
    if (!best || rank_value(k.value) > rank_value(best->value)) best = k;  // first max wins
  }
  const double fill = dtype_is_floating(dtype) ? minus_inf : lowest_of(dtype);
  if (cv.initial != Initial::first_candidate) {
    const double lowest = lowest_of(dtype);
    if (!best || !(rank_value(best->value) > lowest)) {
      e.value = lowest;
      e.source = cv.initial == Initial::lowest_at_first_tap ? source_of(Dims{0, 0, 0})
                                                            : std::optional<std::int64_t>{};
      return e;
    }
  }
  if (!best) {  // window entirely in (excluded) padding
    e.value = fill;
    e.source = std::optional<std::int64_t>{};
    return e;
  }
  e.value = rank_value(best->value);
  e.source = source_of(best->tap);
  return e;
}

}  // namespace poolcheck::properties
