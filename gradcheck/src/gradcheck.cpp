#include "poolcheck/gradcheck.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <type_traits>
#include <utility>
#include <vector>

#include "poolcheck/descriptor.hpp"
#include "poolcheck/gradcheck/scalars.hpp"
#include "poolcheck/reference.hpp"
#include "poolcheck/visit_dtype.hpp"

namespace poolcheck::gradcheck {
namespace {

using Clock = std::chrono::steady_clock;

std::string number_text(double v) {
  char text[40];
  std::snprintf(text, sizeof text, "%.17g", v);
  return text;
}

// ---------------------------------------------------------------------------
// Inputs: doubles that must be dtype values.

template <class T>
bool same_bits(const T& a, const T& b) {
  return std::memcmp(&a, &b, sizeof(T)) == 0;
}

// `d` as a T if that is exact (NaN stays NaN, -0 stays -0), else nothing.
template <class T>
std::optional<T> exactly_as(double d) {
  if constexpr (std::is_integral_v<T>) {
    if (!(d >= std::numeric_limits<T>::lowest() && d <= std::numeric_limits<T>::max()) ||
        d != std::trunc(d))
      return std::nullopt;
    return static_cast<T>(d);
  } else {
    if (std::isnan(d)) return ScalarTraits<T>::quiet_nan();
    // Out-of-range double -> float conversion is undefined; reject it first.
    if (std::isfinite(d) && std::fabs(d) > std::numeric_limits<float>::max() &&
        !std::is_same_v<T, double>)
      return std::nullopt;
    T v{};
    if constexpr (std::is_same_v<T, float16> || std::is_same_v<T, bfloat16>)
      v = T::from_float(static_cast<float>(d));
    else
      v = static_cast<T>(d);
    const double back = storage_to_double(v);
    if (back != d || std::signbit(back) != std::signbit(d)) return std::nullopt;
    return v;
  }
}

template <class T>
std::vector<T> to_storage(const Problem& problem, std::span<const double> values,
                          std::string_view name, bool must_be_finite) {
  std::vector<T> out;
  out.reserve(values.size());
  for (std::size_t i = 0; i < values.size(); ++i) {
    const std::optional<T> v = exactly_as<T>(values[i]);
    const std::string parameter = std::string(name) + "[" + std::to_string(i) + "]";
    if (!v)
      throw ProblemError(
          parameter, number_text(values[i]),
          "not exactly representable in " + std::string(dtype_name(problem.dtype())));
    if (must_be_finite && !std::isfinite(values[i]))
      throw ProblemError(parameter, number_text(values[i]), "must be finite");
    out.push_back(*v);
  }
  return out;
}

void check_length(std::string_view name, std::size_t length, std::int64_t needed) {
  if (length != static_cast<std::size_t>(needed))
    throw ProblemError(std::string(name) + ".length", std::to_string(length),
                       "the problem needs " + std::to_string(needed));
}

// ---------------------------------------------------------------------------
// One (n, c) plane as a problem of its own: windows never cross planes, so
// finite differences need only re-run the plane that holds the element.

struct Plane {
  Problem problem;
  Geometry geometry;
};

Plane plane_of(const Problem& problem) {
  Problem single = problem;
  single.batch(1).channels(1);
  return {single, single.geometry()};
}

// Calls f(pos) for every position of `sizes`, row-major.
template <class F>
void for_each_position(const Dims& sizes, F&& f) {
  reference::for_each_position(sizes, std::forward<F>(f));
}

// ---------------------------------------------------------------------------
// Windows whose dx follows a routing convention rather than a derivative.
//
// Decided from the window's output value in the dtype (exactly a double):
//  - maximum clamped at the dtype's lowest() under Initial::lowest_* (oneDNN,
//    darknet): the output does not depend on the cells; oneDNN still sends dy
//    to tap 0, darknet drops it;
//  - maximum NaN: under propagate/unspecified dy goes to the LAST NaN cell in
//    scan order (PyTorch); under ignore the window is all-NaN and dy is dropped;
//  - maximum -inf (every candidate is -inf, or NaN ranked as -inf): all tie, so
//    dy goes to the first candidate in scan order (dropped if a pad cell).

struct Route {
  bool routed = false;
  std::optional<std::int64_t> target;  // plane input offset receiving dy
};

template <class T>
Route route_of(const Geometry& g, const Conventions& cv, std::span<const double> plane_x,
               const Dims& o, double y) {
  using Traits = ScalarTraits<T>;
  const double lowest = storage_to_double(Traits::lowest());
  const auto source_offset = [&](const Dims& tap) -> std::optional<std::int64_t> {
    const std::optional<Dims> s = tap_source(g, cv.pad, o, tap);
    if (!s) return std::nullopt;
    return g.input_offset(0, 0, *s);
  };
  // A pad cell that is a candidate without reading an input cell (NaN pads).
  const bool pads_are_nan_cells = cv.pad == PadCells::nan && Traits::has_nan;

  if (cv.initial != Initial::first_candidate && y == lowest) {
    if (cv.initial == Initial::lowest_no_index) return {true, std::nullopt};
    return {true, source_offset(Dims{0, 0, 0})};
  }
  if (std::isnan(y)) {
    if (cv.nan == NanRule::ignore) return {true, std::nullopt};
    Route route{true, std::nullopt};
    reference::for_each_tap(g, cv.order, [&](const Dims& tap) {
      const std::optional<std::int64_t> s = source_offset(tap);
      const bool is_nan =
          s ? std::isnan(plane_x[static_cast<std::size_t>(*s)]) : pads_are_nan_cells;
      if (is_nan) route.target = s;
    });
    return route;
  }
  if (std::numeric_limits<T>::has_infinity && y == -std::numeric_limits<double>::infinity()) {
    Route route{true, std::nullopt};
    bool found = false;
    reference::for_each_tap(g, cv.order, [&](const Dims& tap) {
      if (found) return;
      const std::optional<std::int64_t> s = source_offset(tap);
      if (s || pads_are_nan_cells) {
        found = true;
        route.target = s;
      }
    });
    return route;
  }
  return {};
}

// ---------------------------------------------------------------------------
// Finite differences in 168-bit arithmetic.

// +-inf become +-2^30000: beyond every dtype, so order and ties are kept, and
// a finite step can move them. NaN stays NaN (no difference is taken there).
Real surrogate(double v) {
  static const Real big = boost::multiprecision::ldexp(Real(1), 30000);
  if (std::isinf(v)) return v > 0 ? big : Real(-big);
  return Real(v);
}

Real power_of_two_at_most(const Real& r) {
  int exponent = 0;
  (void)boost::multiprecision::frexp(r, &exponent);  // r = m * 2^exponent, m in [0.5, 1)
  return boost::multiprecision::ldexp(Real(1), exponent - 1);
}

// A power-of-two step for each cell: at most a quarter of the distance to the
// nearest DIFFERENT value of the plane (and to lowest() where the running
// maximum starts there), so x +- h crosses no other value; and at most half
// of |x|, so x +- h stays exact in 168 bits (the distance to the nearest
// different dtype value is at least half an ulp of x, so h >= ulp(x)/16).
std::vector<Real> steps(std::span<const Real> xs, std::optional<Real> extra_value) {
  std::vector<Real> values;
  for (const Real& v : xs)
    if (!boost::multiprecision::isnan(v)) values.push_back(v);
  if (extra_value) values.push_back(*extra_value);
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());

  std::vector<Real> h(xs.size(), Real(0));
  for (std::size_t i = 0; i < xs.size(); ++i) {
    const Real& v = xs[i];
    if (boost::multiprecision::isnan(v)) continue;
    const auto at = std::lower_bound(values.begin(), values.end(), v);  // *at == v
    std::optional<Real> gap;
    if (at != values.begin()) gap = v - *(at - 1);
    if (at + 1 != values.end()) {
      const Real up = *(at + 1) - v;
      gap = gap ? std::min(*gap, up) : up;
    }
    std::optional<Real> bound;
    if (gap) bound = *gap / 4;
    if (v != 0) {
      const Real half = abs(v) / 2;
      bound = bound ? std::min(*bound, half) : half;
    }
    h[i] = bound ? power_of_two_at_most(*bound) : Real(1);
  }
  return h;
}

struct Contribution {
  std::int64_t window = 0;   // output offset in the whole tensor: the accumulation order
  std::int64_t element = 0;  // input offset in the whole tensor
};

struct PlaneResult {
  std::vector<Contribution> contributions;  // dy[window] is added into dx[element]
  std::int64_t finite_difference_elements = 0;
  std::int64_t ties = 0;
  std::int64_t routed_windows = 0;
};

template <class T>
PlaneResult differentiate_plane(const Problem& problem, const Geometry& g, std::int64_t n,
                                std::int64_t c, std::span<const double> x) {
  using E = Exact<T>;
  const Plane plane = plane_of(problem);
  const Geometry& pg = plane.geometry;
  const Conventions& cv = problem.conventions();
  const auto plane_in = static_cast<std::size_t>(pg.input_elements());
  const auto plane_out = static_cast<std::size_t>(pg.output_elements());

  // Gather the plane; remember where each cell lives in the whole tensor.
  std::vector<double> px(plane_in);
  std::vector<std::int64_t> in_global(plane_in);
  for_each_position(pg.in, [&](const Dims& p) {
    const auto local = static_cast<std::size_t>(pg.input_offset(0, 0, p));
    in_global[local] = g.input_offset(n, c, p);
    px[local] = x[static_cast<std::size_t>(in_global[local])];
  });
  std::vector<std::int64_t> out_global(plane_out);
  std::vector<Dims> out_position(plane_out);
  for_each_position(pg.out, [&](const Dims& o) {
    const auto local = static_cast<std::size_t>(pg.output_offset(0, 0, o));
    out_global[local] = g.output_offset(n, c, o);
    out_position[local] = o;
  });

  PlaneResult result;
  std::vector<E> xe(plane_in);
  for (std::size_t i = 0; i < plane_in; ++i) xe[i] = E{Real(px[i])};
  std::vector<E> y0(plane_out);
  reference::forward<E>(plane.problem, xe, y0, {});

  std::vector<char> routed(plane_out, 0);
  for (std::size_t w = 0; w < plane_out; ++w) {
    const Route route =
        route_of<T>(pg, cv, px, out_position[w], y0[w].value.template convert_to<double>());
    if (!route.routed) continue;
    routed[w] = 1;
    ++result.routed_windows;
    if (route.target)
      result.contributions.push_back(
          {out_global[w], in_global[static_cast<std::size_t>(*route.target)]});
  }

  std::vector<Real> xs(plane_in);
  for (std::size_t i = 0; i < plane_in; ++i) xs[i] = surrogate(px[i]);
  std::optional<Real> lowest;
  if (cv.initial != Initial::first_candidate)
    lowest = Real(storage_to_double(ScalarTraits<T>::lowest()));
  const std::vector<Real> h = steps(xs, lowest);

  for (std::size_t i = 0; i < plane_in; ++i) xe[i] = E{xs[i]};
  std::vector<E> ys(plane_out), yp(plane_out), ym(plane_out);
  reference::forward<E>(plane.problem, xe, ys, {});

  for (std::size_t i = 0; i < plane_in; ++i) {
    if (std::isnan(px[i])) continue;  // no difference at NaN; routing covers it
    ++result.finite_difference_elements;
    xe[i] = E{xs[i] + h[i]};
    reference::forward<E>(plane.problem, xe, yp, {});
    xe[i] = E{xs[i] - h[i]};
    reference::forward<E>(plane.problem, xe, ym, {});
    xe[i] = E{xs[i]};

    bool tied = false;
    for (std::size_t w = 0; w < plane_out; ++w) {
      if (routed[w]) continue;
      // One-sided differences of this window's maximum, exactly 0 or h.
      const Real right = (yp[w].value - ys[w].value) / h[i];
      const Real left = (ys[w].value - ym[w].value) / h[i];
      Real derivative = right;
      if (right != left) {
        if (!(right == 1 && left == 0))
          throw std::logic_error("gradcheck: a window maximum moved by neither 0 nor h");
        // A tie for the maximum. Scanning taps in the profile's order, the
        // first cell holding the maximum wins (strict >). Raising the winner
        // keeps it the argmax, lowering a loser keeps the winner: so dx must
        // be the right derivative at the winner and the left one elsewhere.
        tied = true;
        std::optional<std::int64_t> winner;
        reference::for_each_tap(pg, cv.order, [&](const Dims& tap) {
          if (winner) return;
          const std::optional<Dims> s = tap_source(pg, cv.pad, out_position[w], tap);
          if (s && xs[static_cast<std::size_t>(pg.input_offset(0, 0, *s))] == ys[w].value)
            winner = pg.input_offset(0, 0, *s);
        });
        derivative = winner == static_cast<std::int64_t>(i) ? right : left;
      } else if (right != 0 && right != 1) {
        throw std::logic_error("gradcheck: a window maximum moved by neither 0 nor h");
      }
      if (derivative == 1) result.contributions.push_back({out_global[w], in_global[i]});
    }
    if (tied) ++result.ties;
  }
  return result;
}

// ---------------------------------------------------------------------------

template <class T>
void check_typed(const Implementation& implementation, const Problem& problem, const Geometry& g,
                 std::span<const double> x, std::span<const double> dy, GradcheckReport& report) {
  const std::vector<T> xt = to_storage<T>(problem, x, "x", false);
  const std::vector<T> dyt = to_storage<T>(problem, dy, "dy", true);

  // The expected dx: each derivative contribution dy[window], added window
  // after window in output order with the dtype's rounding, which is the
  // accumulation the Implementation contract fixes.
  std::vector<Contribution> contributions;
  for (std::int64_t n = 0; n < g.batch; ++n)
    for (std::int64_t c = 0; c < g.channels; ++c) {
      PlaneResult plane = differentiate_plane<T>(problem, g, n, c, x);
      report.finite_difference_elements += plane.finite_difference_elements;
      report.ties += plane.ties;
      report.routed_windows += plane.routed_windows;
      contributions.insert(contributions.end(), plane.contributions.begin(),
                           plane.contributions.end());
    }
  std::sort(contributions.begin(), contributions.end(),
            [](const Contribution& a, const Contribution& b) { return a.window < b.window; });
  const auto inputs = static_cast<std::size_t>(g.input_elements());
  std::vector<T> expected(inputs, T{});
  std::vector<Real> exact(inputs, Real(0));
  for (const Contribution& k : contributions) {
    const auto e = static_cast<std::size_t>(k.element);
    const auto w = static_cast<std::size_t>(k.window);
    expected[e] = ScalarTraits<T>::add(expected[e], dyt[w]);
    exact[e] += Real(dy[w]);
  }
  for (std::size_t e = 0; e < inputs; ++e)
    if (Real(storage_to_double(expected[e])) != exact[e]) ++report.rounded_sums;

  // The implementation under test, both ways of finding the argmax.
  const DType dtype = problem.dtype();
  const ConstBuffer x_buffer = ConstBuffer::of(dtype, std::span<const T>(xt));
  const ConstBuffer dy_buffer = ConstBuffer::of(dtype, std::span<const T>(dyt));
  std::vector<T> y(static_cast<std::size_t>(g.output_elements()));
  std::vector<std::int64_t> argmax(y.size());
  implementation.forward(problem, x_buffer, MutableBuffer::of(dtype, std::span<T>(y)), argmax);

  const std::string descriptor = to_descriptor(problem);
  const auto compare = [&](std::span<const std::int64_t> given_argmax, const char* path) {
    std::vector<T> dx(inputs, T{});
    implementation.backward(problem, x_buffer, given_argmax, dy_buffer,
                            MutableBuffer::of(dtype, std::span<T>(dx)));
    for (std::int64_t n = 0; n < g.batch; ++n)
      for (std::int64_t c = 0; c < g.channels; ++c)
        for_each_position(g.in, [&](const Dims& p) {
          const std::int64_t offset = g.input_offset(n, c, p);
          const auto e = static_cast<std::size_t>(offset);
          ++report.elements_checked;
          if (same_bits(expected[e], dx[e])) return;
          ++report.mismatches;
          const double want = storage_to_double(expected[e]);
          const double got = storage_to_double(dx[e]);
          const double error =
              std::isnan(got) ? std::numeric_limits<double>::infinity() : std::fabs(want - got);
          // -0 against +0 differs in bits with a difference of 0.
          report.max_error =
              std::max(report.max_error, error == 0 ? std::numeric_limits<double>::min() : error);
          if (!report.first_mismatch)
            report.first_mismatch = Mismatch{n, c, p, offset, want, got, path, descriptor};
        });
  };
  compare(argmax, "argmax from forward");
  compare({}, "argmax recomputed from x");
}

}  // namespace

GradcheckReport check_backward(const Implementation& implementation, const Problem& problem,
                               std::span<const double> x, std::span<const double> dy) {
  const auto start = Clock::now();
  const Geometry g = problem.geometry();
  check_length("x", x.size(), g.input_elements());
  check_length("dy", dy.size(), g.output_elements());
  GradcheckReport report;
  report.implementation = implementation.name();
  report.descriptor = to_descriptor(problem);
  visit_dtype(problem.dtype(), [&]<class T>(TypeTag<T>) {
    check_typed<T>(implementation, problem, g, x, dy, report);
  });
  report.elapsed = Clock::now() - start;
  return report;
}

AdjointReport check_adjoint(const Implementation& implementation, const Problem& problem,
                            std::span<const double> x, std::span<const double> v,
                            std::span<const double> u) {
  const auto start = Clock::now();
  const Geometry g = problem.geometry();
  check_length("x", x.size(), g.input_elements());
  check_length("v", v.size(), g.input_elements());
  check_length("u", u.size(), g.output_elements());
  AdjointReport report;
  report.implementation = implementation.name();
  report.descriptor = to_descriptor(problem);
  visit_dtype(problem.dtype(), [&]<class T>(TypeTag<T>) {
    using D = Dual<T>;
    const std::vector<T> xt = to_storage<T>(problem, x, "x", false);
    (void)to_storage<T>(problem, v, "v", true);
    std::vector<T> ut = to_storage<T>(problem, u, "u", true);
    const auto inputs = static_cast<std::size_t>(g.input_elements());
    const auto outputs = static_cast<std::size_t>(g.output_elements());

    // J v: the reference on dual numbers, tangent v.
    std::vector<D> xd(inputs);
    for (std::size_t i = 0; i < inputs; ++i) xd[i] = D{x[i], v[i]};
    std::vector<D> yd(outputs);
    reference::forward<D>(problem, xd, yd, {});

    // Windows routed by convention are not differentiated: u = 0 there.
    const Plane plane = plane_of(problem);
    std::vector<double> plane_x(static_cast<std::size_t>(plane.geometry.input_elements()));
    Real jv_dot_u = 0;
    for (std::int64_t n = 0; n < g.batch; ++n)
      for (std::int64_t c = 0; c < g.channels; ++c) {
        for_each_position(g.in, [&](const Dims& p) {
          plane_x[static_cast<std::size_t>(plane.geometry.input_offset(0, 0, p))] =
              x[static_cast<std::size_t>(g.input_offset(n, c, p))];
        });
        for_each_position(g.out, [&](const Dims& o) {
          const auto w = static_cast<std::size_t>(g.output_offset(n, c, o));
          if (route_of<T>(plane.geometry, problem.conventions(), plane_x, o, yd[w].value).routed) {
            ++report.routed_windows;
            ut[w] = T{};
            return;
          }
          jv_dot_u += Real(yd[w].tangent) * Real(u[w]);
        });
      }

    // J^T u: the implementation's backward, in its dtype.
    const DType dtype = problem.dtype();
    const ConstBuffer x_buffer = ConstBuffer::of(dtype, std::span<const T>(xt));
    std::vector<T> y(outputs);
    std::vector<std::int64_t> argmax(outputs);
    implementation.forward(problem, x_buffer, MutableBuffer::of(dtype, std::span<T>(y)), argmax);
    std::vector<T> dx(inputs, T{});
    implementation.backward(problem, x_buffer, argmax,
                            ConstBuffer::of(dtype, std::span<const T>(ut)),
                            MutableBuffer::of(dtype, std::span<T>(dx)));
    Real v_dot_jtu = 0;
    for (std::size_t i = 0; i < inputs; ++i)
      v_dot_jtu += Real(v[i]) * Real(storage_to_double(dx[i]));

    report.jv_dot_u = jv_dot_u.template convert_to<double>();
    report.v_dot_jtu = v_dot_jtu.template convert_to<double>();
    report.passed = jv_dot_u == v_dot_jtu;
  });
  report.elapsed = Clock::now() - start;
  return report;
}

std::string to_string(const GradcheckReport& report) {
  std::ostringstream out;
  out << "gradcheck " << report.implementation << " on " << report.descriptor << ": "
      << (report.passed() ? "PASS" : "FAIL") << "\n"
      << "  elements checked " << report.elements_checked << " (finite differences on "
      << report.finite_difference_elements << "), ties " << report.ties << ", routed windows "
      << report.routed_windows << ", rounded sums " << report.rounded_sums << "\n"
      << "  mismatches " << report.mismatches << ", max error " << number_text(report.max_error)
      << ", " << report.elapsed.count() * 1e3 << " ms\n";
  if (const std::optional<Mismatch>& m = report.first_mismatch) {
    out << "  first mismatch: dx at n=" << m->n << " c=" << m->c << " (d,h,w)=(" << m->position[0]
        << "," << m->position[1] << "," << m->position[2] << ") offset " << m->offset
        << ": expected " << number_text(m->expected) << ", got " << number_text(m->actual) << " ["
        << m->path << "] in " << m->descriptor << "\n";
  }
  return out.str();
}

std::string to_string(const AdjointReport& report) {
  std::ostringstream out;
  out << "adjoint " << report.implementation << " on " << report.descriptor << ": "
      << (report.passed ? "PASS" : "FAIL") << " <Jv,u>=" << number_text(report.jv_dot_u)
      << " <v,J^T u>=" << number_text(report.v_dot_jtu) << ", routed windows "
      << report.routed_windows << ", " << report.elapsed.count() * 1e3 << " ms\n";
  return out.str();
}

}  // namespace poolcheck::gradcheck
