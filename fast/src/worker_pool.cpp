#include "worker_pool.hpp"

#include <pthread.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace poolcheck::fast::detail {
namespace {

// How long a worker (or the caller waiting for the workers) polls before it
// sleeps on a condition variable: about what waking a sleeping thread costs.
constexpr std::chrono::microseconds kSpin{50};

// Polls until done() or kSpin has passed; true if done().
template <class Done>
bool spin_until(const Done& done) {
  const auto deadline = std::chrono::steady_clock::now() + kSpin;
  for (;;) {
    for (int i = 0; i < 64; ++i) {
      if (done()) return true;
#if defined(__x86_64__) || defined(__i386__)
      __builtin_ia32_pause();
#endif
    }
    if (std::chrono::steady_clock::now() >= deadline) return done();
  }
}

// Worker w runs part w + 1 of each run that has one. A run is published by
// bumping `generation` under the mutex; a worker takes a generation it has
// not seen, so a worker that is late for one run cannot miss the next: the
// next run starts only after every part of this one has finished.
class Pool {
 public:
  ~Pool() = delete;  // never destroyed: workers may still wait at exit

  void run(int parts, const std::function<void(int)>& part) {
    std::unique_lock lock(mutex_);
    if (busy_) {
      lock.unlock();
      for (int i = 0; i < parts; ++i) part(i);  // another call holds the workers
      return;
    }
    busy_ = true;
    while (static_cast<int>(workers_.size()) < parts - 1) {
      const int w = static_cast<int>(workers_.size());
      workers_.emplace_back([this, w] { work(w); });
    }
    task_ = &part;
    parts_ = parts;
    errors_.assign(static_cast<std::size_t>(parts), nullptr);
    remaining_.store(parts - 1, std::memory_order_relaxed);
    generation_.fetch_add(1, std::memory_order_release);
    lock.unlock();
    wake_.notify_all();

    try {
      part(0);
    } catch (...) {
      errors_[0] = std::current_exception();
    }
    spin_until([this] { return remaining_.load(std::memory_order_acquire) == 0; });
    lock.lock();
    done_.wait(lock, [this] { return remaining_.load(std::memory_order_acquire) == 0; });
    busy_ = false;
    std::exception_ptr first;
    for (const std::exception_ptr& e : errors_)
      if (e && !first) first = e;
    lock.unlock();
    if (first) std::rethrow_exception(first);
  }

  int size() {
    const std::lock_guard lock(mutex_);
    return static_cast<int>(workers_.size());
  }

 private:
  void work(int w) {
    std::uint64_t seen = 0;
    for (;;) {
      spin_until([&] { return generation_.load(std::memory_order_acquire) != seen; });
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return generation_.load(std::memory_order_relaxed) != seen; });
      seen = generation_.load(std::memory_order_relaxed);
      const std::function<void(int)>* task = task_;
      const int index = w + 1;
      if (index >= parts_) continue;  // this run has no part for us
      lock.unlock();
      std::exception_ptr error;
      try {
        (*task)(index);
      } catch (...) {
        error = std::current_exception();
      }
      lock.lock();
      errors_[static_cast<std::size_t>(index)] = error;
      if (remaining_.fetch_sub(1, std::memory_order_acq_rel) == 1) done_.notify_one();
    }
  }

  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable done_;
  std::vector<std::thread> workers_;
  std::atomic<std::uint64_t> generation_{0};
  std::atomic<int> remaining_{0};
  const std::function<void(int)>* task_ = nullptr;
  int parts_ = 0;
  bool busy_ = false;
  std::vector<std::exception_ptr> errors_;
};

// The process's pool. After fork() the child has only the forking thread: the
// copied pool (workers gone, its mutex perhaps held) is set aside, still
// reachable so that leak checkers do not count it, and a new one is made on
// first use.
std::atomic<Pool*> current{nullptr};
std::vector<Pool*>* set_aside = nullptr;
std::once_flag fork_handler_installed;

void forget_pool_in_child() {
  Pool* const old = current.exchange(nullptr);
  if (old == nullptr) return;
  if (set_aside == nullptr) set_aside = new std::vector<Pool*>;
  set_aside->push_back(old);
}

Pool& pool() {
  std::call_once(fork_handler_installed,
                 [] { pthread_atfork(nullptr, nullptr, &forget_pool_in_child); });
  Pool* p = current.load(std::memory_order_acquire);
  if (p != nullptr) return *p;
  static std::mutex creating;
  const std::lock_guard lock(creating);
  p = current.load(std::memory_order_acquire);
  if (p == nullptr) {
    p = new Pool;
    current.store(p, std::memory_order_release);
  }
  return *p;
}

}  // namespace

void run_parts(int parts, const std::function<void(int)>& part) {
  if (parts <= 1) {
    if (parts == 1) part(0);
    return;
  }
  pool().run(parts, part);
}

int worker_count() {
  Pool* const p = current.load(std::memory_order_acquire);
  return p == nullptr ? 0 : p->size();
}

}  // namespace poolcheck::fast::detail
