// The one interface through which tests, gradcheck and the command-line tool
// reach an implementation: the reference, fast/, or a foreign plug-in.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "poolcheck/dtype.hpp"
#include "poolcheck/error.hpp"
#include "poolcheck/problem.hpp"

namespace poolcheck {

// A tensor's elements in the problem's dtype, without their type in C++.
template <class Byte>
struct Buffer {
  DType dtype = DType::f32;
  Byte* data = nullptr;
  std::size_t count = 0;  // elements, not bytes

  template <class T>
  static Buffer of(DType dtype, std::span<T> elements) {
    return {dtype, reinterpret_cast<Byte*>(elements.data()), elements.size()};
  }
  // The elements as T; the caller picks T from `dtype` (visit_dtype does).
  template <class T>
  std::span<T> as() const {
    return {reinterpret_cast<T*>(data), count};
  }
};
using ConstBuffer = Buffer<const std::byte>;
using MutableBuffer = Buffer<std::byte>;

class Implementation {
 public:
  virtual ~Implementation() = default;
  virtual std::string name() const = 0;

  // y = max pooling of x. If `argmax` is not empty it receives, for every
  // output element, the argmax in the profile's index format (-1 for none).
  // Sizes must match the problem (ProblemError otherwise).
  virtual void forward(const Problem& problem, ConstBuffer x, MutableBuffer y,
                       std::span<std::int64_t> argmax) const = 0;

  // dx += dy routed to each window's argmax, window after window in output
  // order (so overlapping windows add up in a fixed order). The argmax is read
  // from `argmax` (profile format) when given, else recomputed from x.
  virtual void backward(const Problem& problem, ConstBuffer x, std::span<const std::int64_t> argmax,
                        ConstBuffer dy, MutableBuffer dx) const = 0;
};

// Checks buffer sizes and dtypes against the problem; throws ProblemError
// naming the buffer ("x", "y", "argmax", "dy", "dx") and its length.
void check_forward_buffers(const Problem& problem, const Geometry& g, ConstBuffer x,
                           MutableBuffer y, std::span<const std::int64_t> argmax);
void check_backward_buffers(const Problem& problem, const Geometry& g, ConstBuffer x,
                            std::span<const std::int64_t> argmax, ConstBuffer dy, MutableBuffer dx);

}  // namespace poolcheck
