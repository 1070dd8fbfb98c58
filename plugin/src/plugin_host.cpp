#include "poolcheck/plugin_host.hpp"

#include <dlfcn.h>

#include <algorithm>
#include <cstring>
#include <utility>

#include "abi_call.hpp"
#include "poolcheck/descriptor.hpp"
#include "poolcheck/profiles.hpp"
#include "poolcheck/scalar_traits.hpp"
#include "poolcheck/visit_dtype.hpp"

namespace poolcheck::plugin {

// ---- AbiProblem ------------------------------------------------------------

AbiProblem::AbiProblem(const AbiProblem& other)
    : problem(other.problem), profile(other.profile), descriptor(other.descriptor) {
  repoint();
}
AbiProblem::AbiProblem(AbiProblem&& other) noexcept
    : problem(other.problem),
      profile(std::move(other.profile)),
      descriptor(std::move(other.descriptor)) {
  repoint();
  other.repoint();
}
AbiProblem& AbiProblem::operator=(const AbiProblem& other) {
  if (this != &other) {
    problem = other.problem;
    profile = other.profile;
    descriptor = other.descriptor;
    repoint();
  }
  return *this;
}
AbiProblem& AbiProblem::operator=(AbiProblem&& other) noexcept {
  if (this != &other) {
    problem = other.problem;
    profile = std::move(other.profile);
    descriptor = std::move(other.descriptor);
    repoint();
    other.repoint();
  }
  return *this;
}
void AbiProblem::repoint() noexcept {
  problem.profile = profile.c_str();
  problem.descriptor = descriptor.c_str();
}

pc_dtype to_abi(DType dtype) noexcept {
  switch (dtype) {
    case DType::f64:
      return PC_DTYPE_F64;
    case DType::f16:
      return PC_DTYPE_F16;
    case DType::bf16:
      return PC_DTYPE_BF16;
    case DType::s8:
      return PC_DTYPE_S8;
    case DType::u8:
      return PC_DTYPE_U8;
    case DType::f32:
      break;
  }
  return PC_DTYPE_F32;
}

pc_layout to_abi(Layout layout) noexcept {
  return layout == Layout::channels_first ? PC_LAYOUT_CHANNELS_FIRST : PC_LAYOUT_CHANNELS_LAST;
}

AbiProblem to_abi(const Problem& problem) {
  const Geometry g = problem.geometry();
  AbiProblem abi;
  abi.profile = std::string(problem.profile().name);
  abi.descriptor = to_descriptor(problem);
  pc_problem& p = abi.problem;
  p.struct_size = sizeof(pc_problem);
  p.rank = g.rank;
  p.layout = to_abi(g.layout);
  p.dtype = to_abi(problem.dtype());
  p.batch = g.batch;
  p.channels = g.channels;
  // Geometry keeps the last `rank` of its three axes; the ABI the first.
  for (int i = 0; i < g.rank; ++i) {
    const int a = Geometry::axis_of(g.rank, i);
    p.input[i] = g.in[a];
    p.output[i] = g.out[a];
    p.kernel[i] = g.kernel[a];
    p.stride[i] = g.stride[a];
    p.dilation[i] = g.dilation[a];
    p.pad_begin[i] = g.pad_begin[a];
    p.pad_end[i] = g.pad_end[a];
  }
  for (int i = g.rank; i < kMaxRank; ++i) {
    p.input[i] = p.output[i] = p.kernel[i] = p.stride[i] = p.dilation[i] = 1;
    p.pad_begin[i] = p.pad_end[i] = 0;
  }
  p.ceil_mode = problem.ceil_mode() ? 1 : 0;
  abi.repoint();
  return abi;
}

namespace detail {
namespace {

std::string read_message(const char (&buffer)[kMessageCapacity + 1]) {
  return std::string(buffer, strnlen(buffer, kMessageCapacity));
}

}  // namespace

CallResult call_forward(const pc_plugin& table, const pc_problem& problem, const void* x, void* y,
                        std::int64_t* argmax) {
  char message[kMessageCapacity + 1] = {};
  const int status = table.forward(&problem, x, y, argmax, message, kMessageCapacity);
  return {status, status == PC_OK ? std::string() : read_message(message)};
}

CallResult call_backward(const pc_plugin& table, const pc_problem& problem, const void* x,
                         const std::int64_t* argmax, const void* dy, void* dx) {
  char message[kMessageCapacity + 1] = {};
  const int status = table.backward(&problem, x, argmax, dy, dx, message, kMessageCapacity);
  return {status, status == PC_OK ? std::string() : read_message(message)};
}

void throw_unless_ok(const CallResult& result, const std::string& plugin_name, const char* call) {
  const std::string who = "plug-in '" + plugin_name + "' " + call;
  switch (result.status) {
    case PC_OK:
      return;
    case PC_UNSUPPORTED:
      throw UnsupportedProblem(who + " refused the problem: " + result.message);
    case PC_ERROR:
      throw std::runtime_error(who + " failed: " + result.message);
    default:
      throw std::runtime_error(who + " returned " + std::to_string(result.status) +
                               ", which is not a pc_status");
  }
}

void require_forward_claim(const LoadedPlugin& plugin, const Problem& problem, bool wants_argmax) {
  std::string why;
  if (!plugin.covers(problem, &why))
    throw UnsupportedProblem("plug-in '" + plugin.claim().name + "' does not claim " + why);
  if (!plugin.claim().argmax && wants_argmax)
    throw UnsupportedProblem("plug-in '" + plugin.claim().name +
                             "' does not claim PC_CAP_ARGMAX (argmax output)");
}

void require_backward_claim(const LoadedPlugin& plugin, const Problem& problem, bool has_argmax) {
  std::string why;
  if (!plugin.covers(problem, &why))
    throw UnsupportedProblem("plug-in '" + plugin.claim().name + "' does not claim " + why);
  if (has_argmax && !plugin.claim().backward)
    throw UnsupportedProblem("plug-in '" + plugin.claim().name +
                             "' does not claim PC_CAP_BACKWARD (backward from argmax)");
  if (!has_argmax && !plugin.claim().backward_from_x)
    throw UnsupportedProblem("plug-in '" + plugin.claim().name +
                             "' does not claim PC_CAP_BACKWARD_FROM_X (backward from x)");
}

void accumulate_gradient(DType dtype, std::span<const std::byte> gradient, MutableBuffer dx) {
  const std::span<std::byte> target(dx.data, dx.count * dtype_size(dtype));
  if (std::all_of(target.begin(), target.end(), [](std::byte b) { return b == std::byte{0}; })) {
    std::copy(gradient.begin(), gradient.end(), target.begin());
    return;
  }
  visit_dtype(dtype, [&]<class T>(TypeTag<T>) {
    for (std::size_t i = 0; i < dx.count; ++i) {
      T sum{};
      T part{};
      std::memcpy(&sum, target.data() + i * sizeof(T), sizeof(T));
      std::memcpy(&part, gradient.data() + i * sizeof(T), sizeof(T));
      sum = ScalarTraits<T>::add(sum, part);
      std::memcpy(target.data() + i * sizeof(T), &sum, sizeof(T));
    }
  });
}

}  // namespace detail

namespace {

struct LibraryCloser {
  void operator()(void* handle) const noexcept { dlclose(handle); }
};
using LibraryHandle = std::unique_ptr<void, LibraryCloser>;

std::runtime_error load_error(const std::filesystem::path& path, const std::string& cause) {
  return std::runtime_error("plug-in " + path.string() + ": " + cause);
}

// The bits of `mask` below `limit` that are set, as values of E.
template <class E>
std::vector<E> from_bits(std::uint32_t mask, std::uint32_t limit) {
  std::vector<E> out;
  for (std::uint32_t bit = 0; bit < limit; ++bit)
    if (mask & (1u << bit)) out.push_back(static_cast<E>(bit));
  return out;
}

Claim read_claim(const pc_plugin& table, const std::filesystem::path& path) {
  if (table.name == nullptr) throw load_error(path, "pc_plugin.name is NULL");
  if (table.profile == nullptr) throw load_error(path, "pc_plugin.profile is NULL");
  Claim claim;
  claim.name = table.name;
  claim.profile = table.profile;
  try {
    (void)profile_by_name(claim.profile);
  } catch (const ProblemError& e) {
    throw load_error(path, std::string("claims an unknown profile: ") + e.what());
  }
  // pc_dtype and our DType enumerate the same types in the same order.
  claim.dtypes = from_bits<DType>(table.dtypes, PC_DTYPE_U8 + 1);
  claim.layouts = from_bits<Layout>(table.layouts, PC_LAYOUT_CHANNELS_FIRST + 1);
  for (int rank = 1; rank <= kMaxRank; ++rank)
    if (table.ranks & (1u << rank)) claim.ranks.push_back(rank);
  if (claim.dtypes.empty()) throw load_error(path, "claims no dtype (pc_plugin.dtypes)");
  if (claim.layouts.empty()) throw load_error(path, "claims no layout (pc_plugin.layouts)");
  if (claim.ranks.empty()) throw load_error(path, "claims no rank 1, 2 or 3 (pc_plugin.ranks)");
  if (!(table.capabilities & PC_CAP_FORWARD))
    throw load_error(path, "does not claim PC_CAP_FORWARD");
  if (table.forward == nullptr) throw load_error(path, "pc_plugin.forward is NULL");
  claim.argmax = (table.capabilities & PC_CAP_ARGMAX) != 0;
  claim.backward = (table.capabilities & PC_CAP_BACKWARD) != 0;
  claim.backward_from_x = (table.capabilities & PC_CAP_BACKWARD_FROM_X) != 0;
  if ((claim.backward || claim.backward_from_x) && table.backward == nullptr)
    throw load_error(path, "claims backward but pc_plugin.backward is NULL");
  return claim;
}

class DlopenedPlugin final : public LoadedPlugin {
 public:
  DlopenedPlugin(std::filesystem::path path, LibraryHandle library, const pc_plugin& table)
      : path_(std::move(path)),
        library_(std::move(library)),
        table_(&table),
        claim_(read_claim(table, path_)) {}

  std::string name() const override { return claim_.name; }
  const Claim& claim() const override { return claim_; }
  const pc_plugin& table() const override { return *table_; }
  const std::filesystem::path& path() const override { return path_; }

  bool covers(const Problem& problem, std::string* why) const override {
    const auto refuse = [&](std::string reason) {
      if (why) *why = std::move(reason);
      return false;
    };
    if (problem.profile().name != claim_.profile)
      return refuse("profile " + std::string(problem.profile().name) + " (it claims " +
                    claim_.profile + ")");
    if (problem.conventions() != problem.profile().conventions)
      return refuse("conventions that differ from profile " + claim_.profile);
    if (std::find(claim_.dtypes.begin(), claim_.dtypes.end(), problem.dtype()) ==
        claim_.dtypes.end())
      return refuse("dtype " + std::string(dtype_name(problem.dtype())));
    if (std::find(claim_.layouts.begin(), claim_.layouts.end(), problem.layout()) ==
        claim_.layouts.end())
      return refuse("layout " + std::string(layout_name(problem.layout(), problem.rank())));
    if (std::find(claim_.ranks.begin(), claim_.ranks.end(), problem.rank()) == claim_.ranks.end())
      return refuse("rank " + std::to_string(problem.rank()));
    return true;
  }

  void forward(const Problem& problem, ConstBuffer x, MutableBuffer y,
               std::span<std::int64_t> argmax) const override {
    check_forward_buffers(problem, problem.geometry(), x, y, argmax);
    detail::require_forward_claim(*this, problem, !argmax.empty());
    const AbiProblem abi = to_abi(problem);
    detail::throw_unless_ok(detail::call_forward(*table_, abi.problem, x.data, y.data,
                                                 argmax.empty() ? nullptr : argmax.data()),
                            claim_.name, "forward");
  }

  void backward(const Problem& problem, ConstBuffer x, std::span<const std::int64_t> argmax,
                ConstBuffer dy, MutableBuffer dx) const override {
    check_backward_buffers(problem, problem.geometry(), x, argmax, dy, dx);
    detail::require_backward_claim(*this, problem, !argmax.empty());
    const AbiProblem abi = to_abi(problem);
    std::vector<std::byte> gradient(dx.count * dtype_size(dx.dtype), std::byte{0});
    detail::throw_unless_ok(
        detail::call_backward(*table_, abi.problem, argmax.empty() ? x.data : nullptr,
                              argmax.empty() ? nullptr : argmax.data(), dy.data, gradient.data()),
        claim_.name, "backward");
    detail::accumulate_gradient(dx.dtype, gradient, dx);
  }

 private:
  std::filesystem::path path_;
  LibraryHandle library_;
  const pc_plugin* table_;
  Claim claim_;
};

}  // namespace

std::unique_ptr<LoadedPlugin> load(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) throw load_error(path, "no such file");
  // An absolute path keeps dlopen from searching LD_LIBRARY_PATH for a bare name.
  const std::filesystem::path absolute = std::filesystem::absolute(path);
  LibraryHandle library(dlopen(absolute.c_str(), RTLD_NOW | RTLD_LOCAL));
  if (!library) {
    const char* error = dlerror();
    throw load_error(path, std::string("cannot load: ") + (error ? error : "dlopen failed"));
  }
  dlerror();  // clear, so a NULL symbol is told apart from an error
  void* symbol = dlsym(library.get(), POOLCHECK_PLUGIN_ENTRY);
  if (symbol == nullptr)
    throw load_error(path, "does not export the entry function '" POOLCHECK_PLUGIN_ENTRY
                           "' (declared extern \"C\"?)");
  const auto entry = reinterpret_cast<pc_plugin_entry>(symbol);
  const pc_plugin* table = entry();
  if (table == nullptr) throw load_error(path, POOLCHECK_PLUGIN_ENTRY "() returned NULL");
  if (table->abi_version != POOLCHECK_PLUGIN_ABI_VERSION)
    throw load_error(path, "ABI version " + std::to_string(table->abi_version) +
                               ", but this poolcheck speaks version " +
                               std::to_string(POOLCHECK_PLUGIN_ABI_VERSION));
  return std::make_unique<DlopenedPlugin>(path, std::move(library), *table);
}

}  // namespace poolcheck::plugin
