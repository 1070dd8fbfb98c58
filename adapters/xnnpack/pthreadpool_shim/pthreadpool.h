/*
 * Stand-in for <pthreadpool.h>, used only when libpthreadpool-dev is not
 * installed: Debian's libxnnpack-dev includes that header but does not depend
 * on the package that ships it. It declares just the opaque handle xnnpack.h
 * names and the two entry points of libpthreadpool.so.0 the adapter calls.
 */
#ifndef POOLCHECK_PTHREADPOOL_SHIM_H_
#define POOLCHECK_PTHREADPOOL_SHIM_H_

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct pthreadpool* pthreadpool_t;

pthreadpool_t pthreadpool_create(size_t threads_count);
void pthreadpool_destroy(pthreadpool_t threadpool);

#ifdef __cplusplus
}
#endif

#endif /* POOLCHECK_PTHREADPOOL_SHIM_H_ */
