// The one-line problem descriptor: round trips, hand-written input, and
// rejection of malformed text naming the offending field.
#include "poolcheck/descriptor.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "problem_error_matchers.hpp"

namespace poolcheck {
namespace {

using testing::throws_problem_error;

// Problems as a user builds them, spread over every profile, dtype, layout,
// rank, padding mode, ceil, dilation and convention overrides. Strides are
// explicit, dilation and pads are set only when not the default, because the
// descriptor always prints strides and omits default dilation and zero pads.
std::vector<Problem> spread() {
  std::vector<Problem> problems;
  // Every profile x every dtype, in the profile's natural setting.
  for (const Profile& profile : all_profiles())
    for (const DType dtype : kAllDTypes)
      problems.push_back(Problem()
                             .profile(profile.name)
                             .dtype(dtype)
                             .batch(2)
                             .channels(3)
                             .input_size({7, 6})
                             .kernel({3, 2})
                             .stride({2, 2})
                             .padding(Padding::valid));
  // Layouts x ranks.
  for (const Layout layout : {Layout::channels_last, Layout::channels_first}) {
    problems.push_back(
        Problem().profile("onnx").layout(layout).input_size({9}).kernel({3}).stride({2}));
    problems.push_back(
        Problem().profile("onnx").layout(layout).input_size({5, 9}).kernel({2, 3}).stride({1, 2}));
    problems.push_back(Problem()
                           .profile("onnx")
                           .layout(layout)
                           .batch(4)
                           .channels(16)
                           .input_size({4, 5, 9})
                           .kernel({2, 2, 3})
                           .stride({1, 2, 2}));
  }
  // Padding modes, ceil, dilation, asymmetric pads.
  problems.push_back(
      Problem().input_size({100, 100}).kernel({3, 3}).stride({2, 2}).padding(Padding::same_upper));
  problems.push_back(
      Problem().profile("onnx").input_size({6, 7}).kernel({3, 3}).stride({2, 2}).padding(
          Padding::same_lower));
  problems.push_back(Problem()
                         .profile("pytorch")
                         .layout(Layout::channels_first)
                         .input_size({10, 10})
                         .kernel({3, 3})
                         .stride({2, 2})
                         .pads({1, 1})
                         .ceil_mode(true));
  problems.push_back(Problem()
                         .profile("onnx")
                         .input_size({12, 11})
                         .kernel({3, 2})
                         .stride({1, 3})
                         .dilation({2, 3})
                         .pad_begin({0, 2})
                         .pad_end({1, 0}));
  problems.push_back(Problem()
                         .profile("onednn")
                         .input_size({8})
                         .kernel({3})
                         .stride({1})
                         .dilation({2})
                         .pad_begin({2})
                         .pad_end({0}));
  // Convention overrides on top of a profile.
  for (const auto& [key, value] :
       std::vector<std::pair<std::string, std::string>>{{"nan", "ignore"},
                                                        {"pad", "border"},
                                                        {"init", "lowest-tap0"},
                                                        {"order", "col"},
                                                        {"index", "tensor-col"}}) {
    Conventions c = profile_by_name("pytorch").conventions;
    set_convention(c, key, value);
    problems.push_back(Problem()
                           .profile("pytorch")
                           .conventions(c)
                           .dtype(DType::f64)
                           .input_size({10, 10})
                           .kernel({3, 3})
                           .stride({2, 2}));
  }
  return problems;
}

TEST(Descriptor, PrintParseRoundTripsEveryKindOfProblem) {
  const std::vector<Problem> problems = spread();
  ASSERT_GE(problems.size(), 55u);  // 7 profiles x 6 dtypes + 16 more
  for (const Problem& p : problems) {
    const std::string text = to_descriptor(p);
    const Problem back = parse_descriptor(text);
    EXPECT_TRUE(back == p) << text;
    EXPECT_EQ(to_descriptor(back), text);
  }
}

TEST(Descriptor, PrintsTheSeedProblemCanonically) {
  // The example from descriptor.hpp, with output sizes worked by hand (49, see
  // geometry_test SeedShapes).
  const Problem seed =
      Problem().batch(5).channels(3).input_size({100, 100}).kernel({3, 3}).stride({2, 2});
  EXPECT_EQ(to_descriptor(seed), "numpynet:f32:nhwc:mb5ic3_ih100iw100_oh49ow49_kh3kw3_sh2sw2");
}

TEST(Descriptor, PrintsOnlyConventionsThatDifferFromTheProfile) {
  Conventions c = profile_by_name("pytorch").conventions;
  c.nan = NanRule::ignore;
  const Problem p = Problem()
                        .profile("pytorch")
                        .conventions(c)
                        .dtype(DType::f64)
                        .layout(Layout::channels_first)
                        .batch(2)
                        .channels(16)
                        .input_size({10, 10})
                        .kernel({3, 3})
                        .stride({2, 2})
                        .pads({1, 1})
                        .ceil_mode(true);
  // in 10, k3 s2 p1 ceil: padded 12, span 12-3 = 9, ceil(9/2)+1 = 6; window 5
  // starts at 5*2 = 10 < 10 + 1 (inside the input), so it is kept: 6 (floor: 5).
  EXPECT_EQ(to_descriptor(p),
            "pytorch,nan=ignore:f64:nchw:mb2ic16_ih10iw10_oh6ow6_kh3kw3_sh2sw2_pbh1pbw1_peh1pew1_"
            "ceil");
}

TEST(Descriptor, ParsesPadShorthandAsBothEnds) {
  const Problem p = parse_descriptor("onnx:f32:nchw:mb1ic1_ih5iw5_kh3kw3_ph1pw2");
  EXPECT_EQ(p.pad_begin(), (std::vector<std::int64_t>{1, 2}));
  EXPECT_EQ(p.pad_end(), (std::vector<std::int64_t>{1, 2}));
}

TEST(Descriptor, OmittedStrideMeansStrideEqualsKernel) {
  const Problem p = parse_descriptor("numpynet:f32:nhwc:mb1ic1_ih6iw9_kh2kw3");
  EXPECT_TRUE(p.stride().empty());
  const Geometry g = p.geometry();
  EXPECT_EQ(g.stride, (Dims{1, 2, 3}));
  EXPECT_EQ(g.out, (Dims{1, 3, 3}));  // 6/2, 9/3
}

TEST(Descriptor, OmittedOutputSizesAndBatchAreAccepted) {
  const Problem p = parse_descriptor("tensorflow:bf16:nwc:iw8_kw3_sw2_same");
  EXPECT_EQ(p.batch(), 1);
  EXPECT_EQ(p.channels(), 1);
  EXPECT_EQ(p.dtype(), DType::bf16);
  EXPECT_EQ(p.padding(), Padding::same_upper);
  EXPECT_EQ(p.geometry().out[2], 4);  // ceil(8/2)
}

TEST(Descriptor, ParsesARankThreeProblem) {
  const Problem p =
      parse_descriptor("onnx:u8:ncdhw:mb2ic3_id4ih5iw6_od2oh3ow3_kd2kh2kw2_sd2sh2sw2_samelower");
  EXPECT_EQ(p.rank(), 3);
  EXPECT_EQ(p.layout(), Layout::channels_first);
  EXPECT_EQ(p.padding(), Padding::same_lower);
  EXPECT_EQ(p.input_size(), (std::vector<std::int64_t>{4, 5, 6}));
}

TEST(Descriptor, ParsesConventionOverrides) {
  const Problem p = parse_descriptor("onnx,index=tensor-col,nan=skip:f32:nchw:ih4iw4_kh2kw2");
  EXPECT_EQ(p.conventions().index, IndexFormat::tensor_col_major);
  EXPECT_EQ(p.conventions().nan, NanRule::skip);
  EXPECT_EQ(p.conventions().pad, PadCells::excluded);  // from the profile
}

// --- rejection, naming the field ----------------------------------------------

TEST(DescriptorErrors, UnknownProfileIsNamed) {
  EXPECT_TRUE(throws_problem_error([] { parse_descriptor("caffe:f32:nhwc:ih4iw4_kh2kw2"); },
                                   "profile", "caffe"));
}

TEST(DescriptorErrors, UnknownDTypeIsNamed) {
  EXPECT_TRUE(throws_problem_error([] { parse_descriptor("numpynet:f8:nhwc:ih4iw4_kh2kw2"); },
                                   "dtype", "f8"));
}

TEST(DescriptorErrors, UnknownLayoutIsNamed) {
  EXPECT_TRUE(throws_problem_error([] { parse_descriptor("numpynet:f32:nchwc:ih4iw4_kh2kw2"); },
                                   "layout", "nchwc"));
}

TEST(DescriptorErrors, LayoutOfAnotherRankIsRejected) {
  EXPECT_TRUE(throws_problem_error([] { parse_descriptor("numpynet:f32:ncw:ih4iw4_kh2kw2"); },
                                   "layout", "ncw"));
}

TEST(DescriptorErrors, UnknownKeyIsNamed) {
  EXPECT_TRUE(throws_problem_error([] { parse_descriptor("numpynet:f32:nhwc:ih4iw4_kh2kw2_xq3"); },
                                   "xq", "3"));
}

TEST(DescriptorErrors, UnknownConventionKeyAndValueAreNamed) {
  EXPECT_TRUE(throws_problem_error([] { parse_descriptor("onnx,foo=bar:f32:nchw:ih4iw4_kh2kw2"); },
                                   "convention", "foo"));
  EXPECT_TRUE(throws_problem_error(
      [] { parse_descriptor("onnx,nan=maybe:f32:nchw:ih4iw4_kh2kw2"); }, "nan", "maybe"));
}

TEST(DescriptorErrors, KeyOfAnotherRankIsNamed) {
  // A rank-2 problem with a depth kernel.
  EXPECT_TRUE(
      throws_problem_error([] { parse_descriptor("onnx:f32:nchw:ih4iw4_kd2kh2kw2"); }, "kd", "2"));
}

TEST(DescriptorErrors, DepthWithoutHeightIsRejected) {
  EXPECT_TRUE(throws_problem_error([] { parse_descriptor("onnx:f32:ncdhw:id4iw4_kh2kw2"); },
                                   "shape", "id4iw4_kh2kw2"));
}

TEST(DescriptorErrors, KernelForSomeAxesOnlyIsRejected) {
  EXPECT_TRUE(throws_problem_error([] { parse_descriptor("onnx:f32:nchw:ih4iw4_kw2"); }, "kernel",
                                   "ih4iw4_kw2"));
}

TEST(DescriptorErrors, DuplicateKeyIsNamed) {
  EXPECT_TRUE(
      throws_problem_error([] { parse_descriptor("onnx:f32:nchw:ih4iw4_kh2kw2_kh3"); }, "kh", "3"));
}

TEST(DescriptorErrors, NumberOverflowIsNamed) {
  // 2^64 does not fit in int64.
  EXPECT_TRUE(throws_problem_error(
      [] { parse_descriptor("onnx:f32:nchw:mb18446744073709551616_ih4iw4_kh2kw2"); }, "mb",
      "18446744073709551616"));
}

TEST(DescriptorErrors, OutputSizeThatDoesNotMatchIsNamed) {
  // in 4, k 2, stride 2 -> 2, not 3.
  EXPECT_TRUE(throws_problem_error([] { parse_descriptor("onnx:f32:nchw:ih4iw4_oh3ow2_kh2kw2"); },
                                   "output_h", "3"));
}

TEST(DescriptorErrors, MissingKernelIsNamed) {
  EXPECT_TRUE(throws_problem_error([] { parse_descriptor("onnx:f32:nchw:mb1ic1_ih4iw4"); },
                                   "kernel", "mb1ic1_ih4iw4"));
}

TEST(DescriptorErrors, ThreeFieldsAreRejected) {
  EXPECT_TRUE(throws_problem_error([] { parse_descriptor("onnx:f32:ih4iw4_kh2kw2"); }, "descriptor",
                                   "onnx:f32:ih4iw4_kh2kw2"));
}

TEST(DescriptorErrors, FiveFieldsAreRejected) {
  EXPECT_TRUE(throws_problem_error([] { parse_descriptor("onnx:f32:nchw:ih4iw4_kh2kw2:x"); },
                                   "descriptor", "onnx:f32:nchw:ih4iw4_kh2kw2:x"));
}

TEST(DescriptorErrors, ATokenThatIsNotNamePairsIsRejected) {
  EXPECT_TRUE(throws_problem_error([] { parse_descriptor("onnx:f32:nchw:ih4iw4_kh2kw2_7"); },
                                   "descriptor", "7"));
}

TEST(DescriptorErrors, InvalidProblemInAValidDescriptorIsNamed) {
  // Parses fine but stride 0 is rejected by the geometry.
  EXPECT_TRUE(throws_problem_error([] { parse_descriptor("onnx:f32:nchw:ih4iw4_kh2kw2_sh0sw1"); },
                                   "stride_h", "0"));
}

}  // namespace
}  // namespace poolcheck
