// .npy reading and writing; see npy.hpp for the contract.
//
// Layout of a .npy file (numpy/lib/format.py):
//   "\x93NUMPY" major minor   8 bytes
//   header length             uint16 LE (1.0) or uint32 LE (2.0, 3.0)
//   header                    a Python dict literal, space padded, ending in '\n'
//   data                      the elements, raw
#include "poolcheck/npy.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <limits>
#include <string>
#include <system_error>
#include <utility>

namespace poolcheck::npy {
namespace {

// Array::data is defined as native little-endian; on a big-endian host every
// "native" below would be wrong, so refuse to build there rather than guess.
static_assert(std::endian::native == std::endian::little,
              "poolcheck::npy assumes a little-endian host");

constexpr std::array<unsigned char, 6> kMagic = {0x93, 'N', 'U', 'M', 'P', 'Y'};
constexpr std::size_t kVersionEnd = kMagic.size() + 2;  // magic + major + minor
// numpy pads the preamble to this so the data can be memory-mapped aligned.
constexpr std::size_t kArrayAlign = 64;
// numpy >= 1.24 leaves room after the header dict for the first axis to grow
// to this many digits (GROWTH_AXIS_MAX_DIGITS in format.py); we match it so our
// output is byte-identical to np.save.
constexpr std::size_t kGrowthAxisMaxDigits = 21;
// Messages quote at most this much of untrusted text.
constexpr std::size_t kMaxQuoted = 40;

[[noreturn]] void fail(std::string_view name, std::string_view what) {
  std::string message(name);
  message += ": ";
  message += what;
  throw NpyError(message);
}

std::string errno_text(int error) { return std::generic_category().message(error); }

// Untrusted text made safe and short for an error message.
std::string excerpt(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (const char c : text.substr(0, kMaxQuoted)) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u < 0x7f && c != '\\') {
      out += c;
    } else {
      out += "\\x";
      out += kHex[u >> 4];
      out += kHex[u & 0xf];
    }
  }
  if (text.size() > kMaxQuoted) out += "...";
  return out;
}

// ---------------------------------------------------------------------------
// Element types and shapes

struct TypeInfo {
  ElementType type;
  std::string_view name;
  std::string_view descr;  // as written
  std::size_t size;
};

constexpr TypeInfo kTypes[] = {
    {ElementType::f32, "f32", "<f4", 4}, {ElementType::f64, "f64", "<f8", 8},
    {ElementType::f16, "f16", "<f2", 2}, {ElementType::bf16, "bf16", "<V2", 2},
    {ElementType::s8, "s8", "|i1", 1},   {ElementType::u8, "u8", "|u1", 1},
    {ElementType::i64, "i64", "<i8", 8},
};

const TypeInfo& info(ElementType type) noexcept {
  for (const TypeInfo& t : kTypes) {
    if (t.type == type) return t;
  }
  return kTypes[0];  // unreachable for a valid enumerator
}

// Why `shape` cannot describe an array of `element_bytes`-sized elements, or
// nullopt with the data size stored in `bytes`. The overflow check multiplies
// max(dim, 1), so that whether a shape is accepted does not depend on whether a
// zero happens to come before the huge dims.
std::optional<std::string> shape_problem(std::span<const std::int64_t> shape,
                                         std::size_t element_bytes, std::uint64_t& bytes) {
  if (shape.size() > kMaxDims) {
    return "shape has " + std::to_string(shape.size()) + " dimensions, more than the " +
           std::to_string(kMaxDims) + " numpy supports";
  }
  std::int64_t extent = static_cast<std::int64_t>(element_bytes);
  bool empty = false;
  for (const std::int64_t dim : shape) {
    if (dim < 0) return "shape " + format_shape(shape) + " has a negative dimension";
    empty = empty || dim == 0;
    if (__builtin_mul_overflow(extent, std::max<std::int64_t>(dim, 1), &extent)) {
      return "shape " + format_shape(shape) + " is too large: its byte size overflows 64 bits";
    }
  }
  bytes = empty ? 0 : static_cast<std::uint64_t>(extent);
  return std::nullopt;
}

// ---------------------------------------------------------------------------
// Preamble

struct Preamble {
  std::size_t header_offset;  // where the header text starts
  std::size_t header_length;
  bool allows_long_suffix;  // versions 1.0/2.0 may come from Python 2 ("3L")
};

std::uint32_t little_endian_uint(std::span<const std::byte> bytes) {
  std::uint32_t value = 0;
  for (auto it = bytes.rbegin(); it != bytes.rend(); ++it) {
    value = (value << 8) | std::to_integer<std::uint32_t>(*it);
  }
  return value;
}

Preamble parse_preamble(std::span<const std::byte> bytes, std::string_view name) {
  const std::size_t compared = std::min(bytes.size(), kMagic.size());
  for (std::size_t i = 0; i < compared; ++i) {
    if (std::to_integer<unsigned char>(bytes[i]) != kMagic[i]) {
      fail(name, "bad magic: not a .npy file");
    }
  }
  if (bytes.size() < kVersionEnd) {
    fail(name, "truncated: file has " + std::to_string(bytes.size()) +
                   " bytes, too short for the .npy preamble");
  }
  const auto major = std::to_integer<unsigned>(bytes[6]);
  const auto minor = std::to_integer<unsigned>(bytes[7]);
  if (major < 1 || major > 3 || minor != 0) {
    fail(name, "unsupported format version " + std::to_string(major) + "." + std::to_string(minor) +
                   " (supported: 1.0, 2.0, 3.0)");
  }
  const std::size_t length_bytes = major == 1 ? 2 : 4;
  const std::size_t header_offset = kVersionEnd + length_bytes;
  if (bytes.size() < header_offset) fail(name, "truncated: file ends inside the header length");
  const std::size_t length = little_endian_uint(bytes.subspan(kVersionEnd, length_bytes));
  if (length > kMaxHeaderBytes) {
    fail(name, "header length " + std::to_string(length) + " exceeds the limit " +
                   std::to_string(kMaxHeaderBytes));
  }
  if (length > bytes.size() - header_offset) {
    fail(name, "truncated header: header length is " + std::to_string(length) +
                   " bytes, file has " + std::to_string(bytes.size() - header_offset) +
                   " after the preamble");
  }
  return {header_offset, length, major <= 2};
}

// ---------------------------------------------------------------------------
// Header dict: the subset of Python literal syntax numpy writes, e.g.
//   {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
// Keys in any order, ' or " strings, any whitespace, optional trailing commas.
// Everything else (escapes, lists, nested dicts, other keys) is rejected.

struct Header {
  std::string descr;
  bool fortran_order;
  std::vector<std::int64_t> shape;
};

class HeaderParser {
 public:
  HeaderParser(std::string_view text, std::string_view name, bool allows_long_suffix)
      : text_(text), name_(name), allows_long_suffix_(allows_long_suffix) {}

  Header parse() {
    std::optional<std::string> descr;
    std::optional<bool> fortran_order;
    std::optional<std::vector<std::int64_t>> shape;
    skip_space();
    expect('{', "expected '{' at the start of the header dict");
    skip_space();
    while (!consume('}')) {
      const std::string_view key = parse_string("a key");
      skip_space();
      expect(':', "expected ':' after key '" + std::string(key) + "'");
      skip_space();
      if (key == "descr") {
        reject_duplicate(descr.has_value(), key);
        descr = parse_descr();
      } else if (key == "fortran_order") {
        reject_duplicate(fortran_order.has_value(), key);
        fortran_order = parse_bool();
      } else if (key == "shape") {
        reject_duplicate(shape.has_value(), key);
        shape = parse_shape();
      } else {
        fail_here("unexpected key '" + excerpt(key) +
                  "' (allowed: 'descr', 'fortran_order', 'shape')");
      }
      skip_space();
      if (!consume(',')) {
        expect('}', "expected ',' or '}' after the value of '" + std::string(key) + "'");
        break;
      }
      skip_space();
    }
    skip_space();
    if (pos_ != text_.size()) fail_here("unexpected text after the header dict");
    if (!descr) fail(name_, "header has no 'descr' key");
    if (!fortran_order) fail(name_, "header has no 'fortran_order' key");
    if (!shape) fail(name_, "header has no 'shape' key");
    return {std::move(*descr), *fortran_order, std::move(*shape)};
  }

 private:
  [[noreturn]] void fail_here(const std::string& what) const {
    fail(name_, "malformed header: " + what + " at offset " + std::to_string(pos_) + " (near \"" +
                    excerpt(text_.substr(pos_)) + "\")");
  }

  void reject_duplicate(bool seen, std::string_view key) const {
    if (seen) fail_here("duplicate key '" + std::string(key) + "'");
  }

  bool at_end() const { return pos_ >= text_.size(); }
  char peek() const { return at_end() ? '\0' : text_[pos_]; }

  static bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
  }
  static bool is_digit(char c) { return c >= '0' && c <= '9'; }
  static bool is_identifier_char(char c) {
    return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
  }

  void skip_space() {
    while (!at_end() && is_space(text_[pos_])) ++pos_;
  }

  bool consume(char c) {
    if (at_end() || text_[pos_] != c) return false;
    ++pos_;
    return true;
  }

  void expect(char c, const std::string& what) {
    if (!consume(c)) fail_here(what);
  }

  // A quoted string of printable ASCII without escapes; `what` names it for errors.
  std::string_view parse_string(std::string_view what) {
    const char quote = peek();
    if (quote != '\'' && quote != '"')
      fail_here("expected a quoted string for " + std::string(what));
    const std::size_t start = ++pos_;
    while (!at_end() && text_[pos_] != quote) {
      const auto c = static_cast<unsigned char>(text_[pos_]);
      if (c < 0x20 || c >= 0x7f || c == '\\') {
        fail_here("unsupported character in a string (only printable ASCII, no escapes)");
      }
      ++pos_;
    }
    if (at_end()) fail_here("unterminated string");
    ++pos_;  // closing quote
    return text_.substr(start, pos_ - 1 - start);
  }

  std::string parse_descr() {
    // A list here is a structured dtype ([('x', '<f4'), ...]), which pooling
    // never uses; say so rather than "expected a string".
    if (peek() == '[')
      fail(name_, "unsupported dtype: structured (record) arrays are not supported");
    return std::string(parse_string("'descr'"));
  }

  bool parse_bool() {
    const std::size_t start = pos_;
    while (!at_end() && is_identifier_char(text_[pos_])) ++pos_;
    const std::string_view word = text_.substr(start, pos_ - start);
    if (word == "True") return true;
    if (word == "False") return false;
    pos_ = start;
    fail_here("'fortran_order' must be True or False");
  }

  std::vector<std::int64_t> parse_shape() {
    if (peek() == '[') fail_here("'shape' must be a tuple, not a list");
    expect('(', "'shape' must be a tuple of integers");
    std::vector<std::int64_t> dims;
    skip_space();
    if (consume(')')) return dims;  // () = 0-d array
    while (true) {
      // Bounds the work a hostile header can cause; the count is checked
      // properly (with a better message) in shape_problem.
      if (dims.size() > kMaxDims)
        fail_here("'shape' has more than " + std::to_string(kMaxDims) + " dimensions");
      dims.push_back(parse_int());
      skip_space();
      if (consume(',')) {
        skip_space();
        if (consume(')')) return dims;
        continue;
      }
      expect(')', "expected ',' or ')' in 'shape'");
      // In Python "(5)" is the integer 5, not a tuple; numpy rejects it too.
      if (dims.size() == 1) fail_here("'shape' (n) is not a tuple; a 1-d shape is written (n,)");
      return dims;
    }
  }

  std::int64_t parse_int() {
    const bool negative = consume('-');
    if (!is_digit(peek())) fail_here("expected an integer in 'shape'");
    const std::size_t start = pos_;
    // Magnitudes up to 2^63 fit, so that -2^63 parses (and is then rejected as
    // negative, with a clearer message than "too large").
    constexpr std::uint64_t kLimit = std::uint64_t{1} << 63;
    std::uint64_t magnitude = 0;
    bool too_large = false;
    while (is_digit(peek())) {
      const auto digit = static_cast<std::uint64_t>(text_[pos_] - '0');
      too_large = too_large || magnitude > (kLimit - digit) / 10;
      if (!too_large) magnitude = magnitude * 10 + digit;
      ++pos_;
    }
    if (pos_ - start > 1 && text_[start] == '0') {
      pos_ = start;
      fail_here("integers with leading zeros are not valid Python");
    }
    if (too_large || (!negative && magnitude == kLimit)) {
      pos_ = start;
      fail_here("dimension does not fit in 64 bits");
    }
    if (allows_long_suffix_) consume('L');  // Python 2 long literal, as numpy accepts
    if (is_identifier_char(peek())) fail_here("unexpected character after an integer");
    if (!negative) return static_cast<std::int64_t>(magnitude);
    // -(2^63) would overflow if negated as int64; compute it as 0 - m in unsigned
    // arithmetic and convert (well defined since C++20).
    return static_cast<std::int64_t>(std::uint64_t{0} - magnitude);
  }

  std::string_view text_;
  std::string_view name_;
  bool allows_long_suffix_;
  std::size_t pos_ = 0;
};

// ---------------------------------------------------------------------------
// descr: byte order character + kind + size, e.g. "<f4".

struct FileType {
  ElementType type;
  bool big_endian;
};

constexpr std::string_view kSupported =
    "(supported: <f4 <f8 <f2 |i1 |u1 <i8, either byte order, and <V2 as bf16)";

FileType interpret_descr(std::string_view descr, std::optional<ElementType> expected,
                         std::string_view name) {
  const std::string quoted = "'" + excerpt(descr) + "'";
  static constexpr std::string_view kOrders = "<>|=";
  if (descr.size() != 3 || kOrders.find(descr[0]) == std::string_view::npos) {
    fail(name, "unsupported dtype " + quoted + " " + std::string(kSupported));
  }
  const std::string_view code = descr.substr(1);
  const auto known = std::find_if(std::begin(kTypes), std::end(kTypes),
                                  [&](const TypeInfo& t) { return t.descr.substr(1) == code; });
  if (known == std::end(kTypes)) {
    fail(name, "unsupported dtype " + quoted + " " + std::string(kSupported));
  }
  // '|' ("not applicable") and '=' (native) on a multi-byte type mean the
  // writer's native order; numpy itself reads them as native, and every
  // platform numpy supports in practice is little-endian.
  const FileType file{known->type, descr[0] == '>' && known->size > 1};
  if (file.type == ElementType::bf16 && expected != ElementType::bf16) {
    // numpy has no bfloat16; ml_dtypes saves it as untyped 2-byte void, so
    // only the caller can say these bytes are bf16.
    fail(name,
         "dtype " + quoted +
             " is untyped 2-byte data (how ml_dtypes saves bfloat16); it is read only "
             "when bf16 is the expected element type" +
             (expected ? ", but " + std::string(element_type_name(*expected)) + " was expected"
                       : ""));
  }
  if (expected && *expected != file.type) {
    fail(name, "holds " + std::string(element_type_name(file.type)) + " data (dtype " + quoted +
                   "), expected " + std::string(element_type_name(*expected)));
  }
  return file;
}

// ---------------------------------------------------------------------------
// Data conversion

void swap_bytes(std::span<std::byte> data, std::size_t element_bytes) {
  for (std::size_t i = 0; i + element_bytes <= data.size(); i += element_bytes) {
    std::reverse(data.begin() + static_cast<std::ptrdiff_t>(i),
                 data.begin() + static_cast<std::ptrdiff_t>(i + element_bytes));
  }
}

// Fortran (column-major) to C (row-major) order. Walks the output in C order
// with an odometer over the index, keeping the matching Fortran offset, so it
// needs no recursion and no per-element division. `shape` has no zero dims and
// its byte size has been checked, so no arithmetic here can overflow.
std::vector<std::byte> fortran_to_c(std::span<const std::byte> source,
                                    std::span<const std::int64_t> shape,
                                    std::size_t element_bytes) {
  const std::size_t rank = shape.size();
  std::vector<std::size_t> extent(rank);
  std::vector<std::size_t> stride(rank);  // Fortran strides, in elements
  std::size_t count = 1;
  for (std::size_t k = 0; k < rank; ++k) {
    extent[k] = static_cast<std::size_t>(shape[k]);
    stride[k] = count;
    count *= extent[k];
  }
  std::vector<std::byte> out(source.size());
  std::vector<std::size_t> index(rank, 0);
  std::size_t from = 0;  // Fortran offset of `index`, in elements
  for (std::size_t to = 0; to < count; ++to) {
    std::copy_n(source.begin() + static_cast<std::ptrdiff_t>(from * element_bytes), element_bytes,
                out.begin() + static_cast<std::ptrdiff_t>(to * element_bytes));
    for (std::size_t k = rank; k-- > 0;) {  // C order: the last axis moves fastest
      if (++index[k] < extent[k]) {
        from += stride[k];
        break;
      }
      from -= (extent[k] - 1) * stride[k];
      index[k] = 0;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------
// Files

// Owns a POSIX file descriptor.
class Fd {
 public:
  explicit Fd(int fd) noexcept : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const noexcept { return fd_; }
  bool valid() const noexcept { return fd_ >= 0; }
  // Closes now, reporting the error that a destructor would have to swallow
  // (for writes on some filesystems, the first report of a failed write).
  int close() noexcept {
    const int result = ::close(std::exchange(fd_, -1));
    return result == 0 ? 0 : errno;
  }

 private:
  int fd_;
};

std::vector<std::byte> read_whole_file(const std::filesystem::path& path, std::string_view name) {
  const Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) fail(name, "cannot open: " + errno_text(errno));
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) fail(name, "cannot stat: " + errno_text(errno));
  if (S_ISDIR(st.st_mode)) fail(name, "is a directory");
  std::vector<std::byte> bytes;
  // The size of a regular file is real, so reserving it is safe; other files
  // (pipes) grow the buffer only as bytes actually arrive.
  if (S_ISREG(st.st_mode) && st.st_size > 0) bytes.reserve(static_cast<std::size_t>(st.st_size));
  constexpr std::size_t kChunk = std::size_t{1} << 16;
  while (true) {
    const std::size_t old_size = bytes.size();
    bytes.resize(old_size + kChunk);
    const ssize_t got = ::read(fd.get(), bytes.data() + old_size, kChunk);
    if (got < 0 && errno == EINTR) {
      bytes.resize(old_size);
      continue;
    }
    if (got < 0) fail(name, "cannot read: " + errno_text(errno));
    bytes.resize(old_size + static_cast<std::size_t>(got));
    if (got == 0) return bytes;
  }
}

// A temporary file beside the target, removed on destruction unless it has
// been renamed over the target.
class TempFile {
 public:
  TempFile(const std::filesystem::path& target, std::string_view name) : name_(name) {
    const std::filesystem::path dir = target.has_parent_path() ? target.parent_path() : ".";
    // Short enough that the name stays under NAME_MAX (255) with the suffix.
    const std::string base = target.filename().string().substr(0, 100);
    static std::atomic<unsigned> counter{0};
    int last_error = 0;
    for (int attempt = 0; attempt < 100; ++attempt) {
      const auto tick = std::chrono::steady_clock::now().time_since_epoch().count();
      path_ = dir / ("." + base + ".tmp-" + std::to_string(::getpid()) + "-" +
                     std::to_string(counter.fetch_add(1)) + "-" +
                     std::to_string(static_cast<std::uint64_t>(tick) % 1000000007u));
      // O_EXCL: never reuse (or follow a symlink to) an existing file. Mode
      // 0666 so the umask decides the final permissions, as for np.save.
      const int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
      if (fd >= 0) {
        fd_ = fd;
        return;
      }
      last_error = errno;
      if (last_error != EEXIST) break;
    }
    path_.clear();
    fail(name_,
         "cannot create a temporary file in '" + dir.string() + "': " + errno_text(last_error));
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  ~TempFile() {
    if (fd_ >= 0) ::close(fd_);
    if (!path_.empty()) ::unlink(path_.c_str());
  }

  void write_all(std::span<const std::byte> bytes) {
    while (!bytes.empty()) {
      const ssize_t written = ::write(fd_, bytes.data(), bytes.size());
      if (written < 0 && errno == EINTR) continue;
      if (written < 0) fail(name_, "cannot write: " + errno_text(errno));
      bytes = bytes.subspan(static_cast<std::size_t>(written));
    }
  }

  // Makes the content durable, then replaces the target in one step.
  void commit(const std::filesystem::path& target) {
    if (::fsync(fd_) != 0) fail(name_, "cannot sync: " + errno_text(errno));
    const int error = Fd(std::exchange(fd_, -1)).close();
    if (error != 0) fail(name_, "cannot write: " + errno_text(error));
    if (::rename(path_.c_str(), target.c_str()) != 0) {
      fail(name_, "cannot rename the temporary file into place: " + errno_text(errno));
    }
    path_.clear();  // it is the target now; nothing to clean up
  }

 private:
  std::string name_;
  std::filesystem::path path_;
  int fd_ = -1;
};

// Makes a rename in the target's directory durable. Best effort: the file is
// complete either way, and some filesystems cannot sync directories.
void sync_directory(const std::filesystem::path& target) {
  const std::filesystem::path dir = target.has_parent_path() ? target.parent_path() : ".";
  const Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.valid()) static_cast<void>(::fsync(fd.get()));
}

}  // namespace

// ---------------------------------------------------------------------------
// Public API

ElementType to_element_type(DType dtype) noexcept {
  switch (dtype) {
    case DType::f32:
      return ElementType::f32;
    case DType::f64:
      return ElementType::f64;
    case DType::f16:
      return ElementType::f16;
    case DType::bf16:
      return ElementType::bf16;
    case DType::s8:
      return ElementType::s8;
    case DType::u8:
      return ElementType::u8;
  }
  return ElementType::f32;  // unreachable for a valid enumerator
}

std::optional<DType> to_dtype(ElementType type) noexcept {
  switch (type) {
    case ElementType::f32:
      return DType::f32;
    case ElementType::f64:
      return DType::f64;
    case ElementType::f16:
      return DType::f16;
    case ElementType::bf16:
      return DType::bf16;
    case ElementType::s8:
      return DType::s8;
    case ElementType::u8:
      return DType::u8;
    case ElementType::i64:
      return std::nullopt;
  }
  return std::nullopt;
}

std::size_t element_size(ElementType type) noexcept { return info(type).size; }
std::string_view element_type_name(ElementType type) noexcept { return info(type).name; }
std::string_view npy_descr(ElementType type) noexcept { return info(type).descr; }

std::string format_shape(std::span<const std::int64_t> shape) {
  std::string out = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (i > 0) out += ", ";
    out += std::to_string(shape[i]);
  }
  if (shape.size() == 1) out += ',';
  out += ')';
  return out;
}

std::int64_t Array::element_count() const {
  std::uint64_t bytes = 0;
  if (const auto problem = shape_problem(shape, 1, bytes)) throw NpyError("array " + *problem);
  return static_cast<std::int64_t>(bytes);
}

std::size_t Array::checked_view_count(std::size_t size, std::size_t alignment) const {
  if (size != element_size(type)) {
    throw NpyError("cannot view " + std::string(element_type_name(type)) + " elements (" +
                   std::to_string(element_size(type)) + " bytes) as a " + std::to_string(size) +
                   "-byte type");
  }
  const auto count = static_cast<std::uint64_t>(element_count());
  // count * size fits: element_count checked count * 1, and shape_problem in
  // serialize/deserialize checks the product with the real size; be safe here.
  std::uint64_t needed = 0;
  if (__builtin_mul_overflow(count, static_cast<std::uint64_t>(size), &needed) ||
      needed != data.size()) {
    throw NpyError("array data has " + std::to_string(data.size()) + " bytes, but shape " +
                   format_shape(shape) + " of " + std::string(element_type_name(type)) + " needs " +
                   std::to_string(count) + " x " + std::to_string(size));
  }
  if (reinterpret_cast<std::uintptr_t>(data.data()) % alignment != 0) {
    throw NpyError("array data is not aligned for the element type");
  }
  return static_cast<std::size_t>(count);
}

Array deserialize(std::span<const std::byte> bytes, std::string_view name,
                  std::optional<ElementType> expected) {
  const Preamble preamble = parse_preamble(bytes, name);
  // The parser accepts printable ASCII only, so the latin1 (1.0, 2.0) and
  // utf8 (3.0) header encodings need no separate handling.
  const auto header_bytes = bytes.subspan(preamble.header_offset, preamble.header_length);
  const std::string_view text(reinterpret_cast<const char*>(header_bytes.data()),
                              header_bytes.size());
  Header header = HeaderParser(text, name, preamble.allows_long_suffix).parse();
  const FileType file = interpret_descr(header.descr, expected, name);

  const std::size_t element_bytes = element_size(file.type);
  std::uint64_t needed = 0;
  if (const auto problem = shape_problem(header.shape, element_bytes, needed)) fail(name, *problem);
  const auto payload = bytes.subspan(preamble.header_offset + preamble.header_length);
  if (payload.size() != needed) {
    const std::string sizes = "shape " + format_shape(header.shape) + " needs " +
                              std::to_string(needed) + " bytes of data, file has " +
                              std::to_string(payload.size());
    fail(name, payload.size() < needed ? "truncated: " + sizes
                                       : sizes + " (trailing bytes after the data)");
  }

  Array array{file.type, std::move(header.shape), {payload.begin(), payload.end()}};
  if (file.big_endian) swap_bytes(array.data, element_bytes);
  // 0-d and 1-d arrays are the same in both orders; empty ones have no data.
  if (header.fortran_order && array.shape.size() > 1 && !array.data.empty()) {
    array.data = fortran_to_c(array.data, array.shape, element_bytes);
  }
  return array;
}

Array read(const std::filesystem::path& path, std::optional<ElementType> expected) {
  const std::string name = path.string();
  const std::vector<std::byte> bytes = read_whole_file(path, name);
  return deserialize(bytes, name, expected);
}

std::vector<std::byte> serialize(const Array& array) {
  std::uint64_t needed = 0;
  if (const auto problem = shape_problem(array.shape, element_size(array.type), needed)) {
    throw NpyError("cannot serialize: " + *problem);
  }
  if (needed != array.data.size()) {
    throw NpyError("cannot serialize: shape " + format_shape(array.shape) + " of " +
                   std::string(element_type_name(array.type)) + " needs " + std::to_string(needed) +
                   " bytes of data, array has " + std::to_string(array.data.size()));
  }

  // Exactly numpy 1.24's text: keys sorted, repr() values, ", " after each.
  std::string header = "{'descr': '" + std::string(npy_descr(array.type)) +
                       "', 'fortran_order': False, 'shape': " + format_shape(array.shape) + ", }";
  if (!array.shape.empty()) {
    const std::size_t digits = std::to_string(array.shape.front()).size();
    header.append(kGrowthAxisMaxDigits - std::min(digits, kGrowthAxisMaxDigits), ' ');
  }
  // Pad with spaces, then '\n', to a multiple of kArrayAlign; like numpy, a
  // header that is already aligned still gets a full kArrayAlign of padding.
  const auto padded_length = [&](std::size_t prefix) {
    const std::size_t length = header.size() + 1;  // + '\n'
    return length + kArrayAlign - (prefix + length) % kArrayAlign;
  };
  const bool version1 = padded_length(kVersionEnd + 2) <= std::numeric_limits<std::uint16_t>::max();
  const std::size_t length_bytes = version1 ? 2 : 4;
  const std::size_t length = padded_length(kVersionEnd + length_bytes);

  std::vector<std::byte> out;
  out.reserve(kVersionEnd + length_bytes + length + array.data.size());
  for (const unsigned char c : kMagic) out.push_back(std::byte{c});
  out.push_back(std::byte{static_cast<unsigned char>(version1 ? 1 : 2)});
  out.push_back(std::byte{0});
  for (std::size_t i = 0; i < length_bytes; ++i) {
    out.push_back(std::byte{static_cast<unsigned char>((length >> (8 * i)) & 0xff)});
  }
  for (const char c : header) out.push_back(static_cast<std::byte>(c));
  out.resize(kVersionEnd + length_bytes + length - 1, std::byte{' '});
  out.push_back(std::byte{'\n'});
  out.insert(out.end(), array.data.begin(), array.data.end());
  return out;
}

void write(const std::filesystem::path& path, const Array& array) {
  const std::string name = path.string();
  if (!path.has_filename()) fail(name, "not a file name");
  // Validate and encode before touching the filesystem.
  std::vector<std::byte> bytes;
  try {
    bytes = serialize(array);
  } catch (const NpyError& error) {
    fail(name, error.what());
  }
  TempFile temp(path, name);
  temp.write_all(bytes);
  temp.commit(path);
  sync_directory(path);
}

}  // namespace poolcheck::npy
