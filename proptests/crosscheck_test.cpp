// fast/ against the reference, bit for bit (properties::equals_reference_bitwise):
// every dispatch target, each at one thread and, as the second implementation,
// two threads on the same draw.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "poolcheck/fast.hpp"
#include "poolcheck/properties.hpp"

namespace poolcheck {
namespace {

RC_GTEST_PROP(CrossCheck, FastEqualsReferenceBitwise, ()) {
  for (const std::string& target : fast::available_targets()) {
    const auto one = fast::make_implementation({.target = target, .threads = 1});
    const auto two = fast::make_implementation({.target = target, .threads = 2});
    RC_LOG() << "implementation under test: fast(" << target << ", threads=1), second: threads=2\n";
    properties::equals_reference_bitwise(*one, {.second = two.get()});
  }
}

}  // namespace
}  // namespace poolcheck
