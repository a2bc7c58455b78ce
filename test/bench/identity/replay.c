/*
 * replay.c — the identity benchmark's rows through the plain-C core alone
 * (resolve.c, strtab.c, msort.c), no PostgreSQL: how long reading and
 * interning, resolving and walking the answer take, without the executor's
 * scan and the tuplestore around them.  Changes to the core are compared by
 * alternating two builds of this program on the same file.
 *
 *   psql -c "\copy (SELECT record_id, id_type, id_value FROM id_rows) TO '/tmp/rows.tsv'"
 *   cc -O2 -Isrc test/bench/identity/replay.c src/identity/resolve.c \
 *      src/identity/strtab.c src/identity/msort.c -o /tmp/replay
 *   /tmp/replay /tmp/rows.tsv          # no rules
 *   /tmp/replay /tmp/rows.tsv rules    # the benchmark's rules (run.sh)
 *
 * The file is COPY's text format; the generator's rows need no escapes, and
 * a row with a backslash or a NULL (\N) is refused rather than misread.
 * Rows are handed over in batches of 10,000 with their strings copied into
 * one arena, as identity_fmgr.c does.
 */
#include "identity/resolve.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define BATCH 10000

static void *
m_alloc(void *c, size_t n)
{
	(void) c;
	return malloc(n);
}

static void *
m_realloc(void *c, void *p, size_t n)
{
	(void) c;
	return realloc(p, n);
}

static void
m_free(void *c, void *p)
{
	(void) c;
	free(p);
}

static double
now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	/* the rules of test/bench/identity/run.sh */
	static const idr_type_rule types[] = {
		{"crm_id", 6, 1, IDR_NONE}, {"unionid", 7, 1, IDR_NONE}, {"openid", 6, IDR_NONE, IDR_NONE},
		{"app_user", 8, IDR_NONE, IDR_NONE}, {"phone", 5, 2, 50}, {"email", 5, 3, 50},
		{"device", 6, IDR_NONE, 5}};
	static const char *const blocked[] = {"+8613800000000", "test@test.com"};
	static const size_t blocked_len[] = {14, 13};
	idr_rules	rules = {NULL, 0, IDR_NONE, NULL, NULL, 0};
	core_host		m = {m_alloc, m_realloc, m_free, NULL, NULL};
	idr_state	s;
	idr_row    *rows = malloc(sizeof(idr_row) * BATCH);
	char	   *arena = malloc((size_t) 1 << 20);
	size_t		arena_len = 0,
				nrows = 0;
	int			n = 0;
	int			fd;
	struct stat st;
	char	   *p,
			   *end;
	double		t0,
				t1,
				t2,
				t3;
	unsigned long long check = 0;

	if (argc < 2)
	{
		fprintf(stderr, "usage: %s ROWS.tsv [rules]\n", argv[0]);
		return 2;
	}
	if (argc > 2 && strcmp(argv[2], "rules") == 0)
	{
		rules.types = types;
		rules.ntypes = 7;
		rules.blocked = blocked;
		rules.blocked_len = blocked_len;
		rules.nblocked = 2;
	}
	if ((fd = open(argv[1], O_RDONLY)) < 0 || fstat(fd, &st) != 0)
	{
		perror(argv[1]);
		return 1;
	}
	p = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
	if (p == MAP_FAILED)
	{
		perror("mmap");
		return 1;
	}
	end = p + st.st_size;
	/* the row count, as the planner's estimate of a plain table scan gives it */
	for (const char *q = p; (q = memchr(q, '\n', (size_t) (end - q))) != NULL; q++)
		nrows++;

	t0 = now();
	idr_init(&s, &m);
	idr_reserve(&s, nrows);
	nrows = 0;
	while (p < end)
	{
		const char *f[3];
		size_t		l[3];
		const char *at[3];

		for (int k = 0; k < 3; k++)
		{
			const char *q = p;

			while (q < end && *q != '\t' && *q != '\n' && *q != '\\')
				q++;
			if (q == end || *q != (k == 2 ? '\n' : '\t'))
			{
				fprintf(stderr, "row %zu: not three tab-separated fields without escapes\n", nrows + 1);
				return 1;
			}
			f[k] = p;
			l[k] = (size_t) (q - p);
			p = (char *) q + 1;
		}
		if (arena_len + l[0] + l[1] + l[2] > ((size_t) 1 << 20))
		{
			fprintf(stderr, "row %zu: a batch's strings pass 1 MB\n", nrows + 1);
			return 1;
		}
		for (int k = 0; k < 3; k++)
		{
			memcpy(arena + arena_len, f[k], l[k]);
			at[k] = arena + arena_len;
			arena_len += l[k];
		}
		rows[n] = (idr_row) {at[0], at[1], at[2], l[0], l[1], l[2]};
		nrows++;
		if (++n == BATCH)
		{
			if (idr_add_rows(&s, rows, n) != IDR_OK)
				return 1;
			n = 0;
			arena_len = 0;
		}
	}
	if (n && idr_add_rows(&s, rows, n) != IDR_OK)
		return 1;
	t1 = now();
	if (idr_resolve(&s, &rules) != IDR_OK)
		return 1;
	t2 = now();
	/* the answer as identity_fmgr.c walks it: records in order, their bytes */
	for (uint32_t k = 0; k < s.recs.n; k++)
	{
		uint32_t	id = s.rec_order[k];

		check += (unsigned char) strtab_str(&s.recs, id)[0] + strtab_len(&s.recs, id) + (unsigned long long) s.person[k];
	}
	t3 = now();
	printf("rows %zu, records %u, values %u, persons %llu, refused %llu (check %llu)\n",
		   nrows, s.recs.n, s.vals.n, (unsigned long long) s.stats.persons,
		   (unsigned long long) s.stats.refused, check);
	printf("read+intern %.3f s  resolve %.3f s  answer %.3f s  total %.3f s\n",
		   t1 - t0, t2 - t1, t3 - t2, t3 - t0);
	idr_free(&s);
	return 0;
}
