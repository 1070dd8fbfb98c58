// Metamorphic properties: pooling commutes with nondecreasing maps and
// widening, separates into one-axis passes, composes, and is the identity at
// 1x1. Each runs the implementation twice and compares it with itself.
#include <algorithm>
#include <cmath>

#include "poolcheck/descriptor.hpp"
#include "poolcheck/properties.hpp"
#include "property_support.hpp"

namespace poolcheck::properties {

void nondecreasing_maps_commute_with_pooling(const Implementation& impl,
                                             const PropertyOptions& options) {
  const auto drawn =
      narrow(options.problems, {.profiles = kFirstCandidateProfiles, .dtypes = kFloatTypes});
  if (!drawn) return not_applicable("needs a first-candidate profile and a float dtype");
  const Problem problem = *gen::problem(*drawn);
  const Geometry g = problem.geometry();
  std::vector<double> xv = *gen::values(problem, g.input_elements());
  const double c = static_cast<double>(*rc::gen::inRange(-8, 9)) / 4;
  const int which = *rc::gen::inRange(0, 3);
  // floor merges positive fractions into +0, which can newly tie with a -0 of
  // the window; the first zero then differs from floor(first maximum) in its
  // sign. That is the definition working (ties go to the first cell), not a
  // failure of commutation, so the floor case draws no -0. x*2 and x+c never
  // make a zero of the other sign than the cells they tie with.
  if (which == 2)
    for (double& v : xv)
      if (v == 0) v = 0.0;
  const auto f = [&](double v) { return which == 0 ? v * 2 : which == 1 ? v + c : std::floor(v); };
  const std::string map_name = which == 0 ? "x*2" : which == 1 ? "x+c" : "floor";
  const auto mapped = [&](const std::vector<double>& v) {
    std::vector<double> out(v.size());
    std::transform(v.begin(), v.end(), out.begin(), f);
    return gen::to_dtype_bytes(problem, out);
  };
  const Bytes x = gen::to_dtype_bytes(problem, xv);
  const Bytes fx = mapped(as_doubles(problem.dtype(), x));
  const Bytes fy = mapped(
      as_doubles(problem.dtype(), proptest::run_forward(impl, problem, x, options.argmax).y));
  POOLCHECK_RC_ASSERT_SAME(proptest::bitwise_difference(
      problem, impl.name() + ": pool(" + map_name + ") vs " + map_name + "(pool)", x, fy,
      proptest::run_forward(impl, problem, fx, options.argmax).y));
}

// Widening is nondecreasing too, but it moves lowest(): an f32 oneDNN/darknet
// fill of -FLT_MAX is not the f64 fill -DBL_MAX, so only first-candidate profiles.
void widening_f32_to_f64_commutes_with_pooling(const Implementation& impl,
                                               const PropertyOptions& options) {
  const auto drawn =
      narrow(options.problems, {.profiles = kFirstCandidateProfiles, .dtypes = {DType::f32}});
  const auto& claimed = options.problems.dtypes;
  if (!drawn ||
      (!claimed.empty() && std::find(claimed.begin(), claimed.end(), DType::f64) == claimed.end()))
    return not_applicable("needs f32 and f64 and a first-candidate profile");
  const Problem problem = *gen::problem(*drawn);
  Problem wide = problem;
  wide.dtype(DType::f64);
  const std::vector<double> xv = *gen::values(problem, problem.geometry().input_elements());
  const Bytes y32 =
      proptest::run_forward(impl, problem, gen::to_dtype_bytes(problem, xv), options.argmax).y;
  const Bytes widened = gen::to_dtype_bytes(wide, as_doubles(DType::f32, y32));
  POOLCHECK_RC_ASSERT_SAME(proptest::bitwise_difference(
      wide, impl.name() + ": f64 pool vs widened f32 pool", gen::to_dtype_bytes(wide, xv), widened,
      proptest::run_forward(impl, wide, gen::to_dtype_bytes(wide, xv), options.argmax).y));
}

// A 2-D window is its rows' maxima maximised over the rows. This holds for
// every profile (pads, fills, NaN rules and lowest() starts are all per tap),
// on one condition: the pass over the scan order's INNER axis must come first.
// Row-major "first maximum" is the lexicographically first (h, w); reducing
// w first and then h picks exactly that cell, the other order would pick the
// first column instead, which shows as -0.0 versus +0.0.
void separable_into_one_axis_passes(const Implementation& impl, const PropertyOptions& options) {
  const auto drawn = narrow(options.problems, {.ranks = {2}});
  if (!drawn) return not_applicable("needs rank 2");
  const Problem problem = *gen::problem(*drawn);
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
  const Bytes mid = proptest::run_forward(impl, first, x, options.argmax).y;
  POOLCHECK_RC_ASSERT_SAME(
      proptest::bitwise_difference(problem,
                                   impl.name() + ": two one-axis passes (" + to_descriptor(first) +
                                       " then " + to_descriptor(second) + ") vs one pass",
                                   x, proptest::run_forward(impl, problem, x, options.argmax).y,
                                   proptest::run_forward(impl, second, mid, options.argmax).y));
}

// Stride-2 2x2 pooling twice is 4x4 stride-4 pooling (VALID: floor(floor(H/2)/2)
// = floor(H/4)). -0.0 is replaced by +0.0: the block-wise first maximum can be
// a different zero than the row-major first of the 4x4 window.
void two_by_two_twice_is_four_by_four(const Implementation& impl, const PropertyOptions& options) {
  const auto drawn = narrow(options.problems, {.ranks = {2}, .max_input_elements = 2048});
  if (!drawn) return not_applicable("needs rank 2");
  const Problem shape = *gen::problem(*drawn);
  const Problem big = Problem()
                          .profile(shape.profile().name)
                          .dtype(shape.dtype())
                          .layout(shape.layout())
                          .batch(shape.batch())
                          .channels(std::min<std::int64_t>(shape.channels(), 9))
                          .input_size({*rc::gen::inRange<std::int64_t>(4, 14),
                                       *rc::gen::inRange<std::int64_t>(4, 14)})
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
  const Bytes once = proptest::run_forward(impl, half, x, options.argmax).y;
  POOLCHECK_RC_ASSERT_SAME(
      proptest::bitwise_difference(big, impl.name() + ": 2x2/2 twice vs 4x4/4", x,
                                   proptest::run_forward(impl, big, x, options.argmax).y,
                                   proptest::run_forward(impl, half2, once, options.argmax).y));
}

void one_by_one_stride_one_is_the_identity(const Implementation& impl,
                                           const PropertyOptions& options) {
  const auto drawn = narrow(options.problems, {.profiles = kFirstCandidateProfiles});
  if (!drawn) return not_applicable("needs a first-candidate profile");
  const Problem shape = *gen::problem(*drawn);
  const std::vector<std::int64_t> ones(static_cast<std::size_t>(shape.rank()), 1);
  const Problem p = Problem()
                        .profile(shape.profile().name)
                        .dtype(shape.dtype())
                        .layout(shape.layout())
                        .batch(shape.batch())
                        .channels(shape.channels())
                        .input_size(shape.input_size())
                        .kernel(ones)
                        .stride(ones);
  const Bytes x = gen::to_dtype_bytes(p, *gen::values(p, p.geometry().input_elements()));
  POOLCHECK_RC_ASSERT_SAME(
      proptest::bitwise_difference(p, impl.name() + ": 1x1 pooling vs identity", x, x,
                                   proptest::run_forward(impl, p, x, options.argmax).y));
}

}  // namespace poolcheck::properties
