// Backward routes dy to the argmax and nothing else, and runs are repeatable.
#include <algorithm>
#include <optional>
#include <string>

#include "poolcheck/argmax_index.hpp"
#include "poolcheck/descriptor.hpp"
#include "poolcheck/properties.hpp"
#include "property_support.hpp"
#include "window_rule.hpp"

namespace poolcheck::properties {
namespace {

// Small lattice data without special values: gradient sums are then exact.
std::vector<double> small_lattice(std::int64_t count) {
  return *rc::gen::container<std::vector<double>>(
      static_cast<std::size_t>(count),
      rc::gen::map(rc::gen::inRange(-8, 9), [](int k) { return k / 4.0; }));
}

// Where each output's dy must go: the decoded argmax when the implementation
// writes one, else the rules' argmax (expected_window); nullopt when the rules
// leave some window's argmax open (unspecified NaN handling).
std::optional<std::vector<std::optional<std::int64_t>>> gradient_targets(
    const Problem& p, const Geometry& g, const Bytes& x, std::span<const std::int64_t> argmax) {
  std::vector<std::optional<std::int64_t>> to(static_cast<std::size_t>(g.output_elements()));
  const std::vector<double> xr = argmax.empty() ? as_doubles(p.dtype(), x) : std::vector<double>{};
  bool open = false;
  for_each_output(g, [&](std::int64_t n, std::int64_t c, const Dims& o) {
    const auto at = static_cast<std::size_t>(g.output_offset(n, c, o));
    if (!argmax.empty()) {
      to[at] = decode_argmax(g, p.conventions(), n, c, o, argmax[at]);
      return;
    }
    const Expected e = expected_window(g, p.conventions(), p.dtype(), xr, n, c, o);
    if (e.source)
      to[at] = *e.source;
    else
      open = true;
  });
  if (open) return std::nullopt;
  return to;
}

}  // namespace

void backward_is_linear_exact_sums_and_only_at_argmax(const Implementation& impl,
                                                      const PropertyOptions& options) {
  const auto drawn = narrow(options.problems, {.dtypes = kFloatTypes});
  if (!options.backward || !drawn) return not_applicable("needs backward and a float dtype");
  const Problem p = *gen::problem(*drawn);
  const Geometry g = p.geometry();
  const Bytes x = gen::to_dtype_bytes(p, *gen::values(p, g.input_elements()));
  const std::vector<double> dyv = small_lattice(g.output_elements());
  std::vector<double> dy2v(dyv.size());
  std::transform(dyv.begin(), dyv.end(), dy2v.begin(), [](double v) { return 2 * v; });
  const Bytes dy = gen::to_dtype_bytes(p, dyv), dy2 = gen::to_dtype_bytes(p, dy2v);
  const Bytes zero = gen::to_dtype_bytes(p, std::vector<double>(x.size() / dtype_size(p.dtype())));
  // Without an argmax of its own the implementation recomputes it from x.
  const auto argmax = proptest::run_forward(impl, p, x, options.argmax).argmax;
  const Bytes dx = proptest::run_backward(impl, p, x, argmax, dy, zero);
  // Linear in dy: dx(2 dy) = 2 dx(dy).
  std::vector<double> twice = as_doubles(p.dtype(), dx);
  for (double& v : twice) v *= 2;
  POOLCHECK_RC_ASSERT_SAME(proptest::bitwise_difference(
      p, impl.name() + ": dx(2 dy) vs 2 dx(dy)", x, gen::to_dtype_bytes(p, twice),
      proptest::run_backward(impl, p, x, argmax, dy2, zero), false));
  const auto targets = gradient_targets(p, g, x, argmax);
  if (!targets) {
    RC_TAG("routing not checked: no argmax and an unspecified NaN window");
    return;
  }
  // dx receives exactly the dy of windows whose argmax names an input cell.
  std::vector<double> want(twice.size(), 0.0);
  double kept = 0, total_dx = 0;
  for (std::size_t at = 0; at < targets->size(); ++at)
    if (const auto to = (*targets)[at]) {
      want[static_cast<std::size_t>(*to)] += dyv[at];
      kept += dyv[at];
    }
  const std::vector<double> got = as_doubles(p.dtype(), dx);
  for (const double v : got) total_dx += v;
  if (total_dx != kept)
    RC_FAIL(impl.name() + ": " + to_descriptor(p) + ": sum(dx) = " + std::to_string(total_dx) +
            " but the dy of windows with an in-image argmax sum to " + std::to_string(kept));
  POOLCHECK_RC_ASSERT_SAME(
      proptest::bitwise_difference(p, impl.name() + ": dx vs dy routed to the decoded argmax", x,
                                   gen::to_dtype_bytes(p, want), dx, false));
}

void repeated_runs_are_bitwise_identical(const Implementation& impl,
                                         const PropertyOptions& options) {
  const auto drawn = narrow(options.problems, {});
  if (!drawn) return not_applicable("the claim names no problems");
  const Implementation& again = options.second ? *options.second : impl;
  const Problem p = *gen::problem(*drawn);
  const Geometry g = p.geometry();
  const Bytes x = gen::to_dtype_bytes(p, *gen::values(p, g.input_elements()));
  const Bytes dy = gen::to_dtype_bytes(p, *gen::values(p, g.output_elements()));
  const Bytes dx0 = gen::to_dtype_bytes(p, *gen::values(p, g.input_elements()));
  const std::string who = impl.name() + " vs " + again.name();
  const auto a = proptest::run_forward(impl, p, x, options.argmax);
  const auto b = proptest::run_forward(again, p, x, options.argmax);
  POOLCHECK_RC_ASSERT_SAME(proptest::bitwise_difference(p, who + ": y run 1 vs 2", x, a.y, b.y));
  POOLCHECK_RC_ASSERT_SAME(
      proptest::index_difference(p, who + ": argmax run 1 vs 2", x, a.argmax, b.argmax));
  if (!options.backward) return;
  POOLCHECK_RC_ASSERT_SAME(proptest::bitwise_difference(
      p, who + ": dx run 1 vs 2", x, proptest::run_backward(impl, p, x, {}, dy, dx0),
      proptest::run_backward(again, p, x, {}, dy, dx0), false));
}

}  // namespace poolcheck::properties
