/*
 * tiers.c — tier ranks and the three kinds of tier timeline (tiers.h).
 *
 * Every timeline is a walk over the instants where something can change
 * (events, year starts, window ends, hold deadlines); all changes at one
 * instant are applied before the tier is read, so a row is written once per
 * instant and only when the tier differs from the previous row.
 */
#include "loyalty/tiers.h"
#include "loyalty/ledger.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* ---- the policy ---- */

static TierPolicyStatus
policy_fail(TierPolicyError *e, TierPolicyStatus s, const char *hint)
{
	e->status = s;
	e->hint = hint;
	return s;
}

TierPolicyStatus
tier_policy_thresholds(const char *const *text, int n, int64_t *out, TierPolicy *p, TierPolicyError *e)
{
	memset(e, 0, sizeof(*e));
	if (n == 0)
		return policy_fail(e, TIER_POLICY_NO_THRESHOLDS,
						   "For example {\"thresholds\": [1000, 3000, 6000], \"names\": [\"silver\", \"gold\", \"platinum\"], \"period\": \"lifetime\"}.");
	/* each threshold converted, then compared with the one before */
	for (int i = 0; i < n; i++)
	{
		LedgerStatus ls = ledger_parse_decimal(text[i], strlen(text[i]), &out[i]);

		if (ls != LEDGER_OK)
		{
			e->index = i;
			e->ledger = ls;
			return policy_fail(e, TIER_POLICY_THRESHOLD, NULL);
		}
		if (i > 0 && out[i] <= out[i - 1])
			return policy_fail(e, TIER_POLICY_NOT_ASCENDING,
							   "List the points each tier needs from the lowest tier up.");
	}
	p->thresholds = out;
	p->nthresholds = n;
	return TIER_POLICY_OK;
}

TierPolicyStatus
tier_policy_names(const TierPolicy *p, int nnames, TierPolicyError *e)
{
	memset(e, 0, sizeof(*e));
	if (nnames >= 0 && nnames != p->nthresholds)
	{
		e->nthresholds = p->nthresholds;
		e->nnames = nnames;
		return policy_fail(e, TIER_POLICY_NAMES_COUNT, NULL);
	}
	return TIER_POLICY_OK;
}

TierPolicyStatus
tier_policy_period(const char *word, TierPolicy *p, TierPolicyError *e)
{
	memset(e, 0, sizeof(*e));
	if (strcmp(word, "lifetime") == 0)
		p->period = TIER_LIFETIME;
	else if (strcmp(word, "calendar_year") == 0)
		p->period = TIER_CALENDAR_YEAR;
	else if (strcmp(word, "rolling") == 0)
		p->period = TIER_ROLLING;
	else
	{
		e->period = word;
		return policy_fail(e, TIER_POLICY_UNKNOWN_PERIOD,
						   "Accepted periods: \"lifetime\", \"calendar_year\", \"rolling\".");
	}
	return TIER_POLICY_OK;
}

TierPolicyStatus
tier_policy_window(const TierPolicy *p, const int *window_sign, const int *hold_sign,
				   int *uses_hold, TierPolicyError *e)
{
	memset(e, 0, sizeof(*e));
	*uses_hold = 0;
	if (p->period != TIER_ROLLING)
	{
		if (window_sign || hold_sign)
			return policy_fail(e, TIER_POLICY_WINDOW_NOT_ROLLING, NULL);
		return TIER_POLICY_OK;
	}
	if (window_sign == NULL)
		return policy_fail(e, TIER_POLICY_ROLLING_NEEDS_WINDOW, NULL);
	if (*window_sign <= 0)
		return policy_fail(e, TIER_POLICY_WINDOW_NOT_POSITIVE, NULL);
	if (hold_sign && *hold_sign < 0)
		return policy_fail(e, TIER_POLICY_HOLD_NEGATIVE, NULL);
	*uses_hold = hold_sign && *hold_sign > 0;
	return TIER_POLICY_OK;
}

size_t
tier_policy_message(const TierPolicyError *e, char *buf, size_t cap)
{
	const char *m;
	int			len;

	switch (e->status)
	{
		case TIER_POLICY_NO_THRESHOLDS:
			m = "\"thresholds\" is required: a non-empty array of the points each tier needs, ascending";
			break;
		case TIER_POLICY_NOT_ASCENDING:
			m = "\"thresholds\" must be strictly ascending";
			break;
		case TIER_POLICY_NAMES_COUNT:
			len = snprintf(buf, cap, "\"names\" must have one name per threshold: %d thresholds, %d names",
						   e->nthresholds, e->nnames);
			return (size_t) len;
		case TIER_POLICY_UNKNOWN_PERIOD:
			len = snprintf(buf, cap, "unknown \"period\" \"%s\"", e->period);
			return (size_t) len;
		case TIER_POLICY_WINDOW_NOT_ROLLING:
			m = "\"window\" and \"hold\" apply only to \"period\": \"rolling\"";
			break;
		case TIER_POLICY_ROLLING_NEEDS_WINDOW:
			m = "\"period\": \"rolling\" requires \"window\", an interval such as \"365 days\"";
			break;
		case TIER_POLICY_WINDOW_NOT_POSITIVE:
			m = "\"window\" must be a positive interval";
			break;
		case TIER_POLICY_HOLD_NEGATIVE:
			m = "\"hold\" must not be negative";
			break;
		default:
			m = "";
			break;
	}
	len = snprintf(buf, cap, "%s", m);
	return (size_t) len;
}
