#include "vector_suite.hpp"

#include <algorithm>

#include "poolcheck/argmax_index.hpp"
#include "poolcheck/reference.hpp"
#include "poolcheck/scalar_traits.hpp"
#include "poolcheck/visit_dtype.hpp"

namespace poolcheck::vectors {
namespace {

template <class T>
bool is_zero(const T& v) {
  if constexpr (std::is_floating_point_v<T>) {
    return v == T{0};
  } else if constexpr (std::is_integral_v<T>) {
    return false;  // integers have one zero, so no sign to tie on
  } else {
    return (v.bits & 0x7fffu) == 0;  // float16 / bfloat16
  }
}

template <class T>
bool sign_bit(const T& v) {
  if constexpr (std::is_floating_point_v<T>) {
    return std::signbit(v);
  } else if constexpr (std::is_integral_v<T>) {
    return v < 0;
  } else {
    return (v.bits & 0x8000u) != 0;
  }
}

template <class T>
Windows classify_typed(const Problem& problem, std::span<const T> x, const OpenRules& rules) {
  using Traits = ScalarTraits<T>;
  const Geometry g = problem.geometry();
  const Conventions& cv = problem.conventions();
  Windows w;
  w.rule.assign(static_cast<std::size_t>(g.output_elements()), WindowRule::exact);
  w.dx_open.assign(static_cast<std::size_t>(g.input_elements()), false);
  for (std::int64_t n = 0; n < g.batch; ++n)
    for (std::int64_t c = 0; c < g.channels; ++c)
      reference::for_each_position(g.out, [&](const Dims& o) {
        bool any_source = false, any_nan = false, any_number = false;
        bool zero_signs[2] = {false, false};
        std::vector<std::int64_t> sources;
        reference::for_each_tap(g, cv.order, [&](const Dims& tap) {
          const std::optional<Dims> s = tap_source(g, cv.pad, o, tap);
          if (!s) {
            if (cv.pad == PadCells::nan) any_nan = true;  // a NaN pad cell
            return;
          }
          const std::int64_t at = g.input_offset(n, c, *s);
          sources.push_back(at);
          const T& v = x[static_cast<std::size_t>(at)];
          any_source = true;
          const bool nan = Traits::is_nan(v);
          any_nan = any_nan || nan;
          any_number = any_number || !nan;
          if (is_zero(v)) zero_signs[sign_bit(v) ? 1 : 0] = true;
        });
        if (!any_number && any_nan) ++w.all_nan;
        WindowRule rule = WindowRule::exact;
        if (rules.padding_windows && !any_source) {
          rule = WindowRule::padding_open;
        } else if (rules.nan_windows && any_nan) {
          rule = WindowRule::nan_open;
          for (const std::int64_t at : sources) w.dx_open[static_cast<std::size_t>(at)] = true;
        } else if (rules.zero_sign && zero_signs[0] && zero_signs[1] &&
                   is_zero(reference::choose<T>(g, cv, x, n, c, o).value)) {
          rule = WindowRule::zero_sign_open;
        }
        w.rule[static_cast<std::size_t>(g.output_offset(n, c, o))] = rule;
      });
  return w;
}

}  // namespace

std::vector<std::int64_t> tensor_shape(const Problem& problem, const Dims& spatial) {
  std::vector<std::int64_t> shape{problem.batch()};
  const bool last = problem.layout() == Layout::channels_last;
  if (!last) shape.push_back(problem.channels());
  for (int a = 0; a < problem.rank(); ++a)
    shape.push_back(spatial[Geometry::axis_of(problem.rank(), a)]);
  if (last) shape.push_back(problem.channels());
  return shape;
}

OpenRules open_rules(const Problem& problem) { return open_behaviour(problem); }

std::vector<std::string> describe(const OpenRules& rules) {
  std::vector<std::string> lines;
  if (rules.nan_windows)
    lines.emplace_back(
        "windows holding a NaN: y must be NaN or one of the window's values; argmax and the dx "
        "of the window's cells are not checked");
  if (rules.padding_windows)
    lines.emplace_back(
        "windows entirely in padding (PyTorch #114216): y and argmax are not checked; no "
        "gradient may flow from them");
  if (rules.zero_sign)
    lines.emplace_back(
        "windows where +0 and -0 tie for the maximum: y must be a zero of either sign (numpy's "
        "sign follows its reduction order); argmax (the first zero) and dx are checked");
  return lines;
}

std::int64_t Windows::count(WindowRule r) const {
  return static_cast<std::int64_t>(std::count(rule.begin(), rule.end(), r));
}

Windows classify(const Problem& problem, const npy::Array& x, bool strict) {
  const OpenRules rules = strict ? OpenRules{} : open_rules(problem);
  return visit_dtype(problem.dtype(), [&]<class T>(TypeTag<T>) {
    return classify_typed<T>(problem, x.as<T>(), rules);
  });
}

std::string documented_raise(const Problem& problem, const Windows& windows) {
  if (problem.profile().name != "numpynet" || windows.all_nan == 0) return {};
  return "NumPyNet raises ValueError('All-NaN slice encountered') on its " +
         std::to_string(windows.all_nan) + " all-NaN window(s)";
}

}  // namespace poolcheck::vectors
