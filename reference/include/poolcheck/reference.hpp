// The reference max pooling: the definition, written as plain loops.
//
// Every other implementation is judged against this file, so it favours being
// obviously right over being fast: one function chooses a window's maximum by
// scanning its taps under the problem's conventions, and forward and backward
// are loops over windows around it. Templated on the element type T (float,
// double, float16, bfloat16, int8, uint8, Boost.Multiprecision, dual numbers;
// see ScalarTraits).
#pragma once

#include <cstdint>
#include <memory>
#include <span>

#include "poolcheck/argmax_index.hpp"
#include "poolcheck/error.hpp"
#include "poolcheck/implementation.hpp"
#include "poolcheck/problem.hpp"
#include "poolcheck/scalar_traits.hpp"
#include "poolcheck/visit_dtype.hpp"

namespace poolcheck::reference {

template <class T>
struct WindowChoice {
  T value;
  std::int64_t tap = kNoArgmax;  // row-major window-local tap, or kNoArgmax
};

// Calls f(tap) for every kernel tap of a window, in the scan order that decides
// ties: row-major (last axis innermost) or column-major (first axis innermost).
template <class F>
void for_each_tap(const Geometry& g, ScanOrder order, F&& f) {
  const int outer = order == ScanOrder::row_major ? 0 : 2;
  const int inner = 2 - outer;
  Dims tap{};
  for (tap[outer] = 0; tap[outer] < g.kernel[outer]; ++tap[outer])
    for (tap[1] = 0; tap[1] < g.kernel[1]; ++tap[1])
      for (tap[inner] = 0; tap[inner] < g.kernel[inner]; ++tap[inner]) f(tap);
}

// Calls f(pos) for every output (or input) spatial position, row-major.
template <class F>
void for_each_position(const Dims& sizes, F&& f) {
  Dims p{};
  for (p[0] = 0; p[0] < sizes[0]; ++p[0])
    for (p[1] = 0; p[1] < sizes[1]; ++p[1])
      for (p[2] = 0; p[2] < sizes[2]; ++p[2]) f(p);
}

// The maximum of one window and the tap it came from. This function IS the
// semantics; see conventions.hpp for each rule.
template <class T>
WindowChoice<T> choose(const Geometry& g, const Conventions& cv, std::span<const T> x,
                       std::int64_t n, std::int64_t c, const Dims& out_pos) {
  using Traits = ScalarTraits<T>;
  const NanRule nan_rule = cv.nan == NanRule::unspecified ? NanRule::propagate : cv.nan;

  bool have = false;        // is `best` set?
  bool saw_number = false;  // any non-NaN candidate (for the all-NaN rule)
  T best = Traits::minus_infinity();
  std::int64_t best_tap = kNoArgmax;
  if (cv.initial != Initial::first_candidate) {
    have = true;
    best = Traits::lowest();
    best_tap = cv.initial == Initial::lowest_at_first_tap ? 0 : kNoArgmax;
  }

  for_each_tap(g, cv.order, [&](const Dims& tap) {
    T v = Traits::quiet_nan();  // a NaN pad cell unless it reads an input cell
    if (const std::optional<Dims> source = tap_source(g, cv.pad, out_pos, tap)) {
      v = x[static_cast<std::size_t>(g.input_offset(n, c, *source))];
    } else if (cv.pad == PadCells::excluded || !Traits::has_nan) {
      return;  // not a candidate
    }
    const bool is_nan = Traits::is_nan(v);
    if (nan_rule == NanRule::skip && is_nan) return;
    if (nan_rule == NanRule::ignore) {
      saw_number = saw_number || !is_nan;
      if (is_nan) v = Traits::minus_infinity();  // np.nanargmax ranks NaN as -inf
    }
    const bool better =
        !have || Traits::greater(v, best) || (nan_rule == NanRule::propagate && is_nan);
    if (better) {
      have = true;
      best = v;
      best_tap = g.tap_index(tap);
    }
  });

  if (nan_rule == NanRule::ignore && cv.initial == Initial::first_candidate && !saw_number) {
    // All-NaN window (NumPyNet raises here): NaN, no argmax, no gradient.
    return {Traits::has_nan ? Traits::quiet_nan() : Traits::minus_infinity(), kNoArgmax};
  }
  if (!have) return {Traits::minus_infinity(), kNoArgmax};  // window entirely in padding
  return {best, best_tap};
}

namespace detail {

// For the six element types a problem can name, T must be the problem's dtype
// (a typed call cannot otherwise tell an f64 buffer from an f32 problem).
// Other types (multiprecision, dual numbers) carry any dtype's values.
template <class T>
void check_element_type(const Problem& problem) {
  constexpr bool named = std::is_same_v<T, float> || std::is_same_v<T, double> ||
                         std::is_same_v<T, float16> || std::is_same_v<T, bfloat16> ||
                         std::is_same_v<T, std::int8_t> || std::is_same_v<T, std::uint8_t>;
  if constexpr (named) {
    if (dtype_of<T>() != problem.dtype())
      throw ProblemError("dtype", std::string(dtype_name(problem.dtype())),
                         "the buffers hold " + std::string(dtype_name(dtype_of<T>())));
  }
}

}  // namespace detail

// y[n, o, c] = max of window (n, o, c); argmax (if not empty) in the profile's
// index format, -1 for none.
template <class T>
void forward(const Problem& problem, std::span<const T> x, std::span<T> y,
             std::span<std::int64_t> argmax) {
  detail::check_element_type<T>(problem);
  const Geometry g = problem.geometry();
  const Conventions& cv = problem.conventions();
  check_forward_buffers(problem, g, ConstBuffer::of(problem.dtype(), x),
                        MutableBuffer::of(problem.dtype(), y), argmax);
  for (std::int64_t n = 0; n < g.batch; ++n)
    for (std::int64_t c = 0; c < g.channels; ++c)
      for_each_position(g.out, [&](const Dims& o) {
        const WindowChoice<T> w = choose(g, cv, x, n, c, o);
        const auto at = static_cast<std::size_t>(g.output_offset(n, c, o));
        y[at] = w.value;
        if (!argmax.empty()) argmax[at] = encode_argmax(g, cv, n, c, o, w.tap);
      });
}

namespace detail {

// dx[source of window] += dy[window], windows of each (n, c) plane in
// row-major output order. `source(n, c, o, out_offset)` gives the input offset
// or nothing (no argmax, or a pad cell: the gradient is dropped).
template <class T, class Source>
void scatter(const Geometry& g, std::span<const T> dy, std::span<T> dx, Source&& source) {
  for (std::int64_t n = 0; n < g.batch; ++n)
    for (std::int64_t c = 0; c < g.channels; ++c)
      for_each_position(g.out, [&](const Dims& o) {
        const auto at = static_cast<std::size_t>(g.output_offset(n, c, o));
        if (const std::optional<std::int64_t> to = source(n, c, o, at)) {
          T& cell = dx[static_cast<std::size_t>(*to)];
          cell = ScalarTraits<T>::add(cell, dy[at]);
        }
      });
}

}  // namespace detail

// dx += dy at each window's argmax, read from a stored argmax in the profile's
// index format (throws ProblemError for an index that names no cell of the
// window's plane).
template <class T>
void backward(const Problem& problem, std::span<const std::int64_t> argmax, std::span<const T> dy,
              std::span<T> dx) {
  detail::check_element_type<T>(problem);
  const Geometry g = problem.geometry();
  const Conventions& cv = problem.conventions();
  if (argmax.size() != static_cast<std::size_t>(g.output_elements()))
    throw ProblemError("argmax.length", std::to_string(argmax.size()),
                       "the problem needs " + std::to_string(g.output_elements()));
  check_backward_buffers(problem, g, ConstBuffer{}, argmax, ConstBuffer::of(problem.dtype(), dy),
                         MutableBuffer::of(problem.dtype(), dx));
  detail::scatter<T>(g, dy, dx, [&](std::int64_t n, std::int64_t c, const Dims& o, std::size_t at) {
    return decode_argmax(g, cv, n, c, o, argmax[at]);
  });
}

// dx += dy at each window's argmax, recomputed from x.
template <class T>
void backward_from_input(const Problem& problem, std::span<const T> x, std::span<const T> dy,
                         std::span<T> dx) {
  detail::check_element_type<T>(problem);
  const Geometry g = problem.geometry();
  const Conventions& cv = problem.conventions();
  check_backward_buffers(problem, g, ConstBuffer::of(problem.dtype(), x), {},
                         ConstBuffer::of(problem.dtype(), dy),
                         MutableBuffer::of(problem.dtype(), dx));
  detail::scatter<T>(g, dy, dx,
                     [&](std::int64_t n, std::int64_t c, const Dims& o,
                         std::size_t) -> std::optional<std::int64_t> {
                       const std::int64_t tap = choose(g, cv, x, n, c, o).tap;
                       if (tap == kNoArgmax) return std::nullopt;
                       const std::optional<Dims> s =
                           tap_source(g, cv.pad, o, g.tap_from_index(tap));
                       if (!s) return std::nullopt;
                       return g.input_offset(n, c, *s);
                     });
}

// The reference behind the common Implementation interface ("builtin:reference").
std::unique_ptr<Implementation> make_implementation();

}  // namespace poolcheck::reference
