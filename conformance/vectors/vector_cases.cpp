#include "vector_cases.hpp"

#include <cmath>
#include <cstdio>
#include <limits>
#include <optional>
#include <random>

#include "poolcheck/argmax_index.hpp"
#include "poolcheck/error.hpp"
#include "poolcheck/reference.hpp"
#include "poolcheck/visit_dtype.hpp"
#include "vector_suite.hpp"

namespace poolcheck::vectors {
namespace {

using Sizes = std::vector<std::int64_t>;

// A problem's shape and parameters, before a profile and dtype are applied.
struct Spec {
  Layout layout = Layout::channels_last;
  std::int64_t batch = 1;
  std::int64_t channels = 1;
  Sizes in = {}, kernel = {}, stride = {}, dilation = {}, pad_begin = {}, pad_end = {};
  Padding padding = Padding::valid;
  bool ceil = false;
};

// The problem if the profile accepts it; a profile's rules decide which
// regressions it can express, so a rejected spec is simply not its case.
std::optional<Problem> build(const Profile& profile, DType dtype, const Spec& s,
                             std::string* why = nullptr) {
  try {
    Problem p;
    p.profile(profile.name).dtype(dtype).layout(s.layout).batch(s.batch).channels(s.channels);
    p.input_size(s.in).kernel(s.kernel).padding(s.padding).ceil_mode(s.ceil);
    if (!s.stride.empty()) p.stride(s.stride);
    if (!s.dilation.empty()) p.dilation(s.dilation);
    if (!s.pad_begin.empty()) p.pad_begin(s.pad_begin).pad_end(s.pad_end);
    p.geometry();
    return p;
  } catch (const ProblemError& e) {
    if (why) *why = e.what();
    return std::nullopt;
  }
}

// The first of `alternatives` the profile accepts.
std::optional<Problem> first_accepted(const Profile& profile, DType dtype,
                                      std::initializer_list<Spec> alternatives,
                                      std::string* why = nullptr) {
  for (const Spec& s : alternatives)
    if (std::optional<Problem> p = build(profile, dtype, s, why)) return p;
  return std::nullopt;
}

// The same spec with another padding: how a regression is posed to profiles
// that take SAME but not explicit pads, or neither.
Spec with_padding(Spec s, Padding mode, Sizes begin = {}, Sizes end = {}) {
  s.padding = mode;
  s.pad_begin = std::move(begin);
  s.pad_end = std::move(end);
  return s;
}

using Named = RegressionCase;

// Cases too large for a file suite, or that exist to be rejected: run by
// `poolcheck run` only, so the published vector suite stays as it was.
void campaign_only_regressions(const Profile& pr, DType dt, std::vector<Named>& out) {
  const auto add = [&](std::string name, std::string covers, std::initializer_list<Spec> specs,
                       DataRecipe data = {}) {
    Named n(std::move(name), std::move(covers), std::nullopt, data, false);
    n.problem = first_accepted(pr, dt, specs, &n.rejected);
    out.push_back(std::move(n));
  };
  // 16777217 = 2^24 + 1 is the first integer a float cannot hold; k3 s2 gives
  // 8388608 windows where a float computation gives 8388607.
  const Spec wide{.layout = Layout::channels_first,
                  .batch = 1,
                  .channels = 1,
                  .in = {16777217},
                  .kernel = {3},
                  .stride = {2}};
  add("onnxruntime10083_wide_1d",
      "onnxruntime #10083: output size computed through float is wrong at 16777217", {wide});
  Spec larger{.layout = Layout::channels_first,
              .batch = 1,
              .channels = 1,
              .in = {5},
              .kernel = {8},
              .stride = {1},
              .pad_begin = {1},
              .pad_end = {1},
              .padding = Padding::explicit_pads};
  add("onnxruntime25234_kernel_larger_than_padded_input",
      "onnxruntime #25234: a kernel larger than the padded input must give no output (the "
      "oracle rejects the problem)",
      {larger, with_padding(larger, Padding::valid)});
  const Spec tall{.layout = Layout::channels_last,
                  .batch = 1,
                  .channels = 1,
                  .in = {16777217, 1},
                  .kernel = {3, 1},
                  .stride = {2, 1}};
  add("pytorch28714_height_16777217",
      "PyTorch #28714: channels-last index arithmetic at height 16777217",
      {with_padding(tall, Padding::explicit_pads, {1, 0}, {1, 0}),
       with_padding(tall, Padding::same_upper), tall});
  const Spec lanes{.layout = Layout::channels_first,
                   .batch = 1,
                   .channels = 3,
                   .in = {5, 19},
                   .kernel = {3, 3},
                   .stride = {1, 1}};
  add("darknet5793_simd_tail",
      "AlexeyAB/darknet #5793: a stride-1 SIMD path checked bounds for the first of 8 lanes "
      "only (width 19, not a multiple of 8)",
      {with_padding(lanes, Padding::explicit_pads, {1, 1}, {1, 1}),
       with_padding(lanes, Padding::same_upper), lanes},
      {.spread = 4});
}

std::vector<Named> regressions(const Profile& pr, DType dt) {
  std::vector<Named> out;
  const Spec ceil1d{.layout = Layout::channels_first,
                    .batch = 1,
                    .channels = 2,
                    .in = {32},
                    .kernel = {1},
                    .stride = {2},
                    .pad_begin = {0},
                    .pad_end = {0},
                    .padding = Padding::explicit_pads,
                    .ceil = true};
  out.push_back({"pytorch57178_ceil_in32_k1_s2",
                 "PyTorch #57178/#46929: ceil mode drops a window starting in the end pad (16 "
                 "outputs, not 17)",
                 build(pr, dt, ceil1d),
                 {}});
  Spec onnx = ceil1d;
  onnx.in = {12};
  out.push_back({"onnx5711_ceil_in12_k1_s2",
                 "ONNX #5711: ceil-mode shape inference gave 7 where the rule gives 6",
                 build(pr, dt, onnx),
                 {}});

  const Spec window7{.layout = Layout::channels_last,
                     .batch = 1,
                     .channels = 2,
                     .in = {7, 7},
                     .kernel = {3, 3},
                     .stride = {2, 2}};
  if (dtype_is_floating(dt))
    out.push_back(
        {"all_nan_window",
         "PyTorch #7645, TensorFlow #2501: a window of NaN only (NumPyNet raises)",
         first_accepted(pr, dt,
                        {with_padding(window7, Padding::same_upper),
                         with_padding(window7, Padding::explicit_pads, {1, 1}, {1, 1}), window7}),
         {.fill = DataRecipe::Fill::nan}});
  Spec origin{.layout = Layout::channels_last,  // NumPyNet's layout: its pad-cell argmax
              .batch = 1,
              .channels = 1,
              .in = {6, 6},
              .kernel = {3, 3},
              .stride = {1, 1}};
  out.push_back(
      {"all_minus_inf_window_at_origin",
       "PyTorch PR #1465: an all -inf window must still have an argmax (NumPyNet: a "
       "NaN pad cell, whose gradient is dropped)",
       first_accepted(pr, dt,
                      {with_padding(origin, Padding::same_upper),
                       with_padding(origin, Padding::explicit_pads, {1, 1}, {1, 1}), origin}),
       {.fill = DataRecipe::Fill::minus_inf, .at_origin = true}});

  const Spec dilated_a{.layout = Layout::channels_last,
                       .batch = 1,
                       .channels = 2,
                       .in = {3, 4},
                       .kernel = {2, 2},
                       .stride = {1, 1},
                       .dilation = {4, 1},
                       .pad_begin = {2, 0},
                       .pad_end = {2, 0},
                       .padding = Padding::explicit_pads};
  out.push_back({"padding_window_dilation",
                 "PyTorch #114216, MXNet #6191: dilation puts some windows entirely in padding",
                 build(pr, dt, dilated_a),
                 {}});
  Spec dilated_b = dilated_a;
  dilated_b.in = {2, 4};
  dilated_b.dilation = {3, 1};
  dilated_b.pad_begin = dilated_b.pad_end = {1, 0};
  if (!build(pr, dt, dilated_a))  // PyTorch's pad <= kernel/2 allows only this one
    out.push_back({"padding_window_dilation_small_pad",
                   "PyTorch #114216: every window lies in padding (pad <= kernel / 2)",
                   build(pr, dt, dilated_b),
                   {}});

  const Spec tail{.layout = Layout::channels_first,
                  .batch = 1,
                  .channels = 1,
                  .in = {2, 3, 17},
                  .kernel = {1, 2, 3},
                  .stride = {1, 1, 2}};
  out.push_back({"long_tail_3d",
                 "PyTorch test_maxpool3d_non_square_backward: the tail of a long axis gets its "
                 "gradient",
                 build(pr, dt, tail),
                 {}});

  Spec ties{.layout = Layout::channels_last,
            .batch = 2,
            .channels = 3,
            .in = {8, 8},
            .kernel = {3, 3},
            .stride = {1, 1}};
  out.push_back({"overlapping_ties",
                 "TensorFlow #4886, Theano #5404: ties send the gradient to the first maximum; "
                 "overlapping windows add up",
                 first_accepted(pr, dt,
                                {with_padding(ties, Padding::explicit_pads, {1, 1}, {1, 1}),
                                 with_padding(ties, Padding::same_upper), ties}),
                 {.spread = 2, .zero = 0.3}});
  campaign_only_regressions(pr, dt, out);
  return out;
}

std::int64_t draw(std::mt19937_64& rng, std::int64_t lo, std::int64_t hi) {
  return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng);
}

// Case i of the seeded part. Rank and layout cycle fastest, so every block of
// six holds each of ranks 1-3 in both layouts; the padding mode changes per
// block; ceil and dilation come in where the profile takes them.
std::optional<Problem> random_problem(const Profile& pr, DType dt, int i, std::mt19937_64& rng) {
  const ProfileRules& r = pr.rules;
  std::vector<Padding> modes;
  if (r.valid_padding) modes.push_back(Padding::valid);
  if (r.same_upper_padding) modes.push_back(Padding::same_upper);
  if (r.same_lower_padding) modes.push_back(Padding::same_lower);
  if (r.explicit_padding) modes.push_back(Padding::explicit_pads);
  const int rank = 1 + i % 3;
  const Layout layout = (i / 3) % 2 == 0 ? Layout::channels_last : Layout::channels_first;
  const Padding mode = modes[static_cast<std::size_t>(i / 6) % modes.size()];
  const bool ceil =
      r.ceil_mode && i % 2 == 1 && (mode == Padding::valid || mode == Padding::explicit_pads);
  const bool dilate = r.dilation && i % 4 == 2;
  const std::int64_t max_in = rank == 1 ? 24 : rank == 2 ? 10 : 6;
  for (int attempt = 0; attempt < 200; ++attempt) {
    Spec s{.layout = layout,
           .batch = draw(rng, 1, 2),
           .channels = draw(rng, 1, 3),
           .padding = mode,
           .ceil = ceil};
    for (int a = 0; a < rank; ++a) {
      s.in.push_back(draw(rng, 1, max_in));
      s.kernel.push_back(draw(rng, 1, rank == 1 ? 4 : 3));
      s.stride.push_back(draw(rng, 1, 3));
      s.dilation.push_back(dilate ? draw(rng, 1, 3) : 1);
      if (mode != Padding::explicit_pads) continue;
      const std::int64_t k = s.kernel.back();
      const std::int64_t span = (k - 1) * s.dilation.back() + 1;
      const std::int64_t most = r.pad_at_most_half_kernel ? k / 2 : span - 1;
      s.pad_begin.push_back(draw(rng, 0, most));
      s.pad_end.push_back(r.asymmetric_padding ? draw(rng, 0, most) : s.pad_begin.back());
    }
    if (std::optional<Problem> p = build(pr, dt, s)) return p;
  }
  return std::nullopt;
}

DataRecipe random_recipe(int i) {
  switch (i % 4) {
    case 0:
      return {.spread = 16};
    case 1:
      return {.spread = 8, .nan = 0.08, .inf = 0.08, .zero = 0.15};
    case 2:
      return {.spread = 2, .zero = 0.3};
    default:
      return {.spread = 4, .nan = 0.2, .inf = 0.1, .zero = 0.1};
  }
}

std::string tag(int number, const std::string& name, DType dt) {
  char prefix[16];
  std::snprintf(prefix, sizeof prefix, "%03d_", number);
  return prefix + name + "_" + std::string(dtype_name(dt));
}

// The input cells window (0, 0, o) reads; nothing for pad cells.
template <class F>
void for_each_window_cell(const Geometry& g, const Conventions& cv, std::int64_t n, std::int64_t c,
                          const Dims& o, F&& f) {
  reference::for_each_tap(g, cv.order, [&](const Dims& tap) {
    if (const std::optional<Dims> s = tap_source(g, cv.pad, o, tap))
      f(static_cast<std::size_t>(g.input_offset(n, c, *s)));
  });
}

template <class T>
T convert(double v) {
  if constexpr (std::is_same_v<T, float16> || std::is_same_v<T, bfloat16>) {
    return T::from_float(static_cast<float>(v));
  } else if constexpr (std::is_integral_v<T>) {
    // Integers have no NaN; +-inf become the type's extremes.
    if (std::isinf(v)) return v > 0 ? std::numeric_limits<T>::max() : std::numeric_limits<T>::min();
    return static_cast<T>(v);
  } else {
    return static_cast<T>(v);
  }
}

npy::Array to_array(DType dt, std::vector<std::int64_t> shape, const std::vector<double>& values) {
  return visit_dtype(dt, [&]<class T>(TypeTag<T>) {
    std::vector<T> typed;
    typed.reserve(values.size());
    for (const double v : values) typed.push_back(convert<T>(v));
    return npy::make_array(npy::to_element_type(dt), std::move(shape), typed);
  });
}

std::uint64_t fnv1a(const std::string& text) {
  std::uint64_t h = 1469598103934665603ull;
  for (const char ch : text) h = (h ^ static_cast<unsigned char>(ch)) * 1099511628211ull;
  return h;
}

}  // namespace

std::vector<RegressionCase> regression_cases(const Profile& profile, DType dtype) {
  return regressions(profile, dtype);
}

std::vector<Case> suite_cases(const Profile& profile, const std::vector<DType>& dtypes,
                              std::uint64_t seed, int random_cases) {
  std::vector<Case> cases;
  for (const DType dt : dtypes) {
    for (Named& r : regressions(profile, dt))
      if (r.problem && r.in_vector_suite)
        cases.push_back({tag(static_cast<int>(cases.size()), r.name, dt), r.covers,
                         std::move(*r.problem), r.data});
    std::mt19937_64 rng(seed ^ fnv1a(std::string(profile.name) + std::string(dtype_name(dt))));
    for (int i = 0; i < random_cases; ++i) {
      std::optional<Problem> p = random_problem(profile, dt, i, rng);
      if (!p) continue;
      const std::string name = "random" + std::to_string(i);
      cases.push_back({tag(static_cast<int>(cases.size()), name, dt),
                       "seeded: rank, layout, padding mode, ceil and dilation in rotation",
                       std::move(*p), random_recipe(i)});
    }
  }
  return cases;
}

CaseData case_data(const Case& c, std::uint64_t seed) {
  const Problem& p = c.problem;
  const Geometry g = p.geometry();
  const Conventions& cv = p.conventions();
  const DataRecipe& d = c.data;
  const bool integral = !dtype_is_floating(p.dtype());
  const bool unsigned_type = p.dtype() == DType::u8;
  std::mt19937_64 rng(seed ^ fnv1a(c.id));
  std::uniform_real_distribution<double> unit(0.0, 1.0);

  const auto lattice = [&](int spread) {
    const std::int64_t k =
        draw(rng, unsigned_type ? 0 : -spread, spread - 1) + (unsigned_type ? spread : 0);
    return integral ? static_cast<double>(k) : static_cast<double>(k) / 4.0;
  };
  std::vector<double> x(static_cast<std::size_t>(g.input_elements()));
  for (double& v : x) {
    v = lattice(d.spread);
    const double r = unit(rng);
    if (r < d.nan && !integral) {
      v = std::numeric_limits<double>::quiet_NaN();
    } else if (r < d.nan + d.inf) {
      v = (r < d.nan + d.inf / 2 ? 1.0 : -1.0) * std::numeric_limits<double>::infinity();
    } else if (r < d.nan + d.inf + d.zero) {
      v = unit(rng) < 0.5 ? 0.0 : -0.0;
    }
  }

  if (d.fill != DataRecipe::Fill::none) {
    Dims o{};
    for (int a = 0; a < kMaxRank; ++a) o[a] = d.at_origin ? 0 : g.out[a] / 2;
    const double value = d.fill == DataRecipe::Fill::nan ? std::numeric_limits<double>::quiet_NaN()
                                                         : -std::numeric_limits<double>::infinity();
    for_each_window_cell(g, cv, 0, 0, o, [&](std::size_t at) { x[at] = value; });
  } else if (cv.nan == NanRule::ignore && d.nan > 0) {
    // NumPyNet raises on an all-NaN window: random cases give such windows a
    // number so they test NaN handling; the all_nan_window case keeps its own.
    for (std::int64_t n = 0; n < g.batch; ++n)
      for (std::int64_t ch = 0; ch < g.channels; ++ch)
        reference::for_each_position(g.out, [&](const Dims& o) {
          std::optional<std::size_t> first;
          bool number = false;
          for_each_window_cell(g, cv, n, ch, o, [&](std::size_t at) {
            if (!first) first = at;
            number = number || !std::isnan(x[at]);
          });
          if (first && !number) x[*first] = lattice(d.spread);
        });
  }

  std::vector<double> dy(static_cast<std::size_t>(g.output_elements()));
  for (double& v : dy) v = lattice(integral ? 3 : 8);
  return {to_array(p.dtype(), tensor_shape(p, g.in), x),
          to_array(p.dtype(), tensor_shape(p, g.out), dy)};
}

}  // namespace poolcheck::vectors
