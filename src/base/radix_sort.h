/*
 * radix_sort.h — the one stable LSD radix sort of fixed-size records by an
 * integer key at their start, in plain C.
 *
 * Bitmap builds sort buffered ids, the one-pass event aggregates and
 * attribution_agg group records by user: all of them sort many records by a
 * 32- or 64-bit key, where comparison sorts spend tens of nanoseconds per
 * call.  One counting pass fills every byte histogram; a byte position where
 * all keys agree (the high bytes of ids from one system) moves nothing and is
 * skipped.  Defined inline so that each caller's constant record size and key
 * kind compile to plain moves.
 *
 * The cancel check is the core host's tick (base/host.h), as in every other
 * core: radix_sort_host.  radix_sort, with a plain `void (*)(void)` check,
 * is the older entry point, kept as a thin wrapper so that its callers
 * (bitmap, funnel, attribution) need no change.
 */
#ifndef PERSONA_RADIX_SORT_H
#define PERSONA_RADIX_SORT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "base/host.h"

typedef enum rs_key_kind
{
	RS_UINT32,					/* uint32 at the record's start */
	RS_UINT64,					/* uint64 at the record's start */
	RS_INT64					/* int64, in signed order */
} rs_key_kind;

static inline uint64_t
rs_key(const char *rec, rs_key_kind kind)
{
	if (kind == RS_UINT32)
	{
		uint32_t	k;

		memcpy(&k, rec, sizeof(k));
		return k;
	}
	else
	{
		uint64_t	k;

		memcpy(&k, rec, sizeof(k));
		/* the sign bit flipped: signed order becomes unsigned order */
		return kind == RS_INT64 ? k ^ UINT64_C(0x8000000000000000) : k;
	}
}

/* Records between two calls of the check: its cost stays out of sight. */
#define RS_CHECK_EVERY CORE_TICK_EVERY

/*
 * Sort n records of size bytes at base by their key, stably, moving them
 * between base and tmp (room for n records).  Returns whichever of the two
 * holds the result.  tick(ctx), when tick is not NULL, runs once per
 * RS_CHECK_EVERY records of every pass, the counting pass included (the
 * caller's cancel check: one pass over a billion records takes seconds).
 */
static inline void *
rs_sort(void *base, void *tmp, size_t n, size_t size, rs_key_kind kind,
		void (*tick) (void *ctx), void *ctx)
{
	const int	nbytes = kind == RS_UINT32 ? 4 : 8;
	size_t		count[8][256];
	char	   *src = base,
			   *dst = tmp;

	if (n < 2)
		return base;
	memset(count, 0, sizeof(count[0]) * nbytes);
	for (size_t lo = 0; lo < n; lo += RS_CHECK_EVERY)
	{
		size_t		hi = n - lo > RS_CHECK_EVERY ? lo + RS_CHECK_EVERY : n;

		if (tick)
			tick(ctx);
		for (size_t i = lo; i < hi; i++)
		{
			uint64_t	k = rs_key(src + i * size, kind);

			for (int b = 0; b < nbytes; b++)
				count[b][(k >> (8 * b)) & 0xFF]++;
		}
	}
	for (int b = 0; b < nbytes; b++)
	{
		size_t		pos = 0;

		if (count[b][(rs_key(src, kind) >> (8 * b)) & 0xFF] == n)
			continue;
		for (int d = 0; d < 256; d++)
		{
			size_t		c = count[b][d];

			count[b][d] = pos;
			pos += c;
		}
		for (size_t lo = 0; lo < n; lo += RS_CHECK_EVERY)
		{
			size_t		hi = n - lo > RS_CHECK_EVERY ? lo + RS_CHECK_EVERY : n;

			if (tick)
				tick(ctx);
			for (size_t i = lo; i < hi; i++)
				memcpy(dst + size * count[b][(rs_key(src + i * size, kind) >> (8 * b)) & 0xFF]++,
					   src + i * size, size);
		}
		{
			char	   *t = src;

			src = dst;
			dst = t;
		}
	}
	return src;
}

/* The sort with the host's tick as its cancel check (h may be NULL: none). */
static inline void *
radix_sort_host(void *base, void *tmp, size_t n, size_t size, rs_key_kind kind,
				const core_host *h)
{
	return rs_sort(base, tmp, n, size, kind, h ? h->tick : NULL, h ? h->ctx : NULL);
}

/* The older entry point: check (or NULL) is a plain function. */
typedef struct rs_check_fn
{
	void		(*check) (void);
} rs_check_fn;

static inline void
rs_call_check(void *ctx)
{
	((const rs_check_fn *) ctx)->check();
}

static inline void *
radix_sort(void *base, void *tmp, size_t n, size_t size, rs_key_kind kind,
		   void (*check) (void))
{
	rs_check_fn c = {check};

	return rs_sort(base, tmp, n, size, kind, check ? rs_call_check : NULL, &c);
}

#endif
