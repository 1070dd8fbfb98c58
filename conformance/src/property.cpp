#include "poolcheck/conformance/property.hpp"

#include <rapidcheck.h>

#include <algorithm>
#include <optional>

#include "poolcheck/conformance/case_runner.hpp"

namespace poolcheck::conformance {
namespace {

// Cases per RapidCheck run: small enough that the time budget can stop a check
// soon, large enough that each run ramps the size from tiny to full.
constexpr int kBatch = 25;

// The running property's bookkeeping, reached from fail() and the listener.
struct RunState {
  std::optional<Failure> last_failure;  // the last one recorded is the shrunk one
  bool shrinking = false;               // refusals while shrinking are not counted
};
thread_local RunState* current = nullptr;

// Silent, and marks the start of shrinking (the first failed case).
class Listener final : public rc::detail::TestListener {
 public:
  void onTestCaseFinished(const rc::detail::CaseDescription& d) override {
    if (current && d.result.type == rc::detail::CaseResult::Type::Failure)
      current->shrinking = true;
  }
  void onShrinkTried(const rc::detail::CaseDescription&, bool) override {}
  void onTestFinished(const rc::detail::TestMetadata&, const rc::detail::TestResult&) override {}
};

std::uint64_t mix(std::uint64_t a, std::uint64_t b) {
  std::uint64_t z = a + 0x9e3779b97f4a7c15ull * (b + 1);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

// A failure from RC_ASSERT/RC_FAIL (no fail() call): the description and the
// shrunk counterexample as RapidCheck shows them (a Problem shows as its
// descriptor, generators.hpp).
Failure from_rapidcheck(const rc::detail::FailureResult& r) {
  Failure f;
  f.what = "property";
  f.expected = "the property to hold";
  f.actual = r.description;
  for (const auto& [type, value] : r.counterExample) {
    if (f.descriptor.empty() && type.find("Problem") != std::string::npos) f.descriptor = value;
    f.details += type + " = " + value + "\n";
  }
  f.details += r.description;
  return f;
}

}  // namespace

void fail(Failure failure) {
  std::string text = to_text(failure);
  if (current) current->last_failure = std::move(failure);
  RC_FAIL(text);
  __builtin_unreachable();  // RC_FAIL throws
}

CheckResult run_property(const CheckContext& context, PropertyBody body) {
  CheckResult result;
  Tally tally;
  RunState state;
  Listener listener;
  const int total = context.shard_cases();
  int batch = 0;
  int done = 0;  // cases RapidCheck ran (refused ones included)
  for (; done < total; ++batch) {
    if (context.out_of_time()) {
      result.note = "time budget reached after " + std::to_string(done) + " of " +
                    std::to_string(total) + " cases";
      break;
    }
    const int n = std::min(kBatch, total - done);
    rc::detail::TestParams params;
    params.seed = mix(context.check_seed(), static_cast<std::uint64_t>(batch));
    params.maxSuccess = n;
    params.maxSize = 100;
    state = {};
    Tally batch_tally;
    current = &state;
    const rc::detail::TestResult r =
        rc::detail::checkProperty(rc::detail::toProperty([&] {
                                    Tally t;
                                    body(context, t);
                                    if (!state.shrinking) {
                                      batch_tally.refused += t.refused;
                                      if (!t.last_refusal.empty())
                                        batch_tally.last_refusal = t.last_refusal;
                                    }
                                  }),
                                  rc::detail::TestMetadata{context.check, ""}, params, listener);
    current = nullptr;
    tally.refused += batch_tally.refused;
    if (!batch_tally.last_refusal.empty()) tally.last_refusal = batch_tally.last_refusal;

    rc::detail::SuccessResult success;
    rc::detail::FailureResult failure;
    rc::detail::GaveUpResult gave_up;
    rc::detail::Error error;
    if (r.match(success)) {
      done += success.numSuccess;
    } else if (r.match(failure)) {
      done += failure.numSuccess + 1;
      result.failures.push_back(state.last_failure ? *state.last_failure
                                                   : from_rapidcheck(failure));
      break;  // one minimal counterexample per check
    } else if (r.match(gave_up)) {
      result.note = "gave up: " + gave_up.description;
      break;
    } else if (r.match(error)) {
      result.failures.push_back({"", "property", "", "a property that runs", error.description,
                                 "RapidCheck error: " + error.description});
      break;
    }
  }
  result.refused = tally.refused;
  result.cases = std::max<std::int64_t>(0, done - tally.refused);
  if (!result.failures.empty()) {
    result.status = Status::fail;
  } else if (done > 0 && result.cases == 0) {
    result.status = Status::skip;
    result.note = "skipped: refused: every case (" + tally.last_refusal + ")";
  } else {
    result.status = Status::pass;
  }
  return result;
}

Check property_check(std::string name, std::string description, PropertyBody body) {
  return {std::move(name), std::move(description),
          [body](const CheckContext& context) { return run_property(context, body); }};
}

}  // namespace poolcheck::conformance
