// IEEE binary16 and bfloat16 as plain storage types.
//
// Why our own and not _Float16 or a library type: the oracle must not depend on
// compiler support for half arithmetic, and max pooling only needs exact
// conversion to float (for comparison) and correctly rounded addition (for the
// backward sum). Both convert to float exactly; the sum of two of them computed
// in float and rounded once is correctly rounded, because float has at least
// 2p+2 significand bits for p = 11 (binary16) and p = 8 (bfloat16).
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <limits>

namespace poolcheck {

namespace half_detail {

// Round a float to the nearest binary16 (ties to even); NaN stays NaN (quiet).
constexpr std::uint16_t float_to_f16_bits(float f) noexcept {
  const std::uint32_t x = std::bit_cast<std::uint32_t>(f);
  const std::uint32_t sign = (x >> 16) & 0x8000u;
  const std::uint32_t abs = x & 0x7fffffffu;
  if (abs > 0x7f800000u) return static_cast<std::uint16_t>(sign | 0x7e00u | ((abs >> 13) & 0x3ffu));
  if (abs >= 0x477ff000u) return static_cast<std::uint16_t>(sign | 0x7c00u);  // overflow to inf
  if (abs < 0x38800000u) {                                                    // subnormal or zero
    if (abs < 0x33000000u) return static_cast<std::uint16_t>(sign);  // below half the min subnormal
    const std::uint32_t exp = abs >> 23;
    const std::uint32_t mant = (abs & 0x7fffffu) | 0x800000u;
    const std::uint32_t shift = 126u - exp;  // 14..24 for the subnormal range
    const std::uint32_t half_mant = mant >> shift;
    const std::uint32_t rest = mant & ((1u << shift) - 1u);
    const std::uint32_t halfway = 1u << (shift - 1u);
    const bool round_up = rest > halfway || (rest == halfway && (half_mant & 1u));
    return static_cast<std::uint16_t>(sign | (half_mant + (round_up ? 1u : 0u)));
  }
  // Normal: rebias the exponent, round the mantissa to 10 bits (carry may bump exponent).
  const std::uint32_t rebased = abs - (112u << 23);
  const std::uint32_t rest = rebased & 0x1fffu;
  std::uint32_t h = rebased >> 13;
  if (rest > 0x1000u || (rest == 0x1000u && (h & 1u))) ++h;
  return static_cast<std::uint16_t>(sign | h);
}

constexpr float f16_bits_to_float(std::uint16_t h) noexcept {
  const std::uint32_t sign = static_cast<std::uint32_t>(h & 0x8000u) << 16;
  const std::uint32_t exp = (h >> 10) & 0x1fu;
  const std::uint32_t mant = h & 0x3ffu;
  if (exp == 0x1fu) return std::bit_cast<float>(sign | 0x7f800000u | (mant << 13));
  if (exp != 0) return std::bit_cast<float>(sign | ((exp + 112u) << 23) | (mant << 13));
  if (mant == 0) return std::bit_cast<float>(sign);
  // Subnormal binary16: exactly mant * 2^-24.
  const float magnitude = static_cast<float>(mant) * 5.9604644775390625e-8f;
  return sign ? -magnitude : magnitude;
}

constexpr std::uint16_t float_to_bf16_bits(float f) noexcept {
  const std::uint32_t x = std::bit_cast<std::uint32_t>(f);
  if ((x & 0x7fffffffu) > 0x7f800000u) return static_cast<std::uint16_t>((x >> 16) | 0x40u);
  const std::uint32_t rounding = 0x7fffu + ((x >> 16) & 1u);  // ties to even
  return static_cast<std::uint16_t>((x + rounding) >> 16);
}

constexpr float bf16_bits_to_float(std::uint16_t b) noexcept {
  return std::bit_cast<float>(static_cast<std::uint32_t>(b) << 16);
}

}  // namespace half_detail

// A 16-bit float stored as its bits. Comparisons go through float, which is
// exact; the bits are what the oracle compares.
template <std::uint16_t (*FromFloat)(float), float (*ToFloat)(std::uint16_t)>
struct Float16Storage {
  std::uint16_t bits = 0;

  static constexpr Float16Storage from_bits(std::uint16_t b) noexcept { return {b}; }
  static constexpr Float16Storage from_float(float f) noexcept { return {FromFloat(f)}; }
  constexpr float to_float() const noexcept { return ToFloat(bits); }
  constexpr explicit operator float() const noexcept { return to_float(); }

  friend constexpr bool operator>(Float16Storage a, Float16Storage b) noexcept {
    return a.to_float() > b.to_float();
  }
  friend constexpr bool operator<(Float16Storage a, Float16Storage b) noexcept {
    return a.to_float() < b.to_float();
  }
  friend constexpr bool operator==(Float16Storage a, Float16Storage b) noexcept {
    return a.to_float() == b.to_float();
  }
  friend constexpr Float16Storage operator+(Float16Storage a, Float16Storage b) noexcept {
    return from_float(a.to_float() + b.to_float());
  }
  friend constexpr bool isnan(Float16Storage a) noexcept {
    const float f = a.to_float();
    return f != f;
  }
};

using float16 = Float16Storage<half_detail::float_to_f16_bits, half_detail::f16_bits_to_float>;
using bfloat16 = Float16Storage<half_detail::float_to_bf16_bits, half_detail::bf16_bits_to_float>;

static_assert(sizeof(float16) == 2 && sizeof(bfloat16) == 2);

}  // namespace poolcheck

// numeric_limits so the reference's generic code sees infinity, lowest and NaN.
template <>
class std::numeric_limits<poolcheck::float16> {
 public:
  static constexpr bool is_specialized = true;
  static constexpr bool has_infinity = true;
  static constexpr bool has_quiet_NaN = true;
  static constexpr bool is_integer = false;
  static constexpr poolcheck::float16 infinity() noexcept { return {0x7c00}; }
  static constexpr poolcheck::float16 quiet_NaN() noexcept { return {0x7e00}; }
  static constexpr poolcheck::float16 lowest() noexcept { return {0xfbff}; }
  static constexpr poolcheck::float16 max() noexcept { return {0x7bff}; }
  static constexpr poolcheck::float16 min() noexcept { return {0x0400}; }
  static constexpr poolcheck::float16 denorm_min() noexcept { return {0x0001}; }
};

template <>
class std::numeric_limits<poolcheck::bfloat16> {
 public:
  static constexpr bool is_specialized = true;
  static constexpr bool has_infinity = true;
  static constexpr bool has_quiet_NaN = true;
  static constexpr bool is_integer = false;
  static constexpr poolcheck::bfloat16 infinity() noexcept { return {0x7f80}; }
  static constexpr poolcheck::bfloat16 quiet_NaN() noexcept { return {0x7fc0}; }
  static constexpr poolcheck::bfloat16 lowest() noexcept { return {0xff7f}; }
  static constexpr poolcheck::bfloat16 max() noexcept { return {0x7f7f}; }
  static constexpr poolcheck::bfloat16 min() noexcept { return {0x0080}; }
  static constexpr poolcheck::bfloat16 denorm_min() noexcept { return {0x0001}; }
};
