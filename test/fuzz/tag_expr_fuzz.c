/*
 * libFuzzer target: the audience expression parser and evaluator.
 * Any input must either compile or fail with a position inside the text;
 * compiled programs must evaluate without touching memory they do not own.
 */
#include "audience/tag_expr.h"

#include <stdlib.h>
#include <string.h>

static void *
f_alloc(void *ctx, size_t n)
{
	(void) ctx;
	return malloc(n ? n : 1);
}

static void
f_release(void *ctx, void *p)
{
	(void) ctx;
	free(p);
}

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	te_alloc	a = {f_alloc, f_release, NULL};
	te_error	err;
	tag_expr   *e = te_compile((const char *) data, size, &a, &err);

	if (e == NULL)
	{
		if (err.position < 1 || (size_t) err.position > size + 1)
			abort();
		return 0;
	}
	{
		roaring_bitmap_t **sets = calloc(e->ntags + 1, sizeof(*sets));
		roaring_bitmap_t *r;
		uint64_t	n;

		for (int32_t i = 0; i < e->ntags; i += 2)
		{
			sets[i] = roaring_bitmap_create();
			roaring_bitmap_add_range_closed(sets[i], (uint32_t) i * 3, (uint32_t) i * 3 + 5);
		}
		r = te_eval(e, sets);
		if (r == NULL || !te_eval_count(e, sets, &n) || n != roaring_bitmap_get_cardinality(r))
			abort();
		roaring_bitmap_free(r);
		for (int32_t i = 0; i < e->ntags; i++)
			if (sets[i])
				roaring_bitmap_free(sets[i]);
		free(sets);
	}
	te_free(e, &a);
	return 0;
}
