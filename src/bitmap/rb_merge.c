/*
 * rb_merge.c — OR a serialized bitmap into a CRoaring bitmap, container by
 * container, without deserializing it first.
 *
 * CRoaring's deserializer mallocs and copies every container of every row
 * that rb_or_agg folds in, only for the copy to be merged and freed.  Here
 * each stored container is wrapped in a stack header that points at the
 * bytes (bitsets are copied once into an aligned buffer) and handed to
 * CRoaring's own lazy in-place union; only containers new to the result
 * are cloned.  Plain C over CRoaring 0.2.66's published container API.
 */
#include "bitmap/rb_merge.h"

#include <string.h>

#include <roaring/containers/containers.h>
#include <roaring/roaring_array.h>

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define RB_MERGE_IN_PLACE 1
#endif

/* aligned scratch for containers whose bytes cannot be used where they lie */
static uint64_t scratch[(2 + 4 * 32768) / 8 + 1024];
static uint64_t scratch2[(2 + 4 * 32768) / 8 + 1024];

#ifdef RB_MERGE_IN_PLACE
/* A stored container as a CRoaring container header over its bytes. */
typedef struct wrapped
{
	array_container_t ac;
	bitset_container_t bc;
	run_container_t rc;
} wrapped;

static void
wrap_into(const rb_container *c, wrapped *w, void **tmp, uint8_t *type, uint64_t *scratch)
{
	switch (c->type)
	{
		case RB_ARRAY:
			w->ac.cardinality = w->ac.capacity = (int32_t) c->card;
			if (((uintptr_t) c->data & 1) == 0)
				w->ac.array = (uint16_t *) c->data;
			else
			{
				memcpy(scratch, c->data, 2 * (size_t) c->card);
				w->ac.array = (uint16_t *) scratch;
			}
			*tmp = &w->ac;
			*type = ARRAY_CONTAINER_TYPE_CODE;
			break;
		case RB_BITSET:
			memcpy(scratch, c->data, RB_BITSET_BYTES);
			w->bc.cardinality = (int32_t) c->card;
			w->bc.array = scratch;
			*tmp = &w->bc;
			*type = BITSET_CONTAINER_TYPE_CODE;
			break;
		default:
			w->rc.n_runs = w->rc.capacity = (int32_t) c->nruns;
			if (((uintptr_t) c->data & 1) == 0)
				w->rc.runs = (rle16_t *) c->data;
			else
			{
				memcpy(scratch, c->data, 4 * (size_t) c->nruns);
				w->rc.runs = (rle16_t *) scratch;
			}
			*tmp = &w->rc;
			*type = RUN_CONTAINER_TYPE_CODE;
			break;
	}
}
static void
wrap(const rb_container *c, wrapped *w, void **tmp, uint8_t *type)
{
	wrap_into(c, w, tmp, type, scratch);
}
#endif

/* r |= the container tmp of the given type and key (tmp is not kept). */
static bool
or_container(roaring_array_t *ra, uint16_t key, void *tmp, uint8_t type)
{
	int32_t		idx = ra_get_index(ra, key);

	if (idx < 0)
	{
		void	   *copy = container_clone(tmp, type);

		if (copy == NULL)
			return false;
		ra_insert_new_key_value_at(ra, -idx - 1, key, copy, type);
	}
	else
	{
		uint8_t		type1,
					rtype;
		void	   *c1 = ra_get_container_at_index(ra, (uint16_t) idx, &type1);
		void	   *res = container_lazy_ior(c1, type1, tmp, type, &rtype);

		if (res == NULL)
			return false;
		if (res != c1)
			container_free(c1, type1);
		ra_set_container_at_index(ra, idx, res, rtype);
	}
	return true;
}

#ifdef RB_MERGE_IN_PLACE
/*
 * dst |= the stored container c, read where it lies.  Once a key of the union
 * is a bitset (the common case for large unions) every later row only sets
 * bits: no wrapper, no copy of the row's bitset into scratch, no CRoaring
 * dispatch.  The cardinality is recounted by roaring_bitmap_repair_after_lazy.
 * True when the container is known to be full: the caller swaps it for a full
 * run, which every later row of that key skips (unions of many tags fill most
 * keys early).
 */
static bool
or_into_bitset(bitset_container_t *dst, const rb_container *c)
{
	uint64_t   *w = dst->array;
	const uint8_t *p = c->data;
	uint64_t	all = 0;

	switch (c->type)
	{
		case RB_BITSET:
			all = ~UINT64_C(0);
			for (int k = 0; k < 1024; k++)
			{
				uint64_t	x;

				memcpy(&x, p + 8 * k, 8);
				all &= (w[k] |= x);
			}
			break;
		case RB_ARRAY:
			/* CRoaring's setter is tuned for this; it wants uint16 alignment */
			if ((uintptr_t) p & 1)
			{
				memcpy(scratch2, p, 2 * (size_t) c->card);
				p = (const uint8_t *) scratch2;
			}
			bitset_set_list(w, (const uint16_t *) p, c->card);
			break;
		default:
			for (uint32_t r = 0; r < c->nruns; r++)
			{
				uint16_t	start,
							len;

				memcpy(&start, p + 4 * r, 2);
				memcpy(&len, p + 4 * r + 2, 2);
				bitset_set_lenrange(w, start, len);
			}
			break;
	}
	dst->cardinality = BITSET_UNKNOWN_CARDINALITY;
	/* a bitset row's pass tells for free whether the key is now complete */
	return all == ~UINT64_C(0);
}
#endif

/*
 * r |= sorted values, a container at a time: one linear merge per container
 * touched, where adding them one by one would shift an array container's
 * tail on every insert.
 */
bool
rb_lazy_or_sorted(roaring_bitmap_t *r, const uint32_t *vals, size_t n)
{
	roaring_array_t *ra = &r->high_low_container;
	uint16_t   *lows = (uint16_t *) scratch;

	for (size_t i = 0; i < n;)
	{
		uint16_t	key = (uint16_t) (vals[i] >> 16);
		int32_t		card = 0;

		/* one key's values, duplicates dropped */
		for (; i < n && (uint16_t) (vals[i] >> 16) == key; i++)
		{
			uint16_t	low = (uint16_t) vals[i];

			if (card == 0 || lows[card - 1] != low)
				lows[card++] = low;
		}
		if (card <= 4096)
		{
			array_container_t ac;

			ac.cardinality = ac.capacity = card;
			ac.array = lows;
			if (!or_container(ra, key, &ac, ARRAY_CONTAINER_TYPE_CODE))
				return false;
		}
		else
		{
			static uint64_t words[1024];
			bitset_container_t bc;

			memset(words, 0, sizeof(words));
			for (int32_t k = 0; k < card; k++)
				words[lows[k] >> 6] |= 1ULL << (lows[k] & 63);
			bc.cardinality = card;
			bc.array = words;
			if (!or_container(ra, key, &bc, BITSET_CONTAINER_TYPE_CODE))
				return false;
		}
	}
	return true;
}

bool
rb_lazy_or_view(roaring_bitmap_t *r, const rb_view *v)
{
#ifdef RB_MERGE_IN_PLACE
	roaring_array_t *ra = &r->high_low_container;

	for (int32_t i = 0; i < v->n; i++)
	{
		rb_container c;
		wrapped		w;
		void	   *tmp;
		uint8_t		type;
		int32_t		idx;

		if (!rb_view_container(v, i, &c))
			return false;
		idx = ra_get_index(ra, c.key);
		if (idx >= 0 && ra->typecodes[idx] == RUN_CONTAINER_TYPE_CODE &&
			run_container_is_full((const run_container_t *) ra->containers[idx]))
			continue;
		if (idx >= 0 && ra->typecodes[idx] == BITSET_CONTAINER_TYPE_CODE)
		{
			if (or_into_bitset((bitset_container_t *) ra->containers[idx], &c))
			{
				run_container_t *full = run_container_create_range(0, 1 << 16);

				if (full == NULL)
					return false;
				bitset_container_free((bitset_container_t *) ra->containers[idx]);
				ra_set_container_at_index(ra, idx, full, RUN_CONTAINER_TYPE_CODE);
			}
			continue;
		}
		if (idx < 0 && c.type == RB_BITSET)
		{
			/* new key: one copy from the stored bytes, not two via scratch */
			bitset_container_t *b = bitset_container_create();

			if (b == NULL)
				return false;
			memcpy(b->array, c.data, RB_BITSET_BYTES);
			b->cardinality = (int32_t) c.card;
			ra_insert_new_key_value_at(ra, -idx - 1, c.key, b, BITSET_CONTAINER_TYPE_CODE);
			continue;
		}
		wrap(&c, &w, &tmp, &type);
		if (!or_container(ra, c.key, tmp, type))
			return false;
	}
	return true;
#else
	roaring_bitmap_t *d = roaring_bitmap_portable_deserialize_safe((const char *) v->buf, v->len);

	if (d == NULL)
		return false;
	roaring_bitmap_lazy_or_inplace(r, d, false);
	roaring_bitmap_free(d);
	return true;
#endif
}

/*
 * r &= v in place, touching only the containers whose keys both have: the
 * same loop as roaring_bitmap_and_inplace, with v read where it lies.
 */
bool
rb_and_view(roaring_bitmap_t *r, const rb_view *v)
{
#ifdef RB_MERGE_IN_PLACE
	roaring_array_t *ra = &r->high_low_container;
	int32_t		pos1 = 0,
				pos2 = 0,
				out = 0,
				length1 = ra->size;

	while (pos1 < length1 && pos2 < v->n)
	{
		uint16_t	s1 = ra->keys[pos1],
					s2 = rb_view_key(v, pos2);

		if (s1 == s2)
		{
			rb_container c;
			wrapped		w;
			void	   *tmp,
					   *c1 = ra->containers[pos1],
					   *res;
			uint8_t		type,
						type1 = ra->typecodes[pos1],
						rtype;

			if (!rb_view_container(v, pos2, &c))
				return false;
			wrap(&c, &w, &tmp, &type);
			res = container_iand(c1, type1, tmp, type, &rtype);
			if (res != c1)
				container_free(c1, type1);
			if (res == NULL)
			{
				/* out of memory: keep what is consistent */
				for (pos1++; pos1 < length1; pos1++)
					container_free(ra->containers[pos1], ra->typecodes[pos1]);
				ra->size = out;
				return false;
			}
			if (container_nonzero_cardinality(res, rtype))
			{
				ra->keys[out] = s1;
				ra->containers[out] = res;
				ra->typecodes[out] = rtype;
				out++;
			}
			else
				container_free(res, rtype);
			pos1++;
			pos2++;
		}
		else if (s1 < s2)
		{
			container_free(ra->containers[pos1], ra->typecodes[pos1]);
			pos1++;
		}
		else
			pos2++;
	}
	for (; pos1 < length1; pos1++)
		container_free(ra->containers[pos1], ra->typecodes[pos1]);
	ra->size = out;
	return true;
#else
	roaring_bitmap_t *d = roaring_bitmap_portable_deserialize_safe((const char *) v->buf, v->len);

	if (d == NULL)
		return false;
	roaring_bitmap_and_inplace(r, d);
	roaring_bitmap_free(d);
	return true;
#endif
}

/* a & b of two stored bitmaps, materializing only the common containers. */
roaring_bitmap_t *
rb_and_views(const rb_view *a, const rb_view *b)
{
	roaring_bitmap_t *r = roaring_bitmap_create();
#ifdef RB_MERGE_IN_PLACE
	int32_t		i = 0,
				j = 0;

	if (r == NULL)
		return NULL;
	while (i < a->n && j < b->n)
	{
		uint16_t	ka = rb_view_key(a, i),
					kb = rb_view_key(b, j);

		if (ka < kb)
			i++;
		else if (kb < ka)
			j++;
		else
		{
			rb_container ca,
						cb;
			wrapped		wa,
						wb;
			void	   *ta,
					   *tb,
					   *res;
			uint8_t		typa,
						typb,
						rtype;

			if (!rb_view_container(a, i, &ca) || !rb_view_container(b, j, &cb))
			{
				roaring_bitmap_free(r);
				return NULL;
			}
			wrap_into(&ca, &wa, &ta, &typa, scratch);
			wrap_into(&cb, &wb, &tb, &typb, scratch2);
			res = container_and(ta, typa, tb, typb, &rtype);
			if (res == NULL)
			{
				roaring_bitmap_free(r);
				return NULL;
			}
			if (container_nonzero_cardinality(res, rtype))
				ra_append(&r->high_low_container, ka, res, rtype);
			else
				container_free(res, rtype);
			i++;
			j++;
		}
	}
	return r;
#else
	roaring_bitmap_t *x = roaring_bitmap_portable_deserialize_safe((const char *) a->buf, a->len);
	roaring_bitmap_t *y = roaring_bitmap_portable_deserialize_safe((const char *) b->buf, b->len);

	roaring_bitmap_free(r);
	r = (x && y) ? roaring_bitmap_and(x, y) : NULL;
	if (x)
		roaring_bitmap_free(x);
	if (y)
		roaring_bitmap_free(y);
	return r;
#endif
}
