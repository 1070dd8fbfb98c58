// fast/ against the reference, bit for bit: every dispatch target, one and
// two threads, values, argmax in every index format, and the gradient (from
// the stored argmax and recomputed from x) added onto a non-zero dx.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "poolcheck/fast.hpp"
#include "poolcheck/generators.hpp"
#include "poolcheck/reference.hpp"
#include "run_and_report.hpp"

namespace poolcheck {
namespace {

using proptest::Bytes;

constexpr IndexFormat kIndexFormats[] = {IndexFormat::window,
                                         IndexFormat::window_col_major,
                                         IndexFormat::plane,
                                         IndexFormat::tensor,
                                         IndexFormat::tensor_col_major,
                                         IndexFormat::nhwc,
                                         IndexFormat::nhwc_batch,
                                         IndexFormat::memory};

RC_GTEST_PROP(CrossCheck, FastEqualsReferenceBitwise, ()) {
  const Problem problem = *gen::problem();
  const Geometry g = problem.geometry();
  const Bytes x = gen::to_dtype_bytes(problem, *gen::values(problem, g.input_elements()));
  const Bytes dy = gen::to_dtype_bytes(problem, *gen::values(problem, g.output_elements()));
  // Backward adds into dx: start from arbitrary values so `=` for `+=` shows.
  const Bytes dx_start = gen::to_dtype_bytes(problem, *gen::values(problem, g.input_elements()));

  const auto reference = reference::make_implementation();
  const proptest::ForwardResult expected = proptest::run_forward(*reference, problem, x);
  const Bytes expected_dx =
      proptest::run_backward(*reference, problem, x, expected.argmax, dy, dx_start);
  const Bytes expected_dx_from_x = proptest::run_backward(*reference, problem, x, {}, dy, dx_start);

  for (const std::string& target : fast::available_targets())
    for (const int threads : {1, 2}) {
      const auto fast = fast::make_implementation({.target = target, .threads = threads});
      const std::string who = "fast(" + target + ", threads=" + std::to_string(threads) + ") ";
      const proptest::ForwardResult actual = proptest::run_forward(*fast, problem, x);
      POOLCHECK_RC_ASSERT_SAME(
          proptest::bitwise_difference(problem, who + "y", x, expected.y, actual.y));
      POOLCHECK_RC_ASSERT_SAME(
          proptest::index_difference(problem, who + "argmax", x, expected.argmax, actual.argmax));
      POOLCHECK_RC_ASSERT_SAME(proptest::bitwise_difference(
          problem, who + "dx (stored argmax)", x, expected_dx,
          proptest::run_backward(*fast, problem, x, expected.argmax, dy, dx_start), false));
      POOLCHECK_RC_ASSERT_SAME(proptest::bitwise_difference(
          problem, who + "dx (recomputed)", x, expected_dx_from_x,
          proptest::run_backward(*fast, problem, x, {}, dy, dx_start), false));

      // The same choice written in every other index format.
      for (const IndexFormat format : kIndexFormats) {
        Conventions conventions = problem.conventions();
        conventions.index = format;
        Problem other = problem;
        other.conventions(conventions);
        const auto want = proptest::run_forward(*reference, other, x).argmax;
        POOLCHECK_RC_ASSERT_SAME(proptest::index_difference(
            other, who + "argmax", x, want, proptest::run_forward(*fast, other, x).argmax));
      }
    }
}

}  // namespace
}  // namespace poolcheck
