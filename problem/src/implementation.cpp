#include "poolcheck/implementation.hpp"

#include <string>

namespace poolcheck {
namespace {

void check_buffer(const char* name, DType expected_dtype, DType dtype, std::size_t count,
                  std::int64_t expected) {
  if (dtype != expected_dtype)
    throw ProblemError(std::string(name) + ".dtype", std::string(dtype_name(dtype)),
                       "the problem's dtype is " + std::string(dtype_name(expected_dtype)));
  if (count != static_cast<std::size_t>(expected))
    throw ProblemError(std::string(name) + ".length", std::to_string(count),
                       "the problem needs " + std::to_string(expected) + " elements");
}

void check_argmax(std::size_t count, std::int64_t outputs) {
  if (count != 0 && count != static_cast<std::size_t>(outputs))
    throw ProblemError("argmax.length", std::to_string(count),
                       "must be 0 (none wanted) or the output size " + std::to_string(outputs));
}

}  // namespace

void check_forward_buffers(const Problem& problem, const Geometry& g, ConstBuffer x,
                           MutableBuffer y, std::span<const std::int64_t> argmax) {
  check_buffer("x", problem.dtype(), x.dtype, x.count, g.input_elements());
  check_buffer("y", problem.dtype(), y.dtype, y.count, g.output_elements());
  check_argmax(argmax.size(), g.output_elements());
}

void check_backward_buffers(const Problem& problem, const Geometry& g, ConstBuffer x,
                            std::span<const std::int64_t> argmax, ConstBuffer dy,
                            MutableBuffer dx) {
  if (argmax.empty()) check_buffer("x", problem.dtype(), x.dtype, x.count, g.input_elements());
  check_argmax(argmax.size(), g.output_elements());
  check_buffer("dy", problem.dtype(), dy.dtype, dy.count, g.output_elements());
  check_buffer("dx", problem.dtype(), dx.dtype, dx.count, g.input_elements());
}

}  // namespace poolcheck
