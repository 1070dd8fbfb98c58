// One case: run the implementation under test and the reference on the same
// data and compare, bit for bit, under the profile's partial-specification
// rules (vectors::compare: NaN windows for unspecified-NaN profiles, windows
// entirely in padding for pytorch, the sign of a +-0 tie for numpynet).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "poolcheck/conformance/check.hpp"
#include "poolcheck/problem.hpp"

namespace poolcheck::conformance {

using Bytes = std::vector<std::byte>;  // a tensor in the problem's dtype

enum class Verdict { pass, refused, fail };

struct CaseVerdict {
  Verdict verdict = Verdict::pass;
  std::string note;                // refused: the implementation's reason
  std::optional<Failure> failure;  // fail: what differs, or how the call failed
};

// y and argmax.
CaseVerdict forward_case(const Subject& subject, const Problem& problem, const Bytes& x);

// dx from zero along every backward path the claim allows: with the argmax
// the implementation's own forward returned (expected: the reference routing
// that argmax), and recomputed from x (expected: the reference's own).
CaseVerdict backward_case(const Subject& subject, const Problem& problem, const Bytes& x,
                          const Bytes& dy);

// Multi-line text of a failure, indented for the console.
std::string to_text(const Failure& failure);

}  // namespace poolcheck::conformance
