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

// Behaviours the system leaves unspecified, as data: checks of a FOREIGN
// implementation claiming the profile relax exactly these windows (fast/ and
// the reference still agree bitwise on them, since poolcheck defines them).
struct OpenBehaviour {
  // NanRule::unspecified (ONNX, TensorFlow, XNNPACK): a window holding a NaN
  // must output NaN or one of its values; its argmax and gradient are open.
  bool nan_windows = false;
  // PyTorch #114216: a window lying entirely in the padding is out of
  // contract; its output and argmax are open (it has no input cell).
  bool padding_windows = false;
  // NumPyNet: np.nanmax's sign of a +-0 maximum follows numpy's reduction
  // order, so where +0 and -0 tie for the maximum only "a zero" is required.
  bool zero_sign = false;
};

struct Profile {
  std::string_view name;
  Conventions conventions;
  ProfileRules rules;
  // Where the conventions come from, and what the system leaves unspecified.
  std::string_view source;
  std::string_view unspecified;
  // The structured part of `unspecified`, except nan_windows, which follows
  // from the conventions (see open_behaviour in problem.hpp).
  OpenBehaviour open;
};

// All profiles; the first is the default, `numpynet`.
std::span<const Profile> all_profiles() noexcept;
const Profile& default_profile() noexcept;
// Throws ProblemError("profile", name, ...) listing the known names.
const Profile& profile_by_name(std::string_view name);

}  // namespace poolcheck
