/*
 * tiers_fmgr.c — tier_rank, tier_name, points_to_next_tier and tier_timeline.
 *
 * The scalar functions compare numerics directly (any precision); the
 * timeline converts to exact scaled points and runs the plain-C walk
 * (tiers.c), doing here the calendar arithmetic that depends on the session
 * time zone: year starts with date_trunc('year', ...), window ends and hold
 * deadlines with timestamptz + interval.
 */
#include "loyalty/loyalty_fmgr.h"

#include "catalog/pg_type.h"
#include "base/radix_sort.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "access/xact.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/timestamp.h"

/* The elements of a 1-D array without NULLs; what names it in errors. */
static Datum *
array_elems(ArrayType *a, Oid elemtype, const char *what, int *n)
{
	int16		typlen;
	bool		typbyval;
	char		typalign;
	Datum	   *elems;
	bool	   *nulls;

	if (ARR_NDIM(a) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be a one-dimensional array", what)));
	if (array_contains_nulls(a))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must not contain NULL", what)));
	get_typlenbyvalalign(elemtype, &typlen, &typbyval, &typalign);
	deconstruct_array(a, elemtype, typlen, typbyval, typalign, &elems, &nulls, n);
	return elems;
}

static int
numcmp(Datum a, Datum b)
{
	return DatumGetInt32(DirectFunctionCall2(numeric_cmp, a, b));
}

static Datum *
thresholds_of(ArrayType *a, int *n)
{
	Datum	   *t = array_elems(a, NUMERICOID, "thresholds", n);

	for (int i = 0; i < *n; i++)
	{
		if (numeric_is_nan(DatumGetNumeric(t[i])))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("thresholds must be numbers, not NaN")));
		if (i > 0 && numcmp(t[i - 1], t[i]) >= 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("thresholds must be strictly ascending"),
					 errdetail("Threshold %d (%s) is not above threshold %d (%s).", i + 1,
							   DatumGetCString(DirectFunctionCall1(numeric_out, t[i])), i,
							   DatumGetCString(DirectFunctionCall1(numeric_out, t[i - 1]))),
					 errhint("List the points each tier needs from the lowest tier up, e.g. '{1000,3000,6000}'.")));
	}
	return t;
}

static int
rank_of(Datum points, Datum *t, int n)
{
	int			r = 0;

	while (r < n && numcmp(t[r], points) <= 0)
		r++;
	return r;
}

PG_FUNCTION_INFO_V1(tier_rank);
Datum
tier_rank(PG_FUNCTION_ARGS)
{
	int			n;
	Datum	   *t = thresholds_of(PG_GETARG_ARRAYTYPE_P(1), &n);

	PG_RETURN_INT32(rank_of(PG_GETARG_DATUM(0), t, n));
}

PG_FUNCTION_INFO_V1(tier_name);
Datum
tier_name(PG_FUNCTION_ARGS)
{
	int			n,
				nn,
				r;
	Datum	   *t = thresholds_of(PG_GETARG_ARRAYTYPE_P(1), &n);
	Datum	   *names = array_elems(PG_GETARG_ARRAYTYPE_P(2), TEXTOID, "names", &nn);

	if (nn != n)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("names must have one name per threshold: %d thresholds, %d names", n, nn)));
	r = rank_of(PG_GETARG_DATUM(0), t, n);
	if (r == 0)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(names[r - 1]);
}

PG_FUNCTION_INFO_V1(points_to_next_tier);
Datum
points_to_next_tier(PG_FUNCTION_ARGS)
{
	int			n,
				r;
	Datum	   *t = thresholds_of(PG_GETARG_ARRAYTYPE_P(1), &n);

	r = rank_of(PG_GETARG_DATUM(0), t, n);
	if (r == n)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(DirectFunctionCall2(numeric_sub, t[r], PG_GETARG_DATUM(0)));
}

/* ---- tier_timeline ---- */

#define POLICY "policy"

static const char *const policy_keys[] = {"thresholds", "names", "period", "window", "hold", "as_of", NULL};

static void
check_interrupts(void)
{
	CHECK_FOR_INTERRUPTS();
}

static int64
add_interval(int64 t, void *iv)
{
	return DatumGetTimestampTz(DirectFunctionCall2(timestamptz_pl_interval,
												   TimestampTzGetDatum(t), PointerGetDatum(iv)));
}

static int64
year_start(int64 t)
{
	return DatumGetTimestampTz(DirectFunctionCall2(timestamptz_trunc,
												   CStringGetTextDatum("year"),
												   TimestampTzGetDatum(t)));
}

static int
interval_sign(Interval *iv)
{
	Interval	zero = {0};

	return DatumGetInt32(DirectFunctionCall2(interval_cmp, PointerGetDatum(iv), PointerGetDatum(&zero)));
}

/* Raises a policy problem found by the core (tiers.c) as "invalid policy: ..." (22023). */
static void
policy_error(const TierPolicyError *e)
{
	size_t		len = tier_policy_message(e, NULL, 0);
	char	   *msg = palloc(len + 1);

	tier_policy_message(e, msg, len + 1);
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid policy: %s", msg),
			 e->hint ? errhint("%s", e->hint) : 0));
}

PG_FUNCTION_INFO_V1(tier_timeline);
Datum
tier_timeline(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Jsonb	   *policy = PG_GETARG_JSONB_P(2);
	JsonbContainer *c = &policy->root;
	TierPolicy	p = {0};
	Numeric    *tn;
	int			nt,
				nnames = 0;
	char	  **names;
	char	  **tstr;
	TierPolicyError perr;
	Interval   *window,
			   *hold;
	int			window_sign = 0,
				hold_sign = 0,
				uses_hold;
	TimestampTz as_of;
	Datum	   *tsv,
			   *ptv;
	bool	   *tsnull,
			   *ptnull;
	int			nts,
				npt;
	TierPoint  *pts;
	size_t		n = 0,
				nrows;
	int64	   *thresholds;
	int64	   *years = NULL;
	TierRow    *rows;

	/*
	 * the policy first: a bad policy is an error even for a member with no
	 * events.  The glue reads the keys; the core checks them.
	 */
	opt_check_object(policy, POLICY, policy_keys);
	tn = opt_numeric_array(c, POLICY, "thresholds", &nt);
	tstr = palloc(Max(nt, 1) * sizeof(char *));
	for (int i = 0; i < nt; i++)
		tstr[i] = DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(tn[i])));
	thresholds = palloc(Max(nt, 1) * sizeof(int64));
	switch (tier_policy_thresholds((const char *const *) tstr, nt, thresholds, &p, &perr))
	{
		case TIER_POLICY_OK:
			break;
		case TIER_POLICY_THRESHOLD:
			loyalty_decimal_error(perr.ledger, tstr[perr.index], "policy threshold");
			break;
		default:
			policy_error(&perr);
	}
	names = opt_text_array(c, POLICY, "names", &nnames);
	if (tier_policy_names(&p, names ? nnames : -1, &perr) != TIER_POLICY_OK)
		policy_error(&perr);
	if (tier_policy_period(opt_text(c, POLICY, "period", "lifetime"), &p, &perr) != TIER_POLICY_OK)
		policy_error(&perr);
	window = opt_interval(c, POLICY, "window");
	hold = opt_interval(c, POLICY, "hold");
	if (window)
		window_sign = interval_sign(window);
	if (hold)
		hold_sign = interval_sign(hold);
	if (tier_policy_window(&p, window ? &window_sign : NULL, hold ? &hold_sign : NULL,
						   &uses_hold, &perr) != TIER_POLICY_OK)
		policy_error(&perr);
	if (uses_hold)
	{
		p.add_hold = add_interval;
		p.hold_arg = hold;
	}
	if (!opt_timestamptz(c, POLICY, "as_of", &as_of))
		as_of = GetCurrentTransactionStartTimestamp();
	p.as_of = as_of;

	/* the events, NULL pairs skipped */
	deconstruct_array(PG_GETARG_ARRAYTYPE_P(0), TIMESTAMPTZOID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE,
					  &tsv, &tsnull, &nts);
	deconstruct_array(PG_GETARG_ARRAYTYPE_P(1), NUMERICOID, -1, false, TYPALIGN_INT,
					  &ptv, &ptnull, &npt);
	if (nts != npt)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("tier_timeline: ts and points must have the same length, not %d and %d", nts, npt)));
	pts = palloc_extended(Max(nts, 1) * sizeof(TierPoint), MCXT_ALLOC_HUGE);
	for (int i = 0; i < nts; i++)
	{
		TierPoint  *q = &pts[n];

		if ((i & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		if (tsnull[i] || ptnull[i])
			continue;
		q->ts = DatumGetTimestampTz(tsv[i]);
		if (TIMESTAMP_NOT_FINITE(q->ts))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("tier_timeline: event times must be finite")));
		q->points = loyalty_numeric_to_scaled(DatumGetNumeric(ptv[i]), "tier_timeline: points");
		if (q->points < 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("tier_timeline: qualifying points must not be negative"),
					 errhint("Qualifying points are never reduced by redemptions; pass earnings only.")));
		if (p.period == TIER_ROLLING)
			q->leave = add_interval(q->ts, window);
		n++;
	}
	/* by time, stably, with cancel checks (qsort of 100 million points has none) */
	{
		TierPoint  *tmp = palloc_extended(Max(n, 1) * sizeof(TierPoint), MCXT_ALLOC_HUGE);
		TierPoint  *sorted = radix_sort(pts, tmp, n, sizeof(TierPoint), RS_INT64, check_interrupts);

		if (sorted != pts)
			memcpy(pts, sorted, n * sizeof(TierPoint));
		pfree(tmp);
	}

	if (p.period == TIER_CALENDAR_YEAR && n > 0)
	{
		/* the year starts after the first event, up to as_of */
		size_t		cap = 8;
		Interval	one_year = {0, 0, 12};
		int64		b = year_start(pts[0].ts);

		years = palloc(cap * sizeof(int64));
		for (;;)
		{
			CHECK_FOR_INTERRUPTS();
			b = year_start(add_interval(b, &one_year));
			if (b > as_of)
				break;
			if (p.nyear_starts == cap)
			{
				cap *= 2;
				years = repalloc_huge(years, cap * sizeof(int64));
			}
			years[p.nyear_starts++] = b;
		}
		p.year_starts = years;
	}

	rows = palloc_extended(tier_walk_max_rows(n, &p) * sizeof(TierRow), MCXT_ALLOC_HUGE);
	if (tier_walk(pts, n, &p, p.period == TIER_ROLLING ? palloc_extended(Max(n, 1) * sizeof(TierPoint), MCXT_ALLOC_HUGE) : NULL,
					  rows, &nrows) != 0)
		loyalty_overflow_error("a qualifying points total");

	persona_srf_begin(fcinfo, NULL);
	for (size_t i = 0; i < nrows; i++)
	{
		Datum		v[4];
		bool		nulls[4] = {false, false, false, false};

		if ((i & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		v[0] = Int32GetDatum(rows[i].tier);
		if (rows[i].tier == 0 || names == NULL)
			nulls[1] = true;
		else
			v[1] = CStringGetTextDatum(names[rows[i].tier - 1]);
		v[2] = TimestampTzGetDatum(rows[i].from);
		if (i + 1 < nrows)
			v[3] = TimestampTzGetDatum(rows[i + 1].from);
		else
			nulls[3] = true;
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, v, nulls);
	}
	return (Datum) 0;
}
