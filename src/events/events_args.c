/*
 * events_args.c — arguments of the events aggregates: conditions, window,
 * mode, and the parameters each row repeats.
 */
#include "events_glue.h"

#include "catalog/pg_type.h"
#include "common/int.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/array.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

/*
 * How a transition function was declared, learnt once per call site: the
 * conditions as a VARIADIC array or (the overloads for 1 to 8 conditions) as
 * separate boolean arguments, which spares building an array per row.
 */
typedef struct EvLayout
{
	bool		fixed;
	int8		has_mode;		/* -1 until asked */
} EvLayout;

static EvLayout *
ev_layout(FunctionCallInfo fcinfo, int modearg)
{
	EvLayout   *l = (EvLayout *) fcinfo->flinfo->fn_extra;

	if (l == NULL)
	{
		l = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, sizeof(EvLayout));
		l->fixed = get_fn_expr_argtype(fcinfo->flinfo, PG_NARGS() - 1) == BOOLOID;
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
ev_check_nconds(int n)
{
	if (n == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("at least one condition is required"),
				 errhint("Pass 1 to 32 boolean conditions, one per step.")));
	if (n > EV_MAX_CONDS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("too many conditions: %d", n),
				 errdetail("At most %d conditions are accepted.", EV_MAX_CONDS)));
}

/*
 * The VARIADIC array is read in place: its bools are contiguous after the
 * header, so no deconstruct_array and no allocation per row.
 */
bool
ev_read_conds(FunctionCallInfo fcinfo, int argno, int *nconds, uint32 *mask)
{
	ArrayType  *a;
	int			n;
	const char *d;
	const bits8 *nulls;
	uint32		m = 0;
	int			i;

	if (ev_layout(fcinfo, -1)->fixed)
	{
		n = PG_NARGS() - argno;
		for (i = 0; i < n; i++)
			if (!PG_ARGISNULL(argno + i) && PG_GETARG_BOOL(argno + i))
				m |= (uint32) 1 << i;
		*nconds = n;
		*mask = m;
		return true;
	}
	if (PG_ARGISNULL(argno))
		return false;
	a = DatumGetArrayTypeP(PG_GETARG_DATUM(argno));
	if (ARR_NDIM(a) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("conditions must be a one-dimensional boolean array")));
	n = ARR_NDIM(a) == 0 ? 0 : ARR_DIMS(a)[0];
	ev_check_nconds(n);
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
ev_take(EvBuf *b, void *dst, Size n)
{
	if ((Size) (b->end - b->p) < n)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("truncated events aggregate state")));
	memcpy(dst, b->p, n);
	b->p += n;
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
ev_read_params(EvBuf *b, EvParams *p, MemoryContext cxt)
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
