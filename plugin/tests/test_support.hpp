// Helpers shared by the plug-in host's tests: typed buffers filled with
// values that make ties, NaN, infinities and -0 likely, and bitwise equality.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <span>
#include <vector>

#include "poolcheck/implementation.hpp"
#include "poolcheck/problem.hpp"
#include "poolcheck/visit_dtype.hpp"

namespace poolcheck::plugin::testing {

// Bytes of one tensor of `count` elements of `dtype`.
struct Tensor {
  DType dtype = DType::f32;
  std::size_t count = 0;
  std::vector<std::byte> bytes;

  Tensor(DType d, std::size_t n) : dtype(d), count(n), bytes(n * dtype_size(d)) {}
  ConstBuffer view() const { return {dtype, bytes.data(), count}; }
  MutableBuffer mut() { return {dtype, bytes.data(), count}; }
  friend bool operator==(const Tensor& a, const Tensor& b) {
    return a.dtype == b.dtype && a.count == b.count && a.bytes == b.bytes;  // bitwise
  }
};

template <class T>
T from_float(float f) {
  if constexpr (std::is_same_v<T, float16> || std::is_same_v<T, bfloat16>)
    return T::from_float(f);
  else
    return static_cast<T>(f);
}

// Element i of a deterministic pattern: a small lattice (k / 4, so equal
// values and ties are common), with NaN, +-inf and -0 sprinkled in for
// floating types.
inline float pattern_value(std::size_t i, std::uint32_t seed, bool floating) {
  const std::uint32_t h = (static_cast<std::uint32_t>(i) + seed) * 2654435761u;
  const int k = static_cast<int>((h >> 8) % 17) - 8;
  if (!floating) return static_cast<float>(k * 3);
  switch ((h >> 20) % 23) {
    case 0:
      return std::numeric_limits<float>::quiet_NaN();
    case 1:
      return -std::numeric_limits<float>::infinity();
    case 2:
      return std::numeric_limits<float>::infinity();
    case 3:
      return -0.0f;
    default:
      return static_cast<float>(k) / 4.0f;
  }
}

inline Tensor patterned(DType dtype, std::size_t count, std::uint32_t seed) {
  Tensor t(dtype, count);
  visit_dtype(dtype, [&]<class T>(TypeTag<T>) {
    for (std::size_t i = 0; i < count; ++i) {
      const T v = from_float<T>(pattern_value(i, seed, dtype_is_floating(dtype)));
      std::memcpy(t.bytes.data() + i * sizeof(T), &v, sizeof(T));
    }
  });
  return t;
}

template <class T>
Tensor tensor_of(DType dtype, std::initializer_list<T> values) {
  Tensor t(dtype, values.size());
  std::memcpy(t.bytes.data(), values.begin(), values.size() * sizeof(T));
  return t;
}

inline std::size_t inputs(const Problem& p) {
  return static_cast<std::size_t>(p.geometry().input_elements());
}
inline std::size_t outputs(const Problem& p) {
  return static_cast<std::size_t>(p.geometry().output_elements());
}

}  // namespace poolcheck::plugin::testing
