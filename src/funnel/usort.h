/*
 * usort.h — grouping the one-pass aggregates' records by user: the project's
 * stable radix sort (common/radix_sort.h) on (user id, payload) pairs.
 *
 * The one-pass aggregates append one record per run of rows of one user and
 * never hash; only when the runs did not arrive in increasing user order are
 * they sorted once, at the end, by this.  Stable, so the runs of one user keep
 * the order they arrived in.
 */
#ifndef PERSONA_EVENTS_USORT_H
#define PERSONA_EVENTS_USORT_H

#include <stddef.h>
#include <stdint.h>

#include "base/radix_sort.h"

typedef struct us_rec
{
	int64_t		id;				/* the user */
	uint32_t	val;			/* a run index or a mask */
	uint32_t	aux;
} us_rec;

/*
 * Sort r[0..n) by id ascending (signed order), stably.  tmp holds n records.
 * Byte positions where every key agrees are skipped, so ids below 2^24 take 3
 * passes.  Returns the array holding the result (r or tmp).  check (the
 * caller's CHECK_FOR_INTERRUPTS, or NULL) runs every RS_CHECK_EVERY records.
 */
static inline us_rec *
us_sort(us_rec *r, us_rec *tmp, size_t n, void (*check) (void))
{
	return radix_sort(r, tmp, n, sizeof(us_rec), RS_INT64, check);
}

#endif
