// Small helpers for the reference tests: running forward/backward on vectors
// and comparing element BITS, never values with a tolerance (NaN == NaN by its
// bits, -0 != +0).
#pragma once

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <span>
#include <vector>

#include "poolcheck/half.hpp"
#include "poolcheck/problem.hpp"
#include "poolcheck/reference.hpp"

namespace poolcheck::testing {

inline constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
inline constexpr float kInf = std::numeric_limits<float>::infinity();
inline constexpr float kLowest = std::numeric_limits<float>::lowest();  // -FLT_MAX

// The storage bits of one element, widened to 64 bits.
template <class T>
std::uint64_t bits(const T& v) {
  if constexpr (std::is_same_v<T, float16> || std::is_same_v<T, bfloat16>) {
    return v.bits;
  } else if constexpr (sizeof(T) == 1) {
    return std::bit_cast<std::uint8_t>(v);
  } else if constexpr (sizeof(T) == 4) {
    return std::bit_cast<std::uint32_t>(v);
  } else {
    return std::bit_cast<std::uint64_t>(v);
  }
}

template <class T>
std::vector<std::uint64_t> bits(std::span<const T> values) {
  std::vector<std::uint64_t> out;
  for (const T& v : values) out.push_back(bits(v));
  return out;
}
template <class T>
std::vector<std::uint64_t> bits(const std::vector<T>& values) {
  return bits(std::span<const T>(values));
}

template <class T>
struct ForwardResult {
  std::vector<T> y;
  std::vector<std::int64_t> argmax;
};

// The typed reference forward on a vector input.
template <class T>
ForwardResult<T> forward(const Problem& p, const std::vector<T>& x) {
  const Geometry g = p.geometry();
  ForwardResult<T> r{std::vector<T>(static_cast<std::size_t>(g.output_elements())),
                     std::vector<std::int64_t>(static_cast<std::size_t>(g.output_elements()))};
  reference::forward<T>(p, std::span<const T>(x), std::span<T>(r.y),
                        std::span<std::int64_t>(r.argmax));
  return r;
}

// dx (starting at `dx0`) after the backward from the argmax stored by forward.
template <class T>
std::vector<T> backward_stored(const Problem& p, const std::vector<T>& x, const std::vector<T>& dy,
                               std::vector<T> dx0) {
  const ForwardResult<T> f = forward(p, x);
  reference::backward<T>(p, std::span<const std::int64_t>(f.argmax), std::span<const T>(dy),
                         std::span<T>(dx0));
  return dx0;
}

// dx (starting at `dx0`) after the backward that recomputes the argmax from x.
template <class T>
std::vector<T> backward_recomputed(const Problem& p, const std::vector<T>& x,
                                   const std::vector<T>& dy, std::vector<T> dx0) {
  reference::backward_from_input<T>(p, std::span<const T>(x), std::span<const T>(dy),
                                    std::span<T>(dx0));
  return dx0;
}

}  // namespace poolcheck::testing
