// What the rules of SEMANTICS.md say one window's output and argmax must be,
// stated declaratively (e.g. "the first maximum in scan order"), never by
// running the reference's choose().
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "poolcheck/problem.hpp"

namespace poolcheck::properties {

// nullopt fields: "anything the rule allows" (unspecified NaN handling).
struct Expected {
  bool must_be_nan = false;
  std::optional<double> value;                        // bitwise, when not NaN
  std::optional<std::optional<std::int64_t>> source;  // input offset of the argmax (or none)
  std::vector<double> allowed;                        // for unspecified: NaN or one of these
  bool unspecified = false;
};

// Window `o` of plane (n, c); `x` holds the input as doubles (exact).
Expected expected_window(const Geometry& g, const Conventions& cv, DType dtype,
                         const std::vector<double>& x, std::int64_t n, std::int64_t c,
                         const Dims& o);

}  // namespace poolcheck::properties
