// Loading plug-ins (plugin.h) and presenting them as Implementations.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "poolcheck/implementation.hpp"
#include "poolcheck/plugin.h"

namespace poolcheck::plugin {

// What a plug-in says it supports, read from its pc_plugin table.
struct Claim {
  std::string name;
  std::string profile;
  std::vector<DType> dtypes;
  std::vector<Layout> layouts;
  std::vector<int> ranks;
  bool argmax = false;
  bool backward = false;
  bool backward_from_x = false;
};

// An Implementation that calls a plug-in in this process (no isolation: a
// crash in the plug-in ends the caller). Used by the benchmark and, inside the
// isolated child process, by `poolcheck run`.
class LoadedPlugin : public Implementation {
 public:
  virtual const Claim& claim() const = 0;
  // Does the claim cover this problem (profile, dtype, layout, rank)? If not,
  // `why` says which part.
  virtual bool covers(const Problem& problem, std::string* why = nullptr) const = 0;
};

// dlopen()s `path`, resolves POOLCHECK_PLUGIN_ENTRY and checks the ABI
// version. Throws std::runtime_error naming the path and the cause. A call the
// plug-in refuses (PC_UNSUPPORTED) throws UnsupportedProblem; PC_ERROR throws
// std::runtime_error with the plug-in's message.
std::unique_ptr<LoadedPlugin> load(const std::filesystem::path& path);

class UnsupportedProblem : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The pc_problem poolcheck passes for `problem` (explicit pads, output sizes);
// `profile` and `descriptor` point into `storage`, which must outlive it.
struct AbiProblem {
  pc_problem problem{};
  std::string profile;
  std::string descriptor;
};
AbiProblem to_abi(const Problem& problem);

}  // namespace poolcheck::plugin
