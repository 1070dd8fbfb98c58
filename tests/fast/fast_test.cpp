// fast/ against the reference, bit for bit: y, argmax (in the profile's index
// format) and dx, over a fixed list of problems, every dtype, layout, rank,
// profile (plus convention mixes no profile has), every dispatch target and
// 1 or 2 threads. The reference is the oracle here; fast/ itself never calls it.
#include "poolcheck/fast.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <optional>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

#include "poolcheck/descriptor.hpp"
#include "poolcheck/reference.hpp"
#include "poolcheck/visit_dtype.hpp"

namespace poolcheck {
namespace {

// ------------------------------------------------------------ problems ----

// A pooling shape written as for 2-D NHWC (the brief's list); rank 1 keeps
// the w axis, rank 3 adds a small depth axis.
struct Shape {
  const char* label;
  std::int64_t batch, h, w, channels, kernel, stride, pad;
  bool same = false;  // TensorFlow SAME padding
  std::int64_t dilation = 1;
  bool ceil = false;
};

// The brief's shapes (a)-(h), with batch and spatial size cut to keep the
// whole run short; the kernel, stride, padding and channel count are kept.
const Shape kShapes[] = {
    {"a_112x112x64_k3s2p1", 1, 11, 11, 64, 3, 2, 1},
    {"b_32x112x112x64_k3s2p1", 2, 7, 8, 64, 3, 2, 1},
    {"c_224x224x64_k2s2", 1, 8, 8, 64, 2, 2, 0},
    {"d_8x56x56x256_k2s2", 1, 4, 6, 256, 2, 2, 0},
    {"e_416x416x16_k2s2", 1, 16, 16, 16, 2, 2, 0},
    {"f_13x13x512_k2s1_same", 1, 4, 3, 512, 2, 1, 0, true},
    {"g_64x32x32x3_k3s2p1", 2, 9, 9, 3, 3, 2, 1},
    {"h_5x100x100x3_k3s2", 2, 11, 11, 3, 3, 2, 0},
    // Not in the list: dilation with ceil mode (windows partly or wholly in padding).
    {"dilated_ceil", 2, 9, 11, 5, 3, 2, 2, false, 2, true},
};

Problem build(const Shape& s, std::string_view profile, const Conventions* custom, DType dtype,
              Layout layout, int rank, int fallback) {
  Problem p;
  p.profile(profile);
  if (custom != nullptr) p.conventions(*custom);
  p.dtype(dtype).layout(layout).batch(s.batch).channels(s.channels);
  const std::int64_t depth_pad = s.pad > 1 ? 1 : s.pad;
  const bool use_same = s.same || (fallback == 1 && s.pad > 0);
  const bool simple = fallback >= 2;  // what every profile accepts
  if (rank == 1) {
    p.input_size({s.w}).kernel({s.kernel}).stride({s.stride});
    if (!simple && !use_same) p.pads({s.pad});
    if (!simple && s.dilation != 1) p.dilation({s.dilation});
  } else if (rank == 2) {
    p.input_size({s.h, s.w}).kernel({s.kernel, s.kernel}).stride({s.stride, s.stride});
    if (!simple && !use_same) p.pads({s.pad, s.pad});
    if (!simple && s.dilation != 1) p.dilation({s.dilation, s.dilation});
  } else {
    p.input_size({3, s.h, s.w}).kernel({2, s.kernel, s.kernel}).stride({1, s.stride, s.stride});
    if (!simple && !use_same) p.pads({depth_pad, s.pad, s.pad});
    if (!simple && s.dilation != 1) p.dilation({1, s.dilation, s.dilation});
  }
  if (simple)
    p.padding(Padding::valid);
  else if (use_same)
    p.padding(Padding::same_upper);
  if (!simple && s.ceil) p.ceil_mode(true);
  return p;
}

// The shape as close as `profile` allows: as given, else SAME for the
// padding, else VALID without ceil mode or dilation.
std::optional<Problem> problem_for(const Shape& s, std::string_view profile,
                                   const Conventions* custom, DType dtype, Layout layout,
                                   int rank) {
  for (int fallback = 0; fallback < 3; ++fallback) {
    Problem p = build(s, profile, custom, dtype, layout, rank, fallback);
    try {
      (void)p.geometry();
      return p;
    } catch (const ProblemError&) {
    }
  }
  return std::nullopt;
}

// Convention mixes that no profile has, on the permissive onnx rules, so that
// each NaN rule meets each pad rule, initial value, scan order and index format.
const Conventions kMixes[] = {
    {NanRule::ignore, PadCells::nan, Initial::first_candidate, ScanOrder::column_major,
     IndexFormat::tensor_col_major},
    {NanRule::skip, PadCells::nan, Initial::first_candidate, ScanOrder::row_major,
     IndexFormat::nhwc_batch},
    {NanRule::ignore, PadCells::excluded, Initial::lowest_at_first_tap, ScanOrder::column_major,
     IndexFormat::window},
    {NanRule::propagate, PadCells::border, Initial::lowest_no_index, ScanOrder::row_major,
     IndexFormat::memory},
    {NanRule::skip, PadCells::border, Initial::first_candidate, ScanOrder::column_major,
     IndexFormat::nhwc},
    {NanRule::ignore, PadCells::border, Initial::first_candidate, ScanOrder::row_major,
     IndexFormat::plane},
    {NanRule::propagate, PadCells::nan, Initial::lowest_at_first_tap, ScanOrder::column_major,
     IndexFormat::window_col_major},
    {NanRule::ignore, PadCells::excluded, Initial::first_candidate, ScanOrder::row_major,
     IndexFormat::window},
    {NanRule::skip, PadCells::excluded, Initial::lowest_no_index, ScanOrder::column_major,
     IndexFormat::tensor},
};

// ---------------------------------------------------------------- data ----

// A small deterministic generator (splitmix64), so every run sees the same data.
struct Random {
  std::uint64_t state;
  std::uint64_t next() {
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  int below(int n) { return static_cast<int>(next() % static_cast<std::uint64_t>(n)); }
};

template <class T>
T from_double(double v) {
  if constexpr (std::is_same_v<T, float16> || std::is_same_v<T, bfloat16>)
    return T::from_float(static_cast<float>(v));
  else
    return static_cast<T>(v);
}

// Input values: a lattice k/4 in [-4, 4) (so ties are frequent), +-0, +-inf,
// NaN (scattered, and in runs long enough to fill whole windows); integers
// for the integer types, with their extremes.
template <class T>
std::vector<T> input_values(std::size_t count, std::uint64_t seed) {
  Random r{seed};
  std::vector<T> v(count);
  for (std::size_t i = 0; i < count; ++i) {
    if constexpr (std::is_integral_v<T>) {
      const int pick = r.below(20);
      v[i] = pick == 0   ? std::numeric_limits<T>::lowest()
             : pick == 1 ? std::numeric_limits<T>::max()
                         : static_cast<T>(r.below(9) + (std::is_signed_v<T> ? -4 : 0));
    } else {
      const int pick = r.below(40);
      double value = (r.below(32) - 16) / 4.0;
      if (pick < 3)
        value = std::numeric_limits<double>::quiet_NaN();
      else if (pick == 3)
        value = std::numeric_limits<double>::infinity();
      else if (pick == 4)
        value = -std::numeric_limits<double>::infinity();
      else if (pick == 5)
        value = -0.0;
      else if (pick == 6)
        value = 0.0;
      if ((i / 9) % 11 == 3) value = std::numeric_limits<double>::quiet_NaN();  // NaN runs
      v[i] = from_double<T>(value);
    }
  }
  return v;
}

// A NaN of either sign with random payload bits, quiet or signaling.
template <class T>
T nan_with_payload(std::uint64_t random) {
  using Bits = std::conditional_t<sizeof(T) == 8, std::uint64_t,
                                  std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint16_t>>;
  constexpr int kMantissa = std::is_same_v<T, double>    ? 52
                            : std::is_same_v<T, float>   ? 23
                            : std::is_same_v<T, float16> ? 10
                                                         : 7;  // bfloat16
  constexpr Bits kMantissaMask = static_cast<Bits>((Bits{1} << kMantissa) - 1);
  constexpr Bits kSignAndMantissa =
      static_cast<Bits>(kMantissaMask | (Bits{1} << (sizeof(T) * 8 - 1)));
  // All exponent bits set; a mantissa of zero would be an infinity.
  Bits bits = static_cast<Bits>(~kSignAndMantissa | (static_cast<Bits>(random) & kSignAndMantissa));
  if ((bits & kMantissaMask) == 0) bits = static_cast<Bits>(bits | 1);
  if constexpr (sizeof(T) == 2) {
    return T::from_bits(bits);
  } else {
    T v{};
    std::memcpy(&v, &bits, sizeof v);
    return v;
  }
}

// Gradients of very different magnitudes, so that the order in which
// overlapping windows add up changes the rounded sum, and now and then a NaN
// with its own payload, so that NaNs meet in cells that several windows feed.
template <class T>
std::vector<T> gradient_values(std::size_t count, std::uint64_t seed) {
  Random r{seed};
  std::vector<T> v(count);
  for (std::size_t i = 0; i < count; ++i) {
    if constexpr (std::is_integral_v<T>) {
      v[i] = static_cast<T>(r.next());
    } else if (r.below(24) == 0) {
      v[i] = nan_with_payload<T>(r.next());
    } else {
      const double scale = r.below(3) == 0 ? 4096.0 : (r.below(2) ? 1.0 : 1.0 / 1024);
      v[i] = from_double<T>((r.below(64) - 32) / 8.0 * scale + (r.below(2) ? 0.0 : 1.0 / 3));
    }
  }
  return v;
}

// ------------------------------------------------------------- compare ----

// "(n, spatial position, c)" of an element of the input or output tensor.
std::string element_at(const Geometry& g, std::int64_t offset, bool input) {
  const Dims& stride = input ? g.in_spatial_stride : g.out_spatial_stride;
  const std::int64_t batch_stride = input ? g.in_batch_stride : g.out_batch_stride;
  const std::int64_t channel_stride = input ? g.in_channel_stride : g.out_channel_stride;
  const std::int64_t n = offset / batch_stride;
  std::int64_t rest = offset % batch_stride;
  std::int64_t c = 0;
  if (g.layout == Layout::channels_first) {
    c = rest / channel_stride;
    rest %= channel_stride;
  }
  std::ostringstream out;
  out << "(n=" << n << ", pos=[";
  for (int a = kMaxRank - g.rank; a < kMaxRank; ++a) {
    out << rest / stride[a] << (a + 1 < kMaxRank ? "," : "");
    rest %= stride[a];
  }
  if (g.layout == Layout::channels_last) c = rest;
  out << "], c=" << c << ")";
  return out.str();
}

template <class T>
std::string bits_of(const T& v) {
  std::uint64_t bits = 0;
  std::memcpy(&bits, &v, sizeof(T));
  std::ostringstream out;
  out << "0x" << std::hex << bits;
  return out.str();
}

// Empty when equal bit for bit; else the first difference, located.
template <class T>
std::string first_difference(const Geometry& g, std::span<const T> expected,
                             std::span<const T> actual, bool input, const char* what) {
  if (expected.size() != actual.size()) return std::string(what) + ": sizes differ";
  for (std::size_t i = 0; i < expected.size(); ++i) {
    if (std::memcmp(&expected[i], &actual[i], sizeof(T)) != 0)
      return std::string(what) + " differs at " +
             element_at(g, static_cast<std::int64_t>(i), input) + ": expected " +
             bits_of(expected[i]) + ", got " + bits_of(actual[i]);
  }
  return {};
}

struct Run {
  std::string target;
  int threads;
  bool backward;  // also check backward
};

// Every target single-threaded for the dtypes with SIMD kernels (f32, f64),
// then the best target with 2 threads (the thread split does not depend on
// the target). The other dtypes run the portable kernel under every target
// name, so they are checked under "portable" and the 2-thread run only.
// Backward (from the argmax: vectorised per target in NHWC) is checked in
// every run.
std::vector<Run> runs(DType dtype) {
  const std::vector<std::string> targets = fast::available_targets();
  std::vector<Run> all;
  if (dtype == DType::f32 || dtype == DType::f64) {
    for (const std::string& t : targets) all.push_back({t, 1, true});
  }
  all.push_back({"portable", 1, true});
  all.push_back({"auto", 2, true});
  return all;
}

// One problem: reference once, then fast/ under every run; returns how many
// runs were compared.
template <class T>
void check_problem(const Problem& problem) {
  const Geometry g = problem.geometry();
  const auto in_count = static_cast<std::size_t>(g.input_elements());
  const auto out_count = static_cast<std::size_t>(g.output_elements());
  const std::uint64_t seed = std::hash<std::string>{}(to_descriptor(problem));
  const std::vector<T> x = input_values<T>(in_count, seed);
  const std::vector<T> dy = gradient_values<T>(out_count, seed + 1);
  const std::vector<T> dx0 = gradient_values<T>(in_count, seed + 2);  // backward adds into dx

  std::vector<T> ref_y(out_count);
  std::vector<std::int64_t> ref_argmax(out_count);
  reference::forward<T>(problem, x, ref_y, ref_argmax);
  std::vector<T> ref_dx = dx0;
  reference::backward<T>(problem, ref_argmax, dy, ref_dx);
  std::vector<T> ref_dx_from_x = dx0;
  reference::backward_from_input<T>(problem, x, dy, ref_dx_from_x);

  for (const Run& run : runs(problem.dtype())) {
    const fast::Options options{run.target, run.threads};
    const std::string where = to_descriptor(problem) + " target=" + run.target +
                              " threads=" + std::to_string(run.threads) + ": ";
    std::vector<T> y(out_count);
    std::vector<std::int64_t> argmax(out_count);
    fast::forward<T>(problem, x, y, argmax, options);
    std::string diff = first_difference<T>(g, ref_y, y, false, "y (training)");
    if (diff.empty()) diff = first_difference<std::int64_t>(g, ref_argmax, argmax, false, "argmax");
    ASSERT_TRUE(diff.empty()) << where << diff;

    std::vector<T> y_inference(out_count);
    fast::forward<T>(problem, x, y_inference, {}, options);
    diff = first_difference<T>(g, ref_y, y_inference, false, "y (inference)");
    ASSERT_TRUE(diff.empty()) << where << diff;

    if (!run.backward) continue;
    std::vector<T> dx = dx0;
    fast::backward<T>(problem, ref_argmax, dy, dx, options);
    diff = first_difference<T>(g, ref_dx, dx, true, "dx (from argmax)");
    ASSERT_TRUE(diff.empty()) << where << diff;

    std::vector<T> dx_from_x = dx0;
    fast::backward_from_input<T>(problem, x, dy, dx_from_x, options);
    diff = first_difference<T>(g, ref_dx_from_x, dx_from_x, true, "dx (from x)");
    ASSERT_TRUE(diff.empty()) << where << diff;
  }
}

// Every profile and every convention mix, both layouts, ranks 1-3.
void check_shape(const Shape& shape, DType dtype) {
  int checked = 0;
  for (const Layout layout : {Layout::channels_last, Layout::channels_first}) {
    for (const int rank : {1, 2, 3}) {
      const auto check = [&](std::string_view profile, const Conventions* custom) {
        const std::optional<Problem> p = problem_for(shape, profile, custom, dtype, layout, rank);
        if (!p) return;
        visit_dtype(dtype, [&]<class T>(TypeTag<T>) { check_problem<T>(*p); });
        ++checked;
      };
      for (const Profile& profile : all_profiles()) check(profile.name, nullptr);
      for (const Conventions& mix : kMixes) check("onnx", &mix);
      if (::testing::Test::HasFatalFailure()) return;
    }
  }
  // 7 profiles + 9 mixes, 2 layouts, 3 ranks; every profile accepts some variant.
  EXPECT_EQ(checked, (7 + 9) * 2 * 3);
}

class FastMatchesReference : public ::testing::TestWithParam<std::tuple<int, DType>> {};

TEST_P(FastMatchesReference, BitForBit) {
  check_shape(kShapes[std::get<0>(GetParam())], std::get<1>(GetParam()));
}

INSTANTIATE_TEST_SUITE_P(Shapes, FastMatchesReference,
                         ::testing::Combine(::testing::Range(0,
                                                             static_cast<int>(std::size(kShapes))),
                                            ::testing::ValuesIn(kAllDTypes)),
                         [](const ::testing::TestParamInfo<std::tuple<int, DType>>& info) {
                           return std::string(kShapes[std::get<0>(info.param)].label) + "_" +
                                  std::string(dtype_name(std::get<1>(info.param)));
                         });

// SIMD tails: every channel count 1..33 and 63..65 (and widths around the
// NCHW vector length), in the two SIMD dtypes and one portable one.
class FastChannelTails : public ::testing::TestWithParam<DType> {};

TEST_P(FastChannelTails, BitForBit) {
  std::vector<std::int64_t> channel_counts;
  for (std::int64_t c = 1; c <= 33; ++c) channel_counts.push_back(c);
  for (std::int64_t c = 63; c <= 65; ++c) channel_counts.push_back(c);
  for (const std::int64_t c : channel_counts) {
    // Widths 3..22 cover the NCHW vector tails too.
    const Shape shape{"tail", 1, 3, 3 + c % 20, c, 3, 1 + c % 3, 1};
    for (const Layout layout : {Layout::channels_last, Layout::channels_first}) {
      for (const Profile& profile : all_profiles()) {
        const std::optional<Problem> p =
            problem_for(shape, profile.name, nullptr, GetParam(), layout, 2);
        ASSERT_TRUE(p.has_value()) << profile.name;
        visit_dtype(GetParam(), [&]<class T>(TypeTag<T>) { check_problem<T>(*p); });
        if (HasFatalFailure()) return;
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(DTypes, FastChannelTails,
                         ::testing::Values(DType::f32, DType::f64, DType::bf16),
                         [](const ::testing::TestParamInfo<DType>& info) {
                           return std::string(dtype_name(info.param));
                         });

// Rows of few channels are pooled through a stack buffer a chunk of the row at
// a time (fast/src/simd_kernels.cpp, nhwc_interior_run): rows long enough to
// take several chunks, with strides 1 to 3, pads, and each profile's rules.
TEST(FastForward, PoolsWideRowsOfFewChannelsInChunksLikeTheReference) {
  int checked = 0;
  for (const std::int64_t channels : {1, 3, 5}) {
    for (const std::int64_t stride : {1, 2, 3}) {
      const Shape shape{"wide_row", 1, 3, 2100 * stride / channels, channels, 3, stride, 1};
      for (const std::string_view profile : {"numpynet", "pytorch", "onednn", "xnnpack"}) {
        for (const DType dtype : {DType::f32, DType::f64}) {
          const std::optional<Problem> p =
              problem_for(shape, profile, nullptr, dtype, Layout::channels_last, 2);
          ASSERT_TRUE(p.has_value()) << profile;
          visit_dtype(dtype, [&]<class T>(TypeTag<T>) { check_problem<T>(*p); });
          if (HasFatalFailure()) return;
          ++checked;
        }
      }
    }
  }
  EXPECT_EQ(checked, 3 * 3 * 4 * 2);
}

// Backward reads argmaxes it did not write (a plug-in's, a file's): in the
// flat formats any cell of the window's plane is a valid index, not only the
// window's taps, and the SIMD scatter must hand those lanes back to the
// decoder in order. Random cells (and "no argmax") in every flat format and
// the window formats, overlapping windows, f32 and f64, every target.
TEST(FastBackward, AddsForeignIndicesAnywhereInThePlaneLikeTheReference) {
  const Shape shape{"foreign", 2, 9, 9, 40, 3, 2, 1};
  int checked = 0;
  for (const IndexFormat format : kAllIndexFormats) {
    Conventions cv;
    cv.index = format;
    for (const DType dtype : {DType::f32, DType::f64}) {
      const std::optional<Problem> p =
          problem_for(shape, "onnx", &cv, dtype, Layout::channels_last, 2);
      ASSERT_TRUE(p.has_value());
      const Geometry g = p->geometry();
      const std::uint64_t seed = std::hash<std::string>{}(to_descriptor(*p));
      // An index per output: mostly the forward's own, some any cell of its plane, some none.
      Random r{seed};
      std::vector<std::int64_t> argmax(static_cast<std::size_t>(g.output_elements()));
      visit_dtype(dtype, [&]<class T>(TypeTag<T>) {
        const std::vector<T> x =
            input_values<T>(static_cast<std::size_t>(g.input_elements()), seed);
        std::vector<T> y(argmax.size());
        reference::forward<T>(*p, x, y, argmax);
      });
      std::int64_t foreign = 0;
      for (std::int64_t at = 0; at < g.output_elements(); ++at) {
        const std::int64_t n = at / g.out_batch_stride;
        const std::int64_t c = at % g.channels;
        const int pick = r.below(8);
        std::int64_t& index = argmax[static_cast<std::size_t>(at)];
        if (pick == 0) {
          index = kNoArgmax;
        } else if (pick == 1) {
          const std::int64_t cell =
              static_cast<std::int64_t>(r.next() % static_cast<std::uint64_t>(g.input_plane()));
          Dims pos{};
          std::int64_t rest = cell;
          for (int a = kMaxRank - 1; a >= 0; --a) {
            pos[a] = rest % g.in[a];
            rest /= g.in[a];
          }
          switch (format) {
            case IndexFormat::window:
            case IndexFormat::window_col_major:
              index = r.below(static_cast<int>(g.kernel_volume()));
              break;
            case IndexFormat::plane:
              index = cell;
              break;
            case IndexFormat::tensor:
              index = (n * g.channels + c) * g.input_plane() + cell;
              break;
            case IndexFormat::tensor_col_major:
              index = (n * g.channels + c) * g.input_plane() + pos[2] * g.in[1] + pos[1];
              break;
            case IndexFormat::nhwc:
              index = cell * g.channels + c;
              break;
            case IndexFormat::nhwc_batch:
              index = (n * g.input_plane() + cell) * g.channels + c;
              break;
            case IndexFormat::memory:
              index = g.input_offset(n, c, pos);
              break;
          }
          ++foreign;
        }
      }
      ASSERT_GT(foreign, 0);
      visit_dtype(dtype, [&]<class T>(TypeTag<T>) {
        const std::vector<T> dy = gradient_values<T>(argmax.size(), seed + 1);
        const std::vector<T> dx0 =
            gradient_values<T>(static_cast<std::size_t>(g.input_elements()), seed + 2);
        std::vector<T> expected = dx0;
        reference::backward<T>(*p, argmax, dy, expected);
        for (const std::string& target : fast::available_targets()) {
          for (const int threads : {1, 2}) {
            std::vector<T> dx = dx0;
            fast::backward<T>(*p, argmax, dy, dx, {target, threads});
            const std::string diff = first_difference<T>(g, expected, dx, true, "dx");
            ASSERT_TRUE(diff.empty()) << to_descriptor(*p) << " target=" << target
                                      << " threads=" << threads << ": " << diff;
          }
        }
      });
      ++checked;
    }
  }
  EXPECT_EQ(checked, 16);
}

// Where NaN gradients meet in one dx cell, the sum's payload is the oracle's
// rule (ScalarTraits::add: the accumulator's), not whichever operand an add
// instruction happens to return. Every window's dy and half the dx cells are
// NaNs with payloads of their own; the windows overlap (k3 s1), so most cells
// take several NaNs, in SIMD lanes and tails (19 channels), both layouts.
TEST(FastBackward, KeepsTheAccumulatorsPayloadWhereNaNsMeet) {
  const Shape shape{"nan_meets_nan", 1, 6, 7, 19, 3, 1, 1};
  int checked = 0;
  for (const Layout layout : {Layout::channels_last, Layout::channels_first}) {
    for (const DType dtype : {DType::f32, DType::f64}) {
      const std::optional<Problem> p = problem_for(shape, "numpynet", nullptr, dtype, layout, 2);
      ASSERT_TRUE(p.has_value());
      const Geometry g = p->geometry();
      visit_dtype(dtype, [&]<class T>(TypeTag<T>) {
        Random r{std::hash<std::string>{}(to_descriptor(*p))};
        const auto in_count = static_cast<std::size_t>(g.input_elements());
        const auto out_count = static_cast<std::size_t>(g.output_elements());
        const std::vector<T> x = input_values<T>(in_count, r.next());
        std::vector<T> y(out_count);
        std::vector<std::int64_t> argmax(out_count);
        reference::forward<T>(*p, x, y, argmax);
        std::vector<T> dy(out_count), dx0(in_count);
        for (T& v : dy) v = nan_with_payload<T>(r.next());
        for (T& v : dx0) v = r.below(2) ? nan_with_payload<T>(r.next()) : T{};
        std::vector<T> expected = dx0;
        reference::backward<T>(*p, argmax, dy, expected);
        for (const std::string& target : fast::available_targets()) {
          std::vector<T> dx = dx0;
          fast::backward<T>(*p, argmax, dy, dx, {target, 1});
          const std::string diff = first_difference<T>(g, expected, dx, true, "dx");
          ASSERT_TRUE(diff.empty()) << to_descriptor(*p) << " target=" << target << ": " << diff;
        }
      });
      ++checked;
    }
  }
  EXPECT_EQ(checked, 4);
}

// ---------------------------------------------------------- interface ----

TEST(FastTargets, ListsPortableLastAndRejectsUnknownNames) {
  const std::vector<std::string> targets = fast::available_targets();
  ASSERT_FALSE(targets.empty());
  EXPECT_EQ(targets.back(), "portable");
  try {
    (void)fast::make_implementation({.target = "avx9000"});
    FAIL() << "an unknown target was accepted";
  } catch (const ProblemError& e) {
    EXPECT_EQ(e.parameter(), "target");
    EXPECT_EQ(e.value(), "avx9000");
  }
  EXPECT_THROW((void)fast::make_implementation({.threads = -1}), ProblemError);
  try {
    (void)fast::make_implementation({.max_threads = -2});
    FAIL() << "a negative max_threads was accepted";
  } catch (const ProblemError& e) {
    EXPECT_EQ(e.parameter(), "max_threads");
    EXPECT_EQ(e.value(), "-2");
  }
}

TEST(FastImplementation, ChecksBuffersLikeTheReference) {
  const Problem p = Problem().batch(1).channels(2).input_size({4, 4}).kernel({2, 2});
  const auto impl = fast::make_implementation();
  EXPECT_EQ(impl->name(), "builtin:fast");
  std::vector<float> x(32), y(8), short_y(7);
  std::vector<std::int64_t> bad_argmax(3);
  const auto xs = ConstBuffer::of(DType::f32, std::span<const float>(x));
  try {
    impl->forward(p, xs, MutableBuffer::of(DType::f32, std::span<float>(short_y)), {});
    FAIL() << "a short y was accepted";
  } catch (const ProblemError& e) {
    EXPECT_EQ(e.parameter(), "y.length");
  }
  try {
    impl->forward(p, xs, MutableBuffer::of(DType::f32, std::span<float>(y)), bad_argmax);
    FAIL() << "a wrong-sized argmax was accepted";
  } catch (const ProblemError& e) {
    EXPECT_EQ(e.parameter(), "argmax.length");
  }
  std::vector<double> xd(32);
  EXPECT_THROW(fast::forward<double>(p, xd, std::span<double>(), {}), ProblemError);
}

// A hand-worked NumPyNet window through the Implementation interface:
// [[nan, -inf], [-inf, -inf]] gives -inf at tap 0 (np.nanargmax ranks the NaN
// as -inf and takes the first maximum); [[1, 3], [3, nan]] gives 3 at tap 1.
TEST(FastImplementation, WorksANumPyNetExampleByHand) {
  const float inf = std::numeric_limits<float>::infinity();
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const Problem p = Problem().batch(1).channels(1).input_size({2, 4}).kernel({2, 2});
  const std::vector<float> x{nan, -inf, 1, 3, -inf, -inf, 3, nan};
  for (const std::string& target : fast::available_targets()) {
    std::vector<float> y(2);
    std::vector<std::int64_t> argmax(2);
    fast::make_implementation({.target = target})
        ->forward(p, ConstBuffer::of(DType::f32, std::span<const float>(x)),
                  MutableBuffer::of(DType::f32, std::span<float>(y)), argmax);
    EXPECT_EQ(std::bit_cast<std::uint32_t>(y[0]), std::bit_cast<std::uint32_t>(-inf)) << target;
    EXPECT_EQ(argmax[0], 0) << target;
    EXPECT_EQ(y[1], 3.0f) << target;
    EXPECT_EQ(argmax[1], 1) << target;
  }
}

}  // namespace
}  // namespace poolcheck
