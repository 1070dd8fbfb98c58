#include "property_support.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <string>

#include "poolcheck/visit_dtype.hpp"

namespace poolcheck::properties {
namespace {

// The need's entries that the claim allows (an empty claim allows all); an
// empty need leaves the claim as it is.
template <class T>
std::vector<T> intersect(const std::vector<T>& claim, const std::vector<T>& need) {
  if (need.empty()) return claim;
  if (claim.empty()) return need;
  std::vector<T> both;
  for (const T& v : need)
    if (std::find(claim.begin(), claim.end(), v) != claim.end()) both.push_back(v);
  return both;
}

}  // namespace

std::optional<gen::ProblemOptions> narrow(const gen::ProblemOptions& claim, const Need& need) {
  gen::ProblemOptions r = claim;
  r.profiles = intersect(claim.profiles, need.profiles);
  r.dtypes = intersect(claim.dtypes, need.dtypes);
  r.layouts = intersect(claim.layouts, need.layouts);
  r.ranks = intersect(claim.ranks, need.ranks);
  r.max_input_elements = std::min(claim.max_input_elements, need.max_input_elements);
  // intersect() returns an empty list only where both sides named entries.
  const bool emptied = (r.profiles.empty() && !need.profiles.empty()) ||
                       (r.dtypes.empty() && !need.dtypes.empty()) ||
                       (r.layouts.empty() && !need.layouts.empty()) || r.ranks.empty();
  if (emptied) return std::nullopt;
  return r;
}

void not_applicable(std::string_view why) { RC_TAG("not applicable: " + std::string(why)); }

std::vector<double> as_doubles(DType dtype, const Bytes& t) {
  std::vector<double> v(proptest::element_count(dtype, t));
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = proptest::element(dtype, t, i);
  return v;
}

bool same_bits(double a, double b) {
  return std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(b) ||
         (std::isnan(a) && std::isnan(b));
}

double lowest_of(DType dtype) {
  return visit_dtype(dtype, [&]<class T>(TypeTag<T>) {
    if constexpr (std::is_same_v<T, float16> || std::is_same_v<T, bfloat16>)
      return static_cast<double>(std::numeric_limits<T>::lowest().to_float());
    else
      return static_cast<double>(std::numeric_limits<T>::lowest());
  });
}

}  // namespace poolcheck::properties
