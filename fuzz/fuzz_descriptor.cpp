// Descriptor text from the bytes: parse_descriptor either rejects it with a
// ProblemError or returns a problem whose canonical text parses back to the
// same problem, and whose canonical text is a fixed point.
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "poolcheck/descriptor.hpp"
#include "poolcheck/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace poolcheck;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  Problem p;
  try {
    p = parse_descriptor(text);
  } catch (const ProblemError&) {
    return 0;  // rejected: the only acceptable failure
  }
  // Accepted: the problem must be valid and print; any throw here is a bug.
  const std::string canonical = to_descriptor(p);
  const Problem back = parse_descriptor(canonical);
  if (!(back == p) || to_descriptor(back) != canonical) {
    std::fprintf(stderr, "FINDING: descriptor round trip\n  input: %.*s\n  canonical: %s\n",
                 static_cast<int>(size), reinterpret_cast<const char*>(data), canonical.c_str());
    __builtin_trap();
  }
  return 0;
}
