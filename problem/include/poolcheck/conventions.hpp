// The conventions on which max-pooling implementations disagree, as data.
//
// Each enumerator is one documented behaviour of a real system; a profile
// (profiles.hpp) bundles one choice of each. The reference implements every
// combination, so a convention is never an #ifdef or a special case.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace poolcheck {

// How NaN inputs take part in the maximum.
enum class NanRule {
  // np.nanmax / np.nanargmax (NumPyNet): NaN ranks as -inf when choosing the
  // argmax, and a window with at least one non-NaN cell outputs the value at the
  // argmax read as -inf if it is NaN. A window of NaN only outputs NaN with
  // argmax "none".
  ignore,
  // PyTorch: a cell replaces the running maximum if it is greater or NaN, so the
  // output is NaN and the argmax is the LAST NaN of the window.
  propagate,
  // oneDNN, darknet: NaN is never selected (`v > max` is false for NaN).
  skip,
  // The system does not specify it (ONNX, TensorFlow CPU, XNNPACK). The
  // reference computes `propagate`; a conformance check of such a profile only
  // requires the output to be NaN or a value of the window.
  unspecified,
};

// What the cells of the padding hold.
enum class PadCells {
  nan,       // NumPyNet: NaN cells that rank as -inf and can become the argmax.
  excluded,  // PyTorch, ONNX, TensorFlow, oneDNN, darknet: never a candidate.
  border,    // XNNPACK: a pad tap reads the nearest image pixel (clamped index).
};

// Where the running maximum starts.
enum class Initial {
  first_candidate,      // The first candidate cell of the window in scan order.
  lowest_at_first_tap,  // oneDNN: lowest finite value with argmax at tap 0.
  lowest_no_index,      // darknet: lowest finite value with argmax "none".
};

// In which order the window's taps are scanned; with strict `>` the first
// maximum in this order wins a tie.
enum class ScanOrder {
  row_major,     // Last spatial axis innermost (w, then h, then d).
  column_major,  // First spatial axis innermost (XNNPACK).
};

// How an argmax is written as one int64. "none" is always -1.
enum class IndexFormat {
  window,            // Window-local tap, row-major over the kernel (NumPyNet, oneDNN workspace).
  window_col_major,  // Window-local tap, column-major (XNNPACK: px * KH + py).
  plane,             // Input spatial offset within one (n, c) plane, row-major (PyTorch).
  tensor,            // Offset in an NC+spatial tensor (ONNX storage_order=0).
  tensor_col_major,  // Same with the spatial part column-major (ONNX storage_order=1).
  nhwc,              // (spatial offset) * C + c, without batch (TensorFlow default).
  nhwc_batch,        // Same with the batch (TensorFlow include_batch_in_index=True).
  memory,            // Offset into the input buffer in its own layout (darknet).
};

// Every IndexFormat, for tests and campaigns that visit them all.
inline constexpr IndexFormat kAllIndexFormats[] = {IndexFormat::window,
                                                   IndexFormat::window_col_major,
                                                   IndexFormat::plane,
                                                   IndexFormat::tensor,
                                                   IndexFormat::tensor_col_major,
                                                   IndexFormat::nhwc,
                                                   IndexFormat::nhwc_batch,
                                                   IndexFormat::memory};

struct Conventions {
  NanRule nan = NanRule::ignore;
  PadCells pad = PadCells::nan;
  Initial initial = Initial::first_candidate;
  ScanOrder order = ScanOrder::row_major;
  IndexFormat index = IndexFormat::window;

  friend bool operator==(const Conventions&, const Conventions&) = default;
};

std::string_view to_string(NanRule v) noexcept;
std::string_view to_string(PadCells v) noexcept;
std::string_view to_string(Initial v) noexcept;
std::string_view to_string(ScanOrder v) noexcept;
std::string_view to_string(IndexFormat v) noexcept;

// Sets the convention named `key` ("nan", "pad", "init", "order", "index") to
// `value`; throws ProblemError naming key and value when either is unknown.
void set_convention(Conventions& conventions, std::string_view key, std::string_view value);

}  // namespace poolcheck
