// Calling a plug-in in a child process, so that its crash, hang or stray write
// becomes a reported outcome and the caller goes on.
//
// Each call forks a child that runs the plug-in on buffers in shared memory.
// Every buffer ends exactly at an inaccessible guard page and has one before
// its first page, inputs are read-only, and the slack in front of a buffer
// holds a canary: a write one element past the end (or into an input) faults at
// once and is reported as WroteOutside naming the buffer. A call that outlives
// the timeout is killed with SIGKILL. The caller's buffers are updated only
// when the call succeeds.
//
// Limits: the parent also dlopen()s the plug-in (after a child has loaded it
// once without harm) so that children inherit it; fork() from a process with
// other threads gives the child only the calling thread, so a plug-in that
// needs locks held by those threads may deadlock, which the timeout catches.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <variant>

#include "poolcheck/implementation.hpp"
#include "poolcheck/plugin_host.hpp"

namespace poolcheck::plugin {

namespace outcome {
struct Ok {};
struct Refused {  // PC_UNSUPPORTED, or a problem outside the plug-in's claim
  std::string message;
};
struct Error {  // PC_ERROR (or a status outside pc_status, or an exit())
  std::string message;
};
struct Crashed {  // the child died of a signal outside any guard page
  int signal = 0;
  std::string detail;
};
struct TimedOut {
  std::chrono::milliseconds after{0};
};
struct WroteOutside {  // a write before/after a buffer, or into an input
  std::string buffer;  // "x", "y", "argmax", "dy", "dx"
  std::string detail;
};
}  // namespace outcome

using Outcome = std::variant<outcome::Ok, outcome::Refused, outcome::Error, outcome::Crashed,
                             outcome::TimedOut, outcome::WroteOutside>;

bool is_ok(const Outcome& outcome) noexcept;
// One line for a report: "ok", "refused: ...", "crashed: SIGSEGV (...)",
// "timed out after 500 ms", "wrote outside buffer y: ...".
std::string describe(const Outcome& outcome);

// Thrown by IsolatedPlugin::forward/backward for an outcome other than ok or
// refused (refused throws UnsupportedProblem, as LoadedPlugin does).
class PluginFailure : public std::runtime_error {
 public:
  explicit PluginFailure(Outcome outcome);
  const Outcome& outcome() const noexcept { return outcome_; }

 private:
  Outcome outcome_;
};

struct IsolationOptions {
  // How long one call may take before it is killed (the trial load gets at
  // least 60 s: loading is once, and large libraries are slow to map).
  std::chrono::milliseconds timeout{10'000};
};

class IsolatedPlugin final : public Implementation {
 public:
  // Loads `path` once in a child process (a crash or hang there throws
  // std::runtime_error naming the path), then here. Load errors are those of
  // plugin::load().
  static std::unique_ptr<IsolatedPlugin> open(const std::filesystem::path& path,
                                              IsolationOptions options = {});

  std::string name() const override;
  const Claim& claim() const noexcept;
  bool covers(const Problem& problem, std::string* why = nullptr) const;
  const IsolationOptions& options() const noexcept { return options_; }

  // One call in a child process. Buffers of the wrong size or dtype throw
  // ProblemError (a caller bug, not the plug-in's); everything the plug-in
  // does is an Outcome. On ok, y/argmax (forward) are written and dx
  // (backward) is accumulated as LoadedPlugin::backward does.
  Outcome try_forward(const Problem& problem, ConstBuffer x, MutableBuffer y,
                      std::span<std::int64_t> argmax) const;
  Outcome try_backward(const Problem& problem, ConstBuffer x, std::span<const std::int64_t> argmax,
                       ConstBuffer dy, MutableBuffer dx) const;

  // Implementation: ok returns, refused throws UnsupportedProblem, anything
  // else throws PluginFailure.
  void forward(const Problem& problem, ConstBuffer x, MutableBuffer y,
               std::span<std::int64_t> argmax) const override;
  void backward(const Problem& problem, ConstBuffer x, std::span<const std::int64_t> argmax,
                ConstBuffer dy, MutableBuffer dx) const override;

 private:
  IsolatedPlugin(std::unique_ptr<LoadedPlugin> plugin, IsolationOptions options);
  std::unique_ptr<LoadedPlugin> plugin_;
  IsolationOptions options_;
};

}  // namespace poolcheck::plugin
