// Asserting that a call throws poolcheck::ProblemError naming a parameter and value.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "poolcheck/error.hpp"

namespace poolcheck::testing {

// Runs `call`; passes only if it throws ProblemError whose parameter() and
// value() are the given ones and whose message starts with "parameter=value".
template <class Call>
::testing::AssertionResult throws_problem_error(Call&& call, std::string_view parameter,
                                                std::string_view value) {
  try {
    call();
  } catch (const ProblemError& e) {
    const std::string prefix = std::string(parameter) + "=" + std::string(value);
    if (e.parameter() != parameter || e.value() != value ||
        std::string_view(e.what()).substr(0, prefix.size()) != prefix)
      return ::testing::AssertionFailure()
             << "expected " << prefix << ", got parameter=" << e.parameter()
             << " value=" << e.value() << " what=" << e.what();
    return ::testing::AssertionSuccess();
  } catch (const std::exception& e) {
    return ::testing::AssertionFailure() << "threw another exception: " << e.what();
  }
  return ::testing::AssertionFailure() << "did not throw; expected " << parameter << "=" << value;
}

}  // namespace poolcheck::testing
