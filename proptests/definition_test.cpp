// Properties of the definition itself (library poolcheck_properties), checked
// on every implementation this executable has: the reference, and fast/ at one
// and two threads when linked. `poolcheck run` runs the same functions on a
// plug-in.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "implementations_under_test.hpp"
#include "poolcheck/properties.hpp"

namespace poolcheck {
namespace {

using proptest::check_each_implementation;

RC_GTEST_PROP(Definition, OutputIsTheFirstMaximumOfItsWindow, ()) {
  check_each_implementation(properties::output_is_first_maximum_of_its_window);
}

RC_GTEST_PROP(Definition, NondecreasingMapsCommuteWithPooling, ()) {
  check_each_implementation(properties::nondecreasing_maps_commute_with_pooling);
}

RC_GTEST_PROP(Definition, WideningF32ToF64CommutesWithPooling, ()) {
  check_each_implementation(properties::widening_f32_to_f64_commutes_with_pooling);
}

RC_GTEST_PROP(Definition, SeparableIntoOneAxisPasses, ()) {
  check_each_implementation(properties::separable_into_one_axis_passes);
}

RC_GTEST_PROP(Definition, TwoByTwoTwiceIsFourByFour, ()) {
  check_each_implementation(properties::two_by_two_twice_is_four_by_four);
}

RC_GTEST_PROP(Definition, OneByOneStrideOneIsTheIdentity, ()) {
  check_each_implementation(properties::one_by_one_stride_one_is_the_identity);
}

RC_GTEST_PROP(Definition, PermutingBatchAndChannelsPermutesTheResult, ()) {
  check_each_implementation(properties::permuting_batch_and_channels_permutes_the_result);
}

RC_GTEST_PROP(Definition, ChannelsLastAndChannelsFirstAgree, ()) {
  check_each_implementation(properties::channels_last_and_channels_first_agree);
}

RC_GTEST_PROP(Definition, ReplicatedChannelsGiveIdenticalResults, ()) {
  check_each_implementation(properties::replicated_channels_give_identical_results);
}

RC_GTEST_PROP(Definition, BackwardIsLinearExactSumsAndOnlyAtArgmax, ()) {
  check_each_implementation(properties::backward_is_linear_exact_sums_and_only_at_argmax);
}

// Run to run for the reference; for fast/, also one thread against two.
RC_GTEST_PROP(Definition, RepeatedRunsAreBitwiseIdentical, ()) {
  check_each_implementation(properties::repeated_runs_are_bitwise_identical);
}

}  // namespace
}  // namespace poolcheck
