// One max-pooling problem: shapes, parameters, profile and element type.
//
// Problem is a fluent builder (in the spirit of XNNPACK's operator testers):
//
//   Problem().profile("pytorch").layout(Layout::channels_first)
//       .batch(2).channels(16).input_size({10, 10}).kernel({3, 3}).stride({2, 2}).pads({1, 1});
//
// geometry() validates the whole problem and resolves it into a Geometry that
// holds every derived quantity (pads, output sizes, memory strides). It is the
// one place where a problem is checked; an invalid one throws ProblemError.
#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string_view>
#include <vector>

#include "poolcheck/conventions.hpp"
#include "poolcheck/dtype.hpp"
#include "poolcheck/profiles.hpp"

namespace poolcheck {

enum class Layout {
  channels_last,   // NHWC (NumPyNet's (batch, w, h, c)), NWC, NDHWC
  channels_first,  // NCHW, NCW, NCDHW
};

enum class Padding {
  explicit_pads,  // pad_begin / pad_end as given (all zero: TensorFlow VALID)
  valid,          // no padding; trailing cells no window covers are cropped
  same_upper,     // ceil(in / stride) outputs, odd pad cell at the end (NumPyNet pad=True)
  same_lower,     // same, odd pad cell at the begin (ONNX SAME_LOWER)
};

inline constexpr int kMaxRank = 3;

// Spatial sizes normalised to three axes (d, h, w). A problem of rank r uses
// the last r; the leading ones are 1 wide with kernel 1, stride 1 and no pads,
// so one triple loop serves every rank and memory offsets stay the same.
using Dims = std::array<std::int64_t, kMaxRank>;

// The resolved problem: everything an implementation needs, already checked.
struct Geometry {
  int rank = 2;
  Layout layout = Layout::channels_last;
  std::int64_t batch = 1;
  std::int64_t channels = 1;
  Dims in{1, 1, 1};
  Dims out{1, 1, 1};
  Dims kernel{1, 1, 1};
  Dims stride{1, 1, 1};
  Dims dilation{1, 1, 1};
  Dims pad_begin{0, 0, 0};
  Dims pad_end{0, 0, 0};

  // Memory strides in elements, for the input and for the output (which has
  // the same layout). Spatial stride of axis a is *_spatial_stride[a].
  Dims in_spatial_stride{};
  std::int64_t in_channel_stride = 0;
  std::int64_t in_batch_stride = 0;
  Dims out_spatial_stride{};
  std::int64_t out_channel_stride = 0;
  std::int64_t out_batch_stride = 0;

  std::int64_t input_elements() const noexcept { return batch * in_batch_stride; }
  std::int64_t output_elements() const noexcept { return batch * out_batch_stride; }
  std::int64_t kernel_volume() const noexcept { return kernel[0] * kernel[1] * kernel[2]; }
  std::int64_t input_plane() const noexcept { return in[0] * in[1] * in[2]; }

  std::int64_t input_offset(std::int64_t n, std::int64_t c, const Dims& pos) const noexcept {
    return n * in_batch_stride + c * in_channel_stride + pos[0] * in_spatial_stride[0] +
           pos[1] * in_spatial_stride[1] + pos[2] * in_spatial_stride[2];
  }
  std::int64_t output_offset(std::int64_t n, std::int64_t c, const Dims& pos) const noexcept {
    return n * out_batch_stride + c * out_channel_stride + pos[0] * out_spatial_stride[0] +
           pos[1] * out_spatial_stride[1] + pos[2] * out_spatial_stride[2];
  }
  // Input coordinate of kernel tap `tap` of the window at output `out_pos`;
  // may lie in the padding (negative or >= in).
  Dims tap_position(const Dims& out_pos, const Dims& tap) const noexcept {
    Dims p{};
    for (int a = 0; a < kMaxRank; ++a)
      p[a] = out_pos[a] * stride[a] - pad_begin[a] + tap[a] * dilation[a];
    return p;
  }
  bool inside(const Dims& pos) const noexcept {
    for (int a = 0; a < kMaxRank; ++a)
      if (pos[a] < 0 || pos[a] >= in[a]) return false;
    return true;
  }
  // Row-major window-local number of a tap, and back.
  std::int64_t tap_index(const Dims& tap) const noexcept {
    return (tap[0] * kernel[1] + tap[1]) * kernel[2] + tap[2];
  }
  Dims tap_from_index(std::int64_t index) const noexcept {
    return {index / (kernel[1] * kernel[2]), (index / kernel[2]) % kernel[1], index % kernel[2]};
  }
  // The index axis `a` of rank-r user-facing lists maps to.
  static constexpr int axis_of(int rank, int user_axis) noexcept {
    return kMaxRank - rank + user_axis;
  }

  friend bool operator==(const Geometry&, const Geometry&) = default;
};

class Problem {
 public:
  Problem();

  // Selects a profile by name and takes its conventions (throws ProblemError
  // for an unknown name). Later convention overrides apply on top.
  Problem& profile(std::string_view name);
  Problem& conventions(const Conventions& conventions);
  Problem& dtype(DType dtype);
  Problem& layout(Layout layout);
  Problem& batch(std::int64_t batch);
  Problem& channels(std::int64_t channels);
  // Spatial sizes, outermost first ({h, w} for 2-D). Their count is the rank.
  Problem& input_size(std::initializer_list<std::int64_t> sizes);
  Problem& input_size(std::span<const std::int64_t> sizes);
  Problem& kernel(std::initializer_list<std::int64_t> sizes);
  Problem& kernel(std::span<const std::int64_t> sizes);
  // Unset stride means stride = kernel (NumPyNet's default).
  Problem& stride(std::initializer_list<std::int64_t> sizes);
  Problem& stride(std::span<const std::int64_t> sizes);
  // Unset dilation means 1 (dense) on every axis.
  Problem& dilation(std::initializer_list<std::int64_t> sizes);
  Problem& dilation(std::span<const std::int64_t> sizes);
  Problem& pad_begin(std::initializer_list<std::int64_t> sizes);
  Problem& pad_begin(std::span<const std::int64_t> sizes);
  Problem& pad_end(std::initializer_list<std::int64_t> sizes);
  Problem& pad_end(std::span<const std::int64_t> sizes);
  // Same pads at both ends of each axis.
  Problem& pads(std::initializer_list<std::int64_t> sizes);
  Problem& padding(Padding mode);
  Problem& ceil_mode(bool on);

  const Profile& profile() const noexcept { return *profile_; }
  const Conventions& conventions() const noexcept { return conventions_; }
  DType dtype() const noexcept { return dtype_; }
  Layout layout() const noexcept { return layout_; }
  std::int64_t batch() const noexcept { return batch_; }
  std::int64_t channels() const noexcept { return channels_; }
  int rank() const noexcept { return static_cast<int>(input_.size()); }
  const std::vector<std::int64_t>& input_size() const noexcept { return input_; }
  const std::vector<std::int64_t>& kernel() const noexcept { return kernel_; }
  // Empty when unset (then the stride is the kernel).
  const std::vector<std::int64_t>& stride() const noexcept { return stride_; }
  const std::vector<std::int64_t>& dilation() const noexcept { return dilation_; }
  const std::vector<std::int64_t>& pad_begin() const noexcept { return pad_begin_; }
  const std::vector<std::int64_t>& pad_end() const noexcept { return pad_end_; }
  Padding padding() const noexcept { return padding_; }
  bool ceil_mode() const noexcept { return ceil_mode_; }

  // Validates everything and resolves pads, output sizes and strides. Throws
  // ProblemError naming the first offending parameter and its value.
  Geometry geometry() const;

  // Spatial axis names for this rank, outermost first: {"h", "w"} for 2-D.
  static std::span<const std::string_view> axis_names(int rank) noexcept;

  friend bool operator==(const Problem&, const Problem&) = default;

 private:
  const Profile* profile_;
  Conventions conventions_;
  DType dtype_ = DType::f32;
  Layout layout_ = Layout::channels_last;
  std::int64_t batch_ = 1;
  std::int64_t channels_ = 1;
  std::vector<std::int64_t> input_;
  std::vector<std::int64_t> kernel_;
  std::vector<std::int64_t> stride_;
  std::vector<std::int64_t> dilation_;
  std::vector<std::int64_t> pad_begin_;
  std::vector<std::int64_t> pad_end_;
  Padding padding_ = Padding::explicit_pads;
  bool ceil_mode_ = false;
};

std::string_view layout_name(Layout layout, int rank) noexcept;

// What a foreign implementation of this problem may do its own way: the
// profile's open behaviours, with NaN windows open wherever the conventions
// leave NaN handling unspecified.
OpenBehaviour open_behaviour(const Problem& problem) noexcept;

}  // namespace poolcheck
