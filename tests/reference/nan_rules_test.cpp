// NaN rules of each profile, worked by hand from SEMANTICS.md sections 1-2.
#include <gtest/gtest.h>

#include "reference_test_support.hpp"

namespace poolcheck {
namespace {

using namespace poolcheck::testing;

// One window covering all of a 1-D input of n cells.
Problem whole(std::string_view profile, std::int64_t n) {
  return Problem().profile(profile).input_size({n}).kernel({n}).stride({1});
}

// --- numpynet: np.nanmax / np.nanargmax --------------------------------------

TEST(NumPyNetNaN, NaNRanksAsMinusInfinityAndCanBeTheArgmax) {
  // [[nan, -inf], [-inf, -inf]]: nanargmax reads NaN as -inf, so every cell
  // ties at -inf and the first, the NaN at (0,0), wins: value -inf, argmax 0.
  const Problem p = Problem().input_size({2, 2}).kernel({2, 2});
  const auto r = forward(p, std::vector<float>{kNaN, -kInf, -kInf, -kInf});
  EXPECT_EQ(bits(r.y), bits(std::vector<float>{-kInf}));
  EXPECT_EQ(r.argmax, (std::vector<std::int64_t>{0}));
}

TEST(NumPyNetNaN, NaNIsIgnoredBesideANumber) {
  // [nan, 2, nan, 1] -> nanmax 2 at 1.
  const auto r = forward(whole("numpynet", 4), std::vector<float>{kNaN, 2, kNaN, 1});
  EXPECT_EQ(bits(r.y), bits(std::vector<float>{2}));
  EXPECT_EQ(r.argmax, (std::vector<std::int64_t>{1}));
}

TEST(NumPyNetNaN, AllNaNWindowGivesNaNNoArgmaxAndNoGradient) {
  // NumPyNet raises 'All-NaN slice encountered'; the project's documented
  // deviation: NaN, argmax -1, and dx keeps what it held.
  const Problem p = whole("numpynet", 3);
  const std::vector<float> x = {kNaN, kNaN, kNaN};
  const auto r = forward(p, x);
  EXPECT_TRUE(std::isnan(r.y[0]));
  EXPECT_EQ(r.argmax, (std::vector<std::int64_t>{-1}));
  const std::vector<float> dx0 = {0.5f, 0.25f, 0.125f};
  EXPECT_EQ(bits(backward_stored(p, x, {1.0f}, dx0)), bits(dx0));
  EXPECT_EQ(bits(backward_recomputed(p, x, {1.0f}, dx0)), bits(dx0));
}

TEST(NumPyNetNaN, WithSamePaddingAndAllMinusInfinityTheArgmaxCanBeAPadCell) {
  // 3x3 of -inf, k=3 s=2 SAME: w=3 odd -> pads (1,1) on both axes, out 2x2.
  // Pad cells are NaN, ranked -inf, so every tap ties and tap 0 wins:
  //   window (0,0) tap 0 = input (-1,-1): a pad cell;
  //   window (0,1) tap 0 = input (-1, 1): a pad cell;
  //   window (1,0) tap 0 = input ( 1,-1): a pad cell;
  //   window (1,1) tap 0 = input ( 1, 1): the input cell, flat 4.
  // The value is -inf (a NaN argmax cell reads as -inf) everywhere.
  const Problem p =
      Problem().input_size({3, 3}).kernel({3, 3}).stride({2, 2}).padding(Padding::same_upper);
  const std::vector<float> x(9, -kInf);
  const auto r = forward(p, x);
  EXPECT_EQ(bits(r.y), bits(std::vector<float>(4, -kInf)));
  EXPECT_EQ(r.argmax, (std::vector<std::int64_t>{0, 0, 0, 0}));
  // Backward: the three pad argmaxes drop their gradient; only window (1,1)
  // reaches x[4]. dy = 1, 2, 4, 8 -> dx[4] = 8.
  std::vector<float> expected(9, 0.0f);
  expected[4] = 8.0f;
  EXPECT_EQ(bits(backward_stored(p, x, {1, 2, 4, 8}, std::vector<float>(9, 0.0f))), bits(expected));
}

// --- pytorch: update if v > max or isnan(v) -------------------------------------

TEST(PyTorchNaN, NaNPropagatesAndTheIndexIsTheLastNaN) {
  // [1, nan, 3, nan, 2] under `v > m || isnan(v)`, starting at m = 1 (index 0):
  // the NaN at 1 replaces it; 3 > NaN is false and 3 is no NaN: kept; the NaN
  // at 3 replaces; 2 > NaN is false: kept. Output NaN, index 3 (torch 1.13's
  // max_pool1d(..., return_indices=True) gives (nan, 3) too).
  const auto r = forward(whole("pytorch", 5), std::vector<float>{1, kNaN, 3, kNaN, 2});
  EXPECT_TRUE(std::isnan(r.y[0]));
  EXPECT_EQ(r.argmax, (std::vector<std::int64_t>{3}));
}

TEST(PyTorchNaN, AllNaNGivesNaNAtTheLastCell) {
  const auto r = forward(whole("pytorch", 3), std::vector<float>{kNaN, kNaN, kNaN});
  EXPECT_TRUE(std::isnan(r.y[0]));
  EXPECT_EQ(r.argmax, (std::vector<std::int64_t>{2}));
}

TEST(PyTorchNaN, BackwardSendsTheGradientToTheLastNaN) {
  const Problem p = whole("pytorch", 4);
  const std::vector<float> x = {kNaN, 5, kNaN, 1};
  EXPECT_EQ(bits(backward_recomputed(p, x, {3.0f}, std::vector<float>(4, 0.0f))),
            bits(std::vector<float>{0, 0, 3, 0}));
}

// --- onednn: NaN skipped, start at lowest() with workspace 0 --------------------

TEST(OneDnnNaN, NaNIsSkipped) {
  const auto r = forward(whole("onednn", 3), std::vector<float>{1, kNaN, 3});
  EXPECT_EQ(bits(r.y), bits(std::vector<float>{3}));
  EXPECT_EQ(r.argmax, (std::vector<std::int64_t>{2}));
}

TEST(OneDnnNaN, AllNaNGivesLowestWithWorkspaceZero) {
  // Nothing beats the initial -FLT_MAX (bits 0xff7fffff); the workspace stays 0.
  const auto r = forward(whole("onednn", 3), std::vector<float>{kNaN, kNaN, kNaN});
  EXPECT_EQ(bits(r.y), (std::vector<std::uint64_t>{0xff7fffffu}));
  EXPECT_EQ(r.argmax, (std::vector<std::int64_t>{0}));
}

TEST(OneDnnNaN, MinusInfinityNeverBeatsLowest) {
  // -inf > -FLT_MAX is false: the output is -FLT_MAX, not -inf.
  const auto r = forward(whole("onednn", 2), std::vector<float>{-kInf, -kInf});
  EXPECT_EQ(bits(r.y), bits(std::vector<float>{kLowest}));
  EXPECT_EQ(r.argmax, (std::vector<std::int64_t>{0}));
}

// --- darknet: NaN never selected, -FLT_MAX start, index -1 until a tap wins ------

TEST(DarknetNaN, AllNaNGivesLowestWithNoIndex) {
  const Problem p = whole("darknet", 3);
  const std::vector<float> x = {kNaN, kNaN, kNaN};
  const auto r = forward(p, x);
  EXPECT_EQ(bits(r.y), bits(std::vector<float>{kLowest}));
  EXPECT_EQ(r.argmax, (std::vector<std::int64_t>{-1}));
  // PyTorch PR #1465's bug was a -1 index written through in backward: here
  // the gradient is dropped and dx is untouched.
  EXPECT_EQ(bits(backward_stored(p, x, {1.0f}, std::vector<float>{7, 7, 7})),
            bits(std::vector<float>{7, 7, 7}));
}

TEST(DarknetNaN, NaNIsSkippedAndTheIndexIsTheMemoryOffset) {
  // Batch 2, 1-D with C=1: second image's window [nan, 2, nan] at memory
  // offsets 3..5; the index is the flat memory offset of the 2, i.e. 4.
  const Problem p = Problem().profile("darknet").batch(2).input_size({3}).kernel({3});
  const auto r = forward(p, std::vector<float>{9, 8, 7, kNaN, 2, kNaN});
  EXPECT_EQ(bits(r.y), bits(std::vector<float>{9, 2}));
  EXPECT_EQ(r.argmax, (std::vector<std::int64_t>{0, 4}));
}

// --- onnx: unspecified; the reference computes propagate --------------------------

TEST(UnspecifiedNaN, ReferenceComputesPropagate) {
  const auto r = forward(whole("onnx", 3), std::vector<float>{kNaN, 5, 1});
  EXPECT_TRUE(std::isnan(r.y[0]));
  EXPECT_EQ(r.argmax, (std::vector<std::int64_t>{0}));
}

}  // namespace
}  // namespace poolcheck
