#include "poolcheck/problem.hpp"

#include <string>

#include "poolcheck/error.hpp"
#include "poolcheck/geometry.hpp"

namespace poolcheck {
namespace {

constexpr std::string_view kAxes1[] = {"w"};
constexpr std::string_view kAxes2[] = {"h", "w"};
constexpr std::string_view kAxes3[] = {"d", "h", "w"};

std::string axis_parameter(std::string_view what, int rank, int user_axis) {
  return std::string(what) + "_" + std::string(Problem::axis_names(rank)[user_axis]);
}

std::string join(const std::vector<std::int64_t>& v) {
  std::string s;
  for (const std::int64_t x : v) s += (s.empty() ? "" : ",") + std::to_string(x);
  return s;
}

// A per-axis list must have one value per spatial axis (or be empty when it
// has a default).
void check_length(std::string_view what, const std::vector<std::int64_t>& v, int rank,
                  bool may_be_empty) {
  if (v.empty() && may_be_empty) return;
  if (static_cast<int>(v.size()) != rank)
    throw ProblemError(std::string(what), join(v),
                       "has " + std::to_string(v.size()) + " values but the input has " +
                           std::to_string(rank) + " spatial axes");
}

void check_at_least(std::string_view what, const std::vector<std::int64_t>& v, int rank,
                    std::int64_t minimum) {
  for (int a = 0; a < static_cast<int>(v.size()); ++a)
    if (v[a] < minimum)
      throw ProblemError(axis_parameter(what, rank, a), std::to_string(v[a]),
                         "must be at least " + std::to_string(minimum));
}

std::int64_t or_default(const std::vector<std::int64_t>& v, int a, std::int64_t fallback) {
  return v.empty() ? fallback : v[a];
}

// Product of the sizes with an overflow check naming `parameter`.
std::int64_t checked_product(std::initializer_list<std::int64_t> factors, const char* what) {
  std::int64_t total = 1;
  std::string shown;
  bool overflow = false;
  for (const std::int64_t f : factors) {
    shown += (shown.empty() ? "" : "*") + std::to_string(f);
    const auto next = axis::checked_mul(total, f);
    overflow = overflow || !next;
    if (next) total = *next;
  }
  if (overflow) throw ProblemError(what, shown, "the element count does not fit in 64 bits");
  return total;
}

void check_profile_rules(const Problem& p, int rank) {
  const ProfileRules& rules = p.profile().rules;
  const std::string profile(p.profile().name);
  const auto forbid = [&](const std::string& parameter, const std::string& value) {
    throw ProblemError(parameter, value, "not allowed by profile " + profile);
  };
  switch (p.padding()) {
    case Padding::valid:
      if (!rules.valid_padding) forbid("padding", "valid");
      break;
    case Padding::same_upper:
      if (!rules.same_upper_padding) forbid("padding", "same");
      break;
    case Padding::same_lower:
      if (!rules.same_lower_padding) forbid("padding", "samelower");
      break;
    case Padding::explicit_pads:
      for (int a = 0; a < rank; ++a) {
        const std::int64_t b = or_default(p.pad_begin(), a, 0);
        const std::int64_t e = or_default(p.pad_end(), a, 0);
        if ((b != 0 || e != 0) && !rules.explicit_padding)
          forbid(axis_parameter("pad_begin", rank, a), std::to_string(b));
        if (b != e && !rules.asymmetric_padding)
          throw ProblemError(
              axis_parameter("pad_end", rank, a), std::to_string(e),
              "profile " + profile + " needs pad_end = pad_begin (" + std::to_string(b) + ")");
        if (rules.pad_at_most_half_kernel && std::max(b, e) > p.kernel()[a] / 2)
          throw ProblemError(axis_parameter("pad_begin", rank, a), std::to_string(std::max(b, e)),
                             "profile " + profile +
                                 " allows at most kernel/2 = " + std::to_string(p.kernel()[a] / 2));
      }
      break;
  }
  if (p.ceil_mode() && !rules.ceil_mode) forbid("ceil_mode", "true");
  for (int a = 0; a < rank; ++a)
    if (or_default(p.dilation(), a, 1) != 1 && !rules.dilation)
      forbid(axis_parameter("dilation", rank, a), std::to_string(p.dilation()[a]));
}

}  // namespace

Problem::Problem() : profile_(&default_profile()), conventions_(default_profile().conventions) {}

Problem& Problem::profile(std::string_view name) {
  profile_ = &profile_by_name(name);
  conventions_ = profile_->conventions;
  return *this;
}
Problem& Problem::conventions(const Conventions& c) {
  conventions_ = c;
  return *this;
}
Problem& Problem::dtype(DType d) {
  dtype_ = d;
  return *this;
}
Problem& Problem::layout(Layout l) {
  layout_ = l;
  return *this;
}
Problem& Problem::batch(std::int64_t n) {
  batch_ = n;
  return *this;
}
Problem& Problem::channels(std::int64_t c) {
  channels_ = c;
  return *this;
}
Problem& Problem::input_size(std::initializer_list<std::int64_t> s) {
  return input_size(std::span<const std::int64_t>(s.begin(), s.size()));
}
Problem& Problem::input_size(std::span<const std::int64_t> s) {
  input_.assign(s.begin(), s.end());
  return *this;
}
Problem& Problem::kernel(std::initializer_list<std::int64_t> s) {
  return kernel(std::span<const std::int64_t>(s.begin(), s.size()));
}
Problem& Problem::kernel(std::span<const std::int64_t> s) {
  kernel_.assign(s.begin(), s.end());
  return *this;
}
Problem& Problem::stride(std::initializer_list<std::int64_t> s) {
  return stride(std::span<const std::int64_t>(s.begin(), s.size()));
}
Problem& Problem::stride(std::span<const std::int64_t> s) {
  stride_.assign(s.begin(), s.end());
  return *this;
}
Problem& Problem::dilation(std::initializer_list<std::int64_t> s) {
  return dilation(std::span<const std::int64_t>(s.begin(), s.size()));
}
Problem& Problem::dilation(std::span<const std::int64_t> s) {
  dilation_.assign(s.begin(), s.end());
  return *this;
}
Problem& Problem::pad_begin(std::initializer_list<std::int64_t> s) {
  return pad_begin(std::span<const std::int64_t>(s.begin(), s.size()));
}
Problem& Problem::pad_begin(std::span<const std::int64_t> s) {
  pad_begin_.assign(s.begin(), s.end());
  return *this;
}
Problem& Problem::pad_end(std::initializer_list<std::int64_t> s) {
  return pad_end(std::span<const std::int64_t>(s.begin(), s.size()));
}
Problem& Problem::pad_end(std::span<const std::int64_t> s) {
  pad_end_.assign(s.begin(), s.end());
  return *this;
}
Problem& Problem::pads(std::initializer_list<std::int64_t> s) {
  pad_begin(s);
  return pad_end(s);
}
Problem& Problem::padding(Padding mode) {
  padding_ = mode;
  return *this;
}
Problem& Problem::ceil_mode(bool on) {
  ceil_mode_ = on;
  return *this;
}

std::span<const std::string_view> Problem::axis_names(int rank) noexcept {
  switch (rank) {
    case 1:
      return kAxes1;
    case 3:
      return kAxes3;
    default:
      return kAxes2;
  }
}

Geometry Problem::geometry() const {
  const int r = rank();
  if (r < 1 || r > kMaxRank)
    throw ProblemError("input_size", join(input_),
                       "needs 1 to 3 spatial sizes, got " + std::to_string(r));
  if (batch_ < 1) throw ProblemError("batch", std::to_string(batch_), "must be at least 1");
  if (channels_ < 1)
    throw ProblemError("channels", std::to_string(channels_), "must be at least 1");
  check_length("kernel", kernel_, r, false);
  check_length("stride", stride_, r, true);
  check_length("dilation", dilation_, r, true);
  check_length("pad_begin", pad_begin_, r, true);
  check_length("pad_end", pad_end_, r, true);
  check_at_least("input", input_, r, 1);
  check_at_least("kernel", kernel_, r, 1);
  check_at_least("stride", stride_, r, 1);
  check_at_least("dilation", dilation_, r, 1);
  check_at_least("pad_begin", pad_begin_, r, 0);
  check_at_least("pad_end", pad_end_, r, 0);
  if (padding_ != Padding::explicit_pads) {
    for (int a = 0; a < r; ++a)
      if (or_default(pad_begin_, a, 0) != 0 || or_default(pad_end_, a, 0) != 0)
        throw ProblemError(axis_parameter("pad_begin", r, a),
                           std::to_string(or_default(pad_begin_, a, 0)) + "," +
                               std::to_string(or_default(pad_end_, a, 0)),
                           "explicit pads cannot be combined with valid or same padding");
  }
  check_profile_rules(*this, r);

  Geometry g;
  g.rank = r;
  g.layout = layout_;
  g.batch = batch_;
  g.channels = channels_;
  for (int a = 0; a < r; ++a) {
    const int ax = Geometry::axis_of(r, a);
    g.in[ax] = input_[a];
    g.kernel[ax] = kernel_[a];
    g.stride[ax] = or_default(stride_, a, kernel_[a]);
    g.dilation[ax] = or_default(dilation_, a, 1);
    // Every size (input, stride, pads, the dilated span) stays below 2^61, so
    // the sums of geometry never come near overflow.
    constexpr std::int64_t kLimit = std::int64_t{1} << 61;
    const auto span = axis::checked_mul(g.kernel[ax] - 1, g.dilation[ax]);
    if (!span || *span > kLimit)
      throw ProblemError(axis_parameter("dilation", r, a), std::to_string(g.dilation[ax]),
                         "the dilated kernel span overflows");
    const std::int64_t keff = axis::effective_kernel(g.kernel[ax], g.dilation[ax]);
    axis::Pads pads{or_default(pad_begin_, a, 0), or_default(pad_end_, a, 0)};
    for (const auto& [name, value] :
         {std::pair{"input", g.in[ax]}, std::pair{"stride", g.stride[ax]},
          std::pair{"pad_begin", pads.begin}, std::pair{"pad_end", pads.end}})
      if (value > kLimit)
        throw ProblemError(axis_parameter(name, r, a), std::to_string(value),
                           "exceeds the limit 2^61");
    if (padding_ == Padding::same_upper || padding_ == Padding::same_lower)
      pads = axis::same_padding(g.in[ax], keff, g.stride[ax], padding_ == Padding::same_upper);
    g.pad_begin[ax] = pads.begin;
    g.pad_end[ax] = pads.end;
    g.out[ax] = axis::output_size(g.in[ax], keff, g.stride[ax], pads, ceil_mode_);
    if (g.out[ax] == 0)
      throw ProblemError(
          axis_parameter("kernel", r, a), std::to_string(g.kernel[ax]),
          "the window (span " + std::to_string(keff) + ") exceeds the padded input " +
              std::to_string(g.in[ax] + pads.begin + pads.end) + ": the output would be empty");
  }

  const std::int64_t in_plane = checked_product({g.in[0], g.in[1], g.in[2]}, "input_size");
  const std::int64_t out_plane = checked_product({g.out[0], g.out[1], g.out[2]}, "output_size");
  checked_product({batch_, channels_, in_plane}, "batch*channels*input_size");
  checked_product({batch_, channels_, out_plane}, "batch*channels*output_size");
  const auto set_strides = [&](const Dims& sizes, Dims& spatial, std::int64_t& channel,
                               std::int64_t& batch_stride) {
    const bool last = layout_ == Layout::channels_last;
    std::int64_t step = last ? channels_ : 1;
    for (int a = kMaxRank - 1; a >= 0; --a) {
      spatial[a] = step;
      step *= sizes[a];
    }
    channel = last ? 1 : step;
    batch_stride = step * (last ? 1 : channels_);
  };
  set_strides(g.in, g.in_spatial_stride, g.in_channel_stride, g.in_batch_stride);
  set_strides(g.out, g.out_spatial_stride, g.out_channel_stride, g.out_batch_stride);
  return g;
}

OpenBehaviour open_behaviour(const Problem& problem) noexcept {
  OpenBehaviour open = problem.profile().open;
  open.nan_windows = problem.conventions().nan == NanRule::unspecified;
  // The sign of a tied zero is open only where NaN is ignored numpy's way.
  open.zero_sign = open.zero_sign && problem.conventions().nan == NanRule::ignore;
  return open;
}

std::string_view layout_name(Layout layout, int rank) noexcept {
  const bool last = layout == Layout::channels_last;
  switch (rank) {
    case 1:
      return last ? "nwc" : "ncw";
    case 3:
      return last ? "ndhwc" : "ncdhw";
    default:
      return last ? "nhwc" : "nchw";
  }
}

}  // namespace poolcheck
