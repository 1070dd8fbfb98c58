#include "probe_command.hpp"

#include <iostream>
#include <memory>
#include <string>

#include "poolcheck/conformance/report.hpp"
#include "poolcheck/conformance/subject.hpp"
#include "probes.hpp"

namespace poolcheck::cli {
namespace {

namespace conf = poolcheck::conformance;

struct ProbeOptions {
  std::string impl;
  std::string profile;
  bool compare = false;
  std::string out;
  int timeout_ms = 2000;
};

void probe(const ProbeOptions& o) {
  const std::unique_ptr<conf::Subject> subject =
      conf::Subject::open(o.impl, o.profile, std::chrono::milliseconds(o.timeout_ms), o.compare);
  const std::string text = conf::run_probes(*subject).dump(2) + "\n";
  if (o.out.empty())
    std::cout << text;
  else
    conf::write_file(o.out, text, "--out");
}

}  // namespace

void add_probe_command(CLI::App& app) {
  auto o = std::make_shared<ProbeOptions>();
  CLI::App* cmd = app.add_subcommand(
      "probe",
      "Run the fixed probe problems (NaN, ties, ±0, padding, ceil mode, kernels over the input, "
      "all-padding windows) through an implementation and the reference; JSON out");
  cmd->add_option("--impl", o->impl, "builtin:fast, builtin:reference, or a plug-in .so path")
      ->required();
  cmd->add_option("--profile", o->profile,
                  "Profile to pose the probes under (default: the plug-in's claim; numpynet for "
                  "built-ins)");
  cmd->add_flag("--compare", o->compare,
                "Allow --profile other than a plug-in's claim (as `run --compare`)");
  cmd->add_option("--out", o->out, "Write the JSON here (default: standard output)");
  cmd->add_option("--timeout-ms", o->timeout_ms, "Per-call limit for a plug-in (isolated)")
      ->capture_default_str();
  cmd->callback([o] { probe(*o); });
}

}  // namespace poolcheck::cli
