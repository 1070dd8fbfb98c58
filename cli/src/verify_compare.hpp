// Comparing one case's results with the expected arrays, window by window,
// under the relaxations the profile's system allows (vector_suite.hpp).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "poolcheck/npy.hpp"
#include "poolcheck/problem.hpp"
#include "vector_suite.hpp"

namespace poolcheck::cli::vectors {

struct Expected {
  npy::Array x, y, argmax, dx;
};

struct Actual {
  npy::Array y;
  std::optional<npy::Array> argmax, dx;
};

// One array's verdict: how many elements differ and, if any, the first one
// described ("y[0, 2, 1, 0]: expected ..., got ...").
struct Mismatch {
  std::int64_t count = 0;
  std::string first;
};

struct Comparison {
  std::vector<std::string> problems;  // empty: the case passes
};

// Shapes are checked by the caller; arrays have the element types of the case.
Comparison compare(const Problem& problem, const Windows& windows, const Expected& expected,
                   const Actual& actual);

}  // namespace poolcheck::cli::vectors
