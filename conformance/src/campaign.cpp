#include "poolcheck/conformance/campaign.hpp"

#include <algorithm>
#include <cstdio>
#include <exception>
#include <ostream>

#include "poolcheck/conformance/case_runner.hpp"
#include "poolcheck/reference.hpp"
#include "vector_suite.hpp"

namespace poolcheck::conformance {
namespace {

bool matches(const std::vector<std::string>& prefixes, const std::string& name) {
  return std::any_of(prefixes.begin(), prefixes.end(),
                     [&](const std::string& p) { return name.starts_with(p); });
}

// What the profile leaves unspecified, in its own words, then each relaxation
// the comparison applies for it.
std::vector<std::string> unspecified(const Profile& profile) {
  std::vector<std::string> lines;
  if (!profile.unspecified.empty()) lines.emplace_back(profile.unspecified);
  for (std::string& line : vectors::describe(vectors::open_rules(Problem().profile(profile.name))))
    lines.push_back("not checked: " + std::move(line));
  return lines;
}

}  // namespace

int CampaignResult::count(Status status) const noexcept {
  return static_cast<int>(std::count_if(checks.begin(), checks.end(), [&](const CheckRecord& r) {
    return r.result.status == status;
  }));
}

const char* verdict_word(Status status, bool comparison) noexcept {
  return comparison && status == Status::fail ? "DIFF" : status_word(status);
}

std::string check_line(const CheckRecord& r, bool comparison) {
  const CheckResult& c = r.result;
  char seconds[32];
  std::snprintf(seconds, sizeof seconds, "%.2f", c.elapsed.count());
  std::string line = std::string(verdict_word(c.status, comparison)) + " " + r.name + ": " +
                     std::to_string(c.cases) + " case(s)";
  if (c.refused) line += ", " + std::to_string(c.refused) + " refused";
  if (!c.failures.empty()) line += ", " + std::to_string(c.failures.size()) + " failed";
  line += " in " + std::string(seconds) + " s";
  if (!c.note.empty()) line += " (" + c.note + ")";
  return line;
}

std::string summary_line(const CampaignResult& r) {
  return std::to_string(r.count(Status::pass)) + " passed, " +
         std::to_string(r.count(Status::fail)) + (r.comparison ? " differ, " : " failed, ") +
         std::to_string(r.count(Status::skip)) + " skipped";
}

CampaignResult run_campaign(const Subject& subject, const Registry& registry,
                            const CampaignOptions& options, std::ostream& console) {
  using Clock = std::chrono::steady_clock;
  const Clock::time_point start = Clock::now();
  const std::unique_ptr<Implementation> reference = reference::make_implementation();
  CampaignResult result;
  result.options = options;
  result.implementation = subject.spec();
  result.claim = subject.claim();
  result.profile = std::string(subject.profile().name);
  result.comparison = subject.comparison();
  result.unspecified = unspecified(subject.profile());

  const Clock::time_point deadline =
      options.time_budget
          ? start + std::chrono::duration_cast<Clock::duration>(*options.time_budget)
          : Clock::time_point::max();
  CheckContext context{subject,       *reference, subject.profile(), options.seed,
                       options.cases, deadline,   options.shard,     ""};

  console << "poolcheck run: " << subject.spec() << " (" << subject.name() << "), profile "
          << result.profile << ", seed " << options.seed << ", shard " << options.shard.index << "/"
          << options.shard.count << "\n";
  if (result.comparison)
    console << "comparison mode: the plug-in claims profile " << result.claim.profile
            << "; each DIFF below is a convention difference between " << result.claim.profile
            << " and " << result.profile << ", not a defect of the library\n";
  for (const Check& check : registry.checks()) {
    if (!options.only.empty() && !matches(options.only, check.name)) continue;
    context.check = check.name;
    CheckRecord record{check.name, check.description, {}};
    const Clock::time_point t0 = Clock::now();
    try {
      if (matches(options.skip, check.name))
        record.result = {Status::skip, 0, 0, "skipped: --skip-check", {}, {}};
      else
        record.result = check.run(context);
    } catch (const std::exception& e) {
      // A bug in a check, or in the oracle: this check fails, the campaign goes on.
      record.result.status = Status::fail;
      record.result.failures.push_back({"", "check", "", "the check to run", e.what(),
                                        std::string("the check threw: ") + e.what()});
    }
    record.result.elapsed = Clock::now() - t0;
    console << check_line(record, result.comparison) << "\n";
    for (const Failure& f : record.result.failures) console << to_text(f);
    console.flush();
    result.checks.push_back(std::move(record));
  }
  result.elapsed = Clock::now() - start;
  console << summary_line(result) << "\n";
  return result;
}

}  // namespace poolcheck::conformance
