// 64-bit index arithmetic on problems too large for 32-bit offsets or for
// float arithmetic. Expected values are planted and worked out by hand in the
// comments; nothing here is computed by the code under test.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "poolcheck/fast.hpp"
#include "poolcheck/problem.hpp"
#include "poolcheck/reference.hpp"

namespace poolcheck {
namespace {

// PyTorch #28714 (channels-last failure at height 16777217) and onnxruntime
// #10083 (output size through float: 16777217 is not a float). Height
// 2^24 + 1, width 1, one channel, k2 s2 in ceil mode: ceil((16777217 - 2) / 2)
// + 1 = 8388609 windows; the last starts at row 16777216 and holds that row
// only. Through float, 16777217 rounds to 16777216 and that window is lost.
TEST(LargeSizes, Height16777217ReferenceAndFast) {
  constexpr std::int64_t H = 16777217;
  const Problem p = Problem()
                        .profile("pytorch")  // index = h * W + w: row numbers past 2^24
                        .dtype(DType::f32)
                        .layout(Layout::channels_last)
                        .input_size({H, 1})
                        .kernel({2, 1})
                        .stride({2, 1})
                        .ceil_mode(true);
  const Geometry g = p.geometry();
  ASSERT_EQ(g.out[1], 8388609);

  std::vector<float> x(static_cast<std::size_t>(H), 0.0f);
  x[16777214] = 5.0f;  // tie in window 8388607 (rows 16777214, 16777215):
  x[16777215] = 5.0f;  // the first, row 16777214, wins
  x[16777216] = 9.0f;  // the last row: only the last, partial window sees it
  x[1] = 3.0f;         // window 0 (rows 0, 1)
  const std::vector<float> dy(8388609, 1.0f);

  const auto check = [&](const std::string& who, const std::vector<float>& y,
                         const std::vector<std::int64_t>& argmax, const std::vector<float>& dx) {
    SCOPED_TRACE(who);
    EXPECT_EQ(y[0], 3.0f);
    EXPECT_EQ(argmax[0], 1);
    EXPECT_EQ(y[8388606], 0.0f);
    EXPECT_EQ(argmax[8388606], 16777212);
    EXPECT_EQ(y[8388607], 5.0f);
    EXPECT_EQ(argmax[8388607], 16777214);
    EXPECT_EQ(y[8388608], 9.0f);
    EXPECT_EQ(argmax[8388608], 16777216);
    EXPECT_EQ(dx[16777214], 1.0f);
    EXPECT_EQ(dx[16777215], 0.0f);
    EXPECT_EQ(dx[16777216], 1.0f);
    // Every window sends exactly one gradient of 1: the sum counts the windows.
    EXPECT_EQ(std::count(dx.begin(), dx.end(), 1.0f), 8388609);
  };

  std::vector<float> y_ref(8388609), dx_ref(x.size());
  std::vector<std::int64_t> a_ref(8388609);
  reference::forward<float>(p, x, y_ref, a_ref);
  reference::backward<float>(p, a_ref, dy, dx_ref);
  check("reference", y_ref, a_ref, dx_ref);

  for (const std::string target : {"auto", "portable"}) {
    std::vector<float> y(8388609), dx(x.size()), dx_x(x.size());
    std::vector<std::int64_t> a(8388609);
    fast::forward<float>(p, x, y, a, {target, 0});
    fast::backward<float>(p, a, dy, dx, {target, 0});
    fast::backward_from_input<float>(p, x, dy, dx_x, {target, 0});
    check("fast " + target, y, a, dx);
    EXPECT_EQ(dx_x, dx) << target;
  }
}

// More than 2^31 input elements on fast/'s path: u8, 1 x 46342 x 46342 x 1 =
// 2147580964 elements (2 GiB), k2. Planted maxima near the end sit at
// offsets above 2^31, where a 32-bit offset would wrap (out of the buffer).
// One test, so that each 2 GiB buffer is freed before the next is made
// (peak about 2.6 GiB).
constexpr std::int64_t W = 46342;
std::size_t at(std::int64_t h, std::int64_t w) { return static_cast<std::size_t>(h * W + w); }

Problem big_problem(std::string_view profile, std::int64_t stride_w) {
  return Problem()
      .profile(profile)
      .dtype(DType::u8)
      .layout(Layout::channels_last)
      .input_size({W, W})
      .kernel({2, 2})
      .stride({2, stride_w});
}

TEST(LargeSizes, Over2To31ElementsOnTheFastPath) {
  std::vector<std::uint8_t> x(static_cast<std::size_t>(W * W), 0);
  x[at(46341, 46341)] = 7;  // A: offset 2147580963, the very last element
  x[at(46341, 0)] = 11;     // D: offset 2147534622
  x[at(46340, 46000)] = 9;  // B: offset 2147534280
  x[at(46339, 46340)] = 5;  // a tie: offset 2147488278 (the first of the two)
  x[at(46339, 46341)] = 5;  //        offset 2147488279

  {
    // Values over the whole tensor, s2: 23171 x 23171 windows. No argmax
    // buffer (4.3 GB would not fit the CI budget); the next part checks it.
    SCOPED_TRACE("values, stride 2");
    const Problem p = big_problem("numpynet", 2);
    ASSERT_GT(p.geometry().input_elements(), std::int64_t{1} << 31);
    constexpr std::int64_t O = 23171;
    std::vector<std::uint8_t> y(static_cast<std::size_t>(O * O), 0xAB);
    fast::forward<std::uint8_t>(p, x, y, {}, {"auto", 0});
    const auto out = [&](std::int64_t i, std::int64_t j) {
      return y[static_cast<std::size_t>(i * O + j)];
    };
    EXPECT_EQ(out(23170, 23170), 7);  // A
    EXPECT_EQ(out(23170, 0), 11);     // D
    EXPECT_EQ(out(23170, 23000), 9);  // B
    EXPECT_EQ(out(23169, 23170), 5);  // the tie
    // Every other window is all zeros: exactly 4 non-zero outputs, and none
    // left at the 0xAB it started with.
    EXPECT_EQ(std::count_if(y.begin(), y.end(), [](std::uint8_t v) { return v != 0; }), 4);
  }

  // Argmax above 2^31 in the flat formats. Stride_w 46340 keeps two window
  // columns (w = 0..1 and 46340..46341), so the argmax buffer is small and
  // the reference checks every window bitwise. darknet: offset into the
  // input buffer; onnx: flat over N*C*H*W; with N = C = 1 both are h*W + w.
  constexpr std::size_t n = 23171 * 2;
  std::vector<std::int64_t> argmax(n);
  for (const std::string_view profile : {"darknet", "onnx"}) {
    SCOPED_TRACE(std::string(profile) + ", stride_w 46340");
    const Problem p = big_problem(profile, 46340);
    const Geometry g = p.geometry();
    ASSERT_EQ(g.out[1], 23171);
    ASSERT_EQ(g.out[2], 2);
    std::vector<std::uint8_t> y(n), y_ref(n);
    std::vector<std::int64_t> a_ref(n);
    fast::forward<std::uint8_t>(p, x, y, argmax, {"auto", 0});
    EXPECT_EQ(y[23170 * 2 + 0], 11);               // D
    EXPECT_EQ(argmax[23170 * 2 + 0], 2147534622);  // 46341 * 46342 + 0
    EXPECT_EQ(y[23170 * 2 + 1], 7);                // A
    EXPECT_EQ(argmax[23170 * 2 + 1], 2147580963);  // 46341 * 46342 + 46341
    EXPECT_EQ(y[23169 * 2 + 1], 5);                // the tie: first in row-major
    EXPECT_EQ(argmax[23169 * 2 + 1], 2147488278);  // 46339 * 46342 + 46340
    reference::forward<std::uint8_t>(p, x, y_ref, a_ref);
    EXPECT_EQ(y, y_ref);
    EXPECT_EQ(argmax, a_ref);
  }

  // Backward from the onnx argmax: the gradient lands above 2^31. x is no
  // longer needed; free it before dx takes its 2 GiB (swap: `x = {}` would
  // keep the capacity).
  std::vector<std::uint8_t>().swap(x);
  const Problem p = big_problem("onnx", 46340);
  const std::vector<std::uint8_t> dy(n, 1);
  std::vector<std::uint8_t> dx(static_cast<std::size_t>(W * W), 0);
  fast::backward<std::uint8_t>(p, argmax, dy, dx, {"auto", 0});
  EXPECT_EQ(dx[at(46341, 46341)], 1);
  EXPECT_EQ(dx[at(46341, 0)], 1);
  EXPECT_EQ(dx[at(46339, 46340)], 1);
  EXPECT_EQ(dx[at(46339, 46341)], 0);
  // One gradient per window: n cells received 1 (each window's argmax is
  // distinct; all-zero windows send theirs to their first cell).
  EXPECT_EQ(std::count(dx.begin(), dx.end(), std::uint8_t{1}), static_cast<std::ptrdiff_t>(n));
}

}  // namespace
}  // namespace poolcheck
