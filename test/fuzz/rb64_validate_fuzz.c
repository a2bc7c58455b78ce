/*
 * libFuzzer target: the portable 64-bit format.  Bytes that validate must
 * parse into buckets with strictly ascending keys whose inner bitmaps each
 * pass the 32-bit validator and end exactly where the next begins; bytes
 * that do not validate must be refused with a position inside the input.
 * The same bytes read as a stored value (either form, rb64_stored.c) must
 * never be read out of bounds; a valid value converted to the directory
 * form parses to the same buckets and converts back to the same bytes.
 */
#include "bitmap64/rb64_stored.h"
#include "bitmap/rb_kernels.h"

#include <stdlib.h>
#include <string.h>

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Read as a stored value: whatever parses stays inside the bytes. */
static void
read_stored(const uint8_t *data, size_t size)
{
	int64_t		n = rb64_bucket_count(data, size);
	rb64_bucket *b;

	if (n < 0)
		return;
	b = malloc(sizeof(rb64_bucket) * (size_t) (n + 1));
	if (rb64_parse(data, size, b, n))
		for (int64_t i = 0; i < n; i++)
		{
			if (b[i].view.buf < data || b[i].view.buf + b[i].view.len > data + size)
				abort();
			(void) rb_view_cardinality(&b[i].view);
		}
	if (rb64_is_dir(data, size) && size >= 8 + 8 * (size_t) n)
	{
		int64_t		idx;
		size_t		st,
					en;

		for (int64_t i = 0; i < n; i++)
			if (rb64_dir_locate(data, (uint64_t) n, size, bytes_ld32(data + 8 + 8 * i), &idx, &st, &en) &&
				idx >= 0 && !(st < en && en <= size))
				abort();
	}
	free(b);
}

/* portable -> directory -> portable, and the directory parse */
static void
round_trip(const uint8_t *data, size_t size, const rb64_bucket *b, int64_t n)
{
	size_t		dlen = rb64_buckets_size(b, n, true);
	uint8_t    *dir = malloc(dlen);
	rb64_bucket *d = malloc(sizeof(rb64_bucket) * (size_t) (n + 1));
	uint8_t    *back = malloc(size);

	rb64_write_buckets(b, n, true, dir);
	if (rb64_bucket_count(dir, dlen) != n || !rb64_parse(dir, dlen, d, n))
		abort();
	for (int64_t i = 0; i < n; i++)
		if (d[i].key != b[i].key || d[i].view.len != b[i].view.len ||
			memcmp(d[i].view.buf, b[i].view.buf, b[i].view.len) != 0)
			abort();
	if (rb64_buckets_size(d, n, false) != size)
		abort();
	rb64_write_buckets(d, n, false, back);
	if (memcmp(back, data, size) != 0)
		abort();
	free(back);
	free(d);
	free(dir);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *why;
	size_t		where;
	int64_t		n;
	rb64_bucket *b;

	read_stored(data, size);
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
	round_trip(data, size, b, n);
	free(b);
	return 0;
}
