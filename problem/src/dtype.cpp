#include "poolcheck/dtype.hpp"

namespace poolcheck {

std::string_view dtype_name(DType dtype) noexcept {
  switch (dtype) {
    case DType::f32:
      return "f32";
    case DType::f64:
      return "f64";
    case DType::f16:
      return "f16";
    case DType::bf16:
      return "bf16";
    case DType::s8:
      return "s8";
    case DType::u8:
      return "u8";
  }
  return "?";
}

std::optional<DType> dtype_from_name(std::string_view name) noexcept {
  for (const DType d : kAllDTypes)
    if (dtype_name(d) == name) return d;
  return std::nullopt;
}

std::size_t dtype_size(DType dtype) noexcept {
  switch (dtype) {
    case DType::f64:
      return 8;
    case DType::f32:
      return 4;
    case DType::f16:
    case DType::bf16:
      return 2;
    case DType::s8:
    case DType::u8:
      return 1;
  }
  return 0;
}

bool dtype_is_floating(DType dtype) noexcept { return dtype != DType::s8 && dtype != DType::u8; }

}  // namespace poolcheck
