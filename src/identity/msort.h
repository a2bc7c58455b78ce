/*
 * msort.h — a stable bottom-up merge sort that yields to its host.
 *
 * qsort cannot be interrupted, and sorting millions of record ids takes long
 * enough that a cancel request must be honoured in the middle.
 */
#ifndef PERSONA_MSORT_H
#define PERSONA_MSORT_H

#include "base/host.h"

typedef int (*msort_cmp) (const void *a, const void *b, void *arg);

/* Sort n items of `size` bytes (size <= 32). */
extern void msort(void *base, size_t n, size_t size, msort_cmp cmp, void *arg, core_host *m);

#endif
