// fast/: the optimised max pooling, bit-identical to the reference.
//
// Same semantics as reference.hpp for every problem the reference accepts;
// it never calls the reference. SIMD goes through runtime dispatch; every
// target gives the same bits.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "poolcheck/implementation.hpp"

namespace poolcheck::fast {

struct Options {
  // A dispatch target from available_targets(), or "auto" for the best one
  // this CPU runs. "portable" (no SIMD assumptions) is always available.
  std::string target = "auto";
  // Worker threads; 0 picks by problem size (1 for problems too small to gain).
  int threads = 0;
};

// Targets this CPU can run, best first, always ending with "portable".
std::vector<std::string> available_targets();

// fast/ behind the common interface ("builtin:fast"). Throws ProblemError
// ("target", name, ...) for an unknown or unavailable target.
std::unique_ptr<Implementation> make_implementation(const Options& options = {});

}  // namespace poolcheck::fast
