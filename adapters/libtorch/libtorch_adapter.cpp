// poolcheck plug-in for libtorch 1.13 on CPU (profile "pytorch").
//
// Wraps poolcheck's buffers with at::from_blob (no copy) in PyTorch's logical
// (N, C, spatial...) shape, with the strides of the problem's layout: a
// channels-last buffer becomes a ChannelsLast tensor, as
// x.contiguous(memory_format=torch.channels_last) would be. Then it calls the
// `_out` forms of max_pool{2,3}d_with_indices and their backward, so results
// land straight in poolcheck's buffers. A 1-D problem is run as 2-D with a
// 1-high image (what at::max_pool1d_with_indices does itself); the plane index
// h * W + w is then just w. Only ATen is included, to keep this one translation
// unit light.
#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <cstdint>
#include <string>
#include <vector>

#include "adapter_support.hpp"
#include "poolcheck/plugin.h"

namespace {

using poolcheck_adapter::Failure;
using poolcheck_adapter::Unsupported;

at::ScalarType scalar_type_of(std::int32_t dtype) {
  switch (dtype) {
    case PC_DTYPE_F32:
      return at::kFloat;
    case PC_DTYPE_F64:
      return at::kDouble;
    case PC_DTYPE_BF16:
      return at::kBFloat16;
    default:
      throw Unsupported{"dtype=" + std::to_string(dtype) +
                        ": libtorch 1.13 CPU max pooling is float, double and bfloat16 only"};
  }
}

// The problem as PyTorch sees it: rank 2 or 3 (1-D lifted to a 1-high 2-D).
struct TorchShape {
  int rank = 2;
  std::vector<std::int64_t> in, out, kernel, stride, padding, dilation;
  bool channels_last = true;
  bool ceil_mode = false;
};

// PyTorch's own output size (pooling_output_shape in ATen's Pool.h, restated):
// floor or ceil of the span over the stride, then ceil mode drops a last window
// starting inside the right padding.
std::int64_t torch_output_size(std::int64_t in, std::int64_t k, std::int64_t s, std::int64_t pad,
                               std::int64_t d, bool ceil_mode) {
  const std::int64_t numerator = in + 2 * pad - d * (k - 1) - 1 + (ceil_mode ? s - 1 : 0);
  std::int64_t out = (numerator >= 0 ? numerator / s : -((-numerator + s - 1) / s)) + 1;
  if (ceil_mode && (out - 1) * s >= in + pad) --out;
  return out;
}

TorchShape shape_of(const pc_problem& p) {
  poolcheck_adapter::require_basic_shape(p);
  TorchShape t;
  t.rank = p.rank == 3 ? 3 : 2;
  t.channels_last = p.layout == PC_LAYOUT_CHANNELS_LAST;
  t.ceil_mode = p.ceil_mode != 0;
  if (p.rank == 1) {  // the lifted h axis: 1 high, kernel 1, stride 1
    t.in.push_back(1), t.out.push_back(1), t.kernel.push_back(1), t.stride.push_back(1);
    t.padding.push_back(0), t.dilation.push_back(1);
  }
  static constexpr const char* kAxis[] = {"d", "h", "w"};
  for (int a = 0; a < p.rank; ++a) {
    const char* axis = kAxis[3 - p.rank + a];
    if (p.pad_begin[a] != p.pad_end[a])
      throw Unsupported{std::string("pad_end_") + axis + "=" + std::to_string(p.pad_end[a]) +
                        ": PyTorch pads both ends alike (pad_begin_" + axis + "=" +
                        std::to_string(p.pad_begin[a]) + ")"};
    if (2 * p.pad_begin[a] > p.kernel[a])
      throw Unsupported{std::string("pad_") + axis + "=" + std::to_string(p.pad_begin[a]) +
                        ": PyTorch requires pad <= kernel / 2 (kernel_" + axis + "=" +
                        std::to_string(p.kernel[a]) + ")"};
    const std::int64_t theirs = torch_output_size(p.input[a], p.kernel[a], p.stride[a],
                                                  p.pad_begin[a], p.dilation[a], t.ceil_mode);
    if (theirs != p.output[a])
      throw Unsupported{std::string("output_") + axis + "=" + std::to_string(p.output[a]) +
                        ": PyTorch would produce " + std::to_string(theirs)};
    t.in.push_back(p.input[a]), t.out.push_back(p.output[a]), t.kernel.push_back(p.kernel[a]);
    t.stride.push_back(p.stride[a]), t.padding.push_back(p.pad_begin[a]);
    t.dilation.push_back(p.dilation[a]);
  }
  return t;
}

// A tensor over `data` with logical sizes (N, C, spatial...) and the strides
// of a dense buffer in the problem's layout.
at::Tensor wrap(void* data, const pc_problem& p, const TorchShape& t,
                const std::vector<std::int64_t>& spatial, at::ScalarType type) {
  std::vector<std::int64_t> sizes{p.batch, p.channels};
  sizes.insert(sizes.end(), spatial.begin(), spatial.end());
  std::vector<std::int64_t> strides(sizes.size());
  std::int64_t step = 1;
  if (t.channels_last) {
    strides[1] = 1;
    step = p.channels;
    for (std::size_t i = sizes.size(); i-- > 2;) strides[i] = step, step *= sizes[i];
    strides[0] = step;
  } else {
    for (std::size_t i = sizes.size(); i-- > 0;) strides[i] = step, step *= sizes[i];
  }
  return at::from_blob(data, sizes, strides, at::TensorOptions().dtype(type).device(at::kCPU));
}

void use_peer_threads() {
  const int threads = poolcheck_adapter::peer_threads();
  if (at::get_num_threads() != threads) at::set_num_threads(threads);
}

// The `_out` forms keep our buffers unless they disagree with the layout
// PyTorch picks for the result; then they would be restrided or replaced,
// which must not pass silently.
void require_in_place(const at::Tensor& result, void* data,
                      const std::vector<std::int64_t>& strides, const char* what) {
  if (result.data_ptr() != data || result.strides().vec() != strides)
    throw Failure{std::string(what) + ": PyTorch did not write into the caller's buffer in place"};
}

// 2-D: the structured `_out` kernel writes into our buffers in place. 3-D:
// libtorch 1.13's max_pool3d_with_indices.out, given channels_last_3d out
// tensors, keeps their strides but fills them as if they were contiguous
// (wrong values and indices; reproduced from Python with torch 1.13), so the
// 3-D result is computed into PyTorch's own tensors and copied over, which
// respects strides.
void pool_forward(const TorchShape& t, const at::Tensor& x, at::Tensor& y, at::Tensor& indices) {
  if (t.rank == 2) {
    at::max_pool2d_with_indices_out(y, indices, x, t.kernel, t.stride, t.padding, t.dilation,
                                    t.ceil_mode);
    return;
  }
  const auto [values, taps] =
      at::max_pool3d_with_indices(x, t.kernel, t.stride, t.padding, t.dilation, t.ceil_mode);
  y.copy_(values);
  indices.copy_(taps);
}

void run_forward(const pc_problem& p, const void* x, void* y, std::int64_t* argmax) {
  const at::ScalarType type = scalar_type_of(p.dtype);
  const TorchShape t = shape_of(p);
  use_peer_threads();
  const at::Tensor xt = wrap(const_cast<void*>(x), p, t, t.in, type);  // read only
  at::Tensor yt = wrap(y, p, t, t.out, type);
  const std::vector<std::int64_t> y_strides = yt.strides().vec();
  // Values-only calls still need somewhere for PyTorch to put its indices.
  std::vector<std::int64_t> scratch;
  if (argmax == nullptr) {
    scratch.resize(static_cast<std::size_t>(poolcheck_adapter::element_count(p, p.output)));
    argmax = scratch.data();
  }
  at::Tensor it = wrap(argmax, p, t, t.out, at::kLong);
  pool_forward(t, xt, yt, it);
  require_in_place(yt, y, y_strides, "y");
  require_in_place(it, argmax, y_strides, "argmax");
}

void run_backward(const pc_problem& p, const void* x, const std::int64_t* argmax, const void* dy,
                  void* dx) {
  const at::ScalarType type = scalar_type_of(p.dtype);
  const TorchShape t = shape_of(p);
  // 3-D channels-last backward: libtorch 1.13 gave wrong gradients through
  // max_pool3d_with_indices_backward on channels_last_3d tensors, and copying
  // them to contiguous first crashed inside ATen's copy kernel (segfault, not
  // yet understood). Refused until that is run down; NCDHW works.
  if (t.rank == 3 && t.channels_last)
    throw Unsupported{
        "layout=ndhwc: 3-D channels-last backward is not run through libtorch 1.13 "
        "(wrong gradients or a crash; see adapters/libtorch)"};
  use_peer_threads();
  const at::Tensor xt = wrap(const_cast<void*>(x), p, t, t.in, type);
  const std::size_t outputs =
      static_cast<std::size_t>(poolcheck_adapter::element_count(p, p.output));
  std::vector<std::int64_t> indices;
  if (argmax == nullptr) {
    std::vector<std::byte> y(outputs * static_cast<std::size_t>(at::elementSize(type)));
    indices.resize(outputs);
    at::Tensor yt = wrap(y.data(), p, t, t.out, type);
    at::Tensor it = wrap(indices.data(), p, t, t.out, at::kLong);
    pool_forward(t, xt, yt, it);
  } else {
    // PyTorch's CPU backward trusts its indices; one outside the plane would
    // write out of bounds, so check them first.
    std::int64_t plane = 1;
    for (int a = 0; a < p.rank; ++a) plane *= p.input[a];
    for (std::size_t i = 0; i < outputs; ++i)
      if (argmax[i] < 0 || argmax[i] >= plane)
        throw Failure{"argmax[" + std::to_string(i) + "]=" + std::to_string(argmax[i]) +
                      ": PyTorch indices lie in [0, " + std::to_string(plane) + ")"};
    indices.assign(argmax, argmax + outputs);
  }
  const at::Tensor it = wrap(indices.data(), p, t, t.out, at::kLong);
  const at::Tensor dyt = wrap(const_cast<void*>(dy), p, t, t.out, type);
  at::Tensor dxt = wrap(dx, p, t, t.in, type);
  const std::vector<std::int64_t> dx_strides = dxt.strides().vec();
  // PyTorch zeroes grad_input and then adds; the ABI's dx arrives zero anyway.
  if (t.rank == 2) {
    at::max_pool2d_with_indices_backward_out(dxt, dyt, xt, t.kernel, t.stride, t.padding,
                                             t.dilation, t.ceil_mode, it);
  } else {
    dxt.copy_(at::max_pool3d_with_indices_backward(dyt, xt, t.kernel, t.stride, t.padding,
                                                   t.dilation, t.ceil_mode, it));
  }
  require_in_place(dxt, dx, dx_strides, "dx");
}

// c10::Error "not implemented for '<type>'" means the build lacks a kernel for
// this case: a refusal, not a failure.
template <class Body>
void refusing_missing_kernels(Body&& body) {
  try {
    body();
  } catch (const c10::Error& e) {
    const std::string what = e.what_without_backtrace();
    if (what.find("not implemented for") != std::string::npos) throw Unsupported{what};
    throw Failure{what};
  }
}

pc_status forward(const pc_problem* problem, const void* x, void* y, std::int64_t* argmax,
                  char* message, std::size_t message_size) {
  return poolcheck_adapter::guarded(message, message_size, [&] {
    refusing_missing_kernels([&] { run_forward(*problem, x, y, argmax); });
  });
}

pc_status backward(const pc_problem* problem, const void* x, const std::int64_t* argmax,
                   const void* dy, void* dx, char* message, std::size_t message_size) {
  return poolcheck_adapter::guarded(message, message_size, [&] {
    refusing_missing_kernels([&] { run_backward(*problem, x, argmax, dy, dx); });
  });
}

constexpr std::uint32_t bit(int b) { return 1u << b; }

const pc_plugin kPlugin{
    .abi_version = POOLCHECK_PLUGIN_ABI_VERSION,
    .name = "libtorch-1.13",
    .profile = "pytorch",
    .dtypes = bit(PC_DTYPE_F32) | bit(PC_DTYPE_F64) | bit(PC_DTYPE_BF16),
    .layouts = bit(PC_LAYOUT_CHANNELS_LAST) | bit(PC_LAYOUT_CHANNELS_FIRST),
    .ranks = bit(1) | bit(2) | bit(3),
    .capabilities = PC_CAP_FORWARD | PC_CAP_ARGMAX | PC_CAP_BACKWARD | PC_CAP_BACKWARD_FROM_X,
    .forward = forward,
    .backward = backward,
};

}  // namespace

extern "C" __attribute__((visibility("default"))) const pc_plugin* poolcheck_plugin(void) {
  return &kPlugin;
}
