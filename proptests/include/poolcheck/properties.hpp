// The properties of the definition as functions of the implementation under
// test, so that the property tests (on the reference and fast/) and
// `poolcheck run` (on a plug-in) check the same statements. Each function is a
// RapidCheck property body: it draws with `*gen::...` and fails with RC_FAIL /
// RC_ASSERT, so call it inside RC_GTEST_PROP or rc::check.
#pragma once

#include <span>
#include <string_view>

#include "poolcheck/generators.hpp"
#include "poolcheck/implementation.hpp"

namespace poolcheck::properties {

struct PropertyOptions {
  // The problems to draw from: what the implementation claims to support
  // (profiles, dtypes, layouts, ranks; empty lists mean all) and the element
  // budget. Properties that need a narrower set intersect it with this one.
  gen::ProblemOptions problems{};
  // Whether the implementation writes an argmax and implements backward.
  // Checks of what it lacks are left out, never faked.
  bool argmax = true;
  bool backward = true;
  // Whether backward adds into the caller's dx in window order (the
  // Implementation contract of the built-ins). A plug-in computes its gradient
  // from zero (plugin.h) and the host adds the result, which rounds
  // differently (-0 + -0 is -0, but -0 + (0 + -0) is +0): then comparisons
  // start from a zero dx.
  bool accumulates_into_dx = true;
  // A foreign implementation: windows whose behaviour the profile leaves open
  // (open_behaviour(problem)) are checked only as far as it is specified.
  // fast/ and the reference are held to poolcheck's full definition.
  bool relax_open = false;
  // The run to compare with where a property compares two runs (repeated runs
  // bitwise identical; fast/ at 1 vs 2 threads). Null: `impl` itself again.
  const Implementation* second = nullptr;
};

// A property that cannot draw any problem inside the claim (e.g. it needs
// rank 2 and the claim is rank 1) passes every case with the RapidCheck tag
// "not applicable: ...", which rc::check prints in its distribution.

// y and the decoded argmax are what the rules of SEMANTICS.md say for every
// window, stated declaratively (first maximum in scan order, NaN rules, ...).
void output_is_first_maximum_of_its_window(const Implementation& impl,
                                           const PropertyOptions& options);
// f(pool(x)) == pool(f(x)) for x*2, x+c and floor (first-candidate profiles).
void nondecreasing_maps_commute_with_pooling(const Implementation& impl,
                                             const PropertyOptions& options);
// widen(pool_f32(x)) == pool_f64(widen(x)) (first-candidate profiles).
void widening_f32_to_f64_commutes_with_pooling(const Implementation& impl,
                                               const PropertyOptions& options);
// A 2-D window is a pass over the scan order's inner axis, then the outer one.
void separable_into_one_axis_passes(const Implementation& impl, const PropertyOptions& options);
// 2x2 stride-2 pooling twice is 4x4 stride-4 pooling (VALID).
void two_by_two_twice_is_four_by_four(const Implementation& impl, const PropertyOptions& options);
// 1x1 stride-1 pooling returns x bit for bit (first-candidate profiles).
void one_by_one_stride_one_is_the_identity(const Implementation& impl,
                                           const PropertyOptions& options);
// Relabelling (n, c) planes of x relabels y the same way.
void permuting_batch_and_channels_permutes_the_result(const Implementation& impl,
                                                      const PropertyOptions& options);
// Channels-last and channels-first give the same y, transposed.
void channels_last_and_channels_first_agree(const Implementation& impl,
                                            const PropertyOptions& options);
// One channel copied C times gives C identical results (TensorFlow #125965).
void replicated_channels_give_identical_results(const Implementation& impl,
                                                const PropertyOptions& options);
// dx is linear in dy, and exactly dy routed to each window's argmax.
void backward_is_linear_exact_sums_and_only_at_argmax(const Implementation& impl,
                                                      const PropertyOptions& options);
// y, argmax and dx of `impl` and of `options.second` are bitwise identical.
void repeated_runs_are_bitwise_identical(const Implementation& impl,
                                         const PropertyOptions& options);
// y, argmax (in the profile's format and in all 8 index formats) and dx (from
// the stored argmax and recomputed from x, added onto a random dx) equal the
// reference's bit for bit, for `impl` and, when given, `options.second`.
void equals_reference_bitwise(const Implementation& impl, const PropertyOptions& options);

using PropertyFunction = void (*)(const Implementation&, const PropertyOptions&);

struct NamedProperty {
  std::string_view name;         // stable, snake_case: what a user selects and a report names
  std::string_view description;  // one line
  PropertyFunction run;
};

// Every function above, in this order.
std::span<const NamedProperty> definition_properties();

}  // namespace poolcheck::properties
