#include "poolcheck/resolve_implementation.hpp"

#include <stdexcept>
#include <string>

#include "poolcheck/plugin_host.hpp"
#include "poolcheck/reference.hpp"
#if POOLCHECK_HAVE_FAST
#include "poolcheck/fast.hpp"
#endif

namespace poolcheck {

std::unique_ptr<Implementation> resolve_implementation(std::string_view spec) {
  constexpr std::string_view builtin = "builtin:";
  if (!spec.starts_with(builtin)) return plugin::load(std::string(spec));
  const std::string_view which = spec.substr(builtin.size());
  if (which == "reference") return reference::make_implementation();
  if (which == "fast") {
#if POOLCHECK_HAVE_FAST
    return fast::make_implementation();
#else
    throw std::runtime_error("implementation builtin:fast: fast/ is not part of this build");
#endif
  }
  throw std::runtime_error("implementation " + std::string(spec) +
                           ": unknown built-in; expected builtin:reference or builtin:fast");
}

}  // namespace poolcheck
