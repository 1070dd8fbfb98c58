// The reference built as a plug-in, loaded through load(), must give bit for
// bit what the in-process reference gives: then problems, buffers and argmax
// cross the ABI unchanged, for every profile, dtype, layout and rank.
#include <gtest/gtest.h>

#include <map>

#include "poolcheck/descriptor.hpp"
#include "poolcheck/plugin_host.hpp"
#include "poolcheck/reference.hpp"
#include "test_support.hpp"

namespace poolcheck::plugin {
namespace {

using testing::Tensor;

const std::map<std::string, std::string> kReferencePlugins = {
    {"numpynet", PLUGIN_poolcheck_reference_plugin},
    {"pytorch", PLUGIN_poolcheck_reference_plugin_pytorch},
    {"onnx", PLUGIN_poolcheck_reference_plugin_onnx},
    {"tensorflow", PLUGIN_poolcheck_reference_plugin_tensorflow},
    {"onednn", PLUGIN_poolcheck_reference_plugin_onednn},
    {"xnnpack", PLUGIN_poolcheck_reference_plugin_xnnpack},
    {"darknet", PLUGIN_poolcheck_reference_plugin_darknet},
};

// Problems of one profile, dtype, layout and rank: overlapping windows with
// padding where the profile takes explicit pads, SAME padding where not, and
// a dilated one.
std::vector<Problem> problems_for(const std::string& profile, DType dtype, Layout layout,
                                  int rank) {
  const std::vector<std::int64_t> sizes = {5, 6, 7};
  const std::span<const std::int64_t> input(sizes.data() + 3 - rank, rank);
  const std::vector<std::int64_t> three(rank, 3), two(rank, 2), one(rank, 1);
  const auto base = [&] {
    return Problem().profile(profile).dtype(dtype).layout(layout).batch(2).channels(3).input_size(
        input);
  };
  std::vector<Problem> out;
  const auto add = [&](Problem p) {
    try {
      (void)p.geometry();
      out.push_back(p);
    } catch (const ProblemError&) {  // outside the profile's rules: not posed
    }
  };
  add(base().kernel(three).stride(two).pad_begin(one).pad_end(one));
  add(base().kernel(three).stride(two).padding(Padding::same_upper));
  add(base().kernel(two).stride(one).padding(Padding::valid));
  add(base().kernel(two).stride(one).dilation(two).padding(Padding::valid));
  return out;
}

class ReferenceRoundTrip : public ::testing::TestWithParam<std::string> {};

TEST_P(ReferenceRoundTrip, MatchesInProcessReferenceBitwise) {
  const std::string& profile = GetParam();
  const auto plugin = load(kReferencePlugins.at(profile));
  const auto reference = reference::make_implementation();
  int checked = 0;
  for (const DType dtype : kAllDTypes)
    for (const Layout layout : {Layout::channels_last, Layout::channels_first})
      for (int rank = 1; rank <= 3; ++rank)
        for (const Problem& problem : problems_for(profile, dtype, layout, rank)) {
          SCOPED_TRACE(to_descriptor(problem));
          ASSERT_TRUE(plugin->covers(problem));
          const std::size_t in = testing::inputs(problem), out = testing::outputs(problem);
          const Tensor x = testing::patterned(dtype, in, static_cast<std::uint32_t>(checked));
          const Tensor dy = testing::patterned(dtype, out, 77u + checked);

          Tensor y_ref(dtype, out), y_plugin(dtype, out);
          std::vector<std::int64_t> a_ref(out), a_plugin(out);
          reference->forward(problem, x.view(), y_ref.mut(), a_ref);
          plugin->forward(problem, x.view(), y_plugin.mut(), a_plugin);
          EXPECT_EQ(y_plugin, y_ref);
          EXPECT_EQ(a_plugin, a_ref);

          Tensor dx_ref(dtype, in), dx_plugin(dtype, in);
          reference->backward(problem, x.view(), a_ref, dy.view(), dx_ref.mut());
          plugin->backward(problem, x.view(), a_ref, dy.view(), dx_plugin.mut());
          EXPECT_EQ(dx_plugin, dx_ref) << "backward from argmax";

          Tensor dx_ref_x(dtype, in), dx_plugin_x(dtype, in);
          reference->backward(problem, x.view(), {}, dy.view(), dx_ref_x.mut());
          plugin->backward(problem, x.view(), {}, dy.view(), dx_plugin_x.mut());
          EXPECT_EQ(dx_plugin_x, dx_ref_x) << "backward from x";
          ++checked;
        }
  // Every dtype x layout x rank poses at least two of the problems.
  EXPECT_GE(checked, 6 * 2 * 3 * 2);
}

INSTANTIATE_TEST_SUITE_P(AllProfiles, ReferenceRoundTrip,
                         ::testing::Values("numpynet", "pytorch", "onnx", "tensorflow", "onednn",
                                           "xnnpack", "darknet"));

TEST(ReferencePlugin, RejectsAProblemWhoseFieldsContradictItsDescriptor) {
  const auto plugin = load(PLUGIN_poolcheck_reference_plugin_pytorch);
  const Problem problem = Problem().profile("pytorch").input_size({4, 4}).kernel({2, 2});
  AbiProblem abi = to_abi(problem);
  abi.problem.output[1] = 3;  // the descriptor says 2
  std::vector<float> x(16), y(4);
  char message[256] = {};
  const pc_status status =
      plugin->table().forward(&abi.problem, x.data(), y.data(), nullptr, message, sizeof message);
  EXPECT_EQ(status, PC_ERROR);
  EXPECT_STREQ(message, "pc_problem.output=3: the descriptor's problem has 2");
}

}  // namespace
}  // namespace poolcheck::plugin
