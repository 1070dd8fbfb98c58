// `poolcheck verify`: checks an implementation's results, computed in any
// language from a `poolcheck vectors` suite, bit for bit against the suite.
#pragma once

#include <CLI/CLI.hpp>

namespace poolcheck::cli {

// Adds the `verify` subcommand to `app`; it runs when parsed.
void add_verify_command(CLI::App& app);

}  // namespace poolcheck::cli
