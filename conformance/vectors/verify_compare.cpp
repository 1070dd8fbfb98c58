#include "verify_compare.hpp"

#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "poolcheck/argmax_index.hpp"
#include "poolcheck/error.hpp"
#include "poolcheck/reference.hpp"
#include "poolcheck/scalar_traits.hpp"
#include "poolcheck/visit_dtype.hpp"

namespace poolcheck::vectors {
namespace {

// Raw bits: what the oracle compares (NaN == NaN, -0 != +0).
template <class T>
std::uint64_t bits_of(const T& v) {
  std::uint64_t b = 0;
  std::memcpy(&b, &v, sizeof(T));
  return b;
}

template <class T>
double to_double(const T& v) {
  if constexpr (requires { v.to_float(); })
    return static_cast<double>(v.to_float());
  else
    return static_cast<double>(v);
}

template <class T>
std::string describe_value(const T& v) {
  char text[96];
  const double d = to_double(v);
  if constexpr (std::is_integral_v<T>) {
    std::snprintf(text, sizeof text, "%lld", static_cast<long long>(v));
  } else {
    // Enough digits to tell any two values of T apart, and the bits as hex.
    const int digits = sizeof(T) == 8 ? 17 : sizeof(T) == 4 ? 9 : 5;
    std::snprintf(text, sizeof text, "%.*g (0x%0*" PRIx64 ")", digits, d,
                  static_cast<int>(2 * sizeof(T)), bits_of(v));
  }
  return text;
}

// "[0, 2, 1, 0]": the numpy index of flat (C-order) element `flat`.
std::string index_text(const std::vector<std::int64_t>& shape, std::int64_t flat) {
  std::vector<std::int64_t> index(shape.size());
  for (std::size_t i = shape.size(); i-- > 0;) {
    index[i] = shape[i] > 0 ? flat % shape[i] : 0;
    flat = shape[i] > 0 ? flat / shape[i] : 0;
  }
  std::string s = "[";
  for (std::size_t i = 0; i < index.size(); ++i) s += (i ? ", " : "") + std::to_string(index[i]);
  return s + "]";
}

std::string count_text(const Mismatch& m, const char* name, std::size_t total) {
  return name + std::string(": ") + std::to_string(m.count) + " of " + std::to_string(total) +
         " elements differ; first " + m.first;
}

template <class T>
class CaseComparer {
 public:
  CaseComparer(const Problem& p, const Windows& w, const Expected& e, const Actual& a)
      : p_(p), g_(p.geometry()), w_(w), e_(e), a_(a) {}

  Comparison run() {
    Comparison result;
    const auto add = [&](Mismatch m, const char* name, std::size_t total) {
      if (!m.count) return;
      m.array = name;
      result.problems.push_back(count_text(m, name, total));
      result.mismatches.push_back(std::move(m));
    };
    if (a_.y) add(compare_y(), "y", a_.y->data.size() / sizeof(T));
    if (a_.argmax) add(compare_argmax(), "argmax", a_.argmax->data.size() / 8);
    if (a_.dx) add(compare_dx(), "dx", a_.dx->data.size() / sizeof(T));
    return result;
  }

 private:
  // Calls f(n, c, o, at) for every window, at = its output memory offset.
  template <class F>
  void for_each_window(F&& f) const {
    for (std::int64_t n = 0; n < g_.batch; ++n)
      for (std::int64_t c = 0; c < g_.channels; ++c)
        reference::for_each_position(g_.out, [&](const Dims& o) {
          f(n, c, o, static_cast<std::size_t>(g_.output_offset(n, c, o)));
        });
  }

  bool is_window_value(std::int64_t n, std::int64_t c, const Dims& o, const T& v) const {
    const std::span<const T> x = e_.x.as<T>();
    bool found = false;
    reference::for_each_tap(g_, p_.conventions().order, [&](const Dims& tap) {
      if (const std::optional<Dims> s = tap_source(g_, p_.conventions().pad, o, tap))
        found =
            found || bits_of(x[static_cast<std::size_t>(g_.input_offset(n, c, *s))]) == bits_of(v);
    });
    return found;
  }

  Mismatch compare_y() const {
    const std::span<const T> want = e_.y.as<T>(), got = a_.y->as<T>();
    Mismatch m;
    for_each_window([&](std::int64_t n, std::int64_t c, const Dims& o, std::size_t at) {
      bool ok = bits_of(want[at]) == bits_of(got[at]);
      std::string rule;
      switch (w_.rule[at]) {
        case WindowRule::exact:
          break;
        case WindowRule::padding_open:
          ok = true;
          break;
        case WindowRule::nan_open:
          ok = ScalarTraits<T>::is_nan(got[at]) || is_window_value(n, c, o, got[at]);
          rule = " (a window holding NaN: NaN or one of its values is accepted)";
          break;
        case WindowRule::zero_sign_open:
          ok = to_double(got[at]) == 0.0;
          rule = " (+0 and -0 tie: a zero of either sign is accepted)";
          break;
      }
      if (ok || m.count++) return;
      m.offset = static_cast<std::int64_t>(at);
      m.expected = describe_value(want[at]) + source_text(n, c, o, at);
      m.actual = describe_value(got[at]) + rule;
      m.first =
          index_text(a_.y->shape, m.offset) + ": expected " + m.expected + ", got " + m.actual;
    });
    return m;
  }

  // What an argmax names: "tap -> x[...]", "none", "a pad cell" or why it is invalid.
  std::string argmax_meaning(std::int64_t n, std::int64_t c, const Dims& o,
                             std::int64_t index) const {
    if (index == kNoArgmax) return "none";
    try {
      const std::optional<std::int64_t> at = decode_argmax(g_, p_.conventions(), n, c, o, index);
      return at ? "x" + index_text(e_.x.shape, *at) : "a pad cell";
    } catch (const ProblemError& error) {
      return std::string("invalid: ") + error.what();
    }
  }

  std::string source_text(std::int64_t n, std::int64_t c, const Dims& o, std::size_t at) const {
    const std::int64_t index = e_.argmax.as<std::int64_t>()[at];
    if (index == kNoArgmax) return " (no argmax)";
    return " (at " + argmax_meaning(n, c, o, index) + ")";
  }

  Mismatch compare_argmax() const {
    const std::span<const std::int64_t> want = e_.argmax.as<std::int64_t>(),
                                        got = a_.argmax->as<std::int64_t>();
    Mismatch m;
    for_each_window([&](std::int64_t n, std::int64_t c, const Dims& o, std::size_t at) {
      if (w_.rule[at] == WindowRule::nan_open || w_.rule[at] == WindowRule::padding_open) return;
      if (want[at] == got[at] || m.count++) return;
      m.offset = static_cast<std::int64_t>(at);
      m.expected = std::to_string(want[at]) + " (" + argmax_meaning(n, c, o, want[at]) + ")";
      m.actual = std::to_string(got[at]) + " (" + argmax_meaning(n, c, o, got[at]) + ")";
      m.first =
          index_text(a_.argmax->shape, m.offset) + ": expected " + m.expected + ", got " + m.actual;
    });
    return m;
  }

  // How many windows route their gradient to input element `at`.
  std::int64_t contributions(std::int64_t at) const {
    const std::span<const std::int64_t> argmax = e_.argmax.as<std::int64_t>();
    std::int64_t k = 0;
    for_each_window([&](std::int64_t n, std::int64_t c, const Dims& o, std::size_t out) {
      try {
        k += decode_argmax(g_, p_.conventions(), n, c, o, argmax[out]) == at;
      } catch (const ProblemError&) {
      }
    });
    return k;
  }

  Mismatch compare_dx() const {
    const std::span<const T> want = e_.dx.as<T>(), got = a_.dx->as<T>();
    Mismatch m;
    for (std::size_t i = 0; i < want.size(); ++i) {
      if (w_.dx_open[i] || bits_of(want[i]) == bits_of(got[i]) || m.count++) continue;
      const auto at = static_cast<std::int64_t>(i);
      m.offset = at;
      m.expected = describe_value(want[i]) + " (the sum of dy over " +
                   std::to_string(contributions(at)) + " window(s) whose argmax is this cell)";
      m.actual = describe_value(got[i]);
      m.first = index_text(a_.dx->shape, at) + ": expected " + m.expected + ", got " + m.actual;
    }
    return m;
  }

  const Problem& p_;
  const Geometry g_;
  const Windows& w_;
  const Expected& e_;
  const Actual& a_;
};

}  // namespace

Comparison compare(const Problem& problem, const Windows& windows, const Expected& expected,
                   const Actual& actual) {
  return visit_dtype(problem.dtype(), [&]<class T>(TypeTag<T>) {
    return CaseComparer<T>(problem, windows, expected, actual).run();
  });
}

}  // namespace poolcheck::vectors
