// The threads behind fast/'s parallel loops, kept between calls.
//
// Starting a thread costs tens of microseconds on the machines we measure
// on, as much as a whole small pooling problem takes; so the workers are
// started once, on first use, and wait for the next call. They spin for a
// short while after each part before they sleep, which makes calls in quick
// succession (a training loop, a benchmark) cheap to hand out.
#pragma once

#include <cstdint>
#include <functional>

namespace poolcheck::fast::detail {

// Runs part(i) for every i in [0, parts): part 0 on the calling thread, the
// others on workers. Returns when every part has finished; the first
// exception of any part is rethrown then.
//
// One run at a time: a caller that finds the workers busy (another thread's
// call) runs all its parts itself, in order. A child process made by fork()
// starts without workers (the parent's are not copied) and makes its own.
void run_parts(int parts, const std::function<void(int)>& part);

// How many worker threads exist now (for tests: 0 before the first parallel
// call of this process).
int worker_count();

}  // namespace poolcheck::fast::detail
