// What `poolcheck vectors` writes and `poolcheck verify` reads: the suite's
// file layout, and which windows a profile leaves open.
//
// Both commands classify the windows of a case from its descriptor and x with
// the same function, so the generator's notes in the manifest and the checker's
// relaxations can never drift apart; verify never trusts the manifest for them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "poolcheck/npy.hpp"
#include "poolcheck/problem.hpp"

namespace poolcheck::vectors {

// The numpy shape of a tensor of the problem, input or output, in its layout.
std::vector<std::int64_t> tensor_shape(const Problem& problem, const Dims& spatial);

inline constexpr int kFormatVersion = 1;
inline constexpr std::string_view kFormatName = "poolcheck-vectors";
inline constexpr std::string_view kManifestName = "manifest.json";
// A result folder may hold one of these instead of outputs: the implementation
// cannot express the case, or it raised (the file's text says why).
inline constexpr std::string_view kSkippedName = "skipped.txt";
inline constexpr std::string_view kRaisedName = "raised.txt";

// What the profile's system leaves unspecified, as checks to relax: the
// profile's own data (poolcheck::OpenBehaviour), so the relaxations of
// `verify`, `run` and the property suite are one definition.
using OpenRules = OpenBehaviour;
OpenRules open_rules(const Problem& problem);
// One line per relaxation that applies, for the manifest and the report.
std::vector<std::string> describe(const OpenRules& rules);

enum class WindowRule : std::uint8_t { exact, nan_open, padding_open, zero_sign_open };

// Every window of one case, classified, in output memory order.
struct Windows {
  std::vector<WindowRule> rule;
  // Per input element: covered by a nan_open window, so its dx is not checked
  // (that window's gradient may land on any of its cells).
  std::vector<bool> dx_open;
  // Windows with no non-NaN value (NaN pad cells count as NaN): NumPyNet
  // raises on them; poolcheck outputs NaN with argmax -1.
  std::int64_t all_nan = 0;

  std::int64_t count(WindowRule r) const;
};

// `strict` classifies every window as exact.
Windows classify(const Problem& problem, const npy::Array& x, bool strict);

// NumPyNet's documented raise on all-NaN windows, or empty when the profile's
// system does not raise on this case.
std::string documented_raise(const Problem& problem, const Windows& windows);

}  // namespace poolcheck::vectors
