// The gradcheck check: exact gradients (poolcheck_gradcheck) of the
// implementation's backward on small random problems.
#include <sstream>

#include "draw.hpp"
#include "poolcheck/conformance/checks.hpp"
#include "poolcheck/conformance/subject.hpp"
#include "poolcheck/descriptor.hpp"
#include "poolcheck/gradcheck.hpp"
#include "poolcheck/isolated.hpp"
#include "poolcheck/run_and_report.hpp"

namespace poolcheck::conformance {
namespace {

// The finite differences run in 168-bit arithmetic, quadratic in the plane.
constexpr std::int64_t kMaxInputElements = 64;

// Runs a gradcheck call; a refusal is counted, a failed call fails the case.
template <class Call>
bool guarded(const Problem& p, Tally& tally, Call&& call) {
  const auto failed = [&](std::string actual) {
    fail({to_descriptor(p), "call (gradcheck)", "", "a completed call", actual,
          "gradcheck's call failed for " + to_descriptor(p) + ": " + actual});
  };
  try {
    call();
    return true;
  } catch (const plugin::UnsupportedProblem& e) {
    ++tally.refused;
    tally.last_refusal = e.what();
    return false;
  } catch (const plugin::PluginFailure& e) {
    failed(plugin::describe(e.outcome()));
  } catch (const ProblemError& e) {
    failed(std::string("threw: ") + e.what());
  }
  return false;
}

void gradcheck_property(const CheckContext& c, Tally& tally) {
  const std::optional<Problem> p = draw::problem(c, tally, kMaxInputElements);
  if (!p) return;
  const Geometry g = p->geometry();
  const std::vector<double> x = *gen::values(*p, g.input_elements());
  const std::vector<double> dy = *draw::gradients(*p, g.output_elements());
  const Implementation& impl = c.subject.implementation();
  gradcheck::GradcheckReport r;
  if (!guarded(*p, tally, [&] { r = gradcheck::check_backward(impl, *p, x, dy); })) return;
  if (!r.passed()) {
    Failure f{r.descriptor, "dx (gradcheck)", "", "", "", gradcheck::to_string(r)};
    if (r.first_mismatch) {
      const gradcheck::Mismatch& m = *r.first_mismatch;
      f.what = "dx (gradcheck, " + m.path + ")";
      f.element = proptest::locate(g, m.offset, false);
      std::ostringstream e, a;
      e.precision(17);
      a.precision(17);
      e << m.expected << " (exact derivative)";
      a << m.actual;
      f.expected = e.str();
      f.actual = a.str();
    }
    f.details += "\n  x = " + proptest::show_tensor(p->dtype(), gen::to_dtype_bytes(*p, x)) +
                 "\n  dy = " + proptest::show_tensor(p->dtype(), gen::to_dtype_bytes(*p, dy));
    fail(std::move(f));
  }
  const std::vector<double> v = *draw::gradients(*p, g.input_elements());
  gradcheck::AdjointReport a;
  if (!guarded(*p, tally, [&] { a = gradcheck::check_adjoint(impl, *p, x, v, dy); })) return;
  if (!a.passed) {
    std::ostringstream e, got;
    e.precision(17);
    got.precision(17);
    e << "<J v, u> = " << a.jv_dot_u;
    got << "<v, J^T u> = " << a.v_dot_jtu;
    fail({a.descriptor, "adjoint (gradcheck)", "", e.str(), got.str(), gradcheck::to_string(a)});
  }
}

}  // namespace

void add_gradcheck_check(Registry& registry) {
  registry.add(property_check(
      "gradcheck",
      "backward equals the exact derivative (168-bit finite differences of the reference) "
      "and <J v, u> == <v, J^T u>, on small problems",
      &gradcheck_property));
}

}  // namespace poolcheck::conformance
