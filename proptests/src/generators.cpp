#include "poolcheck/generators.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <optional>
#include <ostream>
#include <stdexcept>

#include "poolcheck/descriptor.hpp"
#include "poolcheck/error.hpp"
#include "poolcheck/half.hpp"
#include "poolcheck/visit_dtype.hpp"

namespace poolcheck::gen {
namespace {

// Channel counts next to common SIMD widths (4, 8, 16, 32, 64 lanes), where
// vector main loops hand over to their tails.
constexpr std::int64_t kChannelCounts[] = {1,  2,  3,  4,  5,  7,  8,  9, 15,
                                           16, 17, 31, 32, 33, 63, 64, 65};

// Largest spatial size per axis so that one image plane stays within the
// element budget whatever the rank (and small enough to print when shrunk).
std::int64_t axis_cap(int rank, std::int64_t max_elements) {
  const std::int64_t preferred = rank == 1 ? 40 : rank == 2 ? 16 : 8;
  std::int64_t cap = 1;
  while (cap < preferred) {
    std::int64_t volume = 1;
    for (int i = 0; i < rank; ++i) volume *= cap + 1;
    if (volume > max_elements) break;
    ++cap;
  }
  return cap;
}

struct AxisPlan {
  std::int64_t in, kernel, stride, dilation, pad_begin, pad_end;
};

// One spatial axis, valid by construction: the (dilated) window always fits
// the padded input, pads obey the profile's rules. Pads may exceed the window
// span so that whole windows lie in padding.
AxisPlan axis_plan(const ProfileRules& rules, Padding mode, std::int64_t cap) {
  AxisPlan a{};
  a.kernel = *rc::gen::inRange<std::int64_t>(1, std::min<std::int64_t>(cap, 5) + 1);
  std::int64_t max_dilation = 1;
  if (rules.dilation && a.kernel > 1)
    max_dilation = std::clamp<std::int64_t>((cap - 1) / (a.kernel - 1), 1, 3);
  a.dilation = *rc::gen::inRange<std::int64_t>(1, max_dilation + 1);
  const std::int64_t span = (a.kernel - 1) * a.dilation + 1;
  // Stride up to kernel + 2: windows that skip cells as well as overlap.
  a.stride = *rc::gen::inRange<std::int64_t>(1, a.kernel + 3);
  a.pad_begin = a.pad_end = 0;
  if (mode == Padding::explicit_pads && rules.explicit_padding) {
    const std::int64_t max_pad = rules.pad_at_most_half_kernel ? a.kernel / 2 : span + 1;
    a.pad_begin = *rc::gen::inRange<std::int64_t>(0, max_pad + 1);
    a.pad_end =
        rules.asymmetric_padding ? *rc::gen::inRange<std::int64_t>(0, max_pad + 1) : a.pad_begin;
  }
  std::int64_t min_in = 1;
  if (mode == Padding::valid) min_in = span;
  if (mode == Padding::explicit_pads)
    min_in = std::max<std::int64_t>(1, span - a.pad_begin - a.pad_end);
  // Often exactly the smallest input (kernel equal to the image, or larger
  // than it and covered by padding), otherwise anything up to the cap.
  a.in = *rc::gen::weightedOneOf<std::int64_t>(
      {{1, rc::gen::just(min_in)}, {3, rc::gen::inRange<std::int64_t>(min_in, cap + 1)}});
  return a;
}

std::vector<Padding> allowed_paddings(const ProfileRules& rules) {
  std::vector<Padding> modes;
  // Explicit pads of zero are always allowed (TensorFlow VALID written out).
  modes.push_back(Padding::explicit_pads);
  if (rules.valid_padding) modes.push_back(Padding::valid);
  if (rules.same_upper_padding) modes.push_back(Padding::same_upper);
  if (rules.same_lower_padding) modes.push_back(Padding::same_lower);
  return modes;
}

// The limits of the dtype, as doubles that convert back exactly.
template <class T>
double as_double(T v) {
  if constexpr (std::is_same_v<T, float16> || std::is_same_v<T, bfloat16>)
    return static_cast<double>(v.to_float());
  else
    return static_cast<double>(v);
}

struct ValueRange {
  std::int64_t tie_lo, tie_hi;    // small lattice range: heavy ties
  std::int64_t wide_lo, wide_hi;  // wide range: mostly distinct
  double unit;                    // lattice step (k * unit)
  std::vector<double> specials;
};

ValueRange value_range(DType dtype) {
  return visit_dtype(dtype, [&]<class T>(TypeTag<T>) {
    using L = std::numeric_limits<T>;
    ValueRange r{};
    if constexpr (std::is_integral_v<T>) {
      r.tie_lo = std::is_signed_v<T> ? -3 : 0;
      r.tie_hi = r.tie_lo + 6;
      r.wide_lo = L::lowest();
      r.wide_hi = L::max();
      r.unit = 1.0;
      r.specials = {as_double(L::lowest()), as_double(L::max()), 0.0};
    } else {
      r.tie_lo = -8;
      r.tie_hi = 8;
      // k/4 must be exact: bfloat16 has 8 significant bits, the others 11+.
      const std::int64_t half_range = std::is_same_v<T, bfloat16> ? 256 : 2048;
      r.wide_lo = -half_range;
      r.wide_hi = half_range - 1;
      r.unit = 0.25;
      const double nan = std::numeric_limits<double>::quiet_NaN();
      const double inf = std::numeric_limits<double>::infinity();
      const double tiny = as_double(L::denorm_min());
      // NaN is listed three times: it is the special value most rules are about.
      r.specials = {nan,
                    nan,
                    nan,
                    inf,
                    -inf,
                    -0.0,
                    0.0,
                    tiny,
                    -tiny,
                    3 * tiny,
                    as_double(L::lowest()),
                    as_double(L::max())};
    }
    return r;
  });
}

rc::Gen<double> lattice(std::int64_t lo, std::int64_t hi, double unit) {
  return rc::gen::map(rc::gen::inRange<std::int64_t>(lo, hi + 1),
                      [unit](std::int64_t k) { return static_cast<double>(k) * unit; });
}

// double -> float rounded to nearest like the hardware, but without the
// undefined behaviour of converting a value beyond float's range (metamorphic
// maps such as 2x can leave it): such values round to max or to infinity.
float narrow_to_float(double v) {
  constexpr double kMax = std::numeric_limits<float>::max();
  constexpr double kRoundsToInfinity = 0x1.ffffffp+127;  // max + half an ulp
  if (std::isfinite(v) && std::abs(v) > kMax)
    return static_cast<float>(std::copysign(
        std::abs(v) >= kRoundsToInfinity ? std::numeric_limits<double>::infinity() : kMax, v));
  return static_cast<float>(v);
}

enum class Spread { ties, wide, distinct, constant };
enum class Specials { none, sparse, dense };
enum class Region { none, nan_window, nan_plane, nan_everything, neg_zero_pairs };

}  // namespace

rc::Gen<Problem> problem(const ProblemOptions& options) {
  std::vector<const Profile*> profiles;
  if (options.profiles.empty()) {
    for (const Profile& p : all_profiles()) profiles.push_back(&p);
  } else {
    for (const std::string_view name : options.profiles) profiles.push_back(&profile_by_name(name));
  }
  std::vector<DType> dtypes = options.dtypes;
  if (dtypes.empty()) dtypes.assign(std::begin(kAllDTypes), std::end(kAllDTypes));
  std::vector<Layout> layouts = options.layouts;
  if (layouts.empty()) layouts = {Layout::channels_last, Layout::channels_first};
  std::vector<int> ranks = options.ranks;
  for (const int r : ranks)
    if (r < 1 || r > kMaxRank) throw ProblemError("ranks", std::to_string(r), "must be 1 to 3");
  if (ranks.empty() || options.max_input_elements < 1)
    throw ProblemError("max_input_elements", std::to_string(options.max_input_elements),
                       "needs at least one rank and one element");
  const std::int64_t budget = options.max_input_elements;

  // Shape first, each pick depending on the previous ones, so that shrinking
  // simplifies the shape (and the later data) while staying valid.
  return rc::gen::exec([=] {
    const Profile& profile = **rc::gen::elementOf(profiles);
    const ProfileRules& rules = profile.rules;
    const int rank = *rc::gen::elementOf(ranks);
    const Padding mode = *rc::gen::elementOf(allowed_paddings(rules));
    const bool ceil = rules.ceil_mode && *rc::gen::arbitrary<bool>();
    const std::int64_t cap = axis_cap(rank, budget);

    std::vector<std::int64_t> in, kernel, stride, dilation, pad_begin, pad_end;
    std::int64_t plane = 1;
    for (int a = 0; a < rank; ++a) {
      const AxisPlan p = axis_plan(rules, mode, cap);
      in.push_back(p.in);
      kernel.push_back(p.kernel);
      stride.push_back(p.stride);
      dilation.push_back(p.dilation);
      pad_begin.push_back(p.pad_begin);
      pad_end.push_back(p.pad_end);
      plane *= p.in;
    }
    const std::int64_t max_batch = std::clamp<std::int64_t>(budget / plane, 1, 3);
    const std::int64_t batch = *rc::gen::inRange<std::int64_t>(1, max_batch + 1);
    std::vector<std::int64_t> channel_choices;
    for (const std::int64_t c : kChannelCounts)
      if (c == 1 || batch * c * plane <= budget) channel_choices.push_back(c);
    // By index, so that shrinking walks towards one channel; at full size so
    // that the wide SIMD counts stay as likely in small early cases.
    const std::int64_t channels = channel_choices[*rc::gen::resize(
        rc::kNominalSize, rc::gen::inRange<std::size_t>(0, channel_choices.size()))];

    Problem problem;
    problem.profile(profile.name)
        .dtype(*rc::gen::elementOf(dtypes))
        .layout(*rc::gen::elementOf(layouts))
        .batch(batch)
        .channels(channels)
        .input_size(in)
        .kernel(kernel)
        .stride(stride)
        .padding(mode)
        .ceil_mode(ceil);
    if (rules.dilation) problem.dilation(dilation);
    if (mode == Padding::explicit_pads) problem.pad_begin(pad_begin).pad_end(pad_end);
    return problem;
  });
}

rc::Gen<std::vector<double>> values(const Problem& problem, std::int64_t count) {
  const ValueRange range = value_range(problem.dtype());
  const bool floating = dtype_is_floating(problem.dtype());
  const auto size = static_cast<std::size_t>(count);
  // Geometry only when these are the input, so regions can follow windows.
  std::optional<Geometry> geometry;
  if (const Geometry g = problem.geometry(); g.input_elements() == count) geometry = g;

  return rc::gen::exec([=] {
    const Spread spread = *rc::gen::weightedElement<Spread>(
        {{3, Spread::ties}, {3, Spread::wide}, {2, Spread::distinct}, {1, Spread::constant}});
    // Special values scattered over the data: none, about 1 in 16, or half.
    const Specials specials = *rc::gen::weightedElement<Specials>(
        {{3, Specials::none}, {3, Specials::sparse}, {1, Specials::dense}});
    const int special_weight = specials == Specials::none ? 0 : 1;
    const int plain_weight = specials == Specials::sparse ? 15 : 1;
    const auto with_specials = [&](rc::Gen<double> plain) {
      if (special_weight == 0) return plain;
      return rc::gen::weightedOneOf<double>(
          {{plain_weight, std::move(plain)}, {special_weight, rc::gen::elementOf(range.specials)}});
    };

    std::vector<double> v(size);
    switch (spread) {
      case Spread::ties:
        v = *rc::gen::container<std::vector<double>>(
            size, with_specials(lattice(range.tie_lo, range.tie_hi, range.unit)));
        break;
      case Spread::wide:
        v = *rc::gen::container<std::vector<double>>(
            size, with_specials(lattice(range.wide_lo, range.wide_hi, range.unit)));
        break;
      case Spread::distinct: {
        // The lattice range has a power-of-two length m, and an odd multiplier
        // permutes Z/m: a*i+b mod m differs for every i < m.
        const auto m = static_cast<std::uint64_t>(range.wide_hi - range.wide_lo + 1);
        const std::uint64_t a = 2 * *rc::gen::inRange<std::uint64_t>(0, m / 2) + 1;
        const std::uint64_t b = *rc::gen::inRange<std::uint64_t>(0, m);
        for (std::size_t i = 0; i < size; ++i)
          v[i] = static_cast<double>(static_cast<std::int64_t>((a * i + b) % m) + range.wide_lo) *
                 range.unit;
        break;
      }
      case Spread::constant:
        std::fill(v.begin(), v.end(), *lattice(range.tie_lo, range.tie_hi, range.unit));
        break;
    }

    // Whole regions that a scattered choice would almost never produce.
    if (geometry && size > 0) {
      const Geometry& g = *geometry;
      const Region region = *rc::gen::weightedElement<Region>({{6, Region::none},
                                                               {2, Region::nan_window},
                                                               {1, Region::nan_plane},
                                                               {1, Region::nan_everything},
                                                               {1, Region::neg_zero_pairs}});
      const double nan = std::numeric_limits<double>::quiet_NaN();
      const std::int64_t n = *rc::gen::inRange<std::int64_t>(0, g.batch);
      const std::int64_t c = *rc::gen::inRange<std::int64_t>(0, g.channels);
      switch (region) {
        case Region::none:
          break;
        case Region::nan_window: {
          if (!floating) break;
          Dims o{};
          for (int a = 0; a < kMaxRank; ++a) o[a] = *rc::gen::inRange<std::int64_t>(0, g.out[a]);
          Dims tap{};
          for (tap[0] = 0; tap[0] < g.kernel[0]; ++tap[0])
            for (tap[1] = 0; tap[1] < g.kernel[1]; ++tap[1])
              for (tap[2] = 0; tap[2] < g.kernel[2]; ++tap[2])
                if (const Dims p = g.tap_position(o, tap); g.inside(p))
                  v[static_cast<std::size_t>(g.input_offset(n, c, p))] = nan;
          break;
        }
        case Region::nan_plane: {
          if (!floating) break;
          Dims p{};
          for (p[0] = 0; p[0] < g.in[0]; ++p[0])
            for (p[1] = 0; p[1] < g.in[1]; ++p[1])
              for (p[2] = 0; p[2] < g.in[2]; ++p[2])
                v[static_cast<std::size_t>(g.input_offset(n, c, p))] = nan;
          break;
        }
        case Region::nan_everything:
          if (floating) std::fill(v.begin(), v.end(), nan);
          break;
        case Region::neg_zero_pairs:
          // -0.0 and +0.0 side by side and as the largest values: their tie
          // must go to the first in scan order, and its sign must survive.
          if (!floating) break;
          for (std::size_t i = 0; i < size; ++i)
            if (v[i] > 0 || std::isnan(v[i])) v[i] = (i % 2 == 0) ? -0.0 : 0.0;
          break;
      }
    }
    return v;
  });
}

std::vector<std::byte> to_dtype_bytes(const Problem& problem, std::span<const double> values) {
  return visit_dtype(problem.dtype(), [&]<class T>(TypeTag<T>) {
    std::vector<std::byte> bytes(values.size() * sizeof(T));
    for (std::size_t i = 0; i < values.size(); ++i) {
      T element{};
      if constexpr (std::is_same_v<T, float16> || std::is_same_v<T, bfloat16>) {
        element = T::from_float(narrow_to_float(values[i]));
      } else if constexpr (std::is_integral_v<T>) {
        const double v = values[i];
        if (!(v >= std::numeric_limits<T>::lowest() && v <= std::numeric_limits<T>::max()))
          throw ProblemError("values[" + std::to_string(i) + "]", std::to_string(v),
                             "not representable in " + std::string(dtype_name(problem.dtype())));
        element = static_cast<T>(v);
      } else if constexpr (std::is_same_v<T, float>) {
        element = narrow_to_float(values[i]);
      } else {
        element = values[i];
      }
      std::memcpy(bytes.data() + i * sizeof(T), &element, sizeof(T));
    }
    return bytes;
  });
}

}  // namespace poolcheck::gen

namespace poolcheck {

void showValue(const Problem& problem, std::ostream& os) {
  try {
    os << to_descriptor(problem);
  } catch (const ProblemError& e) {
    os << "<invalid problem: " << e.what() << ">";
  }
}

}  // namespace poolcheck
