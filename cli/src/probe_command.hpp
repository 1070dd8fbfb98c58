// poolcheck probe: the fixed probe problems (conformance/probes) through one
// implementation under one profile, as JSON.
#pragma once

#include <CLI/CLI.hpp>

namespace poolcheck::cli {

void add_probe_command(CLI::App& app);

}  // namespace poolcheck::cli
