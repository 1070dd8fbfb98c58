// poolcheck's benchmark suite: float32 NHWC max pooling on the shapes of real
// layers (bench/shapes.txt), three passes, 1 and 2 threads, for
//   copy       a memory copy moving the same bytes (the bandwidth ceiling),
//   reference  the definition as plain loops (single-threaded),
//   fast       fast/ under the default profile and under each peer's profile,
//   peers      each adapter plug-in, called through the plug-in ABI exactly as
//              `poolcheck run` calls it in its conformance campaigns.
// Benchmark names are pass/shape/implementation/threads:N; bench/make_table.py
// turns the JSON output into the results table.
//
// Extra flags (before Google Benchmark's own):
//   --shapes=FILE        shape list (default: bench/shapes.txt of the source tree)
//   --adapters=DIR       where poolcheck_adapter_*.so live (default: this build's)
#include <benchmark/benchmark.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "poolcheck/descriptor.hpp"
#include "poolcheck/error.hpp"
#include "poolcheck/implementation.hpp"
#include "poolcheck/plugin_host.hpp"
#include "poolcheck/reference.hpp"
#if POOLCHECK_BENCH_HAVE_FAST
#include "poolcheck/fast.hpp"
#endif

namespace poolcheck::bench {
namespace {

struct Shape {
  std::string name;
  std::string descriptor_shape;
};

std::vector<Shape> read_shapes(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("shapes file " + path.string() + ": cannot be read");
  std::vector<Shape> shapes;
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream words(line);
    Shape s;
    if (!(words >> s.name) || s.name.starts_with('#')) continue;
    if (!(words >> s.descriptor_shape))
      throw std::runtime_error("shapes file " + path.string() + ": line '" + line +
                               "' has a name but no shape");
    shapes.push_back(std::move(s));
  }
  return shapes;
}

enum class Pass { inference, training, backward };
constexpr const char* pass_name(Pass p) {
  return p == Pass::inference ? "fwd_infer" : p == Pass::training ? "fwd_train" : "backward";
}

// The shape under `profile`: SAME/VALID turned into the explicit pads they
// resolve to, so every implementation of a row solves
// the same problem. A profile that cannot take those pads (PyTorch: asymmetric)
// throws ProblemError, and the row is n/a.
Problem problem_for(const Shape& shape, const std::string& profile) {
  // ONNX takes every padding form (explicit, asymmetric, SAME upper/lower), so
  // any shape line resolves under it; the pads are then carried over.
  const Problem base = parse_descriptor("onnx:f32:nhwc:" + shape.descriptor_shape);
  const Geometry g = base.geometry();
  Problem p = base;
  p.profile(profile);
  if (base.padding() != Padding::explicit_pads) {
    std::vector<std::int64_t> begin, end;
    for (int a = 0; a < g.rank; ++a) {
      begin.push_back(g.pad_begin[Geometry::axis_of(g.rank, a)]);
      end.push_back(g.pad_end[Geometry::axis_of(g.rank, a)]);
    }
    p.padding(Padding::explicit_pads).pad_begin(begin).pad_end(end);
  }
  p.geometry();  // validates under the profile's rules
  return p;
}

// Bytes a pass must move at least: what it reads plus what it writes.
std::int64_t pass_bytes(Pass pass, const Geometry& g) {
  const std::int64_t in = g.input_elements() * 4, out = g.output_elements() * 4;
  const std::int64_t argmax = g.output_elements() * 8;
  switch (pass) {
    case Pass::inference:
      return in + out;  // x -> y
    case Pass::training:
      return in + out + argmax;  // x -> y, argmax
    case Pass::backward:
      return out + argmax + in;  // dy, argmax -> dx
  }
  return 0;
}

// Buffers of one problem, filled once with fixed pseudo-random data.
struct Tensors {
  std::vector<float> x, y, dy, dx;
  std::vector<std::int64_t> argmax;
  explicit Tensors(const Geometry& g)
      : x(static_cast<std::size_t>(g.input_elements())),
        y(static_cast<std::size_t>(g.output_elements())),
        dy(y.size()),
        dx(x.size()),
        argmax(y.size()) {
    std::mt19937 rng(42);
    std::uniform_real_distribution<float> dist(-4.0f, 4.0f);
    for (float& v : x) v = dist(rng);
    for (float& v : dy) v = dist(rng);
  }
};

void set_counters(benchmark::State& state, std::int64_t bytes) {
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * bytes);
  state.counters["bytes"] = static_cast<double>(bytes);
}

// Times one pass of an Implementation; the argmax the backward reads comes
// from a training forward outside the timed loop.
void time_implementation(benchmark::State& state, const Implementation& impl, const Problem& p,
                         Pass pass) {
  const Geometry g = p.geometry();
  Tensors t(g);
  const ConstBuffer x = ConstBuffer::of(DType::f32, std::span<const float>(t.x));
  const MutableBuffer y = MutableBuffer::of(DType::f32, std::span<float>(t.y));
  const ConstBuffer dy = ConstBuffer::of(DType::f32, std::span<const float>(t.dy));
  const MutableBuffer dx = MutableBuffer::of(DType::f32, std::span<float>(t.dx));
  try {
    if (pass == Pass::backward) impl.forward(p, x, y, t.argmax);
    for (auto _ : state) {
      switch (pass) {
        case Pass::inference:
          impl.forward(p, x, y, {});
          break;
        case Pass::training:
          impl.forward(p, x, y, t.argmax);
          break;
        case Pass::backward:
          impl.backward(p, x, t.argmax, dy, dx);
          break;
      }
      benchmark::DoNotOptimize(t.y.data());
      benchmark::DoNotOptimize(t.dx.data());
      benchmark::ClobberMemory();
    }
  } catch (const std::exception& e) {
    state.SkipWithError(e.what());
    return;
  }
  set_counters(state, pass_bytes(pass, g));
}

// Times the plug-in's own forward/backward through its table (what
// `poolcheck run` calls), without the host's buffer checks. dx is not zeroed
// between iterations: oneDNN and PyTorch overwrite it, so the bits are the same.
void time_plugin(benchmark::State& state, const plugin::LoadedPlugin& peer, const Problem& p,
                 Pass pass, int threads) {
  const std::string threads_text = std::to_string(threads);
  setenv("POOLCHECK_PEER_THREADS", threads_text.c_str(), 1);
  const Geometry g = p.geometry();
  Tensors t(g);
  const plugin::AbiProblem abi = plugin::to_abi(p);
  const pc_plugin& table = peer.table();
  char message[512] = {};
  const auto refuse = [&](pc_status status) {
    if (status == PC_OK) return false;
    state.SkipWithError(
        (std::string(status == PC_UNSUPPORTED ? "n/a: " : "error: ") + message).c_str());
    return true;
  };
  if (pass == Pass::backward) {
    if (!peer.claim().backward) return state.SkipWithError("n/a: no backward");
    if (refuse(table.forward(&abi.problem, t.x.data(), t.y.data(), t.argmax.data(), message,
                             sizeof message)))
      return;
  }
  for (auto _ : state) {
    pc_status status = PC_OK;
    switch (pass) {
      case Pass::inference:
        status =
            table.forward(&abi.problem, t.x.data(), t.y.data(), nullptr, message, sizeof message);
        break;
      case Pass::training:
        status = table.forward(&abi.problem, t.x.data(), t.y.data(), t.argmax.data(), message,
                               sizeof message);
        break;
      case Pass::backward:
        status = table.backward(&abi.problem, t.x.data(), t.argmax.data(), t.dy.data(), t.dx.data(),
                                message, sizeof message);
        break;
    }
    if (refuse(status)) return;
    benchmark::ClobberMemory();
  }
  set_counters(state, pass_bytes(pass, g));
}

// memcpy of half the pass's bytes: reads and writes together move exactly the
// bytes the pass moves. With 2 threads a helper thread copies the second half.
void time_copy(benchmark::State& state, std::int64_t bytes, int threads) {
  const auto half = static_cast<std::size_t>(bytes / 2);
  std::vector<std::byte> from(half, std::byte{1}), to(half);
  const std::size_t share = half / static_cast<std::size_t>(threads);
  std::atomic<std::int64_t> started{0}, finished{0};
  std::atomic<bool> stop{false};
  std::vector<std::jthread> helpers;
  for (int w = 1; w < threads; ++w)
    helpers.emplace_back([&, w] {
      std::int64_t seen = 0;
      while (true) {
        while (started.load(std::memory_order_acquire) == seen) {
          if (stop.load(std::memory_order_acquire)) return;
          std::this_thread::yield();  // the machine may have no spare core
        }
        ++seen;
        const std::size_t begin = share * static_cast<std::size_t>(w);
        const std::size_t end = w == threads - 1 ? half : begin + share;
        std::memcpy(to.data() + begin, from.data() + begin, end - begin);
        finished.fetch_add(1, std::memory_order_acq_rel);
      }
    });
  std::int64_t round = 0;
  for (auto _ : state) {
    ++round;
    started.store(round, std::memory_order_release);
    std::memcpy(to.data(), from.data(), threads == 1 ? half : share);
    while (finished.load(std::memory_order_acquire) < round * (threads - 1))
      std::this_thread::yield();
    benchmark::DoNotOptimize(to.data());
    benchmark::ClobberMemory();
  }
  stop.store(true, std::memory_order_release);
  set_counters(state, bytes);
}

std::string option(int& argc, char** argv, const std::string& name, std::string fallback) {
  const std::string prefix = "--" + name + "=";
  for (int i = 1; i < argc; ++i) {
    if (std::string(argv[i]).starts_with(prefix)) {
      fallback = std::string(argv[i]).substr(prefix.size());
      for (int j = i; j + 1 < argc; ++j) argv[j] = argv[j + 1];
      --argc;
      break;
    }
  }
  return fallback;
}

struct Suite {
  std::vector<Shape> shapes;
  std::unique_ptr<Implementation> reference = reference::make_implementation();
  std::vector<std::unique_ptr<Implementation>> fast;  // index: threads - 1
  std::vector<std::unique_ptr<plugin::LoadedPlugin>> peers;
};

// The profile the reference and fast/ rows use: the project's default,
// NumPyNet, where it can pose the shape (it has no explicit pads), else ONNX.
Problem home_problem(const Shape& shape) {
  try {
    return parse_descriptor("numpynet:f32:nhwc:" + shape.descriptor_shape);
  } catch (const ProblemError&) {
    return problem_for(shape, "onnx");
  }
}

void register_all(Suite& suite, double reference_min_time) {
  for (const Pass pass : {Pass::inference, Pass::training, Pass::backward}) {
    for (const Shape& shape : suite.shapes) {
      const std::string row = std::string(pass_name(pass)) + "/" + shape.name + "/";
      const Problem base = home_problem(shape);
      const std::string home(base.profile().name);
      std::vector<std::string> profiles{home};
      for (const auto& peer : suite.peers)
        if (peer->claim().profile != home) profiles.push_back(peer->claim().profile);
      const std::int64_t bytes = pass_bytes(pass, base.geometry());
      for (int threads = 1; threads <= 2; ++threads) {
        const std::string suffix = "/threads:" + std::to_string(threads);
        benchmark::RegisterBenchmark((row + "copy" + suffix).c_str(),
                                     [=](benchmark::State& s) { time_copy(s, bytes, threads); })
            ->UseRealTime()
            ->Unit(benchmark::kMicrosecond);
        if (threads == 1)
          benchmark::RegisterBenchmark((row + "reference:" + home + suffix).c_str(),
                                       [&suite, base, pass](benchmark::State& s) {
                                         time_implementation(s, *suite.reference, base, pass);
                                       })
              ->UseRealTime()
              ->MinTime(reference_min_time)
              ->Unit(benchmark::kMicrosecond);
        if (!suite.fast.empty()) {
          const Implementation& fast = *suite.fast[static_cast<std::size_t>(threads - 1)];
          for (const std::string& profile : profiles) {
            std::string why;
            std::optional<Problem> p;
            try {
              p = profile == home ? base : problem_for(shape, profile);
            } catch (const ProblemError& e) {
              why = e.what();
            }
            benchmark::RegisterBenchmark((row + "fast:" + profile + suffix).c_str(),
                                         [&fast, p, why, pass](benchmark::State& s) {
                                           if (!p) return s.SkipWithError(("n/a: " + why).c_str());
                                           time_implementation(s, fast, *p, pass);
                                         })
                ->UseRealTime()
                ->Unit(benchmark::kMicrosecond);
          }
        }
        for (const auto& peer : suite.peers) {
          std::string why;
          std::optional<Problem> p;
          try {
            p = problem_for(shape, peer->claim().profile);
          } catch (const ProblemError& e) {
            why = e.what();
          }
          const plugin::LoadedPlugin& loaded = *peer;
          benchmark::RegisterBenchmark((row + "peer:" + loaded.claim().name + suffix).c_str(),
                                       [&loaded, p, why, pass, threads](benchmark::State& s) {
                                         if (!p) return s.SkipWithError(("n/a: " + why).c_str());
                                         time_plugin(s, loaded, *p, pass, threads);
                                       })
              ->UseRealTime()
              ->Unit(benchmark::kMicrosecond);
        }
      }
    }
  }
}

}  // namespace
}  // namespace poolcheck::bench

int main(int argc, char** argv) {
  using namespace poolcheck::bench;
  namespace fs = std::filesystem;
  try {
    Suite suite;
    suite.shapes = read_shapes(option(argc, argv, "shapes", POOLCHECK_BENCH_SHAPES));
    const fs::path adapters = option(argc, argv, "adapters", POOLCHECK_BENCH_ADAPTER_DIR);
    const double reference_min_time = std::stod(option(argc, argv, "reference_min_time", "0.05"));
#if POOLCHECK_BENCH_HAVE_FAST
    for (int threads = 1; threads <= 2; ++threads)
      // As a caller with `threads` cores would: fast/ picks how many to use
      // (one for problems too small to gain).
      suite.fast.push_back(
          poolcheck::fast::make_implementation({.threads = 0, .max_threads = threads}));
#endif
    if (fs::is_directory(adapters)) {
      std::vector<fs::path> found;
      for (const auto& entry : fs::directory_iterator(adapters))
        if (entry.path().filename().string().starts_with("poolcheck_adapter_") &&
            entry.path().extension() == ".so")
          found.push_back(entry.path());
      std::sort(found.begin(), found.end());
      for (const fs::path& path : found) suite.peers.push_back(poolcheck::plugin::load(path));
    }
    register_all(suite, reference_min_time);
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    benchmark::AddCustomContext("adapters", adapters.string());
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "poolcheck_bench: %s\n", e.what());
    return 1;
  }
  return 0;
}
