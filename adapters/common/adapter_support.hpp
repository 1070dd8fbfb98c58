// What every peer-library adapter needs besides plugin.h: turning the outcome
// of a call into a pc_status plus message, and reading the thread count the
// benchmark asks peers to use.
//
// Adapters include only plugin.h from poolcheck (they are what a third party
// would write), so this header deliberately knows nothing of poolcheck's C++
// types.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <string>
#include <string_view>

#include "poolcheck/plugin.h"

namespace poolcheck_adapter {

// A problem the library cannot express; becomes PC_UNSUPPORTED.
struct Unsupported {
  std::string why;
};
// A call the library accepted but failed; becomes PC_ERROR.
struct Failure {
  std::string why;
};

inline void write_message(std::string_view text, char* message, std::size_t message_size) {
  if (message == nullptr || message_size == 0) return;
  const std::size_t n = std::min(text.size(), message_size - 1);
  std::memcpy(message, text.data(), n);
  message[n] = '\0';
}

// Runs `body` and maps what it throws onto the ABI's status codes, so no C++
// exception ever crosses the C boundary.
template <class Body>
pc_status guarded(char* message, std::size_t message_size, Body&& body) noexcept {
  try {
    body();
    return PC_OK;
  } catch (const Unsupported& u) {
    write_message(u.why, message, message_size);
    return PC_UNSUPPORTED;
  } catch (const Failure& f) {
    write_message(f.why, message, message_size);
    return PC_ERROR;
  } catch (const std::exception& e) {
    write_message(e.what(), message, message_size);
    return PC_ERROR;
  } catch (...) {
    write_message("unknown exception", message, message_size);
    return PC_ERROR;
  }
}

// POOLCHECK_PEER_THREADS (default 1): the benchmark runs each peer at 1 and 2
// threads by setting it between runs, so it is read on every call.
inline int peer_threads() {
  const char* text = std::getenv("POOLCHECK_PEER_THREADS");
  if (text == nullptr || *text == '\0') return 1;
  char* end = nullptr;
  const long value = std::strtol(text, &end, 10);
  if (*end != '\0' || value < 1 || value > 1024)
    throw Unsupported{"POOLCHECK_PEER_THREADS=" + std::string(text) +
                      ": must be an integer in [1, 1024]"};
  return static_cast<int>(value);
}

inline std::int64_t element_count(const pc_problem& p, const std::int64_t* spatial) {
  std::int64_t count = p.batch * p.channels;
  for (int a = 0; a < p.rank; ++a) count *= spatial[a];
  return count;
}

inline void require_basic_shape(const pc_problem& p) {
  if (p.rank < 1 || p.rank > 3)
    throw Unsupported{"rank=" + std::to_string(p.rank) + ": must be 1, 2 or 3"};
  if (p.layout != PC_LAYOUT_CHANNELS_LAST && p.layout != PC_LAYOUT_CHANNELS_FIRST)
    throw Unsupported{"layout=" + std::to_string(p.layout) + ": unknown"};
}

}  // namespace poolcheck_adapter
