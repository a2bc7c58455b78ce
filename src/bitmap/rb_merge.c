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
#include "rb_merge.h"

#include <string.h>

#include <roaring/containers/containers.h>
#include <roaring/roaring_array.h>

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define RB_MERGE_IN_PLACE 1
#endif

/* aligned scratch for containers whose bytes cannot be used where they lie */
static uint64_t scratch[(2 + 4 * 32768) / 8 + 1024];

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
		array_container_t ac;
		bitset_container_t bc;
		run_container_t rc;
		void	   *tmp;
		uint8_t		type;

		if (!rb_view_container(v, i, &c))
			return false;
		switch (c.type)
		{
			case RB_ARRAY:
				ac.cardinality = ac.capacity = (int32_t) c.card;
				if (((uintptr_t) c.data & 1) == 0)
					ac.array = (uint16_t *) c.data;
				else
				{
					memcpy(scratch, c.data, 2 * (size_t) c.card);
					ac.array = (uint16_t *) scratch;
				}
				tmp = &ac;
				type = ARRAY_CONTAINER_TYPE_CODE;
				break;
			case RB_BITSET:
				memcpy(scratch, c.data, RB_BITSET_BYTES);
				bc.cardinality = (int32_t) c.card;
				bc.array = scratch;
				tmp = &bc;
				type = BITSET_CONTAINER_TYPE_CODE;
				break;
			default:
				rc.n_runs = rc.capacity = (int32_t) c.nruns;
				if (((uintptr_t) c.data & 1) == 0)
					rc.runs = (rle16_t *) c.data;
				else
				{
					memcpy(scratch, c.data, 4 * (size_t) c.nruns);
					rc.runs = (rle16_t *) scratch;
				}
				tmp = &rc;
				type = RUN_CONTAINER_TYPE_CODE;
				break;
		}
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
