/*
 * libFuzzer target: the portable 64-bit format.  Bytes that validate must
 * parse into buckets with strictly ascending keys whose inner bitmaps each
 * pass the 32-bit validator and end exactly where the next begins; bytes
 * that do not validate must be refused with a position inside the input.
 */
#include "bitmap64/rb64_format.h"
#include "bitmap/rb_format.h"

#include <stdlib.h>

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *why;
	size_t		where;
	int64_t		n;
	rb64_bucket *b;

	if (!rb64_validate(data, size, &why, &where))
	{
		if (where > size || why == NULL)
			abort();
		return 0;
	}
	n = rb64_bucket_count(data, size);
	if (n < 0)
		abort();
	b = malloc(sizeof(rb64_bucket) * (size_t) (n + 1));
	if (!rb64_parse(data, size, b, n))
		abort();
	for (int64_t i = 0; i < n; i++)
	{
		const char *w2;
		size_t		p2;

		if (i > 0 && b[i].key <= b[i - 1].key)
			abort();
		if (!rb_validate(b[i].view.buf, b[i].view.len, &w2, &p2))
			abort();
		/* buckets tile the input: each ends where the next one's key begins */
		if (i + 1 < n && b[i].view.buf + b[i].view.len + 4 != b[i + 1].view.buf)
			abort();
		if (rb64_find(b, n, b[i].key) != i)
			abort();
	}
	if (n > 0 && b[n - 1].view.buf + b[n - 1].view.len != data + size)
		abort();
	free(b);
	return 0;
}
