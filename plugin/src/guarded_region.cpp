#include "guarded_region.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <system_error>

namespace poolcheck::plugin::detail {
namespace {

constexpr std::byte kCanary{0xA5};

[[noreturn]] void throw_errno(const std::string& what) {
  throw std::system_error(errno, std::generic_category(), what);
}

}  // namespace

GuardedRegion::GuardedRegion(std::string name, std::size_t bytes, Access access)
    : name_(std::move(name)), access_(access), bytes_(bytes) {
  if (bytes_ == 0) return;
  page_ = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
  const std::size_t data_pages = (bytes_ + page_ - 1) / page_;
  mapping_size_ = (data_pages + 2) * page_;
  void* mapping =
      mmap(nullptr, mapping_size_, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (mapping == MAP_FAILED) throw_errno("mmap for buffer " + name_);
  mapping_ = static_cast<std::byte*>(mapping);
  std::byte* const upper_guard = mapping_ + (data_pages + 1) * page_;
  data_ = upper_guard - bytes_;
  std::fill(mapping_ + page_, data_, kCanary);
  if (mprotect(mapping_, page_, PROT_NONE) != 0 || mprotect(upper_guard, page_, PROT_NONE) != 0) {
    const int saved = errno;
    munmap(mapping_, mapping_size_);
    errno = saved;
    throw_errno("mprotect guard pages of buffer " + name_);
  }
}

GuardedRegion::~GuardedRegion() {
  if (mapping_ != nullptr) munmap(mapping_, mapping_size_);
}

void GuardedRegion::fill(std::span<const std::byte> contents) {
  if (contents.size() != bytes_)
    throw std::logic_error("GuardedRegion::fill: size mismatch for buffer " + name_);
  if (bytes_ == 0) return;
  std::copy(contents.begin(), contents.end(), data_);
  if (access_ == Access::read_only &&
      mprotect(mapping_ + page_, mapping_size_ - 2 * page_, PROT_READ) != 0)
    throw_errno("mprotect read-only buffer " + name_);
}

std::optional<std::string> GuardedRegion::locate(std::uintptr_t address) const {
  if (mapping_ == nullptr) return std::nullopt;
  const auto begin = reinterpret_cast<std::uintptr_t>(data_);
  const auto end = begin + bytes_;
  const auto low = reinterpret_cast<std::uintptr_t>(mapping_);
  const auto high = low + mapping_size_;
  if (address < low || address >= high) return std::nullopt;
  if (address >= end) return std::to_string(address - end) + " bytes past the end";
  if (address < begin) return std::to_string(begin - address) + " bytes before the start";
  return "at byte " + std::to_string(address - begin) + " of a read-only input";
}

std::optional<std::string> GuardedRegion::damaged_canary() const {
  if (mapping_ == nullptr) return std::nullopt;
  for (const std::byte* p = mapping_ + page_; p < data_; ++p)
    if (*p != kCanary) return "wrote " + std::to_string(data_ - p) + " bytes before the start";
  return std::nullopt;
}

}  // namespace poolcheck::plugin::detail
