// poolcheck: the max-pooling oracle on the command line.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>

#include "poolcheck/error.hpp"
#include "poolcheck/npy.hpp"
#include "ref_command.hpp"
#ifdef POOLCHECK_HAVE_RUN
#include "probe_command.hpp"
#include "run_command.hpp"
#endif
#include "vectors_command.hpp"
#include "verify_command.hpp"

int main(int argc, char** argv) {
  CLI::App app{"poolcheck: the max-pooling oracle"};
  app.require_subcommand(1);
  poolcheck::cli::add_ref_command(app);
  poolcheck::cli::add_vectors_command(app);
  poolcheck::cli::add_verify_command(app);
#ifdef POOLCHECK_HAVE_RUN
  poolcheck::cli::add_run_command(app);
  poolcheck::cli::add_probe_command(app);
#endif
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    // One line, like every other error, so scripts can report it as is.
    std::fprintf(stderr, "poolcheck: error: %s (see --help)\n", e.what());
    return e.get_exit_code() != 0 ? e.get_exit_code() : 2;
  } catch (const poolcheck::ProblemError& e) {
    // One line naming the parameter and its value, and a non-zero exit.
    std::fprintf(stderr, "poolcheck: error: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "poolcheck: error: %s\n", e.what());
    return 2;
  }
  return 0;
}
