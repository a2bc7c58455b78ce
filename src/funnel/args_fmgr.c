/*
 * args_fmgr.c — arguments of the events aggregates: conditions, window,
 * mode, and the parameters each row repeats.
 */
#include "funnel/funnel_fmgr.h"
#include "funnel/steps.h"

#include "catalog/pg_type.h"
#include "common/int.h"
#include "nodes/primnodes.h"
#include "nodes/pg_list.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/array.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

/*
 * How a transition function was declared, learnt once per call site, and what
 * it needs per row:
 *   EV_ARRAY   conditions as a VARIADIC boolean[] (read in place);
 *   EV_FIXED   the overloads for 1 to 8 conditions as separate booleans, which
 *              spare building an array per row;
 *   EV_STEPS   (event text, steps text[]): condition i is event = steps[i],
 *              one expression per row, matched here against a table built
 *              once from the steps (steps.h);
 *   EV_PERIOD  (ts, origin, period, periods) of retention: condition i is
 *              origin + (i-1)*period <= ts < origin + i*period, with the
 *              boundaries computed once by PostgreSQL's own arithmetic.
 */
typedef enum EvForm
{
	EV_ARRAY,
	EV_FIXED,
	EV_STEPS,
	EV_PERIOD
} EvForm;

typedef struct EvLayout
{
	EvForm		form;
	int8		has_mode;		/* -1 until asked */
	/* EV_STEPS: the steps array as last parsed (a copy), and its table */
	bool		steps_stable;	/* a constant: parsed once */
	char	   *steps_raw;
	Size		steps_rawlen;
	ev_steps	steps;
	/* EV_PERIOD: the parameters as last seen, and the periods + 1 boundaries */
	bool		period_set;
	bool		period_stable;	/* origin, period and periods are constants: read once */
	TimestampTz origin;
	Interval	period;
	int32		periods;
	TimestampTz bound[EV_MAX_CONDS + 1];
} EvLayout;

/*
 * Whether the aggregate's last k arguments are constants.  A transition
 * function's fn_expr shows its arguments as PARAM_EXEC Params, so
 * get_fn_expr_arg_stable always says no there: the Aggref tells.
 */
static bool
ev_last_args_const(FunctionCallInfo fcinfo, int k)
{
	Aggref	   *aggref = AggGetAggref(fcinfo);
	ListCell   *lc;
	int			nargs = 0,
				i = 0;

	if (aggref == NULL)
		return false;
	/* the arguments proper: ORDER BY keys follow them as resjunk entries */
	foreach(lc, aggref->args)
		if (!lfirst_node(TargetEntry, lc)->resjunk)
			nargs++;
	if (nargs < k)
		return false;
	foreach(lc, aggref->args)
	{
		TargetEntry *tle = lfirst_node(TargetEntry, lc);

		if (tle->resjunk)
			continue;
		if (i++ >= nargs - k && !IsA(tle->expr, Const))
			return false;
	}
	return true;
}

static pg_attribute_always_inline EvLayout *
ev_layout(FunctionCallInfo fcinfo, int modearg)
{
	EvLayout   *l = (EvLayout *) fcinfo->flinfo->fn_extra;

	if (l == NULL)
	{
		Oid			last = get_fn_expr_argtype(fcinfo->flinfo, PG_NARGS() - 1);

		l = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(EvLayout));
		l->form = last == BOOLOID ? EV_FIXED :
			last == TEXTARRAYOID ? EV_STEPS :
			last == INT4OID ? EV_PERIOD : EV_ARRAY;
		if (l->form == EV_STEPS)
			l->steps_stable = ev_last_args_const(fcinfo, 1);
		/* origin, period, periods */
		if (l->form == EV_PERIOD)
			l->period_stable = ev_last_args_const(fcinfo, 3);
		l->has_mode = -1;
		fcinfo->flinfo->fn_extra = l;
	}
	if (modearg >= 0 && l->has_mode < 0)
		l->has_mode = get_fn_expr_argtype(fcinfo->flinfo, modearg) == TEXTOID;
	return l;
}

bool
ev_has_mode(FunctionCallInfo fcinfo, int modearg)
{
	return ev_layout(fcinfo, modearg)->has_mode > 0;
}

static void
ev_check_nconds(int n, const char *what)
{
	if (n == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("at least one %s is required", what),
				 errhint("Pass 1 to %d %ss, one per step.", EV_MAX_CONDS, what)));
	if (n > EV_MAX_CONDS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("too many %ss: %d", what, n),
				 errdetail("At most %d are accepted.", EV_MAX_CONDS)));
}

/*
 * (Re)build the step table from the steps array.  The array's bytes are kept
 * so that a non-constant steps argument is re-parsed only when it changes; the
 * names point into that copy.
 */
static void
ev_parse_steps(EvLayout *l, MemoryContext cxt, ArrayType *a)
{
	Datum	   *d;
	bool	   *nulls;
	int			n,
				i;
	const char *s[EV_MAX_CONDS];
	uint32		len[EV_MAX_CONDS];
	ArrayType  *copy;

	if (ARR_NDIM(a) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("steps must be a one-dimensional text array")));
	n = ARR_NDIM(a) == 0 ? 0 : ARR_DIMS(a)[0];
	ev_check_nconds(n, "step");
	if (l->steps_raw)
		pfree(l->steps_raw);
	l->steps_rawlen = VARSIZE(a);
	l->steps_raw = MemoryContextAlloc(cxt, l->steps_rawlen);
	memcpy(l->steps_raw, a, l->steps_rawlen);
	copy = (ArrayType *) l->steps_raw;
	deconstruct_array(copy, TEXTOID, -1, false, TYPALIGN_INT, &d, &nulls, &n);
	for (i = 0; i < n; i++)
	{
		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("step %d is NULL", i + 1),
					 errhint("Steps are event names: non-NULL text.")));
		/* elements of a flat array are never compressed or external */
		s[i] = VARDATA_ANY(DatumGetPointer(d[i]));
		len[i] = VARSIZE_ANY_EXHDR(DatumGetPointer(d[i]));
	}
	ev_steps_init(&l->steps, n, s, len);
	pfree(d);
	pfree(nulls);
}

static uint32
ev_read_steps(FunctionCallInfo fcinfo, EvLayout *l, int argno, int *nconds)
{
	text	   *ev;

	if (PG_ARGISNULL(argno + 1))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("steps must not be NULL"),
				 errhint("Pass the event names of the steps, as ARRAY['exposure', 'click'].")));
	if (!l->steps_stable || l->steps_raw == NULL)
	{
		ArrayType  *a = DatumGetArrayTypeP(PG_GETARG_DATUM(argno + 1));

		if (l->steps_raw == NULL || VARSIZE(a) != l->steps_rawlen ||
			memcmp(a, l->steps_raw, l->steps_rawlen) != 0)
			ev_parse_steps(l, fcinfo->flinfo->fn_mcxt, a);
	}
	*nconds = l->steps.nsteps;
	if (PG_ARGISNULL(argno))
		return 0;
	ev = PG_GETARG_TEXT_PP(argno);
	return ev_steps_match(&l->steps, VARDATA_ANY(ev), VARSIZE_ANY_EXHDR(ev));
}

/*
 * The period boundaries origin + k*period, k = 0 .. periods, computed as
 * PostgreSQL computes `origin + k * period` (months, then days in the session
 * time zone, then time), so the conditions are exactly those of the boolean
 * form; they must increase strictly.
 */
static void
ev_set_period(EvLayout *l, TimestampTz origin, Interval *period, int32 periods)
{
	int			k;

	if (periods < 1 || periods > EV_MAX_CONDS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("periods must be between 1 and %d, not %d", EV_MAX_CONDS, periods)));
	if (period->month <= 0 && period->day <= 0 && period->time <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("period must be positive"),
				 errdetail("Period: %s.", DatumGetCString(DirectFunctionCall1(interval_out, IntervalPGetDatum(period))))));
	for (k = 0; k <= periods; k++)
	{
		Datum		step = DirectFunctionCall2(interval_mul, IntervalPGetDatum(period), Float8GetDatum((float8) k));

		l->bound[k] = DatumGetTimestampTz(DirectFunctionCall2(timestamptz_pl_interval,
															  TimestampTzGetDatum(origin), step));
		if (k > 0 && l->bound[k] <= l->bound[k - 1])
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("period must be positive: origin + %d * period is not after origin + %d * period", k, k - 1),
					 errdetail("Period: %s.", DatumGetCString(DirectFunctionCall1(interval_out, IntervalPGetDatum(period))))));
	}
	l->origin = origin;
	l->period = *period;
	l->periods = periods;
	l->period_set = true;
}

static uint32
ev_read_period(FunctionCallInfo fcinfo, EvLayout *l, int argno, int *nconds)
{
	TimestampTz origin,
				ts;
	Interval   *period;
	int32		periods;
	int			lo,
				hi;

	/*
	 * Constant parameters (the usual case) are read and checked with the
	 * first row only: per row they were three arguments, a 16-byte compare
	 * and three branches, for 12 million rows in the benchmark.
	 */
	if (!l->period_stable || !l->period_set)
	{
		if (PG_ARGISNULL(argno + 1) || PG_ARGISNULL(argno + 2) || PG_ARGISNULL(argno + 3))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("origin, period and periods must not be NULL")));
		origin = PG_GETARG_TIMESTAMPTZ(argno + 1);
		period = PG_GETARG_INTERVAL_P(argno + 2);
		periods = PG_GETARG_INT32(argno + 3);
		if (!l->period_set || origin != l->origin || periods != l->periods ||
			memcmp(period, &l->period, sizeof(Interval)) != 0)
			ev_set_period(l, origin, period, periods);
	}
	periods = l->periods;
	*nconds = periods;
	if (PG_ARGISNULL(argno))
		return 0;
	ts = PG_GETARG_TIMESTAMPTZ(argno);
	if (ts < l->bound[0] || ts >= l->bound[periods])
		return 0;
	/*
	 * the period i with bound[i] <= ts < bound[i + 1]: the number of inner
	 * boundaries at or before ts, counted without branches (independent
	 * compares, no dependent loads as in a binary search)
	 */
	lo = 0;
	for (hi = 1; hi < periods; hi++)
		lo += ts >= l->bound[hi];
	return (uint32) 1 << lo;
}

/*
 * The VARIADIC array is read in place: its bools are contiguous after the
 * header, so no deconstruct_array and no allocation per row.
 */
bool
ev_read_conds(FunctionCallInfo fcinfo, int argno, int *nconds, uint32 *mask)
{
	EvLayout   *l = ev_layout(fcinfo, -1);
	ArrayType  *a;
	int			n;
	const char *d;
	const bits8 *nulls;
	uint32		m = 0;
	int			i;

	switch (l->form)
	{
		case EV_FIXED:
			n = PG_NARGS() - argno;
			for (i = 0; i < n; i++)
				if (!PG_ARGISNULL(argno + i) && PG_GETARG_BOOL(argno + i))
					m |= (uint32) 1 << i;
			*nconds = n;
			*mask = m;
			return true;
		case EV_STEPS:
			*mask = ev_read_steps(fcinfo, l, argno, nconds);
			return true;
		case EV_PERIOD:
			*mask = ev_read_period(fcinfo, l, argno, nconds);
			return true;
		case EV_ARRAY:
			break;
	}
	if (PG_ARGISNULL(argno))
		return false;
	a = DatumGetArrayTypeP(PG_GETARG_DATUM(argno));
	if (ARR_NDIM(a) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("conditions must be a one-dimensional boolean array")));
	n = ARR_NDIM(a) == 0 ? 0 : ARR_DIMS(a)[0];
	ev_check_nconds(n, "condition");
	d = ARR_DATA_PTR(a);
	nulls = ARR_NULLBITMAP(a);
	if (nulls == NULL)
	{
		for (i = 0; i < n; i++)
			m |= (uint32) (d[i] != 0) << i;
	}
	else
	{
		for (i = 0; i < n; i++)
			if (nulls[i >> 3] & (1 << (i & 7)))
				m |= (uint32) (*d++ != 0) << i;
	}
	*nconds = n;
	*mask = m;
	return true;
}

int64
ev_read_window(FunctionCallInfo fcinfo, int argno)
{
	Interval   *w;
	int64		us;

	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("window must not be NULL")));
	w = PG_GETARG_INTERVAL_P(argno);
	if (pg_mul_s64_overflow((int64) w->month * DAYS_PER_MONTH + w->day, USECS_PER_DAY, &us) ||
		pg_add_s64_overflow(us, w->time, &us))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("window out of range")));
	if (us < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("window must not be negative"),
				 errdetail("Window: %s.", DatumGetCString(DirectFunctionCall1(interval_out, IntervalPGetDatum(w))))));
	return us;
}

int
ev_parse_mode(text *mode)
{
	int			flags,
				pos;

	if (funnel_parse_mode(VARDATA_ANY(mode), VARSIZE_ANY_EXHDR(mode), &flags, &pos) < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown window_funnel mode at character %d: \"%s\"", pos, text_to_cstring(mode)),
				 errhint("The mode is '' or a comma-separated set of: %s.", FUNNEL_MODE_WORDS)));
	return flags;
}

void
ev_params_row(EvParams *p, MemoryContext cxt, int nconds, int64 window, text *t, const char *what)
{
	if (p->nconds == 0)
	{
		p->nconds = nconds;
		p->window = window;
		if (t)
		{
			p->textlen = VARSIZE_ANY_EXHDR(t);
			p->text = MemoryContextAlloc(cxt, p->textlen + 1);
			memcpy(p->text, VARDATA_ANY(t), p->textlen);
			p->text[p->textlen] = '\0';
		}
		return;
	}
	if (unlikely(nconds != p->nconds))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: every row must pass the same number of conditions (%d, then %d)", what, p->nconds, nconds)));
	if (unlikely(window != p->window))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: the window must be the same on every row of a group", what)));
	if (t && unlikely((int) VARSIZE_ANY_EXHDR(t) != p->textlen ||
					  memcmp(VARDATA_ANY(t), p->text, p->textlen) != 0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: the %s must be the same on every row of a group", what,
						strcmp(what, "sequence_match") == 0 || strcmp(what, "sequence_count") == 0 ? "pattern" : "mode")));
}

void
ev_params_same(const EvParams *a, const EvParams *b, const char *what)
{
	if (a->nconds != b->nconds || a->window != b->window || a->flags != b->flags ||
		a->textlen != b->textlen || (a->textlen && memcmp(a->text, b->text, a->textlen) != 0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: partial states with different parameters cannot be combined", what)));
}

void
ev_run_grow(EvRun *r, MemoryContext cxt, Size need)
{
	Size		cap = r->cap ? r->cap : 8;

	if (need <= r->cap)
		return;
	while (cap < need)
		cap *= 2;
	if (cap * sizeof(ev_event) > MaxAllocHugeSize)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("too many events in one group (%zu)", need)));
	if (!r->heap)
	{
		ev_event   *ev = MemoryContextAllocHuge(cxt, cap * sizeof(ev_event));

		if (r->n)
			memcpy(ev, r->ev, r->n * sizeof(ev_event));
		r->ev = ev;
		r->heap = true;
	}
	else
		r->ev = repalloc_huge(r->ev, cap * sizeof(ev_event));
	r->cap = cap;
}

void
ev_take(byte_reader *b, void *dst, Size n)
{
	if (!br_bytes(b, dst, n))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("truncated events aggregate state")));
}

void
ev_write_params(StringInfo s, const EvParams *p)
{
	appendBinaryStringInfo(s, (const char *) &p->nconds, sizeof(int));
	appendBinaryStringInfo(s, (const char *) &p->flags, sizeof(int));
	appendBinaryStringInfo(s, (const char *) &p->window, sizeof(int64));
	appendBinaryStringInfo(s, (const char *) &p->textlen, sizeof(int));
	appendBinaryStringInfo(s, p->text ? p->text : "", p->textlen);
}

void
ev_read_params(byte_reader *b, EvParams *p, MemoryContext cxt)
{
	ev_take(b, &p->nconds, sizeof(int));
	ev_take(b, &p->flags, sizeof(int));
	ev_take(b, &p->window, sizeof(int64));
	ev_take(b, &p->textlen, sizeof(int));
	if (p->textlen < 0 || p->nconds < 0 || p->nconds > EV_MAX_CONDS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("corrupt events aggregate state")));
	p->text = NULL;
	if (p->textlen == 0)
		return;
	p->text = MemoryContextAlloc(cxt, p->textlen + 1);
	ev_take(b, p->text, p->textlen);
	p->text[p->textlen] = '\0';
}

ArrayType *
ev_int8_array(const int64 *v, int n)
{
	Datum		d[EV_MAX_CONDS];

	for (int i = 0; i < n; i++)
		d[i] = Int64GetDatum(v[i]);
	return construct_array(d, n, INT8OID, sizeof(int64), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE);
}
