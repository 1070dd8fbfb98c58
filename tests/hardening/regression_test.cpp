// Regression tests for what the fuzzers found (fuzz/README.md).
#include <gtest/gtest.h>

#include <bit>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "poolcheck/error.hpp"
#include "poolcheck/fast.hpp"
#include "poolcheck/problem.hpp"
#include "poolcheck/reference.hpp"

namespace poolcheck {
namespace {

// fuzz_plugin_boundary: fast::backward decoded a `tensor` argmax as
// index - (n*C + c) * plane before range-checking it, so a hostile index near
// INT64_MIN overflowed (signed overflow: UB, reported by UBSan in the asan
// preset). Such an index must be rejected with ProblemError, as the reference
// does. Problem: onnx (index = tensor), NCHW 1 x 2 x 4 x 4, k2 s2: window
// (c = 1, 0, 0) subtracts (0*2 + 1) * 16 = 16.
TEST(FuzzRegression, FastBackwardRejectsTensorArgmaxNearInt64Min) {
  const Problem p = Problem()
                        .profile("onnx")
                        .layout(Layout::channels_first)
                        .channels(2)
                        .input_size({4, 4})
                        .kernel({2, 2})
                        .stride({2, 2});
  for (const std::int64_t hostile :
       {std::numeric_limits<std::int64_t>::min(), std::numeric_limits<std::int64_t>::min() + 1}) {
    // Valid argmax everywhere (each window's first cell), then one hostile.
    std::vector<std::int64_t> argmax = {0, 2, 8, 10, 16, 18, 24, 26};
    argmax[4] = hostile;
    const std::vector<float> dy(8, 1.0f);
    std::vector<float> dx(32, 0.0f);
    EXPECT_THROW(reference::backward<float>(p, argmax, dy, dx), ProblemError) << hostile;
    for (const std::string& target : fast::available_targets()) {
      std::vector<float> dx_fast(32, 0.0f);
      EXPECT_THROW(fast::backward<float>(p, argmax, dy, dx_fast, {target, 1}), ProblemError)
          << target << " " << hostile;
    }
  }
}

// fuzz_fast_vs_reference (CI, 2026-11-26): XNNPACK clamps the two windows
// that lie wholly in the top padding onto the image's one pixel, so three
// windows feed each cell; NaN gradients with different payloads met there and
// the AVX-512 scatter returned the gradient's payload where the reference
// kept the cell's. The rule is now explicit (ScalarTraits::add) on both sides.
// Problem: xnnpack:f32:nhwc:mb1ic17_ih1iw1_oh3ow1_kh1kw1_sh1sw1_pbh2pbw0_peh0pew0.
TEST(FuzzRegression, FastBackwardKeepsTheCellsPayloadWhenClampedWindowsAddNaNs) {
  const Problem p = Problem()
                        .profile("xnnpack")
                        .layout(Layout::channels_last)
                        .channels(17)
                        .input_size({1, 1})
                        .kernel({1, 1})
                        .stride({1, 1})
                        .pad_begin({2, 0})
                        .pad_end({0, 0});
  const std::vector<float> x(17, 0.5f);
  std::vector<float> y(51);
  std::vector<std::int64_t> argmax(51);
  reference::forward<float>(p, x, y, argmax);
  // Window 0's gradient is one NaN, window 1's another, window 2's zero.
  std::vector<float> dy(51, 0.0f);
  for (int c = 0; c < 17; ++c) {
    dy[static_cast<std::size_t>(c)] = std::bit_cast<float>(0xffffff00u);
    dy[static_cast<std::size_t>(17 + c)] = std::bit_cast<float>(0xffffffffu);
  }
  std::vector<float> expected(17, 0.0f);
  reference::backward<float>(p, argmax, dy, expected);
  // 0 + NaN(0xffffff00) is that NaN; adding the other NaN keeps it.
  for (const float v : expected) EXPECT_EQ(std::bit_cast<std::uint32_t>(v), 0xffffff00u);
  for (const std::string& target : fast::available_targets()) {
    std::vector<float> dx(17, 0.0f);
    fast::backward<float>(p, argmax, dy, dx, {target, 1});
    for (std::size_t c = 0; c < dx.size(); ++c)
      EXPECT_EQ(std::bit_cast<std::uint32_t>(dx[c]), 0xffffff00u) << target << " c=" << c;
  }
}

}  // namespace
}  // namespace poolcheck
