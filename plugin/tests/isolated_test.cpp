// The isolated host: a crash, a hang, a stray write or a refusal becomes the
// right Outcome, and the caller goes on to the next call.
#include "poolcheck/isolated.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <csignal>

#include "poolcheck/reference.hpp"
#include "test_support.hpp"

namespace poolcheck::plugin {
namespace {

using ::testing::HasSubstr;
using testing::Tensor;

Problem small_problem(std::string_view profile = "pytorch") {
  return Problem().profile(profile).batch(2).channels(3).input_size({6, 5}).kernel({3, 3}).stride(
      {2, 2});
}

struct Forward {
  Outcome outcome;
  Tensor y;
  std::vector<std::int64_t> argmax;
};

Forward run_forward(const IsolatedPlugin& plugin, const Problem& problem, std::uint32_t seed = 1) {
  const Tensor x = testing::patterned(DType::f32, testing::inputs(problem), seed);
  Forward f{outcome::Ok{}, Tensor(DType::f32, testing::outputs(problem)),
            std::vector<std::int64_t>(testing::outputs(problem))};
  f.outcome = plugin.try_forward(problem, x.view(), f.y.mut(), f.argmax);
  return f;
}

Forward reference_forward(const Problem& problem, std::uint32_t seed = 1) {
  const Tensor x = testing::patterned(DType::f32, testing::inputs(problem), seed);
  Forward f{outcome::Ok{}, Tensor(DType::f32, testing::outputs(problem)),
            std::vector<std::int64_t>(testing::outputs(problem))};
  reference::make_implementation()->forward(problem, x.view(), f.y.mut(), f.argmax);
  return f;
}

TEST(Isolated, CorrectPluginMatchesTheReferenceBitwise) {
  const auto plugin = IsolatedPlugin::open(FIXTURE_correct_pytorch);
  for (const Layout layout : {Layout::channels_last, Layout::channels_first}) {
    const Problem problem = small_problem().layout(layout).pads({1, 1});
    const Forward got = run_forward(*plugin, problem);
    ASSERT_TRUE(is_ok(got.outcome)) << describe(got.outcome);
    const Forward want = reference_forward(problem);
    EXPECT_EQ(got.y, want.y);
    EXPECT_EQ(got.argmax, want.argmax);

    const Tensor x = testing::patterned(DType::f32, testing::inputs(problem), 1);
    const Tensor dy = testing::patterned(DType::f32, testing::outputs(problem), 2);
    Tensor dx_got(DType::f32, testing::inputs(problem)), dx_want = dx_got;
    ASSERT_TRUE(
        is_ok(plugin->try_backward(problem, x.view(), want.argmax, dy.view(), dx_got.mut())));
    reference::make_implementation()->backward(problem, x.view(), want.argmax, dy.view(),
                                               dx_want.mut());
    EXPECT_EQ(dx_got, dx_want);
  }
}

TEST(Isolated, SegfaultIsReportedAndTheCallerGoesOn) {
  const auto crashing = IsolatedPlugin::open(FIXTURE_segfault);
  const Forward first = run_forward(*crashing, small_problem());
  const auto* crashed = std::get_if<outcome::Crashed>(&first.outcome);
  ASSERT_NE(crashed, nullptr) << describe(first.outcome);
  EXPECT_EQ(crashed->signal, SIGSEGV);
  EXPECT_THAT(describe(first.outcome), HasSubstr("SIGSEGV at address 0x0"));
  // Again, and then a correct plug-in: this process is unharmed.
  EXPECT_TRUE(
      std::holds_alternative<outcome::Crashed>(run_forward(*crashing, small_problem()).outcome));
  const auto correct = IsolatedPlugin::open(FIXTURE_correct_pytorch);
  EXPECT_TRUE(is_ok(run_forward(*correct, small_problem()).outcome));
}

TEST(Isolated, WriteOnePastTheEndNamesTheBuffer) {
  const auto plugin = IsolatedPlugin::open(FIXTURE_write_past_end);
  const Problem problem = small_problem();
  Forward got = run_forward(*plugin, problem);
  const auto* outside = std::get_if<outcome::WroteOutside>(&got.outcome);
  ASSERT_NE(outside, nullptr) << describe(got.outcome);
  EXPECT_EQ(outside->buffer, "y");
  EXPECT_THAT(outside->detail, HasSubstr("0 bytes past the end"));
  // The caller's y is left as it was (zeros) when the call fails.
  EXPECT_EQ(got.y, Tensor(DType::f32, testing::outputs(problem)));
}

TEST(Isolated, HangIsKilledAfterTheTimeout) {
  const auto plugin = IsolatedPlugin::open(
      FIXTURE_hang, IsolationOptions{.timeout = std::chrono::milliseconds(300)});
  const auto start = std::chrono::steady_clock::now();
  const Forward got = run_forward(*plugin, small_problem());
  const auto elapsed = std::chrono::steady_clock::now() - start;
  const auto* timed_out = std::get_if<outcome::TimedOut>(&got.outcome);
  ASSERT_NE(timed_out, nullptr) << describe(got.outcome);
  EXPECT_EQ(timed_out->after, std::chrono::milliseconds(300));
  // It waited for the timeout rather than killing at once. Not exactly 300:
  // the host's deadline starts at the fork, a few microseconds after `start`
  // would have to be, and timers may fire a hair early (seen: 299.98 ms).
  EXPECT_GE(elapsed, std::chrono::milliseconds(250));
  EXPECT_LT(elapsed, std::chrono::seconds(5));
  // The next call goes on (and hangs again, reported again).
  EXPECT_TRUE(
      std::holds_alternative<outcome::TimedOut>(run_forward(*plugin, small_problem()).outcome));
}

TEST(Isolated, RefusalsAndErrorsAreOutcomes) {
  const auto refusing = IsolatedPlugin::open(FIXTURE_refuse_all);
  const Forward refused = run_forward(*refusing, small_problem());
  ASSERT_TRUE(std::holds_alternative<outcome::Refused>(refused.outcome));
  EXPECT_THAT(std::get<outcome::Refused>(refused.outcome).message,
              HasSubstr("this fixture refuses pytorch:f32:nhwc:"));

  const auto correct = IsolatedPlugin::open(FIXTURE_correct_pytorch);
  const Forward outside_claim = run_forward(*correct, small_problem("numpynet"));
  EXPECT_TRUE(std::holds_alternative<outcome::Refused>(outside_claim.outcome));

  const auto erroring = IsolatedPlugin::open(FIXTURE_error_unterminated);
  const Forward error = run_forward(*erroring, small_problem());
  ASSERT_TRUE(std::holds_alternative<outcome::Error>(error.outcome));
  EXPECT_EQ(std::get<outcome::Error>(error.outcome).message, std::string(1024, 'e'));
}

TEST(Isolated, ImplementationInterfaceThrowsForFailures) {
  const auto plugin = IsolatedPlugin::open(FIXTURE_segfault);
  const Problem problem = small_problem();
  const Tensor x = testing::patterned(DType::f32, testing::inputs(problem), 1);
  Tensor y(DType::f32, testing::outputs(problem));
  EXPECT_THROW(plugin->forward(problem, x.view(), y.mut(), {}), PluginFailure);
}

TEST(Isolated, LoadErrorsNameThePath) {
  try {
    (void)IsolatedPlugin::open(FIXTURE_bad_abi);
    ADD_FAILURE() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), HasSubstr(FIXTURE_bad_abi));
    EXPECT_THAT(e.what(), HasSubstr("ABI version 99"));
  }
}

// Each semantic bug, found by comparing with the reference on an input that
// exercises it; the same fixture without the bug agrees, so the difference is
// the bug's.
TEST(BrokenPlugins, WrongSameSplitDiffersFromReference) {
  // numpynet SAME, h = 6, k 3, s 2: total pad 1 goes at the END (0, 1).
  const Problem problem =
      Problem().input_size({6, 6}).kernel({3, 3}).stride({2, 2}).padding(Padding::same_upper);
  const Forward want = reference_forward(problem, 5);
  const Forward good = run_forward(*IsolatedPlugin::open(FIXTURE_correct_numpynet), problem, 5);
  ASSERT_TRUE(is_ok(good.outcome));
  EXPECT_EQ(good.y, want.y);
  EXPECT_EQ(good.argmax, want.argmax);
  const Forward bad = run_forward(*IsolatedPlugin::open(FIXTURE_same_split), problem, 5);
  ASSERT_TRUE(is_ok(bad.outcome));
  EXPECT_FALSE(bad.y == want.y && bad.argmax == want.argmax);
}

Tensor ties() {  // 1x1x2x4, NHWC = NCHW for one channel: every cell 1.0
  return testing::tensor_of<float>(DType::f32, {1, 1, 1, 1, 1, 1, 1, 1});
}

TEST(BrokenPlugins, LastMaximumTieBreakGivesAnotherArgmax) {
  const Problem problem = Problem().profile("pytorch").input_size({2, 4}).kernel({2, 2});
  const Tensor x = ties();
  for (const char* path : {FIXTURE_correct_pytorch, FIXTURE_last_max_ties}) {
    Tensor y(DType::f32, 2);
    std::vector<std::int64_t> argmax(2);
    ASSERT_TRUE(is_ok(IsolatedPlugin::open(path)->try_forward(problem, x.view(), y.mut(), argmax)));
    // First maximum of each 2x2 window: (0,0) -> 0 and (0,2) -> 2; the last
    // would be (1,1) -> 5 and (1,3) -> 7.
    if (path == std::string(FIXTURE_correct_pytorch))
      EXPECT_EQ(argmax, (std::vector<std::int64_t>{0, 2}));
    else
      EXPECT_EQ(argmax, (std::vector<std::int64_t>{5, 7}));
  }
}

TEST(BrokenPlugins, SkippingNaNAgainstPyTorchIsCaught) {
  const Problem problem = Problem().profile("pytorch").input_size({2, 2}).kernel({2, 2});
  const Tensor x = testing::tensor_of<float>(DType::f32, {1, std::nanf(""), 3, 2});
  for (const char* path : {FIXTURE_correct_pytorch, FIXTURE_nan_skipped}) {
    Tensor y(DType::f32, 1);
    std::vector<std::int64_t> argmax(1);
    ASSERT_TRUE(is_ok(IsolatedPlugin::open(path)->try_forward(problem, x.view(), y.mut(), argmax)));
    // PyTorch propagates: NaN at plane index 1. Skipping NaN gives 3 at 2.
    const bool correct = path == std::string(FIXTURE_correct_pytorch);
    EXPECT_EQ(argmax[0], correct ? 1 : 2);
    EXPECT_EQ(std::isnan(y.view().as<const float>()[0]), correct);
  }
}

TEST(BrokenPlugins, AssignInsteadOfAddLosesOverlappingGradients) {
  // 1x1x3x4, k 3, s 1: windows at w 0 and 1 both hold the 9 at (1,2).
  const Problem problem =
      Problem().profile("pytorch").input_size({3, 4}).kernel({3, 3}).stride({1, 1});
  const Tensor x = testing::tensor_of<float>(DType::f32, {0, 0, 0, 0, 0, 0, 9, 0, 0, 0, 0, 0});
  const Tensor dy = testing::tensor_of<float>(DType::f32, {1, 2});
  for (const char* path : {FIXTURE_correct_pytorch, FIXTURE_assign_gradient}) {
    Tensor dx(DType::f32, 12);
    ASSERT_TRUE(is_ok(
        IsolatedPlugin::open(path)->try_backward(problem, x.view(), {}, dy.view(), dx.mut())));
    const float at_max = dx.view().as<const float>()[6];
    EXPECT_EQ(at_max, path == std::string(FIXTURE_correct_pytorch) ? 3.0f : 2.0f);
  }
}

TEST(Outcomes, DescribeEachKind) {
  EXPECT_EQ(describe(outcome::Ok{}), "ok");
  EXPECT_EQ(describe(outcome::Refused{"no"}), "refused: no");
  EXPECT_EQ(describe(outcome::Error{"bad"}), "error: bad");
  EXPECT_EQ(describe(outcome::TimedOut{std::chrono::milliseconds(5)}), "timed out after 5 ms");
  EXPECT_EQ(describe(outcome::WroteOutside{"y", "0 bytes past the end"}),
            "wrote outside buffer y: 0 bytes past the end");
  EXPECT_EQ(describe(outcome::Crashed{SIGSEGV, ""}), "crashed: SIGSEGV");
}

}  // namespace
}  // namespace poolcheck::plugin
