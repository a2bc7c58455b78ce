/*
 * pattern.c — compile and match sequence patterns with ClickHouse's semantics.
 *
 * Which match ClickHouse counts: sequenceCount runs a backtracking search
 * that tries the atoms' events in increasing order, so the match it finds is
 * the lexicographically smallest tuple of event positions (earliest first
 * event, then earliest second event, ...); the next search starts after that
 * match's last event.  A time condition lets any events lie between its two
 * atoms (the search skips events until one fits).
 *
 * How without backtracking: a backward pass computes, for each step j, which
 * events can start a completion of steps j..k-1 (can_j), as prefix counts, so
 * that "is there a completion among the events in this index and time range"
 * is a difference of two counts found by binary search.  A forward greedy walk
 * then picks, step by step, the first event that fits and can complete: that
 * is the lexicographically smallest match, found in O(k * n log n) whatever
 * the pattern — no backtracking blow-up on users with millions of events.
 */
#include "funnel/pattern.h"

#include <stdio.h>
#include <string.h>

#define USECS 1000000LL
#define S_MAX (INT64_MAX / USECS)

static int
fail(seq_error *err, int pos, const char *msg)
{
	snprintf(err->message, sizeof(err->message), "%s", msg);
	err->position = pos;
	return -1;
}

/* read a decimal number at s[*i]; -1 if none, -2 if too large */
static int64_t
read_number(const char *s, size_t len, size_t *i, int64_t max)
{
	int64_t		v = 0;
	size_t		a = *i;

	while (*i < len && s[*i] >= '0' && s[*i] <= '9')
	{
		if (v > (max - (s[*i] - '0')) / 10)
			return -2;
		v = v * 10 + (s[*i] - '0');
		(*i)++;
	}
	return *i == a ? -1 : v;
}

int
seq_compile(const char *s, size_t len, int nconds, seq_pattern *p, seq_error *err)
{
	size_t		i = 0;
	int			pending_gap = 0;
	int			pending_time = 0;	/* a (?t) waits for the next step */
	int			pending_star = 0;	/* position of a .* since the last atom */
	int			time_pos = 0;
	seq_step	cur;			/* constraints collected for the next step */

	memset(p, 0, sizeof(*p));
	memset(&cur, 0, sizeof(cur));
	cur.hi = INT64_MAX;
	while (i < len)
	{
		int			pos = (int) i + 1;

		if (s[i] == ' ' || s[i] == '\t' || s[i] == '\n')
		{
			i++;
			continue;
		}
		if (s[i] == '.')
		{
			if (i + 1 < len && s[i + 1] == '*')
			{
				/*
				 * ClickHouse measures a time condition next to .* from the
				 * event where .* began, not from an atom, which makes
				 * (?t<=S) always true there: refused, so no query means one
				 * thing here and another in ClickHouse.
				 */
				if (pending_time)
					return fail(err, pos, "a time constraint must not be followed by .* (it already allows any events between its two atoms)");
				pending_gap = 1;
				pending_star = pos;
				i += 2;
				continue;
			}
			i++;
			cur.cond = 0;
		}
		else if (s[i] == '(' && i + 1 < len && s[i + 1] == '?')
		{
			i += 2;
			if (i < len && s[i] == 't')
			{
				int64_t		v;
				int64_t		us;
				char		op[3] = {0, 0, 0};
				int			oppos;

				i++;
				while (i < len && s[i] == ' ')
					i++;
				oppos = (int) i + 1;
				if (i < len && strchr("<>=!", s[i]) && s[i] != '\0')
				{
					op[0] = s[i++];
					if (i < len && s[i] == '=')
						op[1] = s[i++];
				}
				if (!(strcmp(op, "<") == 0 || strcmp(op, "<=") == 0 || strcmp(op, ">") == 0 ||
					  strcmp(op, ">=") == 0 || strcmp(op, "==") == 0 || strcmp(op, "!=") == 0))
					return fail(err, oppos, "expected a comparison operator (<, <=, >, >=, ==, !=) after (?t");
				while (i < len && s[i] == ' ')
					i++;
				v = read_number(s, len, &i, S_MAX);
				if (v == -1)
					return fail(err, (int) i + 1, "expected a number of seconds");
				if (v == -2)
					return fail(err, (int) i + 1, "number of seconds out of range");
				while (i < len && s[i] == ' ')
					i++;
				if (i >= len || s[i] != ')')
					return fail(err, (int) i + 1, "expected )");
				i++;
				if (p->nsteps == 0)
					return fail(err, pos, "a time constraint must follow an event atom ((?N) or .)");
				if (pending_star)
					return fail(err, pending_star, ".* must not come before a time constraint (the time constraint already allows any events between its two atoms)");
				us = v * USECS;
				if (op[0] == '<' && op[1] == 0)
				{
					if (us - 1 < cur.hi)
						cur.hi = us - 1;
				}
				else if (op[0] == '<')
				{
					if (us < cur.hi)
						cur.hi = us;
				}
				else if (op[0] == '>' && op[1] == 0)
				{
					if (us + 1 > cur.lo)
						cur.lo = us + 1;
				}
				else if (op[0] == '>')
				{
					if (us > cur.lo)
						cur.lo = us;
				}
				else if (op[0] == '=')
				{
					if (us > cur.lo)
						cur.lo = us;
					if (us < cur.hi)
						cur.hi = us;
				}
				else
				{
					if (cur.nexclude == SEQ_MAX_EXCLUDE)
						return fail(err, pos, "too many != constraints between two atoms (at most 8)");
					cur.exclude[cur.nexclude++] = us;
				}
				/* any events may lie between the two atoms (as in ClickHouse) */
				pending_gap = 1;
				pending_time = 1;
				time_pos = pos;
				continue;
			}
			else
			{
				int64_t		v = read_number(s, len, &i, 1000000);

				if (v < 0)
					return fail(err, (int) i + 1, "expected a condition number or t after (?");
				if (v < 1 || v > nconds)
				{
					char		m[120];

					snprintf(m, sizeof(m), "condition %lld does not exist (there are %d)", (long long) v, nconds);
					return fail(err, pos, m);
				}
				if (i >= len || s[i] != ')')
					return fail(err, (int) i + 1, "expected )");
				i++;
				cur.cond = (int) v;
			}
		}
		else
			return fail(err, pos, "unexpected character (expected (?N), (?t op seconds), . or .*)");

		/* a step: (?N) or '.' */
		if (p->nsteps == SEQ_MAX_STEPS)
			return fail(err, pos, "too many event atoms (at most 64)");
		cur.gap = pending_gap;
		p->steps[p->nsteps++] = cur;
		memset(&cur, 0, sizeof(cur));
		cur.hi = INT64_MAX;
		pending_gap = 0;
		pending_time = 0;
		pending_star = 0;
	}
	if (pending_time)
		return fail(err, time_pos, "a time constraint must be followed by an event atom ((?N) or .)");
	if (p->nsteps == 0)
		return fail(err, (int) len + 1, "the pattern has no event atom ((?N) or .)");
	return 0;
}

static inline int
step_accepts(const seq_step *st, uint32_t mask)
{
	return st->cond == 0 || (mask >> (st->cond - 1) & 1);
}

/* first index in [a, b) with ts >= t (b when none) */
static size_t
lower_bound(const ev_event *e, size_t a, size_t b, int64_t t)
{
	while (a < b)
	{
		size_t		m = a + (b - a) / 2;

		if (e[m].ts < t)
			a = m + 1;
		else
			b = m;
	}
	return a;
}

/* first index in [a, b) with ts > t */
static size_t
upper_bound(const ev_event *e, size_t a, size_t b, int64_t t)
{
	while (a < b)
	{
		size_t		m = a + (b - a) / 2;

		if (e[m].ts <= t)
			a = m + 1;
		else
			b = m;
	}
	return a;
}

/*
 * t + d, saturating.  d is a constraint bound and can be negative: (?t<0)
 * allows at most -1 microseconds (found by test/fuzz/seq_pattern_fuzz.c).
 */
static inline int64_t
sat_add(int64_t t, int64_t d)
{
	int64_t		r;

	if (__builtin_add_overflow(t, d, &r))
		return d > 0 ? INT64_MAX : INT64_MIN;
	return r;
}

static int
time_ok(const seq_step *st, int64_t d)
{
	int			x;

	if (d < st->lo || d > st->hi)
		return 0;
	for (x = 0; x < st->nexclude; x++)
		if (d == st->exclude[x])
			return 0;
	return 1;
}

/*
 * Is there an event in (e, n) that step `st` (the step after the one on e)
 * can take and from which steps onward complete?  C holds the prefix counts
 * of that completion (can_{j+1}).  Returns the first such event, or n.
 */
static size_t
next_step(const seq_step *st, const ev_event *e, size_t n, size_t at, const uint32_t *C, int first)
{
	size_t		a,
				b,
				i;
	int64_t		c;
	int			x,
				y;

	if (!st->gap)
	{
		/* adjacent: only the event right after */
		if (at + 1 < n && C[at + 2] - C[at + 1] > 0 &&
			time_ok(st, (int64_t) ((uint64_t) e[at + 1].ts - (uint64_t) e[at].ts)))
			return at + 1;
		return n;
	}
	/* later events with ts in [ts + lo, ts + hi] */
	a = lower_bound(e, at + 1, n, sat_add(e[at].ts, st->lo));
	b = upper_bound(e, a, n, sat_add(e[at].ts, st->hi));
	c = b > a ? (int64_t) C[b] - C[a] : 0;
	if (c <= 0)
		return n;
	if (first)
	{
		/* the first completing event that no != excludes */
		for (i = a; i < b; i++)
			if (C[i + 1] - C[i] > 0 && time_ok(st, (int64_t) ((uint64_t) e[i].ts - (uint64_t) e[at].ts)))
				return i;
		return n;
	}
	for (x = 0; x < st->nexclude && c > 0; x++)
	{
		int64_t		t;
		size_t		a2,
					b2;
		int			dup = 0;

		for (y = 0; y < x; y++)
			dup |= st->exclude[y] == st->exclude[x];
		if (dup || st->exclude[x] < st->lo || st->exclude[x] > st->hi)
			continue;
		t = sat_add(e[at].ts, st->exclude[x]);
		a2 = lower_bound(e, a, b, t);
		b2 = upper_bound(e, a2, b, t);
		c -= (int64_t) C[b2] - C[a2];
	}
	return c > 0 ? a : n;		/* any index below n means "exists" */
}

int64_t
seq_count(const seq_pattern *p, const ev_event *e, size_t n, int first_only, uint32_t *work)
{
	const int	k = p->nsteps;
	size_t		floor = 0;		/* matches may not use events before this */
	int64_t		count = 0;
	size_t		ev;
	int			j;

	/*
	 * Backward: work + j*(n+1) holds the prefix counts of can_j, "steps j..k-1
	 * can be matched with step j on this event".
	 */
	for (j = k - 1; j >= 0; j--)
	{
		const seq_step *st = &p->steps[j];
		uint32_t   *P = work + (size_t) j * (n + 1);
		const uint32_t *N = j + 1 < k ? work + (size_t) (j + 1) * (n + 1) : NULL;

		P[0] = 0;
		for (ev = 0; ev < n; ev++)
		{
			int			r = step_accepts(st, e[ev].mask);

			/* one user can have millions of events: the host's cancel check */
			if ((ev & 0xFFFF) == 0xFFFF && ev_sort_check)
				ev_sort_check();

			if (r && N)
				r = next_step(&p->steps[j + 1], e, n, ev, N, 0) < n;
			P[ev + 1] = P[ev] + (uint32_t) r;
		}
	}
	/* Forward: the lexicographically smallest match from `floor`, again and again. */
	while (floor < n && work[n] - work[floor] > 0)
	{
		size_t		at = floor;

		while (work[at + 1] - work[at] == 0)
		{
			at++;
			if ((at & 0xFFFF) == 0 && ev_sort_check)
				ev_sort_check();
		}
		for (j = 1; j < k; j++)
			at = next_step(&p->steps[j], e, n, at, work + (size_t) j * (n + 1), 1);
		count++;
		if (first_only)
			break;
		floor = at + 1;
	}
	return count;
}
