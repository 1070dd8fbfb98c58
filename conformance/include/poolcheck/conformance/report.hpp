// A campaign's result as a JSON report and as JUnit XML.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "poolcheck/conformance/campaign.hpp"

namespace poolcheck::conformance {

nlohmann::ordered_json to_json(const CampaignResult& result);
// <testsuites><testsuite name="poolcheck run ..."><testcase name="check"> with
// <failure> (message: descriptor and first difference) or <skipped>.
std::string to_junit(const CampaignResult& result);
// Characters escaped for XML text and attribute values.
std::string xml_escape(std::string_view text);

// Writes `text` to a temporary sibling and renames it over `path`; throws
// ProblemError(option, path, ...) when it cannot.
void write_file(const std::filesystem::path& path, const std::string& text, const char* option);

}  // namespace poolcheck::conformance
