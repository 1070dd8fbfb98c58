// Writing an argmax in a profile's index format, and reading it back.
//
// Implementations select a kernel tap; this file is the one definition of how
// that tap becomes the int64 a system reports (window-local, per plane, flat
// over the tensor, NHWC-flat, ...) and of how such an int64 is mapped back to
// the input element that receives the gradient.
#pragma once

#include <cstdint>
#include <optional>

#include "poolcheck/conventions.hpp"
#include "poolcheck/problem.hpp"

namespace poolcheck {

inline constexpr std::int64_t kNoArgmax = -1;

// Which input cell a tap reads: its position if inside, the clamped position
// under PadCells::border, nothing for other pad cells.
std::optional<Dims> tap_source(const Geometry& g, PadCells pad, const Dims& out_pos,
                               const Dims& tap);

// The argmax `tap` (row-major window-local number, or kNoArgmax) of the window
// at (n, c, out_pos) in `format`. Flat formats cannot name a pad cell that
// reads no input; such a tap is written as kNoArgmax.
std::int64_t encode_argmax(const Geometry& g, const Conventions& conventions, std::int64_t n,
                           std::int64_t c, const Dims& out_pos, std::int64_t tap);

// The input memory offset that an argmax `index` in the profile's format names
// for the window at (n, c, out_pos); nothing for kNoArgmax or a pad cell.
// Throws ProblemError("argmax", index, ...) for an index that is out of range
// or names another (n, c) plane.
std::optional<std::int64_t> decode_argmax(const Geometry& g, const Conventions& conventions,
                                          std::int64_t n, std::int64_t c, const Dims& out_pos,
                                          std::int64_t index);

}  // namespace poolcheck
