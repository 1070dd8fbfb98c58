// Private to the plug-in host: calling a pc_plugin table safely, shared by the
// in-process host (plugin_host.cpp) and the isolated one (isolated.cpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "poolcheck/implementation.hpp"
#include "poolcheck/plugin.h"
#include "poolcheck/plugin_host.hpp"

namespace poolcheck::plugin::detail {

// Bytes we hand the plug-in for its message; it may write at most this many
// (NUL included). One more byte, never handed over, keeps the text terminated
// whatever the plug-in does.
inline constexpr std::size_t kMessageCapacity = 1024;

// A plug-in's answer: its status as it returned it (an int, since a broken
// plug-in may return a value outside pc_status) and its message, read up to
// the first NUL or the capacity.
struct CallResult {
  int status = PC_OK;
  std::string message;
};

CallResult call_forward(const pc_plugin& table, const pc_problem& problem, const void* x, void* y,
                        std::int64_t* argmax);
CallResult call_backward(const pc_plugin& table, const pc_problem& problem, const void* x,
                         const std::int64_t* argmax, const void* dy, void* dx);

// Throws UnsupportedProblem (PC_UNSUPPORTED) or std::runtime_error (PC_ERROR,
// or a status outside pc_status) naming the plug-in and the call.
void throw_unless_ok(const CallResult& result, const std::string& plugin_name, const char* call);

// Throws UnsupportedProblem unless the claim covers the problem and the call
// (argmax wanted, backward with or without argmax).
void require_forward_claim(const LoadedPlugin& plugin, const Problem& problem, bool wants_argmax);
void require_backward_claim(const LoadedPlugin& plugin, const Problem& problem, bool has_argmax);

// dx += gradient, where `gradient` is what the plug-in computed from a zero
// dx. When dx holds only zero bits the gradient is copied unchanged.
void accumulate_gradient(DType dtype, std::span<const std::byte> gradient, MutableBuffer dx);

}  // namespace poolcheck::plugin::detail
