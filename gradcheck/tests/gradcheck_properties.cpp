// gradcheck driven by RapidCheck through proptests' generators: every profile,
// dtype, rank, layout and padding mode, values with NaN, +-inf, -0, subnormals,
// lowest/max and heavy ties. Sizes are bounded so the multiprecision finite
// differences (quadratic in the plane size) stay cheap.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cstdio>
#include <memory>
#include <vector>

#include "poolcheck/generators.hpp"
#include "poolcheck/gradcheck.hpp"
#include "poolcheck/reference.hpp"
#ifdef POOLCHECK_HAVE_FAST
#include "poolcheck/fast.hpp"
#endif

namespace poolcheck::gradcheck {
namespace {

constexpr std::int64_t kMaxInputElements = 160;

// dy (or u, v): small lattice values, finite, valid in every dtype (k/4 for
// floats, integers for s8/u8) so that overlapping sums stay exact in bf16.
rc::Gen<std::vector<double>> gradients(const Problem& problem, std::int64_t count) {
  const bool floating = dtype_is_floating(problem.dtype());
  const int low = problem.dtype() == DType::u8 ? 0 : -8;
  return rc::gen::container<std::vector<double>>(
      static_cast<std::size_t>(count), rc::gen::map(rc::gen::inRange(low, 9), [floating](int k) {
        return floating ? k / 4.0 : static_cast<double>(k);
      }));
}

struct Totals {
  std::int64_t checks = 0, elements = 0, finite_difference = 0, ties = 0, routed = 0;
  double seconds = 0;
};
Totals totals;

void check_one(const Implementation& impl) {
  gen::ProblemOptions options;
  options.max_input_elements = kMaxInputElements;
  const Problem p = *gen::problem(options);
  const Geometry g = p.geometry();
  const std::vector<double> x = *gen::values(p, g.input_elements());
  const std::vector<double> dy = *gradients(p, g.output_elements());
  const GradcheckReport r = check_backward(impl, p, x, dy);
  RC_LOG() << to_string(r);
  RC_ASSERT(r.passed());
  RC_ASSERT(r.max_error == 0.0);
  RC_TAG(r.ties > 0 ? "ties" : "no ties");
  totals.checks += 1;
  totals.elements += r.elements_checked;
  totals.finite_difference += r.finite_difference_elements;
  totals.ties += r.ties;
  totals.routed += r.routed_windows;
  totals.seconds += r.elapsed.count();

  const std::vector<double> v = *gradients(p, g.input_elements());
  const AdjointReport a = check_adjoint(impl, p, x, v, dy);
  RC_LOG() << to_string(a);
  RC_ASSERT(a.passed);
}

RC_GTEST_PROP(GradcheckProperties, ReferenceBackwardIsExact, ()) {
  check_one(*reference::make_implementation());
}

#ifdef POOLCHECK_HAVE_FAST
RC_GTEST_PROP(GradcheckProperties, FastBackwardIsExact, ()) {
  check_one(*fast::make_implementation());
}
#endif

class PrintTotals : public ::testing::Environment {
 public:
  void TearDown() override {
    if (totals.checks == 0) return;
    std::printf(
        "gradcheck totals: %lld problems, %lld dx elements compared, %lld by finite "
        "differences, %lld ties, %lld routed windows, %.3f s (%.0f FD elements/s)\n",
        static_cast<long long>(totals.checks), static_cast<long long>(totals.elements),
        static_cast<long long>(totals.finite_difference), static_cast<long long>(totals.ties),
        static_cast<long long>(totals.routed), totals.seconds,
        totals.seconds > 0 ? static_cast<double>(totals.finite_difference) / totals.seconds : 0.0);
  }
};
const auto* const print_totals = ::testing::AddGlobalTestEnvironment(new PrintTotals);

}  // namespace
}  // namespace poolcheck::gradcheck
