// One chosen input cell written in every index format, worked by hand.
//
// Problem: N=2, C=3, H=4, W=5 (the "2x3x4x5" tensor), kernel 2x3, stride 2x2:
// out h = (4-2)/2+1 = 2, out w = (5-3)/2+1 = 2. Window (oh=1, ow=1) covers
// rows 2..3 and columns 2..4. In every (n, c) plane the only 1 sits at
// (h=3, w=3), all else is 0, so that window picks tap (1, 1).
//
// For (n=1, c=2) the index of that cell is:
//   window      tap row-major            1*3 + 1               = 4
//   window-col  px*KH + py (px=col)      1*2 + 1               = 3
//   plane       h*W + w                  3*5 + 3               = 18
//   tensor      (n*C + c)*H*W + plane    (1*3+2)*20 + 18       = 118
//   tensor-col  (n*C + c)*H*W + w*H + h  100 + 3*4 + 3         = 115
//   nhwc        plane*C + c              18*3 + 2              = 56
//   nhwc-batch  (n*H*W + plane)*C + c    (20 + 18)*3 + 2       = 116
//   memory NCHW n*60 + c*20 + h*5 + w    60 + 40 + 15 + 3      = 118
//   memory NHWC n*60 + (h*5 + w)*3 + c   60 + 54 + 2           = 116
#include <gtest/gtest.h>

#include "reference_test_support.hpp"

namespace poolcheck {
namespace {

using namespace poolcheck::testing;

Problem problem(Layout layout, IndexFormat index) {
  Conventions c = profile_by_name("onnx").conventions;
  c.index = index;
  return Problem()
      .profile("onnx")
      .conventions(c)
      .layout(layout)
      .batch(2)
      .channels(3)
      .input_size({4, 5})
      .kernel({2, 3})
      .stride({2, 2});
}

// The input described above, written with hand-computed memory offsets.
std::vector<float> input(Layout layout) {
  std::vector<float> x(2 * 3 * 4 * 5, 0.0f);
  for (int n = 0; n < 2; ++n)
    for (int c = 0; c < 3; ++c) {
      const int offset = layout == Layout::channels_first ? n * 60 + c * 20 + 3 * 5 + 3
                                                          : n * 60 + (3 * 5 + 3) * 3 + c;
      x[static_cast<std::size_t>(offset)] = 1.0f;
    }
  return x;
}

// Output offset of (n=1, c=2, oh=1, ow=1) in a 2x3x2x2 output.
std::size_t last_window(Layout layout) {
  return layout == Layout::channels_first ? 1 * 12 + 2 * 4 + 1 * 2 + 1     // 23
                                          : 1 * 12 + (1 * 2 + 1) * 3 + 2;  // 23
}

struct Case {
  IndexFormat format;
  Layout layout;
  std::int64_t expected;
};

class IndexFormats : public ::testing::TestWithParam<Case> {};

TEST_P(IndexFormats, WriteTheChosenCellAsWorkedByHand) {
  const Case k = GetParam();
  const auto r = forward(problem(k.layout, k.format), input(k.layout));
  EXPECT_EQ(r.y[last_window(k.layout)], 1.0f);
  EXPECT_EQ(r.argmax[last_window(k.layout)], k.expected);
}

TEST_P(IndexFormats, DecodeBackToTheSameInputCell) {
  // The backward from a stored argmax must route the window's gradient to
  // that cell: dy = 1 only at the window (n=1, c=2, 1, 1).
  const Case k = GetParam();
  const Problem p = problem(k.layout, k.format);
  std::vector<float> dy(24, 0.0f);
  dy[last_window(k.layout)] = 1.0f;
  std::vector<float> expected(120, 0.0f);
  expected[k.layout == Layout::channels_first ? 118 : 116] = 1.0f;
  EXPECT_EQ(bits(backward_stored(p, input(k.layout), dy, std::vector<float>(120, 0.0f))),
            bits(expected));
}

INSTANTIATE_TEST_SUITE_P(
    EveryFormat, IndexFormats,
    ::testing::Values(Case{IndexFormat::window, Layout::channels_first, 4},
                      Case{IndexFormat::window_col_major, Layout::channels_first, 3},
                      Case{IndexFormat::plane, Layout::channels_first, 18},
                      Case{IndexFormat::tensor, Layout::channels_first, 118},
                      Case{IndexFormat::tensor_col_major, Layout::channels_first, 115},
                      Case{IndexFormat::nhwc, Layout::channels_first, 56},
                      Case{IndexFormat::nhwc_batch, Layout::channels_first, 116},
                      Case{IndexFormat::memory, Layout::channels_first, 118},
                      // The logical formats do not depend on the layout; memory does.
                      Case{IndexFormat::tensor, Layout::channels_last, 118},
                      Case{IndexFormat::nhwc, Layout::channels_last, 56},
                      Case{IndexFormat::memory, Layout::channels_last, 116}),
    [](const auto& info) {
      std::string name(to_string(info.param.format));
      std::erase(name, '-');
      return name + (info.param.layout == Layout::channels_first ? "_nchw" : "_nhwc");
    });

TEST(IndexFormatErrors, StoredIndexOfAnotherPlaneIsRejected) {
  // tensor index 18 names plane (0,0); window (n=1, c=2) owns [100, 120).
  const Problem p = problem(Layout::channels_first, IndexFormat::tensor);
  std::vector<std::int64_t> argmax(24, 0);
  for (std::size_t i = 0; i < argmax.size(); ++i) argmax[i] = static_cast<std::int64_t>(i / 4) * 20;
  argmax[23] = 18;
  std::vector<float> dy(24, 0.0f), dx(120, 0.0f);
  try {
    reference::backward<float>(p, argmax, dy, dx);
    FAIL() << "accepted an argmax from another plane";
  } catch (const ProblemError& e) {
    EXPECT_EQ(e.parameter(), "argmax");
    EXPECT_EQ(e.value(), "18");
  }
}

TEST(IndexFormatErrors, WindowIndexBeyondTheKernelIsRejected) {
  const Problem p = problem(Layout::channels_first, IndexFormat::window);
  std::vector<std::int64_t> argmax(24, 0);
  argmax[5] = 6;  // kernel 2x3 has taps 0..5
  std::vector<float> dy(24, 0.0f), dx(120, 0.0f);
  try {
    reference::backward<float>(p, argmax, dy, dx);
    FAIL() << "accepted tap 6 of a 6-tap kernel";
  } catch (const ProblemError& e) {
    EXPECT_EQ(e.parameter(), "argmax");
    EXPECT_EQ(e.value(), "6");
  }
}

}  // namespace
}  // namespace poolcheck
