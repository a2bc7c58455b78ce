/*
 * rb64_set.h — a 64-bit set as one CRoaring 32-bit bitmap per high key
 * (rb64_set.c).  Plain C.
 *
 * This is the roaringbitmap64 aggregate state and the builder of results
 * that are not copies of stored buckets.  Keys stay ascending so that a
 * result is written in order without sorting, and the bitmaps are CRoaring's
 * (malloc'd outside the host's memory): the host of a set frees them when
 * the set's memory goes (in PostgreSQL a memory context callback,
 * rb64_datum_fmgr.c), and rb64set_release frees them earlier.
 *
 * Failures come back as a status, never thrown, so a unit test and the
 * PostgreSQL glue report them each in their own way.
 */
#ifndef PERSONA_BITMAP64_RB64_SET_H
#define PERSONA_BITMAP64_RB64_SET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <roaring/roaring.h>

#include "base/host.h"

/* Keys a set may hold: the arrays' byte sizes stay far from overflow. */
#define RB64_SET_MAX_KEYS (INT32_MAX / 2)

typedef enum rb64_set_status
{
	RB64_SET_OK = 0,
	RB64_SET_NO_MEMORY,			/* CRoaring could not allocate */
	RB64_SET_TOO_MANY_KEYS		/* more than RB64_SET_MAX_KEYS */
} rb64_set_status;

typedef struct Rb64Set
{
	const core_host *host;		/* the arrays' memory, the cancel check */
	int32_t		n;
	int32_t		cap;
	uint32_t   *keys;			/* ascending */
	roaring_bitmap_t **bms;		/* never NULL for i < n */
} Rb64Set;

/* An empty set whose arrays come from host. */
extern void rb64set_init(Rb64Set *s, const core_host *host);
/* Free the bitmaps (the arrays are the host's); the set is then empty. */
extern void rb64set_release(Rb64Set *s);
/* Index of key, or -(insertion point) - 1. */
extern int32_t rb64set_find(const Rb64Set *s, uint32_t key);
/* The bitmap for key, created empty when absent; NULL when out of memory. */
extern roaring_bitmap_t *rb64set_slot(Rb64Set *s, uint32_t key);
/* Make sure every key of the ascending list has a slot, in one merge pass. */
extern rb64_set_status rb64set_ensure_keys(Rb64Set *s, const uint32_t *keys, int64_t n);
/* Drop empty bitmaps. */
extern void rb64set_compact(Rb64Set *s);
/*
 * Add values in any order (vals is sorted in place when it is not sorted);
 * lazy: the bitmaps need roaring_bitmap_repair_after_lazy before reading.
 */
extern rb64_set_status rb64set_add_values(Rb64Set *s, uint64_t *vals, size_t n, bool lazy);

#endif
