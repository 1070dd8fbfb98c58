// The built-in implementations the command line can name.
#pragma once

#include <memory>
#include <string>

#include "poolcheck/implementation.hpp"

namespace poolcheck::cli {

// "reference" / "builtin:reference" or "fast" / "builtin:fast" (optionally
// "fast:TARGET"); throws ProblemError("--impl", name, ...) otherwise.
std::unique_ptr<Implementation> builtin_implementation(const std::string& name);

}  // namespace poolcheck::cli
