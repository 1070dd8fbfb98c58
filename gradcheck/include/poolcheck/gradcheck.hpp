// Exact gradient checks of an Implementation's backward.
//
// check_backward compares dx = backward(dy) of the implementation under test,
// bit for bit, with a gradient obtained independently of any backward: exact
// one-sided finite differences of the reference forward run in 168-bit
// arithmetic (see README.md for why they are exact and what happens at ties,
// NaN and infinities). check_adjoint checks <J v, u> == <v, J^T u> with J v
// from the reference run on dual numbers and J^T u from the implementation.
//
// Independent of any test framework: `poolcheck run` calls it on plug-ins.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "poolcheck/implementation.hpp"
#include "poolcheck/problem.hpp"

namespace poolcheck::gradcheck {

// One input element whose dx differs from the expected gradient.
struct Mismatch {
  std::int64_t n = 0;
  std::int64_t c = 0;
  Dims position{};          // spatial, normalised (d, h, w)
  std::int64_t offset = 0;  // into x and dx
  double expected = 0;      // exactly the dtype value expected in dx
  double actual = 0;
  std::string path;  // "argmax from forward" or "argmax recomputed from x"
  std::string descriptor;
};

struct GradcheckReport {
  std::string implementation;
  std::string descriptor;
  std::int64_t elements_checked = 0;            // dx elements compared (per backward path)
  std::int64_t finite_difference_elements = 0;  // of which differentiated numerically
  // Elements at a non-differentiable point: some window where the right and
  // left differences disagree (a tie for the maximum). There dx must equal the
  // derivative in the direction the profile's tie-break favours.
  std::int64_t ties = 0;
  // Windows whose gradient follows a routing convention, not a derivative:
  // maximum -inf, NaN, or clamped at the dtype's lowest() (see README.md).
  std::int64_t routed_windows = 0;
  // Elements whose expected dx rounded when accumulated in the dtype
  // (overlapping windows with dy off a fine lattice); compared rounded.
  std::int64_t rounded_sums = 0;
  std::int64_t mismatches = 0;
  std::optional<Mismatch> first_mismatch;
  double max_error = 0;  // largest |expected - actual|; 0 when the check passes
  std::chrono::duration<double> elapsed{};

  bool passed() const noexcept { return mismatches == 0; }
};

// x and dy as doubles, each exactly representable in problem.dtype() and dy
// finite (ProblemError naming the element otherwise); sizes per the problem.
// Runs the implementation's backward twice: with the argmax its forward
// returned, and with an empty argmax (recomputed from x).
GradcheckReport check_backward(const Implementation& implementation, const Problem& problem,
                               std::span<const double> x, std::span<const double> dy);

struct AdjointReport {
  std::string implementation;
  std::string descriptor;
  double jv_dot_u = 0;   // <J v, u>, exact, shown rounded to double
  double v_dot_jtu = 0;  // <v, J^T u>
  // Windows whose u was set to 0 because their dx follows a routing
  // convention instead of the derivative (oneDNN's tap 0 at lowest(), ...).
  std::int64_t routed_windows = 0;
  std::chrono::duration<double> elapsed{};
  bool passed = false;  // the two products are equal, exactly
};

// v (input-shaped) and u (output-shaped) must be exactly representable in the
// dtype and finite; choose them on a small lattice so that J^T u computed in
// the dtype does not round (k/4 with |k| <= 8 is safe for every float dtype).
AdjointReport check_adjoint(const Implementation& implementation, const Problem& problem,
                            std::span<const double> x, std::span<const double> v,
                            std::span<const double> u);

// Human-readable, one line per fact; names the first mismatch and descriptor.
std::string to_string(const GradcheckReport& report);
std::string to_string(const AdjointReport& report);

}  // namespace poolcheck::gradcheck
