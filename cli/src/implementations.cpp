#include "implementations.hpp"

#include "poolcheck/error.hpp"
#include "poolcheck/fast.hpp"
#include "poolcheck/reference.hpp"

namespace poolcheck::cli {

std::unique_ptr<Implementation> builtin_implementation(const std::string& name) {
  const std::string bare = name.starts_with("builtin:") ? name.substr(8) : name;
  if (bare == "reference") return reference::make_implementation();
  if (bare == "fast") return fast::make_implementation();
  if (bare.starts_with("fast:")) return fast::make_implementation({.target = bare.substr(5)});
  throw ProblemError("--impl", name, "expected reference, fast or fast:TARGET");
}

}  // namespace poolcheck::cli
