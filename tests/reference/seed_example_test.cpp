// The seed page's example: a 4x4x1 image, kernel 2, stride 2 (NumPyNet
// Maxpool_layer), with concrete values chosen here and the answer worked by hand.
#include <gtest/gtest.h>

#include "reference_test_support.hpp"

namespace poolcheck {
namespace {

using namespace poolcheck::testing;

// NumPyNet's tensor is (batch, w, h, c); its axis 1 is the image rows, which
// this project calls h. Batch 1, channel 1, so memory order is row-major:
//
//   row 0:  1  5 | 2  0
//   row 1:  3  4 | 8  7
//   ------------+------
//   row 2:  9  6 | 1  2
//   row 3:  0  3 | 4  5
//
// Windows (row-major over the output), their maximum, and the window-local
// argmax x*ky + y (NumPyNet's (x, y) unravelled with kx outer):
//   (0,0): {1,5,3,4} -> 5 at (0,1) -> 1
//   (0,1): {2,0,8,7} -> 8 at (1,0) -> 2
//   (1,0): {9,6,0,3} -> 9 at (0,0) -> 0
//   (1,1): {1,2,4,5} -> 5 at (1,1) -> 3
const std::vector<float> kSeedImage = {1, 5, 2, 0, 3, 4, 8, 7, 9, 6, 1, 2, 0, 3, 4, 5};

Problem seed_problem() { return Problem().input_size({4, 4}).kernel({2, 2}).stride({2, 2}); }

TEST(SeedExample, ForwardTakesEachWindowsMaximum) {
  const auto r = forward(seed_problem(), kSeedImage);
  EXPECT_EQ(bits(r.y), bits(std::vector<float>{5, 8, 9, 5}));
  EXPECT_EQ(r.argmax, (std::vector<std::int64_t>{1, 2, 0, 3}));
}

TEST(SeedExample, BackwardSendsEachDeltaToItsWindowsMaximum) {
  // delta = 0.5, 0.25, 2, 4 lands on rows/cols (0,1), (1,2), (2,0), (3,3),
  // i.e. flat 1, 6, 8, 15.
  const std::vector<float> dy = {0.5f, 0.25f, 2.0f, 4.0f};
  std::vector<float> expected(16, 0.0f);
  expected[1] = 0.5f;
  expected[6] = 0.25f;
  expected[8] = 2.0f;
  expected[15] = 4.0f;
  EXPECT_EQ(bits(backward_stored(seed_problem(), kSeedImage, dy, std::vector<float>(16, 0.0f))),
            bits(expected));
  EXPECT_EQ(bits(backward_recomputed(seed_problem(), kSeedImage, dy, std::vector<float>(16, 0.0f))),
            bits(expected));
}

TEST(SeedExample, ChannelsAreIndependentInNhwc) {
  // Two channels interleaved (NHWC): channel 1 is the seed image negated, so
  // its maxima are the window minima: (0,0) {-1,-5,-3,-4} -> -1 at 0;
  // (0,1) {-2,-0,-8,-7} -> -0 at tap 1; (1,0) {-9,-6,-0,-3} -> -0 at 2;
  // (1,1) {-1,-2,-4,-5} -> -1 at 0.
  std::vector<float> x;
  for (const float v : kSeedImage) {
    x.push_back(v);
    x.push_back(-v);
  }
  const auto r = forward(seed_problem().channels(2), x);
  EXPECT_EQ(bits(r.y), bits(std::vector<float>{5, -1, 8, -0.0f, 9, -0.0f, 5, -1}));
  EXPECT_EQ(r.argmax, (std::vector<std::int64_t>{1, 0, 2, 1, 0, 2, 3, 0}));
}

}  // namespace
}  // namespace poolcheck
