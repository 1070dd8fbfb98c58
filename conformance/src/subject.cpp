#include "poolcheck/conformance/subject.hpp"

#include <algorithm>
#include <stdexcept>
#include <vector>

#include "poolcheck/argmax_index.hpp"
#include "poolcheck/error.hpp"
#include "poolcheck/isolated.hpp"
#include "poolcheck/resolve_implementation.hpp"

namespace poolcheck::conformance {
namespace {

// `problem` (posed under the comparison profile) with the same geometry under
// the plug-in's claimed profile: explicit pads, strides and dilation, and the
// same output sizes. Throws UnsupportedProblem when the claimed profile
// cannot pose it.
Problem repose(const Problem& problem, const Profile& claimed) {
  const Geometry g = problem.geometry();
  const int rank = problem.rank();
  std::vector<std::int64_t> begin, end, stride, dilation;
  for (int a = 0; a < rank; ++a) {
    const int axis = Geometry::axis_of(rank, a);
    begin.push_back(g.pad_begin[axis]), end.push_back(g.pad_end[axis]);
    stride.push_back(g.stride[axis]), dilation.push_back(g.dilation[axis]);
  }
  Problem q = problem;
  try {
    q.profile(claimed.name)
        .padding(Padding::explicit_pads)
        .pad_begin(begin)
        .pad_end(end)
        .stride(stride)
        .dilation(dilation)
        .ceil_mode(problem.ceil_mode() && claimed.rules.ceil_mode);
    if (q.geometry().out != g.out)
      throw plugin::UnsupportedProblem("profile " + std::string(claimed.name) +
                                       " gives other output sizes for this problem");
  } catch (const ProblemError& e) {
    throw plugin::UnsupportedProblem("not posable under the claimed profile " +
                                     std::string(claimed.name) + ": " + e.what());
  }
  return q;
}

// The row-major window tap that `index` (in `from`'s format) names for the
// window at (n, c, pos): the tap itself for window-local formats, the first
// tap inside the image reading the named cell for flat ones; kNoArgmax for
// none. Throws ProblemError for an index the format cannot hold.
std::int64_t tap_of(const Geometry& g, const Conventions& from, std::int64_t n, std::int64_t c,
                    const Dims& pos, std::int64_t index) {
  if (index == kNoArgmax) return kNoArgmax;
  const std::int64_t volume = g.kernel_volume();
  if (from.index == IndexFormat::window || from.index == IndexFormat::window_col_major) {
    if (index < 0 || index >= volume)
      throw ProblemError("argmax", std::to_string(index), "outside the window");
    if (from.index == IndexFormat::window) return index;
    const Dims t{index % g.kernel[0], (index / g.kernel[0]) % g.kernel[1],
                 index / (g.kernel[0] * g.kernel[1])};
    return g.tap_index(t);
  }
  const std::optional<std::int64_t> cell = decode_argmax(g, from, n, c, pos, index);
  if (!cell) return kNoArgmax;
  for (std::int64_t t = 0; t < volume; ++t) {
    const std::optional<Dims> p = tap_source(g, PadCells::excluded, pos, g.tap_from_index(t));
    if (p && g.input_offset(n, c, *p) == *cell) return t;
  }
  throw ProblemError("argmax", std::to_string(index), "names a cell outside its window");
}

// A plug-in seen through the comparison profile (comparison mode).
class ComparisonBridge final : public Implementation {
 public:
  ComparisonBridge(std::unique_ptr<plugin::IsolatedPlugin> plugin, const Profile& claimed)
      : plugin_(std::move(plugin)), claimed_(claimed) {}

  std::string name() const override { return plugin_->name(); }
  const plugin::IsolatedPlugin& plugin() const noexcept { return *plugin_; }
  Problem repose(const Problem& problem) const { return conformance::repose(problem, claimed_); }

  void forward(const Problem& problem, ConstBuffer x, MutableBuffer y,
               std::span<std::int64_t> argmax) const override {
    const Problem q = repose(problem);
    std::vector<std::int64_t> own(argmax.size());
    plugin_->forward(q, x, y, own);
    if (argmax.empty()) return;
    const Geometry g = problem.geometry();
    Dims pos{};
    for (std::int64_t n = 0; n < g.batch; ++n)
      for (std::int64_t c = 0; c < g.channels; ++c)
        for (pos[0] = 0; pos[0] < g.out[0]; ++pos[0])
          for (pos[1] = 0; pos[1] < g.out[1]; ++pos[1])
            for (pos[2] = 0; pos[2] < g.out[2]; ++pos[2]) {
              const auto i = static_cast<std::size_t>(g.output_offset(n, c, pos));
              const std::int64_t tap = tap_of(g, q.conventions(), n, c, pos, own[i]);
              argmax[i] = encode_argmax(g, problem.conventions(), n, c, pos, tap);
            }
  }

  // Only the backward that recomputes the argmax from x: an argmax in the
  // comparison profile's format may name a cell the claimed format cannot.
  void backward(const Problem& problem, ConstBuffer x, std::span<const std::int64_t> argmax,
                ConstBuffer dy, MutableBuffer dx) const override {
    if (!argmax.empty())
      throw plugin::UnsupportedProblem("comparison mode runs backward from x only");
    plugin_->backward(repose(problem), x, argmax, dy, dx);
  }

 private:
  std::unique_ptr<plugin::IsolatedPlugin> plugin_;
  const Profile& claimed_;
};

}  // namespace

Subject::~Subject() = default;

std::unique_ptr<Subject> Subject::open(const std::string& spec, const std::string& profile,
                                       std::chrono::milliseconds timeout, bool for_comparison) {
  std::unique_ptr<Subject> s(new Subject);
  s->spec_ = spec;
  if (spec.starts_with("builtin:")) {
    try {
      s->impl_ = resolve_implementation(spec);
    } catch (const std::runtime_error& e) {
      throw ProblemError("--impl", spec, e.what());
    }
    s->profile_ = profile.empty() ? &default_profile() : &profile_by_name(profile);
    // A built-in implements every convention, so it claims everything.
    s->claim_ = {.name = s->impl_->name(),
                 .profile = std::string(s->profile_->name),
                 .dtypes = {std::begin(kAllDTypes), std::end(kAllDTypes)},
                 .layouts = {Layout::channels_last, Layout::channels_first},
                 .ranks = {1, 2, 3},
                 .argmax = true,
                 .backward = true,
                 .backward_from_x = true};
    return s;
  }
  std::unique_ptr<plugin::IsolatedPlugin> isolated;
  try {
    isolated = plugin::IsolatedPlugin::open(spec, {.timeout = timeout});
  } catch (const std::runtime_error& e) {
    throw ProblemError("--impl", spec, e.what());
  }
  s->claim_ = isolated->claim();
  s->profile_ = &profile_by_name(s->claim_.profile);
  s->isolated_ = isolated.get();
  if (!profile.empty() && profile != s->claim_.profile) {
    if (!for_comparison)
      throw ProblemError("--profile", profile,
                         "the plug-in claims profile " + s->claim_.profile +
                             " and is only tested within its claim (--compare runs it under "
                             "another profile, for comparison)");
    const Profile& claimed = *s->profile_;
    s->profile_ = &profile_by_name(profile);
    s->comparison_ = true;
    s->claim_.backward = false;  // see ComparisonBridge::backward
    s->impl_ = std::make_unique<ComparisonBridge>(std::move(isolated), claimed);
    return s;
  }
  s->impl_ = std::move(isolated);
  return s;
}

bool Subject::fit(Problem& problem, std::string* why) const {
  const std::vector<Layout>& layouts = claim_.layouts;
  if (!layouts.empty() &&
      std::find(layouts.begin(), layouts.end(), problem.layout()) == layouts.end())
    problem.layout(layouts.front());
  if (comparison_) {
    try {
      return isolated_->covers(static_cast<const ComparisonBridge&>(*impl_).repose(problem), why);
    } catch (const plugin::UnsupportedProblem& e) {
      if (why) *why = e.what();
      return false;
    }
  }
  if (isolated_) return isolated_->covers(problem, why);
  const auto in = [](const auto& list, const auto& v) {
    return std::find(list.begin(), list.end(), v) != list.end();
  };
  if (problem.profile().name != profile_->name || !in(claim_.dtypes, problem.dtype()) ||
      !in(claim_.ranks, problem.rank())) {
    if (why) *why = "profile, dtype or rank outside the claim";
    return false;
  }
  return true;
}

}  // namespace poolcheck::conformance
