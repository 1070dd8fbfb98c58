// `poolcheck run`: a conformance campaign against one implementation.
#pragma once

#include <CLI/CLI.hpp>

namespace poolcheck::cli {

void add_run_command(CLI::App& app);

}  // namespace poolcheck::cli
