// Properties of the definition itself, checked on every implementation this
// executable has (the reference, and fast/ when linked) through Implementation.
// Expected values come from the rules in SEMANTICS.md stated declaratively
// (e.g. "the first maximum in scan order"), never from another run of choose().
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <tuple>

#include "poolcheck/argmax_index.hpp"
#include "poolcheck/descriptor.hpp"
#include "poolcheck/generators.hpp"
#include "poolcheck/visit_dtype.hpp"
#include "run_and_report.hpp"

namespace poolcheck {
namespace {

using proptest::Bytes;

std::vector<double> as_doubles(DType dtype, const Bytes& t) {
  std::vector<double> v(proptest::element_count(dtype, t));
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = proptest::element(dtype, t, i);
  return v;
}

bool same_bits(double a, double b) {
  return std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(b) ||
         (std::isnan(a) && std::isnan(b));
}

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

double lowest_of(DType dtype) {
  return visit_dtype(dtype, [&]<class T>(TypeTag<T>) {
    if constexpr (std::is_same_v<T, float16> || std::is_same_v<T, bfloat16>)
      return static_cast<double>(std::numeric_limits<T>::lowest().to_float());
    else
      return static_cast<double>(std::numeric_limits<T>::lowest());
  });
}

template <class F>
void for_each_output(const Geometry& g, F&& f) {
  for (std::int64_t n = 0; n < g.batch; ++n)
    for (std::int64_t c = 0; c < g.channels; ++c)
      for (std::int64_t d = 0; d < g.out[0]; ++d)
        for (std::int64_t h = 0; h < g.out[1]; ++h)
          for (std::int64_t w = 0; w < g.out[2]; ++w) f(n, c, Dims{d, h, w});
}

// What the rules of SEMANTICS.md say one window's output and argmax must be.
// nullopt fields: "anything the rule allows" (unspecified NaN handling).
struct Expected {
  bool must_be_nan = false;
  std::optional<double> value;                        // bitwise, when not NaN
  std::optional<std::optional<std::int64_t>> source;  // input offset of the argmax (or none)
  std::vector<double> allowed;                        // for unspecified: NaN or one of these
  bool unspecified = false;
};

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

// y is the window's maximum under the profile's rules, the argmax decodes to
// the first maximum in scan order, and both are bitwise what the rules say.
RC_GTEST_PROP(Definition, OutputIsTheFirstMaximumOfItsWindow, ()) {
  const Problem problem = *gen::problem();
  const Geometry g = problem.geometry();
  const std::vector<double> xv = *gen::values(problem, g.input_elements());
  const Bytes x = gen::to_dtype_bytes(problem, xv);
  const std::vector<double> xr = as_doubles(problem.dtype(), x);
  for (const auto& [name, impl] : proptest::implementations_under_test()) {
    const proptest::ForwardResult r = proptest::run_forward(*impl, problem, x);
    const std::vector<double> y = as_doubles(problem.dtype(), r.y);
    for_each_output(g, [&](std::int64_t n, std::int64_t c, const Dims& o) {
      const auto at = static_cast<std::size_t>(g.output_offset(n, c, o));
      const Expected e = expected_window(g, problem.conventions(), problem.dtype(), xr, n, c, o);
      std::ostringstream why;
      why << name << ": " << to_descriptor(problem)
          << "\n  x = " << proptest::show_tensor(problem.dtype(), x)
          << "\n  y = " << proptest::show_tensor(problem.dtype(), r.y) << "\n  at output "
          << proptest::locate(g, static_cast<std::int64_t>(at), true) << ": y=" << y[at]
          << " argmax=" << r.argmax[at];
      if (e.unspecified) {
        const bool ok =
            std::isnan(y[at]) || std::any_of(e.allowed.begin(), e.allowed.end(),
                                             [&](double v) { return same_bits(v, y[at]); });
        if (!ok) RC_FAIL(why.str() + ": neither NaN nor an element of the window");
        return;
      }
      if (e.must_be_nan && !std::isnan(y[at])) RC_FAIL(why.str() + ": expected NaN");
      if (e.value && !same_bits(*e.value, y[at])) {
        why << ": expected " << *e.value;
        RC_FAIL(why.str());
      }
      if (e.source) {
        const auto decoded = decode_argmax(g, problem.conventions(), n, c, o, r.argmax[at]);
        if (decoded != *e.source) {
          why << ": argmax decodes to "
              << (decoded ? proptest::locate(g, *decoded, false) : std::string("none"))
              << ", expected "
              << (*e.source ? proptest::locate(g, **e.source, false) : std::string("none"));
          RC_FAIL(why.str());
        }
      }
    });
  }
}

// Profiles whose running maximum starts at the first candidate: there an
// elementwise nondecreasing map f commutes with pooling, f(max x) = max f(x).
// oneDNN and darknet start at lowest(), which f moves (2 * lowest = -inf)
// while their fill stays lowest(), so they are left out.
const std::vector<std::string_view> kFirstCandidateProfiles = {"numpynet", "pytorch", "onnx",
                                                               "tensorflow", "xnnpack"};
const std::vector<DType> kFloatTypes = {DType::f32, DType::f64, DType::f16, DType::bf16};

RC_GTEST_PROP(Definition, NondecreasingMapsCommuteWithPooling, ()) {
  const Problem problem =
      *gen::problem({.profiles = kFirstCandidateProfiles, .dtypes = kFloatTypes});
  const Geometry g = problem.geometry();
  const std::vector<double> xv = *gen::values(problem, g.input_elements());
  const double c = static_cast<double>(*rc::gen::inRange(-8, 9)) / 4;
  const int which = *rc::gen::inRange(0, 3);
  const auto f = [&](double v) { return which == 0 ? v * 2 : which == 1 ? v + c : std::floor(v); };
  const char* map_name = which == 0 ? "x*2" : which == 1 ? "x+c" : "floor";
  const auto mapped = [&](const std::vector<double>& v) {
    std::vector<double> out(v.size());
    std::transform(v.begin(), v.end(), out.begin(), f);
    return gen::to_dtype_bytes(problem, out);
  };
  const Bytes x = gen::to_dtype_bytes(problem, xv);
  const Bytes fx = mapped(as_doubles(problem.dtype(), x));
  for (const auto& [name, impl] : proptest::implementations_under_test()) {
    const Bytes fy =
        mapped(as_doubles(problem.dtype(), proptest::run_forward(*impl, problem, x).y));
    POOLCHECK_RC_ASSERT_SAME(proptest::bitwise_difference(
        problem, name + ": pool(" + map_name + ") vs " + map_name + "(pool)", x, fy,
        proptest::run_forward(*impl, problem, fx).y));
  }
}

// Widening is nondecreasing too, but it moves lowest(): an f32 oneDNN/darknet
// fill of -FLT_MAX is not the f64 fill -DBL_MAX, so only first-candidate profiles.
RC_GTEST_PROP(Definition, WideningF32ToF64CommutesWithPooling, ()) {
  const Problem problem =
      *gen::problem({.profiles = kFirstCandidateProfiles, .dtypes = {DType::f32}});
  Problem wide = problem;
  wide.dtype(DType::f64);
  const std::vector<double> xv = *gen::values(problem, problem.geometry().input_elements());
  for (const auto& [name, impl] : proptest::implementations_under_test()) {
    const Bytes y32 = proptest::run_forward(*impl, problem, gen::to_dtype_bytes(problem, xv)).y;
    const Bytes widened = gen::to_dtype_bytes(wide, as_doubles(DType::f32, y32));
    POOLCHECK_RC_ASSERT_SAME(proptest::bitwise_difference(
        wide, name + ": f64 pool vs widened f32 pool", gen::to_dtype_bytes(wide, xv), widened,
        proptest::run_forward(*impl, wide, gen::to_dtype_bytes(wide, xv)).y));
  }
}

// A 2-D window is its rows' maxima maximised over the rows. This holds for
// every profile (pads, fills, NaN rules and lowest() starts are all per tap),
// on one condition: the pass over the scan order's INNER axis must come first.
// Row-major "first maximum" is the lexicographically first (h, w); reducing
// w first and then h picks exactly that cell, the other order would pick the
// first column instead, which shows as -0.0 versus +0.0.
RC_GTEST_PROP(Definition, SeparableIntoOneAxisPasses, ()) {
  const Problem problem = *gen::problem({.ranks = {2}});
  const Geometry g = problem.geometry();
  const std::vector<double> xv = *gen::values(problem, g.input_elements());
  const Bytes x = gen::to_dtype_bytes(problem, xv);
  const bool w_first = problem.conventions().order == ScanOrder::row_major;
  // One pass: the axis `keep` (0 = h, 1 = w) keeps its window, the other is 1x1.
  const auto pass = [&](int keep, std::int64_t in_h, std::int64_t in_w) {
    Problem p = problem;
    const auto pick = [&](const std::vector<std::int64_t>& v, std::int64_t other) {
      std::vector<std::int64_t> r{other, other};
      if (!v.empty()) r[keep] = v[keep];
      return r;
    };
    p.input_size({in_h, in_w});
    p.kernel(pick(problem.kernel(), 1));
    p.stride(pick(problem.stride().empty() ? problem.kernel() : problem.stride(), 1));
    if (!problem.dilation().empty()) p.dilation(pick(problem.dilation(), 1));
    if (!problem.pad_begin().empty()) p.pad_begin(pick(problem.pad_begin(), 0));
    if (!problem.pad_end().empty()) p.pad_end(pick(problem.pad_end(), 0));
    return p;
  };
  const int first_axis = w_first ? 1 : 0;
  const Problem first = pass(first_axis, g.in[1], g.in[2]);
  const Geometry g1 = first.geometry();
  const Problem second = pass(1 - first_axis, g1.out[1], g1.out[2]);
  for (const auto& [name, impl] : proptest::implementations_under_test()) {
    const Bytes mid = proptest::run_forward(*impl, first, x).y;
    POOLCHECK_RC_ASSERT_SAME(
        proptest::bitwise_difference(problem,
                                     name + ": two one-axis passes (" + to_descriptor(first) +
                                         " then " + to_descriptor(second) + ") vs one pass",
                                     x, proptest::run_forward(*impl, problem, x).y,
                                     proptest::run_forward(*impl, second, mid).y));
  }
}

// Stride-2 2x2 pooling twice is 4x4 stride-4 pooling (VALID: floor(floor(H/2)/2)
// = floor(H/4)). -0.0 is replaced by +0.0: the block-wise first maximum can be
// a different zero than the row-major first of the 4x4 window.
RC_GTEST_PROP(Definition, TwoByTwoTwiceIsFourByFour, ()) {
  const Problem shape = *gen::problem({.ranks = {2}, .max_input_elements = 2048});
  Problem big = shape;
  big = Problem()
            .profile(shape.profile().name)
            .dtype(shape.dtype())
            .layout(shape.layout())
            .batch(shape.batch())
            .channels(std::min<std::int64_t>(shape.channels(), 9))
            .input_size(
                {*rc::gen::inRange<std::int64_t>(4, 14), *rc::gen::inRange<std::int64_t>(4, 14)})
            .kernel({4, 4})
            .padding(Padding::valid);
  const Geometry g = big.geometry();
  std::vector<double> xv = *gen::values(big, g.input_elements());
  for (double& v : xv)
    if (v == 0) v = 0.0;
  const Bytes x = gen::to_dtype_bytes(big, xv);
  Problem half = big;
  half.kernel({2, 2});
  Problem half2 = half;
  half2.input_size({g.in[1] / 2, g.in[2] / 2});
  for (const auto& [name, impl] : proptest::implementations_under_test()) {
    const Bytes once = proptest::run_forward(*impl, half, x).y;
    POOLCHECK_RC_ASSERT_SAME(proptest::bitwise_difference(
        big, name + ": 2x2/2 twice vs 4x4/4", x, proptest::run_forward(*impl, big, x).y,
        proptest::run_forward(*impl, half2, once).y));
  }
}

RC_GTEST_PROP(Definition, OneByOneStrideOneIsTheIdentity, ()) {
  const Problem shape = *gen::problem({.profiles = kFirstCandidateProfiles});
  Problem p = shape;
  const std::vector<std::int64_t> ones(static_cast<std::size_t>(shape.rank()), 1);
  p = Problem()
          .profile(shape.profile().name)
          .dtype(shape.dtype())
          .layout(shape.layout())
          .batch(shape.batch())
          .channels(shape.channels())
          .input_size(shape.input_size())
          .kernel(ones)
          .stride(ones);
  const Bytes x = gen::to_dtype_bytes(p, *gen::values(p, p.geometry().input_elements()));
  for (const auto& [name, impl] : proptest::implementations_under_test())
    POOLCHECK_RC_ASSERT_SAME(proptest::bitwise_difference(p, name + ": 1x1 pooling vs identity", x,
                                                          x, proptest::run_forward(*impl, p, x).y));
}

// Relabels every (n, c) plane of a tensor: plane (n, c) goes to map(n, c).
Bytes move_planes(
    const Problem& p, const Geometry& g, const Bytes& t, bool output,
    const std::function<std::pair<std::int64_t, std::int64_t>(std::int64_t, std::int64_t)>& map) {
  const std::size_t size = dtype_size(p.dtype());
  Bytes r(t.size());
  const Dims& sizes = output ? g.out : g.in;
  for (std::int64_t n = 0; n < g.batch; ++n)
    for (std::int64_t c = 0; c < g.channels; ++c) {
      const auto [n2, c2] = map(n, c);
      Dims q{};
      for (q[0] = 0; q[0] < sizes[0]; ++q[0])
        for (q[1] = 0; q[1] < sizes[1]; ++q[1])
          for (q[2] = 0; q[2] < sizes[2]; ++q[2]) {
            const auto from = output ? g.output_offset(n, c, q) : g.input_offset(n, c, q);
            const auto to = output ? g.output_offset(n2, c2, q) : g.input_offset(n2, c2, q);
            std::memcpy(r.data() + to * size, t.data() + from * size, size);
          }
    }
  return r;
}

RC_GTEST_PROP(Definition, PermutingBatchAndChannelsPermutesTheResult, ()) {
  const Problem p = *gen::problem();
  const Geometry g = p.geometry();
  const Bytes x = gen::to_dtype_bytes(p, *gen::values(p, g.input_elements()));
  const std::int64_t shift = *rc::gen::inRange<std::int64_t>(0, g.channels);
  const auto reverse = [&](std::int64_t n, std::int64_t c) {
    return std::pair{g.batch - 1 - n, (c + shift) % g.channels};
  };
  for (const auto& [name, impl] : proptest::implementations_under_test()) {
    const Bytes y = proptest::run_forward(*impl, p, x).y;
    const Bytes moved = move_planes(p, g, x, false, reverse);
    POOLCHECK_RC_ASSERT_SAME(proptest::bitwise_difference(
        p,
        name + ": pool(permuted x) vs permuted pool(x) (batch reversed, channels rotated by " +
            std::to_string(shift) + ")",
        moved, move_planes(p, g, y, true, reverse), proptest::run_forward(*impl, p, moved).y));
  }
}

RC_GTEST_PROP(Definition, ChannelsLastAndChannelsFirstAgree, ()) {
  Problem last = *gen::problem();
  last.layout(Layout::channels_last);
  Problem first = last;
  first.layout(Layout::channels_first);
  const Geometry gl = last.geometry(), gf = first.geometry();
  const Bytes xl = gen::to_dtype_bytes(last, *gen::values(last, gl.input_elements()));
  const std::size_t size = dtype_size(last.dtype());
  const auto transpose = [&](const Bytes& t, bool output) {
    Bytes r(t.size());
    const Dims& s = output ? gl.out : gl.in;
    for (std::int64_t n = 0; n < gl.batch; ++n)
      for (std::int64_t c = 0; c < gl.channels; ++c)
        for (std::int64_t d = 0; d < s[0]; ++d)
          for (std::int64_t h = 0; h < s[1]; ++h)
            for (std::int64_t w = 0; w < s[2]; ++w) {
              const Dims q{d, h, w};
              const auto from = output ? gl.output_offset(n, c, q) : gl.input_offset(n, c, q);
              const auto to = output ? gf.output_offset(n, c, q) : gf.input_offset(n, c, q);
              std::memcpy(r.data() + to * size, t.data() + from * size, size);
            }
    return r;
  };
  const Bytes xf = transpose(xl, false);
  for (const auto& [name, impl] : proptest::implementations_under_test()) {
    const proptest::ForwardResult rl = proptest::run_forward(*impl, last, xl);
    const proptest::ForwardResult rf = proptest::run_forward(*impl, first, xf);
    POOLCHECK_RC_ASSERT_SAME(proptest::bitwise_difference(
        first, name + ": NCHW pool vs transposed NHWC pool", xf, transpose(rl.y, true), rf.y));
  }
}

// TensorFlow #125965: the CPU NaN handling depended on the channel count. A
// channel copied C times must give C identical results, whatever C is.
RC_GTEST_PROP(Definition, ReplicatedChannelsGiveIdenticalResults, ()) {
  Problem p = *gen::problem({.max_input_elements = 1024});
  p.channels(1).batch(1);
  const std::int64_t plane = p.geometry().input_elements();
  const std::vector<double> one = *gen::values(p, plane);
  const std::int64_t channels =
      *rc::gen::element<std::int64_t>(2, 3, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65);
  Problem wide = p;
  wide.channels(channels);
  const Geometry gw = wide.geometry();
  std::vector<double> xv(static_cast<std::size_t>(gw.input_elements()));
  const Geometry g1 = p.geometry();
  for (std::int64_t c = 0; c < channels; ++c)
    for (std::int64_t i = 0; i < plane; ++i) {
      const Dims q = {i / (g1.in[1] * g1.in[2]), i / g1.in[2] % g1.in[1], i % g1.in[2]};
      xv[static_cast<std::size_t>(gw.input_offset(0, c, q))] =
          one[static_cast<std::size_t>(g1.input_offset(0, 0, q))];
    }
  const Bytes x1 = gen::to_dtype_bytes(p, one);
  const Bytes xw = gen::to_dtype_bytes(wide, xv);
  for (const auto& [name, impl] : proptest::implementations_under_test()) {
    const Bytes y1 = proptest::run_forward(*impl, p, x1).y;
    const Bytes yw = proptest::run_forward(*impl, wide, xw).y;
    Bytes expected(yw.size());
    const std::size_t size = dtype_size(p.dtype());
    for_each_output(gw, [&](std::int64_t n, std::int64_t c, const Dims& o) {
      std::memcpy(expected.data() + gw.output_offset(n, c, o) * size,
                  y1.data() + g1.output_offset(0, 0, o) * size, size);
    });
    POOLCHECK_RC_ASSERT_SAME(proptest::bitwise_difference(
        wide, name + ": channel replicated " + std::to_string(channels) + " times", xw, expected,
        yw));
  }
}

// Small lattice data without special values: gradient sums are then exact.
std::vector<double> small_lattice(std::int64_t count) {
  return *rc::gen::container<std::vector<double>>(
      static_cast<std::size_t>(count),
      rc::gen::map(rc::gen::inRange(-8, 9), [](int k) { return k / 4.0; }));
}

RC_GTEST_PROP(Definition, BackwardIsLinearExactSumsAndOnlyAtArgmax, ()) {
  const Problem p = *gen::problem({.dtypes = kFloatTypes});
  const Geometry g = p.geometry();
  const Bytes x = gen::to_dtype_bytes(p, *gen::values(p, g.input_elements()));
  const std::vector<double> dyv = small_lattice(g.output_elements());
  std::vector<double> dy2v(dyv.size());
  std::transform(dyv.begin(), dyv.end(), dy2v.begin(), [](double v) { return 2 * v; });
  const Bytes dy = gen::to_dtype_bytes(p, dyv), dy2 = gen::to_dtype_bytes(p, dy2v);
  const Bytes zero = gen::to_dtype_bytes(p, std::vector<double>(x.size() / dtype_size(p.dtype())));
  for (const auto& [name, impl] : proptest::implementations_under_test()) {
    const auto argmax = proptest::run_forward(*impl, p, x).argmax;
    const Bytes dx = proptest::run_backward(*impl, p, x, argmax, dy, zero);
    // Linear in dy: dx(2 dy) = 2 dx(dy).
    std::vector<double> twice = as_doubles(p.dtype(), dx);
    for (double& v : twice) v *= 2;
    POOLCHECK_RC_ASSERT_SAME(proptest::bitwise_difference(
        p, name + ": dx(2 dy) vs 2 dx(dy)", x, gen::to_dtype_bytes(p, twice),
        proptest::run_backward(*impl, p, x, argmax, dy2, zero), false));
    // dx receives exactly the dy of windows whose argmax names an input cell.
    std::vector<double> want(twice.size(), 0.0);
    double kept = 0, total_dx = 0;
    for_each_output(g, [&](std::int64_t n, std::int64_t c, const Dims& o) {
      const auto at = static_cast<std::size_t>(g.output_offset(n, c, o));
      if (const auto to = decode_argmax(g, p.conventions(), n, c, o, argmax[at])) {
        want[static_cast<std::size_t>(*to)] += dyv[at];
        kept += dyv[at];
      }
    });
    const std::vector<double> got = as_doubles(p.dtype(), dx);
    for (const double v : got) total_dx += v;
    if (total_dx != kept)
      RC_FAIL(name + ": " + to_descriptor(p) + ": sum(dx) = " + std::to_string(total_dx) +
              " but the dy of windows with an in-image argmax sum to " + std::to_string(kept));
    POOLCHECK_RC_ASSERT_SAME(
        proptest::bitwise_difference(p, name + ": dx vs dy routed to the decoded argmax", x,
                                     gen::to_dtype_bytes(p, want), dx, false));
  }
}

RC_GTEST_PROP(Definition, RepeatedRunsAreBitwiseIdentical, ()) {
  const Problem p = *gen::problem();
  const Geometry g = p.geometry();
  const Bytes x = gen::to_dtype_bytes(p, *gen::values(p, g.input_elements()));
  const Bytes dy = gen::to_dtype_bytes(p, *gen::values(p, g.output_elements()));
  const Bytes dx0 = gen::to_dtype_bytes(p, *gen::values(p, g.input_elements()));
  for (const auto& [name, impl] : proptest::implementations_under_test()) {
    const auto a = proptest::run_forward(*impl, p, x), b = proptest::run_forward(*impl, p, x);
    POOLCHECK_RC_ASSERT_SAME(proptest::bitwise_difference(p, name + ": y run 1 vs 2", x, a.y, b.y));
    POOLCHECK_RC_ASSERT_SAME(
        proptest::index_difference(p, name + ": argmax run 1 vs 2", x, a.argmax, b.argmax));
    POOLCHECK_RC_ASSERT_SAME(proptest::bitwise_difference(
        p, name + ": dx run 1 vs 2", x, proptest::run_backward(*impl, p, x, {}, dy, dx0),
        proptest::run_backward(*impl, p, x, {}, dy, dx0), false));
  }
}

}  // namespace
}  // namespace poolcheck
