#include "vectors_command.hpp"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <system_error>
#include <vector>

#include "poolcheck/descriptor.hpp"
#include "poolcheck/error.hpp"
#include "poolcheck/npy.hpp"
#include "poolcheck/profiles.hpp"
#include "poolcheck/reference.hpp"
#include "poolcheck/visit_dtype.hpp"
#include "problem_options.hpp"
#include "vector_cases.hpp"
#include "vector_suite.hpp"

namespace poolcheck::cli {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

struct VectorsOptions {
  std::string profile = "numpynet";
  fs::path out;
  std::uint64_t seed = 1;
  int cases = 24;
  std::string dtypes = "f32,f64";
  bool force = false;
};

std::vector<DType> parse_dtypes(const std::string& text) {
  std::vector<DType> dtypes;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = std::min(text.find(',', start), text.size());
    const std::string name = text.substr(start, comma - start);
    const std::optional<DType> dt = dtype_from_name(name);
    if (!dt)
      throw ProblemError("--dtype", text,
                         "unknown dtype '" + name +
                             "'; expected a comma-separated list of f32, f64, f16, bf16, s8, u8");
    dtypes.push_back(*dt);
    start = comma + 1;
  }
  return dtypes;
}

std::string_view padding_name(Padding p) {
  switch (p) {
    case Padding::valid:
      return "valid";
    case Padding::same_upper:
      return "same_upper";
    case Padding::same_lower:
      return "same_lower";
    case Padding::explicit_pads:
      break;
  }
  return "explicit";
}

// Per-axis values of the resolved geometry, outermost first, for this rank.
Json axes(const Geometry& g, const Dims& d) {
  Json list = Json::array();
  for (int a = 0; a < g.rank; ++a) list.push_back(d[Geometry::axis_of(g.rank, a)]);
  return list;
}

struct Outputs {
  npy::Array y, argmax, dx;
};

// The reference's answer: y, argmax and dx (from zero), as `poolcheck ref`
// computes them.
Outputs reference_outputs(const Problem& p, const vectors::CaseData& data) {
  const Geometry g = p.geometry();
  const DType dt = p.dtype();
  const auto out_count = static_cast<std::size_t>(g.output_elements());
  const auto in_count = static_cast<std::size_t>(g.input_elements());
  const std::vector<std::int64_t> y_shape = tensor_shape(p, g.out);
  Outputs o{{npy::to_element_type(dt), y_shape, std::vector<std::byte>(out_count * dtype_size(dt))},
            {npy::ElementType::i64, y_shape, std::vector<std::byte>(out_count * 8)},
            {npy::to_element_type(dt), data.x.shape, std::vector<std::byte>(data.x.data.size())}};
  const std::unique_ptr<Implementation> impl = reference::make_implementation();
  const ConstBuffer x{dt, data.x.data.data(), in_count};
  impl->forward(p, x, MutableBuffer{dt, o.y.data.data(), out_count},
                {reinterpret_cast<std::int64_t*>(o.argmax.data.data()), out_count});
  impl->backward(p, x, o.argmax.as<std::int64_t>(), ConstBuffer{dt, data.dy.data.data(), out_count},
                 MutableBuffer{dt, o.dx.data.data(), in_count});
  return o;
}

Json write_case(const vectors::Case& c, std::uint64_t seed, const fs::path& root) {
  const Problem& p = c.problem;
  const Geometry g = p.geometry();
  const vectors::CaseData data = vectors::case_data(c, seed);
  const Outputs out = reference_outputs(p, data);
  const vectors::Windows windows = vectors::classify(p, data.x, false);

  const fs::path dir = root / c.id;
  fs::create_directory(dir);
  npy::write(dir / "x.npy", data.x);
  npy::write(dir / "dy.npy", data.dy);
  npy::write(dir / "y.npy", out.y);
  npy::write(dir / "argmax.npy", out.argmax);
  npy::write(dir / "dx.npy", out.dx);

  const auto has = [&](auto&& pred) {
    bool any = false;
    visit_dtype(p.dtype(), [&]<class T>(TypeTag<T>) {
      for (const T& v : data.x.as<T>()) any = any || pred(v);
    });
    return any;
  };
  const auto as_double = []<class T>(const T& v) {
    if constexpr (requires { v.to_float(); })
      return static_cast<double>(v.to_float());
    else
      return static_cast<double>(v);
  };
  Json j;
  j["id"] = c.id;
  j["covers"] = c.covers;
  j["descriptor"] = to_descriptor(p);
  j["dtype"] = dtype_name(p.dtype());
  j["layout"] = layout_name(p.layout(), p.rank());
  j["rank"] = p.rank();
  j["batch"] = g.batch;
  j["channels"] = g.channels;
  j["input_size"] = axes(g, g.in);
  j["output_size"] = axes(g, g.out);
  j["kernel"] = axes(g, g.kernel);
  j["stride"] = axes(g, g.stride);
  j["dilation"] = axes(g, g.dilation);
  j["padding"] = padding_name(p.padding());
  j["pad_begin"] = axes(g, g.pad_begin);
  j["pad_end"] = axes(g, g.pad_end);
  j["ceil_mode"] = p.ceil_mode();
  j["index_format"] = to_string(p.conventions().index);
  j["input_shape"] = data.x.shape;
  j["output_shape"] = out.y.shape;
  j["files"] = {{"x", c.id + "/x.npy"},
                {"dy", c.id + "/dy.npy"},
                {"y", c.id + "/y.npy"},
                {"argmax", c.id + "/argmax.npy"},
                {"dx", c.id + "/dx.npy"}};
  j["has_nan"] = has([&](const auto& v) { return std::isnan(as_double(v)); });
  j["has_inf"] = has([&](const auto& v) { return std::isinf(as_double(v)); });
  j["has_negative_zero"] =
      has([&](const auto& v) { return as_double(v) == 0 && std::signbit(as_double(v)); });
  j["all_nan_windows"] = windows.all_nan;
  // Windows whose checks the profile's system leaves open (verify relaxes
  // exactly these; see the manifest's "unspecified").
  j["unspecified_windows"] = {{"nan", windows.count(vectors::WindowRule::nan_open)},
                              {"padding", windows.count(vectors::WindowRule::padding_open)},
                              {"zero_sign", windows.count(vectors::WindowRule::zero_sign_open)}};
  j["nan_unspecified"] = windows.count(vectors::WindowRule::nan_open) > 0;
  if (const std::string raise = vectors::documented_raise(p, windows); !raise.empty())
    j["documented_raise"] = raise;
  return j;
}

Json manifest_head(const Profile& profile, const VectorsOptions& o) {
  Json m;
  m["format"] = vectors::kFormatName;
  m["format_version"] = vectors::kFormatVersion;
  m["poolcheck_version"] = POOLCHECK_VERSION;
  m["profile"] = profile.name;
  m["profile_source"] = profile.source;
  m["profile_unspecified"] = profile.unspecified;
  Problem probe;
  probe.profile(profile.name);
  m["unspecified"] = vectors::describe(vectors::open_rules(probe));
  m["seed"] = o.seed;
  m["dtypes"] = o.dtypes;
  m["layout_of_results"] =
      "RESULTS/<id>/y.npy (required), argmax.npy and dx.npy (optional; dx accumulated from "
      "zero), or RESULTS/<id>/skipped.txt / raised.txt with the reason";
  return m;
}

bool non_empty_dir(const fs::path& p) {
  return fs::exists(p) && (!fs::is_directory(p) || !fs::is_empty(p));
}

// A fresh directory next to `target`, named target + suffix + random letters.
fs::path sibling_temp(const fs::path& target, const char* suffix) {
  std::string name = target.string() + suffix + "XXXXXX";
  if (!mkdtemp(name.data()))
    throw ProblemError(
        "--out", target.string(),
        "cannot create a directory next to it: " + std::string(std::strerror(errno)));
  return name;
}

void run_vectors(const VectorsOptions& o) {
  const Profile& profile = profile_by_name(o.profile);
  const std::vector<DType> dtypes = parse_dtypes(o.dtypes);
  if (o.cases < 0 || o.cases > 10000)
    throw ProblemError("--cases", std::to_string(o.cases), "expected 0 to 10000");
  const fs::path out = o.out.has_filename() ? o.out : o.out.parent_path();  // drop a trailing '/'
  if (non_empty_dir(out) && !o.force)
    throw ProblemError("--out", out.string(),
                       "exists and is not empty; pass --force to replace it");
  if (fs::exists(out) && !fs::is_directory(out))
    throw ProblemError("--out", out.string(), "exists and is not a directory");

  const std::vector<vectors::Case> cases = vectors::suite_cases(profile, dtypes, o.seed, o.cases);
  if (out.has_parent_path()) fs::create_directories(out.parent_path());
  // Everything goes into a temporary sibling first, so DIR appears complete
  // or not at all.
  const fs::path tmp = sibling_temp(out, ".tmp-");
  try {
    Json manifest = manifest_head(profile, o);
    manifest["cases"] = Json::array();
    for (const vectors::Case& c : cases) manifest["cases"].push_back(write_case(c, o.seed, tmp));
    {
      std::ofstream file(tmp / vectors::kManifestName);
      file << manifest.dump(2) << '\n';
      if (!file.flush()) throw ProblemError("--out", out.string(), "cannot write the manifest");
    }
    if (fs::exists(out) && !fs::is_empty(out)) {
      const fs::path old = sibling_temp(out, ".old-");
      fs::rename(out, old);  // onto the empty directory mkdtemp made
      fs::rename(tmp, out);
      fs::remove_all(old);
    } else {
      fs::rename(tmp, out);  // replaces an empty directory
    }
  } catch (...) {
    std::error_code ignored;
    fs::remove_all(tmp, ignored);
    throw;
  }
  std::printf("wrote %zu cases (profile %s) to %s\n", cases.size(),
              std::string(profile.name).c_str(), out.string().c_str());
}

}  // namespace

void add_vectors_command(CLI::App& app) {
  auto options = std::make_shared<VectorsOptions>();
  CLI::App* cmd = app.add_subcommand(
      "vectors", "Write golden vectors (x, dy, y, argmax, dx as .npy, plus manifest.json)");
  cmd->add_option("--profile", options->profile,
                  "numpynet, pytorch, onnx, tensorflow, onednn, xnnpack, darknet")
      ->capture_default_str();
  cmd->add_option("--out", options->out, "Directory to create for the suite")->required();
  cmd->add_option("--seed", options->seed, "Seed of the generated cases")->capture_default_str();
  cmd->add_option("--cases", options->cases, "Seeded cases per dtype (regressions come on top)")
      ->capture_default_str();
  cmd->add_option("--dtype", options->dtypes, "Comma-separated dtypes: f32,f64,f16,bf16,s8,u8")
      ->capture_default_str();
  cmd->add_flag("--force", options->force, "Replace a non-empty --out directory");
  cmd->callback([options] { run_vectors(*options); });
}

}  // namespace poolcheck::cli
