// What max pooling needs of an element type, as one customisation point.
//
// The reference is templated on the element type so that the same loops run on
// float, double, the 16-bit floats, int8/uint8, Boost.Multiprecision numbers
// and dual numbers. A type that does not fit the defaults specialises
// ScalarTraits (gradcheck does so for its dual number).
#pragma once

#include <cmath>
#include <limits>
#include <type_traits>

#include "poolcheck/half.hpp"

namespace poolcheck {

template <class T>
struct ScalarTraits {
  static constexpr bool has_nan = std::numeric_limits<T>::has_quiet_NaN;

  static bool is_nan(const T& v) {
    if constexpr (has_nan) {
      using std::isnan;
      return isnan(v);
    } else {
      return false;
    }
  }
  static bool greater(const T& a, const T& b) { return a > b; }
  // -inf where the type has it; else its lowest value (integers).
  static T minus_infinity() {
    if constexpr (std::numeric_limits<T>::has_infinity) {
      return -std::numeric_limits<T>::infinity();
    } else {
      return std::numeric_limits<T>::lowest();
    }
  }
  static T lowest() { return std::numeric_limits<T>::lowest(); }
  static T quiet_nan() { return std::numeric_limits<T>::quiet_NaN(); }
  // dx + dy in T. Integers wrap modulo 2^bits (C++20 conversion rules);
  // floats round once to T. Where both are NaN, IEEE 754 (6.2.3) leaves open
  // whose payload the sum carries, x86 returns its first operand's, and a
  // compiler may swap the operands of a commutative +: the oracle fixes it
  // as the accumulator's payload, quieted (a + 0 has only one NaN operand).
  static T add(const T& a, const T& b) {
    if constexpr (has_nan) {
      if (is_nan(a)) return static_cast<T>(a + T{});
    }
    return static_cast<T>(a + b);
  }
};

// The 16-bit floats have no unary minus; -inf is their sign bit on +inf.
template <class T>
requires std::is_same_v<T, float16> || std::is_same_v<T, bfloat16>
struct ScalarTraits<T> {
  static constexpr bool has_nan = true;
  static bool is_nan(const T& v) { return isnan(v); }
  static bool greater(const T& a, const T& b) { return a > b; }
  static T minus_infinity() {
    return T::from_bits(
        static_cast<std::uint16_t>(std::numeric_limits<T>::infinity().bits | 0x8000u));
  }
  static T lowest() { return std::numeric_limits<T>::lowest(); }
  static T quiet_nan() { return std::numeric_limits<T>::quiet_NaN(); }
  // The NaN rule of the primary template (the accumulator's payload).
  static T add(const T& a, const T& b) { return isnan(a) ? a + T{} : a + b; }
};

}  // namespace poolcheck
