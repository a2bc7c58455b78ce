/*
 * rb64_set.c — a 64-bit set as one CRoaring bitmap per high key.  Plain C.
 *
 * Moved out of the glue so that a unit test (test/unit/rb64_set_test.c)
 * checks the key merges and the batched adds against a sorted-array model;
 * the glue (rb64_datum_fmgr.c) gives it a memory context as host and turns
 * a status into an ERROR.
 */
#include "bitmap64/rb64_set.h"

#include <string.h>

#include "base/radix_sort.h"
#include "bitmap/rb_merge.h"

void
rb64set_init(Rb64Set *s, const core_host *host)
{
	s->host = host;
	s->n = 0;
	s->cap = 4;
	s->keys = CORE_ALLOC(host, s->cap * sizeof(uint32_t));
	s->bms = CORE_ALLOC(host, s->cap * sizeof(roaring_bitmap_t *));
}

void
rb64set_release(Rb64Set *s)
{
	for (int32_t i = 0; i < s->n; i++)
		if (s->bms[i])
			roaring_bitmap_free(s->bms[i]);
	s->n = 0;
}

static void
rb64set_grow(Rb64Set *s, int64_t need)
{
	int64_t		cap = s->cap;

	if (need <= cap)
		return;
	while (cap < need)
		cap *= 2;
	s->keys = CORE_REALLOC(s->host, s->keys, (size_t) cap * sizeof(uint32_t));
	s->bms = CORE_REALLOC(s->host, s->bms, (size_t) cap * sizeof(roaring_bitmap_t *));
	s->cap = (int32_t) cap;
}

int32_t
rb64set_find(const Rb64Set *s, uint32_t key)
{
	int32_t		lo = 0,
				hi = s->n - 1;

	while (lo <= hi)
	{
		int32_t		mid = (lo + hi) >> 1;

		if (s->keys[mid] < key)
			lo = mid + 1;
		else if (s->keys[mid] > key)
			hi = mid - 1;
		else
			return mid;
	}
	return -(lo + 1);
}

roaring_bitmap_t *
rb64set_slot(Rb64Set *s, uint32_t key)
{
	int32_t		i;
	roaring_bitmap_t *r;

	if (s->n > 0 && s->keys[s->n - 1] == key)
		return s->bms[s->n - 1];
	if (s->n == 0 || s->keys[s->n - 1] < key)
		i = s->n;
	else
	{
		i = rb64set_find(s, key);
		if (i >= 0)
			return s->bms[i];
		i = -i - 1;
	}
	/* created before the arrays change, so that a failure leaves them whole */
	r = roaring_bitmap_create();
	if (r == NULL)
		return NULL;
	rb64set_grow(s, (int64_t) s->n + 1);
	memmove(s->keys + i + 1, s->keys + i, (size_t) (s->n - i) * sizeof(uint32_t));
	memmove(s->bms + i + 1, s->bms + i, (size_t) (s->n - i) * sizeof(roaring_bitmap_t *));
	s->keys[i] = key;
	s->bms[i] = r;
	s->n++;
	return r;
}

rb64_set_status
rb64set_ensure_keys(Rb64Set *s, const uint32_t *keys, int64_t n)
{
	int64_t		missing = 0,
				i,
				j,
				k;

	for (i = 0, j = 0; i < n; i++)
	{
		while (j < s->n && s->keys[j] < keys[i])
			j++;
		if (j == s->n || s->keys[j] != keys[i])
			missing++;
	}
	if (missing == 0)
		return RB64_SET_OK;
	if ((int64_t) s->n + missing > RB64_SET_MAX_KEYS)
		return RB64_SET_TOO_MANY_KEYS;
	rb64set_grow(s, (int64_t) s->n + missing);
	/* merge from the back, in place */
	i = n - 1;
	j = s->n - 1;
	k = s->n + missing - 1;
	while (i >= 0)
	{
		if (j >= 0 && s->keys[j] > keys[i])
		{
			s->keys[k] = s->keys[j];
			s->bms[k--] = s->bms[j--];
		}
		else if (j >= 0 && s->keys[j] == keys[i])
		{
			s->keys[k] = s->keys[j];
			s->bms[k--] = s->bms[j--];
			i--;
		}
		else
		{
			s->keys[k] = keys[i--];
			s->bms[k--] = NULL;
		}
	}
	s->n += (int32_t) missing;
	/* allocate after the merge; on failure the new slots are dropped again */
	for (i = 0; i < s->n; i++)
		if (s->bms[i] == NULL)
		{
			s->bms[i] = roaring_bitmap_create();
			if (s->bms[i] == NULL)
			{
				rb64set_compact(s);
				return RB64_SET_NO_MEMORY;
			}
		}
	return RB64_SET_OK;
}

void
rb64set_compact(Rb64Set *s)
{
	int32_t		k = 0;

	for (int32_t i = 0; i < s->n; i++)
	{
		if (s->bms[i] == NULL)
			continue;
		if (roaring_bitmap_is_empty(s->bms[i]))
		{
			roaring_bitmap_free(s->bms[i]);
			continue;
		}
		s->keys[k] = s->keys[i];
		s->bms[k++] = s->bms[i];
	}
	s->n = k;
}

/*
 * radix_sort's check takes no argument: the host of the sort running now.
 * A backend runs one sort at a time, and a tick that throws leaves it set
 * to a host that the next sort replaces.
 */
static const core_host *sort_host;

static void
sort_tick(void)
{
	CORE_TICK(sort_host);
}

static void
radix_sort_uint64(const core_host *host, uint64_t *v, size_t n)
{
	uint64_t   *tmp = CORE_ALLOC(host, n * sizeof(uint64_t));
	uint64_t   *r;

	sort_host = host;
	r = radix_sort(v, tmp, n, sizeof(uint64_t), RS_UINT64, sort_tick);
	if (r != v)
		memcpy(v, r, n * sizeof(uint64_t));
	CORE_FREE(host, tmp);
}

/*
 * Sorted, then each high key's run of low halves merges into its bitmap in
 * one pass.
 */
rb64_set_status
rb64set_add_values(Rb64Set *s, uint64_t *vals, size_t n, bool lazy)
{
	const core_host *host = s->host;
	uint32_t   *keys,
			   *lows;
	size_t		nkeys = 0;
	bool		sorted = true;
	rb64_set_status st;

	if (n == 0)
		return RB64_SET_OK;
	for (size_t i = 1; i < n && sorted; i++)
		sorted = vals[i - 1] <= vals[i];
	if (!sorted)
		radix_sort_uint64(host, vals, n);
	keys = CORE_ALLOC(host, n * sizeof(uint32_t));
	lows = CORE_ALLOC(host, n * sizeof(uint32_t));
	for (size_t i = 0; i < n; i++)
	{
		uint32_t	k = (uint32_t) (vals[i] >> 32);

		if ((i % CORE_TICK_EVERY) == 0)
			CORE_TICK(host);

		if (nkeys == 0 || keys[nkeys - 1] != k)
			keys[nkeys++] = k;
		lows[i] = (uint32_t) vals[i];
	}
	st = rb64set_ensure_keys(s, keys, (int64_t) nkeys);
	for (size_t i = 0, ki = 0; st == RB64_SET_OK && i < n; ki++)
	{
		size_t		j = i;
		int32_t		slot = rb64set_find(s, keys[ki]);

		while (j < n && (uint32_t) (vals[j] >> 32) == keys[ki])
			j++;
		/* a key's values in slices, a cancel check before each */
		for (size_t k = i; k < j; k += CORE_TICK_EVERY)
		{
			size_t		len = j - k < CORE_TICK_EVERY ? j - k : CORE_TICK_EVERY;

			CORE_TICK(host);
			if (!rb_lazy_or_sorted(s->bms[slot], lows + k, len))
			{
				st = RB64_SET_NO_MEMORY;
				break;
			}
		}
		if (!lazy)
			roaring_bitmap_repair_after_lazy(s->bms[slot]);
		i = j;
	}
	CORE_FREE(host, keys);
	CORE_FREE(host, lows);
	return st;
}
