// Named profiles: the conventions and parameter rules of one real system.
#pragma once

#include <span>
#include <string_view>

#include "poolcheck/conventions.hpp"

namespace poolcheck {

// Which parameters a system accepts. A problem outside them is rejected with a
// ProblemError naming the parameter, because its answer would be ours, not the
// system's.
struct ProfileRules {
  bool explicit_padding = true;
  bool asymmetric_padding = true;  // begin != end on some axis
  bool valid_padding = true;
  bool same_upper_padding = true;
  bool same_lower_padding = true;
  bool ceil_mode = true;
  bool dilation = true;
  // PyTorch: each explicit pad at most kernel / 2.
  bool pad_at_most_half_kernel = false;
};

struct Profile {
  std::string_view name;
  Conventions conventions;
  ProfileRules rules;
  // Where the conventions come from, and what the system leaves unspecified.
  std::string_view source;
  std::string_view unspecified;
};

// All profiles; the first is the default, `numpynet`.
std::span<const Profile> all_profiles() noexcept;
const Profile& default_profile() noexcept;
// Throws ProblemError("profile", name, ...) listing the known names.
const Profile& profile_by_name(std::string_view name);

}  // namespace poolcheck
