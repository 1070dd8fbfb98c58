// What the random checks draw, shared by crosscheck.* and gradcheck.
#pragma once

#include <rapidcheck.h>

#include <string>
#include <vector>

#include "poolcheck/conformance/check.hpp"
#include "poolcheck/conformance/property.hpp"
#include "poolcheck/generators.hpp"

namespace poolcheck::conformance::draw {

// A problem within the subject's claim (profile, dtypes, ranks; the layout is
// fitted), or nothing when it falls outside (counted as refused in `tally`).
std::optional<Problem> problem(const CheckContext& context, Tally& tally,
                               std::int64_t max_input_elements);

// dy (or u, v for the adjoint): finite values on a small lattice (k/4, |k| <= 8;
// integers for s8/u8), exact in every dtype so gradient sums do not round.
rc::Gen<std::vector<double>> gradients(const Problem& problem, std::int64_t count);

}  // namespace poolcheck::conformance::draw
