// `poolcheck vectors`: a suite of golden vectors (.npy files and a JSON
// manifest) for testing an implementation in any language.
#pragma once

#include <CLI/CLI.hpp>

namespace poolcheck::cli {

// Adds the `vectors` subcommand to `app`; it runs when parsed.
void add_vectors_command(CLI::App& app);

}  // namespace poolcheck::cli
