// Running a RapidCheck property as a check, programmatically.
//
// Route taken: rc::detail::checkProperty(toProperty(body), metadata, params,
// listener) (rapidcheck/Check.hpp). It is what rc::check calls, minus the
// printing, and returns a TestResult whose FailureResult holds the SHRUNK
// counterexample and the failure description, with TestParams giving the
// seed and case count directly (no RC_PARAMS environment). It lives in
// rc::detail, but is declared in an installed header and is the documented
// extension point of RapidCheck's test-framework integrations (gtest.h uses
// it the same way).
//
// Cases run in batches with a seed per batch derived from the check's seed,
// so the time budget can stop a check between batches and a given seed
// always draws the same cases. A property body signals a nonconformance with
// fail() (structured) or any RC_ASSERT / RC_FAIL (its text becomes the
// failure's details).
//
// Adding a property as a check is one line (see checks.hpp):
//
//   registry.add(property_check("property.max_is_a_window_value",
//                               "y is NaN or one of its window's values", &max_is_value));
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "poolcheck/conformance/check.hpp"

namespace poolcheck::conformance {

// What the body reports about cases that were not compared.
struct Tally {
  std::int64_t refused = 0;  // outside the claim, or PC_UNSUPPORTED
  std::string last_refusal;
};

// The body of a property: draws with *rc::gen... / poolcheck::gen, then
// checks. Returns normally when the case passes or is refused (counted in
// `tally`), fails through fail() or RC_ASSERT.
// A std::function, so that one generic body can run each of the property
// library's properties (poolcheck/properties.hpp) by capture.
using PropertyBody = std::function<void(const CheckContext& context, Tally& tally)>;

// Records `failure` as the counterexample of the running property and fails
// the current case (throws, as RC_FAIL does).
[[noreturn]] void fail(Failure failure);

CheckResult run_property(const CheckContext& context, PropertyBody body);

// A Check that runs `body` as a property.
Check property_check(std::string name, std::string description, PropertyBody body);

}  // namespace poolcheck::conformance
