// regression.<name>: one check per named regression of SEMANTICS.md section 3
// (vectors::regression_cases), each run forward and backward on its fixed data.
#include <algorithm>

#include "poolcheck/conformance/case_runner.hpp"
#include "poolcheck/conformance/checks.hpp"
#include "poolcheck/conformance/subject.hpp"
#include "vector_cases.hpp"

namespace poolcheck::conformance {
namespace {

// Regressions are posed in one dtype: f32 when claimed (every system has it).
DType regression_dtype(const Subject& subject) {
  const std::vector<DType>& dtypes = subject.claim().dtypes;
  if (dtypes.empty() || std::find(dtypes.begin(), dtypes.end(), DType::f32) != dtypes.end())
    return DType::f32;
  return dtypes.front();
}

CheckResult run_regression(const CheckContext& c, const std::string& name, int position) {
  CheckResult result;
  result.status = Status::skip;
  // Shards take regressions in turn, so N machines split them too.
  if (position % c.shard.count != c.shard.index) {
    result.note = "on shard " + std::to_string(position % c.shard.count) + "/" +
                  std::to_string(c.shard.count);
    return result;
  }
  const DType dtype = regression_dtype(c.subject);
  std::optional<vectors::RegressionCase> found;
  for (vectors::RegressionCase& r : vectors::regression_cases(c.profile, dtype))
    if (r.name == name) found = std::move(r);
  if (!found || !found->problem) {
    // The oracle rejects the problem (#25234 exists to be rejected), or the
    // profile cannot express it: nothing to run.
    result.note = "n/a: invalid problem: " +
                  (found && !found->rejected.empty()
                       ? found->rejected
                       : "not expressible under profile " + std::string(c.profile.name) + " in " +
                             std::string(dtype_name(dtype)));
    return result;
  }
  Problem p = *found->problem;
  std::string why;
  if (!c.subject.fit(p, &why)) {
    result.refused = 1;
    result.note = "skipped: refused: outside the claim: " + why;
    return result;
  }
  const vectors::CaseData data = vectors::case_data({name, found->covers, p, found->data}, c.seed);
  const CaseVerdict forward = forward_case(c.subject, p, data.x.data);
  // Backward after a failed forward would only repeat its finding.
  const CaseVerdict backward = forward.verdict == Verdict::fail
                                   ? CaseVerdict{}
                                   : backward_case(c.subject, p, data.x.data, data.dy.data);
  for (const CaseVerdict* v : {&forward, &backward})
    if (v->failure) result.failures.push_back(*v->failure);
  result.cases = forward.verdict == Verdict::refused ? 0 : 1;
  result.refused = forward.verdict == Verdict::refused ? 1 : 0;
  if (!result.failures.empty()) {
    result.status = Status::fail;
  } else if (forward.verdict == Verdict::refused) {
    result.note = "skipped: refused: " + forward.note;
  } else {
    // A refused backward (none claimed) leaves the forward verdict standing.
    result.status = Status::pass;
    if (backward.verdict == Verdict::refused) result.note = "backward not run: " + backward.note;
  }
  return result;
}

}  // namespace

void add_regression_checks(Registry& registry, const Subject& subject) {
  int position = 0;
  for (const vectors::RegressionCase& r :
       vectors::regression_cases(subject.profile(), regression_dtype(subject))) {
    registry.add(
        {"regression." + r.name, r.covers, [name = r.name, position](const CheckContext& c) {
           return run_regression(c, name, position);
         }});
    ++position;
  }
}

}  // namespace poolcheck::conformance
