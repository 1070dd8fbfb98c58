// Private to the isolated host: run a function in a forked child under a
// timeout and learn how it ended, including the address of a memory fault.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>

#include "abi_call.hpp"

namespace poolcheck::plugin::detail {

// Written by the child, read by the parent: lives in shared memory.
struct ChildReport {
  int finished = 0;  // the body returned (so the child did not die in it)
  int status = 0;    // what the body reports (a pc_status, or any code)
  int fault_signal = 0;
  std::uintptr_t fault_address = 0;
  char message[kMessageCapacity + 1] = {};
};

struct ChildEnd {
  enum class How { returned, signaled, exited, timed_out };
  How how = How::returned;
  int signal = 0;       // for signaled
  int exit_status = 0;  // for exited (the body called exit() itself)
  const ChildReport* report = nullptr;
};

// Owns the shared ChildReport of one call.
class SharedReport {
 public:
  SharedReport();
  SharedReport(const SharedReport&) = delete;
  SharedReport& operator=(const SharedReport&) = delete;
  ~SharedReport();
  ChildReport& get() const noexcept { return *report_; }

 private:
  ChildReport* report_ = nullptr;
};

// Forks; the child records SIGSEGV/SIGBUS fault addresses into the report,
// runs body(report) and _exit()s. The parent waits at most `timeout`, then
// kills the child with SIGKILL. Never throws once the child is running.
ChildEnd run_in_child(std::chrono::milliseconds timeout, const SharedReport& report,
                      const std::function<void(ChildReport&)>& body);

}  // namespace poolcheck::plugin::detail
