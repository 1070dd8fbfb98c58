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
  // The canonical text leaves out what equals its default (dilation 1, zero
  // pads, pads under valid/same) and spells out the stride, so `back` is the
  // same problem with other spellings: the same resolved geometry and the
  // same everything else. Printed again, it must give the same text.
  const bool same = back.profile().name == p.profile().name &&
                    back.conventions() == p.conventions() && back.dtype() == p.dtype() &&
                    back.layout() == p.layout() && back.padding() == p.padding() &&
                    back.ceil_mode() == p.ceil_mode() && back.geometry() == p.geometry();
  if (!same || !(parse_descriptor(to_descriptor(back)) == back) ||
      to_descriptor(back) != canonical) {
    std::fprintf(stderr, "FINDING: descriptor round trip\n  input: %.*s\n  canonical: %s\n",
                 static_cast<int>(size), reinterpret_cast<const char*>(data), canonical.c_str());
    __builtin_trap();
  }
  return 0;
}
