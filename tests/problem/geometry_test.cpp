// Output sizes, pads and memory strides that Problem::geometry() resolves.
//
// Every expected number below is worked by hand from SEMANTICS.md (or the
// cited issue) in the comment beside it; none was copied from running the code.
#include "poolcheck/geometry.hpp"

#include <gtest/gtest.h>

#include <cstdint>

#include "poolcheck/problem.hpp"

namespace poolcheck {
namespace {

// Axis index of the last spatial axis (w) in the normalised (d, h, w) triple.
constexpr int kW = 2;
constexpr int kH = 1;
constexpr int kD = 0;

Geometry one_axis(std::int64_t in, std::int64_t k, std::int64_t s, Padding padding,
                  std::string_view profile = "numpynet") {
  return Problem()
      .profile(profile)
      .input_size({in})
      .kernel({k})
      .stride({s})
      .padding(padding)
      .geometry();
}

// --- TensorFlow SAME as NumPyNet's pad=True -------------------------------

struct SameRow {
  std::int64_t w, pad_begin, pad_end, out;
};

// SEMANTICS.md section 1, k=3 s=2: total pad = max(3 - (w % 2 ? w % 2 : 2), 0),
// i.e. 2 for odd w (split 1,1) and 1 for even w (split 0,1: the extra cell goes
// bottom/right); out = ceil(w / 2) = 1,1,2,2,3,3,4,4 for w = 1..8.
constexpr SameRow kSameK3S2[] = {{1, 1, 1, 1}, {2, 0, 1, 1}, {3, 1, 1, 2}, {4, 0, 1, 2},
                                 {5, 1, 1, 3}, {6, 0, 1, 3}, {7, 1, 1, 4}, {8, 0, 1, 4}};

class SamePaddingK3S2 : public ::testing::TestWithParam<SameRow> {};

TEST_P(SamePaddingK3S2, MatchesTheNumPyNetTableRow) {
  const SameRow row = GetParam();
  const Geometry g = one_axis(row.w, 3, 2, Padding::same_upper);
  EXPECT_EQ(g.pad_begin[kW], row.pad_begin) << "w=" << row.w;
  EXPECT_EQ(g.pad_end[kW], row.pad_end) << "w=" << row.w;
  EXPECT_EQ(g.out[kW], row.out) << "w=" << row.w;
}

INSTANTIATE_TEST_SUITE_P(WidthsOneToEight, SamePaddingK3S2, ::testing::ValuesIn(kSameK3S2),
                         [](const auto& info) { return "w" + std::to_string(info.param.w); });

TEST(SamePadding, OddWidthPadsOneEachSide) {
  // w=9: out ceil(9/2)=5, total (5-1)*2+3-9 = 2 -> (1, 1).
  const Geometry g = one_axis(9, 3, 2, Padding::same_upper);
  EXPECT_EQ(g.pad_begin[kW], 1);
  EXPECT_EQ(g.pad_end[kW], 1);
}

TEST(SamePadding, NeverNegativeWhenStrideExceedsKernel) {
  // w=10 k=2 s=5: out 2, needed (2-1)*5+2-10 = -3 -> total 0.
  const Geometry g = one_axis(10, 2, 5, Padding::same_upper, "onnx");
  EXPECT_EQ(g.out[kW], 2);
  EXPECT_EQ(g.pad_begin[kW], 0);
  EXPECT_EQ(g.pad_end[kW], 0);
}

TEST(SameLowerPadding, PutsTheOddCellAtTheBegin) {
  // ONNX SAME_LOWER. w=6 k=3 s=2: out 3, total (3-1)*2+3-6 = 1 -> (1, 0).
  const Geometry g = one_axis(6, 3, 2, Padding::same_lower, "onnx");
  EXPECT_EQ(g.out[kW], 3);
  EXPECT_EQ(g.pad_begin[kW], 1);
  EXPECT_EQ(g.pad_end[kW], 0);
  // w=5: total 2, even -> (1, 1) exactly as SAME_UPPER.
  const Geometry odd = one_axis(5, 3, 2, Padding::same_lower, "onnx");
  EXPECT_EQ(odd.pad_begin[kW], 1);
  EXPECT_EQ(odd.pad_end[kW], 1);
}

TEST(SamePadding, UsesTheDilatedKernelSpan) {
  // w=7 k=3 d=2 s=1: span (3-1)*2+1 = 5, out 7, total 6*1+5-7 = 4 -> (2, 2).
  const Geometry g = Problem()
                         .profile("onnx")
                         .input_size({7})
                         .kernel({3})
                         .stride({1})
                         .dilation({2})
                         .padding(Padding::same_upper)
                         .geometry();
  EXPECT_EQ(g.out[kW], 7);
  EXPECT_EQ(g.pad_begin[kW], 2);
  EXPECT_EQ(g.pad_end[kW], 2);
}

// --- VALID -------------------------------------------------------------------

TEST(ValidPadding, CropsTrailingCellsNoWindowCovers) {
  // (w - kx) // sx + 1: w=8 k=3 s=2 -> 5//2+1 = 3 (column 7 is cropped);
  // w=7 -> 4//2+1 = 3; w=3 -> 0//2+1 = 1; w=10 k=4 s=3 -> 6//3+1 = 3.
  EXPECT_EQ(one_axis(8, 3, 2, Padding::valid).out[kW], 3);
  EXPECT_EQ(one_axis(7, 3, 2, Padding::valid).out[kW], 3);
  EXPECT_EQ(one_axis(3, 3, 2, Padding::valid).out[kW], 1);
  EXPECT_EQ(one_axis(10, 4, 3, Padding::valid).out[kW], 3);
  const Geometry g = one_axis(8, 3, 2, Padding::valid);
  EXPECT_EQ(g.pad_begin[kW], 0);
  EXPECT_EQ(g.pad_end[kW], 0);
}

TEST(Dilation, ShrinksTheOutputByTheDilatedSpan) {
  // w=7 k=3 d=2 s=1, no pads: span 5, out (7-5)/1+1 = 3.
  // With pads 2+2 (PyTorch allows pad <= k/2 = 1 only, so use ONNX): padded 11, out 7.
  const auto make = [](std::int64_t pad) {
    return Problem().profile("onnx").input_size({7}).kernel({3}).stride({1}).dilation({2}).pads(
        {pad});
  };
  EXPECT_EQ(make(0).geometry().out[kW], 3);
  EXPECT_EQ(make(2).geometry().out[kW], 7);
  EXPECT_EQ(make(0).geometry().dilation[kW], 2);
}

// --- ceil mode and PyTorch's drop rule ----------------------------------------

Geometry ceil_axis(std::int64_t in, std::int64_t k, std::int64_t s, std::int64_t pad,
                   std::string_view profile) {
  return Problem()
      .profile(profile)
      .input_size({in})
      .kernel({k})
      .stride({s})
      .pads({pad})
      .ceil_mode(true)
      .geometry();
}

TEST(CeilMode, DropsAWindowStartingPastTheInputPyTorch57178) {
  // in=32 k=1 s=2: ceil(31/2)+1 = 17, but window 16 starts at 32 >= 32 + 0,
  // so it is dropped: 16 (not 17).
  EXPECT_EQ(ceil_axis(32, 1, 2, 0, "pytorch").out[kW], 16);
}

TEST(CeilMode, DropsAWindowStartingPastTheInputOnnx5711) {
  // in=12 k=1 s=2: ceil(11/2)+1 = 7, window 6 starts at 12 >= 12: 6 (not 7).
  EXPECT_EQ(ceil_axis(12, 1, 2, 0, "onnx").out[kW], 6);
}

TEST(CeilMode, AddsAPartialWindowThatStartsInsideTheInput) {
  // in=4 k=3 s=2 (ONNX maxpool_2d_ceil): floor 1//2+1 = 1, ceil ceil(1/2)+1 = 2;
  // window 1 starts at 2 < 4, kept.
  EXPECT_EQ(ceil_axis(4, 3, 2, 0, "onnx").out[kW], 2);
  EXPECT_EQ(one_axis(4, 3, 2, Padding::explicit_pads, "onnx").out[kW], 1);
}

TEST(CeilMode, DropsAWindowStartingInTheEndPadding) {
  // PyTorch in=5 k=2 s=2 pad=1: padded 7, ceil(5/2)+1 = 4; window 3 starts at
  // 3*2 = 6 >= 5 + 1 (it would lie in the end padding) -> 3. Floor gives 5//2+1 = 3.
  EXPECT_EQ(ceil_axis(5, 2, 2, 1, "pytorch").out[kW], 3);
  // in=6 k=2 s=2 pad=1: padded 8, floor 6//2+1 = 4, ceil ceil(6/2)+1 = 4: same.
  EXPECT_EQ(ceil_axis(6, 2, 2, 1, "pytorch").out[kW], 4);
}

// --- exact integer arithmetic ---------------------------------------------------

TEST(OutputSize, IsExactFor16777217Onnxruntime10083) {
  // 16777217 = 2^24 + 1 is the first integer a float cannot hold (it becomes
  // 2^24). k=1 s=1: 16777217 outputs. k=2 s=2 ceil: ceil(16777215/2)+1 =
  // 8388608+1 = 8388609, window 8388608 starts at 16777216 < 16777217, kept.
  // Through float the input would read 16777216 and give 8388608.
  EXPECT_EQ(one_axis(16777217, 1, 1, Padding::explicit_pads, "onnx").out[kW], 16777217);
  EXPECT_EQ(ceil_axis(16777217, 2, 2, 0, "onnx").out[kW], 8388609);
  // Floor: 16777215//2+1 = 8388608.
  EXPECT_EQ(one_axis(16777217, 2, 2, Padding::explicit_pads, "onnx").out[kW], 8388608);
}

TEST(OutputSize, KernelFillingThePaddedInputGivesOneWindow) {
  // onnxruntime #25234's neighbour: in=3 pads 1+1 -> padded 5; k=5 fits once.
  const Geometry g =
      Problem().profile("onnx").input_size({3}).kernel({5}).stride({1}).pads({1}).geometry();
  EXPECT_EQ(g.out[kW], 1);
}

// --- the seed's example ------------------------------------------------------

TEST(SeedShapes, ValidGives49By49) {
  // NumPyNet (batch, w, h, c) = (5, 100, 100, 3), size 3, stride 2, pad=False:
  // (100 - 3) // 2 + 1 = 48 + 1 = 49 on both axes.
  const Geometry g = Problem()
                         .batch(5)
                         .channels(3)
                         .input_size({100, 100})
                         .kernel({3, 3})
                         .stride({2, 2})
                         .padding(Padding::valid)
                         .geometry();
  EXPECT_EQ(g.out[kH], 49);
  EXPECT_EQ(g.out[kW], 49);
  EXPECT_EQ(g.out[kD], 1);
  EXPECT_EQ(g.output_elements(), 5 * 49 * 49 * 3);
  EXPECT_EQ(g.input_elements(), 5 * 100 * 100 * 3);
}

TEST(SeedShapes, SameGives50By50WithOnePadAtTheEnd) {
  // pad=True: 100 % 2 == 0 so total = max(3 - 2, 0) = 1 -> (0, 1); out ceil(100/2) = 50.
  const Geometry g = Problem()
                         .batch(5)
                         .channels(3)
                         .input_size({100, 100})
                         .kernel({3, 3})
                         .stride({2, 2})
                         .padding(Padding::same_upper)
                         .geometry();
  EXPECT_EQ(g.out[kH], 50);
  EXPECT_EQ(g.out[kW], 50);
  EXPECT_EQ(g.pad_begin[kH], 0);
  EXPECT_EQ(g.pad_end[kH], 1);
  EXPECT_EQ(g.pad_begin[kW], 0);
  EXPECT_EQ(g.pad_end[kW], 1);
}

TEST(Defaults, StrideDefaultsToTheKernel) {
  // NumPyNet: stride defaults to size. 4x6 with k=(2,3): out (2, 2), stride (2, 3).
  const Geometry g = Problem().input_size({4, 6}).kernel({2, 3}).geometry();
  EXPECT_EQ(g.stride[kH], 2);
  EXPECT_EQ(g.stride[kW], 3);
  EXPECT_EQ(g.out[kH], 2);
  EXPECT_EQ(g.out[kW], 2);
}

TEST(Rank, LowerRankProblemsUseTheLastAxesWithUnitLeadingAxes) {
  const Geometry g = Problem().profile("onnx").input_size({9}).kernel({3}).stride({2}).geometry();
  EXPECT_EQ(g.rank, 1);
  EXPECT_EQ(g.in, (Dims{1, 1, 9}));
  EXPECT_EQ(g.kernel, (Dims{1, 1, 3}));
  EXPECT_EQ(g.stride, (Dims{1, 1, 2}));
  EXPECT_EQ(g.out, (Dims{1, 1, 4}));  // (9-3)/2+1
}

// --- memory strides and offsets --------------------------------------------------
//
// N=2, C=3 and spatial sizes w=5 (rank 1), h=4 w=5 (rank 2), d=2 h=4 w=5 (rank 3).
// Channels last: c stride 1, w stride C=3, h stride W*C=15, d stride H*W*C=60.
// Channels first: w stride 1, h stride W=5, d stride H*W=20, c stride = plane.

Geometry strided(Layout layout, std::initializer_list<std::int64_t> in,
                 std::initializer_list<std::int64_t> k) {
  return Problem()
      .profile("onnx")
      .layout(layout)
      .batch(2)
      .channels(3)
      .input_size(in)
      .kernel(k)
      .geometry();
}

TEST(MemoryLayout, NwcRankOne) {
  const Geometry g = strided(Layout::channels_last, {5}, {1});
  EXPECT_EQ(g.in_spatial_stride[kW], 3);
  EXPECT_EQ(g.in_channel_stride, 1);
  EXPECT_EQ(g.in_batch_stride, 15);
  // n=1 c=2 w=4 -> 15 + 2 + 12 = 29, the last of 30 elements.
  EXPECT_EQ(g.input_offset(1, 2, {0, 0, 4}), 29);
  EXPECT_EQ(g.input_elements(), 30);
}

TEST(MemoryLayout, NcwRankOne) {
  const Geometry g = strided(Layout::channels_first, {5}, {1});
  EXPECT_EQ(g.in_spatial_stride[kW], 1);
  EXPECT_EQ(g.in_channel_stride, 5);
  EXPECT_EQ(g.in_batch_stride, 15);
  // n=1 c=1 w=3 -> 15 + 5 + 3 = 23.
  EXPECT_EQ(g.input_offset(1, 1, {0, 0, 3}), 23);
}

TEST(MemoryLayout, NhwcRankTwo) {
  const Geometry g = strided(Layout::channels_last, {4, 5}, {2, 2});
  EXPECT_EQ(g.in_spatial_stride[kW], 3);
  EXPECT_EQ(g.in_spatial_stride[kH], 15);
  EXPECT_EQ(g.in_channel_stride, 1);
  EXPECT_EQ(g.in_batch_stride, 60);
  // n=1 c=1 h=2 w=3 -> 60 + 1 + 30 + 9 = 100.
  EXPECT_EQ(g.input_offset(1, 1, {0, 2, 3}), 100);
  // Output 2x2 (k=2 s=2 on 4x5): w stride 3, h stride 6, batch 12.
  EXPECT_EQ(g.out_spatial_stride[kW], 3);
  EXPECT_EQ(g.out_spatial_stride[kH], 6);
  EXPECT_EQ(g.out_channel_stride, 1);
  EXPECT_EQ(g.out_batch_stride, 12);
  // n=1 c=2 oh=1 ow=0 -> 12 + 2 + 6 = 20.
  EXPECT_EQ(g.output_offset(1, 2, {0, 1, 0}), 20);
}

TEST(MemoryLayout, NchwRankTwo) {
  const Geometry g = strided(Layout::channels_first, {4, 5}, {2, 2});
  EXPECT_EQ(g.in_spatial_stride[kW], 1);
  EXPECT_EQ(g.in_spatial_stride[kH], 5);
  EXPECT_EQ(g.in_channel_stride, 20);
  EXPECT_EQ(g.in_batch_stride, 60);
  // n=1 c=1 h=2 w=3 -> 60 + 20 + 10 + 3 = 93.
  EXPECT_EQ(g.input_offset(1, 1, {0, 2, 3}), 93);
  // Output 2x2: w 1, h 2, c 4, n 12; n=1 c=2 oh=1 ow=0 -> 12 + 8 + 2 = 22.
  EXPECT_EQ(g.out_channel_stride, 4);
  EXPECT_EQ(g.out_batch_stride, 12);
  EXPECT_EQ(g.output_offset(1, 2, {0, 1, 0}), 22);
}

TEST(MemoryLayout, NdhwcRankThree) {
  const Geometry g = strided(Layout::channels_last, {2, 4, 5}, {1, 2, 2});
  EXPECT_EQ(g.in_spatial_stride[kW], 3);
  EXPECT_EQ(g.in_spatial_stride[kH], 15);
  EXPECT_EQ(g.in_spatial_stride[kD], 60);
  EXPECT_EQ(g.in_channel_stride, 1);
  EXPECT_EQ(g.in_batch_stride, 120);
  // n=1 c=2 d=1 h=3 w=4 -> 120 + 2 + 60 + 45 + 12 = 239, the last of 240.
  EXPECT_EQ(g.input_offset(1, 2, {1, 3, 4}), 239);
  EXPECT_EQ(g.input_elements(), 240);
}

TEST(MemoryLayout, NcdhwRankThree) {
  const Geometry g = strided(Layout::channels_first, {2, 4, 5}, {1, 2, 2});
  EXPECT_EQ(g.in_spatial_stride[kW], 1);
  EXPECT_EQ(g.in_spatial_stride[kH], 5);
  EXPECT_EQ(g.in_spatial_stride[kD], 20);
  EXPECT_EQ(g.in_channel_stride, 40);
  EXPECT_EQ(g.in_batch_stride, 120);
  // n=1 c=1 d=1 h=2 w=3 -> 120 + 40 + 20 + 10 + 3 = 193.
  EXPECT_EQ(g.input_offset(1, 1, {1, 2, 3}), 193);
}

}  // namespace
}  // namespace poolcheck
