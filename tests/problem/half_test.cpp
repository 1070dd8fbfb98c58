// float <-> binary16 / bfloat16 conversions of half.hpp.
//
// Expected bit patterns are worked from the IEEE formats by hand:
//   binary16: sign 1, exponent 5 (bias 15), mantissa 10; min subnormal 2^-24,
//             min normal 2^-14 = 0x0400, max 65504 = 0x7bff, inf 0x7c00.
//   bfloat16: the top 16 bits of a float (exponent 8, mantissa 7).
#include "poolcheck/half.hpp"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>

namespace poolcheck {
namespace {

float from_bits(std::uint32_t bits) { return std::bit_cast<float>(bits); }
std::uint32_t bits_of(float f) { return std::bit_cast<std::uint32_t>(f); }
std::uint16_t f16(float f) { return float16::from_float(f).bits; }
std::uint16_t bf16(float f) { return bfloat16::from_float(f).bits; }

TEST(Float16FromFloat, ExactValuesKeepTheirBits) {
  EXPECT_EQ(f16(1.0f), 0x3c00);   // exponent 15, mantissa 0
  EXPECT_EQ(f16(-2.0f), 0xc000);  // sign, exponent 16
  EXPECT_EQ(f16(0.0f), 0x0000);
  EXPECT_EQ(f16(-0.0f), 0x8000);
  EXPECT_EQ(f16(65504.0f), 0x7bff);               // (2 - 2^-10) * 2^15
  EXPECT_EQ(f16(std::ldexp(1.0f, -14)), 0x0400);  // min normal
}

TEST(Float16FromFloat, RoundsHalfwayCasesToEven) {
  // Between 1.0 (0x3c00, even) and 1 + 2^-10 (0x3c01): 1 + 2^-11 -> 0x3c00.
  EXPECT_EQ(f16(1.0f + std::ldexp(1.0f, -11)), 0x3c00);
  // Between 0x3c01 (odd) and 0x3c02: 1 + 3 * 2^-11 -> 0x3c02.
  EXPECT_EQ(f16(1.0f + 3 * std::ldexp(1.0f, -11)), 0x3c02);
  // Just above halfway rounds up: 1 + 2^-11 + 2^-20 -> 0x3c01.
  EXPECT_EQ(f16(1.0f + std::ldexp(1.0f, -11) + std::ldexp(1.0f, -20)), 0x3c01);
  // Just below halfway rounds down.
  EXPECT_EQ(f16(1.0f + std::ldexp(1.0f, -11) - std::ldexp(1.0f, -20)), 0x3c00);
}

TEST(Float16FromFloat, OverflowsToInfinityFromTheHalfwayPointUp) {
  // 65520 is halfway between 65504 (0x7bff, odd) and 2^16 (would be 0x7c00):
  // ties to even go up, to infinity. Anything below stays at 65504.
  EXPECT_EQ(f16(65519.0f), 0x7bff);
  EXPECT_EQ(f16(65520.0f), 0x7c00);
  EXPECT_EQ(f16(1e6f), 0x7c00);
  EXPECT_EQ(f16(-1e6f), 0xfc00);
  EXPECT_EQ(f16(INFINITY), 0x7c00);
  EXPECT_EQ(f16(-INFINITY), 0xfc00);
}

TEST(Float16FromFloat, SubnormalsRoundToEven) {
  const float tiny = std::ldexp(1.0f, -24);  // min subnormal, 0x0001
  EXPECT_EQ(f16(tiny), 0x0001);
  EXPECT_EQ(f16(-tiny), 0x8001);
  EXPECT_EQ(f16(tiny / 2), 0x0000);               // halfway 0..1 -> even 0
  EXPECT_EQ(f16(-tiny / 2), 0x8000);              // keeps the sign
  EXPECT_EQ(f16(tiny * 0.75f), 0x0001);           // above halfway
  EXPECT_EQ(f16(tiny * 1.5f), 0x0002);            // halfway 1..2 -> even 2
  EXPECT_EQ(f16(tiny * 2.5f), 0x0002);            // halfway 2..3 -> even 2
  EXPECT_EQ(f16(1023 * tiny), 0x03ff);            // max subnormal
  EXPECT_EQ(f16(1023.5f * tiny), 0x0400);         // halfway 0x03ff..0x0400 -> even, min normal
  EXPECT_EQ(f16(std::ldexp(1.0f, -26)), 0x0000);  // far below half the min subnormal
}

TEST(Float16FromFloat, NaNStaysAQuietNaNWithItsSign) {
  for (const std::uint32_t nan_bits : {0x7fc00000u, 0x7f800001u, 0xffc00000u, 0x7fa00000u}) {
    const std::uint16_t h = f16(from_bits(nan_bits));
    EXPECT_EQ(h & 0x7c00u, 0x7c00u) << std::hex << nan_bits;  // exponent all ones
    EXPECT_NE(h & 0x03ffu, 0u) << std::hex << nan_bits;       // not infinity
    EXPECT_NE(h & 0x0200u, 0u) << std::hex << nan_bits;       // quiet bit
    EXPECT_EQ(h & 0x8000u, (nan_bits >> 16) & 0x8000u) << std::hex << nan_bits;
  }
  EXPECT_EQ(f16(from_bits(0x7fc00000u)), 0x7e00);  // the canonical quiet NaN
}

TEST(Float16ToFloat, IsExact) {
  EXPECT_EQ(bits_of(float16::from_bits(0x3c00).to_float()), 0x3f800000u);  // 1
  EXPECT_EQ(bits_of(float16::from_bits(0x7bff).to_float()), 0x477fe000u);  // 65504
  EXPECT_EQ(bits_of(float16::from_bits(0x0001).to_float()), 0x33800000u);  // 2^-24
  // 0x03ff = 1023 * 2^-24 = (1 + 1022/1024... ) : 2^-15 * 1.998046875 ->
  // exponent 127-15 = 112 (0x38000000), mantissa 0x7fc000.
  EXPECT_EQ(bits_of(float16::from_bits(0x03ff).to_float()), 0x387fc000u);
  EXPECT_EQ(bits_of(float16::from_bits(0x8001).to_float()), 0xb3800000u);  // -2^-24
  EXPECT_EQ(bits_of(float16::from_bits(0x8000).to_float()), 0x80000000u);  // -0
  EXPECT_EQ(bits_of(float16::from_bits(0x7c00).to_float()), 0x7f800000u);  // inf
  EXPECT_EQ(bits_of(float16::from_bits(0xfc00).to_float()), 0xff800000u);  // -inf
  EXPECT_TRUE(std::isnan(float16::from_bits(0x7e00).to_float()));
}

TEST(Float16Add, IsCorrectlyRoundedTiesToEven) {
  // 2048 = 0x6800 has ulp 2; 2048 + 1 = 2049 is halfway -> even 2048.
  // 2050 = 0x6801 (odd) + 1 = 2051 halfway -> 2052 = 0x6802.
  const float16 one = float16::from_bits(0x3c00);
  EXPECT_EQ((float16::from_bits(0x6800) + one).bits, 0x6800);
  EXPECT_EQ((float16::from_bits(0x6801) + one).bits, 0x6802);
}

TEST(BFloat16FromFloat, ExactValuesKeepTheirTopBits) {
  EXPECT_EQ(bf16(1.0f), 0x3f80);
  EXPECT_EQ(bf16(-0.0f), 0x8000);
  EXPECT_EQ(bf16(3.0f), 0x4040);
  EXPECT_EQ(bf16(INFINITY), 0x7f80);
  EXPECT_EQ(bf16(-INFINITY), 0xff80);
}

TEST(BFloat16FromFloat, RoundsHalfwayCasesToEven) {
  EXPECT_EQ(bf16(from_bits(0x3f808000u)), 0x3f80);  // halfway, 0x3f80 even
  EXPECT_EQ(bf16(from_bits(0x3f818000u)), 0x3f82);  // halfway, 0x3f81 odd -> up
  EXPECT_EQ(bf16(from_bits(0x3f808001u)), 0x3f81);  // above halfway
  EXPECT_EQ(bf16(from_bits(0x3f807fffu)), 0x3f80);  // below halfway
}

TEST(BFloat16FromFloat, OverflowsToInfinity) {
  // FLT_MAX = 0x7f7fffff is above halfway between 0x7f7f and 0x7f80 (inf).
  EXPECT_EQ(bf16(from_bits(0x7f7fffffu)), 0x7f80);
  EXPECT_EQ(bf16(from_bits(0x7f7f8000u)), 0x7f80);  // halfway, 0x7f7f odd -> inf
  EXPECT_EQ(bf16(from_bits(0x7f7f7fffu)), 0x7f7f);
  EXPECT_EQ(bf16(from_bits(0xff7fffffu)), 0xff80);
}

TEST(BFloat16FromFloat, SubnormalsRoundToEven) {
  EXPECT_EQ(bf16(from_bits(0x00010000u)), 0x0001);  // exact
  EXPECT_EQ(bf16(from_bits(0x00008000u)), 0x0000);  // halfway 0..1 -> 0
  EXPECT_EQ(bf16(from_bits(0x00018000u)), 0x0002);  // halfway 1..2 -> 2
  EXPECT_EQ(bf16(from_bits(0x00000001u)), 0x0000);  // the smallest float subnormal
  EXPECT_EQ(bf16(from_bits(0x007fffffu)), 0x0080);  // max float subnormal -> min normal
}

TEST(BFloat16FromFloat, NaNStaysNaNEvenWhenItsPayloadIsInTheLowBits) {
  // Plain truncation would turn 0x7f800001 into 0x7f80 = infinity.
  EXPECT_EQ(bf16(from_bits(0x7fc00000u)), 0x7fc0);
  EXPECT_EQ(bf16(from_bits(0xffc00000u)), 0xffc0);
  const std::uint16_t b = bf16(from_bits(0x7f800001u));
  EXPECT_EQ(b & 0x7f80u, 0x7f80u);
  EXPECT_NE(b & 0x007fu, 0u);
  // Rounding must not carry a NaN's mantissa into the exponent either.
  const std::uint16_t c = bf16(from_bits(0x7fffffffu));
  EXPECT_EQ(c & 0x7f80u, 0x7f80u);
  EXPECT_NE(c & 0x007fu, 0u);
  EXPECT_EQ(c & 0x8000u, 0u);
}

TEST(BFloat16ToFloat, IsTheTopHalfOfTheFloat) {
  EXPECT_EQ(bits_of(bfloat16::from_bits(0x0001).to_float()), 0x00010000u);
  EXPECT_EQ(bits_of(bfloat16::from_bits(0xff7f).to_float()), 0xff7f0000u);  // lowest
}

TEST(HalfLimits, MatchTheFormats) {
  EXPECT_EQ(std::numeric_limits<float16>::lowest().bits, 0xfbff);  // -65504
  EXPECT_EQ(std::numeric_limits<float16>::denorm_min().to_float(), std::ldexp(1.0f, -24));
  EXPECT_EQ(std::numeric_limits<bfloat16>::lowest().bits, 0xff7f);
  EXPECT_EQ(std::numeric_limits<bfloat16>::min().to_float(), std::ldexp(1.0f, -126));
}

}  // namespace
}  // namespace poolcheck
