// The in-process host: loading, claims, errors, and calls through the ABI.
// Expected values are worked by hand from the profile's definition
// (SEMANTICS.md section 2, PyTorch row) in comments next to them.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <limits>

#include "poolcheck/plugin_host.hpp"
#include "poolcheck/resolve_implementation.hpp"
#include "test_support.hpp"

namespace poolcheck::plugin {
namespace {

using ::testing::HasSubstr;
using testing::Tensor;
using testing::tensor_of;

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

// PyTorch, NCHW 1x1x4x4, kernel 2x2, stride 2, no padding.
Problem four_by_four() {
  return Problem()
      .profile("pytorch")
      .layout(Layout::channels_first)
      .input_size({4, 4})
      .kernel({2, 2});
}

// x (rows h, columns w):   1  5  2  2
//                           3  0  2 -1
//                         NaN  7 -4 -3
//                           9  8 -2 -0
Tensor four_by_four_x() {
  return tensor_of<float>(DType::f32, {1, 5, 2, 2, 3, 0, 2, -1, kNaN, 7, -4, -3, 9, 8, -2, -0.0f});
}

std::string load_error_of(const std::filesystem::path& path) {
  try {
    (void)load(path);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(PluginLoad, MissingFileNamesThePath) {
  const std::string message = load_error_of("/nonexistent/libnothing.so");
  EXPECT_THAT(message, HasSubstr("/nonexistent/libnothing.so"));
  EXPECT_THAT(message, HasSubstr("no such file"));
}

TEST(PluginLoad, NotASharedLibraryNamesThePath) {
  const std::string path = TEST_SOURCE_DIR "/CMakeLists.txt";
  const std::string message = load_error_of(path);
  EXPECT_THAT(message, HasSubstr(path));
  EXPECT_THAT(message, HasSubstr("cannot load"));
}

TEST(PluginLoad, MissingEntrySymbolIsNamed) {
  const std::string message = load_error_of(FIXTURE_no_entry);
  EXPECT_THAT(message, HasSubstr(FIXTURE_no_entry));
  EXPECT_THAT(message, HasSubstr("'poolcheck_plugin'"));
}

TEST(PluginLoad, WrongAbiVersionIsNamed) {
  const std::string message = load_error_of(FIXTURE_bad_abi);
  EXPECT_THAT(message, HasSubstr(FIXTURE_bad_abi));
  EXPECT_THAT(message, HasSubstr("ABI version 99"));
}

TEST(PluginLoad, ReadsTheClaim) {
  const auto plugin = load(FIXTURE_correct_pytorch);
  const Claim& claim = plugin->claim();
  EXPECT_EQ(claim.name, "fixture-correct_pytorch");
  EXPECT_EQ(claim.profile, "pytorch");
  EXPECT_EQ(claim.dtypes, std::vector<DType>{DType::f32});
  EXPECT_EQ(claim.layouts, (std::vector<Layout>{Layout::channels_last, Layout::channels_first}));
  EXPECT_EQ(claim.ranks, std::vector<int>{2});
  EXPECT_TRUE(claim.argmax);
  EXPECT_TRUE(claim.backward);
  EXPECT_TRUE(claim.backward_from_x);
}

TEST(PluginCovers, SaysWhichPartIsOutsideTheClaim) {
  const auto plugin = load(FIXTURE_correct_pytorch);
  std::string why;
  EXPECT_TRUE(plugin->covers(four_by_four(), &why));
  EXPECT_FALSE(plugin->covers(four_by_four().dtype(DType::f64), &why));
  EXPECT_EQ(why, "dtype f64");
  EXPECT_FALSE(plugin->covers(four_by_four().input_size({4}).kernel({2}), &why));
  EXPECT_EQ(why, "rank 1");
  EXPECT_FALSE(plugin->covers(four_by_four().profile("numpynet"), &why));
  EXPECT_THAT(why, HasSubstr("profile numpynet"));
  Conventions ignore_nan = profile_by_name("pytorch").conventions;
  ignore_nan.nan = NanRule::ignore;
  EXPECT_FALSE(plugin->covers(four_by_four().conventions(ignore_nan), &why));
  EXPECT_THAT(why, HasSubstr("conventions"));
}

TEST(PluginCall, ExamplePluginForwardMatchesHandWorkedValues) {
  const auto plugin = load(EXAMPLE_PLUGIN);
  const Tensor x = four_by_four_x();
  Tensor y(DType::f32, 4);
  std::vector<std::int64_t> argmax(4);
  plugin->forward(four_by_four(), x.view(), y.mut(), argmax);
  // Windows: {1,5,3,0} -> 5 at (0,1); {2,2,2,-1} -> first 2, at (0,2);
  // {NaN,7,9,8} -> NaN propagates, at (2,0); {-4,-3,-2,-0} -> -0 at (3,3).
  // Plane index h * 4 + w.
  EXPECT_EQ(y, tensor_of<float>(DType::f32, {5, 2, kNaN, -0.0f}));
  EXPECT_EQ(argmax, (std::vector<std::int64_t>{1, 2, 8, 15}));
}

TEST(PluginCall, BackwardAddsThePluginsSumIntoDx) {
  const auto plugin = load(FIXTURE_correct_pytorch);
  const Tensor x = four_by_four_x();
  const Tensor dy = tensor_of<float>(DType::f32, {1, 2, 3, 4});
  Tensor dx = tensor_of<float>(
      DType::f32, {.5f, .5f, .5f, .5f, .5f, .5f, .5f, .5f, .5f, .5f, .5f, .5f, .5f, .5f, .5f, .5f});
  plugin->backward(four_by_four(), x.view(), {}, dy.view(), dx.mut());
  // Argmax cells 1, 2, 8, 15 (see above) receive dy on top of 0.5.
  EXPECT_EQ(dx, tensor_of<float>(DType::f32, {.5f, 1.5f, 2.5f, .5f, .5f, .5f, .5f, .5f, 3.5f, .5f,
                                              .5f, .5f, .5f, .5f, .5f, 4.5f}));
}

TEST(PluginCall, CapabilitiesNotClaimedAreRefused) {
  const auto plugin = load(EXAMPLE_PLUGIN);  // forward and argmax only
  const Tensor x = four_by_four_x();
  const Tensor dy(DType::f32, 4);
  Tensor dx(DType::f32, 16);
  try {
    plugin->backward(four_by_four(), x.view(), {}, dy.view(), dx.mut());
    ADD_FAILURE() << "expected UnsupportedProblem";
  } catch (const UnsupportedProblem& e) {
    EXPECT_THAT(e.what(), HasSubstr("PC_CAP_BACKWARD_FROM_X"));
  }
  Tensor y(DType::f32, 4);
  EXPECT_THROW(plugin->forward(four_by_four().layout(Layout::channels_last), x.view(), y.mut(), {}),
               UnsupportedProblem);
}

TEST(PluginCall, WrongBufferSizeIsAProblemError) {
  const auto plugin = load(FIXTURE_correct_pytorch);
  const Tensor x(DType::f32, 15);
  Tensor y(DType::f32, 4);
  try {
    plugin->forward(four_by_four(), x.view(), y.mut(), {});
    ADD_FAILURE() << "expected ProblemError";
  } catch (const ProblemError& e) {
    EXPECT_EQ(e.parameter(), "x.length");
    EXPECT_EQ(e.value(), "15");
  }
}

TEST(PluginCall, RefusalCarriesThePluginsMessage) {
  const auto plugin = load(FIXTURE_refuse_all);
  const Tensor x = four_by_four_x();
  Tensor y(DType::f32, 4);
  try {
    plugin->forward(four_by_four(), x.view(), y.mut(), {});
    ADD_FAILURE() << "expected UnsupportedProblem";
  } catch (const UnsupportedProblem& e) {
    EXPECT_THAT(e.what(), HasSubstr("this fixture refuses pytorch:f32:nchw:"));
  }
}

TEST(PluginCall, UnterminatedErrorMessageIsCutAtTheBufferSize) {
  const auto plugin = load(FIXTURE_error_unterminated);
  const Tensor x = four_by_four_x();
  Tensor y(DType::f32, 4);
  try {
    plugin->forward(four_by_four(), x.view(), y.mut(), {});
    ADD_FAILURE() << "expected std::runtime_error";
  } catch (const UnsupportedProblem&) {
    ADD_FAILURE() << "PC_ERROR must not read as a refusal";
  } catch (const std::runtime_error& e) {
    const std::string message = e.what();
    const auto start = message.find("failed: ");
    ASSERT_NE(start, std::string::npos) << message;
    // The fixture fills all message_size bytes with 'e' and no NUL.
    EXPECT_EQ(message.substr(start + 8), std::string(1024, 'e'));
  }
}

TEST(PluginCall, StatusOutsidePcStatusIsAnError) {
  const auto plugin = load(FIXTURE_bad_status);
  const Tensor x = four_by_four_x();
  Tensor y(DType::f32, 4);
  try {
    plugin->forward(four_by_four(), x.view(), y.mut(), {});
    ADD_FAILURE() << "expected std::runtime_error";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), HasSubstr("returned 7, which is not a pc_status"));
  }
}

TEST(AbiProblem, PointersFollowCopiesAndMoves) {
  AbiProblem original = to_abi(four_by_four());
  const AbiProblem copy = original;
  EXPECT_EQ(copy.problem.profile, copy.profile.c_str());
  EXPECT_EQ(copy.problem.descriptor, copy.descriptor.c_str());
  const AbiProblem moved = std::move(original);
  EXPECT_EQ(moved.problem.descriptor, moved.descriptor.c_str());
  EXPECT_STREQ(moved.problem.profile, "pytorch");
}

TEST(AbiProblem, FieldsOfARank2ProblemComeFirst) {
  // numpynet SAME, input 6x7, kernel 3, stride 2: out ceil(6/2)=3, ceil(7/2)=4;
  // pads h: total (3-1)*2+3-6 = 1 -> (0, 1); w: (4-1)*2+3-7 = 2 -> (1, 1).
  const AbiProblem abi = to_abi(
      Problem().input_size({6, 7}).kernel({3, 3}).stride({2, 2}).padding(Padding::same_upper));
  EXPECT_EQ(abi.problem.rank, 2);
  EXPECT_EQ(abi.problem.input[0], 6);
  EXPECT_EQ(abi.problem.input[1], 7);
  EXPECT_EQ(abi.problem.output[0], 3);
  EXPECT_EQ(abi.problem.output[1], 4);
  EXPECT_EQ(abi.problem.pad_begin[0], 0);
  EXPECT_EQ(abi.problem.pad_end[0], 1);
  EXPECT_EQ(abi.problem.pad_begin[1], 1);
  EXPECT_EQ(abi.problem.pad_end[1], 1);
  EXPECT_EQ(abi.problem.input[2], 1);
  EXPECT_EQ(abi.problem.struct_size, sizeof(pc_problem));
}

TEST(ResolveImplementation, BuiltinsAndPaths) {
  EXPECT_EQ(resolve_implementation("builtin:reference")->name(), "builtin:reference");
  EXPECT_EQ(resolve_implementation(EXAMPLE_PLUGIN)->name(), "my-maxpool");
  try {
    (void)resolve_implementation("builtin:bogus");
    ADD_FAILURE() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), HasSubstr("builtin:bogus"));
  }
}

}  // namespace
}  // namespace poolcheck::plugin
