/*
 * Seed corpora of the bitmap fuzz targets, written by the code the extension
 * stores with: CRoaring builds each bitmap, rb_canonicalize and the portable
 * serialization give the bytes a roaringbitmap holds, and the 64-bit writer
 * (rb64_stored.c) gives both forms of a roaringbitmap64 (the portable binary
 * form and the stored form with a bucket directory).
 *
 * Every container kind appears, alone and side by side (array: at most 4096
 * values; bitset: more, 8 KiB each; run), with both cookies (with and without
 * run containers), with and without the offset table, and 64-bit values of
 * several buckets.  Mutations start from these shapes: inputs that random
 * bytes would almost never reach (a bitset's 8 KiB, a bucket directory that
 * agrees with its buckets).
 *
 *   seeds DIR32 DIR64     writes DIR32/<name> and DIR64/<name>
 */
#include "bitmap/rb_canon.h"
#include "bitmap/rb_kernels.h"
#include "bitmap64/rb64_stored.h"

#include <roaring/roaring.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *dir32,
		   *dir64;

static void
write_file(const char *dir, const char *name, const void *buf, size_t len)
{
	char		path[4096];
	FILE	   *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (f == NULL || fwrite(buf, 1, len, f) != len || fclose(f) != 0)
	{
		perror(path);
		exit(1);
	}
}

/* The bytes a roaringbitmap value holds (rb_serialize in rb_datum_fmgr.c). */
static uint8_t *
serialize(roaring_bitmap_t *r, size_t *len)
{
	uint8_t    *buf;
	const char *why;
	size_t		where;

	if (!rb_canonicalize(r))
		abort();
	*len = roaring_bitmap_portable_size_in_bytes(r);
	buf = malloc(*len);
	roaring_bitmap_portable_serialize(r, (char *) buf);
	if (!rb_validate(buf, *len, &why, &where))
	{
		fprintf(stderr, "seed does not validate: %s at %zu\n", why, where);
		exit(1);
	}
	return buf;
}

static void
seed32(const char *name, roaring_bitmap_t *r)
{
	size_t		len;
	uint8_t    *buf = serialize(r, &len);

	write_file(dir32, name, buf, len);
	free(buf);
}

/* key's container: an array of n values */
static void
add_array(roaring_bitmap_t *r, uint32_t key, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		roaring_bitmap_add(r, (key << 16) | (i * 7 + 3));
}

/* key's container: a bitset of every third value (21846 values) */
static void
add_bitset(roaring_bitmap_t *r, uint32_t key)
{
	for (uint32_t i = 0; i < 65536; i += 3)
		roaring_bitmap_add(r, (key << 16) | i);
}

/* key's container: three runs, kept as runs by run_optimize */
static void
add_runs(roaring_bitmap_t *r, uint32_t key)
{
	roaring_bitmap_add_range_closed(r, (key << 16) | 10, (key << 16) | 5000);
	roaring_bitmap_add_range_closed(r, (key << 16) | 9000, (key << 16) | 30000);
	roaring_bitmap_add_range_closed(r, (key << 16) | 40000, (key << 16) | 65535);
}

/* A 64-bit value of the given buckets, in the binary and the stored form. */
static void
seed64(const char *name, const uint32_t *keys, roaring_bitmap_t **inner, int n)
{
	rb64_bucket *b = malloc(sizeof(rb64_bucket) * (n + 1));
	uint8_t   **bufs = malloc(sizeof(uint8_t *) * (n + 1));
	char		dname[256];
	const char *why;
	size_t		where;

	for (int i = 0; i < n; i++)
	{
		size_t		len;

		bufs[i] = serialize(inner[i], &len);
		b[i].key = keys[i];
		if (!rb_view_init(&b[i].view, bufs[i], len))
			abort();
	}
	for (int dir = 0; dir <= 1; dir++)
	{
		size_t		len = rb64_buckets_size(b, n, dir);
		uint8_t    *out = malloc(len + 1);

		rb64_write_buckets(b, n, dir, out);
		if (!dir && !rb64_validate(out, len, &why, &where))
		{
			fprintf(stderr, "64-bit seed does not validate: %s at %zu\n", why, where);
			exit(1);
		}
		/* the stored form differs only for two buckets or more */
		if (dir && !rb64_dir_wanted(n))
			break;
		snprintf(dname, sizeof(dname), "%s%s", name, dir ? "-stored" : "");
		write_file(dir64, dname, out, len);
		free(out);
	}
	for (int i = 0; i < n; i++)
		free(bufs[i]);
	free(bufs);
	free(b);
}

int
main(int argc, char **argv)
{
	roaring_bitmap_t *r;

	if (argc != 3)
	{
		fprintf(stderr, "usage: seeds DIR32 DIR64\n");
		return 2;
	}
	dir32 = argv[1];
	dir64 = argv[2];

	/* one container of each kind */
	r = roaring_bitmap_create();
	add_array(r, 0, 100);
	seed32("array", r);
	roaring_bitmap_free(r);

	r = roaring_bitmap_create();
	add_bitset(r, 0);
	seed32("bitset", r);
	roaring_bitmap_free(r);

	/* the smallest bitset: 4097 values */
	r = roaring_bitmap_create();
	for (uint32_t i = 0; i < 4097; i++)
		roaring_bitmap_add(r, (7 << 16) | (i * 16));
	seed32("bitset-4097", r);
	roaring_bitmap_free(r);

	r = roaring_bitmap_create();
	add_runs(r, 2);
	roaring_bitmap_run_optimize(r);
	seed32("run", r);
	roaring_bitmap_free(r);

	/* every kind side by side, no run container: cookie 12346, offsets */
	r = roaring_bitmap_create();
	add_array(r, 0, 50);
	add_bitset(r, 1);
	add_array(r, 3, 4096);
	add_bitset(r, 9);
	seed32("array-bitset", r);
	roaring_bitmap_free(r);

	/* three kinds, fewer than 4 containers: run cookie without offsets */
	r = roaring_bitmap_create();
	add_array(r, 0, 10);
	add_bitset(r, 1);
	add_runs(r, 2);
	roaring_bitmap_run_optimize(r);
	seed32("mixed-3", r);
	roaring_bitmap_free(r);

	/* many containers of the three kinds: run cookie with offsets */
	r = roaring_bitmap_create();
	for (uint32_t k = 0; k < 12; k++)
	{
		if (k % 3 == 0)
			add_array(r, k * 5, 1 + k * 40);
		else if (k % 3 == 1)
			add_bitset(r, k * 5);
		else
			add_runs(r, k * 5);
	}
	roaring_bitmap_add_range_closed(r, 0xFFFF0000u, 0xFFFFFFFFu);	/* full last key */
	roaring_bitmap_run_optimize(r);
	seed32("mixed-13", r);
	roaring_bitmap_free(r);

	/* 64-bit: one bucket, and several of every kind */
	{
		roaring_bitmap_t *in[5];
		uint32_t	keys[5] = {0, 1, 7, 0x10000, 0xFFFFFFFFu};

		in[0] = roaring_bitmap_create();
		add_array(in[0], 0, 20);
		seed64("one", keys, in, 1);

		in[1] = roaring_bitmap_create();
		add_bitset(in[1], 3);
		in[2] = roaring_bitmap_create();
		add_runs(in[2], 0);
		roaring_bitmap_run_optimize(in[2]);
		in[3] = roaring_bitmap_create();
		add_array(in[3], 5, 4000);
		add_bitset(in[3], 6);
		in[4] = roaring_bitmap_create();
		add_runs(in[4], 0xFFFF);
		add_array(in[4], 2, 3);
		add_bitset(in[4], 4);
		roaring_bitmap_run_optimize(in[4]);
		seed64("two", keys, in, 2);
		seed64("five", keys, in, 5);
		for (int i = 0; i < 5; i++)
			roaring_bitmap_free(in[i]);
	}
	/* 64-bit: the empty value */
	{
		uint8_t		empty[8] = {0};

		write_file(dir64, "empty", empty, 8);
	}
	return 0;
}
