#include "poolcheck/conformance/subject.hpp"

#include <algorithm>
#include <stdexcept>

#include "poolcheck/error.hpp"
#include "poolcheck/isolated.hpp"
#include "poolcheck/resolve_implementation.hpp"

namespace poolcheck::conformance {

Subject::~Subject() = default;

std::unique_ptr<Subject> Subject::open(const std::string& spec, const std::string& profile,
                                       std::chrono::milliseconds timeout) {
  std::unique_ptr<Subject> s(new Subject);
  s->spec_ = spec;
  if (spec.starts_with("builtin:")) {
    try {
      s->impl_ = resolve_implementation(spec);
    } catch (const std::runtime_error& e) {
      throw ProblemError("--impl", spec, e.what());
    }
    s->profile_ = profile.empty() ? &default_profile() : &profile_by_name(profile);
    // A built-in implements every convention, so it claims everything.
    s->claim_ = {.name = s->impl_->name(),
                 .profile = std::string(s->profile_->name),
                 .dtypes = {std::begin(kAllDTypes), std::end(kAllDTypes)},
                 .layouts = {Layout::channels_last, Layout::channels_first},
                 .ranks = {1, 2, 3},
                 .argmax = true,
                 .backward = true,
                 .backward_from_x = true};
    return s;
  }
  std::unique_ptr<plugin::IsolatedPlugin> isolated;
  try {
    isolated = plugin::IsolatedPlugin::open(spec, {.timeout = timeout});
  } catch (const std::runtime_error& e) {
    throw ProblemError("--impl", spec, e.what());
  }
  s->claim_ = isolated->claim();
  s->profile_ = &profile_by_name(s->claim_.profile);
  if (!profile.empty() && profile != s->claim_.profile)
    throw ProblemError(
        "--profile", profile,
        "the plug-in claims profile " + s->claim_.profile + " and is only tested within its claim");
  s->isolated_ = isolated.get();
  s->impl_ = std::move(isolated);
  return s;
}

bool Subject::fit(Problem& problem, std::string* why) const {
  const std::vector<Layout>& layouts = claim_.layouts;
  if (!layouts.empty() &&
      std::find(layouts.begin(), layouts.end(), problem.layout()) == layouts.end())
    problem.layout(layouts.front());
  if (isolated_) return isolated_->covers(problem, why);
  const auto in = [](const auto& list, const auto& v) {
    return std::find(list.begin(), list.end(), v) != list.end();
  };
  if (problem.profile().name != profile_->name || !in(claim_.dtypes, problem.dtype()) ||
      !in(claim_.ranks, problem.rank())) {
    if (why) *why = "profile, dtype or rank outside the claim";
    return false;
  }
  return true;
}

}  // namespace poolcheck::conformance
