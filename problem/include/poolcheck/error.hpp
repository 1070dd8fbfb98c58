// The one exception type for an invalid pooling problem or input.
#pragma once

#include <stdexcept>
#include <string>

namespace poolcheck {

// Thrown for any invalid problem or input. The message always starts with the
// offending parameter and its value ("stride_h=0: must be at least 1"), so a
// command-line user can fix the call without reading code.
class ProblemError : public std::invalid_argument {
 public:
  ProblemError(std::string parameter, std::string value, const std::string& reason)
      : std::invalid_argument(parameter + "=" + value + ": " + reason),
        parameter_(std::move(parameter)),
        value_(std::move(value)) {}

  const std::string& parameter() const noexcept { return parameter_; }
  const std::string& value() const noexcept { return value_; }

 private:
  std::string parameter_;
  std::string value_;
};

}  // namespace poolcheck
