#include "implementations_under_test.hpp"

#include <rapidcheck.h>

#include "poolcheck/reference.hpp"
#ifdef POOLCHECK_PROPTEST_HAVE_FAST
#include "poolcheck/fast.hpp"
#endif

namespace poolcheck::proptest {

std::vector<NamedImplementation> implementations_under_test() {
  std::vector<NamedImplementation> all;
  std::shared_ptr<const Implementation> reference = reference::make_implementation();
  all.push_back({"reference", reference, reference});
#ifdef POOLCHECK_PROPTEST_HAVE_FAST
  std::shared_ptr<const Implementation> one =
      fast::make_implementation({.target = "auto", .threads = 1});
  std::shared_ptr<const Implementation> two =
      fast::make_implementation({.target = "auto", .threads = 2});
  all.push_back({"fast(threads=1)", one, two});
  all.push_back({"fast(threads=2)", two, one});
#endif
  return all;
}

void check_each_implementation(properties::PropertyFunction property) {
  for (const NamedImplementation& under_test : implementations_under_test()) {
    RC_LOG() << "implementation under test: " << under_test.name << "\n";
    property(*under_test.impl, {.second = under_test.second.get()});
  }
}

}  // namespace poolcheck::proptest
