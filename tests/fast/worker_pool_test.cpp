// fast/'s worker pool: every part runs exactly once per call, errors come
// back to the caller, concurrent callers do not mix their parts, and a forked
// child (the isolated plug-in host forks) gets working threads of its own.
#include "worker_pool.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <stdexcept>
#include <thread>
#include <vector>

namespace poolcheck::fast::detail {
namespace {

TEST(WorkerPool, RunsEveryPartExactlyOnce) {
  for (const int parts : {1, 2, 3, 7}) {
    for (int call = 0; call < 50; ++call) {
      std::array<std::atomic<int>, 8> runs{};
      run_parts(parts, [&](int i) { runs[static_cast<std::size_t>(i)].fetch_add(1); });
      for (int i = 0; i < 8; ++i)
        ASSERT_EQ(runs[static_cast<std::size_t>(i)].load(), i < parts ? 1 : 0)
            << "part " << i << " of " << parts << ", call " << call;
    }
  }
  EXPECT_GE(worker_count(), 6);  // started once, kept for later calls
}

TEST(WorkerPool, RethrowsAPartsErrorAfterAllPartsFinishedAndKeepsWorking) {
  std::atomic<int> finished{0};
  EXPECT_THROW(run_parts(4,
                         [&](int i) {
                           if (i == 2) throw std::runtime_error("part 2");
                           finished.fetch_add(1);
                         }),
               std::runtime_error);
  EXPECT_EQ(finished.load(), 3);
  std::atomic<int> after{0};
  run_parts(4, [&](int) { after.fetch_add(1); });
  EXPECT_EQ(after.load(), 4);
}

TEST(WorkerPool, ConcurrentCallersEachRunAllOfTheirOwnParts) {
  constexpr int kCalls = 300;
  const auto caller = [](int parts, int* wrong) {
    for (int call = 0; call < kCalls; ++call) {
      std::vector<std::atomic<int>> runs(static_cast<std::size_t>(parts));
      run_parts(parts, [&](int i) { runs[static_cast<std::size_t>(i)].fetch_add(1); });
      for (const std::atomic<int>& r : runs) *wrong += r.load() != 1;
    }
  };
  int wrong_a = 0, wrong_b = 0;
  std::thread a(caller, 2, &wrong_a);
  std::thread b(caller, 3, &wrong_b);
  a.join();
  b.join();
  EXPECT_EQ(wrong_a, 0);
  EXPECT_EQ(wrong_b, 0);
}

TEST(WorkerPool, AForkedChildRunsPartsOnWorkersOfItsOwn) {
  run_parts(2, [](int) {});  // the parent's workers exist before the fork
  ASSERT_GE(worker_count(), 1);
  const pid_t child = fork();
  ASSERT_NE(child, -1);
  if (child == 0) {
    alarm(20);  // a deadlock ends the child instead of hanging the test
    std::atomic<int> runs{0};
    for (int call = 0; call < 100; ++call) run_parts(2, [&](int) { runs.fetch_add(1); });
    _exit(runs.load() == 200 ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status)) << "the child was killed by signal " << WTERMSIG(status);
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

}  // namespace
}  // namespace poolcheck::fast::detail
