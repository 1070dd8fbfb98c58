// The implementations the definition properties are tested on here: the
// reference, and fast/ at one and two threads when the executable has it.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "poolcheck/implementation.hpp"
#include "poolcheck/properties.hpp"

namespace poolcheck::proptest {

struct NamedImplementation {
  std::string name;
  std::shared_ptr<const Implementation> impl;
  // What repeated_runs_are_bitwise_identical compares it with: the reference
  // itself, fast/ at the other thread count.
  std::shared_ptr<const Implementation> second;
};
std::vector<NamedImplementation> implementations_under_test();

// Runs `property` on each of them in turn (each draws its own problem),
// logging the name so that a counterexample says which one failed.
void check_each_implementation(properties::PropertyFunction property);

}  // namespace poolcheck::proptest
