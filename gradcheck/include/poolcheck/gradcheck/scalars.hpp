// The two element types gradcheck runs the templated reference on.
//
// Exact<Storage> is a cpp_bin_float_50 (168-bit significand, exponent range
// far beyond double's), so every float/double/half value, subnormals included,
// converts exactly and x +- h stays exact for the steps gradcheck picks.
// Dual<Storage> is a forward-mode dual number (value, tangent) in double.
//
// Both carry the Storage dtype in their type because the reference's
// semantics depend on the dtype's traits, not on the arithmetic type: oneDNN
// and darknet start the running maximum at the DTYPE's lowest() (-FLT_MAX for
// f32), integer types have no NaN and no -inf, and so on. A bare
// cpp_bin_float_50 would start at its own, far smaller lowest() and choose a
// different argmax for windows at -FLT_MAX. That is also why the dual is our
// own and not Boost.Math's autodiff fvar: fvar's numeric_limits answer in the
// root type, and it would need the same per-dtype ScalarTraits wrapper anyway.
#pragma once

#include <boost/multiprecision/cpp_bin_float.hpp>
#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>

#include "poolcheck/half.hpp"
#include "poolcheck/scalar_traits.hpp"

namespace poolcheck::gradcheck {

using Real = boost::multiprecision::cpp_bin_float_50;

// A dtype value as double, exactly (every supported dtype embeds in double).
template <class Storage>
double storage_to_double(const Storage& v) {
  if constexpr (std::is_same_v<Storage, float16> || std::is_same_v<Storage, bfloat16>)
    return static_cast<double>(v.to_float());
  else
    return static_cast<double>(v);
}

template <class Storage>
struct Exact {
  Real value;
};

template <class Storage>
struct Dual {
  double value = 0;
  double tangent = 0;
};

}  // namespace poolcheck::gradcheck

namespace poolcheck {

// Same rules as ScalarTraits<Storage> (NaN or not, -inf or lowest, lowest()),
// exact arithmetic in 168 bits.
template <class Storage>
struct ScalarTraits<gradcheck::Exact<Storage>> {
  using Base = ScalarTraits<Storage>;
  using E = gradcheck::Exact<Storage>;
  static constexpr bool has_nan = Base::has_nan;

  static bool is_nan(const E& v) { return has_nan && boost::multiprecision::isnan(v.value); }
  static bool greater(const E& a, const E& b) { return a.value > b.value; }
  static E minus_infinity() { return {gradcheck::storage_to_double(Base::minus_infinity())}; }
  static E lowest() { return {gradcheck::storage_to_double(Base::lowest())}; }
  static E quiet_nan() {
    if constexpr (has_nan)
      return {std::numeric_limits<gradcheck::Real>::quiet_NaN()};
    else
      return minus_infinity();
  }
  static E add(const E& a, const E& b) { return {a.value + b.value}; }
};

// Comparisons see the value only; the tangent rides along with the chosen
// cell, which is exactly forward-mode differentiation of a selection.
template <class Storage>
struct ScalarTraits<gradcheck::Dual<Storage>> {
  using Base = ScalarTraits<Storage>;
  using D = gradcheck::Dual<Storage>;
  static constexpr bool has_nan = Base::has_nan;

  static bool is_nan(const D& v) { return has_nan && std::isnan(v.value); }
  static bool greater(const D& a, const D& b) { return a.value > b.value; }
  static D minus_infinity() { return {gradcheck::storage_to_double(Base::minus_infinity()), 0}; }
  static D lowest() { return {gradcheck::storage_to_double(Base::lowest()), 0}; }
  static D quiet_nan() {
    if constexpr (has_nan)
      return {std::numeric_limits<double>::quiet_NaN(), 0};
    else
      return minus_infinity();
  }
  static D add(const D& a, const D& b) { return {a.value + b.value, a.tangent + b.tangent}; }
};

}  // namespace poolcheck
