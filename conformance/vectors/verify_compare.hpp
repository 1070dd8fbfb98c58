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

namespace poolcheck::vectors {

struct Expected {
  npy::Array x, y, argmax, dx;
};

// What an implementation returned; an array left out is not compared (a
// campaign's backward check compares dx only).
struct Actual {
  std::optional<npy::Array> y, argmax, dx;
};

// One array's verdict: how many elements differ and, if any, the first one
// described ("y[0, 2, 1, 0]: expected ..., got ..."), its flat offset and the
// two values as text (for reports that place the element themselves).
struct Mismatch {
  std::string array;  // "y", "argmax" or "dx"
  std::int64_t count = 0;
  std::string first;
  std::int64_t offset = -1;
  std::string expected, actual;
};

struct Comparison {
  std::vector<std::string> problems;  // empty: the case passes
  std::vector<Mismatch> mismatches;   // one per array that differs, same order
};

// Shapes are checked by the caller; arrays have the element types of the case.
Comparison compare(const Problem& problem, const Windows& windows, const Expected& expected,
                   const Actual& actual);

}  // namespace poolcheck::vectors
