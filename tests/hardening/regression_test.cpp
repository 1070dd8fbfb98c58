// Regression tests for what the fuzzers found (fuzz/README.md).
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
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

}  // namespace
}  // namespace poolcheck
