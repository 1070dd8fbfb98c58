// Probes: a small fixed set of problems, one per convention on which max
// pooling implementations disagree (NaN, ties, ±0, padding contents, index
// format, ceil-mode sizes, kernels larger than the input, windows entirely in
// padding). `poolcheck probe` runs them through one implementation under one
// profile, next to the reference under that profile, and writes what each
// returns as JSON; scripts/conformance.sh tabulates them side by side
// (docs/conformance.md).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "poolcheck/conformance/subject.hpp"

namespace poolcheck::conformance {

struct Probe {
  std::string name;                 // "nan_first"
  std::string description;          // what it shows
  std::vector<std::int64_t> input;  // spatial sizes (batch 1, channel 1)
  std::vector<float> x;             // row-major
  std::vector<std::int64_t> kernel, stride, dilation, pad_begin, pad_end;
  bool ceil_mode = false;
};

const std::vector<Probe>& probes();

// Every probe through `subject` under its profile. Per probe: the descriptor
// (or why the profile cannot pose it), the input, the implementation's y and
// argmax (or its refusal or failure), and the reference's.
nlohmann::ordered_json run_probes(const Subject& subject);

}  // namespace poolcheck::conformance
