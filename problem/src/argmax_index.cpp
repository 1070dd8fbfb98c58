#include "poolcheck/argmax_index.hpp"

#include <string>

#include "poolcheck/error.hpp"

namespace poolcheck {
namespace {

std::int64_t plane_offset(const Geometry& g, const Dims& p) noexcept {
  return (p[0] * g.in[1] + p[1]) * g.in[2] + p[2];
}
std::int64_t plane_offset_col_major(const Geometry& g, const Dims& p) noexcept {
  return (p[2] * g.in[1] + p[1]) * g.in[0] + p[0];
}
Dims plane_position(const Geometry& g, std::int64_t offset) noexcept {
  return {offset / (g.in[1] * g.in[2]), (offset / g.in[2]) % g.in[1], offset % g.in[2]};
}
Dims plane_position_col_major(const Geometry& g, std::int64_t offset) noexcept {
  return {offset % g.in[0], (offset / g.in[0]) % g.in[1], offset / (g.in[0] * g.in[1])};
}

[[noreturn]] void bad_index(std::int64_t index, const std::string& why) {
  throw ProblemError("argmax", std::to_string(index), why);
}

void check_range(std::int64_t index, std::int64_t lo, std::int64_t hi, const char* what) {
  if (index < lo || index >= hi)
    bad_index(index, std::string("outside ") + what + " [" + std::to_string(lo) + ", " +
                         std::to_string(hi) + ")");
}

}  // namespace

std::optional<Dims> tap_source(const Geometry& g, PadCells pad, const Dims& out_pos,
                               const Dims& tap) {
  Dims p = g.tap_position(out_pos, tap);
  if (g.inside(p)) return p;
  if (pad != PadCells::border) return std::nullopt;
  for (int a = 0; a < kMaxRank; ++a) p[a] = p[a] < 0 ? 0 : (p[a] >= g.in[a] ? g.in[a] - 1 : p[a]);
  return p;
}

std::int64_t encode_argmax(const Geometry& g, const Conventions& conventions, std::int64_t n,
                           std::int64_t c, const Dims& out_pos, std::int64_t tap) {
  if (tap == kNoArgmax) return kNoArgmax;
  const Dims t = g.tap_from_index(tap);
  if (conventions.index == IndexFormat::window) return tap;
  if (conventions.index == IndexFormat::window_col_major)
    return (t[2] * g.kernel[1] + t[1]) * g.kernel[0] + t[0];
  const std::optional<Dims> p = tap_source(g, conventions.pad, out_pos, t);
  if (!p) return kNoArgmax;
  const std::int64_t plane = g.input_plane();
  switch (conventions.index) {
    case IndexFormat::plane:
      return plane_offset(g, *p);
    case IndexFormat::tensor:
      return (n * g.channels + c) * plane + plane_offset(g, *p);
    case IndexFormat::tensor_col_major:
      return (n * g.channels + c) * plane + plane_offset_col_major(g, *p);
    case IndexFormat::nhwc:
      return plane_offset(g, *p) * g.channels + c;
    case IndexFormat::nhwc_batch:
      return (n * plane + plane_offset(g, *p)) * g.channels + c;
    case IndexFormat::memory:
      return g.input_offset(n, c, *p);
    case IndexFormat::window:
    case IndexFormat::window_col_major:
      break;
  }
  return kNoArgmax;
}

std::optional<std::int64_t> decode_argmax(const Geometry& g, const Conventions& conventions,
                                          std::int64_t n, std::int64_t c, const Dims& out_pos,
                                          std::int64_t index) {
  if (index == kNoArgmax) return std::nullopt;
  const std::int64_t plane = g.input_plane();
  const std::int64_t first_of_plane = (n * g.channels + c) * plane;
  Dims p{};
  switch (conventions.index) {
    case IndexFormat::window:
    case IndexFormat::window_col_major: {
      check_range(index, 0, g.kernel_volume(), "the window");
      Dims t = g.tap_from_index(index);
      if (conventions.index == IndexFormat::window_col_major)
        t = {index % g.kernel[0], (index / g.kernel[0]) % g.kernel[1],
             index / (g.kernel[0] * g.kernel[1])};
      const std::optional<Dims> source = tap_source(g, conventions.pad, out_pos, t);
      if (!source) return std::nullopt;
      return g.input_offset(n, c, *source);
    }
    case IndexFormat::plane:
      check_range(index, 0, plane, "the input plane");
      p = plane_position(g, index);
      break;
    case IndexFormat::tensor:
      check_range(index, first_of_plane, first_of_plane + plane, "this window's (n, c) plane");
      p = plane_position(g, index - first_of_plane);
      break;
    case IndexFormat::tensor_col_major:
      check_range(index, first_of_plane, first_of_plane + plane, "this window's (n, c) plane");
      p = plane_position_col_major(g, index - first_of_plane);
      break;
    case IndexFormat::nhwc:
    case IndexFormat::nhwc_batch: {
      const std::int64_t base = conventions.index == IndexFormat::nhwc_batch ? n * plane : 0;
      check_range(index, base * g.channels, (base + plane) * g.channels, "this window's image");
      if (index % g.channels != c)
        bad_index(index, "names channel " + std::to_string(index % g.channels) + ", not " +
                             std::to_string(c));
      p = plane_position(g, index / g.channels - base);
      break;
    }
    case IndexFormat::memory: {
      check_range(index, 0, g.input_elements(), "the input");
      // Walk the strides from the outermost; the (n, c) found must be ours.
      std::int64_t rest = index;
      const bool last = g.layout == Layout::channels_last;
      const std::int64_t found_n = rest / g.in_batch_stride;
      rest %= g.in_batch_stride;
      std::int64_t found_c = 0;
      if (!last) {
        found_c = rest / g.in_channel_stride;
        rest %= g.in_channel_stride;
      }
      for (int a = 0; a < kMaxRank; ++a) {
        p[a] = rest / g.in_spatial_stride[a];
        rest %= g.in_spatial_stride[a];
      }
      if (last) found_c = rest;
      if (found_n != n || found_c != c)
        bad_index(index, "names (n, c) = (" + std::to_string(found_n) + ", " +
                             std::to_string(found_c) + "), not (" + std::to_string(n) + ", " +
                             std::to_string(c) + ")");
      break;
    }
  }
  return g.input_offset(n, c, p);
}

}  // namespace poolcheck
