#include "poolcheck/profiles.hpp"

#include <string>

#include "poolcheck/error.hpp"

namespace poolcheck {
namespace {

constexpr ProfileRules kOnlyValidOrSame{.explicit_padding = false,
                                        .asymmetric_padding = false,
                                        .valid_padding = true,
                                        .same_upper_padding = true,
                                        .same_lower_padding = false,
                                        .ceil_mode = false,
                                        .dilation = false};

constexpr Profile kProfiles[] = {
    {.name = "numpynet",
     .conventions = {NanRule::ignore, PadCells::nan, Initial::first_candidate, ScanOrder::row_major,
                     IndexFormat::window},
     .rules = kOnlyValidOrSame,
     .source = "NumPyNet layers/maxpool_layer.py: np.nanmax / np.nanargmax over a strided view, "
               "NaN pad cells, window-local (x, y) indexes (written here row-major as x*ky+y)",
     .unspecified = "all-NaN windows raise ValueError in NumPyNet; poolcheck outputs NaN with "
                    "argmax -1 and sends no gradient (a documented deviation). The sign of a "
                    "maximum where +0 and -0 tie depends on numpy's reduction order; poolcheck "
                    "returns the element at the argmax (the first zero), and checks of foreign "
                    "numpynet implementations accept either sign there",
     .open = {.zero_sign = true}},
    {.name = "pytorch",
     .conventions = {NanRule::propagate, PadCells::excluded, Initial::first_candidate,
                     ScanOrder::row_major, IndexFormat::plane},
     .rules = {.explicit_padding = true,
               .asymmetric_padding = false,
               .valid_padding = true,
               .same_upper_padding = false,
               .same_lower_padding = false,
               .ceil_mode = true,
               .dilation = true,
               .pad_at_most_half_kernel = true},
     .source = "torch.nn.functional.max_pool{1,2,3}d (aten/src/ATen/native/cpu/MaxPoolKernel.cpp): "
               "update if v > max or isnan(v); indices h*W+w per (N,C) plane",
     .unspecified = "a window entirely in padding (dilation) is out of contract (PyTorch #114216); "
                    "poolcheck outputs -inf with argmax -1",
     .open = {.padding_windows = true}},
    {.name = "onnx",
     .conventions = {NanRule::unspecified, PadCells::excluded, Initial::first_candidate,
                     ScanOrder::row_major, IndexFormat::tensor},
     .rules = {},
     .source = "ONNX MaxPool (opset 12+): pads excluded, auto_pad SAME_UPPER/SAME_LOWER/VALID, "
               "ceil_mode, dilations; Indices flat over N*C*spatial (storage_order 0)",
     .unspecified = "NaN handling; storage_order=1 is index=tensor-col",
     .open = {}},
    {.name = "tensorflow",
     .conventions = {NanRule::unspecified, PadCells::excluded, Initial::first_candidate,
                     ScanOrder::row_major, IndexFormat::nhwc},
     .rules = kOnlyValidOrSame,
     .source = "tf.nn.max_pool_with_argmax: VALID/SAME (extra pad bottom/right), argmax "
               "(y*W+x)*C+c without batch (include_batch_in_index=True is index=nhwc-batch)",
     .unspecified = "NaN handling (CPU depends on the channel count, GPU propagates)",
     .open = {}},
    {.name = "onednn",
     .conventions = {NanRule::skip, PadCells::excluded, Initial::lowest_at_first_tap,
                     ScanOrder::row_major, IndexFormat::window},
     .rules = {.explicit_padding = true,
               .asymmetric_padding = true,
               .valid_padding = true,
               .same_upper_padding = false,
               .same_lower_padding = false,
               .ceil_mode = false,
               .dilation = true},
     .source = "oneDNN pooling_max (ref_pooling): starts at lowest() with workspace 0, updates on "
               "v > max; workspace is the kernel-local offset (kd*KH+kh)*KW+kw",
     .unspecified = "none within its parameters",
     .open = {}},
    {.name = "xnnpack",
     .conventions = {NanRule::unspecified, PadCells::border, Initial::first_candidate,
                     ScanOrder::column_major, IndexFormat::window_col_major},
     .rules = {.explicit_padding = true,
               .asymmetric_padding = true,
               .valid_padding = true,
               .same_upper_padding = true,
               .same_lower_padding = false,
               .ceil_mode = false,
               .dilation = true},
     .source = "xnn_create_max_pooling2d_nhwc / argmax_pooling2d_nhwc: pad taps clamped to the "
               "border, argmax window-local px*KH+py (column-major)",
     .unspecified = "NaN handling (ISA dependent); XNNPACK outputs 1 cell where the kernel exceeds "
                    "the padded input, which poolcheck rejects as an empty output",
     .open = {}},
    {.name = "darknet",
     .conventions = {NanRule::skip, PadCells::excluded, Initial::lowest_no_index,
                     ScanOrder::row_major, IndexFormat::memory},
     .rules = {.explicit_padding = true,
               .asymmetric_padding = true,
               .valid_padding = true,
               .same_upper_padding = false,
               .same_lower_padding = false,
               .ceil_mode = false,
               .dilation = false},
     .source = "darknet maxpool_layer.c: -FLT_MAX start, out-of-image taps skipped, strict >, "
               "index -1 until a tap wins; index flat over the input buffer",
     .unspecified = "none within its parameters",
     .open = {}},
};

}  // namespace

std::span<const Profile> all_profiles() noexcept { return kProfiles; }

const Profile& default_profile() noexcept { return kProfiles[0]; }

const Profile& profile_by_name(std::string_view name) {
  std::string known;
  for (const Profile& p : kProfiles) {
    if (p.name == name) return p;
    known += known.empty() ? "" : ", ";
    known += p.name;
  }
  throw ProblemError("profile", std::string(name), "unknown profile; expected one of " + known);
}

}  // namespace poolcheck
