/*
 * Unit tests of the radix sort (src/base/radix_sort.h) against a naive model:
 * qsort by (key, original position), which is what a stable sort by key must
 * give, for the three key kinds, with random keys, keys that share their high
 * bytes (passes skipped) and negative int64 keys.  The cancel check: the
 * host's tick (radix_sort_host) gets the host's ctx and runs once per
 * RS_CHECK_EVERY records of every pass that moves records, the counting pass
 * included; the older entry point (radix_sort with a plain function) runs its
 * check as often, and a NULL host or check runs none.
 */
// link:
#include "base/radix_sort.h"

#include "tap.h"

#include <string.h>

typedef struct rec32
{
	uint32_t	key;
	uint32_t	pos;
} rec32;

typedef struct rec64
{
	uint64_t	key;
	uint64_t	pos;
} rec64;

static rs_key_kind model_kind;

static int
cmp32(const void *a, const void *b)
{
	const rec32 *x = a,
			   *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

static int
cmp64(const void *a, const void *b)
{
	const rec64 *x = a,
			   *y = b;

	if (x->key != y->key)
	{
		if (model_kind == RS_INT64)
			return (int64_t) x->key < (int64_t) y->key ? -1 : 1;
		return x->key < y->key ? -1 : 1;
	}
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* the host's tick: counts, and checks that it gets the host's ctx */
static long ticks;
static int	ctx_ok = 1;
static int	the_ctx;

static void
count_tick(void *ctx)
{
	if (ctx != &the_ctx)
		ctx_ok = 0;
	ticks++;
}

static long checks;

static void
count_check(void)
{
	checks++;
}

static core_host host = {NULL, NULL, NULL, count_tick, &the_ctx};

/* n random records (keys masked by mask, offset by add); sorted both ways */
static int
sorted32(size_t n, uint32_t mask, uint32_t add)
{
	rec32	   *a = malloc(sizeof(rec32) * n),
			   *t = malloc(sizeof(rec32) * n),
			   *m = malloc(sizeof(rec32) * n),
			   *r;
	int			ok;

	for (size_t i = 0; i < n; i++)
	{
		a[i].key = (rnd() & mask) + add;
		a[i].pos = (uint32_t) i;
	}
	memcpy(m, a, sizeof(rec32) * n);
	qsort(m, n, sizeof(rec32), cmp32);
	r = radix_sort_host(a, t, n, sizeof(rec32), RS_UINT32, &host);
	ok = memcmp(r, m, sizeof(rec32) * n) == 0;
	free(a);
	free(t);
	free(m);
	return ok;
}

static int
sorted64(size_t n, rs_key_kind kind, uint64_t mask, uint64_t add)
{
	rec64	   *a = malloc(sizeof(rec64) * n),
			   *t = malloc(sizeof(rec64) * n),
			   *m = malloc(sizeof(rec64) * n),
			   *r;
	int			ok;

	for (size_t i = 0; i < n; i++)
	{
		a[i].key = ((((uint64_t) rnd() << 32) | rnd()) & mask) + add;
		a[i].pos = i;
	}
	memcpy(m, a, sizeof(rec64) * n);
	model_kind = kind;
	qsort(m, n, sizeof(rec64), cmp64);
	r = radix_sort_host(a, t, n, sizeof(rec64), kind, &host);
	ok = memcmp(r, m, sizeof(rec64) * n) == 0;
	free(a);
	free(t);
	free(m);
	return ok;
}

int
main(void)
{
	size_t		sizes[] = {0, 1, 2, 3, 17, 1000, 70000};
	int			ok;

	ok = 1;
	for (int i = 0; i < 7; i++)
		ok &= sorted32(sizes[i], 0xFFFFFFFFu, 0);
	check(ok, "uint32 keys: the model's order (stable by key), every size");
	ok = 1;
	for (int i = 0; i < 7; i++)
		ok &= sorted32(sizes[i], 0xFFu, 0x12340000u) && sorted32(sizes[i], 0x7u, 0);
	check(ok, "uint32 keys sharing their high bytes (passes skipped), many equal keys");
	ok = 1;
	for (int i = 0; i < 7; i++)
		ok &= sorted64(sizes[i], RS_UINT64, UINT64_MAX, 0) &&
			sorted64(sizes[i], RS_UINT64, 0xFFFF, UINT64_C(0xFF00000000000000));
	check(ok, "uint64 keys: the model's order, with and without shared high bytes");
	ok = 1;
	for (int i = 0; i < 7; i++)
		ok &= sorted64(sizes[i], RS_INT64, UINT64_MAX, 0) &&
			sorted64(sizes[i], RS_INT64, 0xFF, (uint64_t) -100);
	check(ok, "int64 keys: signed order (negative keys first), stable");

	/* ticks: 4 chunks of records, 4 key bytes that all differ: 5 passes */
	{
		size_t		n = 3 * RS_CHECK_EVERY + 5;
		rec32	   *a = malloc(sizeof(rec32) * n),
				   *t = malloc(sizeof(rec32) * n);

		for (size_t i = 0; i < n; i++)
			a[i] = (rec32) {(uint32_t) i * 2654435761u, (uint32_t) i};
		ticks = 0;
		radix_sort_host(a, t, n, sizeof(rec32), RS_UINT32, &host);
		check(ticks == 4 * 5 && ctx_ok, "radix_sort_host ticks once per RS_CHECK_EVERY records of every pass, with the host's ctx");
		checks = 0;
		radix_sort(a, t, n, sizeof(rec32), RS_UINT32, count_check);
		check(checks == 4 * 5, "radix_sort's plain check runs as often");
		ticks = checks = 0;
		radix_sort_host(a, t, n, sizeof(rec32), RS_UINT32, NULL);
		radix_sort(a, t, n, sizeof(rec32), RS_UINT32, NULL);
		check(ticks == 0 && checks == 0, "no host, no check: nothing runs");
		/* keys sharing their three high bytes: the counting pass and one */
		for (size_t i = 0; i < n; i++)
			a[i] = (rec32) {(uint32_t) i & 0xFF, (uint32_t) i};
		ticks = 0;
		radix_sort_host(a, t, n, sizeof(rec32), RS_UINT32, &host);
		check(ticks == 4 * 2, "skipped passes tick nothing");
		free(a);
		free(t);
	}
	return done_testing();
}
