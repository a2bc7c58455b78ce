/*
 * rb_canon.c — see rb_canon.h.  It reaches into CRoaring's container
 * structs, which 0.2.66 publishes in its headers.
 */
#include "bitmap/rb_canon.h"

#include <string.h>

#include <roaring/containers/containers.h>
#include <roaring/containers/convert.h>

static void
drop_container(roaring_array_t *ra, int32_t i)
{
	container_free(ra->containers[i], ra->typecodes[i]);
	memmove(ra->containers + i, ra->containers + i + 1, (ra->size - i - 1) * sizeof(void *));
	memmove(ra->keys + i, ra->keys + i + 1, (ra->size - i - 1) * sizeof(uint16_t));
	memmove(ra->typecodes + i, ra->typecodes + i + 1, (ra->size - i - 1) * sizeof(uint8_t));
	ra->size--;
}

bool
rb_canonicalize(roaring_bitmap_t *r)
{
	roaring_array_t *ra = &r->high_low_container;

	for (int32_t i = 0; i < ra->size;)
	{
		void	   *c = ra->containers[i];

		switch (ra->typecodes[i])
		{
			case BITSET_CONTAINER_TYPE_CODE:
				{
					bitset_container_t *b = c;

					if (b->cardinality == BITSET_UNKNOWN_CARDINALITY)
						b->cardinality = bitset_container_compute_cardinality(b);
					if (b->cardinality == 0)
					{
						drop_container(ra, i);
						continue;
					}
					if (b->cardinality <= DEFAULT_MAX_SIZE)
					{
						array_container_t *a = array_container_from_bitset(b);

						if (a == NULL)
							return false;
						bitset_container_free(b);
						ra->containers[i] = a;
						ra->typecodes[i] = ARRAY_CONTAINER_TYPE_CODE;
					}
					break;
				}
			case ARRAY_CONTAINER_TYPE_CODE:
				{
					array_container_t *a = c;

					if (a->cardinality == 0)
					{
						drop_container(ra, i);
						continue;
					}
					if (a->cardinality > DEFAULT_MAX_SIZE)
					{
						bitset_container_t *b = bitset_container_from_array(a);

						if (b == NULL)
							return false;
						array_container_free(a);
						ra->containers[i] = b;
						ra->typecodes[i] = BITSET_CONTAINER_TYPE_CODE;
					}
					break;
				}
			case RUN_CONTAINER_TYPE_CODE:
				{
					run_container_t *rc = c;
					int32_t		out = 0;

					if (rc->n_runs == 0)
					{
						drop_container(ra, i);
						continue;
					}
					/* runs in order; merge any that touch or overlap */
					for (int32_t k = 1; k < rc->n_runs; k++)
					{
						uint32_t	end = (uint32_t) rc->runs[out].value + rc->runs[out].length;
						uint32_t	kend = (uint32_t) rc->runs[k].value + rc->runs[k].length;

						if (rc->runs[k].value <= end + 1)
						{
							if (kend > end)
								rc->runs[out].length = (uint16_t) (kend - rc->runs[out].value);
						}
						else
							rc->runs[++out] = rc->runs[k];
					}
					rc->n_runs = out + 1;
					break;
				}
			default:
				/* shared containers come only with copy-on-write, never enabled */
				break;
		}
		i++;
	}
	return true;
}
