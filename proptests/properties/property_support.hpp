// Helpers the property bodies share (private to poolcheck_properties).
#pragma once

#include <rapidcheck.h>

#include <cstdint>
#include <limits>
#include <optional>
#include <string_view>
#include <vector>

#include "poolcheck/generators.hpp"
#include "poolcheck/problem.hpp"
#include "poolcheck/run_and_report.hpp"

namespace poolcheck::properties {

using proptest::Bytes;

// Profiles whose running maximum starts at the first candidate: there an
// elementwise nondecreasing map f commutes with pooling, f(max x) = max f(x).
// oneDNN and darknet start at lowest(), which f moves (2 * lowest = -inf)
// while their fill stays lowest(), so they are left out.
inline const std::vector<std::string_view> kFirstCandidateProfiles = {"numpynet", "pytorch", "onnx",
                                                                      "tensorflow", "xnnpack"};
inline const std::vector<DType> kFloatTypes = {DType::f32, DType::f64, DType::f16, DType::bf16};

// What a property needs from the problems it draws; empty lists: anything.
struct Need {
  std::vector<std::string_view> profiles{};
  std::vector<DType> dtypes{};
  std::vector<Layout> layouts{};
  std::vector<int> ranks{};
  std::int64_t max_input_elements = std::numeric_limits<std::int64_t>::max();
};

// The implementation's claim narrowed to the need (lists keep the need's
// order, so the default claim draws exactly what the need alone would);
// nullopt when some list is left empty.
std::optional<gen::ProblemOptions> narrow(const gen::ProblemOptions& claim, const Need& need);

// Marks the case as not applicable to this claim (see properties.hpp).
void not_applicable(std::string_view why);

std::vector<double> as_doubles(DType dtype, const Bytes& t);
// Bitwise equal, or both NaN.
bool same_bits(double a, double b);
double lowest_of(DType dtype);

template <class F>
void for_each_output(const Geometry& g, F&& f) {
  for (std::int64_t n = 0; n < g.batch; ++n)
    for (std::int64_t c = 0; c < g.channels; ++c)
      for (std::int64_t d = 0; d < g.out[0]; ++d)
        for (std::int64_t h = 0; h < g.out[1]; ++h)
          for (std::int64_t w = 0; w < g.out[2]; ++w) f(n, c, Dims{d, h, w});
}

}  // namespace poolcheck::properties
