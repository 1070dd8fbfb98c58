#include "problem_options.hpp"

#include <charconv>

#include "poolcheck/descriptor.hpp"
#include "poolcheck/error.hpp"

namespace poolcheck::cli {
namespace {

std::string shape_text(const std::vector<std::int64_t>& shape) {
  std::string s = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + ")";
}

std::vector<std::int64_t> parse_list(const std::string& flag, const std::string& text) {
  std::vector<std::int64_t> values;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = std::min(text.find(',', start), text.size());
    const std::string_view item(text.data() + start, comma - start);
    std::int64_t v = 0;
    const auto [end, ec] = std::from_chars(item.data(), item.data() + item.size(), v);
    if (item.empty() || ec != std::errc() || end != item.data() + item.size())
      throw ProblemError(flag, text, "expected comma-separated integers such as 3,3");
    values.push_back(v);
    start = comma + 1;
  }
  return values;
}

Layout parse_layout(const std::string& text) {
  if (text == "nhwc" || text == "nwc" || text == "ndhwc" || text == "channels_last")
    return Layout::channels_last;
  if (text == "nchw" || text == "ncw" || text == "ncdhw" || text == "channels_first")
    return Layout::channels_first;
  throw ProblemError("--layout", text, "expected nhwc or nchw (nwc/ncw, ndhwc/ncdhw)");
}

}  // namespace

void ProblemFlags::add_to(CLI::App& command) {
  command.add_option(
      "--desc", descriptor,
      "The whole problem as one descriptor line, e.g. "
      "numpynet:f32:nhwc:mb5ic3_ih100iw100_kh3kw3_sh2sw2 (replaces the flags below)");
  command
      .add_option("--profile", profile,
                  "numpynet, pytorch, onnx, tensorflow, onednn, xnnpack, darknet")
      ->capture_default_str();
  command.add_option("--layout", layout, "nhwc (channels last) or nchw")->capture_default_str();
  command.add_option("--kernel", kernel, "Kernel size per spatial axis, outermost first: KX,KY");
  command.add_option("--stride", stride, "Stride per axis (default: the kernel)");
  command.add_option("--dilation", dilation, "Dilation per axis (default: 1, dense)");
  command
      .add_option("--padding", padding,
                  "valid, same, same-lower, or begin,end per axis (2-D: T,B,L,R)")
      ->capture_default_str();
  command.add_flag("--ceil", ceil,
                   "Ceil mode (PyTorch's rule drops a window starting in the end pad)");
  command.add_option(
      "--convention", conventions,
      "Override one convention of the profile: nan=..., pad=..., init=..., order=..., "
      "index=... (repeatable)");
}

Problem ProblemFlags::resolve(const std::vector<std::int64_t>& x_shape, DType dtype) const {
  Problem p;
  if (!descriptor.empty()) {
    p = parse_descriptor(descriptor);
    if (p.dtype() != dtype)
      throw ProblemError("--desc", descriptor,
                         "says dtype " + std::string(dtype_name(p.dtype())) + " but the input is " +
                             std::string(dtype_name(dtype)));
    const std::vector<std::int64_t> expected = tensor_shape(p, p.geometry().in);
    if (expected != x_shape)
      throw ProblemError(
          "--desc", descriptor,
          "needs an input of shape " + shape_text(expected) + ", got " + shape_text(x_shape));
    return p;
  }

  p.profile(profile).dtype(dtype).layout(parse_layout(layout));
  Conventions overrides = p.conventions();
  for (const std::string& kv : conventions) {
    const std::size_t eq = kv.find('=');
    if (eq == std::string::npos) throw ProblemError("--convention", kv, "expected key=value");
    set_convention(overrides, kv.substr(0, eq), kv.substr(eq + 1));
  }
  p.conventions(overrides);

  if (kernel.empty()) throw ProblemError("--kernel", "", "required (or give --desc)");
  const std::vector<std::int64_t> k = parse_list("--kernel", kernel);
  const int rank = static_cast<int>(k.size());
  if (rank < 1 || rank > kMaxRank)
    throw ProblemError("--kernel", kernel, "needs 1 to 3 values, one per spatial axis");
  if (static_cast<int>(x_shape.size()) != rank + 2)
    throw ProblemError("--kernel", kernel,
                       "has " + std::to_string(rank) + " values, so the input needs " +
                           std::to_string(rank + 2) + " dimensions; it has shape " +
                           shape_text(x_shape));
  const bool last = p.layout() == Layout::channels_last;
  p.batch(x_shape.front()).channels(last ? x_shape.back() : x_shape[1]);
  const auto spatial = std::span(x_shape).subspan(last ? 1 : 2, static_cast<std::size_t>(rank));
  p.input_size(spatial).kernel(k);
  if (!stride.empty()) p.stride(parse_list("--stride", stride));
  if (!dilation.empty()) p.dilation(parse_list("--dilation", dilation));
  p.ceil_mode(ceil);

  if (padding == "valid") {
    p.padding(Padding::valid);
  } else if (padding == "same") {
    p.padding(Padding::same_upper);
  } else if (padding == "same-lower") {
    p.padding(Padding::same_lower);
  } else {
    const std::vector<std::int64_t> pads = parse_list("--padding", padding);
    if (static_cast<int>(pads.size()) != 2 * rank)
      throw ProblemError("--padding", padding,
                         "expected valid, same, same-lower or " + std::to_string(2 * rank) +
                             " integers (begin,end for each spatial axis)");
    std::vector<std::int64_t> begin, end;
    for (int a = 0; a < rank; ++a) {
      begin.push_back(pads[2 * a]);
      end.push_back(pads[2 * a + 1]);
    }
    p.padding(Padding::explicit_pads).pad_begin(begin).pad_end(end);
  }
  p.geometry();  // validate now, so errors name the flags' values
  return p;
}

}  // namespace poolcheck::cli
