// The campaign engine's unit: a named check, run against one implementation
// under one profile, giving a verdict with its counterexamples.
//
// A campaign is a list of checks (a Registry). Each check receives the same
// CheckContext (implementation under test, the reference, the profile, seed,
// case budget, deadline and shard) and decides for itself what a "case" is:
// a random problem (crosscheck.*, gradcheck), one named regression
// (regression.*), or a RapidCheck property (property.hpp).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "poolcheck/implementation.hpp"
#include "poolcheck/profiles.hpp"

namespace poolcheck::conformance {

class Subject;

enum class Status { pass, fail, skip };
const char* status_word(Status status) noexcept;  // "PASS", "FAIL", "SKIP"

// One nonconformance, as small as shrinking made it.
struct Failure {
  std::string descriptor;  // the problem: paste into `poolcheck ref --desc`
  std::string what;        // "y", "argmax", "dx (argmax from forward)", "call", ...
  std::string element;     // first differing element, "(n=0, pos=[1,2], c=0)"; may be empty
  std::string expected;
  std::string actual;
  std::string details;  // the counterexample: tensors and every difference, multi-line
};

struct CheckResult {
  Status status = Status::pass;
  std::int64_t cases = 0;    // cases compared
  std::int64_t refused = 0;  // PC_UNSUPPORTED or outside the claim: skipped, not failed
  std::string note;          // why it was skipped, or what limited it
  std::vector<Failure> failures;
  std::chrono::duration<double> elapsed{};
};

// Machine `index` of `count` (0-based) in a campaign split across machines.
struct Shard {
  int index = 0;
  int count = 1;
};

struct CheckContext {
  const Subject& subject;
  const Implementation& reference;
  const Profile& profile;
  std::uint64_t seed = 1;  // the campaign's
  int cases = 100;         // random cases per check, over all shards
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  Shard shard;
  std::string check;  // the name of the check being run

  // The seed of this check on this shard: a hash of seed, check name and
  // shard index, so shards draw different cases and checks do not correlate.
  std::uint64_t check_seed() const noexcept;
  // This shard's part of `cases` (the first `cases % count` shards take one more).
  int shard_cases() const noexcept;
  bool out_of_time() const noexcept { return std::chrono::steady_clock::now() >= deadline; }
};

// std::function rather than a plain function pointer, so that one body can
// serve a family of checks (one regression.<name> per case) by capture.
using CheckFunction = std::function<CheckResult(const CheckContext&)>;

struct Check {
  std::string name;  // "crosscheck.forward", "regression.pytorch57178_ceil_in32_k1_s2"
  std::string description;
  CheckFunction run;
};

class Registry {
 public:
  void add(Check check);  // throws std::invalid_argument for a duplicate name
  const std::vector<Check>& checks() const noexcept { return checks_; }

 private:
  std::vector<Check> checks_;
};

}  // namespace poolcheck::conformance
