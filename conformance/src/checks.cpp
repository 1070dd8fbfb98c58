#include "poolcheck/conformance/checks.hpp"

#include <algorithm>
#include <stdexcept>

#include "draw.hpp"
#include "poolcheck/conformance/case_runner.hpp"
#include "poolcheck/conformance/subject.hpp"
#include "poolcheck/plugin_host.hpp"
#include "poolcheck/properties.hpp"

namespace poolcheck::conformance {

const char* status_word(Status status) noexcept {
  switch (status) {
    case Status::pass:
      return "PASS";
    case Status::skip:
      return "SKIP";
    case Status::fail:
      break;
  }
  return "FAIL";
}

std::uint64_t CheckContext::check_seed() const noexcept {
  // FNV-1a over the name, folded with the campaign seed and the shard index.
  std::uint64_t h = 1469598103934665603ull ^ seed;
  for (const char ch : check) h = (h ^ static_cast<unsigned char>(ch)) * 1099511628211ull;
  return (h ^ static_cast<std::uint64_t>(shard.index)) * 1099511628211ull;
}

int CheckContext::shard_cases() const noexcept {
  return cases / shard.count + (shard.index < cases % shard.count ? 1 : 0);
}

void Registry::add(Check check) {
  if (std::any_of(checks_.begin(), checks_.end(),
                  [&](const Check& c) { return c.name == check.name; }))
    throw std::invalid_argument("check " + check.name + " is registered twice");
  checks_.push_back(std::move(check));
}

namespace draw {

std::optional<Problem> problem(const CheckContext& context, Tally& tally,
                               std::int64_t max_input_elements) {
  gen::ProblemOptions options;
  options.profiles = {context.profile.name};
  options.dtypes = context.subject.claim().dtypes;
  options.ranks = context.subject.claim().ranks;
  options.max_input_elements = max_input_elements;
  Problem p = *gen::problem(options);
  std::string why;
  if (context.subject.fit(p, &why)) return p;
  ++tally.refused;
  tally.last_refusal = "outside the claim: " + why;
  return std::nullopt;
}

rc::Gen<std::vector<double>> gradients(const Problem& problem, std::int64_t count) {
  const bool floating = dtype_is_floating(problem.dtype());
  const int low = problem.dtype() == DType::u8 ? 0 : -8;
  return rc::gen::container<std::vector<double>>(
      static_cast<std::size_t>(count), rc::gen::map(rc::gen::inRange(low, 9), [floating](int k) {
        return floating ? k / 4.0 : static_cast<double>(k);
      }));
}

}  // namespace draw

namespace {

// Cases are bounded so that a plug-in call (a fork and a copy) stays cheap.
constexpr std::int64_t kMaxInputElements = 4096;

void record(const CaseVerdict& v, Tally& tally) {
  if (v.verdict == Verdict::refused) {
    ++tally.refused;
    tally.last_refusal = v.note;
  } else if (v.failure) {
    fail(*v.failure);
  }
}

void forward_property(const CheckContext& c, Tally& tally) {
  const std::optional<Problem> p = draw::problem(c, tally, kMaxInputElements);
  if (!p) return;
  const Bytes x = gen::to_dtype_bytes(*p, *gen::values(*p, p->geometry().input_elements()));
  record(forward_case(c.subject, *p, x), tally);
}

void backward_property(const CheckContext& c, Tally& tally) {
  const std::optional<Problem> p = draw::problem(c, tally, kMaxInputElements);
  if (!p) return;
  const Geometry g = p->geometry();
  const Bytes x = gen::to_dtype_bytes(*p, *gen::values(*p, g.input_elements()));
  const Bytes dy = gen::to_dtype_bytes(*p, *draw::gradients(*p, g.output_elements()));
  record(backward_case(c.subject, *p, x, dy), tally);
}

}  // namespace

void add_crosscheck_checks(Registry& registry) {
  registry.add(property_check("crosscheck.forward",
                              "random problems and data within the claim: y and argmax equal the "
                              "reference's bit for bit, where the profile specifies them",
                              &forward_property));
  registry.add(property_check("crosscheck.backward",
                              "random problems: dx from zero, with the implementation's own "
                              "argmax and recomputed from x, equals the reference's bit for bit",
                              &backward_property));
}

namespace {

// The subject's claim as the property library's options: problems are drawn
// only within it, and what it lacks (argmax, backward) is not checked.
properties::PropertyOptions claimed_options(const CheckContext& context) {
  const plugin::Claim& claim = context.subject.claim();
  properties::PropertyOptions options;
  options.problems.profiles = {context.profile.name};
  options.problems.dtypes = claim.dtypes;
  options.problems.layouts = claim.layouts;
  options.problems.ranks = claim.ranks;
  options.argmax = claim.argmax;
  options.backward = claim.backward;
  // Built-ins run in-process and add into dx; plug-ins start from zero.
  options.accumulates_into_dx = !context.subject.isolated();
  options.relax_open = context.subject.isolated();
  return options;
}

}  // namespace

void add_property_checks(Registry& registry) {
  // The properties of the definition (proptests' library, the same code the
  // property tests run on the reference and fast/), one check each. A problem
  // the subject refuses is counted, not failed.
  for (const properties::NamedProperty& property : properties::definition_properties()) {
    // crosscheck.forward/backward are this comparison under the profile's
    // open behaviours; the strict form is for fast/ in the property tests.
    if (property.name == "equals_reference_bitwise") continue;
    const properties::PropertyFunction run = property.run;
    registry.add(property_check("property." + std::string(property.name),
                                std::string(property.description),
                                [run](const CheckContext& context, Tally& tally) {
                                  try {
                                    run(context.subject.implementation(), claimed_options(context));
                                  } catch (const plugin::UnsupportedProblem& refused) {
                                    ++tally.refused;
                                    tally.last_refusal = refused.what();
                                  }
                                }));
  }
}

Registry default_registry(const Subject& subject) {
  Registry registry;
  add_crosscheck_checks(registry);
  add_gradcheck_check(registry);
  add_regression_checks(registry, subject);
  add_property_checks(registry);
  return registry;
}

}  // namespace poolcheck::conformance
