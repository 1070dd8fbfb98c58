#include "poolcheck/conventions.hpp"

#include <array>
#include <string>
#include <utility>

#include "poolcheck/error.hpp"

namespace poolcheck {
namespace {

// One table per convention: the name used in descriptors and on the command
// line for each value. to_string and set_convention both read it.

constexpr std::pair<NanRule, std::string_view> kNanNames[] = {
    {NanRule::ignore, "ignore"},
    {NanRule::propagate, "propagate"},
    {NanRule::skip, "skip"},
    {NanRule::unspecified, "unspecified"}};
constexpr std::pair<PadCells, std::string_view> kPadNames[] = {
    {PadCells::nan, "nan"}, {PadCells::excluded, "excluded"}, {PadCells::border, "border"}};
constexpr std::pair<Initial, std::string_view> kInitialNames[] = {
    {Initial::first_candidate, "first"},
    {Initial::lowest_at_first_tap, "lowest-tap0"},
    {Initial::lowest_no_index, "lowest-none"}};
constexpr std::pair<ScanOrder, std::string_view> kOrderNames[] = {{ScanOrder::row_major, "row"},
                                                                  {ScanOrder::column_major, "col"}};
constexpr std::pair<IndexFormat, std::string_view> kIndexNames[] = {
    {IndexFormat::window, "window"},
    {IndexFormat::window_col_major, "window-col"},
    {IndexFormat::plane, "plane"},
    {IndexFormat::tensor, "tensor"},
    {IndexFormat::tensor_col_major, "tensor-col"},
    {IndexFormat::nhwc, "nhwc"},
    {IndexFormat::nhwc_batch, "nhwc-batch"},
    {IndexFormat::memory, "memory"}};

template <class E, std::size_t N>
std::string_view name_of(const std::pair<E, std::string_view> (&table)[N], E value) noexcept {
  for (const auto& [v, name] : table)
    if (v == value) return name;
  return "?";
}

template <class E, std::size_t N>
E value_of(const std::pair<E, std::string_view> (&table)[N], std::string_view key,
           std::string_view text) {
  std::string known;
  for (const auto& [v, name] : table) {
    if (name == text) return v;
    known += known.empty() ? "" : ", ";
    known += name;
  }
  throw ProblemError(std::string(key), std::string(text),
                     "unknown value; expected one of " + known);
}

}  // namespace

std::string_view to_string(NanRule v) noexcept { return name_of(kNanNames, v); }
std::string_view to_string(PadCells v) noexcept { return name_of(kPadNames, v); }
std::string_view to_string(Initial v) noexcept { return name_of(kInitialNames, v); }
std::string_view to_string(ScanOrder v) noexcept { return name_of(kOrderNames, v); }
std::string_view to_string(IndexFormat v) noexcept { return name_of(kIndexNames, v); }

void set_convention(Conventions& conventions, std::string_view key, std::string_view value) {
  if (key == "nan")
    conventions.nan = value_of(kNanNames, key, value);
  else if (key == "pad")
    conventions.pad = value_of(kPadNames, key, value);
  else if (key == "init")
    conventions.initial = value_of(kInitialNames, key, value);
  else if (key == "order")
    conventions.order = value_of(kOrderNames, key, value);
  else if (key == "index")
    conventions.index = value_of(kIndexNames, key, value);
  else
    throw ProblemError("convention", std::string(key),
                       "unknown convention; expected nan, pad, init, order or index");
}

}  // namespace poolcheck
