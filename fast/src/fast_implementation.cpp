// fast/'s entry points: target choice, thread split, argmax encoding and the
// backward scatter. The kernels themselves are in scalar_kernels.cpp and
// simd_kernels.cpp.
#include <algorithm>
#include <array>
#include <exception>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include "kernels.hpp"
#include "poolcheck/argmax_index.hpp"
#include "poolcheck/fast.hpp"
#include "poolcheck/scalar_traits.hpp"
#include "poolcheck/visit_dtype.hpp"
#include "worker_pool.hpp"

namespace poolcheck::fast {
namespace detail {

Plan make_plan(const Problem& problem) {
  Plan plan{problem.geometry(), problem.conventions()};
  if (plan.cv.nan == NanRule::unspecified) plan.cv.nan = NanRule::propagate;
  // The coefficients of encode_argmax's formula for a tap that is inside the
  // image (the tap's position is origin + tap * dilation).
  const Geometry& g = plan.g;
  const std::int64_t plane = g.input_plane();
  const Dims row_major{g.in[1] * g.in[2], g.in[2], 1};
  switch (plan.cv.index) {
    case IndexFormat::window:
      plan.tap_id = {g.kernel[1] * g.kernel[2], g.kernel[2], 1};
      break;
    case IndexFormat::window_col_major:
      plan.tap_id = {1, g.kernel[0], g.kernel[0] * g.kernel[1]};
      break;
    case IndexFormat::plane:
      plan.index_pos = row_major;
      break;
    case IndexFormat::tensor:
      plan.index_n = g.channels * plane;
      plan.index_c = plane;
      plan.index_pos = row_major;
      break;
    case IndexFormat::tensor_col_major:
      plan.index_n = g.channels * plane;
      plan.index_c = plane;
      plan.index_pos = {1, g.in[0], g.in[0] * g.in[1]};
      break;
    case IndexFormat::nhwc:
    case IndexFormat::nhwc_batch:
      plan.index_n = plan.cv.index == IndexFormat::nhwc_batch ? plane * g.channels : 0;
      plan.index_c = 1;
      plan.index_pos = {row_major[0] * g.channels, row_major[1] * g.channels, g.channels};
      break;
    case IndexFormat::memory:
      plan.index_n = g.in_batch_stride;
      plan.index_c = g.in_channel_stride;
      plan.index_pos = g.in_spatial_stride;
      break;
  }
  const bool window =
      plan.cv.index == IndexFormat::window || plan.cv.index == IndexFormat::window_col_major;
  std::int64_t largest_id = 0;
  for (int a = 0; a < kMaxRank; ++a) {
    if (!window) plan.tap_id[a] = plan.index_pos[a] * g.dilation[a];
    largest_id += (g.kernel[a] - 1) * plan.tap_id[a];
  }
  plan.tap_id_fits = largest_id <= std::numeric_limits<std::int32_t>::max();
  return plan;
}

}  // namespace detail

namespace {

using detail::Plan;
using detail::SimdKernels;

// Below this many tap visits per thread (forward and backward alike), a
// second thread costs more than it saves. The workers are kept between calls
// (worker_pool.hpp), so handing a part out costs a few microseconds, not the
// tens a new thread took; 2^17 tap visits take one core about 30 us on the
// bench shapes. (With threads started per call the measured break-even was
// 2^20: at 2^18 shape (a) took 178 us on 2 threads against 145 us on one.)
constexpr std::int64_t kWorkPerThread = std::int64_t{1} << 17;

std::string joined_targets() {
  std::string all;
  for (const std::string& name : available_targets()) all += (all.empty() ? "" : ", ") + name;
  return all;
}

// The SIMD kernels for `name`, or nullptr for "portable".
const SimdKernels* resolve_target(const std::string& name) {
  const std::vector<SimdKernels>& targets = detail::simd_targets();
  if (name == "portable") return nullptr;
  if (name == "auto") return targets.empty() ? nullptr : &targets.front();
  for (const SimdKernels& k : targets)
    if (k.name == name) return &k;
  throw ProblemError("target", name,
                     "unknown or not supported by this CPU; available: auto, " + joined_targets());
}

int thread_count(const Options& options, std::int64_t work, std::int64_t units) {
  if (options.threads < 0)
    throw ProblemError("threads", std::to_string(options.threads), "must be 0 (auto) or more");
  if (options.max_threads < 0)
    throw ProblemError("max_threads", std::to_string(options.max_threads),
                       "must be 0 (the hardware's) or more");
  std::int64_t threads = options.threads;
  if (threads == 0) {
    const auto hardware = static_cast<std::int64_t>(std::thread::hardware_concurrency());
    const std::int64_t most = options.max_threads > 0 ? options.max_threads : hardware;
    threads = std::clamp<std::int64_t>(work / kWorkPerThread, 1, std::max<std::int64_t>(most, 1));
  }
  return static_cast<int>(std::clamp<std::int64_t>(threads, 1, std::max<std::int64_t>(units, 1)));
}

// How backward splits the (n, c) planes between threads: in NHWC by whole
// images only (threads that split an image's channels write interleaved
// parts of the same dx lines and measured slower than one thread); in NCHW
// by planes.
std::int64_t plane_grain(const Geometry& g) {
  return g.layout == Layout::channels_last ? g.channels : 1;
}

// body(begin, end) over contiguous ranges of [0, units), one per thread,
// their boundaries multiples of `grain` (with fewer threads where there are
// fewer grains). The first range runs on the calling thread, the others on
// the worker pool; the first exception of any range is rethrown here after
// all have finished.
template <class Body>
void parallel_for(int threads, std::int64_t units, const Body& body, std::int64_t grain = 1) {
  const std::int64_t grains = (units + grain - 1) / grain;
  const int parts = static_cast<int>(std::clamp<std::int64_t>(grains, 1, std::max(threads, 1)));
  if (parts <= 1) {
    body(std::int64_t{0}, units);
    return;
  }
  detail::run_parts(parts, [&](int t) {
    const std::int64_t begin = std::min(units, grains * t / parts * grain);
    const std::int64_t end =
        t + 1 == parts ? units : std::min(units, grains * (t + 1) / parts * grain);
    body(begin, end);
  });
}

// f(n, c, out_pos, output offset) for every output of rows [begin, end).
template <class F>
void for_each_output_of_rows(const Geometry& g, std::int64_t begin, std::int64_t end, F&& f) {
  for (std::int64_t row = begin; row < end; ++row) {
    detail::RowWork work = detail::row_work(g, row);
    Dims& o = work.out_pos;
    for (o[2] = 0; o[2] < g.out[2]; ++o[2])
      for (std::int64_t c = work.c_begin; c < work.c_end; ++c)
        f(work.n, c, o, g.output_offset(work.n, c, o));
  }
}

// f(n, c, out_pos, output offset) for the (n, c) planes [begin, end) of
// n * C + c, each plane's outputs in row-major order (the definition's
// accumulation order for backward).
template <class F>
void for_each_output_of_planes(const Geometry& g, std::int64_t begin, std::int64_t end, F&& f) {
  const std::int64_t channels = g.channels;
  for (std::int64_t n = begin / channels; n * channels < end; ++n) {
    const std::int64_t c_begin = std::max(begin, n * channels) - n * channels;
    const std::int64_t c_end = std::min(end, (n + 1) * channels) - n * channels;
    const auto each_position = [&](std::int64_t c) {
      Dims o{};
      for (o[0] = 0; o[0] < g.out[0]; ++o[0])
        for (o[1] = 0; o[1] < g.out[1]; ++o[1])
          for (o[2] = 0; o[2] < g.out[2]; ++o[2]) f(n, c, o, g.output_offset(n, c, o));
    };
    if (g.layout == Layout::channels_first) {
      for (std::int64_t c = c_begin; c < c_end; ++c) each_position(c);
    } else {
      // Channels innermost walks memory in order; per plane the order is the same.
      Dims o{};
      for (o[0] = 0; o[0] < g.out[0]; ++o[0])
        for (o[1] = 0; o[1] < g.out[1]; ++o[1])
          for (o[2] = 0; o[2] < g.out[2]; ++o[2])
            for (std::int64_t c = c_begin; c < c_end; ++c) f(n, c, o, g.output_offset(n, c, o));
    }
  }
}

// The forward kernel for `plan`, and whether it writes the argmax in the
// profile's format itself (else it writes window-local taps).
template <class T>
struct ChosenKernel {
  detail::RowsKernel<T> rows;
  bool encodes;
};

template <class T>
ChosenKernel<T> rows_kernel(const SimdKernels* simd, const Plan& plan) {
  // SIMD lanes hold taps as 32-bit integers for f32.
  // NCHW gathers lane i at i * stride_w, also a 32-bit lane for f32.
  constexpr std::int64_t kInt32Max = std::numeric_limits<std::int32_t>::max();
  const bool taps_fit = plan.g.kernel_volume() <= kInt32Max;
  const bool last = plan.g.layout == Layout::channels_last;
  const bool gather_fits = last || plan.g.stride[2] <= kInt32Max / 64;
  if (simd != nullptr && taps_fit && gather_fits) {
    if constexpr (std::is_same_v<T, float>) return {last ? simd->f32_nhwc : simd->f32_nchw, last};
    if constexpr (std::is_same_v<T, double>) return {last ? simd->f64_nhwc : simd->f64_nchw, last};
  }
  return {&detail::portable_forward_rows<T>, false};
}

template <class T>
void check_dtype(const Problem& problem, const char* buffer) {
  if (dtype_of<T>() != problem.dtype())
    throw ProblemError(std::string(buffer) + ".dtype", std::string(dtype_name(dtype_of<T>())),
                       "the problem's dtype is " + std::string(dtype_name(problem.dtype())));
}

class FastImplementation final : public Implementation {
 public:
  explicit FastImplementation(Options options) : options_(std::move(options)) {
    resolve_target(options_.target);  // reject a bad target now, not at first use
    thread_count(options_, 0, 1);
  }

  std::string name() const override { return "builtin:fast"; }

  void forward(const Problem& problem, ConstBuffer x, MutableBuffer y,
               std::span<std::int64_t> argmax) const override {
    check_forward_buffers(problem, problem.geometry(), x, y, argmax);
    visit_dtype(problem.dtype(), [&]<class T>(TypeTag<T>) {
      fast::forward<T>(problem, x.as<const T>(), y.as<T>(), argmax, options_);
    });
  }

  void backward(const Problem& problem, ConstBuffer x, std::span<const std::int64_t> argmax,
                ConstBuffer dy, MutableBuffer dx) const override {
    check_backward_buffers(problem, problem.geometry(), x, argmax, dy, dx);
    visit_dtype(problem.dtype(), [&]<class T>(TypeTag<T>) {
      if (argmax.empty())
        fast::backward_from_input<T>(problem, x.as<const T>(), dy.as<const T>(), dx.as<T>(),
                                     options_);
      else
        fast::backward<T>(problem, argmax, dy.as<const T>(), dx.as<T>(), options_);
    });
  }

 private:
  Options options_;
};

}  // namespace

std::vector<std::string> available_targets() {
  std::vector<std::string> names;
  for (const SimdKernels& k : detail::simd_targets()) names.push_back(k.name);
  names.emplace_back("portable");
  return names;
}

std::unique_ptr<Implementation> make_implementation(const Options& options) {
  return std::make_unique<FastImplementation>(options);
}

template <class T>
void forward(const Problem& problem, std::span<const T> x, std::span<T> y,
             std::span<std::int64_t> argmax, const Options& options) {
  check_dtype<T>(problem, "x");
  const Plan plan = detail::make_plan(problem);
  const Geometry& g = plan.g;
  check_forward_buffers(problem, g, ConstBuffer::of(problem.dtype(), x),
                        MutableBuffer::of(problem.dtype(), y), argmax);
  const ChosenKernel<T> kernel = rows_kernel<T>(resolve_target(options.target), plan);
  std::int64_t* const taps = argmax.empty() ? nullptr : argmax.data();
  const Conventions& cv = problem.conventions();
  const bool encode = taps != nullptr && cv.index != IndexFormat::window && !kernel.encodes;
  const std::int64_t rows = plan.rows();
  parallel_for(thread_count(options, g.output_elements() * g.kernel_volume(), rows), rows,
               [&](std::int64_t begin, std::int64_t end) {
                 kernel.rows(plan, x.data(), y.data(), taps, begin, end);
                 if (!encode) return;
                 for_each_output_of_rows(
                     g, begin, end,
                     [&](std::int64_t n, std::int64_t c, const Dims& o, std::int64_t at) {
                       taps[at] = encode_argmax(g, cv, n, c, o, taps[at]);
                     });
               });
}

// The SIMD scatter for this problem, or nullptr where the scalar loop runs
// (NCHW, the 16-bit and integer types, large kernels, "portable").
template <class T>
detail::ScatterKernel<T> scatter_kernel(const SimdKernels* simd, const Plan& plan) {
  const Geometry& g = plan.g;
  if (simd == nullptr || g.layout != Layout::channels_last || !plan.tap_id_fits ||
      g.kernel_volume() > std::min(detail::kMaxScatterTaps, simd->scatter_max_taps))
    return nullptr;
  if constexpr (std::is_same_v<T, float>) return simd->f32_scatter;
  if constexpr (std::is_same_v<T, double>) return simd->f64_scatter;
  return nullptr;
}

template <class T>
void backward(const Problem& problem, std::span<const std::int64_t> argmax, std::span<const T> dy,
              std::span<T> dx, const Options& options) {
  check_dtype<T>(problem, "dy");
  const Plan plan = detail::make_plan(problem);
  const Geometry& g = plan.g;
  if (argmax.size() != static_cast<std::size_t>(g.output_elements()))
    throw ProblemError("argmax.length", std::to_string(argmax.size()),
                       "the problem needs " + std::to_string(g.output_elements()));
  check_backward_buffers(problem, g, ConstBuffer{}, argmax, ConstBuffer::of(problem.dtype(), dy),
                         MutableBuffer::of(problem.dtype(), dx));
  const detail::ScatterKernel<T> scatter = scatter_kernel<T>(resolve_target(options.target), plan);
  const Conventions& cv = problem.conventions();
  const std::int64_t planes = g.batch * g.channels;
  const std::int64_t kernel_volume = g.kernel_volume();
  // Decoding without decode_argmax where that is a few integer operations:
  // the window formats (kernels of at most kMaxScatterTaps taps), through a
  // table from the format's tap number to the tap's dx offset, and the
  // formats that name a cell of the plane by its row-major spatial offset
  // (plane, tensor). An index that fails decode_argmax's range checks goes to
  // decode_argmax, which throws.
  const bool window_format =
      (cv.index == IndexFormat::window || cv.index == IndexFormat::window_col_major) &&
      kernel_volume <= detail::kMaxScatterTaps;
  const bool spatial_format = cv.index == IndexFormat::plane || cv.index == IndexFormat::tensor;
  // The taps of a window wholly inside the image, in every format: the id
  // its index carries (index = base + id, Plan::tap_id) and its offset from
  // the window's first cell. In the window formats the id is the tap number.
  detail::ScatterTaps interior_taps;
  std::array<std::int64_t, detail::kMaxScatterTaps> offset_by_id{};  // window formats
  if (kernel_volume <= detail::kMaxScatterTaps) {
    Dims t{};
    for (t[0] = 0; t[0] < g.kernel[0]; ++t[0])
      for (t[1] = 0; t[1] < g.kernel[1]; ++t[1])
        for (t[2] = 0; t[2] < g.kernel[2]; ++t[2]) {
          std::int64_t id = 0;
          std::int64_t offset = 0;
          for (int a = 0; a < kMaxRank; ++a) {
            id += t[a] * plan.tap_id[a];
            offset += t[a] * g.dilation[a] * g.in_spatial_stride[a];
          }
          const auto i = static_cast<std::size_t>(interior_taps.count++);
          interior_taps.id[i] = id;
          interior_taps.offset[i] = offset;
          interior_taps.largest_id = std::max(interior_taps.largest_id, id);
          if (window_format) offset_by_id[static_cast<std::size_t>(id)] = offset;
        }
  }
  const std::int64_t plane = g.input_plane();
  const std::int64_t cell_stride = g.in_spatial_stride[2];  // spatial offset p -> memory
  const detail::OutputRange interior_w = detail::interior_along_w(g);
  const int threads = thread_count(options, g.output_elements() * g.kernel_volume(), planes);
  parallel_for(
      threads, planes,
      [&](std::int64_t begin, std::int64_t end) {
        std::array<std::int64_t, detail::kScatterChunk> leftover{};
        // A window at the border, in the window formats: its taps by number,
        // with their dx offsets from the image's first cell (-1: a pad cell,
        // which receives nothing).
        detail::ScatterTaps border_taps;
        if (window_format) {
          border_taps.count = kernel_volume;
          border_taps.largest_id = kernel_volume - 1;
          for (std::int64_t i = 0; i < kernel_volume; ++i) border_taps.id[i] = i;
        }
        for (std::int64_t n = begin / g.channels; n * g.channels < end; ++n) {
          const std::int64_t c_begin = std::max(begin, n * g.channels) - n * g.channels;
          const std::int64_t c_end = std::min(end, (n + 1) * g.channels) - n * g.channels;
          const std::int64_t image = n * g.in_batch_stride;
          // dx += dy for the window at o, channels [c_lo, c_hi), whose first
          // cell is origin_offset from the image's and whose index base is
          // index_base (at channel 0).
          const auto window = [&](const Dims& o, bool interior, std::int64_t origin_offset,
                                  std::int64_t index_base, std::int64_t c_lo, std::int64_t c_hi) {
            // One output by the general decoder.
            const auto one = [&](std::int64_t c) {
              const std::int64_t at = g.output_offset(n, c, o);
              const std::int64_t index = argmax[static_cast<std::size_t>(at)];
              if (index == kNoArgmax) return;
              const std::int64_t first = image + c * g.in_channel_stride;
              std::int64_t to = -1;
              if (spatial_format) {
                // Range check before subtracting: a hostile index near
                // INT64_MIN would overflow `index - base` (UB).
                const std::int64_t base =
                    cv.index == IndexFormat::tensor ? (n * g.channels + c) * plane : 0;
                if (index >= base && index - base < plane)
                  to = first + (index - base) * cell_stride;
              }
              if (to < 0) {
                const std::optional<std::int64_t> decoded = decode_argmax(g, cv, n, c, o, index);
                if (!decoded) return;
                to = *decoded;
              }
              T& cell = dx[static_cast<std::size_t>(to)];
              cell = ScalarTraits<T>::add(cell, dy[static_cast<std::size_t>(at)]);
            };
            if (window_format && !interior) {
              // Where each tap of this border window reads, per axis: the cell
              // (clamped under PadCells::border), or -1 for a pad cell that
              // reads nothing (tap_source's rule, one axis at a time).
              std::array<std::array<std::int64_t, detail::kMaxScatterTaps>, kMaxRank> axis{};
              for (int a = 0; a < kMaxRank; ++a) {
                for (std::int64_t t = 0; t < g.kernel[a]; ++t) {
                  std::int64_t p = o[a] * g.stride[a] - g.pad_begin[a] + t * g.dilation[a];
                  if (p < 0 || p >= g.in[a]) {
                    if (cv.pad != PadCells::border) {
                      axis[a][t] = -1;
                      continue;
                    }
                    p = p < 0 ? 0 : g.in[a] - 1;
                  }
                  axis[a][t] = p * g.in_spatial_stride[a];
                }
              }
              Dims t{};
              std::size_t i = 0;
              for (t[0] = 0; t[0] < g.kernel[0]; ++t[0])
                for (t[1] = 0; t[1] < g.kernel[1]; ++t[1])
                  for (t[2] = 0; t[2] < g.kernel[2]; ++t[2], ++i) {
                    const std::int64_t p0 = axis[0][t[0]], p1 = axis[1][t[1]], p2 = axis[2][t[2]];
                    border_taps.offset[interior_taps.id[i]] =
                        p0 < 0 || p1 < 0 || p2 < 0 ? -1 : p0 + p1 + p2;
                  }
            }
            const std::int64_t at_lo = g.output_offset(n, c_lo, o);
            std::int64_t c = c_lo;
            if (scatter != nullptr && (interior || window_format)) {
              // NHWC: the channels are consecutive in argmax, dy and dx.
              const detail::ScatterTaps& taps = interior ? interior_taps : border_taps;
              T* const dx_window = dx.data() + image + (interior ? origin_offset : 0);
              while (c < c_hi) {
                const std::int64_t chunk = std::min(c_hi - c, detail::kScatterChunk);
                const std::int64_t at = at_lo + (c - c_lo);
                std::int64_t found = 0;
                const std::int64_t covered = scatter(taps, argmax.data() + at, dy.data() + at,
                                                     dx_window + c, index_base + c * plan.index_c,
                                                     plan.index_c, chunk, leftover.data(), &found);
                for (std::int64_t i = 0; i < found; ++i)
                  one(c + leftover[static_cast<std::size_t>(i)]);
                c += covered;
                if (covered < chunk) break;  // the channels after the last whole vector
              }
            }
            if (window_format) {
              const std::int64_t* const offsets =
                  interior ? offset_by_id.data() : border_taps.offset;
              T* const cells = dx.data() + image + (interior ? origin_offset : 0);
              for (; c < c_hi; ++c) {
                const std::int64_t at = at_lo + (c - c_lo) * g.out_channel_stride;
                const std::int64_t index = argmax[static_cast<std::size_t>(at)];
                if (index >= 0 && index < kernel_volume) {
                  const std::int64_t offset = offsets[index];
                  if (offset < 0) continue;  // a pad cell
                  T& cell = cells[offset + c * g.in_channel_stride];
                  cell = ScalarTraits<T>::add(cell, dy[static_cast<std::size_t>(at)]);
                } else if (index != kNoArgmax) {
                  one(c);  // out of range: decode_argmax throws
                }
              }
            }
            for (; c < c_hi; ++c) one(c);
          };
          // Per plane, outputs in row-major order (the definition's order); in
          // NHWC all channels of a position at once, which walks memory in order.
          const auto rows = [&](std::int64_t c_lo, std::int64_t c_hi) {
            // Fewer channels than the widest scatter vector holds (16 f32
            // lanes, AVX-512), or no scatter: the scalar runs below.
            const bool few_channels = scatter == nullptr || c_hi - c_lo < 16;
            Dims o{};
            for (o[0] = 0; o[0] < g.out[0]; ++o[0]) {
              for (o[1] = 0; o[1] < g.out[1]; ++o[1]) {
                bool row_inside = true;  // along d and h
                std::int64_t row_offset = 0;
                std::int64_t row_index = n * plan.index_n;
                for (int a = 0; a < 2; ++a) {
                  const std::int64_t origin = o[a] * g.stride[a] - g.pad_begin[a];
                  row_inside = row_inside && origin >= 0 &&
                               origin + (g.kernel[a] - 1) * g.dilation[a] < g.in[a];
                  row_offset += origin * g.in_spatial_stride[a];
                  row_index += origin * plan.index_pos[a];
                }
                for (o[2] = 0; o[2] < g.out[2]; ++o[2]) {
                  const bool interior = row_inside && o[2] >= interior_w.lo && o[2] < interior_w.hi;
                  if (spatial_format && few_channels) {
                    // plane and tensor name the cell whatever the window: one
                    // tight loop over the row; an index it cannot place goes
                    // to the general decoder (which throws).
                    // Locals rather than the captures: the rare call to
                    // `window` below would otherwise have the compiler reload
                    // each of them for every element.
                    const std::int64_t out_w = g.out[2];
                    const std::int64_t out_step = g.out_spatial_stride[2];
                    const std::int64_t out_c = g.out_channel_stride;
                    const std::int64_t in_c = g.in_channel_stride;
                    const std::int64_t cells = plane;
                    const std::int64_t cell_step = cell_stride;
                    const bool tensor = cv.index == IndexFormat::tensor;
                    const std::int64_t* const indices = argmax.data();
                    const T* const gradients = dy.data();
                    T* const image_dx = dx.data() + image;
                    std::int64_t window_at = g.output_offset(n, c_lo, o);
                    for (std::int64_t ow = o[2]; ow < out_w; ++ow, window_at += out_step) {
                      std::int64_t base = tensor ? (n * g.channels + c_lo) * cells : 0;
                      for (std::int64_t c = c_lo; c < c_hi; ++c, base += tensor ? cells : 0) {
                        const std::int64_t at = window_at + (c - c_lo) * out_c;
                        const std::int64_t index = indices[at];
                        // Range check before subtracting (no overflow near INT64_MIN).
                        if (index >= base && index - base < cells) {
                          T& cell = image_dx[(index - base) * cell_step + c * in_c];
                          cell = ScalarTraits<T>::add(cell, gradients[at]);
                        } else if (index != kNoArgmax) {
                          o[2] = ow;
                          window(o, false, 0, 0, c, c + 1);
                        }
                      }
                    }
                    break;
                  }
                  if (interior && window_format && few_channels) {
                    // The interior run, for few channels in the window
                    // formats: one tight loop, no per-window set-up. An index
                    // it cannot place goes to `window` (which throws).
                    std::int64_t window_at = g.output_offset(n, c_lo, o);
                    T* cells = dx.data() + image + row_offset +
                               (o[2] * g.stride[2] - g.pad_begin[2]) * g.in_spatial_stride[2];
                    const std::int64_t cells_step = g.stride[2] * g.in_spatial_stride[2];
                    bool placed = true;
                    for (; o[2] < interior_w.hi && placed;
                         ++o[2], cells += cells_step, window_at += g.out_spatial_stride[2]) {
                      for (std::int64_t c = c_lo; c < c_hi; ++c) {
                        const std::int64_t at = window_at + (c - c_lo);
                        const std::int64_t index = argmax[static_cast<std::size_t>(at)];
                        if (static_cast<std::uint64_t>(index) >=
                            static_cast<std::uint64_t>(kernel_volume)) {
                          placed = index == kNoArgmax;
                          if (placed) continue;
                          // Channels [c_lo, c) of this window are done.
                          const std::int64_t origin = o[2] * g.stride[2] - g.pad_begin[2];
                          window(o, true, row_offset + origin * g.in_spatial_stride[2],
                                 row_index + origin * plan.index_pos[2], c, c_hi);
                          break;
                        }
                        T& cell = cells[offset_by_id[static_cast<std::size_t>(index)] +
                                        c * g.in_channel_stride];
                        cell = ScalarTraits<T>::add(cell, dy[static_cast<std::size_t>(at)]);
                      }
                    }
                    --o[2];  // the loop header steps past the run
                    continue;
                  }
                  const std::int64_t origin = o[2] * g.stride[2] - g.pad_begin[2];
                  window(o, interior, row_offset + origin * g.in_spatial_stride[2],
                         row_index + origin * plan.index_pos[2], c_lo, c_hi);
                }
              }
            }
          };
          if (g.layout == Layout::channels_last) {
            rows(c_begin, c_end);
          } else {
            for (std::int64_t c = c_begin; c < c_end; ++c) rows(c, c + 1);
          }
        }
      },
      plane_grain(g));
}

template <class T>
void backward_from_input(const Problem& problem, std::span<const T> x, std::span<const T> dy,
                         std::span<T> dx, const Options& options) {
  check_dtype<T>(problem, "x");
  const Plan plan = detail::make_plan(problem);
  const Geometry& g = plan.g;
  check_backward_buffers(problem, g, ConstBuffer::of(problem.dtype(), x), {},
                         ConstBuffer::of(problem.dtype(), dy),
                         MutableBuffer::of(problem.dtype(), dx));
  resolve_target(options.target);
  const std::int64_t planes = g.batch * g.channels;
  const int threads = thread_count(options, g.output_elements() * g.kernel_volume(), planes);
  parallel_for(
      threads, planes,
      [&](std::int64_t begin, std::int64_t end) {
        for_each_output_of_planes(
            g, begin, end, [&](std::int64_t n, std::int64_t c, const Dims& o, std::int64_t at) {
              const std::int64_t tap = detail::portable_choose_tap(plan, x.data(), n, c, o);
              if (tap == kNoArgmax) return;
              const std::optional<Dims> source =
                  tap_source(g, plan.cv.pad, o, g.tap_from_index(tap));
              if (!source) return;
              T& cell = dx[static_cast<std::size_t>(g.input_offset(n, c, *source))];
              cell = ScalarTraits<T>::add(cell, dy[static_cast<std::size_t>(at)]);
            });
      },
      plane_grain(g));
}

#define POOLCHECK_FAST_INSTANTIATE(T)                                                          \
  template void forward<T>(const Problem&, std::span<const T>, std::span<T>,                   \
                           std::span<std::int64_t>, const Options&);                           \
  template void backward<T>(const Problem&, std::span<const std::int64_t>, std::span<const T>, \
                            std::span<T>, const Options&);                                     \
  template void backward_from_input<T>(const Problem&, std::span<const T>, std::span<const T>, \
                                       std::span<T>, const Options&);
POOLCHECK_FAST_INSTANTIATE(float)
POOLCHECK_FAST_INSTANTIATE(double)
POOLCHECK_FAST_INSTANTIATE(float16)
POOLCHECK_FAST_INSTANTIATE(bfloat16)
POOLCHECK_FAST_INSTANTIATE(std::int8_t)
POOLCHECK_FAST_INSTANTIATE(std::uint8_t)
#undef POOLCHECK_FAST_INSTANTIATE

}  // namespace poolcheck::fast
