/*
 * libFuzzer target: the portable-format validator and the in-place reader.
 * Bytes that validate must read consistently with CRoaring's deserializer
 * and must survive every reader; anything else must be rejected cleanly.
 */
#include "bitmap/rb_kernels.h"

#include <roaring/roaring.h>
#include <stdlib.h>

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *why;
	size_t		where;
	rb_view		v;
	bool		broken;
	roaring_bitmap_t *r;

	if (!rb_validate(data, size, &why, &where))
	{
		if (where > size)
			abort();
		return 0;
	}
	if (!rb_view_init(&v, data, size))
		abort();
	r = roaring_bitmap_portable_deserialize_safe((const char *) data, size);
	if (r == NULL || roaring_bitmap_get_cardinality(r) != rb_view_cardinality(&v))
		abort();
	if (rb_view_rank(&v, 0xFFFFFFFFu, &broken) != rb_view_cardinality(&v) || broken)
		abort();
	if (rb_view_and_cardinality(&v, &v, &broken) != rb_view_cardinality(&v) || broken)
		abort();
	if (rb_view_compare(&v, &v, &broken) != 0 || broken)
		abort();
	roaring_bitmap_free(r);
	return 0;
}
