// Calling a template with the C++ type of a runtime DType.
#pragma once

#include <cstdint>
#include <type_traits>

#include "poolcheck/dtype.hpp"
#include "poolcheck/half.hpp"

namespace poolcheck {

template <class T>
struct TypeTag {
  using type = T;
};

// f(TypeTag<float>{}) for DType::f32, and so on.
template <class F>
decltype(auto) visit_dtype(DType dtype, F&& f) {
  switch (dtype) {
    case DType::f64:
      return f(TypeTag<double>{});
    case DType::f16:
      return f(TypeTag<float16>{});
    case DType::bf16:
      return f(TypeTag<bfloat16>{});
    case DType::s8:
      return f(TypeTag<std::int8_t>{});
    case DType::u8:
      return f(TypeTag<std::uint8_t>{});
    case DType::f32:
      break;
  }
  return f(TypeTag<float>{});
}

template <class T>
constexpr DType dtype_of() noexcept {
  if constexpr (std::is_same_v<T, double>)
    return DType::f64;
  else if constexpr (std::is_same_v<T, float16>)
    return DType::f16;
  else if constexpr (std::is_same_v<T, bfloat16>)
    return DType::bf16;
  else if constexpr (std::is_same_v<T, std::int8_t>)
    return DType::s8;
  else if constexpr (std::is_same_v<T, std::uint8_t>)
    return DType::u8;
  else
    return DType::f32;
}

}  // namespace poolcheck
