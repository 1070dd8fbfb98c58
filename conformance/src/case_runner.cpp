#include "poolcheck/conformance/case_runner.hpp"

#include <sstream>
#include <utility>

#include "poolcheck/conformance/subject.hpp"
#include "poolcheck/descriptor.hpp"
#include "poolcheck/error.hpp"
#include "poolcheck/isolated.hpp"
#include "poolcheck/npy.hpp"
#include "poolcheck/reference.hpp"
#include "poolcheck/run_and_report.hpp"
#include "vector_suite.hpp"
#include "verify_compare.hpp"

namespace poolcheck::conformance {
namespace {

const Implementation& the_reference() {
  static const std::unique_ptr<Implementation> reference = reference::make_implementation();
  return *reference;
}

npy::Array array(const Problem& p, const Dims& spatial, Bytes data) {
  return {npy::to_element_type(p.dtype()), vectors::tensor_shape(p, spatial), std::move(data)};
}

npy::Array index_array(const Problem& p, const std::vector<std::int64_t>& argmax) {
  npy::Array a{npy::ElementType::i64, vectors::tensor_shape(p, p.geometry().out), {}};
  const auto* bytes = reinterpret_cast<const std::byte*>(argmax.data());
  a.data.assign(bytes, bytes + argmax.size() * sizeof(std::int64_t));
  return a;
}

std::string show_indices(const std::vector<std::int64_t>& v) {
  std::ostringstream os;
  os << "[";
  for (std::size_t i = 0; i < v.size() && i < 256; ++i) os << (i ? " " : "") << v[i];
  if (v.size() > 256) os << " ... (" << v.size() << " elements)";
  os << "]";
  return os.str();
}

// Runs one call of the implementation under test; a refusal or a failed call
// (crash, hang, stray write, error) becomes the verdict instead.
template <class Call>
std::optional<CaseVerdict> guarded(const Problem& problem, const char* what, Call&& call) {
  const auto failed = [&](std::string actual) {
    CaseVerdict v{Verdict::fail, {}, Failure{}};
    v.failure->descriptor = to_descriptor(problem);
    v.failure->what = what;
    v.failure->expected = "a completed call";
    v.failure->actual = std::move(actual);
    v.failure->details =
        v.failure->what + " call failed for " + v.failure->descriptor + ": " + v.failure->actual;
    return v;
  };
  try {
    call();
    return std::nullopt;
  } catch (const plugin::UnsupportedProblem& e) {
    return CaseVerdict{Verdict::refused, e.what(), std::nullopt};
  } catch (const plugin::PluginFailure& e) {
    return failed(plugin::describe(e.outcome()));
  } catch (const std::exception& e) {
    return failed(std::string("threw: ") + e.what());
  }
}

CaseVerdict mismatch_verdict(const Problem& p, const vectors::Comparison& cmp, std::string what,
                             std::string tensors) {
  const vectors::Mismatch& m = cmp.mismatches.front();
  Failure f;
  f.descriptor = to_descriptor(p);
  f.what = what.empty() ? m.array : m.array + " (" + what + ")";
  f.element = proptest::locate(p.geometry(), m.offset, m.array != "dx");
  f.expected = m.expected;
  f.actual = m.actual;
  std::ostringstream os;
  os << f.what << " differs for " << f.descriptor << "\n" << tensors;
  for (const std::string& line : cmp.problems) os << "  " << line << "\n";
  os << "  first difference at " << f.element;
  f.details = os.str();
  return {Verdict::fail, {}, std::move(f)};
}

}  // namespace

CaseVerdict forward_case(const Subject& subject, const Problem& p, const Bytes& x) {
  const proptest::ForwardResult want = proptest::run_forward(the_reference(), p, x);
  proptest::ForwardResult got;
  if (auto v = guarded(p, "forward",
                       [&] { got = proptest::run_forward(subject.implementation(), p, x); }))
    return *v;
  const Geometry g = p.geometry();
  const npy::Array xa = array(p, g.in, x);
  const vectors::Windows windows = vectors::classify(p, xa, false);
  const vectors::Expected expected{xa, array(p, g.out, want.y), index_array(p, want.argmax), {}};
  const vectors::Actual actual{array(p, g.out, got.y), index_array(p, got.argmax), std::nullopt};
  const vectors::Comparison cmp = vectors::compare(p, windows, expected, actual);
  if (cmp.mismatches.empty()) return {};
  const DType dt = p.dtype();
  std::ostringstream tensors;
  tensors << "  x               = " << proptest::show_tensor(dt, x) << "\n"
          << "  expected y      = " << proptest::show_tensor(dt, want.y) << "\n"
          << "  actual y        = " << proptest::show_tensor(dt, got.y) << "\n"
          << "  expected argmax = " << show_indices(want.argmax) << "\n"
          << "  actual argmax   = " << show_indices(got.argmax) << "\n";
  return mismatch_verdict(p, cmp, "", tensors.str());
}

CaseVerdict backward_case(const Subject& subject, const Problem& p, const Bytes& x,
                          const Bytes& dy) {
  const plugin::Claim& claim = subject.claim();
  if (!claim.backward && !claim.backward_from_x)
    return {Verdict::refused, "the implementation claims no backward", std::nullopt};
  const Geometry g = p.geometry();
  const Bytes zeros(x.size(), std::byte{0});
  const npy::Array xa = array(p, g.in, x);
  const vectors::Windows windows = vectors::classify(p, xa, false);
  const DType dt = p.dtype();

  const auto compare_dx = [&](const char* path, const std::vector<std::int64_t>& argmax,
                              const Bytes& want, const Bytes& got) -> CaseVerdict {
    const vectors::Expected expected{xa, {}, index_array(p, argmax), array(p, g.in, want)};
    const vectors::Actual actual{std::nullopt, std::nullopt, array(p, g.in, got)};
    const vectors::Comparison cmp = vectors::compare(p, windows, expected, actual);
    if (cmp.mismatches.empty()) return {};
    std::ostringstream tensors;
    tensors << "  x           = " << proptest::show_tensor(dt, x) << "\n"
            << "  dy          = " << proptest::show_tensor(dt, dy) << "\n"
            << "  argmax      = " << show_indices(argmax) << "\n"
            << "  expected dx = " << proptest::show_tensor(dt, want) << "\n"
            << "  actual dx   = " << proptest::show_tensor(dt, got) << "\n";
    return mismatch_verdict(p, cmp, path, tensors.str());
  };

  if (claim.backward) {
    // The routing of the implementation's own argmax; a wrong argmax is
    // crosscheck.forward's finding, this path checks the scatter.
    proptest::ForwardResult own;
    if (auto v = guarded(p, "forward (for backward's argmax)",
                         [&] { own = proptest::run_forward(subject.implementation(), p, x); }))
      return *v;
    Bytes want;
    try {
      want = proptest::run_backward(the_reference(), p, x, own.argmax, dy, zeros);
    } catch (const ProblemError& e) {
      Failure f{to_descriptor(p),
                "argmax (for backward)",
                "",
                "an argmax inside each window",
                e.what(),
                ""};
      f.details = "forward's argmax cannot be routed for " + f.descriptor + ": " + e.what();
      return {Verdict::fail, {}, std::move(f)};
    }
    Bytes got;
    if (auto v = guarded(p, "backward (argmax from forward)", [&] {
          got = proptest::run_backward(subject.implementation(), p, x, own.argmax, dy, zeros);
        }))
      return *v;
    if (CaseVerdict v = compare_dx("argmax from forward", own.argmax, want, got);
        v.verdict != Verdict::pass)
      return v;
  }
  if (claim.backward_from_x) {
    const std::vector<std::int64_t> argmax = proptest::run_forward(the_reference(), p, x).argmax;
    const Bytes want = proptest::run_backward(the_reference(), p, x, {}, dy, zeros);
    Bytes got;
    if (auto v = guarded(p, "backward (argmax recomputed from x)", [&] {
          got = proptest::run_backward(subject.implementation(), p, x, {}, dy, zeros);
        }))
      return *v;
    return compare_dx("argmax recomputed from x", argmax, want, got);
  }
  return {};
}

std::string to_text(const Failure& f) {
  std::ostringstream os;
  os << "    descriptor: " << f.descriptor << "\n    " << f.what;
  if (!f.element.empty()) os << " at " << f.element;
  os << ": expected " << f.expected << ", actual " << f.actual << "\n";
  std::istringstream lines(f.details);
  for (std::string line; std::getline(lines, line);) os << "    | " << line << "\n";
  return os.str();
}

}  // namespace poolcheck::conformance
