/*
 * tiers.c — tier ranks and the three kinds of tier timeline (tiers.h).
 *
 * Every timeline is a walk over the instants where something can change
 * (events, year starts, window ends, hold deadlines); all changes at one
 * instant are applied before the tier is read, so a row is written once per
 * instant and only when the tier differs from the previous row.
 */
#include "loyalty/tiers.h"

#include <stdbool.h>
#include <stdlib.h>

int
tier_rank_of(int64_t points, const int64_t *thresholds, int n)
{
	int			lo = 0,
				hi = n;

	/* thresholds ascend: binary search for the first one above points */
	while (lo < hi)
	{
		int			mid = lo + (hi - lo) / 2;

		if (thresholds[mid] <= points)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

size_t
tier_walk_max_rows(size_t n, const TierPolicy *p)
{
	/* rolling: an event, a window end and a hold deadline per event */
	return 3 * n + p->nyear_starts + 1;
}

static void
emit(TierRow *rows, size_t *nrows, int tier, int64_t t)
{
	if (*nrows > 0 && rows[*nrows - 1].tier == tier)
		return;
	rows[*nrows].tier = tier;
	rows[*nrows].from = t;
	(*nrows)++;
}

static int
lifetime(const TierPoint *pts, size_t n, const TierPolicy *p, TierRow *rows, size_t *nrows)
{
	int64_t		total = 0;

	for (size_t i = 0; i < n && pts[i].ts <= p->as_of;)
	{
		int64_t		t = pts[i].ts;

		for (; i < n && pts[i].ts == t; i++)
			if (__builtin_add_overflow(total, pts[i].points, &total))
				return -1;
		emit(rows, nrows, tier_rank_of(total, p->thresholds, p->nthresholds), t);
	}
	return 0;
}

static int
calendar_year(const TierPoint *pts, size_t n, const TierPolicy *p, TierRow *rows, size_t *nrows)
{
	int64_t		prev = 0,
				cur = 0;
	size_t		i = 0,
				y = 0;

	while ((i < n && pts[i].ts <= p->as_of) || y < p->nyear_starts)
	{
		int64_t		t;
		int			rp,
					rc;

		if (i < n && pts[i].ts <= p->as_of &&
			(y == p->nyear_starts || pts[i].ts <= p->year_starts[y]))
			t = pts[i].ts;
		else
			t = p->year_starts[y];
		if (y < p->nyear_starts && p->year_starts[y] == t)
		{
			/* the year just ended supports the new year's starting tier */
			prev = cur;
			cur = 0;
			y++;
		}
		for (; i < n && pts[i].ts == t; i++)
			if (__builtin_add_overflow(cur, pts[i].points, &cur))
				return -1;
		rp = tier_rank_of(prev, p->thresholds, p->nthresholds);
		rc = tier_rank_of(cur, p->thresholds, p->nthresholds);
		emit(rows, nrows, rp > rc ? rp : rc, t);
	}
	return 0;
}

static int
leave_cmp(const void *a, const void *b)
{
	int64_t		x = ((const TierPoint *) a)->leave,
				y = ((const TierPoint *) b)->leave;

	return (x > y) - (x < y);
}

static int
rolling(const TierPoint *pts, size_t n, const TierPolicy *p, TierPoint *by_leave,
		TierRow *rows, size_t *nrows)
{
	int64_t		window = 0;		/* points in (t - window, t] */
	size_t		i = 0,
				j = 0;
	int			held = 0;
	bool		clock = false;	/* held tier unsupported since... */
	int64_t		deadline = 0;	/* ...and falls at this time */
	bool		sorted = true;

	for (size_t k = 0; k < n; k++)
	{
		by_leave[k] = pts[k];
		sorted &= k == 0 || by_leave[k - 1].leave <= by_leave[k].leave;
	}

	/*
	 * ts + window does not go down as ts goes up (the caller adds one
	 * interval to times in order), so the copy is normally in leave order
	 * already: no qsort (which cannot be interrupted) over millions of points.
	 */
	if (!sorted)
		qsort(by_leave, n, sizeof(TierPoint), leave_cmp);

	for (;;)
	{
		int64_t		t = INT64_MAX;
		int			supported;

		if (i < n)
			t = pts[i].ts;
		if (j < n && by_leave[j].leave < t)
			t = by_leave[j].leave;
		if (clock && deadline < t)
			t = deadline;
		if (t == INT64_MAX || t > p->as_of)
			break;

		/* a point earned at e counts at t when e <= t < e + window */
		for (; i < n && pts[i].ts == t; i++)
			if (__builtin_add_overflow(window, pts[i].points, &window))
				return -1;
		for (; j < n && by_leave[j].leave == t; j++)
			window -= by_leave[j].points;

		supported = tier_rank_of(window, p->thresholds, p->nthresholds);
		if (*nrows == 0 || supported >= held)
		{
			held = supported;
			clock = false;
		}
		else
		{
			if (!clock)
			{
				clock = true;
				deadline = p->add_hold ? p->add_hold(t, p->hold_arg) : t;
			}
			if (deadline <= t)
			{
				held = supported;
				clock = false;
			}
		}
		emit(rows, nrows, held, t);
	}
	return 0;
}

int
tier_walk(const TierPoint *pts, size_t n, const TierPolicy *p,
			  TierPoint *scratch, TierRow *rows, size_t *nrows)
{
	*nrows = 0;
	if (n == 0 || pts[0].ts > p->as_of)
		return 0;
	switch (p->period)
	{
		case TIER_LIFETIME:
			return lifetime(pts, n, p, rows, nrows);
		case TIER_CALENDAR_YEAR:
			return calendar_year(pts, n, p, rows, nrows);
		case TIER_ROLLING:
			return rolling(pts, n, p, scratch, rows, nrows);
	}
	return 0;
}
