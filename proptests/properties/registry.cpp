// The registry `poolcheck run` and the tests select properties by name from.
#include <array>

#include "poolcheck/properties.hpp"

namespace poolcheck::properties {

std::span<const NamedProperty> definition_properties() {
  static constexpr std::array<NamedProperty, 12> kAll{{
      {"output_is_first_maximum_of_its_window",
       "y and the argmax are each window's first maximum under the profile's rules",
       output_is_first_maximum_of_its_window},
      {"nondecreasing_maps_commute_with_pooling",
       "pool(f(x)) == f(pool(x)) for x*2, x+c and floor (first-candidate profiles)",
       nondecreasing_maps_commute_with_pooling},
      {"widening_f32_to_f64_commutes_with_pooling",
       "pooling in f64 the widened f32 input gives the widened f32 result",
       widening_f32_to_f64_commutes_with_pooling},
      {"separable_into_one_axis_passes",
       "a 2-D window is a pass over the inner scan axis, then over the outer one",
       separable_into_one_axis_passes},
      {"two_by_two_twice_is_four_by_four", "2x2 stride-2 pooling twice is 4x4 stride-4 pooling",
       two_by_two_twice_is_four_by_four},
      {"one_by_one_stride_one_is_the_identity",
       "1x1 stride-1 pooling returns x bit for bit (first-candidate profiles)",
       one_by_one_stride_one_is_the_identity},
      {"permuting_batch_and_channels_permutes_the_result",
       "permuting the (n, c) planes of x permutes y the same way",
       permuting_batch_and_channels_permutes_the_result},
      {"channels_last_and_channels_first_agree",
       "channels-last and channels-first inputs give the same y, transposed",
       channels_last_and_channels_first_agree},
      {"replicated_channels_give_identical_results",
       "one channel copied C times gives C identical results (TensorFlow #125965)",
       replicated_channels_give_identical_results},
      {"backward_is_linear_exact_sums_and_only_at_argmax",
       "dx is linear in dy and exactly dy routed to each window's argmax",
       backward_is_linear_exact_sums_and_only_at_argmax},
      {"repeated_runs_are_bitwise_identical",
       "y, argmax and dx are bitwise identical from run to run (or between two instances)",
       repeated_runs_are_bitwise_identical},
      {"equals_reference_bitwise",
       "y, argmax in every index format and dx equal the reference's bit for bit",
       equals_reference_bitwise},
  }};
  return kAll;
}

}  // namespace poolcheck::properties
