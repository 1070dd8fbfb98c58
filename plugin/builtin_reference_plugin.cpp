// The reference behind the plug-in ABI: a shared library whose only boundary
// is plugin.h and that calls reference::forward/backward inside. Loading it
// with plugin::load() and comparing with the in-process reference shows that a
// problem and its buffers cross the ABI without change.
//
// A table claims one profile, so the module is built once per profile; the
// profile comes from builtin_reference_profile.cpp.
#include <cstdio>
#include <exception>
#include <span>
#include <string>

#include "poolcheck/descriptor.hpp"
#include "poolcheck/plugin.h"
#include "poolcheck/reference.hpp"
#include "poolcheck/visit_dtype.hpp"

namespace poolcheck::builtin_plugin {

extern const char* const claimed_profile;  // builtin_reference_profile.cpp

namespace {

DType dtype_from_abi(std::int32_t dtype) {
  switch (dtype) {
    case PC_DTYPE_F32:
      return DType::f32;
    case PC_DTYPE_F64:
      return DType::f64;
    case PC_DTYPE_F16:
      return DType::f16;
    case PC_DTYPE_BF16:
      return DType::bf16;
    case PC_DTYPE_S8:
      return DType::s8;
    case PC_DTYPE_U8:
      return DType::u8;
    default:
      throw ProblemError("pc_problem.dtype", std::to_string(dtype), "not a pc_dtype");
  }
}

void require_same(const char* field, std::int64_t given, std::int64_t expected) {
  if (given != expected)
    throw ProblemError(std::string("pc_problem.") + field, std::to_string(given),
                       "the descriptor's problem has " + std::to_string(expected));
}

// The problem, from its descriptor (which carries the profile and any
// convention overrides), after checking that every explicit field of the
// pc_problem tells the same problem.
Problem problem_from(const pc_problem& p) {
  if (p.struct_size < sizeof(pc_problem))
    throw ProblemError("pc_problem.struct_size", std::to_string(p.struct_size),
                       "smaller than this plug-in's pc_problem");
  if (p.descriptor == nullptr) throw ProblemError("pc_problem.descriptor", "NULL", "needed");
  const Problem problem = parse_descriptor(p.descriptor);
  const Geometry g = problem.geometry();
  if (p.profile == nullptr || problem.profile().name != p.profile)
    throw ProblemError("pc_problem.profile", p.profile ? p.profile : "NULL",
                       "the descriptor says " + std::string(problem.profile().name));
  if (dtype_from_abi(p.dtype) != problem.dtype())
    throw ProblemError("pc_problem.dtype", std::to_string(p.dtype), "disagrees with descriptor");
  require_same("rank", p.rank, g.rank);
  require_same("layout", p.layout, g.layout == Layout::channels_first ? 1 : 0);
  require_same("batch", p.batch, g.batch);
  require_same("channels", p.channels, g.channels);
  require_same("ceil_mode", p.ceil_mode, problem.ceil_mode() ? 1 : 0);
  for (int i = 0; i < g.rank; ++i) {
    const int a = Geometry::axis_of(g.rank, i);
    require_same("input", p.input[i], g.in[a]);
    require_same("output", p.output[i], g.out[a]);
    require_same("kernel", p.kernel[i], g.kernel[a]);
    require_same("stride", p.stride[i], g.stride[a]);
    require_same("dilation", p.dilation[i], g.dilation[a]);
    require_same("pad_begin", p.pad_begin[i], g.pad_begin[a]);
    require_same("pad_end", p.pad_end[i], g.pad_end[a]);
  }
  return problem;
}

pc_status report(pc_status status, const char* text, char* message, std::size_t message_size) {
  if (message != nullptr && message_size > 0) std::snprintf(message, message_size, "%s", text);
  return status;
}

// Runs `body`, turning any exception into PC_ERROR: none may cross the C ABI.
template <class Body>
pc_status guarded(char* message, std::size_t message_size, Body&& body) {
  try {
    body();
    return PC_OK;
  } catch (const std::exception& e) {
    return report(PC_ERROR, e.what(), message, message_size);
  } catch (...) {
    return report(PC_ERROR, "unknown exception", message, message_size);
  }
}

pc_status forward(const pc_problem* p, const void* x, void* y, std::int64_t* argmax, char* message,
                  std::size_t message_size) {
  return guarded(message, message_size, [&] {
    const Problem problem = problem_from(*p);
    const Geometry g = problem.geometry();
    const auto inputs = static_cast<std::size_t>(g.input_elements());
    const auto outputs = static_cast<std::size_t>(g.output_elements());
    visit_dtype(problem.dtype(), [&]<class T>(TypeTag<T>) {
      reference::forward<T>(
          problem, {static_cast<const T*>(x), inputs}, {static_cast<T*>(y), outputs},
          argmax ? std::span<std::int64_t>(argmax, outputs) : std::span<std::int64_t>());
    });
  });
}

pc_status backward(const pc_problem* p, const void* x, const std::int64_t* argmax, const void* dy,
                   void* dx, char* message, std::size_t message_size) {
  return guarded(message, message_size, [&] {
    const Problem problem = problem_from(*p);
    const Geometry g = problem.geometry();
    const auto inputs = static_cast<std::size_t>(g.input_elements());
    const auto outputs = static_cast<std::size_t>(g.output_elements());
    visit_dtype(problem.dtype(), [&]<class T>(TypeTag<T>) {
      const std::span<const T> dy_span(static_cast<const T*>(dy), outputs);
      const std::span<T> dx_span(static_cast<T*>(dx), inputs);
      if (argmax != nullptr)
        reference::backward<T>(problem, {argmax, outputs}, dy_span, dx_span);
      else
        reference::backward_from_input<T>(problem, {static_cast<const T*>(x), inputs}, dy_span,
                                          dx_span);
    });
  });
}

const std::string table_name = std::string("builtin-reference-") + claimed_profile;

const pc_plugin table = {
    .abi_version = POOLCHECK_PLUGIN_ABI_VERSION,
    .name = table_name.c_str(),
    .profile = claimed_profile,
    .dtypes = (1u << PC_DTYPE_F32) | (1u << PC_DTYPE_F64) | (1u << PC_DTYPE_F16) |
              (1u << PC_DTYPE_BF16) | (1u << PC_DTYPE_S8) | (1u << PC_DTYPE_U8),
    .layouts = (1u << PC_LAYOUT_CHANNELS_LAST) | (1u << PC_LAYOUT_CHANNELS_FIRST),
    .ranks = (1u << 1) | (1u << 2) | (1u << 3),
    .capabilities = PC_CAP_FORWARD | PC_CAP_ARGMAX | PC_CAP_BACKWARD | PC_CAP_BACKWARD_FROM_X,
    .forward = forward,
    .backward = backward,
};

}  // namespace
}  // namespace poolcheck::builtin_plugin

extern "C" __attribute__((visibility("default"))) const pc_plugin* poolcheck_plugin(void) {
  return &poolcheck::builtin_plugin::table;
}
