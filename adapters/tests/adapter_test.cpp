// Quick checks of one peer-library adapter, loaded as a plug-in the way
// `poolcheck run` and the benchmark load it. Built once per adapter with
//   POOLCHECK_ADAPTER_PATH     the module to load
//   POOLCHECK_ADAPTER_PROFILE  the profile it must claim
// Two kinds of check: small problems worked by hand (expected values below come
// from the profile's definition, SEMANTICS.md §2, not from running code), and
// agreement with the reference, bit for bit, on tie-free NaN-free data. The
// real conformance campaigns are `poolcheck run`'s job.
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "poolcheck/descriptor.hpp"
#include "poolcheck/half.hpp"
#include "poolcheck/plugin_host.hpp"
#include "poolcheck/reference.hpp"

namespace poolcheck {
namespace {

const std::string kProfile = POOLCHECK_ADAPTER_PROFILE;

std::unique_ptr<plugin::LoadedPlugin> load_adapter() {
  return plugin::load(POOLCHECK_ADAPTER_PATH);
}

// Elements of `dtype` holding `values` exactly (callers keep them representable).
std::vector<std::byte> encode(DType dtype, const std::vector<double>& values) {
  std::vector<std::byte> bytes(values.size() * dtype_size(dtype));
  for (std::size_t i = 0; i < values.size(); ++i) {
    std::byte* at = bytes.data() + i * dtype_size(dtype);
    const auto put = [&](auto v) { std::memcpy(at, &v, sizeof v); };
    const auto f = static_cast<float>(values[i]);
    switch (dtype) {
      case DType::f32:
        put(f);
        break;
      case DType::f64:
        put(values[i]);
        break;
      case DType::f16:
        put(half_detail::float_to_f16_bits(f));
        break;
      case DType::bf16:
        put(half_detail::float_to_bf16_bits(f));
        break;
      case DType::s8:
        put(static_cast<std::int8_t>(values[i]));
        break;
      case DType::u8:
        put(static_cast<std::uint8_t>(values[i]));
        break;
    }
  }
  return bytes;
}

ConstBuffer view(DType dtype, const std::vector<std::byte>& bytes) {
  return {dtype, bytes.data(), bytes.size() / dtype_size(dtype)};
}
MutableBuffer view(DType dtype, std::vector<std::byte>& bytes) {
  return {dtype, bytes.data(), bytes.size() / dtype_size(dtype)};
}

// Forward through the adapter: the values, and the argmax when asked.
struct Forward {
  std::vector<std::byte> y;
  std::vector<std::int64_t> argmax;
};
Forward run_forward(const Implementation& impl, const Problem& p, const std::vector<std::byte>& x,
                    bool with_argmax) {
  const Geometry g = p.geometry();
  const auto outputs = static_cast<std::size_t>(g.output_elements());
  Forward f{std::vector<std::byte>(outputs * dtype_size(p.dtype())), {}};
  if (with_argmax) f.argmax.assign(outputs, -7);  // a value no format produces
  impl.forward(p, view(p.dtype(), x), view(p.dtype(), f.y), f.argmax);
  return f;
}
std::vector<std::byte> run_backward(const Implementation& impl, const Problem& p,
                                    const std::vector<std::byte>& x,
                                    const std::vector<std::int64_t>& argmax,
                                    const std::vector<std::byte>& dy) {
  std::vector<std::byte> dx(x.size());  // zero, as the ABI hands it over
  impl.backward(p, view(p.dtype(), x), argmax, view(p.dtype(), dy), view(p.dtype(), dx));
  return dx;
}

Problem with_profile(const std::string& shape, const std::string& dtype = "f32",
                     const std::string& layout = "nhwc") {
  return parse_descriptor(kProfile + ":" + dtype + ":" + layout + ":" + shape);
}

TEST(Adapter, ClaimsItsLibrarysProfile) {
  const auto adapter = load_adapter();
  EXPECT_EQ(adapter->claim().profile, kProfile);
  EXPECT_FALSE(adapter->claim().dtypes.empty());
}

// Case A, 1x4x4x1, k2 s2, no padding:
//    1  5 | 2  0
//    3  4 | 8  6
//   ------+------
//    9  0 | 7  1
//    2 10 | 3 11
// Maxima 5, 8, 10, 11 at input (0,1), (1,2), (3,1), (3,3), i.e. window taps
// (0,1), (1,0), (1,1), (1,1).
const std::vector<double> kCaseA{1, 5, 2, 0, 3, 4, 8, 6, 9, 0, 7, 1, 2, 10, 3, 11};
const char* const kCaseAShape = "mb1ic1_ih4iw4_kh2kw2_sh2sw2";

std::vector<std::int64_t> case_a_argmax() {
  if (kProfile == "pytorch") return {1, 6, 13, 15};  // h * W + w in the plane
  if (kProfile == "xnnpack") return {2, 1, 3, 3};    // px * KH + py
  return {1, 2, 3, 3};                               // (onednn) kh * KW + kw
}

TEST(Adapter, HandWorkedForwardValuesAndArgmax) {
  const auto adapter = load_adapter();
  const Problem p = with_profile(kCaseAShape);
  const Forward f = run_forward(*adapter, p, encode(DType::f32, kCaseA), adapter->claim().argmax);
  EXPECT_EQ(f.y, encode(DType::f32, {5, 8, 10, 11}));
  if (adapter->claim().argmax) {
    EXPECT_EQ(f.argmax, case_a_argmax());
  }
}

TEST(Adapter, HandWorkedBackwardRoutesEachGradientToItsMaximum) {
  const auto adapter = load_adapter();
  if (!adapter->claim().backward) GTEST_SKIP() << "no backward claimed";
  const Problem p = with_profile(kCaseAShape);
  const std::vector<std::byte> x = encode(DType::f32, kCaseA);
  std::vector<double> expected(16, 0.0);
  expected[1] = 1, expected[6] = 2, expected[13] = 3, expected[15] = 4;
  const std::vector<std::byte> dy = encode(DType::f32, {1, 2, 3, 4});
  EXPECT_EQ(run_backward(*adapter, p, x, case_a_argmax(), dy), encode(DType::f32, expected));
  if (adapter->claim().backward_from_x) {
    EXPECT_EQ(run_backward(*adapter, p, x, {}, dy), encode(DType::f32, expected));
  }
}

// Case B, 1x3x3x1 holding -1..-9 row-major, k3 s1 p1: every window's maximum
// is its top-left in-image cell x[max(i-1,0)][max(j-1,0)] whether pad cells are
// excluded or clamped to the border, so the values agree across profiles:
const std::vector<double> kCaseBExpected{-1, -1, -2, -1, -1, -2, -4, -4, -5};

TEST(Adapter, HandWorkedPaddedWindowsOfNegativeValues) {
  const auto adapter = load_adapter();
  const Problem p = with_profile("mb1ic1_ih3iw3_kh3kw3_sh1sw1_ph1pw1");
  const std::vector<double> x{-1, -2, -3, -4, -5, -6, -7, -8, -9};
  // XNNPACK's argmax pooling has stride = kernel, so it is values only here.
  const bool argmax = adapter->claim().argmax && kProfile != "xnnpack";
  const Forward f = run_forward(*adapter, p, encode(DType::f32, x), argmax);
  EXPECT_EQ(f.y, encode(DType::f32, kCaseBExpected));
  if (!argmax) return;
  if (kProfile == "pytorch") {
    EXPECT_EQ(f.argmax, (std::vector<std::int64_t>{0, 0, 1, 0, 0, 1, 3, 3, 4}));
  } else {  // onednn: tap (i == 0, j == 0) of the window, row-major
    EXPECT_EQ(f.argmax, (std::vector<std::int64_t>{4, 3, 3, 1, 0, 0, 1, 0, 0}));
  }
}

// Tie-free data: a shuffled run of distinct integers, centred on zero and
// small enough to be exact in `dtype`.
std::vector<double> distinct_values(std::size_t count, DType dtype, std::uint32_t seed) {
  std::vector<double> v(count);
  std::iota(v.begin(), v.end(), 0.0);
  std::shuffle(v.begin(), v.end(), std::mt19937(seed));
  const double offset = dtype == DType::u8 ? 0.0 : static_cast<double>(count / 2);
  for (double& e : v) e -= offset;
  return v;
}

struct Case {
  std::string shape;
  std::string layout = "nhwc";
  std::string dtype = "f32";
};

// Problems each adapter's library can express under its profile's rules.
std::vector<Case> cases_for_profile() {
  if (kProfile == "xnnpack")
    return {{"mb2ic5_ih9iw11_kh3kw3_sh2sw2_ph1pw1"},
            {"mb1ic3_ih8iw8_kh2kw2_sh2sw2"},
            {"mb3ic4_ih7iw6_kh3kw2_sh1sw2_pbh0pbw1_peh2pew0"},
            {"mb1ic2_ih10iw10_kh2kw3_sh2sw3"},
            {"mb1ic8_ih9iw9_kh3kw3_sh2sw2_dh2dw2"},
            {"mb1ic3_ih9iw9_kh2kw2_sh2sw2_pbh1pbw0_peh0pew1"},
            {"mb1ic4_ih6iw6_kh2kw2_sh2sw2", "nhwc", "f16"},
            {"mb1ic4_ih6iw6_kh2kw2_sh2sw2", "nhwc", "s8"},
            {"mb1ic4_ih6iw6_kh3kw3_sh1sw1_ph1pw1", "nhwc", "u8"}};
  std::vector<Case> cases{{"mb2ic5_ih9iw11_kh3kw3_sh2sw2_ph1pw1"},
                          {"mb2ic5_ih9iw11_kh3kw3_sh2sw2_ph1pw1", "nchw"},
                          {"mb1ic3_iw12_kw4_sw3_pw2", "nwc"},
                          {"mb1ic3_iw12_kw4_sw3_pw2", "ncw"},
                          {"mb2ic2_id5ih6iw7_kd2kh3kw2_sd2sh2sw1_pd1ph1pw1", "ndhwc"},
                          {"mb2ic2_id5ih6iw7_kd2kh3kw2_sd2sh2sw1_pd1ph1pw1", "ncdhw"},
                          {"mb1ic8_ih9iw9_kh3kw3_sh2sw2_dh2dw2"},
                          {"mb1ic4_ih6iw6_kh2kw2_sh2sw2", "nhwc", "bf16"}};
  if (kProfile == "onednn") {
    cases.push_back({"mb1ic3_ih7iw9_kh3kw2_sh2sw3_pbh0pbw1_peh2pew0"});  // asymmetric
    cases.push_back({"mb1ic4_ih6iw6_kh3kw3_sh1sw1_ph1pw1", "nhwc", "s8"});
    cases.push_back({"mb1ic4_ih6iw6_kh3kw3_sh1sw1_ph1pw1", "nchw", "u8"});
  } else {  // pytorch
    cases.push_back({"mb1ic3_ih12iw12_kh3kw3_sh2sw2_ph1pw1_ceil"});
    cases.push_back({"mb1ic2_ih8iw8_kh3kw3_sh2sw2_ph1pw1", "nchw", "f64"});
  }
  return cases;
}

// The adapter and the reference agree bit for bit on values, argmax and
// gradient, for every pass the adapter claims and its library accepts.
TEST(Adapter, AgreesWithTheReferenceOnTieFreeData) {
  const auto adapter = load_adapter();
  const auto reference = reference::make_implementation();
  std::uint32_t seed = 1;
  for (const Case& c : cases_for_profile()) {
    const Problem p = with_profile(c.shape, c.dtype, c.layout);
    SCOPED_TRACE(to_descriptor(p));
    std::string why;
    ASSERT_TRUE(adapter->covers(p, &why)) << why;
    const Geometry g = p.geometry();
    const std::vector<std::byte> x =
        encode(p.dtype(),
               distinct_values(static_cast<std::size_t>(g.input_elements()), p.dtype(), seed++));
    // XNNPACK's argmax pooling only takes stride = kernel without dilation.
    bool argmax = adapter->claim().argmax && (p.dtype() == DType::f32 || kProfile != "xnnpack");
    if (kProfile == "xnnpack")
      argmax = argmax && g.stride == g.kernel && g.dilation == Dims{1, 1, 1};
    // oneDNN trains (argmax, backward) in floating types only.
    if (kProfile == "onednn" && (p.dtype() == DType::s8 || p.dtype() == DType::u8)) argmax = false;

    const Forward expected = run_forward(*reference, p, x, argmax);
    const Forward got = run_forward(*adapter, p, x, argmax);
    EXPECT_EQ(got.y, expected.y) << "values differ";
    EXPECT_EQ(got.argmax, expected.argmax) << "argmax differs";

    if (!adapter->claim().backward || !argmax) continue;
    // Small integer gradients: every sum is exact, whatever order it is taken in.
    std::vector<double> dy_values(static_cast<std::size_t>(g.output_elements()));
    for (std::size_t i = 0; i < dy_values.size(); ++i)
      dy_values[i] = static_cast<double>(i % 7) + 1;
    const std::vector<std::byte> dy = encode(p.dtype(), dy_values);
    // The libtorch adapter refuses 3-D channels-last backward (libtorch 1.13
    // bug; see libtorch_adapter.cpp); the refusal itself is checked here.
    if (kProfile == "pytorch" && c.layout == "ndhwc") {
      EXPECT_THROW(run_backward(*adapter, p, x, expected.argmax, dy), plugin::UnsupportedProblem);
      continue;
    }
    const std::vector<std::byte> want = run_backward(*reference, p, x, expected.argmax, dy);
    EXPECT_EQ(run_backward(*adapter, p, x, expected.argmax, dy), want) << "backward differs";
    if (adapter->claim().backward_from_x) {
      EXPECT_EQ(run_backward(*adapter, p, x, {}, dy), want) << "backward from x differs";
    }
  }
}

// A problem outside what the library can express is refused, not run wrong.
TEST(Adapter, RefusesWhatItsLibraryCannotExpress) {
  const auto adapter = load_adapter();
  const Problem p = with_profile(kProfile == "xnnpack" ? "mb1ic1_ih6iw6_kh2kw2_sh1sw1"
                                                       : "mb1ic1_ih6iw6_kh2kw2_sh2sw2");
  const std::vector<std::byte> x = encode(DType::f32, distinct_values(36, DType::f32, 9));
  if (kProfile == "xnnpack") {  // argmax pooling with stride != kernel
    EXPECT_THROW(run_forward(*adapter, p, x, true), plugin::UnsupportedProblem);
  } else if (kProfile == "onednn") {  // f16 pooling has no CPU kernel in 2.6
    EXPECT_FALSE(adapter->covers(with_profile("mb1ic1_ih6iw6_kh2kw2_sh2sw2", "f16")));
  } else {  // an argmax outside the plane would make PyTorch write out of bounds
    const std::vector<std::byte> dy = encode(DType::f32, {1, 1, 1, 1, 1, 1, 1, 1, 1});
    EXPECT_THROW(run_backward(*adapter, p, x, {0, 1, 2, 3, 4, 5, 6, 7, 36}, dy),
                 std::runtime_error);
  }
}

}  // namespace
}  // namespace poolcheck
