/*
 * Unit tests of the funnel state machine (src/funnel/funnel.c): hand-made runs
 * whose answers are worked out here, the tie rule, window boundaries, every
 * mode, and random runs against a literal re-reading of the spec that expands
 * each event into one (ts, condition) step per condition it matches.
 */
// link: src/funnel/funnel.c
#include "funnel/funnel.h"

#include "tap.h"

#include <string.h>

#define H 3600000000LL			/* an hour in microseconds */

static int
level_of(ev_event *e, size_t n, int nconds, int64_t window, int flags)
{
	ev_sort(e, n);
	return funnel_level(e, n, nconds, (uint64_t) window, flags, NULL, NULL);
}

static int
mode_of(const char *s)
{
	int			f,
				pos;

	return funnel_parse_mode(s, strlen(s), &f, &pos) < 0 ? -pos : f;
}

/*
 * The spec, read literally: steps (ts, mask, condition) in order of ts, then
 * mask, then (per event) condition from highest to lowest; levels hold
 * (start, last).
 */
typedef struct
{
	int64_t		ts;
	uint32_t	mask;
	int			cond;			/* 0 = matches nothing */
	int			event;			/* steps of one event stay together */
} step;

static int
step_cmp(const void *pa, const void *pb)
{
	const step *a = pa,
			   *b = pb;

	if (a->ts != b->ts)
		return a->ts < b->ts ? -1 : 1;
	if (a->mask != b->mask)
		return a->mask < b->mask ? -1 : 1;
	if (a->event != b->event)
		return a->event - b->event;
	return b->cond - a->cond;
}

static int
reference(const ev_event *e, size_t n, int nconds, int64_t window, int flags)
{
	step		s[4096];
	size_t		ns = 0,
				i;
	int			have[33] = {0};
	int64_t		start[33],
				last[33];
	int			first_seen = 0;
	int			best = 0;
	int			c;

	for (i = 0; i < n; i++)
	{
		if (e[i].mask == 0)
		{
			s[ns++] = (step) {e[i].ts, 0, 0, (int) i};
			continue;
		}
		for (c = 1; c <= nconds; c++)
			if (e[i].mask >> (c - 1) & 1)
				s[ns++] = (step) {e[i].ts, e[i].mask, c, (int) i};
	}
	qsort(s, ns, sizeof(step), step_cmp);
	for (i = 0; i < ns; i++)
	{
		c = s[i].cond;
		if (c == 0)
		{
			if ((flags & FUNNEL_STRICT_ORDER) && first_seen)
				break;
			continue;
		}
		if (c == 1)
		{
			have[1] = 1;
			start[1] = last[1] = s[i].ts;
			first_seen = 1;
		}
		else if ((flags & FUNNEL_STRICT_DEDUPLICATION) && have[c])
			break;
		else if (!have[c - 1])
		{
			if ((flags & FUNNEL_STRICT_ORDER) && first_seen)
				break;
		}
		else if (s[i].ts <= start[c - 1] + window &&
				 (!(flags & FUNNEL_STRICT_INCREASE) || s[i].ts > last[c - 1]))
		{
			have[c] = 1;
			start[c] = start[c - 1];
			last[c] = s[i].ts;
		}
		for (c = nconds; c > best; c--)
			if (have[c])
				best = c;
		if (best == nconds)
			break;
	}
	for (c = nconds; c > best; c--)
		if (have[c])
			best = c;
	return best;
}

#define EV(t, m) ((ev_event) {(t), (m), 0})

static long nchecks;

static void
count_check(void)
{
	nchecks++;
}

static void *
scratch(size_t n)
{
	return malloc(n);
}

static int
ev_cmp_test(const void *pa, const void *pb)
{
	const ev_event *a = pa,
			   *b = pb;

	if (a->ts != b->ts)
		return a->ts < b->ts ? -1 : 1;
	return a->mask < b->mask ? -1 : a->mask > b->mask;
}

/*
 * One user's run of a million events: with the host's hooks set, ev_sort
 * radix-sorts it, calling the check every 65,536 events of every pass, and
 * the order is the (ts, mask) order qsort gives.
 */
static void
long_sort(void)
{
	enum
	{
		N = 1000000
	};
	ev_event   *e = malloc(sizeof(ev_event) * N),
			   *f = malloc(sizeof(ev_event) * N);
	int			bad = 0;

	for (int i = 0; i < N; i++)
	{
		/* negative and positive times, many ties, masks of several bytes */
		e[i] = EV((int64_t) (rnd() % 2000000) - 1000000, rnd() % 70000);
		e[i].slot = 0;
	}
	memcpy(f, e, sizeof(ev_event) * N);
	qsort(f, N, sizeof(ev_event), ev_cmp_test);
	ev_sort_alloc = scratch;
	ev_sort_free = free;
	ev_sort_check = count_check;
	nchecks = 0;
	ev_sort(e, N);
	for (int i = 0; i < N; i++)
		bad += e[i].ts != f[i].ts || e[i].mask != f[i].mask;
	check(bad == 0, "a run of 1,000,000 events: (ts, mask) order, as qsort gives it");
	/* two copies and at least a pass of each sort, 16 chunks each */
	check(nchecks >= 4 * ((N + 65535) / 65536),
		  "a run of 1,000,000 events: the check runs every 65,536 events of every pass");
	ev_sort_alloc = NULL;
	ev_sort_free = NULL;
	ev_sort_check = NULL;
	free(e);
	free(f);
}

int
main(void)
{
	int			it;

	/* modes */
	check(mode_of("") == 0, "'' is the default mode");
	check(mode_of(" ") == 0, "blanks are the default mode");
	check(mode_of("strict_order") == FUNNEL_STRICT_ORDER, "strict_order");
	check(mode_of("strict_deduplication, strict_increase") ==
		  (FUNNEL_STRICT_DEDUPLICATION | FUNNEL_STRICT_INCREASE), "two words, blank after the comma");
	check(mode_of("strict_order,bogus") == -14, "an unknown word is an error at its position");
	check(mode_of("strict_order,,strict_increase") == -14, "an empty word is an error");
	check(mode_of("Strict_Order") == -1, "words are lower case");

	/* a plain chain */
	{
		ev_event	e[] = {EV(0, 1), EV(1 * H, 2), EV(2 * H, 4)};

		check(level_of(e, 3, 3, 24 * H, 0) == 3, "a-b-c within the window reaches level 3");
		check(level_of(e, 3, 3, 1 * H, 0) == 2, "c two hours after a is out of a one-hour window");
	}
	/* exactly window apart counts */
	{
		ev_event	e[] = {EV(0, 1), EV(5 * H, 2)};

		check(level_of(e, 2, 2, 5 * H, 0) == 2, "a step exactly `window` after the start counts");
		check(level_of(e, 2, 2, 5 * H - 1, 0) == 1, "one microsecond more does not");
	}
	/* a later start gives a new chance */
	{
		ev_event	e[] = {EV(0, 1), EV(10 * H, 1), EV(11 * H, 2)};

		check(level_of(e, 3, 2, 2 * H, 0) == 2, "the latest condition-1 event starts a new chain");
	}
	/* out of order steps do not count */
	{
		ev_event	e[] = {EV(0, 1), EV(1 * H, 4), EV(2 * H, 2)};

		check(level_of(e, 3, 3, 24 * H, 0) == 2, "c before b: level 2");
	}
	/* ties: equal ts ordered by mask ascending */
	{
		ev_event	e[] = {EV(5, 2), EV(5, 1)};

		check(level_of(e, 2, 2, H, 0) == 2, "a and b at the same time: a (mask 1) sorts first, level 2");
		check(level_of(e, 2, 2, H, FUNNEL_STRICT_INCREASE) == 1, "strict_increase: b at a's time is no step");
	}
	/* one event matching several conditions advances one step at most */
	{
		ev_event	e[] = {EV(0, 3)};

		check(level_of(e, 1, 2, H, 0) == 1, "an event matching a and b alone is level 1 (b is applied before a)");
	}
	{
		ev_event	e[] = {EV(0, 1), EV(H, 6)};

		check(level_of(e, 2, 3, 24 * H, 0) == 2, "an event matching b and c after a: level 2, not 3");
	}
	{
		ev_event	e[] = {EV(0, 1), EV(H, 2), EV(2 * H, 6)};

		check(level_of(e, 3, 3, 24 * H, 0) == 3, "then one matching b and c extends a-b to c");
	}
	/* strict_deduplication */
	{
		ev_event	e[] = {EV(0, 1), EV(H, 2), EV(2 * H, 2), EV(3 * H, 4)};

		check(level_of(e, 4, 3, 24 * H, 0) == 3, "default mode: a repeated b is harmless");
		check(level_of(e, 4, 3, 24 * H, FUNNEL_STRICT_DEDUPLICATION) == 2, "strict_deduplication: a repeated b ends the scan at level 2");
	}
	{
		ev_event	e[] = {EV(0, 1), EV(H, 1), EV(2 * H, 2)};

		check(level_of(e, 3, 2, 24 * H, FUNNEL_STRICT_DEDUPLICATION) == 2, "strict_deduplication: a repeated condition 1 only restarts");
	}
	/* strict_order */
	{
		ev_event	e[] = {EV(0, 1), EV(H, 0), EV(2 * H, 2)};

		check(level_of(e, 3, 2, 24 * H, 0) == 2, "default mode: an unrelated event in between is skipped");
		check(level_of(e, 3, 2, 24 * H, FUNNEL_STRICT_ORDER) == 1, "strict_order: it ends the scan");
	}
	{
		ev_event	e[] = {EV(0, 0), EV(H, 4), EV(2 * H, 1), EV(3 * H, 2)};

		check(level_of(e, 4, 3, 24 * H, FUNNEL_STRICT_ORDER) == 2, "strict_order: events before the first condition-1 event are skipped");
	}
	{
		ev_event	e[] = {EV(0, 1), EV(H, 4), EV(2 * H, 2)};

		check(level_of(e, 3, 3, 24 * H, FUNNEL_STRICT_ORDER) == 1, "strict_order: c before b ends the scan at level 1");
		check(level_of(e, 3, 3, 24 * H, 0) == 2, "default mode: c before b is skipped, level 2");
	}
	/* strict_increase */
	{
		ev_event	e[] = {EV(0, 1), EV(H, 2), EV(H, 4)};

		check(level_of(e, 3, 3, 24 * H, 0) == 3, "b and c at the same time: level 3");
		check(level_of(e, 3, 3, 24 * H, FUNNEL_STRICT_INCREASE) == 2, "strict_increase: level 2");
	}
	/* combined modes */
	{
		ev_event	e[] = {EV(0, 1), EV(H, 2), EV(H, 2), EV(2 * H, 4)};

		check(level_of(e, 4, 3, 24 * H, FUNNEL_STRICT_DEDUPLICATION | FUNNEL_STRICT_ORDER) == 2,
			  "strict_deduplication + strict_order: the repeated b ends the scan");
		check(level_of(e, 4, 3, 24 * H, FUNNEL_STRICT_ORDER | FUNNEL_STRICT_INCREASE) == 3,
			  "strict_order + strict_increase: the second b (same time) is no step but no stop");
	}
	/* nothing matches condition 1 */
	{
		ev_event	e[] = {EV(0, 2), EV(H, 4)};

		check(level_of(e, 2, 3, 24 * H, 0) == 0, "no condition-1 event: level 0");
		check(level_of(e, 0, 3, 24 * H, 0) == 0, "no event: level 0");
	}
	/* 32 conditions */
	{
		ev_event	e[32];
		int			i;

		for (i = 0; i < 32; i++)
			e[i] = EV((int64_t) (31 - i) * H, 1u << (31 - i));
		check(level_of(e, 32, 32, 40 * H, 0) == 32, "32 conditions in order (given reversed): level 32");
	}
	/* the path: the first chain that reached the top level */
	{
		ev_event	e[] = {EV(0, 1), EV(H, 2), EV(10 * H, 1), EV(11 * H, 2), EV(12 * H, 4)};
		int64_t		path[3],
					work[9];
		int			l;

		ev_sort(e, 5);
		l = funnel_level(e, 5, 3, (uint64_t) (5 * H), 0, path, work);
		check(l == 3 && path[0] == 10 * H && path[1] == 11 * H && path[2] == 12 * H,
			  "path of the chain that reached level 3");
		l = funnel_level(e, 4, 3, (uint64_t) (5 * H), 0, path, work);
		check(l == 2 && path[0] == 0 && path[1] == H, "the first chain that reached level 2, not the latest");
	}

	/* random runs: the state machine equals the literal reading */
	{
		int			bad = 0;

		for (it = 0; it < 200000; it++)
		{
			ev_event	e[40];
			int			n = rnd() % 40;
			int			nconds = 1 + rnd() % 6;
			int			flags = rnd() % 8;
			int64_t		window = (int64_t) (rnd() % 12);
			int			i,
						a,
						b;

			for (i = 0; i < n; i++)
			{
				e[i].ts = rnd() % 30;
				e[i].mask = rnd() % 4 == 0 ? rnd() & ((1u << nconds) - 1) : (1u << (rnd() % nconds));
				if (rnd() % 8 == 0)
					e[i].mask = 0;
				e[i].slot = 0;
			}
			b = reference(e, n, nconds, window, flags);
			a = level_of(e, n, nconds, window, flags);
			if (a != b)
			{
				if (bad++ < 3)
					printf("# n=%d nconds=%d flags=%d window=%lld: %d, expected %d\n", n, nconds, flags, (long long) window, a, b);
			}
		}
		check(bad == 0, "200,000 random runs, every mode: equal to the literal reading of the spec");
	}
	/* the sort: order of arrival does not matter */
	{
		int			bad = 0;

		for (it = 0; it < 2000; it++)
		{
			ev_event	e[200],
						f[200];
			int			n = 1 + rnd() % 200,
						i;

			for (i = 0; i < n; i++)
				e[i] = EV(rnd() % 50, rnd() % 8);
			memcpy(f, e, sizeof(ev_event) * n);
			for (i = n - 1; i > 0; i--)
			{
				int			j = rnd() % (i + 1);
				ev_event	t = f[i];

				f[i] = f[j];
				f[j] = t;
			}
			ev_sort(e, n);
			ev_sort(f, n);
			for (i = 0; i < n; i++)
				bad += e[i].ts != f[i].ts || e[i].mask != f[i].mask || (i && (e[i].ts < e[i - 1].ts || (e[i].ts == e[i - 1].ts && e[i].mask < e[i - 1].mask)));
		}
		check(bad == 0, "ev_sort: (ts, mask) order, whatever the arrival order");
	}
	long_sort();
	return done_testing();
}
