// Output size and padding of one spatial axis, in exact integer arithmetic.
//
// These are the only copies of the formulas: Problem::geometry() applies them
// to every axis, and everything else reads the resolved Geometry. Floating
// point never enters (onnxruntime #10083 computed sizes through float and was
// wrong for 16777217).
#pragma once

#include <cstdint>
#include <optional>

namespace poolcheck::axis {

struct Pads {
  std::int64_t begin = 0;
  std::int64_t end = 0;
  friend bool operator==(const Pads&, const Pads&) = default;
};

// Sum and product that report overflow instead of wrapping.
constexpr std::optional<std::int64_t> checked_add(std::int64_t a, std::int64_t b) noexcept {
  std::int64_t r = 0;
  if (__builtin_add_overflow(a, b, &r)) return std::nullopt;
  return r;
}
constexpr std::optional<std::int64_t> checked_mul(std::int64_t a, std::int64_t b) noexcept {
  std::int64_t r = 0;
  if (__builtin_mul_overflow(a, b, &r)) return std::nullopt;
  return r;
}

// Span of a dilated kernel: (kernel - 1) * dilation + 1. Callers have checked
// that it does not overflow (Problem::geometry does).
constexpr std::int64_t effective_kernel(std::int64_t kernel, std::int64_t dilation) noexcept {
  return (kernel - 1) * dilation + 1;
}

// TensorFlow / ONNX SAME padding: the output has ceil(in / stride) cells and
// the total pad is what the last window needs, never negative. SAME_UPPER (and
// NumPyNet's pad=True) put the odd cell at the end, SAME_LOWER at the begin.
// NumPyNet writes the total as max(k - (in % s or s), 0), which is the same
// number: (ceil(in/s) - 1) * s + k - in.
constexpr Pads same_padding(std::int64_t in, std::int64_t effective_kernel, std::int64_t stride,
                            bool odd_pad_at_end) noexcept {
  const std::int64_t out = (in + stride - 1) / stride;
  const std::int64_t needed = (out - 1) * stride + effective_kernel - in;
  const std::int64_t total = needed > 0 ? needed : 0;
  const std::int64_t small = total / 2;
  return odd_pad_at_end ? Pads{small, total - small} : Pads{total - small, small};
}

// Number of windows along an axis, 0 when the window does not fit at all.
// Floor mode keeps the windows that fit in the padded input. Ceil mode keeps
// one more partial window, then drops a last window that would start at or
// past in + pad_begin, i.e. inside the end padding (PyTorch's rule, also
// ONNX's since opset 19; PyTorch #57178: in=32 k=1 s=2 gives 16, not 17).
constexpr std::int64_t output_size(std::int64_t in, std::int64_t effective_kernel,
                                   std::int64_t stride, Pads pads, bool ceil_mode) noexcept {
  const std::int64_t padded = in + pads.begin + pads.end;
  if (padded < effective_kernel) return 0;
  const std::int64_t span = padded - effective_kernel;
  if (!ceil_mode) return span / stride + 1;
  std::int64_t out = (span + stride - 1) / stride + 1;
  if ((out - 1) * stride >= in + pads.begin) --out;
  return out;
}

}  // namespace poolcheck::axis
