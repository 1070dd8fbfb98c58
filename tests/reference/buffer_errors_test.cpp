// Buffers that do not fit the problem are rejected, through the Implementation
// interface and through the typed reference API, naming the buffer.
#include <gtest/gtest.h>

#include "problem_error_matchers.hpp"
#include "reference_test_support.hpp"

namespace poolcheck {
namespace {

using poolcheck::testing::throws_problem_error;

// f32, input 4, k=2: x needs 4 elements, y and argmax 2.
Problem small() { return Problem().input_size({4}).kernel({2}); }

TEST(ImplementationBuffers, ShortInputIsNamed) {
  std::vector<float> x(3), y(2);
  std::vector<std::int64_t> argmax(2);
  EXPECT_TRUE(throws_problem_error(
      [&] {
        reference::make_implementation()->forward(
            small(), ConstBuffer::of(DType::f32, std::span<const float>(x)),
            MutableBuffer::of(DType::f32, std::span<float>(y)), argmax);
      },
      "x.length", "3"));
}

TEST(ImplementationBuffers, WrongDTypeIsNamed) {
  std::vector<double> x(4), y(2);
  EXPECT_TRUE(throws_problem_error(
      [&] {
        reference::make_implementation()->forward(
            small(), ConstBuffer::of(DType::f64, std::span<const double>(x)),
            MutableBuffer::of(DType::f64, std::span<double>(y)), {});
      },
      "x.dtype", "f64"));
}

TEST(ImplementationBuffers, LongOutputIsNamed) {
  std::vector<float> x(4), y(5);
  EXPECT_TRUE(throws_problem_error(
      [&] {
        reference::make_implementation()->forward(
            small(), ConstBuffer::of(DType::f32, std::span<const float>(x)),
            MutableBuffer::of(DType::f32, std::span<float>(y)), {});
      },
      "y.length", "5"));
}

TEST(ImplementationBuffers, ArgmaxOfTheWrongLengthIsNamed) {
  std::vector<float> x(4), y(2);
  std::vector<std::int64_t> argmax(1);
  EXPECT_TRUE(throws_problem_error(
      [&] {
        reference::make_implementation()->forward(
            small(), ConstBuffer::of(DType::f32, std::span<const float>(x)),
            MutableBuffer::of(DType::f32, std::span<float>(y)), argmax);
      },
      "argmax.length", "1"));
}

TEST(ImplementationBuffers, BackwardGradientOfTheWrongDTypeIsNamed) {
  std::vector<float> x(4), dy(2);
  std::vector<std::uint8_t> dx(4);
  EXPECT_TRUE(throws_problem_error(
      [&] {
        reference::make_implementation()->backward(
            small(), ConstBuffer::of(DType::f32, std::span<const float>(x)), {},
            ConstBuffer::of(DType::f32, std::span<const float>(dy)),
            MutableBuffer::of(DType::u8, std::span<std::uint8_t>(dx)));
      },
      "dx.dtype", "u8"));
}

TEST(ImplementationBuffers, BackwardShortDyIsNamed) {
  std::vector<float> x(4), dy(1), dx(4);
  EXPECT_TRUE(throws_problem_error(
      [&] {
        reference::make_implementation()->backward(
            small(), ConstBuffer::of(DType::f32, std::span<const float>(x)), {},
            ConstBuffer::of(DType::f32, std::span<const float>(dy)),
            MutableBuffer::of(DType::f32, std::span<float>(dx)));
      },
      "dy.length", "1"));
}

TEST(TypedReferenceBuffers, ShortInputIsNamed) {
  std::vector<float> x(3), y(2);
  EXPECT_TRUE(
      throws_problem_error([&] { reference::forward<float>(small(), x, y, {}); }, "x.length", "3"));
}

TEST(TypedReferenceBuffers, StoredArgmaxOfTheWrongLengthIsNamed) {
  std::vector<std::int64_t> argmax(3);
  std::vector<float> dy(2), dx(4);
  EXPECT_TRUE(throws_problem_error([&] { reference::backward<float>(small(), argmax, dy, dx); },
                                   "argmax.length", "3"));
}

TEST(TypedReferenceBuffers, ShortDxIsNamed) {
  std::vector<float> x(4), dy(2), dx(3);
  EXPECT_TRUE(throws_problem_error(
      [&] { reference::backward_from_input<float>(small(), x, dy, dx); }, "dx.length", "3"));
}

TEST(TypedReferenceBuffers, ElementTypeOtherThanTheProblemsIsNamed) {
  // An f64 buffer for an f32 problem would be read as twice as many floats.
  std::vector<double> x(4), y(2), dy(2), dx(4);
  std::vector<std::int64_t> argmax(2);
  EXPECT_TRUE(
      throws_problem_error([&] { reference::forward<double>(small(), x, y, {}); }, "dtype", "f32"));
  EXPECT_TRUE(throws_problem_error([&] { reference::backward<double>(small(), argmax, dy, dx); },
                                   "dtype", "f32"));
  EXPECT_TRUE(throws_problem_error(
      [&] { reference::backward_from_input<double>(small(), x, dy, dx); }, "dtype", "f32"));
}

}  // namespace
}  // namespace poolcheck
