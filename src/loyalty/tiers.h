/*
 * tiers.h — tier ranks and tier timelines in plain C, on exact scaled points
 * (see ledger.h for the scale).  Calendar arithmetic (year starts, window
 * ends, hold deadlines) depends on the session time zone, so the caller does
 * it and hands the results in: year starts as a list, window ends per event,
 * hold deadlines through a callback.
 */
#ifndef PERSONA_TIERS_H
#define PERSONA_TIERS_H

#include <stddef.h>
#include <stdint.h>

typedef enum TierPeriod
{
	TIER_LIFETIME,
	TIER_CALENDAR_YEAR,
	TIER_ROLLING
} TierPeriod;

/* A qualifying-points event; `leave` (rolling only) is ts + window. */
typedef struct TierPoint
{
	int64_t		ts;
	int64_t		points;
	int64_t		leave;
} TierPoint;

typedef struct TierPolicy
{
	TierPeriod	period;
	const int64_t *thresholds;	/* strictly ascending */
	int			nthresholds;
	int64_t		as_of;
	/* calendar_year: the year starts after the first event's time, up to as_of */
	const int64_t *year_starts;
	size_t		nyear_starts;
	/* rolling: t + hold; NULL when hold is zero */
	int64_t		(*add_hold) (int64_t t, void *arg);
	void	   *hold_arg;
} TierPolicy;

/* A timeline row: `tier` from `from` until the next row's `from` (or as_of). */
typedef struct TierRow
{
	int			tier;
	int64_t		from;
} TierRow;

/* How many thresholds are <= points. */
extern int	tier_rank_of(int64_t points, const int64_t *thresholds, int n);

/* Rows `tier_walk` can write at most for n events. */
extern size_t tier_walk_max_rows(size_t n, const TierPolicy *p);

/*
 * The timeline of events `pts` (sorted by ts; rolling also needs `scratch`,
 * room for n points).  Returns 0, or -1 when a points sum overflows int64.
 */
extern int	tier_walk(const TierPoint *pts, size_t n, const TierPolicy *p,
						  TierPoint *scratch, TierRow *rows, size_t *nrows);

#endif
