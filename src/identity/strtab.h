/*
 * strtab.h — interning of byte strings into dense ids 0, 1, 2, ...
 *
 * Each distinct (tag, bytes) pair is hashed once and stored once; everything
 * after reading works on the ids.  Per distinct string: a 24-byte entry
 * (length, tag, and the bytes themselves when they fit in 16, else their
 * offset in one growing buffer), 11 to 21 bytes of hash slots (the table
 * doubles past load 3/4), and the bytes of longer strings.  Identifiers are
 * mostly short, so a probe that finds its hash usually reads one entry and
 * nothing else: one cache miss where length, tag, offset and bytes in four
 * arrays were up to four.
 */
#ifndef PERSONA_STRTAB_H
#define PERSONA_STRTAB_H

#include "base/host.h"

#include <stdbool.h>
#include <string.h>

#define STRTAB_INLINE 16

typedef struct strtab_ent
{
	union
	{
		char		bytes[STRTAB_INLINE];	/* len <= STRTAB_INLINE */
		uint64_t	off;		/* else: the start of the string in buf */
	}			s;
	uint32_t	len;
	uint32_t	tag;
} strtab_ent;

typedef struct strtab
{
	core_host  *m;
	char	   *buf;
	size_t		buf_len,
				buf_cap;
	strtab_ent *ent;			/* by id */
	uint32_t	n,
				cap;
	uint64_t   *slots;			/* hash << 32 | (id + 1); 0 = empty */
	uint32_t	nslots;			/* a power of two */
} strtab;

extern void strtab_init(strtab *t, core_host *m);
extern void strtab_free(strtab *t);
/* The id of (tag, s), adding it when new.  Returns UINT32_MAX past 2^32 - 2 strings. */
extern uint32_t strtab_intern(strtab *t, uint32_t tag, const char *s, size_t len);
/* The same with the hash computed beforehand (to prefetch its slot). */
extern uint32_t strtab_hash(uint32_t tag, const char *s, size_t len);
extern uint32_t strtab_intern_hashed(strtab *t, uint32_t h, uint32_t tag, const char *s, size_t len);

/*
 * A probe of a big table is a chain of dependent cache (and TLB) misses: the
 * slot, then the entry it names, then the string's bytes.  A caller with many
 * keys in hand runs each key through the three prefetches below a few keys
 * apart before interning it, so that the misses of different keys overlap
 * instead of each probe waiting on its own chain.  They are hints only: the
 * table may change in between (an insertion, a growth), which costs a miss,
 * never a wrong answer.
 */
static inline void
strtab_prefetch(const strtab *t, uint32_t h)
{
	__builtin_prefetch(&t->slots[h & (t->nslots - 1)]);
}

/* The entry of the first slot (from h's) holding h; -1 when none near. */
static inline int64_t
strtab_candidate(const strtab *t, uint32_t h)
{
	uint32_t	mask = t->nslots - 1,
				i = h & mask;

	for (int k = 0; k < 4; k++)
	{
		uint64_t	sl = t->slots[i];

		if (sl == 0)
			return -1;
		if ((uint32_t) (sl >> 32) == h)
			return (int64_t) (uint32_t) sl - 1;
		i = (i + 1) & mask;
	}
	return -1;
}

/* second step: the slot is in cache; fetch the entry it names (two lines when it straddles) */
static inline void
strtab_prefetch_entry(const strtab *t, uint32_t h)
{
	int64_t		e = strtab_candidate(t, h);

	if (e >= 0)
	{
		__builtin_prefetch(&t->ent[e]);
		__builtin_prefetch((const char *) &t->ent[e] + sizeof(strtab_ent) - 1);
	}
}

/* third step: the entry is in cache; fetch the bytes of a long string */
static inline void
strtab_prefetch_bytes(const strtab *t, uint32_t h)
{
	int64_t		e = strtab_candidate(t, h);

	if (e >= 0 && t->ent[e].len > STRTAB_INLINE)
		__builtin_prefetch(t->buf + t->ent[e].s.off);
}

/*
 * Room for about n strings (`bytes` of them past STRTAB_INLINE) without
 * growing (the hash slots are allocated and zeroed now, the rest only
 * reserved).  Only on an empty table; a hint: more
 * strings still fit, the table grows as usual.
 */
extern void strtab_reserve(strtab *t, uint32_t n, size_t bytes);

/* Free the hash index (ids, bytes and sorting stay); no lookups or interning after. */
extern void strtab_drop_index(strtab *t);

/* The id of (tag, s), or UINT32_MAX when absent. */
extern uint32_t strtab_lookup(const strtab *t, uint32_t tag, const char *s, size_t len);

/* The bytes of string id (valid until the next interning) */
static inline const char *
strtab_str(const strtab *t, uint32_t id)
{
	const strtab_ent *e = &t->ent[id];

	return e->len <= STRTAB_INLINE ? e->s.bytes : t->buf + e->s.off;
}

static inline uint32_t
strtab_len(const strtab *t, uint32_t id)
{
	return t->ent[id].len;
}

static inline uint32_t
strtab_tag(const strtab *t, uint32_t id)
{
	return t->ent[id].tag;
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
