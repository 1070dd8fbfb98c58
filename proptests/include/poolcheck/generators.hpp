// RapidCheck generators for pooling problems and their data, shared by
// proptests/, gradcheck/ and `poolcheck run`.
#pragma once

#include <rapidcheck.h>

#include <cstdint>
#include <iosfwd>
#include <span>
#include <string_view>
#include <vector>

#include "poolcheck/problem.hpp"

namespace poolcheck::gen {

struct ProblemOptions {
  // Profiles to draw from (empty: all). Problems always satisfy the profile's rules.
  std::vector<std::string_view> profiles{};
  // Element types to draw from (empty: all).
  std::vector<DType> dtypes{};
  // Layouts to draw from (empty: both).
  std::vector<Layout> layouts{};
  std::vector<int> ranks{1, 2, 3};
  // Upper bound on input elements (keeps multiprecision checks cheap).
  std::int64_t max_input_elements = 4096;
};

// A valid problem: every layout, rank, padding mode, ceil mode and dilation
// the profile allows, including the degenerate shapes (1x1 image, kernel equal
// to or larger than the image with padding, stride larger than the kernel,
// channel counts around SIMD widths, windows entirely in padding). Shrinks
// towards small shapes while staying valid.
rc::Gen<Problem> problem(const ProblemOptions& options = {});

// Values as doubles on an integer lattice (k/4), exactly representable in
// every floating dtype of the problem, with injected special values: NaN
// (sparse, dense, whole windows, whole images), +-inf, -0.0 next to +0.0,
// subnormals, lowest and max of the dtype, heavy ties, and all-distinct runs.
// For integer dtypes, integers in the type's range. `count` elements.
rc::Gen<std::vector<double>> values(const Problem& problem, std::int64_t count);

// The values converted into the problem's dtype, as raw bytes: exactly for
// values() output; other doubles (e.g. after a metamorphic map) are rounded to
// nearest, overflowing to infinity. Integer dtypes reject values out of range.
std::vector<std::byte> to_dtype_bytes(const Problem& problem, std::span<const double> values);

}  // namespace poolcheck::gen

namespace poolcheck {

// RapidCheck shows a Problem as its descriptor (found by argument-dependent
// lookup), so every counterexample can be pasted back into `poolcheck run`.
void showValue(const Problem& problem, std::ostream& os);

}  // namespace poolcheck
