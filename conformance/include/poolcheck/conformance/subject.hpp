// The implementation under test, with what it claims.
//
// Built-ins (builtin:fast, builtin:reference) run in this process and claim
// every dtype, layout and rank of the chosen profile. A plug-in path is opened
// through the isolated host: each call runs in a child process, so a crash, a
// hang or a write outside a buffer becomes a failing case and the campaign
// goes on.
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
  // plug-in's claim.
  static std::unique_ptr<Subject> open(const std::string& spec, const std::string& profile,
                                       std::chrono::milliseconds timeout);
  ~Subject();

  const std::string& spec() const noexcept { return spec_; }
  const std::string& name() const noexcept { return claim_.name; }
  const plugin::Claim& claim() const noexcept { return claim_; }
  const Profile& profile() const noexcept { return *profile_; }
  bool isolated() const noexcept { return isolated_ != nullptr; }
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
  const plugin::IsolatedPlugin* isolated_ = nullptr;  // impl_, when isolated
};

}  // namespace poolcheck::conformance
