#include "poolcheck/isolated.hpp"

#include <signal.h>
#include <string.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "abi_call.hpp"
#include "child_process.hpp"
#include "guarded_region.hpp"

namespace poolcheck::plugin {

namespace {

template <class... F>
struct Overloaded : F... {
  using F::operator()...;
};
template <class... F>
Overloaded(F...) -> Overloaded<F...>;

std::string signal_name(int signal) {
  const char* abbrev = sigabbrev_np(signal);
  return abbrev ? std::string("SIG") + abbrev : "signal " + std::to_string(signal);
}

std::string hex(std::uintptr_t value) {
  char text[2 + 2 * sizeof value + 1];
  std::snprintf(text, sizeof text, "0x%jx", static_cast<std::uintmax_t>(value));
  return text;
}

}  // namespace

bool is_ok(const Outcome& outcome) noexcept { return std::holds_alternative<outcome::Ok>(outcome); }

std::string describe(const Outcome& result) {
  return std::visit(
      Overloaded{
          [](const outcome::Ok&) { return std::string("ok"); },
          [](const outcome::Refused& r) { return "refused: " + r.message; },
          [](const outcome::Error& e) { return "error: " + e.message; },
          [](const outcome::Crashed& c) { return "crashed: " + signal_name(c.signal) + c.detail; },
          [](const outcome::TimedOut& t) {
            return "timed out after " + std::to_string(t.after.count()) + " ms";
          },
          [](const outcome::WroteOutside& w) {
            return "wrote outside buffer " + w.buffer + ": " + w.detail;
          },
      },
      result);
}

PluginFailure::PluginFailure(Outcome outcome)
    : std::runtime_error(describe(outcome)), outcome_(std::move(outcome)) {}

namespace {

using detail::ChildEnd;
using detail::ChildReport;
using detail::GuardedRegion;

std::span<const std::byte> bytes_of(ConstBuffer b) {
  return {b.data, b.data == nullptr ? 0 : b.count * dtype_size(b.dtype)};
}
std::span<std::byte> bytes_of(MutableBuffer b) {
  return {b.data, b.data == nullptr ? 0 : b.count * dtype_size(b.dtype)};
}
template <class T>
std::span<const std::byte> bytes_of(std::span<T> s) {
  return std::as_bytes(s);
}

// How a child that ran one plug-in call ended, as an Outcome. `regions` are
// the call's buffers, to name the one a fault or a damaged canary belongs to.
Outcome judge(const ChildEnd& end, std::chrono::milliseconds timeout,
              std::span<const GuardedRegion* const> regions) {
  const ChildReport& report = *end.report;
  switch (end.how) {
    case ChildEnd::How::timed_out:
      return outcome::TimedOut{timeout};
    case ChildEnd::How::signaled: {
      if (report.fault_signal == end.signal)
        for (const GuardedRegion* region : regions)
          if (auto where = region->locate(report.fault_address))
            return outcome::WroteOutside{region->name(),
                                         "fault " + *where + " (" + signal_name(end.signal) + ")"};
      std::string detail;
      if (report.fault_signal == end.signal) detail = " at address " + hex(report.fault_address);
      return outcome::Crashed{end.signal, detail};
    }
    case ChildEnd::How::exited:
      return outcome::Error{"the plug-in ended its process (exit status " +
                            std::to_string(end.exit_status) + ") during the call"};
    case ChildEnd::How::returned:
      break;
  }
  for (const GuardedRegion* region : regions)
    if (auto damage = region->damaged_canary())
      return outcome::WroteOutside{region->name(), *damage};
  const std::string message(report.message, strnlen(report.message, detail::kMessageCapacity));
  switch (report.status) {
    case PC_OK:
      return outcome::Ok{};
    case PC_UNSUPPORTED:
      return outcome::Refused{message};
    case PC_ERROR:
      return outcome::Error{message};
    default:
      return outcome::Error{"returned " + std::to_string(report.status) +
                            ", which is not a pc_status"};
  }
}

void store(ChildReport& report, const detail::CallResult& result) {
  report.status = result.status;
  const std::size_t n = std::min(result.message.size(), detail::kMessageCapacity);
  std::memcpy(report.message, result.message.data(), n);
  report.message[n] = '\0';
}

}  // namespace

IsolatedPlugin::IsolatedPlugin(std::unique_ptr<LoadedPlugin> plugin, IsolationOptions options)
    : plugin_(std::move(plugin)), options_(options) {}

std::unique_ptr<IsolatedPlugin> IsolatedPlugin::open(const std::filesystem::path& path,
                                                     IsolationOptions options) {
  // A trial load in a child first: a plug-in whose initialisation crashes or
  // hangs must not take this process with it. Loading happens once and a large
  // library (libtorch maps hundreds of MB) can take seconds on a busy machine,
  // so it gets at least kLoadTimeout rather than the per-call limit.
  constexpr std::chrono::milliseconds kLoadTimeout{60'000};
  const std::chrono::milliseconds load_timeout = std::max(options.timeout, kLoadTimeout);
  const detail::SharedReport shared;
  const ChildEnd end = detail::run_in_child(load_timeout, shared, [&](ChildReport& report) {
    try {
      (void)load(path);
      report.status = 0;
    } catch (const std::exception& e) {
      report.status = 1;
      std::snprintf(report.message, sizeof report.message, "%s", e.what());
    }
  });
  const auto failed = [&](const std::string& how) {
    return std::runtime_error("plug-in " + path.string() + ": " + how + " while loading");
  };
  switch (end.how) {
    case ChildEnd::How::timed_out:
      throw failed("did not finish within " + std::to_string(load_timeout.count()) + " ms");
    case ChildEnd::How::signaled:
      throw failed("crashed with " + signal_name(end.signal));
    case ChildEnd::How::exited:
      throw failed("ended the process (exit status " + std::to_string(end.exit_status) + ")");
    case ChildEnd::How::returned:
      if (end.report->status != 0) throw std::runtime_error(end.report->message);
      break;
  }
  return std::unique_ptr<IsolatedPlugin>(new IsolatedPlugin(load(path), options));
}

std::string IsolatedPlugin::name() const { return plugin_->name(); }
const Claim& IsolatedPlugin::claim() const noexcept { return plugin_->claim(); }
bool IsolatedPlugin::covers(const Problem& problem, std::string* why) const {
  return plugin_->covers(problem, why);
}

Outcome IsolatedPlugin::try_forward(const Problem& problem, ConstBuffer x, MutableBuffer y,
                                    std::span<std::int64_t> argmax) const {
  check_forward_buffers(problem, problem.geometry(), x, y, argmax);
  try {
    detail::require_forward_claim(*plugin_, problem, !argmax.empty());
  } catch (const UnsupportedProblem& e) {
    return outcome::Refused{e.what()};
  }
  const AbiProblem abi = to_abi(problem);
  GuardedRegion x_region("x", bytes_of(x).size(), GuardedRegion::Access::read_only);
  GuardedRegion y_region("y", bytes_of(y).size(), GuardedRegion::Access::read_write);
  GuardedRegion argmax_region("argmax", std::as_bytes(argmax).size(),
                              GuardedRegion::Access::read_write);
  x_region.fill(bytes_of(x));
  y_region.fill(bytes_of(y));
  argmax_region.fill(std::as_bytes(argmax));

  const detail::SharedReport shared;
  const pc_plugin& table = plugin_->table();
  const ChildEnd end = detail::run_in_child(options_.timeout, shared, [&](ChildReport& report) {
    store(report, detail::call_forward(table, abi.problem, x_region.data(), y_region.data(),
                                       reinterpret_cast<std::int64_t*>(argmax_region.data())));
  });
  const GuardedRegion* const regions[] = {&x_region, &y_region, &argmax_region};
  Outcome result = judge(end, options_.timeout, regions);
  if (is_ok(result)) {
    std::ranges::copy(y_region.bytes(), bytes_of(y).begin());
    std::ranges::copy(argmax_region.bytes(), std::as_writable_bytes(argmax).begin());
  }
  return result;
}

Outcome IsolatedPlugin::try_backward(const Problem& problem, ConstBuffer x,
                                     std::span<const std::int64_t> argmax, ConstBuffer dy,
                                     MutableBuffer dx) const {
  check_backward_buffers(problem, problem.geometry(), x, argmax, dy, dx);
  try {
    detail::require_backward_claim(*plugin_, problem, !argmax.empty());
  } catch (const UnsupportedProblem& e) {
    return outcome::Refused{e.what()};
  }
  const AbiProblem abi = to_abi(problem);
  // As in process: x only when the plug-in must recompute the argmax.
  const ConstBuffer x_passed = argmax.empty() ? x : ConstBuffer{};
  GuardedRegion x_region("x", bytes_of(x_passed).size(), GuardedRegion::Access::read_only);
  GuardedRegion argmax_region("argmax", std::as_bytes(argmax).size(),
                              GuardedRegion::Access::read_only);
  GuardedRegion dy_region("dy", bytes_of(dy).size(), GuardedRegion::Access::read_only);
  GuardedRegion dx_region("dx", bytes_of(dx).size(), GuardedRegion::Access::read_write);
  x_region.fill(bytes_of(x_passed));
  argmax_region.fill(std::as_bytes(argmax));
  dy_region.fill(bytes_of(dy));
  // dx arrives zero-filled (fresh anonymous memory is zero; the ABI says so).

  const detail::SharedReport shared;
  const pc_plugin& table = plugin_->table();
  const ChildEnd end = detail::run_in_child(options_.timeout, shared, [&](ChildReport& report) {
    store(report, detail::call_backward(table, abi.problem, x_region.data(),
                                        reinterpret_cast<const std::int64_t*>(argmax_region.data()),
                                        dy_region.data(), dx_region.data()));
  });
  const GuardedRegion* const regions[] = {&x_region, &argmax_region, &dy_region, &dx_region};
  Outcome result = judge(end, options_.timeout, regions);
  if (is_ok(result)) detail::accumulate_gradient(dx.dtype, dx_region.bytes(), dx);
  return result;
}

void IsolatedPlugin::forward(const Problem& problem, ConstBuffer x, MutableBuffer y,
                             std::span<std::int64_t> argmax) const {
  Outcome result = try_forward(problem, x, y, argmax);
  if (const auto* refused = std::get_if<outcome::Refused>(&result))
    throw UnsupportedProblem(refused->message);
  if (!is_ok(result)) throw PluginFailure(std::move(result));
}

void IsolatedPlugin::backward(const Problem& problem, ConstBuffer x,
                              std::span<const std::int64_t> argmax, ConstBuffer dy,
                              MutableBuffer dx) const {
  Outcome result = try_backward(problem, x, argmax, dy, dx);
  if (const auto* refused = std::get_if<outcome::Refused>(&result))
    throw UnsupportedProblem(refused->message);
  if (!is_ok(result)) throw PluginFailure(std::move(result));
}

}  // namespace poolcheck::plugin
