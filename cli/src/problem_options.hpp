// Building a Problem from command-line flags or a descriptor, and checking it
// against the tensors a user passed. Shared by every subcommand.
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <vector>

#include "poolcheck/problem.hpp"
#include "vector_suite.hpp"

namespace poolcheck::cli {

// The problem flags as typed. Either `descriptor` or the per-axis flags.
struct ProblemFlags {
  std::string descriptor;
  std::string profile = "numpynet";
  std::string layout = "nhwc";
  std::string kernel;
  std::string stride;
  std::string dilation;
  std::string padding = "valid";
  bool ceil = false;
  std::vector<std::string> conventions;  // key=value overrides

  // Registers --desc, --profile, --layout, --kernel, --stride, --dilation,
  // --padding, --ceil and --convention on `command`.
  void add_to(CLI::App& command);

  // The problem for an input tensor of shape `x_shape` and element type
  // `dtype`: batch, channels and spatial sizes come from the shape read in the
  // layout. Throws ProblemError naming the flag and its value.
  Problem resolve(const std::vector<std::int64_t>& x_shape, DType dtype) const;
};

// tensor_shape() lives with the vector suite's file layout (poolcheck_vectors).
using vectors::tensor_shape;

}  // namespace poolcheck::cli
