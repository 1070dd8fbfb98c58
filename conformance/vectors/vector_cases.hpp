// The cases of a golden-vector suite: a fixed, seeded list per profile, and
// their input data. Same seed, profile and dtypes give the same bytes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "poolcheck/npy.hpp"
#include "poolcheck/problem.hpp"

namespace poolcheck::vectors {

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

// One regression of SEMANTICS.md section 3, posed under a profile and dtype.
struct RegressionCase {
  RegressionCase(std::string name, std::string covers, std::optional<Problem> problem,
                 DataRecipe data = {}, bool in_vector_suite = true)
      : name(std::move(name)),
        covers(std::move(covers)),
        problem(std::move(problem)),
        data(data),
        in_vector_suite(in_vector_suite) {}

  std::string name;                // e.g. "pytorch57178_ceil_in32_k1_s2": the source comes first
  std::string covers;              // the bug it guards against, with its source
  std::optional<Problem> problem;  // nothing: the profile (or the oracle) rejects it
  DataRecipe data;
  // False for cases `poolcheck run` poses but the file suite leaves out
  // (16M-element inputs; problems that exist to be rejected).
  bool in_vector_suite = true;
  std::string rejected;  // when `problem` is empty: the oracle's reason, if recorded
};

// Every regression, in a fixed order, whether or not the profile accepts it.
std::vector<RegressionCase> regression_cases(const Profile& profile, DType dtype);

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

}  // namespace poolcheck::vectors
