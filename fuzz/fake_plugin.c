#include "fake_plugin.h"

#include <string.h>

struct fuzz_fake_plugin fuzz_fake;

pc_status fuzz_fake_forward(const pc_problem* problem, const void* x, void* y, int64_t* argmax,
                            char* message, size_t message_size) {
  (void)problem;
  (void)x;
  if (fuzz_fake.y_bytes) memcpy(y, fuzz_fake.y, fuzz_fake.y_bytes);
  if (argmax && fuzz_fake.argmax_count)
    memcpy(argmax, fuzz_fake.argmax, fuzz_fake.argmax_count * sizeof *argmax);
  const size_t n = fuzz_fake.message_size < message_size ? fuzz_fake.message_size : message_size;
  if (n) memcpy(message, fuzz_fake.message, n);
  return (pc_status)fuzz_fake.status;
}
