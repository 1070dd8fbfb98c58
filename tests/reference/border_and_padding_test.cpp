// What pad cells hold: XNNPACK's clamped border versus excluded cells.
#include <gtest/gtest.h>

#include "reference_test_support.hpp"

namespace poolcheck {
namespace {

using namespace poolcheck::testing;

// A 1x3 image (h=1, w=3) = [5, 1, 7], kernel 1x3, stride 1, pads of 1 on w:
// three windows whose taps read input columns -1..1, 0..2 and 1..3.
Problem row(std::string_view profile) {
  return Problem()
      .profile(profile)
      .input_size({1, 3})
      .kernel({1, 3})
      .stride({1, 1})
      .pad_begin({0, 1})
      .pad_end({0, 1});
}
const std::vector<float> kRow = {5, 1, 7};

TEST(XnnpackBorder, PadTapsReadTheEdgePixel) {
  // Column -1 reads column 0 (5), column 3 reads column 2 (7):
  //   window 0: [5(pad), 5, 1] -> 5, first in scan order is the pad tap: index 0
  //   window 1: [5, 1, 7]      -> 7 at tap 2 -> px*KH + py = 2*1 + 0 = 2
  //   window 2: [1, 7, 7(pad)] -> 7 at tap 1 (the real pixel comes first): 1
  const auto r = forward(row("xnnpack"), kRow);
  EXPECT_EQ(bits(r.y), bits(std::vector<float>{5, 7, 7}));
  EXPECT_EQ(r.argmax, (std::vector<std::int64_t>{0, 2, 1}));
}

TEST(XnnpackBorder, GradientOfAPadTapGoesToTheEdgePixel) {
  // dy = 1, 2, 4: window 0's pad tap feeds x[0] (+1); windows 1 and 2 pick x[2]
  // (+2 +4). dx = [1, 0, 6], nothing dropped.
  EXPECT_EQ(bits(backward_stored(row("xnnpack"), kRow, {1, 2, 4}, std::vector<float>(3, 0.0f))),
            bits(std::vector<float>{1, 0, 6}));
}

TEST(XnnpackBorder, BorderBeatsAnyOtherPadValueForNegativeImages) {
  // All-negative row [-5, -1, -7]: window 0 = [-5(pad), -5, -1] -> -1 at 2,
  // window 2 = [-1, -7, -7(pad)] -> -1 at 0. A zero pad would give 0 instead.
  const auto r = forward(row("xnnpack"), std::vector<float>{-5, -1, -7});
  EXPECT_EQ(bits(r.y), bits(std::vector<float>{-1, -1, -1}));
  EXPECT_EQ(r.argmax, (std::vector<std::int64_t>{2, 1, 0}));
}

TEST(ExcludedPadding, PadCellsAreNeverCandidates) {
  // Same row under ONNX: window 0 = [5, 1] over columns 0..1 -> 5 at tensor
  // index 0; window 1 -> 7 at 2; window 2 = [1, 7] -> 7 at 2.
  const auto r = forward(row("onnx"), kRow);
  EXPECT_EQ(bits(r.y), bits(std::vector<float>{5, 7, 7}));
  EXPECT_EQ(r.argmax, (std::vector<std::int64_t>{0, 2, 2}));
}

TEST(SameLowerPadding, ExtraPadCellGoesFirst) {
  // ONNX SAME_LOWER, w=4 k=2 s=1: out 4, total pad 1 at the begin. Windows
  // over columns -1..0, 0..1, 1..2, 2..3 of [3, 1, 2, 4] -> 3, 3, 2, 4 at
  // tensor indexes 0, 0, 2, 3. (SAME_UPPER would end with a [4, pad] window.)
  const Problem p =
      Problem().profile("onnx").input_size({1, 4}).kernel({1, 2}).stride({1, 1}).padding(
          Padding::same_lower);
  const auto r = forward(p, std::vector<float>{3, 1, 2, 4});
  EXPECT_EQ(bits(r.y), bits(std::vector<float>{3, 3, 2, 4}));
  EXPECT_EQ(r.argmax, (std::vector<std::int64_t>{0, 0, 2, 3}));
}

TEST(SameUpperPadding, NumPyNetPadsAtTheEndForEvenWidths) {
  // NumPyNet pad=True, w=4 k=3 s=2: pads (0, 1), out 2. Windows over columns
  // 0..2 and 2..4 of [1, 9, 2, 3]: 9 at tap 1, then [2, 3, NaN] -> 3 at tap 1.
  const Problem p =
      Problem().input_size({1, 4}).kernel({1, 3}).stride({1, 2}).padding(Padding::same_upper);
  const auto r = forward(p, std::vector<float>{1, 9, 2, 3});
  EXPECT_EQ(bits(r.y), bits(std::vector<float>{9, 3}));
  EXPECT_EQ(r.argmax, (std::vector<std::int64_t>{1, 1}));
}

}  // namespace
}  // namespace poolcheck
