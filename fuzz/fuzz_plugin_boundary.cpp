// What poolcheck does with an implementation's OUTPUTS, which it must not
// trust: argmax values decoded for the gradient and the report, the host's
// reading of a plug-in's status and message, the gradient it accumulates, and
// the window-by-window comparison that reads foreign y/argmax/dx. The bytes
// play the plug-in: every value it "returns" is fuzzed.
#include <algorithm>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "abi_call.hpp"  // plugin/src: the host's call and message handling
#include "fake_plugin.h"
#include "fuzz_problem.hpp"
#include "poolcheck/argmax_index.hpp"
#include "poolcheck/fast.hpp"
#include "poolcheck/plugin_host.hpp"
#include "poolcheck/reference.hpp"
#include "poolcheck/visit_dtype.hpp"
#ifdef POOLCHECK_FUZZ_HAVE_VECTORS
#include "verify_compare.hpp"
#endif

namespace poolcheck::fuzz {
namespace {

// An argmax a broken plug-in might return: the edges of every range the
// decoder checks, or raw bits.
std::int64_t draw_argmax(FuzzedDataProvider& in, const Geometry& g) {
  const std::int64_t near[] = {-1,
                               -2,
                               0,
                               g.kernel_volume(),
                               g.input_plane(),
                               g.input_elements(),
                               g.in_batch_stride,
                               g.channels,
                               std::numeric_limits<std::int64_t>::min(),
                               std::numeric_limits<std::int64_t>::max()};
  if (in.ConsumeBool()) return in.ConsumeIntegral<std::int64_t>();
  // Wrapping add (in unsigned), so that INT64_MIN - 1 is INT64_MAX, not UB.
  const std::int64_t base = near[in.ConsumeIntegralInRange<std::size_t>(0, std::size(near) - 1)];
  const std::int64_t delta = in.ConsumeIntegralInRange<std::int64_t>(-2, 2);
  return static_cast<std::int64_t>(static_cast<std::uint64_t>(base) +
                                   static_cast<std::uint64_t>(delta));
}

// decode_argmax: an accepted index must name a cell of the window's own
// (n, c) plane, so the gradient cannot land in another image or channel.
void check_decode(const Problem& p, const Geometry& g, std::span<const std::int64_t> argmax) {
  std::size_t i = 0;
  for (std::int64_t n = 0; n < g.batch; ++n)
    for (std::int64_t c = 0; c < g.channels; ++c)
      reference::for_each_position(g.out, [&](const Dims& o) {
        const std::int64_t index = argmax[static_cast<std::size_t>(g.output_offset(n, c, o))];
        ++i;
        std::optional<std::int64_t> at;
        try {
          at = decode_argmax(g, p.conventions(), n, c, o, index);
        } catch (const ProblemError&) {
          return;
        }
        if (!at) return;
        const bool in_range = *at >= 0 && *at < g.input_elements();
        const std::int64_t found_n = in_range ? *at / g.in_batch_stride : -1;
        // channels-last: c is the offset modulo C; channels-first: the
        // quotient by the plane, already below C.
        const std::int64_t found_c =
            in_range ? (*at % g.in_batch_stride) / g.in_channel_stride % g.channels : -1;
        if (found_n != n || found_c != c)
          fail(p, "decode_argmax(" + std::to_string(index) + ") for (n, c) = (" +
                      std::to_string(n) + ", " + std::to_string(c) + ") gave offset " +
                      std::to_string(*at));
      });
}

// Backward from a hostile stored argmax: the reference must throw ProblemError
// or scatter in bounds (ASan watches), and fast/ must agree with it exactly.
template <class T>
void check_backward(const Problem& p, std::span<const std::int64_t> argmax, std::span<const T> dy,
                    std::size_t in_n) {
  std::vector<T> dx_ref(in_n), dx_fast(in_n);
  bool ref_threw = false, fast_threw = false;
  try {
    reference::backward<T>(p, argmax, dy, dx_ref);
  } catch (const ProblemError&) {
    ref_threw = true;
  }
  try {
    fast::backward<T>(p, argmax, dy, dx_fast, fast::Options{"portable", 1});
  } catch (const ProblemError&) {
    fast_threw = true;
  }
  if (ref_threw != fast_threw)
    fail(p, std::string("hostile argmax: reference ") + (ref_threw ? "threw" : "accepted") +
                ", fast " + (fast_threw ? "threw" : "accepted"));
  if (!ref_threw && !same_bits<T>(dx_ref, dx_fast))
    fail(p, "hostile argmax accepted, but reference and fast dx differ");
}

// ---- A plug-in made of fuzzer bytes (fake_plugin.c) ----------------------

struct FakeOutputs {
  int status = PC_OK;
  std::string message;
  std::vector<std::byte> y;
  std::vector<std::int64_t> argmax;

  void install() const {
    fuzz_fake = {status,   message.data(), message.size(), y.data(),
                 y.size(), argmax.data(),  argmax.size()};
  }
};

// The host's reading of status and message: the message is cut at the first
// NUL or the capacity, and the status decides the exception type.
void check_call(const Problem& p, const FakeOutputs& fake, const plugin::AbiProblem& abi,
                std::span<std::byte> y, std::span<std::int64_t> argmax) {
  fake.install();
  pc_plugin table{};
  table.forward = fuzz_fake_forward;
  const plugin::detail::CallResult r =
      plugin::detail::call_forward(table, abi.problem, nullptr, y.data(), argmax.data());
  if (r.status != fake.status) fail(p, "host changed the plug-in's status");
  std::string want;
  if (r.status != PC_OK) {
    const std::size_t n = std::min(fake.message.size(), plugin::detail::kMessageCapacity);
    want.assign(fake.message.data(), strnlen(fake.message.data(), n));
  }
  if (r.message != want) fail(p, "host read the plug-in's message wrongly");
  try {
    plugin::detail::throw_unless_ok(r, "fuzz", "forward");
    if (r.status != PC_OK) fail(p, "status " + std::to_string(r.status) + " did not throw");
  } catch (const plugin::UnsupportedProblem&) {
    if (r.status != PC_UNSUPPORTED) fail(p, "status " + std::to_string(r.status) + " = refused");
  } catch (const std::runtime_error&) {
    if (r.status == PC_OK || r.status == PC_UNSUPPORTED)
      fail(p, "status " + std::to_string(r.status) + " = failure");
  }
}

// accumulate_gradient: dx += the plug-in's gradient, or a bit copy into an
// all-zero-bits dx.
template <class T>
void check_accumulate(const Problem& p, std::span<const T> gradient, std::vector<T> dx) {
  const std::vector<T> before = dx;
  const auto before_bytes = std::as_bytes(std::span(before));
  const bool zero = std::all_of(before_bytes.begin(), before_bytes.end(),
                                [](std::byte b) { return b == std::byte{0}; });
  plugin::detail::accumulate_gradient(p.dtype(), std::as_bytes(gradient),
                                      MutableBuffer::of(p.dtype(), std::span<T>(dx)));
  for (std::size_t i = 0; i < dx.size(); ++i) {
    const T want = zero ? gradient[i] : ScalarTraits<T>::add(before[i], gradient[i]);
    if (!same_bits<T>(std::span(&dx[i], 1), std::span(&want, 1)))
      fail(p, "accumulate_gradient element " + std::to_string(i));
  }
}

template <class T>
void check(const Problem& p, FuzzedDataProvider& in) {
  const Geometry g = p.geometry();
  const auto in_n = static_cast<std::size_t>(g.input_elements());
  const auto out_n = static_cast<std::size_t>(g.output_elements());
  const std::vector<T> x = draw_values<T>(in, in_n);
  const std::vector<T> dy = draw_values<T>(in, out_n);

  // The true answer, and a foreign one: some outputs kept, some fuzzed.
  std::vector<T> y_ref(out_n);
  std::vector<std::int64_t> a_ref(out_n);
  reference::forward<T>(p, x, y_ref, a_ref);
  FakeOutputs fake;
  const int keep = in.ConsumeIntegralInRange<int>(0, 3);  // 0: all fuzzed ... 3: all true
  std::vector<T> y_foreign = keep == 3 ? y_ref : draw_values<T>(in, out_n);
  fake.argmax = a_ref;
  for (std::int64_t& a : fake.argmax)
    if (keep < 2 || in.ConsumeIntegralInRange<int>(0, 7) == 0) a = draw_argmax(in, g);
  fake.y.assign(reinterpret_cast<const std::byte*>(y_foreign.data()),
                reinterpret_cast<const std::byte*>(y_foreign.data() + out_n));
  fake.status =
      in.ConsumeBool() ? in.ConsumeIntegralInRange<int>(-1, 3) : in.ConsumeIntegral<int>();
  fake.message = in.ConsumeRandomLengthString(plugin::detail::kMessageCapacity + 8);

  std::vector<T> y_got(out_n);
  std::vector<std::int64_t> a_got(out_n);
  check_call(p, fake, plugin::to_abi(p), std::as_writable_bytes(std::span(y_got)), a_got);

  check_decode(p, g, a_got);
  check_backward<T>(p, a_got, dy, in_n);
  const std::vector<T> gradient = draw_values<T>(in, in_n);
  check_accumulate<T>(p, gradient,
                      in.ConsumeBool() ? std::vector<T>(in_n) : draw_values<T>(in, in_n));

#ifdef POOLCHECK_FUZZ_HAVE_VECTORS
  // The verify report on foreign outputs: never crashes, and in strict mode
  // every differing bit is reported.
  std::vector<T> dx_ref(in_n);
  reference::backward<T>(p, a_ref, dy, dx_ref);
  const npy::ElementType et = npy::to_element_type(p.dtype());
  const auto in_shape = vectors::tensor_shape(p, g.in), out_shape = vectors::tensor_shape(p, g.out);
  const vectors::Expected expected{npy::make_array(et, in_shape, x),
                                   npy::make_array(et, out_shape, y_ref),
                                   npy::make_array(npy::ElementType::i64, out_shape, a_ref),
                                   npy::make_array(et, in_shape, dx_ref)};
  const vectors::Actual actual{npy::make_array(et, out_shape, y_got),
                               npy::make_array(npy::ElementType::i64, out_shape, a_got),
                               npy::make_array(et, in_shape, gradient)};
  const bool strict = in.ConsumeBool();
  const vectors::Windows windows = vectors::classify(p, expected.x, strict);
  const vectors::Comparison result = vectors::compare(p, windows, expected, actual);
  const bool differs = !(*actual.y == expected.y) || !(*actual.argmax == expected.argmax) ||
                       !(*actual.dx == expected.dx);
  if (strict && differs != !result.problems.empty())
    fail(p, std::string("strict compare ") +
                (differs ? "missed a difference" : "reported equal arrays"));
#endif
}

}  // namespace
}  // namespace poolcheck::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace poolcheck;
  FuzzedDataProvider in(data, size);
  const std::optional<Problem> p = fuzz::draw_problem(in);
  if (!p) return 0;
  try {
    visit_dtype(p->dtype(), [&]<class T>(TypeTag<T>) { fuzz::check<T>(*p, in); });
  } catch (const std::exception& e) {
    // Hostile outputs are caught where expected above; anything escaping is a
    // crash of the host in real use.
    fuzz::fail(*p, std::string("uncaught exception: ") + e.what());
  }
  return 0;
}
