/*
 * strtab.h — interning of byte strings into dense ids 0, 1, 2, ...
 *
 * Each distinct (tag, bytes) pair is hashed once and stored once in one
 * growing buffer; everything after reading works on the ids.  Per distinct
 * string: 16 bytes of arrays, 11 to 21 bytes of hash slots (the table doubles
 * past load 3/4) and the bytes themselves.
 */
#ifndef PERSONA_STRTAB_H
#define PERSONA_STRTAB_H

#include "identity/idr_mem.h"

#include <stdbool.h>
#include <string.h>

typedef struct strtab
{
	idr_mem    *m;
	char	   *buf;
	size_t		buf_len,
				buf_cap;
	uint64_t   *off;			/* start of string i in buf */
	uint32_t   *len;
	uint32_t   *tag;
	uint32_t	n,
				cap;
	uint64_t   *slots;			/* hash << 32 | (id + 1); 0 = empty */
	uint32_t	nslots;			/* a power of two */
} strtab;

extern void strtab_init(strtab *t, idr_mem *m);
extern void strtab_free(strtab *t);
/* The id of (tag, s), adding it when new.  Returns UINT32_MAX past 2^32 - 2 strings. */
extern uint32_t strtab_intern(strtab *t, uint32_t tag, const char *s, size_t len);
/* The same with the hash computed beforehand (to prefetch its slot). */
extern uint32_t strtab_hash(uint32_t tag, const char *s, size_t len);
extern uint32_t strtab_intern_hashed(strtab *t, uint32_t h, uint32_t tag, const char *s, size_t len);

static inline void
strtab_prefetch(const strtab *t, uint32_t h)
{
	__builtin_prefetch(&t->slots[h & (t->nslots - 1)]);
}

/* Free the hash index (ids, bytes and sorting stay); no lookups or interning after. */
extern void strtab_drop_index(strtab *t);

/* The id of (tag, s), or UINT32_MAX when absent. */
extern uint32_t strtab_lookup(const strtab *t, uint32_t tag, const char *s, size_t len);

static inline const char *
strtab_str(const strtab *t, uint32_t id)
{
	return t->buf + t->off[id];
}

/* memcmp order, a proper prefix first */
static inline int
strtab_cmp_bytes(const char *a, uint32_t la, const char *b, uint32_t lb)
{
	int			c = memcmp(a, b, la < lb ? la : lb);

	if (c)
		return c;
	return la < lb ? -1 : la > lb;
}

/*
 * `order` receives the ids sorted by (rank[tag], bytes) (an MSD radix sort,
 * interruptible through the host's tick); rank NULL sorts by bytes alone.  rank_of_id receives the inverse (may be NULL).
 */
extern void strtab_sort(const strtab *t, const uint32_t *rank, uint32_t *order, uint32_t *rank_of_id);

#endif
