// The implementation against the reference, bit for bit: values, argmax in
// every index format, and the gradient (from the stored argmax and recomputed
// from x) added onto a non-zero dx.
#include "poolcheck/properties.hpp"
#include "poolcheck/reference.hpp"
#include "property_support.hpp"

namespace poolcheck::properties {
namespace {}  // namespace

void equals_reference_bitwise(const Implementation& impl, const PropertyOptions& options) {
  const auto drawn = narrow(options.problems, {});
  if (!drawn) return not_applicable("the claim names no problems");
  const Problem problem = *gen::problem(*drawn);
  const Geometry g = problem.geometry();
  const Bytes x = gen::to_dtype_bytes(problem, *gen::values(problem, g.input_elements()));
  const Bytes dy = gen::to_dtype_bytes(problem, *gen::values(problem, g.output_elements()));
  // Backward adds into dx: start from arbitrary values so `=` for `+=` shows
  // (from zero where the implementation's contract is a zero start).
  const Bytes dx_start =
      options.accumulates_into_dx
          ? gen::to_dtype_bytes(problem, *gen::values(problem, g.input_elements()))
          : gen::to_dtype_bytes(problem,
                                std::vector<double>(static_cast<std::size_t>(g.input_elements())));

  const auto reference = reference::make_implementation();
  const proptest::ForwardResult expected = proptest::run_forward(*reference, problem, x);
  const Bytes expected_dx =
      proptest::run_backward(*reference, problem, x, expected.argmax, dy, dx_start);
  const Bytes expected_dx_from_x = proptest::run_backward(*reference, problem, x, {}, dy, dx_start);

  const auto check = [&](const Implementation& actual_impl, const std::string& who) {
    const proptest::ForwardResult actual =
        proptest::run_forward(actual_impl, problem, x, options.argmax);
    POOLCHECK_RC_ASSERT_SAME(
        proptest::bitwise_difference(problem, who + "y", x, expected.y, actual.y));
    if (options.argmax)
      POOLCHECK_RC_ASSERT_SAME(
          proptest::index_difference(problem, who + "argmax", x, expected.argmax, actual.argmax));
    if (options.backward && options.argmax)
      POOLCHECK_RC_ASSERT_SAME(proptest::bitwise_difference(
          problem, who + "dx (stored argmax)", x, expected_dx,
          proptest::run_backward(actual_impl, problem, x, expected.argmax, dy, dx_start), false));
    if (options.backward)
      POOLCHECK_RC_ASSERT_SAME(proptest::bitwise_difference(
          problem, who + "dx (recomputed)", x, expected_dx_from_x,
          proptest::run_backward(actual_impl, problem, x, {}, dy, dx_start), false));
    if (!options.argmax) return;
    // The same choice written in every other index format.
    for (const IndexFormat format : kAllIndexFormats) {
      Conventions conventions = problem.conventions();
      conventions.index = format;
      Problem other = problem;
      other.conventions(conventions);
      const auto want = proptest::run_forward(*reference, other, x).argmax;
      POOLCHECK_RC_ASSERT_SAME(proptest::index_difference(
          other, who + "argmax", x, want, proptest::run_forward(actual_impl, other, x).argmax));
    }
  };
  check(impl, impl.name() + " ");
  if (options.second) check(*options.second, options.second->name() + " (second) ");
}

}  // namespace poolcheck::properties
