#include "probes.hpp"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>

#include "poolcheck/descriptor.hpp"
#include "poolcheck/error.hpp"
#include "poolcheck/isolated.hpp"
#include "poolcheck/reference.hpp"

namespace poolcheck::conformance {
namespace {

using Json = nlohmann::ordered_json;
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr float kInf = std::numeric_limits<float>::infinity();

// A float as text that keeps what matters here: nan, ±inf, the sign of zero,
// and every digit (%.9g round-trips a float).
std::string show(float v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v < 0 ? "-inf" : "inf";
  if (v == 0) return std::signbit(v) ? "-0" : "0";
  char text[32];
  std::snprintf(text, sizeof text, "%.9g", static_cast<double>(v));
  return text;
}

Json show_all(const std::vector<float>& v) {
  Json a = Json::array();
  for (const float f : v) a.push_back(show(f));
  return a;
}

// The probe under `profile`: explicit pads where the profile takes them, else
// SAME if that resolves to the same pads. Throws ProblemError when neither
// poses it.
Problem pose(const Probe& probe, const Profile& profile) {
  Problem p;
  p.profile(profile.name)
      .dtype(DType::f32)
      .layout(Layout::channels_last)
      .input_size(probe.input)
      .kernel(probe.kernel)
      .stride(probe.stride)
      .dilation(probe.dilation)
      .pad_begin(probe.pad_begin)
      .pad_end(probe.pad_end)
      .ceil_mode(probe.ceil_mode);
  try {
    (void)p.geometry();
    return p;
  } catch (const ProblemError& explicit_error) {
    Problem same = p;
    const std::vector<std::int64_t> zeros(probe.input.size(), 0);
    same.padding(Padding::same_upper).pad_begin(zeros).pad_end(zeros);
    try {
      const Geometry g = same.geometry();
      const Geometry want = [&] {
        Problem q = p;
        q.profile("onnx");  // accepts every parameter: the geometry the probe means
        return q.geometry();
      }();
      if (g.pad_begin == want.pad_begin && g.pad_end == want.pad_end && g.out == want.out)
        return same;
    } catch (const ProblemError&) {
    }
    throw;
  }
}

struct Outcome {
  std::string status;  // "ok", "refused", "failed"
  std::string message;
  std::vector<float> y;
  std::vector<std::int64_t> argmax;
};

Outcome forward(const Implementation& impl, const Problem& p, const std::vector<float>& x,
                bool argmax) {
  const Geometry g = p.geometry();
  Outcome o{"ok", {}, std::vector<float>(static_cast<std::size_t>(g.output_elements())), {}};
  if (argmax) o.argmax.assign(o.y.size(), 0);
  try {
    impl.forward(p, ConstBuffer::of(DType::f32, std::span<const float>(x)),
                 MutableBuffer::of(DType::f32, std::span<float>(o.y)), o.argmax);
  } catch (const plugin::UnsupportedProblem& e) {
    return {"refused", e.what(), {}, {}};
  } catch (const plugin::PluginFailure& e) {
    return {"failed", plugin::describe(e.outcome()), {}, {}};
  } catch (const std::exception& e) {
    return {"failed", e.what(), {}, {}};
  }
  return o;
}

Json outcome_json(const Outcome& o) {
  Json j{{"status", o.status}};
  if (!o.message.empty()) j["message"] = o.message;
  if (o.status == "ok") {
    j["y"] = show_all(o.y);
    if (!o.argmax.empty()) j["argmax"] = o.argmax;
  }
  return j;
}

}  // namespace

const std::vector<Probe>& probes() {
  static const std::vector<Probe> list = {
      {"nan_first",
       "a NaN first in the window, numbers after it",
       {2, 2},
       {kNaN, 1, 2, 3},
       {2, 2},
       {2, 2},
       {1, 1},
       {0, 0},
       {0, 0}},
      {"nan_inside",
       "two NaNs among numbers: which NaN, or which number",
       {2, 2},
       {1, kNaN, kNaN, 0},
       {2, 2},
       {2, 2},
       {1, 1},
       {0, 0},
       {0, 0}},
      {"all_nan",
       "a window of NaN only",
       {2, 2},
       {kNaN, kNaN, kNaN, kNaN},
       {2, 2},
       {2, 2},
       {1, 1},
       {0, 0},
       {0, 0}},
      {"neg_inf_padded",
       "-inf everywhere with padding: what the pad cells hold",
       {1, 2},
       {-kInf, -kInf},
       {1, 3},
       {1, 1},
       {1, 1},
       {0, 1},
       {0, 1}},
      {"signed_zeros",
       "-0 then +0: which zero, and its sign",
       {1, 2},
       {-0.0F, 0.0F},
       {1, 2},
       {1, 2},
       {1, 1},
       {0, 0},
       {0, 0}},
      {"tie_row",
       "a tie in one row [5, 5]: first in scan order",
       {1, 2},
       {5, 5},
       {1, 2},
       {1, 2},
       {1, 1},
       {0, 0},
       {0, 0}},
      {"tie_diagonal",
       "a tie [[1, 5], [5, 1]]: row-major or column-major scan",
       {2, 2},
       {1, 5, 5, 1},
       {2, 2},
       {2, 2},
       {1, 1},
       {0, 0},
       {0, 0}},
      {"kernel_over_input_padded",
       "kernel 3 on width 2 with pad 1 each side, stride 2",
       {1, 2},
       {1, 2},
       {1, 3},
       {1, 2},
       {1, 1},
       {0, 1},
       {0, 1}},
      {"kernel_over_input",
       "kernel 3 on width 2, no padding",
       {1, 2},
       {1, 2},
       {1, 3},
       {1, 1},
       {1, 1},
       {0, 0},
       {0, 0}},
      {"ceil_32_k1_s2",
       "width 32, kernel 1, stride 2, ceil mode: 16 outputs (PyTorch #57178)",
       {1, 32},
       std::vector<float>(32, 1.0F),
       {1, 1},
       {1, 2},
       {1, 1},
       {0, 0},
       {0, 0},
       true},
      {"all_padding_window",
       "width 1, kernel 2, dilation 2, pad 1: both taps in padding",
       {1, 1},
       {7},
       {1, 2},
       {1, 1},
       {1, 2},
       {0, 1},
       {0, 1}},
  };
  return list;
}

Json run_probes(const Subject& subject) {
  const std::unique_ptr<Implementation> reference = reference::make_implementation();
  Json out;
  out["implementation"] = subject.spec();
  out["name"] = subject.name();
  out["profile"] = std::string(subject.profile().name);
  out["claimed_profile"] = subject.claim().profile;
  out["comparison"] = subject.comparison();
  Json list = Json::array();
  for (const Probe& probe : probes()) {
    Json j{{"name", probe.name}, {"description", probe.description}, {"x", show_all(probe.x)}};
    Problem p;
    try {
      p = pose(probe, subject.profile());
    } catch (const ProblemError& e) {
      j["posed"] = false;
      j["message"] = e.what();
      list.push_back(std::move(j));
      continue;
    }
    j["posed"] = true;
    const Geometry g = p.geometry();
    j["output_size"] = std::vector<std::int64_t>(g.out.end() - p.rank(), g.out.end());
    std::string why;
    Problem fitted = p;
    Outcome got;
    if (!subject.fit(fitted, &why))
      got = {"refused", "outside the claim: " + why, {}, {}};
    else
      got = forward(subject.implementation(), fitted, probe.x, subject.claim().argmax);
    j["descriptor"] = to_descriptor(fitted);
    j["actual"] = outcome_json(got);
    const Outcome want = forward(*reference, fitted, probe.x, true);
    j["reference"] = outcome_json(want);
    if (got.status == "ok") {
      bool same_y = true;
      for (std::size_t i = 0; i < got.y.size(); ++i)
        same_y = same_y && std::memcmp(&got.y[i], &want.y[i], sizeof(float)) == 0;
      j["same_y"] = same_y;
      if (!got.argmax.empty()) j["same_argmax"] = got.argmax == want.argmax;
    }
    list.push_back(std::move(j));
  }
  out["probes"] = std::move(list);
  return out;
}

}  // namespace poolcheck::conformance
