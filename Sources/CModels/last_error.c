/* The per-thread last-error message behind sr_last_error(): a malloc'd string per thread in a pthread
   key (freed when the thread exits), created once with pthread_once. In C rather than a Swift lazy global
   so that its one-time initialisation is visible to ThreadSanitizer (swift_once lives in the statically
   linked, uninstrumented Swift runtime and shows up as a false data race). */
#include "cmodels.h"
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static pthread_key_t key;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static int key_ok = 0;

static void make_key(void) { key_ok = pthread_key_create(&key, free) == 0; }

void srm_set_last_error(const char *message) {
    pthread_once(&once, make_key);
    if (!key_ok) return;
    char *old = pthread_getspecific(key);
    char *copy = message ? strdup(message) : NULL; /* NULL under memory pressure: reads as "" */
    pthread_setspecific(key, copy);
    free(old);
}

const char *srm_last_error(void) {
    pthread_once(&once, make_key);
    const char *p = key_ok ? pthread_getspecific(key) : NULL;
    return p ? p : "";
}
