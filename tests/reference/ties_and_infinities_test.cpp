// Infinities, signed zeros and ties: which cell wins, and the exact output bits.
#include <gtest/gtest.h>

#include "reference_test_support.hpp"

namespace poolcheck {
namespace {

using namespace poolcheck::testing;

Problem whole(std::string_view profile, std::int64_t n) {
  return Problem().profile(profile).input_size({n}).kernel({n}).stride({1});
}

TEST(Infinities, PlusInfinityWins) {
  const auto r = forward(whole("numpynet", 3), std::vector<float>{-kInf, kInf, 3});
  EXPECT_EQ(bits(r.y), bits(std::vector<float>{kInf}));
  EXPECT_EQ(r.argmax, (std::vector<std::int64_t>{1}));
}

TEST(Infinities, AllMinusInfinityPicksTheFirstCellNotNoIndex) {
  // PyTorch PR #1465: an all -inf window left the index at -1. The first
  // candidate starts the scan, so the index is 0 in every first-candidate profile.
  for (const std::string_view profile : {"numpynet", "pytorch", "onnx", "tensorflow"}) {
    const auto r = forward(whole(profile, 3), std::vector<float>{-kInf, -kInf, -kInf});
    EXPECT_EQ(bits(r.y), bits(std::vector<float>{-kInf})) << profile;
    EXPECT_EQ(r.argmax, (std::vector<std::int64_t>{0})) << profile;
  }
}

TEST(SignedZeros, FirstZeroWinsMinusZeroFirst) {
  // [-0.0, +0.0]: +0 > -0 is false, the first zero stays: output -0.0
  // (0x80000000), argmax 0.
  const auto r = forward(whole("numpynet", 2), std::vector<float>{-0.0f, 0.0f});
  EXPECT_EQ(bits(r.y), (std::vector<std::uint64_t>{0x80000000u}));
  EXPECT_EQ(r.argmax, (std::vector<std::int64_t>{0}));
}

TEST(SignedZeros, FirstZeroWinsPlusZeroFirst) {
  const auto r = forward(whole("numpynet", 2), std::vector<float>{0.0f, -0.0f});
  EXPECT_EQ(bits(r.y), (std::vector<std::uint64_t>{0x00000000u}));
  EXPECT_EQ(r.argmax, (std::vector<std::int64_t>{0}));
}

TEST(SignedZeros, OutputIsBitwiseTheElementAtTheArgmaxInALargeWindow) {
  // numpy's own sign of a 9+ cell zero reduction depends on its order; the
  // project pins it to the argmax cell: [-0 x4, +0, -0 x4] -> -0 at 0.
  std::vector<float> x(9, -0.0f);
  x[4] = 0.0f;
  const auto r = forward(whole("numpynet", 9), x);
  EXPECT_EQ(bits(r.y), (std::vector<std::uint64_t>{0x80000000u}));
  EXPECT_EQ(r.argmax, (std::vector<std::int64_t>{0}));
}

TEST(Ties, FirstMaximumInRowMajorOrderWins) {
  // 3x3 window
  //   1 2 7
  //   7 2 7
  //   0 0 0
  // Row-major, the first 7 is (0,2): window index 2.
  const std::vector<float> x = {1, 2, 7, 7, 2, 7, 0, 0, 0};
  const Problem p = Problem().input_size({3, 3}).kernel({3, 3});
  const auto r = forward(p, x);
  EXPECT_EQ(bits(r.y), bits(std::vector<float>{7}));
  EXPECT_EQ(r.argmax, (std::vector<std::int64_t>{2}));
  // All the gradient goes to that one cell (TensorFlow #4886, Theano #5404).
  EXPECT_EQ(bits(backward_stored(p, x, {1.0f}, std::vector<float>(9, 0.0f))),
            bits(std::vector<float>{0, 0, 1, 0, 0, 0, 0, 0, 0}));
}

TEST(Ties, XnnpackScansColumnMajorSoTheFirstMaximumDownTheColumnsWins) {
  // Same window for XNNPACK: column 0 is scanned first (1, 7, 0), so the 7
  // at (row 1, col 0) wins. Its column-major window index is
  // px*KH + py = 0*3 + 1 = 1.
  const std::vector<float> x = {1, 2, 7, 7, 2, 7, 0, 0, 0};
  const Problem p = Problem().profile("xnnpack").input_size({3, 3}).kernel({3, 3});
  const auto r = forward(p, x);
  EXPECT_EQ(bits(r.y), bits(std::vector<float>{7}));
  EXPECT_EQ(r.argmax, (std::vector<std::int64_t>{1}));
  // Written row-major instead, the same cell (1,0) is tap 1*3 + 0 = 3.
  Conventions row_index = p.conventions();
  row_index.index = IndexFormat::window;
  EXPECT_EQ(forward(Problem(p).conventions(row_index), x).argmax, (std::vector<std::int64_t>{3}));
  EXPECT_EQ(bits(backward_stored(p, x, {1.0f}, std::vector<float>(9, 0.0f))),
            bits(std::vector<float>{0, 0, 0, 1, 0, 0, 0, 0, 0}));
}

TEST(Ties, AllEqualWindowPicksTapZeroInEveryProfile) {
  for (const Profile& profile : all_profiles()) {
    const Problem p = Problem().profile(profile.name).input_size({2, 2}).kernel({2, 2});
    const auto r = forward(p, std::vector<float>{4, 4, 4, 4});
    EXPECT_EQ(bits(r.y), bits(std::vector<float>{4})) << profile.name;
    // Tap (0,0) = input (0,0): 0 in every index format of a 1x1x2x2 problem.
    EXPECT_EQ(r.argmax, (std::vector<std::int64_t>{0})) << profile.name;
  }
}

TEST(PaddingOnlyWindow, PyTorchGivesMinusInfinityAndNoIndex) {
  // PyTorch #114216: in=1, k=2, dilation 2, pad 1 (<= k/2): span 3, padded 3,
  // one window whose taps sit at -1 and 1, both padding. The profile outputs
  // -inf with index -1 (torch 1.13 itself returns -inf with an arbitrary index).
  const Problem p =
      Problem().profile("pytorch").input_size({1}).kernel({2}).stride({1}).dilation({2}).pads({1});
  const auto r = forward(p, std::vector<float>{3});
  EXPECT_EQ(bits(r.y), bits(std::vector<float>{-kInf}));
  EXPECT_EQ(r.argmax, (std::vector<std::int64_t>{-1}));
  EXPECT_EQ(bits(backward_stored<float>(p, {3.0f}, {1.0f}, {0.0f})),
            bits(std::vector<float>{0.0f}));
}

TEST(PaddingOnlyWindow, PyTorchPaddingIsMinusInfinityNotZero) {
  // PyTorch docs: "implicit negative infinity padding". x = [-5, -3], k=2 s=1
  // pad 1: windows [pad,-5] -> -5 at 0, [-5,-3] -> -3 at 1, [-3,pad] -> -3 at 1.
  // Zero padding would give 0 at both ends. (torch 1.13 agrees.)
  const Problem p = Problem().profile("pytorch").input_size({2}).kernel({2}).stride({1}).pads({1});
  const auto r = forward(p, std::vector<float>{-5, -3});
  EXPECT_EQ(bits(r.y), bits(std::vector<float>{-5, -3, -3}));
  EXPECT_EQ(r.argmax, (std::vector<std::int64_t>{0, 1, 1}));
}

TEST(PaddingOnlyWindow, OneDnnGivesLowestWithWorkspaceZero) {
  const Problem p =
      Problem().profile("onednn").input_size({1}).kernel({2}).stride({1}).dilation({2}).pads({1});
  const auto r = forward(p, std::vector<float>{3});
  EXPECT_EQ(bits(r.y), bits(std::vector<float>{kLowest}));
  EXPECT_EQ(r.argmax, (std::vector<std::int64_t>{0}));
}

}  // namespace
}  // namespace poolcheck
