// The same small problem in every dtype, through the Implementation interface,
// compared by the elements' bits. Bit patterns are written out by hand:
//   f32  1.0 = 0x3f800000 (exponent 127), 2 = 0x40000000, 3 = 0x40400000,
//        4 = 0x40800000, 5 = 0x40a00000
//   f64  exponent 1023: 1 = 0x3ff0..., 2 = 0x4000..., 3 = 0x4008..., 4 = 0x4010...,
//        5 = 0x4014...
//   f16  exponent 15, 10-bit mantissa: 1 = 0x3c00, 2 = 0x4000, 3 = 0x4200,
//        4 = 0x4400, 5 = 0x4500
//   bf16 top half of f32: 1 = 0x3f80, 2 = 0x4000, 3 = 0x4040, 4 = 0x4080, 5 = 0x40a0
#include <gtest/gtest.h>

#include <array>
#include <cstring>

#include "poolcheck/visit_dtype.hpp"
#include "reference_test_support.hpp"

namespace poolcheck {
namespace {

using namespace poolcheck::testing;

// Hand-written bits of the numbers 0..5 in each element type.
template <class T>
constexpr std::array<std::uint64_t, 6> kSmallInts{0, 1, 2, 3, 4, 5};  // s8, u8
template <>
constexpr std::array<std::uint64_t, 6> kSmallInts<float>{0,          0x3f800000, 0x40000000,
                                                         0x40400000, 0x40800000, 0x40a00000};
template <>
constexpr std::array<std::uint64_t, 6> kSmallInts<double>{0,
                                                          0x3ff0000000000000,
                                                          0x4000000000000000,
                                                          0x4008000000000000,
                                                          0x4010000000000000,
                                                          0x4014000000000000};
template <>
constexpr std::array<std::uint64_t, 6> kSmallInts<float16>{0,      0x3c00, 0x4000,
                                                           0x4200, 0x4400, 0x4500};
template <>
constexpr std::array<std::uint64_t, 6> kSmallInts<bfloat16>{0,      0x3f80, 0x4000,
                                                            0x4040, 0x4080, 0x40a0};

// An element from its bits (the inverse of testing::bits).
template <class T>
T from_bits(std::uint64_t b) {
  T v;
  if constexpr (std::is_same_v<T, float16> || std::is_same_v<T, bfloat16>) {
    v = T::from_bits(static_cast<std::uint16_t>(b));
  } else {
    std::memcpy(&v, &b, sizeof(T));  // little-endian: the low bytes
  }
  return v;
}

template <class T>
std::vector<T> small_ints(std::initializer_list<int> values) {
  std::vector<T> out;
  for (const int v : values)
    out.push_back(from_bits<T>(kSmallInts<T>[static_cast<std::size_t>(v)]));
  return out;
}
template <class T>
std::vector<std::uint64_t> small_int_bits(std::initializer_list<int> values) {
  std::vector<std::uint64_t> out;
  for (const int v : values) out.push_back(kSmallInts<T>[static_cast<std::size_t>(v)]);
  return out;
}

template <class T>
class EveryDType : public ::testing::Test {};
using ElementTypes = ::testing::Types<float, double, float16, bfloat16, std::int8_t, std::uint8_t>;
TYPED_TEST_SUITE(EveryDType, ElementTypes);

// x = [3, 1 | 2, 2 | 0, 5], k=2 s=2 (NumPyNet): y = [3, 2, 5], argmax [0, 0, 1]
// (the tie 2,2 goes to the first). dy = [1, 2, 4] -> dx = [1, 0, 2, 0, 0, 4].
TYPED_TEST(EveryDType, ForwardGivesTheSameValuesBitForBit) {
  using T = TypeParam;
  const Problem p = Problem().dtype(dtype_of<T>()).input_size({6}).kernel({2});
  const std::vector<T> x = small_ints<T>({3, 1, 2, 2, 0, 5});
  std::vector<T> y(3);
  std::vector<std::int64_t> argmax(3);
  reference::make_implementation()->forward(p, ConstBuffer::of(p.dtype(), std::span<const T>(x)),
                                            MutableBuffer::of(p.dtype(), std::span<T>(y)), argmax);
  EXPECT_EQ(bits(y), small_int_bits<T>({3, 2, 5}));
  EXPECT_EQ(argmax, (std::vector<std::int64_t>{0, 0, 1}));
}

TYPED_TEST(EveryDType, BackwardGivesTheSameGradientBitForBit) {
  using T = TypeParam;
  const Problem p = Problem().dtype(dtype_of<T>()).input_size({6}).kernel({2});
  const std::vector<T> x = small_ints<T>({3, 1, 2, 2, 0, 5});
  const std::vector<T> dy = small_ints<T>({1, 2, 4});
  std::vector<T> dx = small_ints<T>({0, 0, 0, 0, 0, 0});
  // Recomputing the argmax from x (empty argmax span).
  reference::make_implementation()->backward(p, ConstBuffer::of(p.dtype(), std::span<const T>(x)),
                                             {}, ConstBuffer::of(p.dtype(), std::span<const T>(dy)),
                                             MutableBuffer::of(p.dtype(), std::span<T>(dx)));
  EXPECT_EQ(bits(dx), small_int_bits<T>({1, 0, 2, 0, 0, 4}));
}

TEST(SignedInt8, NegativeValuesAndExtremes) {
  // [-3, -1 | -128, -128 | 127, -5]: -1 at 1, -128 at 0 (tie), 127 at 0.
  // Two's complement bits: -1 = 0xff, -128 = 0x80, 127 = 0x7f.
  const Problem p = Problem().dtype(DType::s8).input_size({6}).kernel({2});
  const auto r = forward(p, std::vector<std::int8_t>{-3, -1, -128, -128, 127, -5});
  EXPECT_EQ(bits(r.y), (std::vector<std::uint64_t>{0xff, 0x80, 0x7f}));
  EXPECT_EQ(r.argmax, (std::vector<std::int64_t>{1, 0, 0}));
}

TEST(UnsignedInt8, Extremes) {
  // [200, 255 | 0, 0 | 128, 127] -> 255 at 1, 0 at 0, 128 at 0.
  const Problem p = Problem().dtype(DType::u8).input_size({6}).kernel({2});
  const auto r = forward(p, std::vector<std::uint8_t>{200, 255, 0, 0, 128, 127});
  EXPECT_EQ(bits(r.y), (std::vector<std::uint64_t>{255, 0, 128}));
  EXPECT_EQ(r.argmax, (std::vector<std::int64_t>{1, 0, 0}));
}

TEST(UnsignedInt8, BackwardWrapsModulo256) {
  // ScalarTraits: integer gradients wrap. x = [9, 0], k=2: dx[0] = 250 + 10 = 260 -> 4.
  const Problem p = Problem().dtype(DType::u8).input_size({2}).kernel({2});
  EXPECT_EQ(bits(backward_stored(p, std::vector<std::uint8_t>{9, 0}, std::vector<std::uint8_t>{10},
                                 std::vector<std::uint8_t>{250, 0})),
            (std::vector<std::uint64_t>{4, 0}));
}

TEST(Float16, NumPyNetNaNRulesHoldInHalfPrecision) {
  // [NaN (0x7e00), -inf (0xfc00)]: NaN ranks -inf, tie, first wins -> -inf
  // (0xfc00), argmax 0.
  const Problem p = Problem().dtype(DType::f16).input_size({2}).kernel({2});
  const auto r =
      forward(p, std::vector<float16>{float16::from_bits(0x7e00), float16::from_bits(0xfc00)});
  EXPECT_EQ(bits(r.y), (std::vector<std::uint64_t>{0xfc00}));
  EXPECT_EQ(r.argmax, (std::vector<std::int64_t>{0}));
}

TEST(BFloat16, AllNaNWindowOutputsNaN) {
  const Problem p = Problem().dtype(DType::bf16).input_size({2}).kernel({2});
  const auto r =
      forward(p, std::vector<bfloat16>{bfloat16::from_bits(0x7fc0), bfloat16::from_bits(0xffc1)});
  EXPECT_EQ(r.y[0].bits & 0x7f80u, 0x7f80u);  // exponent all ones
  EXPECT_NE(r.y[0].bits & 0x007fu, 0u);       // mantissa non-zero: NaN, not inf
  EXPECT_EQ(r.argmax, (std::vector<std::int64_t>{-1}));
}

TEST(Float16, SignedZeroTieKeepsTheFirstZerosBits) {
  const Problem p = Problem().dtype(DType::f16).input_size({2}).kernel({2});
  const auto r =
      forward(p, std::vector<float16>{float16::from_bits(0x8000), float16::from_bits(0x0000)});
  EXPECT_EQ(bits(r.y), (std::vector<std::uint64_t>{0x8000}));
}

TEST(Float16, BackwardSumRoundsInWindowOrder) {
  // x = [0, 0, 1, 0, 0], k=3 s=1: all three windows pick x[2].
  // In binary16 2048 = 0x6800 has ulp 2.
  //   dy = [2048, 1, 1]: 2048+1 = 2049 ties to even -> 2048, again -> 2048 (0x6800)
  //   dy = [1, 1, 2048]: 1+1 = 2, 2+2048 = 2050 exactly (0x6801)
  const Problem p = Problem().dtype(DType::f16).input_size({5}).kernel({3}).stride({1});
  const auto h = [](std::uint16_t b) { return float16::from_bits(b); };
  const std::vector<float16> x = {h(0), h(0), h(0x3c00), h(0), h(0)};
  const std::vector<float16> zeros(5, h(0));
  EXPECT_EQ(bits(backward_stored(p, x, {h(0x6800), h(0x3c00), h(0x3c00)}, zeros)[2]), 0x6800u);
  EXPECT_EQ(bits(backward_stored(p, x, {h(0x3c00), h(0x3c00), h(0x6800)}, zeros)[2]), 0x6801u);
}

}  // namespace
}  // namespace poolcheck
