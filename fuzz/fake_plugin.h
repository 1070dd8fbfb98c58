/* A plug-in whose outputs are whatever the fuzzer put in `fuzz_fake`. It is
 * C, as real plug-ins are, so that a status outside pc_status is just an int
 * (in C++ such an enum value would itself be UB in the harness). */
#ifndef POOLCHECK_FUZZ_FAKE_PLUGIN_H_
#define POOLCHECK_FUZZ_FAKE_PLUGIN_H_

#include "poolcheck/plugin.h"

#ifdef __cplusplus
extern "C" {
#endif

struct fuzz_fake_plugin {
  int status;
  const char* message; /* copied verbatim, not necessarily NUL-terminated */
  size_t message_size;
  const void* y;
  size_t y_bytes;
  const int64_t* argmax;
  size_t argmax_count;
};
extern struct fuzz_fake_plugin fuzz_fake;

pc_status fuzz_fake_forward(const pc_problem* problem, const void* x, void* y, int64_t* argmax,
                            char* message, size_t message_size);

#ifdef __cplusplus
}
#endif

#endif /* POOLCHECK_FUZZ_FAKE_PLUGIN_H_ */
