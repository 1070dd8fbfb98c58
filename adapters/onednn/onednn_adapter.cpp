// poolcheck plug-in for oneDNN 2.6 max pooling (profile "onednn").
//
// Maps a pc_problem onto pooling_v2_forward / pooling_v2_backward with
// algorithm::pooling_max. The argmax is oneDNN's own workspace: a kernel-local
// row-major tap number per output element (u8, or s32 for kernels of 256+
// taps), which is exactly the onednn profile's index format, so it is only
// widened to int64. Backward takes the workspace back (rebuilt from the given
// argmax, or from a training forward when argmax is NULL).
#include <omp.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <oneapi/dnnl/dnnl.hpp>
#include <span>
#include <string>
#include <vector>

#include "adapter_support.hpp"
#include "poolcheck/plugin.h"

namespace {

using dnnl::memory;
using poolcheck_adapter::Failure;
using poolcheck_adapter::Unsupported;

memory::data_type data_type_of(std::int32_t dtype) {
  switch (dtype) {
    case PC_DTYPE_F32:
      return memory::data_type::f32;
    case PC_DTYPE_BF16:
      return memory::data_type::bf16;
    case PC_DTYPE_F16:
      return memory::data_type::f16;
    case PC_DTYPE_S8:
      return memory::data_type::s8;
    case PC_DTYPE_U8:
      return memory::data_type::u8;
    default:
      throw Unsupported{"dtype=" + std::to_string(dtype) + ": oneDNN pooling has no such type"};
  }
}

memory::format_tag tag_of(const pc_problem& p) {
  static constexpr std::array<memory::format_tag, 3> last{
      memory::format_tag::nwc, memory::format_tag::nhwc, memory::format_tag::ndhwc};
  static constexpr std::array<memory::format_tag, 3> first{
      memory::format_tag::ncw, memory::format_tag::nchw, memory::format_tag::ncdhw};
  return (p.layout == PC_LAYOUT_CHANNELS_LAST ? last : first)[static_cast<std::size_t>(p.rank - 1)];
}

// Everything oneDNN needs to describe one problem; its logical dims are always
// (N, C, spatial...) whatever the memory layout.
struct Shapes {
  memory::desc src;
  memory::desc dst;
  memory::dims strides, kernel, dilation, pad_l, pad_r;
  std::int64_t kernel_volume = 1;
};

Shapes shapes_of(const pc_problem& p) {
  poolcheck_adapter::require_basic_shape(p);
  memory::dims src_dims{p.batch, p.channels};
  memory::dims dst_dims{p.batch, p.channels};
  Shapes s;
  for (int a = 0; a < p.rank; ++a) {
    src_dims.push_back(p.input[a]);
    dst_dims.push_back(p.output[a]);
    s.strides.push_back(p.stride[a]);
    s.kernel.push_back(p.kernel[a]);
    // oneDNN counts dilation as the gap between taps: 0 is dense.
    s.dilation.push_back(p.dilation[a] - 1);
    s.pad_l.push_back(p.pad_begin[a]);
    // oneDNN checks out == (in + l + r - k_eff) / s + 1 exactly, so the right
    // pad is derived from the output poolcheck expects (pad cells are never
    // candidates under this profile, so a longer pad changes nothing).
    const std::int64_t k_eff = (p.kernel[a] - 1) * p.dilation[a] + 1;
    s.pad_r.push_back((p.output[a] - 1) * p.stride[a] + k_eff - p.input[a] - p.pad_begin[a]);
    s.kernel_volume *= p.kernel[a];
  }
  const memory::data_type dt = data_type_of(p.dtype);
  s.src = memory::desc(src_dims, dt, tag_of(p));
  s.dst = memory::desc(dst_dims, dt, tag_of(p));
  return s;
}

struct Runtime {
  dnnl::engine engine{dnnl::engine::kind::cpu, 0};
  dnnl::stream stream{engine};
};

Runtime& runtime() {
  static Runtime r;
  return r;
}

// A oneDNN refusal to build a primitive ("unimplemented") is a problem outside
// what the library supports, not a failure of a supported call.
template <class Make>
auto make_or_refuse(const char* what, Make&& make) {
  try {
    return make();
  } catch (const dnnl::error& e) {
    if (e.status == dnnl_unimplemented || e.status == dnnl_invalid_arguments)
      throw Unsupported{std::string("oneDNN has no ") + what + " for this problem: " + e.what()};
    throw;
  }
}

dnnl::pooling_v2_forward::primitive_desc forward_pd(const Shapes& s, bool training) {
  return make_or_refuse("pooling forward", [&] {
    const dnnl::pooling_v2_forward::desc d(
        training ? dnnl::prop_kind::forward_training : dnnl::prop_kind::forward_inference,
        dnnl::algorithm::pooling_max, s.src, s.dst, s.strides, s.kernel, s.dilation, s.pad_l,
        s.pad_r);
    return dnnl::pooling_v2_forward::primitive_desc(d, runtime().engine);
  });
}

// The workspace in the dst's own plain layout as s32, so it can be read and
// written element by element in output order.
memory::desc plain_s32_like(const Shapes& s) {
  memory::desc d = s.dst;
  d.data.data_type = dnnl_s32;
  return d;
}

void reorder(memory& from, memory& to) {
  dnnl::reorder(from, to).execute(runtime().stream, from, to);
}

void run_forward(const pc_problem& p, const void* x, void* y, std::int64_t* argmax) {
  omp_set_num_threads(poolcheck_adapter::peer_threads());
  const Shapes s = shapes_of(p);
  Runtime& rt = runtime();
  const bool training = argmax != nullptr;
  const auto pd = forward_pd(s, training);
  memory src(s.src, rt.engine, const_cast<void*>(x));  // oneDNN only reads src
  memory dst(s.dst, rt.engine, y);
  if (!training) {
    dnnl::pooling_v2_forward(pd).execute(rt.stream, {{DNNL_ARG_SRC, src}, {DNNL_ARG_DST, dst}});
    rt.stream.wait();
    return;
  }
  memory workspace(pd.workspace_desc(), rt.engine);
  dnnl::pooling_v2_forward(pd).execute(
      rt.stream, {{DNNL_ARG_SRC, src}, {DNNL_ARG_DST, dst}, {DNNL_ARG_WORKSPACE, workspace}});
  const std::int64_t outputs = poolcheck_adapter::element_count(p, p.output);
  std::vector<std::int32_t> taps(static_cast<std::size_t>(outputs));
  memory plain(plain_s32_like(s), rt.engine, taps.data());
  reorder(workspace, plain);
  rt.stream.wait();
  for (std::size_t i = 0; i < taps.size(); ++i) argmax[i] = taps[i];
}

void run_backward(const pc_problem& p, const void* x, const std::int64_t* argmax, const void* dy,
                  void* dx) {
  omp_set_num_threads(poolcheck_adapter::peer_threads());
  const Shapes s = shapes_of(p);
  Runtime& rt = runtime();
  const auto fwd_pd = forward_pd(s, /*training=*/true);
  memory workspace(fwd_pd.workspace_desc(), rt.engine);
  const std::int64_t outputs = poolcheck_adapter::element_count(p, p.output);
  if (argmax == nullptr) {
    std::vector<std::byte> y(s.dst.get_size());
    memory src(s.src, rt.engine, const_cast<void*>(x));
    memory dst(s.dst, rt.engine, y.data());
    dnnl::pooling_v2_forward(fwd_pd).execute(
        rt.stream, {{DNNL_ARG_SRC, src}, {DNNL_ARG_DST, dst}, {DNNL_ARG_WORKSPACE, workspace}});
  } else {
    std::vector<std::int32_t> taps(static_cast<std::size_t>(outputs));
    for (std::size_t i = 0; i < taps.size(); ++i) {
      if (argmax[i] < 0 || argmax[i] >= s.kernel_volume)
        throw Failure{"argmax[" + std::to_string(i) + "]=" + std::to_string(argmax[i]) +
                      ": oneDNN's workspace holds a tap in [0, " + std::to_string(s.kernel_volume) +
                      ")"};
      taps[i] = static_cast<std::int32_t>(argmax[i]);
    }
    memory plain(plain_s32_like(s), rt.engine, taps.data());
    reorder(plain, workspace);
  }
  const auto bwd_pd = make_or_refuse("pooling backward", [&] {
    const dnnl::pooling_v2_backward::desc d(dnnl::algorithm::pooling_max, s.src, s.dst, s.strides,
                                            s.kernel, s.dilation, s.pad_l, s.pad_r);
    return dnnl::pooling_v2_backward::primitive_desc(d, rt.engine, fwd_pd);
  });
  // oneDNN overwrites diff_src; the ABI hands dx over zeroed and asks for
  // dy to be added, so overwriting is the same thing.
  memory diff_dst(s.dst, rt.engine, const_cast<void*>(dy));
  memory diff_src(s.src, rt.engine, dx);
  dnnl::pooling_v2_backward(bwd_pd).execute(rt.stream, {{DNNL_ARG_DIFF_DST, diff_dst},
                                                        {DNNL_ARG_DIFF_SRC, diff_src},
                                                        {DNNL_ARG_WORKSPACE, workspace}});
  rt.stream.wait();
}

pc_status forward(const pc_problem* problem, const void* x, void* y, std::int64_t* argmax,
                  char* message, std::size_t message_size) {
  return poolcheck_adapter::guarded(message, message_size,
                                    [&] { run_forward(*problem, x, y, argmax); });
}

pc_status backward(const pc_problem* problem, const void* x, const std::int64_t* argmax,
                   const void* dy, void* dx, char* message, std::size_t message_size) {
  return poolcheck_adapter::guarded(message, message_size,
                                    [&] { run_backward(*problem, x, argmax, dy, dx); });
}

constexpr std::uint32_t bit(int b) { return 1u << b; }

// dtypes: what oneDNN 2.6's CPU engine implements for pooling_max (checked by
// adapters/tests): f32 and bf16 train and infer, s8/u8 infer only (a training
// forward or backward in s8/u8 is refused per call). f16 pooling has no CPU
// implementation in 2.6, so it is not claimed.
const pc_plugin kPlugin{
    .abi_version = POOLCHECK_PLUGIN_ABI_VERSION,
    .name = "onednn-2.6",
    .profile = "onednn",
    .dtypes = bit(PC_DTYPE_F32) | bit(PC_DTYPE_BF16) | bit(PC_DTYPE_S8) | bit(PC_DTYPE_U8),
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
