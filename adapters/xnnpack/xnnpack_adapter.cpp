// poolcheck plug-in for XNNPACK (Debian snapshot 2022-02-16; profile "xnnpack").
//
// Values: xnn_create_max_pooling2d_nhwc_{f32,f16,s8,u8}, which supports any
// stride, dilation and explicit padding (pad taps read the nearest border
// pixel). Argmax: xnn_create_argmax_pooling2d_nhwc_f32, which in this version
// takes no stride or dilation (stride = kernel) and writes a uint32 window-local
// tap numbered column-major (px * KH + py), the xnnpack profile's format.
// XNNPACK has no backward. It computes output sizes itself; a problem where
// they differ from poolcheck's is refused rather than run into a wrong buffer.
#include <xnnpack.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "adapter_support.hpp"
#include "poolcheck/plugin.h"

namespace {

using poolcheck_adapter::Failure;
using poolcheck_adapter::Unsupported;

std::string status_name(xnn_status status) {
  switch (status) {
    case xnn_status_success:
      return "success";
    case xnn_status_uninitialized:
      return "uninitialized";
    case xnn_status_invalid_parameter:
      return "invalid_parameter";
    case xnn_status_invalid_state:
      return "invalid_state";
    case xnn_status_unsupported_parameter:
      return "unsupported_parameter";
    case xnn_status_unsupported_hardware:
      return "unsupported_hardware";
    case xnn_status_out_of_memory:
      return "out_of_memory";
  }
  return "status " + std::to_string(static_cast<int>(status));
}

// Creation refusing parameters means "XNNPACK cannot express this problem";
// anything later is a failure of a call it accepted.
void check_create(xnn_status status, const char* what) {
  if (status == xnn_status_success) return;
  const std::string text = std::string(what) + ": " + status_name(status);
  if (status == xnn_status_invalid_parameter || status == xnn_status_unsupported_parameter ||
      status == xnn_status_unsupported_hardware)
    throw Unsupported{text};
  throw Failure{text};
}
void check_run(xnn_status status, const char* what) {
  if (status != xnn_status_success) throw Failure{std::string(what) + ": " + status_name(status)};
}

void initialize_once() {
  static const xnn_status status = xnn_initialize(nullptr);
  if (status != xnn_status_success) throw Unsupported{"xnn_initialize: " + status_name(status)};
}

struct OperatorDeleter {
  void operator()(xnn_operator_t op) const noexcept { xnn_delete_operator(op); }
};
using Operator = std::unique_ptr<xnn_operator, OperatorDeleter>;

struct PoolDeleter {
  void operator()(pthreadpool_t pool) const noexcept { pthreadpool_destroy(pool); }
};
using ThreadPool = std::unique_ptr<pthreadpool, PoolDeleter>;

// NULL (XNNPACK runs on the caller's thread) for 1 thread; otherwise a pool
// kept while the requested count stays the same.
pthreadpool_t thread_pool() {
  static ThreadPool pool;
  static int pool_threads = 1;
  const int threads = poolcheck_adapter::peer_threads();
  if (threads != pool_threads) {
    pool.reset(threads > 1 ? pthreadpool_create(static_cast<std::size_t>(threads)) : nullptr);
    pool_threads = threads;
  }
  return pool.get();
}

std::uint32_t to_u32(std::int64_t value, const char* name) {
  if (value < 0 || value > std::numeric_limits<std::uint32_t>::max())
    throw Unsupported{std::string(name) + "=" + std::to_string(value) +
                      ": beyond XNNPACK's uint32"};
  return static_cast<std::uint32_t>(value);
}

// XNNPACK's output size along one axis of max pooling: max(0, padded - k_eff)
// / stride + 1 (never fewer than one cell, whatever the kernel).
std::int64_t xnnpack_max_pooling_output(std::int64_t padded, std::int64_t k_eff,
                                        std::int64_t stride) {
  return (padded > k_eff ? padded - k_eff : 0) / stride + 1;
}

void require_nhwc_2d(const pc_problem& p) {
  if (p.rank != 2) throw Unsupported{"rank=" + std::to_string(p.rank) + ": XNNPACK pools 2-D only"};
  if (p.layout != PC_LAYOUT_CHANNELS_LAST)
    throw Unsupported{"layout=channels_first: XNNPACK pools NHWC only"};
}

// One operator kept from the previous call: creation is setup cost a real
// XNNPACK user pays once per model, not per inference.
struct CachedOperator {
  std::string key;
  Operator op;
};

xnn_operator_t max_pooling_operator(const pc_problem& p) {
  static CachedOperator cache;
  const std::string key =
      std::string(p.descriptor ? p.descriptor : "") + "|" + std::to_string(p.dtype) + "|max";
  if (cache.op && cache.key == key && p.descriptor != nullptr) return cache.op.get();
  const std::uint32_t top = to_u32(p.pad_begin[0], "pad_begin_h");
  const std::uint32_t left = to_u32(p.pad_begin[1], "pad_begin_w");
  const std::uint32_t bottom = to_u32(p.pad_end[0], "pad_end_h");
  const std::uint32_t right = to_u32(p.pad_end[1], "pad_end_w");
  const std::uint32_t kh = to_u32(p.kernel[0], "kernel_h"), kw = to_u32(p.kernel[1], "kernel_w");
  const std::uint32_t sh = to_u32(p.stride[0], "stride_h"), sw = to_u32(p.stride[1], "stride_w");
  const std::uint32_t dh = to_u32(p.dilation[0], "dilation_h");
  const std::uint32_t dw = to_u32(p.dilation[1], "dilation_w");
  const auto c = static_cast<std::size_t>(p.channels);
  xnn_operator_t raw = nullptr;
  xnn_status status = xnn_status_invalid_parameter;
  switch (p.dtype) {
    case PC_DTYPE_F32:
      status = xnn_create_max_pooling2d_nhwc_f32(top, right, bottom, left, kh, kw, sh, sw, dh, dw,
                                                 c, c, c, -std::numeric_limits<float>::infinity(),
                                                 std::numeric_limits<float>::infinity(), 0, &raw);
      break;
    case PC_DTYPE_F16:
      status = xnn_create_max_pooling2d_nhwc_f16(top, right, bottom, left, kh, kw, sh, sw, dh, dw,
                                                 c, c, c, -std::numeric_limits<float>::infinity(),
                                                 std::numeric_limits<float>::infinity(), 0, &raw);
      break;
    case PC_DTYPE_S8:
      status = xnn_create_max_pooling2d_nhwc_s8(top, right, bottom, left, kh, kw, sh, sw, dh, dw, c,
                                                c, c, INT8_MIN, INT8_MAX, 0, &raw);
      break;
    case PC_DTYPE_U8:
      status = xnn_create_max_pooling2d_nhwc_u8(top, right, bottom, left, kh, kw, sh, sw, dh, dw, c,
                                                c, c, 0, UINT8_MAX, 0, &raw);
      break;
    default:
      throw Unsupported{"dtype=" + std::to_string(p.dtype) + ": no XNNPACK max pooling"};
  }
  check_create(status, "xnn_create_max_pooling2d_nhwc");
  cache.op.reset(raw);
  cache.key = key;
  return raw;
}

void run_max_pooling(const pc_problem& p, const void* x, void* y) {
  for (int a = 0; a < 2; ++a) {
    const std::int64_t padded = p.input[a] + p.pad_begin[a] + p.pad_end[a];
    const std::int64_t k_eff = (p.kernel[a] - 1) * p.dilation[a] + 1;
    const std::int64_t theirs = xnnpack_max_pooling_output(padded, k_eff, p.stride[a]);
    if (theirs != p.output[a])
      throw Unsupported{std::string("output_") + "hw"[a] + "=" + std::to_string(p.output[a]) +
                        ": XNNPACK max pooling would produce " + std::to_string(theirs)};
  }
  xnn_operator_t op = max_pooling_operator(p);
  const auto n = static_cast<std::size_t>(p.batch);
  const auto h = static_cast<std::size_t>(p.input[0]), w = static_cast<std::size_t>(p.input[1]);
  pthreadpool_t pool = thread_pool();
  xnn_status status = xnn_status_invalid_parameter;
  switch (p.dtype) {
    case PC_DTYPE_F32:
      status = xnn_setup_max_pooling2d_nhwc_f32(op, n, h, w, static_cast<const float*>(x),
                                                static_cast<float*>(y), pool);
      break;
    case PC_DTYPE_F16:
      status = xnn_setup_max_pooling2d_nhwc_f16(op, n, h, w, x, y, pool);
      break;
    case PC_DTYPE_S8:
      status = xnn_setup_max_pooling2d_nhwc_s8(op, n, h, w, static_cast<const std::int8_t*>(x),
                                               static_cast<std::int8_t*>(y), pool);
      break;
    case PC_DTYPE_U8:
      status = xnn_setup_max_pooling2d_nhwc_u8(op, n, h, w, static_cast<const std::uint8_t*>(x),
                                               static_cast<std::uint8_t*>(y), pool);
      break;
    default:
      break;
  }
  check_run(status, "xnn_setup_max_pooling2d_nhwc");
  check_run(xnn_run_operator(op, pool), "xnn_run_operator");
}

void run_argmax_pooling(const pc_problem& p, const void* x, void* y, std::int64_t* argmax) {
  if (p.dtype != PC_DTYPE_F32)
    throw Unsupported{"dtype=" + std::to_string(p.dtype) + ": XNNPACK argmax pooling is f32 only"};
  for (int a = 0; a < 2; ++a) {
    const char* axis = a == 0 ? "h" : "w";
    if (p.stride[a] != p.kernel[a])
      throw Unsupported{std::string("stride_") + axis + "=" + std::to_string(p.stride[a]) +
                        ": XNNPACK argmax pooling has stride = kernel"};
    if (p.dilation[a] != 1)
      throw Unsupported{std::string("dilation_") + axis + "=" + std::to_string(p.dilation[a]) +
                        ": XNNPACK argmax pooling has no dilation"};
    // This version's argmax pooling sizes its output as padded / kernel.
    const std::int64_t theirs = (p.input[a] + p.pad_begin[a] + p.pad_end[a]) / p.kernel[a];
    if (theirs != p.output[a])
      throw Unsupported{std::string("output_") + axis + "=" + std::to_string(p.output[a]) +
                        ": XNNPACK argmax pooling would produce " + std::to_string(theirs)};
  }
  const auto c = static_cast<std::size_t>(p.channels);
  xnn_operator_t raw = nullptr;
  check_create(
      xnn_create_argmax_pooling2d_nhwc_f32(
          to_u32(p.pad_begin[0], "pad_begin_h"), to_u32(p.pad_end[1], "pad_end_w"),
          to_u32(p.pad_end[0], "pad_end_h"), to_u32(p.pad_begin[1], "pad_begin_w"),
          to_u32(p.kernel[0], "kernel_h"), to_u32(p.kernel[1], "kernel_w"), c, c, c, 0, &raw),
      "xnn_create_argmax_pooling2d_nhwc_f32");
  const Operator op(raw);
  const auto outputs = static_cast<std::size_t>(poolcheck_adapter::element_count(p, p.output));
  std::vector<std::uint32_t> taps(outputs);
  pthreadpool_t pool = thread_pool();
  check_run(xnn_setup_argmax_pooling2d_nhwc_f32(
                op.get(), static_cast<std::size_t>(p.batch), static_cast<std::size_t>(p.input[0]),
                static_cast<std::size_t>(p.input[1]), static_cast<const float*>(x),
                static_cast<float*>(y), taps.data(), pool),
            "xnn_setup_argmax_pooling2d_nhwc_f32");
  check_run(xnn_run_operator(op.get(), pool), "xnn_run_operator");
  for (std::size_t i = 0; i < outputs; ++i) argmax[i] = taps[i];
}

// XNNPACK's contract: its kernels may read up to XNN_EXTRA_BYTES past the end
// of the input (whole-vector loads), so the input must be followed by that
// much readable memory. The ABI promises nothing past x (poolcheck's isolated
// host puts a guard page there), so the adapter hands XNNPACK a copy with the
// slack. The copy is part of what the benchmark times for XNNPACK.
std::vector<unsigned char> with_extra_bytes(const pc_problem& p, const void* x) {
  std::size_t bytes = static_cast<std::size_t>(p.batch * p.channels * p.input[0] * p.input[1]);
  bytes *= p.dtype == PC_DTYPE_F32 ? 4 : p.dtype == PC_DTYPE_F16 ? 2 : 1;
  std::vector<unsigned char> copy(bytes + XNN_EXTRA_BYTES);
  std::memcpy(copy.data(), x, bytes);
  return copy;
}

void run_forward(const pc_problem& p, const void* x, void* y, std::int64_t* argmax) {
  initialize_once();
  require_nhwc_2d(p);
  const std::vector<unsigned char> padded = with_extra_bytes(p, x);
  if (argmax == nullptr)
    run_max_pooling(p, padded.data(), y);
  else
    run_argmax_pooling(p, padded.data(), y, argmax);
}

pc_status forward(const pc_problem* problem, const void* x, void* y, std::int64_t* argmax,
                  char* message, std::size_t message_size) {
  return poolcheck_adapter::guarded(message, message_size,
                                    [&] { run_forward(*problem, x, y, argmax); });
}

pc_status backward(const pc_problem*, const void*, const std::int64_t*, const void*, void*,
                   char* message, std::size_t message_size) {
  poolcheck_adapter::write_message("XNNPACK is inference-only: no max-pooling backward", message,
                                   message_size);
  return PC_UNSUPPORTED;
}

constexpr std::uint32_t bit(int b) { return 1u << b; }

const pc_plugin kPlugin{
    .abi_version = POOLCHECK_PLUGIN_ABI_VERSION,
    .name = "xnnpack-20220216",
    .profile = "xnnpack",
    .dtypes = bit(PC_DTYPE_F32) | bit(PC_DTYPE_F16) | bit(PC_DTYPE_S8) | bit(PC_DTYPE_U8),
    .layouts = bit(PC_LAYOUT_CHANNELS_LAST),
    .ranks = bit(2),
    .capabilities = PC_CAP_FORWARD | PC_CAP_ARGMAX,
    .forward = forward,
    .backward = backward,
};

}  // namespace

extern "C" __attribute__((visibility("default"))) const pc_plugin* poolcheck_plugin(void) {
  return &kPlugin;
}
