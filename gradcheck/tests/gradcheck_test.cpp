// gradcheck on hand-worked problems, on deliberately wrong backwards, and
// against a double-precision finite-difference check that gets it wrong.
//
// Every expected gradient below is worked by hand from the definition in
// /work/shared/SEMANTICS.md (first maximum in scan order, NaN rules, oneDNN's
// tap 0, NumPyNet's NaN pad cells); none is copied from running the code.
#include "poolcheck/gradcheck.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <limits>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "poolcheck/argmax_index.hpp"
#include "poolcheck/gradcheck/scalars.hpp"
#include "poolcheck/reference.hpp"
#include "poolcheck/visit_dtype.hpp"
#ifdef POOLCHECK_HAVE_FAST
#include "poolcheck/fast.hpp"
#endif

namespace poolcheck::gradcheck {
namespace {

using ::testing::HasSubstr;

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kFloatMax = std::numeric_limits<float>::max();

// ---------------------------------------------------------------------------
// Implementations for the tests. All are f32-only where they compute.

// Forward from the reference; backward adds a fixed, hand-written dx. If
// gradcheck accepts it, gradcheck's expected dx is exactly the hand value.
class FixedGradient final : public Implementation {
 public:
  explicit FixedGradient(std::vector<float> dx) : dx_(std::move(dx)) {}
  std::string name() const override { return "test:fixed-gradient"; }
  void forward(const Problem& problem, ConstBuffer x, MutableBuffer y,
               std::span<std::int64_t> argmax) const override {
    reference_->forward(problem, x, y, argmax);
  }
  void backward(const Problem&, ConstBuffer, std::span<const std::int64_t>, ConstBuffer,
                MutableBuffer dx) const override {
    const std::span<float> out = dx.as<float>();
    for (std::size_t i = 0; i < out.size(); ++i) out[i] += dx_[i];
  }

 private:
  std::vector<float> dx_;
  std::unique_ptr<Implementation> reference_ = reference::make_implementation();
};

// The reference's backward with the contribution of the LAST window dropped.
class DroppedContribution final : public Implementation {
 public:
  std::string name() const override { return "test:dropped-contribution"; }
  void forward(const Problem& problem, ConstBuffer x, MutableBuffer y,
               std::span<std::int64_t> argmax) const override {
    reference_->forward(problem, x, y, argmax);
  }
  void backward(const Problem& problem, ConstBuffer x, std::span<const std::int64_t> argmax,
                ConstBuffer dy, MutableBuffer dx) const override {
    std::vector<float> cut(dy.as<const float>().begin(), dy.as<const float>().end());
    cut.back() = 0;
    reference_->backward(problem, x, argmax, ConstBuffer::of(DType::f32, std::span(cut)), dx);
  }

 private:
  std::unique_ptr<Implementation> reference_ = reference::make_implementation();
};

// Sends each window's gradient to its SECOND maximum: the argmax cell is
// removed (set to -inf) and the window chosen again.
class SecondMaximum final : public Implementation {
 public:
  std::string name() const override { return "test:second-maximum"; }
  void forward(const Problem& problem, ConstBuffer x, MutableBuffer y,
               std::span<std::int64_t> argmax) const override {
    reference_->forward(problem, x, y, argmax);
  }
  void backward(const Problem& problem, ConstBuffer x, std::span<const std::int64_t>,
                ConstBuffer dy, MutableBuffer dx) const override {
    const Geometry g = problem.geometry();
    const Conventions& cv = problem.conventions();
    const std::span<const float> xs = x.as<const float>();
    const std::span<float> out = dx.as<float>();
    for (std::int64_t n = 0; n < g.batch; ++n)
      for (std::int64_t c = 0; c < g.channels; ++c)
        reference::for_each_position(g.out, [&](const Dims& o) {
          const std::int64_t first = reference::choose<float>(g, cv, xs, n, c, o).tap;
          if (first == kNoArgmax) return;
          const std::optional<Dims> at = tap_source(g, cv.pad, o, g.tap_from_index(first));
          if (!at) return;
          std::vector<float> without(xs.begin(), xs.end());
          without[static_cast<std::size_t>(g.input_offset(n, c, *at))] = -INFINITY;
          const std::int64_t second =
              reference::choose<float>(g, cv, std::span<const float>(without), n, c, o).tap;
          if (second == kNoArgmax) return;
          const std::optional<Dims> to = tap_source(g, cv.pad, o, g.tap_from_index(second));
          if (!to) return;
          out[static_cast<std::size_t>(g.input_offset(n, c, *to))] +=
              dy.as<const float>()[static_cast<std::size_t>(g.output_offset(n, c, o))];
        });
  }

 private:
  std::unique_ptr<Implementation> reference_ = reference::make_implementation();
};

// ---------------------------------------------------------------------------
// Helpers.

Problem one_d(std::string_view profile, std::int64_t in, std::int64_t k, std::int64_t s) {
  return Problem().profile(profile).input_size({in}).kernel({k}).stride({s});
}

// Checks that gradcheck's expected dx is exactly `hand`: the hand gradient
// passes, and changing any one element of it fails at that element.
void expect_expected_gradient(const Problem& problem, const std::vector<double>& x,
                              const std::vector<double>& dy, const std::vector<float>& hand) {
  const GradcheckReport pass = check_backward(FixedGradient(hand), problem, x, dy);
  EXPECT_TRUE(pass.passed()) << to_string(pass);
  for (std::size_t e = 0; e < hand.size(); ++e) {
    std::vector<float> off = hand;
    off[e] += 0.25f;
    const GradcheckReport fail = check_backward(FixedGradient(off), problem, x, dy);
    ASSERT_FALSE(fail.passed()) << "element " << e << " not checked\n" << to_string(fail);
    ASSERT_TRUE(fail.first_mismatch);
    EXPECT_EQ(fail.first_mismatch->offset, static_cast<std::int64_t>(e));
  }
}

// ---------------------------------------------------------------------------
// Hand-worked gradients.

TEST(Gradcheck, DistinctValuesSendEachDyToItsWindowsMaximum) {
  // Windows [1, 3] and [2, -1]: maxima at x1 and x2.
  expect_expected_gradient(one_d("pytorch", 4, 2, 2), {1, 3, 2, -1}, {0.5, 2}, {0, 0.5, 2, 0});
}

TEST(Gradcheck, OverlappingWindowsAddUp) {
  // k3 s1 over [0, 5, 1, 2]: windows [0,5,1] and [5,1,2] both pick x1.
  expect_expected_gradient(one_d("pytorch", 4, 3, 1), {0, 5, 1, 2}, {1.5, -4}, {0, -2.5, 0, 0});
}

TEST(Gradcheck, TieGoesToTheFirstMaximumAndIsReported) {
  // [2, 2]: raising x0 keeps x0 the argmax (right derivative 1); lowering x1
  // keeps x0 the argmax (left derivative 0). Both elements sit at a tie.
  const Problem p = one_d("pytorch", 2, 2, 2);
  expect_expected_gradient(p, {2, 2}, {3}, {3, 0});
  EXPECT_EQ(
      check_backward(*reference::make_implementation(), p, std::vector{2.0, 2.0}, std::vector{3.0})
          .ties,
      2);
}

TEST(Gradcheck, TieAcrossOverlappingWindowsIsDecidedPerWindow) {
  // [7, 7, 7], k2 s1: window 0 picks x0, window 1 picks x1. For x1 neither
  // one-sided derivative of L is right (right: 1+2, left: 0); per window it is.
  expect_expected_gradient(one_d("pytorch", 3, 2, 1), {7, 7, 7}, {1, 2}, {1, 2, 0});
}

TEST(Gradcheck, PlusAndMinusZeroTie) {
  // -0 and +0 compare equal: the first one wins.
  expect_expected_gradient(one_d("onnx", 2, 2, 2), {-0.0, 0.0}, {1}, {1, 0});
}

TEST(Gradcheck, ScanOrderDecidesTiesRowMajorVersusColumnMajor) {
  // [[0, 5], [5, 0]] in one 2x2 window: row-major meets (0,1) first,
  // XNNPACK's column-major meets (1,0) first.
  const std::vector<double> x{0, 5, 5, 0};
  for (const auto& [profile, hand] : {std::pair{"pytorch", std::vector<float>{0, 1, 0, 0}},
                                      std::pair{"xnnpack", std::vector<float>{0, 0, 1, 0}}}) {
    SCOPED_TRACE(profile);
    const Problem p = Problem().profile(profile).input_size({2, 2}).kernel({2, 2});
    expect_expected_gradient(p, x, {1}, hand);
  }
}

TEST(Gradcheck, PositiveInfinityIsDifferentiatedAsTheLargestValue) {
  // [inf, inf, 1]: the first +inf wins the tie.
  expect_expected_gradient(one_d("pytorch", 3, 3, 3), {kInf, kInf, 1}, {2}, {2, 0, 0});
}

TEST(Gradcheck, PropagatedNanRoutesToTheLastNan) {
  // PyTorch: v > max or isnan(v): the last NaN of the window is the argmax.
  expect_expected_gradient(one_d("pytorch", 4, 4, 4), {kNaN, 9, kNaN, 3}, {1}, {0, 0, 1, 0});
}

TEST(Gradcheck, NumPyNetNanPadCellsCanTakeAnAllMinusInfWindow) {
  // SAME, k3 s1 on a row of 2: pads (1, 1). Window 0 = [pad, x0, x1], window
  // 1 = [x0, x1, pad]; all -inf, so each picks its first cell: the pad (dy
  // dropped), then x0. A NaN at x1 ranks as -inf and changes nothing.
  const Problem p = Problem()
                        .profile("numpynet")
                        .input_size({1, 2})
                        .kernel({1, 3})
                        .stride({1, 1})
                        .padding(Padding::same_upper);
  expect_expected_gradient(p, {-kInf, kNaN}, {1, 2}, {2, 0});
}

TEST(Gradcheck, NumPyNetAllNanWindowSendsNoGradient) {
  const Problem p =
      Problem().profile("numpynet").input_size({1, 4}).kernel({1, 2}).padding(Padding::valid);
  expect_expected_gradient(p, {kNaN, kNaN, kNaN, 4}, {1, 2}, {0, 0, 0, 2});
}

TEST(Gradcheck, OneDnnWindowAtLowestRoutesToTapZero) {
  // oneDNN starts at -FLT_MAX with workspace 0 and updates on v > max: a
  // window of [-inf, -FLT_MAX] keeps tap 0, the -inf cell, as its argmax.
  const Problem p = one_d("onednn", 2, 2, 2);
  expect_expected_gradient(p, {-kInf, -kFloatMax}, {5}, {5, 0});
}

TEST(Gradcheck, OneDnnValueJustAboveLowestIsDifferentiable) {
  // The step at x0 must stay below its distance to lowest() (one ulp), where
  // the running maximum starts; else x0 - h falls under it.
  const double above_lowest = std::nextafter(-std::numeric_limits<float>::max(), 0.0f);
  expect_expected_gradient(one_d("onednn", 2, 2, 2), {above_lowest, -kInf}, {5}, {5, 0});
}

TEST(Gradcheck, DarknetWindowAtLowestSendsNoGradient) {
  expect_expected_gradient(one_d("darknet", 2, 2, 2), {-kFloatMax, kNaN}, {5}, {0, 0});
}

TEST(Gradcheck, HugeAndSubnormalValuesAreExact) {
  // f32 subnormals (2^-149, 2^-148) and 1e30-scale values one ulp apart.
  const double tiny = std::ldexp(1.0, -149);
  const double big = static_cast<double>(1e30f);
  const double big_next = static_cast<double>(std::nextafter(1e30f, INFINITY));
  expect_expected_gradient(one_d("pytorch", 4, 2, 2), {2 * tiny, tiny, big, big_next}, {1, 1},
                           {1, 0, 0, 1});
}

// ---------------------------------------------------------------------------
// Wrong backwards fail, naming the element and the descriptor.

TEST(Gradcheck, DroppedContributionFails) {
  const Problem p = one_d("pytorch", 4, 2, 2);
  const GradcheckReport r = check_backward(DroppedContribution(), p,
                                           std::vector<double>{1, 3, 2, -1}, std::vector{0.5, 2.0});
  ASSERT_FALSE(r.passed());
  ASSERT_TRUE(r.first_mismatch);
  EXPECT_EQ(r.first_mismatch->offset, 2);  // x2 is the last window's maximum
  EXPECT_EQ(r.first_mismatch->expected, 2);
  EXPECT_EQ(r.first_mismatch->actual, 0);
  EXPECT_EQ(r.max_error, 2);
  const std::string text = to_string(r);
  EXPECT_THAT(text, HasSubstr("FAIL"));
  EXPECT_THAT(text, HasSubstr("(d,h,w)=(0,0,2)"));
  EXPECT_THAT(text, HasSubstr(r.descriptor));
  EXPECT_THAT(r.descriptor, HasSubstr("pytorch:f32"));
}

TEST(Gradcheck, GradientToTheSecondMaximumFails) {
  const Problem p =
      Problem().profile("tensorflow").input_size({2, 4}).kernel({2, 2}).padding(Padding::valid);
  // Windows [[1,4],[2,3]] (max x01, second x11) and [[8,5],[6,7]] (max x02).
  const GradcheckReport r = check_backward(
      SecondMaximum(), p, std::vector<double>{1, 4, 8, 5, 2, 3, 6, 7}, std::vector{1.0, 1.0});
  ASSERT_FALSE(r.passed());
  ASSERT_TRUE(r.first_mismatch);
  EXPECT_EQ(r.first_mismatch->position, (Dims{0, 0, 1}));
  EXPECT_THAT(to_string(r), HasSubstr("tensorflow:f32"));
}

TEST(Gradcheck, BadInputIsRejectedNamingTheElement) {
  const Problem p = one_d("pytorch", 2, 2, 2);
  const auto impl = reference::make_implementation();
  try {
    check_backward(*impl, p, std::vector{0.1, 1.0}, std::vector{1.0});
    FAIL() << "0.1 is not a float";
  } catch (const ProblemError& e) {
    EXPECT_EQ(e.parameter(), "x[0]");
  }
  try {
    check_backward(*impl, p, std::vector{0.0, 1.0}, std::vector{kNaN});
    FAIL() << "dy must be finite";
  } catch (const ProblemError& e) {
    EXPECT_EQ(e.parameter(), "dy[0]");
  }
  EXPECT_THROW(check_backward(*impl, p, std::vector{0.0}, std::vector{1.0}), ProblemError);
}

// ---------------------------------------------------------------------------
// Every profile, every dtype: the reference and fast pass, both checks.

// Values on the k/4 lattice with ties, NaN, +-inf, -0 and the dtype's
// lowest() injected, from a fixed seed.
std::vector<double> lattice_values(DType dtype, std::size_t count, std::mt19937& rng,
                                   bool specials) {
  const bool floating = dtype_is_floating(dtype);
  std::uniform_int_distribution<int> small(-12, 12);
  std::uniform_int_distribution<int> pick(0, 19);
  std::vector<double> v(count);
  for (double& e : v) {
    e = floating ? small(rng) / 4.0 : small(rng) + (dtype == DType::u8 ? 12 : 0);
    if (!specials || !floating) continue;
    switch (pick(rng)) {
      case 0:
        e = kNaN;
        break;
      case 1:
        e = kInf;
        break;
      case 2:
        e = -kInf;
        break;
      case 3:
        e = -0.0;
        break;
      case 4:
        e = visit_dtype(dtype, []<class T>(TypeTag<T>) {
          return storage_to_double(ScalarTraits<T>::lowest());
        });
        break;
      default:
        break;
    }
  }
  return v;
}

std::vector<Problem> problems_for(const Profile& profile) {
  std::vector<Problem> out;
  const auto base = [&] { return Problem().profile(profile.name).batch(2).channels(3); };
  if (profile.rules.same_upper_padding)
    out.push_back(
        base().input_size({5, 4}).kernel({3, 3}).stride({2, 1}).padding(Padding::same_upper));
  if (profile.rules.explicit_padding)
    out.push_back(base().input_size({4, 5}).kernel({3, 2}).stride({1, 2}).pads({1, 1}));
  out.push_back(
      base()
          .layout(Layout::channels_first)
          .input_size({7})
          .kernel({3})
          .stride({2})
          .padding(profile.rules.explicit_padding ? Padding::explicit_pads : Padding::valid));
  return out;
}

std::vector<const Implementation*> implementations_under_test() {
  static const std::unique_ptr<Implementation> ref = reference::make_implementation();
#ifdef POOLCHECK_HAVE_FAST
  static const std::unique_ptr<Implementation> fast = fast::make_implementation();
  return {ref.get(), fast.get()};
#else
  return {ref.get()};
#endif
}

class EveryProfile : public ::testing::TestWithParam<std::string_view> {};

TEST_P(EveryProfile, BackwardMatchesExactFiniteDifferencesAndAdjoint) {
  const Profile& profile = profile_by_name(GetParam());
  std::mt19937 rng(20240601);
  std::int64_t checked = 0, ties = 0;
  for (const Implementation* impl : implementations_under_test())
    for (const Problem& shape : problems_for(profile))
      for (const DType dtype : kAllDTypes)
        for (const bool specials : {false, true}) {
          Problem p = shape;
          p.dtype(dtype);
          const Geometry g = p.geometry();
          const auto x =
              lattice_values(dtype, static_cast<std::size_t>(g.input_elements()), rng, specials);
          auto dy =
              lattice_values(dtype, static_cast<std::size_t>(g.output_elements()), rng, false);
          const GradcheckReport r = check_backward(*impl, p, x, dy);
          EXPECT_TRUE(r.passed()) << to_string(r);
          EXPECT_EQ(r.max_error, 0);
          checked += r.elements_checked;
          ties += r.ties;

          const auto v = lattice_values(dtype, x.size(), rng, false);
          const AdjointReport a = check_adjoint(*impl, p, x, v, dy);
          EXPECT_TRUE(a.passed) << to_string(a);
        }
  EXPECT_GT(checked, 0);
  EXPECT_GT(ties, 0) << "the lattice is meant to produce ties";
}

INSTANTIATE_TEST_SUITE_P(Profiles, EveryProfile,
                         ::testing::Values("numpynet", "pytorch", "onnx", "tensorflow", "onednn",
                                           "xnnpack", "darknet"));

TEST(Gradcheck, EveryProfileIsCovered) {
  EXPECT_EQ(all_profiles().size(), 7u) << "add the new profile to EveryProfile";
}

TEST(Adjoint, WrongBackwardsFailTheAdjointIdentity) {
  const Problem p =
      Problem().profile("tensorflow").input_size({2, 4}).kernel({2, 2}).padding(Padding::valid);
  const std::vector<double> x{1, 4, 8, 5, 2, 3, 6, 7};
  const std::vector<double> v{1, 2, 3, 4, 5, 6, 7, 8};
  const std::vector<double> u{1, 1};
  // <Jv, u> = v[x01] + v[x02] = 2 + 3 by hand.
  const AdjointReport right = check_adjoint(*reference::make_implementation(), p, x, v, u);
  EXPECT_TRUE(right.passed) << to_string(right);
  EXPECT_EQ(right.jv_dot_u, 5);
  EXPECT_FALSE(check_adjoint(SecondMaximum(), p, x, v, u).passed);
  EXPECT_FALSE(check_adjoint(DroppedContribution(), p, x, v, u).passed);
}

// ---------------------------------------------------------------------------
// Why multiprecision: torch.autograd.gradcheck's recipe in double precision
// (central differences, eps 1e-6, |analytic - numeric| <= atol + rtol*|numeric|
// with atol 1e-5, rtol 1e-3) on f32 problems reaches the wrong verdict.

bool double_precision_gradcheck(const Implementation& impl, const Problem& f32_problem,
                                const std::vector<double>& x, const std::vector<double>& dy) {
  constexpr double eps = 1e-6, atol = 1e-5, rtol = 1e-3;
  std::vector<float> xf(x.begin(), x.end()), dyf(dy.begin(), dy.end());
  std::vector<float> dx(x.size(), 0.0f);
  impl.backward(f32_problem, ConstBuffer::of(DType::f32, std::span<const float>(xf)), {},
                ConstBuffer::of(DType::f32, std::span<const float>(dyf)),
                MutableBuffer::of(DType::f32, std::span(dx)));
  Problem p = f32_problem;
  p.dtype(DType::f64);
  const auto loss = [&](const std::vector<double>& at) {
    std::vector<double> y(dy.size());
    reference::forward<double>(p, at, y, {});
    double l = 0;
    for (std::size_t w = 0; w < y.size(); ++w) l += dy[w] * y[w];
    return l;
  };
  for (std::size_t i = 0; i < x.size(); ++i) {
    std::vector<double> plus = x, minus = x;
    plus[i] += eps;
    minus[i] -= eps;
    const double numeric = (loss(plus) - loss(minus)) / (2 * eps);
    if (std::fabs(dx[i] - numeric) > atol + rtol * std::fabs(numeric)) return false;
  }
  return true;
}

struct Verdicts {
  bool double_precision;
  bool multiprecision;
};

Verdicts verdicts(const Implementation& impl, const Problem& p, const std::vector<double>& x,
                  const std::vector<double>& dy) {
  return {double_precision_gradcheck(impl, p, x, dy), check_backward(impl, p, x, dy).passed()};
}

TEST(WhyMultiprecision, NearTieOneUlpApartInFloat) {
  // [1, 1 + 2^-23]: x1 is the maximum; x0 + 1e-6 overtakes it, so double FD
  // sees a derivative of about 0.44 at x0 and rejects the correct backward.
  const auto impl = reference::make_implementation();
  const Verdicts v = verdicts(*impl, one_d("pytorch", 2, 2, 2), {1, 1 + std::ldexp(1.0, -23)}, {1});
  EXPECT_FALSE(v.double_precision);
  EXPECT_TRUE(v.multiprecision);
}

TEST(WhyMultiprecision, MagnitudesAround1e30) {
  // 1e30 + 1e-6 == 1e30 in double: double FD sees a zero derivative at the
  // maximum and rejects the correct backward.
  const auto impl = reference::make_implementation();
  const Verdicts v =
      verdicts(*impl, one_d("pytorch", 2, 2, 2), {static_cast<double>(1e30f), 0}, {1});
  EXPECT_FALSE(v.double_precision);
  EXPECT_TRUE(v.multiprecision);
}

TEST(WhyMultiprecision, Subnormals) {
  // f32 subnormals 2^-149 and 2^-148: a step of 1e-6 swamps both, so double
  // FD sees 0.5 and 0.5 and rejects the correct backward (0 and 1).
  const auto impl = reference::make_implementation();
  const Verdicts v = verdicts(*impl, one_d("pytorch", 2, 2, 2),
                              {std::ldexp(1.0, -149), std::ldexp(1.0, -148)}, {1});
  EXPECT_FALSE(v.double_precision);
  EXPECT_TRUE(v.multiprecision);
}

TEST(WhyMultiprecision, SmallGradientsHideADroppedContribution) {
  // dy = 2^-20 is under atol: double FD accepts a backward that drops it.
  const Verdicts v = verdicts(DroppedContribution(), one_d("pytorch", 4, 2, 2), {1, 3, 2, -1},
                              {std::ldexp(1.0, -20), std::ldexp(1.0, -20)});
  EXPECT_TRUE(v.double_precision);
  EXPECT_FALSE(v.multiprecision);
}

}  // namespace
}  // namespace poolcheck::gradcheck
