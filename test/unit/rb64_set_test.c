/*
 * Unit tests of the 64-bit set of CRoaring bitmaps per high key
 * (src/bitmap64/rb64_set.c), against a sorted array of uint64 as the model:
 * random values over a few high keys (0 and 2^32-1 among them, low halves
 * at both ends too) added in any order, sorted or not, lazily or not, in
 * several batches; slots created in random key order; key lists merged in;
 * empty buckets compacted away.  The host is malloc with a counting tick, so
 * that the cancel checks of a long add are seen to run.
 */
// link: src/bitmap64/rb64_set.c src/bitmap/rb_merge.c src/bitmap/rb_format.c src/bitmap/rb_kernels.c src/bitmap/rb_simd.c src/bitmap/rb_canon.c
#include "bitmap64/rb64_set.h"

#include "tap.h"

#include <stdlib.h>
#include <string.h>

static void *h_alloc(void *ctx, size_t n) { (void) ctx; void *p = malloc(n); if (!p) abort(); return p; }
static void *h_realloc(void *ctx, void *p, size_t n) { (void) ctx; p = realloc(p, n); if (!p) abort(); return p; }
static void h_release(void *ctx, void *p) { (void) ctx; free(p); }
static long ticks;
static void h_tick(void *ctx) { (void) ctx; ticks++; }
static const core_host host = {h_alloc, h_realloc, h_release, h_tick, NULL};

static void
set_destroy(Rb64Set *s)
{
	rb64set_release(s);
	free(s->keys);
	free(s->bms);
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t	x = *(const uint64_t *) a,
				y = *(const uint64_t *) b;

	return x < y ? -1 : x > y;
}

/* sort and deduplicate: the model of a set */
static size_t
model_norm(uint64_t *v, size_t n)
{
	size_t		k = 0;

	qsort(v, n, sizeof(uint64_t), cmp_u64);
	for (size_t i = 0; i < n; i++)
		if (k == 0 || v[k - 1] != v[i])
			v[k++] = v[i];
	return k;
}

/* the set's keys ascend, no NULL bitmap, and its values are exactly model[0..m) */
static int
set_equals(const Rb64Set *s, const uint64_t *model, size_t m, int allow_empty)
{
	size_t		at = 0;

	for (int32_t i = 0; i < s->n; i++)
	{
		roaring_uint32_iterator_t *it;

		if (s->bms[i] == NULL || (i > 0 && s->keys[i - 1] >= s->keys[i]))
			return 0;
		if (!allow_empty && roaring_bitmap_is_empty(s->bms[i]))
			return 0;
		it = roaring_create_iterator(s->bms[i]);
		while (it->has_value)
		{
			uint64_t	x = ((uint64_t) s->keys[i] << 32) | it->current_value;

			if (at >= m || model[at] != x)
			{
				roaring_free_uint32_iterator(it);
				return 0;
			}
			at++;
			roaring_advance_uint32_iterator(it);
		}
		roaring_free_uint32_iterator(it);
	}
	return at == m;
}

static uint64_t
random_value(const uint32_t *keys, int nkeys)
{
	uint32_t	hi = keys[rnd() % nkeys];
	uint32_t	lo;

	switch (rnd() % 4)
	{
		case 0:
			lo = rnd() % 3;		/* 0, 1, 2 */
			break;
		case 1:
			lo = UINT32_MAX - rnd() % 3;
			break;
		case 2:
			lo = 1000000 + rnd() % 70000;	/* dense: bitset and run containers */
			break;
		default:
			lo = rnd();
	}
	return ((uint64_t) hi << 32) | lo;
}

static void
random_keys(uint32_t *keys, int *nkeys)
{
	uint32_t	pool[] = {0, 1, 2, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFE, 0xFFFFFFFF};

	*nkeys = 1 + rnd() % 5;
	for (int i = 0; i < *nkeys; i++)
		keys[i] = rnd() % 2 ? pool[rnd() % 7] : rnd();
}

int
main(void)
{
	int			ok_add = 1,
				ok_sorted = 1,
				ok_slot = 1,
				ok_find = 1,
				ok_ensure = 1,
				ok_keep = 1,
				ok_compact = 1;

	/* add_values in batches, any order, lazy or not, against the model */
	for (int round = 0; round < 300; round++)
	{
		Rb64Set		s;
		uint32_t	keys[5];
		int			nkeys;
		size_t		total = 0,
					cap = 0;
		uint64_t   *model = NULL;
		int			lazy = round % 2;
		int			batches = 1 + rnd() % 4;

		random_keys(keys, &nkeys);
		rb64set_init(&s, &host);
		for (int b = 0; b < batches; b++)
		{
			size_t		n = rnd() % (round % 10 == 0 ? 5000 : 300);
			uint64_t   *v = malloc((n ? n : 1) * sizeof(uint64_t));

			for (size_t i = 0; i < n; i++)
				v[i] = random_value(keys, nkeys);
			if (rnd() % 3 == 0)
				qsort(v, n, sizeof(uint64_t), cmp_u64);
			model = realloc(model, (cap = total + n + 1) * sizeof(uint64_t));
			memcpy(model + total, v, n * sizeof(uint64_t));
			total += n;
			if (rb64set_add_values(&s, v, n, lazy) != RB64_SET_OK)
				ok_add = 0;
			for (size_t i = 1; i < n; i++)
				if (v[i - 1] > v[i])
					ok_sorted = 0;
			free(v);
		}
		if (lazy)
			for (int32_t i = 0; i < s.n; i++)
				roaring_bitmap_repair_after_lazy(s.bms[i]);
		total = model_norm(model, total);
		if (!set_equals(&s, model, total, 0))
			ok_add = 0;
		for (int32_t i = 0; i < s.n; i++)
			if (roaring_bitmap_get_cardinality(s.bms[i]) == 0)
				ok_add = 0;
		(void) cap;
		free(model);
		set_destroy(&s);
	}
	check(ok_add, "rb64set_add_values: batches in any order, lazy or not, hold exactly the model's values");
	check(ok_sorted, "rb64set_add_values leaves its input sorted");

	/* a long add ticks: a cancel is honoured inside it */
	{
		Rb64Set		s;
		size_t		n = 300000;
		uint64_t   *v = malloc(n * sizeof(uint64_t));
		uint32_t	keys[] = {0, 5, UINT32_MAX};

		for (size_t i = 0; i < n; i++)
			v[i] = random_value(keys, 3);
		rb64set_init(&s, &host);
		ticks = 0;
		rb64set_add_values(&s, v, n, false);
		check(ticks >= (long) (n / CORE_TICK_EVERY), "rb64set_add_values ticks at least once per CORE_TICK_EVERY values");
		free(v);
		set_destroy(&s);
	}

	/* slot and find: keys in random order, against a sorted key list */
	for (int round = 0; round < 200; round++)
	{
		Rb64Set		s;
		uint64_t	model[64];
		int			m = 0,
					n = rnd() % 40;

		rb64set_init(&s, &host);
		for (int i = 0; i < n; i++)
		{
			uint32_t	k = rnd() % 2 ? rnd() % 50 : (rnd() % 2 ? 0 : UINT32_MAX);
			roaring_bitmap_t *r = rb64set_slot(&s, k);
			roaring_bitmap_t *again = rb64set_slot(&s, k);

			if (r == NULL || r != again)
				ok_slot = 0;
			else
				roaring_bitmap_add(r, (uint32_t) i);
			model[m++] = ((uint64_t) k << 32) | (uint32_t) i;
		}
		m = (int) model_norm(model, m);
		if (!set_equals(&s, model, m, 0))
			ok_slot = 0;
		for (int probe = 0; probe < 60; probe++)
		{
			uint32_t	k = probe < 50 ? (uint32_t) probe : rnd();
			int32_t		at = rb64set_find(&s, k);
			int32_t		lo = 0;

			while (lo < s.n && s.keys[lo] < k)
				lo++;
			if (lo < s.n && s.keys[lo] == k ? at != lo : at != -(lo + 1))
				ok_find = 0;
		}
		set_destroy(&s);
	}
	check(ok_slot, "rb64set_slot creates each key's bitmap once, in key order");
	check(ok_find, "rb64set_find gives the index of a key or its insertion point");

	/* ensure_keys merges a key list in; existing bitmaps stay where their key is */
	for (int round = 0; round < 300; round++)
	{
		Rb64Set		s;
		uint32_t	list[40],
					all[80];
		int			nlist = rnd() % 40,
					nall = 0,
					nold = rnd() % 40;
		uint64_t	model[40];
		int			m = 0;

		rb64set_init(&s, &host);
		for (int i = 0; i < nold; i++)
		{
			uint32_t	k = rnd() % 3 == 0 ? (rnd() % 2 ? 0 : UINT32_MAX) : rnd() % 60;
			roaring_bitmap_t *r = rb64set_slot(&s, k);

			roaring_bitmap_add(r, k ^ 0x5555);
			model[m++] = ((uint64_t) k << 32) | (k ^ 0x5555);
			all[nall++] = k;
		}
		for (int i = 0; i < nlist; i++)
			list[i] = rnd() % 3 == 0 ? (rnd() % 2 ? 0 : UINT32_MAX) : rnd() % 60;
		/* an ascending list without duplicates */
		{
			uint64_t	t[40];

			for (int i = 0; i < nlist; i++)
				t[i] = list[i];
			nlist = (int) model_norm(t, nlist);
			for (int i = 0; i < nlist; i++)
				all[nall++] = list[i] = (uint32_t) t[i];
		}
		if (rb64set_ensure_keys(&s, list, nlist) != RB64_SET_OK)
			ok_ensure = 0;
		{
			uint64_t	t[80];
			int			nk;

			for (int i = 0; i < nall; i++)
				t[i] = all[i];
			nk = (int) model_norm(t, nall);
			if (s.n != nk)
				ok_ensure = 0;
			for (int i = 0; i < nk && i < s.n; i++)
				if (s.keys[i] != (uint32_t) t[i] || s.bms[i] == NULL)
					ok_ensure = 0;
		}
		m = (int) model_norm(model, m);
		/* the new slots are empty; the old ones kept their values */
		if (!set_equals(&s, model, m, 1))
			ok_keep = 0;
		rb64set_compact(&s);
		if (!set_equals(&s, model, m, 0))
			ok_compact = 0;
		{
			int			distinct_old = 0;

			for (int i = 0; i < m; i++)
				if (i == 0 || (model[i - 1] >> 32) != (model[i] >> 32))
					distinct_old++;
			if (s.n != distinct_old)
				ok_compact = 0;
		}
		set_destroy(&s);
	}
	check(ok_ensure, "rb64set_ensure_keys: the keys are the union, ascending, each with a bitmap");
	check(ok_keep, "rb64set_ensure_keys keeps every existing bitmap with its key");
	check(ok_compact, "rb64set_compact drops exactly the empty bitmaps");

	/* an empty add and an empty set */
	{
		Rb64Set		s;

		rb64set_init(&s, &host);
		check(rb64set_add_values(&s, NULL, 0, false) == RB64_SET_OK && s.n == 0 &&
			  rb64set_find(&s, 7) == -1 && rb64set_ensure_keys(&s, NULL, 0) == RB64_SET_OK,
			  "an empty set stays empty");
		set_destroy(&s);
	}
	return done_testing();
}
