// The generators themselves: every problem they draw is valid and within the
// budget, and every value converts exactly into the problem's dtype.
#include "poolcheck/generators.hpp"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cmath>

#include "poolcheck/descriptor.hpp"
#include "poolcheck/visit_dtype.hpp"

namespace poolcheck {
namespace {

RC_GTEST_PROP(Generators, ProblemsAreValidAndWithinBudget, ()) {
  gen::ProblemOptions options;
  options.max_input_elements = 1000;
  const Problem p = *gen::problem(options);
  const Geometry g = p.geometry();  // throws (fails the property) if invalid
  RC_ASSERT(g.input_elements() <= 1000);
  RC_ASSERT(parse_descriptor(to_descriptor(p)).geometry() == g);
}

RC_GTEST_PROP(Generators, ProblemsRespectTheRequestedProfileDtypeRank, ()) {
  gen::ProblemOptions options;
  options.profiles = {"pytorch"};
  options.dtypes = {DType::bf16};
  options.ranks = {3};
  const Problem p = *gen::problem(options);
  RC_ASSERT(p.profile().name == "pytorch");
  RC_ASSERT(p.dtype() == DType::bf16);
  RC_ASSERT(p.rank() == 3);
}

// Converting to the dtype and back gives the same double (NaN stays NaN,
// -0.0 stays -0.0): the lattice and the specials are exact in every dtype.
RC_GTEST_PROP(Generators, ValuesConvertExactly, ()) {
  const Problem p = *gen::problem();
  const std::int64_t count = p.geometry().input_elements();
  const std::vector<double> v = *gen::values(p, count);
  RC_ASSERT(static_cast<std::int64_t>(v.size()) == count);
  const std::vector<std::byte> bytes = gen::to_dtype_bytes(p, v);
  visit_dtype(p.dtype(), [&]<class T>(TypeTag<T>) {
    RC_ASSERT(bytes.size() == v.size() * sizeof(T));
    for (std::size_t i = 0; i < v.size(); ++i) {
      T element;
      std::memcpy(&element, bytes.data() + i * sizeof(T), sizeof(T));
      double back = 0;
      if constexpr (std::is_same_v<T, float16> || std::is_same_v<T, bfloat16>)
        back = element.to_float();
      else
        back = static_cast<double>(element);
      if (std::isnan(v[i])) {
        RC_ASSERT(std::isnan(back));
      } else {
        RC_ASSERT(std::bit_cast<std::uint64_t>(back) == std::bit_cast<std::uint64_t>(v[i]));
      }
    }
  });
}

// The generators reach the cases they promise (within a few hundred draws).
TEST(Generators, CoverTheDegenerateCases) {
  bool all_nan_window = false, window_in_padding = false, kernel_covers_image = false,
       simd_channels = false, dilated = false, ceil = false, neg_zero = false;
  const auto gen_problem = gen::problem();
  for (int seed = 0; seed < 3000; ++seed) {
    const Problem p = gen_problem(rc::Random(seed), 50).value();
    const Geometry g = p.geometry();
    for (int a = 0; a < kMaxRank; ++a) {
      window_in_padding =
          window_in_padding || g.pad_begin[a] >= (g.kernel[a] - 1) * g.dilation[a] + 1;
      kernel_covers_image = kernel_covers_image || (g.in[a] > 1 && g.kernel[a] >= g.in[a]);
      dilated = dilated || g.dilation[a] > 1;
    }
    simd_channels = simd_channels || g.channels == 65;
    ceil = ceil || p.ceil_mode();
    const std::vector<double> v =
        gen::values(p, g.input_elements())(rc::Random(seed + 1), 50).value();
    std::int64_t nan = 0;
    for (const double d : v) {
      nan += std::isnan(d);
      neg_zero = neg_zero || (d == 0 && std::signbit(d));
    }
    all_nan_window = all_nan_window || nan == static_cast<std::int64_t>(v.size());
  }
  EXPECT_TRUE(all_nan_window);
  EXPECT_TRUE(window_in_padding);
  EXPECT_TRUE(kernel_covers_image);
  EXPECT_TRUE(simd_channels);
  EXPECT_TRUE(dilated);
  EXPECT_TRUE(ceil);
  EXPECT_TRUE(neg_zero);
}

}  // namespace
}  // namespace poolcheck
