// fast/ against the reference: a small valid problem and its data from the
// bytes, forward (values and argmax) and backward (from the stored argmax and
// from x) on every dispatch target; any bit that differs is a finding.
#include <string>
#include <vector>

#include "fuzz_problem.hpp"
#include "poolcheck/fast.hpp"
#include "poolcheck/reference.hpp"
#include "poolcheck/visit_dtype.hpp"

namespace poolcheck::fuzz {
namespace {

template <class T>
void check(const Problem& p, FuzzedDataProvider& in) {
  const Geometry g = p.geometry();
  const auto in_n = static_cast<std::size_t>(g.input_elements());
  const auto out_n = static_cast<std::size_t>(g.output_elements());
  const std::vector<T> x = draw_values<T>(in, in_n);
  const std::vector<T> dy = draw_values<T>(in, out_n);
  // Backward adds into dx; a non-zero start checks the accumulation too.
  const std::vector<T> dx0 = in.ConsumeBool() ? draw_values<T>(in, in_n) : std::vector<T>(in_n);
  // Threads split (n, c) planes; the bits must not depend on their number.
  const int threads = in.ConsumeIntegralInRange<int>(1, 3);

  std::vector<T> y_ref(out_n);
  std::vector<std::int64_t> a_ref(out_n);
  reference::forward<T>(p, x, y_ref, a_ref);
  std::vector<T> dx_ref = dx0, dx_ref_x = dx0;
  reference::backward<T>(p, a_ref, dy, dx_ref);
  reference::backward_from_input<T>(p, x, dy, dx_ref_x);

  for (const std::string& target : fast::available_targets()) {
    const fast::Options options{target, threads};
    const std::string on = " (target " + target + ", threads " + std::to_string(threads) + ")";
    std::vector<T> y(out_n);
    std::vector<std::int64_t> a(out_n);
    fast::forward<T>(p, x, y, a, options);
    if (!same_bits<T>(y, y_ref)) fail(p, "forward y differs" + on);
    if (a != a_ref) fail(p, "forward argmax differs" + on);
    std::vector<T> dx = dx0;
    fast::backward<T>(p, a_ref, dy, dx, options);
    if (!same_bits<T>(dx, dx_ref)) fail(p, "backward (stored argmax) dx differs" + on);
    dx = dx0;
    fast::backward_from_input<T>(p, x, dy, dx, options);
    if (!same_bits<T>(dx, dx_ref_x)) fail(p, "backward_from_input dx differs" + on);
  }
}

}  // namespace
}  // namespace poolcheck::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace poolcheck;
  FuzzedDataProvider in(data, size);
  const std::optional<Problem> p = fuzz::draw_problem(in);
  if (!p) return 0;
  // A valid problem must be accepted by both: any exception is a finding.
  try {
    visit_dtype(p->dtype(), [&]<class T>(TypeTag<T>) { fuzz::check<T>(*p, in); });
  } catch (const std::exception& e) {
    fuzz::fail(*p, std::string("a valid problem threw: ") + e.what());
  }
  return 0;
}
