#include "run_command.hpp"

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>

#include "poolcheck/conformance/campaign.hpp"
#include "poolcheck/conformance/checks.hpp"
#include "poolcheck/conformance/report.hpp"
#include "poolcheck/conformance/subject.hpp"
#include "poolcheck/error.hpp"

namespace poolcheck::cli {
namespace {

namespace conf = poolcheck::conformance;

struct RunOptions {
  std::string impl;
  std::string profile;
  bool compare = false;
  std::uint64_t seed = 1;
  int cases = 100;
  double time_budget = 0;  // seconds; 0 = none
  std::string report;
  std::string junit;
  std::string shard = "0/1";
  int timeout_ms = 2000;
  std::vector<std::string> checks;
  std::vector<std::string> skip_checks;
};

// "I/N" with 0 <= I < N.
conf::Shard parse_shard(const std::string& text) {
  const std::size_t slash = text.find('/');
  conf::Shard s;
  const auto number = [](std::string_view part, int& out) {
    const auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), out);
    return ec == std::errc() && end == part.data() + part.size() && !part.empty();
  };
  if (slash == std::string::npos || !number(std::string_view(text).substr(0, slash), s.index) ||
      !number(std::string_view(text).substr(slash + 1), s.count) || s.count < 1 || s.index < 0 ||
      s.index >= s.count)
    throw ProblemError("--shard", text, "expected I/N with 0 <= I < N, e.g. 0/4");
  return s;
}

void run(const RunOptions& o) {
  if (o.cases < 1) throw ProblemError("--cases", std::to_string(o.cases), "must be at least 1");
  if (o.time_budget < 0)
    throw ProblemError("--time-budget", std::to_string(o.time_budget), "must not be negative");
  if (o.timeout_ms < 1)
    throw ProblemError("--timeout-ms", std::to_string(o.timeout_ms), "must be at least 1");
  conf::CampaignOptions options;
  options.tool_version = POOLCHECK_VERSION;
  options.seed = o.seed;
  options.cases = o.cases;
  options.shard = parse_shard(o.shard);
  options.only = o.checks;
  options.skip = o.skip_checks;
  if (o.time_budget > 0) options.time_budget = std::chrono::duration<double>(o.time_budget);

  const std::unique_ptr<conf::Subject> subject =
      conf::Subject::open(o.impl, o.profile, std::chrono::milliseconds(o.timeout_ms), o.compare);
  const conf::Registry registry = conf::default_registry(*subject);
  const conf::CampaignResult result = conf::run_campaign(*subject, registry, options, std::cout);
  if (!o.report.empty())
    conf::write_file(o.report, conf::to_json(result).dump(2) + "\n", "--report");
  if (!o.junit.empty()) conf::write_file(o.junit, conf::to_junit(result), "--junit");
  // A nonconformance is a verdict: exit 1 (usage errors exit 2). In comparison
  // mode differences are the expected finding, not a verdict.
  if (!result.comparison && result.count(conf::Status::fail) > 0) {
    std::cout.flush();
    std::exit(1);
  }
}

}  // namespace

void add_run_command(CLI::App& app) {
  auto o = std::make_shared<RunOptions>();
  CLI::App* cmd = app.add_subcommand(
      "run", "Conformance campaign: check an implementation against the reference");
  cmd->add_option("--impl", o->impl, "builtin:fast, builtin:reference, or a plug-in .so path")
      ->required();
  cmd->add_option("--profile", o->profile,
                  "Profile to test (default: the plug-in's claim; numpynet for built-ins)");
  cmd->add_flag("--compare", o->compare,
                "Allow --profile other than a plug-in's claim, for comparison: problems are "
                "re-posed under the claim, argmax translated, and every difference is reported "
                "as a convention difference (DIFF, exit 0)");
  cmd->add_option("--seed", o->seed, "Campaign seed (same seed, same cases)")
      ->capture_default_str();
  cmd->add_option("--cases", o->cases, "Random cases per check, over all shards")
      ->capture_default_str();
  cmd->add_option("--time-budget", o->time_budget,
                  "Seconds for the whole campaign; random checks stop between batches (0: none)");
  cmd->add_option("--report", o->report, "Write the result as JSON to this file");
  cmd->add_option("--junit", o->junit, "Write the result as JUnit XML to this file");
  cmd->add_option("--shard", o->shard, "This machine's part I/N of the cases")
      ->capture_default_str();
  cmd->add_option("--timeout-ms", o->timeout_ms, "Per-call limit for a plug-in (isolated)")
      ->capture_default_str();
  cmd->add_option("--check", o->checks, "Run only checks whose name starts with this (repeatable)");
  cmd->add_option("--skip-check", o->skip_checks,
                  "Report checks whose name starts with this as skipped (repeatable)");
  cmd->callback([o] { run(*o); });
}

}  // namespace poolcheck::cli
