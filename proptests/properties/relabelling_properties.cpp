// Relabelling properties: moving (n, c) planes, changing the layout or
// copying a channel moves or copies the result and changes nothing else.
#include <cstring>
#include <functional>
#include <string>
#include <utility>

#include "poolcheck/properties.hpp"
#include "property_support.hpp"

namespace poolcheck::properties {
namespace {

// Relabels every (n, c) plane of a tensor: plane (n, c) goes to map(n, c).
Bytes move_planes(
    const Problem& p, const Geometry& g, const Bytes& t, bool output,
    const std::function<std::pair<std::int64_t, std::int64_t>(std::int64_t, std::int64_t)>& map) {
  const std::size_t size = dtype_size(p.dtype());
  Bytes r(t.size());
  const Dims& sizes = output ? g.out : g.in;
  for (std::int64_t n = 0; n < g.batch; ++n)
    for (std::int64_t c = 0; c < g.channels; ++c) {
      const auto [n2, c2] = map(n, c);
      Dims q{};
      for (q[0] = 0; q[0] < sizes[0]; ++q[0])
        for (q[1] = 0; q[1] < sizes[1]; ++q[1])
          for (q[2] = 0; q[2] < sizes[2]; ++q[2]) {
            const auto from = output ? g.output_offset(n, c, q) : g.input_offset(n, c, q);
            const auto to = output ? g.output_offset(n2, c2, q) : g.input_offset(n2, c2, q);
            std::memcpy(r.data() + to * size, t.data() + from * size, size);
          }
    }
  return r;
}

}  // namespace

void permuting_batch_and_channels_permutes_the_result(const Implementation& impl,
                                                      const PropertyOptions& options) {
  const auto drawn = narrow(options.problems, {});
  if (!drawn) return not_applicable("the claim names no problems");
  const Problem p = *gen::problem(*drawn);
  const Geometry g = p.geometry();
  const Bytes x = gen::to_dtype_bytes(p, *gen::values(p, g.input_elements()));
  const std::int64_t shift = *rc::gen::inRange<std::int64_t>(0, g.channels);
  const auto reverse = [&](std::int64_t n, std::int64_t c) {
    return std::pair{g.batch - 1 - n, (c + shift) % g.channels};
  };
  const Bytes y = proptest::run_forward(impl, p, x, options.argmax).y;
  const Bytes moved = move_planes(p, g, x, false, reverse);
  POOLCHECK_RC_ASSERT_SAME(proptest::bitwise_difference(
      p,
      impl.name() + ": pool(permuted x) vs permuted pool(x) (batch reversed, channels rotated by " +
          std::to_string(shift) + ")",
      moved, move_planes(p, g, y, true, reverse),
      proptest::run_forward(impl, p, moved, options.argmax).y));
}

void channels_last_and_channels_first_agree(const Implementation& impl,
                                            const PropertyOptions& options) {
  const auto drawn =
      narrow(options.problems, {.layouts = {Layout::channels_last, Layout::channels_first}});
  if (!drawn || drawn->layouts.size() < 2) return not_applicable("needs both layouts");
  Problem last = *gen::problem(*drawn);
  last.layout(Layout::channels_last);
  Problem first = last;
  first.layout(Layout::channels_first);
  const Geometry gl = last.geometry(), gf = first.geometry();
  const Bytes xl = gen::to_dtype_bytes(last, *gen::values(last, gl.input_elements()));
  const std::size_t size = dtype_size(last.dtype());
  const auto transpose = [&](const Bytes& t, bool output) {
    Bytes r(t.size());
    const Dims& s = output ? gl.out : gl.in;
    for (std::int64_t n = 0; n < gl.batch; ++n)
      for (std::int64_t c = 0; c < gl.channels; ++c)
        for (std::int64_t d = 0; d < s[0]; ++d)
          for (std::int64_t h = 0; h < s[1]; ++h)
            for (std::int64_t w = 0; w < s[2]; ++w) {
              const Dims q{d, h, w};
              const auto from = output ? gl.output_offset(n, c, q) : gl.input_offset(n, c, q);
              const auto to = output ? gf.output_offset(n, c, q) : gf.input_offset(n, c, q);
              std::memcpy(r.data() + to * size, t.data() + from * size, size);
            }
    return r;
  };
  const Bytes xf = transpose(xl, false);
  const Bytes yl = proptest::run_forward(impl, last, xl, options.argmax).y;
  const Bytes yf = proptest::run_forward(impl, first, xf, options.argmax).y;
  POOLCHECK_RC_ASSERT_SAME(proptest::bitwise_difference(
      first, impl.name() + ": NCHW pool vs transposed NHWC pool", xf, transpose(yl, true), yf));
}

// TensorFlow #125965: the CPU NaN handling depended on the channel count. A
// channel copied C times must give C identical results, whatever C is.
void replicated_channels_give_identical_results(const Implementation& impl,
                                                const PropertyOptions& options) {
  const auto drawn = narrow(options.problems, {.max_input_elements = 1024});
  if (!drawn) return not_applicable("the claim names no problems");
  Problem p = *gen::problem(*drawn);
  p.channels(1).batch(1);
  const std::int64_t plane = p.geometry().input_elements();
  const std::vector<double> one = *gen::values(p, plane);
  const std::int64_t channels =
      *rc::gen::element<std::int64_t>(2, 3, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65);
  Problem wide = p;
  wide.channels(channels);
  const Geometry gw = wide.geometry();
  std::vector<double> xv(static_cast<std::size_t>(gw.input_elements()));
  const Geometry g1 = p.geometry();
  for (std::int64_t c = 0; c < channels; ++c)
    for (std::int64_t i = 0; i < plane; ++i) {
      const Dims q = {i / (g1.in[1] * g1.in[2]), i / g1.in[2] % g1.in[1], i % g1.in[2]};
      xv[static_cast<std::size_t>(gw.input_offset(0, c, q))] =
          one[static_cast<std::size_t>(g1.input_offset(0, 0, q))];
    }
  const Bytes x1 = gen::to_dtype_bytes(p, one);
  const Bytes xw = gen::to_dtype_bytes(wide, xv);
  const Bytes y1 = proptest::run_forward(impl, p, x1, options.argmax).y;
  const Bytes yw = proptest::run_forward(impl, wide, xw, options.argmax).y;
  Bytes expected(yw.size());
  const std::size_t size = dtype_size(p.dtype());
  for_each_output(gw, [&](std::int64_t n, std::int64_t c, const Dims& o) {
    std::memcpy(expected.data() + gw.output_offset(n, c, o) * size,
                y1.data() + g1.output_offset(0, 0, o) * size, size);
  });
  POOLCHECK_RC_ASSERT_SAME(proptest::bitwise_difference(
      wide, impl.name() + ": channel replicated " + std::to_string(channels) + " times", xw,
      expected, yw));
}

}  // namespace poolcheck::properties
