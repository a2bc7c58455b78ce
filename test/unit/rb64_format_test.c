/*
 * Unit tests of the portable 64-bit format reader (src/bitmap64/rb64_format.c):
 * values written bucket by bucket with CRoaring's 32-bit serializer, then
 * validated, located and counted; every truncation and each single defect
 * must be refused; random byte flips must never crash (ASan/UBSan).
 * And of the stored form with a bucket directory (rb64_stored.c): both
 * forms parse to the same buckets, the directory is checked against the
 * serializations written independently, conversions round trip, and
 * corrupt directories are refused or at least never read out of bounds.
 */
// link: src/bitmap64/rb64_format.c src/bitmap64/rb64_stored.c src/bitmap/rb_format.c src/bitmap/rb_kernels.c src/bitmap/rb_simd.c
#include "bitmap64/rb64_stored.h"

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

static uint32_t
ld32(const uint8_t *p)
{
	uint32_t	v;

	memcpy(&v, p, 4);
	return v;
}

static void
put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

/* Parse either form into a fresh array; NULL (and *n = -1) when refused. */
static rb64_bucket *
parse_any(const uint8_t *buf, size_t len, int64_t *n)
{
	rb64_bucket *b;

	*n = rb64_bucket_count(buf, len);
	if (*n < 0)
		return NULL;
	b = malloc(sizeof(rb64_bucket) * (size_t) (*n + 1));
	if (!rb64_parse(buf, len, b, *n))
	{
		free(b);
		*n = -1;
		return NULL;
	}
	return b;
}

/* Touch every container of every bucket (ASan reports a read out of bounds). */
static uint64_t
read_all(const rb64_bucket *b, int64_t n)
{
	uint64_t	total = 0;

	for (int64_t i = 0; i < n; i++)
	{
		rb_container c;

		for (int32_t j = 0; j < b[i].view.n; j++)
			if (rb_view_container(&b[i].view, j, &c))
				total += rb_container_contains(&c, 7) + rb_container_min(&c);
		total += rb_view_cardinality(&b[i].view);
	}
	return total;
}

static uint8_t *
to_form(const uint8_t *buf, size_t len, bool dir, size_t *outlen)
{
	int64_t		n;
	rb64_bucket *b = parse_any(buf, len, &n);
	uint8_t    *out;

	if (b == NULL)
		return NULL;
	*outlen = rb64_buckets_size(b, n, dir);
	out = malloc(*outlen + 1);
	rb64_write_buckets(b, n, dir, out);
	free(b);
	return out;
}

/* The stored form with a directory. */
static void
test_directory(void)
{
	int			ok_dir = 1,
				ok_same = 1,
				ok_trip = 1,
				ok_size = 1,
				ok_locate = 1,
				ok_trunc = 1,
				ok_flip = 1,
				ok_defect = 1;
	int			multi = 0;

	for (int t = 0; t < 300; t++)
	{
		set64		s;
		size_t		plen,
					dlen,
					back_len;
		uint8_t    *portable,
				   *dir,
				   *back;
		int64_t		n;
		rb64_bucket *b;

		random_set(&s);
		if (s.n >= 2)
			multi++;
		portable = serialize(&s, &plen);
		dir = to_form(portable, plen, true, &dlen);
		if (dir == NULL)
		{
			ok_same = 0;
			free(portable);
			free_set(&s);
			continue;
		}
		/* the directory, read as raw bytes, against CRoaring's serializations */
		if (!rb64_is_dir(dir, dlen) || rb64_is_dir(portable, plen) ||
			(bytes_ld64(dir) & ~RB64_DIR_FLAG) != (uint64_t) s.n)
			ok_dir = 0;
		for (int i = 0; i < s.n && ok_dir; i++)
		{
			size_t		off = ld32(dir + 8 + 8 * i + 4);
			size_t		end = i + 1 < s.n ? ld32(dir + 8 + 8 * (i + 1) + 4) : dlen;
			size_t		sz = roaring_bitmap_portable_size_in_bytes(s.bm[i]);
			char	   *want = malloc(sz);

			roaring_bitmap_portable_serialize(s.bm[i], want);
			if (ld32(dir + 8 + 8 * i) != s.keys[i] || end - off != sz ||
				(i == 0 && off != 8 + 8 * (size_t) s.n) || memcmp(dir + off, want, sz) != 0)
				ok_dir = 0;
			free(want);
		}
		if (dlen != plen + 4 * (size_t) s.n)
			ok_size = 0;
		/* both forms parse to the same buckets */
		b = parse_any(dir, dlen, &n);
		if (b == NULL || n != s.n)
			ok_same = 0;
		else
			for (int i = 0; i < s.n; i++)
				if (b[i].key != s.keys[i] ||
					rb_view_cardinality(&b[i].view) != roaring_bitmap_get_cardinality(s.bm[i]) ||
					rb64_find(b, n, s.keys[i]) != i)
					ok_same = 0;
		/* back to the portable bytes, exactly */
		back = to_form(dir, dlen, false, &back_len);
		if (back == NULL || back_len != plen || memcmp(back, portable, plen) != 0)
			ok_trip = 0;
		free(back);
		/* locating a bucket from the count and directory alone */
		for (int i = 0; i < s.n && b; i++)
		{
			int64_t		idx;
			size_t		st,
						en;
			uint32_t	absent = s.keys[i] + 1;

			if (!rb64_dir_locate(dir, (uint64_t) s.n, dlen, s.keys[i], &idx, &st, &en) ||
				idx != i || dir + st != b[i].view.buf || en - st != b[i].view.len)
				ok_locate = 0;
			if (absent != 0 && (i + 1 == s.n || s.keys[i + 1] != absent) &&
				(!rb64_dir_locate(dir, (uint64_t) s.n, dlen, absent, &idx, &st, &en) || idx != -(i + 1) - 1))
				ok_locate = 0;
		}
		if (s.n > 0 && s.keys[0] > 0)
		{
			int64_t		idx;
			size_t		st,
						en;

			if (!rb64_dir_locate(dir, (uint64_t) s.n, dlen, 0, &idx, &st, &en) || idx != -1)
				ok_locate = 0;
		}
		free(b);
		/* every proper prefix of a directory value is refused by the reader */
		if (s.n >= 2)
			for (size_t cut = 0; cut < dlen; cut += 1 + cut / 16)
			{
				uint8_t    *c = malloc(cut + 1);
				int64_t		m;
				rb64_bucket *bb;

				memcpy(c, dir, cut);
				bb = parse_any(c, cut, &m);
				if (bb != NULL)
				{
					ok_trunc = 0;
					read_all(bb, m);
				}
				free(bb);
				free(c);
			}
		/* random byte flips (directory bytes twice as often): no out-of-bounds read */
		for (int f = 0; f < 40 && s.n >= 2; f++)
		{
			uint8_t    *c = malloc(dlen);
			size_t		dirend = 8 + 8 * (size_t) s.n;
			size_t		pos = f % 2 ? rnd() % dirend : rnd() % dlen;
			int64_t		m;
			rb64_bucket *bb;

			memcpy(c, dir, dlen);
			c[pos] ^= (uint8_t) (1 + rnd() % 255);
			bb = parse_any(c, dlen, &m);
			if (bb != NULL)
			{
				read_all(bb, m);
				for (int64_t i = 0; i < m; i++)
					if (bb[i].view.buf < c || bb[i].view.buf + bb[i].view.len > c + dlen ||
						(i > 0 && bb[i].key <= bb[i - 1].key))
						ok_flip = 0;
			}
			for (int i = 0; i < s.n; i++)
			{
				int64_t		idx;
				size_t		st,
							en;

				if (rb64_dir_locate(c, (uint64_t) s.n, dlen, s.keys[i], &idx, &st, &en) && idx >= 0 &&
					!(st >= dirend && st < en && en <= dlen))
					ok_flip = 0;
			}
			free(bb);
			free(c);
		}
		/* single defects of the directory are refused */
		if (s.n >= 2)
		{
			uint8_t    *c = malloc(dlen);
			int64_t		m;
			rb64_bucket *bb;

#define DEFECT(stmt) do { memcpy(c, dir, dlen); stmt; bb = parse_any(c, dlen, &m); if (bb) ok_defect = 0; free(bb); } while (0)
			DEFECT(put32(c + 12, ld32(c + 12) + 1));	/* first inner not right after the directory */
			DEFECT(put32(c + 20, ld32(c + 20) + 1));	/* second offset moved */
			DEFECT(put32(c + 20, ld32(c + 12)));	/* offsets not increasing */
			DEFECT(put32(c + 8 + 8 * (s.n - 1) + 4, (uint32_t) dlen));	/* last bucket empty */
			DEFECT(put32(c + 8 + 8 * (s.n - 1) + 4, (uint32_t) dlen + 100));	/* past the end */
			DEFECT(put32(c + 16, ld32(c + 8)));	/* duplicate keys */
			DEFECT(put32(c + 4, 0x80000000u | 0x00100000u));	/* count the bytes cannot hold */
#undef DEFECT
			free(c);
			{
				int64_t		idx;
				size_t		st,
							en;

				c = malloc(dlen);
				memcpy(c, dir, dlen);
				put32(c + 8 + 8 * (s.n - 1) + 4, (uint32_t) dlen + 100);
				if (rb64_dir_locate(c, (uint64_t) s.n, dlen, s.keys[s.n - 1], &idx, &st, &en))
					ok_defect = 0;
				put32(c + 8 + 4, 0);
				if (rb64_dir_locate(c, (uint64_t) s.n, dlen, s.keys[0], &idx, &st, &en))
					ok_defect = 0;
				free(c);
			}
		}
		free(dir);
		free(portable);
		free_set(&s);
	}
	check(multi > 100, "random sets with several buckets");
	check(ok_dir, "directory: count, keys and offsets of the serializations written independently");
	check(ok_size, "the directory form is 4 bytes per bucket larger than the portable form");
	check(ok_same, "both forms parse to the same buckets");
	check(ok_trip, "portable -> directory -> portable gives the same bytes");
	check(ok_locate, "rb64_dir_locate finds every bucket and the insertion point of absent keys");
	check(ok_trunc, "truncated directory values are refused");
	check(ok_flip, "byte flips: what parses stays inside the value, no out-of-bounds read");
	check(ok_defect, "single directory defects are refused (parse and locate)");

	/* one bucket stays portable; binary input never has the directory flag */
	{
		static const uint8_t one[] = {1, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0,
		0x3a, 0x30, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0x10, 0, 0, 0, 5, 0};
		uint8_t    *d;
		size_t		dl;
		const char *why;
		size_t		where;

		check(!rb64_dir_wanted(0) && !rb64_dir_wanted(1) && rb64_dir_wanted(2), "directory from two buckets on");
		d = to_form(one, sizeof(one), true, &dl);
		check(d && rb64_is_dir(d, dl) && !rb64_validate(d, dl, &why, &where) && strstr(why, "count"),
			  "a directory value is refused as binary input (its count has bit 63)");
		free(d);
	}
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
	test_directory();
	return done_testing();
}
