// fast/: the optimised max pooling, bit-identical to the reference.
//
// Same semantics as reference.hpp for every problem the reference accepts;
// it never calls the reference. SIMD goes through runtime dispatch; every
// target gives the same bits.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "poolcheck/implementation.hpp"
#include "poolcheck/problem.hpp"

namespace poolcheck::fast {

struct Options {
  // A dispatch target from available_targets(), or "auto" for the best one
  // this CPU runs. "portable" (no SIMD assumptions) is always available.
  std::string target = "auto";
  // Threads, the calling one included; 0 picks by problem size (1 for
  // problems too small to gain), up to max_threads. The others come from a
  // process-wide pool started on first use and kept (fork-safe: a child
  // process starts its own).
  int threads = 0;
  // With threads = 0: the most threads the automatic choice may use (0: the
  // hardware's). A caller with N cores to spare sets max_threads = N.
  int max_threads = 0;
};

// Targets this CPU can run, best first, always ending with "portable".
std::vector<std::string> available_targets();

// fast/ behind the common interface ("builtin:fast"). Throws ProblemError
// ("target", name, ...) for an unknown or unavailable target.
std::unique_ptr<Implementation> make_implementation(const Options& options = {});

// Typed entry points with the Implementation's semantics and checks but no
// type erasure (for benchmarks and embedding). T is float, double, float16,
// bfloat16, std::int8_t or std::uint8_t and must match problem.dtype()
// (ProblemError "x.dtype" otherwise). Throws ProblemError("target", ...) for
// a bad Options::target and ("threads", ...) or ("max_threads", ...) for a
// negative thread count.
//
// What runs: f32/f64 use the SIMD kernels of the chosen target (NHWC
// vectorised along channels, or along the row's (window, channel) pairs for
// 1-4 channels; NCHW along w); the 16-bit floats and the integer types, and
// the "portable" target, use plain C++. In NHWC the SIMD kernels write the
// argmax of windows wholly inside the image in the profile's format directly
// (it is affine in window position and tap); every other argmax is produced
// window-local and converted with encode_argmax.
//
// Backward adds into dx in the definition's order (per input cell, windows in
// row-major output order); threads split the (n, c) planes (in NHWC whole
// images only), so the bits do not depend on the thread count. In NHWC f32/f64 it is vectorised
// along channels: per window, each tap adds dy into the lanes whose argmax names it (a blend, so
// untouched cells keep their bits). The window, plane and tensor formats are decoded inline; other
// indices, and any index that fails its range checks, go through decode_argmax (so errors are
// decode_argmax's).
template <class T>
void forward(const Problem& problem, std::span<const T> x, std::span<T> y,
             std::span<std::int64_t> argmax, const Options& options = {});
template <class T>
void backward(const Problem& problem, std::span<const std::int64_t> argmax, std::span<const T> dy,
              std::span<T> dx, const Options& options = {});
template <class T>
void backward_from_input(const Problem& problem, std::span<const T> x, std::span<const T> dy,
                         std::span<T> dx, const Options& options = {});

}  // namespace poolcheck::fast
