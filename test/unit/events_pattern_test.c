/*
 * Unit tests of the sequence patterns (src/funnel/pattern.c): the parser's
 * steps and errors (with positions), hand-made runs for every atom and time
 * operator, and random runs against a brute-force search of all assignments.
 */
// link: src/funnel/funnel.c src/funnel/pattern.c
#include "funnel/pattern.h"

#include "tap.h"

#include <string.h>

#define S 1000000LL

static uint32_t work[64 * 4096];

static int
compile(const char *s, int nconds, seq_pattern *p, seq_error *err)
{
	return seq_compile(s, strlen(s), nconds, p, err);
}

static int64_t
count_of(const char *pat, int nconds, ev_event *e, size_t n, int first_only)
{
	seq_pattern p;
	seq_error	err;

	if (compile(pat, nconds, &p, &err) < 0)
	{
		printf("# %s: %s at %d\n", pat, err.message, err.position);
		return -1;
	}
	ev_sort(e, n);
	return seq_count(&p, e, n, first_only, work);
}

static int
error_at(const char *pat, int nconds)
{
	seq_pattern p;
	seq_error	err;

	if (compile(pat, nconds, &p, &err) == 0)
		return 0;
	return err.position;
}

/*
 * Brute force, the way ClickHouse's sequenceCount searches: depth first, each
 * atom trying the events after the one before in increasing order, so the
 * first match found is the lexicographically smallest; the next search starts
 * after its last event.
 */
static int
fits(const seq_pattern *p, const ev_event *e, int j, size_t prev, size_t at)
{
	const seq_step *st = &p->steps[j];
	int64_t		d = e[at].ts - e[prev].ts;
	int			x;

	if (!st->gap && at != prev + 1)
		return 0;
	if (d < st->lo || d > st->hi)
		return 0;
	for (x = 0; x < st->nexclude; x++)
		if (d == st->exclude[x])
			return 0;
	return 1;
}

static int
accepts(const seq_step *st, const ev_event *ev)
{
	return st->cond == 0 || (ev->mask >> (st->cond - 1) & 1);
}

/* can steps j.. match, step j-1 being on event prev?  *last gets the last event */
static int
dfs(const seq_pattern *p, const ev_event *e, size_t n, int j, size_t prev, size_t *last)
{
	size_t		at;

	if (j == p->nsteps)
	{
		*last = prev;
		return 1;
	}
	for (at = prev + 1; at < n; at++)
		if (accepts(&p->steps[j], &e[at]) && fits(p, e, j, prev, at) && dfs(p, e, n, j + 1, at, last))
			return 1;
	return 0;
}

static int64_t
brute(const seq_pattern *p, const ev_event *e, size_t n, int first_only)
{
	size_t		floor = 0,
				start,
				last;
	int64_t		c = 0;

	for (start = floor; start < n; start++)
		if (accepts(&p->steps[0], &e[start]) && dfs(p, e, n, 1, start, &last))
		{
			c++;
			if (first_only)
				return c;
			start = last;		/* the loop's ++ starts after it */
		}
	return c;
}

#define EV(t, m) ((ev_event) {(t), (m), 0})

static long nchecks;

static void
count_check(void)
{
	nchecks++;
}

int
main(void)
{
	seq_pattern p;
	seq_error	err;
	int			it;

	/* the parser */
	check(compile("(?1)(?2)", 2, &p, &err) == 0 && p.nsteps == 2 && !p.steps[1].gap && p.steps[1].cond == 2,
		  "(?1)(?2): two adjacent steps");
	check(compile("(?1).*(?2)", 2, &p, &err) == 0 && p.nsteps == 2 && p.steps[1].gap, ".* sets the gap");
	check(compile(".*(?1) .* . (?t>=10)(?2).*", 2, &p, &err) == 0 && p.nsteps == 3 && p.steps[1].cond == 0 &&
		  p.steps[2].lo == 10 * S && p.steps[2].hi == INT64_MAX && p.steps[2].gap,
		  "blanks, '.', leading and trailing .*, (?t>=10) on the next step, which may be any events later");
	check(error_at("(?1).*(?t<5)(?2)", 2) == 5, ".* before a time constraint: error at the .*");
	check(error_at("(?1)(?t<5).*(?2)", 2) == 11, ".* after a time constraint: error at the .*");
	check(error_at("(?1) .* (?t<5)(?t>1)(?2)", 2) == 6, ".* before two time constraints: error at the .*");
	check(compile("(?1)(?t>10)(?t<20)(?2)", 2, &p, &err) == 0 && p.steps[1].lo == 10 * S + 1 && p.steps[1].hi == 20 * S - 1,
		  "two constraints intersect");
	check(compile("(?1)(?t==5)(?t!=6)(?2)", 2, &p, &err) == 0 && p.steps[1].lo == 5 * S && p.steps[1].hi == 5 * S &&
		  p.steps[1].nexclude == 1, "== and !=");
	check(error_at("(?3)", 2) == 1, "condition 3 of 2: error at 1");
	check(error_at("(?1)(?0)", 2) == 5, "condition 0: error at 5");
	check(error_at("(?1)(?2", 2) == 8, "missing ): error at 8");
	check(error_at("(?1)x", 2) == 5, "stray character: error at 5");
	check(error_at("(?t<5)(?1)", 2) == 1, "a time constraint first: error at 1");
	check(error_at("(?1)(?t<5)", 2) == 5, "a time constraint last: error at 5");
	check(error_at("(?1)(?t~5)(?2)", 2) == 8, "bad operator: error at 8");
	check(error_at("(?1)(?t=5)(?2)", 2) == 8, "= (not ==): error at the operator, 8");
	check(error_at("(?1)(?t<x)(?2)", 2) == 9, "missing number: error at 9");
	check(error_at("(?1)(?t<99999999999999999999)(?2)", 2) > 0, "huge number: error");
	check(error_at(".*", 2) == 3, "no event atom: error at the end");
	check(error_at("", 2) == 1, "empty pattern: error");
	check(error_at("(?)", 2) == 3, "(?): error at 3");

	/* hand-made runs: conditions a=1 b=2 c=4 */
	{
		ev_event	e[] = {EV(0, 1), EV(10 * S, 4), EV(20 * S, 2)};

		check(count_of("(?1)(?2)", 3, e, 3, 1) == 0, "(?1)(?2) needs b right after a; c is between");
		check(count_of("(?1).*(?2)", 3, e, 3, 1) == 1, "(?1).*(?2) skips c");
		check(count_of("(?1).(?2)", 3, e, 3, 1) == 1, "(?1).(?2): exactly one event between");
		check(count_of("(?1)..(?2)", 3, e, 3, 1) == 0, "(?1)..(?2): not two");
		check(count_of("(?2).*(?1)", 3, e, 3, 1) == 0, "order matters");
		check(count_of("(?1)(?t<=20)(?2)", 3, e, 3, 1) == 1, "(?t<=20): b is 20 s after a, c between");
		check(count_of("(?1)(?t<20)(?2)", 3, e, 3, 1) == 0, "(?t<20): not less");
		check(count_of("(?1)(?t>=20)(?2)", 3, e, 3, 1) == 1, "(?t>=20)");
		check(count_of("(?1)(?t>20)(?2)", 3, e, 3, 1) == 0, "(?t>20): not more");
		check(count_of("(?1)(?t==20)(?2)", 3, e, 3, 1) == 1, "(?t==20)");
		check(count_of("(?1)(?t!=20)(?2)", 3, e, 3, 1) == 0, "(?t!=20)");
		check(count_of("(?1)(?t==10)(?3)", 3, e, 3, 1) == 1, "a time constraint between the event right after");
	}
	{
		/* a b a b a b: three non-overlapping (?1)(?2); (?1).*(?2) also three */
		ev_event	e[] = {EV(0, 1), EV(1 * S, 2), EV(2 * S, 1), EV(3 * S, 2), EV(4 * S, 1), EV(5 * S, 2)};

		check(count_of("(?1)(?2)", 2, e, 6, 0) == 3, "a b a b a b: 3 x (?1)(?2)");
		check(count_of("(?1).*(?2)", 2, e, 6, 0) == 3, "3 x (?1).*(?2)");
		check(count_of("(?1).*(?1)", 2, e, 6, 0) == 1, "(?1).*(?1): matches do not overlap, 1");
		check(count_of(".", 2, e, 6, 0) == 6, "'.' counts events");
		check(count_of("(?2)(?t>=3)(?2)", 2, e, 6, 0) == 1, "b then b 3+ s later: once (b1-b3 would overlap b2-?)");
	}
	{
		/* ClickHouse 26.7 on these events: (?1)(?t<=10)(?2), (?t==10) match, (?1)(?2) does not */
		ev_event	e[] = {EV(0, 1), EV(5 * S, 4), EV(10 * S, 2)};
		ev_event	f[] = {EV(0, 1), EV(3 * S, 1), EV(10 * S, 2)};

		check(count_of("(?1)(?t<=10)(?2)", 3, e, 3, 0) == 1, "0:a 5:c 10:b: (?1)(?t<=10)(?2) counts 1");
		check(count_of("(?1)(?t==10)(?2)", 3, e, 3, 1) == 1, "0:a 5:c 10:b: (?1)(?t==10)(?2) matches");
		check(count_of("(?1)(?2)", 3, e, 3, 1) == 0, "0:a 5:c 10:b: (?1)(?2) does not");
		check(count_of("(?1)(?t>=10)(?2)", 3, f, 3, 0) == 1, "0:a 3:a 10:b: (?1)(?t>=10)(?2) counts 1");
	}
	{
		/* matches that skip events, twice: a@0 needs b 10+ s later */
		ev_event	e[] = {EV(0, 1), EV(1 * S, 1), EV(11 * S, 2), EV(12 * S, 1), EV(13 * S, 2), EV(30 * S, 2)};

		check(count_of("(?1)(?t>=10)(?2)", 2, e, 6, 0) == 2, "a0-b11 with a1 between, then a12-b30 with b13 between");
	}
	{
		/* one event matching a and b: (?1) and (?2) both match it, but a match uses distinct events */
		ev_event	e[] = {EV(0, 3)};

		check(count_of("(?1)", 2, e, 1, 0) == 1 && count_of("(?2)", 2, e, 1, 0) == 1, "an event matching two conditions matches both atoms");
		check(count_of("(?1)(?2)", 2, e, 1, 0) == 0, "but not two atoms at once");
	}

	/* random runs against brute force */
	{
		const char *pats[] = {"(?1)(?2)", "(?1).*(?2)", "(?1)(?t<=5)(?2)", "(?1)(?t>3)(?2).*(?3)",
			"(?2).(?1)", "(?1)(?t>=2)(?t<=6)(?t!=4)(?1)", ".*(?3)(?t==0)(?1).*", "(?1).*(?2)(?t<3)(?3)",
		"(?1)(?t!=1)(?2)(?t>1)(?1)", ". (?t<2) .", "(?1)(?t>=3)(?2)(?3)", "(?3).(?t<=4)(?1).*(?2)"};
		int			bad = 0;

		for (it = 0; it < 100000; it++)
		{
			ev_event	e[14];
			int			n = rnd() % 14,
						i;
			const char *pat = pats[rnd() % 12];
			int			first = rnd() % 2;
			int64_t		a,
						b;

			for (i = 0; i < n; i++)
				e[i] = EV((int64_t) (rnd() % 12) * S, 1 + rnd() % 7);
			a = count_of(pat, 3, e, n, first);
			compile(pat, 3, &p, &err);
			b = brute(&p, e, n, first);
			if (a != b && bad++ < 3)
				printf("# %s n=%d first=%d: %lld, expected %lld\n", pat, n, first, (long long) a, (long long) b);
		}
		check(bad == 0, "100,000 random runs: equal to a brute-force search");
	}
	{
		/* a user with a million events: the host's cancel check is called as the passes go */
		static ev_event big[1000000];
		static uint32_t bigwork[2 * 1000001];

		for (it = 0; it < 1000000; it++)
			big[it] = EV((int64_t) it * S, it % 3 == 0 ? 1 : 2);
		compile("(?1)(?t<=1)(?2)", 2, &p, &err);
		nchecks = 0;
		ev_sort_check = count_check;
		check(seq_count(&p, big, 1000000, 0, bigwork) == 333333 && nchecks >= 2 * (1000000 / 65536),
			  "1,000,000 events: 333,333 matches, the cancel check called every 65,536 events of each pass");
		ev_sort_check = NULL;
	}
	return done_testing();
}
