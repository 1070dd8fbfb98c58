// The cases of a golden-vector suite: a fixed, seeded list per profile, and
// their input data. Same seed, profile and dtypes give the same bytes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "poolcheck/npy.hpp"
#include "poolcheck/problem.hpp"

namespace poolcheck::cli::vectors {

// How a case's x is drawn: values k/4 on an integer lattice (k in
// [-spread, spread); integers use k itself), so ties are common and every sum
// the backward forms is exact, with special values injected at these rates.
struct DataRecipe {
  int spread = 16;
  double nan = 0.0;
  double inf = 0.0;   // half +inf, half -inf
  double zero = 0.0;  // half +0, half -0
  // One window (the middle one, or the first with `at_origin`) is filled with
  // NaN or -inf: the all-NaN / all -inf regressions.
  enum class Fill { none, nan, minus_inf } fill = Fill::none;
  bool at_origin = false;
};

struct Case {
  std::string id;
  std::string covers;  // what it is there for, in words
  Problem problem;
  DataRecipe data;
};

// Regression cases of SEMANTICS.md section 3 that the profile can express,
// then `random_cases` seeded cases cycling through ranks, layouts, the
// profile's padding modes, ceil and dilation; all for each dtype.
std::vector<Case> suite_cases(const Profile& profile, const std::vector<DType>& dtypes,
                              std::uint64_t seed, int random_cases);

struct CaseData {
  npy::Array x;
  npy::Array dy;
};
CaseData case_data(const Case& c, std::uint64_t seed);

}  // namespace poolcheck::cli::vectors
