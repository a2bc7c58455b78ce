/*
 * Unit tests of the portable 64-bit format reader (src/bitmap64/rb64_format.c):
 * values written bucket by bucket with CRoaring's 32-bit serializer, then
 * validated, located and counted; every truncation and each single defect
 * must be refused; random byte flips must never crash (ASan/UBSan).
 */
// link: src/bitmap64/rb64_format.c src/bitmap/rb_format.c src/bitmap/rb_kernels.c
#include "bitmap64/rb64_format.h"

#include <roaring/roaring.h>
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAXB 8

typedef struct
{
	int			n;
	uint32_t	keys[MAXB];
	roaring_bitmap_t *bm[MAXB];
} set64;

static void
random_set(set64 *s)
{
	uint32_t	pool[] = {0, 1, 7, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFE, 0xFFFFFFFF};
	uint32_t	k = 0;

	s->n = rnd() % MAXB;
	for (int i = 0; i < s->n; i++)
	{
		roaring_bitmap_t *r = roaring_bitmap_create();
		int			kind = rnd() % 3;

		k = i == 0 ? pool[rnd() % 3] : k + 1 + rnd() % 0x10000000;
		s->keys[i] = k;
		if (kind == 0)
			for (int j = 1 + rnd() % 100; j > 0; j--)
				roaring_bitmap_add(r, rnd());
		else if (kind == 1)
			roaring_bitmap_add_range_closed(r, rnd() & 0xFFFF0000u, (rnd() & 0xFFFF0000u) | 0x1FFF);
		else
			for (int j = 5000 + rnd() % 3000; j > 0; j--)
				roaring_bitmap_add(r, (7u << 16) | (rnd() & 0xFFFF));
		if (roaring_bitmap_is_empty(r))
			roaring_bitmap_add(r, 42);
		if (rnd() % 2)
			roaring_bitmap_run_optimize(r);
		s->bm[i] = r;
	}
	(void) pool;
}

static uint8_t *
serialize(const set64 *s, size_t *len)
{
	size_t		total = 8;
	uint8_t    *buf,
			   *p;
	uint64_t	n = (uint64_t) s->n;

	for (int i = 0; i < s->n; i++)
		total += 4 + roaring_bitmap_portable_size_in_bytes(s->bm[i]);
	buf = malloc(total + 1);
	memcpy(buf, &n, 8);
	p = buf + 8;
	for (int i = 0; i < s->n; i++)
	{
		memcpy(p, &s->keys[i], 4);
		p += 4;
		p += roaring_bitmap_portable_serialize(s->bm[i], (char *) p);
	}
	*len = total;
	return buf;
}

static void
free_set(set64 *s)
{
	for (int i = 0; i < s->n; i++)
		roaring_bitmap_free(s->bm[i]);
}

int
main(void)
{
	int			ok_valid = 1,
				ok_parse = 1,
				ok_trunc = 1,
				ok_flip = 1;
	const char *why;
	size_t		where;

	for (int t = 0; t < 120; t++)
	{
		set64		s;
		size_t		len;
		uint8_t    *buf;
		rb64_bucket b[MAXB];
		int64_t		n;

		random_set(&s);
		buf = serialize(&s, &len);
		if (!rb64_validate(buf, len, &why, &where))
		{
			ok_valid = 0;
			printf("# valid value refused: %s at %zu\n", why, where);
		}
		n = rb64_bucket_count(buf, len);
		if (n != s.n || !rb64_parse(buf, len, b, n))
			ok_parse = 0;
		else
			for (int i = 0; i < s.n; i++)
				if (b[i].key != s.keys[i] ||
					rb_view_cardinality(&b[i].view) != roaring_bitmap_get_cardinality(s.bm[i]) ||
					rb64_find(b, n, s.keys[i]) != i)
					ok_parse = 0;
		/* proper prefixes are refused: the first 64 cuts and 64 random ones */
		for (size_t j = 0; j < 128 && j < len; j++)
		{
			size_t		cut = j < 64 ? j : rnd() % len;

			uint8_t    *c = malloc(cut + 1);

			memcpy(c, buf, cut);
			if (rb64_validate(c, cut, &why, &where))
				ok_trunc = 0;
			free(c);
		}
		/* random byte flips: no crash, and whatever passes parses */
		for (int f = 0; f < 20 && len > 0; f++)
		{
			uint8_t    *c = malloc(len);
			size_t		pos = rnd() % len;

			memcpy(c, buf, len);
			c[pos] ^= (uint8_t) (1 + rnd() % 255);
			if (rb64_validate(c, len, &why, &where))
			{
				int64_t		m = rb64_bucket_count(c, len);
				rb64_bucket *bb = malloc(sizeof(rb64_bucket) * (m > 0 ? m : 1));

				if (m < 0 || !rb64_parse(c, len, bb, m))
					ok_flip = 0;
				free(bb);
			}
			free(c);
		}
		free(buf);
		free_set(&s);
	}
	check(ok_valid, "serializations written bucket by bucket validate");
	check(ok_parse, "buckets located: keys, cardinalities, find");
	check(ok_trunc, "truncations are refused");
	check(ok_flip, "random byte flips never crash; what validates also parses");

	/* single defects */
	{
		static const uint8_t inner5[] = {0x3a, 0x30, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0x10, 0, 0, 0, 5, 0};
		uint8_t		buf[128];
		size_t		len;

#define PUT_COUNT(c) do { uint64_t c_ = (c); memcpy(buf, &c_, 8); len = 8; } while (0)
#define PUT_BUCKET(k) do { uint32_t k_ = (k); memcpy(buf + len, &k_, 4); memcpy(buf + len + 4, inner5, sizeof(inner5)); len += 4 + sizeof(inner5); } while (0)

		PUT_COUNT(2); PUT_BUCKET(1); PUT_BUCKET(2);
		check(rb64_validate(buf, len, &why, &where), "two ascending buckets validate");
		PUT_COUNT(2); PUT_BUCKET(2); PUT_BUCKET(1);
		check(!rb64_validate(buf, len, &why, &where) && strstr(why, "ascending") && where == 8 + 4 + sizeof(inner5),
			  "unsorted keys: refused at the second key");
		PUT_COUNT(2); PUT_BUCKET(1); PUT_BUCKET(1);
		check(!rb64_validate(buf, len, &why, &where) && strstr(why, "ascending"), "duplicate keys refused");
		PUT_COUNT(UINT64_MAX); PUT_BUCKET(1);
		check(!rb64_validate(buf, len, &why, &where) && strstr(why, "count") && rb64_bucket_count(buf, len) == -1,
			  "a count of 2^64-1 is refused before parsing");
		PUT_COUNT(1); PUT_BUCKET(1); buf[len++] = 0;
		check(!rb64_validate(buf, len, &why, &where) && strstr(why, "trailing") && where == len - 1, "trailing byte refused");
		PUT_COUNT(1); memset(buf + 8, 0, 4); memcpy(buf + 12, inner5, 8); buf[16] = 0; len = 20;
		check(!rb64_validate(buf, len, &why, &where) && strstr(why, "empty inner"), "empty inner bitmap refused");
		PUT_COUNT(1); PUT_BUCKET(1); buf[12] = 0x3c;
		check(!rb64_validate(buf, len, &why, &where) && strstr(why, "cookie") && where >= 12, "bad inner cookie refused, position inside the bucket");
		PUT_COUNT(0);
		check(rb64_validate(buf, len, &why, &where) && rb64_bucket_count(buf, len) == 0, "the empty set (count 0) validates");
	}
	return done_testing();
}
