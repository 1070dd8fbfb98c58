#include "poolcheck/descriptor.hpp"

#include <charconv>
#include <map>
#include <string>
#include <vector>

#include "poolcheck/error.hpp"

namespace poolcheck {
namespace {

struct ConventionField {
  std::string_view key;
  std::string_view (*name)(const Conventions&);
};

constexpr ConventionField kConventionFields[] = {
    {"nan", [](const Conventions& c) { return to_string(c.nan); }},
    {"pad", [](const Conventions& c) { return to_string(c.pad); }},
    {"init", [](const Conventions& c) { return to_string(c.initial); }},
    {"order", [](const Conventions& c) { return to_string(c.order); }},
    {"index", [](const Conventions& c) { return to_string(c.index); }},
};

// Per-axis token families: prefix + axis letter, e.g. "k" + "h" = "kh".
struct AxisFamily {
  std::string_view prefix;
  std::string_view parameter;  // name used in errors
};
constexpr AxisFamily kInput{"i", "input"};
constexpr AxisFamily kOutput{"o", "output"};
constexpr AxisFamily kKernel{"k", "kernel"};
constexpr AxisFamily kStride{"s", "stride"};
constexpr AxisFamily kDilation{"d", "dilation"};
constexpr AxisFamily kPadBegin{"pb", "pad_begin"};
constexpr AxisFamily kPadEnd{"pe", "pad_end"};
constexpr AxisFamily kPadBoth{"p", "pad"};

std::string group(const AxisFamily& family, int rank, const std::vector<std::int64_t>& values) {
  std::string s;
  const auto names = Problem::axis_names(rank);
  for (int a = 0; a < rank; ++a)
    s += std::string(family.prefix) + std::string(names[a]) + std::to_string(values[a]);
  return s;
}

std::vector<std::int64_t> column(const Dims& d, int rank) {
  std::vector<std::int64_t> v;
  for (int a = 0; a < rank; ++a) v.push_back(d[Geometry::axis_of(rank, a)]);
  return v;
}

[[noreturn]] void fail(std::string_view field, std::string_view text, const std::string& why) {
  throw ProblemError(std::string(field), std::string(text), why);
}

std::vector<std::string_view> split(std::string_view text, char sep) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t at = text.find(sep, start);
    parts.push_back(text.substr(start, at == std::string_view::npos ? at : at - start));
    if (at == std::string_view::npos) return parts;
    start = at + 1;
  }
}

bool is_lower(char c) { return c >= 'a' && c <= 'z'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

// "mb5ic3" -> {("mb", 5), ("ic", 3)}; anything else in the token is an error.
void parse_pairs(std::string_view token, std::map<std::string, std::int64_t>& into) {
  std::size_t i = 0;
  while (i < token.size()) {
    const std::size_t key_start = i;
    while (i < token.size() && is_lower(token[i])) ++i;
    const std::size_t digits_start = i;
    while (i < token.size() && is_digit(token[i])) ++i;
    const std::string key(token.substr(key_start, digits_start - key_start));
    const std::string_view digits = token.substr(digits_start, i - digits_start);
    if (key.empty() || digits.empty())
      fail("descriptor", token,
           "expected name-number pairs such as kh3 (at offset " + std::to_string(key_start) + ")");
    std::int64_t value = 0;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (ec != std::errc() || end != digits.data() + digits.size())
      fail(key, digits, "not a number that fits in 64 bits");
    if (!into.emplace(key, value).second) fail(key, digits, "given twice");
  }
}

}  // namespace

std::string to_descriptor(const Problem& p) {
  const Geometry g = p.geometry();
  const int r = g.rank;
  std::string s(p.profile().name);
  for (const auto& field : kConventionFields)
    if (field.name(p.conventions()) != field.name(p.profile().conventions))
      s += "," + std::string(field.key) + "=" + std::string(field.name(p.conventions()));
  s += ":" + std::string(dtype_name(p.dtype())) + ":" + std::string(layout_name(p.layout(), r)) +
       ":";
  s += "mb" + std::to_string(p.batch()) + "ic" + std::to_string(p.channels());
  s += "_" + group(kInput, r, column(g.in, r));
  s += "_" + group(kOutput, r, column(g.out, r));
  s += "_" + group(kKernel, r, column(g.kernel, r));
  s += "_" + group(kStride, r, column(g.stride, r));
  const auto dilation = column(g.dilation, r);
  if (dilation != std::vector<std::int64_t>(r, 1)) s += "_" + group(kDilation, r, dilation);
  if (p.padding() == Padding::explicit_pads) {
    const auto begin = column(g.pad_begin, r), end = column(g.pad_end, r);
    const std::vector<std::int64_t> zeros(r, 0);
    if (begin != zeros || end != zeros)
      s += "_" + group(kPadBegin, r, begin) + "_" + group(kPadEnd, r, end);
  }
  if (p.padding() == Padding::valid) s += "_valid";
  if (p.padding() == Padding::same_upper) s += "_same";
  if (p.padding() == Padding::same_lower) s += "_samelower";
  if (p.ceil_mode()) s += "_ceil";
  return s;
}

Problem parse_descriptor(std::string_view text) {
  const auto fields = split(text, ':');
  if (fields.size() != 4)
    fail("descriptor", text, "expected profile:dtype:layout:shape (4 fields separated by ':')");

  Problem p;
  const auto profile_parts = split(fields[0], ',');
  p.profile(profile_parts[0]);
  Conventions conventions = p.conventions();
  for (std::size_t i = 1; i < profile_parts.size(); ++i) {
    const std::string_view kv = profile_parts[i];
    const std::size_t eq = kv.find('=');
    if (eq == std::string_view::npos) fail("convention", kv, "expected key=value");
    set_convention(conventions, kv.substr(0, eq), kv.substr(eq + 1));
  }
  p.conventions(conventions);

  const std::optional<DType> dtype = dtype_from_name(fields[1]);
  if (!dtype) fail("dtype", fields[1], "unknown dtype; expected f32, f64, f16, bf16, s8 or u8");
  p.dtype(*dtype);

  std::map<std::string, std::int64_t> values;
  for (const std::string_view token : split(fields[3], '_')) {
    if (token == "valid")
      p.padding(Padding::valid);
    else if (token == "same")
      p.padding(Padding::same_upper);
    else if (token == "samelower")
      p.padding(Padding::same_lower);
    else if (token == "ceil")
      p.ceil_mode(true);
    else
      parse_pairs(token, values);
  }
  const auto take = [&](const std::string& key) -> std::optional<std::int64_t> {
    const auto it = values.find(key);
    if (it == values.end()) return std::nullopt;
    const std::int64_t v = it->second;
    values.erase(it);
    return v;
  };

  int rank = 0;
  if (values.count("iw")) rank = values.count("ih") ? (values.count("id") ? 3 : 2) : 1;
  if (rank == 0 || (rank < 3 && values.count("id")) || (rank < 2 && values.count("ih")))
    fail("shape", fields[3], "spatial input sizes must be iw, ih iw, or id ih iw");
  const auto axis_names = Problem::axis_names(rank);
  const auto family_values = [&](const AxisFamily& f) {
    std::vector<std::int64_t> v;
    for (const std::string_view axis : axis_names) {
      const auto value = take(std::string(f.prefix) + std::string(axis));
      if (value) v.push_back(*value);
    }
    if (!v.empty() && static_cast<int>(v.size()) != rank)
      fail(f.parameter, fields[3], "needs a value for every spatial axis or none");
    return v;
  };

  const std::string_view layout = fields[2];
  if (layout == layout_name(Layout::channels_last, rank))
    p.layout(Layout::channels_last);
  else if (layout == layout_name(Layout::channels_first, rank))
    p.layout(Layout::channels_first);
  else
    fail("layout", layout,
         "expected " + std::string(layout_name(Layout::channels_last, rank)) + " or " +
             std::string(layout_name(Layout::channels_first, rank)) + " for rank " +
             std::to_string(rank));

  p.batch(take("mb").value_or(1));
  p.channels(take("ic").value_or(1));
  p.input_size(family_values(kInput));
  const auto outputs = family_values(kOutput);
  const auto kernel = family_values(kKernel);
  if (kernel.empty()) fail("kernel", fields[3], "missing (e.g. kh3kw3)");
  p.kernel(kernel);
  if (auto v = family_values(kStride); !v.empty()) p.stride(v);
  if (auto v = family_values(kDilation); !v.empty()) p.dilation(v);
  const auto both = family_values(kPadBoth);
  auto begin = family_values(kPadBegin), end = family_values(kPadEnd);
  if (!both.empty()) {
    if (!begin.empty() || !end.empty()) fail("pad", fields[3], "give either p.. or pb../pe..");
    begin = end = both;
  }
  if (!begin.empty()) p.pad_begin(begin);
  if (!end.empty()) p.pad_end(end);
  if (!values.empty())
    fail(values.begin()->first, std::to_string(values.begin()->second),
         "unknown for a rank-" + std::to_string(rank) + " problem");

  const Geometry g = p.geometry();
  for (int a = 0; a < static_cast<int>(outputs.size()); ++a) {
    const std::int64_t computed = g.out[Geometry::axis_of(rank, a)];
    if (outputs[a] != computed)
      fail("output_" + std::string(axis_names[a]), std::to_string(outputs[a]),
           "does not match the computed output size " + std::to_string(computed));
  }
  return p;
}

}  // namespace poolcheck
