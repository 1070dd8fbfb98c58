#include "child_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <new>
#include <system_error>

namespace poolcheck::plugin::detail {
namespace {

// Set in the child only, read by its fault handler.
ChildReport* child_report = nullptr;

// The handler runs on its own stack so that a stack overflow is reported too.
alignas(16) char alternate_stack[64 * 1024];

void record_fault(int signal, siginfo_t* info, void*) {
  if (child_report != nullptr) {
    child_report->fault_signal = signal;
    child_report->fault_address = reinterpret_cast<std::uintptr_t>(info->si_addr);
  }
  // SA_RESETHAND restored the default action: returning re-runs the faulting
  // instruction, which faults again and ends the child with this signal.
}

void install_fault_handlers() {
  stack_t stack{};
  stack.ss_sp = alternate_stack;
  stack.ss_size = sizeof alternate_stack;
  sigaltstack(&stack, nullptr);
  struct sigaction action {};
  action.sa_sigaction = record_fault;
  action.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESETHAND;
  sigemptyset(&action.sa_mask);
  sigaction(SIGSEGV, &action, nullptr);
  sigaction(SIGBUS, &action, nullptr);
}

[[noreturn]] void throw_errno(const char* what) {
  throw std::system_error(errno, std::generic_category(), what);
}

}  // namespace

SharedReport::SharedReport() {
  void* mapping =
      mmap(nullptr, sizeof(ChildReport), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (mapping == MAP_FAILED) throw_errno("mmap for the child's report");
  report_ = new (mapping) ChildReport{};
}

SharedReport::~SharedReport() { munmap(report_, sizeof(ChildReport)); }

ChildEnd run_in_child(std::chrono::milliseconds timeout, const SharedReport& shared,
                      const std::function<void(ChildReport&)>& body) {
  ChildReport& report = shared.get();
  report = ChildReport{};
  // The child holds the write end; it closes when the child ends, however it
  // ends, which wakes the parent's poll() without a busy wait.
  int alive[2];
  if (pipe2(alive, O_CLOEXEC) != 0) throw_errno("pipe for the child process");
  const pid_t pid = fork();
  if (pid < 0) {
    const int saved = errno;
    close(alive[0]);
    close(alive[1]);
    errno = saved;
    throw_errno("fork for the child process");
  }
  if (pid == 0) {
    close(alive[0]);
    child_report = &report;
    install_fault_handlers();
    try {
      body(report);
      report.finished = 1;
    } catch (...) {
      report.finished = 0;
    }
    _exit(report.finished ? 0 : 125);
  }
  close(alive[1]);

  ChildEnd end;
  end.report = &report;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  bool timed_out = false;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    pollfd fd{alive[0], POLLIN, 0};
    const int ready = poll(&fd, 1, static_cast<int>(left.count()));
    if (ready > 0) break;  // POLLHUP: the child is gone
    if (ready < 0 && errno != EINTR) break;
  }
  close(alive[0]);
  if (timed_out) kill(pid, SIGKILL);

  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (timed_out) {
    end.how = ChildEnd::How::timed_out;
  } else if (WIFSIGNALED(status)) {
    end.how = ChildEnd::How::signaled;
    end.signal = WTERMSIG(status);
  } else if (report.finished && WIFEXITED(status) && WEXITSTATUS(status) == 0) {
    end.how = ChildEnd::How::returned;
  } else {
    end.how = ChildEnd::How::exited;
    end.exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  return end;
}

}  // namespace poolcheck::plugin::detail
