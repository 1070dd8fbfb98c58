// The implementation under test, with what it claims.
//
// Built-ins (builtin:fast, builtin:reference) run in this process and claim
// every dtype, layout and rank of the chosen profile. A plug-in path is opened
// through the isolated host: each call runs in a child process, so a crash, a
// hang or a write outside a buffer becomes a failing case and the campaign
// goes on.
//
// Comparison mode (`poolcheck run --compare`): a plug-in is run under a
// profile other than the one it claims, to see how far its library's
// conventions are from that profile's. Each problem is drawn under the
// comparison profile, re-posed under the claimed profile with the same
// geometry (explicit pads, same output sizes) and handed to the plug-in; its
// argmax is translated from the claimed index format into the comparison
// profile's (the input cell or window tap it names, not its numbering). A
// problem the claimed profile cannot pose with that geometry is refused. Every
// difference found is then a convention difference between the two profiles,
// not a defect of the library, and the campaign reports it as such.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "poolcheck/implementation.hpp"
#include "poolcheck/plugin_host.hpp"
#include "poolcheck/profiles.hpp"

namespace poolcheck::plugin {
class IsolatedPlugin;
}

namespace poolcheck::conformance {

class Subject {
 public:
  // `profile` empty: the plug-in's claimed profile (numpynet for built-ins).
  // Throws ProblemError("--impl" / "--profile", value, why) for an unknown
  // built-in, a plug-in that does not load, or a profile other than the
  // plug-in's claim unless `for_comparison` (see above).
  static std::unique_ptr<Subject> open(const std::string& spec, const std::string& profile,
                                       std::chrono::milliseconds timeout,
                                       bool for_comparison = false);
  ~Subject();

  const std::string& spec() const noexcept { return spec_; }
  const std::string& name() const noexcept { return claim_.name; }
  const plugin::Claim& claim() const noexcept { return claim_; }
  const Profile& profile() const noexcept { return *profile_; }
  bool isolated() const noexcept { return isolated_ != nullptr; }
  // A plug-in run under a profile other than its claim (comparison mode).
  bool comparison() const noexcept { return comparison_; }
  const Implementation& implementation() const noexcept { return *impl_; }

  // Brings a generated problem into the claim where only its layout is off
  // (generators draw both layouts); false, with `why`, if it stays outside.
  bool fit(Problem& problem, std::string* why = nullptr) const;

 private:
  Subject() = default;
  std::string spec_;
  plugin::Claim claim_;
  const Profile* profile_ = nullptr;
  std::unique_ptr<Implementation> impl_;
  const plugin::IsolatedPlugin* isolated_ = nullptr;  // the plug-in, when isolated
  bool comparison_ = false;
};

}  // namespace poolcheck::conformance
