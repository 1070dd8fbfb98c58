// Reading and writing NumPy .npy files (format versions 1.0, 2.0 and 3.0).
//
// The reader is the part of poolcheck that sees untrusted input: users pass their
// own files to `poolcheck ref`. It therefore validates every field before using
// it, never allocates from a size it has not checked against the bytes actually
// present, and reports every problem as an NpyError whose message starts with
// the file name. The byte-level entry point (deserialize) is the fuzzing target.
//
// Format reference: numpy/lib/format.py and NEP 1
// (https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html).
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <ranges>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "poolcheck/dtype.hpp"

namespace poolcheck::npy {

// Any malformed, unsupported or unreadable file, and any failed write. The
// message names the file and the problem ("x.npy: bad magic").
class NpyError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The element type of a .npy file: one of the problem's DTypes, or int64 for the
// argmax arrays (which are indices, not pool values, so they are not a DType).
enum class ElementType { f32, f64, f16, bf16, s8, u8, i64 };

ElementType to_element_type(DType dtype) noexcept;
// The DType an element type corresponds to; nullopt for i64.
std::optional<DType> to_dtype(ElementType type) noexcept;
// Bytes per element: 4, 8, 2, 2, 1, 1, 8.
std::size_t element_size(ElementType type) noexcept;
// "f32", "f64", "f16", "bf16", "s8", "u8", "i64".
std::string_view element_type_name(ElementType type) noexcept;

// The descr written for each type: "<f4", "<f8", "<f2", "<V2" (bf16, as
// ml_dtypes saves it), "|i1", "|u1", "<i8".
std::string_view npy_descr(ElementType type) noexcept;

// numpy's own limit on dimensions (NPY_MAXDIMS); files with more are rejected.
inline constexpr std::size_t kMaxDims = 32;
// Headers longer than this are rejected whatever the length field says, so a
// hostile length can neither make us allocate nor parse a huge header.
inline constexpr std::size_t kMaxHeaderBytes = std::size_t{1} << 20;

// A dense array. `data` always holds native (little-endian) elements in C
// (row-major) order, whatever byte order and layout the file had.
struct Array {
  ElementType type = ElementType::f32;
  std::vector<std::int64_t> shape;  // empty = 0-d scalar (one element)
  std::vector<std::byte> data;

  // Product of the dims (1 for a 0-d array). Throws NpyError if a dim is
  // negative or the product overflows, which only a hand-built Array can have.
  std::int64_t element_count() const;

  // The elements as T. Throws NpyError unless sizeof(T) is the element size and
  // `data` holds exactly element_count() elements.
  template <class T>
  std::span<const T> as() const {
    static_assert(std::is_trivially_copyable_v<T>, "elements are raw bytes");
    const std::size_t count = checked_view_count(sizeof(T), alignof(T));
    // The vector's buffer comes from operator new, so it is aligned for any
    // fundamental type; checked_view_count verifies that anyway.
    return {reinterpret_cast<const T*>(data.data()), count};
  }

  bool operator==(const Array&) const = default;

 private:
  std::size_t checked_view_count(std::size_t size, std::size_t alignment) const;
};

// Builds an Array from typed values (any contiguous range: vector, array, span).
// Throws NpyError if sizeof(value) is not the element size of `type` or the
// number of values does not match the shape.
template <std::ranges::contiguous_range Range>
requires std::ranges::sized_range<Range> Array make_array(ElementType type,
                                                          std::vector<std::int64_t> shape,
                                                          const Range& values) {
  using T = std::ranges::range_value_t<Range>;
  static_assert(std::is_trivially_copyable_v<T>, "elements are raw bytes");
  Array array{type, std::move(shape), {}};
  const auto bytes =
      std::as_bytes(std::span<const T>(std::ranges::data(values), std::ranges::size(values)));
  array.data.assign(bytes.begin(), bytes.end());
  static_cast<void>(array.as<T>());  // validates element size and count
  return array;
}

// Python-style shape text as in numpy headers: "()", "(5,)", "(2, 3)".
std::string format_shape(std::span<const std::int64_t> shape);

// Decodes a whole .npy file held in memory. `name` only labels error messages.
// `expected`: if set, the file must hold this element type; it is also the only
// way to read raw 2-byte void data ('<V2', '|V2', '>V2': how ml_dtypes saves
// bfloat16) as bf16, since the descr alone cannot say what those bytes are.
Array deserialize(std::span<const std::byte> bytes, std::string_view name,
                  std::optional<ElementType> expected = std::nullopt);

// Reads and decodes a file; errors are labelled with the path.
Array read(const std::filesystem::path& path, std::optional<ElementType> expected = std::nullopt);

// Encodes as numpy 1.24's np.save does: format 1.0 (2.0 if the header does not
// fit), little-endian, C order, header padded to a multiple of 64 bytes.
// Throws NpyError if the array is inconsistent (shape vs. data size).
std::vector<std::byte> serialize(const Array& array);

// Writes atomically: the bytes go to a temporary file in the same directory,
// which is then renamed over `path`, so a failure never leaves a partial file
// (nor the temporary) behind. Throws NpyError naming `path` on failure.
void write(const std::filesystem::path& path, const Array& array);

}  // namespace poolcheck::npy
