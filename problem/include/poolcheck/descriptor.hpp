// The canonical one-line text of a problem, in the spirit of oneDNN benchdnn's
// `mb2ic16_ih10oh5kh3sh2ph1`: printed by every failure message and pasted back
// to rerun a case.
//
//   numpynet:f32:nhwc:mb5ic3_ih100iw100_oh49ow49_kh3kw3_sh2sw2
//   pytorch,nan=ignore:f64:nchw:mb2ic16_ih10iw10_oh5ow5_kh3kw3_sh2sw2_pbh1pbw1_peh1pew1_ceil
//
// Fields, separated by ':' : profile (with ",key=value" convention overrides),
// dtype, layout, shape. Shape tokens, separated by '_': mb (batch), ic
// (channels), i/o/k/s/dd.. (input, output, kernel, stride, dilation per axis
// d, h, w), pb/pe (begin/end pad per axis), and the words valid, same,
// samelower, ceil. Stride defaults to the kernel, dilation to 1; `ph1` is
// short for `pbh1peh1`; output sizes are optional on input and, when given,
// must match.
#pragma once

#include <string>
#include <string_view>

#include "poolcheck/problem.hpp"

namespace poolcheck {

// The canonical descriptor. Valid problems only (it prints output sizes).
std::string to_descriptor(const Problem& problem);

// Parses a descriptor; throws ProblemError naming the field and its text.
// parse_descriptor(to_descriptor(p)) == p for every valid p (stride and
// dilation come back explicit).
Problem parse_descriptor(std::string_view text);

}  // namespace poolcheck
