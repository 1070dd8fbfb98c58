// Shared by the harnesses: turning fuzzer bytes into a small valid pooling
// problem and element values that exercise the interesting cases (NaN, +-0,
// +-inf, ties), so that mutations reach the semantics instead of failing
// validation.
#pragma once

#include <fuzzer/FuzzedDataProvider.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include "poolcheck/descriptor.hpp"
#include "poolcheck/error.hpp"
#include "poolcheck/problem.hpp"
#include "poolcheck/profiles.hpp"
#include "poolcheck/scalar_traits.hpp"

namespace poolcheck::fuzz {

// A problem drawn from the bytes, or nothing when the draw is one the profile
// rejects (that rejection is tested elsewhere; here it just ends the input).
// Sizes stay small so that one case runs in well under a millisecond even
// under ASan: at most 2 x 5 channels x 12 x 12 (or 6^3) cells.
inline std::optional<Problem> draw_problem(FuzzedDataProvider& in) {
  const std::span<const Profile> profiles = all_profiles();
  Problem p;
  try {
    p.profile(profiles[in.ConsumeIntegralInRange<std::size_t>(0, profiles.size() - 1)].name);
    p.dtype(kAllDTypes[in.ConsumeIntegralInRange<std::size_t>(0, std::size(kAllDTypes) - 1)]);
    p.layout(in.ConsumeBool() ? Layout::channels_first : Layout::channels_last);
    p.batch(in.ConsumeIntegralInRange<std::int64_t>(1, 2));
    // 1..17 channels: the SIMD paths vectorise along C (NHWC), so counts past
    // one vector exercise the tails.
    p.channels(in.ConsumeIntegralInRange<std::int64_t>(1, 17));
    const int rank = in.ConsumeIntegralInRange<int>(1, 3);
    const std::int64_t max_in = rank == 3 ? 6 : 12;
    std::vector<std::int64_t> size, kernel, stride, dilation, pb, pe;
    for (int a = 0; a < rank; ++a) {
      size.push_back(in.ConsumeIntegralInRange<std::int64_t>(1, max_in));
      kernel.push_back(in.ConsumeIntegralInRange<std::int64_t>(1, 4));
      stride.push_back(in.ConsumeIntegralInRange<std::int64_t>(1, 4));
      dilation.push_back(in.ConsumeIntegralInRange<std::int64_t>(1, 3));
      pb.push_back(in.ConsumeIntegralInRange<std::int64_t>(0, 2));
      pe.push_back(in.ConsumeIntegralInRange<std::int64_t>(0, 2));
    }
    p.input_size(size).kernel(kernel).stride(stride);
    if (in.ConsumeBool()) p.dilation(dilation);
    switch (in.ConsumeIntegralInRange<int>(0, 3)) {
      case 0:
        p.pad_begin(pb).pad_end(pe);
        break;
      case 1:
        p.padding(Padding::valid);
        break;
      case 2:
        p.padding(Padding::same_upper);
        break;
      default:
        p.padding(Padding::same_lower);
        break;
    }
    p.ceil_mode(in.ConsumeBool());
    (void)p.geometry();  // validates the whole problem
  } catch (const ProblemError&) {
    return std::nullopt;
  }
  if (p.channels() > 5 && p.batch() * p.channels() * p.geometry().input_plane() > 4096)
    return std::nullopt;  // keeps a case under a millisecond
  return p;
}

// -0 in a floating type, 0 in an integer one.
template <class T>
T negative_zero() {
  if constexpr (requires { T::from_bits(std::uint16_t{0x8000}); })
    return T::from_bits(std::uint16_t{0x8000});
  else if constexpr (std::is_floating_point_v<T>)
    return T(-0.0);
  else
    return T(0);
}

// A small integer in T (exact in every dtype; wraps for u8, which is fine).
template <class T>
T small(int v) {
  if constexpr (requires { T::from_float(0.0f); })
    return T::from_float(static_cast<float>(v));
  else
    return static_cast<T>(v);
}

// Element values: half of the time from a palette of special values (so that
// ties, NaN and signed zeros are common), else raw bits.
template <class T>
T draw_value(FuzzedDataProvider& in, bool palette) {
  using Traits = ScalarTraits<T>;
  if (!palette) {
    std::uint8_t raw[sizeof(T)] = {};
    in.ConsumeData(raw, sizeof raw);
    T v;
    std::memcpy(&v, raw, sizeof(T));
    return v;
  }
  const int pick = in.ConsumeIntegralInRange<int>(0, 7);
  switch (pick) {
    case 0:
      return Traits::minus_infinity();
    case 1:
      return Traits::has_nan ? Traits::quiet_nan() : Traits::lowest();
    case 2:
      return Traits::lowest();
    case 3:
      return negative_zero<T>();
    default:
      // Small integers are exact in every dtype, so ties are frequent.
      return small<T>(pick - 5);
  }
}

template <class T>
std::vector<T> draw_values(FuzzedDataProvider& in, std::size_t count) {
  const bool palette = in.ConsumeBool();
  std::vector<T> v(count);
  for (T& e : v) e = draw_value<T>(in, palette);
  return v;
}

// Bitwise equality: NaN payloads and the sign of zero count.
template <class T>
bool same_bits(std::span<const T> a, std::span<const T> b) {
  return a.size() == b.size() &&
         (a.empty() || std::memcmp(a.data(), b.data(), a.size_bytes()) == 0);
}

// A finding: print what reproduces it, then stop the fuzzer on the spot.
[[noreturn]] inline void fail(const Problem& p, const std::string& what) {
  std::string desc;
  try {
    desc = to_descriptor(p);
  } catch (const ProblemError& e) {
    desc = std::string("(no descriptor: ") + e.what() + ")";
  }
  std::fprintf(stderr, "FINDING: %s\n  problem: %s\n", what.c_str(), desc.c_str());
  std::fflush(stderr);
  __builtin_trap();
}

}  // namespace poolcheck::fuzz
