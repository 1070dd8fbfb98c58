#include "poolcheck/run_and_report.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <iomanip>
#include <sstream>

#include "poolcheck/descriptor.hpp"
#include "poolcheck/visit_dtype.hpp"

namespace poolcheck::proptest {

ForwardResult run_forward(const Implementation& impl, const Problem& problem, const Bytes& x,
                          bool with_argmax) {
  const Geometry g = problem.geometry();
  const std::size_t size = dtype_size(problem.dtype());
  ForwardResult r;
  // Poisoned outputs (0xA5 bytes, argmax -7) so an element never written shows.
  r.y.assign(static_cast<std::size_t>(g.output_elements()) * size, std::byte{0xA5});
  if (with_argmax) r.argmax.assign(static_cast<std::size_t>(g.output_elements()), -7);
  impl.forward(problem, ConstBuffer{problem.dtype(), x.data(), x.size() / size},
               MutableBuffer{problem.dtype(), r.y.data(), r.y.size() / size}, r.argmax);
  return r;
}

Bytes run_backward(const Implementation& impl, const Problem& problem, const Bytes& x,
                   std::span<const std::int64_t> argmax, const Bytes& dy, Bytes dx_start) {
  const std::size_t size = dtype_size(problem.dtype());
  impl.backward(problem, ConstBuffer{problem.dtype(), x.data(), x.size() / size}, argmax,
                ConstBuffer{problem.dtype(), dy.data(), dy.size() / size},
                MutableBuffer{problem.dtype(), dx_start.data(), dx_start.size() / size});
  return dx_start;
}

std::size_t element_count(DType dtype, const Bytes& tensor) {
  return tensor.size() / dtype_size(dtype);
}

double element(DType dtype, const Bytes& tensor, std::size_t i) {
  return visit_dtype(dtype, [&]<class T>(TypeTag<T>) {
    T v;
    std::memcpy(&v, tensor.data() + i * sizeof(T), sizeof(T));
    if constexpr (std::is_same_v<T, float16> || std::is_same_v<T, bfloat16>)
      return static_cast<double>(v.to_float());
    else
      return static_cast<double>(v);
  });
}

namespace {

std::string bits_of(DType dtype, const Bytes& tensor, std::size_t i) {
  const std::size_t size = dtype_size(dtype);
  std::uint64_t bits = 0;
  std::memcpy(&bits, tensor.data() + i * size, size);  // little-endian host
  std::ostringstream os;
  os << "0x" << std::hex << std::setw(static_cast<int>(2 * size)) << std::setfill('0') << bits;
  return os.str();
}

std::string show_element(DType dtype, const Bytes& tensor, std::size_t i) {
  std::ostringstream os;
  os << std::setprecision(17) << element(dtype, tensor, i) << " (" << bits_of(dtype, tensor, i)
     << ")";
  return os.str();
}

std::string header(const Problem& problem, std::string_view what, const Bytes& input) {
  std::ostringstream os;
  os << what << " differs for " << to_descriptor(problem)
     << "\n  x = " << show_tensor(problem.dtype(), input) << "\n";
  return os.str();
}

}  // namespace

std::string locate(const Geometry& g, std::int64_t offset, bool output) {
  const Dims& sizes = output ? g.out : g.in;
  const Dims& spatial = output ? g.out_spatial_stride : g.in_spatial_stride;
  const std::int64_t batch_stride = output ? g.out_batch_stride : g.in_batch_stride;
  const std::int64_t channel_stride = output ? g.out_channel_stride : g.in_channel_stride;
  const std::int64_t n = offset / batch_stride;
  const std::int64_t c = (offset % batch_stride) / channel_stride % g.channels;
  std::ostringstream os;
  os << "(n=" << n << ", pos=[";
  for (int a = kMaxRank - g.rank; a < kMaxRank; ++a)
    os << (a > kMaxRank - g.rank ? "," : "") << (offset % batch_stride) / spatial[a] % sizes[a];
  os << "], c=" << c << ")";
  return os.str();
}

std::string show_tensor(DType dtype, const Bytes& tensor, std::size_t limit) {
  std::ostringstream os;
  os << std::setprecision(9) << "[";
  const std::size_t count = element_count(dtype, tensor);
  for (std::size_t i = 0; i < count && i < limit; ++i) {
    const double v = element(dtype, tensor, i);
    os << (i ? " " : "") << v;
    if (v == 0 && std::signbit(v)) os << "(-0)";
  }
  if (count > limit) os << " ... (" << count << " elements)";
  os << "]";
  return os.str();
}

std::string bitwise_difference(const Problem& problem, std::string_view what, const Bytes& input,
                               const Bytes& expected, const Bytes& actual, bool output) {
  if (expected.size() == actual.size() &&
      std::memcmp(expected.data(), actual.data(), expected.size()) == 0)
    return {};
  std::ostringstream os;
  os << header(problem, what, input);
  if (expected.size() != actual.size()) {
    os << "  sizes differ: expected " << expected.size() << " bytes, got " << actual.size();
    return os.str();
  }
  const DType dtype = problem.dtype();
  os << "  expected = " << show_tensor(dtype, expected)
     << "\n  actual   = " << show_tensor(dtype, actual) << "\n";
  const std::size_t size = dtype_size(dtype);
  for (std::size_t i = 0; i < element_count(dtype, expected); ++i)
    if (std::memcmp(expected.data() + i * size, actual.data() + i * size, size) != 0) {
      os << "  first difference at element " << i << " "
         << locate(problem.geometry(), static_cast<std::int64_t>(i), output) << ": expected "
         << show_element(dtype, expected, i) << ", actual " << show_element(dtype, actual, i);
      break;
    }
  return os.str();
}

std::string index_difference(const Problem& problem, std::string_view what, const Bytes& input,
                             std::span<const std::int64_t> expected,
                             std::span<const std::int64_t> actual) {
  if (std::equal(expected.begin(), expected.end(), actual.begin(), actual.end())) return {};
  std::ostringstream os;
  os << header(problem, what, input);
  for (std::size_t i = 0; i < std::min(expected.size(), actual.size()); ++i)
    if (expected[i] != actual[i]) {
      os << "  first difference at output " << i << " "
         << locate(problem.geometry(), static_cast<std::int64_t>(i), true) << ": expected "
         << expected[i] << ", actual " << actual[i];
      return os.str();
    }
  os << "  lengths differ: " << expected.size() << " vs " << actual.size();
  return os.str();
}

}  // namespace poolcheck::proptest
