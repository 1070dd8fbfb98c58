#include "ref_command.hpp"

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "implementations.hpp"
#include "poolcheck/descriptor.hpp"
#include "poolcheck/error.hpp"
#include "poolcheck/npy.hpp"
#include "problem_options.hpp"

namespace poolcheck::cli {
namespace {

struct RefOptions {
  std::filesystem::path input;
  std::filesystem::path dy;
  std::filesystem::path out;
  std::string impl = "reference";
  ProblemFlags problem;
};

DType input_dtype(const npy::Array& x, const std::filesystem::path& path) {
  const std::optional<DType> dtype = npy::to_dtype(x.type);
  if (!dtype)
    throw ProblemError("--input", path.string(),
                       "holds " + std::string(npy::element_type_name(x.type)) +
                           "; expected f32, f64, f16, bf16, s8 or u8");
  return *dtype;
}

void run_ref(const RefOptions& options) {
  // Read and check everything before computing, and compute everything before
  // writing, so that an error never leaves some outputs written.
  // A descriptor names the dtype, which is the only way to read raw 2-byte
  // void data ('<V2', how ml_dtypes saves bfloat16) as bf16.
  std::optional<npy::ElementType> expected;
  if (!options.problem.descriptor.empty())
    expected = npy::to_element_type(parse_descriptor(options.problem.descriptor).dtype());
  const npy::Array x = npy::read(options.input, expected);
  const DType dtype = input_dtype(x, options.input);
  const Problem problem = options.problem.resolve(x.shape, dtype);
  const Geometry g = problem.geometry();
  const std::vector<std::int64_t> y_shape = tensor_shape(problem, g.out);

  std::optional<npy::Array> dy;
  if (!options.dy.empty()) {
    dy = npy::read(options.dy, npy::to_element_type(dtype));
    if (dy->shape != y_shape)
      throw ProblemError("--dy", options.dy.string(),
                         "has shape " + npy::format_shape(dy->shape) + "; the output shape is " +
                             npy::format_shape(y_shape));
  }
  const std::unique_ptr<Implementation> impl = builtin_implementation(options.impl);

  const std::size_t element = dtype_size(dtype);
  const auto out_count = static_cast<std::size_t>(g.output_elements());
  npy::Array y{npy::to_element_type(dtype), y_shape, std::vector<std::byte>(out_count * element)};
  npy::Array argmax{npy::ElementType::i64, y_shape,
                    std::vector<std::byte>(out_count * sizeof(std::int64_t))};
  const ConstBuffer x_buffer{dtype, x.data.data(), x.data.size() / element};
  impl->forward(problem, x_buffer, MutableBuffer{dtype, y.data.data(), out_count},
                {reinterpret_cast<std::int64_t*>(argmax.data.data()), out_count});

  std::optional<npy::Array> dx;
  if (dy) {
    dx = npy::Array{npy::to_element_type(dtype), x.shape, std::vector<std::byte>(x.data.size())};
    impl->backward(problem, x_buffer, argmax.as<std::int64_t>(),
                   ConstBuffer{dtype, dy->data.data(), out_count},
                   MutableBuffer{dtype, dx->data.data(), x.data.size() / element});
  }

  std::filesystem::create_directories(options.out);
  npy::write(options.out / "y.npy", y);
  npy::write(options.out / "argmax.npy", argmax);
  if (dx) npy::write(options.out / "dx.npy", *dx);
  std::printf("%s\n", to_descriptor(problem).c_str());
}

}  // namespace

void add_ref_command(CLI::App& app) {
  auto options = std::make_shared<RefOptions>();
  CLI::App* ref =
      app.add_subcommand("ref", "Compute the oracle's y, argmax (and dx) for your own .npy input");
  ref->add_option("--input", options->input, "Input tensor x (.npy)")->required();
  ref->add_option("--dy", options->dy, "Upstream gradient dy (.npy, output shape): writes dx.npy");
  ref->add_option("--out", options->out, "Directory for y.npy, argmax.npy and dx.npy")->required();
  ref->add_option("--impl", options->impl, "reference (default), fast, or fast:TARGET")
      ->capture_default_str();
  options->problem.add_to(*ref);
  ref->callback([options] { run_ref(*options); });
}

}  // namespace poolcheck::cli
