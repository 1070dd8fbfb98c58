#include "poolcheck/conformance/report.hpp"

#include <cstdio>
#include <fstream>

#include "poolcheck/error.hpp"

namespace poolcheck::conformance {
namespace {

using Json = nlohmann::ordered_json;

Json claim_json(const plugin::Claim& c) {
  Json dtypes = Json::array(), layouts = Json::array();
  for (const DType d : c.dtypes) dtypes.push_back(dtype_name(d));
  for (const Layout l : c.layouts)
    layouts.push_back(l == Layout::channels_last ? "channels_last" : "channels_first");
  return {{"name", c.name},         {"profile", c.profile},
          {"dtypes", dtypes},       {"layouts", layouts},
          {"ranks", c.ranks},       {"argmax", c.argmax},
          {"backward", c.backward}, {"backward_from_x", c.backward_from_x}};
}

Json failure_json(const Failure& f) {
  return {{"descriptor", f.descriptor}, {"what", f.what},     {"element", f.element},
          {"expected", f.expected},     {"actual", f.actual}, {"details", f.details}};
}

std::string seconds(std::chrono::duration<double> d) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3f", d.count());
  return text;
}

// The one-line message of a JUnit <failure>: the descriptor comes first, so a
// CI page shows what to rerun.
std::string failure_message(const Failure& f) {
  std::string m = f.descriptor.empty() ? "" : f.descriptor + ": ";
  m += f.what;
  if (!f.element.empty()) m += " at " + f.element;
  return m + ": expected " + f.expected + ", actual " + f.actual;
}

}  // namespace

Json to_json(const CampaignResult& r) {
  Json report;
  report["tool"] = "poolcheck";
  report["version"] = r.options.tool_version;
  report["implementation"] = r.implementation;
  report["claim"] = claim_json(r.claim);
  report["profile"] = r.profile;
  report["comparison"] = r.comparison;
  if (r.comparison)
    report["differences_are"] = "convention differences between the claimed profile " +
                                r.claim.profile + " and profile " + r.profile +
                                " (status DIFF), not defects of the library";
  report["unspecified"] = r.unspecified;
  report["seed"] = r.options.seed;
  report["cases_per_check"] = r.options.cases;
  report["shard"] = {{"index", r.options.shard.index}, {"count", r.options.shard.count}};
  if (r.options.time_budget) report["time_budget_seconds"] = r.options.time_budget->count();
  report["passed"] = r.count(Status::pass);
  report["failed"] = r.count(Status::fail);
  report["skipped"] = r.count(Status::skip);
  report["duration_seconds"] = r.elapsed.count();
  Json checks = Json::array();
  for (const CheckRecord& c : r.checks) {
    Json failures = Json::array();
    for (const Failure& f : c.result.failures) failures.push_back(failure_json(f));
    checks.push_back({{"name", c.name},
                      {"description", c.description},
                      {"status", verdict_word(c.result.status, r.comparison)},
                      {"cases", c.result.cases},
                      {"refused", c.result.refused},
                      {"note", c.result.note},
                      {"duration_seconds", c.result.elapsed.count()},
                      {"failures", failures}});
  }
  report["checks"] = std::move(checks);
  return report;
}

std::string xml_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char ch : text) {
    switch (ch) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      case '\n':
      case '\t':
      case '\r':
        out += ch;
        break;
      default:
        // XML 1.0 allows no other control characters, even escaped.
        out += static_cast<unsigned char>(ch) < 0x20 ? '?' : ch;
    }
  }
  return out;
}

std::string to_junit(const CampaignResult& r) {
  const std::string suite = "poolcheck run " + r.implementation + " (profile " + r.profile + ")";
  std::string x = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  const std::string counts = " tests=\"" + std::to_string(r.checks.size()) + "\" failures=\"" +
                             std::to_string(r.count(Status::fail)) + "\" errors=\"0\" skipped=\"" +
                             std::to_string(r.count(Status::skip)) + "\" time=\"" +
                             seconds(r.elapsed) + "\"";
  x += "<testsuites name=\"poolcheck\"" + counts + ">\n";
  x += "  <testsuite name=\"" + xml_escape(suite) + "\"" + counts + ">\n";
  x += "    <properties>\n";
  for (const auto& [name, value] :
       {std::pair<std::string, std::string>{"implementation", r.implementation},
        {"profile", r.profile},
        {"seed", std::to_string(r.options.seed)},
        {"shard",
         std::to_string(r.options.shard.index) + "/" + std::to_string(r.options.shard.count)},
        {"version", r.options.tool_version}})
    x += "      <property name=\"" + name + "\" value=\"" + xml_escape(value) + "\"/>\n";
  x += "    </properties>\n";
  for (const CheckRecord& c : r.checks) {
    x += "    <testcase classname=\"poolcheck." + xml_escape(r.profile) + "\" name=\"" +
         xml_escape(c.name) + "\" time=\"" + seconds(c.result.elapsed) + "\">\n";
    if (c.result.status == Status::skip)
      x += "      <skipped message=\"" + xml_escape(c.result.note) + "\"/>\n";
    for (const Failure& f : c.result.failures)
      x += "      <failure message=\"" + xml_escape(failure_message(f)) + "\" type=\"" +
           xml_escape(f.what) + "\">" + xml_escape(f.details) + "</failure>\n";
    x += "    </testcase>\n";
  }
  x += "  </testsuite>\n</testsuites>\n";
  return x;
}

void write_file(const std::filesystem::path& path, const std::string& text, const char* option) {
  const std::filesystem::path tmp = path.string() + ".tmp";
  {
    std::ofstream file(tmp);
    file << text;
    if (!file.flush()) {
      std::error_code ignored;
      std::filesystem::remove(tmp, ignored);
      throw ProblemError(option, path.string(), "cannot be written");
    }
  }
  std::filesystem::rename(tmp, path);
}

}  // namespace poolcheck::conformance
