// .npy bytes (untrusted user files): deserialize, with no expected type and
// with each one, either throws NpyError or returns an array that serializes
// and reads back equal.
#include <cstdint>
#include <cstdio>
#include <optional>
#include <span>

#include "poolcheck/npy.hpp"

namespace {

using poolcheck::npy::ElementType;

constexpr std::optional<ElementType> kExpected[] = {
    std::nullopt,      ElementType::f32, ElementType::f64, ElementType::f16,
    ElementType::bf16, ElementType::s8,  ElementType::u8,  ElementType::i64};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace npy = poolcheck::npy;
  const auto bytes = std::as_bytes(std::span(data, size));
  for (const std::optional<ElementType>& expected : kExpected) {
    npy::Array array;
    try {
      array = npy::deserialize(bytes, "fuzz.npy", expected);
    } catch (const npy::NpyError&) {
      continue;
    }
    if (expected && array.type != *expected) {
      std::fprintf(stderr, "FINDING: asked for %s, got %s\n",
                   std::string(npy::element_type_name(*expected)).c_str(),
                   std::string(npy::element_type_name(array.type)).c_str());
      __builtin_trap();
    }
    // bf16 is written as '<V2', which only an expected type can read back.
    const npy::Array back = npy::deserialize(npy::serialize(array), "round-trip.npy", array.type);
    if (!(back == array)) {
      std::fprintf(stderr, "FINDING: npy round trip differs (type %s, shape %s)\n",
                   std::string(npy::element_type_name(array.type)).c_str(),
                   npy::format_shape(array.shape).c_str());
      __builtin_trap();
    }
  }
  return 0;
}
