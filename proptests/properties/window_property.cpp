// The window rule itself: every output and argmax against expected_window().
#include <algorithm>
#include <cmath>
#include <sstream>

#include "poolcheck/argmax_index.hpp"
#include "poolcheck/descriptor.hpp"
#include "poolcheck/properties.hpp"
#include "property_support.hpp"
#include "window_rule.hpp"

namespace poolcheck::properties {
namespace {

// No tap of the window reads an input cell.
bool window_in_padding(const Geometry& g, const Dims& o) {
  Dims t{};
  for (t[0] = 0; t[0] < g.kernel[0]; ++t[0])
    for (t[1] = 0; t[1] < g.kernel[1]; ++t[1])
      for (t[2] = 0; t[2] < g.kernel[2]; ++t[2])
        if (g.inside(g.tap_position(o, t))) return false;
  return true;
}

}  // namespace

// y is the window's maximum under the profile's rules, the argmax decodes to
// the first maximum in scan order, and both are bitwise what the rules say.
void output_is_first_maximum_of_its_window(const Implementation& impl,
                                           const PropertyOptions& options) {
  const auto drawn = narrow(options.problems, {});
  if (!drawn) return not_applicable("the claim names no problems");
  const Problem problem = *gen::problem(*drawn);
  const Geometry g = problem.geometry();
  const std::vector<double> xv = *gen::values(problem, g.input_elements());
  const Bytes x = gen::to_dtype_bytes(problem, xv);
  const std::vector<double> xr = as_doubles(problem.dtype(), x);
  const proptest::ForwardResult r = proptest::run_forward(impl, problem, x, options.argmax);
  const std::vector<double> y = as_doubles(problem.dtype(), r.y);
  const OpenBehaviour open = options.relax_open ? open_behaviour(problem) : OpenBehaviour{};
  for_each_output(g, [&](std::int64_t n, std::int64_t c, const Dims& o) {
    const auto at = static_cast<std::size_t>(g.output_offset(n, c, o));
    if (open.padding_windows && window_in_padding(g, o)) return;
    Expected e = expected_window(g, problem.conventions(), problem.dtype(), xr, n, c, o);
    // A tied zero may carry either sign; which cell is the argmax still counts.
    if (open.zero_sign && e.value && *e.value == 0 && y[at] == 0) e.value.reset();
    // Written only on failure: printing the tensors for every window would
    // cost more than the check.
    const auto fail = [&](const std::string& what) {
      std::ostringstream why;
      why << impl.name() << ": " << to_descriptor(problem)
          << "\n  x = " << proptest::show_tensor(problem.dtype(), x)
          << "\n  y = " << proptest::show_tensor(problem.dtype(), r.y) << "\n  at output "
          << proptest::locate(g, static_cast<std::int64_t>(at), true) << ": y=" << y[at];
      if (options.argmax) why << " argmax=" << r.argmax[at];
      RC_FAIL(why.str() + what);
    };
    if (e.unspecified) {
      const bool ok =
          std::isnan(y[at]) || std::any_of(e.allowed.begin(), e.allowed.end(),
                                           [&](double v) { return same_bits(v, y[at]); });
      if (!ok) fail(": neither NaN nor an element of the window");
      return;
    }
    if (e.must_be_nan && !std::isnan(y[at])) fail(": expected NaN");
    if (e.value && !same_bits(*e.value, y[at])) {
      std::ostringstream what;
      what << ": expected " << *e.value;
      fail(what.str());
    }
    if (e.source && options.argmax) {
      const auto decoded = decode_argmax(g, problem.conventions(), n, c, o, r.argmax[at]);
      if (decoded != *e.source)
        fail(": argmax decodes to " +
             (decoded ? proptest::locate(g, *decoded, false) : std::string("none")) +
             ", expected " +
             (*e.source ? proptest::locate(g, **e.source, false) : std::string("none")));
    }
  });
}

}  // namespace poolcheck::properties
