// Campaign sharding of the CASES of every property (GoogleTest sharding
// splits whole tests instead): with POOLCHECK_CAMPAIGN=1, machine i of a
// campaign sets POOLCHECK_CAMPAIGN_SHARD=i and, unless RC_PARAMS already names
// a seed, draws from seed 20240601 + i with a million cases per property.
// Runs before main(), hence before RapidCheck reads RC_PARAMS. Compiled into
// the test executables only, never into poolcheck_properties: `poolcheck run`
// takes its budget from its own options.
#include <cstdlib>
#include <string>
#include <string_view>

namespace poolcheck::proptest {
namespace {

const bool kCampaignConfigured = [] {
  const char* campaign = std::getenv("POOLCHECK_CAMPAIGN");
  if (campaign == nullptr || std::string_view(campaign) != "1") return false;
  std::string params = std::getenv("RC_PARAMS") ? std::getenv("RC_PARAMS") : "";
  if (params.find("seed=") == std::string::npos) {
    const char* shard = std::getenv("POOLCHECK_CAMPAIGN_SHARD");
    const long index = shard ? std::strtol(shard, nullptr, 10) : 0;
    params += " seed=" + std::to_string(20240601L + index);
  }
  if (params.find("max_success=") == std::string::npos) params += " max_success=1000000";
  setenv("RC_PARAMS", params.c_str(), 1);
  return true;
}();

}  // namespace
}  // namespace poolcheck::proptest
