/*
 * funnel_agg.c — the per-user aggregates: window_funnel, window_funnel_path,
 * sequence_match and sequence_count.
 *
 * The state is the group's event run, 16 bytes per event that matches some
 * condition (events matching none are kept only in strict_order mode, where
 * they end the scan); it is sorted once, in the final function.  Partial
 * states concatenate.
 */
#include "events_glue.h"
#include "pattern.h"

#include "catalog/pg_type.h"
#include "lib/stringinfo.h"
#include "libpq/pqformat.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

/*
 * Most users have a few events: they live in the state itself, one allocation
 * a group.  The state is exactly 128 bytes, an allocator size class: one more
 * byte would double it, and with a million groups per hash table the state's
 * size is most of the GROUP BY form's memory and cache misses.
 */
#define EV_INLINE 4

typedef struct EvState
{
	EvParams	params;
	EvRun		run;
	ev_event	inline_ev[EV_INLINE];
} EvState;

StaticAssertDecl(sizeof(EvState) <= 128, "EvState must stay within a 128-byte allocation");

/* strict_order: events matching no condition are kept, they end the scan */
#define KEEP_ZERO(st) (((st)->params.flags & FUNNEL_STRICT_ORDER) != 0)

static EvState *
ev_state_new(MemoryContext cxt)
{
	EvState    *st = MemoryContextAllocZero(cxt, sizeof(EvState));

	st->run.ev = st->inline_ev;
	st->run.cap = EV_INLINE;
	return st;
}

/*
 * (internal, interval, [text,] timestamptz, VARIADIC boolean[]): the mode is
 * there when there are 5 arguments.
 */
PG_FUNCTION_INFO_V1(window_funnel_trans);
Datum
window_funnel_trans(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = persona_agg_context(fcinfo, "window_funnel_trans");
	EvState    *st = PG_ARGISNULL(0) ? NULL : (EvState *) PG_GETARG_POINTER(0);
	bool		has_mode = ev_has_mode(fcinfo, 2);
	int			tsarg = has_mode ? 3 : 2;
	int			nconds;
	uint32		mask;
	int64		window;
	text	   *mode = NULL;

	if (st == NULL)
		st = ev_state_new(cxt);
	window = ev_read_window(fcinfo, 1);
	if (has_mode)
	{
		if (PG_ARGISNULL(2))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("window_funnel mode must not be NULL"),
					 errhint("Use '' for the default mode.")));
		mode = PG_GETARG_TEXT_PP(2);
	}
	if (PG_ARGISNULL(tsarg) || !ev_read_conds(fcinfo, tsarg + 1, &nconds, &mask))
		PG_RETURN_POINTER(st);
	if (st->params.nconds == 0)
		st->params.flags = mode ? ev_parse_mode(mode) : 0;
	ev_params_row(&st->params, cxt, nconds, window, mode, "window_funnel");
	if (mask != 0 || KEEP_ZERO(st))
		ev_run_push(&st->run, cxt, PG_GETARG_TIMESTAMPTZ(tsarg), mask, 0);
	PG_RETURN_POINTER(st);
}

/* (internal, text, timestamptz, VARIADIC boolean[]) */
PG_FUNCTION_INFO_V1(sequence_trans);
Datum
sequence_trans(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = persona_agg_context(fcinfo, "sequence_trans");
	EvState    *st = PG_ARGISNULL(0) ? NULL : (EvState *) PG_GETARG_POINTER(0);
	int			nconds;
	uint32		mask;
	text	   *pat;

	if (st == NULL)
		st = ev_state_new(cxt);
	if (PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("sequence pattern must not be NULL")));
	pat = PG_GETARG_TEXT_PP(1);
	if (PG_ARGISNULL(2) || !ev_read_conds(fcinfo, 3, &nconds, &mask))
		PG_RETURN_POINTER(st);
	if (st->params.nconds == 0)
	{
		seq_pattern p;
		seq_error	err;

		/* compiled here for an early error; the final function compiles again */
		if (seq_compile(VARDATA_ANY(pat), VARSIZE_ANY_EXHDR(pat), nconds, &p, &err) < 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid sequence pattern: %s at character %d", err.message, err.position),
					 errdetail("Pattern: %s", text_to_cstring(pat)),
					 errhint("Patterns are made of (?N) (an event matching condition N), . (any event), .* (any events) and (?t op seconds) between two atoms, op one of < <= > >= == !=.")));
	}
	ev_params_row(&st->params, cxt, nconds, 0, pat, "sequence_match");
	if (mask != 0)
		ev_run_push(&st->run, cxt, PG_GETARG_TIMESTAMPTZ(2), mask, 0);
	PG_RETURN_POINTER(st);
}

PG_FUNCTION_INFO_V1(ev_state_combine);
Datum
ev_state_combine(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = persona_agg_context(fcinfo, "ev_state_combine");
	EvState    *a = PG_ARGISNULL(0) ? NULL : (EvState *) PG_GETARG_POINTER(0);
	EvState    *b = PG_ARGISNULL(1) ? NULL : (EvState *) PG_GETARG_POINTER(1);

	if (b == NULL || b->params.nconds == 0)
	{
		if (a == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(a);
	}
	/*
	 * The first partial state of a group, freshly deserialized into our own
	 * aggregate context, is adopted as it is: no copy, and no second state per
	 * group in the leader.  A state from elsewhere (a partitionwise plan's
	 * child aggregate, unserialized) may be freed by its owner: copied.
	 */
	if (a == NULL && GetMemoryChunkContext(b) == cxt)
		PG_RETURN_POINTER(b);
	if (a == NULL)
		a = ev_state_new(cxt);
	if (a->params.nconds == 0)
	{
		a->params = b->params;
		/* without a mode the text is NULL (states combined unserialized: partitionwise plans) */
		a->params.text = MemoryContextAllocZero(cxt, b->params.textlen + 1);
		if (b->params.text)
			memcpy(a->params.text, b->params.text, b->params.textlen);
	}
	else
		ev_params_same(&a->params, &b->params, "window_funnel");
	if (b->run.n)
	{
		ev_run_grow(&a->run, cxt, a->run.n + b->run.n);
		memcpy(a->run.ev + a->run.n, b->run.ev, b->run.n * sizeof(ev_event));
		a->run.n += b->run.n;
	}
	PG_RETURN_POINTER(a);
}

PG_FUNCTION_INFO_V1(ev_state_serialize);
Datum
ev_state_serialize(PG_FUNCTION_ARGS)
{
	EvState    *st = (EvState *) PG_GETARG_POINTER(0);
	uint64		n = st->run.n;
	Size		head = sizeof(int) * 3 + sizeof(int64) + st->params.textlen + sizeof(bool) + sizeof(uint64);
	bytea	   *out;
	char	   *p;
	Size		i;

	if (n > (MaxAllocSize - VARHDRSZ - head) / 12)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("too many events in one group to pass between parallel workers (%llu)", (unsigned long long) n),
				 errhint("SET max_parallel_workers_per_gather = 0 for this query.")));
	/* one allocation of the exact size: this runs once per group */
	out = palloc(VARHDRSZ + head + n * 12);
	SET_VARSIZE(out, VARHDRSZ + head + n * 12);
	p = VARDATA(out);
	memcpy(p, &st->params.nconds, sizeof(int));
	p += sizeof(int);
	memcpy(p, &st->params.flags, sizeof(int));
	p += sizeof(int);
	memcpy(p, &st->params.window, sizeof(int64));
	p += sizeof(int64);
	memcpy(p, &st->params.textlen, sizeof(int));
	p += sizeof(int);
	if (st->params.textlen)
		memcpy(p, st->params.text, st->params.textlen);
	p += st->params.textlen;
	{
		bool		keep_zero = KEEP_ZERO(st);	/* kept in the format */

		memcpy(p, &keep_zero, sizeof(bool));
	}
	p += sizeof(bool);
	memcpy(p, &n, sizeof(uint64));
	p += sizeof(uint64);
	for (i = 0; i < n; i++)
	{
		memcpy(p, &st->run.ev[i].ts, 8);
		memcpy(p + 8, &st->run.ev[i].mask, 4);
		p += 12;
	}
	PG_RETURN_BYTEA_P(out);
}

PG_FUNCTION_INFO_V1(ev_state_deserialize);
Datum
ev_state_deserialize(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = persona_agg_context(fcinfo, "ev_state_deserialize");
	bytea	   *in = PG_GETARG_BYTEA_PP(0);
	EvBuf		b = {VARDATA_ANY(in), VARDATA_ANY(in) + VARSIZE_ANY_EXHDR(in)};
	EvState    *st = ev_state_new(cxt);
	uint64		n;
	Size		i;

	ev_read_params(&b, &st->params, cxt);
	{
		bool		keep_zero;

		ev_take(&b, &keep_zero, sizeof(bool));
		if (keep_zero != KEEP_ZERO(st))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
					 errmsg("corrupt events aggregate state")));
	}
	ev_take(&b, &n, sizeof(uint64));
	if (n != (uint64) (b.end - b.p) / 12 || (uint64) (b.end - b.p) % 12 != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("corrupt events aggregate state")));
	if (n)
		ev_run_grow(&st->run, cxt, n);
	for (i = 0; i < n; i++)
	{
		memcpy(&st->run.ev[i].ts, b.p, 8);
		memcpy(&st->run.ev[i].mask, b.p + 8, 4);
		st->run.ev[i].slot = 0;
		b.p += 12;
	}
	st->run.n = n;
	PG_RETURN_POINTER(st);
}

static int
state_level(EvState *st, int64 *path)
{
	int64	   *work = NULL;
	int			level;

	ev_sort(st->run.ev, st->run.n);
	if (path)
		work = palloc(sizeof(int64) * st->params.nconds * st->params.nconds);
	level = funnel_level(st->run.ev, st->run.n, st->params.nconds, (uint64) st->params.window,
						 st->params.flags, path, work);
	if (work)
		pfree(work);
	return level;
}

PG_FUNCTION_INFO_V1(window_funnel_final);
Datum
window_funnel_final(PG_FUNCTION_ARGS)
{
	EvState    *st = PG_ARGISNULL(0) ? NULL : (EvState *) PG_GETARG_POINTER(0);

	if (st == NULL || st->params.nconds == 0)
		PG_RETURN_INT32(0);
	PG_RETURN_INT32(state_level(st, NULL));
}

PG_FUNCTION_INFO_V1(window_funnel_path_final);
Datum
window_funnel_path_final(PG_FUNCTION_ARGS)
{
	EvState    *st = PG_ARGISNULL(0) ? NULL : (EvState *) PG_GETARG_POINTER(0);
	int64		path[EV_MAX_CONDS];
	Datum		d[EV_MAX_CONDS];
	int			level,
				i;

	if (st == NULL || st->params.nconds == 0)
		PG_RETURN_ARRAYTYPE_P(construct_empty_array(TIMESTAMPTZOID));
	level = state_level(st, path);
	for (i = 0; i < level; i++)
		d[i] = TimestampTzGetDatum(path[i]);
	PG_RETURN_ARRAYTYPE_P(construct_array(d, level, TIMESTAMPTZOID, sizeof(int64), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
}

static int64
state_sequence(EvState *st, bool first_only)
{
	seq_pattern p;
	seq_error	err;
	uint32	   *work;
	int64		c;

	if (seq_compile(st->params.text, st->params.textlen, st->params.nconds, &p, &err) < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid sequence pattern: %s at character %d", err.message, err.position)));
	ev_sort(st->run.ev, st->run.n);
	work = palloc_extended(sizeof(uint32) * p.nsteps * (st->run.n + 1), MCXT_ALLOC_HUGE);
	c = seq_count(&p, st->run.ev, st->run.n, first_only, work);
	pfree(work);
	return c;
}

PG_FUNCTION_INFO_V1(sequence_match_final);
Datum
sequence_match_final(PG_FUNCTION_ARGS)
{
	EvState    *st = PG_ARGISNULL(0) ? NULL : (EvState *) PG_GETARG_POINTER(0);

	if (st == NULL || st->params.nconds == 0)
		PG_RETURN_BOOL(false);
	PG_RETURN_BOOL(state_sequence(st, true) > 0);
}

PG_FUNCTION_INFO_V1(sequence_count_final);
Datum
sequence_count_final(PG_FUNCTION_ARGS)
{
	EvState    *st = PG_ARGISNULL(0) ? NULL : (EvState *) PG_GETARG_POINTER(0);

	if (st == NULL || st->params.nconds == 0)
		PG_RETURN_INT64(0);
	PG_RETURN_INT64(state_sequence(st, false));
}
