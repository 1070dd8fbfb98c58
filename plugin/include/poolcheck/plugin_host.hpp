// Loading plug-ins (plugin.h) and presenting them as Implementations.
#pragma once

#include <filesystem>
#include <memory>
#include <stdexcept>
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
//
// backward: the ABI hands the plug-in a zero-filled dx, so the plug-in's sum is
// computed from zero and then added into the caller's dx (copied as is when the
// caller's dx is all zero bits, so a -0 the plug-in writes is not hidden by
// +0 + -0 = +0). Implementation::backward accumulates into dx; a caller that
// compares with the reference bit for bit passes a zero dx to both.
class LoadedPlugin : public Implementation {
 public:
  virtual const Claim& claim() const = 0;
  // Does the claim cover this problem (profile, conventions, dtype, layout,
  // rank)? If not, `why` says which part.
  virtual bool covers(const Problem& problem, std::string* why = nullptr) const = 0;
  // The plug-in's own table, for callers that drive it directly (the isolated
  // host's child process, a benchmark measuring the bare call).
  virtual const pc_plugin& table() const = 0;
  // The path it was loaded from.
  virtual const std::filesystem::path& path() const = 0;
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

// The pc_problem poolcheck passes for `problem` (explicit pads, output sizes).
// `problem.profile` and `problem.descriptor` point into this object's own
// strings; copying or moving re-points them, so they stay valid for as long as
// the AbiProblem they live in.
struct AbiProblem {
  pc_problem problem{};
  std::string profile;
  std::string descriptor;

  AbiProblem() = default;
  AbiProblem(const AbiProblem& other);
  AbiProblem(AbiProblem&& other) noexcept;
  AbiProblem& operator=(const AbiProblem& other);
  AbiProblem& operator=(AbiProblem&& other) noexcept;
  ~AbiProblem() = default;

 private:
  friend AbiProblem to_abi(const Problem& problem);
  void repoint() noexcept;
};
AbiProblem to_abi(const Problem& problem);

// The pc_dtype / pc_layout of ours, and back.
pc_dtype to_abi(DType dtype) noexcept;
pc_layout to_abi(Layout layout) noexcept;

}  // namespace poolcheck::plugin
