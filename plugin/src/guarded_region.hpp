// Private to the isolated host: one buffer in shared memory, fenced by guard
// pages, so that a child process's stray write faults or leaves a trace.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace poolcheck::plugin::detail {

// Memory map, low to high addresses:
//   [guard page][slack (canary)][data ... ends at page boundary][guard page]
// The data's last byte is the one right before the upper guard, so writing
// even one byte past the end faults. The slack left in front by page rounding
// holds a canary pattern, checked after the call, for short underruns.
class GuardedRegion {
 public:
  enum class Access { read_only, read_write };

  // `bytes` may be 0: then the region holds nothing and data() is null.
  GuardedRegion(std::string name, std::size_t bytes, Access access);
  GuardedRegion(const GuardedRegion&) = delete;
  GuardedRegion& operator=(const GuardedRegion&) = delete;
  ~GuardedRegion();

  const std::string& name() const noexcept { return name_; }
  std::byte* data() const noexcept { return data_; }
  std::span<std::byte> bytes() const noexcept { return {data_, bytes_}; }

  // Copies `contents` (exactly bytes() long) in; then, for a read-only
  // region, removes write access.
  void fill(std::span<const std::byte> contents);

  // Where `address` lies relative to this region, if it is inside the mapping
  // ("N bytes past the end", "N bytes before the start", "inside (read-only
  // input)"); nothing otherwise.
  std::optional<std::string> locate(std::uintptr_t address) const;

  // The canary in front, if overwritten: how far before the start.
  std::optional<std::string> damaged_canary() const;

 private:
  std::string name_;
  Access access_;
  std::size_t bytes_ = 0;
  std::size_t page_ = 0;
  std::size_t mapping_size_ = 0;
  std::byte* mapping_ = nullptr;
  std::byte* data_ = nullptr;
};

}  // namespace poolcheck::plugin::detail
