// The checks a campaign runs, by name.
//
//   crosscheck.forward   random problems and data: y and argmax vs the reference
//   crosscheck.backward  random problems: dx along each claimed backward path
//   gradcheck            exact gradient (check_backward) and adjoint checks
//   regression.<name>    one per named regression of SEMANTICS.md section 3
//
// Hook for properties: the RapidCheck properties of the definition
// (proptests/definition_test.cpp, once moved into a library) register here as
// property_check(name, description, body), one line each, in
// add_property_checks(); their bodies take (const CheckContext&, Tally&) and
// test context.subject.implementation().
#pragma once

#include "poolcheck/conformance/check.hpp"

namespace poolcheck::conformance {

void add_crosscheck_checks(Registry& registry);
void add_gradcheck_check(Registry& registry);
// Names come from the regression list for the subject's profile and dtype.
void add_regression_checks(Registry& registry, const Subject& subject);
void add_property_checks(Registry& registry);  // the hook; empty for now

// All of the above, in that order.
Registry default_registry(const Subject& subject);

}  // namespace poolcheck::conformance
