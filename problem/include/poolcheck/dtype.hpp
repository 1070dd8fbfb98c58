// Element types a pooling problem can be posed in, and their names.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string_view>

namespace poolcheck {

// The element type of x, y, dy and dx. Max pooling selects and never rounds, so
// the output keeps the input's type (a deliberate deviation from NumPyNet,
// which always returns float64).
enum class DType { f32, f64, f16, bf16, s8, u8 };

inline constexpr DType kAllDTypes[] = {DType::f32,  DType::f64, DType::f16,
                                       DType::bf16, DType::s8,  DType::u8};

// Short names as they appear in problem descriptors: "f32", "bf16", "s8", ...
std::string_view dtype_name(DType dtype) noexcept;
std::optional<DType> dtype_from_name(std::string_view name) noexcept;
std::size_t dtype_size(DType dtype) noexcept;
bool dtype_is_floating(DType dtype) noexcept;

}  // namespace poolcheck
