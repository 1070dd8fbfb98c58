// A campaign: every check of a registry against one implementation, with the
// console lines, the JSON report and the JUnit XML of the result.
#pragma once

#include <chrono>
#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "poolcheck/conformance/check.hpp"
#include "poolcheck/conformance/subject.hpp"

namespace poolcheck::conformance {

struct CampaignOptions {
  std::string tool_version;
  std::uint64_t seed = 1;
  int cases = 100;  // per random check, all shards together
  std::optional<std::chrono::duration<double>> time_budget;  // whole campaign
  Shard shard;
  std::vector<std::string> only;  // name prefixes to run (empty: all)
  std::vector<std::string> skip;  // name prefixes not to run (reported as SKIP)
};

struct CheckRecord {
  std::string name;
  std::string description;
  CheckResult result;
};

struct CampaignResult {
  CampaignOptions options;
  std::string implementation;  // the --impl spec
  plugin::Claim claim;
  std::string profile;
  // Comparison mode (Subject::comparison): the plug-in ran under `profile`,
  // not its claim.profile, and each failure is a convention difference.
  bool comparison = false;
  std::vector<std::string> unspecified;  // what the profile leaves open, and how it is checked
  std::vector<CheckRecord> checks;
  std::chrono::duration<double> elapsed{};

  int count(Status status) const noexcept;
};

// Runs the checks in order, printing one line per check (and each failure's
// counterexample) to `console` as it finishes. A check that throws fails with
// the exception's text; the campaign goes on.
CampaignResult run_campaign(const Subject& subject, const Registry& registry,
                            const CampaignOptions& options, std::ostream& console);

// "PASS crosscheck.forward: 100 cases (3 refused) in 0.41 s"; in comparison
// mode a failing check is "DIFF" (a convention difference, not a bug).
std::string check_line(const CheckRecord& record, bool comparison = false);
// status_word, with "DIFF" for a failure in comparison mode.
const char* verdict_word(Status status, bool comparison) noexcept;
// "N passed, M failed, K skipped"
std::string summary_line(const CampaignResult& result);

}  // namespace poolcheck::conformance
