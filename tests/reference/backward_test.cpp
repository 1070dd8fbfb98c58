// Backward: dx[argmax] += dy, window after window in output order.
#include <gtest/gtest.h>

#include <bit>
#include <cstdint>

#include "reference_test_support.hpp"

namespace poolcheck {
namespace {

using namespace poolcheck::testing;

TEST(Backward, OverlappingWindowsAccumulateIntoOneCell) {
  // x = [1, 9, 2, 3], k=3 s=1: windows [1,9,2] and [9,2,3] both pick x[1].
  // dy = 0.5, 0.25 -> dx[1] = 0.75.
  const Problem p = Problem().input_size({4}).kernel({3}).stride({1});
  const std::vector<float> x = {1, 9, 2, 3};
  EXPECT_EQ(bits(backward_stored(p, x, {0.5f, 0.25f}, std::vector<float>(4, 0.0f))),
            bits(std::vector<float>{0, 0.75f, 0, 0}));
}

TEST(Backward, AddsIntoWhatDxAlreadyHolds) {
  // Same problem with dx = 10 everywhere: 10 + 0.5 + 0.25 = 10.75 at x[1].
  const Problem p = Problem().input_size({4}).kernel({3}).stride({1});
  const std::vector<float> x = {1, 9, 2, 3};
  EXPECT_EQ(bits(backward_stored(p, x, {0.5f, 0.25f}, std::vector<float>(4, 10.0f))),
            bits(std::vector<float>{10, 10.75f, 10, 10}));
  EXPECT_EQ(bits(backward_recomputed(p, x, {0.5f, 0.25f}, std::vector<float>(4, 10.0f))),
            bits(std::vector<float>{10, 10.75f, 10, 10}));
}

TEST(Backward, ArgmaxInPaddingDropsTheGradient) {
  // NumPyNet SAME, x = [-inf], k=3 s=2: w=1 -> pads (1,1), one window
  // [NaN(pad), -inf, NaN(pad)]; all rank -inf, tap 0 (a pad cell) wins, so
  // the gradient is dropped: dx stays 2.
  const Problem p = Problem().input_size({1}).kernel({3}).stride({2}).padding(Padding::same_upper);
  const std::vector<float> x = {-kInf};
  EXPECT_EQ(forward(p, x).argmax, (std::vector<std::int64_t>{0}));
  EXPECT_EQ(bits(backward_stored(p, x, {1.0f}, {2.0f})), bits(std::vector<float>{2.0f}));
  EXPECT_EQ(bits(backward_recomputed(p, x, {1.0f}, {2.0f})), bits(std::vector<float>{2.0f}));
}

// Nine windows (x of 17 cells, k=9 s=1) that all contain x[8] = 1 while every
// other cell is 0, so every window's gradient lands on x[8], in window order.
// In float the ulp of 1e8 is 8 (2^26 <= 1e8 < 2^27, 24-bit significand).
Problem nine_windows() { return Problem().input_size({17}).kernel({9}).stride({1}); }
std::vector<float> one_at_eight() {
  std::vector<float> x(17, 0.0f);
  x[8] = 1.0f;
  return x;
}

TEST(BackwardOrder, BigDeltaFirstAbsorbsEveryOne) {
  // dy = 1e8, 1 x8 in window order: 1e8 + 1 = 100000001 rounds back to 1e8
  // (nearest multiple of 8) at every step: dx[8] = 1e8 = 0x4cbebc20.
  std::vector<float> dy(9, 1.0f);
  dy[0] = 1e8f;
  const auto dx = backward_stored(nine_windows(), one_at_eight(), dy, std::vector<float>(17, 0.0f));
  EXPECT_EQ(bits(dx[8]), 0x4cbebc20u);
}

TEST(BackwardOrder, BigDeltaLastKeepsTheOnes) {
  // dy = 1 x8, then 1e8: 1+...+1 = 8 exactly, 8 + 1e8 = 100000008 is a float
  // (12500001 * 8): dx[8] = 0x4cbebc21. Same multiset of deltas as above, a
  // different result: the order is part of the definition.
  std::vector<float> dy(9, 1.0f);
  dy[8] = 1e8f;
  const auto dx = backward_stored(nine_windows(), one_at_eight(), dy, std::vector<float>(17, 0.0f));
  EXPECT_EQ(bits(dx[8]), 0x4cbebc21u);
  EXPECT_EQ(bits(backward_recomputed(nine_windows(), one_at_eight(), dy,
                                     std::vector<float>(17, 0.0f))[8]),
            0x4cbebc21u);
}

TEST(BackwardOrder, WindowOrderIsRowMajorOverTheOutputPlane) {
  // 2-D: x is 3x3 with x(1,1) = 1 and 0 elsewhere, k=2 s=1: four windows
  // (0,0) (0,1) (1,0) (1,1), all picking the centre. dy = 4, 1e8, 4, 0.
  // Row-major window order: 4 + 1e8 = 100000004 is halfway between 1e8 and
  // 100000008, ties to even (1e8 = 12500000 * 8, even) -> 1e8; + 4 -> 1e8
  // again; + 0 -> 1e8 = 0x4cbebc20.
  // Column-major order would add 4 + 4 = 8 first, then 1e8 -> 100000008
  // (0x4cbebc21): a different float.
  const Problem p = Problem().input_size({3, 3}).kernel({2, 2}).stride({1, 1});
  std::vector<float> x(9, 0.0f);
  x[4] = 1.0f;
  const std::vector<float> dy = {4.0f, 1e8f, 4.0f, 0.0f};
  const auto dx = backward_stored(p, x, dy, std::vector<float>(9, 0.0f));
  EXPECT_EQ(bits(dx[4]), 0x4cbebc20u);
}

// Where NaNs meet in one cell, IEEE 754 leaves the sum's payload open; the
// definition fixes it (ScalarTraits::add): dx's own NaN wins, quieted, and a
// NaN gradient arriving in a number cell sets the payload for the rest.
float float_from_bits(std::uint32_t b) { return std::bit_cast<float>(b); }

TEST(BackwardNaN, ACellThatHoldsANaNKeepsItsPayloadWhateverArrives) {
  std::vector<float> dy(9, 1.0f);
  dy[2] = float_from_bits(0x7fc00bad);  // quiet, another payload
  dy[5] = float_from_bits(0xff800abc);  // signaling, negative
  std::vector<float> dx0(17, 0.0f);
  dx0[8] = float_from_bits(0xffc00001);
  EXPECT_EQ(bits(backward_stored(nine_windows(), one_at_eight(), dy, dx0)[8]), 0xffc00001u);
  EXPECT_EQ(bits(backward_recomputed(nine_windows(), one_at_eight(), dy, dx0)[8]), 0xffc00001u);
  // A signaling NaN in dx comes out quiet (its payload kept): 0x7f800003 -> 0x7fc00003.
  dx0[8] = float_from_bits(0x7f800003);
  EXPECT_EQ(bits(backward_stored(nine_windows(), one_at_eight(), dy, dx0)[8]), 0x7fc00003u);
}

TEST(BackwardNaN, TheFirstNaNGradientIntoANumberCellSetsThePayload) {
  // dx[8] = 2, then 1, 1, then a signaling NaN (payload 5, quieted), then
  // other NaNs that must not replace it.
  std::vector<float> dy(9, 1.0f);
  dy[2] = float_from_bits(0x7f800005);
  dy[3] = float_from_bits(0xffc00009);
  dy[7] = float_from_bits(0x7fc0beef);
  std::vector<float> dx0(17, 0.0f);
  dx0[8] = 2.0f;
  EXPECT_EQ(bits(backward_stored(nine_windows(), one_at_eight(), dy, dx0)[8]), 0x7fc00005u);
  // The same in double: 0x7ff0000000000005 (signaling) -> 0x7ff8000000000005.
  std::vector<double> dy64(9, 1.0), dx64(17, 0.0);
  dy64[2] = std::bit_cast<double>(std::uint64_t{0x7ff0000000000005});
  dy64[3] = std::bit_cast<double>(std::uint64_t{0xfff8000000000009});
  std::vector<double> x64(17, 0.0);
  x64[8] = 1.0;
  EXPECT_EQ(bits(backward_stored(nine_windows().dtype(DType::f64), x64, dy64, dx64)[8]),
            0x7ff8000000000005u);
}

TEST(Backward, StoredAndRecomputedArgmaxAgreeForEveryProfile) {
  // Consistency only (both paths are the reference): a 5x5 image with ties,
  // NaN, infinities and zeros, k=3 s=2 with pads where the profile allows.
  const std::vector<float> x = {1,  7, 7,    -0.0f, 0, kNaN, 2,  7, -kInf, 3, 4, 4, kInf,
                                -1, 2, kNaN, kNaN,  5, 5,    -2, 0, 0,     1, 6, 6};
  for (const Profile& profile : all_profiles()) {
    Problem p = Problem().profile(profile.name).input_size({5, 5}).kernel({3, 3}).stride({2, 2});
    if (profile.rules.same_upper_padding)
      p.padding(Padding::same_upper);
    else
      p.pads({1, 1});
    const std::size_t outputs = static_cast<std::size_t>(p.geometry().output_elements());
    std::vector<float> dy(outputs);
    for (std::size_t i = 0; i < outputs; ++i) dy[i] = static_cast<float>(i + 1) * 0.5f;
    EXPECT_EQ(bits(backward_stored(p, x, dy, std::vector<float>(25, 1.0f))),
              bits(backward_recomputed(p, x, dy, std::vector<float>(25, 1.0f))))
        << profile.name;
  }
}

}  // namespace
}  // namespace poolcheck
