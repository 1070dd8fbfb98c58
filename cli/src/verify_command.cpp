#include "verify_command.hpp"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "poolcheck/descriptor.hpp"
#include "poolcheck/error.hpp"
#include "poolcheck/npy.hpp"
#include "problem_options.hpp"
#include "vector_suite.hpp"
#include "verify_compare.hpp"

namespace poolcheck::cli {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

struct VerifyOptions {
  fs::path vectors;
  fs::path results;
  fs::path report;
  bool strict = false;
};

enum class Status { pass, fail, skipped, raised };

const char* status_word(Status s) {
  switch (s) {
    case Status::pass:
      return "PASS";
    case Status::skipped:
      return "SKIP";
    case Status::raised:
      return "RAISED";
    case Status::fail:
      break;
  }
  return "FAIL";
}

struct Verdict {
  std::string id;
  std::string descriptor;
  Status status = Status::fail;
  std::vector<std::string> notes;  // why it failed, or what was not checked
};

Json load_manifest(const fs::path& dir) {
  const fs::path path = dir / vectors::kManifestName;
  std::ifstream file(path);
  if (!file) throw ProblemError("--vectors", dir.string(), "has no readable manifest.json");
  Json m;
  try {
    m = Json::parse(file);
  } catch (const Json::exception& e) {
    throw ProblemError("--vectors", dir.string(),
                       "manifest.json is not JSON: " + std::string(e.what()));
  }
  if (!m.is_object() || m.value("format", "") != vectors::kFormatName || !m.contains("cases") ||
      !m["cases"].is_array())
    throw ProblemError("--vectors", dir.string(),
                       "manifest.json is not a poolcheck-vectors manifest");
  if (m.value("format_version", 0) != vectors::kFormatVersion)
    throw ProblemError("--vectors", dir.string(),
                       "manifest format_version " + m["format_version"].dump() +
                           " is not supported; expected " +
                           std::to_string(vectors::kFormatVersion));
  return m;
}

std::string read_text(const fs::path& path) {
  std::ifstream file(path);
  std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  const std::size_t newline = text.find('\n');
  return newline == std::string::npos ? text : text.substr(0, newline) + " ...";
}

// A result file with the case's element type and expected shape, or the reason
// it cannot be used (missing, malformed, wrong type or shape).
std::optional<npy::Array> read_result(const fs::path& path, npy::ElementType type,
                                      const std::vector<std::int64_t>& shape, bool required,
                                      std::vector<std::string>& problems) {
  if (!fs::exists(path)) {
    if (required) problems.push_back(path.string() + ": missing");
    return std::nullopt;
  }
  try {
    npy::Array a = npy::read(path, type);
    if (a.shape != shape) {
      problems.push_back(path.string() + ": shape " + npy::format_shape(a.shape) + ", expected " +
                         npy::format_shape(shape));
      return std::nullopt;
    }
    return a;
  } catch (const npy::NpyError& e) {
    problems.push_back(e.what());
    return std::nullopt;
  }
}

Verdict verify_case(const Json& c, const fs::path& vdir, const fs::path& rdir, bool strict) {
  Verdict v;
  v.id = c.value("id", "");
  v.descriptor = c.value("descriptor", "");
  if (v.id.empty() || v.id.find('/') != std::string::npos || v.id.starts_with(".")) {
    v.notes.push_back("manifest: case without a usable id");
    return v;
  }
  const fs::path result = rdir / v.id;
  if (fs::exists(result / vectors::kSkippedName)) {
    v.status = strict ? Status::fail : Status::skipped;
    v.notes.push_back("skipped by the implementation: " +
                      read_text(result / vectors::kSkippedName));
    return v;
  }
  if (fs::exists(result / vectors::kRaisedName)) {
    const std::string documented = c.value("documented_raise", "");
    v.status = !documented.empty() && !strict ? Status::raised : Status::fail;
    v.notes.push_back("the implementation raised: " + read_text(result / vectors::kRaisedName));
    v.notes.push_back(documented.empty() ? "no raise is documented for this case"
                                         : "documented: " + documented);
    return v;
  }

  // The expected side comes from poolcheck itself; a problem there is the
  // suite's fault, but it still only fails this case.
  Problem problem;
  vectors::Expected expected;
  try {
    problem = parse_descriptor(v.descriptor);
    const npy::ElementType type = npy::to_element_type(problem.dtype());
    const fs::path dir = vdir / v.id;
    expected = {npy::read(dir / "x.npy", type), npy::read(dir / "y.npy", type),
                npy::read(dir / "argmax.npy", npy::ElementType::i64),
                npy::read(dir / "dx.npy", type)};
    const Geometry g = problem.geometry();
    if (expected.x.shape != tensor_shape(problem, g.in) ||
        expected.y.shape != tensor_shape(problem, g.out) ||
        expected.argmax.shape != expected.y.shape || expected.dx.shape != expected.x.shape)
      throw ProblemError("--vectors", dir.string(), "expected arrays do not fit the descriptor");
  } catch (const std::exception& e) {
    v.notes.push_back(std::string("bad vectors: ") + e.what());
    return v;
  }

  const npy::ElementType type = npy::to_element_type(problem.dtype());
  std::vector<std::string> problems;
  std::optional<npy::Array> y =
      read_result(result / "y.npy", type, expected.y.shape, true, problems);
  std::optional<npy::Array> argmax =
      read_result(result / "argmax.npy", npy::ElementType::i64, expected.y.shape, false, problems);
  std::optional<npy::Array> dx =
      read_result(result / "dx.npy", type, expected.x.shape, false, problems);
  const vectors::Windows windows = vectors::classify(problem, expected.x, strict);
  if (y) {
    const vectors::Actual actual{std::move(*y), std::move(argmax), std::move(dx)};
    for (std::string& p : vectors::compare(problem, windows, expected, actual).problems)
      problems.push_back(std::move(p));
    if (!actual.argmax && !fs::exists(result / "argmax.npy")) v.notes.push_back("argmax not given");
    if (!actual.dx && !fs::exists(result / "dx.npy")) v.notes.push_back("dx not given");
  }
  if (!problems.empty()) {
    v.notes = std::move(problems);
    return v;
  }
  v.status = Status::pass;
  const std::int64_t relaxed = windows.count(vectors::WindowRule::nan_open) +
                               windows.count(vectors::WindowRule::padding_open) +
                               windows.count(vectors::WindowRule::zero_sign_open);
  if (relaxed)
    v.notes.push_back(std::to_string(relaxed) +
                      " window(s) checked only as far as the profile specifies");
  return v;
}

std::string join(const std::vector<std::string>& parts) {
  std::string s;
  for (const std::string& p : parts) s += (s.empty() ? "" : "; ") + p;
  return s;
}

void write_report(const fs::path& path, const Json& report) {
  // Written whole to a temporary sibling, then renamed, like the .npy files.
  const fs::path tmp = path.string() + ".tmp";
  {
    std::ofstream file(tmp);
    file << report.dump(2) << '\n';
    if (!file.flush()) {
      std::error_code ignored;
      fs::remove(tmp, ignored);
      throw ProblemError("--report", path.string(), "cannot be written");
    }
  }
  fs::rename(tmp, path);
}

void run_verify(const VerifyOptions& o) {
  const Json manifest = load_manifest(o.vectors);
  if (!fs::is_directory(o.results))
    throw ProblemError("--results", o.results.string(), "is not a directory");

  int counts[4] = {0, 0, 0, 0};
  Json cases = Json::array();
  for (const Json& c : manifest["cases"]) {
    const Verdict v = c.is_object()
                          ? verify_case(c, o.vectors, o.results, o.strict)
                          : Verdict{"?", "", Status::fail, {"manifest: case is not an object"}};
    ++counts[static_cast<int>(v.status)];
    const std::string notes = join(v.notes);
    std::printf("%-6s %s %s%s%s\n", status_word(v.status), v.id.c_str(), v.descriptor.c_str(),
                notes.empty() ? "" : ": ", notes.c_str());
    cases.push_back({{"id", v.id},
                     {"descriptor", v.descriptor},
                     {"status", status_word(v.status)},
                     {"notes", v.notes}});
  }
  const int failed = counts[static_cast<int>(Status::fail)];
  std::printf("%d passed, %d failed", counts[static_cast<int>(Status::pass)], failed);
  if (counts[static_cast<int>(Status::skipped)])
    std::printf(", %d skipped", counts[static_cast<int>(Status::skipped)]);
  if (counts[static_cast<int>(Status::raised)])
    std::printf(", %d raised as documented", counts[static_cast<int>(Status::raised)]);
  std::printf("\n");

  if (!o.report.empty()) {
    Json report;
    report["vectors"] = o.vectors.string();
    report["results"] = o.results.string();
    report["profile"] = manifest.value("profile", "");
    report["strict"] = o.strict;
    report["passed"] = counts[static_cast<int>(Status::pass)];
    report["failed"] = failed;
    report["skipped"] = counts[static_cast<int>(Status::skipped)];
    report["raised"] = counts[static_cast<int>(Status::raised)];
    report["cases"] = std::move(cases);
    write_report(o.report, report);
  }
  // A failing case is a verdict, not an error: exit 1 (errors exit 2).
  if (failed) {
    std::fflush(stdout);
    std::exit(1);
  }
}

}  // namespace

void add_verify_command(CLI::App& app) {
  auto options = std::make_shared<VerifyOptions>();
  CLI::App* cmd = app.add_subcommand(
      "verify", "Check an implementation's results against a `poolcheck vectors` suite");
  cmd->add_option("--vectors", options->vectors, "Suite directory (from poolcheck vectors)")
      ->required();
  cmd->add_option("--results", options->results,
                  "Directory with <case id>/y.npy (argmax.npy, dx.npy optional)")
      ->required();
  cmd->add_option("--report", options->report, "Also write the verdicts as JSON to this file");
  cmd->add_flag("--strict", options->strict,
                "Check every window against poolcheck's own answer; skips and raises fail");
  cmd->callback([options] { run_verify(*options); });
}

}  // namespace poolcheck::cli
