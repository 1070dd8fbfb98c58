// Running an Implementation on generated data, comparing bit patterns, and
// describing a difference so that a failing property can be reproduced by
// hand: descriptor, small tensors, and the first differing element.
#pragma once

#include <rapidcheck.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "poolcheck/implementation.hpp"
#include "poolcheck/problem.hpp"

namespace poolcheck::proptest {

// A tensor in the problem's dtype, as raw bytes.
using Bytes = std::vector<std::byte>;

struct ForwardResult {
  Bytes y;
  std::vector<std::int64_t> argmax;
};

// argmax stays empty when `with_argmax` is false (an implementation that does
// not produce one is then never asked for it).
ForwardResult run_forward(const Implementation& impl, const Problem& problem, const Bytes& x,
                          bool with_argmax = true);
// dx_start + the gradient; argmax empty means "recompute from x".
Bytes run_backward(const Implementation& impl, const Problem& problem, const Bytes& x,
                   std::span<const std::int64_t> argmax, const Bytes& dy, Bytes dx_start);

// Element i of a tensor in `dtype`, widened exactly to double.
double element(DType dtype, const Bytes& tensor, std::size_t i);
std::size_t element_count(DType dtype, const Bytes& tensor);

// Names element `offset` of an output (or input) tensor as (n, position, c).
std::string locate(const Geometry& g, std::int64_t offset, bool output);

// Empty when the two tensors are bitwise equal; else a report: descriptor,
// the input (when small), and the first differing element with its position.
std::string bitwise_difference(const Problem& problem, std::string_view what, const Bytes& input,
                               const Bytes& expected, const Bytes& actual, bool output = true);
std::string index_difference(const Problem& problem, std::string_view what, const Bytes& input,
                             std::span<const std::int64_t> expected,
                             std::span<const std::int64_t> actual);

// The tensor printed in memory order (for counterexamples; truncated).
std::string show_tensor(DType dtype, const Bytes& tensor, std::size_t limit = 256);

}  // namespace poolcheck::proptest

// Fails the property with `report` unless it is empty.
#define POOLCHECK_RC_ASSERT_SAME(report)                        \
  do {                                                          \
    const std::string poolcheck_report_ = (report);             \
    if (!poolcheck_report_.empty()) RC_FAIL(poolcheck_report_); \
  } while (false)
