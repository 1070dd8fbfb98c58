// ONNX's published MaxPool node-test vectors under the `onnx` profile.
//
// Source: onnx/onnx, onnx/backend/test/case/node/maxpool.py (the cases behind
// the MaxPool examples of docs/Operators.md): test_maxpool_2d_precomputed_pads,
// test_maxpool_with_argmax_2d_precomputed_pads, test_maxpool_2d_uint8,
// test_maxpool_2d_precomputed_strides,
// test_maxpool_with_argmax_2d_precomputed_strides (storage_order=1),
// test_maxpool_2d_precomputed_same_upper, test_maxpool_2d_ceil,
// test_maxpool_2d_dilations, test_maxpool_3d_dilations. The arrays below are
// those cases' inputs and expected outputs; ONNX tensors are NCHW and the
// Indices output is flat over N*C*spatial (column-major spatial for
// storage_order=1), i.e. this project's `tensor` / `tensor-col` formats.
#include <gtest/gtest.h>

#include <numeric>

#include "reference_test_support.hpp"

namespace poolcheck {
namespace {

using namespace poolcheck::testing;

// 1, 2, ..., n.
std::vector<float> iota(int n) {
  std::vector<float> v(static_cast<std::size_t>(n));
  std::iota(v.begin(), v.end(), 1.0f);
  return v;
}

Problem onnx_2d(std::int64_t size) {
  return Problem().profile("onnx").layout(Layout::channels_first).input_size({size, size});
}

TEST(OnnxNodeTests, MaxPool2dPrecomputedPadsWithArgmax) {
  // kernel_shape [5, 5], pads [2, 2, 2, 2], x = 1..25 as 5x5.
  const Problem p = onnx_2d(5).kernel({5, 5}).stride({1, 1}).pads({2, 2});
  const auto r = forward(p, iota(25));
  EXPECT_EQ(bits(r.y), bits(std::vector<float>{13, 14, 15, 15, 15, 18, 19, 20, 20, 20, 23, 24, 25,
                                               25, 25, 23, 24, 25, 25, 25, 23, 24, 25, 25, 25}));
  EXPECT_EQ(r.argmax, (std::vector<std::int64_t>{12, 13, 14, 14, 14, 17, 18, 19, 19, 19, 22, 23, 24,
                                                 24, 24, 22, 23, 24, 24, 24, 22, 23, 24, 24, 24}));
}

TEST(OnnxNodeTests, MaxPool2dUint8) {
  const Problem p = onnx_2d(5).dtype(DType::u8).kernel({5, 5}).stride({1, 1}).pads({2, 2});
  std::vector<std::uint8_t> x(25);
  std::iota(x.begin(), x.end(), std::uint8_t{1});
  const auto r = forward(p, x);
  EXPECT_EQ(bits(r.y),
            (std::vector<std::uint64_t>{13, 14, 15, 15, 15, 18, 19, 20, 20, 20, 23, 24, 25,
                                        25, 25, 23, 24, 25, 25, 25, 23, 24, 25, 25, 25}));
}

TEST(OnnxNodeTests, MaxPool2dPrecomputedStrides) {
  // kernel_shape [2, 2], strides [2, 2] on 5x5: the last row and column are cropped.
  const auto r = forward(onnx_2d(5).kernel({2, 2}).stride({2, 2}), iota(25));
  EXPECT_EQ(bits(r.y), bits(std::vector<float>{7, 9, 17, 19}));
  EXPECT_EQ(r.argmax, (std::vector<std::int64_t>{6, 8, 16, 18}));  // row-major h*5+w
}

TEST(OnnxNodeTests, MaxPoolWithArgmax2dPrecomputedStridesStorageOrder1) {
  // storage_order=1: z = [[6, 16], [8, 18]] (column-major spatial w*H + h).
  const Problem base = onnx_2d(5).kernel({2, 2}).stride({2, 2});
  Conventions c = base.conventions();
  c.index = IndexFormat::tensor_col_major;
  const auto r = forward(Problem(base).conventions(c), iota(25));
  EXPECT_EQ(bits(r.y), bits(std::vector<float>{7, 9, 17, 19}));
  EXPECT_EQ(r.argmax, (std::vector<std::int64_t>{6, 16, 8, 18}));
}

TEST(OnnxNodeTests, MaxPool2dPrecomputedSameUpper) {
  // kernel_shape [3, 3], strides [2, 2], auto_pad SAME_UPPER on 5x5 -> 3x3.
  const auto r =
      forward(onnx_2d(5).kernel({3, 3}).stride({2, 2}).padding(Padding::same_upper), iota(25));
  EXPECT_EQ(bits(r.y), bits(std::vector<float>{7, 9, 10, 17, 19, 20, 22, 24, 25}));
}

TEST(OnnxNodeTests, MaxPool2dCeil) {
  // kernel_shape [3, 3], strides [2, 2], ceil_mode on 4x4 (1..16) -> 2x2.
  const auto r = forward(onnx_2d(4).kernel({3, 3}).stride({2, 2}).ceil_mode(true), iota(16));
  EXPECT_EQ(bits(r.y), bits(std::vector<float>{11, 12, 15, 16}));
}

TEST(OnnxNodeTests, MaxPool2dDilations) {
  // kernel_shape [2, 2], strides [1, 1], dilations [2, 2] on 4x4 -> 2x2.
  const auto r = forward(onnx_2d(4).kernel({2, 2}).stride({1, 1}).dilation({2, 2}), iota(16));
  EXPECT_EQ(bits(r.y), bits(std::vector<float>{11, 12, 15, 16}));
}

TEST(OnnxNodeTests, MaxPool3dDilations) {
  // 4x4x4 whose four depth slices are each 1..16; kernel [2,2,2], dilations
  // [2,2,2] -> 2x2x2 = [[11,12],[15,16]] twice.
  std::vector<float> x;
  for (int d = 0; d < 4; ++d) {
    const std::vector<float> slice = iota(16);
    x.insert(x.end(), slice.begin(), slice.end());
  }
  const Problem p = Problem()
                        .profile("onnx")
                        .layout(Layout::channels_first)
                        .input_size({4, 4, 4})
                        .kernel({2, 2, 2})
                        .stride({1, 1, 1})
                        .dilation({2, 2, 2});
  const auto r = forward(p, x);
  EXPECT_EQ(bits(r.y), bits(std::vector<float>{11, 12, 15, 16, 11, 12, 15, 16}));
}

}  // namespace
}  // namespace poolcheck
