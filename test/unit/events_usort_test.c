/*
 * Unit tests of the user radix sort (src/funnel/usort.h, the project's
 * src/base/radix_sort.h on user records): the result is the input ordered
 * by id, stably (records of one id keep their input order),
 * compared against an insertion sort on random inputs of small, large,
 * negative and equal ids, including sizes 0 and 1; and the caller's cancel
 * check runs at least once per RS_CHECK_EVERY records of every pass, so a
 * sort of a billion runs can be cancelled in the middle.
 */
// link:
#include "funnel/usort.h"

#include "tap.h"

#include <string.h>

static void
naive(us_rec *r, size_t n)
{
	size_t		i,
				j;

	for (i = 1; i < n; i++)
	{
		us_rec		x = r[i];

		for (j = i; j > 0 && r[j - 1].id > x.id; j--)
			r[j] = r[j - 1];
		r[j] = x;
	}
}

static int64_t
draw(int kind)
{
	switch (kind)
	{
		case 0:
			return (int64_t) (rnd() % 50);
		case 1:
			return (int64_t) (rnd() % 1000000);
		case 2:
			return (int64_t) (((uint64_t) rnd() << 32) | rnd());	/* any sign */
		default:
			return (int64_t) (rnd() % 7) - 3;
	}
}

static long ncheck;

static void
count_check(void)
{
	ncheck++;
}

/* a big sort: how often the check ran, against the passes it made */
static void
check_granularity(void)
{
	enum
	{
		N = 1000000
	};
	static us_rec big[N],
				tmp[N];
	long		chunks = (N + RS_CHECK_EVERY - 1) / RS_CHECK_EVERY;
	us_rec	   *r;
	size_t		i;
	int			ok = 1;

	/* ids that differ in all 8 bytes: a counting pass and 8 moving passes */
	for (i = 0; i < N; i++)
	{
		big[i].id = (int64_t) (((uint64_t) rnd() << 32) | rnd());
		big[i].val = (uint32_t) i;
		big[i].aux = 0;
	}
	ncheck = 0;
	r = us_sort(big, tmp, N, count_check);
	for (i = 1; i < N; i++)
		ok &= r[i - 1].id <= r[i].id;
	check(ok, "1,000,000 records with a check: sorted");
	check(ncheck >= 9 * chunks,
		  "the check runs once per 65536 records of the counting pass and of each of the 8 moving passes");
	/* equal ids: nothing moves, the counting pass still checks */
	for (i = 0; i < N; i++)
		big[i].id = 7;
	ncheck = 0;
	r = us_sort(big, tmp, N, count_check);
	check(r == big && ncheck >= chunks, "equal ids: the counting pass checks too");
}

int
main(void)
{
	static us_rec a[5000],
				b[5000],
				t[5000];
	size_t		sizes[] = {0, 1, 2, 3, 17, 256, 1000, 5000};
	int			kind;
	size_t		s;

	for (kind = 0; kind < 4; kind++)
		for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++)
		{
			size_t		n = sizes[s],
						i;
			us_rec	   *r;
			char		what[96];

			for (i = 0; i < n; i++)
			{
				a[i].id = draw(kind);
				a[i].val = (uint32_t) i;	/* input position: checks stability */
				a[i].aux = rnd();
			}
			memcpy(b, a, sizeof(us_rec) * n);
			naive(b, n);
			r = us_sort(a, t, n, NULL);
			snprintf(what, sizeof(what), "key kind %d, %zu records: sorted and stable", kind, n);
			check(n == 0 || memcmp(r, b, sizeof(us_rec) * n) == 0, what);
		}
	/* already sorted input and all-equal input */
	{
		size_t		i;
		us_rec	   *r;

		for (i = 0; i < 3000; i++)
		{
			a[i].id = (int64_t) i * 3 - 4000;
			a[i].val = (uint32_t) i;
			a[i].aux = 0;
		}
		memcpy(b, a, sizeof(us_rec) * 3000);
		r = us_sort(a, t, 3000, NULL);
		check(memcmp(r, b, sizeof(us_rec) * 3000) == 0, "sorted input unchanged");
		for (i = 0; i < 3000; i++)
		{
			a[i].id = 42;
			a[i].val = (uint32_t) i;
		}
		memcpy(b, a, sizeof(us_rec) * 3000);
		r = us_sort(a, t, 3000, NULL);
		check(r == a && memcmp(r, b, sizeof(us_rec) * 3000) == 0, "equal ids: no pass, order kept");
	}
	check_granularity();
	return done_testing();
}
