// Every class of invalid problem is rejected with a ProblemError that names
// the parameter and its value (never UB, never a silent answer).
#include <gtest/gtest.h>

#include <cstdint>

#include "poolcheck/problem.hpp"
#include "problem_error_matchers.hpp"

namespace poolcheck {
namespace {

using testing::throws_problem_error;

// A valid 2-D problem that each test breaks in one way.
Problem valid_2d(std::string_view profile = "onnx") {
  return Problem().profile(profile).input_size({6, 6}).kernel({3, 3}).stride({1, 1});
}

TEST(Errors, ZeroKernelIsRejected) {
  EXPECT_TRUE(throws_problem_error([] { valid_2d().kernel({3, 0}).geometry(); }, "kernel_w", "0"));
}

TEST(Errors, NegativeKernelIsRejected) {
  EXPECT_TRUE(throws_problem_error(
      [] {
        valid_2d().kernel({-1, 3}).geometry();
      },
      "kernel_h", "-1"));
}

TEST(Errors, ZeroStrideIsRejected) {
  EXPECT_TRUE(throws_problem_error([] { valid_2d().stride({0, 1}).geometry(); }, "stride_h", "0"));
}

TEST(Errors, NegativeStrideIsRejected) {
  EXPECT_TRUE(throws_problem_error(
      [] {
        valid_2d().stride({1, -2}).geometry();
      },
      "stride_w", "-2"));
}

TEST(Errors, ZeroDilationIsRejected) {
  // oneDNN spells dense as 0; this project (like PyTorch and ONNX) spells it 1.
  EXPECT_TRUE(throws_problem_error(
      [] {
        valid_2d().dilation({1, 0}).geometry();
      },
      "dilation_w", "0"));
}

TEST(Errors, NegativeDilationIsRejected) {
  EXPECT_TRUE(throws_problem_error(
      [] {
        valid_2d().dilation({-1, 1}).geometry();
      },
      "dilation_h", "-1"));
}

TEST(Errors, NegativePadBeginIsRejected) {
  EXPECT_TRUE(throws_problem_error(
      [] {
        valid_2d().pad_begin({-1, 0}).pad_end({0, 0}).geometry();
      },
      "pad_begin_h", "-1"));
}

TEST(Errors, NegativePadEndIsRejected) {
  EXPECT_TRUE(throws_problem_error(
      [] {
        valid_2d().pad_begin({0, 0}).pad_end({0, -2}).geometry();
      },
      "pad_end_w", "-2"));
}

TEST(Errors, NegativeBatchAndChannelsAreRejected) {
  EXPECT_TRUE(throws_problem_error([] { valid_2d().batch(0).geometry(); }, "batch", "0"));
  EXPECT_TRUE(throws_problem_error([] { valid_2d().channels(-3).geometry(); }, "channels", "-3"));
}

TEST(Errors, ZeroInputSizeIsRejected) {
  EXPECT_TRUE(throws_problem_error(
      [] {
        valid_2d().input_size({0, 6}).geometry();
      },
      "input_h", "0"));
}

TEST(ProfileRules, PyTorchRejectsPadAboveHalfTheKernel) {
  // PyTorch: pad <= kernel / 2; k=3 allows 1, so 2 is rejected.
  EXPECT_TRUE(throws_problem_error(
      [] {
        valid_2d("pytorch").pads({2, 2}).geometry();
      },
      "pad_begin_h", "2"));
  EXPECT_NO_THROW(valid_2d("pytorch").pads({1, 1}).geometry());
}

TEST(ProfileRules, PyTorchRejectsAsymmetricPads) {
  // h: (1, 1) fine; w: (0, 1) asymmetric -> named by its end pad.
  EXPECT_TRUE(throws_problem_error(
      [] {
        valid_2d("pytorch").pad_begin({1, 0}).pad_end({1, 1}).geometry();
      },
      "pad_end_w", "1"));
}

TEST(ProfileRules, NumPyNetRejectsExplicitPads) {
  EXPECT_TRUE(throws_problem_error(
      [] {
        valid_2d("numpynet").pads({1, 1}).geometry();
      },
      "pad_begin_h", "1"));
}

TEST(ProfileRules, NumPyNetRejectsCeilMode) {
  EXPECT_TRUE(throws_problem_error([] { valid_2d("numpynet").ceil_mode(true).geometry(); },
                                   "ceil_mode", "true"));
}

TEST(ProfileRules, NumPyNetRejectsDilation) {
  EXPECT_TRUE(throws_problem_error(
      [] {
        valid_2d("numpynet").dilation({2, 1}).geometry();
      },
      "dilation_h", "2"));
}

TEST(ProfileRules, TensorFlowRejectsSameLower) {
  EXPECT_TRUE(
      throws_problem_error([] { valid_2d("tensorflow").padding(Padding::same_lower).geometry(); },
                           "padding", "samelower"));
}

TEST(ProfileRules, UnknownProfileIsRejected) {
  EXPECT_TRUE(throws_problem_error([] { Problem().profile("caffe"); }, "profile", "caffe"));
}

TEST(Errors, ExplicitPadsCannotBeCombinedWithSame) {
  EXPECT_TRUE(throws_problem_error(
      [] {
        valid_2d().pads({1, 0}).padding(Padding::same_upper).geometry();
      },
      "pad_begin_h", "1,1"));
}

TEST(EmptyOutput, KernelLargerThanTheInputIsRejected) {
  // in 6, k 7, no pads: padded 6 < span 7 -> no window.
  EXPECT_TRUE(throws_problem_error([] { valid_2d().kernel({3, 7}).geometry(); }, "kernel_w", "7"));
}

TEST(EmptyOutput, KernelLargerThanThePaddedInputIsRejectedOnnxruntime25234) {
  // in 3, pads 1+1 -> padded 5 < k 6: the ONNX reference gives an empty
  // output, onnxruntime gave 1. We reject it.
  EXPECT_TRUE(throws_problem_error(
      [] {
        Problem().profile("onnx").input_size({3}).kernel({6}).stride({1}).pads({1}).geometry();
      },
      "kernel_w", "6"));
}

TEST(EmptyOutput, DilatedSpanLargerThanTheInputIsRejected) {
  // in 6, k 3, d 3: span (3-1)*3+1 = 7 > 6.
  EXPECT_TRUE(throws_problem_error(
      [] {
        valid_2d().dilation({3, 1}).geometry();
      },
      "kernel_h", "3"));
}

TEST(Overflow, ElementCountBeyond64BitsIsRejected) {
  // 2^40 * 2^30 * 1 = 2^70 elements.
  EXPECT_TRUE(throws_problem_error(
      [] {
        Problem()
            .profile("onnx")
            .batch(std::int64_t{1} << 40)
            .channels(std::int64_t{1} << 30)
            .input_size({1})
            .kernel({1})
            .geometry();
      },
      "batch*channels*input_size", "1099511627776*1073741824*1"));
}

TEST(Overflow, SpatialPlaneBeyond64BitsIsRejected) {
  // 2^31 cubed = 2^93.
  EXPECT_TRUE(throws_problem_error(
      [] {
        constexpr std::int64_t big = std::int64_t{1} << 31;
        Problem().profile("onnx").input_size({big, big, big}).kernel({1, 1, 1}).geometry();
      },
      "input_size", "2147483648*2147483648*2147483648"));
}

TEST(Overflow, SizesAbove2To61AreRejected) {
  // 2^62 would let padded size + stride overflow later on.
  EXPECT_TRUE(throws_problem_error(
      [] { Problem().profile("onnx").input_size({std::int64_t{1} << 62}).kernel({1}).geometry(); },
      "input_w", "4611686018427387904"));
}

TEST(Overflow, DilatedSpanOverflowIsRejected) {
  EXPECT_TRUE(throws_problem_error(
      [] {
        Problem()
            .profile("onnx")
            .input_size({10})
            .kernel({3})
            .dilation({std::int64_t{1} << 62})
            .geometry();
      },
      "dilation_w", "4611686018427387904"));
}

TEST(PerAxisValues, WrongKernelCountIsRejected) {
  EXPECT_TRUE(throws_problem_error([] { valid_2d().kernel({3}).geometry(); }, "kernel", "3"));
}

TEST(PerAxisValues, WrongStrideCountIsRejected) {
  EXPECT_TRUE(throws_problem_error(
      [] {
        valid_2d().stride({1, 1, 1}).geometry();
      },
      "stride", "1,1,1"));
}

TEST(PerAxisValues, WrongPadCountIsRejected) {
  EXPECT_TRUE(throws_problem_error([] { valid_2d().pad_begin({1}).geometry(); }, "pad_begin", "1"));
}

TEST(PerAxisValues, RankAboveThreeIsRejected) {
  EXPECT_TRUE(throws_problem_error(
      [] {
        Problem().input_size({2, 2, 2, 2}).kernel({1, 1, 1, 1}).geometry();
      },
      "input_size", "2,2,2,2"));
}

TEST(PerAxisValues, MissingInputIsRejected) {
  EXPECT_TRUE(throws_problem_error([] { Problem().kernel({1}).geometry(); }, "input_size", ""));
}

}  // namespace
}  // namespace poolcheck
