// One name for every implementation poolcheck can test: a built-in or a
// plug-in path, so that every command and library takes the same specs.
#pragma once

#include <memory>
#include <string_view>

#include "poolcheck/implementation.hpp"

namespace poolcheck {

// "builtin:reference" -> the reference; "builtin:fast" -> fast/ (auto target);
// any other text -> plugin::load(text), in this process. Throws
// std::runtime_error naming the spec (unknown builtin, fast/ not built, or a
// load error naming the path).
std::unique_ptr<Implementation> resolve_implementation(std::string_view spec);

}  // namespace poolcheck
