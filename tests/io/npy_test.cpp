// Tests of poolcheck::npy. Expected values come from numpy (the fixture files,
// made by make_npy_fixtures.py, whose literal values are repeated here) or from
// the .npy format specification (hand-built inputs), never from our writer.
#include "poolcheck/npy.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <array>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <limits>
#include <ostream>
#include <string>
#include <vector>

// Readable failure output for EXPECT_EQ on arrays (found by ADL).
namespace poolcheck::npy {
void PrintTo(const Array& array, std::ostream* out) {
  *out << element_type_name(array.type) << format_shape(array.shape) << " with "
       << array.data.size() << " data bytes";
}
}  // namespace poolcheck::npy

namespace {

namespace fs = std::filesystem;
namespace npy = poolcheck::npy;
using npy::Array;
using npy::ElementType;
using npy::NpyError;

// The literal values of make_npy_fixtures.py.
const std::vector<float> kF32_2x3 = {0.5f, -1.25f, 2.0f, 3.75f, 100.0f, -7.5f};
const std::vector<double> kF64_3 = {0.1, -2.5, 1e300};
// binary16 encodings of 1.0, -2.0, 0.5, 65504.0 (IEEE 754).
const std::vector<std::uint16_t> kF16_4 = {0x3c00, 0xc000, 0x3800, 0x7bff};
// bfloat16 encodings of 1.0, -2.0, 0.5, 3.140625 (top half of the float32).
const std::vector<std::uint16_t> kBF16_2x2 = {0x3f80, 0xc000, 0x3f00, 0x4049};
const std::vector<std::int8_t> kS8_2x2 = {-128, -1, 0, 127};
const std::vector<std::uint8_t> kU8_5 = {0, 1, 128, 254, 255};
const std::vector<std::int64_t> kI64_2x2 = {0, -1, std::int64_t{1} << 40,
                                            std::numeric_limits<std::int64_t>::max()};

fs::path fixture(const std::string& name) { return fs::path(POOLCHECK_NPY_FIXTURE_DIR) / name; }

std::vector<std::byte> file_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  const std::vector<char> chars((std::istreambuf_iterator<char>(in)),
                                std::istreambuf_iterator<char>());
  std::vector<std::byte> bytes(chars.size());
  for (std::size_t i = 0; i < chars.size(); ++i) bytes[i] = static_cast<std::byte>(chars[i]);
  return bytes;
}

template <class T>
std::vector<T> values(const Array& array) {
  const auto view = array.as<T>();
  return {view.begin(), view.end()};
}

// A .npy file built by hand from the format specification: magic, version,
// little-endian header length (2 bytes for 1.0, 4 for 2.0/3.0), header text,
// then `data_bytes` zero bytes.
std::vector<std::byte> npy_file(std::string_view header, std::size_t data_bytes,
                                unsigned major = 1) {
  std::vector<std::byte> out;
  const auto put = [&](std::size_t c) { out.push_back(static_cast<std::byte>(c & 0xff)); };
  for (const int c : {0x93, int{'N'}, int{'U'}, int{'M'}, int{'P'}, int{'Y'}})
    put(static_cast<std::size_t>(c));
  put(major);
  put(0);
  const std::size_t length_bytes = major == 1 ? 2 : 4;
  for (std::size_t i = 0; i < length_bytes; ++i) put(header.size() >> (8 * i));
  for (const char c : header) put(static_cast<unsigned char>(c));
  out.resize(out.size() + data_bytes);
  return out;
}

// Expects deserialize to throw an NpyError whose message contains `part`.
void expect_error(const std::vector<std::byte>& bytes, const std::string& part,
                  std::optional<ElementType> expected = std::nullopt) {
  try {
    npy::deserialize(bytes, "x.npy", expected);
    ADD_FAILURE() << "no error; expected one containing: " << part;
  } catch (const NpyError& error) {
    const std::string message = error.what();
    EXPECT_EQ(message.rfind("x.npy: ", 0), 0u) << message;
    EXPECT_NE(message.find(part), std::string::npos) << "message: " << message;
  }
}

// A fresh directory, removed with its contents at the end of the test.
class TempDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "npy_test.XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::vector<std::string> entries() const {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(dir_)) {
      names.push_back(entry.path().filename().string());
    }
    return names;
  }

  fs::path dir_;
};

// ---------------------------------------------------------------------------
// numpy-made fixtures

TEST(NpyFixtures, F32) {
  const Array a = npy::read(fixture("f32_2x3.npy"));
  EXPECT_EQ(a.type, ElementType::f32);
  EXPECT_EQ(a.shape, (std::vector<std::int64_t>{2, 3}));
  EXPECT_EQ(values<float>(a), kF32_2x3);
}

TEST(NpyFixtures, F64) {
  const Array a = npy::read(fixture("f64_3.npy"));
  EXPECT_EQ(a.type, ElementType::f64);
  EXPECT_EQ(a.shape, (std::vector<std::int64_t>{3}));
  EXPECT_EQ(values<double>(a), kF64_3);
}

TEST(NpyFixtures, F16) {
  const Array a = npy::read(fixture("f16_4.npy"));
  EXPECT_EQ(a.type, ElementType::f16);
  EXPECT_EQ(a.shape, (std::vector<std::int64_t>{4}));
  EXPECT_EQ(values<std::uint16_t>(a), kF16_4);
}

TEST(NpyFixtures, Bf16AsMlDtypesSavesIt) {
  const Array a = npy::read(fixture("bf16_2x2.npy"), ElementType::bf16);  // descr '<V2'
  EXPECT_EQ(a.type, ElementType::bf16);
  EXPECT_EQ(a.shape, (std::vector<std::int64_t>{2, 2}));
  EXPECT_EQ(values<std::uint16_t>(a), kBF16_2x2);
}

TEST(NpyFixtures, Bf16AsPlainVoid) {
  const Array a = npy::read(fixture("bf16_void_2x2.npy"), ElementType::bf16);  // descr '|V2'
  EXPECT_EQ(a.type, ElementType::bf16);
  EXPECT_EQ(values<std::uint16_t>(a), kBF16_2x2);
}

TEST(NpyFixtures, Bf16NeedsTheExpectedType) {
  const auto bytes = file_bytes(fixture("bf16_2x2.npy"));
  expect_error(bytes, "dtype '<V2' is untyped 2-byte data");
  expect_error(bytes, "bf16 is the expected element type");
  expect_error(bytes, "f16 was expected", ElementType::f16);
}

TEST(NpyFixtures, ExpectedTypeMustMatch) {
  expect_error(file_bytes(fixture("f32_2x3.npy")), "holds f32 data (dtype '<f4'), expected f64",
               ElementType::f64);
  expect_error(file_bytes(fixture("f32_2x3.npy")), "expected bf16", ElementType::bf16);
  EXPECT_NO_THROW(npy::read(fixture("i64_2x2.npy"), ElementType::i64));
}

TEST(NpyFixtures, S8) {
  const Array a = npy::read(fixture("s8_2x2.npy"));
  EXPECT_EQ(a.type, ElementType::s8);
  EXPECT_EQ(a.shape, (std::vector<std::int64_t>{2, 2}));
  EXPECT_EQ(values<std::int8_t>(a), kS8_2x2);
}

TEST(NpyFixtures, U8) {
  const Array a = npy::read(fixture("u8_5.npy"));
  EXPECT_EQ(a.type, ElementType::u8);
  EXPECT_EQ(a.shape, (std::vector<std::int64_t>{5}));
  EXPECT_EQ(values<std::uint8_t>(a), kU8_5);
}

TEST(NpyFixtures, I64) {
  const Array a = npy::read(fixture("i64_2x2.npy"));
  EXPECT_EQ(a.type, ElementType::i64);
  EXPECT_EQ(a.shape, (std::vector<std::int64_t>{2, 2}));
  EXPECT_EQ(values<std::int64_t>(a), kI64_2x2);
}

TEST(NpyFixtures, BigEndianIsSwapped) {
  EXPECT_EQ(values<float>(npy::read(fixture("be_f32_2x3.npy"))), kF32_2x3);
  EXPECT_EQ(values<double>(npy::read(fixture("be_f64_3.npy"))), kF64_3);
  EXPECT_EQ(values<std::uint16_t>(npy::read(fixture("be_f16_4.npy"))), kF16_4);
  EXPECT_EQ(values<std::int64_t>(npy::read(fixture("be_i64_2x2.npy"))), kI64_2x2);
  // The result is an ordinary little-endian array, equal to the LE file's.
  EXPECT_EQ(npy::read(fixture("be_f32_2x3.npy")), npy::read(fixture("f32_2x3.npy")));
}

TEST(NpyFixtures, FortranOrderIsTransposed) {
  const Array a = npy::read(fixture("fortran_f32_2x3x4.npy"));
  EXPECT_EQ(a.shape, (std::vector<std::int64_t>{2, 3, 4}));
  std::vector<float> expected(24);
  for (std::size_t i = 0; i < expected.size(); ++i) expected[i] = static_cast<float>(i);
  EXPECT_EQ(values<float>(a), expected);

  const Array b = npy::read(fixture("fortran_be_i64_3x4.npy"));  // Fortran and big-endian
  EXPECT_EQ(b.shape, (std::vector<std::int64_t>{3, 4}));
  EXPECT_EQ(values<std::int64_t>(b),
            (std::vector<std::int64_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}));
}

TEST(NpyFixtures, Version2And3) {
  const Array v2 = npy::read(fixture("v2_f32_2x3.npy"));
  EXPECT_EQ(v2.shape, (std::vector<std::int64_t>{2, 3}));
  EXPECT_EQ(values<float>(v2), kF32_2x3);
  const Array v3 = npy::read(fixture("v3_u8_5.npy"));
  EXPECT_EQ(values<std::uint8_t>(v3), kU8_5);
}

TEST(NpyFixtures, ZeroDimensional) {
  const Array a = npy::read(fixture("scalar_f64.npy"));
  EXPECT_EQ(a.type, ElementType::f64);
  EXPECT_TRUE(a.shape.empty());
  EXPECT_EQ(a.element_count(), 1);
  EXPECT_EQ(values<double>(a), std::vector<double>{3.5});
}

TEST(NpyFixtures, Empty) {
  const Array a = npy::read(fixture("empty_f32_0.npy"));
  EXPECT_EQ(a.shape, (std::vector<std::int64_t>{0}));
  EXPECT_EQ(a.element_count(), 0);
  EXPECT_TRUE(a.as<float>().empty());
  const Array b = npy::read(fixture("empty_u8_2x0x3.npy"));
  EXPECT_EQ(b.type, ElementType::u8);
  EXPECT_EQ(b.shape, (std::vector<std::int64_t>{2, 0, 3}));
  EXPECT_TRUE(b.data.empty());
}

// Our writer reproduces np.save (numpy 1.24) byte for byte.
TEST(NpyFixtures, SerializeMatchesNumpyBytes) {
  for (const char* name :
       {"f32_2x3.npy", "f64_3.npy", "f16_4.npy", "bf16_2x2.npy", "s8_2x2.npy", "u8_5.npy",
        "i64_2x2.npy", "scalar_f64.npy", "empty_f32_0.npy", "empty_u8_2x0x3.npy"}) {
    SCOPED_TRACE(name);
    const auto bytes = file_bytes(fixture(name));
    const bool bf16 = std::string_view(name).starts_with("bf16");
    const Array a =
        npy::deserialize(bytes, name, bf16 ? std::optional(ElementType::bf16) : std::nullopt);
    EXPECT_EQ(npy::serialize(a), bytes);
  }
}

// ---------------------------------------------------------------------------
// Writing

TEST(NpyWrite, PreambleIsAlignedTo64) {
  // The specification: magic + version + length + header is a multiple of 64
  // and the header ends in '\n'; the length field is little-endian.
  const Array a = npy::make_array(ElementType::u8, {5}, kU8_5);
  const auto bytes = npy::serialize(a);
  ASSERT_GE(bytes.size(), 10u);
  EXPECT_EQ(std::to_integer<int>(bytes[6]), 1);  // version 1.0
  EXPECT_EQ(std::to_integer<int>(bytes[7]), 0);
  const std::size_t header_length =
      std::to_integer<std::size_t>(bytes[8]) | (std::to_integer<std::size_t>(bytes[9]) << 8);
  const std::size_t data_offset = 10 + header_length;
  EXPECT_EQ(data_offset % 64, 0u);
  ASSERT_EQ(bytes.size(), data_offset + kU8_5.size());
  EXPECT_EQ(bytes[data_offset - 1], std::byte{'\n'});
}

TEST_F(TempDirTest, RoundTripEveryType) {
  const std::vector<Array> arrays = {
      npy::make_array(ElementType::f32, {2, 3}, kF32_2x3),
      npy::make_array(ElementType::f64, {3}, kF64_3),
      npy::make_array(ElementType::f16, {2, 1, 2}, kF16_4),
      npy::make_array(ElementType::bf16, {2, 2}, kBF16_2x2),
      npy::make_array(ElementType::s8, {4}, kS8_2x2),
      npy::make_array(ElementType::u8, {1, 5}, kU8_5),
      npy::make_array(ElementType::i64, {2, 2}, kI64_2x2),
      npy::make_array(ElementType::f64, {}, std::vector<double>{-0.25}),
      npy::make_array(ElementType::f32, {3, 0}, std::vector<float>{}),
  };
  for (const Array& a : arrays) {
    SCOPED_TRACE(std::string(npy::element_type_name(a.type)) + " " + npy::format_shape(a.shape));
    const fs::path path = dir_ / "a.npy";
    npy::write(path, a);
    EXPECT_EQ(npy::read(path, a.type), a);
    EXPECT_EQ(npy::deserialize(npy::serialize(a), "mem", a.type), a);
  }
  EXPECT_EQ(entries(), std::vector<std::string>{"a.npy"});  // no temporaries left
}

TEST_F(TempDirTest, NumpyReadsWhatWeWrite) {
  const char* python = std::getenv("POOLCHECK_NUMPY_PYTHON");
  const std::string interpreter = python != nullptr ? python : "/usr/bin/python3";
  if (::access(interpreter.c_str(), X_OK) != 0 ||
      std::system((interpreter + " -c 'import numpy' >/dev/null 2>&1").c_str()) != 0) {
    GTEST_SKIP() << interpreter << " with numpy is not available";
  }
  npy::write(dir_ / "f32.npy", npy::make_array(ElementType::f32, {2, 3}, kF32_2x3));
  npy::write(dir_ / "f64.npy", npy::make_array(ElementType::f64, {3}, kF64_3));
  npy::write(dir_ / "f16.npy", npy::make_array(ElementType::f16, {4}, kF16_4));
  npy::write(dir_ / "bf16.npy", npy::make_array(ElementType::bf16, {2, 2}, kBF16_2x2));
  npy::write(dir_ / "s8.npy", npy::make_array(ElementType::s8, {2, 2}, kS8_2x2));
  npy::write(dir_ / "u8.npy", npy::make_array(ElementType::u8, {5}, kU8_5));
  npy::write(dir_ / "i64.npy", npy::make_array(ElementType::i64, {2, 2}, kI64_2x2));
  npy::write(dir_ / "scalar.npy", npy::make_array(ElementType::f64, {}, std::vector<double>{3.5}));
  npy::write(dir_ / "empty.npy",
             npy::make_array(ElementType::u8, {2, 0, 3}, std::vector<std::uint8_t>{}));

  // Explicit checks (not assert, which python -O strips); exit 1 on mismatch.
  std::ofstream(dir_ / "check.py") << R"(import os, sys
import numpy as np
d = sys.argv[1]
def check(name, dtype, shape, values):
    a = np.load(os.path.join(d, name))
    if a.dtype != np.dtype(dtype) or a.shape != shape or a.tolist() != values:
        print(name, a.dtype, a.shape, a.tolist())
        sys.exit(1)
check('f32.npy', '<f4', (2, 3), [[0.5, -1.25, 2.0], [3.75, 100.0, -7.5]])
check('f64.npy', '<f8', (3,), [0.1, -2.5, 1e300])
check('f16.npy', '<f2', (4,), [1.0, -2.0, 0.5, 65504.0])
check('s8.npy', '|i1', (2, 2), [[-128, -1], [0, 127]])
check('u8.npy', '|u1', (5,), [0, 1, 128, 254, 255])
check('i64.npy', '<i8', (2, 2), [[0, -1], [1 << 40, 2**63 - 1]])
check('scalar.npy', '<f8', (), 3.5)
check('empty.npy', '|u1', (2, 0, 3), [[], []])
b = np.load(os.path.join(d, 'bf16.npy'))
if b.dtype != np.dtype('V2') or b.view('<u2').tolist() != [[0x3f80, 0xc000], [0x3f00, 0x4049]]:
    print('bf16.npy', b.dtype, b.shape)
    sys.exit(1)
)";
  const std::string command =
      interpreter + " '" + (dir_ / "check.py").string() + "' '" + dir_.string() + "'";
  EXPECT_EQ(std::system(command.c_str()), 0) << command;
}

TEST_F(TempDirTest, WriteReplacesAnExistingFile) {
  const fs::path path = dir_ / "a.npy";
  std::ofstream(path) << "old content that is not a .npy file";
  const Array a = npy::make_array(ElementType::u8, {5}, kU8_5);
  npy::write(path, a);
  EXPECT_EQ(npy::read(path), a);
  EXPECT_EQ(entries(), std::vector<std::string>{"a.npy"});
}

TEST_F(TempDirTest, FailedWriteLeavesNoFile) {
  const Array a = npy::make_array(ElementType::u8, {5}, kU8_5);
  // Directory does not exist: no temporary can even be created.
  EXPECT_THROW(npy::write(dir_ / "missing" / "a.npy", a), NpyError);
  EXPECT_TRUE(entries().empty());

  // Target is a directory: the temporary is written, the rename fails, and
  // the temporary must be removed again.
  fs::create_directory(dir_ / "b.npy");
  try {
    npy::write(dir_ / "b.npy", a);
    ADD_FAILURE() << "no error";
  } catch (const NpyError& error) {
    EXPECT_EQ(std::string(error.what()).rfind((dir_ / "b.npy").string() + ": ", 0), 0u)
        << error.what();
  }
  EXPECT_EQ(entries(), std::vector<std::string>{"b.npy"});

  // Inconsistent array: rejected before anything is created.
  Array bad = a;
  bad.data.pop_back();
  EXPECT_THROW(npy::write(dir_ / "c.npy", bad), NpyError);
  EXPECT_EQ(entries(), std::vector<std::string>{"b.npy"});
}

TEST(NpyWrite, SerializeRejectsInconsistentArrays) {
  Array a = npy::make_array(ElementType::f32, {2, 3}, kF32_2x3);
  a.shape = {2, 2};
  EXPECT_THROW(npy::serialize(a), NpyError);
  a.shape = {-6};
  EXPECT_THROW(npy::serialize(a), NpyError);
  a.shape = std::vector<std::int64_t>(33, 1);
  EXPECT_THROW(npy::serialize(a), NpyError);
}

// ---------------------------------------------------------------------------
// Array helpers

TEST(NpyArray, TypedAccessChecksTheElementSize) {
  const Array a = npy::make_array(ElementType::f32, {2, 3}, kF32_2x3);
  EXPECT_EQ(a.element_count(), 6);
  EXPECT_THROW(a.as<double>(), NpyError);
  EXPECT_THROW(a.as<std::uint16_t>(), NpyError);
  EXPECT_EQ(a.as<std::uint32_t>().size(), 6u);  // same size: allowed, e.g. for bit patterns
  EXPECT_THROW(npy::make_array(ElementType::f32, {2, 2}, kF32_2x3), NpyError);  // 6 values
  EXPECT_THROW(npy::make_array(ElementType::f64, {6}, kF32_2x3), NpyError);     // 4-byte values
}

TEST(NpyArray, ElementTypesMatchTheProjectDTypes) {
  for (const poolcheck::DType dtype : poolcheck::kAllDTypes) {
    const ElementType type = npy::to_element_type(dtype);
    EXPECT_EQ(npy::to_dtype(type), dtype);
    EXPECT_EQ(npy::element_size(type), poolcheck::dtype_size(dtype));
  }
  EXPECT_FALSE(npy::to_dtype(ElementType::i64).has_value());
  EXPECT_EQ(npy::element_size(ElementType::i64), 8u);
  EXPECT_EQ(npy::npy_descr(ElementType::bf16), "<V2");
}

TEST(NpyArray, FormatShapeIsPythonRepr) {
  EXPECT_EQ(npy::format_shape({}), "()");
  const std::vector<std::int64_t> one = {5}, two = {2, 3};
  EXPECT_EQ(npy::format_shape(one), "(5,)");
  EXPECT_EQ(npy::format_shape(two), "(2, 3)");
}

// ---------------------------------------------------------------------------
// Lenient where numpy (Python's literal syntax) is

TEST(NpyRead, AcceptsAnyValidDictLayout) {
  // Keys in any order, double quotes, odd whitespace, no trailing comma, no padding.
  const Array a = npy::deserialize(
      npy_file("\t{ \"shape\" :(2,3) ,'descr':'<f4',\n'fortran_order' : False}  \n", 24), "x.npy");
  EXPECT_EQ(a.type, ElementType::f32);
  EXPECT_EQ(a.shape, (std::vector<std::int64_t>{2, 3}));
  // Python 2 numpy wrote longs ("3L"); numpy still reads those 1.0/2.0 files.
  EXPECT_EQ(npy::deserialize(
                npy_file("{'descr': '<f4', 'fortran_order': False, 'shape': (3L,), }", 12), "x.npy")
                .shape,
            std::vector<std::int64_t>{3});
  // '=' and '|' mean native order, '<' '>' '|' all fine for single bytes.
  for (const char* descr : {"=f4", "|f4"}) {
    SCOPED_TRACE(descr);
    const auto header =
        "{'descr': '" + std::string(descr) + "', 'fortran_order': False, 'shape': (1,)}";
    EXPECT_EQ(npy::deserialize(npy_file(header, 4), "x.npy").type, ElementType::f32);
  }
  for (const char* descr : {"<i1", ">i1", "=i1"}) {
    SCOPED_TRACE(descr);
    const auto header =
        "{'descr': '" + std::string(descr) + "', 'fortran_order': True, 'shape': (1, 1)}";
    EXPECT_EQ(npy::deserialize(npy_file(header, 1), "x.npy").type, ElementType::s8);
  }
}

TEST(NpyRead, BigEndianBf16IsSwapped) {
  // No numpy writes this (ml_dtypes on a big-endian host would); '>' must win.
  auto bytes = npy_file("{'descr': '>V2', 'fortran_order': False, 'shape': (1,), }", 2);
  bytes[bytes.size() - 2] = std::byte{0x3f};  // 1.0 = 0x3f80, big-endian
  bytes[bytes.size() - 1] = std::byte{0x80};
  EXPECT_EQ(values<std::uint16_t>(npy::deserialize(bytes, "x.npy", ElementType::bf16)),
            std::vector<std::uint16_t>{0x3f80});
}

// ---------------------------------------------------------------------------
// Bad input: each must be an NpyError naming the file and the problem.

constexpr std::string_view kGoodHeader =
    "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";

TEST(NpyBadInput, BadMagic) {
  auto bytes = npy_file(kGoodHeader, 24);
  bytes[1] = std::byte{'X'};
  expect_error(bytes, "bad magic");
  expect_error({std::byte{'P'}, std::byte{'K'}, std::byte{3}, std::byte{4}}, "bad magic");
}

TEST(NpyBadInput, TooShortForThePreamble) {
  expect_error({}, "truncated: file has 0 bytes");
  auto bytes = npy_file(kGoodHeader, 24);
  bytes.resize(9);  // ends inside the 2-byte length field
  expect_error(bytes, "truncated");
}

TEST(NpyBadInput, UnsupportedVersion) {
  auto bytes = npy_file(kGoodHeader, 24);
  bytes[6] = std::byte{4};
  expect_error(bytes, "unsupported format version 4.0");
}

TEST(NpyBadInput, TruncatedHeader) {
  auto bytes = npy_file(kGoodHeader, 0);
  bytes.resize(bytes.size() - 10);
  expect_error(bytes,
               "truncated header: header length is 59 bytes, file has 49 after the preamble");
}

TEST(NpyBadInput, TruncatedData) {
  auto bytes = npy_file("{'descr': '<f4', 'fortran_order': False, 'shape': (5, 100), }", 1996);
  try {
    npy::deserialize(bytes, "x.npy");
    ADD_FAILURE() << "no error";
  } catch (const NpyError& error) {
    EXPECT_STREQ(error.what(),
                 "x.npy: truncated: shape (5, 100) needs 2000 bytes of data, file has 1996");
  }
}

TEST(NpyBadInput, TrailingBytes) {
  expect_error(npy_file(kGoodHeader, 25),
               "shape (2, 3) needs 24 bytes of data, file has 25 (trailing bytes");
}

TEST(NpyBadInput, HugeHeaderLength) {
  // Version 2.0 with a 4 GiB header length: rejected before anything is read.
  auto bytes = npy_file(kGoodHeader, 24, 2);
  for (int i = 8; i < 12; ++i) bytes[static_cast<std::size_t>(i)] = std::byte{0xff};
  expect_error(bytes, "header length 4294967295 exceeds the limit 1048576");
  // Just over the limit, even with the bytes present.
  const std::string big(npy::kMaxHeaderBytes + 1, ' ');
  expect_error(npy_file(big, 0, 2), "header length 1048577 exceeds the limit 1048576");
}

TEST(NpyBadInput, UnsupportedDescr) {
  const auto with_descr = [](std::string_view descr) {
    return npy_file(
        "{'descr': '" + std::string(descr) + "', 'fortran_order': False, 'shape': (1,), }", 8);
  };
  expect_error(with_descr("<c8"), "unsupported dtype '<c8'");
  expect_error(with_descr("<i4"), "unsupported dtype '<i4'");
  expect_error(with_descr("<f4x"), "unsupported dtype '<f4x'");
  expect_error(with_descr("f4"), "unsupported dtype 'f4'");
  expect_error(with_descr(""), "unsupported dtype ''");
  expect_error(npy_file("{'descr': [('x', '<f4')], 'fortran_order': False, 'shape': (1,), }", 4),
               "structured");
}

TEST(NpyBadInput, NegativeOrOverflowingShape) {
  const auto with_shape = [](std::string_view shape) {
    return npy_file(
        "{'descr': '<f4', 'fortran_order': False, 'shape': " + std::string(shape) + ", }", 0);
  };
  expect_error(with_shape("(-1,)"), "shape (-1,) has a negative dimension");
  expect_error(with_shape("(2, -3)"), "negative dimension");
  expect_error(with_shape("(-9223372036854775808,)"), "negative dimension");
  // 2^31 * 2^31 elements of 4 bytes = 2^64 bytes.
  expect_error(with_shape("(2147483648, 2147483648)"), "overflows 64 bits");
  // The same, with a zero: still rejected, whatever the order of the dims.
  expect_error(with_shape("(0, 2147483648, 2147483648)"), "overflows 64 bits");
  expect_error(with_shape("(9223372036854775808,)"), "does not fit in 64 bits");
  expect_error(with_shape("(99999999999999999999999999,)"), "does not fit in 64 bits");
  // Plausible size but no data: must fail on the length check, not allocate.
  expect_error(with_shape("(1073741824, 1024)"),
               "truncated: shape (1073741824, 1024) needs 4398046511104");
  std::string many = "(";
  for (int i = 0; i < 33; ++i) many += "1, ";
  expect_error(with_shape(many + ")"), "33 dimensions, more than the 32");
}

TEST(NpyBadInput, MalformedDict) {
  const std::vector<std::string> headers = {
      "",
      "[]",
      "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), ",  // no '}'
      "{'descr': '<f4' 'fortran_order': False, 'shape': (2, 3)}",    // no ','
      "{'descr': '<f4', 'fortran_order': False, 'shape': [2, 3]}",   // list
      "{'descr': '<f4', 'fortran_order': False, 'shape': (6)}",      // int, not tuple
      "{'descr': '<f4', 'fortran_order': False, 'shape': (,)}",
      "{'descr': '<f4', 'fortran_order': False, 'shape': (2,, 3)}",
      "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3}",
      "{'descr': '<f4', 'fortran_order': False, 'shape': (02, 3)}",  // leading zero
      "{'descr': '<f4', 'fortran_order': False, 'shape': (2.0, 3)}",
      "{'descr': '<f4', 'fortran_order': False, 'shape': (0x2, 3)}",
      "{'descr': '<f4', 'fortran_order': 0, 'shape': (2, 3)}",
      "{'descr': '<f4', 'fortran_order': false, 'shape': (2, 3)}",
      "{'descr': '<f4', 'fortran_order': Falsey, 'shape': (2, 3)}",
      "{'descr': <f4, 'fortran_order': False, 'shape': (2, 3)}",
      "{'descr': '<f4, 'fortran_order': False, 'shape': (2, 3)}",       // unterminated
      "{'descr': '<f\\x34', 'fortran_order': False, 'shape': (2, 3)}",  // escape
      "{'descr': '<f4\xe9', 'fortran_order': False, 'shape': (2, 3)}",  // not ASCII
      "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3)} x",    // text after
      "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3)}}",
      "{descr: '<f4', 'fortran_order': False, 'shape': (2, 3)}",
      "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3),,}",
  };
  for (const std::string& header : headers) {
    SCOPED_TRACE(header);
    expect_error(npy_file(header, 24), "malformed header");
  }
  // Python 2 longs ("3L") are accepted in versions 1.0 and 2.0 only, as numpy does.
  expect_error(npy_file("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3L)}", 24, 3),
               "malformed header");
}

TEST(NpyBadInput, MissingUnknownOrDuplicateKey) {
  expect_error(npy_file("{'fortran_order': False, 'shape': (2, 3), }", 24),
               "header has no 'descr' key");
  expect_error(npy_file("{'descr': '<f4', 'shape': (2, 3), }", 24),
               "header has no 'fortran_order' key");
  expect_error(npy_file("{'descr': '<f4', 'fortran_order': False, }", 24),
               "header has no 'shape' key");
  expect_error(npy_file("{}", 24), "header has no");
  expect_error(npy_file("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), 'x': 1}", 24),
               "unexpected key 'x'");
  expect_error(
      npy_file("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2, 3)}", 24),
      "duplicate key 'descr'");
}

TEST(NpyBadInput, FileErrorsNameThePath) {
  const fs::path missing = fs::temp_directory_path() / "npy_test_does_not_exist.npy";
  try {
    npy::read(missing);
    ADD_FAILURE() << "no error";
  } catch (const NpyError& error) {
    EXPECT_EQ(std::string(error.what()),
              missing.string() + ": cannot open: No such file or directory");
  }
  try {
    npy::read(fixture(""));
    ADD_FAILURE() << "no error";
  } catch (const NpyError& error) {
    EXPECT_NE(std::string(error.what()).find("is a directory"), std::string::npos) << error.what();
  }
}

}  // namespace
