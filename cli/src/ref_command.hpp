// `poolcheck ref`: the oracle's answer for a user's own data, as .npy files.
#pragma once

#include <CLI/CLI.hpp>

namespace poolcheck::cli {

// Adds the `ref` subcommand to `app`; it runs when parsed.
void add_ref_command(CLI::App& app);

}  // namespace poolcheck::cli
