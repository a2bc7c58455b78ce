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

/*
 * ---- the policy of tier_timeline, validated here ----
 *
 * The glue reads the jsonb into plain values and the checks live here, where
 * a unit test reaches every one of them.  Validation runs in two steps
 * because the glue parses "window" and "hold" (intervals) only after the
 * period is known to be valid.  Every status but TIER_POLICY_THRESHOLD is an
 * "invalid policy: <message>" error (22023) with the hint given;
 * TIER_POLICY_THRESHOLD is a threshold that is not an exact amount of points
 * (`ledger` says how: LEDGER_PRECISION, LEDGER_SYNTAX or LEDGER_OVERFLOW),
 * which the glue reports as it reports any other amount.
 */
typedef enum TierPolicyStatus
{
	TIER_POLICY_OK = 0,
	TIER_POLICY_THRESHOLD,
	TIER_POLICY_NO_THRESHOLDS,
	TIER_POLICY_NOT_ASCENDING,
	TIER_POLICY_NAMES_COUNT,
	TIER_POLICY_UNKNOWN_PERIOD,
	TIER_POLICY_WINDOW_NOT_ROLLING,
	TIER_POLICY_ROLLING_NEEDS_WINDOW,
	TIER_POLICY_WINDOW_NOT_POSITIVE,
	TIER_POLICY_HOLD_NEGATIVE
} TierPolicyStatus;

typedef struct TierPolicyError
{
	TierPolicyStatus status;
	int			index;			/* TIER_POLICY_THRESHOLD: which threshold */
	int			ledger;			/* TIER_POLICY_THRESHOLD: its LedgerStatus */
	int			nthresholds;	/* TIER_POLICY_NAMES_COUNT */
	int			nnames;
	const char *period;			/* TIER_POLICY_UNKNOWN_PERIOD: the word given */
	const char *hint;			/* static text, or NULL */
} TierPolicyError;

/*
 * The checks in the order of the keys (each key is read by the glue just
 * before its check, so a policy wrong in two ways reports the same first
 * problem as ever).
 *
 * The thresholds, each given as decimal text: exact scaled points into
 * `out` (room for n), non-empty and strictly ascending; sets p->thresholds
 * and p->nthresholds.
 */
extern TierPolicyStatus tier_policy_thresholds(const char *const *text, int n, int64_t *out,
											   TierPolicy *p, TierPolicyError *e);
/* "names": one per threshold (nnames -1: no names). */
extern TierPolicyStatus tier_policy_names(const TierPolicy *p, int nnames, TierPolicyError *e);
/* "period" ("lifetime" when absent): sets p->period. */
extern TierPolicyStatus tier_policy_period(const char *word, TierPolicy *p, TierPolicyError *e);
/*
 * "window" and "hold", given by the sign of each interval (NULL when the
 * key is absent).  *uses_hold: the walk needs add_hold (rolling with a
 * positive hold).
 */
extern TierPolicyStatus tier_policy_window(const TierPolicy *p, const int *window_sign,
										   const int *hold_sign, int *uses_hold, TierPolicyError *e);

/*
 * The message of a status other than TIER_POLICY_OK / TIER_POLICY_THRESHOLD
 * (without the "invalid policy: " prefix), snprintf-style: writes at most
 * cap bytes and returns the length it needs.
 */
extern size_t tier_policy_message(const TierPolicyError *e, char *buf, size_t cap);

#endif
